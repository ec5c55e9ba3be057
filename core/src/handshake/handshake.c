/*
 * handshake.c - the TLS 1.3 handshake driver: the table of allowed (state, message) pairs,
 * the handshake state's life cycle, and the pieces both roles share (Certificate,
 * CertificateVerify, Finished, the application key derivation).
 */
#include "handshake/handshake.h"
#include "handshake/suites.h"

#include <stdlib.h>
#include <string.h>

typedef int (*hs_handler)(tlsm_conn *c, const uint8_t *msg, size_t len);

/* Every message a state accepts; anything else is unexpected_message (RFC 8446 s.6.2). */
static const struct {
    hs_state_id state;
    uint8_t type;
    hs_handler fn;
} transitions[] = {
    {HS_C_WAIT_SH, HS_SERVER_HELLO, client_on_server_hello},
    {HS_C_WAIT_EE, HS_ENCRYPTED_EXTENSIONS, client_on_encrypted_extensions},
    {HS_C_WAIT_CERT_CR, HS_CERTIFICATE_REQUEST, client_on_certificate_request},
    {HS_C_WAIT_CERT_CR, HS_CERTIFICATE, client_on_certificate},
    {HS_C_WAIT_CERT, HS_CERTIFICATE, client_on_certificate},
    {HS_C_WAIT_CV, HS_CERTIFICATE_VERIFY, client_on_certificate_verify},
    {HS_C_WAIT_FINISHED, HS_FINISHED, client_on_finished},
    {HS_S_WAIT_CH, HS_CLIENT_HELLO, server_on_client_hello},
    {HS_S_WAIT_CH2, HS_CLIENT_HELLO, server_on_client_hello},
    {HS_S_WAIT_CERT, HS_CERTIFICATE, server_on_certificate},
    {HS_S_WAIT_CV, HS_CERTIFICATE_VERIFY, server_on_certificate_verify},
    {HS_S_WAIT_FINISHED, HS_FINISHED, server_on_finished},
    /* TLS 1.2, RFC 5246 s.7.3 (ChangeCipherSpec is a record type: hs12_on_ccs) */
    {HS_C12_WAIT_CERT, HS_CERTIFICATE, client12_on_certificate},
    {HS_C12_WAIT_SKE, HS_SERVER_KEY_EXCHANGE, client12_on_server_key_exchange},
    {HS_C12_WAIT_CR_SHD, HS_CERTIFICATE_REQUEST, client12_on_certificate_request},
    {HS_C12_WAIT_CR_SHD, HS_SERVER_HELLO_DONE, client12_on_server_hello_done},
    {HS_C12_WAIT_SHD, HS_SERVER_HELLO_DONE, client12_on_server_hello_done},
    {HS_C12_WAIT_NST_CCS, HS_NEW_SESSION_TICKET, client12_on_new_session_ticket},
    {HS_C12_WAIT_FINISHED, HS_FINISHED, client12_on_finished},
    {HS_S12_WAIT_CERT, HS_CERTIFICATE, server12_on_certificate},
    {HS_S12_WAIT_CKE, HS_CLIENT_KEY_EXCHANGE, server12_on_client_key_exchange},
    {HS_S12_WAIT_CV, HS_CERTIFICATE_VERIFY, server12_on_certificate_verify},
    {HS_S12_WAIT_FINISHED, HS_FINISHED, server12_on_finished},
};

/* After the handshake: in TLS 1.3 (s.4.6) the client takes tickets and both take
 * KeyUpdate; in TLS 1.2 a renegotiation request is answered with a refusal. */
static const struct {
    uint16_t version;
    tlsm_role role;
    uint8_t type;
    hs_handler fn;
} post_transitions[] = {
    {TLSM_TLS13, TLSM_ROLE_CLIENT, HS_NEW_SESSION_TICKET, post_on_new_session_ticket},
    {TLSM_TLS13, TLSM_ROLE_CLIENT, HS_KEY_UPDATE, post_on_key_update},
    {TLSM_TLS13, TLSM_ROLE_SERVER, HS_KEY_UPDATE, post_on_key_update},
    {TLSM_TLS12, TLSM_ROLE_CLIENT, HS_HELLO_REQUEST, post12_refuse_renegotiation},
    {TLSM_TLS12, TLSM_ROLE_SERVER, HS_CLIENT_HELLO, post12_refuse_renegotiation},
};

