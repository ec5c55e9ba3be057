/*
 * sigcache.c - the verified-signature cache (pki.h): a bounded, thread-safe set of
 * certificate signatures already checked, so that a client meeting the same server chain
 * again (or a server the same client CAs) does not verify the same intermediate and root
 * signatures every time.
 *
 * An entry is the SHA-256 of the signature algorithm and of both full DER encodings, the
 * signed certificate's and its issuer's. Everything the signature check depends on is in
 * those bytes (the signature value, the signed tbsCertificate and its algorithm in the
 * child; the public key in the issuer), so a hit stands for exactly the check that
 * passed, and a changed byte anywhere in either certificate is another key. Only
 * successful checks are stored; a hit skips only that public-key operation: validity,
 * names, constraints, key usage and the rest are judged on every verification.
 *
 * The table is 4-way set associative with round-robin replacement in each set, allocated
 * at the first insertion (a config that never verifies a chain holds none). One mutex
 * guards it: a lookup is a few comparisons of 32 bytes, next to a signature check of
 * 20-150 us it saves, and it happens only while a handshake verifies a chain.
 */
#include <string.h>

#include "mem.h"
#include "pki/pki.h"

#define WAYS 4

void pki_sig_cache_init(pki_sig_cache *c, size_t entries)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pki_sig_cache_resize(c, entries);
}

void pki_sig_cache_free(pki_sig_cache *c)
{
    mem_free(c->keys);
    mem_free(c->next_way);
    pthread_mutex_destroy(&c->lock);
}

void pki_sig_cache_resize(pki_sig_cache *c, size_t entries)
{
    pthread_mutex_lock(&c->lock);
    mem_free(c->keys);
    mem_free(c->next_way);
    c->keys = NULL;
    c->next_way = NULL;
    c->used = 0;
    c->sets = (entries + WAYS - 1) / WAYS;
    pthread_mutex_unlock(&c->lock);
}

/* Length-prefixed, so that no two (issuer, child) pairs hash the same input. */
static void absorb(crypto_hash_ctx *h, const uint8_t *p, size_t len)
{
    uint8_t n[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                    (uint8_t)len};
    crypto_hash_update(h, n, sizeof n);
    crypto_hash_update(h, p, len);
}

void pki_sig_cache_key(const pki_cert *issuer, const pki_cert *child,
                       uint8_t key[PKI_SIG_CACHE_KEY_LEN])
{
    static const char label[] = "tlsm verified certificate signature v1";
    uint8_t alg[2] = {(uint8_t)((unsigned)child->sig_alg >> 8), (uint8_t)child->sig_alg};
    crypto_hash_ctx h;
    crypto_hash_init(&h, HASH_SHA256);
    crypto_hash_update(&h, (const uint8_t *)label, sizeof label);
    crypto_hash_update(&h, alg, sizeof alg);
    absorb(&h, issuer->der, issuer->der_len);
    absorb(&h, child->der, child->der_len);
    crypto_hash_final(&h, key);
}

static size_t set_of(const pki_sig_cache *c, const uint8_t *key)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | key[i];
    return (size_t)(v % c->sets);
}

/* The slot holding key in its set, or NULL. Called with the lock held. */
static uint8_t *find(const pki_sig_cache *c, const uint8_t *key)
{
    if (!c->keys)
        return NULL;
    uint8_t(*set)[PKI_SIG_CACHE_KEY_LEN] = c->keys + set_of(c, key) * WAYS;
    for (int w = 0; w < WAYS; w++)
        if (!memcmp(set[w], key, PKI_SIG_CACHE_KEY_LEN))
            return set[w];
    return NULL;
}

int pki_sig_cache_lookup(pki_sig_cache *c, const uint8_t key[PKI_SIG_CACHE_KEY_LEN])
{
    pthread_mutex_lock(&c->lock);
    int hit = c->sets && find(c, key) != NULL;
    if (c->sets)
        hit ? c->hits++ : c->misses++;
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void pki_sig_cache_add(pki_sig_cache *c, const uint8_t key[PKI_SIG_CACHE_KEY_LEN])
{
    pthread_mutex_lock(&c->lock);
    if (c->sets && !c->keys) {
        /* Best effort: without memory the cache stays empty (every lookup a miss). */
        c->keys = mem_calloc(c->sets * WAYS, PKI_SIG_CACHE_KEY_LEN);
        c->next_way = mem_calloc(c->sets, 1);
        if (!c->keys || !c->next_way) {
            mem_free(c->keys);
            mem_free(c->next_way);
            c->keys = NULL;
            c->next_way = NULL;
        }
    }
    if (c->keys && !find(c, key)) {
        size_t s = set_of(c, key);
        uint8_t way = c->next_way[s];
        uint8_t *slot = c->keys[s * WAYS + way];
        static const uint8_t empty[PKI_SIG_CACHE_KEY_LEN];
        if (!memcmp(slot, empty, sizeof empty))
            c->used++;
        memcpy(slot, key, PKI_SIG_CACHE_KEY_LEN);
        c->next_way[s] = (uint8_t)((way + 1) % WAYS);
    }
    pthread_mutex_unlock(&c->lock);
}

void pki_sig_cache_stats(pki_sig_cache *c, uint64_t *hits, uint64_t *misses, size_t *used,
                         size_t *capacity)
{
    pthread_mutex_lock(&c->lock);
    *hits = c->hits;
    *misses = c->misses;
    *used = c->used;
    *capacity = c->sets * WAYS;
    pthread_mutex_unlock(&c->lock);
}
