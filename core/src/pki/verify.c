/*
 * verify.c - certificate path building and validation (RFC 5280 s.6, simplified to what
 * a TLS peer needs: no policies, no revocation). Name constraints of every CA on the path,
 * trust anchors included (as OpenSSL, Go and webpki do), apply to all certificates below
 * it (nc.c); extendedKeyUsage is enforced on issuers too: an issuer that lists purposes
 * must list the one asked for (or anyExtendedKeyUsage), as browsers and OpenSSL require.
 * The RFC 5280 profile rules about what a certificate is are judged where its role on the
 * path is known: the leaf (check_leaf_profile) and each issuer (check_issuer); trust
 * anchors are trusted as configured where real roots deviate (a non-critical
 * basicConstraints) and a pinned leaf may be a CA certificate.
 *
 * The peer's list is only a bag of candidates (RFC 8446 s.4.4.2 lets it be out of order
 * and carry extra certificates), so the path is built, not read: starting at the leaf,
 * every certificate whose subject equals the current issuer name (DER byte comparison)
 * and whose key verifies the signature is tried, trust anchors first, depth-first with
 * backtracking. A certificate already on the path is never reused (loops), the path is at
 * most max_depth long.
 *
 * Work is bounded, because the bag comes from an unauthenticated peer: every cheap check
 * on a candidate issuer (its parse defects such as an oversized RSA key, validity, CA
 * flag, key usage, path length, key strength, name constraints) runs before its signature
 * is verified; a chain gets at most VERIFY_SIGNATURE_BUDGET signature checks and
 * VERIFY_NC_BUDGET name-constraint comparisons, and a search that runs out fails with
 * TLSM_ERR_CERT_WORK_LIMIT rather than a misleading "unknown issuer".
 *
 * When no path works, the error reported comes from the attempt that got furthest from
 * the leaf; at equal depth a policy failure (expired, not a CA, ...) beats a bad signature,
 * which beats "no issuer found", because it says more about what the peer sent.
 *
 * pki_verify_chain_path also hands back the path it built (chain indices and the anchor),
 * for tlsm_verify_chain; the handshake calls pki_verify_chain, the same search without it.
 */
#include <string.h>

#include "pki/alg.h"
#include "pki/pki.h"

#define VERIFY_DEPTH_LIMIT PKI_PATH_MAX
#define VERIFY_SIGNATURE_BUDGET 64
#define VERIFY_NC_BUDGET (1ul << 20) /* OpenSSL, pyca and rustls refuse above ~2^20 */

typedef struct {
    const pki_store *anchors;
    const pki_cert *chain;
    size_t n;
    const pki_verify_opts *opts;
    size_t max_depth;
    size_t min_rsa_bits;
    size_t path[VERIFY_DEPTH_LIMIT]; /* chain indices; path[0] = 0 is the leaf */
    size_t path_len;                 /* once an anchor is reached: chain certificates on it */
    size_t path_anchor;              /* ... and the store index of that anchor */
    unsigned budget;                 /* signature checks left */
    unsigned long nc_budget;         /* name-constraint comparisons left */
    int exhausted;                   /* a budget ran out: the search is incomplete */
    size_t exhausted_index;          /* chain index whose issuer search ran out */
    int best_err;
    size_t best_index, best_depth; /* best_index >= n: anchor best_index - n is at fault */
    int best_rank;
} verifier;

static int rank(int err)
{
    return err == TLSM_ERR_CERT_UNKNOWN_ISSUER ? 0 : err == TLSM_ERR_CERT_SIGNATURE ? 1 : 2;
}

static void record(verifier *v, int err, size_t index, size_t depth)
{
    if (depth > v->best_depth || (depth == v->best_depth && rank(err) > v->best_rank)) {
        v->best_err = err;
        v->best_index = index;
        v->best_depth = depth;
        v->best_rank = rank(err);
    }
}

static int same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

