/*
 * alg.h - AlgorithmIdentifier and SubjectPublicKeyInfo decoding shared by the certificate
 * parser and the private key loader: maps the OIDs and parameters tlsm accepts to sig_alg
 * and pk_type, and rejects everything else as unsupported.
 */
#ifndef TLSM_PKI_ALG_H
#define TLSM_PKI_ALG_H

#include "crypto/crypto.h"
#include "pki/der.h"

/* Reads a signature AlgorithmIdentifier. Returns 0, TLSM_ERR_CERT_PARSE (malformed) or
 * TLSM_ERR_CERT_UNSUPPORTED_ALG (well-formed but not one tlsm accepts, e.g. SHA-1). */
int alg_read_sig(der_reader *r, sig_alg *out);

/* Reads a public key AlgorithmIdentifier (SPKI or PKCS#8). *pss receives the signature
 * algorithm an id-RSASSA-PSS key is restricted to by its parameters, SIG_NONE otherwise.
 * Same returns as alg_read_sig. */
int alg_read_key(der_reader *r, pk_type *type, sig_alg *pss);

/* Decodes a whole SubjectPublicKeyInfo into pk (borrowing from spki). */
int alg_read_spki(const uint8_t *spki, size_t len, crypto_pubkey *pk, sig_alg *pss);

/* Decodes the subjectPublicKey bits for a key of the given type into pk. */
int alg_read_pubkey_bits(pk_type type, const uint8_t *bits, size_t len, crypto_pubkey *pk);

/* 1 if alg can be verified with a key of the given type (and PSS restriction). */
int alg_fits_key(sig_alg alg, pk_type type, sig_alg pss);

#endif
