/*
 * transcript.c - running transcript hash with the HelloRetryRequest rewrite.
 */
#include "handshake/transcript.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

void transcript_init(transcript *t)
{
    crypto_hash_init(&t->sha256, HASH_SHA256);
    crypto_hash_init(&t->sha384, HASH_SHA384);
    t->chosen = 0;
    t->alg = HASH_SHA256;
    t->keep_raw = t->raw_err = 0;
    t->raw = NULL;
    t->raw_len = t->raw_cap = 0;
}

void transcript_free(transcript *t)
{
    if (t->raw) {
        crypto_wipe(t->raw, t->raw_cap);
        mem_free(t->raw);
    }
    t->raw = NULL;
    t->raw_len = t->raw_cap = 0;
}

static void keep(transcript *t, const uint8_t *msg, size_t len)
{
    if (t->raw_len + len > t->raw_cap) {
        size_t cap = t->raw_cap ? t->raw_cap : 4096;
        while (cap < t->raw_len + len)
            cap *= 2;
        uint8_t *p = mem_realloc(t->raw, cap);
        if (!p) {
            t->raw_err = 1;
            return;
        }
        t->raw = p;
        t->raw_cap = cap;
    }
    memcpy(t->raw + t->raw_len, msg, len);
    t->raw_len += len;
}

void transcript_add(transcript *t, const uint8_t *msg, size_t len)
{
    if (t->keep_raw)
        keep(t, msg, len);
    if (!t->chosen || t->alg == HASH_SHA256)
        crypto_hash_update(&t->sha256, msg, len);
    if (!t->chosen || t->alg == HASH_SHA384)
        crypto_hash_update(&t->sha384, msg, len);
}

void transcript_choose(transcript *t, hash_alg alg)
{
    t->chosen = 1;
    t->alg = alg;
}

void transcript_hash_with(const transcript *t, hash_alg alg, const uint8_t *extra, size_t len,
                          uint8_t *out)
{
    crypto_hash_ctx copy = alg == HASH_SHA384 ? t->sha384 : t->sha256;
    if (len)
        crypto_hash_update(&copy, extra, len);
    crypto_hash_final(&copy, out);
}

void transcript_hash(const transcript *t, uint8_t *out)
{
    transcript_hash_with(t, t->alg, NULL, 0, out);
}

void transcript_restart_hrr(transcript *t)
{
    uint8_t msg[4 + CRYPTO_HASH_MAX];
    size_t hl = crypto_hash_len(t->alg);
    transcript_hash(t, msg + 4);
    msg[0] = 254; /* message_hash */
    msg[1] = 0;
    msg[2] = 0;
    msg[3] = (uint8_t)hl;
    crypto_hash_ctx *ctx = t->alg == HASH_SHA384 ? &t->sha384 : &t->sha256;
    crypto_hash_init(ctx, t->alg);
    crypto_hash_update(ctx, msg, 4 + hl);
}
