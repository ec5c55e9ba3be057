/*
 * server_conn.c - one client connection of `tlsm server`: feeding the engine, taking its
 * events, echoing the plaintext back (or answering with server_http.c), closing with
 * close_notify when the client closes, the deadlines of its timeouts, and one log line
 * per event.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

/* --http: how long an answered client may take to close its side after ours. */
#define HTTP_LINGER_MS 2000

int server_quiet;

void server_log(const server_conn *c, const char *fmt, ...)
{
    if (server_quiet)
        return;
    va_list ap;
    fprintf(stderr, "tlsm server: #%u %s: ", c->id, c->peer);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

server_conn *server_conn_new(int fd, tlsm_config *cfg, unsigned id, const char *peer,
                             long long now_ms)
{
    server_conn *c = calloc(1, sizeof *c);
    tlsm_conn *conn = c ? tlsm_conn_new(cfg, NULL) : NULL;
    if (!conn) {
        free(c);
        close(fd);
        return NULL;
    }
    stream_init(&c->s, fd, conn);
    c->id = id;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    c->accepted_ms = c->active_ms = now_ms;
    server_log(c, "connected");
    return c;
}

void server_conn_free(server_conn *c)
{
    close(c->s.fd);
    stream_free(&c->s);
    tlsm_conn_free(c->s.conn);
    free(c->answer);
    free(c);
}

/* Writes received plaintext back as far as the engine accepts it now; returns how much. */
static size_t echo(server_conn *c)
{
    const uint8_t *p;
    size_t n = 0, total = 0;
    while ((p = tlsm_read_peek(c->s.conn, &n)) != NULL && n > 0) {
        size_t acc = 0;
        if (tlsm_write(c->s.conn, p, n, &acc) != 0 || acc == 0)
            break;
        if (tlsm_read_consume(c->s.conn, acc) != 0)
            break;
        total += acc;
    }
    c->echoed += total;
    return total;
}

static void handle_events(server_conn *c)
{
    tlsm_event ev;
    while (tlsm_next_event(c->s.conn, &ev)) {
        if (ev.type == TLSM_EV_HANDSHAKE_DONE) {
            char desc[200];
            const char *sni = tlsm_conn_server_name(c->s.conn);
            c->handshake_done = 1;
            cli_describe_session(c->s.conn, desc, sizeof desc);
            server_log(c, "handshake done: %s, SNI %s%s", desc, sni ? sni : "none",
                       tlsm_conn_peer_cert_count(c->s.conn) ? ", client certificate verified"
                                                            : "");
        } else if (ev.type == TLSM_EV_PEER_CLOSED) {
            c->peer_closed = 1;
        } else if (ev.type == TLSM_EV_ALERT && !ev.fatal && ev.alert != TLSM_ALERT_CLOSE_NOTIFY) {
            server_log(c, "client sent warning alert %s", tlsm_alert_name(ev.alert));
        }
    }
}

static void log_clean_close(const server_conn *c, const server_args *a)
{
    if (a->http)
        server_log(c, "closed cleanly (%s)", c->answer ? "request answered" : "no request");
    else
        server_log(c, "closed cleanly (%llu bytes echoed)", c->echoed);
}

/* --http, after the answer and close_notify went out: whatever the client still sends is
 * dropped until it closes (closing first could reset the connection under the answer). */
static int linger(server_conn *c, const server_args *a)
{
    stream_feed(&c->s);
    handle_events(c);
    (void)server_http_serve(c);
    if (c->s.io_errno != 0 || tlsm_conn_error(c->s.conn) != 0 || c->peer_closed ||
        c->s.eof_fed) {
        log_clean_close(c, a);
        return 0;
    }
    return 1;
}

static int advance(server_conn *c, const server_args *a, long long now_ms)
{
    if (c->linger_until)
        return linger(c, a);
    if (c->s.io_errno != 0) {
        server_log(c, "connection failed: %s", strerror(c->s.io_errno));
        return -1;
    }
    /* The engine takes no input while plaintext is unread, and reading plaintext lets it
     * process more (which may queue events, e.g. close_notify): repeat until quiet. */
    for (;;) {
        size_t before = c->s.in_len;
        stream_feed(&c->s);
        handle_events(c);
        size_t served = a->http ? server_http_serve(c) : echo(c);
        if (served == 0 && c->s.in_len == before)
            break;
    }
    int err = tlsm_conn_error(c->s.conn);
    if (err != 0) {
        char why[400];
        stream_flush_wait(&c->s, 1000);
        cli_describe_failure(c->s.conn, err, why, sizeof why);
        server_log(c, "%s failed: %s", c->handshake_done ? "connection" : "handshake", why);
        return -1;
    }
    if (c->peer_closed && !c->close_sent &&
        !(tlsm_status(c->s.conn) & TLSM_STATUS_HAS_PLAINTEXT)) {
        if (tlsm_close(c->s.conn) == 0)
            c->close_sent = 1;
    }
    if (stream_flush(&c->s) != 0) {
        server_log(c, "connection failed: %s", strerror(c->s.io_errno));
        return -1;
    }
    if (c->close_sent && !stream_output_pending(&c->s)) {
        if (!a->http || c->peer_closed || c->s.eof_fed) {
            log_clean_close(c, a);
            return 0;
        }
        (void)shutdown(c->s.fd, SHUT_WR);
        c->linger_until = now_ms + HTTP_LINGER_MS;
        return 1;
    }
    if (c->s.eof_fed && !c->peer_closed) {
        server_log(c, "client closed the connection without close_notify (%s)",
                   tlsm_strerror(c->s.eof_result ? c->s.eof_result : TLSM_ERR_TRUNCATED));
        return -1;
    }
    return 1;
}

int server_conn_step(server_conn *c, const server_args *a, long long now_ms)
{
    int r = advance(c, a, now_ms);
    unsigned long long io = c->s.bytes_in + c->s.bytes_out;
    if (io != c->io_seen) {
        c->io_seen = io;
        c->active_ms = now_ms;
    }
    return r;
}

int server_conn_can_progress(const server_conn *c)
{
    unsigned st = tlsm_status(c->s.conn);
    return !c->linger_until && (st & TLSM_STATUS_HAS_PLAINTEXT) && (st & TLSM_STATUS_CAN_WRITE);
}

long long server_conn_deadline(const server_conn *c, const server_args *a)
{
    if (c->linger_until)
        return c->linger_until;
    long long d = 0;
    if (!c->handshake_done && a->handshake_timeout_ms > 0)
        d = c->accepted_ms + a->handshake_timeout_ms;
    if (a->idle_timeout_ms > 0) {
        long long idle = c->active_ms + a->idle_timeout_ms;
        if (d == 0 || idle < d)
            d = idle;
    }
    return d;
}

void server_conn_expire(server_conn *c, const server_args *a, long long now_ms)
{
    if (c->linger_until) {
        log_clean_close(c, a);
        return;
    }
    if (!c->handshake_done && a->handshake_timeout_ms > 0 &&
        now_ms >= c->accepted_ms + a->handshake_timeout_ms) {
        server_log(c, "handshake timed out (not done %.3g s after the connection)",
                   (double)a->handshake_timeout_ms / 1000);
        return;
    }
    server_log(c, "idle timeout (no data for %.3g s): closing", (double)a->idle_timeout_ms / 1000);
    /* After the handshake the client is told (RFC 8446 s.6.1 close_notify); the socket is
     * closed right after, so only what it takes now is sent. */
    if (c->handshake_done && !c->close_sent && tlsm_close(c->s.conn) == 0)
        (void)stream_flush(&c->s);
}
