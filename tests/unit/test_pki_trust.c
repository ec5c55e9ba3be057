/*
 * test_pki_trust.c - trust anchors from files, directories and the system store
 * (core/src/trust.c): what the report counts and itemizes, the frozen-config rule, and a
 * path built through the Debian system store with a locally generated root added to it.
 *
 * Inputs: the committed test PKI (tests/data/pki: a local root "ca.crt" and chains under
 * it, valid from 2026-11-28 for 100 years) and files this test writes into a temporary
 * directory from it (a DER copy, a certificate with trailing bytes, broken PEM, a key and
 * a CRL-style name that must not be read).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pki/pki.h"

#define T_2027 INT64_C(1798761600) /* inside the committed test PKI */
#define SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static const char *pki_dir(void)
{
    static char d[1024];
    snprintf(d, sizeof(d), "%s/tests/data/pki", TLSM_SOURCE_DIR);
    return d;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void write_all(const char *dir, const char *name, const void *p, size_t len)
{
    char path[1024];
    cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", dir, name), (int)sizeof(path), "path too long");
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(p, 1, len, f), len);
    fclose(f);
}

/* DER of the first certificate of a committed PEM file (malloc'ed). */
static uint8_t *committed_der(const char *name, size_t *len)
{
    char path[1024];
    size_t pem_len, pos = 0;
    uint8_t *der = NULL;
    cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", pki_dir(), name), (int)sizeof(path), "path too long");
    uint8_t *pem = read_all(path, &pem_len);
    cr_assert_eq(pki_pem_next(pem, pem_len, &pos, "CERTIFICATE", NULL, &der, len), 0);
    free(pem);
    return der;
}

/* PEM armour around DER, as any tool would write it. */
static char *to_pem(const uint8_t *der, size_t len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(len * 2 + 128), *o = out;
    cr_assert_not_null(out);
    o += sprintf(o, "-----BEGIN CERTIFICATE-----\n");
    for (size_t i = 0, col = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16 | (i + 1 < len ? (uint32_t)der[i + 1] << 8 : 0) |
                     (i + 2 < len ? der[i + 2] : 0);
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        *o++ = i + 2 < len ? b64[v & 63] : '=';
        if ((col += 4) == 64 || i + 3 >= len) {
            *o++ = '\n';
            col = 0;
        }
    }
    sprintf(o, "-----END CERTIFICATE-----\n");
    return out;
}

static int has_reject(const tlsm_trust_report *r, const char *file, size_t index, int code)
{
    for (size_t i = 0; i < r->n_rejects; i++)
        if (strcmp(r->rejects[i].file, file) == 0 && r->rejects[i].index == index &&
            r->rejects[i].code == code)
            return 1;
    return 0;
}

static void verify_committed(const tlsm_config *cfg, const char *chain_name, int64_t now,
                             int expect)
{
    char path[1024];
    size_t len, pos = 0, n = 0;
    uint8_t *der[4];
    size_t der_len[4];
    pki_cert chain[4];
    cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", pki_dir(), chain_name), (int)sizeof(path), "path too long");
    uint8_t *pem = read_all(path, &len);
    while (n < 4 && pki_pem_next(pem, len, &pos, "CERTIFICATE", NULL, &der[n], &der_len[n]) == 0) {
        cr_assert_eq(pki_cert_parse(&chain[n], der[n], der_len[n]), 0);
        n++;
    }
    free(pem);
    pki_verify_opts o = {.host = "localhost", .now = now, .purpose = PKI_PURPOSE_SERVER};
    int rc = pki_verify_chain(&cfg->trust, chain, n, &o, NULL);
    cr_assert_eq(rc, expect, "%s: %s, expected %s", chain_name, tlsm_strerror(rc),
                 tlsm_strerror(expect));
    for (size_t i = 0; i < n; i++)
        free(der[i]);
}

/* A directory with every kind of file the loaders meet. */
static char *make_trust_dir(void)
{
    static char dir[] = "/tmp/tlsm-trust-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    size_t ca_len, int_len, pem_len;
    uint8_t *ca = committed_der("ca.crt", &ca_len);
    uint8_t *inter = committed_der("intermediate.crt", &int_len);
    char path[1024];
    cr_assert_lt(snprintf(path, sizeof(path), "%s/ca.crt", pki_dir()), (int)sizeof(path), "path too long");
    uint8_t *ca_pem = read_all(path, &pem_len);
    /* a.pem: the root (PEM); b.crt: the intermediate as DER; 0f1e2d3c.0: a c_rehash link
     * to a.pem (a duplicate); c.pem: a good block, then one with trailing bytes, then a
     * private key block (skipped), then malformed base64; d.cer: no certificate at all;
     * e.pem: empty; and files that must not be read: a key, a CRL link, a README. */
    write_all(dir, "a.pem", ca_pem, pem_len);
    write_all(dir, "b.crt", inter, int_len);
    cr_assert_lt(snprintf(path, sizeof(path), "%s/0f1e2d3c.0", dir), (int)sizeof(path), "path too long");
    cr_assert_eq(symlink("a.pem", path), 0);
    uint8_t *trailing = malloc(int_len + 2);
    memcpy(trailing, inter, int_len);
    trailing[int_len] = trailing[int_len + 1] = 0;
    char *good = to_pem(inter, int_len), *bad = to_pem(trailing, int_len + 2);
    char c_pem[8192];
    snprintf(c_pem, sizeof(c_pem),
             "%s%s-----BEGIN PRIVATE KEY-----\nYWJj\n-----END PRIVATE KEY-----\n"
             "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
             good, bad);
    write_all(dir, "c.pem", c_pem, strlen(c_pem));
    write_all(dir, "d.cer", "just text\n", 10);
    write_all(dir, "e.pem", "", 0);
    write_all(dir, "server.key", "-----BEGIN CERTIFICATE-----\n", 28);
    write_all(dir, "0f1e2d3c.r0", "garbage", 7);
    write_all(dir, "README", "garbage", 7);
    free(good);
    free(bad);
    free(trailing);
    free(ca);
    free(inter);
    free(ca_pem);
    return dir;
}

