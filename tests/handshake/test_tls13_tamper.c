/*
 * test_tls13_tamper.c - TLS 1.3 messages changed where the record layer cannot notice: a
 * Finished, CertificateVerify, Certificate, CertificateRequest or EncryptedExtensions
 * altered inside a record sealed again with the sender's own handshake traffic key (white
 * box, tests/common/reseal13.c); a NewSessionTicket or KeyUpdate no tlsm peer would send,
 * sealed with the sender's application key; and the HelloRetryRequest cookie changed in
 * the plaintext second ClientHello. Each must be caught by the check that owns it, with its
 * reason and alert, in both roles: these are the checks issue 15's mutants showed no
 * Criterion test guarded (a flipped ciphertext byte only exercises the AEAD tag).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "handshake/handshake.h"
#include "pair.h"
#include "reseal13.h"

#define CLIENT(p) ((p)->side[PAIR_CLIENT].conn)
#define SERVER(p) ((p)->side[PAIR_SERVER].conn)

enum {
    MSG_CLIENT_HELLO = 1,
    MSG_ENCRYPTED_EXTENSIONS = 8,
    MSG_CERTIFICATE = 11,
    MSG_CERTIFICATE_REQUEST = 13,
    MSG_CERTIFICATE_VERIFY = 15,
    MSG_FINISHED = 20,
    MSG_KEY_UPDATE = 24
};

/* A TLS 1.3 handshake whose message `msg_type` from `dir` is edited under the sender's
 * handshake key; the receiver must fail with `alert` for `why`. */
static void tampered(pair_key key, int client_auth, pair_dir dir, uint8_t msg_type,
                     reseal13_edit_fn edit, uint8_t alert, const char *why)
{
    pair_opts co = {.key = client_auth ? PAIR_KEY_CLIENT : PAIR_KEY_NONE,
                    .min_version = TLSM_TLS13};
    pair_opts so = {.key = key, .client_auth = client_auth ? 2 : 0};
    reseal13 r = {.dir = dir, .msg_type = msg_type, .edit = edit};
    pair p;
    pair_init(&p, &co, &so, 15);
    p.hook = reseal13_hook;
    p.hook_ctx = &r;
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    cr_assert(r.started && r.done, "the message was not found in flight");
    int detector = dir == PAIR_S2C ? PAIR_CLIENT : PAIR_SERVER;
    pair_expect_alert(&p, detector, alert, why);
    cr_assert(!tlsm_conn_handshake_done(p.side[detector].conn));
    reseal13_free(&r);
    pair_free(&p);
}

/* RFC 8446 s.4.4.4: "Recipients of Finished messages MUST verify that the contents are
 * correct and if incorrect MUST terminate the connection with a "decrypt_error" alert." */
Test(tls13_tamper, server_finished_wrong_verify_data)
{
    tampered(PAIR_KEY_P256, 0, PAIR_S2C, MSG_FINISHED, reseal13_flip_last,
             TLSM_ALERT_DECRYPT_ERROR, "FINISHED_MISMATCH");
}

Test(tls13_tamper, client_finished_wrong_verify_data)
{
    tampered(PAIR_KEY_P256, 0, PAIR_C2S, MSG_FINISHED, reseal13_flip_last,
             TLSM_ALERT_DECRYPT_ERROR, "FINISHED_MISMATCH");
}

Test(tls13_tamper, client_finished_wrong_verify_data_after_client_auth)
{
    tampered(PAIR_KEY_ED25519, 1, PAIR_C2S, MSG_FINISHED, reseal13_flip_last,
             TLSM_ALERT_DECRYPT_ERROR, "FINISHED_MISMATCH");
}

/* s.4.4.4: verify_data is exactly Hash.length bytes; one byte more is decode_error, even
 * when the first Hash.length bytes are right. */
Test(tls13_tamper, server_finished_one_byte_too_long)
{
    tampered(PAIR_KEY_P256, 0, PAIR_S2C, MSG_FINISHED, reseal13_append_byte,
             TLSM_ALERT_DECODE_ERROR, "FINISHED_DECODE");
}

Test(tls13_tamper, client_finished_one_byte_too_long)
{
    tampered(PAIR_KEY_P256, 0, PAIR_C2S, MSG_FINISHED, reseal13_append_byte,
             TLSM_ALERT_DECODE_ERROR, "FINISHED_DECODE");
}

