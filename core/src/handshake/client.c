/*
 * client.c - the client's ClientHello for TLS 1.3 and 1.2 (versions, suites, extensions,
 * PSK or TLS 1.2 session offers, RFC 7685 padding), version selection from the
 * ServerHello, and the TLS 1.3 client state machine (RFC 8446 s.2, s.4): HelloRetryRequest,
 * the server's flight and the client's second flight. The TLS 1.2 continuation is in
 * client12.c.
 */
#include "handshake/handshake.h"
#include "mem.h"

#include <string.h>

/* The ClientHello without a ticket or cookie fits this; those add their own size. */
#define CH_BASE_MAX 4096

static int offers13(const tlsm_conn *c) { return c->cfg->max_version >= TLSM_TLS13; }
static int offers12(const tlsm_conn *c) { return c->cfg->min_version <= TLSM_TLS12; }

/* Whether the stored session can be offered: version enabled, fresh, suite still ours. */
static int session_usable(tlsm_conn *c)
{
    const tlsm_session *s = &c->session;
    if (!c->offer_session || !s->valid)
        return 0;
    if (s->version < c->cfg->min_version || s->version > c->cfg->max_version)
        return 0;
    /* A ticket goes in the session_ticket extension (RFC 5077 s.3.1), which is not sent
     * with tickets off: such a session is not offered, not even by the id beside it, which
     * the server that issued a ticket need not have kept. */
    if (s->ticket_len && c->cfg->tickets == 0)
        return 0;
    /* RFC 8446 s.4.6.1: "Clients MUST only resume if the new SNI value is valid for the
     * server certificate presented in the original session and SHOULD only resume if the
     * SNI value matches the one used in the original session." We keep to the name. */
    if (strcmp(s->server_name, c->server_name) != 0)
        return 0;
    uint64_t now = config_now_ms(c->cfg);
    /* s.4.2.11.1: "Clients MUST NOT attempt to use tickets which have ages greater than the
     * "ticket_lifetime" value which was provided with the ticket." */
    if (now < s->received_ms || now - s->received_ms >= (uint64_t)s->lifetime * 1000)
        return 0;
    for (size_t i = 0; i < c->cfg->n_suites; i++)
        if (c->cfg->suites[i] == s->suite)
            return 1;
    return 0;
}

static void put_u16_list(wire_writer *w, int prefix, const uint16_t *l, size_t n)
{
    size_t m = wire_open(w, prefix);
    for (size_t i = 0; i < n; i++)
        wire_put_u16(w, l[i]);
    wire_close(w, m);
}

/* The suites of the versions we offer, in configured order. */
static void put_suites(const tlsm_conn *c, wire_writer *w)
{
    size_t m = wire_open(w, 2);
    for (size_t i = 0; i < c->cfg->n_suites; i++) {
        const suite_info *s = suite_find(c->cfg->suites[i]);
        if ((s->version == TLSM_TLS13 && offers13(c)) || (s->version == TLSM_TLS12 && offers12(c)))
            wire_put_u16(w, s->code);
    }
    wire_close(w, m);
}

/* Writes the ClientHello extensions. pad > 0 adds a padding extension with that many zero
 * bytes (RFC 7685) before pre_shared_key (s.4.2.11: "The "pre_shared_key" extension MUST be
 * the last extension in the ClientHello"). Returns the offset of the binders (for the PSK)
 * in *binders_at. */
