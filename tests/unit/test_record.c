/*
 * test_record.c - TLS 1.3 record protection (core/src/record): round trips over the three
 * AEADs, padding, in-place sealing, tamper detection on every byte, the size limits at
 * their exact boundaries, sequence numbers (order, replay, exhaustion) and the application
 * data records of RFC 8448 s.3 decrypted and re-sealed byte for byte.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "hex.h"
#include "reason.h"
#include "record/record.h"

static const aead_alg all_aeads[] = {AEAD_AES128_GCM, AEAD_AES256_GCM, AEAD_CHACHA20_POLY1305};
#define N_AEADS (sizeof all_aeads / sizeof all_aeads[0])

/* Room for the largest record the tests build by hand: header + 2^14 + 256 + a spare. */
#define BIG (REC_HEADER_LEN + REC_MAX_CIPHERTEXT_13 + 64)

static const uint8_t test_iv[CRYPTO_AEAD_NONCE_LEN] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
                                                       0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab};

static void test_key(aead_alg alg, uint8_t key[CRYPTO_AEAD_KEY_MAX])
{
    for (size_t i = 0; i < CRYPTO_AEAD_KEY_MAX; i++)
        key[i] = (uint8_t)(0x10 + 7 * i + alg);
}

static void init_pair(aead_alg alg, record_cipher *tx, record_cipher *rx)
{
    uint8_t key[CRYPTO_AEAD_KEY_MAX];
    test_key(alg, key);
    cr_assert_eq(record_cipher_init(tx, alg, key, test_iv), 0);
    cr_assert_eq(record_cipher_init(rx, alg, key, test_iv), 0);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + 31 * i + (i >> 8));
}

/* Builds a protected record with the AEAD directly, bypassing record_seal's limits, so that
 * the receiver can be shown inner plaintexts no honest sender produces: the nonce is
 * computed here independently from the record layer's own code. */
static size_t raw_record(aead_alg alg, uint64_t seq, const uint8_t *inner, size_t inner_len,
                         uint8_t *out)
{
    uint8_t key[CRYPTO_AEAD_KEY_MAX], nonce[CRYPTO_AEAD_NONCE_LEN];
    crypto_aead_ctx ctx;
    test_key(alg, key);
    cr_assert_eq(crypto_aead_init(&ctx, alg, key), 0);
    memcpy(nonce, test_iv, sizeof nonce);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
    size_t body = inner_len + CRYPTO_AEAD_TAG_LEN;
    out[0] = 0x17;
    out[1] = 0x03;
    out[2] = 0x03;
    out[3] = (uint8_t)(body >> 8);
    out[4] = (uint8_t)body;
    memmove(out + REC_HEADER_LEN, inner, inner_len);
    crypto_aead_seal(&ctx, nonce, out, REC_HEADER_LEN, out + REC_HEADER_LEN, inner_len,
                     out + REC_HEADER_LEN);
    crypto_aead_wipe(&ctx);
    return REC_HEADER_LEN + body;
}

static void setup(void)
{
    cr_assert_eq(crypto_init(), 0);
}

TestSuite(record, .init = setup);

/* ------------------------------------------------------------------ round trips */

Test(record, round_trip_every_aead_and_size)
{
    static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 1000, 4096, REC_MAX_PLAINTEXT - 1,
                                   REC_MAX_PLAINTEXT};
    static uint8_t msg[REC_MAX_PLAINTEXT], buf[BIG];
    for (size_t a = 0; a < N_AEADS; a++) {
        record_cipher tx = {0}, rx = {0};
        init_pair(all_aeads[a], &tx, &rx);
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s], out_len = 0;
            fill(msg, n, (uint8_t)(a + s));
            cr_assert_eq(record_seal(&tx, REC_APPLICATION_DATA, msg, n, 0, buf, sizeof buf,
                                     &out_len), 0);
            cr_assert_eq(out_len, record_sealed_len(n, 0));
            cr_assert_eq(out_len, REC_HEADER_LEN + n + 1 + CRYPTO_AEAD_TAG_LEN);
            /* s.5.2: the header is always application_data, 0x0303, the body length. */
            cr_assert_eq(buf[0], 0x17);
            cr_assert_eq(buf[1], 0x03);
            cr_assert_eq(buf[2], 0x03);
            cr_assert_eq((size_t)(buf[3] << 8 | buf[4]), out_len - REC_HEADER_LEN);
            if (n >= 16)
                cr_assert_neq(memcmp(buf + REC_HEADER_LEN, msg, n), 0, "not encrypted");

            uint8_t type = 0, *content = NULL;
            size_t clen = 1;
            cr_assert_eq(record_open(&rx, buf, out_len - REC_HEADER_LEN, REC_MAX_PLAINTEXT,
                                     &type, &content, &clen), 0, "aead %zu size %zu", a, n);
            cr_assert_eq(type, REC_APPLICATION_DATA);
            cr_assert_eq(clen, n);
            cr_assert_eq(content, buf + REC_HEADER_LEN, "decrypted in place");
            cr_assert_eq(memcmp(content, msg, n), 0);
        }
        cr_assert_eq(tx.seq, 10);
        cr_assert_eq(rx.seq, 10);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

