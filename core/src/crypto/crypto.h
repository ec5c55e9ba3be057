/*
 * crypto.h - the internal crypto provider of tlsm.
 *
 * Everything above this layer (record, handshake, pki) calls only these functions; only the
 * files in core/src/crypto/ include sodium.h or the Nettle headers. Which library backs which
 * primitive follows DESIGN.md: X25519, Ed25519, ChaCha20-Poly1305, random and wiping from
 * libsodium; SHA-2, HMAC, HKDF, AES-GCM, ECDH/ECDSA on P-256/P-384 and RSA from Nettle;
 * ML-KEM-768 from libsodium 1.0.21+ or tlsm's own over Nettle's SHA-3.
 *
 * Context structs are opaque fixed-size storage so that callers can embed them without
 * seeing the library types (the implementation checks the sizes at compile time).
 * Functions returning int return 0 on success and a negative value on failure.
 */
#ifndef TLSM_CRYPTO_H
#define TLSM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "tlsm.h"

/* ------------------------------------------------------------------ random */

typedef struct {
    tlsm_rng_fn fn; /* NULL: libsodium randombytes_buf */
    void *ctx;
} crypto_rng;

/* Fills out with random bytes from rng (or the system source if rng or rng->fn is NULL). */
int crypto_random(const crypto_rng *rng, uint8_t *out, size_t len);

/* ------------------------------------------------------------------ hashes */

typedef enum { HASH_SHA256 = 0, HASH_SHA384 = 1, HASH_SHA512 = 2 } hash_alg;

#define CRYPTO_HASH_MAX 64
#define CRYPTO_HASH_BLOCK_MAX 128

typedef struct {
    hash_alg alg;
    _Alignas(16) uint8_t state[256];
} crypto_hash_ctx; /* copyable by assignment (transcript snapshots) */

size_t crypto_hash_len(hash_alg alg);
void crypto_hash_init(crypto_hash_ctx *ctx, hash_alg alg);
void crypto_hash_update(crypto_hash_ctx *ctx, const uint8_t *data, size_t len);
/* Writes crypto_hash_len bytes. The context must be re-initialised afterwards. */
void crypto_hash_final(crypto_hash_ctx *ctx, uint8_t *out);
void crypto_hash(hash_alg alg, const uint8_t *data, size_t len, uint8_t *out);

void crypto_hmac(hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data,
                 size_t len, uint8_t *out);
/* HKDF (RFC 5869). extract writes crypto_hash_len(alg) bytes; a NULL salt means zeros. */
void crypto_hkdf_extract(hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                         size_t ikm_len, uint8_t *prk);
/* Fails if out_len > 255 * hash length. */
int crypto_hkdf_expand(hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                       size_t info_len, uint8_t *out, size_t out_len);

/* ------------------------------------------------------------------ AEAD */

typedef enum { AEAD_AES128_GCM = 0, AEAD_AES256_GCM = 1, AEAD_CHACHA20_POLY1305 = 2 } aead_alg;

#define CRYPTO_AEAD_NONCE_LEN 12
#define CRYPTO_AEAD_TAG_LEN 16
#define CRYPTO_AEAD_KEY_MAX 32

typedef struct {
    aead_alg alg;
    _Alignas(16) uint8_t state[4608]; /* expanded key (AES + GHASH table) or raw key */
} crypto_aead_ctx;

size_t crypto_aead_key_len(aead_alg alg);
/* Bytes of a crypto_aead_ctx that the provider uses for alg (from the start of the struct,
 * at most sizeof(crypto_aead_ctx)), 0 for an unknown alg: a long-lived context (a record
 * cipher) may be allocated with just this size, e.g. 4.4 KB for AES-GCM (key schedule and
 * GHASH table) and 48 bytes for ChaCha20-Poly1305 (the key). Such a context must be wiped
 * with crypto_aead_wipe_size, never with crypto_aead_wipe. */
size_t crypto_aead_ctx_size(aead_alg alg);
int crypto_aead_init(crypto_aead_ctx *ctx, aead_alg alg, const uint8_t *key);
/* Encrypts len bytes of in to out and appends the 16-byte tag (out needs len + 16).
 * in and out may be the same buffer. */
void crypto_aead_seal(crypto_aead_ctx *ctx, const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
                      const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                      uint8_t *out);
