/*
 * hooks.h - C helpers of the Go binding: the deterministic random source and clock that
 * Config.RandSeed and Config.FixedTime install (implemented in C so the engine never calls
 * back into Go), and a few constants cgo cannot read from macros.
 */
#ifndef TLSMGO_HOOKS_H
#define TLSMGO_HOOKS_H

#include <stdint.h>
#include <stddef.h>

#include "tlsm.h"

/* State behind both hooks; C-allocated and owned by the Go config that installs it. */
typedef struct {
    uint8_t seed[32];
    uint64_t counter; /* atomic: a config may be shared by connections on many threads */
    uint64_t now_ms;
} tlsmgo_det;

/* Counter-mode generator: block i of a call is SplitMix64-mixed (seed, call number, i).
 * Reproducible, not secure: tests only. */
int tlsmgo_det_rng(void *ctx, uint8_t *out, size_t len);
/* Always returns ctx->now_ms. */
uint64_t tlsmgo_det_clock(void *ctx);

/* Installs the hooks on cfg (either may be skipped). */
int tlsmgo_set_det_rng(tlsm_config *cfg, tlsmgo_det *det);
int tlsmgo_set_det_clock(tlsm_config *cfg, tlsmgo_det *det);

/* Returns the allocator's free memory to the operating system where the C library can
 * (glibc's malloc_trim); elsewhere does nothing. Returns 1 if memory was released. */
int tlsmgo_release_free_memory(void);

#endif
