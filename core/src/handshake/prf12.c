/*
 * prf12.c - TLS 1.2 PRF and the secrets derived with it (see prf12.h).
 */
#include "handshake/prf12.h"

#include <string.h>

int prf12(hash_alg h, const uint8_t *secret, size_t secret_len, const char *label,
          const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
          uint8_t *out, size_t out_len)
{
    /* P_hash (s.5): A(0) = seed, A(i) = HMAC(secret, A(i-1)),
     * output = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) || ... */
    /* The longest seed is the RFC 5705 exporter's: label (up to 64), both randoms, a
     * context of up to 512 bytes with its length. */
    uint8_t seed[64 + 64 + 2 + 512], a[CRYPTO_HASH_MAX + sizeof seed], block[CRYPTO_HASH_MAX];
    size_t label_len = strlen(label), hl = crypto_hash_len(h);
    size_t seed_len = label_len + seed1_len + seed2_len;
    if (seed_len > sizeof seed)
        return -1;
    memcpy(seed, label, label_len);
    memcpy(seed + label_len, seed1, seed1_len);
    if (seed2_len)
        memcpy(seed + label_len + seed1_len, seed2, seed2_len);
    crypto_hmac(h, secret, secret_len, seed, seed_len, a); /* A(1) */
    for (size_t done = 0; done < out_len; done += hl) {
        memcpy(a + hl, seed, seed_len);
        crypto_hmac(h, secret, secret_len, a, hl + seed_len, block);
        size_t n = out_len - done < hl ? out_len - done : hl;
        memcpy(out + done, block, n);
        crypto_hmac(h, secret, secret_len, a, hl, a); /* A(i+1) */
    }
    crypto_wipe(a, sizeof a);
    crypto_wipe(block, sizeof block);
    crypto_wipe(seed, sizeof seed);
    return 0;
}

int prf12_master_ems(hash_alg h, const uint8_t *pms, size_t pms_len, const uint8_t *session_hash,
                     uint8_t master[TLS12_MASTER_LEN])
{
    return prf12(h, pms, pms_len, "extended master secret", session_hash, crypto_hash_len(h),
                 NULL, 0, master, TLS12_MASTER_LEN);
}

int prf12_master(hash_alg h, const uint8_t *pms, size_t pms_len, const uint8_t *client_random,
                 const uint8_t *server_random, uint8_t master[TLS12_MASTER_LEN])
{
    return prf12(h, pms, pms_len, "master secret", client_random, 32, server_random, 32, master,
                 TLS12_MASTER_LEN);
}

int prf12_keys(hash_alg h, const uint8_t master[TLS12_MASTER_LEN], const uint8_t *client_random,
               const uint8_t *server_random, size_t key_len, size_t iv_len, uint8_t *client_key,
               uint8_t *server_key, uint8_t *client_iv, uint8_t *server_iv)
{
    uint8_t kb[2 * 32 + 2 * 12];
    size_t need = 2 * key_len + 2 * iv_len;
    if (need > sizeof kb ||
        prf12(h, master, TLS12_MASTER_LEN, "key expansion", server_random, 32, client_random, 32,
              kb, need))
        return -1;
    memcpy(client_key, kb, key_len);
    memcpy(server_key, kb + key_len, key_len);
    memcpy(client_iv, kb + 2 * key_len, iv_len);
    memcpy(server_iv, kb + 2 * key_len + iv_len, iv_len);
    crypto_wipe(kb, sizeof kb);
    return 0;
}

int prf12_finished(hash_alg h, const uint8_t master[TLS12_MASTER_LEN], int server,
                   const uint8_t *thash, uint8_t out[TLS12_VERIFY_LEN])
{
    return prf12(h, master, TLS12_MASTER_LEN, server ? "server finished" : "client finished",
                 thash, crypto_hash_len(h), NULL, 0, out, TLS12_VERIFY_LEN);
}
