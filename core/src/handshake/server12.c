/*
 * server12.c - the TLS 1.2 server (RFC 5246 s.7.3): choosing the suite, key exchange and
 * certificate for a ClientHello that settled on TLS 1.2; resumption by ticket (RFC 5077) or
 * session id; the server flight (ServerHello, Certificate, ServerKeyExchange,
 * CertificateRequest, ServerHelloDone); the client's second flight with RSA key transport
 * under implicit rejection; NewSessionTicket, ChangeCipherSpec and Finished.
 */
#include "handshake/handshake.h"
#include "handshake/prf12.h"

#include <string.h>

static int is_ffdhe(uint16_t g)
{
    return g == TLSM_GROUP_FFDHE2048 || g == TLSM_GROUP_FFDHE3072;
}

/* The client's supported_groups, split into EC and FFDHE preferences (RFC 8422 s.5.1,
 * RFC 7919 s.4). */
typedef struct {
    uint16_t groups[64];
    size_t n;
    int any_ffdhe;
} client_groups;

static int read_groups(const ch_msg *ch, client_groups *g)
{
    const ext_entry *e = ext_find(&ch->ext, EXT_SUPPORTED_GROUPS);
    g->n = 0;
    g->any_ffdhe = 0;
    if (!e)
        return 0;
    wire_reader r, l;
    wire_init(&r, e->data, e->len);
    wire_block(&r, 2, 2, 0xfffe, &l);
    if (wire_end(&r) || l.len % 2)
        return TLSM_ALERT_DECODE_ERROR;
    while (wire_left(&l) > 0) {
        uint16_t v = wire_u16(&l);
        g->any_ffdhe |= v >= 0x0100 && v <= 0x01ff;
        if (g->n < sizeof g->groups / sizeof *g->groups)
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
    if (!ffdhe && g->n == 0)
        return TLSM_GROUP_SECP256R1;
    if (ffdhe && !g->any_ffdhe)
        for (size_t i = 0; i < cfg->n_groups; i++)
            if (is_ffdhe(cfg->groups[i]))
                return cfg->groups[i];
    return 0;
}

static int suites_has(const ch_msg *ch, uint16_t suite)
{
    for (size_t i = 0; i + 1 < ch->suites_len; i += 2)
        if ((uint16_t)(ch->suites[i] << 8 | ch->suites[i + 1]) == suite)
            return 1;
    return 0;
}

/* Chooses suite, group and identity (server preference). Returns 0 or an alert. */
static int choose_suite(tlsm_conn *c, const ch_msg *ch, const client_groups *g)
{
    struct hs_state *hs = c->hs;
    const tlsm_config *cfg = c->cfg;
    for (size_t i = 0; i < cfg->n_suites; i++) {
        const suite_info *s = suite_find(cfg->suites[i]);
        if (!s || s->version != TLSM_TLS12 || !suites_has(ch, s->code))
            continue;
        uint16_t group = 0;
        if (s->kx == KX_ECDHE || s->kx == KX_DHE) {
            group = pick_group(cfg, g, s->kx == KX_DHE);
            if (!group)
                continue;
        }
        c->version = TLSM_TLS12;
        if (s->kx == KX_RSA) {
            /* Key transport needs our own RSA key: no external signer, no PSS-only key. */
            hs->id = NULL;
            for (size_t j = 0; j < cfg->n_ids && !hs->id; j++)
                if (cfg->ids[j].key && cfg->ids[j].leaf.pubkey.type == PK_RSA)
                    hs->id = &cfg->ids[j];
            if (!hs->id)
                continue;
        } else if (hs_choose_identity(c, hs->peer_sigalgs, hs->n_peer_sigalgs, s)) {
            continue;
        }
        c->suite = s->code;
        c->hash = s->hash;
        c->aead = s->aead;
        c->hash_len = crypto_hash_len(s->hash);
        hs->kex_group = group;
        c->group = group;
        return 0;
    }
    return TLSM_ALERT_HANDSHAKE_FAILURE;
}

/* Resumption from a ticket (RFC 5077 s.3.1) or a cached session id (s.7.4.1.2). */
static int try_resume(tlsm_conn *c, const ch_msg *ch)
{
    struct hs_state *hs = c->hs;
    tls12_session st;
    int found = 0;
    const ext_entry *t = ext_find(&ch->ext, EXT_SESSION_TICKET);
    if (t && t->len && c->cfg->tickets)
        found = ticket12_open(c, t->data, t->len, &st) == 0;
    if (!found && ch->sid_len)
        found = cache_get(c->cfg, ch->sid, ch->sid_len, conn_now_ms(c), &st) == 0;
    if (!found)
        return 0;
    /* The session's suite must still be acceptable and offered, and EMS must match:
     * RFC 7627 s.5.3 - a session without EMS is not resumed by an EMS handshake. */
    const suite_info *s = suite_find(st.suite);
    int ours = 0;
    for (size_t i = 0; i < c->cfg->n_suites; i++)
        ours |= c->cfg->suites[i] == st.suite;
    if (!s || s->version != TLSM_TLS12 || !ours || !suites_has(ch, st.suite) ||
        st.ems != hs->client_offered_ems || !session_binding_ok(c, st.flags, st.sni_hash)) {
        crypto_wipe(&st, sizeof st);
        return 0;
    }
    c->version = TLSM_TLS12;
    c->suite = s->code;
    c->hash = s->hash;
    c->aead = s->aead;
    c->hash_len = crypto_hash_len(s->hash);
    memcpy(hs->master, st.master, sizeof st.master);
    hs->ems = st.ems;
    hs->abbreviated = 1;
    c->resumed = 1;
    c->resumed_flags = st.flags;
    crypto_wipe(&st, sizeof st);
    return 1;
}

static void write_sh_extensions(tlsm_conn *c, wire_writer *w)
{
    struct hs_state *hs = c->hs;
    size_t exts = wire_open(w, 2);
    if (hs->secure_reneg) {
        wire_put_u16(w, EXT_RENEGOTIATION_INFO);
        wire_put_u16(w, 1);
        wire_put_u8(w, 0);
    }
    if (hs->ems) {
        wire_put_u16(w, EXT_EXTENDED_MASTER_SECRET);
        wire_put_u16(w, 0);
    }
    if (hs->client_point_formats && suite_find(c->suite)->kx == KX_ECDHE) {
        wire_put_u16(w, EXT_EC_POINT_FORMATS);
        wire_put_u16(w, 2);
        wire_put_u8(w, 1);
        wire_put_u8(w, 0);
    }
    if (hs->send_ticket) {
        wire_put_u16(w, EXT_SESSION_TICKET);
        wire_put_u16(w, 0);
    }
    if (hs->sni_accepted && !hs->abbreviated) {
        wire_put_u16(w, EXT_SERVER_NAME);
        wire_put_u16(w, 0);
    }
    if (c->alpn_len) {
        wire_put_u16(w, EXT_ALPN);
        size_t e = wire_open(w, 2), l = wire_open(w, 2);
        wire_put_block(w, 1, c->alpn, c->alpn_len);
        wire_close(w, l);
        wire_close(w, e);
    }
    if (hs->client_rsl) {
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
    if (crypto_random(&c->cfg->rng, hs->server_random, HS_RANDOM_LEN))
        return conn_fail(c, TLSM_ERR_RNG);
    /* RFC 8446 s.4.1.3: a 1.3-capable server that settles on 1.2 says so in the random. */
    if (c->cfg->max_version >= TLSM_TLS13)
        memcpy(hs->server_random + 24, TLS12_DOWNGRADE_SENTINEL, 8);
    if (hs->abbreviated) {
        /* s.7.4.1.3: echo the session id (for a ticket, the client's own, RFC 5077 s.3.4). */
        memcpy(hs->sid, ch->sid, ch->sid_len);
        hs->sid_len = ch->sid_len;
    } else if (c->cfg->session_cache_size || hs->send_ticket) {
        hs->sid_len = 32;
        if (crypto_random(&c->cfg->rng, hs->sid, hs->sid_len))
            return conn_fail(c, TLSM_ERR_RNG);
    } else {
        hs->sid_len = 0;
    }
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_SERVER_HELLO, 512);
    if (rc)
        return conn_fail(c, rc);
    wire_put_u16(&w, TLSM_TLS12);
    wire_put_bytes(&w, hs->server_random, HS_RANDOM_LEN);
    wire_put_block(&w, 1, hs->sid, hs->sid_len);
    wire_put_u16(&w, c->suite);
    wire_put_u8(&w, 0);
    write_sh_extensions(c, &w);
    return hs_msg_send(c, &w);
}

static int emit_server_key_exchange(tlsm_conn *c, const uint8_t *sig, size_t sig_len)
{
    struct hs_state *hs = c->hs;
    size_t params_len = hs->tbs_len - 2 * HS_RANDOM_LEN;
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_SERVER_KEY_EXCHANGE, params_len + sig_len + 16);
    if (rc)
        return conn_fail(c, rc);
    wire_put_bytes(&w, hs->tbs + 2 * HS_RANDOM_LEN, params_len);
    wire_put_u16(&w, hs->sign_scheme);
    wire_put_block(&w, 2, sig, sig_len);
    rc = hs_msg_send(c, &w);
    if (rc)
        return rc;
    return server12_finish_flight(c);
}

