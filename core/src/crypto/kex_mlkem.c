/*
 * kex_mlkem.c - the TLS 1.3 key-exchange groups built on ML-KEM: the hybrids
 * X25519MLKEM768 (0x11EC), SecP256r1MLKEM768 (0x11EB) and SecP384r1MLKEM1024 (0x11ED) of
 * draft-ietf-tls-ecdhe-mlkem, and MLKEM768 (0x0201) and MLKEM1024 (0x0202) alone,
 * draft-ietf-tls-mlkem. kex.c dispatches these groups here.
 *
 * A key share is a KEM, not a Diffie-Hellman exchange: the client generates a key pair
 * and sends the encapsulation key; the server encapsulates to it and sends the ciphertext;
 * the client decapsulates. A hybrid does both halves side by side and concatenates:
 *   X25519MLKEM768     client: ek (1184) || X25519 (32);   server: ct (1088) || X25519 (32)
 *                      secret: ML-KEM ss (32) || X25519 ss (32)
 *   SecP256r1MLKEM768  client: P-256 point (65) || ek;    server: P-256 point (65) || ct
 *                      secret: ECDH ss (32) || ML-KEM ss (32)
 *   SecP384r1MLKEM1024 client: P-384 point (97) || ek (1568); server: point || ct (1568)
 *                      secret: ECDH ss (48) || ML-KEM ss (32)
 *   MLKEM768, MLKEM1024  ek / ct / ss of ML-KEM alone
 * (the ML-KEM half comes first in X25519MLKEM768 and second in the SecP*r1 hybrids). Our
 * private part is the decapsulation key followed by the classical private key.
 *
 * Checks: exact share lengths; the encapsulation key's FIPS 203 s.7.2 modulus check
 * (crypto_mlkem_encaps); the classical half as kex.c validates it alone. Decapsulation
 * never fails on a bad ciphertext (implicit rejection): that shows as a Finished mismatch.
 */
#include <string.h>

#include "crypto/backend.h"
#include "crypto/crypto.h"

typedef struct {
    uint16_t group;
    crypto_mlkem_set set;
    uint16_t ec;     /* the classical half, 0 for pure ML-KEM */
    int kem_first;   /* ML-KEM bytes first on the wire and in the secret */
} kem_group;

static const kem_group kem_groups[] = {
    {TLSM_GROUP_X25519MLKEM768, CRYPTO_MLKEM768, TLSM_GROUP_X25519, 1},
    {TLSM_GROUP_SECP256R1MLKEM768, CRYPTO_MLKEM768, TLSM_GROUP_SECP256R1, 0},
    {TLSM_GROUP_SECP384R1MLKEM1024, CRYPTO_MLKEM1024, TLSM_GROUP_SECP384R1, 0},
    {TLSM_GROUP_MLKEM768, CRYPTO_MLKEM768, 0, 1},
    {TLSM_GROUP_MLKEM1024, CRYPTO_MLKEM1024, 0, 1},
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
    return k ? crypto_mlkem_ek_len(k->set) + ec_pub_len(k) : 0;
}

/* The decapsulation key, then the classical private key. */
size_t kex_kem_priv_len(uint16_t group)
{
    const kem_group *k = kex_kem_find(group);
    return k ? crypto_mlkem_dk_len(k->set) + (k->ec ? crypto_kex_priv_len(k->ec) : 0) : 0;
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
    uint8_t ek[CRYPTO_MLKEM_EK_MAX], ec_pub[CRYPTO_EC_POINT_MAX];
    size_t ec_len = 0;
    if (!k || crypto_mlkem_keygen(k->set, rng, ek, priv))
        return -1;
    size_t ek_len = crypto_mlkem_ek_len(k->set), dk_len = crypto_mlkem_dk_len(k->set);
    if (k->ec && crypto_kex_keygen(k->ec, rng, priv + dk_len, ec_pub, &ec_len)) {
        crypto_wipe(priv, dk_len);
        return -1;
    }
    join(k, pub, ek, ek_len, ec_pub, ec_len);
    *pub_len = ek_len + ec_len;
    return 0;
}

int kex_kem_decaps(uint16_t group, const uint8_t *priv, const uint8_t *peer, size_t peer_len,
                   uint8_t *shared, size_t *shared_len)
{
    const kem_group *k = kex_kem_find(group);
    const uint8_t *ct, *ec_pub;
    uint8_t ss[CRYPTO_MLKEM_SS_LEN], ec_ss[CRYPTO_KEX_SHARED_MAX];
    size_t ec_len = 0;
    if (!k)
        return -1;
    size_t ct_len = crypto_mlkem_ct_len(k->set), dk_len = crypto_mlkem_dk_len(k->set);
    if (split(k, peer, peer_len, ct_len, &ct, &ec_pub))
        return -1;
    int rc = crypto_mlkem_decaps(k->set, priv, dk_len, ct, ct_len, ss);
    if (!rc && k->ec)
        rc = crypto_kex_shared(k->ec, priv + dk_len, ec_pub, ec_pub_len(k), ec_ss, &ec_len);
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
    uint8_t ct[CRYPTO_MLKEM_CT_MAX], ss[CRYPTO_MLKEM_SS_LEN];
    uint8_t ec_pub[CRYPTO_EC_POINT_MAX], ec_ss[CRYPTO_KEX_SHARED_MAX];
    size_t ec_len = 0, ec_ss_len = 0;
    if (!k)
        return CRYPTO_KEX_BAD_SHARE;
    size_t ek_len = crypto_mlkem_ek_len(k->set), ct_len = crypto_mlkem_ct_len(k->set);
    if (split(k, peer, peer_len, ek_len, &ek, &ec_peer) ||
        crypto_mlkem_ek_check(k->set, ek, ek_len))
        return CRYPTO_KEX_BAD_SHARE;
    /* The classical half validates the peer's point. */
    int rc = k->ec ? crypto_kex_respond(k->ec, rng, ec_peer, ec_pub_len(k), ec_pub, &ec_len,
                                        ec_ss, &ec_ss_len)
                   : 0;
    if (!rc && crypto_mlkem_encaps(k->set, rng, ek, ek_len, ct, ss))
        rc = CRYPTO_KEX_FAILED; /* the key passed its check: the rng failed */
    if (!rc) {
        join(k, pub, ct, ct_len, ec_pub, ec_len);
        *pub_len = ct_len + ec_len;
        join(k, shared, ss, sizeof ss, ec_ss, ec_ss_len);
        *shared_len = sizeof ss + ec_ss_len;
    }
    crypto_wipe(ss, sizeof ss);
    crypto_wipe(ec_ss, sizeof ec_ss);
    return rc; /* CRYPTO_KEX_BAD_SHARE from the classical half, or CRYPTO_KEX_FAILED */
}
