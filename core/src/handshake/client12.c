/*
 * client12.c - the TLS 1.2 client (RFC 5246 s.7.3): ServerHello checks (downgrade
 * sentinel, Extended Master Secret, renegotiation_info, resumption), the server's
 * Certificate, ServerKeyExchange and CertificateRequest, our second flight
 * (Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec, Finished), the
 * NewSessionTicket and the server's Finished.
 */
#include "handshake/handshake.h"
#include "mem.h"
#include "handshake/prf12.h"

#include <stdlib.h>
#include <string.h>

/* Extensions a TLS 1.2 ServerHello may carry in answer to ours. */
static int allowed_in_sh12(const tlsm_conn *c, uint16_t type)
{
    const tlsm_config *cfg = c->cfg;
    switch (type) {
    case EXT_SERVER_NAME:
        return c->server_name[0] != 0;
    case EXT_ALPN:
        return cfg->alpn_len != 0;
    case EXT_EC_POINT_FORMATS:
    case EXT_EXTENDED_MASTER_SECRET:
    case EXT_RENEGOTIATION_INFO:
    case EXT_RECORD_SIZE_LIMIT:
        return 1;
    case EXT_SESSION_TICKET:
        return cfg->tickets != 0;
    case EXT_STATUS_REQUEST:
        return cfg->ocsp_request;
    }
    return 0;
}

static int parse_sh12_extensions(tlsm_conn *c, const sh_msg *sh)
{
    struct hs_state *hs = c->hs;
    ext_entry x;
    for (size_t pos = 0; ext_next(&sh->ext, &pos, &x);) {
        const ext_entry *e = &x;
        wire_reader r, b;
        wire_init(&r, e->data, e->len);
        /* s.7.4.1.4: "If a client receives an extension type in ServerHello that it did not
         * request in the associated ClientHello, it MUST abort the handshake with an
         * unsupported_extension fatal alert." */
        if (!allowed_in_sh12(c, e->type))
            return FAIL(R_SH12_EXT_UNSOLICITED);
        switch (e->type) {
        case EXT_SERVER_NAME:
            if (e->len)
                return FAIL(R_SH12_EXT_DECODE);
            break;
        case EXT_EXTENDED_MASTER_SECRET: /* RFC 7627 s.5.1: empty */
            if (e->len)
                return FAIL(R_SH12_EXT_DECODE);
            hs->t12.ems = 1;
            break;
        case EXT_RENEGOTIATION_INFO:
            /* RFC 5746 s.3.4: on an initial handshake it must be empty (one zero byte). */
            wire_block(&r, 1, 0, 255, &b);
            if (wire_end(&r))
                return FAIL(R_SH12_EXT_DECODE);
            if (b.len)
                return FAIL(R_SH12_RENEGOTIATION_INFO);
            hs->t12.secure_reneg = 1;
            break;
        case EXT_STATUS_REQUEST: /* RFC 6066 s.8: empty; a CertificateStatus may follow */
            if (e->len)
                return FAIL(R_SH12_EXT_DECODE);
            hs->t12.status_expected = 1;
            break;
        case EXT_SESSION_TICKET: /* RFC 5077 s.3.2: empty; a ticket will follow */
            if (e->len)
                return FAIL(R_SH12_EXT_DECODE);
            hs->t12.ticket_expected = 1;
            break;
        case EXT_EC_POINT_FORMATS: {
            /* RFC 8422 s.5.2: the list must contain uncompressed (0). */
            int has = 0;
            wire_block(&r, 1, 1, 255, &b);
            if (wire_end(&r))
                return FAIL(R_SH12_EXT_DECODE);
            while (wire_left(&b) > 0)
                has |= wire_u8(&b) == 0;
            if (!has)
                return FAIL(R_SH12_POINT_FORMATS);
            break;
        }
        case EXT_ALPN: {
            wire_reader name;
            wire_block(&r, 2, 2, 0xffff, &b);
            wire_block(&b, 1, 1, 255, &name);
            if (wire_end(&b) || wire_end(&r))
                return FAIL(R_ALPN_DECODE);
            if (!conn_alpn_select(c, name.p, name.len)) /* RFC 7301 s.3.1 */
                return FAIL(R_ALPN_NOT_OFFERED);
            break;
        }
        case EXT_RECORD_SIZE_LIMIT: {
            uint16_t lim = wire_u16(&r);
            if (wire_end(&r))
                return FAIL(R_RSL_DECODE);
            if (lim < 64) /* RFC 8449 s.4 */
                return FAIL(R_RSL_TOO_SMALL);
            c->rec.peer_max_fragment = lim < REC_MAX_PLAINTEXT ? lim : REC_MAX_PLAINTEXT;
            c->rec.rsl_negotiated = 1;
            break;
        }
        }
    }
    return 0;
}

