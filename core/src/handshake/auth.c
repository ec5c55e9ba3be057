/*
 * auth.c - authentication in both versions and roles: which signature scheme means what
 * with which key, choosing our identity for the peer's schemes, taking and verifying the
 * peer's certificate chain, signing (with our key or the host's external signer) and
 * checking the peer's signatures.
 */
#include "handshake/handshake.h"
#include "mem.h"
#include "handshake/suites.h"
#include "pki/alg.h"

#include <stdlib.h>
#include <string.h>

int hs_suite_params(uint16_t suite, hash_alg *h, aead_alg *a)
{
    const suite_info *s = suite_find(suite);
    if (!s)
        return -1;
    *h = s->hash;
    *a = s->aead;
    return 0;
}

sig_alg hs_scheme_alg(uint16_t version, uint16_t scheme, pk_type key)
{
    int ec = key == PK_EC_P256 || key == PK_EC_P384;
    switch (scheme) {
    /* TLS 1.3 binds each ECDSA scheme to its curve (s.4.2.3); in TLS 1.2 the code only
     * names the hash (RFC 5246 s.7.4.1.4.1, RFC 8422 s.5.1.3), so SHA-384 and SHA-512 go
     * with either curve. tlsm has no P-521 key: 0x0603 is TLS 1.2 only. SHA-1 and SHA-224
     * (0x0203, 0x0303) are no schemes of ours: never offered, refused if used. */
    case TLSM_SIG_ECDSA_SECP256R1_SHA256:
        return (version == TLSM_TLS12 ? ec : key == PK_EC_P256) ? SIG_ECDSA_SHA256 : SIG_NONE;
    case TLSM_SIG_ECDSA_SECP384R1_SHA384:
        return (version == TLSM_TLS12 ? ec : key == PK_EC_P384) ? SIG_ECDSA_SHA384 : SIG_NONE;
    case TLSM_SIG_ECDSA_SECP521R1_SHA512:
        return version == TLSM_TLS12 && ec ? SIG_ECDSA_SHA512 : SIG_NONE;
    case TLSM_SIG_ED25519:
        return key == PK_ED25519 ? SIG_ED25519 : SIG_NONE;
    case TLSM_SIG_RSA_PSS_RSAE_SHA256:
        return key == PK_RSA ? SIG_RSA_PSS_SHA256 : SIG_NONE;
    case TLSM_SIG_RSA_PSS_RSAE_SHA384:
        return key == PK_RSA ? SIG_RSA_PSS_SHA384 : SIG_NONE;
    case TLSM_SIG_RSA_PSS_RSAE_SHA512:
        return key == PK_RSA ? SIG_RSA_PSS_SHA512 : SIG_NONE;
    case TLSM_SIG_RSA_PSS_PSS_SHA256:
        return key == PK_RSA_PSS ? SIG_RSA_PSS_SHA256 : SIG_NONE;
    case TLSM_SIG_RSA_PSS_PSS_SHA384:
        return key == PK_RSA_PSS ? SIG_RSA_PSS_SHA384 : SIG_NONE;
    case TLSM_SIG_RSA_PSS_PSS_SHA512:
        return key == PK_RSA_PSS ? SIG_RSA_PSS_SHA512 : SIG_NONE;
    /* PKCS#1 v1.5 signs TLS 1.2 handshakes only; in 1.3 it is for certificates (s.4.2.3).
     * s.4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm, regardless of whether
     * RSASSA-PKCS1-v1_5 algorithms appear in "signature_algorithms"." */
    case TLSM_SIG_RSA_PKCS1_SHA256:
        return version == TLSM_TLS12 && key == PK_RSA ? SIG_RSA_PKCS1_SHA256 : SIG_NONE;
    case TLSM_SIG_RSA_PKCS1_SHA384:
        return version == TLSM_TLS12 && key == PK_RSA ? SIG_RSA_PKCS1_SHA384 : SIG_NONE;
    case TLSM_SIG_RSA_PKCS1_SHA512:
        return version == TLSM_TLS12 && key == PK_RSA ? SIG_RSA_PKCS1_SHA512 : SIG_NONE;
    }
    return SIG_NONE;
}

static int list_has(const uint16_t *l, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (l[i] == v)
            return 1;
    return 0;
}

uint16_t hs_key_curve(pk_type key)
{
    return key == PK_EC_P256 ? TLSM_GROUP_SECP256R1 : key == PK_EC_P384 ? TLSM_GROUP_SECP384R1 : 0;
}

/* TLS 1.2 (RFC 8422 s.5.1, s.5.3): an ECDSA certificate's curve must be one the client
 * listed in supported_groups, when it sent the extension. */
