/*
 * test_pki.c - tests for core/src/pki: the strict DER reader, PEM, X.509 parsing, private
 * key loading, host/IP matching and chain verification.
 *
 * Inputs: the committed test PKI (tests/data/pki), the RFC 8448 certificate and key from
 * the shared vectors (skipped with a message when absent), and a corpus that
 * tests/pki/gen-cases.sh makes with the openssl CLI into a temporary directory once per
 * run (a PRE_ALL hook in the runner process; test processes find it via TLSM_PKI_CASES).
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki/der.h"
#include "corpus.h"
#include "pki/pki.h"

#define T_2030 INT64_C(1893456000)  /* 2030-01-01: inside every "good" generated case */
#define T_2027 INT64_C(1798761600)  /* 2027-01-01: inside the committed test PKI */
#define T_2020 INT64_C(1577836800)  /* 2020-01-01: RFC 8448 certificate still valid */

/* ------------------------------------------------------------------ helpers */


static const char *cases_dir(void)
{
    const char *d = getenv("TLSM_PKI_CASES");
    cr_assert_not_null(d, "the PRE_ALL hook did not generate the cases");
    return d;
}

/* A chain read from PEM: the DER buffers and their parses. */
typedef struct {
    uint8_t *der[16];
    size_t len[16];
    pki_cert cert[16];
    size_t n;
    int parse_rc; /* first non-zero pki_cert_parse result, or 0 */
} chain_t;

static void chain_load_path(chain_t *c, const char *path)
{
    size_t len, pos = 0;
    uint8_t *pem = test_read_file(path, &len);
    memset(c, 0, sizeof(*c));
    while (c->n < 16) {
        int rc = pki_pem_next(pem, len, &pos, "CERTIFICATE", NULL, &c->der[c->n], &c->len[c->n]);
        if (rc == 1)
            break;
        cr_assert_eq(rc, 0, "PEM error in %s", path);
        rc = pki_cert_parse(&c->cert[c->n], c->der[c->n], c->len[c->n]);
        if (rc != 0 && c->parse_rc == 0)
            c->parse_rc = rc;
        c->n++;
    }
    free(pem);
    cr_assert_gt(c->n, 0, "no certificate in %s", path);
}

static void chain_load(chain_t *c, const char *dir, const char *name)
{
    char path[1024];
    cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", dir, name), (int)sizeof(path), "path too long");
    chain_load_path(c, path);
}

static void chain_free(chain_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->der[i]);
}

static void store_add_file(pki_store *s, const char *dir, const char *name)
{
    chain_t c;
    chain_load(&c, dir, name);
    for (size_t i = 0; i < c.n; i++)
        cr_assert_eq(pki_store_add_der(s, c.der[i], c.len[i]), 0, "anchor %s", name);
    chain_free(&c);
}

static crypto_privkey *load_key(const char *dir, const char *name)
{
    char path[1024];
    size_t len;
    crypto_privkey *k = NULL;
    cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", dir, name), (int)sizeof(path), "path too long");
    uint8_t *pem = test_read_file(path, &len);
    int rc = pki_privkey_pem(pem, len, &k);
    free(pem);
    cr_assert_eq(rc, 0, "key %s: %d", name, rc);
    cr_assert_not_null(k);
    return k;
}

static int verify(const pki_store *s, const chain_t *c, const char *host, int64_t now,
                  pki_purpose purpose, size_t min_rsa, size_t *bad)
{
    pki_verify_opts o = {.host = host, .now = now, .purpose = purpose, .min_rsa_bits = min_rsa};
    return pki_verify_chain(s, c->cert, c->n, &o, bad);
}

static const char *pki_dir(void)
{
    static char d[1024];
    snprintf(d, sizeof(d), "%s/tests/data/pki", TLSM_SOURCE_DIR);
    return d;
}

/* ------------------------------------------------------------------ case generation */

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    const char *gen_dir = corpus_setup("test_pki");
    setenv("TLSM_PKI_CASES", gen_dir, 1);
    int chains = 0, certs = 0;
    DIR *d = opendir(gen_dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        chains += strstr(e->d_name, ".chain.pem") != NULL;
        certs += strstr(e->d_name, ".crt") != NULL;
    }
    if (d)
        closedir(d);
    printf("test_pki: %d chain cases (%d certificates) in %s\n", chains, certs, gen_dir);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    corpus_teardown();
}

/* ------------------------------------------------------------------ DER reader */

static int der_ok_len(const uint8_t *p, size_t n)
{
    der_reader r;
    size_t len = 0;
    uint8_t tag;
    der_init(&r, p, n);
    der_get_any(&r, &tag, &len);
    return der_end(&r) == 0 ? (int)len : -1;
}

