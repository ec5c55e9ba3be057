/*
 * server12.c - the TLS 1.2 server (RFC 5246 s.7.3): choosing the suite, key exchange and
 * certificate for a ClientHello that settled on TLS 1.2; resumption by ticket (RFC 5077) or
 * session id; the server flight (ServerHello, Certificate, ServerKeyExchange,
 * CertificateRequest, ServerHelloDone); the client's second flight with RSA key transport
 * under implicit rejection; NewSessionTicket, ChangeCipherSpec and Finished.
 */
#include "handshake/handshake.h"
#include "mem.h"
#include "handshake/prf12.h"

#include <string.h>

static int is_ffdhe(uint16_t g)
{
    return g == TLSM_GROUP_FFDHE2048 || g == TLSM_GROUP_FFDHE3072;
}

/* The client's supported_groups (RFC 8422 s.5.1, RFC 7919 s.4), read whole: the groups
 * tlsm implements, in the client's order, and whether it named any FFDHE group at all. */
typedef struct {
    uint16_t groups[TLSM_MAX_GROUPS];
    size_t n;
    int sent;      /* the extension was there */
    int any_ffdhe;
} client_groups;

static int read_groups(const ch_msg *ch, client_groups *g)
{
    const ext_entry *e = ext_find(&ch->ext, EXT_SUPPORTED_GROUPS);
    g->n = 0;
    g->any_ffdhe = 0;
    g->sent = e != NULL;
    if (!e)
        return 0;
    wire_reader r, l;
    wire_init(&r, e->data, e->len);
    wire_block(&r, 2, 2, 0xfffe, &l);
    if (wire_end(&r) || l.len % 2)
        return FAIL(R_CH_GROUPS_DECODE);
    while (wire_left(&l) > 0) {
        uint16_t v = wire_u16(&l);
        g->any_ffdhe |= v >= 0x0100 && v <= 0x01ff;
        int dup = 0;
        for (size_t i = 0; i < g->n; i++)
            dup |= g->groups[i] == v;
        if (crypto_kex_supported(v) && !crypto_kex_is_kem(v) && !dup && g->n < TLSM_MAX_GROUPS)
            g->groups[g->n++] = v;
    }
    return 0;
}

/* Our preferred group of the wanted kind that the client listed. Without supported_groups
 * an ECDHE client is assumed to take P-256 (RFC 8422 s.4); a DHE client that lists no
 * FFDHE group at all gets ffdhe2048 (RFC 7919 s.4). */
static uint16_t pick_group(const tlsm_config *cfg, const client_groups *g, int ffdhe)
{
    for (size_t i = 0; i < cfg->n_groups; i++) {
        if (is_ffdhe(cfg->groups[i]) != ffdhe)
            continue;
        for (size_t j = 0; j < g->n; j++)
            if (g->groups[j] == cfg->groups[i])
                return cfg->groups[i];
    }
    if (!ffdhe && !g->sent)
        return TLSM_GROUP_SECP256R1;
    if (ffdhe && !g->any_ffdhe)
        for (size_t i = 0; i < cfg->n_groups; i++)
            if (is_ffdhe(cfg->groups[i]))
                return cfg->groups[i];
    return 0;
}

/* Chooses suite, group and identity (server preference). RFC 5246 s.7.4.1.2: "If the list
 * contains cipher suites the server does not recognize, support, or wish to use, the server
 * MUST ignore those cipher suites, and process the remaining ones as usual." Returns 0 or
 * FAIL(R_...). */
