/*
 * fuzz_support.h - what every fuzz target of tests/fuzz shares: the check that aborts (so
 * libFuzzer records a crash), the pinned clock inside the validity of the test PKI, the
 * host name in its server certificates, and a deterministic counter-based RNG.
 */
#ifndef TLSM_FUZZ_SUPPORT_H
#define TLSM_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond))                                                                          \
            abort();                                                                          \
    } while (0)

/* 2027-06-01T00:00:00Z, inside the validity of the test PKI. */
#define FUZZ_NOW_MS 1811808000000ull
#define FUZZ_HOST "server.tlsm.test"

/* Output block i is mix64(seed + i * golden ratio): reproducible from (seed, counter), so
 * resetting counter replays the same bytes. */
typedef struct {
    uint64_t seed, counter;
} counter_rng;

/* A tlsm_rng_fn over a counter_rng. */
int counter_rng_fill(void *ctx, uint8_t *out, size_t len);
/* A tlsm_clock_fn returning FUZZ_NOW_MS. */
uint64_t fuzz_fixed_clock(void *ctx);

#endif