int hs_create(tlsm_conn *c)
{
    c->hs = calloc(1, sizeof *c->hs);
    if (!c->hs)
        return TLSM_ERR_NOMEM;
    transcript_init(&c->hs->tr);
    c->hs->state = c->role == TLSM_ROLE_CLIENT ? HS_C_START : HS_S_WAIT_CH;
    return 0;
}

void hs_free(tlsm_conn *c)
{
    if (!c->hs)
        return;
    transcript_free(&c->hs->tr);
    free(c->hs->tbs);
    crypto_wipe(c->hs, sizeof *c->hs);
    free(c->hs);
    c->hs = NULL;
}

int hs_client_start(tlsm_conn *c)
{
    return client_start(c);
}

/* Trace event for a handshake message; a HelloRetryRequest is marked as such. */
static void trace_message(tlsm_conn *c, tlsm_event_type type, const uint8_t *msg, size_t len)
{
    if (!c->cfg->trace)
        return;
    size_t before = c->ev_count;
    conn_event(c, type, 0, 0, 0, msg[0]);
    if (c->ev_count > before && msg[0] == HS_SERVER_HELLO &&
        len >= HS_HEADER_LEN + 2 + HS_RANDOM_LEN &&
        !memcmp(msg + HS_HEADER_LEN + 2, HS_HRR_RANDOM, HS_RANDOM_LEN))
        c->events[(c->ev_head + c->ev_count - 1) % TLSM_EVENT_QUEUE].hrr = 1;
}

int hs_on_message(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    uint8_t type = msg[0];
    trace_message(c, TLSM_EV_MESSAGE_RECEIVED, msg, len);
    if (!c->hs) {
        for (size_t i = 0; i < sizeof post_transitions / sizeof *post_transitions; i++)
            if (post_transitions[i].version == c->version && post_transitions[i].role == c->role &&
                post_transitions[i].type == type)
                return post_transitions[i].fn(c, msg, len);
        return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
    }
    for (size_t i = 0; i < sizeof transitions / sizeof *transitions; i++)
        if (transitions[i].state == c->hs->state && transitions[i].type == type)
            return transitions[i].fn(c, msg, len);
    return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
}

/* ------------------------------------------------------------------ building messages */

int hs_msg_begin(wire_writer *w, uint8_t type, size_t cap)
{
    uint8_t *buf = malloc(cap);
    wire_writer_init(w, buf, buf ? cap : 0);
    if (!buf)
        return TLSM_ERR_NOMEM;
    wire_put_u8(w, type);
    wire_put_u24(w, 0);
    return 0;
}

void hs_msg_abort(wire_writer *w)
{
    if (w->p) {
        crypto_wipe(w->p, w->cap);
        free(w->p);
    }
    w->p = NULL;
}

int hs_msg_send(tlsm_conn *c, wire_writer *w)
{
    int rc = 0;
    if (w->err || w->len < HS_HEADER_LEN) {
        rc = conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    } else {
        size_t body = w->len - HS_HEADER_LEN;
        w->p[1] = (uint8_t)(body >> 16);
        w->p[2] = (uint8_t)(body >> 8);
        w->p[3] = (uint8_t)body;
        if (c->hs)
            transcript_add(&c->hs->tr, w->p, w->len);
        trace_message(c, TLSM_EV_MESSAGE_SENT, w->p, w->len);
        rc = conn_send_handshake(c, w->p, w->len);
    }
    crypto_wipe(w->p, w->cap);
    free(w->p);
    w->p = NULL;
    return rc;
}

void hs_transcript_add(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    transcript_add(&c->hs->tr, msg, len);
}

/* ------------------------------------------------------------------ algorithm tables */

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
     * names the hash (RFC 5246 s.7.4.1.4.1, RFC 8422 s.5.1.3). */
    case TLSM_SIG_ECDSA_SECP256R1_SHA256:
        return (version == TLSM_TLS12 ? ec : key == PK_EC_P256) ? SIG_ECDSA_SHA256 : SIG_NONE;
    case TLSM_SIG_ECDSA_SECP384R1_SHA384:
        return (version == TLSM_TLS12 ? ec : key == PK_EC_P384) ? SIG_ECDSA_SHA384 : SIG_NONE;
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
    /* PKCS#1 v1.5 signs TLS 1.2 handshakes only; in 1.3 it is for certificates (s.4.2.3). */
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

/* TLS 1.2 (RFC 8422 s.5.1, s.5.3): an ECDSA certificate's curve must be one the client
 * listed in supported_groups, when it sent the extension. */
