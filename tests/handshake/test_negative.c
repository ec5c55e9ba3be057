/*
 * test_negative.c - handshakes and records that must fail, and how: the exact error on each
 * side (TLSM_ERR_LOCAL_ALERT for the side that detected the problem and sent the alert,
 * TLSM_ERR_PEER_ALERT for the side that received it), the certificate verdict, the alert
 * bytes waiting in the output, and sticky errors.
 *
 * The expected alerts come from RFC 8446 (s.5, s.5.1, s.5.2, s.4.1.1, s.4.4.2.4, s.6.2),
 * RFC 7301 s.3.2 and the API contract in tlsm.h; each test names its rule. Where the RFC
 * allows two alerts, both are accepted and the peer must have received the same one.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"

#define CLIENT(p) ((p)->side[PAIR_CLIENT].conn)
#define SERVER(p) ((p)->side[PAIR_SERVER].conn)

static const pair_opts default_server = {.key = PAIR_KEY_P256};

static void start(pair *p, const pair_opts *co, const pair_opts *so, const char *sni)
{
    pair_init(p, co, so ? so : &default_server, 11);
    pair_connect(p, sni);
}

static void expect_error(tlsm_conn *c, int want, const char *why, const char *who)
{
    int got = tlsm_conn_error(c);
    cr_assert_str_eq(pair_reason(c), why, "%s: reason %s, want %s", who, pair_reason(c), why);
    cr_assert_eq(got, want, "%s: error %d (%s), want %d (%s)", who, got, tlsm_strerror(got),
                 want, tlsm_strerror(want));
    cr_assert(tlsm_status(c) & TLSM_STATUS_ERROR, "%s: status without ERROR", who);
}

/* The detecting side sent `alert` and the other side received it. */
static void expect_alert(pair *p, int detector, uint8_t alert, const char *why)
{
    const char *names[2] = {"client", "server"};
    expect_error(p->side[detector].conn, TLSM_ERR_LOCAL_ALERT(alert), why, names[detector]);
    expect_error(p->side[1 - detector].conn, TLSM_ERR_PEER_ALERT(alert), "PEER_ALERT",
                 names[1 - detector]);
    const tlsm_event *e = pair_find_event(p, 1 - detector, TLSM_EV_ALERT, 0);
    cr_assert_not_null(e, "%s: no ALERT event", names[1 - detector]);
    cr_assert_eq(e->alert, alert);
    cr_assert_eq(e->fatal, 1);
}

/* The whole output of c is exactly one plaintext fatal alert (RFC 8446 s.5.1: record
 * version 0x0303, s.6: level 2 = fatal). Consumes it. */
static void expect_plain_alert_output(tlsm_conn *c, uint8_t alert)
{
    size_t len = 0;
    const uint8_t *out = tlsm_output_peek(c, &len);
    const uint8_t want[7] = {21, 3, 3, 0, 2, 2, alert};
    cr_assert_eq(len, sizeof want, "output is %zu bytes", len);
    cr_assert(memcmp(out, want, sizeof want) == 0, "alert record %02x %02x %02x %02x %02x %02x %02x",
              out[0], out[1], out[2], out[3], out[4], out[5], out[6]);
    cr_assert_eq(tlsm_output_consume(c, len), TLSM_OK);
}

/* Feeds the server `bytes` as the first thing it ever receives; expects `alert`. */
static void server_first_bytes(const void *bytes, size_t n, uint8_t alert, const char *why)
{
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    size_t consumed = 0;
    int rc = tlsm_feed(SERVER(&p), bytes, n, &consumed);
    cr_assert_eq(rc, TLSM_ERR_LOCAL_ALERT(alert), "feed: %d (%s)", rc, tlsm_strerror(rc));
    expect_error(SERVER(&p), TLSM_ERR_LOCAL_ALERT(alert), why, "server");
    expect_plain_alert_output(SERVER(&p), alert);
    pair_free(&p);
}

/* Lets the client send its ClientHello, then feeds it `bytes` instead of the answer. */
static void client_answer_bytes(const void *bytes, size_t n, uint8_t alert, const char *why)
{
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    size_t len = 0;
    const uint8_t *hello = tlsm_output_peek(CLIENT(&p), &len);
    cr_assert(hello != NULL && len > 0 && hello[0] == 22);
    cr_assert_eq(tlsm_output_consume(CLIENT(&p), len), TLSM_OK);
    size_t consumed = 0;
    int rc = tlsm_feed(CLIENT(&p), bytes, n, &consumed);
    cr_assert_eq(rc, TLSM_ERR_LOCAL_ALERT(alert), "feed: %d (%s)", rc, tlsm_strerror(rc));
    expect_error(CLIENT(&p), TLSM_ERR_LOCAL_ALERT(alert), why, "client");
    expect_plain_alert_output(CLIENT(&p), alert);
    pair_free(&p);
}

/* ---------------------------------------------------------------- certificates */

/* The name is not in the server certificate: the client rejects it (RFC 8446 s.6.2:
 * bad_certificate, or certificate_unknown for "some other issue"). */
