/*
 * options.c - the TLS options every subcommand shares: --suite, --group and --alpn (lists
 * in preference order) and --ems, and applying them to a tlsm_config.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

typedef int (*parse_fn)(const char *name, uint16_t *out);
typedef const uint16_t *(*all_fn)(size_t *n);

/* Appends a code unless the list has it already: the library takes each code once, and
 * "--suite X --suite all" means X first, then the others. */
static void append_code(uint16_t *codes, size_t *n, uint16_t code)
{
    for (size_t i = 0; i < *n; i++)
        if (codes[i] == code)
            return;
    codes[(*n)++] = code; /* cannot overflow: every code is a known one (names.c) */
}

/* Splits a comma-separated list and appends each item (a name, or `all`) to codes[]. */
static int parse_code_list(const char *list, parse_fn parse, all_fn all, const char *what,
                           uint16_t *codes, size_t *n)
{
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[64];
        uint16_t code;
        if (len == 0 || len >= sizeof item) {
            cli_error("invalid %s list '%s'", what, list);
            return -1;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        if (strcasecmp(item, "all") == 0) {
            size_t n_all;
            const uint16_t *every = all(&n_all);
            for (size_t i = 0; i < n_all; i++)
                append_code(codes, n, every[i]);
        } else if (parse(item, &code) == 0) {
            append_code(codes, n, code);
        } else {
            cli_error("unknown %s '%s' (see --help for the supported names)", what, item);
            return -1;
        }
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int cli_opt_suites(cli_tls_options *o, const char *list)
{
    return parse_code_list(list, cli_parse_suite, cli_all_suites, "cipher suite", o->suites,
                           &o->n_suites);
}

int cli_opt_groups(cli_tls_options *o, const char *list)
{
    return parse_code_list(list, cli_parse_group, cli_all_groups, "group", o->groups,
                           &o->n_groups);
}

int cli_opt_ems(cli_tls_options *o, const char *word)
{
    if (strcmp(word, "required") == 0)
        o->ems = CLI_EMS_REQUIRED;
    else if (strcmp(word, "optional") == 0)
        o->ems = CLI_EMS_OPTIONAL;
    else {
        cli_error("--ems takes 'required' or 'optional', not '%s'", word);
        return -1;
    }
    return 0;
}

void cli_print_tls_option_help(FILE *out)
{
    fprintf(out,
            "  --suite LIST       cipher suites in preference order: names separated by\n"
            "                     commas, or 'all' (every suite below, RSA key transport\n"
            "                     included); repeat the option to add more\n"
            "  --group LIST       key-exchange groups in preference order, the same way\n"
            "                     ('all': every group below)\n"
            "  --ems WHEN         TLS 1.2 Extended Master Secret (RFC 7627): 'required'\n"
            "                     (default: a peer without it is refused) or 'optional'\n");
}

/* "h2,http/1.1" -> "\x02h2\x08http/1.1" (RFC 7301 s.3.1 ProtocolNameList). */
int cli_opt_alpn(cli_tls_options *o, const char *list)
{
    const char *p = list;
    o->alpn_len = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len > 255) {
            cli_error("invalid ALPN list '%s': names are 1 to 255 bytes", list);
            return -1;
        }
        if (o->alpn_len + 1 + len > sizeof o->alpn) {
            cli_error("ALPN list '%s' is too long", list);
            return -1;
        }
        o->alpn[o->alpn_len++] = (uint8_t)len;
        memcpy(o->alpn + o->alpn_len, p, len);
        o->alpn_len += len;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int cli_apply_tls_options(tlsm_config *cfg, const cli_tls_options *o)
{
    int rc;
    if (o->n_suites > 0 && (rc = tlsm_config_set_suites(cfg, o->suites, o->n_suites)) != 0) {
        cli_error("cannot set cipher suites: %s", tlsm_strerror(rc));
        return -1;
    }
    if (o->n_groups > 0 && (rc = tlsm_config_set_groups(cfg, o->groups, o->n_groups)) != 0) {
        cli_error("cannot set groups: %s", tlsm_strerror(rc));
        return -1;
    }
    if (o->alpn_len > 0 && (rc = tlsm_config_set_alpn(cfg, o->alpn, o->alpn_len)) != 0) {
        cli_error("cannot set ALPN: %s", tlsm_strerror(rc));
        return -1;
    }
    if (o->ems != CLI_EMS_DEFAULT &&
        (rc = tlsm_config_set_require_ems(cfg, o->ems == CLI_EMS_REQUIRED)) != 0) {
        cli_error("--ems: %s", tlsm_strerror(rc));
        return -1;
    }
    return 0;
}
