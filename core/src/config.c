/*
 * config.c - tlsm_config: the settings shared by many connections. A config is reference
 * counted and frozen by the first connection (or tlsm_verify_chain) that uses it, after
 * which it is read-only and can be shared across threads without locks. Until then,
 * setters and the freeze are serialised by the config's edit lock (CONFIG_EDIT).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake/suites.h"
#include "mem.h"
#include "pki/der.h"
#include "internal.h"
#include "wire/hs_codec.h"

/* Forward secrecy only by default: the RSA key-transport suites must be asked for. */
static const uint16_t default_suites[] = {
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
    TLSM_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256};
/* issue 19: the post-quantum hybrids first (a server prefers them, a client sends an
 * X25519MLKEM768 share with an X25519 one); pure ML-KEM-768 only when asked for. */
static const uint16_t default_groups[] = {
    TLSM_GROUP_X25519MLKEM768, TLSM_GROUP_SECP256R1MLKEM768, TLSM_GROUP_X25519,
    TLSM_GROUP_SECP256R1,      TLSM_GROUP_SECP384R1,         TLSM_GROUP_FFDHE2048,
    TLSM_GROUP_FFDHE3072};
static const uint16_t default_sigalgs[] = {
    TLSM_SIG_ECDSA_SECP256R1_SHA256, TLSM_SIG_ECDSA_SECP384R1_SHA384, TLSM_SIG_ECDSA_SECP521R1_SHA512,
    TLSM_SIG_ED25519,
    TLSM_SIG_RSA_PSS_RSAE_SHA256,    TLSM_SIG_RSA_PSS_RSAE_SHA384,    TLSM_SIG_RSA_PSS_RSAE_SHA512,
    TLSM_SIG_RSA_PSS_PSS_SHA256,     TLSM_SIG_RSA_PSS_PSS_SHA384,     TLSM_SIG_RSA_PSS_PSS_SHA512,
    TLSM_SIG_RSA_PKCS1_SHA256,       TLSM_SIG_RSA_PKCS1_SHA384,       TLSM_SIG_RSA_PKCS1_SHA512};

tlsm_config *tlsm_config_new(tlsm_role role)
{
    if ((role != TLSM_ROLE_CLIENT && role != TLSM_ROLE_SERVER) || crypto_init())
        return NULL;
    tlsm_config *cfg = mem_calloc(1, sizeof *cfg);
    if (!cfg)
        return NULL;
    if (pthread_mutex_init(&cfg->lock, NULL)) {
        mem_free(cfg);
        return NULL;
    }
    if (pthread_mutex_init(&cfg->edit_lock, NULL)) {
        pthread_mutex_destroy(&cfg->lock);
    pthread_mutex_destroy(&cfg->edit_lock);
        mem_free(cfg);
        return NULL;
    }
    cfg->refs = 1;
    cfg->role = role;
    cfg->min_version = TLSM_TLS12;
    cfg->max_version = TLSM_TLS13;
    cfg->require_ems = 1;
    cfg->session_cache_size = 256;
    memcpy(cfg->suites, default_suites, sizeof default_suites);
    cfg->n_suites = sizeof default_suites / sizeof *default_suites;
    memcpy(cfg->groups, default_groups, sizeof default_groups);
    cfg->n_groups = sizeof default_groups / sizeof *default_groups;
    memcpy(cfg->sigalgs, default_sigalgs, sizeof default_sigalgs);
    cfg->n_sigalgs = sizeof default_sigalgs / sizeof *default_sigalgs;
    pki_store_init(&cfg->trust);
    cfg->verify = TLSM_VERIFY_PEER;
    cfg->tickets = 1;
    cfg->ticket_lifetime = 7200;
    cfg->middlebox_compat = 1;
    cfg->record_size_limit = REC_MAX_PLAINTEXT;
    cfg->shape.ticket_nonce_len = 8;
    pki_sig_cache_init(&cfg->verify_cache, TLSM_VERIFY_CACHE_DEFAULT);
    return cfg;
}

