/*
 * test_record12.c - TLS 1.2 AEAD record protection (core/src/record/record12.c): round
 * trips over AES-128/256-GCM and ChaCha20-Poly1305, known answers built here from first
 * principles (nonce and additional data assembled by the test, RFC 5246 s.6.2.3.3,
 * RFC 5288 s.3, RFC 7905 s.2), records captured from OpenSSL and GnuTLS, tamper detection
 * on every byte, the explicit nonce, sequence numbers, the size limits at their exact
 * boundaries, in-place operation and the separation from TLS 1.3 ciphers.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "hex.h"
#include "reason.h"
#include "record/record.h"

static const aead_alg all_aeads[] = {AEAD_AES128_GCM, AEAD_AES256_GCM, AEAD_CHACHA20_POLY1305};
#define N_AEADS (sizeof all_aeads / sizeof all_aeads[0])

/* Room for any record the tests build, even with a length field of up to 0xffff. */
#define BIG (REC_HEADER_LEN + 0x10000 + 64)

static const uint8_t test_iv[CRYPTO_AEAD_NONCE_LEN] = {0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5,
                                                       0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb};

static int is_gcm(aead_alg alg)
{
    return alg != AEAD_CHACHA20_POLY1305;
}

/* Bytes between the header and the ciphertext: the explicit nonce (RFC 5288 s.3). */
static size_t explicit_len(aead_alg alg)
{
    return is_gcm(alg) ? 8 : 0;
}

static void test_key(aead_alg alg, uint8_t key[CRYPTO_AEAD_KEY_MAX])
{
    for (size_t i = 0; i < CRYPTO_AEAD_KEY_MAX; i++)
        key[i] = (uint8_t)(0x21 + 5 * i + 3 * alg);
}

static void init_pair(aead_alg alg, record_cipher *tx, record_cipher *rx)
{
    uint8_t key[CRYPTO_AEAD_KEY_MAX];
    test_key(alg, key);
    cr_assert_eq(record_cipher_init12(tx, alg, key, test_iv), 0);
    cr_assert_eq(record_cipher_init12(rx, alg, key, test_iv), 0);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + 29 * i + (i >> 8));
}

static void put_be64(uint8_t *out, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* Builds a TLS 1.2 record with the AEAD directly, without the code under test: the
 * record's sequence number goes into the additional data, and for AES-GCM `explicit` is
 * the 8-byte nonce_explicit written into the record (any value the sender chose). The
 * plaintext may be of any length, so receivers can be shown records no honest sender
 * makes. Returns the whole record length. */
static size_t raw12_record(aead_alg alg, const uint8_t *key, const uint8_t *iv, uint64_t seq,
                           uint64_t explicit_nonce, uint8_t type, const uint8_t *plain,
                           size_t plain_len, uint8_t *out)
{
    uint8_t nonce[12], aad[13];
    crypto_aead_ctx ctx;
    cr_assert_eq(crypto_aead_init(&ctx, alg, key), 0);
    size_t ex = explicit_len(alg);
    if (is_gcm(alg)) {
        /* RFC 5288 s.3: GCMNonce = salt[4] || nonce_explicit[8]. */
        memcpy(nonce, iv, 4);
        put_be64(nonce + 4, explicit_nonce);
        put_be64(out + REC_HEADER_LEN, explicit_nonce);
    } else {
        /* RFC 7905 s.2: iv XOR (0x00000000 || seq big-endian). */
        uint8_t padded[12] = {0};
        put_be64(padded + 4, seq);
        for (int i = 0; i < 12; i++)
            nonce[i] = iv[i] ^ padded[i];
    }
    /* RFC 5246 s.6.2.3.3: seq_num || type || version || length of the plaintext. */
    put_be64(aad, seq);
    aad[8] = type;
    aad[9] = 3;
    aad[10] = 3;
    aad[11] = (uint8_t)(plain_len >> 8);
    aad[12] = (uint8_t)plain_len;

    size_t body = ex + plain_len + 16;
    out[0] = type;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)(body >> 8);
    out[4] = (uint8_t)body;
    if (plain_len)
        memmove(out + REC_HEADER_LEN + ex, plain, plain_len);
    crypto_aead_seal(&ctx, nonce, aad, sizeof aad, out + REC_HEADER_LEN + ex, plain_len,
                     out + REC_HEADER_LEN + ex);
    crypto_aead_wipe(&ctx);
    return REC_HEADER_LEN + body;
}

/* raw12_record with the test key and iv and the sequence number as explicit nonce. */
static size_t raw12_std(aead_alg alg, uint64_t seq, uint8_t type, const uint8_t *plain,
                        size_t plain_len, uint8_t *out)
{
    uint8_t key[CRYPTO_AEAD_KEY_MAX];
    test_key(alg, key);
    return raw12_record(alg, key, test_iv, seq, seq, type, plain, plain_len, out);
}

static size_t body_len(const uint8_t *rec)
{
    return (size_t)(rec[3] << 8 | rec[4]);
}

static void setup(void)
{
    cr_assert_eq(crypto_init(), 0);
}

TestSuite(record12, .init = setup);

/* ------------------------------------------------------------------ sizes and round trips */