static int curve_acceptable(const tlsm_conn *c, pk_type key)
{
    const struct hs_state *hs = c->hs;
    uint16_t group = key == PK_EC_P256 ? TLSM_GROUP_SECP256R1
                     : key == PK_EC_P384 ? TLSM_GROUP_SECP384R1 : 0;
    if (c->version != TLSM_TLS12 || !group || !hs->peer_groups_sent)
        return 1;
    return list_has(hs->peer_groups, hs->n_peer_groups, group);
}

int hs_group_offered(const tlsm_conn *c, uint16_t group)
{
    return list_has(c->cfg->groups, c->cfg->n_groups, group);
}

int hs_choose_identity(tlsm_conn *c, const uint16_t *peer, size_t n, const suite_info *suite)
{
    const tlsm_config *cfg = c->cfg;
    /* Our preference order first, then the first identity whose key fits the scheme (and,
     * in TLS 1.2, the suite). */
    for (size_t i = 0; i < cfg->n_sigalgs; i++) {
        if (!list_has(peer, n, cfg->sigalgs[i]))
            continue;
        for (size_t j = 0; j < cfg->n_ids; j++) {
            pk_type key = cfg->ids[j].leaf.pubkey.type;
            sig_alg alg = hs_scheme_alg(c->version, cfg->sigalgs[i], key);
            if (alg == SIG_NONE || (suite && !suite_allows_key(suite, key)) ||
                !curve_acceptable(c, key))
                continue;
            c->hs->id = &cfg->ids[j];
            c->hs->sign_scheme = cfg->sigalgs[i];
            c->hs->sign_alg = alg;
            return 0;
        }
    }
    return -1;
}

int hs_parse_sigalgs(tlsm_conn *c, const uint8_t *p, size_t len)
{
    wire_reader r, l;
    wire_init(&r, p, len);
    wire_block(&r, 2, 2, 0xfffe, &l);
    if (wire_end(&r) || l.len % 2)
        return -TLSM_ALERT_DECODE_ERROR;
    c->hs->n_peer_sigalgs = 0;
    while (wire_left(&l) > 0) {
        uint16_t s = wire_u16(&l);
        if (c->hs->n_peer_sigalgs < sizeof c->hs->peer_sigalgs / sizeof *c->hs->peer_sigalgs)
            c->hs->peer_sigalgs[c->hs->n_peer_sigalgs++] = s;
    }
    return 0;
}

/* ------------------------------------------------------------------ Certificate */

int hs_send_certificate(tlsm_conn *c, const tlsm_identity *id)
{
    wire_writer w;
    size_t cap = 64 + c->hs->cr_context_len;
    for (size_t i = 0; id && i < id->n; i++)
        cap += id->der_len[i] + 5;
    int rc = hs_msg_begin(&w, HS_CERTIFICATE, cap);
    if (rc)
        return conn_fail(c, rc);
    /* s.4.4.2: the request context echoes the CertificateRequest's (empty for servers). */
    wire_put_block(&w, 1, c->hs->cr_context, c->hs->cr_context_len);
    size_t list = wire_open(&w, 3);
    for (size_t i = 0; id && i < id->n; i++) {
        wire_put_block(&w, 3, id->der[i], id->der_len[i]);
        wire_put_u16(&w, 0); /* no per-certificate extensions */
    }
    wire_close(&w, list);
    return hs_msg_send(c, &w);
}

static int verify_error_alert(int err)
{
    switch (err) {
    case TLSM_ERR_CERT_UNKNOWN_ISSUER:
    case TLSM_ERR_CERT_NO_TRUST:
        return TLSM_ALERT_UNKNOWN_CA;
    case TLSM_ERR_CERT_EXPIRED:
    case TLSM_ERR_CERT_NOT_YET_VALID:
        return TLSM_ALERT_CERTIFICATE_EXPIRED;
    case TLSM_ERR_CERT_UNSUPPORTED_ALG:
    case TLSM_ERR_CERT_WEAK_KEY:
    case TLSM_ERR_CERT_USAGE:
        return TLSM_ALERT_UNSUPPORTED_CERTIFICATE;
    default:
        return TLSM_ALERT_BAD_CERTIFICATE;
    }
}

static int builtin_verify(tlsm_conn *c);

