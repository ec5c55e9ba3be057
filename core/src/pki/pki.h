/*
 * pki.h - certificates and keys for tlsm: DER reading, X.509 parsing, PEM, private key
 * loading, chain verification against trust anchors and host name matching (RFC 5280,
 * RFC 6125). All parsing goes through the bounded DER reader; a parsed certificate only
 * borrows from its DER buffer, so the DER must outlive it.
 *
 * Error returns are the TLSM_ERR_CERT_* / TLSM_ERR_PEM / TLSM_ERR_KEY codes of tlsm.h.
 */
#ifndef TLSM_PKI_H
#define TLSM_PKI_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "tlsm.h"

/* keyUsage bits as numbered in RFC 5280 s.4.2.1.3 (bit 0 = digitalSignature). */
#define PKI_KU_DIGITAL_SIGNATURE 0x001
#define PKI_KU_KEY_ENCIPHERMENT  0x004
#define PKI_KU_KEY_AGREEMENT     0x010
#define PKI_KU_KEY_CERT_SIGN     0x020

#define PKI_EKU_SERVER_AUTH 0x01
#define PKI_EKU_CLIENT_AUTH 0x02
#define PKI_EKU_ANY         0x04

typedef struct {
    const uint8_t *der; size_t der_len;       /* the whole certificate */
    const uint8_t *tbs; size_t tbs_len;       /* tbsCertificate, signed bytes */
    sig_alg sig_alg;                          /* outer signatureAlgorithm (must equal inner) */
    const uint8_t *sig; size_t sig_len;       /* signatureValue contents (no unused-bits byte) */
    const uint8_t *serial; size_t serial_len;
    const uint8_t *issuer; size_t issuer_len;   /* full DER of the issuer Name */
    const uint8_t *subject; size_t subject_len; /* full DER of the subject Name */
    int64_t not_before, not_after;            /* seconds since the epoch */
    crypto_pubkey pubkey;
    const uint8_t *spki; size_t spki_len;     /* full SubjectPublicKeyInfo DER */
    int version;                              /* 1, 2 or 3 */
    int is_ca;                                /* basicConstraints cA */
    int path_len;                             /* pathLenConstraint, -1 if absent */
    int has_key_usage; unsigned key_usage;
    int has_eku; unsigned eku;
    const uint8_t *san; size_t san_len;       /* contents of the GeneralNames SEQUENCE, NULL if absent */
    const uint8_t *ski; size_t ski_len;       /* subjectKeyIdentifier, NULL if absent */
    const uint8_t *aki; size_t aki_len;       /* authorityKeyIdentifier keyIdentifier, NULL if absent */
    sig_alg pss_params;                       /* id-RSASSA-PSS key restricted to this PSS
                                                 algorithm by its parameters, else SIG_NONE */
    int bc_critical;                          /* basicConstraints marked critical */
    int san_critical;                         /* subjectAltName marked critical */
    int has_nc;                               /* nameConstraints present */
    int nc_critical;                          /* ... and marked critical */
    unsigned nc_forms;                        /* the GeneralName forms it constrains: bit n
                                                 for the form with context tag [n] */
    const uint8_t *nc_permitted; size_t nc_permitted_len; /* GeneralSubtrees contents, */
    const uint8_t *nc_excluded; size_t nc_excluded_len;   /* NULL when absent */
    int defect;                               /* why a well-formed certificate is refused
                                                 (pki_cert_parse's non-zero result other
                                                 than TLSM_ERR_CERT_PARSE), else 0 */
} pki_cert;

/* GeneralName forms (RFC 5280 s.4.2.1.6) as bits of pki_cert.nc_forms: bit n for [n]. */
#define PKI_GN_OTHER_NAME 0
#define PKI_GN_RFC822     1
#define PKI_GN_DNS        2
#define PKI_GN_DIRECTORY  4
#define PKI_GN_URI        6
#define PKI_GN_IP         7
#define PKI_GN_BIT(form)  (1u << (form))
/* The forms whose constraints tlsm checks (nc.c); the others are only known by name. */
#define PKI_GN_CHECKED (PKI_GN_BIT(PKI_GN_RFC822) | PKI_GN_BIT(PKI_GN_DNS) | PKI_GN_BIT(PKI_GN_IP))