/* Decrypts len bytes (ciphertext followed by the tag, len >= 16) to out (len - 16 bytes),
 * checking the tag in constant time. in and out may be the same buffer. Returns 0 or -1;
 * on failure out is wiped. */
int crypto_aead_open(crypto_aead_ctx *ctx, const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
                     const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                     uint8_t *out);
void crypto_aead_wipe(crypto_aead_ctx *ctx);
/* Wipes the first size bytes of ctx (crypto_aead_ctx_size of its alg). */
void crypto_aead_wipe_size(crypto_aead_ctx *ctx, size_t size);

/* ------------------------------------------------------------------ key exchange */

/* Groups use the TLS NamedGroup codes (TLSM_GROUP_*): X25519, secp256r1, secp384r1 and the
 * RFC 7919 finite-field groups ffdhe2048 and ffdhe3072. */
#ifndef TLSM_GROUP_FFDHE2048
#define TLSM_GROUP_FFDHE2048 0x0100
#endif
#ifndef TLSM_GROUP_FFDHE3072
#define TLSM_GROUP_FFDHE3072 0x0101
#endif
#ifndef TLSM_GROUP_X25519MLKEM768
#define TLSM_GROUP_X25519MLKEM768 0x11ec
#define TLSM_GROUP_SECP256R1MLKEM768 0x11eb
#define TLSM_GROUP_MLKEM768 0x0201
#endif
#ifndef TLSM_GROUP_MLKEM1024
#define TLSM_GROUP_SECP384R1MLKEM1024 0x11ed
#define TLSM_GROUP_MLKEM1024 0x0202
#endif
#ifndef TLSM_GROUP_MODP2048 /* RFC 3526, private-use values (tlsm.h) */
#define TLSM_GROUP_MODP2048 0xfe08
#define TLSM_GROUP_MODP3072 0xfe0c
#define TLSM_GROUP_MODP4096 0xfe10
#define TLSM_GROUP_MODP6144 0xfe18
#define TLSM_GROUP_MODP8192 0xfe20
#endif

/* Our private part of a key share: an ML-KEM-1024 decapsulation key (3168 bytes) and a
 * P-384 scalar for SecP384r1MLKEM1024; the RFC 3526 8192-bit exponent is 78 bytes. Key
 * shares are allocated to their group's size (crypto_kex_priv_len); these maxima size
 * stack buffers only. */
#define CRYPTO_KEX_PRIV_MAX (3168 + 48)
/* A public share: SecP384r1MLKEM1024's (97 + 1568 bytes either way); an 8192-bit MODP
 * value is 1024, a P-384 point 97. */
#define CRYPTO_KEX_PUB_MAX 1665
/* The largest TLS 1.2 (classical: EC or finite-field) public value, an 8192-bit MODP one:
 * what a TLS 1.2 handshake keeps of a ServerKeyExchange. */
#define CRYPTO_KEX_DH_PUB_MAX 1024
#define CRYPTO_KEX_SHARED_MAX 1024 /* an 8192-bit MODP shared secret (a hybrid's is 64) */
#define CRYPTO_EC_POINT_MAX 97    /* an uncompressed P-384 point */

/* 1 for the groups a TLS peer may name (key_share, supported_groups, TLS 1.2 curves). */
int crypto_kex_supported(uint16_t group);
/* 1 for the ML-KEM groups (hybrid or pure, 768 or 1024): TLS 1.3 only. */
int crypto_kex_is_kem(uint16_t group);
/* Size of our private part of a key share for group (what crypto_kex_keygen writes to
 * priv), 0 if unsupported. */
size_t crypto_kex_priv_len(uint16_t group);
/* 1 for a finite-field group: RFC 7919 (named) or RFC 3526 (TLSM_GROUP_MODP*). */
int crypto_kex_is_ffdhe(uint16_t group);
/* Public key length on the wire for group (32, 65, 97, or the prime's length for finite
 * fields), 0 if unsupported. */
size_t crypto_kex_pub_len(uint16_t group);
/* Generates a key pair, drawing the private key from rng: X25519 takes 32 bytes as the
 * private key (as RFC 8448 traces expect); NIST curves draw scalar-sized bytes and retry
 * while out of range; FFDHE draws a 256-bit (ffdhe2048) or 320-bit (ffdhe3072) exponent
 * (RFC 7919 s.5.2, see ffdhe_groups.c) and writes the public value left-padded to the
 * prime's length (RFC 8446 s.4.2.8.1). */
