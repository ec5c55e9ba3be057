/*
 * hooks.c - the deterministic random source and fixed clock behind Config.RandSeed and
 * Config.FixedTime. They are plain C functions handed to tlsm_config_set_rng/_clock, so a
 * handshake never leaves C to ask Go for bytes or time. And the call that hands the C
 * heap's free memory back to the system (heaptrim.go).
 */
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "hooks.h"

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

int tlsmgo_det_rng(void *ctx, uint8_t *out, size_t len)
{
    tlsmgo_det *d = ctx;
    uint64_t call = __atomic_fetch_add(&d->counter, 1, __ATOMIC_RELAXED);
    uint64_t key = load64(d->seed) ^ splitmix64(load64(d->seed + 8)) ^
                   splitmix64(load64(d->seed + 16) ^ 0x5a) ^ splitmix64(load64(d->seed + 24) ^ 0xa5);
    uint64_t base = splitmix64(key ^ splitmix64(call));
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v = splitmix64(base + i);
        size_t n = len - i < 8 ? len - i : 8;
        for (size_t j = 0; j < n; j++)
            out[i + j] = (uint8_t)(v >> (8 * j));
    }
    return 0;
}

uint64_t tlsmgo_det_clock(void *ctx)
{
    const tlsmgo_det *d = ctx;
    return d->now_ms;
}

int tlsmgo_set_det_rng(tlsm_config *cfg, tlsmgo_det *det)
{
    return tlsm_config_set_rng(cfg, tlsmgo_det_rng, det);
}

int tlsmgo_set_det_clock(tlsm_config *cfg, tlsmgo_det *det)
{
    return tlsm_config_set_clock(cfg, tlsmgo_det_clock, det);
}

int tlsmgo_release_free_memory(void)
{
#ifdef __GLIBC__
    return malloc_trim(0);
#else
    return 0;
#endif
}