/* Parses a DER certificate strictly (DER only, no trailing bytes, v3 extensions unique,
 * unknown critical extensions rejected, positive serial, RFC 5280 validity times, RSA keys
 * within crypto_rsa_pubkey_check's bounds, dNSName constraints in the syntax of
 * pki_dns_name_valid). Returns 0 or TLSM_ERR_CERT_PARSE / _BAD_SERIAL / _BAD_TIME /
 * _UNSUPPORTED_ALG / _RSA_TOO_LARGE / _RSA_EXPONENT / _CRITICAL_EXT / _BAD_DNS_NAME (see
 * x509.c for the order).
 *
 * TLSM_ERR_CERT_PARSE means the bytes are not a certificate. Any other failure leaves a
 * well-formed certificate whose names and extensions are filled in and whose refusal is
 * kept in out->defect: it fails a chain only if a path would use it (RFC 8446 s.4.4.2
 * lets a peer send certificates the path does not need), see pki_chain_parse. */
int pki_cert_parse(pki_cert *out, const uint8_t *der, size_t len);

/* The serial number, issuer, validity and subject read straight from the TBS structure
 * into a zeroed *c, without the policy checks of pki_cert_parse: for a certificate that
 * parse refuses (a tool must still name it), or where only names are needed (matching
 * certificate_authorities). Returns 0, or TLSM_ERR_CERT_PARSE. */
int pki_cert_names(const uint8_t *der, size_t len, pki_cert *c);

/* 1 if the certificate's subject is the empty Name (an empty SEQUENCE: 30 00). */
static inline int pki_subject_empty(const pki_cert *c)
{
    return c->subject_len == 2;
}

/* Parses a peer's certificate list for pki_verify_chain: the end-entity certificate
 * (certs[0]) must pass pki_cert_parse; the others only need to be well-formed (their
 * defects are judged if a path uses them). Returns 0 or the failing code, with *bad_index
 * (may be NULL) the index of the certificate at fault. */
int pki_chain_parse(pki_cert *out, const uint8_t *const *certs, const size_t *lens, size_t n,
                    size_t *bad_index);

/* Finds the next PEM block labelled `label` (e.g. "CERTIFICATE") at or after *pos in pem,
 * decodes it into a malloc'ed buffer (*der, *der_len; caller frees) and advances *pos past
 * it. Returns 0, 1 when no further block exists, or TLSM_ERR_PEM. If label is NULL any block
 * is taken and its label copied into label_out (at least 64 bytes) when non-NULL. */
int pki_pem_next(const uint8_t *pem, size_t len, size_t *pos, const char *label,
                 char *label_out, uint8_t **der, size_t *der_len);

/* Loads a private key from DER (PKCS#8 RSA/EC/Ed25519, SEC1 EC, PKCS#1 RSA) or from PEM
 * ("PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"). */
int pki_privkey_der(const uint8_t *der, size_t len, crypto_privkey **out);
int pki_privkey_pem(const uint8_t *pem, size_t len, crypto_privkey **out);

/* A set of trust anchors (owned DER copies and their parsed forms). */
typedef struct {
    uint8_t **der;
    size_t *der_len;
    pki_cert *certs;
    size_t n, cap;
} pki_store;

void pki_store_init(pki_store *s);
void pki_store_free(pki_store *s);
/* Adds a copy of one DER certificate (it must parse; since an anchor's own signature is
 * never checked, an unsupported signature algorithm such as SHA-1 is tolerated there and
 * leaves sig_alg = SIG_NONE). */
int pki_store_add_der(pki_store *s, const uint8_t *der, size_t len);

typedef enum { PKI_PURPOSE_SERVER = 0, PKI_PURPOSE_CLIENT = 1 } pki_purpose;

/* Certificate signatures already verified (sigcache.c): a bounded, thread-safe set keyed
 * by the SHA-256 of the signature algorithm and both full DER encodings (issuer and
 * signed certificate). A path search that finds its key skips that one public-key
 * operation and nothing else. */
#define PKI_SIG_CACHE_KEY_LEN 32
typedef struct {
    pthread_mutex_t lock;
    size_t sets;                              /* 4 entries each; 0: the cache is off */
    uint8_t (*keys)[PKI_SIG_CACHE_KEY_LEN];   /* sets * 4, allocated at the first add */
    uint8_t *next_way;                        /* per set: the entry replaced next */
    size_t used;
    uint64_t hits, misses;
} pki_sig_cache;
/* entries: the capacity (rounded up to a multiple of 4), 0 for off. */
void pki_sig_cache_init(pki_sig_cache *c, size_t entries);
void pki_sig_cache_free(pki_sig_cache *c);
/* Empties the cache and sets a new capacity. */
void pki_sig_cache_resize(pki_sig_cache *c, size_t entries);
void pki_sig_cache_key(const pki_cert *issuer, const pki_cert *child,
                       uint8_t key[PKI_SIG_CACHE_KEY_LEN]);
