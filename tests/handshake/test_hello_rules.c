/*
 * test_hello_rules.c - version rules of the hellos (issue 16 items 4 and 8):
 *   - RFC 7507 s.3: a ClientHello with TLS_FALLBACK_SCSV whose highest version is below
 *     the server's highest gets inappropriate_fallback; at the server's highest version
 *     the signal changes nothing;
 *   - RFC 8446 D.5: a ClientHello or ServerHello legacy_version of 0x0300 or less gets
 *     protocol_version, with or without supported_versions; TLS 1.0's 0x0301 in a TLS 1.3
 *     ClientHello is fine (D.2 lets clients send it);
 *   - D.1: a ServerHello legacy_version above 0x0303 gets protocol_version;
 *   - s.4.1.4: a ServerHello after HelloRetryRequest without supported_versions (a change
 *     of the selected version) gets illegal_parameter.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hello_edit.h"
#include "pair.h"

#define HS_SERVER_HELLO 2
#define FALLBACK_SCSV 0x5600
#define EXT_SUPPORTED_VERSIONS 43

static void add_fallback_scsv(ch_parts *ch, ch_extra *x)
{
    (void)x;
    hello_put16(&ch->suites, FALLBACK_SCSV);
}

static void legacy_version_0300(ch_parts *ch, ch_extra *x)
{
    (void)x;
    ch->head.data[0] = 3;
    ch->head.data[1] = 0;
}

static void legacy_version_0200(ch_parts *ch, ch_extra *x)
{
    (void)x;
    ch->head.data[0] = 2;
    ch->head.data[1] = 0;
}

static void legacy_version_0301(ch_parts *ch, ch_extra *x)
{
    (void)x;
    ch->head.data[0] = 3;
    ch->head.data[1] = 1;
}

/* Versions of the two sides, one hello edit; returns the pair for the test to judge. */
static void run(pair *p, hello_edit *e, uint16_t client_max, uint16_t server_max,
                ch_edit_fn edit)
{
    pair_opts co = {.min_version = TLSM_TLS12, .max_version = client_max};
    pair_opts so = {.key = PAIR_KEY_P256, .min_version = TLSM_TLS12, .max_version = server_max};
    pair_init(p, &co, &so, 5);
    pair_connect(p, PAIR_HOST);
    hello_edit_run(p, e, edit);
}

/* The server refused the hello with this reason and alert, and sent no ServerHello. */
static void expect_refused(pair *p, hello_edit *e, const char *reason, int alert)
{
    tlsm_error_detail d;
    cr_assert_eq(tlsm_conn_error_detail(p->side[PAIR_SERVER].conn, &d), 0);
    cr_assert_str_eq(d.reason, reason, "server: %s (%s)", d.reason, d.text);
    cr_assert_eq(d.alert_sent, alert);
    cr_assert_eq(tlsm_conn_error(p->side[PAIR_CLIENT].conn), TLSM_ERR_PEER_ALERT(alert));
    size_t n = 0;
    cr_assert_null(hello_server_msg(e, HS_SERVER_HELLO, &n), "a ServerHello was sent");
}

/* The server answered the hello with a ServerHello of this version. */
static void expect_answered(pair *p, hello_edit *e, uint16_t version)
{
    size_t n = 0;
    const uint8_t *sh = hello_server_msg(e, HS_SERVER_HELLO, &n);
    cr_assert_not_null(sh, "no ServerHello: %s", pair_reason(p->side[PAIR_SERVER].conn));
    const uint8_t *sv = hello_sh_ext(e, EXT_SUPPORTED_VERSIONS, &n);
    uint16_t chosen = (uint16_t)(sv && n == 2 ? hello_get16(sv) : hello_get16(sh));
    cr_assert_eq(chosen, version, "the server chose %04x", chosen);
}

Test(hello_rules, fallback_scsv_below_our_highest_version)
{
    pair p;
    hello_edit e;
    run(&p, &e, TLSM_TLS12, TLSM_TLS13, add_fallback_scsv);
    expect_refused(&p, &e, "CH_INAPPROPRIATE_FALLBACK", TLSM_ALERT_INAPPROPRIATE_FALLBACK);
    hello_edit_free(&e);
    pair_free(&p);
}

Test(hello_rules, fallback_scsv_at_our_highest_version)
{
    static const uint16_t versions[][2] = {{TLSM_TLS13, TLSM_TLS13},
                                           {TLSM_TLS12, TLSM_TLS12}};
    for (size_t i = 0; i < 2; i++) {
        pair p;
        hello_edit e;
        run(&p, &e, versions[i][0], versions[i][1], add_fallback_scsv);
        expect_answered(&p, &e, versions[i][0]);
        hello_edit_free(&e);
        pair_free(&p);
    }
}