static void write_extensions(tlsm_conn *c, wire_writer *w, size_t pad, size_t *binders_at)
{
    const tlsm_config *cfg = c->cfg;
    struct hs_state *hs = c->hs;
    const tlsm_shape *sh = &cfg->shape;
    uint8_t ip[16];
    size_t ip_len, m, e;
    size_t exts = wire_open(w, 2);

    /* RFC 6066 s.3: "Literal IPv4 and IPv6 addresses are not permitted in "HostName"." */
    if (c->server_name[0] && !pki_parse_ip(c->server_name, ip, &ip_len)) {
        wire_put_u16(w, EXT_SERVER_NAME);
        e = wire_open(w, 2);
        m = wire_open(w, 2);
        wire_put_u8(w, 0); /* host_name */
        wire_put_block(w, 2, (const uint8_t *)c->server_name, strlen(c->server_name));
        wire_close(w, m);
        wire_close(w, e);
    }
    /* RFC 5746: signal secure renegotiation (we never renegotiate). */
    if (sh->send_renegotiation_info || offers12(c)) {
        wire_put_u16(w, EXT_RENEGOTIATION_INFO);
        wire_put_u16(w, 1);
        wire_put_u8(w, 0);
    }
    wire_put_u16(w, EXT_SUPPORTED_GROUPS);
    e = wire_open(w, 2);
    if (sh->n_adv_groups) {
        put_u16_list(w, 2, sh->adv_groups, sh->n_adv_groups);
    } else {
        /* The ML-KEM groups are TLS 1.3's: not listed when we offer TLS 1.2 only. */
        m = wire_open(w, 2);
        for (size_t i = 0; i < cfg->n_groups; i++)
            if (offers13(c) || !crypto_kex_is_kem(cfg->groups[i]))
                wire_put_u16(w, cfg->groups[i]);
        wire_close(w, m);
    }
    wire_close(w, e);
    if (offers12(c)) {
        /* RFC 8422 s.5.1.2: uncompressed points only. */
        wire_put_u16(w, EXT_EC_POINT_FORMATS);
        wire_put_u16(w, 2);
        wire_put_u8(w, 1);
        wire_put_u8(w, 0);
        wire_put_u16(w, EXT_EXTENDED_MASTER_SECRET);
        wire_put_u16(w, 0);
    }
    if (sh->send_session_ticket || (offers12(c) && cfg->tickets)) {
        /* RFC 5077 s.3.1: "The extension will be empty if the client does not already
         * possess a ticket for the server."; a TLS 1.2 ticket in it resumes. */
        wire_put_u16(w, EXT_SESSION_TICKET);
        const tlsm_session *s = &c->session;
        if (hs->t12.offered && s->ticket_len)
            wire_put_block(w, 2, s->ticket, s->ticket_len);
        else
            wire_put_u16(w, 0);
    }
    if (cfg->ocsp_request)
        ocsp_put_request(w);
    if (cfg->alpn_len) {
        wire_put_u16(w, EXT_ALPN);
        e = wire_open(w, 2);
        wire_put_block(w, 2, cfg->alpn, cfg->alpn_len);
        wire_close(w, e);
    }
    if (!offers13(c)) {
        wire_put_u16(w, EXT_SIGNATURE_ALGORITHMS);
        e = wire_open(w, 2);
        put_u16_list(w, 2, cfg->sigalgs, cfg->n_sigalgs);
        wire_close(w, e);
        wire_put_u16(w, EXT_RECORD_SIZE_LIMIT);
        wire_put_u16(w, 2);
        wire_put_u16(w, cfg->record_size_limit);
        *binders_at = 0;
        wire_close(w, exts);
        return;
    }
    wire_put_u16(w, EXT_KEY_SHARE);
    e = wire_open(w, 2);
    m = wire_open(w, 2);
    wire_put_u16(w, hs->kex.group);
    wire_put_block(w, 2, hs->kex.pub, hs->kex.pub_len);
    if (hs->kex2.group) {
        wire_put_u16(w, hs->kex2.group);
        wire_put_block(w, 2, hs->kex2.pub, hs->kex2.pub_len);
    }
    wire_close(w, m);
    wire_close(w, e);
    wire_put_u16(w, EXT_SUPPORTED_VERSIONS);
    e = wire_open(w, 2);
    m = wire_open(w, 1);
    wire_put_u16(w, TLSM_TLS13);
    if (offers12(c))
        wire_put_u16(w, TLSM_TLS12);
    wire_close(w, m);
    wire_close(w, e);
    wire_put_u16(w, EXT_SIGNATURE_ALGORITHMS);
    e = wire_open(w, 2);
    if (sh->n_adv_sigalgs)
        put_u16_list(w, 2, sh->adv_sigalgs, sh->n_adv_sigalgs);
    else
        put_u16_list(w, 2, cfg->sigalgs, cfg->n_sigalgs);
    wire_close(w, e);
    if (hs_ca_names_len(c)) {
        /* s.4.2.4: the CAs whose certificates we would accept (tlsm_config_set_ca_names). */
        wire_put_u16(w, EXT_CERTIFICATE_AUTHORITIES);
        e = wire_open(w, 2);
        hs_put_ca_names(c, w);
        wire_close(w, e);
    }
    if (hs->hrr.cookie_len) {
        /* s.4.2.2: "When sending the new ClientHello, the client MUST copy the contents of
         * the extension received in the HelloRetryRequest into a "cookie" extension in the
         * new ClientHello." */
        wire_put_u16(w, EXT_COOKIE);
        e = wire_open(w, 2);
        wire_put_block(w, 2, hs->hrr.cookie, hs->hrr.cookie_len);
        wire_close(w, e);
    }
    /* Only psk_dhe_ke: every handshake gets forward secrecy. s.4.2.9: "A client MUST provide
     * a "psk_key_exchange_modes" extension if it offers a "pre_shared_key" extension." */
    if (sh->psk_modes) {
        if (sh->n_psk_modes) {
            wire_put_u16(w, EXT_PSK_KEY_EXCHANGE_MODES);
            e = wire_open(w, 2);
            wire_put_block(w, 1, sh->psk_modes, sh->n_psk_modes);
            wire_close(w, e);
        }
    } else {
        wire_put_u16(w, EXT_PSK_KEY_EXCHANGE_MODES);
        wire_put_u16(w, 2);
        wire_put_u8(w, 1);
        wire_put_u8(w, PSK_MODE_DHE_KE);
    }
    /* RFC 8449 s.4: "The value includes the content type and padding added in TLS 1.3" */
    wire_put_u16(w, EXT_RECORD_SIZE_LIMIT);
    wire_put_u16(w, 2);
    wire_put_u16(w, (uint16_t)(cfg->record_size_limit + 1));
    if (cfg->shape.send_early_data && !c->hrr) {
        /* Tests only: announce 0-RTT. Never in the second ClientHello (s.4.2.10: "A client
         * MUST NOT include the "early_data" extension in its followup ClientHello."). */
        wire_put_u16(w, EXT_EARLY_DATA);
        wire_put_u16(w, 0);
    }
    if (pad) {
        wire_put_u16(w, EXT_PADDING);
        e = wire_open(w, 2);
        uint8_t *z = wire_reserve(w, pad);
        if (z)
            memset(z, 0, pad);
        wire_close(w, e);
    }
    *binders_at = 0;
    if (hs->psk.offered) {
        const tlsm_session *s = &c->session;
        uint32_t age = (uint32_t)(config_now_ms(c->cfg) - s->received_ms) + s->age_add;
        wire_put_u16(w, EXT_PRE_SHARED_KEY);
        e = wire_open(w, 2);
        m = wire_open(w, 2);
        wire_put_block(w, 2, s->ticket, s->ticket_len);
        wire_put_u32(w, age);
        wire_close(w, m);
        *binders_at = w->len;
        m = wire_open(w, 2);
        size_t blen = crypto_hash_len(hs->psk.hash) + (cfg->shape.binder_extra ? 1 : 0);
        wire_put_u8(w, (uint8_t)blen);
        uint8_t *b = wire_reserve(w, blen);
        if (b)
            memset(b, 0, blen);
        wire_close(w, m);
        wire_close(w, e);
    }
    wire_close(w, exts);
}

