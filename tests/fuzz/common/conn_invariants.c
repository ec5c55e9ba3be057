/*
 * conn_invariants.c - the API contract checked by the connection fuzz targets (see
 * conn_invariants.h). Any broken expectation aborts.
 */
#include "conn_invariants.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

void conn_watch_init(conn_watch *w, tlsm_conn *c, int client, int echo)
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->client = client;
    w->echo = echo;
}

static void check_status(conn_watch *w)
{
    tlsm_conn *c = w->c;
    unsigned s = tlsm_status(c);
    int err = tlsm_conn_error(c), done = tlsm_conn_handshake_done(c);
    size_t out_len = 0, pt_len = 0;
    const uint8_t *out = tlsm_output_peek(c, &out_len);
    const uint8_t *pt = tlsm_read_peek(c, &pt_len);
    CHECK((out != NULL) == (out_len > 0) && (pt != NULL) == (pt_len > 0));
    CHECK(!(s & TLSM_STATUS_ERROR) == !err);
    CHECK(!(s & TLSM_STATUS_HANDSHAKING) == !!done);
    CHECK(!(s & TLSM_STATUS_HAS_OUTPUT) == !out_len);
    CHECK(!(s & TLSM_STATUS_HAS_PLAINTEXT) == !pt_len);
    CHECK(!(s & TLSM_STATUS_BLOCKED));
    if (err) {
        CHECK(s & TLSM_STATUS_CLOSED);
        CHECK(!(s & (TLSM_STATUS_WANT_INPUT | TLSM_STATUS_CAN_WRITE | TLSM_STATUS_HAS_PLAINTEXT)));
    }
    if (s & (TLSM_STATUS_CAN_WRITE | TLSM_STATUS_HAS_PLAINTEXT))
        CHECK(done);
    if (s & TLSM_STATUS_WANT_INPUT)
        CHECK(!(s & TLSM_STATUS_HAS_PLAINTEXT));
    if (done && !err) {
        CHECK(tlsm_conn_version(c) == TLSM_TLS13);
        uint16_t suite = tlsm_conn_suite(c);
        CHECK(suite >= TLSM_TLS_AES_128_GCM_SHA256 && suite <= TLSM_TLS_CHACHA20_POLY1305_SHA256);
        if (w->client)
            CHECK(tlsm_conn_resumed(c) || tlsm_conn_peer_cert_count(c) > 0);
        /* Both targets offer or accept only these two protocols, if any. */
        size_t alpn_len = 0;
        const uint8_t *alpn = tlsm_conn_alpn(c, &alpn_len);
        CHECK((alpn == NULL) == (alpn_len == 0));
        if (alpn)
            CHECK((alpn_len == 2 && memcmp(alpn, "h2", 2) == 0) ||
                  (alpn_len == 8 && memcmp(alpn, "http/1.1", 8) == 0));
    }
    if (w->err)
        CHECK(err == w->err);
}

/* Output must be a sequence of whole TLS 1.3 records. */
static void drain_output(conn_watch *w)
{
    size_t len = 0;
    const uint8_t *out = tlsm_output_peek(w->c, &len);
    if (len == 0)
        return;
    for (size_t off = 0; off < len;) {
        CHECK(len - off >= 5);
        uint8_t type = out[off];
        size_t body = (size_t)out[off + 3] << 8 | out[off + 4];
        CHECK(type >= 20 && type <= 23);
        /* s.5.1: 0x0301 only on the records of a client's initial ClientHello. */
        CHECK(out[off + 1] == 3 && (out[off + 2] == 3 || (out[off + 2] == 1 && type == 22 &&
                                                          w->client && w->records == 0)));
        CHECK(body > 0 && body <= 16384 + 256 && body <= len - off - 5);
        w->last_type = type;
        w->last_len = body;
        w->last_body[0] = out[off + 5];
        w->last_body[1] = body > 1 ? out[off + 6] : 0;
        off += 5 + body;
        if (type != 22 || out[off - body - 5 + 2] != 1)
            w->records++;
    }
    /* Consume in two steps: the rest stays where it was. */
    size_t half = len / 2, len2 = 0;
    CHECK(tlsm_output_consume(w->c, half) == 0);
    const uint8_t *rest = tlsm_output_peek(w->c, &len2);
    CHECK(len2 == len - half && rest == out + half);
    CHECK(tlsm_output_consume(w->c, len2 + 1) == TLSM_ERR_ARG);
    CHECK(tlsm_output_consume(w->c, len2) == 0);
    CHECK(tlsm_output_peek(w->c, &len2) == NULL && len2 == 0);
}

