/*
 * kex_mlkem.c - the TLS 1.3 key-exchange groups built on ML-KEM-768: the hybrids
 * X25519MLKEM768 (0x11EC) and SecP256r1MLKEM768 (0x11EB) of draft-ietf-tls-ecdhe-mlkem,
 * and MLKEM768 (0x0201) alone, draft-ietf-tls-mlkem. kex.c dispatches these groups here.
 *
 * A key share is a KEM, not a Diffie-Hellman exchange: the client generates a key pair
 * and sends the encapsulation key; the server encapsulates to it and sends the ciphertext;
 * the client decapsulates. A hybrid does both halves side by side and concatenates:
 *   X25519MLKEM768     client: ek (1184) || X25519 (32);   server: ct (1088) || X25519 (32)
 *                      secret: ML-KEM ss (32) || X25519 ss (32)
 *   SecP256r1MLKEM768  client: P-256 point (65) || ek;    server: P-256 point (65) || ct
 *                      secret: ECDH ss (32) || ML-KEM ss (32)
 * (the ML-KEM half comes first in X25519MLKEM768 and second in SecP256r1MLKEM768). Our
 * private part is the decapsulation key followed by the classical private key.
 *
 * Checks: exact share lengths; the encapsulation key's FIPS 203 s.7.2 modulus check
 * (crypto_mlkem768_encaps); the classical half as kex.c validates it alone. Decapsulation
 * never fails on a bad ciphertext (implicit rejection): that shows as a Finished mismatch.
 */
#include <string.h>

#include "crypto/backend.h"
#include "crypto/crypto.h"

typedef struct {
    uint16_t group;
    uint16_t ec;     /* the classical half, 0 for MLKEM768 */
    int kem_first;   /* ML-KEM bytes first on the wire and in the secret */
} kem_group;

static const kem_group kem_groups[] = {
    {TLSM_GROUP_X25519MLKEM768, TLSM_GROUP_X25519, 1},
    {TLSM_GROUP_SECP256R1MLKEM768, TLSM_GROUP_SECP256R1, 0},
    {TLSM_GROUP_MLKEM768, 0, 1},
};

const void *kex_kem_find(uint16_t group)
{
    for (size_t i = 0; i < sizeof kem_groups / sizeof kem_groups[0]; i++)
        if (kem_groups[i].group == group)
            return &kem_groups[i];
    return NULL;
}

static size_t ec_pub_len(const kem_group *k)
{
    return k->ec ? crypto_kex_pub_len(k->ec) : 0;
}

size_t kex_kem_client_share_len(uint16_t group)
{
    const kem_group *k = kex_kem_find(group);
    return k ? CRYPTO_MLKEM768_EK_LEN + ec_pub_len(k) : 0;
}

/* Splits a share into its ML-KEM part (kem_len bytes) and its classical part. */
static int split(const kem_group *k, const uint8_t *share, size_t len, size_t kem_len,
                 const uint8_t **kem, const uint8_t **ec)
{
    size_t ec_len = ec_pub_len(k);
    if (len != kem_len + ec_len)
        return -1;
    *kem = k->kem_first ? share : share + ec_len;
    *ec = k->kem_first ? share + kem_len : share;
    return 0;
}

/* Writes the two halves in the group's order. */
static void join(const kem_group *k, uint8_t *out, const uint8_t *kem, size_t kem_len,
                 const uint8_t *ec, size_t ec_len)
{
    memcpy(out + (k->kem_first ? 0 : ec_len), kem, kem_len);
    if (ec_len)
        memcpy(out + (k->kem_first ? kem_len : 0), ec, ec_len);
}

int kex_kem_keygen(uint16_t group, const crypto_rng *rng, uint8_t *priv, uint8_t *pub,
                   size_t *pub_len)
{
    const kem_group *k = kex_kem_find(group);
    uint8_t ek[CRYPTO_MLKEM768_EK_LEN], ec_pub[CRYPTO_EC_POINT_MAX];
    size_t ec_len = 0;
    if (!k || crypto_mlkem768_keygen(rng, ek, priv))
        return -1;
    if (k->ec && crypto_kex_keygen(k->ec, rng, priv + CRYPTO_MLKEM768_DK_LEN, ec_pub, &ec_len)) {
        crypto_wipe(priv, CRYPTO_MLKEM768_DK_LEN);
        return -1;
    }
    join(k, pub, ek, sizeof ek, ec_pub, ec_len);
    *pub_len = sizeof ek + ec_len;
    return 0;
}

int kex_kem_decaps(uint16_t group, const uint8_t *priv, const uint8_t *peer, size_t peer_len,
                   uint8_t *shared, size_t *shared_len)
{
    const kem_group *k = kex_kem_find(group);
    const uint8_t *ct, *ec_pub;
    uint8_t ss[CRYPTO_MLKEM768_SS_LEN], ec_ss[CRYPTO_KEX_SHARED_MAX];
    size_t ec_len = 0;
    if (!k || split(k, peer, peer_len, CRYPTO_MLKEM768_CT_LEN, &ct, &ec_pub))
        return -1;
    int rc = crypto_mlkem768_decaps(priv, CRYPTO_MLKEM768_DK_LEN, ct, CRYPTO_MLKEM768_CT_LEN,
                                    ss);
    if (!rc && k->ec)
        rc = crypto_kex_shared(k->ec, priv + CRYPTO_MLKEM768_DK_LEN, ec_pub, ec_pub_len(k),
                               ec_ss, &ec_len);
    if (!rc) {
        join(k, shared, ss, sizeof ss, ec_ss, ec_len);
        *shared_len = sizeof ss + ec_len;
    }
    crypto_wipe(ss, sizeof ss);
    crypto_wipe(ec_ss, sizeof ec_ss);
    return rc;
}

int kex_kem_encaps(uint16_t group, const crypto_rng *rng, const uint8_t *peer, size_t peer_len,
                   uint8_t *pub, size_t *pub_len, uint8_t *shared, size_t *shared_len)
{
    const kem_group *k = kex_kem_find(group);
    const uint8_t *ek, *ec_peer;
    uint8_t ct[CRYPTO_MLKEM768_CT_LEN], ss[CRYPTO_MLKEM768_SS_LEN];
    uint8_t ec_pub[CRYPTO_EC_POINT_MAX], ec_ss[CRYPTO_KEX_SHARED_MAX];
    size_t ec_len = 0, ec_ss_len = 0;
    if (!k || split(k, peer, peer_len, CRYPTO_MLKEM768_EK_LEN, &ek, &ec_peer) ||
        crypto_mlkem768_ek_check(ek, CRYPTO_MLKEM768_EK_LEN))
        return CRYPTO_KEX_BAD_SHARE;
    /* The classical half validates the peer's point. */
    int rc = k->ec ? crypto_kex_respond(k->ec, rng, ec_peer, ec_pub_len(k), ec_pub, &ec_len,
                                        ec_ss, &ec_ss_len)
                   : 0;
    if (!rc && crypto_mlkem768_encaps(rng, ek, CRYPTO_MLKEM768_EK_LEN, ct, ss))
        rc = CRYPTO_KEX_FAILED; /* the key passed its check: the rng failed */
    if (!rc) {
        join(k, pub, ct, sizeof ct, ec_pub, ec_len);
        *pub_len = sizeof ct + ec_len;
        join(k, shared, ss, sizeof ss, ec_ss, ec_ss_len);
        *shared_len = sizeof ss + ec_ss_len;
    }
    crypto_wipe(ss, sizeof ss);
    crypto_wipe(ec_ss, sizeof ec_ss);
    return rc ? -1 : 0;
}
