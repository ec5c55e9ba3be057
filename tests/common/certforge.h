/*
 * certforge.h - hostile certificates made in memory for tests: a certificate of the test
 * PKI with its key, names or signature algorithm replaced, re-signed by a real key or
 * carrying garbage in place of a signature, and RSA public keys of any size (a modulus
 * and exponent of the requested lengths that no private key belongs to).
 *
 * The DER is written here, not parsed from files, so that a test can make a certificate
 * no honest CA tool would issue (a 64-Kbit RSA key, say) and check what tlsm does with it.
 */
#ifndef TLSM_TEST_CERTFORGE_H
#define TLSM_TEST_CERTFORGE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "tlsm.h"

typedef struct {
    uint8_t *p;
    size_t len;
} forge_der;

/* What to change in the template. NULL / 0 keep the template's field. */
typedef struct {
    const forge_der *spki;     /* SubjectPublicKeyInfo */
    const forge_der *validity; /* Validity (forge_validity) */
    const forge_der *extensions; /* the whole [3] EXPLICIT Extensions (forge_exts_end) */
    const forge_der *subject;  /* Name (full DER) */
    const forge_der *issuer;   /* Name (full DER) */
    sig_alg sig;               /* signature algorithm written in both places; SIG_NONE: the
                                  template's (which must then be ECDSA-SHA256 or RSA-SHA256) */
    const crypto_privkey *key; /* signs the new tbsCertificate; NULL: garbage_len bytes of
                                  0x5a take the place of the signature */
    size_t garbage_len;
} forge_opts;

/* Builds the certificate; the caller frees out->p. Aborts the test on failure. */
void forge_cert(const uint8_t *tmpl, size_t tmpl_len, const forge_opts *o, forge_der *out);

/* An rsaEncryption SubjectPublicKeyInfo with a modulus of exactly `bits` bits (top and
 * bottom bits set) and an odd public exponent of exactly e_bytes bytes. */
void forge_rsa_spki(size_t bits, size_t e_bytes, forge_der *out);

/* Validity from two times (seconds since the epoch), UTCTime or GeneralizedTime as RFC
 * 5280 s.4.1.2.5 wants for the year. */
void forge_validity(int64_t not_before, int64_t not_after, forge_der *out);

/* Extensions, built one at a time: forge_ext(&e, ...) appends one; forge_exts_end wraps
 * them as [3] EXPLICIT SEQUENCE OF Extension (and frees the pieces). */
typedef struct {
    forge_der body;
    size_t cap;
} forge_exts;
/* oid: the OID's content bytes (without tag and length); value: the extnValue contents. */
void forge_ext(forge_exts *e, const uint8_t *oid, size_t oid_len, int critical,
               const uint8_t *value, size_t value_len);
void forge_exts_end(forge_exts *e, forge_der *out);
/* Extension values. basicConstraints (path_len < 0: absent): */
void forge_basic_constraints(int ca, int path_len, forge_der *out);
/* One GeneralName (RFC 5280 s.4.2.1.6) of any form: its tag byte and its contents. */
typedef struct {
    uint8_t tag;
    const void *p;
    size_t len;
} forge_gname;
#define FORGE_GN_OTHER_NAME 0xa0 /* contents: type-id OID TLV, then [0] EXPLICIT value */
#define FORGE_GN_RFC822     0x81
#define FORGE_GN_DNS        0x82
#define FORGE_GN_DIRECTORY  0xa4 /* contents: a whole Name */
#define FORGE_GN_URI        0x86
#define FORGE_GN_IP         0x87
/* A dNSName from a C string. */
forge_gname forge_gn_dns(const char *name);
/* A subjectAltName value (GeneralNames) with the given entries: */
void forge_general_names(const forge_gname *names, size_t n, forge_der *out);
/* nameConstraints with subtrees of any form (either list may be empty): */
void forge_name_constraints(const forge_gname *permitted, size_t n_permitted,
                            const forge_gname *excluded, size_t n_excluded, forge_der *out);
/* The same for dNSName entries and subtrees only: */
void forge_san_dns(const char *const *names, size_t n, forge_der *out);
void forge_nc_dns(const char *const *permitted, size_t n_permitted,
                  const char *const *excluded, size_t n_excluded, forge_der *out);
/* A Name with one commonName attribute (UTF8String), or the empty Name (cn NULL). */
void forge_name(const char *cn, forge_der *out);
/* OIDs of the extensions above (content bytes). */
extern const uint8_t forge_oid_basic_constraints[3], forge_oid_san[3], forge_oid_nc[3],
    forge_oid_key_usage[3];

/* The full DER of the subject Name of a certificate. */
void forge_subject_of(const uint8_t *cert, size_t len, forge_der *out);

/* Reads the first CERTIFICATE of tests/data/pki/<name> as DER. */
void forge_read_pki_cert(const char *name, forge_der *out);
/* Loads tests/data/pki/<name> as a private key. */
crypto_privkey *forge_read_pki_key(const char *name);

/* Adds to cfg an identity whose leaf is the test PKI certificate `tmpl` with its extensions
 * replaced by *extensions, re-signed by the intermediate CA, holding the key in the PKI
 * file `key`, chained to the intermediate. Returns the leaf's size. */
size_t forge_identity(tlsm_config *cfg, const char *tmpl, const char *key,
                      const forge_der *extensions);

void forge_free(forge_der *d);

#endif