int client12_on_server_hello(tlsm_conn *c, const sh_msg *sh, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    const tlsm_config *cfg = c->cfg;
    const suite_info *suite = suite_find(sh->suite);
    if (cfg->min_version > TLSM_TLS12)
        return FAIL(R_SH12_VERSION_NOT_ENABLED);
    /* s.7.4.1.3: cipher_suite is "The single cipher suite selected by the server from the
     * list in ClientHello.cipher_suites" (and a TLS 1.2 one). */
    int offered = 0;
    for (size_t i = 0; i < cfg->n_suites; i++)
        offered |= cfg->suites[i] == sh->suite;
    if (!suite || !offered || suite->version != TLSM_TLS12)
        return FAIL(R_SH12_SUITE_NOT_OFFERED);
    /* s.7.4.1.3: compression_method: "The single compression algorithm selected by the
     * server from the list in ClientHello.compression_methods" - we list only null. */
    if (sh->compression != 0)
        return FAIL(R_SH_COMPRESSION);
    /* RFC 8446 s.4.1.3: a client that offered 1.3 and gets 1.2 with the downgrade sentinel
     * (either ending) is under attack. */
    if (cfg->max_version >= TLSM_TLS13 &&
        !memcmp(sh->random + 24, TLS12_DOWNGRADE_SENTINEL, 7) &&
        (sh->random[31] == 0x00 || sh->random[31] == 0x01))
        return FAIL(R_SH_DOWNGRADE);
    hs_set_version(c, TLSM_TLS12);
    /* Our record_size_limit was sent for TLS 1.3 (plus one for the type byte) when we also
     * offered 1.3: a 1.2 server may use it in full (RFC 8449 s.4), up to 2^14. */
    if (cfg->max_version >= TLSM_TLS13 && cfg->record_size_limit < REC_MAX_PLAINTEXT)
        c->rec.max_plaintext_in = cfg->record_size_limit + 1u;
    c->suite = sh->suite;
    c->hash = suite->hash;
    c->aead = suite->aead;
    c->hash_len = crypto_hash_len(c->hash);
    memcpy(hs->hello.server_random, sh->random, HS_RANDOM_LEN);
    int rc = parse_sh12_extensions(c, sh);
    if (rc)
        return rc;
    /* RFC 7627 s.5.3: without EMS the handshake is refused unless the config allows it. */
    if (!hs->t12.ems && cfg->require_ems)
        return FAIL(R_SH12_NO_EMS);
    transcript_choose(&hs->tr, c->hash);
    hs_transcript_add(c, msg, len);

    /* Resumption: the server echoed the session id of the session we offered (s.7.4.1.3:
     * "the server will respond with the same value as was supplied by the client. This
     * indicates a resumed session"). Echoing an id that offered no session (TLS 1.3
     * compatibility mode, RFC 8446 D.4) claims a resumption of nothing: illegal_parameter. */
    const tlsm_session *s = &c->session;
    int echoed = sh->sid_len && sh->sid_len == hs->hello.sid_len &&
                 !memcmp(sh->sid, hs->hello.sid, sh->sid_len);
    if (echoed && !hs->t12.offered)
        return FAIL(R_SH12_SESSION_ID_NOT_OFFERED);
    if (echoed) {
        /* RFC 5246 s.7.4.1.3: "If a session is resumed, it must be resumed using the same
         * cipher suite it was originally negotiated with"; its EMS state likewise (RFC 7627
         * s.5.3). */
        if (s->suite != sh->suite)
            return FAIL(R_SH12_RESUMED_SUITE);
        if (s->ems != hs->t12.ems)
            return FAIL(R_SH12_RESUMED_EMS);
        memcpy(hs->ks.master, s->secret, TLS12_MASTER_LEN);
        hs->t12.abbreviated = 1;
        c->resumed = 1;
        session_resumed(c);
        hs->state = HS_C12_WAIT_NST_CCS;
        return hs_reverify_on_resume(c);
    }
    /* A full handshake: remember the server's session id for a later resumption. */
    memcpy(hs->hello.sid, sh->sid, sh->sid_len);
    hs->hello.sid_len = sh->sid_len;
    hs->state = HS_C12_WAIT_CERT;
    return 0;
}