/* s.4.4.3: "If the verification fails, the receiver MUST terminate the handshake with a
 * "decrypt_error" alert." The last byte of the signature is flipped, for each kind of
 * server key (an ECDSA signature stays well-formed DER). */
Test(tls13_tamper, server_certificate_verify_wrong_signature)
{
    static const pair_key keys[] = {PAIR_KEY_P256, PAIR_KEY_P384, PAIR_KEY_ED25519, PAIR_KEY_RSA,
                                    PAIR_KEY_RSAPSS};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        tampered(keys[i], 0, PAIR_S2C, MSG_CERTIFICATE_VERIFY, reseal13_flip_last,
                 TLSM_ALERT_DECRYPT_ERROR, "SIG_INVALID");
}

Test(tls13_tamper, client_certificate_verify_wrong_signature)
{
    tampered(PAIR_KEY_P256, 1, PAIR_C2S, MSG_CERTIFICATE_VERIFY, reseal13_flip_last,
             TLSM_ALERT_DECRYPT_ERROR, "SIG_INVALID");
}

/* ---------------------------------------------------------------- HRR cookie */

/* Flips one byte inside the cookie of the second ClientHello (the first has none). */
static void cookie_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    int *done = ctx;
    size_t len = 0;
    if (dir != PAIR_C2S || *done || pair_hs_find(rec, MSG_CLIENT_HELLO, &len) == PAIR_NONE)
        return;
    size_t at = pair_hello_find_ext(rec, EXT_COOKIE, &len);
    if (at == PAIR_NONE)
        return;
    cr_assert_gt(len, 2 + 8, "cookie extension of %zu bytes", len);
    rec->data[at + 2 + 8] ^= 0x40; /* inside the cookie, its length unchanged */
    *done = 1;
}

/* RFC 8446 s.4.2.2: the client echoes the HelloRetryRequest's cookie; a server that sent
 * one (here a stateful one: it keeps the cookie it sent) takes back only that value, byte
 * for byte: a changed cookie of the right length is illegal_parameter. */
Test(tls13_tamper, hrr_cookie_changed_in_transit)
{
    pair_opts co = {.min_version = TLSM_TLS13};
    pair_opts so = {.key = PAIR_KEY_P256, .require_cookie = 1};
    int done = 0;
    pair p;
    pair_init(&p, &co, &so, 15);
    p.hook = cookie_hook;
    p.hook_ctx = &done;
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    cr_assert(done, "no second ClientHello with a cookie");
    pair_expect_alert(&p, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER, "COOKIE_MISMATCH");
    pair_free(&p);
}

/* ---------------------------------------------------------------- the server's flight */

