/*
 * crypto_count.c - the counting provider of tlsm-bench: a crypto_provider table whose
 * every entry forwards to the built-in one (crypto_provider_builtin) and charges the call
 * and its time to the current side. Installed with crypto_provider_install only for the
 * attribution pass, so the throughput runs use the library exactly as shipped.
 *
 * Nested calls (ECDSA signing draws its nonce through the provider's random) are counted
 * but not timed twice: only the outermost call's time is kept. The cost of reading the
 * clock is measured once and taken out of the totals.
 */
#include "bench.h"
#include "crypto/provider.h"

const char *const bench_crypto_kind_name[CK_N] = {
    "random", "hash", "hmac", "hkdf", "aead_init", "seal", "open",
    "kex_public", "kex_shared", "kem_keygen", "kem_encaps", "kem_decaps", "verify", "sign",
};

bench_crypto_tally bench_crypto[SIDE_N];
double bench_clock_cost_ns;

static const crypto_provider *inner;
static int depth;

typedef struct {
    uint64_t t0;
    int side;
} span;

static span begin(void)
{
    span s = {0, bench_side};
    if (depth++ == 0)
        s.t0 = bench_now_ns();
    return s;
}

static void end(span s, int kind, uint64_t bytes)
{
    bench_crypto_tally *t = &bench_crypto[s.side];
    t->calls[kind]++;
    t->bytes[kind] += bytes;
    if (--depth == 0) {
        t->ns[kind] += bench_now_ns() - s.t0;
        t->timed[kind]++;
    }
}

static int c_random(uint8_t *out, size_t len)
{
    span s = begin();
    int rc = inner->random(out, len);
    end(s, CK_RANDOM, 0);
    return rc;
}

static int c_hash_init(crypto_hash_ctx *ctx, hash_alg alg)
{
    span s = begin();
    int rc = inner->hash_init(ctx, alg);
    end(s, CK_HASH, 0);
    return rc;
}

static void c_hash_update(crypto_hash_ctx *ctx, const uint8_t *data, size_t len)
{
    span s = begin();
    inner->hash_update(ctx, data, len);
    end(s, CK_HASH, len);
}

static void c_hash_final(crypto_hash_ctx *ctx, uint8_t *out)
{
    span s = begin();
    inner->hash_final(ctx, out);
    end(s, CK_HASH, 0);
}

static int c_hmac(hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data,
                  size_t len, uint8_t *out)
{
    span s = begin();
    int rc = inner->hmac(alg, key, key_len, data, len, out);
    end(s, CK_HMAC, len);
    return rc;
}

static int c_hkdf_extract(hash_alg alg, const uint8_t *salt, size_t salt_len,
                          const uint8_t *ikm, size_t ikm_len, uint8_t *prk)
{
    span s = begin();
    int rc = inner->hkdf_extract(alg, salt, salt_len, ikm, ikm_len, prk);
    end(s, CK_HKDF, 0);
    return rc;
}

static int c_hkdf_expand(hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                         size_t info_len, uint8_t *out, size_t out_len)
{
    span s = begin();
    int rc = inner->hkdf_expand(alg, prk, prk_len, info, info_len, out, out_len);
    end(s, CK_HKDF, 0);
    return rc;
}

static int c_aead_init(crypto_aead_ctx *ctx, aead_alg alg, const uint8_t *key)
{
    span s = begin();
    int rc = inner->aead_init(ctx, alg, key);
    end(s, CK_AEAD_INIT, 0);
    return rc;
}

static size_t c_aead_ctx_size(aead_alg alg)
{
    return inner->aead_ctx_size(alg);
}

static void c_aead_seal(crypto_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                        size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
    span s = begin();
    inner->aead_seal(ctx, nonce, aad, aad_len, in, len, out);
    end(s, CK_SEAL, len);
}

static int c_aead_open(crypto_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                       size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
    span s = begin();
    int rc = inner->aead_open(ctx, nonce, aad, aad_len, in, len, out);
    end(s, CK_OPEN, len >= CRYPTO_AEAD_TAG_LEN ? len - CRYPTO_AEAD_TAG_LEN : 0);
    return rc;
}

static int c_kex_public(uint16_t group, const uint8_t *priv, uint8_t *pub, size_t *pub_len)
{
    span s = begin();
    int rc = inner->kex_public(group, priv, pub, pub_len);
    end(s, CK_KEX_PUBLIC, 0);
    return rc;
}