static void write_client_hello(tlsm_conn *c, wire_writer *w, size_t pad, size_t *binders_at)
{
    struct hs_state *hs = c->hs;
    /* s.4.1.2: "the legacy_version field MUST be set to 0x0303" */
    wire_put_u16(w, 0x0303);
    wire_put_bytes(w, hs->hello.client_random, HS_RANDOM_LEN);
    wire_put_block(w, 1, hs->hello.sid, hs->hello.sid_len);
    put_suites(c, w);
    wire_put_u8(w, 1);
    /* s.4.1.2: "For every TLS 1.3 ClientHello, this vector MUST contain exactly one byte,
     * set to zero" */
    wire_put_u8(w, 0);
    write_extensions(c, w, pad, binders_at);
}

static int send_client_hello(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    wire_writer w;
    size_t binders_at, pad = 0;
    int rc = hs_msg_begin(&w, HS_CLIENT_HELLO,
                          CH_BASE_MAX + c->session.ticket_len + hs->hrr.cookie_len +
                              4 + hs_ca_names_len(c));
    if (rc)
        return rc;
    write_client_hello(c, &w, 0, &binders_at);
    /* RFC 7685: keep the ClientHello out of 256..511 bytes, which some middleboxes mishandle;
     * the extension needs 4 bytes plus at least one of padding. */
    if (!w.err && w.len >= 256 && w.len < 512) {
        pad = 512 - w.len;
        pad = pad >= 5 ? pad - 4 : 1;
        w.len = HS_HEADER_LEN;
        write_client_hello(c, &w, pad, &binders_at);
    }
    if (!w.err && hs->psk.offered) {
        /* s.4.2.11.2: "Each entry in the binders list is computed as an HMAC over a
         * transcript hash (see Section 4.4.1) containing a partial ClientHello up to and
         * including the PreSharedKeyExtension.identities field." */
        size_t body = w.len - HS_HEADER_LEN;
        w.p[1] = (uint8_t)(body >> 16);
        w.p[2] = (uint8_t)(body >> 8);
        w.p[3] = (uint8_t)body;
        uint8_t binder_key[CRYPTO_HASH_MAX], thash[CRYPTO_HASH_MAX];
        transcript_hash_with(&hs->tr, hs->psk.hash, w.p, binders_at, thash);
        if (ks_derive_empty(hs->psk.hash, hs->ks.early, "res binder", binder_key) ||
            ks_finished(hs->psk.hash, binder_key, thash, w.p + binders_at + 3))
            w.err = 1;
        crypto_wipe(binder_key, sizeof binder_key);
    }
    return hs_msg_send(c, &w);
}

/* The second share: the first of our groups of the other kind than the first (classical
 * beside ML-KEM, or ML-KEM beside classical), as BoringSSL and Go do, so that a server
 * with either kind needs no retry. 0 if all our groups are of one kind. */