int hs_take_peer_chain(tlsm_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n)
{
    struct hs_state *hs = c->hs;
    int rc;
    hs->n_peer = 0;
    if (n == 0)
        return 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += lens[i];
    free(c->peer_chain);
    c->peer_chain = malloc(total);
    c->peer_cert_n = 0;
    if (!c->peer_chain)
        return conn_fail(c, TLSM_ERR_NOMEM);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(c->peer_chain + off, certs[i], lens[i]);
        c->peer_cert_off[i] = off;
        c->peer_cert_len[i] = lens[i];
        off += lens[i];
    }
    c->peer_chain_len = total;
    c->peer_cert_n = n;
    const uint8_t *copies[TLSM_MAX_CHAIN];
    for (size_t i = 0; i < n; i++)
        copies[i] = c->peer_chain + c->peer_cert_off[i];
    rc = pki_chain_parse(hs->peer, copies, lens, n, NULL);
    if (rc) {
        c->verify_error = rc;
        return conn_alert(c, TLSM_ALERT_BAD_CERTIFICATE);
    }
    hs->n_peer = n;
    if (c->cfg->verify != TLSM_VERIFY_INSECURE_NO_VERIFICATION &&
        (rc = builtin_verify(c)))
        return rc;
    if (c->cfg->verify_external) {
        /* The host decides next (tlsm_verify_done); nothing else is processed until then. */
        c->awaiting_verify = 1;
        c->blocked = 1;
        conn_event(c, TLSM_EV_VERIFY_PEER, 0, 0, 0, 0);
    }
    return 0;
}

static int builtin_verify(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    int rc;
    pki_verify_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.host = c->role == TLSM_ROLE_CLIENT && c->server_name[0] ? c->server_name : NULL;
    opts.now = (int64_t)(conn_now_ms(c) / 1000);
    opts.purpose = c->role == TLSM_ROLE_CLIENT ? PKI_PURPOSE_SERVER : PKI_PURPOSE_CLIENT;
    rc = pki_verify_chain(&c->cfg->trust, hs->peer, hs->n_peer, &opts, NULL);
    if (rc) {
        c->verify_error = rc;
        return conn_alert(c, (uint8_t)verify_error_alert(rc));
    }
    return 0;
}

int hs_recv_certificate(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    cert_msg cm;
    int rc = cert_decode(msg + HS_HEADER_LEN, len - HS_HEADER_LEN, TLSM_MAX_CHAIN, &cm);
    if (rc)
        return conn_alert(c, (uint8_t)-rc);
    /* s.4.4.2: the context is empty for the server's Certificate and echoes the request
     * context for the client's. */
    if (cm.context_len != hs->cr_context_len ||
        (cm.context_len && memcmp(cm.context, hs->cr_context, cm.context_len)))
        return conn_alert(c, TLSM_ALERT_ILLEGAL_PARAMETER);
    hs_transcript_add(c, msg, len);
    return hs_take_peer_chain(c, cm.cert, cm.cert_len, cm.n);
}

int hs_set_tbs(tlsm_conn *c, const uint8_t *p, size_t len)
{
    struct hs_state *hs = c->hs;
    free(hs->tbs);
    hs->tbs = malloc(len ? len : 1);
    hs->tbs_len = hs->tbs ? len : 0;
    if (!hs->tbs)
        return conn_fail(c, TLSM_ERR_NOMEM);
    memcpy(hs->tbs, p, len);
    return 0;
}

int hs_sign(tlsm_conn *c, hs_emit_sig emit)
{
    struct hs_state *hs = c->hs;
    hs->emit_sig = emit;
    if (!hs->id->key) {
        /* External signer: wait for tlsm_sign_done. */
        hs->state = HS_SIGNING;
        c->blocked = 1;
        conn_event(c, TLSM_EV_SIGN, 0, 0, 0, 0);
        return 0;
    }
    uint8_t sig[HS_SIG_MAX];
    size_t sig_len;
    if (crypto_sign(hs->id->key, hs->sign_alg, &c->cfg->rng, hs->tbs, hs->tbs_len, sig,
                    sizeof sig, &sig_len))
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    return emit(c, sig, sig_len);
}

int hs_sign_request(tlsm_conn *c, uint16_t *scheme, const uint8_t **msg, size_t *len)
{
    if (!c->hs || c->hs->state != HS_SIGNING)
        return TLSM_ERR_STATE;
    *scheme = c->hs->sign_scheme;
    *msg = c->hs->tbs;
    *len = c->hs->tbs_len;
    return 0;
}