Test(record, inner_type_is_carried_and_outer_type_hidden)
{
    static const uint8_t types[] = {REC_HANDSHAKE, REC_ALERT, REC_APPLICATION_DATA, 0xff};
    for (size_t a = 0; a < N_AEADS; a++) {
        record_cipher tx = {0}, rx = {0};
        init_pair(all_aeads[a], &tx, &rx);
        for (size_t t = 0; t < sizeof types; t++) {
            uint8_t msg[3] = {1, 2, 3}, buf[64], type = 0, *content;
            size_t out_len, clen;
            cr_assert_eq(record_seal(&tx, types[t], msg, 3, 0, buf, sizeof buf, &out_len), 0);
            cr_assert_eq(buf[0], REC_APPLICATION_DATA, "s.5.2: opaque_type is always 23");
            cr_assert_eq(record_open(&rx, buf, out_len - 5, REC_MAX_PLAINTEXT, &type, &content,
                                     &clen), 0);
            cr_assert_eq(type, types[t]);
            cr_assert_eq(clen, 3);
        }
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

Test(record, seal_refuses_type_zero)
{
    record_cipher tx = {0}, rx = {0};
    uint8_t buf[64];
    size_t out_len;
    init_pair(AEAD_AES128_GCM, &tx, &rx);
    cr_assert_eq(record_seal(&tx, 0, (const uint8_t *)"x", 1, 0, buf, sizeof buf, &out_len), -1);
    cr_assert_eq(tx.seq, 0);
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
}

/* Each AEAD has its own key length; the same key bytes under two algorithms must not
 * open each other's records. */
Test(record, algorithms_do_not_cross_open)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        for (size_t b = 0; b < N_AEADS; b++) {
            if (a == b)
                continue;
            record_cipher tx = {0}, rx = {0}, unused = {0};
            uint8_t buf[64], type, *content;
            size_t out_len, clen;
            init_pair(all_aeads[a], &tx, &unused);
            init_pair(all_aeads[b], &unused, &rx);
            cr_assert_eq(record_seal(&tx, REC_HANDSHAKE, (const uint8_t *)"hello", 5, 0, buf,
                                     sizeof buf, &out_len), 0);
            cr_assert_eq(record_open(&rx, buf, out_len - 5, REC_MAX_PLAINTEXT, &type, &content,
                                     &clen), RC(R_REC_BAD_MAC));
            record_cipher_wipe(&tx);
            record_cipher_wipe(&rx);
            record_cipher_wipe(&unused);
        }
    }
}

/* ------------------------------------------------------------------ padding */

