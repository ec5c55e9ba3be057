/*
 * test_pki_profile.c - RFC 5280 profile rules on the certificates of a path (issue 16 items
 * 13, 14, 15, 16 and 18), through tlsm_verify_chain and, for the leaf rules, a handshake.
 *
 *  - 13: DNS names follow the syntax of pki/dnsname.c; a malformed dNSName below a CA that
 *        constrains DNS names is refused (".example.com" used to pass "example.com"), a
 *        malformed constraint makes its CA unusable, and without constraints a malformed
 *        dNSName only never matches a host;
 *  - 14: nameConstraints in an end-entity certificate is refused;
 *  - 15: an intermediate CA whose basicConstraints is not critical may not issue (a trust
 *        anchor may), and a leaf that asserts cA is refused for both purposes unless it is
 *        itself the trust anchor;
 *  - 16: an empty subject needs a critical subjectAltName, a CA's subject may not be
 *        empty, a critical subjectAltName beside a subject is fine;
 *  - 18: a critical nameConstraints on a form tlsm does not check (directoryName,
 *        otherName, URI) fails a chain only where a name of that form is present below it.
 *
 * Every certificate is the committed test PKI re-issued in memory (tests/common/certforge.h)
 * with the extensions or names under test, signed by the real issuer key, so that only the
 * change can explain a verdict.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "certforge.h"
#include "pair.h"
#include "pki/pki.h"

#define T_2027 INT64_C(1811808000) /* inside the test PKI's validity */

/* ------------------------------------------------------------------ building blocks */

typedef struct {
    forge_exts e;
} exts_t;

static void add_ext(exts_t *x, const uint8_t *oid, int critical, const forge_der *value)
{
    forge_ext(&x->e, oid, 3, critical, value->p, value->len);
}

static void add_bc(exts_t *x, int critical, int ca)
{
    forge_der bc;
    forge_basic_constraints(ca, -1, &bc);
    add_ext(x, forge_oid_basic_constraints, critical, &bc);
    forge_free(&bc);
}

static void add_san(exts_t *x, int critical, const forge_gname *names, size_t n)
{
    forge_der san;
    forge_general_names(names, n, &san);
    add_ext(x, forge_oid_san, critical, &san);
    forge_free(&san);
}

static void add_nc(exts_t *x, int critical, const forge_gname *permitted, size_t np,
                   const forge_gname *excluded, size_t ne)
{
    forge_der nc;
    forge_name_constraints(permitted, np, excluded, ne, &nc);
    add_ext(x, forge_oid_nc, critical, &nc);
    forge_free(&nc);
}

/* Re-issues the template `tmpl_name` with the given extensions (and subject and issuer
 * when not NULL), signed by `key_name`. Frees the extension list. */
static void reissue(const char *tmpl_name, const char *key_name, exts_t *x,
                    const forge_der *subject, const forge_der *issuer, forge_der *out)
{
    forge_der tmpl, exts;
    forge_read_pki_cert(tmpl_name, &tmpl);
    forge_exts_end(&x->e, &exts);
    crypto_privkey *key = forge_read_pki_key(key_name);
    forge_opts o = {.extensions = &exts, .subject = subject, .issuer = issuer, .key = key};
    forge_cert(tmpl.p, tmpl.len, &o, out);
    crypto_privkey_free(key);
    forge_free(&exts);
    forge_free(&tmpl);
}

/* A leaf for server-p256's key, issued by the intermediate (whose name `issuer` is, when
 * not NULL): basicConstraints critical with cA as given, and a subjectAltName of `names`. */
static void leaf_with(int ca, const forge_gname *names, size_t n, int san_critical,
                      const forge_der *subject, const forge_der *issuer, forge_der *out)
{
    exts_t x = {{{0}, 0}};
    add_bc(&x, 1, ca);
    if (n)
        add_san(&x, san_critical, names, n);
    reissue("server-p256.crt", "intermediate.key", &x, subject, issuer, out);
}

/* A leaf with dNSName SANs only. */
static void dns_leaf(const char *const *names, size_t n, forge_der *out)
{
    forge_gname g[8];
    cr_assert_leq(n, 8);
    for (size_t i = 0; i < n; i++)
        g[i] = forge_gn_dns(names[i]);
    leaf_with(0, g, n, 0, NULL, NULL, out);
}

