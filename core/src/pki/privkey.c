/*
 * privkey.c - private key loading: PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208,
 * RFC 5958) for rsaEncryption, id-RSASSA-PSS, id-ecPublicKey on P-256/P-384 and Ed25519;
 * SEC1 ECPrivateKey (RFC 5915); PKCS#1 RSAPrivateKey (RFC 8017 A.1.2); and their PEM forms.
 *
 * Keys are secrets: every decoded buffer (the PEM body, a padded EC scalar) is wiped
 * before it is freed or goes out of scope. An id-RSASSA-PSS key loads as an RSA key; what
 * restricts it to PSS is the certificate's key type (PK_RSA_PSS), which the handshake reads.
 */
#include <stdlib.h>
#include <string.h>

#include "pki/alg.h"
#include "mem.h"
#include "pki/der.h"
#include "pki/oid.h"
#include "pki/pki.h"

/* RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, privateExponent, prime1,
 * prime2, exponent1, exponent2, coefficient, otherPrimeInfos OPTIONAL }. Version 0 is
 * two-prime; multi-prime keys (version 1) are not supported. */
static int load_pkcs1(const uint8_t *der, size_t len, crypto_privkey **out)
{
    der_reader r, s;
    const uint8_t *v[8];
    size_t l[8];
    der_init(&r, der, len);
    der_enter(&r, DER_SEQUENCE, &s);
    uint32_t version = der_small_uint(&s, 0);
    for (int i = 0; i < 8; i++)
        v[i] = der_uint(&s, &l[i]);
    if (der_leave(&r, &s) != 0 || der_end(&r) != 0 || version != 0)
        return TLSM_ERR_KEY;
    *out = crypto_privkey_rsa(v[0], l[0], v[1], l[1], v[2], l[2], v[3], l[3], v[4], l[4], v[5],
                              l[5], v[6], l[6], v[7], l[7]);
    return *out ? 0 : TLSM_ERR_KEY;
}

/* ECPrivateKey ::= SEQUENCE { version INTEGER { ecPrivkeyVer1(1) }, privateKey OCTET
 * STRING, parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }.
 * `curve` is the curve named by an enclosing PKCS#8 structure, PK_NONE for a bare SEC1 key
 * (whose parameters must then name it, RFC 5915 s.3). */
static int load_sec1(const uint8_t *der, size_t len, pk_type curve, crypto_privkey **out)
{
    der_reader r, s, f;
    size_t n = 0, pub_len = 0;
    unsigned unused = 0;
    const uint8_t *pub = NULL;
    der_init(&r, der, len);
    der_enter(&r, DER_SEQUENCE, &s);
    uint32_t version = der_small_uint(&s, 1);
    const uint8_t *k = der_get(&s, DER_OCTET_STRING, &n);
    if (der_peek(&s) == DER_CTX_CONS(0)) {
        der_enter(&s, DER_CTX_CONS(0), &f);
        size_t oid_len = 0;
        const uint8_t *oid = der_oid(&f, &oid_len);
        pk_type named = PK_NONE;
        if (DER_OID_IS(oid, oid_len, OID_P256))
            named = PK_EC_P256;
        else if (DER_OID_IS(oid, oid_len, OID_P384))
            named = PK_EC_P384;
        der_leave(&s, &f);
        /* RFC 5915 s.3: when both are present they must agree; here a mismatch or an
         * unknown curve is simply an unusable key. */
        if (named == PK_NONE || (curve != PK_NONE && curve != named))
            return TLSM_ERR_KEY;
        curve = named;
    }
    if (der_peek(&s) == DER_CTX_CONS(1)) {
        der_enter(&s, DER_CTX_CONS(1), &f);
        pub = der_bits(&f, &pub_len, &unused);
        der_leave(&s, &f);
    }
    if (der_leave(&r, &s) != 0 || der_end(&r) != 0 || version != 1 || unused != 0 ||
        curve == PK_NONE)
        return TLSM_ERR_KEY;
    /* RFC 5915 s.3: the key is ceiling(log2(n)/8) octets; shorter encodings from old
     * encoders are left-padded rather than refused. */
    size_t size = curve == PK_EC_P256 ? 32 : 48;
    if (n == 0 || n > size)
        return TLSM_ERR_KEY;
    uint8_t scalar[48];
    memset(scalar, 0, sizeof(scalar));
    memcpy(scalar + size - n, k, n);
    *out = crypto_privkey_ec(curve, scalar, size);
    crypto_wipe(scalar, sizeof(scalar));
    if (!*out)
        return TLSM_ERR_KEY;
    /* An embedded public key that does not belong to the scalar means a corrupt file. */
    if (pub) {
        crypto_pubkey pk;
        if (alg_read_pubkey_bits(curve, pub, pub_len, &pk) != 0 ||
            !crypto_privkey_matches(*out, &pk)) {
            crypto_privkey_free(*out);
            *out = NULL;
            return TLSM_ERR_KEY;
        }
    }
    return 0;
}