static int curve_acceptable(const tlsm_conn *c, pk_type key)
{
    const struct hs_state *hs = c->hs;
    uint16_t group = hs_key_curve(key);
    if (c->version != TLSM_TLS12 || !group || !hs->t12.peer_groups_sent)
        return 1;
    return list_has(hs->t12.peer_groups, hs->t12.n_peer_groups, group);
}

/* TLS 1.2 client (RFC 5246 s.7.4.6): "The certificate type MUST be one of the types
 * listed in the CertificateRequest": rsa_sign(1) for RSA keys, ecdsa_sign(64) for ECDSA and
 * (RFC 8422 s.5.5) Ed25519 keys. */
static int cert_type_requested(const tlsm_conn *c, pk_type key)
{
    const struct hs_state *hs = c->hs;
    if (c->version != TLSM_TLS12 || c->role != TLSM_ROLE_CLIENT)
        return 1;
    return key == PK_RSA || key == PK_RSA_PSS ? hs->t12.cr_rsa_sign : hs->t12.cr_ecdsa_sign;
}

int hs_group_offered(const tlsm_conn *c, uint16_t group)
{
    return list_has(c->cfg->groups, c->cfg->n_groups, group);
}

/* RFC 4055 s.1.2 and s.3.1: an id-RSASSA-PSS public key whose parameters are present may
 * only be used with those parameters; tlsm accepts such parameters only in the TLS 1.3
 * profile (alg.c), so they name exactly one rsa_pss_pss_* scheme. RFC 8446 s.4.2.3 says
 * the same of certificate signatures: "If the corresponding public key's parameters are
 * present, then the parameters in the signature MUST be identical to those in the public
 * key." A handshake signature made with that key is held to it as well, both ways: we
 * never choose another scheme for such a key of ours, and refuse one from the peer. */
static int scheme_fits_params(sig_alg alg, const pki_cert *leaf)
{
    return alg_fits_key(alg, leaf->pubkey.type, leaf->pss_params);
}

/* Whether identity `id` may sign with `scheme` here (returns the algorithm or SIG_NONE). */
static sig_alg identity_can_sign(const tlsm_conn *c, const tlsm_identity *id, uint16_t scheme,
                                 const suite_info *suite)
{
    pk_type key = id->leaf.pubkey.type;
    sig_alg alg = hs_scheme_alg(c->version, scheme, key);
    /* A scheme the key is too small for (RFC 8017 s.9.1.1: rsa_pss_rsae_sha512 with
     * RSA-1024) is one it cannot sign with: skipped, never chosen to fail. */
    if (alg == SIG_NONE || !scheme_fits_params(alg, &id->leaf) ||
        !crypto_sig_fits_key(alg, &id->leaf.pubkey) ||
        (suite && !suite_allows_key(suite, key)) || !curve_acceptable(c, key) ||
        !cert_type_requested(c, key))
        return SIG_NONE;
    return alg;
}

int hs_choose_identity(tlsm_conn *c, const uint16_t *peer, size_t n, const suite_info *suite)
{
    const tlsm_config *cfg = c->cfg;
    /* Each identity signs with the schemes of its own list (tlsm_config_set_identity_sigalgs)
     * or else of the config's, in that list's order. The choice goes by the scheme's place
     * in its list first, then by the order the identities were added: without lists of
     * their own, the config's preference order decides and the first identity that fits
     * the scheme takes it. */
    for (size_t rank = 0; rank < TLSM_MAX_SIGALGS; rank++) {
        for (size_t j = 0; j < cfg->n_ids; j++) {
            const tlsm_identity *id = &cfg->ids[j];
            if (id->issuer_match && !(c->hs->peer.issuer_named & (UINT32_C(1) << j))) {
                c->hs->peer.issuer_mismatch = 1;
                continue;
            }
            const uint16_t *list = id->n_sigalgs ? id->sigalgs : cfg->sigalgs;
            size_t len = id->n_sigalgs ? id->n_sigalgs : cfg->n_sigalgs;
            if (rank >= len || !list_has(peer, n, list[rank]))
                continue;
            sig_alg alg = identity_can_sign(c, id, list[rank], suite);
            if (alg == SIG_NONE)
                continue;
            c->hs->own.id = id;
            c->hs->own.scheme = list[rank];
            c->hs->own.alg = alg;
            return 0;
        }
    }
    return -1;
}