Test(record12, sizes_and_offsets)
{
    cr_assert_eq(record12_content_offset(AEAD_AES128_GCM), 13);
    cr_assert_eq(record12_content_offset(AEAD_AES256_GCM), 13);
    cr_assert_eq(record12_content_offset(AEAD_CHACHA20_POLY1305), 5);
    cr_assert_eq(record12_content_offset((aead_alg)77), 0);
    cr_assert_eq(record12_sealed_len(AEAD_AES128_GCM, 0), 5 + 8 + 16);
    cr_assert_eq(record12_sealed_len(AEAD_AES256_GCM, 100), 5 + 8 + 100 + 16);
    cr_assert_eq(record12_sealed_len(AEAD_CHACHA20_POLY1305, 100), 5 + 100 + 16);
    cr_assert_eq(record12_sealed_len(AEAD_CHACHA20_POLY1305, REC_MAX_PLAINTEXT),
                 5 + REC_MAX_PLAINTEXT + 16);
    cr_assert_eq(record12_sealed_len(AEAD_AES128_GCM, REC_MAX_PLAINTEXT + 1), 0);
    cr_assert_eq(record12_sealed_len(AEAD_AES128_GCM, SIZE_MAX), 0);
    cr_assert_eq(record12_sealed_len((aead_alg)77, 10), 0);
}

Test(record12, round_trip_every_aead_and_size)
{
    static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 1000, 4096, REC_MAX_PLAINTEXT - 1,
                                   REC_MAX_PLAINTEXT};
    static uint8_t msg[REC_MAX_PLAINTEXT], buf[BIG];
    static const uint8_t types[] = {REC_HANDSHAKE, REC_APPLICATION_DATA, REC_ALERT,
                                    REC_CHANGE_CIPHER_SPEC};
    for (size_t a = 0; a < N_AEADS; a++) {
        aead_alg alg = all_aeads[a];
        record_cipher tx = {0}, rx = {0};
        init_pair(alg, &tx, &rx);
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s], out_len = 0;
            uint8_t type = types[s % sizeof types];
            fill(msg, n, (uint8_t)(a + s));
            cr_assert_eq(record12_seal(&tx, type, msg, n, buf, sizeof buf, &out_len), 0);
            cr_assert_eq(out_len, record12_sealed_len(alg, n));
            cr_assert_eq(out_len, REC_HEADER_LEN + explicit_len(alg) + n + CRYPTO_AEAD_TAG_LEN);
            /* RFC 5246 s.6.2.3: the header carries the real type, 0x0303, the length. */
            cr_assert_eq(buf[0], type);
            cr_assert_eq(buf[1], 0x03);
            cr_assert_eq(buf[2], 0x03);
            cr_assert_eq(body_len(buf), out_len - REC_HEADER_LEN);
            if (n >= 16)
                cr_assert_neq(memcmp(buf + record12_content_offset(alg), msg, n), 0,
                              "not encrypted");

            uint8_t *content = NULL;
            size_t clen = 1;
            cr_assert_eq(record12_open(&rx, buf, out_len - REC_HEADER_LEN, REC_MAX_PLAINTEXT,
                                       &content, &clen), 0, "aead %zu size %zu", a, n);
            cr_assert_eq(clen, n);
            cr_assert_eq(content, buf + record12_content_offset(alg), "decrypted in place");
            cr_assert_eq(memcmp(content, msg, n), 0);
        }
        cr_assert_eq(tx.seq, 10);
        cr_assert_eq(rx.seq, 10);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

Test(record12, algorithms_do_not_cross_open)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        for (size_t b = 0; b < N_AEADS; b++) {
            if (a == b)
                continue;
            record_cipher tx = {0}, rx = {0}, unused = {0};
            uint8_t buf[128], *content;
            size_t out_len, clen;
            init_pair(all_aeads[a], &tx, &unused);
            init_pair(all_aeads[b], &unused, &rx);
            cr_assert_eq(record12_seal(&tx, REC_HANDSHAKE, (const uint8_t *)"hello world", 11,
                                       buf, sizeof buf, &out_len), 0);
            cr_assert_eq(record12_open(&rx, buf, out_len - 5, REC_MAX_PLAINTEXT, &content,
                                       &clen), RC(R_REC_BAD_MAC), "%zu -> %zu", a, b);
            record_cipher_wipe(&tx);
            record_cipher_wipe(&rx);
            record_cipher_wipe(&unused);
        }
    }
}

/* ------------------------------------------------------------------ known answers */

/* record12_seal equals the record assembled above from the RFCs, over several sequence
 * numbers (the high bytes matter: they sit in the nonce and the additional data), types
 * and lengths; and the hand-built record opens. */
Test(record12, seal_matches_first_principles)
{
    static const uint64_t seqs[] = {0, 1, 0xff, 0x100, UINT64_C(0x0102030405060708),
                                    UINT64_C(0xfedcba9876543210), UINT64_MAX - 1};
    static const size_t lens[] = {0, 1, 37, 300};
    static uint8_t msg[300], want[512], got[512];
    fill(msg, sizeof msg, 0x5c);
    for (size_t a = 0; a < N_AEADS; a++) {
        for (size_t s = 0; s < sizeof seqs / sizeof seqs[0]; s++) {
            for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
                record_cipher tx = {0}, rx = {0};
                uint8_t type = (uint8_t)(REC_CHANGE_CIPHER_SPEC + (s + l) % 4), *content;
                size_t n, clen;
                init_pair(all_aeads[a], &tx, &rx);
                tx.seq = rx.seq = seqs[s];
                size_t wn = raw12_std(all_aeads[a], seqs[s], type, msg, lens[l], want);
                cr_assert_eq(record12_seal(&tx, type, msg, lens[l], got, sizeof got, &n), 0);
                cr_assert_eq(n, wn);
                cr_assert_eq(memcmp(got, want, n), 0, "aead %zu seq %zu len %zu", a, s, l);
                cr_assert_eq(record12_open(&rx, want, wn - 5, REC_MAX_PLAINTEXT, &content,
                                           &clen), 0);
                cr_assert_eq(clen, lens[l]);
                cr_assert_eq(memcmp(content, msg, clen), 0);
                record_cipher_wipe(&tx);
                record_cipher_wipe(&rx);
            }
        }
    }
}

/* RFC 5288 s.3 lets the sender choose any nonce_explicit that is unique under the key; a
 * receiver must use the one in the record. Ours is the sequence number. */