int client12_on_certificate(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    const suite_info *suite = suite_find(c->suite);
    int rc = tls12_recv_certificate(c, msg, len);
    if (rc)
        return rc;
    /* An empty server chain cannot authenticate anything (s.7.4.2). */
    if (hs->peer.n == 0)
        return FAIL(R_CERT_EMPTY_SERVER);
    /* The leaf's key must be the kind the suite names (s.7.4.2). */
    if (!suite_allows_key(suite, hs->peer.certs[0].pubkey.type))
        return FAIL(R_CERT_KEY_NOT_FOR_SUITE);
    /* RFC 8422 s.5.3: for ECDHE_ECDSA the server's key "MUST use a curve and point format
     * supported by the client" (s.5.1: the curves of its supported_groups, which are
     * ours). TLS 1.3 ties the curve to the signature scheme instead. */
    uint16_t curve = hs_key_curve(hs->peer.certs[0].pubkey.type);
    if (curve && !hs_group_offered(c, curve))
        return FAIL(R_CERT12_CURVE_NOT_OFFERED);
    /* RFC 5246 s.7.4.2 / RFC 5280 s.4.2.1.3: RSA key transport encrypts to the key, which
     * its keyUsage, when present, must allow (keyEncipherment). */
    if (suite->kx == KX_RSA && !hs_leaf_allows(c, PKI_KU_KEY_ENCIPHERMENT))
        return FAIL(R_CERT_KU_NO_ENCIPHERMENT);
    hs->state = suite->kx == KX_RSA ? HS_C12_WAIT_CR_SHD : HS_C12_WAIT_SKE;
    return 0;
}

/* Whether we enable DHE at all: some RFC 7919 group among ours. */
static int offers_ffdhe(const tlsm_conn *c)
{
    for (size_t i = 0; i < c->cfg->n_groups; i++)
        if (crypto_kex_is_ffdhe(c->cfg->groups[i]))
            return 1;
    return 0;
}

/* RFC 6066 s.8: "the server MAY also choose not to send a "CertificateStatus" message"
 * - but it comes right after Certificate or not at all. */
static void status_window_closes(tlsm_conn *c)
{
    c->hs->t12.status_expected = 0;
}

