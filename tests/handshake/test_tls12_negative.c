/*
 * test_tls12_negative.c - TLS 1.2 handshakes and records that must fail, and how: the exact
 * error on each side (TLSM_ERR_LOCAL_ALERT for the side that detected the problem and sent
 * the alert, TLSM_ERR_PEER_ALERT for the side that received it).
 *
 * The cases are the ones RFC 5246 makes specific to TLS 1.2: the Finished message (s.7.4.9),
 * ChangeCipherSpec exactly once at its place (s.7.1, s.7.3), application data only after the
 * handshake (s.6.2.1, s.7.2.2), the ServerKeyExchange signature (s.7.4.3), Extended Master
 * Secret (RFC 7627 s.5), renegotiation refused (RFC 5746 s.4), versions below 1.2 refused
 * (RFC 8996 s.5, RFC 8446 s.4.2.1) and finite-field parameters (RFC 7919 s.4).
 *
 * Everything is done from outside the engines, with the harness hook on the records in
 * flight. A few records cannot be built that way because they must be protected with keys
 * only the engine holds (a Finished with a correct MAC but a wrong verify_data, early
 * application data under the handshake keys, a post-handshake HelloRequest or ClientHello);
 * for those the engine's own record layer (core/src/record) seals the record with the
 * sender's write state, exactly as the sender would have, and the test says so. Likewise a
 * ServerKeyExchange with other parameters is signed again with the server's own key.
 *
 * Who reads which alert how: a side that has not sent its ChangeCipherSpec sends its alert
 * in plaintext, and a side whose peer has not sent one reads it in plaintext; after the
 * CCS both are protected. Each test names the state of both sides where it matters.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/handshake.h"
#include "internal.h"
#include "pair.h"

#define CLIENT(p) ((p)->side[PAIR_CLIENT].conn)
#define SERVER(p) ((p)->side[PAIR_SERVER].conn)

enum {
    REC_CCS = 20,
    REC_ALERT_T = 21,
    REC_HS = 22,
    REC_APP = 23,
    MSG_HELLO_REQUEST = 0,
    MSG_CLIENT_HELLO = 1,
    MSG_SERVER_HELLO = 2,
    MSG_NEW_SESSION_TICKET = 4,
    MSG_SERVER_KEY_EXCHANGE = 12,
    MSG_SERVER_HELLO_DONE = 14,
    MSG_CLIENT_KEY_EXCHANGE = 16,
    MSG_FINISHED = 20,
    EXT_EMS = 0x0017 /* EXT_SUPPORTED_VERSIONS (43) comes from wire/hs_codec.h */
};

static const uint8_t ccs_record[] = {REC_CCS, 3, 3, 0, 1, 1};
/* AES-128-GCM: its explicit nonce makes "protected record read as plaintext" exact. */
static const uint16_t gcm_suite[] = {TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};

static void opts12(pair_opts *co, pair_opts *so)
{
    memset(co, 0, sizeof *co);
    memset(so, 0, sizeof *so);
    co->min_version = co->max_version = TLSM_TLS12;
    so->min_version = so->max_version = TLSM_TLS12;
    co->suites = so->suites = gcm_suite;
    co->n_suites = so->n_suites = 1;
    so->key = PAIR_KEY_P256;
}

static void start(pair *p, const pair_opts *co, const pair_opts *so, pair_hook_fn hook,
                  void *ctx)
{
    pair_init(p, co, so, 12);
    p->hook = hook;
    p->hook_ctx = ctx;
    pair_connect(p, PAIR_HOST);
}

static void start12(pair *p, pair_hook_fn hook, void *ctx)
{
    pair_opts co, so;
    opts12(&co, &so);
    start(p, &co, &so, hook, ctx);
}

static void expect_error(tlsm_conn *c, int want, const char *why, const char *who)
{
    int got = tlsm_conn_error(c);
    cr_assert_str_eq(pair_reason(c), why, "%s: reason %s, want %s", who, pair_reason(c), why);
    cr_assert_eq(got, want, "%s: error %d (%s), want %d (%s)", who, got, tlsm_strerror(got),
                 want, tlsm_strerror(want));
    cr_assert(tlsm_status(c) & TLSM_STATUS_ERROR, "%s: status without ERROR", who);
}

/* The detecting side sent `alert` and the other side received it as fatal. */
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

static void handshake_ok(pair *p)
{
    int rc = pair_handshake(p);
    cr_assert_eq(rc, 0, "handshake: %d (%s)", rc, tlsm_strerror(rc));
    cr_assert_eq(tlsm_conn_version(CLIENT(p)), TLSM_TLS12);
}

/* ---------------------------------------------------------------- record surgery */

/* What to do to a record picked by direction and position relative to the CCS. */
typedef enum {
    ACT_FLIP_LAST,     /* flip the last byte (the AEAD tag) */
    ACT_DROP,          /* remove the record */
    ACT_APPEND,        /* put `extra` after it */
    ACT_PREPEND,       /* put `extra` before it */
    ACT_REPLACE        /* replace it by `extra` */
} action;

typedef struct {
    pair_dir dir;
    int pick_ccs;      /* 1: the CCS record; 0: the first record after the CCS; -1: index */
    size_t index;      /* with pick_ccs == -1 */
    action act;
    pair_buf extra;
    int ccs_seen;
    int done;
} surgery;

static void surgery_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    surgery *s = ctx;
    if (dir != s->dir || s->done)
        return;
    int is_ccs = pair_record_type(rec) == REC_CCS;
    int hit;
    if (s->pick_ccs < 0)
        hit = index == s->index;
    else if (s->pick_ccs)
        hit = is_ccs;
    else
        hit = s->ccs_seen;
    s->ccs_seen |= is_ccs;
    if (!hit)
        return;
    switch (s->act) {
    case ACT_FLIP_LAST: rec->data[rec->len - 1] ^= 0x01; break;
    case ACT_DROP: rec->len = 0; break;
    case ACT_APPEND: pair_buf_append(rec, s->extra.data, s->extra.len); break;
    case ACT_PREPEND: pair_inject(p, dir, s->extra.data, s->extra.len); break;
    case ACT_REPLACE: pair_buf_set(rec, s->extra.data, s->extra.len); break;
    }
    s->done = 1;
}