static uint16_t second_share_group(const tlsm_config *cfg)
{
    int first_kem = crypto_kex_is_kem(cfg->groups[0]);
    for (size_t i = 1; i < cfg->n_groups; i++)
        if (crypto_kex_is_kem(cfg->groups[i]) != first_kem)
            return cfg->groups[i];
    return 0;
}

int client_start(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    const tlsm_config *cfg = c->cfg;
    /* Draw order matters for deterministic replays: random, key share, session id. */
    if (crypto_random(&cfg->rng, hs->hello.client_random, HS_RANDOM_LEN))
        return FAIL(R_RNG);
    if (offers13(c)) {
        /* issue 19: shares for our first group and the first of the other kind (by
         * default X25519MLKEM768 and X25519). */
        uint16_t second = second_share_group(cfg);
        int rc = hs_share_new(c, &hs->kex, cfg->groups[0]);
        if (!rc && second)
            rc = hs_share_new(c, &hs->kex2, second);
        if (rc)
            return rc;
    }
    const tlsm_session *s = &c->session;
    int resume = session_usable(c);
    if (resume && s->version == TLSM_TLS12 && s->sid_len && !s->ticket_len) {
        /* s.7.4.1.2: resume a TLS 1.2 session by its id. */
        memcpy(hs->hello.sid, s->sid, s->sid_len);
        hs->hello.sid_len = s->sid_len;
    } else if ((cfg->middlebox_compat && offers13(c)) || (resume && s->version == TLSM_TLS12)) {
        /* RFC 8446 s.4.1.2: "In compatibility mode (see Appendix D.4), this field MUST be
         * non-empty, so a client not offering a pre-TLS 1.3 session MUST generate a new
         * 32-byte value." Compatibility mode is TLS 1.3's: a ClientHello offering only
         * TLS 1.2 has none. With a TLS 1.2 ticket a session id is how the ServerHello tells
         * us it resumed (RFC 5077 s.3.4: "When presenting a ticket, the client MAY generate
         * and include a Session ID in the TLS ClientHello"). */
        hs->hello.sid_len = 32;
        if (crypto_random(&cfg->rng, hs->hello.sid, hs->hello.sid_len))
            return FAIL(R_RNG);
    }
    if (resume && s->version == TLSM_TLS12) {
        hs->t12.offered = 1;
    } else if (resume) {
        aead_alg a;
        hs->psk.offered = 1;
        hs_suite_params(s->suite, &hs->psk.hash, &a);
        memcpy(hs->psk.key, s->secret, s->secret_len);
        hs->psk.key_len = s->secret_len;
        ks_early_secret(hs->psk.hash, hs->psk.key, hs->psk.key_len, hs->ks.early);
    }
    /* A TLS 1.2 CertificateVerify signs the messages themselves (RFC 5246 s.7.4.8). */
    hs->tr.keep_raw = offers12(c) && cfg->n_ids > 0;
    /* RFC 8446 s.5: a TLS 1.3 client receiving the compatibility CCS "MUST simply drop it
     * without further processing"; one that offered only TLS 1.2 has no such rule (RFC 5246
     * s.7.1). */
    c->accept_plain_ccs = offers13(c);
    /* s.5.1: the initial ClientHello's record "MAY also be 0x0301". */
    c->rec.hello_version_0301 = 1;
    hs->state = HS_C_WAIT_SH;
    return send_client_hello(c);
}

/* Extensions we put in our ClientHello: a response may only carry these (s.4.2). */
static int client_sent(const tlsm_conn *c, uint16_t type)
{
    switch (type) {
    case EXT_SERVER_NAME:
        return c->server_name[0] != 0;
    case EXT_ALPN:
        return c->cfg->alpn_len != 0;
    case EXT_PRE_SHARED_KEY:
        return c->hs->psk.offered;
    case EXT_STATUS_REQUEST:
        return c->cfg->ocsp_request;
    case EXT_SESSION_TICKET:
        return c->cfg->shape.send_session_ticket || (offers12(c) && c->cfg->tickets);
    case EXT_RENEGOTIATION_INFO:
        return c->cfg->shape.send_renegotiation_info || offers12(c);
    case EXT_EC_POINT_FORMATS:
    case EXT_EXTENDED_MASTER_SECRET:
        return offers12(c);
    case EXT_COOKIE: /* server-initiated, in HelloRetryRequest only (s.4.2.2) */
    case EXT_SUPPORTED_GROUPS:
    case EXT_KEY_SHARE:
    case EXT_SUPPORTED_VERSIONS:
    case EXT_SIGNATURE_ALGORITHMS:
    case EXT_PSK_KEY_EXCHANGE_MODES:
    case EXT_RECORD_SIZE_LIMIT:
    case EXT_PADDING:
        return 1;
    }
    return 0;
}