Test(negative, wrong_host_name)
{
    pair p;
    start(&p, NULL, NULL, "wrong.tlsm.test");
    pair_pump(&p);
    int err = tlsm_conn_error(CLIENT(&p));
    uint8_t alert = TLSM_ERR_ALERT(err);
    cr_assert(TLSM_ERR_IS_LOCAL_ALERT(err) &&
                  (alert == TLSM_ALERT_BAD_CERTIFICATE || alert == TLSM_ALERT_CERTIFICATE_UNKNOWN),
              "client: %d (%s)", err, tlsm_strerror(err));
    cr_assert_eq(tlsm_conn_verify_error(CLIENT(&p)), TLSM_ERR_CERT_NAME_MISMATCH);
    expect_alert(&p, PAIR_CLIENT, alert, "CERT_NAME_MISMATCH");
    cr_assert_eq(tlsm_conn_handshake_done(CLIENT(&p)), 0);
    pair_free(&p);
}

/* No path to a trust anchor (client.crt is the only anchor): unknown_ca (RFC 8446 s.6.2). */
Test(negative, untrusted_ca)
{
    pair_opts co = {.trust = "client.crt"};
    pair p;
    start(&p, &co, NULL, PAIR_HOST);
    pair_pump(&p);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_UNKNOWN_CA, "CERT_UNKNOWN_ISSUER");
    cr_assert_eq(tlsm_conn_verify_error(CLIENT(&p)), TLSM_ERR_CERT_UNKNOWN_ISSUER);
    pair_free(&p);
}

/* RFC 8446 s.6.2: certificate_expired covers "expired or not currently valid". */
static void clock_at(uint64_t seconds, int want_verify)
{
    pair p;
    pair_init(&p, NULL, &default_server, 12);
    p.now_ms = seconds * 1000u;
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_CERTIFICATE_EXPIRED,
                 want_verify == TLSM_ERR_CERT_EXPIRED ? "CERT_EXPIRED" : "CERT_NOT_YET_VALID");
    cr_assert_eq(tlsm_conn_verify_error(CLIENT(&p)), want_verify);
    pair_free(&p);
}

Test(negative, certificate_expired)
{
    clock_at(4954435200u /* 2127-01-01 */, TLSM_ERR_CERT_EXPIRED);
}

Test(negative, certificate_not_yet_valid)
{
    clock_at(1780272000u /* 2026-06-01 */, TLSM_ERR_CERT_NOT_YET_VALID);
}

/* ---------------------------------------------------------------- negotiation */

/* RFC 8446 s.4.1.1: no overlap -> handshake_failure or insufficient_security. */
static void no_overlap(const pair_opts *co, const pair_opts *so, const char *why)
{
    pair p;
    start(&p, co, so, PAIR_HOST);
    pair_pump(&p);
    int err = tlsm_conn_error(SERVER(&p));
    uint8_t alert = TLSM_ERR_ALERT(err);
    cr_assert(TLSM_ERR_IS_LOCAL_ALERT(err) && (alert == TLSM_ALERT_HANDSHAKE_FAILURE ||
                                               alert == TLSM_ALERT_INSUFFICIENT_SECURITY),
              "server: %d (%s)", err, tlsm_strerror(err));
    expect_alert(&p, PAIR_SERVER, alert, why);
    pair_free(&p);
}

Test(negative, no_common_suite)
{
    static const uint16_t cs[] = {TLSM_TLS_AES_128_GCM_SHA256};
    static const uint16_t ss[] = {TLSM_TLS_CHACHA20_POLY1305_SHA256};
    pair_opts co = {.suites = cs, .n_suites = 1};
    pair_opts so = {.key = PAIR_KEY_P256, .suites = ss, .n_suites = 1};
    no_overlap(&co, &so, "CH_NO_COMMON_SUITE");
}

Test(negative, no_common_group)
{
    static const uint16_t cg[] = {TLSM_GROUP_X25519};
    static const uint16_t sg[] = {TLSM_GROUP_SECP384R1};
    pair_opts co = {.groups = cg, .n_groups = 1};
    pair_opts so = {.key = PAIR_KEY_P256, .groups = sg, .n_groups = 1};
    no_overlap(&co, &so, "CH_NO_COMMON_GROUP");
}

/* RFC 7301 s.3.2: no protocol in common -> no_application_protocol from the server. */
Test(negative, alpn_mismatch)
{
    pair_opts co = {.alpn = "\x08http/1.1"};
    pair_opts so = {.key = PAIR_KEY_P256, .alpn = "\x02h2"};
    pair p;
    start(&p, &co, &so, PAIR_HOST);
    pair_pump(&p);
    expect_alert(&p, PAIR_SERVER, TLSM_ALERT_NO_APPLICATION_PROTOCOL, "ALPN_NO_OVERLAP");
    pair_free(&p);
}

/* ---------------------------------------------------------------- tampering */

typedef struct {
    uint8_t type;     /* outer content type of the record to act on */
    size_t nth;       /* which one of that type in the direction (0 = first) */
    pair_dir dir;
    size_t offset;    /* byte to flip; SIZE_MAX = the last byte */
    size_t seen;
    int armed;
    int done;
} flip;

static void flip_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    flip *f = ctx;
    if (!f->armed || f->done || dir != f->dir || pair_record_type(rec) != f->type)
        return;
    if (f->seen++ != f->nth)
        return;
    size_t at = f->offset == SIZE_MAX ? rec->len - 1 : f->offset;
    cr_assert_lt(at, rec->len);
    rec->data[at] ^= 0x01;
    f->done = 1;
}

/* The client's transcript then differs from the server's, so the keys differ and the first
 * protected record fails: bad_record_mac (RFC 8446 s.5.2). The client's alert is protected
 * with keys the server does not share, so the server reports bad_record_mac either as
 * received or as its own failure to open that record. */
