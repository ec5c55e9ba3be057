/*
 * fuzz_support.c - the deterministic RNG and clock of the fuzz targets (fuzz_support.h).
 */
#include "fuzz_support.h"

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int counter_rng_fill(void *ctx, uint8_t *out, size_t len)
{
    counter_rng *r = ctx;
    while (len > 0) {
        uint64_t v = mix64(r->seed + ++r->counter * 0x9e3779b97f4a7c15ull);
        size_t n = len < 8 ? len : 8;
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)(v >> (8 * i));
        out += n;
        len -= n;
    }
    return 0;
}

uint64_t fuzz_fixed_clock(void *ctx)
{
    (void)ctx;
    return FUZZ_NOW_MS;
}
