/*
 * test_pki_limits.c - the work a peer's certificates can cause is bounded (issue 16 items
 * 1, 2 and 17; DESIGN.md "Bound the work a peer can cause").
 *
 * Hostile chains are forged in memory (tests/common/certforge.h) from the committed test
 * PKI, and a counting crypto provider (tests/common/crypto_spy.h) shows which public-key
 * operations ran: an RSA key too large to compute with is refused with a precise code and
 * no RSA operation, in tlsm_verify_chain and in a handshake (both directions); a
 * candidate issuer that policy refuses costs no signature check; a bag of look-alike
 * issuers costs at most the signature budget; name constraints stop at their comparison
 * budget; and a certificate that no path uses cannot fail the chain for its defects.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certforge.h"
#include "crypto_spy.h"
#include "pair.h"
#include "pki/pki.h"

#define T_2027 INT64_C(1811808000) /* inside the test PKI's validity */
#define YEAR INT64_C(31536000)

/* ------------------------------------------------------------------ helpers */

typedef struct {
    const uint8_t *der[4200];
    size_t len[4200];
    size_t n;
} chain_t;

static void chain_push(chain_t *c, const forge_der *d)
{
    cr_assert_lt(c->n, 4200);
    c->der[c->n] = d->p;
    c->len[c->n++] = d->len;
}

static tlsm_config *trust_ca(tlsm_role role)
{
    tlsm_config *cfg = tlsm_config_new(role);
    cr_assert_not_null(cfg);
    cr_assert_eq(pair_add_trust(cfg, "ca.crt"), 0);
    return cfg;
}

static int verify(const chain_t *c, const char *host, int purpose, tlsm_verify_result *r)
{
    tlsm_config *trust = trust_ca(TLSM_ROLE_CLIENT);
    int rc = tlsm_verify_chain(trust, c->der, c->len, c->n, host, purpose, T_2027, 0, r);
    tlsm_config_free(trust);
    return rc;
}

/* The intermediate CA of the test PKI with its key replaced by an RSA key of the given
 * size, validly signed by the root: everything about it is right except its key. */
static void huge_rsa_intermediate(size_t bits, size_t e_bytes, forge_der *out)
{
    forge_der tmpl, spki;
    forge_read_pki_cert("intermediate.crt", &tmpl);
    forge_rsa_spki(bits, e_bytes, &spki);
    crypto_privkey *ca_key = forge_read_pki_key("ca.key");
    forge_opts o = {.spki = &spki, .key = ca_key};
    forge_cert(tmpl.p, tmpl.len, &o, out);
    crypto_privkey_free(ca_key);
    forge_free(&tmpl);
    forge_free(&spki);
}

/* A leaf of the test PKI whose signature claims RSA PKCS#1 SHA-256, with sig_len bytes of
 * garbage: checking it against an RSA issuer key costs one exponentiation of that size. */
static void rsa_signed_leaf(const char *tmpl_name, size_t sig_len, forge_der *out)
{
    forge_der tmpl;
    forge_read_pki_cert(tmpl_name, &tmpl);
    forge_opts o = {.sig = SIG_RSA_PKCS1_SHA256, .garbage_len = sig_len};
    forge_cert(tmpl.p, tmpl.len, &o, out);
    forge_free(&tmpl);
}

/* The intermediate CA re-issued by the root with other validity or extensions (its key,
 * and so its signatures on the test PKI's leaves, unchanged). */
static void reissued_intermediate(const forge_der *validity, const forge_der *exts,
                                  forge_der *out)
{
    forge_der tmpl;
    forge_read_pki_cert("intermediate.crt", &tmpl);
    crypto_privkey *ca_key = forge_read_pki_key("ca.key");
    forge_opts o = {.validity = validity, .extensions = exts, .key = ca_key};
    forge_cert(tmpl.p, tmpl.len, &o, out);
    crypto_privkey_free(ca_key);
    forge_free(&tmpl);
}

/* ------------------------------------------------------------------ RSA key sizes */

/* The chain of the review: a 64-Kbit modulus and exponent in the issuer of a leaf that
 * claims an RSA signature. Verifying it once took 52.8 s; now no RSA operation runs. */