/* 1 if the key is cached (counted as a hit), else 0 (a miss; not counted when off). */
int pki_sig_cache_lookup(pki_sig_cache *c, const uint8_t key[PKI_SIG_CACHE_KEY_LEN]);
/* Records a signature that verified (best effort: nothing happens without memory). */
void pki_sig_cache_add(pki_sig_cache *c, const uint8_t key[PKI_SIG_CACHE_KEY_LEN]);
void pki_sig_cache_stats(pki_sig_cache *c, uint64_t *hits, uint64_t *misses, size_t *used,
                         size_t *capacity);

typedef struct {
    const char *host;      /* DNS name or IP literal to match, NULL for none */
    int64_t now;           /* validation time, seconds since the epoch */
    pki_purpose purpose;
    size_t max_depth;      /* max certificates in a path including the anchor (0: 10) */
    size_t min_rsa_bits;   /* 0: 2048 */
    pki_sig_cache *cache;  /* verified signatures to reuse and add to, or NULL */
} pki_verify_opts;

/* Verifies a chain as received (chain[0] = leaf, the rest untrusted intermediates in any
 * order) against the store: builds a path to an anchor checking signatures, validity,
 * basicConstraints/pathLen (critical in intermediates), keyUsage/EKU (leaf and issuers),
 * the RFC 5280 profile of the leaf (no cA unless it is itself an anchor, no
 * nameConstraints, an empty subject only with a critical subjectAltName) and of issuers
 * (non-empty subject), name constraints and finally the host name. Returns 0 or the
 * TLSM_ERR_CERT_* that best explains the failure; *bad_index (may be NULL) receives the
 * index in `chain` of the certificate at fault, or n when the fault is in a trust anchor. */
int pki_verify_chain(const pki_store *anchors, const pki_cert *chain, size_t n,
                     const pki_verify_opts *opts, size_t *bad_index);

/* The path pki_verify_chain_path built: index[0 .. len) in path order, leaf first, each an
 * index in `chain` or n for the trust anchor that ends it (the last entry). A leaf that is
 * itself an anchor (pinned) gives len 1 and index[0] = 0. `anchor` is the store index of
 * the anchor ending the path; on failure len is 0 and `anchor` names the anchor at fault
 * when *bad_index is n, else SIZE_MAX. */
#define PKI_PATH_MAX 32
typedef struct {
    size_t len;
    size_t index[PKI_PATH_MAX];
    size_t anchor;
} pki_path;

/* pki_verify_chain, and on success the path it built in *path (may be NULL: that is
 * pki_verify_chain). */
int pki_verify_chain_path(const pki_store *anchors, const pki_cert *chain, size_t n,
                          const pki_verify_opts *opts, size_t *bad_index, pki_path *path);

/* Checks the names of `cert` (subjectAltName dNSName, rfc822Name and iPAddress entries,
 * and emailAddress attributes of the subject) against the nameConstraints of `ca` (RFC 5280
 * s.4.2.1.10, s.6.1.3(b)(c)). Each (name, subtree) comparison takes one unit of *budget,
 * shared by all the checks of one chain. Returns 0, TLSM_ERR_CERT_NAME_CONSTRAINT,
 * TLSM_ERR_CERT_BAD_DNS_NAME (a malformed dNSName where `ca` constrains DNS names),
 * TLSM_ERR_CERT_NC_UNSUPPORTED_NAME (a name of a form that a critical extension of `ca`
 * constrains and tlsm does not check, the subject counting as a directoryName), or
 * TLSM_ERR_CERT_WORK_LIMIT when the budget ran out before an answer. */
int pki_nc_check(const pki_cert *ca, const pki_cert *cert, unsigned long *budget);

/* 1 if name[0 .. len) is a DNS name in the syntax tlsm accepts (dnsname.c): LDH labels
 * plus '_', no empty label, no trailing dot, at most 253 characters. PKI_DNS_WILDCARD also
 * accepts "*" as the whole left-most label (a subjectAltName), PKI_DNS_CONSTRAINT the empty
 * name and one leading '.' (a nameConstraints subtree). */
#define PKI_DNS_WILDCARD   1u
#define PKI_DNS_CONSTRAINT 2u
int pki_dns_name_valid(const uint8_t *name, size_t len, unsigned flags);

/* Matches host (DNS name, or IPv4/IPv6 literal) against the certificate's subjectAltName
 * (RFC 6125: no CN fallback, wildcard only as the whole left-most label, never for IPs).
 * Returns 0 on match, TLSM_ERR_CERT_NAME_MISMATCH otherwise. */
int pki_match_host(const pki_cert *cert, const char *host);

/* 1 if host is an IPv4 or IPv6 literal, and writes its bytes (4 or 16) to ip / *ip_len. */
int pki_parse_ip(const char *host, uint8_t ip[16], size_t *ip_len);

#endif
