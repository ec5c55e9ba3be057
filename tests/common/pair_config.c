/*
 * pair_config.c - the host side of the test pair's setup: deterministic randomness and
 * clock, the committed test PKI (tests/data/pki) read from the source tree, and configs
 * built from pair_opts (see pair.h).
 */
#include "pair.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- determinism */

void pair_rng_seed(pair_rng *r, uint64_t seed)
{
    r->state = seed;
}

/* splitmix64: a full-period 64-bit generator, plenty for reproducible test randomness. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int pair_rng_fill(void *ctx, uint8_t *out, size_t len)
{
    pair_rng *r = ctx;
    while (len > 0) {
        uint64_t v = splitmix64(&r->state);
        size_t n = len < 8 ? len : 8;
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)(v >> (8 * i));
        out += n;
        len -= n;
    }
    return 0;
}

uint64_t pair_clock_now(void *ctx)
{
    return *(const uint64_t *)ctx;
}

/* ---------------------------------------------------------------- test PKI */

static const char *const key_names[] = {"none", "ed25519", "p256", "p384", "rsa", "rsapss",
                                        "client", "rsapss384"};

const char *pair_key_name(pair_key k)
{
    return (unsigned)k < sizeof key_names / sizeof key_names[0] ? key_names[k] : "?";
}

uint8_t *pair_read_pki(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/pki/%s", TLSM_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    pair_buf b = {0};
    uint8_t tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        pair_buf_append(&b, tmp, n);
    fclose(f);
    *len = b.len;
    pair_buf_append(&b, "", 1);
    return b.data;
}

int pair_add_identity(tlsm_config *cfg, pair_key k)
{
    char chain_name[64], key_name[64];
    if (k == PAIR_KEY_CLIENT) {
        snprintf(chain_name, sizeof chain_name, "client.chain.pem");
        snprintf(key_name, sizeof key_name, "client.key");
    } else {
        snprintf(chain_name, sizeof chain_name, "server-%s.chain.pem", pair_key_name(k));
        snprintf(key_name, sizeof key_name, "server-%s.key", pair_key_name(k));
    }
    size_t chain_len, key_len;
    uint8_t *chain = pair_read_pki(chain_name, &chain_len);
    uint8_t *key = pair_read_pki(key_name, &key_len);
    int rc = tlsm_config_add_identity_pem(cfg, chain, chain_len, key, key_len);
    free(chain);
    free(key);
    return rc;
}

int pair_add_trust(tlsm_config *cfg, const char *name)
{
    size_t len, added = 0;
    uint8_t *pem = pair_read_pki(name, &len);
    int rc = tlsm_config_add_trust_pem(cfg, pem, len, &added);
    free(pem);
    return rc;
}

/* ---------------------------------------------------------------- configs */

const uint16_t pair_suites12_all[11] = {
    TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    TLSM_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLSM_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    TLSM_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, TLSM_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    TLSM_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TLSM_TLS_RSA_WITH_AES_128_GCM_SHA256,
    TLSM_TLS_RSA_WITH_AES_256_GCM_SHA384};
const uint16_t pair_suites12_rsa_kx[2] = {TLSM_TLS_RSA_WITH_AES_128_GCM_SHA256,
                                          TLSM_TLS_RSA_WITH_AES_256_GCM_SHA384};

#define CFG_OK(call) cr_assert_eq((call), TLSM_OK, "%s failed", #call)

tlsm_config *pair_config(tlsm_role role, const pair_opts *o, pair_rng *rng, uint64_t *now_ms)
{
    static const pair_opts defaults;
    if (o == NULL)
        o = &defaults;
    tlsm_config *cfg = tlsm_config_new(role);
    cr_assert_not_null(cfg);
    CFG_OK(tlsm_config_set_rng(cfg, pair_rng_fill, rng));
    CFG_OK(tlsm_config_set_clock(cfg, pair_clock_now, now_ms));
    if (o->n_suites)
        CFG_OK(tlsm_config_set_suites(cfg, o->suites, o->n_suites));
    if (o->n_groups)
        CFG_OK(tlsm_config_set_groups(cfg, o->groups, o->n_groups));
    if (o->n_sigalgs)
        CFG_OK(tlsm_config_set_sigalgs(cfg, o->sigalgs, o->n_sigalgs));
    if (o->alpn)
        CFG_OK(tlsm_config_set_alpn(cfg, (const uint8_t *)o->alpn, strlen(o->alpn)));
    if (o->key != PAIR_KEY_NONE)
        CFG_OK(pair_add_identity(cfg, o->key));
    /* Clients verify the server with ca.crt; servers need it to verify client certificates. */
    const char *trust = o->trust ? o->trust : "ca.crt";
    if (trust[0] != '\0')
        CFG_OK(pair_add_trust(cfg, trust));
    if (o->client_auth)
        CFG_OK(tlsm_config_set_client_auth(cfg, o->client_auth));
    if (o->require_cookie)
        CFG_OK(tlsm_config_set_require_cookie(cfg, 1));
    if (o->no_tickets)
        CFG_OK(tlsm_config_set_tickets(cfg, 0));
    if (o->no_middlebox)
        CFG_OK(tlsm_config_set_middlebox_compat(cfg, 0));
    if (o->insecure)
        CFG_OK(tlsm_config_set_verify(cfg, TLSM_VERIFY_INSECURE_NO_VERIFICATION));
    if (o->trace)
        CFG_OK(tlsm_config_set_trace(cfg, 1));
    if (o->record_size_limit)
        CFG_OK(tlsm_config_set_record_size_limit(cfg, o->record_size_limit));
    if (o->min_version || o->max_version)
        CFG_OK(tlsm_config_set_versions(cfg, o->min_version ? o->min_version : TLSM_TLS12,
                                        o->max_version ? o->max_version : TLSM_TLS13));
    if (o->no_require_ems)
        CFG_OK(tlsm_config_set_require_ems(cfg, 0));
    if (o->no_session_cache)
        CFG_OK(tlsm_config_set_session_cache(cfg, 0));
    else if (o->session_cache)
        CFG_OK(tlsm_config_set_session_cache(cfg, o->session_cache));
    return cfg;
}