/* The intermediate CA re-issued by the root with a critical (or not) basicConstraints cA
 * and, when given, name constraints. */
static void inter_with(int bc_critical, const forge_der *subject, int nc_critical,
                       const forge_gname *permitted, size_t np, const forge_gname *excluded,
                       size_t ne, forge_der *out)
{
    exts_t x = {{{0}, 0}};
    add_bc(&x, bc_critical, 1);
    if (np || ne)
        add_nc(&x, nc_critical, permitted, np, excluded, ne);
    reissue("intermediate.crt", "ca.key", &x, subject, NULL, out);
}

/* An intermediate constraining DNS names only. */
static void dns_inter(const char *const *permitted, size_t np, const char *const *excluded,
                      size_t ne, forge_der *out)
{
    forge_gname p[4], e[4];
    for (size_t i = 0; i < np; i++)
        p[i] = forge_gn_dns(permitted[i]);
    for (size_t i = 0; i < ne; i++)
        e[i] = forge_gn_dns(excluded[i]);
    inter_with(1, NULL, 1, p, np, e, ne, out);
}

static int verify_with(const char *anchor_pem, const forge_der *anchor_der,
                       const forge_der *leaf, const forge_der *inter, const char *host,
                       int purpose, tlsm_verify_result *r)
{
    tlsm_config *trust = tlsm_config_new(TLSM_ROLE_CLIENT);
    cr_assert_not_null(trust);
    if (anchor_pem) {
        cr_assert_eq(pair_add_trust(trust, anchor_pem), 0);
    } else {
        cr_assert_eq(tlsm_config_add_trust_der(trust, anchor_der->p, anchor_der->len), 0);
    }
    const uint8_t *der[2] = {leaf->p, inter ? inter->p : NULL};
    size_t len[2] = {leaf->len, inter ? inter->len : 0};
    int rc = tlsm_verify_chain(trust, der, len, inter ? 2 : 1, host, purpose, T_2027, 0, r);
    tlsm_config_free(trust);
    return rc;
}

/* Verifies [leaf, inter] to ca.crt; fault is r.fault (or -1 on success). */
static int verify2(const forge_der *leaf, const forge_der *inter, const char *host, int purpose,
                   int *fault)
{
    tlsm_verify_result r;
    int rc = verify_with("ca.crt", NULL, leaf, inter, host, purpose, &r);
    if (fault)
        *fault = r.fault;
    return rc;
}

#define EXPECT(rc, want, fault, want_fault, what)                                           \
    do {                                                                                    \
        cr_assert_eq((rc), (want), "%s: got %s, want %s", (what), tlsm_strerror(rc),       \
                     tlsm_strerror(want));                                                  \
        if ((want) != 0)                                                                    \
            cr_assert_eq((fault), (want_fault), "%s: fault %d", (what), (fault));           \
    } while (0)

/* ------------------------------------------------------------------ 13: DNS name syntax */