static int choose_suite(tlsm_conn *c, const ch_msg *ch, const client_groups *g)
{
    struct hs_state *hs = c->hs;
    const tlsm_config *cfg = c->cfg;
    for (size_t i = 0; i < cfg->n_suites; i++) {
        const suite_info *s = suite_find(cfg->suites[i]);
        if (!s || s->version != TLSM_TLS12 || !ch_offers_suite(ch, s->code))
            continue;
        uint16_t group = 0;
        if (s->kx == KX_ECDHE || s->kx == KX_DHE) {
            group = pick_group(cfg, g, s->kx == KX_DHE);
            if (!group)
                continue;
            if (s->kx == KX_DHE && cfg->shape.dhe_group)
                group = cfg->shape.dhe_group; /* tests: parameters no tlsm server chooses */
        }
        hs_set_version(c, TLSM_TLS12);
        if (s->kx == KX_RSA) {
            /* Key transport needs our own RSA key: no external signer, no PSS-only key. */
            hs->own.id = NULL;
            for (size_t j = 0; j < cfg->n_ids && !hs->own.id; j++)
                if (cfg->ids[j].key && cfg->ids[j].leaf.pubkey.type == PK_RSA)
                    hs->own.id = &cfg->ids[j];
            if (!hs->own.id)
                continue;
        } else if (hs_choose_identity(c, hs->peer.sigalgs, hs->peer.n_sigalgs, s)) {
            continue;
        }
        c->suite = s->code;
        c->hash = s->hash;
        c->aead = s->aead;
        c->hash_len = crypto_hash_len(s->hash);
        hs->kex.group = group;
        c->group = group;
        return 0;
    }
    return FAIL(hs->peer.issuer_mismatch ? R_NO_MATCHING_ISSUER : R_CH_NO_COMMON_SUITE);
}

/* Resumption from a ticket (RFC 5077 s.3.1) or a cached session id (s.7.4.1.2).
 * Returns 1 to resume, 0 for a full handshake, or FAIL(R_...). */
static int try_resume(tlsm_conn *c, const ch_msg *ch)
{
    struct hs_state *hs = c->hs;
    srv_session st;
    int found = 0;
    const ext_entry *t = ext_find(&ch->ext, EXT_SESSION_TICKET);
    if (t && t->len && c->cfg->tickets)
        found = ticket_open(c, t->data, t->len, &st) == 0;
    if (!found && ch->sid_len)
        found = srv_session_cached(c, ch->sid, ch->sid_len, &st) == 0;
    if (!found)
        return 0;
    /* The session's suite must still be acceptable and offered. */
    const suite_info *s = suite_find(st.suite);
    int ours = 0;
    for (size_t i = 0; i < c->cfg->n_suites; i++)
        ours |= c->cfg->suites[i] == st.suite;
    int usable = st.kind == SRV_SESSION_TLS12 && srv_session_fresh(c, &st) && s &&
                 s->version == TLSM_TLS12 && ours && ch_offers_suite(ch, st.suite) &&
                 session_binding_ok(c, st.flags, st.sni_hash);
    /* RFC 7627 s.5.3: "If the original session used the "extended_master_secret"
     * extension but the new ClientHello does not contain it, the server MUST abort the
     * abbreviated handshake." A session without it is not resumed by a client that
     * offers it (full handshake). */
    if (usable && st.ems && !hs->t12.client_offered_ems) {
        srv_session_release(&st);
        return FAIL(R_CH12_RESUME_WITHOUT_EMS);
    }
    if (!usable || st.ems != hs->t12.client_offered_ems) {
        srv_session_release(&st);
        return 0;
    }
    hs_set_version(c, TLSM_TLS12);
    c->suite = s->code;
    c->hash = s->hash;
    c->aead = s->aead;
    c->hash_len = crypto_hash_len(s->hash);
    memcpy(hs->ks.master, st.secret, sizeof hs->ks.master);
    hs->t12.ems = st.ems;
    hs->t12.abbreviated = 1;
    c->resumed = 1;
    int rc = srv_session_restore(c, &st);
    srv_session_release(&st);
    return rc ? rc : 1;
}