/* s.4.2: "Implementations MUST NOT send extension responses if the remote endpoint did not
 * send the corresponding extension requests, with the exception of the "cookie" extension in
 * the HelloRetryRequest. Upon receiving such an extension, an endpoint MUST abort the
 * handshake with an "unsupported_extension" alert." And: "If an implementation receives an
 * extension which it recognizes and which is not specified for the message in which it
 * appears, it MUST abort the handshake with an "illegal_parameter" alert." */
static int check_response_extensions(tlsm_conn *c, const ext_list *l, const uint16_t *allowed,
                                     size_t n_allowed)
{
    ext_entry e;
    for (size_t pos = 0; ext_next(l, &pos, &e);) {
        if (!client_sent(c, e.type))
            return FAIL(R_EXT_UNSOLICITED);
        int ok = 0;
        for (size_t j = 0; j < n_allowed; j++)
            ok |= e.type == allowed[j];
        if (!ok)
            return FAIL(R_EXT_NOT_ALLOWED_HERE);
    }
    return 0;
}

static int on_hello_retry_request(tlsm_conn *c, const sh_msg *sh, const uint8_t *msg, size_t len)
{
    static const uint16_t allowed[] = {EXT_KEY_SHARE, EXT_SUPPORTED_VERSIONS, EXT_COOKIE};
    struct hs_state *hs = c->hs;
    /* s.4.1.4: "If a client receives a second HelloRetryRequest in the same connection ...,
     * it MUST abort the handshake with an "unexpected_message" alert." */
    if (c->hrr)
        return FAIL(R_HRR_SECOND);
    int a = check_response_extensions(c, &sh->ext, allowed, 3);
    if (a)
        return a;
    const ext_entry *ks = ext_find(&sh->ext, EXT_KEY_SHARE);
    const ext_entry *ck = ext_find(&sh->ext, EXT_COOKIE);
    uint16_t group = hs->kex.group;
    if (ks) {
        wire_reader r;
        wire_init(&r, ks->data, ks->len);
        group = wire_u16(&r);
        if (wire_end(&r))
            return FAIL(R_HRR_KEY_SHARE_DECODE);
        /* s.4.2.8: "the client MUST verify that (1) the selected_group field corresponds to a
         * group which was provided in the "supported_groups" extension in the original
         * ClientHello and (2) the selected_group field does not correspond to a group which
         * was provided in the "key_share" extension in the original ClientHello." */
        if (!hs_group_offered(c, group) || group == hs->kex.group || group == hs->kex2.group)
            return FAIL(R_HRR_GROUP);
    }
    if (ck) {
        wire_reader r, b;
        wire_init(&r, ck->data, ck->len);
        wire_block(&r, 2, 1, 0xffff, &b);
        if (wire_end(&r))
            return FAIL(R_HRR_COOKIE_DECODE);
        if (!(hs->hrr.cookie = mem_alloc(b.len)))
            return FAIL(R_NOMEM);
        memcpy(hs->hrr.cookie, b.p, b.len);
        hs->hrr.cookie_len = b.len;
    }
    /* s.4.1.4: "Clients MUST abort the handshake with an "illegal_parameter" alert if the
     * HelloRetryRequest would not result in any change in the ClientHello." */
    if (!ks && !ck)
        return FAIL(R_HRR_NO_CHANGE);
    c->hrr = 1;
    hs->hrr.suite = sh->suite;
    hs_suite_params(sh->suite, &c->hash, &c->aead);
    c->hash_len = crypto_hash_len(c->hash);
    transcript_choose(&hs->tr, c->hash);
    transcript_restart_hrr(&hs->tr);
    hs_transcript_add(c, msg, len);
    /* s.4.1.4: "the client SHOULD NOT offer any pre-shared keys associated with a hash other
     * than that of the selected cipher suite." */
    if (hs->psk.offered && hs->psk.hash != c->hash)
        hs->psk.offered = 0;
    if (ks) {
        /* s.4.1.2: the shares become "a single KeyShareEntry from the indicated group". */
        hs_share_free(&hs->kex2);
        hs->kex2.group = 0;
        int rc = hs_share_new(c, &hs->kex, group);
        if (rc)
            return rc;
    }
    if (hs->hello.sid_len && !hs->hello.ccs_sent) {
        /* D.4: "the client sends a dummy change_cipher_spec record ... immediately before
         * its second flight. This may either be before its second ClientHello or before its
         * encrypted handshake flight." */
        hs->hello.ccs_sent = 1;
        int rc = hs_send_ccs(c);
        if (rc)
            return rc;
    }
    return send_client_hello(c);
}