Test(record, padding_is_added_and_stripped)
{
    static const size_t pads[] = {0, 1, 2, 255, 256, 1000, REC_MAX_PLAINTEXT - 10};
    static uint8_t buf[BIG];
    for (size_t a = 0; a < N_AEADS; a++) {
        record_cipher tx = {0}, rx = {0};
        init_pair(all_aeads[a], &tx, &rx);
        for (size_t p = 0; p < sizeof pads / sizeof pads[0]; p++) {
            uint8_t msg[10], type, *content;
            size_t out_len, clen;
            fill(msg, sizeof msg, 1);
            msg[9] = 0; /* content ending in zero bytes must not be mistaken for padding */
            msg[8] = 0;
            cr_assert_eq(record_seal(&tx, REC_HANDSHAKE, msg, 10, pads[p], buf, sizeof buf,
                                     &out_len), 0);
            cr_assert_eq(out_len, REC_HEADER_LEN + 10 + 1 + pads[p] + CRYPTO_AEAD_TAG_LEN);
            cr_assert_eq(record_open(&rx, buf, out_len - 5, REC_MAX_PLAINTEXT, &type, &content,
                                     &clen), 0);
            cr_assert_eq(type, REC_HANDSHAKE);
            cr_assert_eq(clen, 10, "pad %zu", pads[p]);
            cr_assert_eq(memcmp(content, msg, 10), 0);
        }
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

Test(record, padding_only_record_with_empty_content)
{
    static uint8_t buf[BIG];
    record_cipher tx = {0}, rx = {0};
    uint8_t type, *content;
    size_t out_len, clen = 99;
    init_pair(AEAD_CHACHA20_POLY1305, &tx, &rx);
    cr_assert_eq(record_seal(&tx, REC_APPLICATION_DATA, NULL, 0, REC_MAX_PLAINTEXT, buf,
                             sizeof buf, &out_len), 0);
    cr_assert_eq(record_open(&rx, buf, out_len - 5, REC_MAX_PLAINTEXT, &type, &content, &clen),
                 0);
    cr_assert_eq(type, REC_APPLICATION_DATA);
    cr_assert_eq(clen, 0);
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
}

/* s.5.4: an inner plaintext with no non-zero octet has no type: unexpected_message, both
 * for all zeros and for an empty inner plaintext (a body of just the tag). */
Test(record, all_zero_inner_plaintext_is_unexpected_message)
{
    static const size_t lens[] = {0, 1, 100, REC_MAX_PLAINTEXT + 1};
    static uint8_t zeros[REC_MAX_PLAINTEXT + 1], buf[BIG];
    for (size_t a = 0; a < N_AEADS; a++) {
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            record_cipher tx = {0}, rx = {0};
            uint8_t type, *content;
            size_t clen;
            init_pair(all_aeads[a], &tx, &rx);
            size_t n = raw_record(all_aeads[a], 0, zeros, lens[i], buf);
            cr_assert_eq(record_open(&rx, buf, n - 5, REC_MAX_PLAINTEXT, &type, &content, &clen),
                         RC(R_REC_NO_CONTENT_TYPE), "aead %zu inner %zu", a, lens[i]);
            record_cipher_wipe(&tx);
            record_cipher_wipe(&rx);
        }
    }
}

/* ------------------------------------------------------------------ in place */

Test(record, in_place_matches_copying_and_overlap_is_safe)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        static uint8_t msg[3000], ref[4000], inplace[4000], shifted[4000];
        record_cipher t1 = {0}, t2 = {0}, t3 = {0}, rx = {0};
        size_t l1, l2, l3;
        fill(msg, sizeof msg, 9);
        init_pair(all_aeads[a], &t1, &rx);
        init_pair(all_aeads[a], &t2, &rx);
        init_pair(all_aeads[a], &t3, &rx);
        cr_assert_eq(record_seal(&t1, REC_APPLICATION_DATA, msg, sizeof msg, 7, ref, sizeof ref,
                                 &l1), 0);
        /* content already at out + 5, as the connection writes it */
        memcpy(inplace + REC_HEADER_LEN, msg, sizeof msg);
        cr_assert_eq(record_seal(&t2, REC_APPLICATION_DATA, inplace + REC_HEADER_LEN, sizeof msg,
                                 7, inplace, sizeof inplace, &l2), 0);
        /* content inside out but not at the body offset: the areas overlap */
        memcpy(shifted + 2, msg, sizeof msg);
        cr_assert_eq(record_seal(&t3, REC_APPLICATION_DATA, shifted + 2, sizeof msg, 7, shifted,
                                 sizeof shifted, &l3), 0);
        cr_assert_eq(l1, l2);
        cr_assert_eq(l1, l3);
        cr_assert_eq(memcmp(ref, inplace, l1), 0);
        cr_assert_eq(memcmp(ref, shifted, l1), 0);
        record_cipher_wipe(&t1);
        record_cipher_wipe(&t2);
        record_cipher_wipe(&t3);
        record_cipher_wipe(&rx);
    }
}

/* ------------------------------------------------------------------ tampering */

/* Flipping any single bit of any byte of the header or body must fail the AEAD, leave the
 * sequence number where it was, and leave no plaintext behind. */
Test(record, every_flipped_byte_is_bad_record_mac)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        record_cipher tx = {0}, rx = {0};
        uint8_t msg[40], rec[128], work[128], type, *content;
        size_t n, clen;
        fill(msg, sizeof msg, 3);
        init_pair(all_aeads[a], &tx, &rx);
        cr_assert_eq(record_seal(&tx, REC_APPLICATION_DATA, msg, sizeof msg, 3, rec, sizeof rec,
                                 &n), 0);
        for (size_t i = 0; i < n; i++) {
            for (int bit = 0; bit < 8; bit += 7) {
                memcpy(work, rec, n);
                work[i] ^= (uint8_t)(1u << bit);
                cr_assert_eq(record_open(&rx, work, n - 5, REC_MAX_PLAINTEXT, &type, &content,
                                         &clen), RC(R_REC_BAD_MAC),
                             "aead %zu byte %zu bit %d", a, i, bit);
                cr_assert_eq(rx.seq, 0);
                for (size_t j = 0; j + 4 <= sizeof msg; j++)
                    cr_assert_neq(memcmp(work + REC_HEADER_LEN + j, msg + j, 4), 0,
                                  "plaintext left in the buffer after a failure");
            }
        }
        /* The untouched record still opens: the failures did not disturb the state. */
        memcpy(work, rec, n);
        cr_assert_eq(record_open(&rx, work, n - 5, REC_MAX_PLAINTEXT, &type, &content, &clen), 0);
        cr_assert_eq(clen, sizeof msg);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