Test(dns_names, syntax)
{
    static const struct {
        const char *name;
        unsigned flags;
        int valid;
    } t[] = {
        {"example.com", 0, 1},
        {"a", 0, 1},
        {"xn--bcher-kva.example", 0, 1},
        {"_sip._tcp.example.com", 0, 1},
        {"1.2.3.4", 0, 1},
        {"EXAMPLE.com", 0, 1},
        {"", 0, 0},
        {".example.com", 0, 0},
        {"example.com.", 0, 0},
        {"example..com", 0, 0},
        {".", 0, 0},
        {" ", 0, 0},
        {"exa mple.com", 0, 0},
        {"-example.com", 0, 0},
        {"example-.com", 0, 0},
        {"exam!ple.com", 0, 0},
        {"*.example.com", 0, 0},
        {"*.example.com", PKI_DNS_WILDCARD, 1},
        {"*", PKI_DNS_WILDCARD, 0},
        {"*.", PKI_DNS_WILDCARD, 0},
        {"f*.example.com", PKI_DNS_WILDCARD, 0},
        {"a.*.example.com", PKI_DNS_WILDCARD, 0},
        {"**.example.com", PKI_DNS_WILDCARD, 0},
        {"*.*.example.com", PKI_DNS_WILDCARD, 0},
        {"", PKI_DNS_CONSTRAINT, 1},
        {".example.com", PKI_DNS_CONSTRAINT, 1},
        {"example.com", PKI_DNS_CONSTRAINT, 1},
        {".", PKI_DNS_CONSTRAINT, 0},
        {"..example.com", PKI_DNS_CONSTRAINT, 0},
        {"example.com.", PKI_DNS_CONSTRAINT, 0},
        {"*.example.com", PKI_DNS_CONSTRAINT, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        cr_assert_eq(pki_dns_name_valid((const uint8_t *)t[i].name, strlen(t[i].name),
                                        t[i].flags),
                     t[i].valid, "\"%s\" flags %u", t[i].name, t[i].flags);
    char label[70], name[300];
    memset(label, 'a', 63);
    label[63] = 0;
    cr_assert(pki_dns_name_valid((const uint8_t *)label, 63, 0), "63-character label");
    memset(label, 'a', 64);
    cr_assert_not(pki_dns_name_valid((const uint8_t *)label, 64, 0), "64-character label");
    for (size_t i = 0; i < sizeof name; i++)
        name[i] = i % 2 ? '.' : 'a';
    cr_assert(pki_dns_name_valid((const uint8_t *)name, 253, 0), "253 characters");
    cr_assert_not(pki_dns_name_valid((const uint8_t *)name + 1, 253, 0), "leading dot");
    cr_assert_not(pki_dns_name_valid((const uint8_t *)name, 255, 0), "255 characters");
}

Test(dns_names, malformed_san_under_permitted_dns_refused)
{
    /* The finding of the review: ".tlsm.test" passed a permitted "tlsm.test". */
    const char *permitted[] = {"tlsm.test"};
    forge_der inter;
    dns_inter(permitted, 1, NULL, 0, &inter);
    const char *bad[] = {".tlsm.test", "server..tlsm.test", "server.tlsm.test.", "-x.tlsm.test",
                         "f*o.tlsm.test", "x.*.tlsm.test", "server tlsm.test"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        forge_der leaf;
        const char *names[] = {"server.tlsm.test", bad[i]};
        dns_leaf(names, 2, &leaf);
        int fault = 0, rc = verify2(&leaf, &inter, NULL, TLSM_PURPOSE_SERVER, &fault);
        EXPECT(rc, TLSM_ERR_CERT_BAD_DNS_NAME, fault, 0, bad[i]);
        forge_free(&leaf);
    }
    const char *good[] = {"server.tlsm.test", "_x.tlsm.test", "*.tlsm.test", "TLSM.test"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        forge_der leaf;
        dns_leaf(&good[i], 1, &leaf);
        int fault = 0, rc = verify2(&leaf, &inter, NULL, TLSM_PURPOSE_SERVER, &fault);
        EXPECT(rc, 0, fault, -1, good[i]);
        forge_free(&leaf);
    }
    forge_free(&inter);
}

Test(dns_names, malformed_san_under_excluded_dns_refused)
{
    /* An exclusion cannot be judged for a malformed name either: "evil.test." and
     * ".evil.test" are refused, not waved through. */
    const char *excluded[] = {"evil.test"};
    forge_der inter;
    dns_inter(NULL, 0, excluded, 1, &inter);
    const char *bad[] = {".evil.test", "evil.test.", "www..evil.test"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        forge_der leaf;
        dns_leaf(&bad[i], 1, &leaf);
        int fault = 0, rc = verify2(&leaf, &inter, NULL, TLSM_PURPOSE_SERVER, &fault);
        EXPECT(rc, TLSM_ERR_CERT_BAD_DNS_NAME, fault, 0, bad[i]);
        forge_free(&leaf);
    }
    forge_der leaf;
    const char *fine[] = {"server.tlsm.test"};
    dns_leaf(fine, 1, &leaf);
    cr_assert_eq(verify2(&leaf, &inter, NULL, TLSM_PURPOSE_SERVER, NULL), 0);
    forge_free(&leaf);
    forge_free(&inter);
}

Test(dns_names, malformed_constraint_makes_the_ca_unusable)
{
    const char *names[] = {"server.tlsm.test"};
    forge_der leaf;
    dns_leaf(names, 1, &leaf);
    const char *bad[] = {"tlsm..test", "tlsm.test.", "*.tlsm.test", ".", "..tlsm.test",
                         "-tlsm.test"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        forge_der inter;
        dns_inter(&bad[i], 1, NULL, 0, &inter);
        pki_cert c;
        cr_assert_eq(pki_cert_parse(&c, inter.p, inter.len), TLSM_ERR_CERT_BAD_DNS_NAME, "%s",
                     bad[i]);
        int fault = 0, rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
        EXPECT(rc, TLSM_ERR_CERT_BAD_DNS_NAME, fault, 1, bad[i]);
        forge_free(&inter);
    }
    /* The empty constraint (every name) and the leading-dot form are well-formed. */
    const char *good[] = {"", ".tlsm.test", "tlsm.test"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        forge_der inter;
        dns_inter(&good[i], 1, NULL, 0, &inter);
        int fault = 0, rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
        EXPECT(rc, 0, fault, -1, good[i]);
        forge_free(&inter);
    }
    forge_free(&leaf);
}

Test(dns_names, without_constraints_a_malformed_name_only_never_matches)
{
    forge_der inter, leaf;
    forge_read_pki_cert("intermediate.crt", &inter);
    /* A trailing dot is not preferred name syntax: it matches nothing (it used to be
     * stripped and match). */
    const char *trailing[] = {"server.tlsm.test."};
    dns_leaf(trailing, 1, &leaf);
    int fault = 0, rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
    EXPECT(rc, TLSM_ERR_CERT_NAME_MISMATCH, fault, 0, "trailing dot");
    cr_assert_eq(verify2(&leaf, &inter, NULL, TLSM_PURPOSE_SERVER, NULL), 0,
                 "the certificate itself is usable");
    forge_free(&leaf);
    /* A malformed entry beside a good one leaves the good one usable. */
    const char *mixed[] = {".tlsm.test", "a..b", "server.tlsm.test"};
    dns_leaf(mixed, 3, &leaf);
    cr_assert_eq(verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, NULL), 0);
    cr_assert_eq(verify2(&leaf, &inter, "a..b", TLSM_PURPOSE_SERVER, NULL),
                 TLSM_ERR_CERT_NAME_MISMATCH);
    forge_free(&leaf);
    /* Underscores are tolerated on both sides; the host may be absolute. */
    const char *under[] = {"_x.tlsm.test"};
    dns_leaf(under, 1, &leaf);
    cr_assert_eq(verify2(&leaf, &inter, "_x.tlsm.test", TLSM_PURPOSE_SERVER, NULL), 0);
    cr_assert_eq(verify2(&leaf, &inter, "_X.tlsm.test.", TLSM_PURPOSE_SERVER, NULL), 0);
    forge_free(&leaf);
    forge_free(&inter);
}

/* ------------------------------------------------------------------ 14: constraints in a leaf */

Test(leaf_rules, name_constraints_in_a_leaf_refused)
{
    forge_der inter, leaf;
    forge_read_pki_cert("intermediate.crt", &inter);
    exts_t x = {{{0}, 0}};
    forge_gname san = forge_gn_dns(PAIR_HOST), tree = forge_gn_dns("tlsm.test");
    add_bc(&x, 1, 0);
    add_san(&x, 0, &san, 1);
    add_nc(&x, 1, &tree, 1, NULL, 0);
    reissue("server-p256.crt", "intermediate.key", &x, NULL, NULL, &leaf);
    for (int purpose = TLSM_PURPOSE_SERVER; purpose <= TLSM_PURPOSE_CLIENT; purpose++) {
        int fault = 0, rc = verify2(&leaf, &inter, NULL, purpose, &fault);
        EXPECT(rc, TLSM_ERR_CERT_LEAF_NAME_CONSTRAINTS, fault, 0, "critical");
    }
    forge_free(&leaf);
    /* Non-critical, and without basicConstraints at all: still an end-entity certificate. */
    x = (exts_t){{{0}, 0}};
    add_san(&x, 0, &san, 1);
    add_nc(&x, 0, &tree, 1, NULL, 0);
    reissue("server-p256.crt", "intermediate.key", &x, NULL, NULL, &leaf);
    int fault = 0, rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
    EXPECT(rc, TLSM_ERR_CERT_LEAF_NAME_CONSTRAINTS, fault, 0, "non-critical, no BC");
    forge_free(&leaf);
    forge_free(&inter);
}

/* RFC 5280 s.4.2: "A certificate MUST NOT include more than one instance of a particular
 * extension." A leaf with two subjectAltName extensions (each naming the host) does not
 * parse, whatever its signature. */
Test(leaf_rules, duplicate_extension_refused)
{
    forge_der inter, leaf;
    forge_read_pki_cert("intermediate.crt", &inter);
    exts_t x = {{{0}, 0}};
    forge_gname san = forge_gn_dns(PAIR_HOST);
    add_bc(&x, 1, 0);
    add_san(&x, 0, &san, 1);
    add_san(&x, 0, &san, 1);
    reissue("server-p256.crt", "intermediate.key", &x, NULL, NULL, &leaf);
    int fault = 0, rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
    EXPECT(rc, TLSM_ERR_CERT_PARSE, fault, 0, "two subjectAltName extensions");
    forge_free(&leaf);
    /* The control: the same leaf with one of them verifies. */
    x = (exts_t){{{0}, 0}};
    add_bc(&x, 1, 0);
    add_san(&x, 0, &san, 1);
    reissue("server-p256.crt", "intermediate.key", &x, NULL, NULL, &leaf);
    rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
    EXPECT(rc, 0, fault, 0, "one subjectAltName");
    forge_free(&leaf);
    forge_free(&inter);
}

/* ------------------------------------------------------------------ 15: basicConstraints */

Test(basic_constraints, intermediate_must_mark_it_critical)
{
    forge_der leaf, inter;
    forge_read_pki_cert("server-p256.crt", &leaf);
    inter_with(0, NULL, 0, NULL, 0, NULL, 0, &inter);
    int fault = 0, rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
    EXPECT(rc, TLSM_ERR_CERT_BC_NOT_CRITICAL, fault, 1, "non-critical");
    forge_free(&inter);
    inter_with(1, NULL, 0, NULL, 0, NULL, 0, &inter);
    cr_assert_eq(verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, NULL), 0, "critical");
    forge_free(&inter);
    forge_free(&leaf);
}