/* Builds the ServerKeyExchange parameters (s.7.4.3, RFC 8422 s.5.4) and signs them. */
static int send_server_key_exchange(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    const suite_info *s = suite_find(c->suite);
    if (crypto_kex_keygen(hs->kex_group, &c->cfg->rng, hs->kex_priv, hs->kex_pub,
                          &hs->kex_pub_len))
        return conn_fail(c, TLSM_ERR_RNG);
    uint8_t buf[2 * HS_RANDOM_LEN + 3 * 2 + 2 * 512 + CRYPTO_KEX_PUB_MAX];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    wire_put_bytes(&w, hs->client_random, HS_RANDOM_LEN);
    wire_put_bytes(&w, hs->server_random, HS_RANDOM_LEN);
    if (s->kx == KX_ECDHE) {
        wire_put_u8(&w, 3); /* named_curve */
        wire_put_u16(&w, hs->kex_group);
        wire_put_block(&w, 1, hs->kex_pub, hs->kex_pub_len);
    } else {
        const uint8_t *p, *g;
        size_t p_len, g_len;
        if (crypto_dh_params(hs->kex_group, &p, &p_len, &g, &g_len))
            return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
        wire_put_block(&w, 2, p, p_len);
        wire_put_block(&w, 2, g, g_len);
        wire_put_block(&w, 2, hs->kex_pub, hs->kex_pub_len);
    }
    if (w.err)
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    int rc = hs_set_tbs(c, buf, w.len);
    return rc ? rc : hs_sign(c, emit_server_key_exchange);
}

