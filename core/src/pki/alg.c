/*
 * alg.c - AlgorithmIdentifier and SubjectPublicKeyInfo decoding (see alg.h).
 *
 * Only SHA-2 based signatures are accepted: SHA-1 and MD5 OIDs are simply unknown here,
 * so a certificate signed with them fails to parse with TLSM_ERR_CERT_UNSUPPORTED_ALG and
 * never reaches chain verification.
 */
#include "pki/alg.h"

#include "pki/oid.h"
#include "tlsm.h"

/* Reads an optional NULL parameter at the end of an AlgorithmIdentifier: RFC 4055 s.5 and
 * RFC 5754 s.2 let it be either NULL or absent for these OIDs. */
static void null_or_absent(der_reader *a)
{
    if (der_peek(a) == DER_NULL)
        der_null(a);
}

/* Reads a SHA-2 hash AlgorithmIdentifier (RFC 4055 s.2.1); SIG_NONE if unknown. */
static sig_alg read_pss_hash(der_reader *r)
{
    der_reader a;
    size_t n = 0;
    der_enter(r, DER_SEQUENCE, &a);
    const uint8_t *oid = der_oid(&a, &n);
    null_or_absent(&a);
    if (der_leave(r, &a) != 0)
        return SIG_NONE;
    if (DER_OID_IS(oid, n, OID_SHA256))
        return SIG_RSA_PSS_SHA256;
    if (DER_OID_IS(oid, n, OID_SHA384))
        return SIG_RSA_PSS_SHA384;
    if (DER_OID_IS(oid, n, OID_SHA512))
        return SIG_RSA_PSS_SHA512;
    return SIG_NONE;
}

/* RSASSA-PSS-params (RFC 4055 s.3.1). tlsm accepts exactly the profile TLS 1.3 uses
 * (RFC 8446 s.4.2.3): SHA-256/384/512, MGF1 with the same hash, salt length equal to the
 * hash length and the default trailer. The SHA-1 defaults are refused, so the hash, MGF
 * and salt fields must be present; the trailer must be absent (the default is the only
 * value, and DER omits a default, X.690 s.11.5). */
static int read_pss_params(der_reader *r, sig_alg *out)
{
    static const size_t salt_len[] = {[SIG_RSA_PSS_SHA256] = 32,
                                      [SIG_RSA_PSS_SHA384] = 48,
                                      [SIG_RSA_PSS_SHA512] = 64};
    der_reader p, f, mgf;
    size_t n = 0;
    sig_alg hash = SIG_NONE, mgf_hash = SIG_NONE;
    int is_mgf1 = 0, has_trailer = 0;
    uint32_t salt = 20;
    uint8_t tag;
    der_enter(r, DER_SEQUENCE, &p);
    if (der_peek(&p) == DER_CTX_CONS(0)) {
        der_enter(&p, DER_CTX_CONS(0), &f);
        hash = read_pss_hash(&f);
        der_leave(&p, &f);
    }
    if (der_peek(&p) == DER_CTX_CONS(1)) {
        der_enter(&p, DER_CTX_CONS(1), &f);
        der_enter(&f, DER_SEQUENCE, &mgf);
        const uint8_t *mgf_oid = der_oid(&mgf, &n);
        is_mgf1 = DER_OID_IS(mgf_oid, n, OID_MGF1);
        if (is_mgf1)
            mgf_hash = read_pss_hash(&mgf);
        else if (der_left(&mgf))
            der_get_any(&mgf, &tag, &n);
        der_leave(&f, &mgf);
        der_leave(&p, &f);
    }
    if (der_peek(&p) == DER_CTX_CONS(2)) {
        der_enter(&p, DER_CTX_CONS(2), &f);
        salt = der_small_uint(&f, 0xffff);
        der_leave(&p, &f);
    }
    if (der_peek(&p) == DER_CTX_CONS(3)) {
        der_enter(&p, DER_CTX_CONS(3), &f);
        der_small_uint(&f, 0xff);
        der_leave(&p, &f);
        has_trailer = 1;
    }
    if (der_leave(r, &p) != 0) {
        der_fail(r);
        return TLSM_ERR_CERT_PARSE;
    }
    if (hash == SIG_NONE || !is_mgf1 || mgf_hash != hash || salt != salt_len[hash] ||
        has_trailer)
        return TLSM_ERR_CERT_UNSUPPORTED_ALG;
    *out = hash;
    return 0;
}