Test(negative, tampered_server_hello)
{
    flip f = {.type = 22, .dir = PAIR_S2C, .offset = 5 + 4 + 2 + 7, .armed = 1};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = flip_hook;
    p.hook_ctx = &f;
    pair_pump(&p);
    cr_assert(f.done);
    expect_error(CLIENT(&p), TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_BAD_RECORD_MAC), "REC_BAD_MAC", "client");
    int serr = tlsm_conn_error(SERVER(&p));
    cr_assert(serr == TLSM_ERR_PEER_ALERT(TLSM_ALERT_BAD_RECORD_MAC) ||
                  serr == TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_BAD_RECORD_MAC),
              "server: %d (%s)", serr, tlsm_strerror(serr));
    pair_free(&p);
}

Test(negative, tampered_encrypted_handshake_record)
{
    flip f = {.type = 23, .dir = PAIR_S2C, .offset = SIZE_MAX, .armed = 1};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = flip_hook;
    p.hook_ctx = &f;
    pair_pump(&p);
    cr_assert(f.done);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_BAD_RECORD_MAC, "REC_BAD_MAC");
    pair_free(&p);
}

Test(negative, tampered_client_finished)
{
    flip f = {.type = 23, .dir = PAIR_C2S, .offset = 5, .armed = 1};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = flip_hook;
    p.hook_ctx = &f;
    pair_pump(&p);
    cr_assert(f.done);
    expect_alert(&p, PAIR_SERVER, TLSM_ALERT_BAD_RECORD_MAC, "REC_BAD_MAC");
    pair_free(&p);
}

static void handshake_ok(pair *p)
{
    int rc = pair_handshake(p);
    cr_assert_eq(rc, 0, "handshake: %d (%s)", rc, tlsm_strerror(rc));
}

Test(negative, tampered_application_data)
{
    flip f = {.type = 23, .dir = PAIR_C2S, .offset = 9};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = flip_hook;
    p.hook_ctx = &f;
    handshake_ok(&p);
    f.armed = 1;
    int rc = pair_send(&p, PAIR_CLIENT, (const uint8_t *)"tampered data", 13);
    cr_assert_eq(rc, 0, "write: %d", rc);
    cr_assert(f.done);
    cr_assert_eq(p.side[PAIR_SERVER].rx.len, 0, "tampered plaintext was delivered");
    expect_alert(&p, PAIR_SERVER, TLSM_ALERT_BAD_RECORD_MAC, "REC_BAD_MAC");
    pair_free(&p);
}

/* ---------------------------------------------------------------- truncation, sizes */

typedef struct {
    int armed;
    size_t keep;
} cut;

static void cut_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    cut *c = ctx;
    if (c->armed && dir == PAIR_S2C && pair_record_type(rec) == 23) {
        rec->len = c->keep;
        c->armed = 0;
    }
}

/* tlsm.h: end of stream without close_notify is TLSM_ERR_TRUNCATED; here in the middle of
 * a record. */
Test(negative, truncated_record_at_eof)
{
    cut c = {.keep = 12};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = cut_hook;
    p.hook_ctx = &c;
    handshake_ok(&p);
    c.armed = 1;
    size_t acc = 0;
    cr_assert_eq(tlsm_write(SERVER(&p), (const uint8_t *)"never whole", 11, &acc), TLSM_OK);
    cr_assert_eq(acc, 11);
    pair_pump(&p);
    cr_assert_eq(c.armed, 0);
    cr_assert_eq(pair_eof(&p, PAIR_S2C), TLSM_ERR_TRUNCATED);
    expect_error(CLIENT(&p), TLSM_ERR_TRUNCATED, "TRUNCATED", "client");
    cr_assert_eq(p.side[PAIR_CLIENT].rx.len, 0);
    pair_free(&p);
}

Test(negative, eof_without_close_notify)
{
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    handshake_ok(&p);
    cr_assert_eq(pair_eof(&p, PAIR_C2S), TLSM_ERR_TRUNCATED);
    expect_error(SERVER(&p), TLSM_ERR_TRUNCATED, "TRUNCATED", "server");
    pair_free(&p);
}

Test(negative, eof_during_handshake)
{
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    size_t len = 0;
    cr_assert_not_null(tlsm_output_peek(CLIENT(&p), &len));
    cr_assert_eq(tlsm_output_consume(CLIENT(&p), len), TLSM_OK);
    cr_assert_eq(tlsm_feed_eof(CLIENT(&p)), TLSM_ERR_TRUNCATED);
    expect_error(CLIENT(&p), TLSM_ERR_TRUNCATED, "TRUNCATED", "client");
    pair_free(&p);
}

/* RFC 8446 s.5.1: TLSPlaintext.length > 2^14 -> record_overflow. */
Test(negative, oversized_plaintext_record)
{
    enum { BODY = 16385 };
    uint8_t *body = calloc(1, BODY);
    cr_assert_not_null(body);
    body[0] = 1; /* looks like the start of a ClientHello */
    pair_buf rec = {0};
    pair_make_record(&rec, 22, 0x0301, body, BODY);
    server_first_bytes(rec.data, rec.len, TLSM_ALERT_RECORD_OVERFLOW, "REC_PLAINTEXT_TOO_LONG");
    pair_buf_free(&rec);
    free(body);
}

/* RFC 8446 s.5.2: TLSCiphertext.length > 2^14 + 256 -> record_overflow; at exactly
 * 2^14 + 256 the record is opened and fails authentication instead. */