Test(record12, explicit_nonce_is_sequence_number_and_any_is_accepted)
{
    static const uint64_t seqs[] = {0, 1, 2, 0x1234, UINT64_C(0x8000000000000001),
                                    UINT64_MAX - 1};
    for (size_t a = 0; a < 2; a++) {
        aead_alg alg = all_aeads[a];
        for (size_t s = 0; s < sizeof seqs / sizeof seqs[0]; s++) {
            record_cipher tx = {0}, rx = {0};
            uint8_t buf[64], want[8];
            size_t n;
            init_pair(alg, &tx, &rx);
            tx.seq = seqs[s];
            cr_assert_eq(record12_seal(&tx, REC_APPLICATION_DATA, (const uint8_t *)"x", 1, buf,
                                       sizeof buf, &n), 0);
            put_be64(want, seqs[s]);
            cr_assert_eq(memcmp(buf + REC_HEADER_LEN, want, 8), 0, "seq %zu", s);
            record_cipher_wipe(&tx);
            record_cipher_wipe(&rx);
        }
        /* A peer's random explicit nonce, unrelated to the sequence number, opens. */
        uint8_t key[CRYPTO_AEAD_KEY_MAX], buf[64], *content;
        size_t clen;
        record_cipher rx = {0};
        test_key(alg, key);
        cr_assert_eq(record_cipher_init12(&rx, alg, key, test_iv), 0);
        rx.seq = 3;
        size_t n = raw12_record(alg, key, test_iv, 3, UINT64_C(0x9e3779b97f4a7c15), 23,
                                (const uint8_t *)"random", 6, buf);
        cr_assert_eq(record12_open(&rx, buf, n - 5, REC_MAX_PLAINTEXT, &content, &clen), 0);
        cr_assert_eq(clen, 6);
        cr_assert_eq(memcmp(content, "random", 6), 0);
        /* ... but the sequence number still counts: it is in the additional data. */
        rx.seq = 3;
        n = raw12_record(alg, key, test_iv, 4, 3, 23, (const uint8_t *)"random", 6, buf);
        cr_assert_eq(record12_open(&rx, buf, n - 5, REC_MAX_PLAINTEXT, &content, &clen),
                     RC(R_REC_BAD_MAC));
        record_cipher_wipe(&rx);
    }
}

/* Records captured on loopback from real TLS 1.2 stacks, client to server, with the
 * client_write key and IV derived from the session's key log (CLIENT_RANDOM line) with the
 * RFC 5246 s.5 PRF and s.6.3 key_block layout. Each is the client's first application
 * data record: sequence number 1 (its Finished was 0). No published TLS 1.2 AEAD record
 * example with keys was found (RFC 5288 and RFC 7905 have none), so these stand in.
 * GnuTLS 3.7.9 sends the sequence number as nonce_explicit, so record12_seal must
 * reproduce its records byte for byte; OpenSSL 3.0.19 starts nonce_explicit at a random
 * value (and counts up), so its AES-GCM records can only be opened. */
typedef struct {
    const char *name;
    aead_alg alg;
    const char *key, *iv, *record, *plaintext;
    int seq_is_explicit; /* 1 when re-sealing must reproduce the record */
} captured_record;

static const char msg_openssl[] =
    "746c736d20544c5320312e32207265636f726420746573743a2068656c6c6f2066726f6d20616e204f70656e"
    "53534c20636c69656e74";
static const char msg_gnutls[] =
    "746c736d20544c5320312e32207265636f726420746573743a2068656c6c6f2066726f6d206120476e75544c"
    "5320636c69656e740a";

static const captured_record captured[] = {
    {"GnuTLS ECDHE-ECDSA-AES128-GCM-SHA256", AEAD_AES128_GCM,
     "e02429132376873197a15ced32376ea9", "f659a994",
     "170303004d00000000000000013d0ace8e65f24e936d5267a972178aa83851a5523f2406372e6a5469707c"
     "039f671b1a26687acf1d0af615bdf55a90e81b3c7e455033db9d6d100bf3328922d11f63649869",
     msg_gnutls, 1},
    {"GnuTLS ECDHE-ECDSA-AES256-GCM-SHA384", AEAD_AES256_GCM,
     "284dddbca2e6d1836d55c602641e5f060f5a6900f72d6a6762da90b68bb43907", "cf5f6920",
     "170303004d0000000000000001432568c8aa8fcae429a57dde55f5fced21d50c5dfc5b9b5709b9fe028a2e"
     "32ff51ec0489e0a6194e86db7de720e7a2dd9518c991479ba2d1d985152722e5b10ebaade583a5",
     msg_gnutls, 1},
    {"GnuTLS ECDHE-ECDSA-CHACHA20-POLY1305", AEAD_CHACHA20_POLY1305,
     "f3fa148d87a2fbec68e84d8d19aa1300bfaba281ed03ef3f4af4930cded3bbdb",
     "09a4000b19465fdbff33e7b7",
     "17030300454583e856bfef3a3b9019e161ec5712d462d187f0bcf6046f2b6305131691842328f71a9fec50"
     "4948cf102f203f9b65761e4625bc452f9adec1ed29418900befc5f7507c736",
     msg_gnutls, 1},
    {"OpenSSL ECDHE-ECDSA-AES128-GCM-SHA256", AEAD_AES128_GCM,
     "88f379447dd393ee960e2b760d394c80", "6e959906",
     "170303004e408834b6e94c89002075fd4bdfc1877e25256f27a2bcdbbab549fc345f76c3141922108e1804"
     "2ad42dd336070e34d17eec4dc37d492f2dc20dd6a7304111d1e5aa45824a39ac36173576c7684b17",
     msg_openssl, 0},
    {"OpenSSL ECDHE-ECDSA-AES256-GCM-SHA384", AEAD_AES256_GCM,
     "8aaa89469bbf6e3c8ebf44a888d0f93797373d2751ab9fcb7e31f1139b77528a", "2460db17",
     "170303004e210875ab7b5dd80e00d70523dfe06807597aaf855edac3ca6ea1c8adb09fc026029378a8e24a"
     "c8a9edbd75342fd5089cdc5fd91f836e6d11abc96d88f6a2a36d2d95cb7978804992faa4161f90cf",
     msg_openssl, 0},
    {"OpenSSL ECDHE-ECDSA-CHACHA20-POLY1305", AEAD_CHACHA20_POLY1305,
     "e11a16334c1f9e9fbc0b402d45b05f2b17bc29937e27dfcc3c482ce21abd4d13",
     "c748966b4d98eb9eaa194bdf",
     "17030300469b194a8ce26e77c3972bfd503c87ea87bd4d1f7148ad96c36530d6f1140e745228f3cd054a88"
     "96090317d70f1b6e2942e0baaa5d96cb69abba8b1d4cea7f365d2ae1d5c3bce8",
     msg_openssl, 1},
};

