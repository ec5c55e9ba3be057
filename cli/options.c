/*
 * options.c - the TLS options every subcommand shares: --suite, --group and --alpn, each a
 * comma-separated list in preference order, and applying them to a tlsm_config.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef int (*parse_fn)(const char *name, uint16_t *out);

/* Splits a comma-separated list and parses each item into codes[]. */
static int parse_code_list(const char *list, parse_fn parse, const char *what, uint16_t *codes,
                           size_t *n)
{
    const char *p = list;
    *n = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[64];
        if (len == 0 || len >= sizeof item) {
            cli_error("invalid %s list '%s'", what, list);
            return -1;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        if (*n == CLI_MAX_LIST) {
            cli_error("too many names in %s list '%s'", what, list);
            return -1;
        }
        if (parse(item, &codes[*n]) != 0) {
            cli_error("unknown %s '%s' (see --help for the supported names)", what, item);
            return -1;
        }
        (*n)++;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int cli_opt_suites(cli_tls_options *o, const char *list)
{
    return parse_code_list(list, cli_parse_suite, "cipher suite", o->suites, &o->n_suites);
}

int cli_opt_groups(cli_tls_options *o, const char *list)
{
    return parse_code_list(list, cli_parse_group, "group", o->groups, &o->n_groups);
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
    return 0;
}