Test(rsa_keys, huge_issuer_key_costs_no_rsa_operation)
{
    forge_der x, leaf;
    huge_rsa_intermediate(65536, 8192, &x);
    rsa_signed_leaf("server-p256.crt", 8192, &leaf);
    chain_t c = {.n = 0};
    chain_push(&c, &leaf);
    chain_push(&c, &x);
    spy_install();
    tlsm_verify_result r;
    int rc = verify(&c, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, TLSM_ERR_CERT_RSA_TOO_LARGE, "got %s", tlsm_strerror(rc));
    cr_assert_eq(r.fault, 1, "the oversized intermediate is at fault");
    cr_assert_eq(spy.verify_rsa, 0, "%zu RSA operations ran", spy.verify_rsa);
    spy_uninstall();
    forge_free(&x);
    forge_free(&leaf);
}

Test(rsa_keys, huge_leaf_key_refused_first)
{
    forge_der tmpl, spki, leaf;
    forge_read_pki_cert("server-rsa.crt", &tmpl);
    forge_rsa_spki(16384, 3, &spki);
    crypto_privkey *ikey = forge_read_pki_key("intermediate.key");
    forge_opts o = {.spki = &spki, .key = ikey};
    forge_cert(tmpl.p, tmpl.len, &o, &leaf);
    crypto_privkey_free(ikey);
    forge_der inter;
    forge_read_pki_cert("intermediate.crt", &inter);
    chain_t c = {.n = 0};
    chain_push(&c, &leaf);
    chain_push(&c, &inter);
    spy_install();
    tlsm_verify_result r;
    int rc = verify(&c, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, TLSM_ERR_CERT_RSA_TOO_LARGE, "got %s", tlsm_strerror(rc));
    cr_assert_eq(r.fault, 0);
    cr_assert_eq(spy.verify, 0, "no signature is checked for a refused leaf");
    spy_uninstall();
    forge_free(&tmpl);
    forge_free(&spki);
    forge_free(&leaf);
    forge_free(&inter);
}

static int parse_with_rsa(size_t bits, size_t e_bytes)
{
    forge_der x;
    huge_rsa_intermediate(bits, e_bytes, &x);
    pki_cert c;
    int rc = pki_cert_parse(&c, x.p, x.len);
    if (rc != 0)
        cr_assert_eq(c.defect, rc, "a refused key is kept as the certificate's defect");
    forge_free(&x);
    return rc;
}

Test(rsa_keys, modulus_and_exponent_bounds)
{
    cr_assert_eq(parse_with_rsa(2048, 3), 0);
    cr_assert_eq(parse_with_rsa(8192, 3), 0, "8192 bits is the largest accepted modulus");
    cr_assert_eq(parse_with_rsa(8193, 3), TLSM_ERR_CERT_RSA_TOO_LARGE);
    cr_assert_eq(parse_with_rsa(65536, 3), TLSM_ERR_CERT_RSA_TOO_LARGE);
    cr_assert_eq(parse_with_rsa(2048, 4), 0, "a 32-bit exponent is accepted");
    cr_assert_eq(parse_with_rsa(2048, 5), TLSM_ERR_CERT_RSA_EXPONENT, "over 2^32");
    cr_assert_eq(parse_with_rsa(2048, 8192), TLSM_ERR_CERT_RSA_EXPONENT);
}

Test(rsa_keys, crypto_layer_refuses_too)
{
    /* The last guard below pki/: crypto_verify itself never computes with such a key,
     * even for a caller that ignored the parser's verdict. */
    forge_der x;
    huge_rsa_intermediate(8200, 3, &x);
    pki_cert c;
    cr_assert_eq(pki_cert_parse(&c, x.p, x.len), TLSM_ERR_CERT_RSA_TOO_LARGE);
    cr_assert_eq(c.pubkey.type, PK_NONE, "a refused key is not left usable");
    crypto_pubkey pk = c.pubkey;
    pk.type = PK_RSA;
    cr_assert_eq(crypto_rsa_pubkey_check(&pk), CRYPTO_RSA_TOO_LARGE);
    uint8_t sig[1025] = {0};
    cr_assert_neq(crypto_verify(SIG_RSA_PKCS1_SHA256, &pk, (const uint8_t *)"m", 1, sig,
                                sizeof sig), 0);
    forge_free(&x);
}