static void run_surgery(surgery *s, int detector, uint8_t alert, const char *why)
{
    pair p;
    start12(&p, surgery_hook, s);
    pair_pump(&p);
    cr_assert(s->done, "the hook found no record to change");
    expect_alert(&p, detector, alert, why);
    pair_buf_free(&s->extra);
    pair_free(&p);
}

/* ---------------------------------------------------------------- Finished */

/* A bit flipped in the protected Finished fails the record's AEAD check: bad_record_mac
 * (RFC 5246 s.6.2.3.3, s.7.2.2). The server has not sent its CCS yet, so its alert is
 * plaintext and the client (which has not received one) reads it. */
Test(tls12_negative, finished_ciphertext_from_client_tampered)
{
    surgery s = {.dir = PAIR_C2S, .pick_ccs = 0, .act = ACT_FLIP_LAST};
    run_surgery(&s, PAIR_SERVER, TLSM_ALERT_BAD_RECORD_MAC, "REC_BAD_MAC");
}

/* The same on the server's Finished: the client fails, with keys on both sides, so the
 * alert is protected and the server opens it. */
Test(tls12_negative, finished_ciphertext_from_server_tampered)
{
    surgery s = {.dir = PAIR_S2C, .pick_ccs = 0, .act = ACT_FLIP_LAST};
    run_surgery(&s, PAIR_CLIENT, TLSM_ALERT_BAD_RECORD_MAC, "REC_BAD_MAC");
}

/* A Finished whose record authenticates but whose verify_data is wrong: RFC 5246 s.7.4.9
 * requires the check and s.7.2.2 names decrypt_error for "unable to ... validate a
 * finished message". The verify_data cannot be changed before encryption from outside,
 * but a change to the transcript alone does it: with no Extended Master Secret (both sides
 * allow it; the extension is removed from the ClientHello in flight) the keys depend only
 * on the randoms and the premaster, not on the transcript, so both sides have the same keys
 * and different Finished values. The server checks first; it has no write keys yet. */
static void strip_ch_ems_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    int *done = ctx;
    if (dir == PAIR_C2S && index == 0)
        *done = pair_hello_strip_ext(rec, EXT_EMS);
}

Test(tls12_negative, finished_wrong_verify_data_from_client)
{
    pair_opts co, so;
    opts12(&co, &so);
    co.no_require_ems = so.no_require_ems = 1;
    int done = 0;
    pair p;
    start(&p, &co, &so, strip_ch_ems_hook, &done);
    pair_pump(&p);
    cr_assert(done);
    expect_alert(&p, PAIR_SERVER, TLSM_ALERT_DECRYPT_ERROR, "FINISHED_MISMATCH");
    pair_free(&p);
}

/* The server's Finished with the right keys and a wrong verify_data: in an abbreviated
 * handshake (RFC 5246 s.7.3) the server's Finished comes first and the keys come from the
 * resumed master secret, so changing a byte of the plaintext NewSessionTicket before it
 * changes only the client's transcript. The client fails with decrypt_error before its own
 * CCS (plaintext alert, read by a server that has no read keys yet). */
typedef struct {
    int armed, done;
} nst_flip;

static void nst_flip_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    nst_flip *f = ctx;
    size_t len = 0;
    if (!f->armed || f->done || dir != PAIR_S2C)
        return;
    size_t at = pair_hs_find(rec, MSG_NEW_SESSION_TICKET, &len);
    if (at == PAIR_NONE)
        return;
    rec->data[at + len - 1] ^= 0x01; /* last byte of the ticket */
    f->done = 1;
}

Test(tls12_negative, finished_wrong_verify_data_from_server)
{
    pair_opts co, so;
    opts12(&co, &so);
    co.trace = 1;
    nst_flip f = {0};
    pair p;
    start(&p, &co, &so, nst_flip_hook, &f);
    handshake_ok(&p);
    pair_buf session = {0};
    cr_assert_eq(pair_get_session(&p, &session), TLSM_OK);
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(tlsm_conn_set_session(CLIENT(&p), session.data, session.len), TLSM_OK);
    f.armed = 1;
    pair_pump(&p);
    cr_assert(f.done, "no NewSessionTicket in the resumption");
    cr_assert_eq(pair_count_msgs(&p, PAIR_CLIENT, TLSM_EV_MESSAGE_RECEIVED, 11, 0), 0,
                 "not an abbreviated handshake");
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_DECRYPT_ERROR, "FINISHED_MISMATCH");
    pair_buf_free(&session);
    pair_free(&p);
}

/* ---------------------------------------------------------------- ChangeCipherSpec */

/* Missing CCS: the Finished arrives protected while the reader still reads plaintext.
 * RFC 5246 s.7.4.9: "It is a fatal error if a Finished message is not preceded by a
 * ChangeCipherSpec message at the appropriate point in the handshake", an inappropriate
 * message: unexpected_message (s.7.2.2). Which message the reader sees is determined here:
 * an AES-GCM record starts with its 8-byte explicit nonce, the sequence number 0, so the
 * reader parses a HelloRequest (type 0, length 0), which is not allowed in its state.
 * (With ChaCha20-Poly1305 the first bytes are ciphertext, and the reader would see a
 * random message type or length; the alert would depend on the key, so that case is not
 * asserted.) */
Test(tls12_negative, ccs_from_client_missing)
{
    surgery s = {.dir = PAIR_C2S, .pick_ccs = 1, .act = ACT_DROP};
    run_surgery(&s, PAIR_SERVER, TLSM_ALERT_UNEXPECTED_MESSAGE, "HS_UNEXPECTED_MESSAGE");
}

