/*
 * test_ocsp.c - OCSP stapling passed through (RFC 6066 s.8, RFC 8446 s.4.4.2.1): a server
 * staples its identity's configured response when the client asks (TLS 1.3: in the leaf's
 * CertificateEntry; TLS 1.2: status_request in the ServerHello and a CertificateStatus
 * message), the client keeps it (also across a resumption), nothing is sent unasked, and an
 * unannounced or malformed CertificateStatus is refused. (A TLS 1.3 entry extension the
 * client did not ask for is refused too: BoGo's SendUnsolicitedOCSPOnCertificate-TLS13.)
 */
#include <criterion/criterion.h>
#include <string.h>

#include "pair.h"

#define EXT_STATUS_REQUEST 5

static const uint8_t RESPONSE[] = "an OCSPResponse, passed through byte for byte";

static void setup(pair *p, uint16_t version, int ask, int staple)
{
    pair_opts co = {.min_version = version, .max_version = version};
    pair_opts so = {.key = PAIR_KEY_P256, .min_version = version, .max_version = version};
    pair_init(p, &co, &so, 3);
    if (ask)
        cr_assert_eq(tlsm_config_set_ocsp_request(p->side[PAIR_CLIENT].cfg, 1), 0);
    if (staple)
        cr_assert_eq(tlsm_config_set_identity_ocsp(p->side[PAIR_SERVER].cfg, 0, RESPONSE,
                                                   sizeof RESPONSE),
                     0);
    pair_connect(p, PAIR_HOST);
}

static void expect_response(tlsm_conn *c, int present, const char *w)
{
    size_t len = 0;
    const uint8_t *got = tlsm_conn_ocsp_response(c, &len);
    if (!present) {
        cr_assert_null(got, "%s: a response nobody stapled", w);
        cr_assert_eq(len, 0);
        return;
    }
    cr_assert(got && len == sizeof RESPONSE && !memcmp(got, RESPONSE, len),
              "%s: the stapled response did not arrive intact", w);
}

Test(ocsp, stapled_when_asked_both_versions_and_resumed)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TLSM_TLS12 : TLSM_TLS13;
        const char *w = v ? "TLS 1.2" : "TLS 1.3";
        pair p;
        setup(&p, version, 1, 1);
        cr_assert_eq(pair_handshake(&p), 0, "%s: %s", w, pair_reason(p.side[0].conn));
        expect_response(p.side[PAIR_CLIENT].conn, 1, w);
        pair_buf sess = {0};
        cr_assert_eq(pair_get_session(&p, &sess), 0);
        pair_connect(&p, PAIR_HOST);
        cr_assert_eq(tlsm_conn_set_session(p.side[PAIR_CLIENT].conn, sess.data, sess.len), 0);
        cr_assert_eq(pair_handshake(&p), 0);
        cr_assert(tlsm_conn_resumed(p.side[PAIR_CLIENT].conn));
        expect_response(p.side[PAIR_CLIENT].conn, 1, "resumed");
        pair_buf_free(&sess);
        pair_free(&p);
    }
}

Test(ocsp, nothing_unasked_or_unconfigured)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TLSM_TLS12 : TLSM_TLS13;
        for (int ask = 0; ask < 2; ask++) {
            pair p;
            setup(&p, version, ask, !ask);
            cr_assert_eq(pair_handshake(&p), 0);
            expect_response(p.side[PAIR_CLIENT].conn, 0, ask ? "none configured" : "not asked");
            pair_free(&p);
        }
    }
}

Test(ocsp, identity_index_checked)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_SERVER);
    cr_assert_eq(tlsm_config_set_identity_ocsp(cfg, 0, RESPONSE, sizeof RESPONSE), TLSM_ERR_ARG);
    cr_assert_eq(pair_add_identity(cfg, PAIR_KEY_P256), 0);
    cr_assert_eq(tlsm_config_set_identity_ocsp(cfg, 0, RESPONSE, sizeof RESPONSE), 0);
    cr_assert_eq(tlsm_config_set_identity_ocsp(cfg, 1, RESPONSE, sizeof RESPONSE), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_set_identity_ocsp(cfg, 0, NULL, 0), 0);
    tlsm_config_free(cfg);
}

/* TLS 1.2: the ServerHello's status_request removed (the CertificateStatus that follows is
 * then unannounced), or the CertificateStatus's type changed. */
static void tls12_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    (void)index;
    int kind = *(int *)ctx;
    if (dir != PAIR_S2C || pair_record_type(rec) != 22)
        return;
    if (kind == 0 && rec->data[5] == 2)
        cr_assert(pair_hello_strip_ext(rec, EXT_STATUS_REQUEST));
    size_t n = 0, at = pair_hs_find(rec, 22, &n);
    if (kind == 1 && at != PAIR_NONE)
        rec->data[at + 4] = 2;
}

Test(ocsp, tls12_certificate_status_checked)
{
    static const char *const want[] = {"CERT_STATUS_UNEXPECTED", "OCSP_RESPONSE_DECODE"};
    for (int kind = 0; kind < 2; kind++) {
        pair p;
        setup(&p, TLSM_TLS12, 1, 1);
        p.hook = tls12_hook;
        p.hook_ctx = &kind;
        cr_assert_neq(pair_handshake(&p), 0);
        cr_assert_str_eq(pair_reason(p.side[PAIR_CLIENT].conn), want[kind]);
        pair_free(&p);
    }
}