Test(record12, records_captured_from_gnutls_and_openssl)
{
    for (size_t v = 0; v < sizeof captured / sizeof captured[0]; v++) {
        const captured_record *cv = &captured[v];
        uint8_t key[32], iv[12], rec[256], work[256], plain[128], sealed[256], *content;
        size_t kn, ivn, rn, pn, clen, sn;
        record_cipher c = {0};
        cr_assert_eq(hex_decode_into(cv->key, key, sizeof key, &kn), 0);
        cr_assert_eq(hex_decode_into(cv->iv, iv, sizeof iv, &ivn), 0);
        cr_assert_eq(hex_decode_into(cv->record, rec, sizeof rec, &rn), 0);
        cr_assert_eq(hex_decode_into(cv->plaintext, plain, sizeof plain, &pn), 0);
        cr_assert_eq(kn, crypto_aead_key_len(cv->alg));
        cr_assert_eq(ivn, is_gcm(cv->alg) ? 4u : 12u);
        cr_assert_eq(body_len(rec), rn - 5);

        cr_assert_eq(record_cipher_init12(&c, cv->alg, key, iv), 0);
        c.seq = 1;
        memcpy(work, rec, rn);
        cr_assert_eq(record12_open(&c, work, rn - 5, REC_MAX_PLAINTEXT, &content, &clen), 0,
                     "%s", cv->name);
        cr_assert_eq(clen, pn, "%s", cv->name);
        cr_assert_eq(memcmp(content, plain, pn), 0, "%s", cv->name);
        cr_assert_eq(c.seq, 2);

        /* At any other sequence number the record does not open. */
        c.seq = 0;
        memcpy(work, rec, rn);
        cr_assert_eq(record12_open(&c, work, rn - 5, REC_MAX_PLAINTEXT, &content, &clen),
                     RC(R_REC_BAD_MAC), "%s", cv->name);

        c.seq = 1;
        cr_assert_eq(record12_seal(&c, REC_APPLICATION_DATA, plain, pn, sealed, sizeof sealed,
                                   &sn), 0);
        cr_assert_eq(sn, rn);
        if (cv->seq_is_explicit)
            cr_assert_eq(memcmp(sealed, rec, rn), 0, "%s: record12_seal differs", cv->name);
        else
            cr_assert_eq(memcmp(sealed, rec, REC_HEADER_LEN), 0, "%s header", cv->name);
        record_cipher_wipe(&c);
    }
}

/* ------------------------------------------------------------------ tampering */

/* Flipping a bit of any byte other than the length field must fail the AEAD, leave the
 * sequence number where it was and leave no plaintext behind. The type and version are in
 * the additional data, the explicit nonce in the nonce. */
Test(record12, every_flipped_byte_is_bad_record_mac)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        aead_alg alg = all_aeads[a];
        record_cipher tx = {0}, rx = {0};
        uint8_t msg[40], rec[128], work[128], *content;
        size_t n, clen;
        fill(msg, sizeof msg, 3);
        init_pair(alg, &tx, &rx);
        cr_assert_eq(record12_seal(&tx, REC_APPLICATION_DATA, msg, sizeof msg, rec, sizeof rec,
                                   &n), 0);
        for (size_t i = 0; i < n; i++) {
            if (i == 3 || i == 4)
                continue; /* the length field: next test */
            for (int bit = 0; bit < 8; bit++) {
                memcpy(work, rec, n);
                work[i] ^= (uint8_t)(1u << bit);
                cr_assert_eq(record12_open(&rx, work, n - 5, REC_MAX_PLAINTEXT, &content,
                                           &clen), RC(R_REC_BAD_MAC),
                             "aead %zu byte %zu bit %d", a, i, bit);
                cr_assert_eq(rx.seq, 0);
                for (size_t j = 0; j + 4 <= sizeof msg; j++)
                    cr_assert_neq(memcmp(work + record12_content_offset(alg) + j, msg + j, 4),
                                  0, "plaintext left in the buffer after a failure");
            }
        }
        memcpy(work, rec, n);
        cr_assert_eq(record12_open(&rx, work, n - 5, REC_MAX_PLAINTEXT, &content, &clen), 0);
        cr_assert_eq(clen, sizeof msg);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

/* A changed length field makes the connection frame a different record: whatever bytes
 * follow, it fails as bad_record_mac, or record_overflow when the new length is over a
 * bound (ciphertext or plaintext); it never opens. */
