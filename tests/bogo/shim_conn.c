/*
 * shim_conn.c - one connection to the runner, driven the way BoringSSL's shim drives its
 * SSL object (DoExchange in bssl_shim.cc), over a blocking TCP socket:
 *   1. connect to the runner on loopback and send the 8-byte little-endian shim id;
 *   2. run the handshake and check the expectations (shim_expect.c);
 *   3. write exported keying material and the shim's first message if asked;
 *   4. echo every byte the runner sends, XORed with 0xff, until it closes;
 *   5. shut down: quietly (no close_notify) unless -check-close-notify.
 * The engine is fed and drained by the rules of tlsm.h: events after every call, output
 * sent and consumed, input that the engine does not take kept for later. With -async,
 * ciphertext moves one byte per recv/feed and per send/consume, so that every message and
 * record reaches the engine in the smallest pieces.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

/* Room for a full record and then some: the engine may refuse input while plaintext waits. */
#define LINK_BUF (2 * (16384 + 256 + 5))
/* BoringSSL's shim reads at most 512 bytes per SSL_read, so records span several reads. */
#define DEFAULT_READ_SIZE 512
/* The functions below return 0, a tlsm error (< 0), or SHIM_FAILED: a failure of the shim's
 * own (a check, the socket) whose reason is already printed. */
#define SHIM_FAILED 1

typedef struct {
    int fd;
    tlsm_conn *conn;
    const shim_opts *o;
    shim_state *st;
    shim_session *session;
    uint8_t in[LINK_BUF];
    size_t in_len;
    int transport_eof, eof_fed;
    int truncated; /* the runner closed the transport without close_notify */
} shim_link;

void shim_session_clear(shim_session *s)
{
    if (s->blob)
        explicit_bzero(s->blob, s->len);
    free(s->blob);
    s->blob = NULL;
    s->len = 0;
}

