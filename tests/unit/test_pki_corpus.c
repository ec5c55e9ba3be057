/*
 * test_pki_corpus.c - the generated certificate corpus (tests/pki/gen-cases.sh, run once
 * per test run into a temporary directory by a PRE_ALL hook) checked two ways:
 *
 *  - corpus: every line of cases.txt through pki_cert_parse + pki_verify_chain, asserting
 *    the expected outcome and the index of the certificate at fault; and the same case
 *    through `openssl verify -x509_strict -partial_chain -auth_level 2 -purpose ...
 *    -attime ... -verify_hostname/-verify_ip`, asserting OpenSSL's verdict: the same as
 *    ours where the manifest says "same", the stated one where the policies differ (the
 *    manifest explains each). A summary line gives the counts.
 *  - fuzz: pki_cert_parse, pki_pem_next and pki_privkey_der over every file of the corpus,
 *    all of its truncations and single-bit flips (every bit of certificates, a rotating
 *    sample for keys and PEM text, so the run stays well under 30 s with ASan + UBSan;
 *    scripts/test.sh runs this binary in the sanitizer build too). No fault, no leak, and
 *    every result is a documented code.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "corpus.h"
#include "pki/pki.h"

#define MAX_CHAIN 16

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    corpus_setup("test_pki_corpus");
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    corpus_teardown();
}

/* ------------------------------------------------------------------ the manifest */

typedef corpus_case vcase;

/* ------------------------------------------------------------------ our verdict */

typedef struct {
    uint8_t *der[MAX_CHAIN];
    size_t len[MAX_CHAIN];
    pki_cert cert[MAX_CHAIN];
    size_t n;
    char *pem_blocks[MAX_CHAIN]; /* the PEM text of each block, for openssl */
} chain_t;

static void chain_load(chain_t *c, const char *path)
{
    size_t len, pos = 0;
    uint8_t *pem = test_read_file(path, &len);
    memset(c, 0, sizeof(*c));
    while (c->n < MAX_CHAIN) {
        size_t start = pos;
        int rc = pki_pem_next(pem, len, &pos, "CERTIFICATE", NULL, &c->der[c->n], &c->len[c->n]);
        if (rc == 1)
            break;
        cr_assert_eq(rc, 0, "PEM error in %s", path);
        const char *b = strstr((const char *)pem + start, "-----BEGIN");
        c->pem_blocks[c->n] = strndup(b, (size_t)((const char *)pem + pos - b));
        c->n++;
    }
    free(pem);
    cr_assert_gt(c->n, 0, "no certificate in %s", path);
}

static void chain_free(chain_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->der[i]);
        free(c->pem_blocks[i]);
    }
}

static void store_add(pki_store *s, const char *dir, const char *name)
{
    char path[1024];
    chain_t c;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    chain_load(&c, path);
    for (size_t i = 0; i < c.n; i++)
        cr_assert_eq(pki_store_add_der(s, c.der[i], c.len[i]), 0, "anchor %s", name);
    chain_free(&c);
}

/* Parses the chain, then verifies it: the first parse failure decides, like a peer's
 * Certificate message in the handshake. */
static int run_ours(const vcase *v, const chain_t *c_in, size_t *bad)
{
    chain_t *c = (chain_t *)c_in;
    for (size_t i = 0; i < c->n; i++) {
        int rc = pki_cert_parse(&c->cert[i], c->der[i], c->len[i]);
        if (rc != 0) {
            *bad = i;
            return rc;
        }
    }
    pki_store s;
    pki_store_init(&s);
    char anchors[256];
    snprintf(anchors, sizeof(anchors), "%s", v->anchors);
    for (char *save = NULL, *a = strtok_r(anchors, ",", &save); a; a = strtok_r(NULL, ",", &save))
        store_add(&s, corpus_dir(), a);
    pki_verify_opts o = {.host = strcmp(v->host, "-") ? v->host : NULL,
                         .now = v->at,
                         .purpose = strcmp(v->purpose, "client") ? PKI_PURPOSE_SERVER
                                                                 : PKI_PURPOSE_CLIENT,
                         .max_depth = v->depth,
                         .min_rsa_bits = v->min_rsa};
    *bad = 0;
    int rc = pki_verify_chain(&s, c->cert, c->n, &o, bad);
    pki_store_free(&s);
    return rc;
}