int client_on_server_hello(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    static const uint16_t allowed[] = {EXT_KEY_SHARE, EXT_SUPPORTED_VERSIONS, EXT_PRE_SHARED_KEY};
    struct hs_state *hs = c->hs;
    sh_msg sh;
    c->rec.hello_version_0301 = 0; /* a second ClientHello (after HRR) says 0x0303 */
    int rc = sh_decode(msg + HS_HEADER_LEN, len - HS_HEADER_LEN, &sh);
    if (rc)
        return rc;
    /* RFC 8446 D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version
     * or ServerHello.legacy_version set to 0x0300 MUST abort the handshake with a
     * "protocol_version" alert." Below 0x0300 is not a version either. */
    if (sh.legacy_version <= 0x0300)
        return FAIL(R_SH_LEGACY_VERSION_SSL3);
    /* D.1: "If the version chosen by the server is not supported by the client (or is not
     * acceptable), the client MUST abort the handshake with a "protocol_version" alert."
     * No version of ours is above 0x0303 in this field (TLS 1.3 puts 0x0303 there). */
    if (sh.legacy_version > 0x0303)
        return FAIL(R_SH_LEGACY_VERSION_UNKNOWN);
    const ext_entry *sv = ext_find(&sh.ext, EXT_SUPPORTED_VERSIONS);
    /* s.4.1.4: "The value of selected_version in the HelloRetryRequest
     * "supported_versions" extension MUST be retained in the ServerHello, and a client
     * MUST abort the handshake with an "illegal_parameter" alert if the value changes."
     * A ServerHello without the extension after a retry changes it to TLS 1.2. */
    if (!sv && c->hrr && !sh.is_hrr)
        return FAIL(R_SH2_VERSION_CHANGED);
    /* Without supported_versions the server speaks TLS 1.2 or older (RFC 8446 s.4.2.1);
     * older than 1.2 is refused (RFC 8996), 1.2 only if we offered it. */
    if (!sv) {
        if (sh.legacy_version != TLSM_TLS12 || !offers12(c) || sh.is_hrr || c->hrr)
            return FAIL(R_SH_VERSION_NOT_OFFERED);
        if (sh.sid_len > 32)
            return FAIL(R_SH_SESSION_ID_TOO_LONG);
        return client12_on_server_hello(c, &sh, msg, len);
    }
    wire_reader r;
    wire_init(&r, sv->data, sv->len);
    uint16_t version = wire_u16(&r);
    if (wire_end(&r))
        return FAIL(R_SH_SUPPORTED_VERSIONS_DECODE);
    /* s.4.2.1: "If the "supported_versions" extension in the ServerHello contains a version
     * not offered by the client or contains a version prior to TLS 1.3, the client MUST abort
     * the handshake with an "illegal_parameter" alert." */
    if (version != TLSM_TLS13 || !offers13(c))
        return FAIL(R_SH_SUPPORTED_VERSIONS_BAD);
    /* TLS 1.3 signs transcript hashes: the kept messages are not needed. */
    transcript_free(&hs->tr);
    hs->tr.keep_raw = 0;
    const suite_info *si = suite_find(sh.suite);
    int suite_ok = 0;
    for (size_t i = 0; i < c->cfg->n_suites; i++)
        suite_ok |= c->cfg->suites[i] == sh.suite;
    suite_ok &= si && si->version == TLSM_TLS13;
    /* s.4.1.3: legacy_version "MUST be set to 0x0303". */
    if (sh.legacy_version != 0x0303)
        return FAIL(R_SH_LEGACY_VERSION);
    /* s.4.1.3: "A client which receives a legacy_session_id_echo field that does not match
     * what it sent in the ClientHello MUST abort the handshake with an "illegal_parameter"
     * alert." */
    if (sh.sid_len != hs->hello.sid_len || (sh.sid_len && memcmp(sh.sid, hs->hello.sid, sh.sid_len)))
        return FAIL(R_SH_SESSION_ID_MISMATCH);
    /* s.4.1.3: "A client which receives a cipher suite that was not offered MUST abort the
     * handshake with an "illegal_parameter" alert." (A TLS 1.2 suite was not offered for
     * TLS 1.3.) */
    if (!suite_ok)
        return FAIL(R_SH_SUITE_NOT_OFFERED);
    /* s.4.1.3: legacy_compression_method: "Single byte which MUST have the value 0." */
    if (sh.compression != 0)
        return FAIL(R_SH_COMPRESSION);
    if (sh.is_hrr)
        return on_hello_retry_request(c, &sh, msg, len);

    rc = check_response_extensions(c, &sh.ext, allowed, 3);
    if (rc)
        return rc;
    /* s.4.1.4: "Upon receiving the ServerHello, clients MUST check that the cipher suite
     * supplied in the ServerHello is the same as that in the HelloRetryRequest and otherwise
     * abort the handshake with an "illegal_parameter" alert." */
    if (c->hrr && sh.suite != hs->hrr.suite)
        return FAIL(R_SH_SUITE_CHANGED_AFTER_HRR);
    c->suite = sh.suite;
    hs_suite_params(sh.suite, &c->hash, &c->aead);
    c->hash_len = crypto_hash_len(c->hash);

    const ext_entry *psk = ext_find(&sh.ext, EXT_PRE_SHARED_KEY);
    if (psk) {
        wire_init(&r, psk->data, psk->len);
        uint16_t idx = wire_u16(&r);
        if (wire_end(&r))
            return FAIL(R_SH_PSK_DECODE);
        /* s.4.2.11: "Clients MUST verify that the server's selected_identity is within the
         * range supplied by the client, that the server selected a cipher suite indicating a
         * Hash associated with the PSK, ..." */
        if (idx != 0 || hs->psk.hash != c->hash)
            return FAIL(R_SH_PSK_NOT_OFFERED);
        hs->psk.accepted = 1;
        c->resumed = 1;
        session_resumed(c);
    }
    const ext_entry *ks = ext_find(&sh.ext, EXT_KEY_SHARE);
    /* We only offer psk_dhe_ke, so a key share is always required: s.4.2.9 psk_dhe_ke: "In
     * this mode, the client and server MUST supply "key_share" values as described in
     * Section 4.2.8." */
    if (!ks)
        return FAIL(R_SH_NO_KEY_SHARE);
    wire_reader pub;
    wire_init(&r, ks->data, ks->len);
    uint16_t group = wire_u16(&r);
    wire_block(&r, 2, 1, 0xffff, &pub);
    if (wire_end(&r))
        return FAIL(R_SH_KEY_SHARE_DECODE);
    /* s.4.2.8: the server_share is "A single KeyShareEntry value that is in the same group
     * as one of the client's shares." */
    const hs_key_share *mine = group == hs->kex.group ? &hs->kex
                               : hs->kex2.group && group == hs->kex2.group ? &hs->kex2 : NULL;
    if (!mine)
        return FAIL(R_SH_KEY_SHARE_GROUP);
    c->group = group;

    transcript_choose(&hs->tr, c->hash);
    hs_transcript_add(c, msg, len);

    uint8_t shared[CRYPTO_KEX_SHARED_MAX];
    size_t shared_len;
    /* s.4.2.8.2: "peers MUST validate each other's public value Q by ensuring that the point
     * is a valid point on the elliptic curve"; the all-zero X25519 output: s.7.4.2. */
    if (crypto_kex_shared(group, mine->priv, pub.p, pub.len, shared, &shared_len))
        return FAIL(R_SH_KEY_SHARE_INVALID);
    hs_share_free(&hs->kex);
    hs_share_free(&hs->kex2);
    rc = hs_derive_handshake(c, shared, shared_len);
    crypto_wipe(shared, sizeof shared);
    if (rc)
        return rc;
    hs_set_version(c, TLSM_TLS13);
    hs->state = HS_C_WAIT_EE;
    /* D.4 (quoted in on_hello_retry_request): in compatibility mode the dummy CCS goes out
     * now, before our first protected record, whatever that turns out to be: the second
     * flight, or an alert about the server's flight (a middlebox expects it before anything
     * encrypted). */
    if (hs->hello.sid_len && !hs->hello.ccs_sent) {
        hs->hello.ccs_sent = 1;
        rc = hs_send_ccs(c);
    }
    if (!rc && c->resumed)
        rc = hs_reverify_on_resume(c);
    return rc;
}

