/*
 * random.c - randomness: the configured crypto_rng or libsodium's system source, library
 * initialisation, and the adapter through which Nettle draws random bytes.
 */
#include "crypto/sodium_compat.h"
#include <stdatomic.h>

#include "crypto/backend.h"

/* Set once sodium_init has succeeded; sodium_init is itself thread-safe, the flag only
 * saves the call (and its lock) on every later draw. */
static atomic_int sodium_ready;

int crypto_init(void)
{
    if (atomic_load_explicit(&sodium_ready, memory_order_acquire))
        return 0;
    if (sodium_init() < 0)
        return -1;
    atomic_store_explicit(&sodium_ready, 1, memory_order_release);
    return 0;
}

int sodium_random(uint8_t *out, size_t len)
{
    if (crypto_init() != 0)
        return -1;
    if (len > 0)
        randombytes_buf(out, len);
    return 0;
}

int crypto_random(const crypto_rng *rng, uint8_t *out, size_t len)
{
    if (rng != NULL && rng->fn != NULL)
        return rng->fn(rng->ctx, out, len) == 0 ? 0 : -1;
    return crypto_provider_default()->random(out, len);
}

void nettle_rng_adapter_fn(void *ctx, size_t len, uint8_t *out)
{
    nettle_rng_adapter *a = ctx;
    if (crypto_random(a->rng, out, len) == 0)
        return;
    a->failed = 1;
    /* libsodium's source cannot fail once initialised; if even init failed, fill with
     * non-zero bytes so Nettle's retry loops terminate (the result is discarded anyway). */
    if (sodium_random(out, len) != 0)
        for (size_t i = 0; i < len; i++)
            out[i] = (uint8_t)(0xa5 ^ i);
}