static void protected_record_of(size_t body_len, uint8_t alert, const char *why)
{
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    handshake_ok(&p);
    uint8_t *body = calloc(1, body_len);
    cr_assert_not_null(body);
    pair_buf rec = {0};
    pair_make_record(&rec, 23, 0x0303, body, body_len);
    pair_inject(&p, PAIR_S2C, rec.data, rec.len);
    pair_pump(&p);
    expect_alert(&p, PAIR_CLIENT, alert, why);
    pair_buf_free(&rec);
    free(body);
    pair_free(&p);
}

Test(negative, oversized_protected_record)
{
    protected_record_of(16384 + 257, TLSM_ALERT_RECORD_OVERFLOW, "REC_TOO_LONG");
}

Test(negative, largest_protected_record_is_opened)
{
    protected_record_of(16384 + 256, TLSM_ALERT_BAD_RECORD_MAC, "REC_BAD_MAC");
}

/* ---------------------------------------------------------------- record types */

/* An HTTP request where a ClientHello belongs: its first byte 'G' (0x47) is no content
 * type (RFC 8446 s.5: unexpected record type -> unexpected_message). The request is padded
 * to the length its bytes " /" (0x202f) announce, so the whole "record" is there. */
Test(negative, http_request_as_first_record)
{
    enum { TOTAL = 5 + 0x202f };
    char *req = malloc(TOTAL);
    cr_assert_not_null(req);
    memset(req, 'a', TOTAL);
    static const char head[] = "GET / HTTP/1.1\r\nHost: server.tlsm.test\r\nX-Pad: ";
    memcpy(req, head, sizeof head - 1);
    memcpy(req + TOTAL - 4, "\r\n\r\n", 4);
    server_first_bytes(req, TOTAL, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_UNKNOWN_TYPE");
    free(req);
}

Test(negative, unknown_content_type_first)
{
    static const uint8_t rec[] = {0x63, 3, 3, 0, 4, 1, 2, 3, 4};
    server_first_bytes(rec, sizeof rec, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_UNKNOWN_TYPE");
}

Test(negative, invalid_content_type_zero_first)
{
    static const uint8_t rec[] = {0, 3, 3, 0, 4, 1, 2, 3, 4};
    server_first_bytes(rec, sizeof rec, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_UNKNOWN_TYPE");
}

/* Injects a record into the client after the handshake; expects `alert` from the client. */
static void client_after_handshake(const uint8_t *rec, size_t n, uint8_t alert, const char *why)
{
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    handshake_ok(&p);
    pair_inject(&p, PAIR_S2C, rec, n);
    pair_pump(&p);
    expect_alert(&p, PAIR_CLIENT, alert, why);
    pair_free(&p);
}

Test(negative, unknown_content_type_after_handshake)
{
    static const uint8_t rec[] = {0x63, 3, 3, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                  11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    client_after_handshake(rec, sizeof rec, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_UNKNOWN_TYPE");
}

/* RFC 8446 s.5: a change_cipher_spec after the peer's Finished is an unexpected record
 * type. */
Test(negative, ccs_after_handshake)
{
    static const uint8_t rec[] = {20, 3, 3, 0, 1, 1};
    client_after_handshake(rec, sizeof rec, TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
}

/* ... and so is one before the first ClientHello. */
Test(negative, ccs_before_client_hello)
{
    static const uint8_t rec[] = {20, 3, 3, 0, 1, 1};
    server_first_bytes(rec, sizeof rec, TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
}

typedef struct {
    pair_buf extra;  /* bytes to append after the chosen record */
    uint8_t type;    /* outer type of the record to follow */
    pair_dir dir;
    int done;
    int copy_first;  /* 1: extra is a copy of the first record of the direction */
    pair_buf first;
} append;

static void append_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    append *a = ctx;
    if (dir != a->dir || a->done)
        return;
    if (index == 0 && a->copy_first)
        pair_buf_set(&a->first, rec->data, rec->len);
    if (pair_record_type(rec) != a->type)
        return;
    if (a->copy_first)
        pair_buf_append(rec, a->first.data, a->first.len);
    else
        pair_buf_append(rec, a->extra.data, a->extra.len);
    a->done = 1;
}

/* RFC 8446 s.5: a change_cipher_spec whose value is not 1 -> unexpected_message. */
Test(negative, ccs_with_bad_value)
{
    static const uint8_t bad[] = {20, 3, 3, 0, 1, 2};
    append a = {.type = 22, .dir = PAIR_C2S};
    pair_buf_set(&a.extra, bad, sizeof bad);
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = append_hook;
    p.hook_ctx = &a;
    pair_pump(&p);
    cr_assert(a.done);
    expect_error(SERVER(&p), TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_UNEXPECTED_MESSAGE), "CCS_UNEXPECTED", "server");
    pair_buf_free(&a.extra);
    pair_free(&p);
}

/* ---------------------------------------------------------------- message order */

/* The ServerHello again, after the first protected record: a plaintext handshake record
 * once keys are in use, and a second ServerHello (RFC 8446 s.4: unexpected order ->
 * unexpected_message). */
Test(negative, server_hello_replayed_after_encrypted_extensions)
{
    append a = {.type = 23, .dir = PAIR_S2C, .copy_first = 1};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = append_hook;
    p.hook_ctx = &a;
    pair_pump(&p);
    cr_assert(a.done);
    cr_assert_eq(a.first.data[5], 2, "first server record is not a ServerHello");
    expect_error(CLIENT(&p), TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_UNEXPECTED_MESSAGE), "REC_NOT_PROTECTED", "client");
    pair_buf_free(&a.first);
    pair_free(&p);
}

static const uint8_t finished_record[] = {22, 3, 3, 0, 36, 20, 0, 0, 32, 1, 2, 3, 4, 5, 6,
                                          7,  8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                                          19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                                          31, 32};

Test(negative, finished_first_to_server)
{
    server_first_bytes(finished_record, sizeof finished_record, TLSM_ALERT_UNEXPECTED_MESSAGE, "HS_UNEXPECTED_MESSAGE");
}

Test(negative, finished_instead_of_server_hello)
{
    client_answer_bytes(finished_record, sizeof finished_record,
                        TLSM_ALERT_UNEXPECTED_MESSAGE, "HS_UNEXPECTED_MESSAGE");
}

/* The server's own ServerHello fed back to it as a first message. */
Test(negative, server_hello_to_server)
{
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    size_t len = 0;
    const uint8_t *ch = tlsm_output_peek(CLIENT(&p), &len);
    cr_assert_not_null(ch);
    size_t consumed = 0;
    cr_assert_eq(tlsm_feed(SERVER(&p), ch, len, &consumed), TLSM_OK);
    const uint8_t *sh = tlsm_output_peek(SERVER(&p), &len);
    cr_assert(sh != NULL && len > 6 && sh[0] == 22 && sh[5] == 2);
    pair_buf copy = {0};
    pair_buf_set(&copy, sh, 5 + (((size_t)sh[3] << 8) | sh[4]));
    pair_free(&p);
    server_first_bytes(copy.data, copy.len, TLSM_ALERT_UNEXPECTED_MESSAGE, "HS_UNEXPECTED_MESSAGE");
    pair_buf_free(&copy);
}

/* A ClientHello after the handshake arrives as a plaintext handshake record once keys are
 * in use (and TLS 1.3 has no renegotiation): unexpected_message. */
Test(negative, client_hello_after_handshake)
{
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    size_t len = 0;
    const uint8_t *ch = tlsm_output_peek(CLIENT(&p), &len);
    cr_assert(ch != NULL && ch[0] == 22);
    pair_buf copy = {0};
    pair_buf_set(&copy, ch, 5 + (((size_t)ch[3] << 8) | ch[4]));
    handshake_ok(&p);
    pair_inject(&p, PAIR_C2S, copy.data, copy.len);
    pair_pump(&p);
    expect_alert(&p, PAIR_SERVER, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_NOT_PROTECTED");
    pair_buf_free(&copy);
    pair_free(&p);
}

/* RFC 8446 s.5.1 forbids zero-length handshake fragments; receiving one is an
 * inappropriate message (s.6.2 unexpected_message). */
Test(negative, zero_length_handshake_record)
{
    static const uint8_t rec[] = {22, 3, 1, 0, 0};
    server_first_bytes(rec, sizeof rec, TLSM_ALERT_UNEXPECTED_MESSAGE, "HS_EMPTY_FRAGMENT");
}

/* Application data before any keys: unexpected record type (RFC 8446 s.5, s.6.2
 * "premature Application Data"). */
Test(negative, application_data_before_client_hello)
{
    static const uint8_t rec[] = {23, 3, 3, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                  11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    server_first_bytes(rec, sizeof rec, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_APPDATA_UNPROTECTED");
}

Test(negative, application_data_before_server_hello)
{
    static const uint8_t rec[] = {23, 3, 3, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                  11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    client_answer_bytes(rec, sizeof rec, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_APPDATA_UNPROTECTED");
}

/* ---------------------------------------------------------------- API state */

/* Calls that need a finished handshake fail with TLSM_ERR_STATE, which is not fatal. */
Test(negative, calls_before_handshake)
{
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    uint8_t out[16];
    for (int who = 0; who < 2; who++) {
        tlsm_conn *c = p.side[who].conn;
        size_t acc = 99;
        cr_assert_eq(tlsm_write(c, (const uint8_t *)"early", 5, &acc), TLSM_ERR_STATE);
        cr_assert_eq(acc, 0);
        cr_assert_eq(tlsm_key_update(c, 1), TLSM_ERR_STATE);
        cr_assert_eq(tlsm_export_keying_material(c, "EXPORTER-x", 10, NULL, 0, out, 16),
                     TLSM_ERR_STATE);
        cr_assert_eq(tlsm_conn_error(c), 0);
    }
    pair_buf session = {0};
    cr_assert_eq(pair_get_session(&p, &session), TLSM_ERR_NO_SESSION);
    handshake_ok(&p);
    /* After the ClientHello left, a session can no longer be offered. */
    cr_assert_eq(pair_get_session(&p, &session), TLSM_OK);
    cr_assert_eq(tlsm_conn_set_session(CLIENT(&p), session.data, session.len), TLSM_ERR_STATE);
    int rc = pair_send(&p, PAIR_CLIENT, (const uint8_t *)"late", 4);
    cr_assert_eq(rc, 0);
    cr_assert_eq(p.side[PAIR_SERVER].rx.len, 4);
    pair_buf_free(&session);
    pair_free(&p);
}

/* tlsm.h: after a fatal error every call returns it and the alert is already in the
 * output; no other record follows it. */
Test(negative, sticky_errors)
{
    const int want = TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_NO_APPLICATION_PROTOCOL);
    pair_opts co = {.alpn = "\x08http/1.1"};
    pair_opts so = {.key = PAIR_KEY_P256, .alpn = "\x02h2"};
    pair p;
    start(&p, &co, &so, PAIR_HOST);
    size_t len = 0, consumed = 0;
    const uint8_t *ch = tlsm_output_peek(CLIENT(&p), &len);
    cr_assert_not_null(ch);
    cr_assert_eq(tlsm_feed(SERVER(&p), ch, len, &consumed), want);
    cr_assert_eq(tlsm_output_consume(CLIENT(&p), len), TLSM_OK);

    tlsm_conn *s = SERVER(&p);
    size_t alen = 0;
    const uint8_t *alert = tlsm_output_peek(s, &alen);
    cr_assert_eq(alen, 7);
    pair_buf saved = {0};
    pair_buf_set(&saved, alert, alen);
    expect_plain_alert_output(s, TLSM_ALERT_NO_APPLICATION_PROTOCOL);

    uint8_t out[16];
    size_t acc = 0;
    static const uint8_t junk[] = {22, 3, 3, 0, 1, 1};
    for (int round = 0; round < 2; round++) {
        cr_assert_eq(tlsm_feed(s, junk, sizeof junk, &consumed), want);
        cr_assert_eq(tlsm_write(s, (const uint8_t *)"x", 1, &acc), want);
        cr_assert_eq(tlsm_key_update(s, 0), want);
        cr_assert_eq(tlsm_close(s), want);
        cr_assert_eq(tlsm_conn_start(s), want);
        cr_assert_eq(tlsm_feed_eof(s), want);
        cr_assert_eq(tlsm_export_keying_material(s, "EXPORTER-x", 10, NULL, 0, out, 16), want);
        cr_assert_eq(tlsm_conn_error(s), want);
        unsigned st = tlsm_status(s);
        cr_assert(st & TLSM_STATUS_ERROR, "status %#x", st);
        cr_assert(st & TLSM_STATUS_CLOSED, "status %#x", st);
        cr_assert(!(st & (TLSM_STATUS_HAS_OUTPUT | TLSM_STATUS_CAN_WRITE)), "status %#x", st);
        cr_assert_eq(tlsm_output_peek(s, &alen), NULL);
        cr_assert_eq(alen, 0);
    }
    pair_collect(&p, PAIR_SERVER);
    const tlsm_event *e = pair_find_event(&p, PAIR_SERVER, TLSM_EV_ERROR, 0);
    cr_assert_not_null(e, "no ERROR event");
    cr_assert_eq(e->code, want);
    cr_assert_eq(pair_count_events(&p, PAIR_SERVER, TLSM_EV_ERROR), 1);

    /* The client learns why, and is stuck with it too. */
    const int peer = TLSM_ERR_PEER_ALERT(TLSM_ALERT_NO_APPLICATION_PROTOCOL);
    cr_assert_eq(tlsm_feed(CLIENT(&p), saved.data, saved.len, &consumed), peer);
    cr_assert_eq(tlsm_write(CLIENT(&p), (const uint8_t *)"x", 1, &acc), peer);
    cr_assert_eq(tlsm_conn_start(CLIENT(&p)), peer);
    cr_assert_eq(tlsm_conn_error(CLIENT(&p)), peer);
    /* Nothing goes back in answer to a fatal alert. */
    cr_assert_eq(tlsm_output_peek(CLIENT(&p), &alen), NULL);
    pair_buf_free(&saved);
    pair_free(&p);
}

/* ---------------------------------------------------------------- names */

/* tlsm_strerror names every code this file expects, and says sent vs received. */
Test(negative, strerror_names_every_code)
{
    static const uint8_t alerts[] = {
        TLSM_ALERT_UNEXPECTED_MESSAGE, TLSM_ALERT_BAD_RECORD_MAC,
        TLSM_ALERT_RECORD_OVERFLOW,    TLSM_ALERT_HANDSHAKE_FAILURE,
        TLSM_ALERT_BAD_CERTIFICATE,    TLSM_ALERT_CERTIFICATE_EXPIRED,
        TLSM_ALERT_CERTIFICATE_UNKNOWN, TLSM_ALERT_UNKNOWN_CA,
        TLSM_ALERT_INSUFFICIENT_SECURITY, TLSM_ALERT_CERTIFICATE_REQUIRED,
        TLSM_ALERT_ILLEGAL_PARAMETER,
        TLSM_ALERT_NO_APPLICATION_PROTOCOL};
    static const int others[] = {TLSM_ERR_STATE,
                                 TLSM_ERR_CLOSED,
                                 TLSM_ERR_TRUNCATED,
                                 TLSM_ERR_NO_SESSION,
                                 TLSM_ERR_CERT_NAME_MISMATCH,
                                 TLSM_ERR_CERT_UNKNOWN_ISSUER,
                                 TLSM_ERR_CERT_EXPIRED,
                                 TLSM_ERR_CERT_NOT_YET_VALID};
    const char *unknown1 = tlsm_strerror(-0x7777);
    const char *unknown2 = tlsm_strerror(12345);
    cr_assert_not_null(unknown1);
    const char *alert_unknown = tlsm_alert_name(250);
    for (size_t i = 0; i < sizeof alerts; i++) {
        int codes[2] = {TLSM_ERR_LOCAL_ALERT(alerts[i]), TLSM_ERR_PEER_ALERT(alerts[i])};
        const char *names[2];
        for (int k = 0; k < 2; k++) {
            names[k] = tlsm_strerror(codes[k]);
            cr_assert(names[k] != NULL && names[k][0] != '\0', "code %d", codes[k]);
            cr_assert_str_neq(names[k], unknown1, "code %d has no name", codes[k]);
            cr_assert_str_neq(names[k], unknown2, "code %d has no name", codes[k]);
        }
        cr_assert_str_neq(names[0], names[1], "sent and received alert %u read the same",
                          alerts[i]);
        const char *an = tlsm_alert_name(alerts[i]);
        cr_assert(an != NULL && an[0] != '\0');
        cr_assert_str_neq(an, alert_unknown, "alert %u has no name", alerts[i]);
    }
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        const char *n = tlsm_strerror(others[i]);
        cr_assert(n != NULL && n[0] != '\0', "code %d", others[i]);
        cr_assert_str_neq(n, unknown1, "code %d has no name", others[i]);
        cr_assert_str_neq(n, unknown2, "code %d has no name", others[i]);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(n, tlsm_strerror(others[j]), "codes %d and %d share a name",
                              others[i], others[j]);
    }
}

/* ---------------------------------------------------------------- record boundaries */

typedef struct {
    pair_dir dir;
    size_t index;          /* record to rewrite */
    const uint8_t *extra;  /* bytes appended inside that record's body */
    size_t extra_len;
    int done;
} grow;

static void grow_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    grow *g = ctx;
    if (dir != g->dir || index != g->index || g->done)
        return;
    pair_buf_append(rec, g->extra, g->extra_len);
    size_t body = rec->len - 5;
    rec->data[3] = (uint8_t)(body >> 8);
    rec->data[4] = (uint8_t)body;
    g->done = 1;
}

/* RFC 8446 s.5.1: a message before a key change must end with its record; here the
 * ServerHello's record also holds the start of another message -> unexpected_message. */
Test(negative, handshake_data_spanning_key_change)
{
    static const uint8_t partial[] = {8, 0, 0, 2};
    grow g = {.dir = PAIR_S2C, .index = 0, .extra = partial, .extra_len = sizeof partial};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = grow_hook;
    p.hook_ctx = &g;
    pair_pump(&p);
    cr_assert(g.done);
    expect_error(CLIENT(&p), TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_UNEXPECTED_MESSAGE), "HS_SPANS_KEY_CHANGE", "client");
    pair_free(&p);
}

typedef struct {
    size_t piece;          /* bytes of handshake data per record */
    const uint8_t *between;/* record placed between the first two pieces, or NULL */
    size_t between_len;
    size_t pieces;
    int done;
} split;

/* Re-frames the first client record (the ClientHello) into records of `piece` bytes. */
static void split_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    split *s = ctx;
    if (dir != PAIR_C2S || index != 0 || s->done)
        return;
    pair_buf body = {0}, out = {0}, one = {0};
    pair_buf_set(&body, rec->data + 5, rec->len - 5);
    for (size_t off = 0; off < body.len; off += s->piece) {
        size_t n = body.len - off < s->piece ? body.len - off : s->piece;
        pair_make_record(&one, 22, 0x0301, body.data + off, n);
        pair_buf_append(&out, one.data, one.len);
        s->pieces++;
        if (off == 0 && s->between)
            pair_buf_append(&out, s->between, s->between_len);
    }
    pair_buf_set(rec, out.data, out.len);
    pair_buf_free(&body);
    pair_buf_free(&out);
    pair_buf_free(&one);
    s->done = 1;
}

/* RFC 8446 s.5.1: handshake messages may be fragmented across records ... */
Test(negative, fragmented_client_hello_is_accepted)
{
    split s = {.piece = 37};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = split_hook;
    p.hook_ctx = &s;
    handshake_ok(&p);
    cr_assert(s.done);
    cr_assert_gt(s.pieces, 3);
    pair_free(&p);
}

/* ... but no other record type may come between the fragments: unexpected_message. */
Test(negative, record_interleaved_in_fragmented_message)
{
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    split s = {.piece = 37, .between = ccs, .between_len = sizeof ccs};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = split_hook;
    p.hook_ctx = &s;
    pair_pump(&p);
    cr_assert(s.done);
    expect_alert(&p, PAIR_SERVER, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_INTERLEAVED");
    pair_free(&p);
}

/* ---------------------------------------------------------------- ServerHello checks */

typedef struct {
    size_t offset;  /* byte of the first server record to overwrite */
    uint8_t value;
    int done;
} poke;

static void poke_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    poke *k = ctx;
    if (dir != PAIR_S2C || index != 0 || k->done)
        return;
    cr_assert_lt(k->offset, rec->len);
    rec->data[k->offset] = k->value;
    k->done = 1;
}

/* In the next two tests the client fails on the ServerHello, before it has handshake keys,
 * so its alert goes out in plaintext (RFC 8446 s.6: alerts are protected by the sender's
 * current state); the server, which already reads with handshake keys, must still take it
 * as the peer's alert. */

/* ServerHello layout in its record: header 5, handshake header 4, version 2, random 32,
 * session ID length (1) and 32 bytes (middlebox mode), then the cipher suite. */
#define SH_SESSION_ID 44
#define SH_SUITE (SH_SESSION_ID + 32)

/* RFC 8446 s.4.1.3: a legacy_session_id_echo that does not match -> illegal_parameter. */
Test(negative, server_hello_session_id_mismatch)
{
    poke k = {.offset = SH_SESSION_ID + 5};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    p.hook = poke_hook;
    p.hook_ctx = &k;
    size_t len = 0;
    const uint8_t *ch = tlsm_output_peek(CLIENT(&p), &len);
    cr_assert(ch != NULL && len > SH_SESSION_ID + 5 && ch[SH_SESSION_ID - 1] == 32);
    k.value = (uint8_t)(ch[SH_SESSION_ID + 5] ^ 0x40);
    pair_pump(&p);
    cr_assert(k.done);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER, "SH_SESSION_ID_MISMATCH");
    pair_free(&p);
}

/* RFC 8446 s.4.1.3: a cipher suite that was not offered -> illegal_parameter. */
Test(negative, server_hello_suite_not_offered)
{
    static const uint16_t only[] = {TLSM_TLS_AES_128_GCM_SHA256};
    pair_opts co = {.suites = only, .n_suites = 1};
    poke k = {.offset = SH_SUITE + 1, .value = 0x03};
    pair p;
    start(&p, &co, NULL, PAIR_HOST);
    p.hook = poke_hook;
    p.hook_ctx = &k;
    pair_pump(&p);
    cr_assert(k.done);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER, "SH_SUITE_NOT_OFFERED");
    pair_free(&p);
}

typedef struct {
    pair_buf hrr;
    int done;
} twice;

static void hrr_twice_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    twice *t = ctx;
    if (dir != PAIR_S2C || index != 0 || t->done)
        return;
    pair_buf_set(&t->hrr, rec->data, rec->len);
    pair_buf_append(rec, t->hrr.data, t->hrr.len);
    t->done = 1;
}

/* RFC 8446 s.4.1.4: a second HelloRetryRequest -> unexpected_message. */
Test(negative, second_hello_retry_request)
{
    pair_opts so = {.key = PAIR_KEY_P256, .require_cookie = 1};
    twice t = {{0}, 0};
    pair p;
    start(&p, NULL, &so, PAIR_HOST);
    p.hook = hrr_twice_hook;
    p.hook_ctx = &t;
    pair_pump(&p);
    cr_assert(t.done);
    expect_error(CLIENT(&p), TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_UNEXPECTED_MESSAGE), "HRR_SECOND", "client");
    pair_buf_free(&t.hrr);
    pair_free(&p);
}