Test(record, truncated_or_extended_body_is_bad_record_mac)
{
    record_cipher tx = {0}, rx = {0};
    uint8_t rec[128], work[128], type, *content;
    size_t n, clen;
    init_pair(AEAD_AES256_GCM, &tx, &rx);
    cr_assert_eq(record_seal(&tx, REC_HANDSHAKE, (const uint8_t *)"abcdef", 6, 0, rec,
                             sizeof rec, &n), 0);
    rec[n] = 0;
    for (size_t len = 0; len <= n - 5 + 1; len++) {
        if (len == n - 5)
            continue;
        memcpy(work, rec, n + 1);
        cr_assert_eq(record_open(&rx, work, len, REC_MAX_PLAINTEXT, &type, &content, &clen),
                     len < CRYPTO_AEAD_TAG_LEN ? RC(R_REC_SHORTER_THAN_TAG) : RC(R_REC_BAD_MAC), "body length %zu", len);
    }
    cr_assert_eq(rx.seq, 0);
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
}

Test(record, wrong_key_or_iv_is_bad_record_mac)
{
    record_cipher tx = {0}, rx = {0};
    uint8_t key[CRYPTO_AEAD_KEY_MAX], iv[CRYPTO_AEAD_NONCE_LEN], rec[64], work[64], type,
        *content;
    size_t n, clen;
    test_key(AEAD_AES128_GCM, key);
    cr_assert_eq(record_cipher_init(&tx, AEAD_AES128_GCM, key, test_iv), 0);
    cr_assert_eq(record_seal(&tx, REC_HANDSHAKE, (const uint8_t *)"abc", 3, 0, rec, sizeof rec,
                             &n), 0);

    key[15] ^= 1;
    cr_assert_eq(record_cipher_init(&rx, AEAD_AES128_GCM, key, test_iv), 0);
    memcpy(work, rec, n);
    cr_assert_eq(record_open(&rx, work, n - 5, REC_MAX_PLAINTEXT, &type, &content, &clen),
                 RC(R_REC_BAD_MAC));

    key[15] ^= 1;
    memcpy(iv, test_iv, sizeof iv);
    iv[0] ^= 0x80; /* a byte the sequence number never touches */
    cr_assert_eq(record_cipher_init(&rx, AEAD_AES128_GCM, key, iv), 0);
    memcpy(work, rec, n);
    cr_assert_eq(record_open(&rx, work, n - 5, REC_MAX_PLAINTEXT, &type, &content, &clen),
                 RC(R_REC_BAD_MAC));
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
}

/* ------------------------------------------------------------------ sequence numbers */

Test(record, reordered_and_replayed_records_fail)
{
    record_cipher tx = {0}, rx = {0};
    uint8_t r0[64], r1[64], work[64], type, *content;
    size_t n0, n1, clen;
    init_pair(AEAD_CHACHA20_POLY1305, &tx, &rx);
    cr_assert_eq(record_seal(&tx, REC_APPLICATION_DATA, (const uint8_t *)"zero", 4, 0, r0,
                             sizeof r0, &n0), 0);
    cr_assert_eq(record_seal(&tx, REC_APPLICATION_DATA, (const uint8_t *)"one!", 4, 0, r1,
                             sizeof r1, &n1), 0);
    cr_assert_neq(memcmp(r0 + 5, r1 + 5, n0 - 5), 0, "same plaintext shape, fresh nonce");

    memcpy(work, r1, n1);
    cr_assert_eq(record_open(&rx, work, n1 - 5, REC_MAX_PLAINTEXT, &type, &content, &clen),
                 RC(R_REC_BAD_MAC), "record 1 presented as record 0");
    memcpy(work, r0, n0);
    cr_assert_eq(record_open(&rx, work, n0 - 5, REC_MAX_PLAINTEXT, &type, &content, &clen), 0);
    cr_assert_eq(memcmp(content, "zero", 4), 0);
    memcpy(work, r0, n0);
    cr_assert_eq(record_open(&rx, work, n0 - 5, REC_MAX_PLAINTEXT, &type, &content, &clen),
                 RC(R_REC_BAD_MAC), "replay of record 0");
    memcpy(work, r1, n1);
    cr_assert_eq(record_open(&rx, work, n1 - 5, REC_MAX_PLAINTEXT, &type, &content, &clen), 0);
    cr_assert_eq(memcmp(content, "one!", 4), 0);
    cr_assert_eq(rx.seq, 2);
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
}

/* The nonce is the IV XOR the sequence number in the low 8 bytes (s.5.3): a record sealed
 * at a large sequence number equals one built with an independently computed nonce. */
