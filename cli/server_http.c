/*
 * server_http.c - `tlsm server --http`: each client gets one HTTP/1.0 answer, status 200,
 * a plain-text page describing its TLS session, then close_notify (HTTP/1.0 without
 * keep-alive: RFC 1945 s.1.3, the server closes after the response). Like
 * `openssl s_server -www`, it is there so that tools which speak HTTP over TLS (curl,
 * conformance suites) can drive the server. The request is not stored: its bytes are
 * scanned for the empty line that ends the header, so a request of any size costs no
 * memory. Any request gets the page; what it asked for is not interpreted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define PAGE_FORMAT                                                                          \
    "tlsm server\n"                                                                         \
    "session: %s\n"                                                                         \
    "server name: %s\n"                                                                     \
    "client certificate: %s\n"
#define HEADER_FORMAT                                                                        \
    "HTTP/1.0 200 OK\r\n"                                                                    \
    "Content-Type: text/plain; charset=utf-8\r\n"                                            \
    "Content-Length: %d\r\n"                                                                 \
    "Connection: close\r\n"                                                                  \
    "\r\n"

/* The answer: a header, and a page describing the session as the log line does. */
static int make_answer(server_conn *c)
{
    char desc[200];
    const char *sni = tlsm_conn_server_name(c->s.conn);
    const char *cert = tlsm_conn_peer_cert_count(c->s.conn) ? "verified" : "none";
    cli_describe_session(c->s.conn, desc, sizeof desc);
    if (!sni)
        sni = "none";
    int page = snprintf(NULL, 0, PAGE_FORMAT, desc, sni, cert);
    int header = page < 0 ? -1 : snprintf(NULL, 0, HEADER_FORMAT, page);
    if (header < 0 || !(c->answer = malloc((size_t)header + (size_t)page + 1)))
        return -1;
    snprintf(c->answer, (size_t)header + 1, HEADER_FORMAT, page);
    snprintf(c->answer + header, (size_t)page + 1, PAGE_FORMAT, desc, sni, cert);
    c->answer_len = (size_t)header + (size_t)page;
    return 0;
}

/* Scans p[0..n) for the empty line that ends the request header (RFC 1945 s.5: lines end
 * with CRLF; a bare LF is tolerated, s.B). Returns how many bytes belong to the header
 * (n when it has not ended yet) and sets *ended. */
static size_t scan_header(server_conn *c, const uint8_t *p, size_t n, int *ended)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            if (c->at_line_start) {
                *ended = 1;
                return i + 1;
            }
            c->at_line_start = 1;
        } else if (p[i] != '\r') {
            c->at_line_start = 0;
        }
    }
    return n;
}

/* Takes plaintext: the request header until its end, then whatever follows (dropped). */
static size_t read_request(server_conn *c)
{
    const uint8_t *p;
    size_t n = 0, total = 0;
    while ((p = tlsm_read_peek(c->s.conn, &n)) != NULL && n > 0) {
        size_t used = n;
        int ended = 0;
        if (!c->answer && !c->close_sent) {
            used = scan_header(c, p, n, &ended);
            if (ended && make_answer(c) != 0) {
                server_log(c, "cannot answer the request: out of memory");
                if (tlsm_close(c->s.conn) == 0)
                    c->close_sent = 1;
            }
        }
        if (tlsm_read_consume(c->s.conn, used) != 0)
            break;
        total += used;
    }
    return total;
}

/* Writes the answer as far as the engine takes it, then close_notify. */
static size_t send_answer(server_conn *c)
{
    size_t total = 0;
    while (c->answer_off < c->answer_len) {
        size_t acc = 0;
        if (tlsm_write(c->s.conn, (const uint8_t *)c->answer + c->answer_off,
                       c->answer_len - c->answer_off, &acc) != 0 || acc == 0)
            break;
        c->answer_off += acc;
        total += acc;
    }
    if (c->answer_off == c->answer_len && tlsm_close(c->s.conn) == 0) {
        c->close_sent = 1;
        server_log(c, "answered the request: HTTP/1.0 200 (%zu bytes)", c->answer_len);
    }
    return total;
}

size_t server_http_serve(server_conn *c)
{
    size_t progress = read_request(c);
    if (c->answer && !c->close_sent)
        progress += send_answer(c);
    return progress;
}