int crypto_kex_keygen(uint16_t group, const crypto_rng *rng, uint8_t *priv, uint8_t *pub,
                      size_t *pub_len);
/* Computes the shared secret with the peer's public value, validating it (length, point on
 * curve, uncompressed form only; X25519 rejects an all-zero result; FFDHE requires exactly
 * the prime's length and 1 < Y < p-1). Writes the x-coordinate (NIST), the 32-byte result
 * (X25519) or g^xy mod p left-padded to the prime's length (FFDHE, as TLS 1.3 wants it,
 * RFC 8446 s.7.4.1). For an ML-KEM group this is the client's side: peer_pub is the
 * server's share (ciphertext, and the classical share of a hybrid), decapsulated with the
 * key crypto_kex_keygen made. */
int crypto_kex_shared(uint16_t group, const uint8_t *priv, const uint8_t *peer_pub,
                      size_t peer_len, uint8_t *shared, size_t *shared_len);
/* The server's side of a TLS 1.3 key share: from the client's share, our share (written to
 * pub) and the shared secret. (EC)DHE: a fresh key pair and the agreement; ML-KEM:
 * encapsulation to the client's key (FIPS 203 s.7.2 checks) and, for a hybrid, the
 * classical agreement beside it, in the draft's order. Returns 0, CRYPTO_KEX_BAD_SHARE for
 * a share that fails a check (the caller answers illegal_parameter) or CRYPTO_KEX_FAILED
 * (rng or primitive failure); nothing secret is left behind. */
#define CRYPTO_KEX_BAD_SHARE (-1)
#define CRYPTO_KEX_FAILED (-2)
int crypto_kex_respond(uint16_t group, const crypto_rng *rng, const uint8_t *peer_pub,
                       size_t peer_len, uint8_t *pub, size_t *pub_len, uint8_t *shared,
                       size_t *shared_len);
/* The same for a TLS 1.2 premaster secret. FFDHE: the peer's dh_Y may come without its
 * leading zero bytes (any length up to the prime's), and the leading zero bytes of the
 * result are stripped (RFC 5246 s.8.1.2). ECDHE groups give the same bytes as
 * crypto_kex_shared (RFC 8422 s.5.10 keeps the x-coordinate's full length). */
int crypto_kex_shared_tls12(uint16_t group, const uint8_t *priv, const uint8_t *peer_pub,
                            size_t peer_len, uint8_t *shared, size_t *shared_len);

/* TLS 1.2 ServerKeyExchange carries explicit DH parameters (RFC 5246 s.7.4.3). Returns 0
 * and the group code if p and g (big-endian, leading zero bytes ignored) are exactly one
 * of the RFC 7919 groups or the RFC 3526 groups of 2048 bits and more (TLSM_GROUP_MODP*);
 * -1 for anything else, so weak or custom parameters are refused (RFC 7919 s.3, client
 * behaviour: such a client ends the handshake with an insufficient_security alert). */
int crypto_dh_params_check(const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
                           uint16_t *group);
/* The server side: points p and g at the group's parameters as sent in ServerKeyExchange
 * (minimal big-endian). Returns 0, or -1 if group is not an FFDHE group tlsm supports. */
int crypto_dh_params(uint16_t group, const uint8_t **p, size_t *p_len, const uint8_t **g,
                     size_t *g_len);

/* ------------------------------------------------------------------ ML-KEM */

/* ML-KEM (FIPS 203) in the two parameter sets TLS uses: ML-KEM-768, the post-quantum half
 * of X25519MLKEM768 and SecP256r1MLKEM768 and the whole of MLKEM768, and ML-KEM-1024, the
 * same for SecP384r1MLKEM1024 and MLKEM1024. ML-KEM-768 is libsodium's where the
 * libsodium tlsm is built against has one (1.0.21+), otherwise tlsm's own (mlkem_*.c);
 * ML-KEM-1024 is always tlsm's own. crypto_mlkem_backend() names the implementation. */
typedef enum { CRYPTO_MLKEM768, CRYPTO_MLKEM1024 } crypto_mlkem_set;