int client_on_encrypted_extensions(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    static const uint16_t allowed[] = {EXT_SERVER_NAME, EXT_SUPPORTED_GROUPS, EXT_ALPN,
                                       EXT_RECORD_SIZE_LIMIT};
    ext_list l;
    wire_reader r;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    int rc = ext_parse(&r, &l);
    if (!rc && wire_end(&r))
        rc = FAIL(R_EE_DECODE);
    if (rc)
        return rc;
    rc = check_response_extensions(c, &l, allowed, 4);
    if (rc)
        return rc;
    ext_entry x;
    for (size_t pos = 0; ext_next(&l, &pos, &x);) {
        wire_reader e, b;
        wire_init(&e, x.data, x.len);
        switch (x.type) {
        case EXT_SERVER_NAME:
            /* RFC 6066 s.3: "The "extension_data" field of this extension SHALL be empty." */
            if (x.len)
                return FAIL(R_EE_SNI_NOT_EMPTY);
            break;
        case EXT_SUPPORTED_GROUPS:
            /* s.4.2.7: "Clients MUST NOT act upon any information found in
             * "supported_groups" prior to successful completion of the handshake" */
            wire_block(&e, 2, 2, 0xfffe, &b);
            if (wire_end(&e))
                return FAIL(R_EE_GROUPS_DECODE);
            break;
        case EXT_ALPN: {
            wire_reader name;
            wire_block(&e, 2, 2, 0xffff, &b);
            wire_block(&b, 1, 1, 255, &name);
            if (wire_end(&b) || wire_end(&e))
                return FAIL(R_ALPN_DECODE);
            /* RFC 7301 s.3.1: the protocol must be one we offered. */
            if (!conn_alpn_select(c, name.p, name.len))
                return FAIL(R_ALPN_NOT_OFFERED);
            break;
        }
        case EXT_RECORD_SIZE_LIMIT: {
            uint16_t lim = wire_u16(&e);
            if (wire_end(&e))
                return FAIL(R_RSL_DECODE);
            /* RFC 8449 s.4: "Endpoints MUST NOT send a "record_size_limit" extension with a
             * value smaller than 64. An endpoint MUST treat receipt of a smaller value as a
             * fatal error and generate an "illegal_parameter" alert." TLS 1.3 counts the
             * type byte. */
            if (lim < 64)
                return FAIL(R_RSL_TOO_SMALL);
            c->rec.peer_max_fragment = lim - 1u < REC_MAX_PLAINTEXT ? lim - 1u : REC_MAX_PLAINTEXT;
            c->rec.rsl_negotiated = 1;
            break;
        }
        }
    }
    hs_transcript_add(c, msg, len);
    c->hs->state = c->hs->psk.accepted ? HS_C_WAIT_FINISHED : HS_C_WAIT_CERT_CR;
    return 0;
}