/* CurvePrivateKey ::= OCTET STRING, the 32-byte seed (RFC 8410 s.7). */
static int load_ed25519(const uint8_t *der, size_t len, crypto_privkey **out)
{
    der_reader r;
    size_t n = 0;
    der_init(&r, der, len);
    const uint8_t *seed = der_get(&r, DER_OCTET_STRING, &n);
    if (der_end(&r) != 0 || n != 32)
        return TLSM_ERR_KEY;
    *out = crypto_privkey_ed25519(seed);
    return *out ? 0 : TLSM_ERR_KEY;
}

/* OneAsymmetricKey ::= SEQUENCE { version (0 = v1, 1 = v2), privateKeyAlgorithm,
 * privateKey OCTET STRING, attributes [0] IMPLICIT OPTIONAL, publicKey [1] IMPLICIT BIT
 * STRING OPTIONAL (v2 only) } (RFC 5958 s.2). */
static int load_pkcs8(const uint8_t *der, size_t len, crypto_privkey **out)
{
    der_reader r, s;
    size_t n = 0, m = 0;
    pk_type type = PK_NONE;
    sig_alg pss = SIG_NONE;
    der_init(&r, der, len);
    der_enter(&r, DER_SEQUENCE, &s);
    uint32_t version = der_small_uint(&s, 1);
    int rc = alg_read_key(&s, &type, &pss);
    const uint8_t *key = der_get(&s, DER_OCTET_STRING, &n);
    if (der_peek(&s) == DER_CTX_CONS(0))
        der_get(&s, DER_CTX_CONS(0), &m);
    if (der_peek(&s) == DER_CTX(1) && version == 1)
        der_get(&s, DER_CTX(1), &m);
    if (der_leave(&r, &s) != 0 || der_end(&r) != 0 || rc != 0)
        return TLSM_ERR_KEY;
    switch (type) {
    case PK_RSA:
    case PK_RSA_PSS:
        return load_pkcs1(key, n, out);
    case PK_EC_P256:
    case PK_EC_P384:
        return load_sec1(key, n, type, out);
    case PK_ED25519:
        return load_ed25519(key, n, out);
    default:
        return TLSM_ERR_KEY;
    }
}

int pki_privkey_der(const uint8_t *der, size_t len, crypto_privkey **out)
{
    der_reader r, s;
    if (!der || !out)
        return TLSM_ERR_ARG;
    *out = NULL;
    /* All three forms are a SEQUENCE starting with a version INTEGER; the next element
     * tells them apart: an AlgorithmIdentifier (PKCS#8), the OCTET STRING key (SEC1) or
     * the modulus INTEGER (PKCS#1). */
    der_init(&r, der, len);
    der_enter(&r, DER_SEQUENCE, &s);
    der_integer(&s, &(size_t){0});
    switch (der_peek(&s)) {
    case DER_SEQUENCE:
        return load_pkcs8(der, len, out);
    case DER_OCTET_STRING:
        return load_sec1(der, len, PK_NONE, out);
    case DER_INTEGER:
        return load_pkcs1(der, len, out);
    default:
        return TLSM_ERR_KEY;
    }
}

int pki_privkey_pem(const uint8_t *pem, size_t len, crypto_privkey **out)
{
    size_t pos = 0, der_len = 0;
    char label[64];
    uint8_t *der = NULL;
    if (!pem || !out)
        return TLSM_ERR_ARG;
    *out = NULL;
    for (;;) {
        int rc = pki_pem_next(pem, len, &pos, NULL, label, &der, &der_len);
        if (rc == 1)
            return TLSM_ERR_KEY; /* no key block at all */
        if (rc != 0)
            return rc;
        if (strcmp(label, "PRIVATE KEY") == 0)
            rc = load_pkcs8(der, der_len, out);
        else if (strcmp(label, "EC PRIVATE KEY") == 0)
            rc = load_sec1(der, der_len, PK_NONE, out);
        else if (strcmp(label, "RSA PRIVATE KEY") == 0)
            rc = load_pkcs1(der, der_len, out);
        else
            rc = 1; /* another block (e.g. EC PARAMETERS, a certificate): skip it */
        crypto_wipe(der, der_len);
        mem_free(der);
        if (rc != 1)
            return rc;
    }
}