/* ------------------------------------------------------------------ order and budgets */

Test(path, refused_candidate_costs_no_signature_check)
{
    /* An expired look-alike of the intermediate: validity is checked before the leaf's
     * signature is verified with its key. */
    forge_der validity, x, leaf;
    forge_validity(T_2027 - 3 * YEAR, T_2027 - 2 * YEAR, &validity);
    reissued_intermediate(&validity, NULL, &x);
    forge_read_pki_cert("server-p256.crt", &leaf);
    chain_t c = {.n = 0};
    chain_push(&c, &leaf);
    chain_push(&c, &x);
    spy_install();
    tlsm_verify_result r;
    int rc = verify(&c, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, TLSM_ERR_CERT_EXPIRED, "got %s", tlsm_strerror(rc));
    cr_assert_eq(r.fault, 1);
    cr_assert_eq(spy.verify, 0, "%zu signatures checked before the validity", spy.verify);
    spy_uninstall();
    forge_free(&validity);
    forge_free(&x);
    forge_free(&leaf);
}

Test(path, look_alike_issuers_stop_at_the_signature_budget)
{
    /* 100 copies of an issuer with the right name and a (fake) 2048-bit RSA key: each is a
     * plausible candidate whose signature check fails. */
    forge_der x, leaf;
    huge_rsa_intermediate(2048, 3, &x);
    rsa_signed_leaf("server-p256.crt", 256, &leaf);
    chain_t c = {.n = 0};
    chain_push(&c, &leaf);
    for (int i = 0; i < 100; i++)
        chain_push(&c, &x);
    spy_install();
    tlsm_verify_result r;
    int rc = verify(&c, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, TLSM_ERR_CERT_WORK_LIMIT, "got %s", tlsm_strerror(rc));
    cr_assert_eq(r.fault, 0, "the leaf's issuer search ran out");
    cr_assert_eq(spy.verify, 64, "%zu signature checks", spy.verify);
    spy_uninstall();
    forge_free(&x);
    forge_free(&leaf);
}

/* A leaf with `names` dNSName SANs under example.test, issued by a re-issued intermediate
 * with `subtrees` permitted dNSName subtrees, the matching one ("example.test") last. */
static int nc_chain(size_t names, size_t subtrees)
{
    char **sans = calloc(names, sizeof *sans), **trees = calloc(subtrees, sizeof *trees);
    cr_assert(sans && trees);
    for (size_t i = 0; i < names; i++) {
        sans[i] = malloc(48);
        snprintf(sans[i], 48, "h%zu.example.test", i);
    }
    for (size_t i = 0; i < subtrees; i++) {
        trees[i] = malloc(48);
        snprintf(trees[i], 48, i + 1 == subtrees ? "example.test" : "n%zu.other.test", i);
    }
    forge_der bc, nc, san, ca_exts, leaf_exts, x, leaf, tmpl;
    forge_exts e = {{0}, 0};
    forge_basic_constraints(1, -1, &bc);
    forge_nc_dns((const char *const *)trees, subtrees, NULL, 0, &nc);
    forge_ext(&e, forge_oid_basic_constraints, 3, 1, bc.p, bc.len);
    forge_ext(&e, forge_oid_nc, 3, 1, nc.p, nc.len);
    forge_exts_end(&e, &ca_exts);
    reissued_intermediate(NULL, &ca_exts, &x);
    forge_free(&bc);
    forge_basic_constraints(0, -1, &bc);
    forge_san_dns((const char *const *)sans, names, &san);
    forge_ext(&e, forge_oid_basic_constraints, 3, 1, bc.p, bc.len);
    forge_ext(&e, forge_oid_san, 3, 0, san.p, san.len);
    forge_exts_end(&e, &leaf_exts);
    forge_read_pki_cert("server-p256.crt", &tmpl);
    crypto_privkey *ikey = forge_read_pki_key("intermediate.key");
    forge_opts o = {.extensions = &leaf_exts, .key = ikey};
    forge_cert(tmpl.p, tmpl.len, &o, &leaf);
    crypto_privkey_free(ikey);

    chain_t c = {.n = 0};
    chain_push(&c, &leaf);
    chain_push(&c, &x);
    tlsm_verify_result r;
    int rc = verify(&c, NULL, TLSM_PURPOSE_SERVER, &r);
    forge_free(&bc);
    forge_free(&nc);
    forge_free(&san);
    forge_free(&ca_exts);
    forge_free(&leaf_exts);
    forge_free(&x);
    forge_free(&leaf);
    forge_free(&tmpl);
    for (size_t i = 0; i < names; i++)
        free(sans[i]);
    for (size_t i = 0; i < subtrees; i++)
        free(trees[i]);
    free(sans);
    free(trees);
    return rc;
}