/* The client has sent its CCS, so its alert is protected and the server opens it. */
Test(tls12_negative, ccs_from_server_missing)
{
    surgery s = {.dir = PAIR_S2C, .pick_ccs = 1, .act = ACT_DROP};
    run_surgery(&s, PAIR_CLIENT, TLSM_ALERT_UNEXPECTED_MESSAGE, "HS_UNEXPECTED_MESSAGE");
}

/* A second CCS right after the first: s.7.1 allows one per handshake; after the first the
 * reader expects a protected Finished: unexpected_message. */
Test(tls12_negative, ccs_from_client_twice)
{
    surgery s = {.dir = PAIR_C2S, .pick_ccs = 1, .act = ACT_APPEND};
    pair_buf_set(&s.extra, ccs_record, sizeof ccs_record);
    run_surgery(&s, PAIR_SERVER, TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
}

Test(tls12_negative, ccs_from_server_twice)
{
    surgery s = {.dir = PAIR_S2C, .pick_ccs = 1, .act = ACT_APPEND};
    pair_buf_set(&s.extra, ccs_record, sizeof ccs_record);
    run_surgery(&s, PAIR_CLIENT, TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
}

/* CCS too early. Before the ClientKeyExchange there are no keys to change to (s.7.3:
 * the CCS follows ClientKeyExchange / CertificateVerify): the server fails with
 * unexpected_message, in plaintext. The CCS is put before the client's second flight. */
Test(tls12_negative, ccs_from_client_before_client_key_exchange)
{
    surgery s = {.dir = PAIR_C2S, .pick_ccs = -1, .index = 1, .act = ACT_PREPEND};
    pair_buf_set(&s.extra, ccs_record, sizeof ccs_record);
    run_surgery(&s, PAIR_SERVER, TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
}

/* ... and right after the ClientHello, before the server even answered. */
Test(tls12_negative, ccs_from_client_after_client_hello)
{
    surgery s = {.dir = PAIR_C2S, .pick_ccs = -1, .index = 0, .act = ACT_APPEND};
    pair_buf_set(&s.extra, ccs_record, sizeof ccs_record);
    run_surgery(&s, PAIR_SERVER, TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
}

/* Re-frames the server's first flight into one record per handshake message and puts a
 * CCS before the message of type `before`. */
typedef struct {
    uint8_t before;
    int done;
} ccs_inside;

static void ccs_inside_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    ccs_inside *c = ctx;
    if (dir != PAIR_S2C || index != 0 || c->done)
        return;
    pair_buf out = {0}, one = {0};
    size_t end = 5 + pair_record_body_len(rec);
    for (size_t off = 5; off + 4 <= end;) {
        size_t n = 4 + ((size_t)rec->data[off + 1] << 16 | (size_t)rec->data[off + 2] << 8 |
                        rec->data[off + 3]);
        cr_assert_leq(off + n, end, "the first server record does not end with a message");
        if (rec->data[off] == c->before) {
            pair_buf_append(&out, ccs_record, sizeof ccs_record);
            c->done = 1;
        }
        pair_make_record(&one, REC_HS, 0x0303, rec->data + off, n);
        pair_buf_append(&out, one.data, one.len);
        off += n;
    }
    pair_buf_set(rec, out.data, out.len);
    pair_buf_free(&out);
    pair_buf_free(&one);
}

/* A CCS from the server before ServerHelloDone (s.7.3: the server's CCS follows the
 * client's Finished in a full handshake): the client fails, still in plaintext, and the
 * server reads it in plaintext. */
Test(tls12_negative, ccs_from_server_before_server_hello_done)
{
    ccs_inside c = {.before = MSG_SERVER_HELLO_DONE};
    pair p;
    start12(&p, ccs_inside_hook, &c);
    pair_pump(&p);
    cr_assert(c.done);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
    pair_free(&p);
}

Test(tls12_negative, ccs_from_server_before_server_key_exchange)
{
    ccs_inside c = {.before = MSG_SERVER_KEY_EXCHANGE};
    pair p;
    start12(&p, ccs_inside_hook, &c);
    pair_pump(&p);
    cr_assert(c.done);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
    pair_free(&p);
}

/* A TLS 1.2-only client sees a CCS before the ServerHello. RFC 5246 s.7.3 has no CCS there;
 * the TLS 1.3 rule that drops a compatibility CCS (RFC 8446 s.5) is for TLS 1.3
 * handshakes, and this client offered only 1.2: unexpected_message. The client has no keys
 * and the server, which has sent nothing protected, reads the alert in plaintext. */
Test(tls12_negative, ccs_from_server_before_server_hello)
{
    surgery s = {.dir = PAIR_S2C, .pick_ccs = -1, .index = 0, .act = ACT_PREPEND};
    pair_buf_set(&s.extra, ccs_record, sizeof ccs_record);
    run_surgery(&s, PAIR_CLIENT, TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
}

/* A CCS whose one byte is not 1, and one with two bytes. RFC 5246 s.7.1 defines the
 * message as the single byte change_cipher_spec(1); a value out of that range or a wrong
 * length is "a message could not be decoded because some field was out of the specified
 * range or the length of the message was incorrect": decode_error (s.7.2.2). (TLS 1.3 made
 * this unexpected_message, RFC 8446 s.5, which test_negative.c covers.) */
Test(tls12_negative, ccs_with_value_2)
{
    static const uint8_t bad[] = {REC_CCS, 3, 3, 0, 1, 2};
    surgery s = {.dir = PAIR_C2S, .pick_ccs = 1, .act = ACT_REPLACE};
    pair_buf_set(&s.extra, bad, sizeof bad);
    run_surgery(&s, PAIR_SERVER, TLSM_ALERT_DECODE_ERROR, "CCS_MALFORMED");
}

Test(tls12_negative, ccs_with_two_bytes)
{
    static const uint8_t bad[] = {REC_CCS, 3, 3, 0, 2, 1, 1};
    surgery s = {.dir = PAIR_S2C, .pick_ccs = 1, .act = ACT_REPLACE};
    pair_buf_set(&s.extra, bad, sizeof bad);
    run_surgery(&s, PAIR_CLIENT, TLSM_ALERT_DECODE_ERROR, "CCS_MALFORMED");
}

/* After the handshake a plaintext CCS is a record the connection cannot take: protected
 * records only, and no renegotiation: unexpected_message, protected alert. */
Test(tls12_negative, ccs_after_handshake)
{
    pair p;
    start12(&p, NULL, NULL);
    handshake_ok(&p);
    pair_inject(&p, PAIR_S2C, ccs_record, sizeof ccs_record);
    pair_pump(&p);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_UNEXPECTED_MESSAGE, "CCS_UNEXPECTED");
    pair_free(&p);
}

/* ---------------------------------------------------------------- early application data */

static const uint8_t app_record[] = {REC_APP, 3, 3, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                     11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

/* Application data before the handshake completes: RFC 5246 s.6.2.1 "application data
 * messages ... MUST NOT be sent before the handshake completes" (the first Finished); an
 * inappropriate record is unexpected_message (s.7.2.2). */
Test(tls12_negative, application_data_after_client_hello)
{
    surgery s = {.dir = PAIR_C2S, .pick_ccs = -1, .index = 0, .act = ACT_APPEND};
    pair_buf_set(&s.extra, app_record, sizeof app_record);
    run_surgery(&s, PAIR_SERVER, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_APPDATA_UNPROTECTED");
}

Test(tls12_negative, application_data_before_client_key_exchange)
{
    surgery s = {.dir = PAIR_C2S, .pick_ccs = -1, .index = 1, .act = ACT_PREPEND};
    pair_buf_set(&s.extra, app_record, sizeof app_record);
    run_surgery(&s, PAIR_SERVER, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_APPDATA_UNPROTECTED");
}

/* To the client after the server's first flight: the client has sent its CCS and Finished
 * by then, so its alert is protected; the server has the keys to open it. */
Test(tls12_negative, application_data_after_server_flight)
{
    surgery s = {.dir = PAIR_S2C, .pick_ccs = -1, .index = 0, .act = ACT_APPEND};
    pair_buf_set(&s.extra, app_record, sizeof app_record);
    run_surgery(&s, PAIR_CLIENT, TLSM_ALERT_UNEXPECTED_MESSAGE, "REC_APPDATA_UNPROTECTED");
}

/* The engine's own record layer seals `content` as a record of `type` with the write state
 * of conn `from`, as conn would have sent it next (white box: no API emits arbitrary
 * records, and the keys never leave the engine). With rewind, the sequence number is first
 * set back by one, to stand in for the record just sent. */
static void seal_as(tlsm_conn *from, int rewind, uint8_t type, const uint8_t *content,
                    size_t len, pair_buf *out)
{
    record_cipher copy = from->rec.wr;
    record_cipher *rc = rewind ? &copy : &from->rec.wr;
    cr_assert(rc->active, "no write keys");
    if (rewind)
        rc->seq--;
    uint8_t buf[512];
    size_t n = 0;
    cr_assert_eq(record12_seal(rc, type, content, len, buf, sizeof buf, &n), 0);
    pair_buf_set(out, buf, n);
    crypto_wipe(&copy, sizeof copy);
}

/* Protected application data between the client's CCS and its Finished (under the keys
 * the Finished would have used): authentic, but before the handshake completes:
 * unexpected_message (s.6.2.1). It replaces the Finished record, which is the record the
 * client sealed just before. The server has no write keys yet: plaintext alert. */
typedef struct {
    int after_ccs;
    int done;
} early_app;

static void early_app_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)index;
    early_app *e = ctx;
    if (dir != PAIR_C2S || e->done)
        return;
    if (pair_record_type(rec) == REC_CCS) {
        e->after_ccs = 1;
        return;
    }
    if (!e->after_ccs)
        return;
    static const uint8_t data[] = "early application data";
    seal_as(CLIENT(p), 1, REC_APP, data, sizeof data, rec);
    e->done = 1;
}

Test(tls12_negative, protected_application_data_before_finished)
{
    early_app e = {0};
    pair p;
    start12(&p, early_app_hook, &e);
    pair_pump(&p);
    cr_assert(e.done);
    expect_alert(&p, PAIR_SERVER, TLSM_ALERT_UNEXPECTED_MESSAGE, "APPDATA_BEFORE_HANDSHAKE");
    cr_assert_eq(p.side[PAIR_SERVER].rx.len, 0, "early data was delivered");
    pair_free(&p);
}

/* ---------------------------------------------------------------- ServerKeyExchange */

/* Changes one byte of the ServerKeyExchange: from_end = 1 is the last byte of the signature,
 * otherwise the byte at `offset` from the message start (inside the signed parameters). */
typedef struct {
    int from_end;
    size_t offset;
    int done;
} ske_flip;

static void ske_flip_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    ske_flip *f = ctx;
    size_t len = 0;
    if (dir != PAIR_S2C || f->done)
        return;
    size_t at = pair_hs_find(rec, MSG_SERVER_KEY_EXCHANGE, &len);
    if (at == PAIR_NONE)
        return;
    size_t i = f->from_end ? at + len - 1 : at + f->offset;
    cr_assert_lt(i, at + len);
    rec->data[i] ^= 0x01;
    f->done = 1;
}

/* RFC 5246 s.7.4.3: the client verifies the signature over client_random, server_random
 * and the parameters; a signature that does not verify is decrypt_error (s.7.2.2: "unable
 * to correctly verify a signature"). The client fails before it has keys: plaintext alert,
 * read by the server in plaintext. */
static void bad_ske(uint16_t suite, pair_key key, uint16_t group, int from_end, size_t offset)
{
    uint16_t suites[1] = {suite}, groups[1] = {group};
    pair_opts co, so;
    opts12(&co, &so);
    co.suites = so.suites = suites;
    so.key = key;
    so.groups = groups;
    so.n_groups = 1;
    ske_flip f = {.from_end = from_end, .offset = offset};
    pair p;
    start(&p, &co, &so, ske_flip_hook, &f);
    pair_pump(&p);
    cr_assert(f.done, "no ServerKeyExchange");
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_DECRYPT_ERROR, "SIG_INVALID");
    pair_free(&p);
}

Test(tls12_negative, ske_signature_ecdsa_p256)
{
    bad_ske(TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, PAIR_KEY_P256, TLSM_GROUP_X25519, 1, 0);
}

Test(tls12_negative, ske_signature_ecdsa_p384)
{
    bad_ske(TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, PAIR_KEY_P384, TLSM_GROUP_SECP256R1, 1,
            0);
}

Test(tls12_negative, ske_signature_ed25519)
{
    bad_ske(TLSM_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, PAIR_KEY_ED25519,
            TLSM_GROUP_SECP384R1, 1, 0);
}

Test(tls12_negative, ske_signature_rsa)
{
    bad_ske(TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, PAIR_KEY_RSA, TLSM_GROUP_X25519, 1, 0);
}

Test(tls12_negative, ske_signature_rsapss)
{
    bad_ske(TLSM_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, PAIR_KEY_RSAPSS, TLSM_GROUP_X25519, 1, 0);
}

Test(tls12_negative, ske_signature_dhe)
{
    bad_ske(TLSM_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, PAIR_KEY_RSA, TLSM_GROUP_FFDHE2048, 1, 0);
}

/* The signed parameters changed instead: for ECDHE the last byte of the X25519 share
 * (4 + curve_type 1 + named_curve 2 + length 1 + 32 bytes), for DHE a byte of dh_Ys far
 * into the message (the 256-byte p and the generator come first). */
Test(tls12_negative, ske_params_ecdhe_share)
{
    bad_ske(TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, PAIR_KEY_P256, TLSM_GROUP_X25519, 0,
            4 + 1 + 2 + 1 + 31);
}

Test(tls12_negative, ske_params_dhe_share)
{
    bad_ske(TLSM_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, PAIR_KEY_RSA, TLSM_GROUP_FFDHE2048, 0,
            4 + 2 + 256 + 2 + 1 + 2 + 100);
}

/* Weak or custom finite-field parameters (RFC 7919 s.4: a client accepts only groups it
 * knows, here by exact match). A changed dh_p alone would also break the signature, so the
 * parameters are replaced and the ServerKeyExchange signed again with the server's own key
 * (white box: the server's identity in its config, core/src/crypto's crypto_sign), exactly
 * as a server that chose those parameters would sign them. The client must refuse them
 * whatever the signature says: insufficient_security. */
typedef enum { DH_UNCHANGED, DH_TINY_PRIME, DH_CUSTOM_PRIME, DH_OTHER_GENERATOR } dh_swap;

typedef struct {
    dh_swap swap;
    uint8_t client_random[32];
    int done;
} dh_resign;

static void put_block16(pair_buf *b, const uint8_t *p, size_t n)
{
    uint8_t len[2] = {(uint8_t)(n >> 8), (uint8_t)n};
    pair_buf_append(b, len, 2);
    pair_buf_append(b, p, n);
}

/* Reads a <2> block at *off of msg; returns its start and length. */
static const uint8_t *get_block16(const uint8_t *msg, size_t *off, size_t *n)
{
    *n = (size_t)msg[*off] << 8 | msg[*off + 1];
    const uint8_t *p = msg + *off + 2;
    *off += 2 + *n;
    return p;
}

static void dh_resign_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    dh_resign *d = ctx;
    size_t len = 0;
    if (dir == PAIR_C2S && index == 0) {
        memcpy(d->client_random, rec->data + 5 + 4 + 2, 32);
        return;
    }
    size_t at = pair_hs_find(rec, MSG_SERVER_KEY_EXCHANGE, &len);
    if (dir != PAIR_S2C || d->done || at == PAIR_NONE)
        return;
    size_t sh_at = pair_hs_find(rec, MSG_SERVER_HELLO, &(size_t){0});
    cr_assert_neq(sh_at, PAIR_NONE, "the ServerHello is not in the record of the key exchange");
    const uint8_t *server_random = rec->data + sh_at + 4 + 2;
    /* dh_p, dh_g, dh_Ys, then the scheme and the signature. */
    const uint8_t *msg = rec->data + at + 4;
    size_t off = 0, p_len, g_len, y_len;
    const uint8_t *dh_p = get_block16(msg, &off, &p_len);
    const uint8_t *dh_g = get_block16(msg, &off, &g_len);
    const uint8_t *dh_y = get_block16(msg, &off, &y_len);
    uint16_t scheme = (uint16_t)(msg[off] << 8 | msg[off + 1]);

    /* 2^127 - 1 (a prime far too small), the group's prime with one bit of its middle
     * changed (custom parameters of the right size), or the right prime with g = 5; or, for
     * the control, the same parameters signed again. */
    static const uint8_t tiny[16] = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t five[1] = {5};
    pair_buf params = {0}, custom = {0};
    pair_buf_set(&custom, dh_p, p_len);
    custom.data[p_len / 2] ^= 0x10;
    put_block16(&params, d->swap == DH_TINY_PRIME ? tiny : custom.data,
                d->swap == DH_TINY_PRIME ? sizeof tiny : d->swap == DH_CUSTOM_PRIME ? p_len : 0);
    if (d->swap == DH_OTHER_GENERATOR || d->swap == DH_UNCHANGED) {
        params.len = 0;
        put_block16(&params, dh_p, p_len);
    }
    put_block16(&params, d->swap == DH_OTHER_GENERATOR ? five : dh_g,
                d->swap == DH_OTHER_GENERATOR ? sizeof five : g_len);
    put_block16(&params, dh_y, y_len);

    /* RFC 5246 s.7.4.3: the signature covers client_random + server_random + params. */
    const tlsm_identity *id = &p->side[PAIR_SERVER].cfg->ids[0];
    sig_alg alg = hs_scheme_alg(TLSM_TLS12, scheme, id->leaf.pubkey.type);
    cr_assert_neq(alg, SIG_NONE);
    pair_buf tbs = {0};
    pair_buf_append(&tbs, d->client_random, 32);
    pair_buf_append(&tbs, server_random, 32);
    pair_buf_append(&tbs, params.data, params.len);
    uint8_t sig[1024];
    size_t sig_len = 0;
    cr_assert_eq(crypto_sign(id->key, alg, NULL, tbs.data, tbs.len, sig, sizeof sig, &sig_len), 0);

    pair_buf ske = {0}, out = {0};
    uint8_t hdr[4] = {MSG_SERVER_KEY_EXCHANGE, 0, 0, 0};
    pair_buf_append(&ske, hdr, 4);
    pair_buf_append(&ske, params.data, params.len);
    uint8_t sch[2] = {(uint8_t)(scheme >> 8), (uint8_t)scheme};
    pair_buf_append(&ske, sch, 2);
    put_block16(&ske, sig, sig_len);
    size_t body = ske.len - 4;
    ske.data[1] = (uint8_t)(body >> 16);
    ske.data[2] = (uint8_t)(body >> 8);
    ske.data[3] = (uint8_t)body;
    /* The record: what came before the key exchange, the new one, what came after. */
    pair_buf_append(&out, rec->data + 5, at - 5);
    pair_buf_append(&out, ske.data, ske.len);
    pair_buf_append(&out, rec->data + at + len, rec->len - at - len);
    pair_make_record(rec, REC_HS, 0x0303, out.data, out.len);
    pair_buf_free(&params);
    pair_buf_free(&custom);
    pair_buf_free(&tbs);
    pair_buf_free(&ske);
    pair_buf_free(&out);
    d->done = 1;
}

static void dh_resigned(pair *p, dh_swap swap, dh_resign *d)
{
    static const uint16_t dhe[] = {TLSM_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256};
    static const uint16_t ffdhe2048[] = {TLSM_GROUP_FFDHE2048};
    /* PKCS#1 v1.5 signatures are deterministic: signed again, unchanged parameters give the
     * very same message, and the transcripts still agree. */
    static const uint16_t pkcs1[] = {TLSM_SIG_RSA_PKCS1_SHA256};
    pair_opts co, so;
    opts12(&co, &so);
    co.sigalgs = pkcs1;
    co.n_sigalgs = 1;
    co.suites = so.suites = dhe;
    so.key = PAIR_KEY_RSA;
    so.groups = co.groups = ffdhe2048;
    so.n_groups = co.n_groups = 1;
    memset(d, 0, sizeof *d);
    d->swap = swap;
    start(p, &co, &so, dh_resign_hook, d);
    pair_pump(p);
    cr_assert(d->done, "no ServerKeyExchange");
}

Test(tls12_negative, weak_dh_parameters)
{
    /* The control: the same parameters signed again by the test complete the handshake,
     * so the refusals below are the parameters', not the signature's. */
    dh_resign d;
    pair p;
    dh_resigned(&p, DH_UNCHANGED, &d);
    cr_assert(tlsm_conn_handshake_done(CLIENT(&p)), "the re-signed exchange failed: %s",
              pair_reason(CLIENT(&p)));
    pair_free(&p);
    static const dh_swap swaps[] = {DH_TINY_PRIME, DH_CUSTOM_PRIME, DH_OTHER_GENERATOR};
    for (size_t i = 0; i < sizeof swaps / sizeof swaps[0]; i++) {
        dh_resigned(&p, swaps[i], &d);
        expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_INSUFFICIENT_SECURITY, "SKE_DH_GROUP");
        pair_free(&p);
    }
}