Test(record12, tampered_length_field_never_opens)
{
    static uint8_t rec[BIG], work[BIG];
    for (size_t a = 0; a < N_AEADS; a++) {
        record_cipher tx = {0}, rx = {0};
        uint8_t *content;
        size_t n, clen;
        init_pair(all_aeads[a], &tx, &rx);
        memset(rec, 0xa5, sizeof rec);
        cr_assert_eq(record12_seal(&tx, REC_APPLICATION_DATA, (const uint8_t *)"length", 6, rec,
                                   sizeof rec, &n), 0);
        for (size_t i = 3; i <= 4; i++) {
            for (int bit = 0; bit < 8; bit++) {
                memcpy(work, rec, sizeof work);
                work[i] ^= (uint8_t)(1u << bit);
                size_t len = body_len(work);
                int rc = record12_open(&rx, work, len, REC_MAX_PLAINTEXT, &content, &clen);
                size_t overhead = explicit_len(all_aeads[a]) + CRYPTO_AEAD_TAG_LEN;
                if (len > REC_MAX_CIPHERTEXT_12 ||
                    (len >= overhead && len - overhead > REC_MAX_PLAINTEXT))
                    cr_assert_eq(rc, len > REC_MAX_CIPHERTEXT_12 ? RC(R_REC_TOO_LONG) : RC(R_REC_DECRYPTED_TOO_LONG), "byte %zu bit %d", i, bit);
                else
                    cr_assert_eq(rc, len < overhead ? RC(R_REC_SHORTER_THAN_TAG) : RC(R_REC_BAD_MAC), "aead %zu byte %zu bit %d", a,
                                 i, bit);
                cr_assert_eq(rx.seq, 0);
            }
        }
        /* A caller passing a length other than the header's is refused outright. */
        memcpy(work, rec, n);
        cr_assert_eq(record12_open(&rx, work, n - 6, REC_MAX_PLAINTEXT, &content, &clen),
                     RC(R_REC_CIPHER_STATE));
        cr_assert_eq(record12_open(&rx, work, n - 4, REC_MAX_PLAINTEXT, &content, &clen),
                     RC(R_REC_CIPHER_STATE));
        cr_assert_eq(record12_open(&rx, work, n - 5, REC_MAX_PLAINTEXT, &content, &clen), 0);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

/* Every body length other than the right one (with a header that agrees) is
 * bad_record_mac, including those too short for explicit nonce + tag: no decode_error,
 * so a short record tells the sender nothing a bad tag would not. */
Test(record12, truncated_or_extended_body_is_bad_record_mac)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        record_cipher tx = {0}, rx = {0};
        uint8_t rec[128], work[128], *content;
        size_t n, clen;
        init_pair(all_aeads[a], &tx, &rx);
        memset(rec, 0, sizeof rec);
        cr_assert_eq(record12_seal(&tx, REC_HANDSHAKE, (const uint8_t *)"abcdef", 6, rec,
                                   sizeof rec, &n), 0);
        for (size_t len = 0; len <= n - 5 + 2; len++) {
            if (len == n - 5)
                continue;
            memcpy(work, rec, sizeof work);
            work[3] = (uint8_t)(len >> 8);
            work[4] = (uint8_t)len;
            cr_assert_eq(record12_open(&rx, work, len, REC_MAX_PLAINTEXT, &content, &clen),
                         len < explicit_len(all_aeads[a]) + CRYPTO_AEAD_TAG_LEN ? RC(R_REC_SHORTER_THAN_TAG) : RC(R_REC_BAD_MAC), "aead %zu body length %zu", a, len);
        }
        cr_assert_eq(rx.seq, 0);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

Test(record12, wrong_key_salt_or_iv_is_bad_record_mac)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        aead_alg alg = all_aeads[a];
        record_cipher tx = {0}, rx = {0};
        uint8_t key[CRYPTO_AEAD_KEY_MAX], iv[CRYPTO_AEAD_NONCE_LEN], rec[64], work[64],
            *content;
        size_t n, clen;
        test_key(alg, key);
        cr_assert_eq(record_cipher_init12(&tx, alg, key, test_iv), 0);
        cr_assert_eq(record12_seal(&tx, REC_HANDSHAKE, (const uint8_t *)"abc", 3, rec,
                                   sizeof rec, &n), 0);

        key[0] ^= 1;
        cr_assert_eq(record_cipher_init12(&rx, alg, key, test_iv), 0);
        memcpy(work, rec, n);
        cr_assert_eq(record12_open(&rx, work, n - 5, REC_MAX_PLAINTEXT, &content, &clen),
                     RC(R_REC_BAD_MAC));
        key[0] ^= 1;

        /* Every byte of the salt (GCM) or of the iv (ChaCha20) is used. */
        size_t iv_len = is_gcm(alg) ? 4 : 12;
        for (size_t i = 0; i < iv_len; i++) {
            memcpy(iv, test_iv, sizeof iv);
            iv[i] ^= 0x40;
            cr_assert_eq(record_cipher_init12(&rx, alg, key, iv), 0);
            memcpy(work, rec, n);
            cr_assert_eq(record12_open(&rx, work, n - 5, REC_MAX_PLAINTEXT, &content, &clen),
                         RC(R_REC_BAD_MAC), "aead %zu iv byte %zu", a, i);
        }
        /* For GCM only the 4-byte salt is read: bytes past it make no difference. */
        if (is_gcm(alg)) {
            memcpy(iv, test_iv, sizeof iv);
            iv[4] ^= 0xff;
            iv[11] ^= 0xff;
            cr_assert_eq(record_cipher_init12(&rx, alg, key, iv), 0);
            memcpy(work, rec, n);
            cr_assert_eq(record12_open(&rx, work, n - 5, REC_MAX_PLAINTEXT, &content, &clen),
                         0);
        }
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

/* ------------------------------------------------------------------ sequence numbers */

Test(record12, reordered_and_replayed_records_fail)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        record_cipher tx = {0}, rx = {0};
        uint8_t r0[64], r1[64], work[64], *content;
        size_t n0, n1, clen;
        init_pair(all_aeads[a], &tx, &rx);
        cr_assert_eq(record12_seal(&tx, REC_APPLICATION_DATA, (const uint8_t *)"zero", 4, r0,
                                   sizeof r0, &n0), 0);
        cr_assert_eq(record12_seal(&tx, REC_APPLICATION_DATA, (const uint8_t *)"one!", 4, r1,
                                   sizeof r1, &n1), 0);
        memcpy(work, r1, n1);
        cr_assert_eq(record12_open(&rx, work, n1 - 5, REC_MAX_PLAINTEXT, &content, &clen),
                     RC(R_REC_BAD_MAC), "record 1 presented as record 0");
        memcpy(work, r0, n0);
        cr_assert_eq(record12_open(&rx, work, n0 - 5, REC_MAX_PLAINTEXT, &content, &clen), 0);
        cr_assert_eq(memcmp(content, "zero", 4), 0);
        memcpy(work, r0, n0);
        cr_assert_eq(record12_open(&rx, work, n0 - 5, REC_MAX_PLAINTEXT, &content, &clen),
                     RC(R_REC_BAD_MAC), "replay of record 0");
        memcpy(work, r1, n1);
        cr_assert_eq(record12_open(&rx, work, n1 - 5, REC_MAX_PLAINTEXT, &content, &clen), 0);
        cr_assert_eq(memcmp(content, "one!", 4), 0);
        cr_assert_eq(rx.seq, 2);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

/* RFC 5246 s.6.1: sequence numbers never wrap. The last usable number is 2^64 - 2; after
 * it both directions refuse instead of reusing a nonce (GCM) or additional data. */
Test(record12, sequence_number_exhaustion)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        aead_alg alg = all_aeads[a];
        record_cipher tx = {0}, rx = {0};
        uint8_t buf[64], *content;
        size_t n, clen;
        init_pair(alg, &tx, &rx);
        tx.seq = rx.seq = UINT64_MAX - 2;
        for (int i = 0; i < 2; i++) {
            cr_assert_eq(record12_seal(&tx, REC_APPLICATION_DATA, (const uint8_t *)"end", 3, buf,
                                       sizeof buf, &n), 0);
            cr_assert_eq(record12_open(&rx, buf, n - 5, REC_MAX_PLAINTEXT, &content, &clen), 0);
        }
        cr_assert_eq(tx.seq, UINT64_MAX);
        cr_assert_eq(rx.seq, UINT64_MAX);
        memset(buf, 0x5a, sizeof buf);
        cr_assert_eq(record12_seal(&tx, REC_APPLICATION_DATA, (const uint8_t *)"end", 3, buf,
                                   sizeof buf, &n), -1);
        cr_assert_eq(tx.seq, UINT64_MAX, "no wrap to 0");
        for (size_t i = 0; i < sizeof buf; i++)
            cr_assert_eq(buf[i], 0x5a, "nothing written");

        /* Records a peer would build with 2^64 - 1 or, wrapping, with 0 are refused. */
        n = raw12_std(alg, UINT64_MAX, REC_APPLICATION_DATA, (const uint8_t *)"end", 3, buf);
        cr_assert_eq(record12_open(&rx, buf, n - 5, REC_MAX_PLAINTEXT, &content, &clen),
                     RC(R_REC_SEQ_EXHAUSTED));
        n = raw12_std(alg, 0, REC_APPLICATION_DATA, (const uint8_t *)"end", 3, buf);
        cr_assert_eq(record12_open(&rx, buf, n - 5, REC_MAX_PLAINTEXT, &content, &clen),
                     RC(R_REC_SEQ_EXHAUSTED));
        cr_assert_eq(rx.seq, UINT64_MAX);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

/* ------------------------------------------------------------------ limits */

Test(record12, seal_size_bounds)
{
    static uint8_t msg[REC_MAX_PLAINTEXT + 1], buf[BIG];
    for (size_t a = 0; a < N_AEADS; a++) {
        aead_alg alg = all_aeads[a];
        record_cipher tx = {0}, rx = {0};
        size_t n = 0;
        init_pair(alg, &tx, &rx);
        /* RFC 5246 s.6.2.1: TLSPlaintext.length MUST NOT exceed 2^14. */
        cr_assert_eq(record12_seal(&tx, 23, msg, REC_MAX_PLAINTEXT, buf, sizeof buf, &n), 0);
        cr_assert_eq(n, record12_sealed_len(alg, REC_MAX_PLAINTEXT));
        cr_assert_eq(record12_seal(&tx, 23, msg, REC_MAX_PLAINTEXT + 1, buf, sizeof buf, &n),
                     -1);
        cr_assert_eq(record12_seal(&tx, 23, msg, SIZE_MAX, buf, sizeof buf, &n), -1);
        cr_assert_eq(tx.seq, 1, "refused records use no sequence number");

        /* The output buffer must hold the whole record, exactly. */
        size_t need = record12_sealed_len(alg, 50);
        memset(buf, 0x77, need);
        cr_assert_eq(record12_seal(&tx, 23, msg, 50, buf, need - 1, &n), -1);
        cr_assert_eq(buf[0], 0x77, "nothing written");
        cr_assert_eq(tx.seq, 1);
        cr_assert_eq(record12_seal(&tx, 23, msg, 50, buf, need, &n), 0);
        cr_assert_eq(n, need);
        cr_assert_eq(record12_seal(&tx, 23, NULL, 0, buf, record12_sealed_len(alg, 0), &n), 0);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

/* Opens a hand-built record with plain_len bytes of plaintext under a limit; a refusal by
 * size must neither use a sequence number nor touch the buffer. */
static int open_plain_of(aead_alg alg, size_t plain_len, size_t limit)
{
    static uint8_t plain[0x10000], buf[BIG], copy[BIG];
    record_cipher tx = {0}, rx = {0};
    uint8_t *content;
    size_t clen;
    init_pair(alg, &tx, &rx);
    memset(plain, 0x41, plain_len);
    size_t n = raw12_std(alg, 0, REC_APPLICATION_DATA, plain, plain_len, buf);
    memcpy(copy, buf, n);
    int rc = record12_open(&rx, buf, n - 5, limit, &content, &clen);
    if (rc == RC(R_REC_DECRYPTED_TOO_LONG)) {
        cr_assert_eq(rx.seq, 0);
        cr_assert_eq(memcmp(copy, buf, n), 0);
    } else if (rc == 0) {
        cr_assert_eq(clen, plain_len);
        cr_assert_eq(rx.seq, 1);
    }
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
    return rc;
}

Test(record12, open_plaintext_limit_exact_boundaries)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        aead_alg alg = all_aeads[a];
        cr_assert_eq(open_plain_of(alg, REC_MAX_PLAINTEXT, REC_MAX_PLAINTEXT), 0);
        cr_assert_eq(open_plain_of(alg, REC_MAX_PLAINTEXT + 1, REC_MAX_PLAINTEXT),
                     RC(R_REC_DECRYPTED_TOO_LONG));
        /* A limit above 2^14 is not honoured. */
        cr_assert_eq(open_plain_of(alg, REC_MAX_PLAINTEXT, SIZE_MAX), 0);
        cr_assert_eq(open_plain_of(alg, REC_MAX_PLAINTEXT + 1, SIZE_MAX),
                     RC(R_REC_DECRYPTED_TOO_LONG));
        /* A ciphertext of exactly 2^14 + 2048 is within s.6.2.3's bound, but its plaintext
         * is over 2^14: record_overflow all the same. */
        size_t at_bound = REC_MAX_CIPHERTEXT_12 - explicit_len(alg) - CRYPTO_AEAD_TAG_LEN;
        cr_assert_eq(open_plain_of(alg, at_bound, SIZE_MAX), RC(R_REC_DECRYPTED_TOO_LONG));
        cr_assert_eq(open_plain_of(alg, at_bound + 1, SIZE_MAX), RC(R_REC_TOO_LONG));
        /* record_size_limit = 512 we sent: in TLS 1.2 it bounds the plaintext (RFC 8449
         * s.4), no type byte to allow for. */
        cr_assert_eq(open_plain_of(alg, 512, 512), 0);
        cr_assert_eq(open_plain_of(alg, 513, 512), RC(R_REC_DECRYPTED_TOO_LONG));
        cr_assert_eq(open_plain_of(alg, 0, 0), 0);
        cr_assert_eq(open_plain_of(alg, 1, 0), RC(R_REC_DECRYPTED_TOO_LONG));
    }
}

/* Sizes decide before any cryptography: over 2^14 + 2048 is record_overflow even with
 * garbage inside and an exhausted sequence number; the shortest bodies are bad_record_mac;
 * a body of exactly explicit nonce + tag is an empty record. */
Test(record12, open_ciphertext_length_bounds)
{
    static uint8_t buf[BIG];
    for (size_t a = 0; a < N_AEADS; a++) {
        aead_alg alg = all_aeads[a];
        record_cipher tx = {0}, rx = {0};
        static const size_t over[] = {REC_MAX_CIPHERTEXT_12 + 1, REC_MAX_CIPHERTEXT_12 + 2,
                                      40000, 0xffff};
        uint8_t *content;
        size_t clen, len;
        init_pair(alg, &tx, &rx);
        memset(buf, 0x33, sizeof buf);
        for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
            len = over[i];
            buf[3] = (uint8_t)(len >> 8);
            buf[4] = (uint8_t)len;
            cr_assert_eq(record12_open(&rx, buf, len, SIZE_MAX, &content, &clen),
                         RC(R_REC_TOO_LONG), "length %zu", len);
        }
        rx.seq = UINT64_MAX;
        len = REC_MAX_CIPHERTEXT_12 + 1;
        buf[3] = (uint8_t)(len >> 8);
        buf[4] = (uint8_t)len;
        cr_assert_eq(record12_open(&rx, buf, len, SIZE_MAX, &content, &clen),
                     RC(R_REC_TOO_LONG));
        cr_assert_eq(buf[REC_HEADER_LEN], 0x33, "buffer untouched");

        /* Garbage of plaintext length 2^14 + 1 is refused by length, not by its tag. */
        rx.seq = 0;
        len = explicit_len(alg) + REC_MAX_PLAINTEXT + 1 + CRYPTO_AEAD_TAG_LEN;
        buf[3] = (uint8_t)(len >> 8);
        buf[4] = (uint8_t)len;
        cr_assert_eq(record12_open(&rx, buf, len, SIZE_MAX, &content, &clen),
                     RC(R_REC_DECRYPTED_TOO_LONG));
        /* ... and within the bounds it is simply unauthentic. */
        len--;
        buf[3] = (uint8_t)(len >> 8);
        buf[4] = (uint8_t)len;
        cr_assert_eq(record12_open(&rx, buf, len, SIZE_MAX, &content, &clen),
                     RC(R_REC_BAD_MAC));

        /* The shortest body that can be authentic: explicit nonce + tag, no content. */
        size_t min = explicit_len(alg) + CRYPTO_AEAD_TAG_LEN;
        size_t n = raw12_std(alg, 0, REC_ALERT, NULL, 0, buf);
        cr_assert_eq(n, REC_HEADER_LEN + min);
        cr_assert_eq(record12_open(&rx, buf, min, SIZE_MAX, &content, &clen), 0);
        cr_assert_eq(clen, 0);
        for (len = 0; len < min; len++) {
            buf[3] = 0;
            buf[4] = (uint8_t)len;
            cr_assert_eq(record12_open(&rx, buf, len, SIZE_MAX, &content, &clen),
                         RC(R_REC_SHORTER_THAN_TAG), "body %zu", len);
        }
        cr_assert_eq(rx.seq, 1);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
    }
}

/* ------------------------------------------------------------------ in place */

/* Content already at out + record12_content_offset (the connection writes it there), or
 * copied from elsewhere, or overlapping the header or the body area: the same record. */
Test(record12, in_place_matches_copying_and_overlap_is_safe)
{
    for (size_t a = 0; a < N_AEADS; a++) {
        aead_alg alg = all_aeads[a];
        static uint8_t msg[3000], ref[4000], inplace[4000], before[4000], after[4000];
        record_cipher t1 = {0}, t2 = {0}, t3 = {0}, t4 = {0}, rx = {0};
        size_t l1, l2, l3, l4;
        size_t off = record12_content_offset(alg);
        fill(msg, sizeof msg, 9);
        init_pair(alg, &t1, &rx);
        init_pair(alg, &t2, &rx);
        init_pair(alg, &t3, &rx);
        init_pair(alg, &t4, &rx);
        cr_assert_eq(record12_seal(&t1, REC_APPLICATION_DATA, msg, sizeof msg, ref, sizeof ref,
                                   &l1), 0);
        memcpy(inplace + off, msg, sizeof msg);
        cr_assert_eq(record12_seal(&t2, REC_APPLICATION_DATA, inplace + off, sizeof msg,
                                   inplace, sizeof inplace, &l2), 0);
        memcpy(before + 2, msg, sizeof msg); /* overlaps the header and explicit nonce */
        cr_assert_eq(record12_seal(&t3, REC_APPLICATION_DATA, before + 2, sizeof msg, before,
                                   sizeof before, &l3), 0);
        memcpy(after + off + 7, msg, sizeof msg); /* overlaps the body, further on */
        cr_assert_eq(record12_seal(&t4, REC_APPLICATION_DATA, after + off + 7, sizeof msg,
                                   after, sizeof after, &l4), 0);
        cr_assert_eq(l1, l2);
        cr_assert_eq(l1, l3);
        cr_assert_eq(l1, l4);
        cr_assert_eq(memcmp(ref, inplace, l1), 0);
        cr_assert_eq(memcmp(ref, before, l1), 0);
        cr_assert_eq(memcmp(ref, after, l1), 0);
        record_cipher_wipe(&t1);
        record_cipher_wipe(&t2);
        record_cipher_wipe(&t3);
        record_cipher_wipe(&t4);
        record_cipher_wipe(&rx);
    }
}

/* ------------------------------------------------------------------ cipher state */

/* A cipher belongs to one version: TLS 1.3 ciphers (and unset or wiped ones) are refused
 * by the TLS 1.2 functions, and record_cipher_init still makes a TLS 1.3 cipher. */
Test(record12, version_separation_and_unusable_ciphers)
{
    uint8_t key[CRYPTO_AEAD_KEY_MAX], buf[64] = {0}, *content;
    size_t n, clen;
    record_cipher c = {0};
    test_key(AEAD_AES128_GCM, key);

    cr_assert_eq(record_cipher_init(&c, AEAD_AES128_GCM, key, test_iv), 0);
    cr_assert_eq(c.nonce_style, REC_NONCE_TLS13);
    cr_assert_eq(record12_seal(&c, 23, buf + 13, 3, buf, sizeof buf, &n), -1);
    buf[3] = 0;
    buf[4] = 30;
    cr_assert_eq(record12_open(&c, buf, 30, REC_MAX_PLAINTEXT, &content, &clen),
                 RC(R_REC_CIPHER_STATE));
    cr_assert_eq(c.seq, 0);
    cr_assert_eq(record_seal(&c, 23, (const uint8_t *)"tls13", 5, 0, buf, sizeof buf, &n), 0);
    cr_assert_eq(buf[0], REC_APPLICATION_DATA);

    record_cipher_wipe(&c); /* frees the AEAD state and leaves the cipher unset */
    cr_assert_eq(record12_seal(&c, 23, buf + 13, 3, buf, sizeof buf, &n), -1);
    cr_assert_eq(record12_open(&c, buf, 30, REC_MAX_PLAINTEXT, &content, &clen),
                 RC(R_REC_CIPHER_STATE));

    cr_assert_eq(record_cipher_init12(&c, AEAD_CHACHA20_POLY1305, key, test_iv), 0);
    cr_assert_eq(c.nonce_style, REC_NONCE_TLS12_XOR);
    cr_assert_eq(record_cipher_init12(&c, AEAD_AES256_GCM, key, test_iv), 0);
    cr_assert_eq(c.nonce_style, REC_NONCE_TLS12_EXPLICIT);
    /* The salt is kept, the rest of iv is zero (init12 read only 4 bytes). */
    cr_assert_eq(memcmp(c.iv, test_iv, 4), 0);
    for (size_t i = 4; i < sizeof c.iv; i++)
        cr_assert_eq(c.iv[i], 0);
    record_cipher_wipe(&c);
    const uint8_t *p = (const uint8_t *)&c;
    for (size_t i = 0; i < sizeof c; i++)
        cr_assert_eq(p[i], 0, "byte %zu of the wiped cipher", i);
    cr_assert_eq(record12_seal(&c, 23, buf + 13, 3, buf, sizeof buf, &n), -1,
                 "a wiped cipher is inactive");

    /* A failed init leaves no usable cipher behind, even over a working one. */
    cr_assert_eq(record_cipher_init12(&c, AEAD_AES128_GCM, key, test_iv), 0);
    cr_assert_eq(record_cipher_init12(&c, (aead_alg)77, key, test_iv), -1);
    cr_assert_eq(c.active, 0);
    cr_assert_eq(record12_seal(&c, 23, buf + 13, 3, buf, sizeof buf, &n), -1);
    record_cipher_wipe(&c);
}
