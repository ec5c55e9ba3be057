/*
 * shim_suites.c - BoGo's algorithm flags in tlsm's terms: BoringSSL cipher rules (-cipher)
 * become tlsm suite codes, and group / signature scheme codes (-curves, -signing-prefs,
 * -verify-prefs) are checked against what tlsm implements, by asking tlsm for their names.
 *
 * The key family of the shim's own certificate (RSA, ECDSA, EdDSA) is read from the
 * certificate's subjectPublicKeyInfo, because tlsm has one signature scheme list for
 * signing and verifying and the shim must keep schemes its own key can sign with.
 *
 * BoringSSL's cipher rules only choose TLS 1.2 suites; its TLS 1.3 suites are always on.
 * The rule language is reduced to what the runner sends: ':'-separated items, each an IANA
 * suite name or one of the keywords ALL, DEFAULT, AES, AES128, AES256, CHACHA20, 3DES,
 * optionally preceded by '!' (remove for good). Equal-preference groups "[a|b]" have no
 * tlsm counterpart and make the rule unsupported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

/* Every TLS 1.2 suite tlsm implements that BoringSSL has too (BoringSSL has no finite-field
 * DHE), in the order of BoringSSL's "ALL". */
static const uint16_t tls12_suites[] = {
    TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    TLSM_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    TLSM_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    TLSM_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    TLSM_TLS_RSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_RSA_WITH_AES_256_GCM_SHA384,
};
static const uint16_t tls13_suites[] = {
    TLSM_TLS_AES_128_GCM_SHA256,
    TLSM_TLS_AES_256_GCM_SHA384,
    TLSM_TLS_CHACHA20_POLY1305_SHA256,
};
#define COUNT(a) (sizeof(a) / sizeof *(a))

int shim_codes_push(shim_codes *l, uint16_t v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        uint16_t *bigger = realloc(l->v, cap * sizeof *bigger);
        if (!bigger)
            return -1;
        l->v = bigger;
        l->cap = cap;
    }
    l->v[l->n++] = v;
    return 0;
}

int shim_codes_has(const shim_codes *l, uint16_t v)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == v)
            return 1;
    return 0;
}

int shim_base64(const char *in, uint8_t **out, size_t *len)
{
    size_t n = strlen(in);
    uint8_t *o = malloc(n / 4 * 3 + 3);
    if (!o)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0;
    for (size_t i = 0; i < n && in[i] != '='; i++) {
        const char c = in[i];
        int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
              : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
        if (v < 0) {
            free(o);
            return -1;
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (uint8_t)(acc >> bits);
        }
    }
    *out = o;
    *len = k;
    return 0;
}

void shim_codes_free(shim_codes *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

int shim_group_known(uint16_t group)
{
    return strcmp(tlsm_group_name(group), "unknown") != 0;
}

int shim_sigalg_known(uint16_t scheme)
{
    return strcmp(tlsm_sigalg_name(scheme), "unknown") != 0;
}

/* Does the keyword select this TLS 1.2 suite? (-1: not a keyword). */
static int keyword_matches(const char *word, uint16_t suite)
{
    const char *name = tlsm_suite_name(suite);
    if (strcmp(word, "ALL") == 0 || strcmp(word, "DEFAULT") == 0)
        return 1;
    if (strcmp(word, "AES") == 0)
        return strstr(name, "_AES_") != NULL;
    if (strcmp(word, "AES128") == 0)
        return strstr(name, "_AES_128_") != NULL;
    if (strcmp(word, "AES256") == 0)
        return strstr(name, "_AES_256_") != NULL;
    if (strcmp(word, "CHACHA20") == 0)
        return strstr(name, "CHACHA20") != NULL;
    if (strcmp(word, "3DES") == 0)
        return 0; /* tlsm has no 3DES suite */
    return -1;
}

/* Names BoringSSL knows that tlsm does not implement: they select nothing. */
static int is_unimplemented_suite_name(const char *word)
{
    return strncmp(word, "TLS_", 4) == 0 &&
           (strstr(word, "_CBC_") || strstr(word, "_PSK_") || strstr(word, "_NULL_"));
}

/* Applies one rule item to the list. Returns 0 or -1 (not understood). */
static int apply_item(const char *item, shim_codes *out, shim_codes *banned)
{
    int ban = item[0] == '!';
    const char *word = ban ? item + 1 : item;
    int known = 0;
    for (size_t i = 0; i < COUNT(tls12_suites); i++) {
        uint16_t s = tls12_suites[i];
        int hit = keyword_matches(word, s);
        if (hit < 0)
            hit = strcmp(word, tlsm_suite_name(s)) == 0;
        else
            known = 1;
        if (!hit)
            continue;
        known = 1;
        if (ban) {
            if (shim_codes_push(banned, s) != 0)
                return -1;
        } else if (!shim_codes_has(out, s) && !shim_codes_has(banned, s) &&
                   shim_codes_push(out, s) != 0) {
            return -1;
        }
    }
    if (known || is_unimplemented_suite_name(word))
        return 0;
    fprintf(stderr, "shim: cipher rule item '%s' not understood\n", item);
    return -1;
}

int shim_cipher_rule(const char *rule, shim_codes *out)
{
    if (strchr(rule, '[') || strchr(rule, '|')) {
        fprintf(stderr, "shim: equal-preference cipher groups are not supported\n");
        return -1;
    }
    char *copy = strdup(rule);
    if (!copy)
        return -1;
    shim_codes banned = {0};
    int rc = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ":, ", &save); item && rc == 0;
         item = strtok_r(NULL, ":, ", &save))
        rc = apply_item(item, out, &banned);
    free(copy);
    /* "ALL:!AES" removes AES after ALL added it: drop what was banned in the end. */
    size_t kept = 0;
    for (size_t i = 0; i < out->n; i++)
        if (!shim_codes_has(&banned, out->v[i]))
            out->v[kept++] = out->v[i];
    out->n = kept;
    shim_codes_free(&banned);
    for (size_t i = 0; rc == 0 && i < COUNT(tls13_suites); i++)
        rc = shim_codes_push(out, tls13_suites[i]);
    return rc;
}

int shim_all_suites(shim_codes *out)
{
    for (size_t i = 0; i < COUNT(tls13_suites); i++)
        if (shim_codes_push(out, tls13_suites[i]) != 0)
            return -1;
    for (size_t i = 0; i < COUNT(tls12_suites); i++)
        if (shim_codes_push(out, tls12_suites[i]) != 0)
            return -1;
    return 0;
}