Test(der, lengths_are_definite_and_minimal)
{
    cr_assert_eq(der_ok_len((const uint8_t *)"\x04\x01\xaa", 3), 1);
    cr_assert_eq(der_ok_len((const uint8_t *)"\x04\x00", 2), 0);
    cr_assert_eq(der_ok_len((const uint8_t *)"\x30\x80\x00\x00", 4), -1, "indefinite");
    cr_assert_eq(der_ok_len((const uint8_t *)"\x04\x81\x01\xaa", 4), -1, "long form < 128");
    cr_assert_eq(der_ok_len((const uint8_t *)"\x04\x82\x00\x01\xaa", 5), -1, "leading zero");
    cr_assert_eq(der_ok_len((const uint8_t *)"\x04\x02\xaa", 3), -1, "overrun");
    cr_assert_eq(der_ok_len((const uint8_t *)"\x04\x01\xaa\x00", 4), -1, "trailing byte");
    cr_assert_eq(der_ok_len((const uint8_t *)"\x1f\x01\x01\x00", 4), -1, "high tag number");
    uint8_t big[3 + 200];
    memset(big, 0, sizeof(big));
    big[0] = 0x04, big[1] = 0x81, big[2] = 200;
    cr_assert_eq(der_ok_len(big, sizeof(big)), 200);
}

Test(der, poisoned_reader_stays_poisoned_and_blocks_must_be_consumed)
{
    static const uint8_t seq[] = {0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07};
    der_reader r, s;
    der_init(&r, seq, sizeof(seq));
    der_enter(&r, DER_SEQUENCE, &s);
    cr_assert_eq(der_small_uint(&s, 100), 5);
    cr_assert_eq(der_leave(&r, &s), -1, "one INTEGER left unread");
    cr_assert(r.err);
    cr_assert_null(der_get(&r, DER_INTEGER, &(size_t){0}));
    der_init(&r, seq, sizeof(seq));
    cr_assert_null(der_get(&r, DER_SET, &(size_t){0}), "wrong tag");
    cr_assert_eq(der_peek(&r), -1);
}

static int int_ok(const uint8_t *p, size_t n)
{
    der_reader r;
    size_t len;
    der_init(&r, p, n);
    der_integer(&r, &len);
    return der_end(&r) == 0;
}

Test(der, integers_are_minimal)
{
    cr_assert(int_ok((const uint8_t *)"\x02\x01\x00", 3));
    cr_assert(int_ok((const uint8_t *)"\x02\x02\x00\x80", 4));
    cr_assert(int_ok((const uint8_t *)"\x02\x02\xff\x7f", 4));
    cr_assert_not(int_ok((const uint8_t *)"\x02\x00", 2), "empty");
    cr_assert_not(int_ok((const uint8_t *)"\x02\x02\x00\x7f", 4), "redundant 00");
    cr_assert_not(int_ok((const uint8_t *)"\x02\x02\xff\x80", 4), "redundant ff");
    der_reader r;
    size_t len;
    der_init(&r, (const uint8_t *)"\x02\x01\x80", 3);
    cr_assert_null(der_uint(&r, &len), "negative where unsigned expected");
    der_init(&r, (const uint8_t *)"\x02\x03\x00\x80\x01", 5);
    const uint8_t *m = der_uint(&r, &len);
    cr_assert(m && len == 2 && m[0] == 0x80 && m[1] == 0x01, "sign byte stripped");
    der_init(&r, (const uint8_t *)"\x02\x01\x03", 3);
    cr_assert_eq(der_small_uint(&r, 2), 0);
    cr_assert(r.err, "above max");
}

Test(der, booleans_bit_strings_oids)
{
    der_reader r;
    size_t len;
    unsigned unused;
    der_init(&r, (const uint8_t *)"\x01\x01\xff", 3);
    cr_assert_eq(der_bool(&r), 1);
    der_init(&r, (const uint8_t *)"\x01\x01\x01", 3);
    der_bool(&r);
    cr_assert(r.err, "BOOLEAN 0x01 is BER, not DER");
    der_init(&r, (const uint8_t *)"\x03\x02\x05\xa0", 4);
    const uint8_t *b = der_bits(&r, &len, &unused);
    cr_assert(b && len == 1 && unused == 5 && b[0] == 0xa0);
    der_init(&r, (const uint8_t *)"\x03\x02\x05\xa1", 4);
    cr_assert_null(der_bits(&r, &len, &unused), "non-zero unused bits");
    der_init(&r, (const uint8_t *)"\x03\x02\x08\x00", 4);
    cr_assert_null(der_bits(&r, &len, &unused), "8 unused bits");
    der_init(&r, (const uint8_t *)"\x03\x01\x01", 3);
    cr_assert_null(der_bits(&r, &len, &unused), "unused bits in an empty string");
    der_init(&r, (const uint8_t *)"\x06\x03\x2b\x65\x70", 5);
    cr_assert_not_null(der_oid(&r, &len));
    der_init(&r, (const uint8_t *)"\x06\x03\x2b\x80\x70", 5);
    cr_assert_null(der_oid(&r, &len), "non-minimal arc");
    der_init(&r, (const uint8_t *)"\x06\x02\x2b\x85", 4);
    cr_assert_null(der_oid(&r, &len), "unterminated arc");
    der_init(&r, (const uint8_t *)"\x06\x00", 2);
    cr_assert_null(der_oid(&r, &len), "empty OID");
}

static int64_t time_of(uint8_t tag, const char *s, int *ok)
{
    uint8_t buf[32];
    der_reader r;
    size_t n = strlen(s);
    buf[0] = tag;
    buf[1] = (uint8_t)n;
    memcpy(buf + 2, s, n);
    der_init(&r, buf, n + 2);
    int64_t t = der_time(&r);
    *ok = der_end(&r) == 0;
    return t;
}