static int connect_runner(const shim_opts *o)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    if (o->ipv6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)o->port);
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)o->port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0) {
        shim_fail("socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
        shim_fail("connect to the runner on port %d: %s", o->port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int send_shim_id(int fd, const char *id_text)
{
    char *end;
    unsigned long long id = strtoull(id_text ? id_text : "0", &end, 10);
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(id >> (8 * i));
    return send_all(fd, le, sizeof le);
}

/* Sends everything the engine has to say. -1 when the socket refuses it. */
static int link_flush(shim_link *l)
{
    for (;;) {
        size_t len = 0;
        const uint8_t *out = tlsm_output_peek(l->conn, &len);
        if (!out || len == 0)
            return 0;
        if (l->o->async)
            len = 1;
        if (send_all(l->fd, out, len) != 0 || tlsm_output_consume(l->conn, len) != 0)
            return -1;
    }
}

/* The shim's verification hook (BoringSSL's CertVerifyCallback / CustomVerifyCallback):
 * accept unless -verify-fail. A client that did not ask for -verify-peer only records the
 * verdict (BoringSSL's SSL_VERIFY_NONE ignores it). The alerts are the ones BoringSSL
 * sends for each kind of callback. */
static void answer_verify(shim_link *l)
{
    const shim_opts *o = l->o;
    l->st->verify_failed = o->verify_fail;
    int enforce = o->is_server || o->verify_peer;
    int rc;
    if (o->verify_fail && enforce)
        rc = tlsm_verify_done(l->conn, 0,
                              o->use_custom_verify_callback ? TLSM_ALERT_CERTIFICATE_UNKNOWN
                                                            : TLSM_ALERT_HANDSHAKE_FAILURE);
    else
        rc = tlsm_verify_done(l->conn, 1, 0);
    (void)rc; /* a refusal is the connection's sticky error */
}

static void keep_session(shim_link *l)
{
    size_t need = 0;
    if (tlsm_conn_get_session(l->conn, NULL, 0, &need) != 0)
        return;
    uint8_t *blob = malloc(need);
    if (!blob || tlsm_conn_get_session(l->conn, blob, need, &need) != 0) {
        free(blob);
        return;
    }
    shim_session_clear(l->session);
    l->session->blob = blob;
    l->session->len = need;
    l->st->got_new_session = 1;
    if (!l->st->handshake_done)
        l->st->new_session_at_handshake = 1;
}

static void link_events(shim_link *l)
{
    tlsm_event ev;
    while (tlsm_next_event(l->conn, &ev)) {
        switch (ev.type) {
        case TLSM_EV_HANDSHAKE_DONE: l->st->handshake_done = 1; break;
        case TLSM_EV_NEW_TICKET: keep_session(l); break;
        case TLSM_EV_PEER_CLOSED: l->st->peer_closed = 1; break;
        case TLSM_EV_VERIFY_PEER: answer_verify(l); break;
        default: break; /* alerts and errors also show in tlsm_conn_error */
        }
    }
}

/* Offers buffered ciphertext to the engine, then the end of the stream once all is taken. */
static void link_feed(shim_link *l)
{
    while (l->in_len > 0) {
        size_t chunk = l->o->async ? 1 : l->in_len, used = 0;
        int rc = tlsm_feed(l->conn, l->in, chunk, &used);
        if (used > chunk)
            used = chunk;
        memmove(l->in, l->in + used, l->in_len - used);
        l->in_len -= used;
        link_events(l);
        if (rc < 0 || used == 0)
            break;
    }
    if (l->transport_eof && l->in_len == 0 && !l->eof_fed) {
        l->eof_fed = 1;
        if (tlsm_feed_eof(l->conn) == TLSM_ERR_TRUNCATED)
            l->truncated = 1;
        link_events(l);
    }
}

/* Waits for ciphertext (only when the engine has taken all it was given) and feeds it. */
static void link_receive(shim_link *l)
{
    if (l->in_len == 0 && !l->transport_eof) {
        size_t want = l->o->async ? 1 : sizeof l->in;
        ssize_t n;
        do
            n = recv(l->fd, l->in, want, 0);
        while (n < 0 && errno == EINTR);
        if (n > 0)
            l->in_len = (size_t)n;
        else
            l->transport_eof = 1; /* end of stream, or a reset: both end the input */
    }
    link_feed(l);
}

/* Drains events and output; returns the connection's sticky error, SHIM_FAILED when the
 * socket refused the output, 0 otherwise. */
static int link_pump(shim_link *l)
{
    link_events(l);
    int rc = link_flush(l);
    link_events(l);
    int err = tlsm_conn_error(l->conn);
    if (err)
        return err;
    if (rc != 0) {
        shim_fail("the runner closed the connection: %s", strerror(errno));
        return SHIM_FAILED;
    }
    return 0;
}

static int run_handshake(shim_link *l)
{
    if (!l->o->is_server && tlsm_conn_start(l->conn) != 0)
        return tlsm_conn_error(l->conn);
    for (;;) {
        int err = link_pump(l);
        if (err)
            return err;
        if (l->st->handshake_done)
            return 0;
        if (l->eof_fed) {
            shim_fail("the runner closed the connection during the handshake");
            return SHIM_FAILED;
        }
        link_receive(l);
    }
}

/* Reads up to cap bytes of plaintext into buf and sets *n; *n = 0 at the end of the
 * stream, clean or truncated (BoringSSL's shim stops on both). */
static int read_some(shim_link *l, uint8_t *buf, size_t cap, size_t *n)
{
    *n = 0;
    for (;;) {
        int err = link_pump(l);
        size_t len = 0;
        const uint8_t *p = tlsm_read_peek(l->conn, &len);
        if (p && len > 0) {
            *n = len < cap ? len : cap;
            memcpy(buf, p, *n);
            return tlsm_read_consume(l->conn, *n);
        }
        if (l->st->peer_closed || (err == TLSM_ERR_TRUNCATED && l->truncated))
            return 0;
        if (err)
            return err;
        if (l->eof_fed)
            return 0;
        link_receive(l);
    }
}

/* Writes all of p; when tlsm_write takes nothing, the output is sent and it is offered
 * again, once: taking nothing twice in a row would be a stall. */
static int write_all(shim_link *l, const uint8_t *p, size_t len)
{
    int stalled = 0;
    while (len > 0) {
        size_t accepted = 0;
        int rc = tlsm_write(l->conn, p, len, &accepted);
        if (rc < 0)
            return rc;
        p += accepted;
        len -= accepted;
        int err = link_pump(l);
        if (err)
            return err;
        if (accepted == 0 && stalled++) {
            shim_fail("tlsm_write takes nothing although its output was sent");
            return SHIM_FAILED;
        }
        if (accepted > 0)
            stalled = 0;
    }
    return 0;
}

static int export_keying_material(shim_link *l)
{
    const shim_opts *o = l->o;
    size_t n = (size_t)o->export_keying_material;
    uint8_t *out = malloc(n);
    const char *label = o->export_label ? o->export_label : "";
    const char *context = o->export_context ? o->export_context : "";
    /* Without -use-export-context there is no context at all (RFC 5705 s.4 tells "no
     * context" from "empty context" in TLS 1.2). */
    int rc = out ? tlsm_export_keying_material(
                       l->conn, label, strlen(label),
                       o->use_export_context ? (const uint8_t *)context : NULL,
                       o->use_export_context ? strlen(context) : 0, out, n)
                 : TLSM_ERR_NOMEM;
    if (rc != 0) {
        shim_fail("failed to export keying material: %s", tlsm_strerror(rc));
        free(out);
        return SHIM_FAILED;
    }
    rc = write_all(l, out, n);
    free(out);
    return rc;
}

/* BoringSSL's -write-different-record-sizes: sizes around the record boundaries. */
static int write_record_sizes(shim_link *l)
{
    static const size_t sizes[] = {0, 1, 255, 256, 257, 16383, 16384, 16385, 32767, 32768, 32769};
    static uint8_t buf[32769];
    memset(buf, 0x42, sizeof buf);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        int rc = write_all(l, buf, sizes[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* Echoes the runner's data XOR 0xff until it closes (BoringSSL's read loop). */
static int echo(shim_link *l)
{
    const shim_opts *o = l->o;
    size_t cap = o->read_size > 0 ? (size_t)o->read_size : DEFAULT_READ_SIZE;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return TLSM_ERR_NOMEM;
    int rc = 0;
    for (;;) {
        if (o->key_update_before_read && (rc = tlsm_key_update(l->conn, 0)) != 0) {
            shim_fail("tlsm_key_update failed: %s", tlsm_strerror(rc));
            rc = SHIM_FAILED;
            break;
        }
        size_t n;
        if ((rc = read_some(l, buf, cap, &n)) != 0 || n == 0)
            break;
        if (o->key_update && (rc = tlsm_key_update(l->conn, 0)) != 0) {
            shim_fail("tlsm_key_update failed: %s", tlsm_strerror(rc));
            rc = SHIM_FAILED;
            break;
        }
        for (size_t i = 0; i < n; i++)
            buf[i] ^= 0xff;
        if ((rc = write_all(l, buf, n)) != 0)
            break;
    }
    free(buf);
    return rc;
}

/* Waits for the runner's close_notify after ours (-shim-shuts-down -check-close-notify). */
static int await_close_notify(shim_link *l)
{
    for (;;) {
        int err = link_pump(l);
        size_t len = 0;
        if (tlsm_read_peek(l->conn, &len) && len > 0) {
            shim_fail("application data on shutdown");
            return SHIM_FAILED;
        }
        if (l->st->peer_closed)
            return 0;
        if (err)
            return err;
        if (l->eof_fed)
            return TLSM_ERR_TRUNCATED;
        link_receive(l);
    }
}

/* SSL_shutdown as the reference shim uses it: quiet (nothing sent, nothing awaited)
 * unless -check-close-notify. */
static int shut_down(shim_link *l)
{
    const shim_opts *o = l->o;
    if (!o->check_close_notify)
        return 0;
    if (l->truncated) {
        shim_fail("shutdown failed: the runner closed the transport without close_notify");
        return SHIM_FAILED;
    }
    int rc = tlsm_close(l->conn);
    if (rc == 0)
        rc = link_pump(l);
    if (rc == 0 && o->shim_shuts_down)
        rc = await_close_notify(l);
    if (rc == TLSM_ERR_TRUNCATED) {
        shim_fail("shutdown failed: the runner closed the transport without close_notify");
        return SHIM_FAILED;
    }
    return rc;
}

/* Everything after the handshake. */
static int exchange(shim_link *l, int is_resume)
{
    const shim_opts *o = l->o;
    int rc;
    if (!o->implicit_handshake &&
        shim_check_handshake(o, l->conn, is_resume, l->st) != 0)
        return SHIM_FAILED;
    if (o->export_keying_material > 0 && (rc = export_keying_material(l)) != 0)
        return rc;
    if (o->send_alert) {
        /* The host ends the connection with an alert of its choice (tlsm_conn_abort); the
         * alert is flushed, and the run counts as done as it does for BoringSSL's shim. */
        (void)tlsm_conn_abort(l->conn, 30); /* decompression_failure (RFC 5246 s.7.2.2) */
        (void)link_flush(l);
        return 0;
    }
    if (o->write_different_record_sizes) {
        if ((rc = write_record_sizes(l)) != 0)
            return rc;
    } else {
        for (int i = 0; o->shim_writes_first && i < o->repeat_shim_initial_write; i++)
            if ((rc = write_all(l, (const uint8_t *)o->shim_initial_write,
                                strlen(o->shim_initial_write))) != 0)
                return rc;
        if (!o->shim_shuts_down && (rc = echo(l)) != 0)
            return rc;
    }
    if (shim_check_end(o, l->conn, l->st) != 0)
        return SHIM_FAILED;
    return shut_down(l);
}

/* Half-closes and drains the socket so that the runner sees an orderly end (as the
 * reference shim does), waiting at most 5 seconds in all for the runner to close. */
static void close_socket(int fd)
{
    shutdown(fd, SHUT_WR);
    uint8_t sink[4096];
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (waited >= 5000 || poll(&p, 1, (int)(5000 - waited)) <= 0 ||
            recv(fd, sink, sizeof sink, 0) <= 0)
            break;
    }
    close(fd);
}

int shim_run_connection(const shim_opts *o, tlsm_config *cfg, int is_resume,
                        shim_session *session)
{
    shim_state st;
    memset(&st, 0, sizeof st);
    st.verify_failed = session->verify_failed;
    int fd = connect_runner(o);
    if (fd < 0)
        return -1;
    if (send_shim_id(fd, o->shim_id) != 0) {
        shim_fail("cannot send the shim id");
        close(fd);
        return -1;
    }
    tlsm_conn *conn = tlsm_conn_new(cfg, o->is_server ? NULL : o->host_name);
    shim_link *l = calloc(1, sizeof *l);
    if (!conn || !l) {
        shim_fail("tlsm_conn_new failed");
        tlsm_conn_free(conn);
        free(l);
        close(fd);
        return -1;
    }
    l->fd = fd;
    l->conn = conn;
    l->o = o;
    l->st = &st;
    l->session = session;
    int rc = 0;
    if (!o->is_server && is_resume && session->len &&
        (rc = tlsm_conn_set_session(conn, session->blob, session->len)) != 0)
        shim_fail("tlsm_conn_set_session: %s", tlsm_strerror(rc));
    if (!o->is_server)
        shim_session_clear(session); /* what this connection yields replaces it */
    if (rc == 0)
        rc = run_handshake(l);
    if (rc == 0)
        rc = exchange(l, is_resume);
    if (rc != 0) {
        link_flush(l); /* the alert that tells the runner why */
        int err = rc < 0 ? rc : tlsm_conn_error(conn);
        if (err)
            shim_report_error(conn, err);
    }
    session->verify_failed = st.verify_failed;
    tlsm_conn_free(conn);
    free(l);
    close_socket(fd);
    return rc ? -1 : 0;
}
