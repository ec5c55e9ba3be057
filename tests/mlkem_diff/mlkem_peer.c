/*
 * mlkem_peer.c - the C side of the ML-KEM differential test against Go's crypto/mlkem
 * (tests/mlkem_diff/go/main.go starts it with the parameter set, "768" or "1024", as its
 * argument and talks to it over stdin/stdout).
 *
 * For each request it runs tlsm's crypto_mlkem_* - the API TLS uses, whichever
 * implementation the provider table has - and answers with everything Go compares: the
 * keys derived from Go's seed, the encapsulation with Go's message, the decapsulation of
 * Go's valid, random and bit-flipped ciphertexts, whether a key with one coefficient
 * rewritten passes the FIPS 203 s.7.2 check, and one encapsulation with tlsm's own
 * randomness for Go to decapsulate. Records are the fields below in order, each of its
 * set's size. Exits 0 at the end of input, 1 on a short read or a failed call.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"

struct request {
    uint8_t seed[CRYPTO_MLKEM_SEED_LEN];
    uint8_t m[CRYPTO_MLKEM_MSG_LEN];
    uint8_t ct_go[CRYPTO_MLKEM_CT_MAX];
    uint8_t ct_random[CRYPTO_MLKEM_CT_MAX];
    uint8_t ct_flipped[CRYPTO_MLKEM_CT_MAX];
    uint8_t ek_modified[CRYPTO_MLKEM_EK_MAX];
};

struct response {
    uint8_t ek[CRYPTO_MLKEM_EK_MAX];
    uint8_t dk[CRYPTO_MLKEM_DK_MAX];
    uint8_t ct[CRYPTO_MLKEM_CT_MAX];        /* encapsulation with Go's m */
    uint8_t ss[CRYPTO_MLKEM_SS_LEN];
    uint8_t ss_go[CRYPTO_MLKEM_SS_LEN];     /* decapsulations of Go's three ciphertexts */
    uint8_t ss_random[CRYPTO_MLKEM_SS_LEN];
    uint8_t ss_flipped[CRYPTO_MLKEM_SS_LEN];
    uint8_t ek_modified_ok;                 /* 1 if crypto_mlkem_encaps accepted it */
    uint8_t ct_own[CRYPTO_MLKEM_CT_MAX];    /* encapsulation with the system rng */
    uint8_t ss_own[CRYPTO_MLKEM_SS_LEN];
};

/* Hands out the bytes of m once: encapsulation draws exactly 32 bytes. */
static int message_rng(void *ctx, uint8_t *out, size_t len)
{
    const uint8_t *m = ctx;
    if (len != CRYPTO_MLKEM_MSG_LEN)
        return -1;
    memcpy(out, m, len);
    return 0;
}

static int answer(crypto_mlkem_set set, const struct request *q, struct response *r)
{
    crypto_rng with_m = {message_rng, (void *)q->m};
    size_t ek_len = crypto_mlkem_ek_len(set), dk_len = crypto_mlkem_dk_len(set),
           ct_len = crypto_mlkem_ct_len(set);
    uint8_t ct[CRYPTO_MLKEM_CT_MAX], ss[CRYPTO_MLKEM_SS_LEN];
    if (crypto_mlkem_keygen_from_seed(set, q->seed, sizeof q->seed, r->ek, r->dk) != 0 ||
        crypto_mlkem_encaps(set, &with_m, r->ek, ek_len, r->ct, r->ss) != 0 ||
        crypto_mlkem_decaps(set, r->dk, dk_len, q->ct_go, ct_len, r->ss_go) != 0 ||
        crypto_mlkem_decaps(set, r->dk, dk_len, q->ct_random, ct_len, r->ss_random) != 0 ||
        crypto_mlkem_decaps(set, r->dk, dk_len, q->ct_flipped, ct_len, r->ss_flipped) != 0 ||
        crypto_mlkem_encaps(set, NULL, r->ek, ek_len, r->ct_own, r->ss_own) != 0)
        return -1;
    r->ek_modified_ok = crypto_mlkem_encaps(set, NULL, q->ek_modified, ek_len, ct, ss) == 0;
    return 0;
}

/* Reads or writes the record fields in order, each n[i] bytes. */
static int read_fields(uint8_t *const *f, const size_t *n, size_t count, int *eof)
{
    for (size_t i = 0; i < count; i++) {
        size_t got = fread(f[i], 1, n[i], stdin);
        if (i == 0 && got == 0 && feof(stdin)) {
            *eof = 1;
            return 0;
        }
        if (got != n[i]) {
            fprintf(stderr, "mlkem_peer: short request (field %zu: %zu bytes)\n", i, got);
            return -1;
        }
    }
    return 0;
}

static int write_fields(uint8_t *const *f, const size_t *n, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (fwrite(f[i], 1, n[i], stdout) != n[i])
            return -1;
    return fflush(stdout) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    static struct request q;
    static struct response r;
    crypto_mlkem_set set;
    if (argc == 2 && strcmp(argv[1], "768") == 0) {
        set = CRYPTO_MLKEM768;
    } else if (argc == 2 && strcmp(argv[1], "1024") == 0) {
        set = CRYPTO_MLKEM1024;
    } else {
        fprintf(stderr, "usage: mlkem_peer 768|1024\n");
        return 2;
    }
    size_t ek = crypto_mlkem_ek_len(set), dk = crypto_mlkem_dk_len(set),
           ct = crypto_mlkem_ct_len(set), ss = CRYPTO_MLKEM_SS_LEN;
    uint8_t *const q_fields[] = {q.seed, q.m, q.ct_go, q.ct_random, q.ct_flipped, q.ek_modified};
    const size_t q_sizes[] = {sizeof q.seed, sizeof q.m, ct, ct, ct, ek};
    uint8_t *const r_fields[] = {r.ek,        r.dk,         r.ct,
                                 r.ss,        r.ss_go,      r.ss_random,
                                 r.ss_flipped, &r.ek_modified_ok, r.ct_own,
                                 r.ss_own};
    const size_t r_sizes[] = {ek, dk, ct, ss, ss, ss, ss, 1, ct, ss};
    fprintf(stderr, "mlkem_peer: ML-KEM-%s from %s\n", argv[1], crypto_mlkem_backend(set));
    for (;;) {
        int eof = 0;
        if (read_fields(q_fields, q_sizes, 6, &eof) != 0)
            return 1;
        if (eof)
            return 0;
        if (answer(set, &q, &r) != 0) {
            fprintf(stderr, "mlkem_peer: a crypto_mlkem call failed\n");
            return 1;
        }
        if (write_fields(r_fields, r_sizes, 10) != 0)
            return 1;
    }
}