Test(record, nonce_is_iv_xor_sequence_number)
{
    static const uint64_t seqs[] = {0, 1, 0x100, UINT64_C(0x0123456789abcdef),
                                    UINT64_MAX - 1};
    for (size_t a = 0; a < N_AEADS; a++) {
        for (size_t s = 0; s < sizeof seqs / sizeof seqs[0]; s++) {
            record_cipher tx = {0}, rx = {0};
            uint8_t inner[6] = {'n', 'o', 'n', 'c', 'e', REC_HANDSHAKE}, want[64], got[64];
            size_t n;
            init_pair(all_aeads[a], &tx, &rx);
            tx.seq = seqs[s];
            size_t wn = raw_record(all_aeads[a], seqs[s], inner, sizeof inner, want);
            cr_assert_eq(record_seal(&tx, REC_HANDSHAKE, inner, 5, 0, got, sizeof got, &n), 0);
            cr_assert_eq(n, wn);
            cr_assert_eq(memcmp(got, want, n), 0, "aead %zu seq %zu", a, s);
            record_cipher_wipe(&tx);
            record_cipher_wipe(&rx);
        }
    }
}

/* s.5.3: sequence numbers never wrap. The last usable number is 2^64 - 2; after it both
 * directions refuse instead of reusing a nonce. */
Test(record, sequence_number_exhaustion)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        record_cipher tx = {0}, rx = {0};
        uint8_t buf[64], type, *content;
        size_t n, clen;
        init_pair(all_aeads[a], &tx, &rx);
        tx.seq = rx.seq = UINT64_MAX - 2;
        for (int i = 0; i < 2; i++) {
            cr_assert_eq(record_seal(&tx, REC_APPLICATION_DATA, (const uint8_t *)"end", 3, 0, buf,
                                     sizeof buf, &n), 0);
            cr_assert_eq(record_open(&rx, buf, n - 5, REC_MAX_PLAINTEXT, &type, &content, &clen),
                         0);
        }
        cr_assert_eq(tx.seq, UINT64_MAX);
        cr_assert_eq(rx.seq, UINT64_MAX);
        memset(buf, 0x5a, sizeof buf);
        cr_assert_eq(record_seal(&tx, REC_APPLICATION_DATA, (const uint8_t *)"end", 3, 0, buf,
                                 sizeof buf, &n), -1);
        cr_assert_eq(tx.seq, UINT64_MAX, "no wrap to 0");
        cr_assert_eq(buf[0], 0x5a, "nothing written");

        /* A record the peer built with the would-be next number (2^64 - 1) is refused. */
        uint8_t inner[4] = {'e', 'n', 'd', REC_APPLICATION_DATA};
        n = raw_record(all_aeads[a], UINT64_MAX, inner, sizeof inner, buf);
        cr_assert_eq(record_open(&rx, buf, n - 5, REC_MAX_PLAINTEXT, &type, &content, &clen),
                     RC(R_REC_SEQ_EXHAUSTED));
        /* ... and so is the one a wrapping sender would reuse (seq 0). */
        n = raw_record(all_aeads[a], 0, inner, sizeof inner, buf);
        cr_assert_eq(record_open(&rx, buf, n - 5, REC_MAX_PLAINTEXT, &type, &content, &clen),
                     RC(R_REC_SEQ_EXHAUSTED));
        cr_assert_eq(rx.seq, UINT64_MAX);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

/* ------------------------------------------------------------------ limits */

