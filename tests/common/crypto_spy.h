/*
 * crypto_spy.h - a crypto provider for tests that forwards every primitive to the built-in
 * one and counts the calls, so a test can assert work that must NOT happen (no RSA
 * operation for a certificate refused on its key size) as well as work that must.
 *
 * It can also make the Nth fallible call fail (spy_fail_at), for failure-injection tests.
 *
 * Installed with crypto_provider_install for the current process only (Criterion runs
 * each test in its own process); spy_uninstall restores the built-in table.
 */
#ifndef TLSM_TEST_CRYPTO_SPY_H
#define TLSM_TEST_CRYPTO_SPY_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t verify;        /* signature verifications, any key */
    size_t verify_rsa;    /* ... with an RSA key (rsaEncryption or RSASSA-PSS) */
    size_t sign;
    size_t kex_public, kex_shared;
    size_t aead_open, aead_seal;
} spy_counts;

extern spy_counts spy;

void spy_install(void);   /* also zeroes the counts and clears spy_fail_at */
void spy_uninstall(void);

/* Failure injection: the nth call (1 = the next) of a primitive that can report failure
 * (random, HKDF-Expand, AEAD init and open, key exchange, sign, verify) fails; 0 never.
 * spy_fallible_calls counts those calls since spy_install. */
void spy_fail_at(unsigned long nth);
unsigned long spy_fallible_calls(void);
/* A deterministic random source (a tlsm_rng_fn for tlsm_config_set_rng) whose calls count
 * as fallible ones; spy_rng_reset restarts its sequence, so that runs repeat exactly. */
int spy_rng(void *ctx, uint8_t *out, size_t len);
void spy_rng_reset(void);
/* The primitive the injected failure hit (its wrapper's name), "" before any. */
extern const char *spy_injected_in;

#endif