static void remove_dir(const char *dir)
{
    char cmd[1100];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(trust, directory_report)
{
    char *dir = make_trust_dir();
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    cr_assert_not_null(cfg);
    tlsm_trust_report r;
    cr_assert_eq(tlsm_config_add_trust_dir(cfg, dir, &r), 0);
    /* Files read in name order: 0f1e2d3c.0, a.pem, b.crt, c.pem, d.cer, e.pem. */
    cr_assert_eq(r.files, 6, "files %zu", r.files);
    cr_assert_eq(r.accepted, 2, "the root and the intermediate (%zu)", r.accepted);
    cr_assert_eq(r.duplicates, 2, "a.pem repeats the link, c.pem[0] repeats b.crt (%zu)",
                 r.duplicates);
    cr_assert_eq(r.rejected, 4, "rejected %zu", r.rejected);
    cr_assert_eq(r.n_rejects, 4);
    cr_assert(has_reject(&r, "c.pem", 1, TLSM_ERR_CERT_PARSE), "trailing bytes");
    cr_assert(has_reject(&r, "c.pem", 2, TLSM_ERR_PEM), "malformed block");
    cr_assert(has_reject(&r, "d.cer", 0, TLSM_ERR_NO_CERT));
    cr_assert(has_reject(&r, "e.pem", 0, TLSM_ERR_NO_CERT));
    cr_assert_eq(cfg->trust.n, 2);
    verify_committed(cfg, "server-p256.chain.pem", T_2027, 0);
    tlsm_config_free(cfg);

    /* The same files one by one. */
    cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    char path[1024];
    cr_assert_lt(snprintf(path, sizeof(path), "%s/b.crt", dir), (int)sizeof(path), "path too long");
    cr_assert_eq(tlsm_config_add_trust_file(cfg, path, &r), 0, "a DER file");
    cr_assert(r.accepted == 1 && r.rejected == 0 && r.files == 1);
    cr_assert_lt(snprintf(path, sizeof(path), "%s/c.pem", dir), (int)sizeof(path), "path too long");
    cr_assert_eq(tlsm_config_add_trust_file(cfg, path, &r), 0, "only a duplicate, still fine");
    cr_assert(r.accepted == 0 && r.duplicates == 1 && r.rejected == 2);
    cr_assert_str_eq(r.rejects[0].file, "c.pem");
    cr_assert_lt(snprintf(path, sizeof(path), "%s/d.cer", dir), (int)sizeof(path), "path too long");
    cr_assert_eq(tlsm_config_add_trust_file(cfg, path, &r), TLSM_ERR_NO_CERT);
    cr_assert_eq(tlsm_config_add_trust_file(cfg, "/nonexistent/x.pem", &r), TLSM_ERR_IO);
    cr_assert_eq(tlsm_config_add_trust_file(cfg, dir, NULL), TLSM_ERR_IO, "a directory");
    cr_assert_eq(tlsm_config_add_trust_dir(cfg, "/nonexistent", NULL), TLSM_ERR_IO);
    cr_assert_eq(tlsm_config_add_trust_file(NULL, path, NULL), TLSM_ERR_ARG);
    cr_assert_eq(tlsm_config_add_trust_dir(cfg, NULL, &r), TLSM_ERR_ARG);
    tlsm_config_free(cfg);
    remove_dir(dir);
}

Test(trust, report_keeps_the_first_rejections)
{
    static char dir[] = "/tmp/tlsm-trust-many-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    for (int i = 0; i < TLSM_TRUST_REPORT_MAX + 4; i++) {
        char name[32];
        snprintf(name, sizeof(name), "bad%02d.pem", i);
        write_all(dir, name, "nothing", 7);
    }
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    tlsm_trust_report r;
    cr_assert_eq(tlsm_config_add_trust_dir(cfg, dir, &r), TLSM_ERR_NO_CERT);
    cr_assert_eq(r.rejected, TLSM_TRUST_REPORT_MAX + 4);
    cr_assert_eq(r.n_rejects, TLSM_TRUST_REPORT_MAX);
    cr_assert_str_eq(r.rejects[0].file, "bad00.pem");
    cr_assert_eq(r.rejects[0].code, TLSM_ERR_NO_CERT);
    tlsm_config_free(cfg);
    remove_dir(dir);
}