Test(basic_constraints, trust_anchor_may_leave_it_non_critical)
{
    /* The root re-made with a non-critical basicConstraints (same name and key, so it
     * still issued the intermediate): trusted as configured, like the real roots of
     * Debian's store that carry one. */
    exts_t x = {{{0}, 0}};
    add_bc(&x, 0, 1);
    forge_der root, leaf, inter;
    reissue("ca.crt", "ca.key", &x, NULL, NULL, &root);
    forge_read_pki_cert("server-p256.crt", &leaf);
    forge_read_pki_cert("intermediate.crt", &inter);
    tlsm_verify_result r;
    int rc = verify_with(NULL, &root, &leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, 0, "got %s", tlsm_strerror(rc));
    cr_assert_eq(r.path_len, 3);
    forge_free(&root);
    forge_free(&leaf);
    forge_free(&inter);
}

Test(basic_constraints, ca_leaf_refused_for_both_purposes)
{
    forge_der leaf, inter;
    forge_gname san = forge_gn_dns(PAIR_HOST);
    leaf_with(1, &san, 1, 0, NULL, NULL, &leaf);
    forge_read_pki_cert("intermediate.crt", &inter);
    for (int purpose = TLSM_PURPOSE_SERVER; purpose <= TLSM_PURPOSE_CLIENT; purpose++) {
        int fault = 0;
        int rc = verify2(&leaf, &inter, purpose == TLSM_PURPOSE_SERVER ? PAIR_HOST : NULL,
                         purpose, &fault);
        EXPECT(rc, TLSM_ERR_CERT_LEAF_IS_CA, fault, 0, purpose ? "client" : "server");
    }
    forge_free(&leaf);
    leaf_with(0, &san, 1, 0, NULL, NULL, &leaf);
    cr_assert_eq(verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, NULL), 0, "cA FALSE");
    forge_free(&leaf);
    forge_free(&inter);
}