/* Sizes in bytes. The seed, message and shared secret are the same in both sets. */
#define CRYPTO_MLKEM_SEED_LEN 64     /* d || z, the key-generation randomness */
#define CRYPTO_MLKEM_MSG_LEN 32      /* m, the encapsulation randomness */
#define CRYPTO_MLKEM_SS_LEN 32       /* shared secret */
#define CRYPTO_MLKEM768_EK_LEN 1184  /* encapsulation key (the client's key share) */
#define CRYPTO_MLKEM768_DK_LEN 2400  /* decapsulation key, FIPS 203's expanded form */
#define CRYPTO_MLKEM768_CT_LEN 1088  /* ciphertext (the server's key share) */
#define CRYPTO_MLKEM1024_EK_LEN 1568
#define CRYPTO_MLKEM1024_DK_LEN 3168
#define CRYPTO_MLKEM1024_CT_LEN 1568
#define CRYPTO_MLKEM_EK_MAX CRYPTO_MLKEM1024_EK_LEN
#define CRYPTO_MLKEM_DK_MAX CRYPTO_MLKEM1024_DK_LEN
#define CRYPTO_MLKEM_CT_MAX CRYPTO_MLKEM1024_CT_LEN
/* The names ML-KEM-768 code used before ML-KEM-1024 came. */
#define CRYPTO_MLKEM768_SEED_LEN CRYPTO_MLKEM_SEED_LEN
#define CRYPTO_MLKEM768_MSG_LEN CRYPTO_MLKEM_MSG_LEN
#define CRYPTO_MLKEM768_SS_LEN CRYPTO_MLKEM_SS_LEN

/* The sizes of set's encapsulation key, decapsulation key and ciphertext; 0 for a value
 * that names no set. */
size_t crypto_mlkem_ek_len(crypto_mlkem_set set);
size_t crypto_mlkem_dk_len(crypto_mlkem_set set);
size_t crypto_mlkem_ct_len(crypto_mlkem_set set);

/* Key generation: draws the 64-byte seed from rng (the system source if rng is NULL),
 * then as crypto_mlkem_keygen_from_seed. The seed is wiped. Returns 0, or -1 if the rng
 * fails (nothing written then). ek and dk have the set's sizes. */
int crypto_mlkem_keygen(crypto_mlkem_set set, const crypto_rng *rng, uint8_t *ek,
                        uint8_t *dk);
/* ML-KEM.KeyGen_internal(d, z) from seed = d || z: writes the encapsulation key and the
 * decapsulation key (dk_PKE || ek || H(ek) || z). The same seed always gives the same
 * keys. Returns 0, or -1 if seed_len is not 64 (nothing written then). */
int crypto_mlkem_keygen_from_seed(crypto_mlkem_set set, const uint8_t *seed, size_t seed_len,
                                  uint8_t *ek, uint8_t *dk);
/* Encapsulation to a peer's key: checks ek first (exactly the set's length, 1184 or 1568,
 * and the FIPS 203 s.7.2 modulus check: every coefficient below q), then draws the 32-byte
 * m from rng and writes the ciphertext (the set's length) and the shared secret. Returns
 * 0, or -1 for a key that fails the checks (a TLS caller answers illegal_parameter) or an
 * rng failure; on failure nothing is written to ct and ss is zero. */
int crypto_mlkem_encaps(crypto_mlkem_set set, const crypto_rng *rng, const uint8_t *ek,
                        size_t ek_len, uint8_t *ct, uint8_t ss[CRYPTO_MLKEM_SS_LEN]);
/* Decapsulation with our key: checks the lengths (ct and dk exactly the set's) and the
 * FIPS 203 s.7.3 hash check of dk, and returns -1 (ss zero) if any fails. Otherwise
 * always returns 0: a ciphertext that is not a valid encapsulation still yields a key
 * (implicit rejection, J(z || c)) that the peer cannot know, chosen in constant time, so
 * a forged ciphertext shows up only as a later Finished mismatch. */
int crypto_mlkem_decaps(crypto_mlkem_set set, const uint8_t *dk, size_t dk_len,
                        const uint8_t *ct, size_t ct_len, uint8_t ss[CRYPTO_MLKEM_SS_LEN]);
/* The FIPS 203 s.7.2 encapsulation-key check alone (length and modulus), for a caller
 * that wants to reject a bad key share before doing anything else: 0 or -1. */
int crypto_mlkem_ek_check(crypto_mlkem_set set, const uint8_t *ek, size_t ek_len);
/* Names the implementation in use for set ("libsodium", "tlsm (FIPS 203 over Nettle
 * SHA-3)", or "none" when the provider table has no ML-KEM). */
