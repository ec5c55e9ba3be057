/*
 * names.c - printable names for protocol versions, cipher suites, key-exchange groups and
 * signature schemes, and the parsers that turn user-typed names back into codes.
 *
 * Printed names come from the library (tlsm_version_name, tlsm_suite_name, tlsm_group_name,
 * tlsm_sigalg_name): the command only adds "none" for 0 and a hex spelling for a code the
 * library does not name. The library does not parse names, so the parsers live here: they
 * accept the library's names and the spellings that OpenSSL and GnuTLS users type (P-256,
 * prime256v1, ...) and short suite aliases (aes128, chacha20), case-insensitively.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

typedef struct {
    const char *alias;
    uint16_t code;
} alias_code;

/* Every suite the library implements, in the order `--suite all` offers them: TLS 1.3
 * first, then forward secrecy, RSA key transport last. */
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

/* Every group the library implements, in the order --help lists them and `--group all`
 * offers them. */
static const uint16_t groups[] = {
    TLSM_GROUP_X25519MLKEM768, TLSM_GROUP_SECP256R1MLKEM768, TLSM_GROUP_SECP384R1MLKEM1024,
    TLSM_GROUP_MLKEM768, TLSM_GROUP_MLKEM1024,
    TLSM_GROUP_X25519, TLSM_GROUP_SECP256R1, TLSM_GROUP_SECP384R1,
    TLSM_GROUP_FFDHE2048, TLSM_GROUP_FFDHE3072,
};

static const alias_code group_aliases[] = {
    {"P-256", TLSM_GROUP_SECP256R1}, {"p256", TLSM_GROUP_SECP256R1},
    {"prime256v1", TLSM_GROUP_SECP256R1}, {"P-384", TLSM_GROUP_SECP384R1},
    {"p384", TLSM_GROUP_SECP384R1},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* options.c keeps each code once in arrays of CLI_MAX_CODES. */
_Static_assert(COUNT(suites) <= CLI_MAX_CODES, "CLI_MAX_CODES is smaller than the suites");
_Static_assert(COUNT(groups) <= CLI_MAX_CODES, "CLI_MAX_CODES is smaller than the groups");

const uint16_t *cli_all_suites(size_t *n)
{
    *n = COUNT(suites);
    return suites;
}

const uint16_t *cli_all_groups(size_t *n)
{
    *n = COUNT(groups);
    return groups;
}

/* The library's name, or "none" for 0, or a hex spelling in `unknown` (a static buffer of
 * the caller: enough for the single-threaded command). */
static const char *named(const char *name, uint16_t code, char *unknown, size_t cap)
{
    if (code == 0)
        return "none";
    if (strcmp(name, "unknown") != 0)
        return name;
    snprintf(unknown, cap, "0x%04x", code);
    return unknown;
}

const char *cli_version_name(uint16_t version)
{
    static char unknown[16];
    return named(tlsm_version_name(version), version, unknown, sizeof unknown);
}

const char *cli_suite_name(uint16_t suite)
{
    static char unknown[16];
    return named(tlsm_suite_name(suite), suite, unknown, sizeof unknown);
}

const char *cli_group_name(uint16_t group)
{
    static char unknown[16];
    return named(tlsm_group_name(group), group, unknown, sizeof unknown);
}

const char *cli_sigalg_name(uint16_t scheme)
{
    static char unknown[16];
    return named(tlsm_sigalg_name(scheme), scheme, unknown, sizeof unknown);
}

static int parse_alias(const alias_code *a, size_t n, const char *name, uint16_t *out)
{
    for (size_t i = 0; i < n; i++)
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
    return parse_alias(suite_aliases, COUNT(suite_aliases), name, out);
}

int cli_parse_group(const char *name, uint16_t *out)
{
    for (size_t i = 0; i < COUNT(groups); i++)
        if (strcasecmp(tlsm_group_name(groups[i]), name) == 0) {
            *out = groups[i];
            return 0;
        }
    return parse_alias(group_aliases, COUNT(group_aliases), name, out);
}

void cli_print_suite_names(FILE *out, const char *indent)
{
    for (size_t i = 0; i < COUNT(suites); i++)
        fprintf(out, "%s%s%s\n", indent, tlsm_suite_name(suites[i]),
                suites[i] >> 8 == 0x13 ? "  (TLS 1.3)" : "  (TLS 1.2)");
}

void cli_print_group_names(FILE *out, const char *indent)
{
    for (size_t i = 0; i < COUNT(groups); i++) {
        char also[64] = "";
        size_t k = 0;
        for (size_t j = 0; j < COUNT(group_aliases); j++)
            if (group_aliases[j].code == groups[i] && k < sizeof also)
                k += (size_t)snprintf(also + k, sizeof also - k, "%s%s", k ? ", " : "",
                                      group_aliases[j].alias);
        if (k)
            fprintf(out, "%s%-11s (also %s)\n", indent, tlsm_group_name(groups[i]), also);
        else
            fprintf(out, "%s%s\n", indent, tlsm_group_name(groups[i]));
    }
}