Test(basic_constraints, pinned_ca_leaf_is_trusted)
{
    /* A self-signed CA certificate that is both the trust anchor and the peer's leaf (what
     * `openssl req -x509` makes with OpenSSL's default configuration). */
    exts_t x = {{{0}, 0}};
    forge_gname san = forge_gn_dns(PAIR_HOST);
    add_bc(&x, 1, 1);
    add_san(&x, 0, &san, 1);
    forge_der self;
    reissue("ca.crt", "ca.key", &x, NULL, NULL, &self);
    tlsm_verify_result r;
    int rc = verify_with(NULL, &self, &self, NULL, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, 0, "got %s", tlsm_strerror(rc));
    cr_assert_eq(r.path_len, 1);
    /* The same certificate under another anchor is an ordinary CA leaf. */
    rc = verify_with("ca.crt", NULL, &self, NULL, PAIR_HOST, TLSM_PURPOSE_SERVER, &r);
    cr_assert_eq(rc, TLSM_ERR_CERT_LEAF_IS_CA, "got %s", tlsm_strerror(rc));
    forge_free(&self);
}

/* ------------------------------------------------------------------ 16: empty subjects */

Test(empty_subject, leaf_needs_a_critical_san)
{
    forge_der empty, leaf, inter;
    forge_name(NULL, &empty);
    forge_read_pki_cert("intermediate.crt", &inter);
    forge_gname san = forge_gn_dns(PAIR_HOST);
    leaf_with(0, &san, 1, 1, &empty, NULL, &leaf);
    cr_assert_eq(verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, NULL), 0,
                 "empty subject, critical subjectAltName");
    forge_free(&leaf);
    leaf_with(0, &san, 1, 0, &empty, NULL, &leaf);
    int fault = 0, rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
    EXPECT(rc, TLSM_ERR_CERT_EMPTY_SUBJECT, fault, 0, "non-critical subjectAltName");
    forge_free(&leaf);
    leaf_with(0, NULL, 0, 0, &empty, NULL, &leaf);
    rc = verify2(&leaf, &inter, NULL, TLSM_PURPOSE_CLIENT, &fault);
    EXPECT(rc, TLSM_ERR_CERT_EMPTY_SUBJECT, fault, 0, "no subjectAltName");
    forge_free(&leaf);
    /* A critical subjectAltName beside a subject is allowed (s.4.2.1.6: SHOULD only). */
    leaf_with(0, &san, 1, 1, NULL, NULL, &leaf);
    cr_assert_eq(verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, NULL), 0,
                 "subject and critical subjectAltName");
    forge_free(&leaf);
    forge_free(&inter);
    forge_free(&empty);
}

