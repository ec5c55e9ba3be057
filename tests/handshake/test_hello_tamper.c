/*
 * test_hello_tamper.c - hellos changed in flight, in both versions and both roles: each
 * field or extension a peer could get wrong, and the exact reason and alert the other
 * side must answer with (RFC 8446 s.4.1, s.4.2; RFC 5246 s.7.4.1; RFC 5746; RFC 7627;
 * RFC 8422). The hellos are plaintext, so the change is made on the wire
 * (tests/common/hello_edit.c takes them apart and puts them back); the handshake cannot
 * finish afterwards, and every case looks at the first check that must fire. These are
 * the checks issue 15's mutation run found exercised by no Criterion test.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hello_edit.h"
#include "pair.h"

#define CLIENT(p) ((p)->side[PAIR_CLIENT].conn)
#define SERVER(p) ((p)->side[PAIR_SERVER].conn)

enum {
    EXT_SUPPORTED_GROUPS = 10,
    EXT_SIGNATURE_ALGORITHMS = 13,
    EXT_ALPN = 16,
    EXT_PADDING = 21,
    EXT_EMS = 23,
    EXT_PRE_SHARED_KEY = 41,
    EXT_COOKIE = 44,
    EXT_PSK_MODES = 45,
    EXT_KEY_SHARE = 51,
    EXT_RENEGOTIATION_INFO = 0xff01,
    MSG_CLIENT_HELLO = 1,
    MSG_SERVER_KEY_EXCHANGE = 12
};

/* ---------------------------------------------------------------- the edit hook */

/* Edits the nth hello (from 0) that `dir` sends: a ServerHello (HelloRetryRequests count)
 * or a ClientHello. */
typedef struct hello_tamper hello_tamper;
struct hello_tamper {
    pair_dir dir;
    int nth;
    void (*sh)(sh_parts *sh, hello_tamper *t);
    void (*ch)(ch_parts *ch, hello_tamper *t);
    pair_buf saved; /* what an editor wants to keep from one hello for the next */
    int seen, done;
};

static int is_client_hello(const pair_buf *rec)
{
    return rec->len > 9 && rec->data[0] == 22 && rec->data[5] == MSG_CLIENT_HELLO;
}

static void tamper_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    hello_tamper *t = ctx;
    if (dir != t->dir || t->done || !(dir == PAIR_S2C ? sh_is(rec) : is_client_hello(rec)))
        return;
    if (t->seen++ != t->nth) {
        if (dir == PAIR_C2S && t->ch) {
            /* Earlier ClientHellos are read only: an editor may keep parts of them. */
            ch_parts ch;
            ch_split(rec, &ch);
            pair_buf *ks = ch_find_ext(&ch, EXT_KEY_SHARE);
            if (ks)
                pair_buf_set(&t->saved, ks->data, ks->len);
            ch_free(&ch);
        }
        return;
    }
    if (dir == PAIR_S2C) {
        sh_parts sh;
        sh_split(rec, &sh);
        t->sh(&sh, t);
        sh_join(&sh, rec);
        sh_free(&sh);
    } else {
        ch_parts ch;
        ch_extra x = {0};
        ch_split(rec, &ch);
        t->ch(&ch, t);
        ch_join(&ch, &x, rec);
        ch_free(&ch);
    }
    t->done = 1;
}

/* Connects (after a first clean handshake whose session the client offers, when resume),
 * with the edit hooked in, and runs as far as it goes. */
static void run(pair *p, const pair_opts *co, const pair_opts *so, hello_tamper *t, int resume)
{
    pair_init(p, co, so, 21);
    pair_connect(p, PAIR_HOST);
    if (resume) {
        cr_assert_eq(pair_handshake(p), 0, "the first handshake: %s", pair_reason(CLIENT(p)));
        pair_buf s = {0};
        cr_assert_eq(pair_get_session(p, &s), 0, "no session");
        pair_connect(p, PAIR_HOST);
        cr_assert_eq(tlsm_conn_set_session(CLIENT(p), s.data, s.len), 0);
        pair_buf_free(&s);
    }
    p->hook = tamper_hook;
    p->hook_ctx = t;
    pair_pump(p);
    cr_assert(t->done, "the hello to edit never came");
}

static void finish(pair *p, hello_tamper *t)
{
    pair_buf_free(&t->saved);
    pair_free(p);
}

/* One case: the hello edited by `t` must make `detector` fail for `why` with `alert`. */
static void expect(const pair_opts *co, const pair_opts *so, hello_tamper *t, int resume,
                   int detector, uint8_t alert, const char *why)
{
    pair p;
    run(&p, co, so, t, resume);
    pair_expect_alert(&p, detector, alert, why);
    finish(&p, t);
}