int alg_read_sig(der_reader *r, sig_alg *out)
{
    der_reader a;
    size_t n = 0;
    int rc = 0;
    *out = SIG_NONE;
    der_enter(r, DER_SEQUENCE, &a);
    const uint8_t *oid = der_oid(&a, &n);
    if (DER_OID_IS(oid, n, OID_SHA256_WITH_RSA) || DER_OID_IS(oid, n, OID_SHA384_WITH_RSA) ||
        DER_OID_IS(oid, n, OID_SHA512_WITH_RSA)) {
        /* RFC 4055 s.5: parameters MUST be NULL; implementations MUST accept absent. */
        null_or_absent(&a);
        *out = oid[n - 1] == 0x0b   ? SIG_RSA_PKCS1_SHA256
               : oid[n - 1] == 0x0c ? SIG_RSA_PKCS1_SHA384
                                    : SIG_RSA_PKCS1_SHA512;
    } else if (DER_OID_IS(oid, n, OID_RSASSA_PSS)) {
        /* RFC 4055 s.3.1: in a signature the parameters MUST be present. */
        rc = read_pss_params(&a, out);
    } else if (DER_OID_IS(oid, n, OID_ECDSA_SHA256)) {
        *out = SIG_ECDSA_SHA256; /* RFC 5758 s.3.2: parameters MUST be absent. */
    } else if (DER_OID_IS(oid, n, OID_ECDSA_SHA384)) {
        *out = SIG_ECDSA_SHA384;
    } else if (DER_OID_IS(oid, n, OID_ECDSA_SHA512)) {
        *out = SIG_ECDSA_SHA512;
    } else if (DER_OID_IS(oid, n, OID_ED25519)) {
        *out = SIG_ED25519; /* RFC 8410 s.3: parameters MUST be absent. */
    } else if (oid) {
        /* Unknown algorithm (SHA-1, MD5, DSA, ...): skip its parameters, if any. */
        uint8_t tag;
        if (der_left(&a))
            der_get_any(&a, &tag, &n);
        rc = TLSM_ERR_CERT_UNSUPPORTED_ALG;
    }
    if (der_leave(r, &a) != 0 || rc == TLSM_ERR_CERT_PARSE) {
        der_fail(r);
        *out = SIG_NONE;
        return TLSM_ERR_CERT_PARSE;
    }
    if (rc != 0)
        *out = SIG_NONE;
    return rc;
}

int alg_read_key(der_reader *r, pk_type *type, sig_alg *pss)
{
    der_reader a;
    size_t n = 0;
    int rc = 0;
    *type = PK_NONE;
    *pss = SIG_NONE;
    der_enter(r, DER_SEQUENCE, &a);
    const uint8_t *oid = der_oid(&a, &n);
    if (DER_OID_IS(oid, n, OID_RSA_ENCRYPTION)) {
        /* RFC 3279 s.2.3.1: the parameters MUST be NULL. */
        der_null(&a);
        *type = PK_RSA;
    } else if (DER_OID_IS(oid, n, OID_RSASSA_PSS)) {
        /* RFC 4055 s.3.1: absent parameters leave the key unrestricted; present ones
         * restrict it to one PSS profile, which verification then enforces. */
        if (der_left(&a))
            rc = read_pss_params(&a, pss);
        *type = PK_RSA_PSS;
    } else if (DER_OID_IS(oid, n, OID_EC_PUBLIC_KEY)) {
        /* RFC 5480 s.2.1.1: ECParameters MUST be a namedCurve for PKIX. */
        const uint8_t *curve = der_oid(&a, &n);
        if (DER_OID_IS(curve, n, OID_P256))
            *type = PK_EC_P256;
        else if (DER_OID_IS(curve, n, OID_P384))
            *type = PK_EC_P384;
        else if (curve)
            rc = TLSM_ERR_CERT_UNSUPPORTED_ALG;
    } else if (DER_OID_IS(oid, n, OID_ED25519)) {
        *type = PK_ED25519; /* RFC 8410 s.3: parameters MUST be absent. */
    } else if (oid) {
        uint8_t tag;
        if (der_left(&a))
            der_get_any(&a, &tag, &n);
        rc = TLSM_ERR_CERT_UNSUPPORTED_ALG;
    }
    if (der_leave(r, &a) != 0 || rc == TLSM_ERR_CERT_PARSE) {
        der_fail(r);
        *type = PK_NONE;
        return TLSM_ERR_CERT_PARSE;
    }
    if (rc != 0)
        *type = PK_NONE;
    return rc;
}

