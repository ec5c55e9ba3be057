/*
 * rsa_premaster.c - the TLS 1.2 server's side of RSA key transport with implicit rejection
 * (RFC 5246 s.7.4.7.1), the defence against Bleichenbacher's padding oracle.
 *
 * RFC 5246 s.7.4.7.1: "In any case, a TLS server MUST NOT generate an alert if processing
 * an RSA-encrypted premaster secret message fails, or the version number is not as
 * expected. Instead, it MUST continue the handshake with a randomly generated premaster
 * secret." So this function has no error result at all: it draws a random R before
 * looking at the ciphertext, decrypts with Nettle's rsa_sec_decrypt (blinded; its timing
 * and its writes do not depend on where the padding fails), and then picks the decrypted
 * message or R with masks, never with a branch on the secret outcome. A client whose
 * ciphertext was bad learns it only from a Finished that does not verify, like any other
 * key mismatch.
 *
 * Version check: RFC 5246 s.7.4.7.1 requires the premaster secret's first two bytes to be
 * ClientHello.client_version (the rollback check). Its recipe substitutes client_version
 * for those bytes; here a mismatch selects R instead, as for a padding failure. Both make
 * the handshake fail at Finished without a distinguishable error, and a single selection
 * keeps the constant-time logic in one place.
 */
#include <string.h>

#include "crypto/privkey.h"

#define PREMASTER_LEN 48

/* Hides a value from the optimiser so that mask arithmetic is not turned back into a
 * branch on a secret. */
static inline unsigned value_barrier(unsigned v)
{
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(v));
#endif
    return v;
}

/* All ones if a == b, else zero; a and b are bytes. */
static unsigned ct_eq_mask(unsigned a, unsigned b)
{
    unsigned d = value_barrier(a ^ b);  /* 0..255 */
    return 0u - (((d - 1) >> 8) & 1);  /* d == 0 -> (0 - 1) >> 8 has bit 0 set */
}

/* R must be unpredictable: a known R would turn the Finished check back into a padding
 * oracle. The configured rng is used first (deterministic tests depend on it); if it
 * fails, the system source; if even that cannot be initialised, a value no client can
 * compute: HMAC-SHA-384 keyed with the private exponent over the ciphertext (the idea
 * behind the implicit-rejection proposals for PKCS#1 v1.5 decryption in TLS). */
static void draw_reject_value(const crypto_privkey *key, const crypto_rng *rng,
                              const uint8_t *in, size_t len, uint8_t r[PREMASTER_LEN])
{
    static const uint8_t empty[1] = { 0 };
    uint8_t d[1024];
    size_t d_len = 0;
    if (crypto_random(rng, r, PREMASTER_LEN) == 0 || sodium_random(r, PREMASTER_LEN) == 0)
        return;
    if (key != NULL && key->type == PK_RSA && key->u.rsa.pub.size <= sizeof d &&
        bn_to_be(key->u.rsa.priv.d, d, key->u.rsa.pub.size) == 0)
        d_len = key->u.rsa.pub.size;
    crypto_hmac(HASH_SHA384, d, d_len, in != NULL ? in : empty, in != NULL ? len : 0, r);
    crypto_wipe(d, sizeof d);
}

void crypto_rsa_premaster_decrypt(const crypto_privkey *key, const crypto_rng *rng,
                                  const uint8_t *in, size_t len, uint16_t client_version,
                                  uint8_t premaster[48])
{
    uint8_t r[PREMASTER_LEN], m[PREMASTER_LEN];
    unsigned ok = 0;

    /* Step 1: "Generate a string R of ... random bytes", before any secret is touched. */
    draw_reject_value(key, rng, in, len, r);
    memset(m, 0, sizeof m);

    /* Step 2: decrypt. The key type, the ciphertext length (it must be exactly the modulus
     * length, RFC 8017 s.7.2.2 step 1) and c < n depend only on public values, so these
     * checks may branch; failing them selects R below like any other failure. */
    if (key != NULL && key->type == PK_RSA && in != NULL && len == key->u.rsa.pub.size) {
        nettle_rng_adapter rnd = { .rng = rng, .failed = 0 };
        mpz_t c;
        mpz_init(c);
        bn_import(c, in, len);
        /* rsa_sec_decrypt writes m only if the padding is valid and the message is exactly
         * 48 bytes, with a conditional copy; its result is secret. A blinding-rng failure
         * falls back to the system source (random.c), so the result stays correct. */
        if (mpz_cmp(c, key->u.rsa.pub.n) < 0)
            ok = (unsigned)rsa_sec_decrypt(&key->u.rsa.pub, &key->u.rsa.priv, &rnd,
                                           nettle_rng_adapter_fn, PREMASTER_LEN, m, c);
        mpz_clear(c);
    }

    /* Step 3: premaster = M if decryption succeeded and M[0..1] == client_version, else R,
     * selected with masks (RFC 5246 s.7.4.7.1: no branch, no error on the outcome). */
    unsigned keep = (0u - (value_barrier(ok) & 1)) & ct_eq_mask(m[0], client_version >> 8) &
                    ct_eq_mask(m[1], client_version & 0xff);
    uint8_t mask = (uint8_t)keep;
    for (size_t i = 0; i < PREMASTER_LEN; i++)
        premaster[i] = (uint8_t)((m[i] & mask) | (r[i] & (uint8_t)~mask));

    crypto_wipe(m, sizeof m);
    crypto_wipe(r, sizeof r);
}