int client12_on_certificate_status(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    if (!hs->t12.status_expected)
        return FAIL(R_CERT_STATUS_UNEXPECTED);
    status_window_closes(c);
    int rc = ocsp_take_status(c, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    if (rc)
        return rc;
    hs_transcript_add(c, msg, len);
    return 0;
}

int client12_on_server_key_exchange(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    const suite_info *suite = suite_find(c->suite);
    status_window_closes(c);
    wire_reader r, pub, sig;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    uint16_t group;
    if (suite->kx == KX_ECDHE) {
        /* RFC 8422 s.5.4: ECParameters (named_curve only) and the point. */
        uint8_t curve_type = wire_u8(&r);
        group = wire_u16(&r);
        wire_block(&r, 1, 1, 255, &pub);
        if (r.err)
            return FAIL(R_SKE_DECODE);
        if (curve_type != 3 || !hs_group_offered(c, group) || crypto_kex_pub_len(group) == 0 ||
            crypto_kex_is_ffdhe(group) || crypto_kex_is_kem(group))
            return FAIL(R_SKE_CURVE);
    } else {
        /* s.7.4.3: dh_p, dh_g, dh_Ys. Only known safe primes are accepted, by exact match:
         * the RFC 7919 groups we offer, and the RFC 3526 groups of 2048 bits and more when
         * we offer any FFDHE group (what OpenSSL and Apache send unconfigured, issue 16
         * item 12); custom or weak parameters are refused (RFC 7919 s.4). */
        wire_reader p, g;
        wire_block(&r, 2, 1, 0xffff, &p);
        wire_block(&r, 2, 1, 0xffff, &g);
        wire_block(&r, 2, 1, 0xffff, &pub);
        if (r.err)
            return FAIL(R_SKE_DECODE);
        if (crypto_dh_params_check(p.p, p.len, g.p, g.len, &group) ||
            !(crypto_kex_supported(group) ? hs_group_offered(c, group) : offers_ffdhe(c)))
            return FAIL(R_SKE_DH_GROUP);
    }
    size_t params_len = r.pos;
    uint16_t scheme = wire_u16(&r);
    wire_block(&r, 2, 1, 0xffff, &sig);
    if (wire_end(&r))
        return FAIL(R_SKE_DECODE);
    if (pub.len > sizeof hs->t12.peer_kx)
        return FAIL(R_SKE_SHARE_TOO_LONG);
    /* s.7.4.3: the signature covers client_random || server_random || params. */
    uint8_t *tbs = mem_alloc(2 * HS_RANDOM_LEN + params_len);
    if (!tbs)
        return FAIL(R_NOMEM);
    memcpy(tbs, hs->hello.client_random, HS_RANDOM_LEN);
    memcpy(tbs + HS_RANDOM_LEN, hs->hello.server_random, HS_RANDOM_LEN);
    memcpy(tbs + 2 * HS_RANDOM_LEN, msg + HS_HEADER_LEN, params_len);
    int rc = hs_check_signature(c, scheme, tbs, 2 * HS_RANDOM_LEN + params_len, sig.p, sig.len);
    mem_free(tbs);
    if (rc)
        return rc;
    memcpy(hs->t12.peer_kx, pub.p, pub.len);
    hs->t12.peer_kx_len = pub.len;
    hs->kex.group = group;
    c->group = group;
    hs_transcript_add(c, msg, len);
    hs->state = HS_C12_WAIT_CR_SHD;
    return 0;
}

int client12_on_certificate_request(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    status_window_closes(c);
    wire_reader r, types, cas;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    /* s.7.4.4: certificate_types<1..2^8-1>, supported_signature_algorithms<2..2^16-2>,
     * certificate_authorities<0..2^16-1>. */
    wire_block(&r, 1, 1, 255, &types);
    size_t sig_start = r.pos;
    wire_reader sigs;
    wire_block(&r, 2, 2, 0xfffe, &sigs);
    size_t sig_end = r.pos;
    wire_block(&r, 2, 0, 0xffff, &cas);
    if (wire_end(&r))
        return FAIL(R_CR12_DECODE);
    int rc = hs_parse_sigalgs(c, msg + HS_HEADER_LEN + sig_start, sig_end - sig_start);
    if (!rc)
        rc = hs_parse_ca_names(c, msg + HS_HEADER_LEN + sig_end, r.pos - sig_end, 0);
    if (rc)
        return rc;
    /* The whole list is read; only the two types tlsm can present matter. */
    while (wire_left(&types) > 0) {
        uint8_t t = wire_u8(&types);
        hs->t12.cr_rsa_sign |= t == 1;
        hs->t12.cr_ecdsa_sign |= t == 64;
    }
    hs->peer.cert_requested = 1;
    hs_transcript_add(c, msg, len);
    hs->state = HS_C12_WAIT_SHD;
    return 0;
}

static int client12_after_verify(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    int rc = tls12_send_ccs_finished(c);
    if (rc)
        return rc;
    hs->state = HS_C12_WAIT_NST_CCS;
    return 0;
}

static int emit_certificate_verify12(tlsm_conn *c, const uint8_t *sig, size_t sig_len)
{
    int rc = hs_send_certificate_verify(c, sig, sig_len);
    return rc ? rc : client12_after_verify(c);
}

/* ClientKeyExchange and the premaster secret (s.7.4.7; RFC 8422 s.5.7; RFC 7919). */
static int send_client_key_exchange(tlsm_conn *c, uint8_t *pms, size_t *pms_len)
{
    struct hs_state *hs = c->hs;
    const suite_info *suite = suite_find(c->suite);
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_CLIENT_KEY_EXCHANGE, HS_HEADER_LEN + 2 + CRYPTO_KEX_DH_PUB_MAX);
    if (rc)
        return rc;
    if (suite->kx == KX_RSA) {
        /* s.7.4.7.1: client_version (what the ClientHello offered) and 46 random bytes,
         * encrypted to the server's RSA key. */
        uint8_t ct[1024];
        size_t ct_len;
        pms[0] = 0x03;
        pms[1] = 0x03;
        *pms_len = 48;
        if (crypto_random(&c->cfg->rng, pms + 2, 46) ||
            crypto_rsa_encrypt_pkcs1(&hs->peer.certs[0].pubkey, &c->cfg->rng, pms, 48, ct, sizeof ct,
                                     &ct_len)) {
            hs_msg_abort(&w);
            return FAIL(R_RSA_ENCRYPT);
        }
        wire_put_block(&w, 2, ct, ct_len);
    } else {
        uint8_t priv[CRYPTO_KEX_PRIV_MAX], pub[CRYPTO_KEX_PUB_MAX];
        size_t pub_len;
        if (crypto_kex_keygen(hs->kex.group, &c->cfg->rng, priv, pub, &pub_len) ||
            tls12_kex_shared(hs->kex.group, priv, hs->t12.peer_kx, hs->t12.peer_kx_len, pms,
                             pms_len)) {
            crypto_wipe(priv, sizeof priv);
            hs_msg_abort(&w);
            /* An invalid server share (off-curve point, DH value out of range). */
            return FAIL(R_SKE_SHARE_INVALID);
        }
        crypto_wipe(priv, sizeof priv);
        wire_put_block(&w, suite->kx == KX_ECDHE ? 1 : 2, pub, pub_len);
    }
    return hs_msg_send(c, &w);
}

