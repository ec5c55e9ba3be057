/*
 * test_key_usage.c - the peer's leaf keyUsage is held to the use the handshake makes of it
 * whatever the verification mode (issue 16, BoGo KeyUsage tests): a signature
 * (CertificateVerify, TLS 1.2 ServerKeyExchange) needs digitalSignature (RFC 8446
 * s.4.4.2.2, RFC 8422 s.5.3), TLS 1.2 RSA key transport needs keyEncipherment (RFC 5280
 * s.4.2.1.3). The peers here skip chain verification, so only these checks stand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "certforge.h"
#include "pair.h"

/* KeyUsage BIT STRING contents: digitalSignature (bit 0), keyAgreement (bit 4). */
static const uint8_t KU_DIGITAL_SIGNATURE[] = {0x03, 0x02, 0x07, 0x80};
static const uint8_t KU_KEY_AGREEMENT[] = {0x03, 0x02, 0x03, 0x08};
static const uint8_t KU_SIGN_AND_ENCIPHER[] = {0x03, 0x02, 0x05, 0xa0};

static void exts_with_key_usage(const uint8_t *ku, size_t ku_len, const char *name,
                                forge_der *out)
{
    forge_der bc, san;
    forge_basic_constraints(0, -1, &bc);
    forge_san_dns(&name, 1, &san);
    forge_exts e = {0};
    forge_ext(&e, forge_oid_basic_constraints, sizeof forge_oid_basic_constraints, 1, bc.p,
              bc.len);
    forge_ext(&e, forge_oid_key_usage, sizeof forge_oid_key_usage, 1, ku, ku_len);
    forge_ext(&e, forge_oid_san, sizeof forge_oid_san, 0, san.p, san.len);
    forge_exts_end(&e, out);
    forge_free(&bc);
    forge_free(&san);
}

/* A handshake whose server leaf (template tmpl) has the given keyUsage; the client does not
 * verify. Returns the client's reason ("" on success). */
static const char *server_leaf(uint16_t version, const char *tmpl, const char *key,
                               const uint8_t *ku, size_t ku_len, const uint16_t *suite,
                               pair *p)
{
    forge_der exts;
    exts_with_key_usage(ku, ku_len, PAIR_HOST, &exts);
    pair_opts co = {.insecure = 1, .min_version = version, .max_version = version,
                    .suites = suite, .n_suites = suite ? 1 : 0};
    pair_opts so = {.min_version = version, .max_version = version, .suites = suite,
                    .n_suites = suite ? 1 : 0};
    pair_init(p, &co, &so, 9);
    forge_identity(p->side[PAIR_SERVER].cfg, tmpl, key, &exts);
    forge_free(&exts);
    pair_connect(p, PAIR_HOST);
    (void)pair_handshake(p);
    return pair_reason(p->side[PAIR_CLIENT].conn);
}

Test(key_usage, server_signature_needs_digital_signature)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TLSM_TLS12 : TLSM_TLS13;
        pair p;
        const char *why = server_leaf(version, "server-p256.crt", "server-p256.key",
                                      KU_KEY_AGREEMENT, sizeof KU_KEY_AGREEMENT, NULL, &p);
        cr_assert_str_eq(why, "CERT_KU_NO_SIGNATURE", "v%04x: %s", version, why);
        cr_assert_eq(tlsm_conn_error(p.side[PAIR_CLIENT].conn),
                     TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_UNSUPPORTED_CERTIFICATE));
        pair_free(&p);
        /* The same leaf with digitalSignature is fine. */
        why = server_leaf(version, "server-p256.crt", "server-p256.key", KU_DIGITAL_SIGNATURE,
                          sizeof KU_DIGITAL_SIGNATURE, NULL, &p);
        cr_assert_str_eq(why, "", "v%04x: %s", version, why);
        pair_free(&p);
    }
}

Test(key_usage, rsa_key_transport_needs_key_encipherment)
{
    static const uint16_t rsa_kx[] = {TLSM_TLS_RSA_WITH_AES_128_GCM_SHA256};
    pair p;
    const char *why = server_leaf(TLSM_TLS12, "server-rsa.crt", "server-rsa.key",
                                  KU_DIGITAL_SIGNATURE, sizeof KU_DIGITAL_SIGNATURE, rsa_kx, &p);
    cr_assert_str_eq(why, "CERT_KU_NO_ENCIPHERMENT", "%s", why);
    pair_free(&p);
    why = server_leaf(TLSM_TLS12, "server-rsa.crt", "server-rsa.key", KU_SIGN_AND_ENCIPHER,
                      sizeof KU_SIGN_AND_ENCIPHER, rsa_kx, &p);
    cr_assert_str_eq(why, "", "%s", why);
    pair_free(&p);
}

/* A server that accepts any client certificate (verification off: the host decides) still
 * refuses a CertificateVerify from a key not meant for signing. */
Test(key_usage, client_signature_needs_digital_signature)
{
    for (int v = 0; v < 2; v++) {
        uint16_t version = v ? TLSM_TLS12 : TLSM_TLS13;
        forge_der exts;
        exts_with_key_usage(KU_KEY_AGREEMENT, sizeof KU_KEY_AGREEMENT, "client.tlsm.test",
                            &exts);
        pair_opts co = {.min_version = version, .max_version = version};
        pair_opts so = {.key = PAIR_KEY_P256, .client_auth = 2, .insecure = 1,
                        .min_version = version, .max_version = version};
        pair p;
        pair_init(&p, &co, &so, 13);
        forge_identity(p.side[PAIR_CLIENT].cfg, "client.crt", "client.key", &exts);
        forge_free(&exts);
        pair_connect(&p, PAIR_HOST);
        cr_assert_neq(pair_handshake(&p), 0);
        cr_assert_str_eq(pair_reason(p.side[PAIR_SERVER].conn), "CERT_KU_NO_SIGNATURE",
                         "v%04x", version);
        pair_free(&p);
    }
}