Test(name_constraints, comparisons_are_bounded)
{
    int rc = nc_chain(2048, 4096);
    cr_assert_eq(rc, TLSM_ERR_CERT_WORK_LIMIT, "2048 names x 4096 subtrees: got %s",
                 tlsm_strerror(rc));
}

Test(name_constraints, within_the_budget_still_verifies)
{
    int rc = nc_chain(1000, 1000); /* 10^6 comparisons <= 2^20 */
    cr_assert_eq(rc, 0, "got %s", tlsm_strerror(rc));
}

/* ------------------------------------------------------------------ unused certificates */

Test(unused, defective_extra_certificate_does_not_fail_the_chain)
{
    /* RFC 8446 s.4.4.2 allows extra certificates; one the path never uses is not judged. */
    forge_der leaf, inter, extra, tmpl, spki, subject;
    forge_read_pki_cert("server-p256.crt", &leaf);
    forge_read_pki_cert("intermediate.crt", &inter);
    forge_read_pki_cert("client.crt", &tmpl);
    forge_subject_of(tmpl.p, tmpl.len, &subject);
    forge_rsa_spki(65536, 3, &spki);
    forge_opts o = {.spki = &spki, .garbage_len = 64};
    forge_cert(tmpl.p, tmpl.len, &o, &extra);
    chain_t c = {.n = 0};
    chain_push(&c, &leaf);
    chain_push(&c, &extra);
    chain_push(&c, &inter);
    tlsm_verify_result r;
    int rc = verify(&c, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, 0, "got %s (fault %d)", tlsm_strerror(rc), r.fault);
    cr_assert_eq(r.path_len, 3);
    cr_assert_eq(r.path_input[1], 2, "the path skips the extra certificate");
    /* Bytes that are not a certificate still fail the chain wherever they are. */
    forge_der junk = {(uint8_t *)"\x30\x03\x02\x01", 4};
    c.der[1] = junk.p;
    c.len[1] = junk.len;
    rc = verify(&c, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, TLSM_ERR_CERT_PARSE);
    cr_assert_eq(r.fault, 1);
    forge_free(&leaf);
    forge_free(&inter);
    forge_free(&extra);
    forge_free(&tmpl);
    forge_free(&spki);
    forge_free(&subject);
}

/* An extension tlsm does not know (OID 1.3.6.1.4.1.55555.1), marked critical. */
static void unknown_critical_exts(forge_der *out)
{
    static const uint8_t oid[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x01};
    static const uint8_t value[] = {0x05, 0x00};
    forge_exts e = {0};
    forge_ext(&e, oid, sizeof oid, 1, value, sizeof value);
    forge_exts_end(&e, out);
}

/* The test PKI's P-256 server leaf and intermediate, and an extra certificate the
 * intermediate issued (client.crt re-signed) whose only extension is unknown and critical. */
typedef struct {
    forge_der leaf, inter, extra, exts;
    crypto_privkey *ca_key;
} unknown_ext_chain;