int client12_on_server_hello_done(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    status_window_closes(c);
    if (len != HS_HEADER_LEN) /* s.7.4.5: empty */
        return FAIL(R_SHD_NOT_EMPTY);
    hs_transcript_add(c, msg, len);
    int have_cert = 0;
    if (hs->peer.cert_requested) {
        /* Only an identity of a type the server listed (auth.c). */
        have_cert = hs_choose_identity(c, hs->peer.sigalgs, hs->peer.n_sigalgs, NULL) == 0;
        /* s.7.4.6: "If no suitable certificate is available, the client MUST send a
         * certificate message containing no certificates." */
        int rc = tls12_send_certificate(c, have_cert ? hs->own.id : NULL);
        if (rc)
            return rc;
    }
    uint8_t pms[CRYPTO_KEX_SHARED_MAX];
    size_t pms_len = 0;
    int rc = send_client_key_exchange(c, pms, &pms_len);
    if (!rc)
        rc = tls12_derive_master(c, pms, pms_len);
    crypto_wipe(pms, sizeof pms);
    if (rc)
        return rc;
    if (!have_cert)
        return client12_after_verify(c);
    /* s.7.4.8: CertificateVerify signs every handshake message so far. */
    if (hs->tr.raw_err || !hs->tr.keep_raw)
        return FAIL(R_TRANSCRIPT_NOT_KEPT);
    rc = hs_set_tbs(c, hs->tr.raw, hs->tr.raw_len);
    return rc ? rc : hs_sign(c, emit_certificate_verify12);
}

int client12_on_new_session_ticket(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    wire_reader r, ticket;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    uint32_t hint = wire_u32(&r);
    wire_block(&r, 2, 0, 0xffff, &ticket);
    if (wire_end(&r))
        return FAIL(R_NST12_DECODE);
    /* RFC 5077 s.3.3: only when the ServerHello announced it. */
    if (!hs->t12.ticket_expected)
        return FAIL(R_NST12_UNANNOUNCED);
    hs->t12.ticket_expected = 0;
    hs_transcript_add(c, msg, len);
    if (ticket.len == 0)
        return 0; /* an empty ticket means "none this time" (s.3.3) */
    mem_free(hs->t12.new_ticket);
    hs->t12.new_ticket_len = 0;
    if (!(hs->t12.new_ticket = mem_alloc(ticket.len)))
        return FAIL(R_NOMEM);
    memcpy(hs->t12.new_ticket, ticket.p, ticket.len);
    hs->t12.new_ticket_len = ticket.len;
    hs->t12.new_ticket_hint = hint;
    return 0;
}

/* After the server's Finished: the client keeps the session (ticket or id). */
static void store_session(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    tlsm_session *s = &c->session;
    int keep_old_ticket = hs->t12.abbreviated && !hs->t12.new_ticket_len;
    if (keep_old_ticket && s->valid)
        return; /* the resumed session stays as it was */
    if (!hs->t12.new_ticket_len && hs->hello.sid_len == 0)
        return; /* the server offered no way to resume */
    session_renew(c, hs->t12.new_ticket, hs->t12.new_ticket_len);
    hs->t12.new_ticket = NULL; /* now the session's */
    s->version = TLSM_TLS12;
    s->suite = c->suite;
    memcpy(s->secret, hs->ks.master, TLS12_MASTER_LEN);
    s->secret_len = TLS12_MASTER_LEN;
    s->ems = (uint8_t)hs->t12.ems;
    memcpy(s->sid, hs->hello.sid, hs->hello.sid_len);
    s->sid_len = hs->hello.sid_len;
    s->lifetime = hs->t12.new_ticket_hint ? hs->t12.new_ticket_hint : c->cfg->ticket_lifetime;
    s->received_ms = config_now_ms(c->cfg);
    s->age_add = 0;
    s->valid = 1;
    conn_event(c, TLSM_EV_NEW_TICKET, 0, 0, 0, 0);
}

int client12_on_finished(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    int rc = tls12_recv_finished(c, msg, len);
    if (rc)
        return rc;
    if (hs->t12.abbreviated) {
        /* s.7.3: in an abbreviated handshake the client answers with its CCS + Finished. */
        rc = tls12_send_ccs_finished(c);
        if (rc)
            return rc;
    }
    store_session(c);
    tls12_keep_session(c);
    return hs_finish(c);
}