static int send_certificate_request12(tlsm_conn *c)
{
    const pki_store *t = &c->cfg->trust;
    size_t cap = 64 + 2 * c->cfg->n_sigalgs;
    for (size_t i = 0; i < t->n; i++)
        cap += t->certs[i].subject_len + 2;
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_CERTIFICATE_REQUEST, cap);
    if (rc)
        return conn_fail(c, rc);
    /* s.7.4.4: certificate types, signature algorithms, and the names of the CAs we trust
     * for client certificates. */
    wire_put_u8(&w, 2);
    wire_put_u8(&w, 1);  /* rsa_sign */
    wire_put_u8(&w, 64); /* ecdsa_sign */
    size_t l = wire_open(&w, 2);
    for (size_t i = 0; i < c->cfg->n_sigalgs; i++)
        wire_put_u16(&w, c->cfg->sigalgs[i]);
    wire_close(&w, l);
    l = wire_open(&w, 2);
    for (size_t i = 0; i < t->n; i++)
        wire_put_block(&w, 2, t->certs[i].subject, t->certs[i].subject_len);
    wire_close(&w, l);
    c->hs->cert_requested = 1;
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
        return conn_fail(c, rc);
    rc = hs_msg_send(c, &w);
    if (rc)
        return rc;
    hs->state = hs->cert_requested ? HS_S12_WAIT_CERT : HS_S12_WAIT_CKE;
    return 0;
}