/* ---------------------------------------------------------------- warnings */

/* n plaintext warning alerts (unrecognized_name, which a TLS 1.2 server may send before
 * its ServerHello) ahead of the server's first record. */
typedef struct {
    int n, done;
} warnings;

static void warnings_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    warnings *w = ctx;
    if (dir != PAIR_S2C || index != 0 || w->done)
        return;
    pair_buf out = {0};
    static const uint8_t warning[7] = {REC_ALERT_T, 3, 3, 0, 2, 1, TLSM_ALERT_UNRECOGNIZED_NAME};
    for (int i = 0; i < w->n; i++)
        pair_buf_append(&out, warning, sizeof warning);
    pair_buf_append(&out, rec->data, rec->len);
    pair_buf_set(rec, out.data, out.len);
    pair_buf_free(&out);
    w->done = 1;
}

/* RFC 5246 s.7.2 warnings are reported and the handshake goes on - but not without end: a
 * peer that keeps sending them is cut off (unexpected_message) rather than allowed to keep
 * the connection busy for free (DESIGN.md: bound the work a peer can cause). 16 pass. */
Test(tls12_negative, warning_flood_is_cut_off)
{
    warnings few = {.n = 16};
    pair p;
    start12(&p, warnings_hook, &few);
    handshake_ok(&p);
    cr_assert_eq(pair_count_events(&p, PAIR_CLIENT, TLSM_EV_ALERT), 16);
    pair_free(&p);
    warnings many = {.n = 17};
    start12(&p, warnings_hook, &many);
    pair_pump(&p);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_UNEXPECTED_MESSAGE, "WARNING_FLOOD");
    pair_free(&p);
}

