/*
 * rsa_decrypt.c - RSAES-PKCS1-v1_5 decryption for the TLS 1.2 RSA key exchange.
 *
 * Bleichenbacher-style oracles come from any observable difference between padding
 * failures, so this uses Nettle's rsa_sec_decrypt: blinded, side-channel silent, and it
 * copies the message out with a conditional move only when the padding is valid and the
 * length is the expected one. Public checks (ciphertext length, c < n) may fail early:
 * they depend only on the attacker's own input.
 */
#include "crypto/privkey.h"

int crypto_rsa_decrypt_pkcs1(const crypto_privkey *key, const crypto_rng *rng, const uint8_t *in,
                             size_t len, uint8_t *out, size_t out_len)
{
    nettle_rng_adapter rnd = { .rng = rng, .failed = 0 };
    mpz_t c;
    int ok;
    if (key == NULL || key->type != PK_RSA || len != key->u.rsa.pub.size ||
        out_len > key->u.rsa.pub.size)
        return -1;
    mpz_init(c);
    bn_import(c, in, len);
    ok = mpz_cmp(c, key->u.rsa.pub.n) < 0 &&
         rsa_sec_decrypt(&key->u.rsa.pub, &key->u.rsa.priv, &rnd, nettle_rng_adapter_fn,
                         out_len, out, c);
    mpz_clear(c);
    if (ok && rnd.failed) {
        crypto_wipe(out, out_len);
        ok = 0;
    }
    return ok ? 0 : -1;
}