static void unknown_ext_chain_make(unknown_ext_chain *u)
{
    forge_der tmpl;
    forge_read_pki_cert("server-p256.crt", &u->leaf);
    forge_read_pki_cert("intermediate.crt", &u->inter);
    forge_read_pki_cert("client.crt", &tmpl);
    unknown_critical_exts(&u->exts);
    u->ca_key = forge_read_pki_key("intermediate.key");
    forge_cert(tmpl.p, tmpl.len, &(forge_opts){.extensions = &u->exts, .key = u->ca_key},
               &u->extra);
    forge_free(&tmpl);
}

static void unknown_ext_chain_free(unknown_ext_chain *u)
{
    crypto_privkey_free(u->ca_key);
    forge_free(&u->leaf);
    forge_free(&u->inter);
    forge_free(&u->extra);
    forge_free(&u->exts);
}

/* Issue 16 item 17 as the issue states it: an extra certificate with an unknown critical
 * extension that the path does not use leaves the chain valid; the same extension on a
 * certificate of the path fails it (RFC 5280 s.4.2: "A certificate-using system MUST
 * reject the certificate if it encounters a critical extension it does not recognize"). */
Test(unused, unknown_critical_extension_off_the_path)
{
    unknown_ext_chain u;
    unknown_ext_chain_make(&u);
    forge_der bad_leaf;
    forge_cert(u.leaf.p, u.leaf.len, &(forge_opts){.extensions = &u.exts, .key = u.ca_key},
               &bad_leaf);
    chain_t c = {.n = 0};
    chain_push(&c, &u.leaf);
    chain_push(&c, &u.extra);
    chain_push(&c, &u.inter);
    tlsm_verify_result r;
    int rc = verify(&c, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, 0, "got %s (fault %d)", tlsm_strerror(rc), r.fault);
    cr_assert_eq(r.path_input[1], 2, "the path skips the extra certificate");
    /* Control: the same extension in the leaf. */
    c.der[0] = bad_leaf.p;
    c.len[0] = bad_leaf.len;
    rc = verify(&c, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, TLSM_ERR_CERT_CRITICAL_EXT, "got %s", tlsm_strerror(rc));
    cr_assert_eq(r.fault, 0);
    forge_free(&bad_leaf);
    unknown_ext_chain_free(&u);
}

/* ------------------------------------------------------------------ in a handshake */

static uint64_t clock_2027(void *ctx)
{
    (void)ctx;
    return (uint64_t)T_2027 * 1000;
}

/* Adds [leaf, huge-key intermediate] with the leaf's real key as cfg's identity. */
static void add_hostile_identity(tlsm_config *cfg, const char *leaf_name, const char *key_name)
{
    forge_der x, leaf, key;
    huge_rsa_intermediate(65536, 8192, &x);
    rsa_signed_leaf(leaf_name, 8192, &leaf);
    size_t len = 0, pos = 0;
    uint8_t *pem = pair_read_pki(key_name, &len);
    cr_assert_eq(pki_pem_next(pem, len, &pos, NULL, NULL, &key.p, &key.len), 0);
    free(pem);
    const uint8_t *chain[2] = {leaf.p, x.p};
    size_t lens[2] = {leaf.len, x.len};
    cr_assert_eq(tlsm_config_add_identity_der(cfg, chain, lens, 2, key.p, key.len), 0);
    forge_free(&x);
    forge_free(&leaf);
    forge_free(&key);
}

static void expect_refused(tlsm_pair *p, int refusing_side)
{
    spy_install();
    int rc = tlsm_pair_run(p);
    cr_assert_neq(rc, 0, "the handshake must fail");
    tlsm_conn *c = refusing_side == TLSM_PAIR_CLIENT ? tlsm_pair_client(p) : tlsm_pair_server(p);
    cr_assert_eq(tlsm_conn_verify_error(c), TLSM_ERR_CERT_RSA_TOO_LARGE, "got %s",
                 tlsm_strerror(tlsm_conn_verify_error(c)));
    tlsm_pair_report r;
    cr_assert_eq(tlsm_pair_get_report(p, refusing_side, &r), 0);
    cr_assert_eq(r.alert_sent, TLSM_ALERT_BAD_CERTIFICATE);
    cr_assert_eq(spy.verify_rsa, 0, "%zu RSA operations ran", spy.verify_rsa);
    spy_uninstall();
}