int hs_sign_done(tlsm_conn *c, const uint8_t *sig, size_t len)
{
    if (!c->hs || c->hs->state != HS_SIGNING)
        return TLSM_ERR_STATE;
    if (!sig || len == 0 || len > HS_SIG_MAX)
        return TLSM_ERR_ARG;
    /* A wrong signature from the external signer would be caught by the peer; check it
     * here so the failure is ours and explicit. */
    if (crypto_verify(c->hs->sign_alg, &c->hs->id->leaf.pubkey, c->hs->tbs, c->hs->tbs_len,
                      sig, len))
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    c->blocked = 0;
    return c->hs->emit_sig(c, sig, len);
}

int hs_check_signature(tlsm_conn *c, uint16_t scheme, const uint8_t *tbs, size_t tbs_len,
                       const uint8_t *sig, size_t sig_len)
{
    const crypto_pubkey *pk = &c->hs->peer[0].pubkey;
    /* The scheme must be one we offered (RFC 8446 s.4.4.3, RFC 5246 s.7.4.3: else
     * illegal_parameter) and fit the certificate's key in this version. */
    sig_alg alg = hs_scheme_alg(c->version, scheme, pk->type);
    if (!list_has(c->cfg->sigalgs, c->cfg->n_sigalgs, scheme) || alg == SIG_NONE)
        return TLSM_ALERT_ILLEGAL_PARAMETER;
    if (crypto_verify(alg, pk, tbs, tbs_len, sig, sig_len))
        return TLSM_ALERT_DECRYPT_ERROR;
    c->peer_sigalg = scheme;
    return 0;
}

/* s.4.4.3: 64 spaces, the context string, a zero byte, then the transcript hash. */
static size_t build_tbs13(tlsm_conn *c, int server, uint8_t *out)
{
    static const char srv[] = "TLS 1.3, server CertificateVerify";
    static const char cli[] = "TLS 1.3, client CertificateVerify";
    const char *label = server ? srv : cli;
    size_t n = 0;
    memset(out, 0x20, 64);
    n += 64;
    memcpy(out + n, label, sizeof srv); /* both labels have the same length; copies the NUL */
    n += sizeof srv;
    transcript_hash(&c->hs->tr, out + n);
    return n + c->hash_len;
}

int hs_send_certificate_verify(tlsm_conn *c, const uint8_t *sig, size_t sig_len)
{
    /* The same message in both versions: scheme, then signature<0..2^16-1>
     * (RFC 8446 s.4.4.3, RFC 5246 s.7.4.8). */
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_CERTIFICATE_VERIFY, 8 + sig_len);
    if (rc)
        return conn_fail(c, rc);
    wire_put_u16(&w, c->hs->sign_scheme);
    wire_put_block(&w, 2, sig, sig_len);
    return hs_msg_send(c, &w);
}

static int emit_certificate_verify13(tlsm_conn *c, const uint8_t *sig, size_t sig_len)
{
    int rc = hs_send_certificate_verify(c, sig, sig_len);
    return rc ? rc : c->hs->after_sign(c);
}

int hs_sign_and_continue(tlsm_conn *c, int (*after_sign)(tlsm_conn *c))
{
    uint8_t tbs[HS_TBS_MAX];
    size_t n = build_tbs13(c, c->role == TLSM_ROLE_SERVER, tbs);
    int rc = hs_set_tbs(c, tbs, n);
    if (rc)
        return rc;
    c->hs->after_sign = after_sign;
    return hs_sign(c, emit_certificate_verify13);
}

int hs_recv_certificate_verify(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    wire_reader r, sig;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    uint16_t scheme = wire_u16(&r);
    wire_block(&r, 2, 1, 0xffff, &sig);
    if (wire_end(&r))
        return conn_alert(c, TLSM_ALERT_DECODE_ERROR);
    uint8_t tbs[HS_TBS_MAX];
    size_t tbs_len = build_tbs13(c, c->role == TLSM_ROLE_CLIENT, tbs);
    int alert = hs_check_signature(c, scheme, tbs, tbs_len, sig.p, sig.len);
    if (alert)
        return conn_alert(c, (uint8_t)alert);
    hs_transcript_add(c, msg, len);
    return 0;
}

/* ------------------------------------------------------------------ Finished */

