/*
 * certforge.c - hostile certificates for tests (see certforge.h): a tiny DER writer, the
 * template's tbsCertificate taken apart with the library's DER reader, and put together
 * again with the requested fields replaced.
 */
#include "certforge.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"
#include "pki/der.h"
#include "pki/pki.h"

typedef struct {
    uint8_t *p;
    size_t len, cap;
} dbuf;

static void put(dbuf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        cr_assert_not_null(b->p);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_byte(dbuf *b, uint8_t v)
{
    put(b, &v, 1);
}

/* Tag, minimal definite length, contents. */
static void tlv(dbuf *b, uint8_t tag, const uint8_t *content, size_t n)
{
    put_byte(b, tag);
    if (n < 0x80) {
        put_byte(b, (uint8_t)n);
    } else {
        uint8_t len[sizeof(size_t)];
        size_t k = 0;
        for (size_t v = n; v; v >>= 8)
            len[k++] = (uint8_t)v;
        put_byte(b, (uint8_t)(0x80 | k));
        while (k)
            put_byte(b, len[--k]);
    }
    put(b, content, n);
}

/* A non-negative INTEGER from big-endian magnitude bytes (no leading zero byte given). */
static void integer(dbuf *b, const uint8_t *mag, size_t n)
{
    dbuf v = {0};
    if (mag[0] & 0x80)
        put_byte(&v, 0);
    put(&v, mag, n);
    tlv(b, DER_INTEGER, v.p, v.len);
    free(v.p);
}

static const uint8_t *alg_der(sig_alg alg, size_t *len)
{
    static const uint8_t ecdsa256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
                                       0x3d, 0x04, 0x03, 0x02};
    static const uint8_t rsa256[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                     0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
    switch (alg) {
    case SIG_ECDSA_SHA256: *len = sizeof ecdsa256; return ecdsa256;
    case SIG_RSA_PKCS1_SHA256: *len = sizeof rsa256; return rsa256;
    default: cr_assert_fail("certforge: no encoding for signature algorithm %d", (int)alg);
    }
    return NULL;
}

/* The raw TLV of the next element, whatever its tag. */
static const uint8_t *next_raw(der_reader *r, size_t *len)
{
    const uint8_t *p = der_get_raw(r, (uint8_t)der_peek(r), len);
    cr_assert_not_null(p, "certforge: template does not parse");
    return p;
}

void forge_cert(const uint8_t *tmpl, size_t tmpl_len, const forge_opts *o, forge_der *out)
{
    pki_cert t;
    int rc = pki_cert_parse(&t, tmpl, tmpl_len);
    cr_assert(rc != TLSM_ERR_CERT_PARSE, "certforge: template is not a certificate");
    der_reader r, tbs;
    der_init(&r, t.tbs, t.tbs_len);
    der_enter(&r, DER_SEQUENCE, &tbs);
    size_t n[7];
    const uint8_t *f[7]; /* version, serial, signature, issuer, validity, subject, spki */
    size_t k = 0;
    if (der_peek(&tbs) != DER_CTX_CONS(0)) /* v1: no version field */
        f[k] = NULL, n[k++] = 0;
    while (k < 7) {
        f[k] = next_raw(&tbs, &n[k]);
        k++;
    }
    const uint8_t *rest = tbs.p + tbs.pos; /* unique identifiers and extensions */
    size_t rest_len = tbs.len - tbs.pos;

    size_t alg_len = n[2];
    const uint8_t *alg = o->sig != SIG_NONE ? alg_der(o->sig, &alg_len) : f[2];
    sig_alg sign_alg = o->sig != SIG_NONE ? o->sig : t.sig_alg;
    if (o->issuer)
        f[3] = o->issuer->p, n[3] = o->issuer->len;
    if (o->subject)
        f[5] = o->subject->p, n[5] = o->subject->len;
    if (o->spki)
        f[6] = o->spki->p, n[6] = o->spki->len;
    if (o->validity)
        f[4] = o->validity->p, n[4] = o->validity->len;
    if (o->extensions) {
        /* Unique identifiers never occur in the test PKI: the rest is the extensions. */
        rest = o->extensions->p;
        rest_len = o->extensions->len;
    }

    dbuf body = {0}, tbs_der = {0}, cert = {0}, sig = {0};
    for (k = 0; k < 7; k++) {
        if (k == 2)
            put(&body, alg, alg_len);
        else if (f[k])
            put(&body, f[k], n[k]);
    }
    put(&body, rest, rest_len);
    tlv(&tbs_der, DER_SEQUENCE, body.p, body.len);

    put_byte(&sig, 0); /* BIT STRING: no unused bits */
    if (o->key) {
        uint8_t s[1100];
        size_t s_len = 0;
        crypto_rng rng = {NULL, NULL};
        cr_assert_eq(crypto_sign(o->key, sign_alg, &rng, tbs_der.p, tbs_der.len, s, sizeof s,
                                 &s_len), 0, "certforge: signing failed");
        put(&sig, s, s_len);
    } else {
        for (size_t i = 0; i < o->garbage_len; i++)
            put_byte(&sig, 0x5a);
    }
    dbuf all = {0};
    put(&all, tbs_der.p, tbs_der.len);
    put(&all, alg, alg_len);
    tlv(&all, DER_BIT_STRING, sig.p, sig.len);
    tlv(&cert, DER_SEQUENCE, all.p, all.len);
    free(body.p);
    free(tbs_der.p);
    free(sig.p);
    free(all.p);
    out->p = cert.p;
    out->len = cert.len;
}

void forge_rsa_spki(size_t bits, size_t e_bytes, forge_der *out)
{
    cr_assert(bits >= 16 && e_bytes >= 1);
    size_t n_len = (bits + 7) / 8;
    uint8_t *mod = malloc(n_len), *e = malloc(e_bytes);
    cr_assert(mod && e);
    memset(mod, 0xa5, n_len);
    unsigned top = (unsigned)((bits - 1) % 8); /* the highest set bit of mod[0] */
    mod[0] = (uint8_t)((1u << top) | (0xa5 & ((1u << top) - 1)));
    mod[n_len - 1] |= 1;
    memset(e, 0, e_bytes);
    e[0] = e_bytes == 1 ? 3 : 1;
    e[e_bytes - 1] |= 1;

    dbuf key = {0}, key_seq = {0}, bits_der = {0}, algid = {0}, all = {0}, spki = {0};
    integer(&key, mod, n_len);
    integer(&key, e, e_bytes);
    tlv(&key_seq, DER_SEQUENCE, key.p, key.len);
    put_byte(&bits_der, 0);
    put(&bits_der, key_seq.p, key_seq.len);
    static const uint8_t rsa_alg[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                      0x01, 0x01, 0x01, 0x05, 0x00};
    tlv(&algid, DER_SEQUENCE, rsa_alg, sizeof rsa_alg);
    put(&all, algid.p, algid.len);
    tlv(&all, DER_BIT_STRING, bits_der.p, bits_der.len);
    tlv(&spki, DER_SEQUENCE, all.p, all.len);
    free(mod);
    free(e);
    free(key.p);
    free(key_seq.p);
    free(bits_der.p);
    free(algid.p);
    free(all.p);
    out->p = spki.p;
    out->len = spki.len;
}

static void put_time(dbuf *b, int64_t t)
{
    int64_t days = t / 86400, secs = t % 86400;
    /* civil-from-days (proleptic Gregorian), days since 1970-01-01 */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    char text[24];
    int utc = y >= 1950 && y < 2050;
    int len = snprintf(text, sizeof text, "%0*lld%02lld%02lld%02lld%02lld%02lldZ", utc ? 2 : 4,
                       (long long)(utc ? y % 100 : y), (long long)m, (long long)d,
                       (long long)(secs / 3600), (long long)(secs / 60 % 60),
                       (long long)(secs % 60));
    tlv(b, utc ? DER_UTC_TIME : DER_GENERALIZED_TIME, (const uint8_t *)text, (size_t)len);
}

void forge_validity(int64_t not_before, int64_t not_after, forge_der *out)
{
    dbuf body = {0}, v = {0};
    put_time(&body, not_before);
    put_time(&body, not_after);
    tlv(&v, DER_SEQUENCE, body.p, body.len);
    free(body.p);
    out->p = v.p;
    out->len = v.len;
}

const uint8_t forge_oid_basic_constraints[3] = {0x55, 0x1d, 0x13};
const uint8_t forge_oid_san[3] = {0x55, 0x1d, 0x11};
const uint8_t forge_oid_nc[3] = {0x55, 0x1d, 0x1e};
const uint8_t forge_oid_key_usage[3] = {0x55, 0x1d, 0x0f};

void forge_ext(forge_exts *e, const uint8_t *oid, size_t oid_len, int critical,
               const uint8_t *value, size_t value_len)
{
    dbuf body = {0}, ext = {0};
    tlv(&body, DER_OID, oid, oid_len);
    if (critical)
        tlv(&body, DER_BOOLEAN, (const uint8_t[]){0xff}, 1);
    tlv(&body, DER_OCTET_STRING, value, value_len);
    tlv(&ext, DER_SEQUENCE, body.p, body.len);
    dbuf acc = {e->body.p, e->body.len, e->cap};
    put(&acc, ext.p, ext.len);
    e->body.p = acc.p;
    e->body.len = acc.len;
    e->cap = acc.cap;
    free(body.p);
    free(ext.p);
}

void forge_exts_end(forge_exts *e, forge_der *out)
{
    dbuf seq = {0}, wrapped = {0};
    tlv(&seq, DER_SEQUENCE, e->body.p, e->body.len);
    tlv(&wrapped, DER_CTX_CONS(3), seq.p, seq.len);
    free(seq.p);
    forge_free(&e->body);
    e->cap = 0;
    out->p = wrapped.p;
    out->len = wrapped.len;
}

void forge_basic_constraints(int ca, int path_len, forge_der *out)
{
    dbuf body = {0}, v = {0};
    if (ca)
        tlv(&body, DER_BOOLEAN, (const uint8_t[]){0xff}, 1);
    if (path_len >= 0) {
        uint8_t pl = (uint8_t)path_len;
        integer(&body, &pl, 1);
    }
    tlv(&v, DER_SEQUENCE, body.p, body.len);
    free(body.p);
    out->p = v.p;
    out->len = v.len;
}

forge_gname forge_gn_dns(const char *name)
{
    return (forge_gname){FORGE_GN_DNS, name, strlen(name)};
}

void forge_general_names(const forge_gname *names, size_t n, forge_der *out)
{
    dbuf body = {0}, v = {0};
    for (size_t i = 0; i < n; i++)
        tlv(&body, names[i].tag, names[i].p, names[i].len);
    tlv(&v, DER_SEQUENCE, body.p, body.len);
    free(body.p);
    out->p = v.p;
    out->len = v.len;
}

/* GeneralSubtrees ::= SEQUENCE OF GeneralSubtree { base GeneralName, minimum DEFAULT 0, ... } */
static void subtrees(dbuf *b, uint8_t tag, const forge_gname *names, size_t n)
{
    dbuf trees = {0};
    for (size_t i = 0; i < n; i++) {
        dbuf base = {0};
        tlv(&base, names[i].tag, names[i].p, names[i].len);
        tlv(&trees, DER_SEQUENCE, base.p, base.len);
        free(base.p);
    }
    tlv(b, tag, trees.p, trees.len);
    free(trees.p);
}

void forge_name_constraints(const forge_gname *permitted, size_t n_permitted,
                            const forge_gname *excluded, size_t n_excluded, forge_der *out)
{
    dbuf body = {0}, v = {0};
    if (n_permitted)
        subtrees(&body, DER_CTX_CONS(0), permitted, n_permitted);
    if (n_excluded)
        subtrees(&body, DER_CTX_CONS(1), excluded, n_excluded);
    tlv(&v, DER_SEQUENCE, body.p, body.len);
    free(body.p);
    out->p = v.p;
    out->len = v.len;
}

/* The dNSName entries of names[0 .. n) (the caller frees the array). */
static forge_gname *dns_list(const char *const *names, size_t n)
{
    forge_gname *g = calloc(n ? n : 1, sizeof *g);
    cr_assert_not_null(g);
    for (size_t i = 0; i < n; i++)
        g[i] = forge_gn_dns(names[i]);
    return g;
}

void forge_san_dns(const char *const *names, size_t n, forge_der *out)
{
    forge_gname *g = dns_list(names, n);
    forge_general_names(g, n, out);
    free(g);
}

void forge_nc_dns(const char *const *permitted, size_t n_permitted,
                  const char *const *excluded, size_t n_excluded, forge_der *out)
{
    forge_gname *p = dns_list(permitted, n_permitted), *e = dns_list(excluded, n_excluded);
    forge_name_constraints(p, n_permitted, e, n_excluded, out);
    free(p);
    free(e);
}

void forge_name(const char *cn, forge_der *out)
{
    /* Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value }; id-at-commonName 2.5.4.3. */
    static const uint8_t cn_oid[] = {0x55, 0x04, 0x03};
    dbuf atv = {0}, set = {0}, seq = {0}, name = {0};
    if (cn) {
        tlv(&atv, DER_OID, cn_oid, sizeof cn_oid);
        tlv(&atv, 0x0c, (const uint8_t *)cn, strlen(cn)); /* UTF8String */
        tlv(&seq, DER_SEQUENCE, atv.p, atv.len);
        tlv(&set, DER_SET, seq.p, seq.len);
    }
    tlv(&name, DER_SEQUENCE, set.p, set.len);
    free(atv.p);
    free(seq.p);
    free(set.p);
    out->p = name.p;
    out->len = name.len;
}

void forge_subject_of(const uint8_t *cert, size_t len, forge_der *out)
{
    pki_cert c;
    cr_assert(pki_cert_parse(&c, cert, len) != TLSM_ERR_CERT_PARSE);
    out->p = malloc(c.subject_len);
    cr_assert_not_null(out->p);
    memcpy(out->p, c.subject, c.subject_len);
    out->len = c.subject_len;
}

void forge_read_pki_cert(const char *name, forge_der *out)
{
    size_t len = 0, pos = 0;
    uint8_t *pem = pair_read_pki(name, &len);
    cr_assert_eq(pki_pem_next(pem, len, &pos, "CERTIFICATE", NULL, &out->p, &out->len), 0,
                 "certforge: no certificate in %s", name);
    free(pem);
}

crypto_privkey *forge_read_pki_key(const char *name)
{
    size_t len = 0;
    uint8_t *pem = pair_read_pki(name, &len);
    crypto_privkey *k = NULL;
    cr_assert_eq(pki_privkey_pem(pem, len, &k), 0, "certforge: no key in %s", name);
    free(pem);
    return k;
}

size_t forge_identity(tlsm_config *cfg, const char *tmpl, const char *key,
                      const forge_der *extensions)
{
    forge_der t, leaf, inter;
    forge_read_pki_cert(tmpl, &t);
    forge_read_pki_cert("intermediate.crt", &inter);
    crypto_privkey *issuer = forge_read_pki_key("intermediate.key");
    forge_cert(t.p, t.len, &(forge_opts){.extensions = extensions, .key = issuer}, &leaf);
    size_t pem_len = 0, pos = 0, key_len = 0;
    uint8_t *pem = pair_read_pki(key, &pem_len), *der = NULL;
    cr_assert_eq(pki_pem_next(pem, pem_len, &pos, "PRIVATE KEY", NULL, &der, &key_len), 0,
                 "certforge: no PKCS#8 key in %s", key);
    const uint8_t *chain[2] = {leaf.p, inter.p};
    size_t lens[2] = {leaf.len, inter.len};
    cr_assert_eq(tlsm_config_add_identity_der(cfg, chain, lens, 2, der, key_len), 0);
    size_t n = leaf.len;
    free(der);
    free(pem);
    forge_free(&t);
    forge_free(&leaf);
    forge_free(&inter);
    crypto_privkey_free(issuer);
    return n;
}

void forge_free(forge_der *d)
{
    free(d->p);
    d->p = NULL;
    d->len = 0;
}