Test(record, seal_size_bounds)
{
    static uint8_t msg[REC_MAX_PLAINTEXT + 1], buf[BIG];
    record_cipher tx = {0}, rx = {0};
    size_t n = 0;
    init_pair(AEAD_AES128_GCM, &tx, &rx);
    /* s.5.4: TLSInnerPlaintext (content + type + padding) MUST NOT exceed 2^14 + 1. */
    cr_assert_eq(record_seal(&tx, 23, msg, REC_MAX_PLAINTEXT, 0, buf, sizeof buf, &n), 0);
    cr_assert_eq(n, REC_HEADER_LEN + REC_MAX_PLAINTEXT + 1 + CRYPTO_AEAD_TAG_LEN);
    cr_assert_eq(record_seal(&tx, 23, msg, REC_MAX_PLAINTEXT + 1, 0, buf, sizeof buf, &n), -1);
    cr_assert_eq(record_seal(&tx, 23, msg, REC_MAX_PLAINTEXT, 1, buf, sizeof buf, &n), -1);
    cr_assert_eq(record_seal(&tx, 23, msg, 0, REC_MAX_PLAINTEXT, buf, sizeof buf, &n), 0);
    cr_assert_eq(record_seal(&tx, 23, msg, 0, REC_MAX_PLAINTEXT + 1, buf, sizeof buf, &n), -1);
    cr_assert_eq(record_seal(&tx, 23, msg, 100, REC_MAX_PLAINTEXT - 100, buf, sizeof buf, &n),
                 0);
    cr_assert_eq(record_seal(&tx, 23, msg, 100, REC_MAX_PLAINTEXT - 99, buf, sizeof buf, &n),
                 -1);
    /* Sizes that would wrap a size_t sum. */
    cr_assert_eq(record_seal(&tx, 23, msg, 1, SIZE_MAX, buf, sizeof buf, &n), -1);
    cr_assert_eq(record_seal(&tx, 23, msg, SIZE_MAX, 1, buf, sizeof buf, &n), -1);
    cr_assert_eq(tx.seq, 3, "refused records use no sequence number");

    /* The output buffer must hold the whole record, exactly. */
    size_t need = record_sealed_len(50, 5);
    cr_assert_eq(record_seal(&tx, 23, msg, 50, 5, buf, need - 1, &n), -1);
    cr_assert_eq(tx.seq, 3);
    cr_assert_eq(record_seal(&tx, 23, msg, 50, 5, buf, need, &n), 0);
    cr_assert_eq(n, need);
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
}

/* Opens a hand-built record of inner_len bytes (one non-zero type byte at the end) under
 * a plaintext limit; returns record_open's result. The size is checked after
 * authentication (RFC 8446 s.5.2 wants bad_record_mac for any in-bound record that does
 * not authenticate), and a refusal is fatal, so the sequence number is not checked. */
static int open_inner_of(aead_alg alg, size_t inner_len, size_t limit)
{
    static uint8_t inner[REC_MAX_CIPHERTEXT_13 + 8], buf[BIG];
    record_cipher tx = {0}, rx = {0};
    uint8_t type, *content;
    size_t clen;
    init_pair(alg, &tx, &rx);
    memset(inner, 0x41, inner_len);
    size_t n = raw_record(alg, 0, inner, inner_len, buf);
    int rc = record_open(&rx, buf, n - 5, limit, &type, &content, &clen);
    if (rc == 0) {
        cr_assert_eq(clen, inner_len - 1);
        cr_assert_eq(type, 0x41);
    }
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
    return rc;
}

Test(record, open_plaintext_limit_exact_boundaries)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        aead_alg alg = all_aeads[a];
        /* Default limit 2^14: inner plaintext up to 2^14 + 1 (s.5.4). */
        cr_assert_eq(open_inner_of(alg, REC_MAX_PLAINTEXT + 1, REC_MAX_PLAINTEXT), 0);
        cr_assert_eq(open_inner_of(alg, REC_MAX_PLAINTEXT + 2, REC_MAX_PLAINTEXT),
                     RC(R_REC_DECRYPTED_TOO_LONG));
        /* A ciphertext of exactly 2^14 + 256 is within s.5.2's bound but its plaintext is
         * too long; both are record_overflow. */
        cr_assert_eq(open_inner_of(alg, REC_MAX_CIPHERTEXT_13 - CRYPTO_AEAD_TAG_LEN,
                                   REC_MAX_PLAINTEXT), RC(R_REC_DECRYPTED_TOO_LONG));
        /* A limit above 2^14 is not honoured: the protocol maximum still applies. */
        cr_assert_eq(open_inner_of(alg, REC_MAX_PLAINTEXT + 2, SIZE_MAX),
                     RC(R_REC_DECRYPTED_TOO_LONG));
        cr_assert_eq(open_inner_of(alg, REC_MAX_PLAINTEXT + 1, SIZE_MAX), 0);
        /* record_size_limit = 512 we sent (RFC 8449 s.4): content limit 511, inner 512. */
        cr_assert_eq(open_inner_of(alg, 512, 511), 0);
        cr_assert_eq(open_inner_of(alg, 513, 511), RC(R_REC_DECRYPTED_TOO_LONG));
        /* The smallest record_size_limit, 64 (RFC 8449 s.4). */
        cr_assert_eq(open_inner_of(alg, 64, 63), 0);
        cr_assert_eq(open_inner_of(alg, 65, 63), RC(R_REC_DECRYPTED_TOO_LONG));
    }
}

/* s.5.2: a ciphertext over 2^14 + 256 is record_overflow before anything else, even with
 * garbage inside and even when the sequence number is exhausted. */