static void write_sh_extensions(tlsm_conn *c, wire_writer *w)
{
    struct hs_state *hs = c->hs;
    size_t exts = wire_open(w, 2);
    if (hs->t12.secure_reneg) {
        wire_put_u16(w, EXT_RENEGOTIATION_INFO);
        wire_put_u16(w, 1);
        wire_put_u8(w, 0);
    }
    if (hs->t12.ems) {
        wire_put_u16(w, EXT_EXTENDED_MASTER_SECRET);
        wire_put_u16(w, 0);
    }
    if (hs->t12.client_point_formats && suite_find(c->suite)->kx == KX_ECDHE) {
        wire_put_u16(w, EXT_EC_POINT_FORMATS);
        wire_put_u16(w, 2);
        wire_put_u8(w, 1);
        wire_put_u8(w, 0);
    }
    if (hs->t12.send_ticket) {
        wire_put_u16(w, EXT_SESSION_TICKET);
        wire_put_u16(w, 0);
    }
    if (hs->hello.sni_accepted && !hs->t12.abbreviated) {
        wire_put_u16(w, EXT_SERVER_NAME);
        wire_put_u16(w, 0);
    }
    /* RFC 6066 s.8: an empty status_request announces the CertificateStatus we staple. */
    if (hs->hello.ocsp_requested && !hs->t12.abbreviated && hs->own.id && hs->own.id->ocsp) {
        wire_put_u16(w, EXT_STATUS_REQUEST);
        wire_put_u16(w, 0);
        hs->t12.send_status = 1;
    }
    if (c->alpn_len) {
        wire_put_u16(w, EXT_ALPN);
        size_t e = wire_open(w, 2), l = wire_open(w, 2);
        wire_put_block(w, 1, c->alpn, c->alpn_len);
        wire_close(w, l);
        wire_close(w, e);
    }
    if (hs->hello.client_rsl) {
        /* RFC 8449 s.4: in TLS 1.2 the limit counts the plaintext only. */
        wire_put_u16(w, EXT_RECORD_SIZE_LIMIT);
        wire_put_u16(w, 2);
        wire_put_u16(w, c->cfg->record_size_limit);
    }
    wire_close(w, exts);
}

static int send_server_hello12(tlsm_conn *c, const ch_msg *ch)
{
    struct hs_state *hs = c->hs;
    if (crypto_random(&c->cfg->rng, hs->hello.server_random, HS_RANDOM_LEN))
        return FAIL(R_RNG);
    /* RFC 8446 s.4.1.3: a 1.3-capable server that settles on 1.2 says so in the random. */
    if (c->cfg->max_version >= TLSM_TLS13)
        memcpy(hs->hello.server_random + 24, TLS12_DOWNGRADE_SENTINEL, 8);
    if (hs->t12.abbreviated) {
        /* s.7.4.1.3: echo the session id (for a ticket, the client's own, RFC 5077 s.3.4). */
        memcpy(hs->hello.sid, ch->sid, ch->sid_len);
        hs->hello.sid_len = ch->sid_len;
    } else if (c->cfg->session_cache_size && !hs->t12.send_ticket) {
        /* A session id names a cache entry; with a ticket the client holds the session,
         * so nothing is cached and the id stays empty (RFC 5077 s.3.4 allows both). */
        hs->hello.sid_len = 32;
        if (crypto_random(&c->cfg->rng, hs->hello.sid, hs->hello.sid_len))
            return FAIL(R_RNG);
    } else {
        hs->hello.sid_len = 0;
    }
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_SERVER_HELLO, 512);
    if (rc)
        return rc;
    wire_put_u16(&w, TLSM_TLS12);
    wire_put_bytes(&w, hs->hello.server_random, HS_RANDOM_LEN);
    wire_put_block(&w, 1, hs->hello.sid, hs->hello.sid_len);
    wire_put_u16(&w, c->suite);
    wire_put_u8(&w, 0);
    write_sh_extensions(c, &w);
    return hs_msg_send(c, &w);
}

static int emit_server_key_exchange(tlsm_conn *c, const uint8_t *sig, size_t sig_len)
{
    struct hs_state *hs = c->hs;
    size_t params_len = hs->own.tbs_len - 2 * HS_RANDOM_LEN;
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_SERVER_KEY_EXCHANGE, params_len + sig_len + 16);
    if (rc)
        return rc;
    wire_put_bytes(&w, hs->own.tbs + 2 * HS_RANDOM_LEN, params_len);
    wire_put_u16(&w, hs->own.scheme);
    wire_put_block(&w, 2, sig, sig_len);
    rc = hs_msg_send(c, &w);
    if (rc)
        return rc;
    return server12_finish_flight(c);
}