static size_t get24(const uint8_t *p)
{
    return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

static void put24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static void insert(pair_buf *b, size_t at, const void *bytes, size_t n)
{
    pair_buf out = {0};
    pair_buf_append(&out, b->data, at);
    pair_buf_append(&out, bytes, n);
    pair_buf_append(&out, b->data + at, b->len - at);
    pair_buf_set(b, out.data, out.len);
    pair_buf_free(&out);
}

/* Certificate / CertificateRequest: a one-byte certificate_request_context (the first
 * field of both bodies), where the handshake wants an empty one. */
static void context_not_empty(pair_buf *msg, void *ctx)
{
    (void)ctx;
    cr_assert_eq(msg->data[4], 0, "the context was not empty");
    msg->data[4] = 1;
    insert(msg, 5, "\x2a", 1);
}

/* RFC 8446 s.4.4.2: "If this message is in response to a CertificateRequest, the value of
 * certificate_request_context in that message. Otherwise (in the case of server
 * authentication), this field SHALL be zero length." */
Test(tls13_tamper, server_certificate_with_a_context)
{
    tampered(PAIR_KEY_P256, 0, PAIR_S2C, MSG_CERTIFICATE, context_not_empty,
             TLSM_ALERT_ILLEGAL_PARAMETER, "CERT_CONTEXT_MISMATCH");
}

/* s.4.3.2: certificate_request_context "SHALL be zero length unless used for the
 * post-handshake authentication exchanges". */
Test(tls13_tamper, certificate_request_with_a_context)
{
    tampered(PAIR_KEY_P256, 1, PAIR_S2C, MSG_CERTIFICATE_REQUEST, context_not_empty,
             TLSM_ALERT_ILLEGAL_PARAMETER, "CR_CONTEXT_NOT_EMPTY");
}

/* The first CertificateEntry gets a status_request extension (type 5, empty), which the
 * client did not ask for: the entry's extensions and the list's length grow by 4. */
static void entry_extension(pair_buf *msg, void *ctx)
{
    (void)ctx;
    static const uint8_t ext[4] = {0, 5, 0, 0};
    size_t ctx_len = msg->data[4];
    size_t list = 4 + 1 + ctx_len;                  /* certificate_list<0..2^24-1> */
    size_t entry = list + 3;
    size_t cert_len = get24(msg->data + entry);
    size_t exts = entry + 3 + cert_len;             /* the entry's extensions<0..2^16-1> */
    cr_assert_eq(msg->data[exts] << 8 | msg->data[exts + 1], 0);
    msg->data[exts + 1] = sizeof ext;
    insert(msg, exts + 2, ext, sizeof ext);
    put24(msg->data + list, get24(msg->data + list) + sizeof ext);
}

/* s.4.4.2: "Extensions in the Certificate message from the server MUST correspond to ones
 * from the ClientHello message"; s.4.2: an extension response the client did not solicit
 * is unsupported_extension (issue 16). */
Test(tls13_tamper, server_certificate_entry_with_unsolicited_extension)
{
    tampered(PAIR_KEY_P256, 0, PAIR_S2C, MSG_CERTIFICATE, entry_extension,
             TLSM_ALERT_UNSUPPORTED_EXTENSION, "CERT_EXT_UNSOLICITED");
}

Test(tls13_tamper, client_certificate_entry_with_unsolicited_extension)
{
    tampered(PAIR_KEY_P256, 1, PAIR_C2S, MSG_CERTIFICATE, entry_extension,
             TLSM_ALERT_UNSUPPORTED_EXTENSION, "CERT_EXT_UNSOLICITED");
}

/* An empty certificate_list from the server. */
static void empty_certificate(pair_buf *msg, void *ctx)
{
    (void)ctx;
    static const uint8_t body[4] = {0, 0, 0, 0};
    msg->len = 4;
    pair_buf_append(msg, body, sizeof body);
}

/* s.4.4.2.4: "If the server supplies an empty Certificate message, the client MUST abort
 * the handshake with a "decode_error" alert." */
Test(tls13_tamper, server_certificate_empty)
{
    tampered(PAIR_KEY_P256, 0, PAIR_S2C, MSG_CERTIFICATE, empty_certificate,
             TLSM_ALERT_DECODE_ERROR, "CERT_EMPTY_SERVER");
}

/* The last byte of the ALPN protocol the server chose ("h2" becomes "h3"). */
static void other_protocol(pair_buf *msg, void *ctx)
{
    (void)ctx;
    const uint8_t *end = msg->data + msg->len;
    for (uint8_t *e = msg->data + 4 + 2; e + 4 <= end; e += 4 + (e[2] << 8 | e[3]))
        if ((e[0] << 8 | e[1]) == EXT_ALPN) {
            e[4 + (e[2] << 8 | e[3]) - 1] ^= 0x01;
            return;
        }
    cr_assert_fail("no ALPN in EncryptedExtensions");
}

/* RFC 7301 s.3.1: the server's protocol must be one the client offered. */
Test(tls13_tamper, encrypted_extensions_alpn_not_offered)
{
    pair_opts co = {.alpn = "\x02h2", .min_version = TLSM_TLS13};
    pair_opts so = {.key = PAIR_KEY_P256, .alpn = "\x02h2"};
    reseal13 r = {.dir = PAIR_S2C, .msg_type = MSG_ENCRYPTED_EXTENSIONS, .edit = other_protocol};
    pair p;
    pair_init(&p, &co, &so, 15);
    p.hook = reseal13_hook;
    p.hook_ctx = &r;
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    cr_assert(r.done);
    pair_expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER, "ALPN_NOT_OFFERED");
    reseal13_free(&r);
    pair_free(&p);
}

/* The CertificateVerify names ecdsa_secp384r1_sha384 (offered by the client) for the
 * server's P-256 key. */
static void p384_scheme(pair_buf *msg, void *ctx)
{
    (void)ctx;
    cr_assert_eq(msg->data[4] << 8 | msg->data[5], TLSM_SIG_ECDSA_SECP256R1_SHA256);
    msg->data[4] = TLSM_SIG_ECDSA_SECP384R1_SHA384 >> 8;
    msg->data[5] = TLSM_SIG_ECDSA_SECP384R1_SHA384 & 0xff;
}