Test(hello_rules, client_hello_legacy_version_ssl3_or_older)
{
    static const ch_edit_fn edits[] = {legacy_version_0300, legacy_version_0200};
    for (size_t i = 0; i < 2; i++) {
        /* With supported_versions (a 1.3 client) and without (1.2 only). */
        for (int v = 0; v < 2; v++) {
            pair p;
            hello_edit e;
            run(&p, &e, v ? TLSM_TLS12 : TLSM_TLS13, TLSM_TLS13, edits[i]);
            expect_refused(&p, &e, "CH_LEGACY_VERSION_SSL3", TLSM_ALERT_PROTOCOL_VERSION);
            hello_edit_free(&e);
            pair_free(&p);
        }
    }
}

Test(hello_rules, client_hello_legacy_version_tls10_with_supported_versions)
{
    pair p;
    hello_edit e;
    run(&p, &e, TLSM_TLS13, TLSM_TLS13, legacy_version_0301);
    expect_answered(&p, &e, TLSM_TLS13);
    hello_edit_free(&e);
    pair_free(&p);
}

/* ServerHello.legacy_version (bytes 9-10 of the first server record) set to 0x0300. */
static void sh_version_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)ctx;
    if (dir == PAIR_S2C && index == 0 && rec->len > 11 && rec->data[5] == HS_SERVER_HELLO) {
        rec->data[9] = 3;
        rec->data[10] = 0;
    }
}

Test(hello_rules, server_hello_legacy_version_ssl3)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TLSM_TLS12 : TLSM_TLS13;
        pair p;
        pair_init(&p, &(pair_opts){.min_version = version, .max_version = version},
                  &(pair_opts){.key = PAIR_KEY_P256, .min_version = version,
                               .max_version = version},
                  6);
        pair_connect(&p, PAIR_HOST);
        p.hook = sh_version_hook;
        cr_assert_neq(pair_handshake(&p), 0);
        tlsm_error_detail d;
        cr_assert_eq(tlsm_conn_error_detail(p.side[PAIR_CLIENT].conn, &d), 0);
        cr_assert_str_eq(d.reason, "SH_LEGACY_VERSION_SSL3", "v%04x client: %s", version,
                         d.reason);
        cr_assert_eq(d.alert_sent, TLSM_ALERT_PROTOCOL_VERSION);
        pair_free(&p);
    }
}

/* ServerHello.legacy_version set to 0x1234, a version no TLS has. */
static void sh_version_1234_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)ctx;
    if (dir == PAIR_S2C && index == 0 && rec->len > 11 && rec->data[5] == HS_SERVER_HELLO) {
        rec->data[9] = 0x12;
        rec->data[10] = 0x34;
    }
}

/* RFC 8446 D.1: "If the version chosen by the server is not supported by the client (or
 * is not acceptable), the client MUST abort the handshake with a "protocol_version"
 * alert": a legacy_version above TLS 1.2's, with supported_versions (TLS 1.3) or without. */
Test(hello_rules, server_hello_legacy_version_unknown)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TLSM_TLS12 : TLSM_TLS13;
        pair p;
        pair_init(&p, &(pair_opts){.min_version = version, .max_version = version},
                  &(pair_opts){.key = PAIR_KEY_P256, .min_version = version,
                               .max_version = version},
                  8);
        pair_connect(&p, PAIR_HOST);
        p.hook = sh_version_1234_hook;
        cr_assert_neq(pair_handshake(&p), 0);
        tlsm_error_detail d;
        cr_assert_eq(tlsm_conn_error_detail(p.side[PAIR_CLIENT].conn, &d), 0);
        cr_assert_str_eq(d.reason, "SH_LEGACY_VERSION_UNKNOWN", "v%04x client: %s", version,
                         d.reason);
        cr_assert_eq(d.alert_sent, TLSM_ALERT_PROTOCOL_VERSION);
        pair_free(&p);
    }
}

