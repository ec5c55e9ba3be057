/*
 * names.c - printable names for protocol versions, cipher suites, key-exchange groups and
 * signature schemes, and the parsers that turn user-typed names back into codes.
 *
 * Names are the IANA ones (RFC 8446 B.4, s.4.2.7, s.4.2.3; suite names come from the library's
 * tlsm_suite_name); the parsers also accept the spellings that OpenSSL and GnuTLS users type
 * (P-256, prime256v1, ...) and short suite aliases (aes128, chacha20), case-insensitively.
 */
#include <stdio.h>
#include <strings.h>

#include "cli.h"

typedef struct {
    uint16_t code;
    const char *name;
} named_code;

typedef struct {
    const char *alias;
    uint16_t code;
} alias_code;

/* Every suite the library implements, TLS 1.3 first; the names come from tlsm_suite_name. */
static const uint16_t suites[] = {
    TLSM_TLS_AES_128_GCM_SHA256,
    TLSM_TLS_AES_256_GCM_SHA384,
    TLSM_TLS_CHACHA20_POLY1305_SHA256,
    TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    TLSM_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    TLSM_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    TLSM_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    TLSM_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    TLSM_TLS_RSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_RSA_WITH_AES_256_GCM_SHA384,
};

static const alias_code suite_aliases[] = {
    {"aes128", TLSM_TLS_AES_128_GCM_SHA256},
    {"aes128gcm", TLSM_TLS_AES_128_GCM_SHA256},
    {"aes256", TLSM_TLS_AES_256_GCM_SHA384},
    {"aes256gcm", TLSM_TLS_AES_256_GCM_SHA384},
    {"chacha20", TLSM_TLS_CHACHA20_POLY1305_SHA256},
    {"chacha20-poly1305", TLSM_TLS_CHACHA20_POLY1305_SHA256},
};

static const named_code groups[] = {
    {TLSM_GROUP_X25519, "X25519"},
    {TLSM_GROUP_SECP256R1, "P-256"},
    {TLSM_GROUP_SECP384R1, "P-384"},
    {TLSM_GROUP_FFDHE2048, "ffdhe2048"},
    {TLSM_GROUP_FFDHE3072, "ffdhe3072"},
};

static const alias_code group_aliases[] = {
    {"x25519", TLSM_GROUP_X25519},        {"p256", TLSM_GROUP_SECP256R1},
    {"secp256r1", TLSM_GROUP_SECP256R1},  {"prime256v1", TLSM_GROUP_SECP256R1},
    {"p384", TLSM_GROUP_SECP384R1},       {"secp384r1", TLSM_GROUP_SECP384R1},
};

static const named_code sigalgs[] = {
    {TLSM_SIG_RSA_PKCS1_SHA256, "rsa_pkcs1_sha256"},
    {TLSM_SIG_RSA_PKCS1_SHA384, "rsa_pkcs1_sha384"},
    {TLSM_SIG_RSA_PKCS1_SHA512, "rsa_pkcs1_sha512"},
    {TLSM_SIG_ECDSA_SECP256R1_SHA256, "ecdsa_secp256r1_sha256"},
    {TLSM_SIG_ECDSA_SECP384R1_SHA384, "ecdsa_secp384r1_sha384"},
    {TLSM_SIG_RSA_PSS_RSAE_SHA256, "rsa_pss_rsae_sha256"},
    {TLSM_SIG_RSA_PSS_RSAE_SHA384, "rsa_pss_rsae_sha384"},
    {TLSM_SIG_RSA_PSS_RSAE_SHA512, "rsa_pss_rsae_sha512"},
    {TLSM_SIG_ED25519, "ed25519"},
    {TLSM_SIG_RSA_PSS_PSS_SHA256, "rsa_pss_pss_sha256"},
    {TLSM_SIG_RSA_PSS_PSS_SHA384, "rsa_pss_pss_sha384"},
    {TLSM_SIG_RSA_PSS_PSS_SHA512, "rsa_pss_pss_sha512"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A name for a code, or a hex spelling of it in a static buffer (one per table, enough
 * for the single-threaded command). */
static const char *lookup(const named_code *t, size_t n, uint16_t code, char *unknown,
                          size_t cap)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return t[i].name;
    snprintf(unknown, cap, "0x%04x", code);
    return unknown;
}

const char *cli_version_name(uint16_t version)
{
    static char unknown[16];
    switch (version) {
    case TLSM_TLS13: return "TLS 1.3";
    case TLSM_TLS12: return "TLS 1.2";
    case 0: return "none";
    default: snprintf(unknown, sizeof unknown, "0x%04x", version); return unknown;
    }
}

const char *cli_suite_name(uint16_t suite)
{
    static char unknown[16];
    for (size_t i = 0; i < COUNT(suites); i++)
        if (suites[i] == suite)
            return tlsm_suite_name(suite);
    snprintf(unknown, sizeof unknown, "0x%04x", suite);
    return unknown;
}

const char *cli_group_name(uint16_t group)
{
    static char unknown[16];
    if (group == 0)
        return "none";
    return lookup(groups, COUNT(groups), group, unknown, sizeof unknown);
}

const char *cli_sigalg_name(uint16_t scheme)
{
    static char unknown[16];
    if (scheme == 0)
        return "none";
    return lookup(sigalgs, COUNT(sigalgs), scheme, unknown, sizeof unknown);
}

static int parse(const named_code *t, size_t n, const alias_code *a, size_t na,
                 const char *name, uint16_t *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(t[i].name, name) == 0) {
            *out = t[i].code;
            return 0;
        }
    for (size_t i = 0; i < na; i++)
        if (strcasecmp(a[i].alias, name) == 0) {
            *out = a[i].code;
            return 0;
        }
    return -1;
}

int cli_parse_suite(const char *name, uint16_t *out)
{
    for (size_t i = 0; i < COUNT(suites); i++)
        if (strcasecmp(tlsm_suite_name(suites[i]), name) == 0) {
            *out = suites[i];
            return 0;
        }
    return parse(NULL, 0, suite_aliases, COUNT(suite_aliases), name, out);
}

int cli_parse_group(const char *name, uint16_t *out)
{
    return parse(groups, COUNT(groups), group_aliases, COUNT(group_aliases), name, out);
}

void cli_print_suite_names(FILE *out, const char *indent)
{
    for (size_t i = 0; i < COUNT(suites); i++)
        fprintf(out, "%s%s%s\n", indent, tlsm_suite_name(suites[i]),
                suites[i] >> 8 == 0x13 ? "  (TLS 1.3)" : "  (TLS 1.2)");
}

void cli_print_group_names(FILE *out, const char *indent)
{
    for (size_t i = 0; i < COUNT(groups); i++)
        fprintf(out, "%s%s\n", indent, groups[i].name);
}