Test(empty_subject, ca_subject_must_not_be_empty)
{
    /* An intermediate with an empty subject, and a leaf naming it (an empty issuer). */
    forge_der empty, leaf, inter;
    forge_name(NULL, &empty);
    inter_with(1, &empty, 0, NULL, 0, NULL, 0, &inter);
    forge_gname san = forge_gn_dns(PAIR_HOST);
    leaf_with(0, &san, 1, 0, NULL, &empty, &leaf);
    int fault = 0, rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
    EXPECT(rc, TLSM_ERR_CERT_EMPTY_SUBJECT, fault, 1, "empty CA subject");
    forge_free(&leaf);
    forge_free(&inter);
    forge_free(&empty);
}

/* ------------------------------------------------------------------ 18: unchecked forms */

/* otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }: 1.3.6.1.4.1.55555.2 and
 * UTF8String "x", as GeneralName contents. */
static const uint8_t OTHER_NAME[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2,
                                     0x03, 0x02, 0xa0, 0x03, 0x0c, 0x01, 'x'};

Test(unchecked_forms, directory_name_constraint_applies_to_subjects)
{
    forge_der dir, empty, inter, leaf;
    forge_name("somewhere", &dir);
    forge_name(NULL, &empty);
    forge_gname tree = {FORGE_GN_DIRECTORY, dir.p, dir.len};
    inter_with(1, NULL, 1, &tree, 1, NULL, 0, &inter);
    pki_cert c;
    cr_assert_eq(pki_cert_parse(&c, inter.p, inter.len), 0, "the CA itself parses");
    forge_gname san = forge_gn_dns(PAIR_HOST);
    /* A subject is a directoryName that tlsm cannot check against the constraint. */
    leaf_with(0, &san, 1, 0, NULL, NULL, &leaf);
    int fault = 0, rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
    EXPECT(rc, TLSM_ERR_CERT_NC_UNSUPPORTED_NAME, fault, 0, "subject");
    forge_free(&leaf);
    /* No directoryName below: the constraint has nothing to apply to. */
    leaf_with(0, &san, 1, 1, &empty, NULL, &leaf);
    rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
    EXPECT(rc, 0, fault, -1, "empty subject");
    forge_free(&leaf);
    /* ... unless the subjectAltName carries one. */
    forge_gname sans[2] = {san, {FORGE_GN_DIRECTORY, dir.p, dir.len}};
    leaf_with(0, sans, 2, 1, &empty, NULL, &leaf);
    rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
    EXPECT(rc, TLSM_ERR_CERT_NC_UNSUPPORTED_NAME, fault, 0, "directoryName SAN");
    forge_free(&leaf);
    forge_free(&inter);
    /* A non-critical extension with such a form is applied to the forms tlsm checks and
     * otherwise ignored, as before. */
    inter_with(1, NULL, 0, &tree, 1, NULL, 0, &inter);
    leaf_with(0, &san, 1, 0, NULL, NULL, &leaf);
    cr_assert_eq(verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, NULL), 0, "non-critical");
    forge_free(&leaf);
    forge_free(&inter);
    forge_free(&dir);
    forge_free(&empty);
}