Test(handshake, client_refuses_server_chain_without_rsa_work)
{
    for (int tls12 = 0; tls12 < 2; tls12++) {
        tlsm_config *client = trust_ca(TLSM_ROLE_CLIENT);
        tlsm_config *server = tlsm_config_new(TLSM_ROLE_SERVER);
        cr_assert_not_null(server);
        add_hostile_identity(server, "server-p256.crt", "server-p256.key");
        if (tls12)
            cr_assert_eq(tlsm_config_set_versions(client, TLSM_TLS12, TLSM_TLS12), 0);
        cr_assert_eq(tlsm_config_set_clock(client, clock_2027, NULL), 0);
        tlsm_pair *p = tlsm_pair_new(client, server, PAIR_HOST);
        cr_assert_not_null(p);
        expect_refused(p, TLSM_PAIR_CLIENT);
        tlsm_pair_free(p);
        tlsm_config_free(client);
        tlsm_config_free(server);
    }
}

Test(handshake, server_refuses_client_chain_without_rsa_work)
{
    for (int tls12 = 0; tls12 < 2; tls12++) {
        tlsm_config *client = trust_ca(TLSM_ROLE_CLIENT);
        tlsm_config *server = trust_ca(TLSM_ROLE_SERVER);
        cr_assert_eq(pair_add_identity(server, PAIR_KEY_P256), 0);
        add_hostile_identity(client, "client.crt", "client.key");
        cr_assert_eq(tlsm_config_set_client_auth(server, 2), 0);
        if (tls12)
            cr_assert_eq(tlsm_config_set_versions(server, TLSM_TLS12, TLSM_TLS12), 0);
        cr_assert_eq(tlsm_config_set_clock(client, clock_2027, NULL), 0);
        cr_assert_eq(tlsm_config_set_clock(server, clock_2027, NULL), 0);
        tlsm_pair *p = tlsm_pair_new(client, server, PAIR_HOST);
        cr_assert_not_null(p);
        expect_refused(p, TLSM_PAIR_SERVER);
        tlsm_pair_free(p);
        tlsm_config_free(client);
        tlsm_config_free(server);
    }
}

/* The same extra certificate sent in a server's chain, between its leaf and intermediate:
 * the client's handshake succeeds in both versions (RFC 8446 s.4.4.2 lets a server send
 * certificates the path does not need). */
Test(handshake, unused_extra_certificate_with_unknown_critical_extension)
{
    unknown_ext_chain u;
    unknown_ext_chain_make(&u);
    forge_der key;
    size_t len = 0, pos = 0;
    uint8_t *pem = pair_read_pki("server-p256.key", &len);
    cr_assert_eq(pki_pem_next(pem, len, &pos, NULL, NULL, &key.p, &key.len), 0);
    free(pem);
    for (int tls12 = 0; tls12 < 2; tls12++) {
        tlsm_config *client = trust_ca(TLSM_ROLE_CLIENT);
        tlsm_config *server = tlsm_config_new(TLSM_ROLE_SERVER);
        const uint8_t *chain[3] = {u.leaf.p, u.extra.p, u.inter.p};
        size_t lens[3] = {u.leaf.len, u.extra.len, u.inter.len};
        cr_assert_eq(tlsm_config_add_identity_der(server, chain, lens, 3, key.p, key.len), 0);
        if (tls12)
            cr_assert_eq(tlsm_config_set_versions(client, TLSM_TLS12, TLSM_TLS12), 0);
        cr_assert_eq(tlsm_config_set_clock(client, clock_2027, NULL), 0);
        tlsm_pair *p = tlsm_pair_new(client, server, PAIR_HOST);
        cr_assert_not_null(p);
        int rc = tlsm_pair_run(p);
        cr_assert_eq(rc, 0, "tls12 %d: %s", tls12, tlsm_strerror(rc));
        cr_assert_eq(tlsm_conn_peer_cert_count(tlsm_pair_client(p)), 3);
        tlsm_pair_free(p);
        tlsm_config_free(client);
        tlsm_config_free(server);
    }
    forge_free(&key);
    unknown_ext_chain_free(&u);
}