/* RFC 6066 s.8: CertificateStatus, right after Certificate. */
static int send_certificate_status(tlsm_conn *c)
{
    const tlsm_identity *id = c->hs->own.id;
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_CERTIFICATE_STATUS, 16 + id->ocsp_len);
    if (rc)
        return rc;
    ocsp_put_status(&w, id);
    return hs_msg_send(c, &w);
}

/* Builds the ServerKeyExchange parameters (s.7.4.3, RFC 8422 s.5.4) and signs them. */
static int send_server_key_exchange(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    const suite_info *s = suite_find(c->suite);
    int rc = hs_share_new(c, &hs->kex, hs->kex.group);
    if (rc)
        return rc;
    /* randoms, then dh_p<2> (at most a public value's size), dh_g<2>, dh_Ys<2>. */
    uint8_t buf[2 * HS_RANDOM_LEN + 3 * 2 + 1 + 2 * CRYPTO_KEX_DH_PUB_MAX];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    wire_put_bytes(&w, hs->hello.client_random, HS_RANDOM_LEN);
    wire_put_bytes(&w, hs->hello.server_random, HS_RANDOM_LEN);
    if (s->kx == KX_ECDHE) {
        wire_put_u8(&w, 3); /* named_curve */
        wire_put_u16(&w, hs->kex.group);
        wire_put_block(&w, 1, hs->kex.pub, hs->kex.pub_len);
    } else {
        const uint8_t *p, *g;
        size_t p_len, g_len;
        if (crypto_dh_params(hs->kex.group, &p, &p_len, &g, &g_len))
            return FAIL(R_DH_PARAMS);
        wire_put_block(&w, 2, p, p_len);
        wire_put_block(&w, 2, g, g_len);
        wire_put_block(&w, 2, hs->kex.pub, hs->kex.pub_len);
    }
    if (w.err)
        return FAIL(R_MESSAGE_ENCODE);
    rc = hs_set_tbs(c, buf, w.len);
    return rc ? rc : hs_sign(c, emit_server_key_exchange);
}

static int send_certificate_request12(tlsm_conn *c)
{
    size_t cap = 64 + 2 * c->cfg->n_sigalgs + hs_ca_names_len(c);
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_CERTIFICATE_REQUEST, cap);
    if (rc)
        return rc;
    /* s.7.4.4: certificate types, signature algorithms, and the names of the CAs we trust
     * for client certificates. */
    wire_put_u8(&w, 2);
    wire_put_u8(&w, 1);  /* rsa_sign */
    wire_put_u8(&w, 64); /* ecdsa_sign */
    size_t l = wire_open(&w, 2);
    for (size_t i = 0; i < c->cfg->n_sigalgs; i++)
        wire_put_u16(&w, c->cfg->sigalgs[i]);
    wire_close(&w, l);
    hs_put_ca_names(c, &w);
    c->hs->peer.cert_requested = 1;
    return hs_msg_send(c, &w);
}

int server12_finish_flight(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    int rc;
    if (c->cfg->client_auth && (rc = send_certificate_request12(c)))
        return rc;
    wire_writer w;
    rc = hs_msg_begin(&w, HS_SERVER_HELLO_DONE, HS_HEADER_LEN);
    if (rc)
        return rc;
    rc = hs_msg_send(c, &w);
    if (rc)
        return rc;
    hs->state = hs->peer.cert_requested ? HS_S12_WAIT_CERT : HS_S12_WAIT_CKE;
    return 0;
}

static int send_new_session_ticket12(tlsm_conn *c)
{
    srv_session st;
    srv_session_of(c, SRV_SESSION_TLS12, c->hs->ks.master, sizeof c->hs->ks.master, &st);
    /* A client leaf too large for a ticket: an empty ticket, which RFC 5077 s.3.3 allows
     * ("the server ... does not wish to provide a new ticket"). */
    uint8_t *ticket = NULL;
    size_t ticket_len = 0;
    int rc = srv_session_sealable(&st) ? ticket_seal(c, &st, &ticket, &ticket_len) : 0;
    srv_session_release(&st);
    if (rc)
        return rc;
    wire_writer w;
    rc = hs_msg_begin(&w, HS_NEW_SESSION_TICKET, 16 + ticket_len);
    if (!rc) {
        wire_put_u32(&w, c->cfg->ticket_lifetime); /* RFC 5077 s.3.3 lifetime hint */
        wire_put_block(&w, 2, ticket, ticket_len);
        rc = hs_msg_send(c, &w);
    }
    mem_free(ticket);
    return rc;
}