static int self_issued(const pki_cert *c)
{
    return same_bytes(c->subject, c->subject_len, c->issuer, c->issuer_len);
}

/* RFC 5280 s.6.1.3(a)(2): the validity period must include the current time; both ends
 * are inclusive (s.4.1.2.5). */
static int check_time(const pki_cert *c, int64_t now)
{
    if (now < c->not_before)
        return TLSM_ERR_CERT_NOT_YET_VALID;
    if (now > c->not_after)
        return TLSM_ERR_CERT_EXPIRED;
    return 0;
}

static int check_key_strength(const verifier *v, const pki_cert *c)
{
    if ((c->pubkey.type == PK_RSA || c->pubkey.type == PK_RSA_PSS) &&
        crypto_pubkey_bits(&c->pubkey) < v->min_rsa_bits)
        return TLSM_ERR_CERT_WEAK_KEY;
    return 0;
}

static unsigned wanted_eku(const verifier *v)
{
    return v->opts->purpose == PKI_PURPOSE_CLIENT ? PKI_EKU_CLIENT_AUTH : PKI_EKU_SERVER_AUTH;
}

/* RFC 5280 profile rules about what the leaf is (issue 16 items 14-16). A leaf that is
 * itself a trust anchor (`pinned`) is trusted as configured and may be a CA: a self-signed
 * certificate made by `openssl req -x509` asserts cA and is routinely pinned. */
static int check_leaf_profile(const pki_cert *leaf, int pinned)
{
    /* s.4.1.2.6: "If subject naming information is present only in the subjectAltName
     * extension (e.g., a key bound only to an email address or URI), then the subject
     * name MUST be an empty sequence and the subjectAltName extension MUST be critical."
     * A critical subjectAltName beside a non-empty subject is allowed (s.4.2.1.6 only
     * says SHOULD be non-critical then). */
    if (pki_subject_empty(leaf) && !(leaf->san && leaf->san_critical))
        return TLSM_ERR_CERT_EMPTY_SUBJECT;
    /* The certificate a TLS peer authenticates with is an end-entity certificate: the
     * CA/Browser Forum Baseline Requirements want cA FALSE in subscriber certificates, and
     * a key that may sign certificates should not also sign handshakes (pyca/cryptography
     * refuses the same; OpenSSL and Go accept). */
    if (leaf->is_ca && !pinned)
        return TLSM_ERR_CERT_LEAF_IS_CA;
    /* s.4.2.1.10: "The name constraints extension, which MUST be used only in a CA
     * certificate, ..." */
    if (leaf->has_nc && !leaf->is_ca)
        return TLSM_ERR_CERT_LEAF_NAME_CONSTRAINTS;
    return 0;
}

/* Checks on the end-entity certificate that no choice of path can change. */
static int check_leaf(const verifier *v, const pki_cert *leaf, int pinned)
{
    int rc = check_time(leaf, v->opts->now);
    if (rc == 0)
        rc = check_leaf_profile(leaf, pinned);
    if (rc == 0)
        rc = check_key_strength(v, leaf);
    /* RFC 5280 s.4.2.1.3: with keyUsage present the key may only be used as listed; TLS
     * 1.3 signs with the leaf key (RFC 8446 s.4.4.2.2: digitalSignature). */
    if (rc == 0 && leaf->has_key_usage && !(leaf->key_usage & PKI_KU_DIGITAL_SIGNATURE))
        rc = TLSM_ERR_CERT_USAGE;
    /* s.4.2.1.3: "If the keyCertSign bit is asserted, then the cA bit in the basic
     * constraints extension MUST also be asserted." (For an issuer the same defect shows
     * as NOT_CA.) */
    if (rc == 0 && leaf->has_key_usage && (leaf->key_usage & PKI_KU_KEY_CERT_SIGN) &&
        !leaf->is_ca)
        rc = TLSM_ERR_CERT_USAGE;
    /* RFC 5280 s.4.2.1.12: with extKeyUsage present the purpose must be listed, or
     * anyExtendedKeyUsage. */
    if (rc == 0 && leaf->has_eku && !(leaf->eku & (wanted_eku(v) | PKI_EKU_ANY)))
        rc = TLSM_ERR_CERT_USAGE;
    return rc;
}