/* ------------------------------------------------------------------ openssl's verdict */

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Returns 1 if openssl verify accepts, 0 if it rejects; `why` gets its error line. */
static int run_openssl(const vcase *v, const chain_t *c, char *why, size_t why_len)
{
    const char *dir = corpus_dir();
    char leaf[1024], untrusted[1024], cafile[1024], cmd[4096], extra[512] = "";
    snprintf(leaf, sizeof(leaf), "%s/ossl-leaf.pem", dir);
    snprintf(untrusted, sizeof(untrusted), "%s/ossl-untrusted.pem", dir);
    snprintf(cafile, sizeof(cafile), "%s/ossl-ca.pem", dir);
    write_text(leaf, c->pem_blocks[0]);
    FILE *f = fopen(untrusted, "wb");
    cr_assert_not_null(f);
    for (size_t i = 1; i < c->n; i++)
        fputs(c->pem_blocks[i], f);
    fclose(f);
    f = fopen(cafile, "wb");
    cr_assert_not_null(f);
    char anchors[256];
    snprintf(anchors, sizeof(anchors), "%s", v->anchors);
    for (char *save = NULL, *a = strtok_r(anchors, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof(path), "%s/%s", dir, a);
        uint8_t *b = test_read_file(path, &len);
        fwrite(b, 1, len, f);
        free(b);
    }
    fclose(f);
    size_t off = 0;
    if (c->n > 1)
        off += (size_t)snprintf(extra + off, sizeof(extra) - off, " -untrusted %s", untrusted);
    if (v->depth)
        off += (size_t)snprintf(extra + off, sizeof(extra) - off, " -verify_depth %zu",
                                v->depth - 2);
    if (strcmp(v->host, "-") != 0) {
        uint8_t ip[16];
        size_t ip_len;
        off += (size_t)snprintf(extra + off, sizeof(extra) - off, " %s '%s'",
                                pki_parse_ip(v->host, ip, &ip_len) ? "-verify_ip"
                                                                   : "-verify_hostname",
                                v->host);
    }
    snprintf(cmd, sizeof(cmd),
             "openssl verify -x509_strict -partial_chain -auth_level %d -purpose %s -attime "
             "%lld%s -CAfile %s %s 2>&1",
             v->min_rsa && v->min_rsa < 2048 ? 1 : 2,
             strcmp(v->purpose, "client") ? "sslserver" : "sslclient", (long long)v->at, extra,
             cafile, leaf);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char line[512];
    why[0] = 0;
    while (fgets(line, sizeof(line), p))
        if (!why[0] && (strstr(line, "error") || strstr(line, "Could not") ||
                        strstr(line, "unable"))) {
            line[strcspn(line, "\n")] = 0;
            size_t k = strlen(line); /* a cut reason is fine */
            if (k >= why_len)
                k = why_len - 1;
            memcpy(why, line, k);
            why[k] = 0;
        }
    int status = pclose(p);
    return status == 0;
}