const char *crypto_mlkem_backend(crypto_mlkem_set set);

/* ML-KEM-768 by the names it had before ML-KEM-1024 came: the same functions. */
static inline int crypto_mlkem768_keygen(const crypto_rng *rng, uint8_t *ek, uint8_t *dk)
{
    return crypto_mlkem_keygen(CRYPTO_MLKEM768, rng, ek, dk);
}
static inline int crypto_mlkem768_keygen_from_seed(const uint8_t *seed, size_t seed_len,
                                                   uint8_t *ek, uint8_t *dk)
{
    return crypto_mlkem_keygen_from_seed(CRYPTO_MLKEM768, seed, seed_len, ek, dk);
}
static inline int crypto_mlkem768_encaps(const crypto_rng *rng, const uint8_t *ek,
                                         size_t ek_len, uint8_t *ct, uint8_t *ss)
{
    return crypto_mlkem_encaps(CRYPTO_MLKEM768, rng, ek, ek_len, ct, ss);
}
static inline int crypto_mlkem768_decaps(const uint8_t *dk, size_t dk_len, const uint8_t *ct,
                                         size_t ct_len, uint8_t *ss)
{
    return crypto_mlkem_decaps(CRYPTO_MLKEM768, dk, dk_len, ct, ct_len, ss);
}
static inline int crypto_mlkem768_ek_check(const uint8_t *ek, size_t ek_len)
{
    return crypto_mlkem_ek_check(CRYPTO_MLKEM768, ek, ek_len);
}
static inline const char *crypto_mlkem768_backend(void)
{
    return crypto_mlkem_backend(CRYPTO_MLKEM768);
}

/* ------------------------------------------------------------------ signatures */

typedef enum {
    PK_NONE = 0,
    PK_RSA,          /* rsaEncryption key (PKCS#1 v1.5 or PSS signatures) */
    PK_RSA_PSS,      /* id-RSASSA-PSS key (PSS signatures only) */
    PK_EC_P256,
    PK_EC_P384,
    PK_ED25519
} pk_type;

/* A public key whose bytes are borrowed from elsewhere (usually a certificate's DER). */
typedef struct {
    pk_type type;
    const uint8_t *point; size_t point_len; /* EC: uncompressed point; Ed25519: 32 bytes */
    const uint8_t *n; size_t n_len;         /* RSA modulus (big-endian, leading zeros allowed) */
    const uint8_t *e; size_t e_len;         /* RSA public exponent */
} crypto_pubkey;

/* Signature algorithms independent of TLS codes: hash + padding; ECDSA's curve comes from
 * the key. */
typedef enum {
    SIG_NONE = 0,
    SIG_ED25519,
    SIG_ECDSA_SHA256, SIG_ECDSA_SHA384, SIG_ECDSA_SHA512,
    SIG_RSA_PSS_SHA256, SIG_RSA_PSS_SHA384, SIG_RSA_PSS_SHA512, /* salt = hash length */
    SIG_RSA_PKCS1_SHA256, SIG_RSA_PKCS1_SHA384, SIG_RSA_PKCS1_SHA512
} sig_alg;

/* RSA modulus size in bits (0 for non-RSA keys). */
size_t crypto_pubkey_bits(const crypto_pubkey *pk);

/* Whether the key is large enough for a signature of alg: RSA-PSS with a salt as long as
 * the hash needs a modulus of at least 8 * (2 * hLen + 1) + 2 bits (1034 for SHA-512, so
 * RSA-1024 is too small), PKCS #1 v1.5 room for the DigestInfo. 1 for other keys and
 * algorithms. */
int crypto_sig_fits_key(sig_alg alg, const crypto_pubkey *pk);

/* The largest RSA public keys tlsm will compute with: the cost of a verification grows
 * with the square of the modulus and linearly with the exponent's length, so a peer that
 * could hand in any size could make one signature check take minutes. DESIGN.md sets
 * the modulus bound; public exponents in use are 3 and 65537, 32 bits is generous. */
#define CRYPTO_RSA_MAX_BITS 8192
#define CRYPTO_RSA_MAX_EXPONENT_BYTES 4
/* Checks an RSA public key's numbers before any arithmetic: 0 if usable,
 * CRYPTO_RSA_TOO_LARGE for a modulus over CRYPTO_RSA_MAX_BITS, CRYPTO_RSA_BAD_EXPONENT for
 * an exponent that is even, below 3 or over CRYPTO_RSA_MAX_EXPONENT_BYTES bytes, -1 for
 * an even or empty modulus or a non-RSA key. */