/* Checks that `issuer`, placed at path position `depth`, may issue the path below it;
 * `anchor` when it is a trust anchor. */
static int check_issuer(const verifier *v, const pki_cert *issuer, size_t depth, int anchor)
{
    if (depth + 1 > v->max_depth)
        return TLSM_ERR_CERT_PATH_LEN;
    int rc = check_time(issuer, v->opts->now);
    if (rc != 0)
        return rc;
    /* s.6.1.4(k): an intermediate must be a v3 certificate with cA asserted. Anchors are
     * held to the same rule: a trusted leaf certificate must not turn into a CA. */
    if (!issuer->is_ca)
        return TLSM_ERR_CERT_NOT_CA;
    /* s.4.2.1.9: "Conforming CAs MUST include this extension in all CA certificates that
     * contain public keys used to validate digital signatures on certificates and MUST
     * mark the extension as critical in such certificates." Trust anchors are trusted as
     * configured: Debian's store holds roots with a non-critical one (Go Daddy and
     * Starfield Class 2, Chunghwa ePKI). */
    if (!issuer->bc_critical && !anchor)
        return TLSM_ERR_CERT_BC_NOT_CRITICAL;
    /* s.4.1.2.6: "If the subject is a CA (e.g., the basic constraints extension, as
     * discussed in Section 4.2.1.9, is present and the value of cA is TRUE), then the
     * subject field MUST be populated with a non-empty distinguished name". */
    if (pki_subject_empty(issuer))
        return TLSM_ERR_CERT_EMPTY_SUBJECT;
    /* s.6.1.4(n): with keyUsage present, keyCertSign must be set. */
    if (issuer->has_key_usage && !(issuer->key_usage & PKI_KU_KEY_CERT_SIGN))
        return TLSM_ERR_CERT_NOT_CA;
    /* s.6.1.4(l)/(m): pathLenConstraint bounds the non-self-issued intermediates that
     * follow this certificate, i.e. those at positions 1 .. depth-1. */
    if (issuer->path_len >= 0) {
        size_t below = 0;
        for (size_t i = 1; i < depth; i++)
            below += !self_issued(&v->chain[v->path[i]]);
        if (below > (size_t)issuer->path_len)
            return TLSM_ERR_CERT_PATH_LEN;
    }
    if (issuer->has_eku && !(issuer->eku & (wanted_eku(v) | PKI_EKU_ANY)))
        return TLSM_ERR_CERT_USAGE;
    return check_key_strength(v, issuer);
}

/* s.4.2.1.1: when both identifiers are present and differ, this is not the issuer. */
static int key_ids_differ(const pki_cert *child, const pki_cert *issuer)
{
    return child->aki && issuer->ski &&
           !same_bytes(child->aki, child->aki_len, issuer->ski, issuer->ski_len);
}

static int on_path(const verifier *v, size_t depth, size_t index)
{
    for (size_t i = 0; i <= depth; i++)
        if (v->path[i] == index)
            return 1;
    return 0;
}

/* The names of every certificate below `issuer` must satisfy its constraints (s.6.1.3(b)/
 * (c) with s.6.1.4(g)), except those of a self-issued intermediate ("If certificate i is
 * self-issued and it is not the final certificate in the path, skip this step"). */
static int check_names_below(verifier *v, const pki_cert *issuer, size_t depth)
{
    for (size_t i = 0; i < depth; i++) {
        const pki_cert *below = &v->chain[v->path[i]];
        if (i > 0 && self_issued(below))
            continue;
        int rc = pki_nc_check(issuer, below, &v->nc_budget);
        if (rc == TLSM_ERR_CERT_WORK_LIMIT)
            return rc;
        if (rc != 0) {
            record(v, rc, v->path[i], depth);
            return rc;
        }
    }
    return 0;
}