Test(corpus, every_case_ours_and_openssl)
{
    char path[1024];
    size_t len;
    snprintf(path, sizeof(path), "%s/cases.txt", corpus_dir());
    char *manifest = (char *)test_read_file(path, &len);
    size_t total = 0, ours_ok = 0, compared = 0, agree = 0, differ_documented = 0,
           openssl_wrong = 0, accepted = 0, rejected = 0;
    char *save = NULL;
    for (char *line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        vcase v;
        char copy[1024];
        snprintf(copy, sizeof(copy), "%s", line);
        if (!corpus_parse_line(copy, &v))
            continue;
        total++;
        snprintf(path, sizeof(path), "%s/%s.chain.pem", corpus_dir(), v.chain);
        chain_t c;
        chain_load(&c, path);
        size_t bad = 0;
        int rc = run_ours(&v, &c, &bad);
        int ok = rc == v.code && (rc == 0 || bad == v.bad);
        if (!ok)
            fprintf(stderr, "MISMATCH %s: got %s@%zu (%d), expected %s\n", v.name, corpus_code_name(rc),
                    bad, rc, v.expect);
        ours_ok += ok;
        if (rc == 0)
            accepted++;
        else
            rejected++;
        if (strcmp(v.openssl, "-") != 0) {
            char why[256];
            int ossl = run_openssl(&v, &c, why, sizeof(why));
            int want = strcmp(v.openssl, "same") == 0 ? v.code == 0
                                                       : strcmp(v.openssl, "accept") == 0;
            compared++;
            agree += ossl == (v.code == 0);
            differ_documented += strcmp(v.openssl, "same") != 0 && ossl == want &&
                                 ossl != (v.code == 0);
            if (ossl != want) {
                openssl_wrong++;
                fprintf(stderr, "OPENSSL %s: openssl %s (%s), manifest says %s\n", v.name,
                        ossl ? "accepts" : "rejects", why[0] ? why : "-", v.openssl);
            }
        }
        chain_free(&c);
    }
    free(manifest);
    printf("test_pki_corpus: %zu cases (%zu accepted, %zu rejected), %zu as expected; openssl "
           "verify compared on %zu: %zu agree, %zu differ as documented, %zu unexpected\n",
           total, accepted, rejected, ours_ok, compared, agree, differ_documented, openssl_wrong);
    cr_assert_geq(total, 150, "the corpus must have at least 150 cases");
    cr_assert_eq(ours_ok, total, "%zu cases did not give the expected outcome", total - ours_ok);
    cr_assert_eq(openssl_wrong, 0, "%zu cases where openssl's verdict is not the documented one",
                 openssl_wrong);
}

/* ------------------------------------------------------------------ fuzz safety */

static size_t fuzz_calls;

static int cert_code_ok(int rc)
{
    return rc == 0 || rc == TLSM_ERR_CERT_PARSE || rc == TLSM_ERR_CERT_UNSUPPORTED_ALG ||
           rc == TLSM_ERR_CERT_CRITICAL_EXT || rc == TLSM_ERR_CERT_BAD_SERIAL ||
           rc == TLSM_ERR_CERT_BAD_TIME || rc == TLSM_ERR_CERT_USAGE ||
           rc == TLSM_ERR_CERT_RSA_TOO_LARGE || rc == TLSM_ERR_CERT_RSA_EXPONENT ||
           rc == TLSM_ERR_CERT_BAD_DNS_NAME;
}

/* Runs the DER parsers on an exact-size copy (so that ASan sees any overread). */
static void der_targets(const uint8_t *p, size_t n, int with_key)
{
    uint8_t *copy = malloc(n ? n : 1);
    cr_assert_not_null(copy);
    memcpy(copy, p, n);
    pki_cert c;
    int rc = pki_cert_parse(&c, copy, n);
    cr_assert(cert_code_ok(rc), "pki_cert_parse: unexpected %d", rc);
    unsigned long nc_budget = 1ul << 20;
    if (rc == 0 && c.has_nc)
        (void)pki_nc_check(&c, &c, &nc_budget);
    if (with_key) {
        crypto_privkey *k = NULL;
        rc = pki_privkey_der(copy, n, &k);
        cr_assert(rc == 0 || rc == TLSM_ERR_KEY, "pki_privkey_der: unexpected %d", rc);
        cr_assert((rc == 0) == (k != NULL));
        crypto_privkey_free(k);
    }
    free(copy);
    fuzz_calls++;
}