/* 1 if the DistinguishedName vector `names` holds the issuer of one of id's certificates. */
static int names_an_issuer(const tlsm_identity *id, const uint8_t *names, size_t len)
{
    for (size_t k = 0; k < id->n; k++) {
        pki_cert cert;
        if (pki_cert_names(id->der[k], id->der_len[k], &cert) != 0)
            continue;
        const uint8_t *issuer = cert.issuer;
        size_t issuer_len = cert.issuer_len;
        wire_reader r, dn;
        wire_init(&r, names, len);
        while (wire_left(&r) > 0) {
            wire_block(&r, 2, 1, 0xffff, &dn);
            if (dn.len == issuer_len && memcmp(dn.p + dn.pos, issuer, issuer_len) == 0)
                return 1;
        }
    }
    return 0;
}

int hs_parse_ca_names(tlsm_conn *c, const uint8_t *p, size_t len, size_t min)
{
    /* RFC 8446 s.4.2.4: "DistinguishedName authorities<3..2^16-1>", each "opaque
     * DistinguishedName<1..2^16-1>" (RFC 5246 s.7.4.4: <0..2^16-1> in a TLS 1.2
     * CertificateRequest). The names are framed whole before any is used. */
    wire_reader r, list, dn;
    wire_init(&r, p, len);
    wire_block(&r, 2, min, 0xffff, &list);
    if (wire_end(&r))
        return FAIL(R_CA_NAMES_DECODE);
    for (wire_reader l = list; wire_left(&l) > 0;) {
        wire_block(&l, 2, 1, 0xffff, &dn);
        if (l.err)
            return FAIL(R_CA_NAMES_DECODE);
    }
    /* Work: our issuer-matched identities' certificates times the bytes of the list. */
    const tlsm_config *cfg = c->cfg;
    c->hs->peer.issuer_named = 0;
    for (size_t j = 0; j < cfg->n_ids; j++)
        if (cfg->ids[j].issuer_match &&
            names_an_issuer(&cfg->ids[j], list.p + list.pos, list.len))
            c->hs->peer.issuer_named |= UINT32_C(1) << j;
    return 0;
}

size_t hs_ca_names_len(const tlsm_conn *c)
{
    const tlsm_config *cfg = c->cfg;
    if (cfg->ca_names_set || c->role == TLSM_ROLE_CLIENT)
        return cfg->ca_names_len;
    size_t n = 0;
    for (size_t i = 0; i < cfg->trust.n; i++)
        n += 2 + cfg->trust.certs[i].subject_len;
    return n;
}

void hs_put_ca_names(const tlsm_conn *c, wire_writer *w)
{
    const tlsm_config *cfg = c->cfg;
    size_t l = wire_open(w, 2);
    if (cfg->ca_names_set || c->role == TLSM_ROLE_CLIENT)
        wire_put_bytes(w, cfg->ca_names, cfg->ca_names_len);
    else
        for (size_t i = 0; i < cfg->trust.n; i++)
            wire_put_block(w, 2, cfg->trust.certs[i].subject, cfg->trust.certs[i].subject_len);
    wire_close(w, l);
}

int hs_parse_sigalgs(tlsm_conn *c, const uint8_t *p, size_t len)
{
    wire_reader r, l;
    wire_init(&r, p, len);
    wire_block(&r, 2, 2, 0xfffe, &l);
    if (wire_end(&r) || l.len % 2)
        return FAIL(R_SIGALGS_DECODE);
    /* The whole list is read; only the schemes we implement are kept (in the peer's order,
     * once each, so at most TLSM_MAX_SIGALGS): no count limit on what the peer sends. An
     * identity may sign with a scheme we do not accept from the peer
     * (tlsm_config_set_identity_sigalgs), so the filter is what we know, not cfg->sigalgs. */
    struct hs_state *hs = c->hs;
    hs->peer.n_sigalgs = 0;
    while (wire_left(&l) > 0) {
        uint16_t s = wire_u16(&l);
        if (config_sigalg_known(s) && !list_has(hs->peer.sigalgs, hs->peer.n_sigalgs, s))
            hs->peer.sigalgs[hs->peer.n_sigalgs++] = s;
    }
    return 0;
}

/* ------------------------------------------------------------------ the peer's chain */

static int builtin_verify(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    pki_verify_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.host = c->role == TLSM_ROLE_CLIENT && c->server_name[0] ? c->server_name : NULL;
    opts.now = (int64_t)(config_now_ms(c->cfg) / 1000);
    opts.purpose = c->role == TLSM_ROLE_CLIENT ? PKI_PURPOSE_SERVER : PKI_PURPOSE_CLIENT;
    opts.cache = &c->cfg->verify_cache;
    int rc = pki_verify_chain(&c->cfg->trust, hs->peer.certs, hs->peer.n, &opts, NULL);
    if (rc) {
        c->verify_error = rc;
        return FAIL(reason_of_cert(rc));
    }
    return 0;
}