Test(unchecked_forms, other_name_and_uri_only_when_present)
{
    forge_gname other = {FORGE_GN_OTHER_NAME, OTHER_NAME, sizeof OTHER_NAME};
    forge_gname uri_tree = {FORGE_GN_URI, ".tlsm.test", 10};
    forge_gname uri = {FORGE_GN_URI, "https://x.tlsm.test/", 20};
    forge_gname san = forge_gn_dns(PAIR_HOST);
    struct {
        const char *what;
        forge_gname tree;
        int excluded;
        forge_gname name;
    } t[] = {{"excluded otherName", other, 1, other}, {"permitted URI", uri_tree, 0, uri}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        forge_der inter, leaf;
        inter_with(1, NULL, 1, t[i].excluded ? NULL : &t[i].tree, !t[i].excluded,
                   t[i].excluded ? &t[i].tree : NULL, t[i].excluded, &inter);
        leaf_with(0, &san, 1, 0, NULL, NULL, &leaf);
        int fault = 0, rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
        EXPECT(rc, 0, fault, -1, t[i].what);
        forge_free(&leaf);
        forge_gname sans[2] = {san, t[i].name};
        leaf_with(0, sans, 2, 0, NULL, NULL, &leaf);
        rc = verify2(&leaf, &inter, PAIR_HOST, TLSM_PURPOSE_SERVER, &fault);
        EXPECT(rc, TLSM_ERR_CERT_NC_UNSUPPORTED_NAME, fault, 0, t[i].what);
        forge_free(&leaf);
        forge_free(&inter);
    }
}

Test(unchecked_forms, general_name_tags_are_exact)
{
    /* A GeneralName tag that is none of the CHOICE's alternatives (a constructed [2], a
     * [9]) is malformed, in a subjectAltName and in a subtree, so that no name escapes
     * the form it is checked as. */
    static const uint8_t body[] = {0x04, 0x01, 'x'};
    forge_gname bad[] = {{0xa2, body, sizeof body}, {0x89, "x", 1}, {0x84, "x", 1}};
    forge_gname san = forge_gn_dns(PAIR_HOST);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        forge_der leaf, inter;
        pki_cert c;
        forge_gname sans[2] = {san, bad[i]};
        leaf_with(0, sans, 2, 0, NULL, NULL, &leaf);
        cr_assert_eq(pki_cert_parse(&c, leaf.p, leaf.len), TLSM_ERR_CERT_PARSE, "SAN %02x",
                     bad[i].tag);
        inter_with(1, NULL, 0, &bad[i], 1, NULL, 0, &inter);
        cr_assert_eq(pki_cert_parse(&c, inter.p, inter.len), TLSM_ERR_CERT_PARSE, "subtree %02x",
                     bad[i].tag);
        forge_free(&leaf);
        forge_free(&inter);
    }
}