static void drain_plaintext(conn_watch *w)
{
    size_t len = 0;
    const uint8_t *pt = tlsm_read_peek(w->c, &len);
    if (len == 0)
        return;
    w->reached |= FUZZ_REACHED_PLAINTEXT;
    CHECK(tlsm_conn_handshake_done(w->c));
    if (w->echo && !w->closed) {
        /* tlsm_write may move the output buffer but never the plaintext. */
        uint8_t *copy = malloc(len);
        CHECK(copy != NULL);
        memcpy(copy, pt, len);
        size_t accepted = 0;
        CHECK(tlsm_write(w->c, copy, len, &accepted) == 0 && accepted <= len);
        free(copy);
        drain_output(w);
        size_t len2 = 0;
        CHECK(tlsm_read_peek(w->c, &len2) == pt && len2 == len);
    }
    CHECK(tlsm_read_consume(w->c, len + 1) == TLSM_ERR_ARG);
    size_t first = len / 3;
    if (first) {
        CHECK(tlsm_read_consume(w->c, first) == 0);
        size_t len2 = 0;
        CHECK(tlsm_read_peek(w->c, &len2) == pt + first && len2 == len - first);
    }
    int rc = tlsm_read_consume(w->c, len - first);
    CHECK(rc == tlsm_conn_error(w->c));
}

static void drain_events(conn_watch *w)
{
    tlsm_event ev;
    while (tlsm_next_event(w->c, &ev) == 1) {
        int err = tlsm_conn_error(w->c);
        switch (ev.type) {
        case TLSM_EV_HANDSHAKE_DONE:
            CHECK(++w->done_events == 1 && tlsm_conn_handshake_done(w->c));
            break;
        case TLSM_EV_ERROR:
            CHECK(++w->error_events == 1 && ev.code != 0 && ev.code == err);
            break;
        case TLSM_EV_PEER_CLOSED:
            CHECK(++w->peer_closed_events == 1);
            break;
        case TLSM_EV_ALERT:
            if (ev.fatal)
                CHECK(err == TLSM_ERR_PEER_ALERT(ev.alert));
            else
                /* Warnings: user_canceled, or any warning while TLS 1.2 is (or may
                 * still be) the version; close_notify comes as PEER_CLOSED. */
                CHECK(ev.alert != TLSM_ALERT_CLOSE_NOTIFY);
            break;
        case TLSM_EV_KEY_UPDATED:
            CHECK(tlsm_conn_handshake_done(w->c));
            break;
        case TLSM_EV_NEW_TICKET: {
            size_t need = 0;
            /* A server gets no tickets. */
            CHECK(w->client && tlsm_conn_handshake_done(w->c));
            /* RFC 5246 s.7.2.2: a connection that failed since gives no session out. */
            if (tlsm_conn_error(w->c)) {
                CHECK(tlsm_conn_get_session(w->c, NULL, 0, &need) == tlsm_conn_error(w->c));
                break;
            }
            CHECK(tlsm_conn_get_session(w->c, NULL, 0, &need) == 0 && need > 0);
            uint8_t *blob = malloc(need);
            CHECK(blob != NULL);
            size_t len = 0;
            CHECK(tlsm_conn_get_session(w->c, blob, need, &len) == 0 && len == need);
            /* The blob a client serializes is one a new client accepts. */
            tlsm_conn *again = tlsm_conn_new(w->resume_cfg, FUZZ_HOST);
            CHECK(again != NULL && tlsm_conn_set_session(again, blob, len) == 0);
            tlsm_conn_free(again);
            free(blob);
            w->tickets++;
            break;
        }
        default:
            /* No tracing and no external signer. */
            CHECK(0);
        }
    }
}

/* After every call: output, plaintext, events, then the status and the error rules. */
void conn_settle(conn_watch *w)
{
    size_t pt_len = 1;
    /* Reading plaintext lets the engine process the next buffered record. */
    while (pt_len > 0) {
        drain_output(w);
        drain_plaintext(w);
        drain_output(w);
        drain_events(w);
        check_status(w);
        tlsm_read_peek(w->c, &pt_len);
    }
    int err = tlsm_conn_error(w->c);
    if (err && !w->err) {
        w->err = err;
        /* The alert that tells the peer why is the last thing on the wire (unless we had
         * already closed: then no alert follows close_notify). */
        if (TLSM_ERR_IS_LOCAL_ALERT(err) && !w->closed) {
            CHECK(w->last_type == 21 || w->last_type == 23);
            if (w->last_type == 21)
                CHECK(w->last_len == 2 && w->last_body[0] == 2 &&
                      w->last_body[1] == TLSM_ERR_ALERT(err));
        }
    }
    if (w->err)
        CHECK(w->error_events == 1);
}

