/*
 * crypto_spy.h - a crypto provider for tests that forwards every primitive to the built-in
 * one and counts the calls, so a test can assert work that must NOT happen (no RSA
 * operation for a certificate refused on its key size) as well as work that must.
 *
 * Installed with crypto_provider_install for the current process only (Criterion runs
 * each test in its own process); spy_uninstall restores the built-in table.
 */
#ifndef TLSM_TEST_CRYPTO_SPY_H
#define TLSM_TEST_CRYPTO_SPY_H

#include <stddef.h>

typedef struct {
    size_t verify;        /* signature verifications, any key */
    size_t verify_rsa;    /* ... with an RSA key (rsaEncryption or RSASSA-PSS) */
    size_t sign;
    size_t kex_public, kex_shared;
    size_t aead_open, aead_seal;
} spy_counts;

extern spy_counts spy;

void spy_install(void);   /* also zeroes the counts */
void spy_uninstall(void);

#endif