int server12_on_client_hello(tlsm_conn *c, const ch_msg *ch, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    const tlsm_config *cfg = c->cfg;
    int rc;
    hs->t12.client_version = ch->legacy_version;
    memcpy(hs->hello.client_random, ch->random, HS_RANDOM_LEN);
    /* RFC 5746 s.3.6: the SCSV or an empty renegotiation_info signal support; a non-empty
     * one on an initial handshake is handshake_failure. */
    const ext_entry *ri = ext_find(&ch->ext, EXT_RENEGOTIATION_INFO);
    if (ri) {
        if (ri->len != 1 || ri->data[0] != 0)
            return FAIL(R_CH12_RENEGOTIATION_INFO);
        hs->t12.secure_reneg = 1;
    }
    if (ch_offers_suite(ch, SUITE_RENEGOTIATION_SCSV))
        hs->t12.secure_reneg = 1;
    const ext_entry *e = ext_find(&ch->ext, EXT_EXTENDED_MASTER_SECRET);
    if (e && e->len) /* RFC 7627 s.5.1: empty */
        return FAIL(R_CH12_EMS_DECODE);
    hs->t12.client_offered_ems = e != NULL;
    /* RFC 7627 s.5.2: a server that requires EMS aborts when it is not offered. */
    if (!e && cfg->require_ems)
        return FAIL(R_CH12_NO_EMS);
    hs->t12.ems = e != NULL;
    hs->t12.client_point_formats = ext_find(&ch->ext, EXT_EC_POINT_FORMATS) != NULL;
    int ticket_ext = ext_find(&ch->ext, EXT_SESSION_TICKET) != NULL;
    hs->t12.send_ticket = ticket_ext && cfg->tickets;

    client_groups g;
    if ((rc = read_groups(ch, &g)))
        return rc;
    hs->t12.peer_groups_sent = ext_find(&ch->ext, EXT_SUPPORTED_GROUPS) != NULL;
    memcpy(hs->t12.peer_groups, g.groups, g.n * sizeof *g.groups);
    hs->t12.n_peer_groups = g.n;
    const ext_entry *sa = ext_find(&ch->ext, EXT_SIGNATURE_ALGORITHMS);
    if (sa) {
        if ((rc = hs_parse_sigalgs(c, sa->data, sa->len)))
            return rc;
    } else {
        /* s.7.4.1.4.1: without the extension the client means SHA-1 schemes, which we do
         * not implement; only RSA key transport could still work. */
        hs->peer.n_sigalgs = 0;
    }
    /* RFC 8446 s.4.2.4 defines certificate_authorities for TLS 1.3; a TLS 1.2 ClientHello
     * may carry it too (s.4.2: the same extension registry), and it is read the same. */
    const ext_entry *ca = ext_find(&ch->ext, EXT_CERTIFICATE_AUTHORITIES);
    if (ca && (rc = hs_parse_ca_names(c, ca->data, ca->len, 3)))
        return rc;

    int resume = try_resume(c, ch);
    if (resume < 0)
        return resume;
    if (!resume && (rc = choose_suite(c, ch, &g)))
        return rc;
    transcript_choose(&hs->tr, c->hash);
    /* s.7.4.8: a client CertificateVerify signs the messages themselves. */
    hs->tr.keep_raw = cfg->client_auth && !hs->t12.abbreviated;
    hs_transcript_add(c, msg, len);

    rc = send_server_hello12(c, ch);
    if (rc)
        return rc;
    if (hs->t12.abbreviated) {
        /* s.7.3: abbreviated handshake - [NewSessionTicket], CCS, Finished. */
        if (hs->t12.send_ticket && (rc = send_new_session_ticket12(c)))
            return rc;
        rc = tls12_send_ccs_finished(c);
        if (rc)
            return rc;
        hs->state = HS_S12_WAIT_CCS;
        return 0;
    }
    if ((rc = tls12_send_certificate(c, hs->own.id)))
        return rc;
    if (hs->t12.send_status && (rc = send_certificate_status(c)))
        return rc;
    if (suite_find(c->suite)->kx == KX_RSA)
        return server12_finish_flight(c);
    return send_server_key_exchange(c);
}