Test(record, open_ciphertext_length_bound)
{
    static uint8_t buf[BIG];
    record_cipher tx = {0}, rx = {0};
    uint8_t type, *content;
    size_t clen;
    init_pair(AEAD_AES128_GCM, &tx, &rx);
    memset(buf, 0x33, sizeof buf);
    cr_assert_eq(record_open(&rx, buf, REC_MAX_CIPHERTEXT_13 + 1, SIZE_MAX, &type, &content,
                             &clen), RC(R_REC_TOO_LONG));
    cr_assert_eq(record_open(&rx, buf, SIZE_MAX, SIZE_MAX, &type, &content, &clen),
                 RC(R_REC_TOO_LONG));
    rx.seq = UINT64_MAX;
    cr_assert_eq(record_open(&rx, buf, REC_MAX_CIPHERTEXT_13 + 1, SIZE_MAX, &type, &content,
                             &clen), RC(R_REC_TOO_LONG));
    cr_assert_eq(buf[REC_HEADER_LEN], 0x33, "buffer untouched");
    /* Within the bound, garbage is simply unauthentic. */
    rx.seq = 0;
    cr_assert_eq(record_open(&rx, buf, 100, SIZE_MAX, &type, &content, &clen),
                 RC(R_REC_BAD_MAC));
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
}

Test(record, unused_cipher_refuses)
{
    record_cipher c = {0};
    uint8_t buf[64] = {0}, type, *content;
    size_t n, clen;
    memset(&c, 0, sizeof c);
    cr_assert_eq(record_seal(&c, 23, buf + 5, 3, 0, buf, sizeof buf, &n), -1);
    cr_assert_eq(record_open(&c, buf, 20, REC_MAX_PLAINTEXT, &type, &content, &clen),
                 RC(R_REC_CIPHER_STATE));
    record_cipher_wipe(&c);
}

Test(record, wipe_clears_keys_and_state)
{
    record_cipher tx = {0}, rx = {0};
    init_pair(AEAD_AES256_GCM, &tx, &rx);
    tx.seq = 5;
    record_cipher_wipe(&tx);
    const uint8_t *p = (const uint8_t *)&tx;
    for (size_t i = 0; i < sizeof tx; i++)
        cr_assert_eq(p[i], 0, "byte %zu of the wiped cipher", i);
    uint8_t buf[64];
    size_t n;
    cr_assert_eq(record_seal(&tx, 23, buf + 5, 3, 0, buf, sizeof buf, &n), -1,
                 "a wiped cipher is inactive");
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
}

/* ------------------------------------------------------------------ RFC 8448 s.3 */

/* Reads `key` from `[section]` of the RFC 8448 transcript file and decodes its hex. Returns the length, or skips the test when the vectors are not there. */
static size_t vec_get(const char *section, const char *key, uint8_t *out, size_t cap)
{
    char path[1024], line[65536], want[128];
    snprintf(path, sizeof path, "%s/rfc8448/transcripts.vec", TLSM_VECTORS_DIR);
    FILE *f = fopen(path, "r");
    if (!f)
        cr_skip_test("RFC 8448 vectors not found at %s", path);
    snprintf(want, sizeof want, "[%s]", section);
    int in_section = 0;
    size_t n = 0;
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '[') {
            in_section = strcmp(line, want) == 0;
            continue;
        }
        size_t klen = strlen(key);
        if (!in_section || strncmp(line, key, klen) != 0 || strncmp(line + klen, " = ", 3) != 0)
            continue;
        cr_assert_eq(hex_decode_into(line + klen + 3, out, cap, &n), 0,
                     "%s: bad hex or longer than %zu bytes", key, cap);
        found = 1;
    }
    fclose(f);
    cr_assert(found, "%s not in [%s]", key, section);
    return n;
}

/* RFC 8448 s.3 prints the application traffic keys (AES-128-GCM-SHA256). */
static void rfc8448_app_cipher(int server, record_cipher *c)
{
    uint8_t key[16], iv[12];
    size_t kn, ivn;
    cr_assert_eq(hex_decode_into(server ? "9f02283b6c9c07efc26bb9f2ac92e356"
                                        : "17422dda596ed5d9acd890e3c63f5051",
                                 key, sizeof key, &kn), 0);
    cr_assert_eq(hex_decode_into(server ? "cf782b88dd83549aadf1e984" : "5b78923dee08579033e523d9",
                                 iv, sizeof iv, &ivn), 0);
    cr_assert_eq(kn, 16);
    cr_assert_eq(ivn, 12);
    cr_assert_eq(record_cipher_init(c, AEAD_AES128_GCM, key, iv), 0);
}

/* Opens a record from the file at the given sequence number, expecting type and (if want
 * is given) content. Returns the content length. */
