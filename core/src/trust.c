/*
 * trust.c - trust anchors from files, directories and the system store, all through one
 * loader that reports what it accepted, what it already had and what it refused and why.
 *
 * Every certificate goes through tlsm_config_add_trust_der, so the anchor rules (strict
 * X.509 parsing with the anchor relaxations of pki_store_add_der) and the config's
 * "frozen once used" rule are exactly those of the other trust setters. Files are read
 * whole into memory (bounded by TRUST_FILE_MAX) and parsed from there: the core stays
 * sans-IO for connections, and only these config loaders touch the file system.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "mem.h"

/* A trust bundle larger than this is certainly not one (Debian's is about 220 KiB). */
#define TRUST_FILE_MAX (64u << 20)

static void reject(tlsm_trust_report *rep, const char *file, size_t index, int code)
{
    rep->rejected++;
    if (rep->n_rejects < TLSM_TRUST_REPORT_MAX) {
        tlsm_trust_reject *r = &rep->rejects[rep->n_rejects++];
        snprintf(r->file, sizeof r->file, "%s", file);
        r->index = index;
        r->code = code;
    }
}

/* Adds one DER certificate and files the outcome. Only running out of memory stops the
 * whole load (the caller holds the config's edit lock, so it cannot be frozen meanwhile). */
static int add_one(tlsm_config *cfg, tlsm_trust_report *rep, const char *file, size_t index,
                   const uint8_t *der, size_t len)
{
    size_t before = cfg->trust.n;
    int rc = config_add_trust_der(cfg, der, len);
    if (rc == TLSM_ERR_NOMEM)
        return rc;
    if (rc != 0)
        reject(rep, file, index, rc);
    else if (cfg->trust.n == before)
        rep->duplicates++;
    else
        rep->accepted++;
    return 0;
}

static int read_whole(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    *out = NULL;
    *out_len = 0;
    if (!f)
        return TLSM_ERR_IO;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 1u << 16;
            uint8_t *nb = ncap <= TRUST_FILE_MAX ? mem_realloc(buf, ncap) : NULL;
            if (!nb) {
                mem_free(buf);
                fclose(f);
                return ncap <= TRUST_FILE_MAX ? TLSM_ERR_NOMEM : TLSM_ERR_IO;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        mem_free(buf);
        return TLSM_ERR_IO;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

static int has_pem_begin(const uint8_t *p, size_t len)
{
    static const char begin[] = "-----BEGIN ";
    for (size_t i = 0; i + sizeof begin - 1 <= len; i++)
        if (memcmp(p + i, begin, sizeof begin - 1) == 0)
            return 1;
    return 0;
}

/* Loads the certificates of one file's bytes; `name` is what the report calls the file. */
static int load_bytes(tlsm_config *cfg, tlsm_trust_report *rep, const char *name,
                      const uint8_t *p, size_t len)
{
    size_t pos = 0, index = 0;
    rep->files++;
    if (!has_pem_begin(p, len)) {
        /* Not PEM: one DER certificate (a SEQUENCE), or something else entirely. */
        if (len == 0 || p[0] != 0x30) {
            reject(rep, name, 0, TLSM_ERR_NO_CERT);
            return 0;
        }
        return add_one(cfg, rep, name, 0, p, len);
    }
    for (;;) {
        uint8_t *der = NULL;
        size_t der_len = 0;
        int rc = pki_pem_next(p, len, &pos, "CERTIFICATE", NULL, &der, &der_len);
        if (rc == 1)
            break;
        if (rc == TLSM_ERR_NOMEM)
            return rc;
        if (rc != 0) {
            /* A malformed block leaves no reliable place to resume from. */
            reject(rep, name, index, rc);
            return 0;
        }
        rc = add_one(cfg, rep, name, index++, der, der_len);
        mem_free(der);
        if (rc != 0)
            return rc;
    }
    if (index == 0)
        reject(rep, name, 0, TLSM_ERR_NO_CERT);
    return 0;
}

static int load_file(tlsm_config *cfg, tlsm_trust_report *rep, const char *path,
                     const char *name)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = read_whole(path, &buf, &len);
    if (rc == TLSM_ERR_NOMEM)
        return rc;
    if (rc != 0) {
        rep->files++;
        reject(rep, name, 0, rc);
        return 0;
    }
    rc = load_bytes(cfg, rep, name, buf, len);
    mem_free(buf);
    return rc;
}

static int outcome(const tlsm_trust_report *rep)
{
    return rep->accepted || rep->duplicates ? 0 : TLSM_ERR_NO_CERT;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int tlsm_config_add_trust_file(tlsm_config *cfg, const char *path, tlsm_trust_report *report)
{
    tlsm_trust_report local;
    tlsm_trust_report *rep = report ? report : &local;
    memset(rep, 0, sizeof *rep);
    if (!path)
        return TLSM_ERR_ARG;
    CONFIG_EDIT(cfg);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return TLSM_ERR_IO;
    int rc = load_file(cfg, rep, path, base_name(path));
    return rc ? rc : outcome(rep);
}

/* The names a trust directory uses: *.pem, *.crt, *.cer, and c_rehash's "hhhhhhhh.N"
 * links to certificates (not "hhhhhhhh.rN", which are CRLs). */
static int trust_file_name(const char *n)
{
    size_t len = strlen(n);
    static const char *const suffixes[] = {".pem", ".crt", ".cer"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
        if (len > 4 && strcmp(n + len - 4, suffixes[i]) == 0)
            return 1;
    if (len < 10 || n[8] != '.')
        return 0;
    for (size_t i = 0; i < 8; i++)
        if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
            return 0;
    for (size_t i = 9; i < len; i++)
        if (n[i] < '0' || n[i] > '9')
            return 0;
    return 1;
}

static int select_trust_file(const struct dirent *e)
{
    return trust_file_name(e->d_name);
}

int tlsm_config_add_trust_dir(tlsm_config *cfg, const char *path, tlsm_trust_report *report)
{
    tlsm_trust_report local;
    tlsm_trust_report *rep = report ? report : &local;
    struct dirent **names = NULL;
    memset(rep, 0, sizeof *rep);
    if (!path)
        return TLSM_ERR_ARG;
    CONFIG_EDIT(cfg);
    int n = scandir(path, &names, select_trust_file, alphasort);
    if (n < 0)
        return TLSM_ERR_IO;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char full[4096];
        struct stat st;
        int w = snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name);
        if (rc == 0 && w > 0 && (size_t)w < sizeof full && stat(full, &st) == 0 &&
            S_ISREG(st.st_mode))
            rc = load_file(cfg, rep, full, names[i]->d_name);
        mem_free(names[i]);
    }
    mem_free(names);
    return rc ? rc : outcome(rep);
}

int tlsm_config_add_trust_system(tlsm_config *cfg, tlsm_trust_report *report)
{
    static const char *const bundles[] = {"/etc/ssl/certs/ca-certificates.crt",
                                          "/etc/pki/tls/certs/ca-bundle.crt",
                                          "/etc/ssl/cert.pem"};
    struct stat st;
    if (report)
        memset(report, 0, sizeof *report);
    if (!cfg)
        return TLSM_ERR_ARG;
    for (size_t i = 0; i < sizeof bundles / sizeof *bundles; i++)
        if (stat(bundles[i], &st) == 0 && S_ISREG(st.st_mode))
            return tlsm_config_add_trust_file(cfg, bundles[i], report);
    if (stat("/etc/ssl/certs", &st) == 0 && S_ISDIR(st.st_mode))
        return tlsm_config_add_trust_dir(cfg, "/etc/ssl/certs", report);
    return TLSM_ERR_IO;
}
