/*
 * prf12.h - the TLS 1.2 key derivation (RFC 5246 s.5, s.6.3, s.8.1, s.7.4.9; RFC 7627):
 * the PRF, the master secret (with and without Extended Master Secret), the key block and
 * Finished's verify_data.
 */
#ifndef TLSM_PRF12_H
#define TLSM_PRF12_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define TLS12_MASTER_LEN 48
#define TLS12_VERIFY_LEN 12

/* PRF(secret, label, seed1 || seed2) = P_hash(secret, label || seed1 || seed2). */
int prf12(hash_alg h, const uint8_t *secret, size_t secret_len, const char *label,
          const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
          uint8_t *out, size_t out_len);
/* RFC 7627 s.4: master = PRF(pms, "extended master secret", session_hash). */
int prf12_master_ems(hash_alg h, const uint8_t *pms, size_t pms_len, const uint8_t *session_hash,
                     uint8_t master[TLS12_MASTER_LEN]);
/* RFC 5246 s.8.1: master = PRF(pms, "master secret", client_random || server_random). */
int prf12_master(hash_alg h, const uint8_t *pms, size_t pms_len, const uint8_t *client_random,
                 const uint8_t *server_random, uint8_t master[TLS12_MASTER_LEN]);
/* RFC 5246 s.6.3: key_block = PRF(master, "key expansion", server_random || client_random)
 * split as client key, server key, client IV, server IV (AEAD suites: no MAC keys). */
int prf12_keys(hash_alg h, const uint8_t master[TLS12_MASTER_LEN], const uint8_t *client_random,
               const uint8_t *server_random, size_t key_len, size_t iv_len, uint8_t *client_key,
               uint8_t *server_key, uint8_t *client_iv, uint8_t *server_iv);
/* RFC 5246 s.7.4.9: verify_data = PRF(master, "client finished" / "server finished",
 * Hash(handshake_messages))[0..12]. */
int prf12_finished(hash_alg h, const uint8_t master[TLS12_MASTER_LEN], int server,
                   const uint8_t *thash, uint8_t out[TLS12_VERIFY_LEN]);

#endif