/* The state a later connection resumes (ticket contents or cache entry). */
static void current_session(tlsm_conn *c, tls12_session *st)
{
    memset(st, 0, sizeof *st);
    st->suite = c->suite;
    st->ems = (uint8_t)c->hs->ems;
    memcpy(st->master, c->hs->master, sizeof st->master);
    session_binding(c, &st->flags, st->sni_hash);
}

static int send_new_session_ticket12(tlsm_conn *c)
{
    tls12_session st;
    current_session(c, &st);
    uint8_t ticket[256];
    size_t ticket_len;
    int rc = ticket12_seal(c, &st, ticket, sizeof ticket, &ticket_len);
    crypto_wipe(&st, sizeof st);
    if (rc)
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    wire_writer w;
    rc = hs_msg_begin(&w, HS_NEW_SESSION_TICKET, 16 + ticket_len);
    if (rc)
        return conn_fail(c, rc);
    wire_put_u32(&w, c->cfg->ticket_lifetime); /* RFC 5077 s.3.3 lifetime hint */
    wire_put_block(&w, 2, ticket, ticket_len);
    return hs_msg_send(c, &w);
}

int server12_on_client_hello(tlsm_conn *c, const ch_msg *ch, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    const tlsm_config *cfg = c->cfg;
    int alert;
    hs->client_version = ch->legacy_version;
    memcpy(hs->client_random, ch->random, HS_RANDOM_LEN);
    /* RFC 5746 s.3.6: the SCSV or an empty renegotiation_info signal support; a non-empty
     * one on an initial handshake is handshake_failure. */
    const ext_entry *ri = ext_find(&ch->ext, EXT_RENEGOTIATION_INFO);
    if (ri) {
        if (ri->len != 1 || ri->data[0] != 0)
            return conn_alert(c, TLSM_ALERT_HANDSHAKE_FAILURE);
        hs->secure_reneg = 1;
    }
    if (suites_has(ch, 0x00ff))
        hs->secure_reneg = 1;
    const ext_entry *e = ext_find(&ch->ext, EXT_EXTENDED_MASTER_SECRET);
    if (e && e->len) /* RFC 7627 s.5.1: empty */
        return conn_alert(c, TLSM_ALERT_DECODE_ERROR);
    hs->client_offered_ems = e != NULL;
    /* RFC 7627 s.5.2: a server that requires EMS aborts when it is not offered. */
    if (!e && cfg->require_ems)
        return conn_alert(c, TLSM_ALERT_HANDSHAKE_FAILURE);
    hs->ems = e != NULL;
    hs->client_point_formats = ext_find(&ch->ext, EXT_EC_POINT_FORMATS) != NULL;
    hs->client_ticket_ext = ext_find(&ch->ext, EXT_SESSION_TICKET) != NULL;
    hs->send_ticket = hs->client_ticket_ext && cfg->tickets;

    client_groups g;
    if ((alert = read_groups(ch, &g)))
        return conn_alert(c, (uint8_t)alert);
    hs->peer_groups_sent = ext_find(&ch->ext, EXT_SUPPORTED_GROUPS) != NULL;
    memcpy(hs->peer_groups, g.groups, g.n * sizeof *g.groups);
    hs->n_peer_groups = g.n;
    const ext_entry *sa = ext_find(&ch->ext, EXT_SIGNATURE_ALGORITHMS);
    if (sa) {
        if ((alert = hs_parse_sigalgs(c, sa->data, sa->len)))
            return conn_alert(c, (uint8_t)-alert);
    } else {
        /* s.7.4.1.4.1: without the extension the client means SHA-1 schemes, which we do
         * not implement; only RSA key transport could still work. */
        hs->n_peer_sigalgs = 0;
    }

    if (!try_resume(c, ch) && (alert = choose_suite(c, ch, &g)))
        return conn_alert(c, (uint8_t)alert);
    transcript_choose(&hs->tr, c->hash);
    /* s.7.4.8: a client CertificateVerify signs the messages themselves. */
    hs->tr.keep_raw = cfg->client_auth && !hs->abbreviated;
    hs_transcript_add(c, msg, len);

    int rc = send_server_hello12(c, ch);
    if (rc)
        return rc;
    if (hs->abbreviated) {
        /* s.7.3: abbreviated handshake - [NewSessionTicket], CCS, Finished. */
        if (hs->send_ticket && (rc = send_new_session_ticket12(c)))
            return rc;
        rc = tls12_send_ccs_finished(c);
        if (rc)
            return rc;
        hs->state = HS_S12_WAIT_CCS;
        return 0;
    }
    if ((rc = tls12_send_certificate(c, hs->id)))
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
    /* s.7.4.6: a server that requires a certificate fails an empty one; RFC 8446 gives
     * the alert a name, TLS 1.2 uses handshake_failure. */
    if (hs->n_peer == 0 && c->cfg->client_auth == 2)
        return conn_alert(c, TLSM_ALERT_HANDSHAKE_FAILURE);
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
        return conn_alert(c, TLSM_ALERT_DECODE_ERROR);
    uint8_t pms[CRYPTO_KEX_SHARED_MAX];
    size_t pms_len;
    if (s->kx == KX_RSA) {
        /* s.7.4.7.1: any failure (length, padding, version) silently yields a random
         * premaster, so the handshake fails later at Finished, indistinguishably. */
        crypto_rsa_premaster_decrypt(hs->id->key, &c->cfg->rng, v.p, v.len, hs->client_version,
                                     pms);
        pms_len = 48;
    } else if (tls12_kex_shared(hs->kex_group, hs->kex_priv, v.p, v.len, pms, &pms_len)) {
        return conn_alert(c, TLSM_ALERT_ILLEGAL_PARAMETER);
    }
    crypto_wipe(hs->kex_priv, sizeof hs->kex_priv);
    hs_transcript_add(c, msg, len);
    int rc = tls12_derive_master(c, pms, pms_len);
    crypto_wipe(pms, sizeof pms);
    if (rc)
        return rc;
    hs->state = hs->n_peer ? HS_S12_WAIT_CV : HS_S12_WAIT_CCS;
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
        return conn_alert(c, TLSM_ALERT_DECODE_ERROR);
    if (hs->tr.raw_err)
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    /* s.7.4.8: over every handshake message before this one. */
    int alert = hs_check_signature(c, scheme, hs->tr.raw, hs->tr.raw_len, sig.p, sig.len);
    if (alert)
        return conn_alert(c, (uint8_t)alert);
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
    if (!hs->abbreviated) {
        if (hs->send_ticket && (rc = send_new_session_ticket12(c)))
            return rc;
        if ((rc = tls12_send_ccs_finished(c)))
            return rc;
        if (c->cfg->session_cache_size && hs->sid_len) {
            tls12_session st;
            current_session(c, &st);
            cache_put(c->cfg, hs->sid, hs->sid_len, conn_now_ms(c), &st);
            crypto_wipe(&st, sizeof st);
        }
    }
    tls12_keep_session(c);
    return hs_finish(c);
}
