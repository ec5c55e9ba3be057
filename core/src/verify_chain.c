/*
 * verify_chain.c - certificate verification without a handshake (tlsm_verify_chain).
 *
 * The peer's chain in a handshake goes through two steps (hs_take_peer_chain and
 * builtin_verify in handshake/handshake.c): the list is parsed (pki_chain_parse: the leaf
 * strictly, the others must be well-formed and are judged only if a path uses them; the
 * first that fails decides), then pki_verify_chain builds and checks
 * a path against the config's anchors with the handshake's defaults (max depth 10,
 * RSA keys of at least 2048 bits). This file runs the same two steps on certificates the
 * host hands in, through pki_verify_chain_path (the handshake's search, which also returns
 * the path it built), so that both give the same verdict for the same chain, name,
 * purpose and time.
 *
 * Nothing here keeps state: the config is frozen (as tlsm_conn_new freezes it) and then
 * only read (its trust store and clock hook), and the parsed certificates borrow from the
 * caller's buffers for the duration of the call.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "mem.h"
#include "pki/pki.h"

static void result_init(tlsm_verify_result *r)
{
    memset(r, 0, sizeof(*r));
    r->fault = TLSM_VERIFY_FAULT_NONE;
    r->fault_anchor = -1;
    for (size_t i = 0; i < TLSM_VERIFY_MAX_PATH; i++) {
        r->path_input[i] = -1;
        r->path_anchor[i] = -1;
    }
}

static int fail(tlsm_verify_result *r, int code, int32_t fault)
{
    r->error = code;
    r->fault = fault;
    return code;
}

/* Checks the arguments shared by both entry points, freezes the trust config (its store
 * is read from here on, so no setter may grow it under us, as for a connection) and
 * fills r->time. */