static void pem_targets(const uint8_t *p, size_t n, int with_key)
{
    uint8_t *copy = malloc(n ? n : 1);
    cr_assert_not_null(copy);
    memcpy(copy, p, n);
    size_t pos = 0;
    char label[64];
    for (int blocks = 0; blocks < 32; blocks++) {
        uint8_t *der = NULL;
        size_t der_len = 0;
        int rc = pki_pem_next(copy, n, &pos, NULL, label, &der, &der_len);
        cr_assert(rc == 0 || rc == 1 || rc == TLSM_ERR_PEM, "pki_pem_next: unexpected %d", rc);
        if (rc != 0)
            break;
        cr_assert(pos <= n && der_len > 0);
        der_targets(der, der_len, with_key);
        free(der);
    }
    free(copy);
    fuzz_calls++;
}

typedef struct {
    size_t files, truncations, flips;
} fuzz_stats;

/* All truncations and the chosen bit flips of one input. `flip_stride` 1 flips every bit;
 * k > 1 flips one bit in every k-th byte, rotating through the bit positions. */
static void mutate(const uint8_t *p, size_t n, int pem, int with_key, size_t trunc_stride,
                   size_t flip_stride, fuzz_stats *st)
{
    void (*target)(const uint8_t *, size_t, int) = pem ? pem_targets : der_targets;
    target(p, n, with_key);
    for (size_t k = 0; k < n; k += trunc_stride) {
        target(p, k, with_key);
        st->truncations++;
    }
    uint8_t *m = malloc(n ? n : 1);
    cr_assert_not_null(m);
    memcpy(m, p, n);
    for (size_t i = 0; i < n; i += flip_stride) {
        for (unsigned b = 0; b < 8; b++) {
            if (flip_stride > 1 && b != (i / flip_stride) % 8)
                continue;
            m[i] ^= (uint8_t)(1u << b);
            target(m, n, with_key);
            m[i] ^= (uint8_t)(1u << b);
            st->flips++;
        }
    }
    free(m);
    st->files++;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

Test(fuzz, parsers_survive_truncations_and_bit_flips)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    DIR *d = opendir(corpus_dir());
    cr_assert_not_null(d);
    fuzz_stats st = {0, 0, 0};
    for (struct dirent *e; (e = readdir(d));) {
        const char *n = e->d_name;
        int is_der = ends_with(n, ".der"), is_key = ends_with(n, ".key");
        int is_pem = ends_with(n, ".crt") || ends_with(n, ".pem") || is_key;
        if (!is_der && !is_pem)
            continue;
        char path[1024];
        size_t len;
        snprintf(path, sizeof(path), "%s/%s", corpus_dir(), n);
        uint8_t *buf = test_read_file(path, &len);
        if (is_der) {
            /* Certificates: every truncation and every single-bit flip. */
            mutate(buf, len, 0, 0, 1, 1, &st);
        } else if (is_key) {
            /* Keys: PEM text sampled; the DER inside fully truncated, one bit per byte
             * flipped (loading a key does real arithmetic, so this is the costly part). */
            mutate(buf, len, 1, 1, 13, 29, &st);
            size_t pos = 0, der_len = 0;
            uint8_t *der = NULL;
            char label[64];
            if (pki_pem_next(buf, len, &pos, NULL, label, &der, &der_len) == 0) {
                mutate(der, der_len, 0, 1, 1, 3, &st);
                free(der);
            }
        } else {
            mutate(buf, len, 1, 0, 7, 17, &st);
        }
        free(buf);
    }
    closedir(d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("test_pki_corpus: fuzz-safety over %zu files: %zu truncations, %zu bit flips, %zu "
           "parser runs in %.1f s\n",
           st.files, st.truncations, st.flips, fuzz_calls, secs);
    cr_assert_geq(st.files, 150);
}