/* RFC 8446 s.4.2.8: a HelloRetryRequest naming a group the client already sent a key share
 * for -> illegal_parameter. The HRR comes from a server that asked a {x25519, P-256} client
 * for P-256; it is replayed to a client whose share already is P-256 (no session IDs, so
 * the echo matches). */
Test(negative, hello_retry_request_for_sent_share)
{
    static const uint16_t xp[] = {TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1};
    static const uint16_t p256[] = {TLSM_GROUP_SECP256R1};
    static const uint16_t px[] = {TLSM_GROUP_SECP256R1, TLSM_GROUP_X25519};
    pair_opts co = {.groups = xp, .n_groups = 2, .no_middlebox = 1};
    pair_opts so = {.key = PAIR_KEY_P256, .groups = p256, .n_groups = 1};
    pair p;
    start(&p, &co, &so, PAIR_HOST);
    size_t len = 0, consumed = 0;
    const uint8_t *ch = tlsm_output_peek(CLIENT(&p), &len);
    cr_assert_not_null(ch);
    cr_assert_eq(tlsm_feed(SERVER(&p), ch, len, &consumed), TLSM_OK);
    const uint8_t *hrr = tlsm_output_peek(SERVER(&p), &len);
    cr_assert(hrr != NULL && len > 6 && hrr[5] == 2);
    pair_buf copy = {0};
    pair_buf_set(&copy, hrr, 5 + (((size_t)hrr[3] << 8) | hrr[4]));
    pair_free(&p);

    pair_opts co2 = {.groups = px, .n_groups = 2, .no_middlebox = 1};
    start(&p, &co2, NULL, PAIR_HOST);
    ch = tlsm_output_peek(CLIENT(&p), &len);
    cr_assert_not_null(ch);
    cr_assert_eq(tlsm_output_consume(CLIENT(&p), len), TLSM_OK);
    int rc = tlsm_feed(CLIENT(&p), copy.data, copy.len, &consumed);
    cr_assert_eq(rc, TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_ILLEGAL_PARAMETER), "client: %d (%s)", rc,
                 tlsm_strerror(rc));
    expect_plain_alert_output(CLIENT(&p), TLSM_ALERT_ILLEGAL_PARAMETER);
    pair_buf_free(&copy);
    pair_free(&p);
}

/* The same rule on its own: a plaintext fatal alert right after the server's flight is the
 * client's alert, not an unexpected record. */
Test(negative, plaintext_alert_after_server_flight)
{
    static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, TLSM_ALERT_ILLEGAL_PARAMETER};
    pair p;
    start(&p, NULL, NULL, PAIR_HOST);
    size_t len = 0, consumed = 0;
    const uint8_t *ch = tlsm_output_peek(CLIENT(&p), &len);
    cr_assert_not_null(ch);
    cr_assert_eq(tlsm_feed(SERVER(&p), ch, len, &consumed), TLSM_OK);
    cr_assert_not_null(tlsm_output_peek(SERVER(&p), &len));
    cr_assert_eq(tlsm_output_consume(SERVER(&p), len), TLSM_OK);
    int rc = tlsm_feed(SERVER(&p), alert, sizeof alert, &consumed);
    cr_assert_eq(rc, TLSM_ERR_PEER_ALERT(TLSM_ALERT_ILLEGAL_PARAMETER), "server: %d (%s)", rc,
                 tlsm_strerror(rc));
    pair_free(&p);
}