static int out_of_work(verifier *v, size_t child_index)
{
    if (!v->exhausted) {
        v->exhausted = 1;
        v->exhausted_index = child_index;
    }
    return TLSM_ERR_CERT_WORK_LIMIT;
}

/* The public-key check of child's signature with issuer's key, or the same check found in
 * the verification cache (the key covers both certificates' every byte). */
static int check_signature(verifier *v, const pki_cert *issuer, const pki_cert *child,
                           size_t child_index, size_t depth)
{
    uint8_t key[PKI_SIG_CACHE_KEY_LEN];
    pki_sig_cache *cache = v->opts->cache;
    if (cache && cache->sets) {
        pki_sig_cache_key(issuer, child, key);
        if (pki_sig_cache_lookup(cache, key))
            return 0;
    }
    if (crypto_verify(child->sig_alg, &issuer->pubkey, child->tbs, child->tbs_len, child->sig,
                      child->sig_len) != 0) {
        record(v, TLSM_ERR_CERT_SIGNATURE, child_index, depth);
        return TLSM_ERR_CERT_SIGNATURE;
    }
    if (cache && cache->sets)
        pki_sig_cache_add(cache, key);
    return 0;
}

/* Tries `issuer` as the issuer of the certificate at path position depth - 1. Returns 0
 * when it passes the issuer checks and verifies the child, else records why and returns
 * the error. `index` is the chain index of the issuer, or n + a for anchor a. Everything
 * that costs no public-key operation comes first, so a candidate that policy refuses
 * (or that could only be checked with an absurd key) never costs a signature check. */
static int try_issuer(verifier *v, const pki_cert *issuer, size_t index, size_t depth)
{
    size_t child_index = v->path[depth - 1];
    const pki_cert *child = &v->chain[child_index];
    int rc = issuer->defect;
    if (rc == 0)
        rc = check_issuer(v, issuer, depth, index >= v->n);
    if (rc != 0) {
        record(v, rc, index, depth);
        return rc;
    }
    if (!alg_fits_key(child->sig_alg, issuer->pubkey.type, issuer->pss_params)) {
        record(v, TLSM_ERR_CERT_SIGNATURE, child_index, depth);
        return TLSM_ERR_CERT_SIGNATURE;
    }
    rc = check_names_below(v, issuer, depth);
    if (rc == TLSM_ERR_CERT_WORK_LIMIT)
        return out_of_work(v, child_index);
    if (rc != 0)
        return rc;
    if (v->budget == 0)
        return out_of_work(v, child_index);
    /* A cached check counts against the budget as well, so that the outcome of a search
     * never depends on what the cache holds. */
    v->budget--;
    return check_signature(v, issuer, child, child_index, depth);
}

/* Extends the path whose last certificate sits at position depth - 1. Returns 0 once a
 * trust anchor is reached. */
static int extend(verifier *v, size_t depth)
{
    const pki_cert *child = &v->chain[v->path[depth - 1]];
    int found = 0;
    if (depth >= VERIFY_DEPTH_LIMIT) {
        record(v, TLSM_ERR_CERT_PATH_LEN, v->path[depth - 1], depth);
        return -1;
    }
    for (size_t a = 0; a < v->anchors->n; a++) {
        const pki_cert *anchor = &v->anchors->certs[a];
        if (!same_bytes(anchor->subject, anchor->subject_len, child->issuer, child->issuer_len) ||
            key_ids_differ(child, anchor))
            continue;
        found = 1;
        if (v->exhausted)
            return -1;
        if (try_issuer(v, anchor, v->n + a, depth) == 0) {
            v->path_len = depth;
            v->path_anchor = a;
            return 0;
        }
    }
    for (size_t i = 1; i < v->n; i++) {
        const pki_cert *cand = &v->chain[i];
        if (!same_bytes(cand->subject, cand->subject_len, child->issuer, child->issuer_len) ||
            key_ids_differ(child, cand) || on_path(v, depth - 1, i))
            continue;
        found = 1;
        if (v->exhausted)
            return -1;
        if (try_issuer(v, cand, i, depth) != 0)
            continue;
        v->path[depth] = i;
        if (extend(v, depth + 1) == 0)
            return 0;
    }
    if (!found)
        record(v, TLSM_ERR_CERT_UNKNOWN_ISSUER, v->path[depth - 1], depth - 1);
    return -1;
}