/* ---------------------------------------------------------------- Extended Master Secret */

/* RFC 7627 s.5.2: a server that requires EMS and gets a ClientHello without it aborts the
 * handshake: handshake_failure, in plaintext. The client allows no EMS but sends the
 * extension anyway; it is removed in flight. */
Test(tls12_negative, ems_required_by_server_missing_from_client_hello)
{
    pair_opts co, so;
    opts12(&co, &so);
    co.no_require_ems = 1;
    int done = 0;
    pair p;
    start(&p, &co, &so, strip_ch_ems_hook, &done);
    pair_pump(&p);
    cr_assert(done);
    expect_alert(&p, PAIR_SERVER, TLSM_ALERT_HANDSHAKE_FAILURE, "CH12_NO_EMS");
    pair_free(&p);
}

/* RFC 7627 s.5.2: a client that requires EMS and gets a ServerHello without it aborts:
 * handshake_failure, in plaintext; the server has not switched either. */
static void strip_sh_ems_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    int *done = ctx;
    if (dir == PAIR_S2C && index == 0)
        *done = pair_hello_strip_ext(rec, EXT_EMS);
}

Test(tls12_negative, ems_required_by_client_missing_from_server_hello)
{
    pair_opts co, so;
    opts12(&co, &so);
    so.no_require_ems = 1;
    int done = 0;
    pair p;
    start(&p, &co, &so, strip_sh_ems_hook, &done);
    pair_pump(&p);
    cr_assert(done);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_HANDSHAKE_FAILURE, "SH12_NO_EMS");
    pair_free(&p);
}