int server12_on_certificate(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    int rc = tls12_recv_certificate(c, msg, len);
    if (rc)
        return rc;
    /* s.7.4.6: "If the client does not send any certificates, the server MAY at its
     * discretion either continue the handshake without client authentication, or respond
     * with a fatal handshake_failure alert." RFC 8446 gives the alert a name. */
    if (hs->peer.n == 0 && c->cfg->client_auth == 2)
        return FAIL(R_CERT12_REQUIRED);
    hs->state = HS_S12_WAIT_CKE;
    return 0;
}

int server12_on_client_key_exchange(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    const suite_info *s = suite_find(c->suite);
    wire_reader r, v;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    wire_block(&r, s->kx == KX_ECDHE ? 1 : 2, 1, 0xffff, &v);
    if (wire_end(&r))
        return FAIL(R_CKE_DECODE);
    uint8_t pms[CRYPTO_KEX_SHARED_MAX];
    size_t pms_len;
    if (s->kx == KX_RSA) {
        /* s.7.4.7.1: "In any case, a TLS server MUST NOT generate an alert if processing an
         * RSA-encrypted premaster secret message fails, or the version number is not as
         * expected. Instead, it MUST continue the handshake with a randomly generated
         * premaster secret." So the handshake fails later at Finished, indistinguishably. */
        crypto_rsa_premaster_decrypt(hs->own.id->key, &c->cfg->rng, v.p, v.len, hs->t12.client_version,
                                     pms);
        pms_len = 48;
    } else if (tls12_kex_shared(hs->kex.group, hs->kex.priv, v.p, v.len, pms, &pms_len)) {
        return FAIL(R_CKE_SHARE_INVALID);
    }
    hs_share_free(&hs->kex);
    hs_transcript_add(c, msg, len);
    int rc = tls12_derive_master(c, pms, pms_len);
    crypto_wipe(pms, sizeof pms);
    if (rc)
        return rc;
    hs->state = hs->peer.n ? HS_S12_WAIT_CV : HS_S12_WAIT_CCS;
    return 0;
}

int server12_on_certificate_verify(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    wire_reader r, sig;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    uint16_t scheme = wire_u16(&r);
    wire_block(&r, 2, 1, 0xffff, &sig);
    if (wire_end(&r))
        return FAIL(R_CV12_DECODE);
    if (hs->tr.raw_err)
        return FAIL(R_TRANSCRIPT_NOT_KEPT);
    /* s.7.4.8: over every handshake message before this one. */
    int rc = hs_check_signature(c, scheme, hs->tr.raw, hs->tr.raw_len, sig.p, sig.len);
    if (rc)
        return rc;
    hs_transcript_add(c, msg, len);
    hs->state = HS_S12_WAIT_CCS;
    return 0;
}

int server12_on_finished(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    int rc = tls12_recv_finished(c, msg, len);
    if (rc)
        return rc;
    if (!hs->t12.abbreviated) {
        if (hs->t12.send_ticket && (rc = send_new_session_ticket12(c)))
            return rc;
        if ((rc = tls12_send_ccs_finished(c)))
            return rc;
        if (c->cfg->session_cache_size && hs->hello.sid_len) {
            srv_session st;
            srv_session_of(c, SRV_SESSION_TLS12, hs->ks.master, sizeof hs->ks.master, &st);
            srv_session_cache(c, hs->hello.sid, hs->hello.sid_len, &st);
            srv_session_release(&st);
        }
    }
    tls12_keep_session(c);
    return hs_finish(c);
}
