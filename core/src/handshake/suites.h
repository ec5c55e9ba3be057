/*
 * suites.h - the cipher suites tlsm implements, as one table: for each code its protocol
 * version, key exchange, the certificate key it needs, the AEAD and the hash (the TLS 1.3
 * transcript/HKDF hash or the TLS 1.2 PRF hash). Everything that needs a fact about a
 * suite asks here.
 */
#ifndef TLSM_SUITES_H
#define TLSM_SUITES_H

#include "crypto/crypto.h"

typedef enum { KX_TLS13 = 0, KX_ECDHE, KX_DHE, KX_RSA } kx_type;
/* TLS 1.2 suites name the certificate's key: ECDSA suites take EC and Ed25519 keys
 * (RFC 8422 s.5.1.1, RFC 8422 EdDSA), RSA suites take RSA keys. */
typedef enum { AUTH_ANY = 0, AUTH_ECDSA, AUTH_RSA } auth_type;

typedef struct {
    uint16_t code;
    const char *name;
    uint16_t version;  /* TLSM_TLS12 or TLSM_TLS13 */
    kx_type kx;
    auth_type auth;
    aead_alg aead;
    hash_alg hash;
} suite_info;

/* Signalling values in cipher_suites, not suites: RFC 5746 s.3.3 (secure renegotiation)
 * and RFC 7507 s.2 (a client's fallback retry). */
#define SUITE_RENEGOTIATION_SCSV 0x00ff
#define SUITE_FALLBACK_SCSV 0x5600

/* NULL if the suite is not implemented. */
const suite_info *suite_find(uint16_t code);
/* 1 if a certificate key of this type can authenticate the suite. */
int suite_allows_key(const suite_info *s, pk_type key);

#endif