/* Stores the chain as the connection reports it: each certificate as a 3-byte length and
 * its DER. */
static int keep_chain(tlsm_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += 3 + lens[i];
    mem_free(c->peer_chain);
    c->peer_cert_n = c->peer_chain_len = 0;
    c->peer_chain = mem_alloc(total ? total : 1);
    if (!c->peer_chain)
        return FAIL(R_NOMEM);
    uint8_t *o = c->peer_chain;
    for (size_t i = 0; i < n; i++) {
        o[0] = (uint8_t)(lens[i] >> 16);
        o[1] = (uint8_t)(lens[i] >> 8);
        o[2] = (uint8_t)lens[i];
        memcpy(o + 3, certs[i], lens[i]);
        o += 3 + lens[i];
    }
    c->peer_chain_len = total;
    c->peer_cert_n = n;
    return 0;
}

/* Parses the connection's copy of the peer's chain (c->peer_chain) into hs->peer.certs,
 * then verifies it: built in, and asks the host when verification is external. */
static int check_kept_chain(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    size_t n = c->peer_cert_n;
    mem_free(hs->peer.certs);
    hs->peer.certs = NULL;
    hs->peer.n = 0;
    const uint8_t **copies = mem_alloc(n * sizeof *copies);
    size_t *lens = mem_alloc(n * sizeof *lens);
    hs->peer.certs = mem_calloc(n, sizeof *hs->peer.certs);
    int rc = copies && lens && hs->peer.certs ? 0 : FAIL(R_NOMEM);
    const uint8_t *p = c->peer_chain;
    for (size_t i = 0; !rc && i < n; i++) {
        lens[i] = (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
        copies[i] = p + 3;
        p += 3 + lens[i];
    }
    /* The parsed certificates borrow from the connection's copy, which outlives them. */
    if (!rc && (rc = pki_chain_parse(hs->peer.certs, copies, lens, n, NULL))) {
        c->verify_error = rc;
        rc = FAIL(reason_of_cert(rc));
    }
    mem_free(copies);
    mem_free(lens);
    if (rc)
        return rc;
    hs->peer.n = n;
    if (c->cfg->verify != TLSM_VERIFY_INSECURE_NO_VERIFICATION && (rc = builtin_verify(c)))
        return rc;
    if (c->cfg->verify_external) {
        /* The host decides next (tlsm_verify_done); nothing else is processed until then. */
        c->awaiting_verify = 1;
        c->blocked = 1;
        conn_event(c, TLSM_EV_VERIFY_PEER, 0, 0, 0, 0);
    }
    return 0;
}

int hs_take_peer_chain(tlsm_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n)
{
    struct hs_state *hs = c->hs;
    mem_free(hs->peer.certs);
    hs->peer.certs = NULL;
    hs->peer.n = 0;
    if (n == 0)
        return 0;
    int rc = keep_chain(c, certs, lens, n);
    return rc ? rc : check_kept_chain(c);
}

int hs_reverify_on_resume(tlsm_conn *c)
{
    if (c->role != TLSM_ROLE_CLIENT || !c->cfg->reverify_on_resume)
        return 0;
    /* A session from before sessions kept the chain has nothing to verify: refuse it, as a
     * full handshake with no certificate would be. */
    if (!c->peer_cert_n)
        return FAIL(R_CERT_EMPTY_SERVER);
    return check_kept_chain(c);
}

int hs_take_cert_list(tlsm_conn *c, const cert_msg *m)
{
    size_t n = m->n ? m->n : 1, pos = 0, i = 0;
    const uint8_t **der = mem_alloc(n * sizeof *der);
    size_t *lens = mem_alloc(n * sizeof *lens);
    int rc = der && lens ? 0 : FAIL(R_NOMEM);
    while (!rc && i < m->n && cert_next(m, &pos, &der[i], &lens[i]))
        i++;
    if (!rc)
        rc = hs_take_peer_chain(c, der, lens, i);
    mem_free(der);
    mem_free(lens);
    return rc;
}

int hs_leaf_allows(const tlsm_conn *c, unsigned key_usage)
{
    const pki_cert *leaf = &c->hs->peer.certs[0];
    return !leaf->has_key_usage || (leaf->key_usage & key_usage);
}

int hs_check_signature(tlsm_conn *c, uint16_t scheme, const uint8_t *tbs, size_t tbs_len,
                       const uint8_t *sig, size_t sig_len)
{
    const pki_cert *leaf = &c->hs->peer.certs[0];
    const crypto_pubkey *pk = &leaf->pubkey;
    /* RFC 8446 s.4.4.2.2: "the digitalSignature bit MUST be set if the Key Usage extension
     * is present" (RFC 5280 s.4.2.1.3; RFC 8422 s.5.3 for TLS 1.2 ECDSA). Checked here, not
     * only by chain verification, so that it holds with external or no verification. */
    if (!hs_leaf_allows(c, PKI_KU_DIGITAL_SIGNATURE))
        return FAIL(R_CERT_KU_NO_SIGNATURE);
    /* RFC 8446 s.4.4.3: "If the CertificateVerify message is sent by a server, the
     * signature algorithm MUST be one offered in the client's "signature_algorithms"
     * extension" (and likewise RFC 5246 s.7.4.3); it must also fit the certificate's key
     * in this version ("In addition, the signature algorithm MUST be compatible with the key
     * in the sender's end-entity certificate."), and the key's RSASSA-PSS parameters when it
     * has them. */
    if (!list_has(c->cfg->sigalgs, c->cfg->n_sigalgs, scheme))
        return FAIL(R_SIG_SCHEME_NOT_OFFERED);
    sig_alg alg = hs_scheme_alg(c->version, scheme, pk->type);
    if (alg == SIG_NONE)
        return FAIL(R_SIG_SCHEME_KEY_MISMATCH);
    if (!scheme_fits_params(alg, leaf))
        return FAIL(R_SIG_SCHEME_PSS_PARAMS);
    /* s.4.4.3: "If the verification fails, the receiver MUST terminate the handshake with
     * a "decrypt_error" alert." */
    if (crypto_verify(alg, pk, tbs, tbs_len, sig, sig_len))
        return FAIL(R_SIG_INVALID);
    c->peer_sigalg = scheme;
    return 0;
}

/* ------------------------------------------------------------------ our signatures */

int hs_set_tbs(tlsm_conn *c, const uint8_t *p, size_t len)
{
    struct hs_state *hs = c->hs;
    mem_free(hs->own.tbs);
    hs->own.tbs = mem_alloc(len ? len : 1);
    hs->own.tbs_len = hs->own.tbs ? len : 0;
    if (!hs->own.tbs)
        return FAIL(R_NOMEM);
    memcpy(hs->own.tbs, p, len);
    return 0;
}

int hs_sign(tlsm_conn *c, hs_emit_sig emit)
{
    struct hs_state *hs = c->hs;
    hs->own.emit = emit;
    if (!hs->own.id->key) {
        /* External signer: wait for tlsm_sign_done (the SIGNED row of the driver). */
        hs->state = HS_SIGNING;
        c->blocked = 1;
        conn_event(c, TLSM_EV_SIGN, 0, 0, 0, 0);
        return 0;
    }
    uint8_t sig[HS_SIG_MAX];
    size_t sig_len;
    if (crypto_sign(hs->own.id->key, hs->own.alg, &c->cfg->rng, hs->own.tbs, hs->own.tbs_len,
                    sig, sizeof sig, &sig_len))
        return FAIL(R_SIGN_FAILED);
    return emit(c, sig, sig_len);
}

int hs_signed(tlsm_conn *c, const uint8_t *sig, size_t len)
{
    struct hs_state *hs = c->hs;
    /* A wrong signature from the external signer would be caught by the peer; check it
     * here so the failure is ours and explicit. */
    if (crypto_verify(hs->own.alg, &hs->own.id->leaf.pubkey, hs->own.tbs, hs->own.tbs_len, sig,
                      len))
        return FAIL(R_EXTERNAL_SIGNATURE_INVALID);
    c->blocked = 0;
    return hs->own.emit(c, sig, len);
}

int hs_sign_request(tlsm_conn *c, uint16_t *scheme, const uint8_t **msg, size_t *len)
{
    if (!c->hs || c->hs->state != HS_SIGNING)
        return TLSM_ERR_STATE;
    *scheme = c->hs->own.scheme;
    *msg = c->hs->own.tbs;
    *len = c->hs->own.tbs_len;
    return 0;
}

int hs_send_certificate_verify(tlsm_conn *c, const uint8_t *sig, size_t sig_len)
{
    /* The same message in both versions: scheme, then signature<0..2^16-1>
     * (RFC 8446 s.4.4.3, RFC 5246 s.7.4.8). */
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_CERTIFICATE_VERIFY, 8 + sig_len);
    if (rc)
        return rc;
    wire_put_u16(&w, c->hs->own.scheme);
    wire_put_block(&w, 2, sig, sig_len);
    return hs_msg_send(c, &w);
}