static int check_args(const tlsm_config *trust, const char *peer_name, int purpose,
                      int64_t time, tlsm_verify_result *r)
{
    if (!trust || (peer_name && !peer_name[0]) ||
        (purpose != TLSM_PURPOSE_SERVER && purpose != TLSM_PURPOSE_CLIENT))
        return fail(r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    /* The config is the caller's, allocated mutable; const says this call does not
     * change its settings, and freezing is not a setting. */
    int rc = config_freeze((tlsm_config *)trust);
    if (rc != 0)
        return fail(r, rc, TLSM_VERIFY_FAULT_NONE);
    r->time = time == TLSM_VERIFY_TIME_NOW ? (int64_t)(config_now_ms(trust) / 1000) : time;
    return 0;
}

/* Parses certs[0 .. n) into parsed[] and verifies them: the common core of both entry
 * points. Arguments are already checked; n >= 1. */
static int verify_parsed(const tlsm_config *trust, const uint8_t *const *certs,
                         const size_t *lens, size_t n, pki_cert *parsed, const char *peer_name,
                         int purpose, size_t max_depth, tlsm_verify_result *r)
{
    /* As in the handshake: bytes that are not a certificate fail the chain even if no
     * path would use them; a well-formed one refused on policy grounds only if used. */
    size_t bad = 0;
    int rc = pki_chain_parse(parsed, certs, lens, n, &bad);
    if (rc != 0)
        return fail(r, rc, (int32_t)bad);
    pki_verify_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.host = peer_name;
    opts.now = r->time;
    opts.purpose = purpose == TLSM_PURPOSE_CLIENT ? PKI_PURPOSE_CLIENT : PKI_PURPOSE_SERVER;
    opts.max_depth = max_depth;
    /* The cache is the one part of a frozen config that changes (under its own lock). */
    opts.cache = (pki_sig_cache *)&trust->verify_cache;
    pki_path path;
    rc = pki_verify_chain_path(&trust->trust, parsed, n, &opts, &bad, &path);
    if (rc != 0) {
        if (rc == TLSM_ERR_CERT_NO_TRUST || rc == TLSM_ERR_ARG || rc == TLSM_ERR_NOMEM)
            return fail(r, rc, TLSM_VERIFY_FAULT_NONE);
        if (bad < n)
            return fail(r, rc, (int32_t)bad);
        if (path.anchor != SIZE_MAX)
            r->fault_anchor = (int32_t)path.anchor;
        return fail(r, rc, TLSM_VERIFY_FAULT_ANCHOR);
    }
    r->path_len = (uint32_t)path.len;
    for (size_t i = 0; i < path.len; i++) {
        r->path_input[i] = path.index[i] < n ? (int32_t)path.index[i] : -1;
        /* The anchor ends the path; with a pinned leaf it is the leaf itself. */
        if (i + 1 == path.len)
            r->path_anchor[i] = (int32_t)path.anchor;
    }
    return 0;
}

int tlsm_verify_chain(const tlsm_config *trust, const uint8_t *const *certs,
                      const size_t *lens, size_t n, const char *peer_name, int purpose,
                      int64_t time, size_t max_depth, tlsm_verify_result *result)
{
    tlsm_verify_result scratch;
    tlsm_verify_result *r = result ? result : &scratch;
    result_init(r);
    int rc = check_args(trust, peer_name, purpose, time, r);
    if (rc != 0)
        return rc;
    if (n == 0)
        return fail(r, TLSM_ERR_NO_CERT, TLSM_VERIFY_FAULT_NONE);
    if (!certs || !lens || n > TLSM_VERIFY_MAX_CERTS)
        return fail(r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    for (size_t i = 0; i < n; i++)
        if (!certs[i] || lens[i] == 0)
            return fail(r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    pki_cert *parsed = mem_calloc(n, sizeof(*parsed));
    if (!parsed)
        return fail(r, TLSM_ERR_NOMEM, TLSM_VERIFY_FAULT_NONE);
    rc = verify_parsed(trust, certs, lens, n, parsed, peer_name, purpose, max_depth, r);
    mem_free(parsed);
    return rc;
}

int tlsm_verify_chain_pem(const tlsm_config *trust, const uint8_t *pem, size_t pem_len,
                          const char *peer_name, int purpose, int64_t time, size_t max_depth,
                          tlsm_verify_result *result)
{
    tlsm_verify_result scratch;
    tlsm_verify_result *r = result ? result : &scratch;
    result_init(r);
    int rc = check_args(trust, peer_name, purpose, time, r);
    if (rc != 0)
        return rc;
    if (!pem)
        return fail(r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
    uint8_t **der = NULL;
    size_t *lens = NULL, n = 0, cap = 0, pos = 0;
    pki_cert *parsed = NULL;
    for (;;) {
        uint8_t *d;
        size_t d_len;
        rc = pki_pem_next(pem, pem_len, &pos, "CERTIFICATE", NULL, &d, &d_len);
        if (rc == 1) {
            rc = 0;
            break;
        }
        if (rc != 0) {
            fail(r, rc, (int32_t)n);
            goto out;
        }
        if (n == TLSM_VERIFY_MAX_CERTS) {
            mem_free(d);
            rc = fail(r, TLSM_ERR_ARG, TLSM_VERIFY_FAULT_NONE);
            goto out;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            uint8_t **nd = mem_realloc(der, ncap * sizeof(*nd));
            if (nd)
                der = nd;
            size_t *nl = nd ? mem_realloc(lens, ncap * sizeof(*nl)) : NULL;
            if (nl)
                lens = nl;
            if (!nd || !nl) {
                mem_free(d);
                rc = fail(r, TLSM_ERR_NOMEM, TLSM_VERIFY_FAULT_NONE);
                goto out;
            }
            cap = ncap;
        }
        der[n] = d;
        lens[n++] = d_len;
    }
    if (n == 0) {
        rc = fail(r, TLSM_ERR_NO_CERT, TLSM_VERIFY_FAULT_NONE);
        goto out;
    }
    parsed = mem_calloc(n, sizeof(*parsed));
    if (!parsed) {
        rc = fail(r, TLSM_ERR_NOMEM, TLSM_VERIFY_FAULT_NONE);
        goto out;
    }
    rc = verify_parsed(trust, (const uint8_t *const *)der, lens, n, parsed, peer_name, purpose,
                       max_depth, r);
out:
    mem_free(parsed);
    for (size_t i = 0; i < n; i++)
        mem_free(der[i]);
    mem_free(der);
    mem_free(lens);
    return rc;
}

size_t tlsm_config_trust_count(const tlsm_config *cfg)
{
    return cfg ? cfg->trust.n : 0;
}

const uint8_t *tlsm_config_trust_cert(const tlsm_config *cfg, size_t index, size_t *len)
{
    if (len)
        *len = 0;
    if (!cfg || index >= cfg->trust.n)
        return NULL;
    if (len)
        *len = cfg->trust.der_len[index];
    return cfg->trust.der[index];
}