/* ------------------------------------------------------------------ in a handshake */

static uint64_t clock_2027(void *ctx)
{
    (void)ctx;
    return (uint64_t)T_2027 * 1000;
}

/* Adds [leaf, intermediate] with the key of `key_name` as cfg's identity. */
static void add_identity(tlsm_config *cfg, const forge_der *leaf, const char *key_name)
{
    forge_der inter, key;
    forge_read_pki_cert("intermediate.crt", &inter);
    size_t len = 0, pos = 0;
    uint8_t *pem = pair_read_pki(key_name, &len);
    cr_assert_eq(pki_pem_next(pem, len, &pos, NULL, NULL, &key.p, &key.len), 0);
    free(pem);
    const uint8_t *chain[2] = {leaf->p, inter.p};
    size_t lens[2] = {leaf->len, inter.len};
    cr_assert_eq(tlsm_config_add_identity_der(cfg, chain, lens, 2, key.p, key.len), 0);
    forge_free(&inter);
    forge_free(&key);
}

static tlsm_config *config(tlsm_role role, int tls12)
{
    tlsm_config *cfg = tlsm_config_new(role);
    cr_assert_not_null(cfg);
    cr_assert_eq(pair_add_trust(cfg, "ca.crt"), 0);
    cr_assert_eq(tlsm_config_set_clock(cfg, clock_2027, NULL), 0);
    if (tls12)
        cr_assert_eq(tlsm_config_set_versions(cfg, TLSM_TLS12, TLSM_TLS12), 0);
    return cfg;
}

Test(handshake, ca_leaf_refused_in_both_directions)
{
    forge_gname server_san = forge_gn_dns(PAIR_HOST), client_san = forge_gn_dns("client.tlsm.test");
    forge_der server_leaf, client_leaf;
    leaf_with(1, &server_san, 1, 0, NULL, NULL, &server_leaf);
    exts_t x = {{{0}, 0}};
    add_bc(&x, 1, 1);
    add_san(&x, 0, &client_san, 1);
    reissue("client.crt", "intermediate.key", &x, NULL, NULL, &client_leaf);
    for (int tls12 = 0; tls12 < 2; tls12++) {
        for (int refuser = TLSM_PAIR_CLIENT; refuser <= TLSM_PAIR_SERVER; refuser++) {
            tlsm_config *client = config(TLSM_ROLE_CLIENT, tls12);
            tlsm_config *server = config(TLSM_ROLE_SERVER, tls12);
            if (refuser == TLSM_PAIR_CLIENT) {
                add_identity(server, &server_leaf, "server-p256.key");
            } else {
                cr_assert_eq(pair_add_identity(server, PAIR_KEY_P256), 0);
                add_identity(client, &client_leaf, "client.key");
                cr_assert_eq(tlsm_config_set_client_auth(server, 2), 0);
            }
            tlsm_pair *p = tlsm_pair_new(client, server, PAIR_HOST);
            cr_assert_not_null(p);
            cr_assert_neq(tlsm_pair_run(p), 0, "the handshake must fail");
            tlsm_conn *c = refuser == TLSM_PAIR_CLIENT ? tlsm_pair_client(p) : tlsm_pair_server(p);
            cr_assert_eq(tlsm_conn_verify_error(c), TLSM_ERR_CERT_LEAF_IS_CA, "got %s",
                         tlsm_strerror(tlsm_conn_verify_error(c)));
            tlsm_error_detail d;
            cr_assert_eq(tlsm_conn_error_detail(c, &d), 0);
            cr_assert_str_eq(d.reason, "CERT_LEAF_IS_CA");
            cr_assert_eq(tlsm_conn_error(c),
                         TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_UNSUPPORTED_CERTIFICATE));
            tlsm_pair_free(p);
            tlsm_config_free(client);
            tlsm_config_free(server);
        }
    }
    forge_free(&server_leaf);
    forge_free(&client_leaf);
}
