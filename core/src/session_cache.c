/*
 * session_cache.c - the server's TLS 1.2 session-id cache (RFC 5246 s.7.4.1.2): a fixed
 * number of slots per config, replaced oldest first, entries valid for the ticket
 * lifetime. The config's mutex guards it; it is touched once per full or resumed
 * handshake, never per record. Secrets are wiped when evicted and when the config goes.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mem.h"

typedef struct {
    uint8_t id[32];
    size_t id_len;
    uint64_t created_ms;
    uint8_t *state;      /* encoded session state (handshake/ticket.c), owned */
    size_t state_len;
} cache_entry;

struct session_cache {
    cache_entry *e;
    size_t n, next;
};

static void entry_clear(cache_entry *e)
{
    if (e->state) {
        crypto_wipe(e->state, e->state_len);
        mem_free(e->state);
    }
    crypto_wipe(e, sizeof *e);
}

int cache_get(tlsm_config *cfg, const uint8_t *id, size_t len, uint64_t now_ms,
              uint8_t **state, size_t *state_len)
{
    int rc = -1;
    *state = NULL;
    if (!cfg->session_cache_size || len == 0 || len > 32)
        return -1;
    pthread_mutex_lock(&cfg->lock);
    struct session_cache *sc = cfg->cache;
    for (size_t i = 0; sc && i < sc->n; i++) {
        cache_entry *e = &sc->e[i];
        if (!e->state || e->id_len != len || memcmp(e->id, id, len))
            continue;
        if (now_ms >= e->created_ms &&
            now_ms - e->created_ms < (uint64_t)cfg->ticket_lifetime * 1000) {
            *state = mem_alloc(e->state_len);
            if (*state) {
                memcpy(*state, e->state, e->state_len);
                *state_len = e->state_len;
                rc = 0;
            }
        } else {
            entry_clear(e); /* expired */
        }
        break;
    }
    pthread_mutex_unlock(&cfg->lock);
    return rc;
}

void cache_put(tlsm_config *cfg, const uint8_t *id, size_t len, uint64_t now_ms,
               const uint8_t *state, size_t state_len)
{
    if (!cfg->session_cache_size || len == 0 || len > 32)
        return;
    uint8_t *copy = mem_alloc(state_len);
    if (!copy)
        return; /* a session that cannot be cached is simply not resumable by id */
    memcpy(copy, state, state_len);
    pthread_mutex_lock(&cfg->lock);
    if (!cfg->cache) {
        cfg->cache = mem_calloc(1, sizeof *cfg->cache);
        if (cfg->cache) {
            cfg->cache->e = mem_calloc(cfg->session_cache_size, sizeof *cfg->cache->e);
            if (!cfg->cache->e) {
                mem_free(cfg->cache);
                cfg->cache = NULL;
            }
        }
    }
    struct session_cache *sc = cfg->cache;
    if (sc) {
        cache_entry *e = &sc->e[sc->next];
        entry_clear(e);
        memcpy(e->id, id, len);
        e->id_len = len;
        e->created_ms = now_ms;
        e->state = copy;
        e->state_len = state_len;
        copy = NULL;
        sc->next = (sc->next + 1) % cfg->session_cache_size;
        if (sc->n < cfg->session_cache_size)
            sc->n++;
    }
    pthread_mutex_unlock(&cfg->lock);
    if (copy) {
        crypto_wipe(copy, state_len);
        mem_free(copy);
    }
}

void cache_free(tlsm_config *cfg)
{
    if (!cfg->cache)
        return;
    for (size_t i = 0; i < cfg->cache->n; i++)
        entry_clear(&cfg->cache->e[i]);
    mem_free(cfg->cache->e);
    mem_free(cfg->cache);
    cfg->cache = NULL;
}