/* The ServerHello that follows the HelloRetryRequest, without its supported_versions. */
static void sh2_without_versions_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec,
                                      void *ctx)
{
    (void)p;
    (void)index;
    size_t *hellos = ctx;
    if (dir != PAIR_S2C || rec->len < 9 || rec->data[0] != 22 || rec->data[5] != HS_SERVER_HELLO ||
        ++*hellos != 2)
        return;
    const uint8_t *b = rec->data + 9, *end = b + hello_get24(rec->data + 6);
    cr_assert_leq(end, rec->data + rec->len);
    size_t fixed = 2 + 32 + 1 + b[34] + 2 + 1;
    const uint8_t *x = b + fixed + 2;
    pair_buf exts = {0};
    for (; x + 4 <= end; x += 4 + hello_get16(x + 2))
        if (hello_get16(x) != EXT_SUPPORTED_VERSIONS)
            pair_buf_append(&exts, x, 4 + hello_get16(x + 2));
    cr_assert_lt(exts.len, hello_get16(b + fixed), "no supported_versions to drop");
    pair_buf body = {0};
    pair_buf_append(&body, b, fixed);
    hello_put16(&body, exts.len);
    pair_buf_append(&body, exts.data, exts.len);
    /* Anything after the ServerHello in the record (none expected) is dropped. */
    pair_buf msg = {0};
    uint8_t hdr[4] = {HS_SERVER_HELLO, 0, (uint8_t)(body.len >> 8), (uint8_t)body.len};
    pair_buf_append(&msg, hdr, 4);
    pair_buf_append(&msg, body.data, body.len);
    pair_make_record(rec, 22, 0x0303, msg.data, msg.len);
    pair_buf_free(&exts);
    pair_buf_free(&body);
    pair_buf_free(&msg);
}

/* RFC 8446 s.4.1.4: "The value of selected_version in the HelloRetryRequest
 * "supported_versions" extension MUST be retained in the ServerHello, and a client MUST
 * abort the handshake with an "illegal_parameter" alert if the value changes": a
 * ServerHello without the extension would be TLS 1.2's, even from a client offering it. */
Test(hello_rules, second_server_hello_without_supported_versions)
{
    pair p;
    pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256, .require_cookie = 1}, 9);
    pair_connect(&p, PAIR_HOST);
    size_t hellos = 0;
    p.hook = sh2_without_versions_hook;
    p.hook_ctx = &hellos;
    cr_assert_neq(pair_handshake(&p), 0);
    cr_assert_eq(hellos, 2);
    tlsm_error_detail d;
    cr_assert_eq(tlsm_conn_error_detail(p.side[PAIR_CLIENT].conn, &d), 0);
    cr_assert_str_eq(d.reason, "SH2_VERSION_CHANGED", "client: %s", d.reason);
    cr_assert_eq(d.alert_sent, TLSM_ALERT_ILLEGAL_PARAMETER);
    pair_free(&p);
}

/* certificate_authorities (47) in the ClientHello, as given. */
static const uint8_t *ca_ext;
static size_t ca_ext_len;
static void add_ca_ext(ch_parts *ch, ch_extra *x)
{
    (void)ch;
    pair_buf_set(&x->front, ca_ext, ca_ext_len);
}

/* RFC 8446 s.4.2.4: DistinguishedName authorities<3..2^16-1>, each name <1..2^16-1>: an
 * empty list or bytes after the list are decode_error; a well-formed list is accepted
 * (and ignored). */
Test(hello_rules, client_hello_certificate_authorities_syntax)
{
    static const uint8_t empty[] = {0, 47, 0, 2, 0, 0};
    static const uint8_t trailing[] = {0, 47, 0, 6, 0, 3, 0, 1, 0x30, 0xff};
    static const uint8_t empty_name[] = {0, 47, 0, 6, 0, 4, 0, 0, 0, 0};
    static const uint8_t good[] = {0, 47, 0, 5, 0, 3, 0, 1, 0x30};
    const uint8_t *bad[] = {empty, trailing, empty_name};
    size_t bad_len[] = {sizeof empty, sizeof trailing, sizeof empty_name};
    for (size_t i = 0; i < 3; i++) {
        pair p;
        hello_edit e;
        ca_ext = bad[i];
        ca_ext_len = bad_len[i];
        run(&p, &e, TLSM_TLS13, TLSM_TLS13, add_ca_ext);
        expect_refused(&p, &e, "CA_NAMES_DECODE", TLSM_ALERT_DECODE_ERROR);
        hello_edit_free(&e);
        pair_free(&p);
    }
    pair p;
    hello_edit e;
    ca_ext = good;
    ca_ext_len = sizeof good;
    run(&p, &e, TLSM_TLS13, TLSM_TLS13, add_ca_ext);
    expect_answered(&p, &e, TLSM_TLS13);
    hello_edit_free(&e);
    pair_free(&p);
}