int client_on_certificate_request(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    wire_reader r, ctx;
    ext_list l;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    wire_block(&r, 1, 0, 255, &ctx);
    int rc = ext_parse(&r, &l);
    if (!rc && wire_end(&r))
        rc = FAIL(R_CR_DECODE);
    if (rc)
        return rc;
    /* s.4.3.2: certificate_request_context "SHALL be zero length unless used for the
     * post-handshake authentication exchanges described in Section 4.6.2." */
    if (ctx.len != 0)
        return FAIL(R_CR_CONTEXT_NOT_EMPTY);
    /* s.4.3.2: "The "signature_algorithms" extension MUST be specified" */
    const ext_entry *sa = ext_find(&l, EXT_SIGNATURE_ALGORITHMS);
    if (!sa)
        return FAIL(R_CR_NO_SIGALGS);
    rc = hs_parse_sigalgs(c, sa->data, sa->len);
    if (rc)
        return rc;
    const ext_entry *ca = ext_find(&l, EXT_CERTIFICATE_AUTHORITIES);
    if (ca && (rc = hs_parse_ca_names(c, ca->data, ca->len, 3)))
        return rc;
    hs->peer.cert_requested = 1;
    hs_transcript_add(c, msg, len);
    hs->state = HS_C_WAIT_CERT;
    return 0;
}

int client_on_certificate(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    /* The server's Certificate context is empty: hs->peer.cr_context_len is still 0 here. */
    int rc = hs_recv_certificate(c, msg, len);
    if (rc)
        return rc;
    /* s.4.4.2.4: "If the server supplies an empty Certificate message, the client MUST abort
     * the handshake with a "decode_error" alert." */
    if (hs->peer.n == 0)
        return FAIL(R_CERT_EMPTY_SERVER);
    hs->state = HS_C_WAIT_CV;
    return 0;
}

int client_on_certificate_verify(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    int rc = hs_recv_certificate_verify(c, msg, len);
    if (rc)
        return rc;
    c->hs->state = HS_C_WAIT_FINISHED;
    return 0;
}

/* The end of the client's second flight: Finished, then application keys. */
static int client_send_finished(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    int rc = hs_send_finished(c, hs->ks.c_hs);
    if (rc)
        return rc;
    rc = hs_derive_resumption(c);
    if (rc)
        return rc;
    rc = hs_install_secret(c, 1, hs->ks.c_ap);
    if (rc)
        return rc;
    return hs_finish(c);
}

int client_on_finished(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    int rc = hs_recv_finished(c, msg, len, hs->ks.s_hs);
    if (rc)
        return rc;
    uint8_t s_ap[CRYPTO_HASH_MAX];
    rc = hs_derive_application(c, s_ap);
    if (!rc)
        rc = hs_install_secret(c, 0, s_ap);
    crypto_wipe(s_ap, sizeof s_ap);
    if (rc)
        return rc;
    c->accept_plain_ccs = 0;
    if (!hs->peer.cert_requested)
        return client_send_finished(c);
    /* s.4.4.2: "If the server requests client authentication but no suitable certificate is
     * available, the client MUST send a Certificate message containing no certificates" */
    int have = hs_choose_identity(c, hs->peer.sigalgs, hs->peer.n_sigalgs, NULL) == 0;
    rc = hs_send_certificate(c, have ? hs->own.id : NULL);
    if (rc)
        return rc;
    if (!have)
        return client_send_finished(c);
    return hs_sign_and_continue(c, client_send_finished);
}