int hs_send_finished(tlsm_conn *c, const uint8_t *base_secret)
{
    uint8_t thash[CRYPTO_HASH_MAX], verify[CRYPTO_HASH_MAX];
    transcript_hash(&c->hs->tr, thash);
    if (ks_finished(c->hash, base_secret, thash, verify))
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_FINISHED, HS_HEADER_LEN + c->hash_len);
    if (rc)
        return conn_fail(c, rc);
    wire_put_bytes(&w, verify, c->hash_len);
    return hs_msg_send(c, &w);
}

int hs_recv_finished(tlsm_conn *c, const uint8_t *msg, size_t len, const uint8_t *base_secret)
{
    uint8_t thash[CRYPTO_HASH_MAX], verify[CRYPTO_HASH_MAX];
    if (len != HS_HEADER_LEN + c->hash_len)
        return conn_alert(c, TLSM_ALERT_DECODE_ERROR);
    transcript_hash(&c->hs->tr, thash);
    if (ks_finished(c->hash, base_secret, thash, verify))
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    /* s.4.4.4: a wrong verify_data is decrypt_error; compared in constant time. */
    int ok = crypto_ct_equal(verify, msg + HS_HEADER_LEN, c->hash_len);
    crypto_wipe(verify, sizeof verify);
    if (!ok)
        return conn_alert(c, TLSM_ALERT_DECRYPT_ERROR);
    hs_transcript_add(c, msg, len);
    return 0;
}

int hs_derive_handshake(tlsm_conn *c, const uint8_t *shared, size_t shared_len)
{
    struct hs_state *hs = c->hs;
    uint8_t thash[CRYPTO_HASH_MAX];
    /* s.7.1: Early Secret (from the PSK, or zeros), then Handshake Secret from the (EC)DHE
     * secret; traffic secrets over ClientHello..ServerHello; Master Secret. */
    if (!hs->psk_accepted)
        ks_early_secret(c->hash, NULL, 0, hs->early);
    int rc = ks_next_stage(c->hash, hs->early, shared, shared_len, hs->hs_secret);
    transcript_hash(&hs->tr, thash);
    if (rc || ks_derive(c->hash, hs->hs_secret, "c hs traffic", thash, hs->c_hs) ||
        ks_derive(c->hash, hs->hs_secret, "s hs traffic", thash, hs->s_hs) ||
        ks_next_stage(c->hash, hs->hs_secret, NULL, 0, hs->master))
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    conn_keylog(c, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", hs->client_random, hs->c_hs, c->hash_len);
    conn_keylog(c, "SERVER_HANDSHAKE_TRAFFIC_SECRET", hs->client_random, hs->s_hs, c->hash_len);
    int server = c->role == TLSM_ROLE_SERVER;
    if ((rc = conn_set_keys(c, 0, server ? hs->c_hs : hs->s_hs)) ||
        (rc = conn_set_keys(c, 1, server ? hs->s_hs : hs->c_hs)))
        return rc;
    return 0;
}

int hs_derive_application(tlsm_conn *c, uint8_t *s_ap)
{
    uint8_t thash[CRYPTO_HASH_MAX];
    transcript_hash(&c->hs->tr, thash);
    if (ks_derive(c->hash, c->hs->master, "c ap traffic", thash, c->hs->c_ap) ||
        ks_derive(c->hash, c->hs->master, "s ap traffic", thash, s_ap) ||
        ks_derive(c->hash, c->hs->master, "exp master", thash, c->exporter_secret))
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    conn_keylog(c, "CLIENT_TRAFFIC_SECRET_0", c->hs->client_random, c->hs->c_ap, c->hash_len);
    conn_keylog(c, "SERVER_TRAFFIC_SECRET_0", c->hs->client_random, s_ap, c->hash_len);
    conn_keylog(c, "EXPORTER_SECRET", c->hs->client_random, c->exporter_secret, c->hash_len);
    return 0;
}

int hs_derive_resumption(tlsm_conn *c)
{
    uint8_t thash[CRYPTO_HASH_MAX];
    transcript_hash(&c->hs->tr, thash);
    if (ks_derive(c->hash, c->hs->master, "res master", thash, c->resumption_secret))
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    return 0;
}

int hs_finish(tlsm_conn *c)
{
    c->hs->state = HS_DONE;
    c->handshake_done = 1;
    c->accept_plain_ccs = 0;
    hs_free(c);
    conn_event(c, TLSM_EV_HANDSHAKE_DONE, 0, 0, 0, 0);
    return 0;
}