/* ---------------------------------------------------------------- session ids */

/* The server's TLS 1.2 ServerHello echoes the session id of the client's ClientHello in a
 * full handshake (the id starts at record byte 43 in both hellos: record header 5,
 * handshake header 4, version 2, random 32). */
typedef struct {
    uint8_t sid[33];
    int done;
} echo_sid;

static void echo_sid_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    echo_sid *e = ctx;
    if (index != 0 || rec->len < 44 || pair_record_type(rec) != REC_HS)
        return;
    if (dir == PAIR_C2S && rec->data[5] == MSG_CLIENT_HELLO && rec->data[43] <= 32) {
        memcpy(e->sid, rec->data + 43, 1 + (size_t)rec->data[43]);
    } else if (dir == PAIR_S2C && rec->data[5] == MSG_SERVER_HELLO && e->sid[0] &&
               rec->data[43] == e->sid[0]) {
        memcpy(rec->data + 44, e->sid + 1, e->sid[0]);
        e->done = 1;
    }
}

/* RFC 5246 s.7.4.1.3: an echoed session id "indicates a resumed session". A client offering
 * TLS 1.3 sends a fresh compatibility-mode id (RFC 8446 D.4) that offers no session, so a
 * TLS 1.2 ServerHello echoing it claims to resume nothing: illegal_parameter (BoGo
 * EchoTLS13CompatibilitySessionID). The server's own id is as long as the client's. */