/* RFC 8446 s.4.2.3: in TLS 1.3 an ECDSA scheme names its curve; one that does not fit the
 * certificate's key is illegal_parameter (before any signature check). */
Test(tls13_tamper, certificate_verify_scheme_for_another_curve)
{
    tampered(PAIR_KEY_P256, 0, PAIR_S2C, MSG_CERTIFICATE_VERIFY, p384_scheme,
             TLSM_ALERT_ILLEGAL_PARAMETER, "SIG_SCHEME_KEY_MISMATCH");
}

/* ---------------------------------------------------------------- early data */

/* 200 bytes more in the client's Finished: its record deprotects but is over the limit. */
static void grow_finished(pair_buf *msg, void *ctx)
{
    (void)ctx;
    uint8_t more[200];
    memset(more, 0x5a, sizeof more);
    pair_buf_append(msg, more, sizeof more);
}

/* RFC 8446 s.4.2.10: a server that refused 0-RTT skips only the records that fail to
 * deprotect; a record that deprotects with the handshake key ends the early data, and any
 * other fault of it stays fatal: here one over the server's record_size_limit (RFC 8449
 * s.4, record_overflow) instead of being skipped. */
Test(tls13_tamper, record_over_the_limit_while_skipping_early_data)
{
    pair_opts co = {.min_version = TLSM_TLS13};
    pair_opts so = {.key = PAIR_KEY_P256, .record_size_limit = 64};
    reseal13 r = {.dir = PAIR_C2S, .msg_type = MSG_FINISHED, .edit = grow_finished};
    pair p;
    pair_init(&p, &co, &so, 15);
    p.side[PAIR_CLIENT].cfg->shape.send_early_data = 1;
    p.hook = reseal13_hook;
    p.hook_ctx = &r;
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    cr_assert(r.done);
    pair_expect_alert(&p, PAIR_SERVER, TLSM_ALERT_RECORD_OVERFLOW, "REC_DECRYPTED_TOO_LONG");
    reseal13_free(&r);
    pair_free(&p);
}

/* ---------------------------------------------------------------- after the handshake */

/* RFC 8446 s.4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)";
 * a client that gets one refuses it (illegal_parameter). The server is made to send one by
 * setting its config field directly (white box: the setter refuses it). */
Test(tls13_tamper, ticket_lifetime_over_seven_days)
{
    pair_opts co = {.min_version = TLSM_TLS13};
    pair p;
    pair_opts so = {.key = PAIR_KEY_P256};
    pair_init(&p, &co, &so, 15);
    p.side[PAIR_SERVER].cfg->ticket_lifetime = 604801;
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    pair_expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER, "NST_LIFETIME");
    pair_free(&p);
}

/* Seals a handshake message with side `who`'s current write key, as it would (white box:
 * the record layer of core/src/record with the connection's own cipher state). */
static void seal_from(pair *p, int who, const uint8_t *msg, size_t len)
{
    uint8_t out[64];
    size_t n = 0;
    cr_assert_eq(record_seal(&p->side[who].conn->rec.wr, 22, msg, len, 0, out, sizeof out, &n), 0);
    pair_inject(p, who == PAIR_CLIENT ? PAIR_C2S : PAIR_S2C, out, n);
}

/* RFC 8446 s.4.6.3: request_update "If an implementation receives any other value, it MUST
 * terminate the connection with an "illegal_parameter" alert." Both roles read KeyUpdate. */
Test(tls13_tamper, key_update_request_value_two)
{
    static const uint8_t ku[5] = {MSG_KEY_UPDATE, 0, 0, 1, 2};
    for (int from = 0; from < 2; from++) {
        pair_opts co = {.min_version = TLSM_TLS13};
        pair_opts so = {.key = PAIR_KEY_P256};
        pair p;
        pair_init(&p, &co, &so, 15);
        pair_connect(&p, PAIR_HOST);
        cr_assert_eq(pair_handshake(&p), 0);
        pair_pump(&p); /* the tickets */
        seal_from(&p, from, ku, sizeof ku);
        pair_pump(&p);
        pair_expect_alert(&p, 1 - from, TLSM_ALERT_ILLEGAL_PARAMETER, "KU_BAD_REQUEST");
        pair_free(&p);
    }
}