static size_t open_vec(record_cipher *c, uint64_t seq, const char *name, uint8_t want_type,
                       const uint8_t *want, size_t want_len)
{
    static uint8_t rec[4096];
    uint8_t type, *content;
    size_t clen;
    size_t n = vec_get("Simple_1RTT_Handshake", name, rec, sizeof rec);
    cr_assert_gt(n, REC_HEADER_LEN);
    cr_assert_eq((size_t)(rec[3] << 8 | rec[4]), n - REC_HEADER_LEN, "%s framing", name);
    c->seq = seq;
    cr_assert_eq(record_open(c, rec, n - REC_HEADER_LEN, REC_MAX_PLAINTEXT, &type, &content,
                             &clen), 0, "%s at seq %llu", name, (unsigned long long)seq);
    cr_assert_eq(type, want_type, "%s type", name);
    if (want) {
        cr_assert_eq(clen, want_len, "%s length", name);
        cr_assert_eq(memcmp(content, want, want_len), 0, "%s content", name);
    }
    cr_assert_eq(c->seq, seq + 1);
    return clen;
}

/* The client's first application data record uses sequence number 0 of the client
 * application traffic key: its Finished went out under the handshake key, whose numbers
 * are separate (s.5.3: reset to 0 whenever the key changes). Its close_notify is seq 1. */
Test(record, rfc8448_client_application_records)
{
    static uint8_t data[256], rec[256], sealed[256];
    record_cipher c = {0};
    size_t dn = vec_get("Simple_1RTT_Handshake", "Client_AppData", data, sizeof data);
    cr_assert_eq(dn, 50);
    rfc8448_app_cipher(0, &c);
    open_vec(&c, 0, "Record_Client_AppData", REC_APPLICATION_DATA, data, dn);

    /* Re-sealing with the same key at seq 0 without padding reproduces the wire bytes. */
    size_t rn = vec_get("Simple_1RTT_Handshake", "Record_Client_AppData", rec, sizeof rec);
    size_t sn;
    c.seq = 0;
    cr_assert_eq(record_seal(&c, REC_APPLICATION_DATA, data, dn, 0, sealed, sizeof sealed, &sn),
                 0);
    cr_assert_eq(sn, rn);
    cr_assert_eq(memcmp(sealed, rec, rn), 0, "record_seal output differs from RFC 8448");

    /* The same record does not open at another sequence number. */
    uint8_t type, *content;
    size_t clen;
    c.seq = 1;
    cr_assert_eq(record_open(&c, rec, rn - 5, REC_MAX_PLAINTEXT, &type, &content, &clen),
                 RC(R_REC_BAD_MAC));

    static const uint8_t close_notify[2] = {1, 0}; /* warning(1), close_notify(0) */
    open_vec(&c, 1, "Record_Client_CloseNotify", REC_ALERT, close_notify, 2);
    record_cipher_wipe(&c);
}

/* The server sends its NewSessionTicket first under the application key (seq 0), so its
 * application data is seq 1 and its close_notify seq 2. */
Test(record, rfc8448_server_application_records)
{
    static uint8_t data[256], rec[256], sealed[256];
    record_cipher c = {0};
    size_t dn = vec_get("Simple_1RTT_Handshake", "Server_AppData", data, sizeof data);
    rfc8448_app_cipher(1, &c);
    size_t tn = open_vec(&c, 0, "Record_NewSessionTicket", REC_HANDSHAKE, NULL, 0);
    cr_assert_gt(tn, 4);
    open_vec(&c, 1, "Record_Server_AppData", REC_APPLICATION_DATA, data, dn);

    size_t rn = vec_get("Simple_1RTT_Handshake", "Record_Server_AppData", rec, sizeof rec);
    size_t sn;
    c.seq = 1;
    cr_assert_eq(record_seal(&c, REC_APPLICATION_DATA, data, dn, 0, sealed, sizeof sealed, &sn),
                 0);
    cr_assert_eq(sn, rn);
    cr_assert_eq(memcmp(sealed, rec, rn), 0, "record_seal output differs from RFC 8448");

    static const uint8_t close_notify[2] = {1, 0};
    open_vec(&c, 2, "Record_Server_CloseNotify", REC_ALERT, close_notify, 2);
    record_cipher_wipe(&c);
}

/* The NewSessionTicket content is the handshake message itself: type 4, 24-bit length. */
Test(record, rfc8448_new_session_ticket_content)
{
    static uint8_t rec[512];
    record_cipher c = {0};
    uint8_t type, *content;
    size_t clen;
    rfc8448_app_cipher(1, &c);
    size_t n = vec_get("Simple_1RTT_Handshake", "Record_NewSessionTicket", rec, sizeof rec);
    cr_assert_eq(record_open(&c, rec, n - 5, REC_MAX_PLAINTEXT, &type, &content, &clen), 0);
    cr_assert_eq(type, REC_HANDSHAKE);
    cr_assert_eq(content[0], 4, "new_session_ticket");
    cr_assert_eq((size_t)(content[1] << 16 | content[2] << 8 | content[3]), clen - 4);
    record_cipher_wipe(&c);
}