static int c_kex_shared(uint16_t group, const uint8_t *priv, const uint8_t *peer_pub,
                        size_t peer_len, uint8_t *shared, size_t *shared_len)
{
    span s = begin();
    int rc = inner->kex_shared(group, priv, peer_pub, peer_len, shared, shared_len);
    end(s, CK_KEX_SHARED, 0);
    return rc;
}

static const char *c_kem_name(crypto_mlkem_set set)
{
    (void)set;
    return "bench counting wrapper around the built-in ML-KEM";
}

static int c_kem_keygen(crypto_mlkem_set set, const uint8_t *seed, uint8_t *ek, uint8_t *dk)
{
    span s = begin();
    int rc = inner->kem_keygen(set, seed, ek, dk);
    end(s, CK_KEM_KEYGEN, 0);
    return rc;
}

static int c_kem_encaps(crypto_mlkem_set set, const uint8_t *ek, const uint8_t *m, uint8_t *ct,
                        uint8_t *ss)
{
    span s = begin();
    int rc = inner->kem_encaps(set, ek, m, ct, ss);
    end(s, CK_KEM_ENCAPS, 0);
    return rc;
}

static int c_kem_decaps(crypto_mlkem_set set, const uint8_t *dk, const uint8_t *ct,
                        uint8_t *ss)
{
    span s = begin();
    int rc = inner->kem_decaps(set, dk, ct, ss);
    end(s, CK_KEM_DECAPS, 0);
    return rc;
}

static int c_verify(sig_alg alg, const crypto_pubkey *pk, const uint8_t *msg, size_t msg_len,
                    const uint8_t *sig, size_t sig_len)
{
    span s = begin();
    int rc = inner->verify(alg, pk, msg, msg_len, sig, sig_len);
    end(s, CK_VERIFY, msg_len);
    return rc;
}

static int c_sign(const crypto_privkey *key, sig_alg alg, const crypto_rng *rng,
                  const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t sig_cap,
                  size_t *sig_len)
{
    span s = begin();
    int rc = inner->sign(key, alg, rng, msg, msg_len, sig, sig_cap, sig_len);
    end(s, CK_SIGN, msg_len);
    return rc;
}

static const crypto_provider counting = {
    .name = "bench counting wrapper",
    .random = c_random,
    .hash_init = c_hash_init,
    .hash_update = c_hash_update,
    .hash_final = c_hash_final,
    .hmac = c_hmac,
    .hkdf_extract = c_hkdf_extract,
    .hkdf_expand = c_hkdf_expand,
    .aead_init = c_aead_init,
    .aead_ctx_size = c_aead_ctx_size,
    .aead_seal = c_aead_seal,
    .aead_open = c_aead_open,
    .kex_public = c_kex_public,
    .kex_shared = c_kex_shared,
    .kem_name = c_kem_name,
    .kem_keygen = c_kem_keygen,
    .kem_encaps = c_kem_encaps,
    .kem_decaps = c_kem_decaps,
    .verify = c_verify,
    .sign = c_sign,
};

void bench_crypto_counting(int on)
{
    inner = crypto_provider_builtin();
    crypto_provider_install(on ? &counting : NULL);
}

void bench_crypto_reset(void)
{
    for (int s = 0; s < SIDE_N; s++)
        bench_crypto[s] = (bench_crypto_tally){0};
}

double bench_crypto_ns(int side, uint64_t *timed_calls)
{
    uint64_t n = 0, ns = 0;
    for (int k = 0; k < CK_N; k++) {
        n += bench_crypto[side].timed[k];
        ns += bench_crypto[side].ns[k];
    }
    if (timed_calls)
        *timed_calls = n;
    /* Each timed span contains about one clock read beyond the primitive itself. */
    double net = (double)ns - (double)n * bench_clock_cost_ns;
    return net > 0 ? net : 0;
}

void bench_clock_calibrate(void)
{
    enum { N = 200000 };
    double best = 1e9;
    for (int round = 0; round < 5; round++) {
        uint64_t t0 = bench_now_ns(), sink = 0;
        for (int i = 0; i < N; i++)
            sink += bench_now_ns();
        uint64_t t1 = bench_now_ns();
        double per = (double)(t1 - t0) / N;
        if (sink != 0 && per < best)
            best = per;
    }
    bench_clock_cost_ns = best;
}