static const pair_opts server13 = {.key = PAIR_KEY_P256};
static const pair_opts client13 = {.min_version = TLSM_TLS13};

static const uint16_t ecdsa128[] = {TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
static const uint16_t ecdsa_both[] = {TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                      TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384};

static pair_opts opts12(int server)
{
    pair_opts o = {.min_version = TLSM_TLS12, .max_version = TLSM_TLS12, .suites = ecdsa128,
                   .n_suites = 1};
    if (server)
        o.key = PAIR_KEY_P256;
    return o;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---------------------------------------------------------------- TLS 1.3 ServerHello */

static void sh_compression_one(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    sh->comp = 1;
}

/* RFC 8446 s.4.1.3: legacy_compression_method "Single byte which MUST have the value 0". */
Test(hello_tamper, tls13_server_hello_compression)
{
    hello_tamper t = {.dir = PAIR_S2C, .sh = sh_compression_one};
    expect(&client13, &server13, &t, 0, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER,
           "SH_COMPRESSION");
}

/* A HelloRetryRequest for a group: the client offers X25519 and P-256 with an X25519
 * share, the server takes P-256 only. */
static const uint16_t x25519_p256[] = {TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1};
static const uint16_t p256_only[] = {TLSM_GROUP_SECP256R1};

static void hrr_without_key_share(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    cr_assert_not_null(sh_ext(sh, EXT_KEY_SHARE), "not a HelloRetryRequest for a group");
    sh_remove_ext(sh, EXT_KEY_SHARE);
}

/* s.4.1.4: "Clients MUST abort the handshake with an "illegal_parameter" alert if the
 * HelloRetryRequest would not result in any change in the ClientHello." */
Test(hello_tamper, hello_retry_request_that_changes_nothing)
{
    pair_opts co = {.min_version = TLSM_TLS13, .groups = x25519_p256, .n_groups = 2};
    pair_opts so = {.key = PAIR_KEY_P256, .groups = p256_only, .n_groups = 1};
    hello_tamper t = {.dir = PAIR_S2C, .sh = hrr_without_key_share};
    expect(&co, &so, &t, 0, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER, "HRR_NO_CHANGE");
}

static void other_tls13_suite(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    sh->suite = sh->suite == TLSM_TLS_AES_128_GCM_SHA256 ? TLSM_TLS_AES_256_GCM_SHA384
                                                          : TLSM_TLS_AES_128_GCM_SHA256;
}

/* s.4.1.4: "Upon receiving the ServerHello, clients MUST check that the cipher suite
 * supplied in the ServerHello is the same as that in the HelloRetryRequest and otherwise
 * abort the handshake with an "illegal_parameter" alert." */
Test(hello_tamper, server_hello_suite_differs_from_hello_retry_request)
{
    pair_opts co = {.min_version = TLSM_TLS13, .groups = x25519_p256, .n_groups = 2};
    pair_opts so = {.key = PAIR_KEY_P256, .groups = p256_only, .n_groups = 1};
    hello_tamper t = {.dir = PAIR_S2C, .nth = 1, .sh = other_tls13_suite};
    expect(&co, &so, &t, 0, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER,
           "SH_SUITE_CHANGED_AFTER_HRR");
}

static void add_alpn(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    sh_add_ext(sh, EXT_ALPN, "\x00\x03\x02h2", 5);
}

/* s.4.2: "If an implementation receives an extension which it recognizes and which is not
 * specified for the message in which it appears, it MUST abort the handshake with an
 * "illegal_parameter" alert"; one the client did not offer is unsupported_extension. */
Test(hello_tamper, tls13_server_hello_unsolicited_extension)
{
    hello_tamper t = {.dir = PAIR_S2C, .sh = add_alpn};
    expect(&client13, &server13, &t, 0, PAIR_CLIENT, TLSM_ALERT_UNSUPPORTED_EXTENSION,
           "EXT_UNSOLICITED");
}

static void psk_identity_one(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    pair_buf *psk = sh_ext(sh, EXT_PRE_SHARED_KEY);
    cr_assert(psk && psk->len == 2, "the server did not accept the PSK");
    psk->data[1] = 1;
}

/* s.4.2.11: "Clients MUST verify that the server's selected_identity is within the range
 * supplied by the client" (illegal_parameter). */
Test(hello_tamper, server_hello_selects_a_psk_not_offered)
{
    hello_tamper t = {.dir = PAIR_S2C, .sh = psk_identity_one};
    expect(&client13, &server13, &t, 1, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER,
           "SH_PSK_NOT_OFFERED");
}

static void share_in_other_group(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    pair_buf *ks = sh_ext(sh, EXT_KEY_SHARE);
    cr_assert(ks && ks->len > 4);
    uint16_t other = get16(ks->data) == TLSM_GROUP_SECP256R1 ? TLSM_GROUP_X25519
                                                             : TLSM_GROUP_SECP256R1;
    ks->data[0] = (uint8_t)(other >> 8);
    ks->data[1] = (uint8_t)other;
}

/* s.4.2.8: "If using (EC)DHE key establishment, servers offer exactly one KeyShareEntry
 * in the ServerHello. This value MUST be in the same group as the KeyShareEntry value
 * offered by the client that the server has selected" (illegal_parameter). */
Test(hello_tamper, server_hello_share_in_another_group)
{
    hello_tamper t = {.dir = PAIR_S2C, .sh = share_in_other_group};
    expect(&client13, &server13, &t, 0, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER,
           "SH_KEY_SHARE_GROUP");
}

/* ---------------------------------------------------------------- TLS 1.2 ServerHello */

static void aes256_suite(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    sh->suite = TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
}

/* RFC 5246 s.7.4.1.3: cipher_suite is "The single cipher suite selected by the server from
 * the list in ClientHello.cipher_suites" (the client offered only AES-128). */
Test(hello_tamper, tls12_server_hello_suite_not_offered)
{
    pair_opts co = opts12(0), so = opts12(1);
    so.suites = ecdsa_both;
    so.n_suites = 2;
    hello_tamper t = {.dir = PAIR_S2C, .sh = aes256_suite};
    expect(&co, &so, &t, 0, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER, "SH12_SUITE_NOT_OFFERED");
}

static void renegotiation_info_not_empty(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    pair_buf *ri = sh_ext(sh, EXT_RENEGOTIATION_INFO);
    cr_assert_not_null(ri, "no renegotiation_info in the ServerHello");
    pair_buf_set(ri, "\x01\x55", 2);
}

/* RFC 5746 s.3.4: on the initial handshake "the client MUST then verify that the length of
 * the "renegotiated_connection" field is zero, and if it is not, MUST abort the handshake
 * (by sending a fatal handshake_failure alert)." */
Test(hello_tamper, tls12_server_hello_renegotiation_info_not_empty)
{
    pair_opts co = opts12(0), so = opts12(1);
    hello_tamper t = {.dir = PAIR_S2C, .sh = renegotiation_info_not_empty};
    expect(&co, &so, &t, 0, PAIR_CLIENT, TLSM_ALERT_HANDSHAKE_FAILURE,
           "SH12_RENEGOTIATION_INFO");
}

/* RFC 5246 s.7.4.1.4: "If a client receives an extension type in ServerHello that it did
 * not request in the associated ClientHello, it MUST abort the handshake with an
 * unsupported_extension fatal alert." */
Test(hello_tamper, tls12_server_hello_unsolicited_extension)
{
    pair_opts co = opts12(0), so = opts12(1);
    hello_tamper t = {.dir = PAIR_S2C, .sh = add_alpn};
    expect(&co, &so, &t, 0, PAIR_CLIENT, TLSM_ALERT_UNSUPPORTED_EXTENSION,
           "SH12_EXT_UNSOLICITED");
}

static void rsa_suite(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    sh->suite = TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
}

/* RFC 5246 s.7.4.2 / RFC 8422 s.5.3: the server's certificate must carry the key the suite
 * names: an ECDSA certificate under an ECDHE_RSA suite (which the client offered) is
 * unsupported_certificate. */
Test(hello_tamper, tls12_certificate_key_not_for_the_suite)
{
    static const uint16_t suites[] = {TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                      TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
    pair_opts co = opts12(0), so = opts12(1);
    co.suites = suites;
    co.n_suites = 2;
    hello_tamper t = {.dir = PAIR_S2C, .sh = rsa_suite};
    expect(&co, &so, &t, 0, PAIR_CLIENT, TLSM_ALERT_UNSUPPORTED_CERTIFICATE,
           "CERT_KEY_NOT_FOR_SUITE");
}

static void drop_ems(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    cr_assert_not_null(sh_ext(sh, EXT_EMS));
    sh_remove_ext(sh, EXT_EMS);
}

/* RFC 7627 s.5.3: "If the original session used the extension but the new ServerHello does
 * not contain the extension, the client MUST abort the handshake." The client here does
 * not require the extension for full handshakes, so only the resumption rule fires. */
Test(hello_tamper, tls12_resumed_server_hello_without_ems)
{
    pair_opts co = opts12(0), so = opts12(1);
    co.no_require_ems = 1;
    hello_tamper t = {.dir = PAIR_S2C, .sh = drop_ems};
    expect(&co, &so, &t, 1, PAIR_CLIENT, TLSM_ALERT_HANDSHAKE_FAILURE, "SH12_RESUMED_EMS");
}

static void other_suite_offered(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    sh->suite = sh->suite == ecdsa_both[0] ? ecdsa_both[1] : ecdsa_both[0];
}

/* RFC 5246 s.7.4.1.3: a resumed session keeps the cipher suite it was made with. */
Test(hello_tamper, tls12_resumed_server_hello_with_another_suite)
{
    pair_opts co = opts12(0), so = opts12(1);
    co.suites = so.suites = ecdsa_both;
    co.n_suites = so.n_suites = 2;
    hello_tamper t = {.dir = PAIR_S2C, .sh = other_suite_offered};
    expect(&co, &so, &t, 1, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER, "SH12_RESUMED_SUITE");
}

static void tls11_sentinel(sh_parts *sh, hello_tamper *t)
{
    (void)t;
    static const uint8_t sentinel[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00};
    memcpy(sh->head.data + 2 + 24, sentinel, sizeof sentinel);
}

/* RFC 8446 s.4.1.3: "TLS 1.3 clients receiving a ServerHello indicating TLS 1.2 or below
 * MUST check that the last 8 bytes are not equal to either of these values" - here the
 * one a server that negotiates TLS 1.1 or below would write. */
Test(hello_tamper, tls12_server_hello_with_the_tls11_downgrade_sentinel)
{
    pair_opts co = {.suites = ecdsa128, .n_suites = 1};
    pair_opts so = opts12(1);
    hello_tamper t = {.dir = PAIR_S2C, .sh = tls11_sentinel};
    expect(&co, &so, &t, 0, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER, "SH_DOWNGRADE");
}

/* The ServerKeyExchange's named curve becomes secp384r1, which the client did not offer
 * (the check comes before the signature's, so the broken signature does not matter). */
static void ske_p384_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    int *done = ctx;
    size_t len = 0;
    if (dir != PAIR_S2C || *done)
        return;
    size_t at = pair_hs_find(rec, MSG_SERVER_KEY_EXCHANGE, &len);
    if (at == PAIR_NONE)
        return;
    cr_assert_eq(rec->data[at + 4], 3, "not named_curve");
    rec->data[at + 5] = TLSM_GROUP_SECP384R1 >> 8;
    rec->data[at + 6] = TLSM_GROUP_SECP384R1 & 0xff;
    *done = 1;
}

/* RFC 8422 s.5.4 / s.5.1: the server picks a curve from the client's supported_groups. */
Test(hello_tamper, tls12_server_key_exchange_curve_not_offered)
{
    pair_opts co = opts12(0), so = opts12(1);
    co.groups = so.groups = x25519_p256;
    co.n_groups = so.n_groups = 2;
    int done = 0;
    pair p;
    pair_init(&p, &co, &so, 21);
    p.hook = ske_p384_hook;
    p.hook_ctx = &done;
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    cr_assert(done);
    pair_expect_alert(&p, PAIR_CLIENT, TLSM_ALERT_ILLEGAL_PARAMETER, "SKE_CURVE");
    pair_free(&p);
}

/* ---------------------------------------------------------------- ClientHello, TLS 1.3 */

static void compression_null_and_one(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    pair_buf_set(&ch->comp, "\x00\x01", 2);
}

/* RFC 8446 s.4.1.2: in TLS 1.3 legacy_compression_methods "MUST contain exactly one byte,
 * set to zero" (illegal_parameter). */
Test(hello_tamper, tls13_client_hello_two_compression_methods)
{
    hello_tamper t = {.dir = PAIR_C2S, .ch = compression_null_and_one};
    expect(&client13, &server13, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER,
           "CH_COMPRESSION");
}

/* The first KeyShareEntry of the client's key_share (after the list's length). */
static size_t first_entry_len(const pair_buf *ks)
{
    return 4 + get16(ks->data + 4);
}

static void duplicate_share(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    pair_buf *ks = ch_ext(ch, EXT_KEY_SHARE);
    size_t n = first_entry_len(ks);
    pair_buf out = {0};
    hello_put16(&out, get16(ks->data) + n);
    pair_buf_append(&out, ks->data + 2, ks->len - 2);
    pair_buf_append(&out, ks->data + 2, n);
    pair_buf_set(ks, out.data, out.len);
    pair_buf_free(&out);
}

/* s.4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same group ...
 * Servers MAY check for violations of these rules and abort the handshake with an
 * "illegal_parameter" alert if one is violated." */
Test(hello_tamper, client_hello_two_shares_for_one_group)
{
    hello_tamper t = {.dir = PAIR_C2S, .ch = duplicate_share};
    expect(&client13, &server13, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER,
           "CH_KEY_SHARE_DUPLICATE");
}

static void share_group_not_listed(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    uint16_t share = get16(ch_ext(ch, EXT_KEY_SHARE)->data + 2);
    pair_buf *sg = ch_ext(ch, EXT_SUPPORTED_GROUPS);
    pair_buf out = {0};
    hello_put16(&out, 0);
    for (size_t i = 2; i + 2 <= sg->len; i += 2)
        if (get16(sg->data + i) != share)
            pair_buf_append(&out, sg->data + i, 2);
    out.data[0] = (uint8_t)((out.len - 2) >> 8);
    out.data[1] = (uint8_t)(out.len - 2);
    cr_assert_lt(out.len, sg->len, "the share's group was not listed");
    pair_buf_set(sg, out.data, out.len);
    pair_buf_free(&out);
}

/* s.4.2.8: "Clients MUST NOT offer any KeyShareEntry values for groups not listed in the
 * client's "supported_groups" extension." */
Test(hello_tamper, client_hello_share_for_a_group_not_listed)
{
    hello_tamper t = {.dir = PAIR_C2S, .ch = share_group_not_listed};
    expect(&client13, &server13, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER,
           "CH_KEY_SHARE_NOT_IN_GROUPS");
}

/* The client's X25519 share replaced: all zeros (a small-order point: the shared secret
 * is all zeros), or the real share with one byte more. */
static void x25519_share(ch_parts *ch, int all_zero)
{
    pair_buf *ks = ch_ext(ch, EXT_KEY_SHARE);
    cr_assert_eq(get16(ks->data + 2), TLSM_GROUP_X25519, "the first share is not X25519");
    cr_assert_eq(get16(ks->data + 4), 32);
    uint8_t pub[33];
    memcpy(pub, ks->data + 6, 32);
    if (all_zero)
        memset(pub, 0, 32);
    pub[32] = 0x01;
    size_t len = all_zero ? 32 : 33;
    pair_buf out = {0};
    hello_put16(&out, 4 + len);
    hello_put16(&out, TLSM_GROUP_X25519);
    hello_put16(&out, len);
    pair_buf_append(&out, pub, len);
    pair_buf_set(ks, out.data, out.len);
    pair_buf_free(&out);
}

static void x25519_all_zero(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    x25519_share(ch, 1);
}

static void x25519_33_bytes(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    x25519_share(ch, 0);
}

/* s.7.4.2: "For X25519 and X448, ... implementations MUST check whether the computed
 * Diffie-Hellman shared secret is the all-zero value and abort if so"; s.4.2.8.2: an
 * X25519 key_exchange is the 32-byte public value. Both are illegal_parameter. */
Test(hello_tamper, client_hello_x25519_share_all_zero)
{
    pair_opts co = {.min_version = TLSM_TLS13, .groups = x25519_p256, .n_groups = 2};
    hello_tamper t = {.dir = PAIR_C2S, .ch = x25519_all_zero};
    expect(&co, &server13, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER,
           "CH_KEY_SHARE_INVALID");
}

Test(hello_tamper, client_hello_x25519_share_33_bytes)
{
    pair_opts co = {.min_version = TLSM_TLS13, .groups = x25519_p256, .n_groups = 2};
    hello_tamper t = {.dir = PAIR_C2S, .ch = x25519_33_bytes};
    expect(&co, &server13, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER,
           "CH_KEY_SHARE_INVALID");
}

/* ---------------------------------------------------------------- ClientHello, PSK */

static void psk_not_last(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    size_t n = ch->n_ext;
    cr_assert_eq(ch->ext_type[n - 1], EXT_PRE_SHARED_KEY, "no PSK offered");
    uint16_t type = ch->ext_type[n - 2];
    pair_buf data = ch->ext[n - 2];
    ch->ext_type[n - 2] = ch->ext_type[n - 1];
    ch->ext[n - 2] = ch->ext[n - 1];
    ch->ext_type[n - 1] = type;
    ch->ext[n - 1] = data;
}

/* s.4.2.11: "The "pre_shared_key" extension MUST be the last extension in the ClientHello
 * ... Servers MUST check that it is the last extension and otherwise fail the handshake
 * with an "illegal_parameter" alert." */
Test(hello_tamper, client_hello_psk_not_last)
{
    hello_tamper t = {.dir = PAIR_C2S, .ch = psk_not_last};
    expect(&client13, &server13, &t, 1, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER,
           "CH_PSK_NOT_LAST");
}

static void no_psk_modes(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    cr_assert_not_null(ch_find_ext(ch, EXT_PSK_MODES));
    ch_remove_ext(ch, EXT_PSK_MODES);
}

/* s.4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes"
 * extension, servers MUST abort the handshake" (s.9.2: missing_extension). */
Test(hello_tamper, client_hello_psk_without_modes)
{
    hello_tamper t = {.dir = PAIR_C2S, .ch = no_psk_modes};
    expect(&client13, &server13, &t, 1, PAIR_SERVER, TLSM_ALERT_MISSING_EXTENSION,
           "PSK_NO_MODES");
}

static void binder_flipped(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    pair_buf *psk = ch_ext(ch, EXT_PRE_SHARED_KEY);
    psk->data[psk->len - 1] ^= 0x01;
}

/* s.4.2.11: the binder is a MAC over the ClientHello with the PSK; "If this value does not
 * validate, the server MUST abort the handshake" (decrypt_error). */
Test(hello_tamper, client_hello_psk_binder_wrong)
{
    hello_tamper t = {.dir = PAIR_C2S, .ch = binder_flipped};
    expect(&client13, &server13, &t, 1, PAIR_SERVER, TLSM_ALERT_DECRYPT_ERROR,
           "PSK_BINDER_INVALID");
}

/* ---------------------------------------------------------------- the second ClientHello */

static void ch2_random_changed(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    ch->head.data[2 + 5] ^= 0x01;
}

static void ch2_session_id_changed(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    cr_assert_eq(ch->head.data[34], 32, "no legacy_session_id (middlebox compatibility)");
    ch->head.data[35] ^= 0x01;
}

/* s.4.1.2: after a HelloRetryRequest "the client MUST send the same ClientHello without
 * modification", except for what the retry asked: another legacy_session_id is
 * illegal_parameter. */
Test(hello_tamper, second_client_hello_with_another_session_id)
{
    pair_opts so = {.key = PAIR_KEY_P256, .require_cookie = 1};
    hello_tamper t = {.dir = PAIR_C2S, .nth = 1, .ch = ch2_session_id_changed};
    expect(&client13, &so, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER, "CH2_CHANGED");
}

/* The same for another random (before the fix the server copied the second hello's
 * random over the first's before comparing them, and the change was caught only later,
 * as bad_record_mac when the transcripts differed). */
Test(hello_tamper, second_client_hello_with_another_random)
{
    pair_opts so = {.key = PAIR_KEY_P256, .require_cookie = 1};
    hello_tamper t = {.dir = PAIR_C2S, .nth = 1, .ch = ch2_random_changed};
    expect(&client13, &so, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER, "CH2_CHANGED");
}

static void ch2_suites_reordered(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    cr_assert_geq(ch->suites.len, 4, "one suite only");
    uint8_t first[2] = {ch->suites.data[0], ch->suites.data[1]};
    memmove(ch->suites.data, ch->suites.data + 2, ch->suites.len - 2);
    memcpy(ch->suites.data + ch->suites.len - 2, first, 2);
}

/* s.4.1.2: the cipher suites are not among the allowed changes: another order (the suite
 * chosen from the first hello is still offered) is illegal_parameter. */
Test(hello_tamper, second_client_hello_with_suites_reordered)
{
    pair_opts so = {.key = PAIR_KEY_P256, .require_cookie = 1};
    hello_tamper t = {.dir = PAIR_C2S, .nth = 1, .ch = ch2_suites_reordered};
    expect(&client13, &so, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER, "CH2_CHANGED");
}

static void ch2_sigalgs_swapped(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    pair_buf *sa = ch_ext(ch, EXT_SIGNATURE_ALGORITHMS);
    cr_assert_geq(sa->len, 6, "one signature scheme only");
    /* The first two schemes trade places: the same length, other bytes. */
    uint8_t first[2] = {sa->data[2], sa->data[3]};
    memcpy(sa->data + 2, sa->data + 4, 2);
    memcpy(sa->data + 4, first, 2);
}

static void ch2_unknown_extension(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    ch_add_ext(ch, 0xfaf0, "", 0);
}

static void ch2_padding_added(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    static const uint8_t zeros[64] = {0};
    cr_assert_null(ch_find_ext(ch, EXT_PADDING));
    ch_add_ext(ch, EXT_PADDING, zeros, sizeof zeros);
}

/* s.4.1.2: any extension other than key_share, early_data, cookie, pre_shared_key and
 * padding must come back unchanged: one whose entries changed places, or one that was not
 * in the first hello (even an empty one of a type the server does not know), is
 * illegal_parameter. */
Test(hello_tamper, second_client_hello_with_another_extension)
{
    pair_opts so = {.key = PAIR_KEY_P256, .require_cookie = 1};
    hello_tamper t = {.dir = PAIR_C2S, .nth = 1, .ch = ch2_sigalgs_swapped};
    expect(&client13, &so, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER, "CH2_CHANGED");
}

Test(hello_tamper, second_client_hello_with_an_extension_added)
{
    pair_opts so = {.key = PAIR_KEY_P256, .require_cookie = 1};
    hello_tamper t = {.dir = PAIR_C2S, .nth = 1, .ch = ch2_unknown_extension};
    expect(&client13, &so, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER, "CH2_CHANGED");
}

/* The control: s.4.1.2 lets the client add padding to its second hello; the server takes
 * it and answers with its flight. The client, whose transcript lacks the padding, has other
 * handshake keys: the EncryptedExtensions record does not open, and the server cannot open
 * the client's alert, sealed under those keys, either. Neither fails on the hello. */
Test(hello_tamper, second_client_hello_with_padding_added_is_accepted)
{
    pair_opts so = {.key = PAIR_KEY_P256, .require_cookie = 1};
    hello_tamper t = {.dir = PAIR_C2S, .nth = 1, .ch = ch2_padding_added};
    pair p;
    run(&p, &client13, &so, &t, 0);
    cr_assert_str_eq(pair_reason(SERVER(&p)), "REC_BAD_MAC", "server: %s",
                     pair_reason(SERVER(&p)));
    cr_assert_str_eq(pair_reason(CLIENT(&p)), "REC_BAD_MAC", "client: %s",
                     pair_reason(CLIENT(&p)));
    finish(&p, &t);
}

static void ch2_two_shares(ch_parts *ch, hello_tamper *t)
{
    cr_assert_gt(t->saved.len, 2, "no key_share in the first ClientHello");
    pair_buf *ks = ch_ext(ch, EXT_KEY_SHARE);
    size_t n = first_entry_len(&t->saved);
    pair_buf out = {0};
    hello_put16(&out, get16(ks->data) + n);
    pair_buf_append(&out, ks->data + 2, ks->len - 2);
    pair_buf_append(&out, t->saved.data + 2, n);
    pair_buf_set(ks, out.data, out.len);
    pair_buf_free(&out);
}

/* s.4.1.2: after a HelloRetryRequest with a key_share, the second ClientHello replaces the
 * shares with "a single KeyShareEntry from the group indicated in the HelloRetryRequest":
 * here the P-256 share asked for plus the first hello's X25519 share. */
Test(hello_tamper, second_client_hello_with_two_shares)
{
    pair_opts co = {.min_version = TLSM_TLS13, .groups = x25519_p256, .n_groups = 2};
    pair_opts so = {.key = PAIR_KEY_P256, .groups = p256_only, .n_groups = 1};
    hello_tamper t = {.dir = PAIR_C2S, .nth = 1, .ch = ch2_two_shares};
    expect(&co, &so, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER, "CH2_SHARES");
}

static void ch2_no_cookie(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    cr_assert_not_null(ch_find_ext(ch, EXT_COOKIE));
    ch_remove_ext(ch, EXT_COOKIE);
}

/* s.4.2.2: a client that gets a cookie "MUST copy the contents of the extension received
 * in the HelloRetryRequest into a "cookie" extension in the new ClientHello"; without it
 * the server, which sent one, refuses (missing_extension). */
Test(hello_tamper, second_client_hello_without_the_cookie)
{
    pair_opts so = {.key = PAIR_KEY_P256, .require_cookie = 1};
    hello_tamper t = {.dir = PAIR_C2S, .nth = 1, .ch = ch2_no_cookie};
    expect(&client13, &so, &t, 0, PAIR_SERVER, TLSM_ALERT_MISSING_EXTENSION, "COOKIE_MISSING");
}

static void ch2_cookie_added(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    cr_assert_null(ch_find_ext(ch, EXT_COOKIE));
    ch_add_ext(ch, EXT_COOKIE, "\x00\x04" "abcd", 6);
    /* pre_shared_key stays last when there is one; there is none here. */
}

/* s.4.2.2: cookies come only from a HelloRetryRequest; a second ClientHello with a cookie
 * the server never sent (its retry asked for a group only) is illegal_parameter. */
Test(hello_tamper, second_client_hello_with_an_unsolicited_cookie)
{
    pair_opts co = {.min_version = TLSM_TLS13, .groups = x25519_p256, .n_groups = 2};
    pair_opts so = {.key = PAIR_KEY_P256, .groups = p256_only, .n_groups = 1};
    hello_tamper t = {.dir = PAIR_C2S, .nth = 1, .ch = ch2_cookie_added};
    expect(&co, &so, &t, 0, PAIR_SERVER, TLSM_ALERT_ILLEGAL_PARAMETER, "COOKIE_UNSOLICITED");
}

/* ---------------------------------------------------------------- ClientHello, TLS 1.2 */

static void ch_renegotiation_info_not_empty(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    pair_buf_set(ch_ext(ch, EXT_RENEGOTIATION_INFO), "\x01\x55", 2);
}

/* RFC 5746 s.3.6: on an initial handshake "the server MUST then verify that the length of
 * the "renegotiated_connection" field is zero, and if it is not, MUST abort the handshake"
 * (handshake_failure). */
Test(hello_tamper, tls12_client_hello_renegotiation_info_not_empty)
{
    pair_opts co = opts12(0), so = opts12(1);
    hello_tamper t = {.dir = PAIR_C2S, .ch = ch_renegotiation_info_not_empty};
    expect(&co, &so, &t, 0, PAIR_SERVER, TLSM_ALERT_HANDSHAKE_FAILURE,
           "CH12_RENEGOTIATION_INFO");
}

static void ch_without_ems(ch_parts *ch, hello_tamper *t)
{
    (void)t;
    cr_assert_not_null(ch_find_ext(ch, EXT_EMS));
    ch_remove_ext(ch, EXT_EMS);
}

/* RFC 7627 s.5.3: "If the original session used the "extended_master_secret" extension but
 * the new ClientHello does not contain it, the server MUST abort the abbreviated
 * handshake." The server here does not require the extension for full handshakes. */
Test(hello_tamper, tls12_resumption_client_hello_without_ems)
{
    pair_opts co = opts12(0), so = opts12(1);
    so.no_require_ems = 1;
    hello_tamper t = {.dir = PAIR_C2S, .ch = ch_without_ems};
    expect(&co, &so, &t, 1, PAIR_SERVER, TLSM_ALERT_HANDSHAKE_FAILURE,
           "CH12_RESUME_WITHOUT_EMS");
}

/* ---------------------------------------------------------------- alerts */

/* A plaintext warning (user_canceled) right after the ServerHello, when the client has
 * its handshake keys. */
static void plain_warning_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    int *done = ctx;
    static const uint8_t warning[7] = {21, 3, 3, 0, 2, 1, TLSM_ALERT_USER_CANCELED};
    if (dir != PAIR_S2C || *done || !sh_is(rec))
        return;
    pair_buf_append(rec, warning, sizeof warning);
    *done = 1;
}

/* RFC 8446 s.5: once the handshake keys are in place every record is protected; a peer
 * that failed before it had keys may still send its (fatal) alert in the clear, but an
 * unprotected warning then cannot be trusted: it ends the handshake like a fatal one
 * (s.6: in TLS 1.3 only close_notify and user_canceled may be warnings at all). */
Test(hello_tamper, tls13_plaintext_warning_after_keys_is_fatal)
{
    int done = 0;
    pair p;
    pair_init(&p, &client13, &server13, 21);
    p.hook = plain_warning_hook;
    p.hook_ctx = &done;
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    cr_assert(done);
    cr_assert_eq(tlsm_conn_error(CLIENT(&p)), TLSM_ERR_PEER_ALERT(TLSM_ALERT_USER_CANCELED),
                 "%s", tlsm_strerror(tlsm_conn_error(CLIENT(&p))));
    cr_assert_str_eq(pair_reason(CLIENT(&p)), "PEER_ALERT");
    cr_assert_not(tlsm_conn_handshake_done(CLIENT(&p)));
    pair_free(&p);
}

/* ---------------------------------------------------------------- record framing */

/* RFC 8446 s.5.2: "The length MUST NOT exceed 2^14 + 256 bytes. An endpoint that receives
 * a record that exceeds this length MUST terminate the connection with a
 * "record_overflow" alert." Known from the header alone, before any body arrives (TLS 1.2
 * allows 2^14 + 2048, which this length is below). */
Test(hello_tamper, tls13_record_header_over_the_bound)
{
    static const uint8_t header[5] = {22, 3, 3, (16384 + 257) >> 8, (16384 + 257) & 0xff};
    pair p;
    pair_init(&p, &client13, &server13, 21);
    pair_connect(&p, PAIR_HOST);
    size_t consumed = 0;
    int rc = tlsm_feed(SERVER(&p), header, sizeof header, &consumed);
    cr_assert_eq(rc, TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_RECORD_OVERFLOW), "%s", tlsm_strerror(rc));
    cr_assert_str_eq(pair_reason(SERVER(&p)), "REC_TOO_LONG");
    pair_free(&p);
}
