/*
 * util.c - constant-time comparison and wiping (libsodium), used for every secret.
 */
#include "crypto/sodium_compat.h"

#include "crypto/backend.h"

int crypto_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len == 0)
        return 1;
    return sodium_memcmp(a, b, len) == 0;
}

void crypto_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0)
        sodium_memzero(p, len);
}