Test(der, times_utc_pivot_and_generalized)
{
    int ok;
    cr_assert_eq(time_of(DER_UTC_TIME, "700101000000Z", &ok), 0);
    cr_assert(ok);
    cr_assert_eq(time_of(DER_UTC_TIME, "491231235959Z", &ok), INT64_C(2524607999));
    cr_assert(ok, "49 is 2049");
    cr_assert_eq(time_of(DER_UTC_TIME, "500101000000Z", &ok), INT64_C(-631152000));
    cr_assert(ok, "50 is 1950");
    cr_assert_eq(time_of(DER_GENERALIZED_TIME, "20300101000000Z", &ok), T_2030);
    cr_assert(ok);
    cr_assert_eq(time_of(DER_GENERALIZED_TIME, "20240229120000Z", &ok), INT64_C(1709208000));
    cr_assert(ok, "leap day");
    const char *bad_utc[] = {"2302291200Z",   "230229120000Z", "231301000000Z", "230101240000Z",
                             "230101006000Z", "230101000060Z", "230101000000",  "2301010000Z00",
                             "230101000000+", "23010100000aZ", "230431000000Z"};
    for (size_t i = 0; i < sizeof(bad_utc) / sizeof(bad_utc[0]); i++) {
        time_of(DER_UTC_TIME, bad_utc[i], &ok);
        cr_assert_not(ok, "UTCTime %s must be rejected", bad_utc[i]);
    }
    time_of(DER_GENERALIZED_TIME, "20300101000000.5Z", &ok);
    cr_assert_not(ok, "fractional seconds");
    time_of(DER_GENERALIZED_TIME, "203001010000Z", &ok);
    cr_assert_not(ok, "seconds missing");
    time_of(DER_GENERALIZED_TIME, "21000229000000Z", &ok);
    cr_assert_not(ok, "2100 is not a leap year");
}

/* ------------------------------------------------------------------ PEM */

static int pem_one(const char *text, const char *label, uint8_t **der, size_t *len)
{
    size_t pos = 0;
    return pki_pem_next((const uint8_t *)text, strlen(text), &pos, label, NULL, der, len);
}

Test(pem, blocks_labels_crlf_and_text_between)
{
    const char *text = "leading text\r\n"
                       "-----BEGIN FOO-----\r\nAAEC\r\n-----END FOO-----\r\n"
                       "Bag Attributes: between blocks\n"
                       "-----BEGIN CERTIFICATE-----\nYWJj\nZA==\n-----END CERTIFICATE-----\n";
    size_t pos = 0, len;
    uint8_t *der;
    char label[64];
    cr_assert_eq(pki_pem_next((const uint8_t *)text, strlen(text), &pos, NULL, label, &der, &len),
                 0);
    cr_assert_str_eq(label, "FOO");
    cr_assert(len == 3 && der[0] == 0 && der[1] == 1 && der[2] == 2);
    free(der);
    cr_assert_eq(pki_pem_next((const uint8_t *)text, strlen(text), &pos, NULL, label, &der, &len),
                 0);
    cr_assert_str_eq(label, "CERTIFICATE");
    cr_assert(len == 4 && memcmp(der, "abcd", 4) == 0);
    free(der);
    cr_assert_eq(pki_pem_next((const uint8_t *)text, strlen(text), &pos, NULL, label, &der, &len),
                 1);
    pos = 0;
    cr_assert_eq(pki_pem_next((const uint8_t *)text, strlen(text), &pos, "CERTIFICATE", NULL,
                              &der, &len),
                 0, "a block with another label is skipped");
    cr_assert_eq(len, 4);
    free(der);
}