Test(trust, frozen_config_refuses)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    char path[1024];
    cr_assert_lt(snprintf(path, sizeof(path), "%s/ca.crt", pki_dir()), (int)sizeof(path), "path too long");
    tlsm_trust_report r;
    cr_assert_eq(tlsm_config_add_trust_file(cfg, path, &r), 0);
    cr_assert_eq(r.accepted, 1);
    tlsm_conn *conn = tlsm_conn_new(cfg, "localhost");
    cr_assert_not_null(conn);
    cr_assert_eq(tlsm_config_add_trust_file(cfg, path, &r), TLSM_ERR_FROZEN);
    cr_assert_eq(r.accepted + r.rejected + r.duplicates, 0, "nothing happened");
    cr_assert_eq(tlsm_config_add_trust_dir(cfg, pki_dir(), NULL), TLSM_ERR_FROZEN);
    cr_assert_eq(tlsm_config_add_trust_system(cfg, NULL), TLSM_ERR_FROZEN);
    tlsm_conn_free(conn);
    tlsm_config_free(cfg);
}

Test(trust, system_store_plus_a_local_root)
{
    struct stat st;
    if (stat(SYSTEM_BUNDLE, &st) != 0)
        cr_skip_test("no system trust bundle at %s (install ca-certificates)", SYSTEM_BUNDLE);
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    tlsm_trust_report r;
    cr_assert_eq(tlsm_config_add_trust_system(cfg, &r), 0);
    printf("test_pki_trust: system store %s: %zu accepted, %zu duplicates, %zu rejected\n",
           SYSTEM_BUNDLE, r.accepted, r.duplicates, r.rejected);
    for (size_t i = 0; i < r.n_rejects; i++)
        printf("test_pki_trust:   rejected #%zu: %s\n", r.rejects[i].index,
               tlsm_strerror(r.rejects[i].code));
    cr_assert_eq(r.files, 1);
    cr_assert_gt(r.accepted, 100, "a real store has well over 100 roots");
    cr_assert_lt(r.rejected * 10, r.accepted, "most roots must load");
    cr_assert_eq(cfg->trust.n, r.accepted);
    /* The older entry point counts the same certificates. */
    tlsm_config *old = tlsm_config_new(TLSM_ROLE_CLIENT);
    size_t added = 0;
    cr_assert_eq(tlsm_config_load_system_trust(old, &added), 0);
    cr_assert_eq(added, r.accepted + r.duplicates);
    tlsm_config_free(old);

    /* No path yet for a chain under the local root ... */
    verify_committed(cfg, "server-p256.chain.pem", T_2027, TLSM_ERR_CERT_UNKNOWN_ISSUER);
    /* ... until that root joins the same store. */
    char path[1024];
    cr_assert_lt(snprintf(path, sizeof(path), "%s/ca.crt", pki_dir()), (int)sizeof(path), "path too long");
    cr_assert_eq(tlsm_config_add_trust_file(cfg, path, &r), 0);
    cr_assert_eq(r.accepted, 1);
    verify_committed(cfg, "server-p256.chain.pem", T_2027, 0);
    verify_committed(cfg, "server-rsa.chain.pem", T_2027, 0);
    verify_committed(cfg, "server-ed25519.chain.pem", T_2027, 0);
    tlsm_config_free(cfg);
}

Test(trust, system_directory)
{
    struct stat st;
    if (stat("/etc/ssl/certs", &st) != 0 || stat(SYSTEM_BUNDLE, &st) != 0)
        cr_skip_test("no /etc/ssl/certs with %s", SYSTEM_BUNDLE);
    tlsm_config *bundle = tlsm_config_new(TLSM_ROLE_CLIENT);
    tlsm_trust_report rb, rd;
    cr_assert_eq(tlsm_config_add_trust_system(bundle, &rb), 0);
    tlsm_config *dir = tlsm_config_new(TLSM_ROLE_CLIENT);
    cr_assert_eq(tlsm_config_add_trust_dir(dir, "/etc/ssl/certs", &rd), 0);
    printf("test_pki_trust: /etc/ssl/certs: %zu files, %zu accepted, %zu duplicates, %zu "
           "rejected\n",
           rd.files, rd.accepted, rd.duplicates, rd.rejected);
    /* The directory holds the bundle, the per-root files and their hashed links: the same
     * roots (and possibly locally installed ones), each counted once as accepted. */
    cr_assert_geq(rd.accepted, rb.accepted);
    cr_assert_gt(rd.duplicates, rd.accepted);
    tlsm_config_free(bundle);
    tlsm_config_free(dir);
}
