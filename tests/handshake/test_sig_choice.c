/*
 * test_sig_choice.c - a side choosing its signature scheme skips the schemes its key is
 * too small for (RFC 8017 s.9.1.1 step 3: RSASSA-PSS needs emLen >= hLen + sLen + 2, so
 * rsa_pss_rsae_sha512 does not fit RSA-1024), instead of choosing one and failing to sign.
 *
 * The test PKI has no RSA-1024 key and none is needed: the server's identity is external
 * (tlsm_config_add_identity_external), a certificate of the test PKI whose key is replaced
 * by a 1024-bit modulus (certforge). The scheme the server asks the host to sign with is
 * what it chose; nobody signs, so the handshake goes no further.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "certforge.h"
#include "internal.h"
#include "pair.h"

/* PEM of one DER certificate. */
static void pem_of(const forge_der *der, pair_buf *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char head[] = "-----BEGIN CERTIFICATE-----\n", tail[] = "-----END CERTIFICATE-----\n";
    pair_buf_append(out, head, sizeof head - 1);
    size_t col = 0;
    for (size_t i = 0; i < der->len; i += 3) {
        uint32_t v = (uint32_t)der->p[i] << 16;
        size_t n = der->len - i < 3 ? der->len - i : 3;
        if (n > 1)
            v |= (uint32_t)der->p[i + 1] << 8;
        if (n > 2)
            v |= der->p[i + 2];
        char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], n > 1 ? b64[v >> 6 & 63] : '=',
                     n > 2 ? b64[v & 63] : '='};
        pair_buf_append(out, q, 4);
        if ((col += 4) == 64) {
            pair_buf_append(out, "\n", 1);
            col = 0;
        }
    }
    if (col)
        pair_buf_append(out, "\n", 1);
    pair_buf_append(out, tail, sizeof tail - 1);
}

/* The server's external identity: server-rsa.crt with an RSA key of `bits` bits. */
static void small_rsa_identity(tlsm_config *cfg, size_t bits)
{
    forge_der tmpl, spki, leaf;
    forge_read_pki_cert("server-rsa.crt", &tmpl);
    forge_rsa_spki(bits, 3, &spki);
    crypto_privkey *issuer = forge_read_pki_key("intermediate.key");
    forge_cert(tmpl.p, tmpl.len, &(forge_opts){.spki = &spki, .key = issuer}, &leaf);
    pair_buf pem = {0};
    pem_of(&leaf, &pem);
    cr_assert_eq(tlsm_config_add_identity_external(cfg, pem.data, pem.len), 0);
    pair_buf_free(&pem);
    forge_free(&tmpl);
    forge_free(&spki);
    forge_free(&leaf);
    crypto_privkey_free(issuer);
}

/* Runs a handshake whose client offers `offer`, the server's preference too; returns the scheme the server asked to
 * sign with, 0 if it asked for none (then *why says why it failed). */
static uint16_t chosen(uint16_t version, const uint16_t *offer, size_t n, size_t bits,
                       char *why, size_t why_cap)
{
    pair p;
    pair_opts co = {.sigalgs = offer, .n_sigalgs = n, .insecure = 1,
                    .min_version = version, .max_version = version};
    pair_opts so = {.key = PAIR_KEY_NONE, .sigalgs = offer, .n_sigalgs = n};
    pair_init(&p, &co, &so, 41);
    small_rsa_identity(p.side[PAIR_SERVER].cfg, bits);
    pair_connect(&p, PAIR_HOST);
    pair_pump(&p);
    uint16_t scheme = 0;
    tlsm_conn *s = p.side[PAIR_SERVER].conn;
    if (tlsm_status(s) & TLSM_STATUS_BLOCKED) {
        const uint8_t *tbs;
        size_t tbs_len;
        cr_assert_eq(tlsm_sign_request(s, &scheme, &tbs, &tbs_len), 0);
    }
    snprintf(why, why_cap, "%s", pair_reason(s));
    pair_free(&p);
    return scheme;
}

static const uint16_t versions[] = {TLSM_TLS13, TLSM_TLS12};

/* rsa_pss_rsae_sha512 first in the client's list: skipped for RSA-1024, kept for a key of
 * 1048 bits (the floor is 1034). */
Test(sig_choice, pss_sha512_skipped_for_rsa_1024)
{
    static const uint16_t offer[] = {TLSM_SIG_RSA_PSS_RSAE_SHA512, TLSM_SIG_RSA_PSS_RSAE_SHA256};
    char why[128];
    for (size_t i = 0; i < 2; i++) {
        uint16_t v = versions[i];
        cr_assert_eq(chosen(v, offer, 2, 1024, why, sizeof why), TLSM_SIG_RSA_PSS_RSAE_SHA256,
                     "%04x: %s", v, why);
        cr_assert_eq(chosen(v, offer, 2, 1048, why, sizeof why), TLSM_SIG_RSA_PSS_RSAE_SHA512,
                     "%04x: %s", v, why);
    }
}

/* With only the scheme that does not fit, no scheme is in common: the server fails with
 * handshake_failure (no common signature algorithm), never internal_error. */
Test(sig_choice, nothing_left_is_no_common_scheme)
{
    static const uint16_t offer[] = {TLSM_SIG_RSA_PSS_RSAE_SHA512};
    char why[128];
    cr_assert_eq(chosen(TLSM_TLS13, offer, 1, 1024, why, sizeof why), 0);
    cr_assert_str_eq(why, "CH_NO_COMMON_SIGALG");
}

/* An RSA public key whose modulus has exactly `bits` bits. */
static void modulus(crypto_pubkey *pk, uint8_t *n, size_t bits)
{
    pk->n_len = (bits + 7) / 8;
    memset(n, 0xff, pk->n_len);
    n[0] = (uint8_t)(1u << ((bits - 1) % 8));
}

/* crypto_sig_fits_key at the floors: PSS needs emLen = ceil((modBits - 1) / 8) of at least
 * 2 * hLen + 2 bytes, so modBits >= 8 * (2 * hLen + 1) + 2 (1034 for SHA-512); PKCS #1
 * v1.5 a modulus of 19 + hLen + 11 bytes. Other keys always fit. */
Test(sig_choice, floors)
{
    uint8_t n[200], e[1] = {3};
    crypto_pubkey pk = {.type = PK_RSA, .n = n, .e = e, .e_len = 1};
    struct { sig_alg alg; size_t least_bits; } cases[] = {
        {SIG_RSA_PSS_SHA256, 8 * 65 + 2}, {SIG_RSA_PSS_SHA384, 8 * 97 + 2},
        {SIG_RSA_PSS_SHA512, 8 * 129 + 2}, {SIG_RSA_PKCS1_SHA256, 8 * 61 + 1},
        {SIG_RSA_PKCS1_SHA384, 8 * 77 + 1}, {SIG_RSA_PKCS1_SHA512, 8 * 93 + 1}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        modulus(&pk, n, cases[i].least_bits);
        cr_assert(crypto_sig_fits_key(cases[i].alg, &pk), "case %zu at the floor", i);
        modulus(&pk, n, cases[i].least_bits - 1);
        cr_assert(!crypto_sig_fits_key(cases[i].alg, &pk), "case %zu below", i);
    }
    crypto_pubkey ec = {.type = PK_EC_P256};
    cr_assert(crypto_sig_fits_key(SIG_ECDSA_SHA512, &ec));
    cr_assert(crypto_sig_fits_key(SIG_ED25519, &ec));
}
