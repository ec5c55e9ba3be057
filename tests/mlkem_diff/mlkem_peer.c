/*
 * mlkem_peer.c - the C side of the ML-KEM-768 differential test against Go's crypto/mlkem
 * (tests/mlkem_diff/main.go starts it and talks to it over stdin/stdout).
 *
 * For each request (fixed-size binary records, see struct request) it runs tlsm's
 * crypto_mlkem768_* - the API TLS uses, whichever implementation the provider table has -
 * and answers with everything Go compares: the keys derived from Go's seed, the
 * encapsulation with Go's message, the decapsulation of Go's valid, random and bit-flipped
 * ciphertexts, whether a key with one coefficient rewritten passes the FIPS 203 s.7.2
 * check, and one encapsulation with tlsm's own randomness for Go to decapsulate.
 * Exits 0 at the end of input, 1 on a short read or a failed call.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"

struct request {
    uint8_t seed[CRYPTO_MLKEM768_SEED_LEN];
    uint8_t m[CRYPTO_MLKEM768_MSG_LEN];
    uint8_t ct_go[CRYPTO_MLKEM768_CT_LEN];
    uint8_t ct_random[CRYPTO_MLKEM768_CT_LEN];
    uint8_t ct_flipped[CRYPTO_MLKEM768_CT_LEN];
    uint8_t ek_modified[CRYPTO_MLKEM768_EK_LEN];
};

struct response {
    uint8_t ek[CRYPTO_MLKEM768_EK_LEN];
    uint8_t dk[CRYPTO_MLKEM768_DK_LEN];
    uint8_t ct[CRYPTO_MLKEM768_CT_LEN];        /* encapsulation with Go's m */
    uint8_t ss[CRYPTO_MLKEM768_SS_LEN];
    uint8_t ss_go[CRYPTO_MLKEM768_SS_LEN];     /* decapsulations of Go's three ciphertexts */
    uint8_t ss_random[CRYPTO_MLKEM768_SS_LEN];
    uint8_t ss_flipped[CRYPTO_MLKEM768_SS_LEN];
    uint8_t ek_modified_ok;                    /* 1 if crypto_mlkem768_encaps accepted it */
    uint8_t ct_own[CRYPTO_MLKEM768_CT_LEN];    /* encapsulation with the system rng */
    uint8_t ss_own[CRYPTO_MLKEM768_SS_LEN];
};

/* Hands out the bytes of m once: encapsulation draws exactly 32 bytes. */
static int message_rng(void *ctx, uint8_t *out, size_t len)
{
    const uint8_t *m = ctx;
    if (len != CRYPTO_MLKEM768_MSG_LEN)
        return -1;
    memcpy(out, m, len);
    return 0;
}

static int answer(const struct request *q, struct response *r)
{
    crypto_rng with_m = {message_rng, (void *)q->m};
    uint8_t ct[CRYPTO_MLKEM768_CT_LEN], ss[CRYPTO_MLKEM768_SS_LEN];
    if (crypto_mlkem768_keygen_from_seed(q->seed, sizeof q->seed, r->ek, r->dk) != 0 ||
        crypto_mlkem768_encaps(&with_m, r->ek, sizeof r->ek, r->ct, r->ss) != 0 ||
        crypto_mlkem768_decaps(r->dk, sizeof r->dk, q->ct_go, sizeof q->ct_go, r->ss_go) != 0 ||
        crypto_mlkem768_decaps(r->dk, sizeof r->dk, q->ct_random, sizeof q->ct_random,
                               r->ss_random) != 0 ||
        crypto_mlkem768_decaps(r->dk, sizeof r->dk, q->ct_flipped, sizeof q->ct_flipped,
                               r->ss_flipped) != 0 ||
        crypto_mlkem768_encaps(NULL, r->ek, sizeof r->ek, r->ct_own, r->ss_own) != 0)
        return -1;
    r->ek_modified_ok =
        crypto_mlkem768_encaps(NULL, q->ek_modified, sizeof q->ek_modified, ct, ss) == 0;
    return 0;
}

int main(void)
{
    static struct request q;
    static struct response r;
    fprintf(stderr, "mlkem_peer: ML-KEM-768 from %s\n", crypto_mlkem768_backend());
    for (;;) {
        size_t got = fread(&q, 1, sizeof q, stdin);
        if (got == 0 && feof(stdin))
            return 0;
        if (got != sizeof q) {
            fprintf(stderr, "mlkem_peer: short request (%zu bytes)\n", got);
            return 1;
        }
        if (answer(&q, &r) != 0) {
            fprintf(stderr, "mlkem_peer: a crypto_mlkem768 call failed\n");
            return 1;
        }
        if (fwrite(&r, sizeof r, 1, stdout) != 1 || fflush(stdout) != 0)
            return 1;
    }
}
