/*
 * provider.c - the default provider table: each primitive wired to the library DESIGN.md
 * chose for it (see the table there).
 */
#include "crypto/backend.h"

static const crypto_provider default_provider = {
    .name = "default (libsodium + Nettle)",
    .random = sodium_random,
    .hash_init = nettle_sha2_init,
    .hash_update = nettle_sha2_update,
    .hash_final = nettle_sha2_final,
    .hmac = nettle_hmac_sha2,
    .hkdf_extract = nettle_hkdf_sha2_extract,
    .hkdf_expand = nettle_hkdf_sha2_expand,
    .aead_init = default_aead_init,
    .aead_ctx_size = default_aead_ctx_size,
    .aead_seal = default_aead_seal,
    .aead_open = default_aead_open,
    .kex_public = default_kex_public,
    .kex_shared = default_kex_shared,
    .kem_name = default_kem_name,
    .kem_keygen = default_kem_keygen,
    .kem_encaps = default_kem_encaps,
    .kem_decaps = default_kem_decaps,
    .verify = default_verify,
    .sign = default_sign,
};

/* Replaced only by crypto_provider_install (benchmarks and tests). */
static const crypto_provider *active_provider = &default_provider;

const crypto_provider *crypto_provider_default(void)
{
    return active_provider;
}

const crypto_provider *crypto_provider_builtin(void)
{
    return &default_provider;
}

void crypto_provider_install(const crypto_provider *p)
{
    active_provider = p != NULL ? p : &default_provider;
}