/* The store index of the anchor byte-identical to c, or anchors->n if none is. */
static size_t find_anchor(const pki_store *anchors, const pki_cert *c)
{
    size_t a;
    for (a = 0; a < anchors->n; a++)
        if (same_bytes(anchors->certs[a].der, anchors->certs[a].der_len, c->der, c->der_len))
            break;
    return a;
}

int pki_verify_chain(const pki_store *anchors, const pki_cert *chain, size_t n,
                     const pki_verify_opts *opts, size_t *bad_index)
{
    return pki_verify_chain_path(anchors, chain, n, opts, bad_index, NULL);
}

int pki_verify_chain_path(const pki_store *anchors, const pki_cert *chain, size_t n,
                          const pki_verify_opts *opts, size_t *bad_index, pki_path *path)
{
    verifier v;
    size_t dummy;
    pki_path no_path;
    if (!bad_index)
        bad_index = &dummy;
    if (!path)
        path = &no_path;
    *bad_index = 0;
    path->len = 0;
    path->anchor = SIZE_MAX;
    if (!anchors || !chain || !opts || n == 0)
        return TLSM_ERR_ARG;
    if (anchors->n == 0)
        return TLSM_ERR_CERT_NO_TRUST;
    memset(&v, 0, sizeof(v));
    v.anchors = anchors;
    v.chain = chain;
    v.n = n;
    v.opts = opts;
    v.max_depth = opts->max_depth ? opts->max_depth : 10;
    if (v.max_depth > VERIFY_DEPTH_LIMIT)
        v.max_depth = VERIFY_DEPTH_LIMIT;
    v.min_rsa_bits = opts->min_rsa_bits ? opts->min_rsa_bits : 2048;
    v.budget = VERIFY_SIGNATURE_BUDGET;
    v.nc_budget = VERIFY_NC_BUDGET;
    v.best_err = TLSM_ERR_CERT_UNKNOWN_ISSUER;
    v.best_rank = 0;

    /* A leaf that is itself a trust anchor (a pinned self-signed certificate) is trusted
     * as is; otherwise build a path up to an anchor. */
    size_t pinned = find_anchor(anchors, &chain[0]);
    int rc = chain[0].defect ? chain[0].defect : check_leaf(&v, &chain[0], pinned < anchors->n);
    if (rc != 0)
        return rc;
    v.path[0] = 0;
    if (pinned < anchors->n) {
        v.path_len = 1;
        v.path_anchor = pinned;
    } else if (extend(&v, 1) != 0) {
        if (v.exhausted) {
            *bad_index = v.exhausted_index;
            return TLSM_ERR_CERT_WORK_LIMIT;
        }
        *bad_index = v.best_index < n ? v.best_index : n;
        if (v.best_index >= n)
            path->anchor = v.best_index - n;
        return v.best_err;
    }
    if (opts->host && (rc = pki_match_host(&chain[0], opts->host)) != 0)
        return rc;
    /* The path as built: the chain certificates, then the anchor unless the leaf is it. */
    for (size_t i = 0; i < v.path_len; i++)
        path->index[i] = v.path[i];
    path->len = v.path_len;
    if (pinned == anchors->n)
        path->index[path->len++] = n;
    path->anchor = v.path_anchor;
    return 0;
}