Test(pem, strict_base64)
{
    uint8_t *der;
    size_t len;
    const char *bad[] = {
        "-----BEGIN X-----\nYW!j\n-----END X-----\n",           /* bad character */
        "-----BEGIN X-----\nYWJ\n-----END X-----\n",            /* missing padding */
        "-----BEGIN X-----\nYQ=a\n-----END X-----\n",           /* data after '=' */
        "-----BEGIN X-----\nY===\n-----END X-----\n",           /* too much padding */
        "-----BEGIN X-----\nYR==\n-----END X-----\n",           /* non-zero pad bits */
        "-----BEGIN X-----\nYWJjZA==YWJj\n-----END X-----\n",   /* padding mid-stream */
        "-----BEGIN X-----\nYWJj\n-----END Y-----\n",           /* END label differs */
        "-----BEGIN X-----\nYWJj\n",                            /* no END line */
        "-----BEGIN X-----\n\n-----END X-----\n",               /* empty body */
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nYWJj\n"
        "-----END RSA PRIVATE KEY-----\n",                      /* encapsulated headers */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(pem_one(bad[i], NULL, &der, &len), TLSM_ERR_PEM, "case %zu", i);
    cr_assert_eq(pem_one("no pem here", NULL, &der, &len), 1);
    cr_assert_eq(pem_one("-----BEGIN X-----\nYQ==\n-----END X-----", NULL, &der, &len), 0,
                 "no final newline");
    cr_assert(len == 1 && der[0] == 'a');
    free(der);
}

/* ------------------------------------------------------------------ host names and IPs */

Test(host, parse_ip_literals)
{
    uint8_t ip[16];
    size_t n;
    cr_assert(pki_parse_ip("127.0.0.1", ip, &n) && n == 4 && ip[0] == 127 && ip[3] == 1);
    cr_assert(pki_parse_ip("::1", ip, &n) && n == 16 && ip[15] == 1 && ip[0] == 0);
    cr_assert(pki_parse_ip("::", ip, &n) && n == 16);
    cr_assert(pki_parse_ip("2001:db8::1", ip, &n) && ip[0] == 0x20 && ip[1] == 0x01 &&
              ip[2] == 0x0d && ip[3] == 0xb8 && ip[15] == 1);
    cr_assert(pki_parse_ip("1:2:3:4:5:6:7:8", ip, &n) && ip[14] == 0 && ip[15] == 8);
    cr_assert(pki_parse_ip("::ffff:192.0.2.1", ip, &n) && n == 16 && ip[10] == 0xff &&
              ip[12] == 192 && ip[15] == 1);
    const char *bad[] = {"256.0.0.1", "1.2.3",   "1.2.3.4.5", "01.2.3.4", "1.2.3.4 ",
                         "1::2::3",   ":1::2",   "1:2:3:4:5:6:7:8:9", "12345::", "1:",
                         "fe80::1%1", "[::1]",   "example.com", "",   "1.2.3.-4"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_not(pki_parse_ip(bad[i], ip, &n), "%s is not an IP literal", bad[i]);
}

Test(host, wildcards_case_and_trailing_dot)
{
    chain_t c;
    chain_load(&c, cases_dir(), "wild.chain.pem");
    cr_assert_eq(c.parse_rc, 0);
    const char *match[] = {"a.wild.test", "A.WILD.TEST", "a.wild.test.", "xn--bcher-kva.wild.test"};
    const char *nomatch[] = {"wild.test",     "a.b.wild.test", ".wild.test",     "foo.partial.test",
                             "f.partial.test", "x.test",       "a.x.inner.test", "a.wild.test..",
                             "*.wild.test",   "",              "192.0.2.1"};
    for (size_t i = 0; i < sizeof(match) / sizeof(match[0]); i++)
        cr_assert_eq(pki_match_host(&c.cert[0], match[i]), 0, "%s", match[i]);
    for (size_t i = 0; i < sizeof(nomatch) / sizeof(nomatch[0]); i++)
        cr_assert_eq(pki_match_host(&c.cert[0], nomatch[i]), TLSM_ERR_CERT_NAME_MISMATCH, "%s",
                     nomatch[i]);
    chain_free(&c);
}

Test(host, ip_sans_never_dns)
{
    chain_t c;
    chain_load(&c, cases_dir(), "ip.chain.pem");
    cr_assert_eq(pki_match_host(&c.cert[0], "192.0.2.1"), 0);
    cr_assert_eq(pki_match_host(&c.cert[0], "2001:db8::1"), 0);
    cr_assert_eq(pki_match_host(&c.cert[0], "2001:0db8:0:0:0:0:0:1"), 0);
    cr_assert_eq(pki_match_host(&c.cert[0], "192.0.2.2"), TLSM_ERR_CERT_NAME_MISMATCH,
                 "an IP literal must not match a dNSName");
    cr_assert_eq(pki_match_host(&c.cert[0], "2001:db8::2"), TLSM_ERR_CERT_NAME_MISMATCH);
    cr_assert_eq(pki_match_host(&c.cert[0], "::ffff:192.0.2.1"), TLSM_ERR_CERT_NAME_MISMATCH,
                 "v4-mapped v6 is 16 bytes, the SAN 4");
    chain_free(&c);
}

/* RFC 6125 s.6.4.1: a reference identity matches a dNSName when the two are the same name
 * (ignoring ASCII case), never when one is a prefix of the other. The committed server
 * certificate names localhost and server.tlsm.test. */
Test(host, exact_names_not_prefixes)
{
    chain_t c;
    chain_load(&c, pki_dir(), "server-p256.crt");
    cr_assert_eq(c.parse_rc, 0);
    cr_assert_eq(pki_match_host(&c.cert[0], "server.tlsm.test"), 0);
    cr_assert_eq(pki_match_host(&c.cert[0], "LOCALHOST"), 0);
    const char *nomatch[] = {"server.tlsm.tes", "server.tlsm", "localhos", "l",
                             "server.tlsm.testx", "localhost.test"};
    for (size_t i = 0; i < sizeof(nomatch) / sizeof(nomatch[0]); i++)
        cr_assert_eq(pki_match_host(&c.cert[0], nomatch[i]), TLSM_ERR_CERT_NAME_MISMATCH, "%s",
                     nomatch[i]);
    chain_free(&c);
}

/* ------------------------------------------------------------------ committed test PKI */

static const char *const PKI_CERTS[] = {"ca.crt", "intermediate.crt", "client.crt",
                                        "server-ed25519.crt", "server-p256.crt",
                                        "server-p384.crt", "server-rsa.crt", "server-rsapss.crt"};
static const char *const SERVER_KINDS[] = {"ed25519", "p256", "p384", "rsa", "rsapss"};
static const pk_type SERVER_TYPES[] = {PK_ED25519, PK_EC_P256, PK_EC_P384, PK_RSA, PK_RSA_PSS};

Test(testpki, every_certificate_parses)
{
    for (size_t i = 0; i < sizeof(PKI_CERTS) / sizeof(PKI_CERTS[0]); i++) {
        chain_t c;
        chain_load(&c, pki_dir(), PKI_CERTS[i]);
        cr_assert_eq(c.n, 1);
        cr_assert_eq(c.parse_rc, 0, "%s", PKI_CERTS[i]);
        const pki_cert *x = &c.cert[0];
        cr_assert_eq(x->version, 3);
        cr_assert_eq(x->sig_alg, SIG_ECDSA_SHA256);
        cr_assert_eq(x->not_before / 86400, INT64_C(1795824000) / 86400, "2026-11-28");
        cr_assert_eq(x->not_after - x->not_before, INT64_C(36500) * 86400, "36500 days");
        int ca = i < 2;
        cr_assert_eq(x->is_ca, ca, "%s", PKI_CERTS[i]);
        cr_assert_eq(x->has_key_usage, 1);
        cr_assert_eq(!!(x->key_usage & PKI_KU_KEY_CERT_SIGN), ca);
        cr_assert_eq(!!(x->key_usage & PKI_KU_DIGITAL_SIGNATURE), !ca);
        if (!ca) {
            cr_assert_eq(x->eku, i == 2 ? PKI_EKU_CLIENT_AUTH : PKI_EKU_SERVER_AUTH);
            cr_assert_not_null(x->san);
            cr_assert_not_null(x->aki);
        }
        chain_free(&c);
    }
}

Test(testpki, keys_load_and_match_their_certificates)
{
    for (size_t i = 0; i < 5; i++) {
        char crt[64], keyname[64];
        snprintf(crt, sizeof(crt), "server-%s.crt", SERVER_KINDS[i]);
        snprintf(keyname, sizeof(keyname), "server-%s.key", SERVER_KINDS[i]);
        chain_t c;
        chain_load(&c, pki_dir(), crt);
        cr_assert_eq(c.cert[0].pubkey.type, SERVER_TYPES[i]);
        crypto_privkey *k = load_key(pki_dir(), keyname);
        cr_assert(crypto_privkey_matches(k, &c.cert[0].pubkey), "%s", keyname);
        chain_t other;
        chain_load(&other, pki_dir(), "ca.crt");
        cr_assert_not(crypto_privkey_matches(k, &other.cert[0].pubkey));
        crypto_privkey_free(k);
        chain_free(&other);
        chain_free(&c);
    }
    const char *pairs[][2] = {{"ca.crt", "ca.key"}, {"intermediate.crt", "intermediate.key"},
                              {"client.crt", "client.key"}};
    for (size_t i = 0; i < 3; i++) {
        chain_t c;
        chain_load(&c, pki_dir(), pairs[i][0]);
        crypto_privkey *k = load_key(pki_dir(), pairs[i][1]);
        cr_assert(crypto_privkey_matches(k, &c.cert[0].pubkey), "%s", pairs[i][1]);
        crypto_privkey_free(k);
        chain_free(&c);
    }
}

Test(testpki, server_chains_verify_to_the_root)
{
    pki_store s;
    pki_store_init(&s);
    store_add_file(&s, pki_dir(), "ca.crt");
    store_add_file(&s, pki_dir(), "ca.crt");
    cr_assert_eq(s.n, 1, "a duplicate anchor is stored once");
    const char *hosts[] = {"localhost", "server.tlsm.test", "SERVER.tlsm.test.", "127.0.0.1", "::1"};
    for (size_t i = 0; i < 5; i++) {
        char name[64];
        snprintf(name, sizeof(name), "server-%s.chain.pem", SERVER_KINDS[i]);
        chain_t c;
        chain_load(&c, pki_dir(), name);
        cr_assert_eq(c.n, 2);
        for (size_t h = 0; h < 5; h++)
            cr_assert_eq(verify(&s, &c, hosts[h], T_2027, PKI_PURPOSE_SERVER, 0, NULL), 0,
                         "%s for %s", name, hosts[h]);
        size_t bad = 99;
        cr_assert_eq(verify(&s, &c, "other.test", T_2027, PKI_PURPOSE_SERVER, 0, &bad),
                     TLSM_ERR_CERT_NAME_MISMATCH);
        cr_assert_eq(bad, 0);
        cr_assert_eq(verify(&s, &c, "127.0.0.2", T_2027, PKI_PURPOSE_SERVER, 0, NULL),
                     TLSM_ERR_CERT_NAME_MISMATCH);
        cr_assert_eq(verify(&s, &c, "localhost", T_2027, PKI_PURPOSE_CLIENT, 0, NULL),
                     TLSM_ERR_CERT_USAGE, "a serverAuth-only leaf is no client");
        cr_assert_eq(verify(&s, &c, "localhost", INT64_C(1795824000) - 1, PKI_PURPOSE_SERVER, 0,
                            NULL),
                     TLSM_ERR_CERT_NOT_YET_VALID);
        /* Without the intermediate there is no path. */
        c.n = 1;
        cr_assert_eq(verify(&s, &c, "localhost", T_2027, PKI_PURPOSE_SERVER, 0, NULL),
                     TLSM_ERR_CERT_UNKNOWN_ISSUER);
        c.n = 2;
        chain_free(&c);
    }
    chain_t c;
    chain_load(&c, pki_dir(), "client.chain.pem");
    cr_assert_eq(verify(&s, &c, NULL, T_2027, PKI_PURPOSE_CLIENT, 0, NULL), 0);
    cr_assert_eq(verify(&s, &c, "client.tlsm.test", T_2027, PKI_PURPOSE_CLIENT, 0, NULL), 0);
    chain_free(&c);
    pki_store empty;
    pki_store_init(&empty);
    chain_load(&c, pki_dir(), "server-p256.chain.pem");
    cr_assert_eq(verify(&empty, &c, NULL, T_2027, PKI_PURPOSE_SERVER, 0, NULL),
                 TLSM_ERR_CERT_NO_TRUST);
    chain_free(&c);
    pki_store_free(&s);
}

Test(testpki, traditional_key_encodings)
{
    const char *dir = cases_dir();
    const char *pairs[][2] = {{"leaf-p256.crt", "leaf-p256.sec1.key"},
                              {"leaf-p384.crt", "leaf-p384.sec1.key"},
                              {"leaf-rsa.crt", "leaf-rsa.pkcs1.key"},
                              {"leaf-rsa.crt", "leaf-rsa.key"},
                              {"leaf-rsapss.crt", "leaf-rsapss.key"},
                              {"leaf-ed25519.crt", "leaf-ed25519.key"},
                              {"intPSS.crt", "intPSS.key"}};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        chain_t c;
        chain_load(&c, dir, pairs[i][0]);
        crypto_privkey *k = load_key(dir, pairs[i][1]);
        cr_assert(crypto_privkey_matches(k, &c.cert[0].pubkey), "%s", pairs[i][1]);
        crypto_privkey_free(k);
        chain_free(&c);
    }
    /* The same SEC1 key through the DER entry point, then corrupted. */
    char path[1024];
    size_t len, pos = 0, der_len;
    uint8_t *der;
    crypto_privkey *k = NULL;
    cr_assert_lt(snprintf(path, sizeof(path), "%s/leaf-p256.sec1.key", dir), (int)sizeof(path), "path too long");
    uint8_t *pem = test_read_file(path, &len);
    cr_assert_eq(pki_pem_next(pem, len, &pos, "EC PRIVATE KEY", NULL, &der, &der_len), 0);
    cr_assert_eq(pki_privkey_der(der, der_len, &k), 0);
    crypto_privkey_free(k);
    cr_assert_eq(pki_privkey_der(der, der_len - 1, &k), TLSM_ERR_KEY, "truncated");
    cr_assert_null(k);
    der[der_len - 1] ^= 0x01; /* flips a bit of the embedded public point */
    cr_assert_eq(pki_privkey_der(der, der_len, &k), TLSM_ERR_KEY, "public key mismatch");
    free(der);
    free(pem);
    const char *nokey = "-----BEGIN CERTIFICATE-----\nYQ==\n-----END CERTIFICATE-----\n";
    cr_assert_eq(pki_privkey_pem((const uint8_t *)nokey, strlen(nokey), &k), TLSM_ERR_KEY);
}

/* ------------------------------------------------------------------ RFC 8448 */

Test(rfc8448, certificate_and_key)
{
    char path[1024];
    cr_assert_lt(snprintf(path, sizeof(path), "%s/rfc8448/server_certificate.pem", TLSM_VECTORS_DIR), (int)sizeof(path), "path too long");
    FILE *probe = fopen(path, "rb");
    if (!probe)
        cr_skip_test("shared vectors not found at %s", TLSM_VECTORS_DIR);
    fclose(probe);
    chain_t c;
    chain_load_path(&c, path);
    /* The PEM body of this file carries two zero bytes after the 432-byte certificate:
     * the strict parser refuses trailing bytes, and the certificate itself parses. */
    cr_assert_eq(c.len[0], 434);
    cr_assert_eq(c.parse_rc, TLSM_ERR_CERT_PARSE);
    cr_assert_eq(pki_cert_parse(&c.cert[0], c.der[0], 432), 0);
    const pki_cert *x = &c.cert[0];
    cr_assert_eq(x->sig_alg, SIG_RSA_PKCS1_SHA256);
    cr_assert_eq(x->pubkey.type, PK_RSA);
    cr_assert_eq(crypto_pubkey_bits(&x->pubkey), 1024);
    cr_assert_eq(x->not_after, INT64_C(1785374639), "2026-07-30 01:23:59");
    cr_assert(x->has_key_usage && (x->key_usage & PKI_KU_DIGITAL_SIGNATURE) &&
              (x->key_usage & PKI_KU_KEY_ENCIPHERMENT));
    cr_assert_null(x->san, "no SAN: no host can match (no CN fallback)");
    cr_assert_eq(pki_match_host(x, "rsa"), TLSM_ERR_CERT_NAME_MISMATCH);
    /* Self-signed: trusted only when pinned as an anchor, and only for 1024-bit RSA when
     * the policy allows it. */
    pki_store s;
    pki_store_init(&s);
    cr_assert_eq(pki_store_add_der(&s, c.der[0], 432), 0);
    c.n = 1;
    cr_assert_eq(verify(&s, &c, NULL, T_2020, PKI_PURPOSE_SERVER, 0, NULL), TLSM_ERR_CERT_WEAK_KEY);
    cr_assert_eq(verify(&s, &c, NULL, T_2020, PKI_PURPOSE_SERVER, 1024, NULL), 0);
    cr_assert_eq(verify(&s, &c, NULL, T_2030, PKI_PURPOSE_SERVER, 1024, NULL),
                 TLSM_ERR_CERT_EXPIRED);
    size_t len;
    cr_assert_lt(snprintf(path, sizeof(path), "%s/rfc8448/server_key.pem", TLSM_VECTORS_DIR), (int)sizeof(path), "path too long");
    uint8_t *pem = test_read_file(path, &len);
    crypto_privkey *k = NULL;
    cr_assert_eq(pki_privkey_pem(pem, len, &k), 0);
    cr_assert_eq(crypto_privkey_type(k), PK_RSA);
    cr_assert(crypto_privkey_matches(k, &x->pubkey));
    crypto_privkey_free(k);
    free(pem);
    pki_store_free(&s);
    chain_free(&c);
}

/* ------------------------------------------------------------------ generated cases */

typedef struct {
    const char *chain;
    const char *anchors; /* comma-separated file names */
    const char *host;
    pki_purpose purpose;
    size_t min_rsa;
    int parse_rc; /* expected first parse result */
    int rc;       /* expected verification result (when parse_rc == 0) */
    size_t bad;   /* expected bad_index when rc != 0 */
} vcase;

static const vcase CASES[] = {
    {"good-ed25519", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"good-p256", "rootA.crt", "mixed.case.TEST", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"good-p384", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"good-rsa", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"good-rsapss", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"sig-rsa-pkcs1", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"sig-rsa-pss", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"sig-pss-key", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"sig-ed25519", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"sig-ecdsa-p384", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"gentime", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"good-p256", "rootB.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_UNKNOWN_ISSUER, 1},
    {"good-p256", "rootA.crt", "other.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_NAME_MISMATCH, 0},
    {"expired", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_EXPIRED, 0},
    {"notyet", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_NOT_YET_VALID, 0},
    {"int-expired", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_EXPIRED, 1},
    {"noca", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_NOT_CA, 1},
    {"nokcs", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_NOT_CA, 1},
    {"pathlen", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_PATH_LEN, 2},
    {"pathlen-ok", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"eku-client", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_USAGE, 0},
    {"eku-client", "rootA.crt", "good.test", PKI_PURPOSE_CLIENT, 0, 0, 0, 0},
    {"eku-any", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"ku-nods", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_USAGE, 0},
    {"critical", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, TLSM_ERR_CERT_CRITICAL_EXT, 0, 0},
    {"noncritical", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"weak", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_WEAK_KEY, 0},
    {"weak", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 1024, 0, 0, 0},
    {"sha1", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, TLSM_ERR_CERT_UNSUPPORTED_ALG, 0, 0},
    {"out-of-order", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"cross", "rootB.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"cross", "rootA.crt,rootB.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"cross", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_EXPIRED, 1},
    {"loop", "rootA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, TLSM_ERR_CERT_UNKNOWN_ISSUER, 2},
    {"good-p256", "leaf-p256.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
    {"good-p256", "intA.crt", "good.test", PKI_PURPOSE_SERVER, 0, 0, 0, 0},
};

Test(cases, generated_chains)
{
    const char *dir = cases_dir();
    size_t ncases = sizeof(CASES) / sizeof(CASES[0]);
    for (size_t i = 0; i < ncases; i++) {
        const vcase *v = &CASES[i];
        char name[128];
        snprintf(name, sizeof(name), "%s.chain.pem", v->chain);
        chain_t c;
        chain_load(&c, dir, name);
        cr_assert_eq(c.parse_rc, v->parse_rc, "%s: parse %d, expected %d", v->chain, c.parse_rc,
                     v->parse_rc);
        if (v->parse_rc == 0) {
            pki_store s;
            pki_store_init(&s);
            char anchors[256];
            snprintf(anchors, sizeof(anchors), "%s", v->anchors);
            for (char *save = NULL, *a = strtok_r(anchors, ",", &save); a;
                 a = strtok_r(NULL, ",", &save))
                store_add_file(&s, dir, a);
            size_t bad = 99;
            int rc = verify(&s, &c, v->host, T_2030, v->purpose, v->min_rsa, &bad);
            cr_assert_eq(rc, v->rc, "%s (anchors %s): got %d, expected %d", v->chain, v->anchors,
                         rc, v->rc);
            if (rc != 0)
                cr_assert_eq(bad, v->bad, "%s: bad index %zu, expected %zu", v->chain, bad, v->bad);
            pki_store_free(&s);
        }
        chain_free(&c);
    }
    printf("test_pki: %zu generated chain verifications checked\n", ncases);
}

Test(cases, parsed_fields_of_generated_certs)
{
    chain_t c;
    chain_load(&c, cases_dir(), "pathlen.chain.pem");
    cr_assert_eq(c.cert[2].path_len, 0, "intPL0 has pathlen:0");
    cr_assert_eq(c.cert[1].path_len, -1);
    chain_free(&c);
    chain_load(&c, cases_dir(), "sig-pss-key.chain.pem");
    cr_assert_eq(c.cert[0].sig_alg, SIG_RSA_PSS_SHA256);
    cr_assert_eq(c.cert[1].pubkey.type, PK_RSA_PSS);
    cr_assert_eq(c.cert[1].pss_params, SIG_RSA_PSS_SHA256, "key restricted by its parameters");
    chain_free(&c);
    chain_load(&c, cases_dir(), "sig-rsa-pkcs1.chain.pem");
    cr_assert_eq(c.cert[0].sig_alg, SIG_RSA_PKCS1_SHA384);
    cr_assert_eq(c.cert[1].pss_params, SIG_NONE);
    chain_free(&c);
    chain_load(&c, cases_dir(), "sig-ecdsa-p384.chain.pem");
    cr_assert_eq(c.cert[0].sig_alg, SIG_ECDSA_SHA512);
    cr_assert_eq(c.cert[1].pubkey.type, PK_EC_P384);
    cr_assert_eq(c.cert[1].pubkey.point_len, 97);
    chain_free(&c);
    chain_load(&c, cases_dir(), "gentime.chain.pem");
    cr_assert_eq(c.cert[0].not_after, INT64_C(2840140800), "GeneralizedTime 2060-01-01");
    chain_free(&c);
    /* The SHA-1 leaf is refused as a certificate, but the same bytes are accepted as a
     * trust anchor (whose own signature is never checked). */
    chain_load(&c, cases_dir(), "sha1.chain.pem");
    pki_store s;
    pki_store_init(&s);
    cr_assert_eq(pki_store_add_der(&s, c.der[0], c.len[0]), 0);
    cr_assert_eq(s.certs[0].sig_alg, SIG_NONE);
    pki_store_free(&s);
    chain_free(&c);
}

/* ------------------------------------------------------------------ corrupted DER */

Test(corrupt, truncation_trailing_bytes_and_garbage)
{
    chain_t c;
    chain_load(&c, cases_dir(), "good-p256.chain.pem");
    const uint8_t *der = c.der[0];
    size_t len = c.len[0];
    pki_cert x;
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size so that ASan sees any overread */
        memcpy(copy, der, n);
        cr_assert_eq(pki_cert_parse(&x, copy, n), TLSM_ERR_CERT_PARSE, "prefix of %zu", n);
        free(copy);
    }
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, der, len);
    longer[len] = 0;
    cr_assert_eq(pki_cert_parse(&x, longer, len + 1), TLSM_ERR_CERT_PARSE, "trailing byte");
    free(longer);
    uint8_t garbage[512];
    for (size_t i = 0; i < sizeof(garbage); i++)
        garbage[i] = (uint8_t)(i * 131 + 7);
    cr_assert_eq(pki_cert_parse(&x, garbage, sizeof(garbage)), TLSM_ERR_CERT_PARSE);
    garbage[0] = 0x30, garbage[1] = 0x82, garbage[2] = 0x01, garbage[3] = 0xfc;
    cr_assert_eq(pki_cert_parse(&x, garbage, sizeof(garbage)), TLSM_ERR_CERT_PARSE);
    /* Every single-byte change either fails cleanly or still parses: never a crash. */
    uint8_t *mut = malloc(len);
    for (size_t i = 0; i < len; i++) {
        memcpy(mut, der, len);
        mut[i] ^= 0x41;
        int rc = pki_cert_parse(&x, mut, len);
        cr_assert(rc == 0 || (rc <= TLSM_ERR_CERT_PARSE && rc >= TLSM_ERR_CERT_BAD_TIME),
                  "byte %zu: %d", i, rc);
    }
    free(mut);
    chain_free(&c);
}

Test(corrupt, tampered_signature_and_tbs)
{
    pki_store s;
    pki_store_init(&s);
    store_add_file(&s, cases_dir(), "rootA.crt");
    const char *names[] = {"good-p256.chain.pem", "sig-rsa-pkcs1.chain.pem", "sig-rsa-pss.chain.pem",
                           "sig-ed25519.chain.pem", "sig-pss-key.chain.pem"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        chain_t c;
        chain_load(&c, cases_dir(), names[i]);
        size_t bad = 99;
        /* The last signature byte: the leaf's signature no longer verifies. */
        c.der[0][c.len[0] - 1] ^= 0x01;
        cr_assert_eq(pki_cert_parse(&c.cert[0], c.der[0], c.len[0]), 0);
        cr_assert_eq(verify(&s, &c, "good.test", T_2030, PKI_PURPOSE_SERVER, 0, &bad),
                     TLSM_ERR_CERT_SIGNATURE, "%s", names[i]);
        cr_assert_eq(bad, 0);
        c.der[0][c.len[0] - 1] ^= 0x01;
        /* A byte of the intermediate's signature. */
        c.der[1][c.len[1] - 2] ^= 0x10;
        cr_assert_eq(pki_cert_parse(&c.cert[1], c.der[1], c.len[1]), 0);
        cr_assert_eq(verify(&s, &c, "good.test", T_2030, PKI_PURPOSE_SERVER, 0, &bad),
                     TLSM_ERR_CERT_SIGNATURE, "%s intermediate", names[i]);
        cr_assert_eq(bad, 1);
        chain_free(&c);
    }
    pki_store_free(&s);
}