/* Every call after a fatal error returns it and changes nothing. */
static void check_sticky(conn_watch *w)
{
    tlsm_conn *c = w->c;
    int err = w->err;
    size_t n = 1, cap = 1;
    uint16_t scheme;
    const uint8_t *msg;
    uint8_t buf[16] = {0};
    CHECK(tlsm_feed(c, buf, 1, &n) == err && n == 0);
    CHECK(tlsm_write(c, (const uint8_t *)"x", 1, &n) == err && n == 0);
    CHECK(tlsm_read_consume(c, 0) == err);
    CHECK(tlsm_close(c) == err);
    CHECK(tlsm_key_update(c, 1) == err);
    CHECK(tlsm_export_keying_material(c, "EXPORTER-x", 10, NULL, 0, buf, sizeof buf) == err);
    CHECK(tlsm_conn_start(c) == err);
    CHECK(tlsm_input_buf(c, &cap) == NULL && cap == 0);
    CHECK(tlsm_input_ack(c, 0) == err);
    CHECK(tlsm_sign_request(c, &scheme, &msg, &n) == err);
    CHECK(tlsm_sign_done(c, buf, 1) == err);
    CHECK(tlsm_feed_eof(c) == err);
    CHECK(tlsm_output_peek(c, &n) == NULL && n == 0);
    conn_settle(w);
    CHECK(tlsm_conn_error(c) == err);
}

/* Feeds one chunk, as often as needed: only pending plaintext may hold bytes back. */
static void feed(conn_watch *w, const uint8_t *p, size_t n)
{
    /* Exactly-sized copy: a read past the chunk shows. */
    uint8_t *chunk = malloc(n ? n : 1);
    CHECK(chunk != NULL);
    memcpy(chunk, p, n);
    size_t off = 0;
    while (off < n && !w->err) {
        size_t consumed = 0;
        int rc = tlsm_feed(w->c, chunk + off, n - off, &consumed);
        CHECK(rc == tlsm_conn_error(w->c));
        CHECK(consumed <= n - off);
        if (rc == 0 && consumed < n - off)
            CHECK(tlsm_status(w->c) & TLSM_STATUS_HAS_PLAINTEXT);
        off += consumed;
        conn_settle(w);
    }
    free(chunk);
}

/* After the input: the post-handshake calls, then end of stream. */
void conn_finish(conn_watch *w, int close)
{
    tlsm_conn *c = w->c;
    uint8_t a[32], b[32];
    if (!w->err && tlsm_conn_handshake_done(c)) {
        w->reached |= FUZZ_REACHED_HANDSHAKE;
        if (tlsm_conn_resumed(c))
            w->reached |= FUZZ_REACHED_RESUMED;
        CHECK(tlsm_export_keying_material(c, "EXPORTER-fuzz", 13, NULL, 0, a, sizeof a) == 0);
        CHECK(tlsm_export_keying_material(c, "EXPORTER-fuzz", 13, (const uint8_t *)"", 0, b,
                                          sizeof b) == 0);
        CHECK(memcmp(a, b, sizeof a) == 0);
        if (!w->closed) {
            size_t accepted = 0;
            CHECK(tlsm_write(c, (const uint8_t *)"bye", 3, &accepted) == 0 && accepted == 3);
            conn_settle(w);
        }
        if (close) {
            CHECK(tlsm_close(c) == 0);
            w->closed = 1;
            CHECK(tlsm_write(c, (const uint8_t *)"x", 1, NULL) == TLSM_ERR_CLOSED);
            CHECK(tlsm_key_update(c, 0) == TLSM_ERR_CLOSED);
            conn_settle(w);
            CHECK(w->last_type == 23);
        }
    } else if (!w->err) {
        CHECK(tlsm_write(c, (const uint8_t *)"x", 1, NULL) == TLSM_ERR_STATE);
        CHECK(tlsm_key_update(c, 0) == TLSM_ERR_STATE);
        CHECK(tlsm_export_keying_material(c, "EXPORTER-x", 10, NULL, 0, a, sizeof a) ==
              TLSM_ERR_STATE);
    }
    if (tlsm_conn_hrr(c))
        w->reached |= FUZZ_REACHED_HRR;
    if (w->peer_closed_events)
        w->reached |= FUZZ_REACHED_PEER_CLOSED;
    if (!w->err) {
        int rc = tlsm_feed_eof(c);
        if (w->peer_closed_events) {
            CHECK(rc == 0);
            size_t n = 0;
            CHECK(tlsm_feed(c, a, 1, &n) == TLSM_ERR_STATE && n == 0);
        } else {
            CHECK(rc == TLSM_ERR_TRUNCATED);
        }
        conn_settle(w);
    }
    if (w->err)
        check_sticky(w);
}

void conn_feed_input(conn_watch *w, const uint8_t *sizes, size_t k, const uint8_t *in,
                     size_t n, int key_update)
{
    for (size_t i = 0; n > 0 && !w->err; i++) {
        size_t want = k ? sizes[i % k] : 0;
        size_t len = want == 0 || want > n ? n : want;
        feed(w, in, len);
        in += len;
        n -= len;
        if (key_update && !w->err && tlsm_conn_handshake_done(w->c)) {
            key_update = 0;
            CHECK(tlsm_key_update(w->c, 1) == 0);
            conn_settle(w);
        }
    }
}