int alg_read_pubkey_bits(pk_type type, const uint8_t *bits, size_t len, crypto_pubkey *pk)
{
    der_reader r, seq;
    pk->type = type;
    pk->point = pk->n = pk->e = NULL;
    pk->point_len = pk->n_len = pk->e_len = 0;
    switch (type) {
    case PK_RSA:
    case PK_RSA_PSS:
        /* RFC 8017 A.1.1: RSAPublicKey ::= SEQUENCE { modulus, publicExponent }. */
        der_init(&r, bits, len);
        der_enter(&r, DER_SEQUENCE, &seq);
        pk->n = der_uint(&seq, &pk->n_len);
        pk->e = der_uint(&seq, &pk->e_len);
        if (der_leave(&r, &seq) != 0 || der_end(&r) != 0)
            return TLSM_ERR_CERT_PARSE;
        /* Sizes are judged here, while parsing, so that no path ever computes with a key
         * whose size alone makes a signature check a denial of service (DESIGN.md:
         * "RSA moduli <= 8192 bits"); an even modulus cannot be a working RSA key. */
        switch (crypto_rsa_pubkey_check(pk)) {
        case 0: return 0;
        case CRYPTO_RSA_TOO_LARGE: return TLSM_ERR_CERT_RSA_TOO_LARGE;
        case CRYPTO_RSA_BAD_EXPONENT: return TLSM_ERR_CERT_RSA_EXPONENT;
        default: return TLSM_ERR_CERT_PARSE;
        }
    case PK_EC_P256:
    case PK_EC_P384:
        /* RFC 5480 s.2.2: the uncompressed form MUST be supported; tlsm accepts only it
         * (compressed points are optional and rare). The curve check is crypto's. */
        if (len != (type == PK_EC_P256 ? 65u : 97u) || bits[0] != 0x04)
            return bits && len && (bits[0] == 2 || bits[0] == 3) ? TLSM_ERR_CERT_UNSUPPORTED_ALG
                                                                 : TLSM_ERR_CERT_PARSE;
        pk->point = bits;
        pk->point_len = len;
        return 0;
    case PK_ED25519:
        if (len != 32) /* RFC 8410 s.4 */
            return TLSM_ERR_CERT_PARSE;
        pk->point = bits;
        pk->point_len = len;
        return 0;
    default:
        return TLSM_ERR_CERT_UNSUPPORTED_ALG;
    }
}

int alg_read_spki(const uint8_t *spki, size_t len, crypto_pubkey *pk, sig_alg *pss)
{
    der_reader r, s;
    pk_type type = PK_NONE;
    size_t n = 0;
    unsigned unused = 0;
    der_init(&r, spki, len);
    der_enter(&r, DER_SEQUENCE, &s);
    int rc = alg_read_key(&s, &type, pss);
    if (rc == TLSM_ERR_CERT_PARSE)
        return rc;
    const uint8_t *bits = der_bits(&s, &n, &unused);
    if (der_leave(&r, &s) != 0 || der_end(&r) != 0 || unused != 0)
        return TLSM_ERR_CERT_PARSE;
    if (rc != 0)
        return rc;
    return alg_read_pubkey_bits(type, bits, n, pk);
}

int alg_fits_key(sig_alg alg, pk_type type, sig_alg pss)
{
    switch (type) {
    case PK_RSA:
        return alg >= SIG_RSA_PSS_SHA256 && alg <= SIG_RSA_PKCS1_SHA512;
    case PK_RSA_PSS:
        /* RFC 4055 s.1.2: an id-RSASSA-PSS key is only used for PSS, and only with its
         * parameters when they are given. */
        return alg >= SIG_RSA_PSS_SHA256 && alg <= SIG_RSA_PSS_SHA512 &&
               (pss == SIG_NONE || pss == alg);
    case PK_EC_P256:
    case PK_EC_P384:
        return alg >= SIG_ECDSA_SHA256 && alg <= SIG_ECDSA_SHA512;
    case PK_ED25519:
        return alg == SIG_ED25519;
    default:
        return 0;
    }
}
