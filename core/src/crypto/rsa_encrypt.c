/*
 * rsa_encrypt.c - RSAES-PKCS1-v1_5 encryption (RFC 8017 s.7.2.1) for the TLS 1.2 client's
 * RSA key transport: the 48-byte premaster secret encrypted to the server's certificate key
 * (RFC 5246 s.7.4.7.1).
 *
 * The message is the session's premaster secret, so the encoding is built here in a stack
 * buffer and exponentiated with GMP's side-channel silent mpn_sec_powm into buffers this
 * file wipes. (Nettle's rsa_encrypt would build the encoded message in temporary memory it
 * frees without wiping and exponentiate it with the variable-time mpz_powm.) The public
 * exponent's bit length is the only value the running time depends on.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/backend.h"
#include "mem.h"

#define LIMB_BYTES sizeof(mp_limb_t)
#define RSA_ENC_MAX_BYTES (CRYPTO_RSA_MAX_BITS / 8)
#define RSA_ENC_LIMBS (RSA_ENC_MAX_BYTES / LIMB_BYTES)
/* RFC 8017 s.7.2.1 step 1: mLen <= k - 11 (at least 8 bytes of padding). */
#define PKCS1_OVERHEAD 11

/* Number of significant bits of a big-endian integer without leading zero bytes. */
static mp_bitcnt_t be_bits(const uint8_t *be, size_t len)
{
    mp_bitcnt_t bits = 8 * (mp_bitcnt_t)(len - 1);
    for (unsigned top = be[0]; top != 0; top >>= 1)
        bits++;
    return bits;
}

/* Reads len big-endian bytes into n limbs (least significant first), zero-padded; the
 * caller guarantees len <= n * LIMB_BYTES. The loop does not look at the values (the
 * encoded message is secret), unlike bn_from_be, which skips leading zero bytes. */
static void limbs_from_be(mp_limb_t *limbs, size_t n, const uint8_t *be, size_t len)
{
    memset(limbs, 0, n * LIMB_BYTES);
    for (size_t i = 0; i < len; i++) {
        size_t bit = 8 * i; /* position of byte be[len - 1 - i] */
        limbs[bit / GMP_NUMB_BITS] |= (mp_limb_t)be[len - 1 - i] << (bit % GMP_NUMB_BITS);
    }
}

/* Builds EM = 0x00 || 0x02 || PS || 0x00 || M (RFC 8017 s.7.2.1 step 2) in em (k bytes).
 * PS is k - len - 3 random bytes that must be non-zero: each zero byte drawn is replaced
 * by 1 without a branch, so the padding's timing reveals nothing about its bytes. */
static int eme_pkcs1_encode(const crypto_rng *rng, const uint8_t *msg, size_t len, uint8_t *em,
                            size_t k)
{
    size_t ps_len = k - len - 3;
    em[0] = 0x00;
    em[1] = 0x02;
    if (crypto_random(rng, em + 2, ps_len) != 0)
        return -1;
    for (size_t i = 2; i < 2 + ps_len; i++)
        em[i] |= (uint8_t)((((unsigned)em[i] - 1) >> 8) & 1); /* 0 -> 1, others unchanged */
    em[2 + ps_len] = 0x00;
    if (len > 0)
        memcpy(em + 3 + ps_len, msg, len);
    return 0;
}

int crypto_rsa_encrypt_pkcs1(const crypto_pubkey *pk, const crypto_rng *rng, const uint8_t *msg,
                             size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t em[RSA_ENC_MAX_BYTES];
    mp_limb_t n[RSA_ENC_LIMBS], e[RSA_ENC_LIMBS], m[RSA_ENC_LIMBS], c[RSA_ENC_LIMBS];
    /* Only an rsaEncryption key may encrypt: an id-RSASSA-PSS key is for signatures only
     * (RFC 4055 s.1.2). */
    if (pk == NULL || pk->type != PK_RSA || (msg == NULL && len > 0) || out == NULL ||
        out_len == NULL)
        return -1;
    /* Reject values no honest key has and sizes beyond the bounds (crypto.h). */
    if (crypto_rsa_pubkey_check(pk) != 0)
        return -1;
    size_t k = pk->n_len, e_len = pk->e_len;
    const uint8_t *nb = bn_strip(pk->n, &k), *eb = bn_strip(pk->e, &e_len);
    /* RFC 8017 s.7.2.1 step 1: "If mLen > k - 11, output 'message too long'". */
    if (k < PKCS1_OVERHEAD || len > k - PKCS1_OVERHEAD || cap < k)
        return -1;

    size_t limbs = (k + LIMB_BYTES - 1) / LIMB_BYTES, e_limbs = (e_len + LIMB_BYTES - 1) / LIMB_BYTES;
    mp_bitcnt_t enb = be_bits(eb, e_len);
    int rc = -1;
    mp_limb_t *scratch = NULL;
    size_t scratch_len = 0;
    limbs_from_be(n, limbs, nb, k);
    limbs_from_be(e, e_limbs, eb, e_len);
    if (eme_pkcs1_encode(rng, msg, len, em, k) != 0)
        goto done;
    /* RFC 8017 s.7.2.1 step 3: m = OS2IP(EM), c = m^e mod n. EM's first byte is zero, so
     * m < 256^(k-1) <= n; its 0x02 byte makes m > 0, as mpn_sec_powm requires. */
    limbs_from_be(m, limbs, em, k);
    scratch_len = (size_t)mpn_sec_powm_itch((mp_size_t)limbs, enb, (mp_size_t)limbs);
    scratch = mem_alloc(scratch_len * LIMB_BYTES);
    if (scratch == NULL)
        goto done;
    mpn_sec_powm(c, m, (mp_size_t)limbs, e, enb, n, (mp_size_t)limbs, scratch);
    /* Step 3.c: I2OSP(c, k), exactly the modulus length. */
    for (size_t i = 0; i < k; i++) {
        size_t bit = 8 * i;
        out[k - 1 - i] = (uint8_t)(c[bit / GMP_NUMB_BITS] >> (bit % GMP_NUMB_BITS));
    }
    *out_len = k;
    rc = 0;
done:
    if (scratch != NULL) {
        crypto_wipe(scratch, scratch_len * LIMB_BYTES);
        mem_free(scratch);
    }
    crypto_wipe(em, sizeof em);
    crypto_wipe(m, sizeof m);
    crypto_wipe(c, sizeof c);
    return rc;
}