#define CRYPTO_RSA_TOO_LARGE (-2)
#define CRYPTO_RSA_BAD_EXPONENT (-3)
int crypto_rsa_pubkey_check(const crypto_pubkey *pk);
/* Verifies sig (DER-encoded for ECDSA) over msg (hashed inside). Returns 0 when valid. */
int crypto_verify(sig_alg alg, const crypto_pubkey *pk, const uint8_t *msg, size_t msg_len,
                  const uint8_t *sig, size_t sig_len);

typedef struct crypto_privkey crypto_privkey; /* opaque, heap-allocated, wiped on free */

/* Private key constructors from big-endian integers / raw bytes. */
crypto_privkey *crypto_privkey_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                                   const uint8_t *d, size_t d_len, const uint8_t *p, size_t p_len,
                                   const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
                                   const uint8_t *dq, size_t dq_len, const uint8_t *qinv,
                                   size_t qinv_len);
crypto_privkey *crypto_privkey_ec(pk_type curve, const uint8_t *scalar, size_t len);
crypto_privkey *crypto_privkey_ed25519(const uint8_t seed[32]);
void crypto_privkey_free(crypto_privkey *key);
pk_type crypto_privkey_type(const crypto_privkey *key);
size_t crypto_privkey_bits(const crypto_privkey *key);
/* Maximum signature length this key produces. */
size_t crypto_privkey_sig_max(const crypto_privkey *key);
/* 1 if the private key belongs to the public key (same modulus / point), else 0. */
int crypto_privkey_matches(const crypto_privkey *key, const crypto_pubkey *pub);
/* Signs msg (hashed inside). ECDSA output is DER. PSS salt and ECDSA nonces come from rng
 * (ECDSA: deterministic input is mixed with rng output, never rng alone). */
int crypto_sign(const crypto_privkey *key, sig_alg alg, const crypto_rng *rng,
                const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t sig_cap,
                size_t *sig_len);

/* RSAES-PKCS1-v1_5 decryption (TLS 1.2 RSA key transport): decrypts in (exactly the
 * modulus length) and succeeds only if the padding is valid and the message is exactly
 * out_len bytes, writing out only then. Timing does not depend on where the padding fails
 * (Nettle's rsa_sec_decrypt); the caller must still hide the outcome (RFC 5246 s.7.4.7.1:
 * substitute a random premaster secret without branching). Returns 0 or -1. */
int crypto_rsa_decrypt_pkcs1(const crypto_privkey *key, const crypto_rng *rng, const uint8_t *in,
                             size_t len, uint8_t *out, size_t out_len);

/* RSAES-PKCS1-v1_5 encryption (RFC 8017 s.7.2.1; TLS 1.2 client, RSA key transport of the
 * premaster secret). pk must be an rsaEncryption key (PK_RSA). The padding string is
 * non-zero bytes drawn from rng. Writes exactly the modulus length k to out (cap >= k);
 * fails if len > k - 11 or the rng fails. Returns 0 or -1. */
int crypto_rsa_encrypt_pkcs1(const crypto_pubkey *pk, const crypto_rng *rng, const uint8_t *msg,
                             size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* The TLS 1.2 server's RSA key exchange with implicit rejection (RFC 5246 s.7.4.7.1):
 * always writes 48 bytes and never fails. It draws 48 random bytes R first, then decrypts
 * in; the result is the decrypted premaster secret if the padding was valid, the message
 * was 48 bytes and it starts with client_version, else R. The choice is made without
 * branching on secret data, so a bad ciphertext shows up only as a Finished mismatch. */
void crypto_rsa_premaster_decrypt(const crypto_privkey *key, const crypto_rng *rng,
                                  const uint8_t *in, size_t len, uint16_t client_version,
                                  uint8_t premaster[48]);

/* ------------------------------------------------------------------ utilities */

/* Constant-time equality: 1 if equal, 0 if not. */
int crypto_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);
void crypto_wipe(void *p, size_t len);
/* Initialises the libraries once (libsodium's sodium_init); safe to call repeatedly from
 * any thread. Returns 0 or -1. */
int crypto_init(void);

#endif