uint64_t config_now_ms(const tlsm_config *cfg)
{
    if (cfg->clock)
        return cfg->clock(cfg->clock_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int config_freeze(tlsm_config *cfg)
{
    /* Fast path: connections on a frozen config take no lock. */
    if (__atomic_load_n(&cfg->frozen, __ATOMIC_ACQUIRE))
        return 0;
    int rc = 0;
    pthread_mutex_lock(&cfg->edit_lock);
    if (!cfg->frozen) {
        /* The ticket key is drawn now, from the config's RNG, so a deterministic RNG
         * gives deterministic tickets. */
        pthread_mutex_lock(&cfg->lock);
        if (!cfg->ticket_key_set && cfg->role == TLSM_ROLE_SERVER) {
            rc = crypto_random(&cfg->rng, cfg->ticket_key, sizeof cfg->ticket_key) ? TLSM_ERR_RNG
                                                                                     : 0;
            cfg->ticket_key_set = rc == 0;
        }
        pthread_mutex_unlock(&cfg->lock);
        if (rc == 0)
            __atomic_store_n(&cfg->frozen, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&cfg->edit_lock);
    return rc;
}

config_edit config_edit_begin(tlsm_config *cfg)
{
    pthread_mutex_lock(&cfg->edit_lock);
    return (config_edit){cfg};
}

void config_edit_end(config_edit *e)
{
    pthread_mutex_unlock(&e->cfg->edit_lock);
}

tlsm_config *tlsm_config_ref(tlsm_config *cfg)
{
    if (cfg)
        __atomic_add_fetch(&cfg->refs, 1, __ATOMIC_RELAXED);
    return cfg;
}

static void identity_free(tlsm_identity *id)
{
    mem_free(id->ocsp);
    for (size_t i = 0; i < id->n; i++)
        mem_free(id->der[i]);
    mem_free(id->der);
    mem_free(id->der_len);
    crypto_privkey_free(id->key);
    memset(id, 0, sizeof *id);
}

void tlsm_config_free(tlsm_config *cfg)
{
    if (!cfg || __atomic_sub_fetch(&cfg->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (size_t i = 0; i < cfg->n_ids; i++)
        identity_free(&cfg->ids[i]);
    pki_store_free(&cfg->trust);
    mem_free(cfg->ca_names);
    cache_free(cfg);
    pki_sig_cache_free(&cfg->verify_cache);
    pthread_mutex_destroy(&cfg->lock);
    pthread_mutex_destroy(&cfg->edit_lock);
    crypto_wipe(cfg, sizeof *cfg);
    mem_free(cfg);
}

/* Every setter refuses to change a config that a connection already uses. */
int tlsm_config_set_versions(tlsm_config *cfg, uint16_t min, uint16_t max)
{
    CONFIG_EDIT(cfg);
    /* SSL 3.0, TLS 1.0 and 1.1 are not implemented (RFC 7568, RFC 8996). */
    if (min > max || min < TLSM_TLS12 || max > TLSM_TLS13)
        return TLSM_ERR_ARG;
    cfg->min_version = min;
    cfg->max_version = max;
    return 0;
}

static int suite_known(uint16_t s)
{
    return suite_find(s) != NULL;
}

int config_sigalg_known(uint16_t s)
{
    for (size_t i = 0; i < sizeof default_sigalgs / sizeof *default_sigalgs; i++)
        if (default_sigalgs[i] == s)
            return 1;
    return 0;
}

static int set_list(uint16_t *dst, size_t *n_dst, size_t cap, const uint16_t *src, size_t n,
                    int (*known)(uint16_t))
{
    if (!src || n == 0 || n > cap)
        return TLSM_ERR_ARG;
    for (size_t i = 0; i < n; i++) {
        if (!known(src[i]))
            return TLSM_ERR_ARG;
        for (size_t j = 0; j < i; j++)
            if (src[j] == src[i])
                return TLSM_ERR_ARG;
    }
    memcpy(dst, src, n * sizeof *src);
    *n_dst = n;
    return 0;
}

int tlsm_config_set_suites(tlsm_config *cfg, const uint16_t *suites, size_t n)
{
    CONFIG_EDIT(cfg);
    return set_list(cfg->suites, &cfg->n_suites, TLSM_MAX_SUITES, suites, n, suite_known);
}

int tlsm_config_set_groups(tlsm_config *cfg, const uint16_t *groups, size_t n)
{
    CONFIG_EDIT(cfg);
    return set_list(cfg->groups, &cfg->n_groups, TLSM_MAX_GROUPS, groups, n,
                    crypto_kex_supported);
}

int tlsm_config_set_sigalgs(tlsm_config *cfg, const uint16_t *sigs, size_t n)
{
    CONFIG_EDIT(cfg);
    return set_list(cfg->sigalgs, &cfg->n_sigalgs, TLSM_MAX_SIGALGS, sigs, n, config_sigalg_known);
}

int tlsm_config_set_alpn(tlsm_config *cfg, const uint8_t *list, size_t len)
{
    CONFIG_EDIT(cfg);
    if (len > TLSM_MAX_ALPN || (len && !list))
        return TLSM_ERR_ARG;
    /* RFC 7301 s.3.1: non-empty names, the list exactly covered by them. */
    for (size_t i = 0; i < len; i += 1 + (size_t)list[i])
        if (list[i] == 0 || i + 1 + list[i] > len)
            return TLSM_ERR_ARG;
    memcpy(cfg->alpn, list, len);
    cfg->alpn_len = len;
    return 0;
}

/* Takes ownership of the DER buffers in id on success and on failure. */
static int add_identity(tlsm_config *cfg, tlsm_identity *id)
{
    int rc;
    if (id->n == 0)
        rc = TLSM_ERR_NO_CERT;
    else if (cfg->n_ids == TLSM_MAX_IDENTITIES)
        rc = TLSM_ERR_ARG;
    else
        rc = pki_cert_parse(&id->leaf, id->der[0], id->der_len[0]);
    if (!rc && id->key && !crypto_privkey_matches(id->key, &id->leaf.pubkey))
        rc = TLSM_ERR_KEY_MISMATCH;
    if (rc) {
        identity_free(id);
        return rc;
    }
    cfg->ids[cfg->n_ids++] = *id;
    return 0;
}

/* Appends a certificate (taking der over); frees it if the chain cannot grow. */
static int identity_push(tlsm_identity *id, uint8_t *der, size_t der_len)
{
    if (id->n == id->cap) {
        size_t cap = id->cap ? 2 * id->cap : 4;
        uint8_t **d = mem_realloc(id->der, cap * sizeof *d);
        if (d)
            id->der = d;
        size_t *l = d ? mem_realloc(id->der_len, cap * sizeof *l) : NULL;
        if (l)
            id->der_len = l;
        if (!d || !l) {
            mem_free(der);
            return TLSM_ERR_NOMEM;
        }
        id->cap = cap;
    }
    id->der[id->n] = der;
    id->der_len[id->n++] = der_len;
    return 0;
}

static int chain_from_pem(tlsm_identity *id, const uint8_t *pem, size_t len)
{
    size_t pos = 0;
    for (;;) {
        uint8_t *der;
        size_t der_len;
        int rc = pki_pem_next(pem, len, &pos, "CERTIFICATE", NULL, &der, &der_len);
        if (rc == 1)
            return id->n ? 0 : TLSM_ERR_NO_CERT;
        if (rc)
            return rc;
        if ((rc = identity_push(id, der, der_len)))
            return rc;
    }
}

int tlsm_config_add_identity_pem(tlsm_config *cfg, const uint8_t *chain_pem, size_t chain_len,
                                 const uint8_t *key_pem, size_t key_len)
{
    CONFIG_EDIT(cfg);
    if (!chain_pem || !key_pem)
        return TLSM_ERR_ARG;
    tlsm_identity id;
    memset(&id, 0, sizeof id);
    int rc = chain_from_pem(&id, chain_pem, chain_len);
    if (!rc)
        rc = pki_privkey_pem(key_pem, key_len, &id.key);
    if (rc) {
        identity_free(&id);
        return rc;
    }
    return add_identity(cfg, &id);
}

int tlsm_config_add_identity_external(tlsm_config *cfg, const uint8_t *chain_pem,
                                      size_t chain_len)
{
    CONFIG_EDIT(cfg);
    if (!chain_pem)
        return TLSM_ERR_ARG;
    tlsm_identity id;
    memset(&id, 0, sizeof id);
    int rc = chain_from_pem(&id, chain_pem, chain_len);
    if (rc) {
        identity_free(&id);
        return rc;
    }
    return add_identity(cfg, &id);
}

int tlsm_config_add_identity_der(tlsm_config *cfg, const uint8_t *const *chain,
                                 const size_t *chain_lens, size_t n, const uint8_t *key,
                                 size_t key_len)
{
    CONFIG_EDIT(cfg);
    if (!chain || !chain_lens || !key || n == 0)
        return TLSM_ERR_ARG;
    for (size_t i = 0; i < n; i++)
        if (!chain[i])
            return TLSM_ERR_ARG;
    tlsm_identity id;
    memset(&id, 0, sizeof id);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        uint8_t *der = mem_alloc(chain_lens[i] ? chain_lens[i] : 1);
        if (!der) {
            rc = TLSM_ERR_NOMEM;
            break;
        }
        memcpy(der, chain[i], chain_lens[i]);
        rc = identity_push(&id, der, chain_lens[i]);
    }
    if (!rc)
        rc = pki_privkey_der(key, key_len, &id.key);
    if (rc) {
        identity_free(&id);
        return rc;
    }
    return add_identity(cfg, &id);
}

int tlsm_config_add_trust_pem(tlsm_config *cfg, const uint8_t *pem, size_t len, size_t *added)
{
    CONFIG_EDIT(cfg);
    size_t pos = 0, n = 0;
    if (added)
        *added = 0;
    if (!pem)
        return TLSM_ERR_ARG;
    for (;;) {
        uint8_t *der;
        size_t der_len;
        int rc = pki_pem_next(pem, len, &pos, "CERTIFICATE", NULL, &der, &der_len);
        if (rc == 1)
            break;
        if (rc)
            return rc;
        /* A bundle may hold certificates we cannot use (unsupported algorithms): skip them
         * and count what was accepted. */
        if (pki_store_add_der(&cfg->trust, der, der_len) == 0)
            n++;
        mem_free(der);
    }
    if (added)
        *added = n;
    return n ? 0 : TLSM_ERR_NO_CERT;
}

int config_add_trust_der(tlsm_config *cfg, const uint8_t *der, size_t len)
{
    if (!der)
        return TLSM_ERR_ARG;
    return pki_store_add_der(&cfg->trust, der, len);
}

int tlsm_config_add_trust_der(tlsm_config *cfg, const uint8_t *der, size_t len)
{
    CONFIG_EDIT(cfg);
    return config_add_trust_der(cfg, der, len);
}

int tlsm_config_load_system_trust(tlsm_config *cfg, size_t *added)
{
    /* One loader for every trust source (trust.c); this is its short form. */
    tlsm_trust_report r;
    if (added)
        *added = 0;
    int rc = tlsm_config_add_trust_system(cfg, &r);
    if (added)
        *added = r.accepted + r.duplicates;
    return rc;
}

int tlsm_config_set_verify(tlsm_config *cfg, tlsm_verify_mode mode)
{
    CONFIG_EDIT(cfg);
    if (mode != TLSM_VERIFY_PEER && mode != TLSM_VERIFY_INSECURE_NO_VERIFICATION)
        return TLSM_ERR_ARG;
    cfg->verify = mode;
    return 0;
}

int tlsm_config_set_verify_external(tlsm_config *cfg, int on)
{
    CONFIG_EDIT(cfg);
    cfg->verify_external = !!on;
    return 0;
}

int tlsm_config_set_identity_ocsp(tlsm_config *cfg, size_t index, const uint8_t *der,
                                  size_t len)
{
    CONFIG_EDIT(cfg);
    if (index >= cfg->n_ids || (len && !der))
        return TLSM_ERR_ARG;
    uint8_t *copy = NULL;
    if (len) {
        if (!(copy = mem_alloc(len)))
            return TLSM_ERR_NOMEM;
        memcpy(copy, der, len);
    }
    mem_free(cfg->ids[index].ocsp);
    cfg->ids[index].ocsp = copy;
    cfg->ids[index].ocsp_len = len;
    return 0;
}

int tlsm_config_set_identity_sigalgs(tlsm_config *cfg, size_t index, const uint16_t *sigs,
                                     size_t n)
{
    CONFIG_EDIT(cfg);
    if (index >= cfg->n_ids)
        return TLSM_ERR_ARG;
    if (n == 0) {
        cfg->ids[index].n_sigalgs = 0;
        return 0;
    }
    return set_list(cfg->ids[index].sigalgs, &cfg->ids[index].n_sigalgs, TLSM_MAX_SIGALGS,
                    sigs, n, config_sigalg_known);
}

int tlsm_config_set_identity_issuer_match(tlsm_config *cfg, size_t index, int on)
{
    CONFIG_EDIT(cfg);
    if (index >= cfg->n_ids)
        return TLSM_ERR_ARG;
    cfg->ids[index].issuer_match = !!on;
    return 0;
}

/* Frames DER Names given one after the other as certificate_authorities entries (each
 * with a 2-byte length) into out, or only measures them with out NULL. Returns the wire
 * length, or SIZE_MAX when an element is not one whole DER SEQUENCE (an X.501 Name). */
static size_t frame_ca_names(const uint8_t *names, size_t len, uint8_t *out)
{
    size_t wire_len = 0;
    for (size_t at = 0, n; at < len; at += n) {
        der_reader r;
        der_init(&r, names + at, len - at);
        if (!der_get_raw(&r, 0x30, &n))
            return SIZE_MAX;
        if (out) {
            out[wire_len] = (uint8_t)(n >> 8);
            out[wire_len + 1] = (uint8_t)n;
            memcpy(out + wire_len + 2, names + at, n);
        }
        wire_len += 2 + n;
    }
    return wire_len;
}

int tlsm_config_set_ca_names(tlsm_config *cfg, const uint8_t *names, size_t len)
{
    CONFIG_EDIT(cfg);
    if (len && !names)
        return TLSM_ERR_ARG;
    /* The list must fit its own 2-byte length (RFC 8446 s.4.2.4). */
    size_t wire_len = frame_ca_names(names, len, NULL);
    if (wire_len > 0xffff)
        return TLSM_ERR_ARG;
    uint8_t *copy = NULL;
    if (wire_len && !(copy = mem_alloc(wire_len)))
        return TLSM_ERR_NOMEM;
    if (copy)
        (void)frame_ca_names(names, len, copy);
    mem_free(cfg->ca_names);
    cfg->ca_names = copy;
    cfg->ca_names_len = wire_len;
    cfg->ca_names_set = 1;
    return 0;
}

int tlsm_config_set_ocsp_request(tlsm_config *cfg, int on)
{
    CONFIG_EDIT(cfg);
    cfg->ocsp_request = !!on;
    return 0;
}

int tlsm_config_set_reverify_on_resume(tlsm_config *cfg, int on)
{
    CONFIG_EDIT(cfg);
    cfg->reverify_on_resume = !!on;
    return 0;
}

int tlsm_config_set_client_auth(tlsm_config *cfg, int mode)
{
    CONFIG_EDIT(cfg);
    if (mode < 0 || mode > 2)
        return TLSM_ERR_ARG;
    cfg->client_auth = mode;
    return 0;
}

int tlsm_config_set_tickets(tlsm_config *cfg, unsigned n)
{
    CONFIG_EDIT(cfg);
    if (n > 16)
        return TLSM_ERR_ARG;
    cfg->tickets = n;
    return 0;
}

int tlsm_config_set_ticket_key(tlsm_config *cfg, const uint8_t *key, size_t len)
{
    CONFIG_EDIT(cfg);
    if (!key || len != sizeof cfg->ticket_key)
        return TLSM_ERR_ARG;
    memcpy(cfg->ticket_key, key, len);
    cfg->ticket_key_set = 1;
    return 0;
}

int tlsm_config_rotate_ticket_key(tlsm_config *cfg, const uint8_t *key, size_t len)
{
    if (!cfg || !key || len != sizeof cfg->ticket_key)
        return TLSM_ERR_ARG;
    pthread_mutex_lock(&cfg->lock);
    /* Only a key that was really in use becomes the previous one: before the config is
     * first used there is none (never an all-zero key). */
    cfg->has_prev_ticket_key = cfg->ticket_key_set;
    if (cfg->ticket_key_set)
        memcpy(cfg->ticket_key_prev, cfg->ticket_key, sizeof cfg->ticket_key);
    memcpy(cfg->ticket_key, key, len);
    cfg->ticket_key_set = 1;
    pthread_mutex_unlock(&cfg->lock);
    return 0;
}

int config_ticket_keys(tlsm_config *cfg, uint8_t cur[32], uint8_t prev[32])
{
    int n = 1;
    pthread_mutex_lock(&cfg->lock);
    memcpy(cur, cfg->ticket_key, 32);
    if (prev && cfg->has_prev_ticket_key) {
        memcpy(prev, cfg->ticket_key_prev, 32);
        n = 2;
    }
    pthread_mutex_unlock(&cfg->lock);
    return n;
}

int tlsm_config_set_require_ems(tlsm_config *cfg, int on)
{
    CONFIG_EDIT(cfg);
    cfg->require_ems = !!on;
    return 0;
}

int tlsm_config_set_verify_cache(tlsm_config *cfg, size_t entries)
{
    CONFIG_EDIT(cfg);
    if (entries > TLSM_VERIFY_CACHE_MAX)
        return TLSM_ERR_ARG;
    pki_sig_cache_resize(&cfg->verify_cache, entries);
    return 0;
}

int tlsm_config_verify_cache_stats(const tlsm_config *cfg, tlsm_verify_cache_stats *stats)
{
    if (!cfg || !stats)
        return TLSM_ERR_ARG;
    size_t used, capacity;
    pki_sig_cache_stats((pki_sig_cache *)&cfg->verify_cache, &stats->hits, &stats->misses, &used, &capacity);
    stats->entries = used;
    stats->capacity = capacity;
    return 0;
}

int tlsm_config_set_session_cache(tlsm_config *cfg, size_t entries)
{
    CONFIG_EDIT(cfg);
    if (entries > 1u << 20)
        return TLSM_ERR_ARG;
    cfg->session_cache_size = entries;
    return 0;
}

int tlsm_config_set_ticket_lifetime(tlsm_config *cfg, uint32_t seconds)
{
    CONFIG_EDIT(cfg);
    /* RFC 8446 s.4.6.1: servers MUST NOT use any value greater than 604800 seconds. */
    if (seconds == 0 || seconds > 604800)
        return TLSM_ERR_ARG;
    cfg->ticket_lifetime = seconds;
    return 0;
}

int tlsm_config_set_middlebox_compat(tlsm_config *cfg, int on)
{
    CONFIG_EDIT(cfg);
    cfg->middlebox_compat = !!on;
    return 0;
}

int tlsm_config_set_require_cookie(tlsm_config *cfg, int on)
{
    CONFIG_EDIT(cfg);
    cfg->require_cookie = !!on;
    return 0;
}

int tlsm_config_set_record_size_limit(tlsm_config *cfg, uint16_t limit)
{
    CONFIG_EDIT(cfg);
    /* RFC 8449 s.4: values below 64 are invalid. */
    if (limit < 64 || limit > REC_MAX_PLAINTEXT)
        return TLSM_ERR_ARG;
    cfg->record_size_limit = limit;
    return 0;
}

int tlsm_config_set_rng(tlsm_config *cfg, tlsm_rng_fn fn, void *ctx)
{
    CONFIG_EDIT(cfg);
    cfg->rng.fn = fn;
    cfg->rng.ctx = ctx;
    return 0;
}

int tlsm_config_set_clock(tlsm_config *cfg, tlsm_clock_fn fn, void *ctx)
{
    CONFIG_EDIT(cfg);
    cfg->clock = fn;
    cfg->clock_ctx = ctx;
    return 0;
}

int tlsm_config_set_keylog(tlsm_config *cfg, int on)
{
    CONFIG_EDIT(cfg);
    cfg->keylog = !!on;
    return 0;
}

int tlsm_config_set_trace(tlsm_config *cfg, int on)
{
    CONFIG_EDIT(cfg);
    cfg->trace = !!on;
    return 0;
}
