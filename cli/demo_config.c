/*
 * demo_config.c - the client and server configs of `tlsm demo`: the bundled test PKI
 * (demo_pki_data.c), the versions, suites, groups and ALPN asked for, and the settings
 * behind --hrr, --resume and --client-auth. The testing kit turns tracing and the key log
 * on when it creates the pair.
 */
#include <stdio.h>

#include "cli.h"
#include "demo.h"

static int add_identity(tlsm_config *cfg, const char *base)
{
    char chain_name[64], key_name[64];
    size_t chain_len, key_len;
    snprintf(chain_name, sizeof chain_name, "%s.chain.pem", base);
    snprintf(key_name, sizeof key_name, "%s.key", base);
    const char *chain = demo_pki_file(chain_name, &chain_len);
    const char *key = demo_pki_file(key_name, &key_len);
    int rc = chain && key ? tlsm_config_add_identity_pem(cfg, (const uint8_t *)chain, chain_len,
                                                         (const uint8_t *)key, key_len)
                          : TLSM_ERR_NO_CERT;
    if (rc != 0)
        cli_error("cannot load the bundled %s: %s", chain_name, tlsm_strerror(rc));
    return rc;
}

static int add_test_root(tlsm_config *cfg)
{
    size_t len;
    const char *pem = demo_pki_file("ca.crt", &len);
    int rc = pem ? tlsm_config_add_trust_pem(cfg, (const uint8_t *)pem, len, NULL)
                 : TLSM_ERR_NO_CERT;
    if (rc != 0)
        cli_error("cannot load the bundled ca.crt: %s", tlsm_strerror(rc));
    return rc;
}

static int check(int rc, const char *what)
{
    if (rc != 0)
        cli_error("%s: %s", what, tlsm_strerror(rc));
    return rc;
}

/* Settings both sides share: versions, suites, groups and ALPN. */
static int common_config(tlsm_config *cfg, const demo_args *a)
{
    uint16_t v = a->tls12 ? TLSM_TLS12 : TLSM_TLS13;
    if ((a->tls12 || a->tls13) &&
        check(tlsm_config_set_versions(cfg, v, v), a->tls12 ? "--tls12" : "--tls13") != 0)
        return -1;
    return cli_apply_tls_options(cfg, &a->tls);
}

/* With --hrr the server accepts only the first wanted group and the client sends its key
 * share for another one, which the server must refuse with a HelloRetryRequest. */
static void hrr_groups(const demo_args *a, uint16_t client[2], uint16_t *server)
{
    *server = a->tls.n_groups ? a->tls.groups[0] : TLSM_GROUP_X25519;
    client[0] = *server == TLSM_GROUP_X25519 ? TLSM_GROUP_SECP256R1 : TLSM_GROUP_X25519;
    client[1] = *server;
}

tlsm_config *demo_client_config(const demo_args *a)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    if (!cfg) {
        cli_error("out of memory");
        return NULL;
    }
    uint16_t groups[2], server_group;
    if (common_config(cfg, a) != 0 || add_test_root(cfg) != 0)
        goto fail;
    if (a->hrr) {
        hrr_groups(a, groups, &server_group);
        if (check(tlsm_config_set_groups(cfg, groups, 2), "cannot set the client groups") != 0)
            goto fail;
    }
    if (a->resume && check(tlsm_config_set_tickets(cfg, 1), "cannot enable tickets") != 0)
        goto fail;
    if (a->client_auth && add_identity(cfg, "client") != 0)
        goto fail;
    return cfg;
fail:
    tlsm_config_free(cfg);
    return NULL;
}

tlsm_config *demo_server_config(const demo_args *a)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_SERVER);
    if (!cfg) {
        cli_error("out of memory");
        return NULL;
    }
    char base[32];
    snprintf(base, sizeof base, "server-%s", a->key);
    uint16_t groups[2], server_group;
    if (common_config(cfg, a) != 0 || add_identity(cfg, base) != 0)
        goto fail;
    if (a->hrr) {
        hrr_groups(a, groups, &server_group);
        if (check(tlsm_config_set_groups(cfg, &server_group, 1), "cannot set the server group"))
            goto fail;
    }
    if (a->resume && check(tlsm_config_set_tickets(cfg, 1), "cannot enable tickets") != 0)
        goto fail;
    if (a->client_auth && (add_test_root(cfg) != 0 ||
                           check(tlsm_config_set_client_auth(cfg, 2), "client auth") != 0))
        goto fail;
    return cfg;
fail:
    tlsm_config_free(cfg);
    return NULL;
}