Test(tls12_negative, server_echoes_compatibility_session_id)
{
    pair_opts co, so;
    opts12(&co, &so);
    co.max_version = TLSM_TLS13;
    co.suites = NULL;
    co.n_suites = 0;
    /* A server issuing a ticket sends an empty session id: this one caches sessions. */
    so.no_tickets = 1;
    echo_sid e = {{0}, 0};
    pair p;
    start(&p, &co, &so, echo_sid_hook, &e);
    pair_pump(&p);
    cr_assert(e.done, "no ServerHello to rewrite");
    cr_assert_eq(e.sid[0], 32);
    expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER, "SH12_SESSION_ID_NOT_OFFERED");
    pair_free(&p);
}

/* A TLS 1.2 session that holds a ticket is not offered by a client with tickets off (the
 * ticket could not be sent), so an echo of its session id in the next ServerHello is
 * refused as above instead of resuming it (BoGo TLS12-NoTicket-NoOffer). Without the echo
 * that client gets a full handshake. */
Test(tls12_negative, ticket_session_not_offered_with_tickets_off)
{
    for (int echo = 0; echo < 2; echo++) {
        pair_opts co, so;
        opts12(&co, &so);
        co.max_version = TLSM_TLS13;
        co.suites = NULL;
        co.n_suites = 0;
        pair first, p;
        start(&first, &co, &so, NULL, NULL);
        handshake_ok(&first);
        pair_buf sess = {0};
        cr_assert_eq(pair_get_session(&first, &sess), 0);
        pair_free(&first);
        /* The same client, now with tickets off. */
        co.no_tickets = 1;
        echo_sid e = {{0}, 0};
        start(&p, &co, &so, echo ? echo_sid_hook : NULL, &e);
        cr_assert_eq(tlsm_conn_set_session(CLIENT(&p), sess.data, sess.len), 0);
        if (echo) {
            pair_pump(&p);
            cr_assert(e.done, "no ServerHello to rewrite");
            expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER,
                         "SH12_SESSION_ID_NOT_OFFERED");
        } else {
            handshake_ok(&p);
            cr_assert_eq(tlsm_conn_resumed(CLIENT(&p)), 0);
            cr_assert_eq(tlsm_conn_resumed(SERVER(&p)), 0);
        }
        pair_buf_free(&sess);
        pair_free(&p);
    }
}

/* ---------------------------------------------------------------- renegotiation */

/* RFC 5746 s.4.2 / RFC 5246 s.7.4.1.1: a client that does not renegotiate ignores a
 * HelloRequest or answers no_renegotiation, which is always a warning (s.7.2.2); tlsm
 * answers, and the connection goes on. The HelloRequest must be protected with the
 * server's keys: the server's record layer seals it (white box, see seal_as). */
Test(tls12_negative, hello_request_after_handshake_refused)
{
    static const uint8_t hello_request[4] = {MSG_HELLO_REQUEST, 0, 0, 0};
    pair p;
    start12(&p, NULL, NULL);
    handshake_ok(&p);
    pair_buf rec = {0};
    seal_as(SERVER(&p), 0, REC_HS, hello_request, sizeof hello_request, &rec);
    pair_inject(&p, PAIR_S2C, rec.data, rec.len);
    pair_pump(&p);
    for (int who = 0; who < 2; who++)
        cr_assert_eq(tlsm_conn_error(p.side[who].conn), 0, "side %d: %s", who,
                     tlsm_strerror(tlsm_conn_error(p.side[who].conn)));
    const tlsm_event *e = pair_find_event(&p, PAIR_SERVER, TLSM_EV_ALERT, 0);
    cr_assert_not_null(e, "server got no no_renegotiation");
    cr_assert_eq(e->alert, TLSM_ALERT_NO_RENEGOTIATION);
    cr_assert_eq(e->fatal, 0);
    cr_assert_eq(pair_send(&p, PAIR_CLIENT, (const uint8_t *)"still here", 10), 0);
    cr_assert_eq(p.side[PAIR_SERVER].rx.len, 10);
    cr_assert_eq(pair_send(&p, PAIR_SERVER, (const uint8_t *)"me too", 6), 0);
    cr_assert_eq(p.side[PAIR_CLIENT].rx.len, 6);
    pair_buf_free(&rec);
    pair_free(&p);
}

/* RFC 5746 s.4.4: a server that does not renegotiate answers a ClientHello on an
 * established connection with no_renegotiation (a warning) and goes on. The ClientHello is
 * the client's own first one, sealed with the client's keys (white box). */
Test(tls12_negative, client_hello_after_handshake_refused)
{
    pair p;
    start12(&p, NULL, NULL);
    size_t len = 0;
    const uint8_t *ch = tlsm_output_peek(CLIENT(&p), &len);
    cr_assert(ch != NULL && len > 9 && ch[0] == REC_HS && ch[5] == MSG_CLIENT_HELLO);
    pair_buf hello = {0}, rec = {0};
    pair_buf_set(&hello, ch + 5, (size_t)ch[3] << 8 | ch[4]);
    handshake_ok(&p);
    seal_as(CLIENT(&p), 0, REC_HS, hello.data, hello.len, &rec);
    pair_inject(&p, PAIR_C2S, rec.data, rec.len);
    pair_pump(&p);
    for (int who = 0; who < 2; who++)
        cr_assert_eq(tlsm_conn_error(p.side[who].conn), 0, "side %d: %s", who,
                     tlsm_strerror(tlsm_conn_error(p.side[who].conn)));
    const tlsm_event *e = pair_find_event(&p, PAIR_CLIENT, TLSM_EV_ALERT, 0);
    cr_assert_not_null(e, "client got no no_renegotiation");
    cr_assert_eq(e->alert, TLSM_ALERT_NO_RENEGOTIATION);
    cr_assert_eq(e->fatal, 0);
    cr_assert_eq(pair_send(&p, PAIR_SERVER, (const uint8_t *)"still here", 10), 0);
    cr_assert_eq(p.side[PAIR_CLIENT].rx.len, 10);
    pair_buf_free(&hello);
    pair_buf_free(&rec);
    pair_free(&p);
}

/* ---------------------------------------------------------------- old versions */

/* Rewrites the ClientHello: legacy_version (record bytes 9-10), and with sv != 0 every
 * entry of supported_versions. */
typedef struct {
    uint16_t legacy;
    uint16_t sv;
    int done;
} old_hello;

static void old_hello_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    old_hello *o = ctx;
    if (dir != PAIR_C2S || index != 0)
        return;
    rec->data[9] = (uint8_t)(o->legacy >> 8);
    rec->data[10] = (uint8_t)o->legacy;
    size_t n = 0;
    size_t at = pair_hello_find_ext(rec, EXT_SUPPORTED_VERSIONS, &n);
    if (o->sv) {
        cr_assert_neq(at, PAIR_NONE, "no supported_versions to rewrite");
        for (size_t i = 1; i + 1 < 1 + n; i += 2) {
            rec->data[at + i] = (uint8_t)(o->sv >> 8);
            rec->data[at + i + 1] = (uint8_t)(o->sv - (i - 1) / 2);
        }
    } else {
        cr_assert_eq(at, PAIR_NONE, "a 1.2-only client sent supported_versions");
    }
    o->done = 1;
}

/* RFC 8996 s.5 / RFC 7568 s.3: TLS 1.1, 1.0 and SSL 3.0 are refused; a server that finds
 * no acceptable version answers protocol_version (RFC 5246 E.1, RFC 8446 s.4.2.1), in
 * plaintext; a legacy_version of SSL 3.0 or older is refused first (RFC 8446 D.5). */
static void old_version(uint16_t legacy, uint16_t sv, int client13)
{
    pair_opts co, so;
    opts12(&co, &so);
    so.max_version = TLSM_TLS13;
    if (client13)
        co.max_version = TLSM_TLS13, co.suites = NULL, co.n_suites = 0;
    old_hello o = {.legacy = legacy, .sv = sv};
    pair p;
    start(&p, &co, &so, old_hello_hook, &o);
    pair_pump(&p);
    cr_assert(o.done);
    expect_alert(&p, PAIR_SERVER, TLSM_ALERT_PROTOCOL_VERSION,
                 legacy <= 0x0300 ? "CH_LEGACY_VERSION_SSL3" : "CH_NO_COMMON_VERSION");
    pair_free(&p);
}

Test(tls12_negative, client_hello_tls11)
{
    old_version(0x0302, 0, 0);
}

Test(tls12_negative, client_hello_tls10)
{
    old_version(0x0301, 0, 0);
}

Test(tls12_negative, client_hello_ssl3)
{
    old_version(0x0300, 0, 0);
}

/* supported_versions listing only 1.1 and 1.0 (with legacy_version 0x0303, as RFC 8446
 * s.4.1.2 has it): the extension rules, and it has nothing acceptable. */
Test(tls12_negative, supported_versions_tls11_tls10)
{
    old_version(0x0303, 0x0302, 1);
}
