/*
 * server.c - the TLS 1.3 server state machine (RFC 8446 s.2, s.4): reading the
 * ClientHello and choosing version, suite, group, signature scheme, ALPN and PSK; the
 * HelloRetryRequest (group mismatch or cookie); the server flight; the client's second
 * flight; NewSessionTicket.
 */
#include "handshake/handshake.h"
#include "mem.h"

#include <string.h>

#define SERVER_FLIGHT_MSG 2048

/* What the ClientHello offers, decoded once. Lists are read whole; what is kept is only
 * what tlsm can use (groups it implements), so the arrays are bounded by our own lists. */
typedef struct {
    ch_msg ch;
    const uint8_t *msg; size_t len;
    uint16_t groups[TLSM_MAX_GROUPS]; size_t n_groups;     /* supported_groups, usable */
    struct { uint16_t group; const uint8_t *pub; size_t len; } shares[TLSM_MAX_GROUPS];
    size_t n_shares;                                       /* key shares, usable groups */
} client_offer;

/* A set of 16-bit codes, one bit each (8 KiB): membership in one step whatever the count. */
typedef struct {
    uint8_t bits[65536 / 8];
} code_set;

static int code_set_has(const code_set *s, uint16_t v)
{
    return (s->bits[v >> 3] >> (v & 7)) & 1;
}

static void code_set_add(code_set *s, uint16_t v)
{
    s->bits[v >> 3] |= (uint8_t)(1u << (v & 7));
}

static int parse_groups(client_offer *o)
{
    const ext_entry *sg = ext_find(&o->ch.ext, EXT_SUPPORTED_GROUPS);
    const ext_entry *ks = ext_find(&o->ch.ext, EXT_KEY_SHARE);
    wire_reader r, l;
    code_set listed, shared;
    o->n_groups = o->n_shares = 0;
    /* s.9.2: "If containing a "supported_groups" extension, it MUST also contain a
     * "key_share" extension, and vice versa." ... "Servers receiving a ClientHello which does
     * not conform to these requirements MUST abort the handshake with a "missing_extension"
     * alert." */
    if (!sg || !ks)
        return FAIL(R_CH_NO_KEY_SHARE_EXT);
    wire_init(&r, sg->data, sg->len);
    wire_block(&r, 2, 2, 0xfffe, &l);
    if (wire_end(&r) || l.len % 2)
        return FAIL(R_CH_GROUPS_DECODE);
    memset(&listed, 0, sizeof listed);
    while (wire_left(&l) > 0) {
        uint16_t g = wire_u16(&l);
        if (crypto_kex_supported(g) && !code_set_has(&listed, g) &&
            o->n_groups < TLSM_MAX_GROUPS)
            o->groups[o->n_groups++] = g;
        code_set_add(&listed, g);
    }
    wire_init(&r, ks->data, ks->len);
    wire_block(&r, 2, 0, 0xffff, &l);
    if (wire_end(&r))
        return FAIL(R_CH_KEY_SHARES_DECODE);
    memset(&shared, 0, sizeof shared);
    while (wire_left(&l) > 0) {
        uint16_t g = wire_u16(&l);
        wire_reader pub;
        wire_block(&l, 2, 1, 0xffff, &pub);
        if (l.err)
            return FAIL(R_CH_KEY_SHARES_DECODE);
        /* s.4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same
         * group. Clients MUST NOT offer any KeyShareEntry values for groups not listed in
         * the client's "supported_groups" extension. Servers MAY check for violations of
         * these rules and abort the handshake with an "illegal_parameter" alert". */
        if (code_set_has(&shared, g))
            return FAIL(R_CH_KEY_SHARE_DUPLICATE);
        code_set_add(&shared, g);
        if (!code_set_has(&listed, g))
            return FAIL(R_CH_KEY_SHARE_NOT_IN_GROUPS);
        if (!crypto_kex_supported(g) || o->n_shares == TLSM_MAX_GROUPS)
            continue; /* a group we cannot use: ignored, like any unknown value */
        o->shares[o->n_shares].group = g;
        o->shares[o->n_shares].pub = pub.p;
        o->shares[o->n_shares].len = pub.len;
        o->n_shares++;
    }
    return 0;
}

static int parse_server_name(tlsm_conn *c, const ext_entry *e)
{
    wire_reader r, list;
    wire_init(&r, e->data, e->len);
    wire_block(&r, 2, 1, 0xffff, &list);
    if (wire_end(&r))
        return FAIL(R_SNI_DECODE);
    while (wire_left(&list) > 0) {
        uint8_t type = wire_u8(&list);
        wire_reader name;
        wire_block(&list, 2, 1, 0xffff, &name);
        if (list.err)
            return FAIL(R_SNI_DECODE);
        if (type != 0 || c->server_name[0])
            continue;
        /* RFC 6066 s.3: a host name, no trailing NUL; we keep names up to 255 bytes. */
        if (name.len > 255 || memchr(name.p, 0, name.len))
            return FAIL(R_SNI_INVALID);
        int rc = conn_set_server_name(c, name.p, name.len);
        if (rc)
            return rc;
        c->hs->hello.sni_accepted = 1;
    }
    return 0;
}

static int choose_alpn(tlsm_conn *c, const ext_entry *e)
{
    wire_reader r, list;
    wire_init(&r, e->data, e->len);
    wire_block(&r, 2, 2, 0xffff, &list);
    if (wire_end(&r))
        return FAIL(R_ALPN_DECODE);
    const uint8_t *names = list.p;
    size_t names_len = list.len;
    while (wire_left(&list) > 0) {
        wire_reader n;
        wire_block(&list, 1, 1, 255, &n);
        if (list.err)
            return FAIL(R_ALPN_DECODE);
    }
    if (!c->cfg->alpn_len)
        return 0;
    /* Server preference order (RFC 7301 s.3.2). */
    for (size_t i = 0; i < c->cfg->alpn_len; i += 1 + (size_t)c->cfg->alpn[i]) {
        const uint8_t *want = c->cfg->alpn + i;
        for (size_t j = 0; j < names_len; j += 1 + (size_t)names[j]) {
            if (names[j] == want[0] && !memcmp(names + j + 1, want + 1, want[0])) {
                c->alpn = want + 1; /* inside cfg->alpn, as conn_alpn_select keeps it */
                c->alpn_len = want[0];
                return 0;
            }
        }
    }
    /* RFC 7301 s.3.2: "In the event that the server supports no protocols that the client
     * advertises, then the server SHALL respond with a fatal "no_application_protocol"
     * alert." */
    return FAIL(R_ALPN_NO_OVERLAP);
}

static int parse_record_size_limit(tlsm_conn *c, const ext_entry *e)
{
    wire_reader r;
    wire_init(&r, e->data, e->len);
    uint16_t lim = wire_u16(&r);
    if (wire_end(&r))
        return FAIL(R_RSL_DECODE);
    /* RFC 8449 s.4, below 64: "An endpoint MUST treat receipt of a smaller value as a fatal
     * error and generate an "illegal_parameter" alert." */
    if (lim < 64)
        return FAIL(R_RSL_TOO_SMALL);
    c->rec.peer_max_fragment = lim - 1u < REC_MAX_PLAINTEXT ? lim - 1u : REC_MAX_PLAINTEXT;
    c->hs->hello.client_rsl = 1;
    c->rec.rsl_negotiated = 1; /* we answer with ours */
    return 0;
}

/* s.4.6.1, s.8.3: the ticket is within its lifetime and the client's view of its age
 * (obfuscated_ticket_age - ticket_age_add) agrees with ours within 10 s either way.
 * s.4.2.10: "For PSKs provisioned via NewSessionTicket, a server MUST validate that the
 * ticket age for the selected PSK identity ... is within a small tolerance of the time since
 * the ticket was issued (see Section 8)." */
static int psk_age_ok(const tlsm_conn *c, const srv_session *s, uint32_t obfuscated_age)
{
    if (!srv_session_fresh(c, s))
        return 0;
    uint64_t age = config_now_ms(c->cfg) - s->issued_ms;
    uint64_t client_age = (uint32_t)(obfuscated_age - s->age_add);
    return client_age <= age + 10000 && client_age + 10000 >= age;
}

/* s.4.2.9: whether the client's psk_key_exchange_modes lists psk_dhe_ke, the one mode we
 * resume with (hs->psk.client_dhe; 0 without the extension): "Servers MUST NOT select a key
 * exchange mode that is not listed by the client." */
static int parse_psk_modes(tlsm_conn *c, const client_offer *o)
{
    const ext_entry *modes = ext_find(&o->ch.ext, EXT_PSK_KEY_EXCHANGE_MODES);
    wire_reader r, m;
    c->hs->psk.client_dhe = 0;
    if (!modes)
        return 0;
    wire_init(&r, modes->data, modes->len);
    wire_block(&r, 1, 1, 255, &m);
    if (wire_end(&r))
        return FAIL(R_PSK_MODES_DECODE);
    while (wire_left(&m) > 0)
        c->hs->psk.client_dhe |= wire_u8(&m) == PSK_MODE_DHE_KE;
    return 0;
}

/* s.4.2.11: the identities and the binders, "one for each PSK offered in the
 * "pre_shared_keys" extension and in the same order". Both lists are framed whole before
 * any identity is tried, so a count that does not match is found whichever identity we
 * take. A binder's own length is not
 * judged here, nor the 33-byte floor of the list (binders<33..2^16-1>) that follows from
 * PskBinderEntry<32..255>: the binder is an HMAC whose length is its PSK's hash's, so one
 * of the wrong length is one that does not validate, which s.4.2.11 and s.6.2 make
 * decrypt_error where its PSK is used; those of PSKs we do not use are only framed, as
 * their identities are (a TLS 1.2 session offered beside a TLS 1.3 one carries a 12-byte
 * binder, and is simply not ours to take). An empty list is still malformed. */
static int parse_psk_offer(const ext_entry *pe, wire_reader *ids, wire_reader *binders,
                           size_t *binders_len)
{
    wire_reader r, a, b, x;
    size_t n_ids = 0, n_binders = 0;
    wire_init(&r, pe->data, pe->len);
    wire_block(&r, 2, 7, 0xffff, ids);
    wire_block(&r, 2, 1, 0xffff, binders);
    if (wire_end(&r))
        return FAIL(R_PSK_DECODE);
    for (a = *ids; wire_left(&a) > 0; n_ids++) {
        wire_block(&a, 2, 1, 0xffff, &x);
        (void)wire_u32(&a);
        if (a.err)
            return FAIL(R_PSK_DECODE);
    }
    for (b = *binders; wire_left(&b) > 0; n_binders++) {
        wire_block(&b, 1, 0, 255, &x);
        if (b.err)
            return FAIL(R_PSK_BINDER_DECODE);
    }
    if (n_ids != n_binders)
        return FAIL(R_PSK_BINDER_COUNT);
    /* The binders close the ClientHello; they are not covered by their own MAC. */
    *binders_len = 2 + binders->len;
    return 0;
}

/* Tries the client's PSK identities (tickets we issued). On success sets hs->psk.key and
 * verifies the binder. Returns 0 (accepted or none usable) or FAIL(R_...). */
static int try_psk(tlsm_conn *c, client_offer *o, int second)
{
    struct hs_state *hs = c->hs;
    const ext_entry *pe = ext_find(&o->ch.ext, EXT_PRE_SHARED_KEY);
    if (!pe) {
        /* s.4.1.2: the second ClientHello is the first "without modification" except for
         * "Updating the "pre_shared_key" extension if present by recomputing the
         * "obfuscated_ticket_age" and binder values and (optionally) removing any PSKs
         * which are incompatible with the server's indicated cipher suite". A PSK we could
         * take from the first is compatible with our suite, so the extension stays; its
         * loss is a missing extension (s.6.2), as the cookie's is. */
        return second && hs->psk.first_usable ? FAIL(R_CH2_PSK_DROPPED) : 0;
    }
    /* s.4.2.11: "The "pre_shared_key" extension MUST be the last extension in the
     * ClientHello (this facilitates implementation as described below). Servers MUST check
     * that it is the last extension and otherwise fail the handshake with an
     * "illegal_parameter" alert." */
    if (o->ch.ext.last_type != EXT_PRE_SHARED_KEY)
        return FAIL(R_CH_PSK_NOT_LAST);
    /* s.4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes"
     * extension, servers MUST abort the handshake." (missing_extension, s.6.2) */
    if (!ext_find(&o->ch.ext, EXT_PSK_KEY_EXCHANGE_MODES))
        return FAIL(R_PSK_NO_MODES);
    wire_reader ids, binders;
    size_t binders_len = 0; /* set by parse_psk_offer; GCC -O1 cannot see it */
    int rc = parse_psk_offer(pe, &ids, &binders, &binders_len);
    if (rc)
        return rc;
    if (!hs->psk.client_dhe || c->cfg->tickets == 0)
        return 0;
    for (unsigned idx = 0; wire_left(&ids) > 0; idx++) {
        wire_reader id, bind;
        wire_block(&ids, 2, 1, 0xffff, &id);
        uint32_t age = wire_u32(&ids);
        wire_block(&binders, 1, 0, 255, &bind);
        srv_session st;
        if (ticket_open(c, id.p, id.len, &st))
            continue;
        hash_alg h;
        aead_alg a;
        hs_suite_params(st.suite, &h, &a);
        int usable = st.kind == SRV_SESSION_TLS13 && h == c->hash && psk_age_ok(c, &st, age) &&
                     session_binding_ok(c, st.flags, st.sni_hash);
        if (!usable) {
            srv_session_release(&st);
            continue;
        }
        uint8_t early[CRYPTO_HASH_MAX], bkey[CRYPTO_HASH_MAX], thash[CRYPTO_HASH_MAX],
            expect[CRYPTO_HASH_MAX];
        ks_early_secret(h, st.secret, st.secret_len, early);
        transcript_hash_with(&hs->tr, h, o->msg, o->len - binders_len, thash);
        int bad = ks_derive_empty(h, early, "res binder", bkey) ||
                  ks_finished(h, bkey, thash, expect) || bind.len != c->hash_len ||
                  !crypto_ct_equal(expect, bind.p, c->hash_len);
        crypto_wipe(bkey, sizeof bkey);
        if (bad) {
            srv_session_release(&st);
            crypto_wipe(early, sizeof early);
            /* s.4.2.11: "If this value is not present or does not validate, the server MUST
             * abort the handshake." s.6.2: decrypt_error covers failing to "validate ... a PSK
             * binder"; one of another length than the PSK's hash does not validate. */
            return FAIL(R_PSK_BINDER_INVALID);
        }
        memcpy(hs->psk.key, st.secret, st.secret_len);
        hs->psk.key_len = st.secret_len;
        memcpy(hs->ks.early, early, c->hash_len);
        crypto_wipe(early, sizeof early);
        hs->psk.accepted = 1;
        hs->psk.index = (uint16_t)idx;
        c->resumed = 1;
        rc = srv_session_restore(c, &st);
        srv_session_release(&st);
        return rc;
    }
    return 0;
}

/* RFC 8446 s.4.1.2: after a HelloRetryRequest "the client MUST send the same ClientHello
 * without modification, except as follows": the key_share replaced, early_data removed, a
 * cookie added, pre_shared_key updated, padding added, removed or resized. So everything
 * else - legacy_version, random, legacy_session_id, cipher_suites, compression methods and
 * every other extension, bytes and order - is hashed here for the first hello and compared
 * with the second's (choose_suite13). Length prefixes keep the fields apart. */
static void hello_fixed_digest(const ch_msg *ch, uint8_t out[32])
{
    crypto_hash_ctx h;
    uint8_t n[4];
    crypto_hash_init(&h, HASH_SHA256);
    n[0] = (uint8_t)(ch->legacy_version >> 8);
    n[1] = (uint8_t)ch->legacy_version;
    crypto_hash_update(&h, n, 2);
    crypto_hash_update(&h, ch->random, HS_RANDOM_LEN);
    n[0] = (uint8_t)ch->sid_len;
    crypto_hash_update(&h, n, 1);
    crypto_hash_update(&h, ch->sid, ch->sid_len);
    n[0] = (uint8_t)(ch->suites_len >> 8);
    n[1] = (uint8_t)ch->suites_len;
    crypto_hash_update(&h, n, 2);
    crypto_hash_update(&h, ch->suites, ch->suites_len);
    n[0] = (uint8_t)ch->comp_len;
    crypto_hash_update(&h, n, 1);
    crypto_hash_update(&h, ch->compressions, ch->comp_len);
    size_t pos = 0;
    ext_entry e;
    while (ext_next(&ch->ext, &pos, &e)) {
        if (e.type == EXT_KEY_SHARE || e.type == EXT_EARLY_DATA || e.type == EXT_COOKIE ||
            e.type == EXT_PRE_SHARED_KEY || e.type == EXT_PADDING)
            continue;
        n[0] = (uint8_t)(e.type >> 8);
        n[1] = (uint8_t)e.type;
        n[2] = (uint8_t)(e.len >> 8);
        n[3] = (uint8_t)e.len;
        crypto_hash_update(&h, n, 4);
        crypto_hash_update(&h, e.data, e.len);
    }
    crypto_hash_final(&h, out);
}

static int send_hello_retry_request(tlsm_conn *c, client_offer *o, uint16_t group)
{
    struct hs_state *hs = c->hs;
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_SERVER_HELLO, 1024);
    if (rc)
        return rc;
    /* s.4.4.1: "the value of ClientHello1 is replaced with a special synthetic handshake
     * message of handshake type "message_hash" containing Hash(ClientHello1)." */
    hs_transcript_add(c, o->msg, o->len);
    transcript_restart_hrr(&hs->tr);
    wire_put_u16(&w, 0x0303);
    wire_put_bytes(&w, HS_HRR_RANDOM, HS_RANDOM_LEN);
    wire_put_block(&w, 1, o->ch.sid, o->ch.sid_len);
    wire_put_u16(&w, c->suite);
    wire_put_u8(&w, 0);
    size_t exts = wire_open(&w, 2);
    if (group) {
        wire_put_u16(&w, EXT_KEY_SHARE);
        wire_put_u16(&w, 2);
        wire_put_u16(&w, group);
    }
    if (c->cfg->require_cookie) {
        hs->hrr.cookie_len = 32;
        if (!(hs->hrr.cookie = mem_alloc(hs->hrr.cookie_len))) {
            hs_msg_abort(&w);
            return FAIL(R_NOMEM);
        }
        if (crypto_random(&c->cfg->rng, hs->hrr.cookie, hs->hrr.cookie_len)) {
            hs_msg_abort(&w);
            return FAIL(R_RNG);
        }
        wire_put_u16(&w, EXT_COOKIE);
        size_t e = wire_open(&w, 2);
        wire_put_block(&w, 2, hs->hrr.cookie, hs->hrr.cookie_len);
        wire_close(&w, e);
    }
    wire_put_u16(&w, EXT_SUPPORTED_VERSIONS);
    wire_put_u16(&w, 2);
    wire_put_u16(&w, TLSM_TLS13);
    wire_close(&w, exts);
    c->hrr = 1;
    hs->hrr.suite = c->suite;
    hs->kex.group = group;
    hs->hello.sid_len = o->ch.sid_len;
    memcpy(hs->hello.sid, o->ch.sid, o->ch.sid_len);
    memcpy(hs->hello.client_random, o->ch.random, HS_RANDOM_LEN);
    hello_fixed_digest(&o->ch, hs->hello.ch1_fixed);
    hs->state = HS_S_WAIT_CH2;
    rc = hs_msg_send(c, &w);
    if (!rc && o->ch.sid_len && !hs->hello.ccs_sent) {
        /* D.4: "The server sends a dummy change_cipher_spec record immediately after its
         * first handshake message." ... "if the client sends a non-empty session ID, the
         * server MUST send the change_cipher_spec as described in this appendix." */
        hs->hello.ccs_sent = 1;
        rc = hs_send_ccs(c);
    }
    return rc;
}

static int send_server_hello(tlsm_conn *c, client_offer *o, const uint8_t *peer_pub,
                             size_t peer_len)
{
    struct hs_state *hs = c->hs;
    uint8_t random[HS_RANDOM_LEN];
    if (crypto_random(&c->cfg->rng, random, sizeof random))
        return FAIL(R_RNG);
    uint8_t shared[CRYPTO_KEX_SHARED_MAX];
    size_t shared_len;
    /* s.4.2.8.1-2 and draft-ietf-tls-ecdhe-mlkem s.4: an invalid client share (off the
     * curve, all-zero X25519 result, wrong length, an ML-KEM key failing FIPS 203 s.7.2)
     * is illegal_parameter. s.4.2.8.2: "peers MUST validate each other's public value Q by
     * ensuring that the point is a valid point on the elliptic curve"; s.7.4.2:
     * "Implementations MUST check whether the computed Diffie-Hellman shared secret is the
     * all-zero value and abort if so". */
    uint8_t pub[CRYPTO_KEX_PUB_MAX];
    size_t pub_len = 0;
    int kx = crypto_kex_respond(hs->kex.group, &c->cfg->rng, peer_pub, peer_len, pub, &pub_len,
                                shared, &shared_len);
    if (kx == CRYPTO_KEX_FAILED)
        return FAIL(R_RNG);
    if (kx)
        return FAIL(R_CH_KEY_SHARE_INVALID);

    wire_writer w;
    int rc = hs_msg_begin(&w, HS_SERVER_HELLO, 512 + CRYPTO_KEX_PUB_MAX);
    if (rc) {
        crypto_wipe(shared, sizeof shared);
        return rc;
    }
    wire_put_u16(&w, 0x0303);
    wire_put_bytes(&w, random, sizeof random);
    wire_put_block(&w, 1, o->ch.sid, o->ch.sid_len);
    wire_put_u16(&w, c->suite);
    wire_put_u8(&w, 0);
    size_t exts = wire_open(&w, 2);
    if (hs->psk.accepted) {
        wire_put_u16(&w, EXT_PRE_SHARED_KEY);
        wire_put_u16(&w, 2);
        wire_put_u16(&w, hs->psk.index);
    }
    wire_put_u16(&w, EXT_KEY_SHARE);
    size_t e = wire_open(&w, 2);
    wire_put_u16(&w, hs->kex.group);
    wire_put_block(&w, 2, pub, pub_len);
    wire_close(&w, e);
    wire_put_u16(&w, EXT_SUPPORTED_VERSIONS);
    wire_put_u16(&w, 2);
    wire_put_u16(&w, TLSM_TLS13);
    wire_close(&w, exts);
    rc = hs_msg_send(c, &w);
    if (!rc && o->ch.sid_len && !hs->hello.ccs_sent) {
        hs->hello.ccs_sent = 1;
        rc = hs_send_ccs(c);
    }
    if (rc) {
        crypto_wipe(shared, sizeof shared);
        return rc;
    }

    rc = hs_derive_handshake(c, shared, shared_len);
    crypto_wipe(shared, sizeof shared);
    if (rc)
        return rc;
    c->group = hs->kex.group;
    hs_set_version(c, TLSM_TLS13);
    return 0;
}

static int send_encrypted_extensions(tlsm_conn *c)
{
    const tlsm_shape *sh = &c->cfg->shape;
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_ENCRYPTED_EXTENSIONS, 1024);
    if (rc)
        return rc;
    size_t exts = wire_open(&w, 2);
    if (sh->ee_supported_groups) {
        wire_put_u16(&w, EXT_SUPPORTED_GROUPS);
        size_t e = wire_open(&w, 2), l = wire_open(&w, 2);
        const uint16_t *g = sh->n_adv_groups ? sh->adv_groups : c->cfg->groups;
        size_t n = sh->n_adv_groups ? sh->n_adv_groups : c->cfg->n_groups;
        for (size_t i = 0; i < n; i++)
            wire_put_u16(&w, g[i]);
        wire_close(&w, l);
        wire_close(&w, e);
    }
    if (c->hs->hello.client_rsl) {
        wire_put_u16(&w, EXT_RECORD_SIZE_LIMIT);
        wire_put_u16(&w, 2);
        wire_put_u16(&w, (uint16_t)(c->cfg->record_size_limit + 1));
    }
    /* RFC 6066 s.3: "When resuming a session, the server MUST NOT include a server_name
     * extension in the server hello" (EncryptedExtensions in TLS 1.3). */
    if (c->hs->hello.sni_accepted && !c->hs->psk.accepted) {
        wire_put_u16(&w, EXT_SERVER_NAME);
        wire_put_u16(&w, 0);
    }
    if (c->alpn_len) {
        wire_put_u16(&w, EXT_ALPN);
        size_t e = wire_open(&w, 2), l = wire_open(&w, 2);
        wire_put_block(&w, 1, c->alpn, c->alpn_len);
        wire_close(&w, l);
        wire_close(&w, e);
    }
    wire_close(&w, exts);
    return hs_msg_send(c, &w);
}

static int send_certificate_request(tlsm_conn *c)
{
    wire_writer w;
    size_t ca_len = hs_ca_names_len(c);
    int rc = hs_msg_begin(&w, HS_CERTIFICATE_REQUEST, 64 + 2 * c->cfg->n_sigalgs + ca_len);
    if (rc)
        return rc;
    /* s.4.3.2: certificate_request_context "SHALL be zero length unless used for the
     * post-handshake authentication exchanges described in Section 4.6.2." */
    wire_put_u8(&w, 0);
    size_t exts = wire_open(&w, 2);
    wire_put_u16(&w, EXT_SIGNATURE_ALGORITHMS);
    size_t e = wire_open(&w, 2), l = wire_open(&w, 2);
    for (size_t i = 0; i < c->cfg->n_sigalgs; i++)
        wire_put_u16(&w, c->cfg->sigalgs[i]);
    wire_close(&w, l);
    wire_close(&w, e);
    /* s.4.2.4: the extension holds at least one name (authorities<3..2^16-1>). */
    if (ca_len) {
        wire_put_u16(&w, EXT_CERTIFICATE_AUTHORITIES);
        e = wire_open(&w, 2);
        hs_put_ca_names(c, &w);
        wire_close(&w, e);
    }
    wire_close(&w, exts);
    c->hs->peer.cert_requested = 1;
    return hs_msg_send(c, &w);
}

/* After our CertificateVerify (or directly, when resuming): Finished and app keys. */
static int server_send_finished(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    int rc = hs_send_finished(c, hs->ks.s_hs);
    if (rc)
        return rc;
    uint8_t s_ap[CRYPTO_HASH_MAX];
    rc = hs_derive_application(c, s_ap);
    if (!rc)
        rc = hs_install_secret(c, 1, s_ap);
    crypto_wipe(s_ap, sizeof s_ap);
    if (rc)
        return rc;
    hs->state = hs->peer.cert_requested ? HS_S_WAIT_CERT : HS_S_WAIT_FINISHED;
    return 0;
}

static int server_flight(tlsm_conn *c, client_offer *o, const uint8_t *peer_pub, size_t peer_len)
{
    struct hs_state *hs = c->hs;
    hs_transcript_add(c, o->msg, o->len);
    int rc = send_server_hello(c, o, peer_pub, peer_len);
    if (!rc)
        rc = send_encrypted_extensions(c);
    if (rc)
        return rc;
    if (hs->psk.accepted)
        return server_send_finished(c);
    if (c->cfg->client_auth && (rc = send_certificate_request(c)))
        return rc;
    if ((rc = hs_send_certificate(c, hs->own.id)))
        return rc;
    return hs_sign_and_continue(c, server_send_finished);
}

/* The version to speak: the highest the client offers within our range (RFC 8446
 * s.4.2.1: "Servers MUST only select a version of TLS present in that extension and MUST
 * ignore any unknown versions that are present in that extension."); without
 * supported_versions the client offers at most legacy_version (D.2: "If the
 * "supported_versions" extension is not present, the server MUST negotiate the minimum of
 * ClientHello.legacy_version and TLS 1.2."). Returns the version or 0 with *rc set
 * (protocol_version: nothing in common, RFC 8996). */
static uint16_t choose_version(const tlsm_config *cfg, const ch_msg *ch, int *rc)
{
    const ext_entry *sv = ext_find(&ch->ext, EXT_SUPPORTED_VERSIONS);
    uint16_t best = 0;
    if (!sv) {
        if (ch->legacy_version >= TLSM_TLS12 && cfg->min_version <= TLSM_TLS12)
            return TLSM_TLS12;
        *rc = FAIL(R_CH_NO_COMMON_VERSION);
        return 0;
    }
    wire_reader r, l;
    wire_init(&r, sv->data, sv->len);
    wire_block(&r, 1, 2, 254, &l);
    if (wire_end(&r) || l.len % 2) {
        *rc = FAIL(R_CH_VERSIONS_DECODE);
        return 0;
    }
    while (wire_left(&l) > 0) {
        uint16_t v = wire_u16(&l);
        if (v >= cfg->min_version && v <= cfg->max_version && v > best)
            best = v;
    }
    if (!best)
        *rc = FAIL(R_CH_NO_COMMON_VERSION);
    return best;
}

/* s.4.1.2 / RFC 5246 s.7.4.1.2 ("This vector MUST contain, and all implementations MUST
 * support, CompressionMethod.null."): legacy_compression_methods must be exactly { null } in
 * TLS 1.3 ("For every TLS 1.3 ClientHello, this vector MUST contain exactly one byte, set to
 * zero" ... "If a TLS 1.3 ClientHello is received with any other value in this field, the
 * server MUST abort the handshake with an "illegal_parameter" alert.") and must include null
 * in TLS 1.2 (we never compress). */
static int check_compression(const ch_msg *ch, uint16_t version)
{
    int has_null = 0;
    for (size_t i = 0; i < ch->comp_len; i++)
        has_null |= ch->compressions[i] == 0;
    if (version == TLSM_TLS13 ? (ch->comp_len != 1 || !has_null) : !has_null)
        return FAIL(R_CH_COMPRESSION);
    return 0;
}

/* The extensions a TLS 1.2 ClientHello shares with TLS 1.3 (server_name, ALPN,
 * record_size_limit); the rest is server12.c's. */
/* RFC 6066 s.8: whether the client asks for a stapled OCSP response. */
static int note_status_request(tlsm_conn *c, const client_offer *o)
{
    const ext_entry *sr = ext_find(&o->ch.ext, EXT_STATUS_REQUEST);
    int rc = sr ? ocsp_parse_request(sr) : 0;
    if (rc < 0)
        return rc;
    c->hs->hello.ocsp_requested = rc;
    return 0;
}

static int tls12_client_hello(tlsm_conn *c, const client_offer *o)
{
    const ext_entry *sni = ext_find(&o->ch.ext, EXT_SERVER_NAME);
    const ext_entry *al = ext_find(&o->ch.ext, EXT_ALPN);
    const ext_entry *rsl = ext_find(&o->ch.ext, EXT_RECORD_SIZE_LIMIT);
    int rc = 0;
    if ((sni && (rc = parse_server_name(c, sni))) || (al && (rc = choose_alpn(c, al))) ||
        (rsl && (rc = parse_record_size_limit(c, rsl))) || (rc = note_status_request(c, o)))
        return rc;
    /* RFC 8449 s.4: "In TLS 1.2 and earlier, the limit covers all input to compression and
     * encryption": plaintext only, no type byte. */
    if (rsl)
        c->rec.peer_max_fragment = c->rec.peer_max_fragment + 1 < REC_MAX_PLAINTEXT
                                       ? c->rec.peer_max_fragment + 1 : REC_MAX_PLAINTEXT;
    return server12_on_client_hello(c, &o->ch, o->msg, o->len);
}

/* The suite: ours, of the first ClientHello; the second must still offer it. */
static int choose_suite13(tlsm_conn *c, const client_offer *o, int second)
{
    struct hs_state *hs = c->hs;
    const tlsm_config *cfg = c->cfg;
    if (second) {
        /* s.4.1.2: the client "MUST send the same ClientHello without modification", except
         * for what the HelloRetryRequest asked (hello_fixed_digest); so the suites, and
         * the one chosen from them, stay. Public values: memcmp is fine. */
        uint8_t fixed[32];
        hello_fixed_digest(&o->ch, fixed);
        if (memcmp(fixed, hs->hello.ch1_fixed, sizeof fixed))
            return FAIL(R_CH2_CHANGED);
        return 0;
    }
    c->suite = 0;
    /* s.4.1.2: only TLS 1.3 suites are usable with TLS 1.3. */
    for (size_t i = 0; i < cfg->n_suites && !c->suite; i++)
        if (suite_find(cfg->suites[i])->version == TLSM_TLS13 && ch_offers_suite(&o->ch, cfg->suites[i]))
            c->suite = cfg->suites[i];
    if (!c->suite)
        return FAIL(R_CH_NO_COMMON_SUITE);
    hs_suite_params(c->suite, &c->hash, &c->aead);
    c->hash_len = crypto_hash_len(c->hash);
    transcript_choose(&hs->tr, c->hash);
    return 0;
}

/* s.4.2.2: the cookie of our HelloRetryRequest must come back unchanged ("the client MUST
 * copy the contents of the extension received in the HelloRetryRequest into a "cookie"
 * extension in the new ClientHello"), and none may come unasked (s.4.1.2: the second
 * ClientHello is the first "without modification" but for "Including a "cookie" extension
 * if one was provided in the HelloRetryRequest"). */
static int check_cookie(tlsm_conn *c, const client_offer *o)
{
    struct hs_state *hs = c->hs;
    const ext_entry *ck = ext_find(&o->ch.ext, EXT_COOKIE);
    if (!hs->hrr.cookie_len)
        return ck ? FAIL(R_COOKIE_UNSOLICITED) : 0;
    if (!ck)
        return FAIL(R_COOKIE_MISSING);
    wire_reader r, b;
    wire_init(&r, ck->data, ck->len);
    wire_block(&r, 2, 1, 0xffff, &b);
    if (wire_end(&r))
        return FAIL(R_COOKIE_DECODE);
    if (b.len != hs->hrr.cookie_len || !crypto_ct_equal(b.p, hs->hrr.cookie, b.len))
        return FAIL(R_COOKIE_MISMATCH);
    return 0;
}

/* The group: our preference among the client's shares (*share set), else, for a
 * HelloRetryRequest, our preference among its supported_groups (*hrr_group). */
static int choose_group(tlsm_conn *c, const client_offer *o, int second, size_t *share,
                        uint16_t *hrr_group)
{
    const tlsm_config *cfg = c->cfg;
    uint16_t group = 0;
    *hrr_group = 0;
    for (size_t i = 0; i < cfg->n_groups && !group; i++)
        for (size_t j = 0; j < o->n_shares; j++)
            if (o->shares[j].group == cfg->groups[i]) {
                group = cfg->groups[i];
                *share = j;
            }
    for (size_t i = 0; i < cfg->n_groups && !group && !*hrr_group; i++)
        for (size_t j = 0; j < o->n_groups; j++)
            if (o->groups[j] == cfg->groups[i])
                *hrr_group = cfg->groups[i];
    if (second) {
        /* s.4.1.2: after an HRR that named a group, "replacing the list of shares with a
         * list containing a single KeyShareEntry from the indicated group"; after a
         * cookie-only HRR they stay as they were. */
        uint16_t asked = c->hs->kex.group;
        if (!group || (asked && (o->n_shares != 1 || group != asked)))
            return FAIL(R_CH2_SHARES);
    } else if (!group && !*hrr_group) {
        /* s.4.1.1: "If there is no overlap between the received "supported_groups" and the
         * groups supported by the server, then the server MUST abort the handshake with a
         * "handshake_failure" or an "insufficient_security" alert." */
        return FAIL(R_CH_NO_COMMON_GROUP);
    }
    c->hs->kex.group = group;
    return 0;
}

/* Certificate authentication needs signature_algorithms (s.4.2.3: "If a server is
 * authenticating via a certificate and the client has not sent a "signature_algorithms"
 * extension, then the server MUST abort the handshake with a "missing_extension" alert")
 * and an identity of ours that fits one of them. */
static int choose_certificate(tlsm_conn *c, const client_offer *o)
{
    struct hs_state *hs = c->hs;
    const ext_entry *sa = ext_find(&o->ch.ext, EXT_SIGNATURE_ALGORITHMS);
    if (!sa)
        return FAIL(R_CH_NO_SIGALGS);
    int rc = hs_parse_sigalgs(c, sa->data, sa->len);
    if (rc)
        return rc;
    if (hs_choose_identity(c, hs->peer.sigalgs, hs->peer.n_sigalgs, NULL))
        return FAIL(hs->peer.issuer_mismatch ? R_NO_MATCHING_ISSUER : R_CH_NO_COMMON_SIGALG);
    return 0;
}

/* The extensions both ClientHellos act on; unknown ones are ignored (s.4.1.2: "Servers MUST
 * ignore unrecognized extensions."). */
static int read_extensions(tlsm_conn *c, client_offer *o, int second)
{
    const ext_entry *e;
    int rc = parse_groups(o);
    if (!rc && (e = ext_find(&o->ch.ext, EXT_SERVER_NAME)) && !second)
        rc = parse_server_name(c, e);
    if (!rc && (e = ext_find(&o->ch.ext, EXT_ALPN)))
        rc = choose_alpn(c, e);
    if (!rc && (e = ext_find(&o->ch.ext, EXT_RECORD_SIZE_LIMIT)))
        rc = parse_record_size_limit(c, e);
    if (!rc)
        rc = note_status_request(c, o);
    if (!rc && second)
        rc = check_cookie(c, o);
    if (!rc)
        rc = parse_psk_modes(c, o);
    if (!rc && (e = ext_find(&o->ch.ext, EXT_CERTIFICATE_AUTHORITIES)))
        rc = hs_parse_ca_names(c, e->data, e->len, 3);
    return rc;
}

int server_on_client_hello(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    client_offer o;
    int second = hs->state == HS_S_WAIT_CH2;
    int rc = ch_decode(msg + HS_HEADER_LEN, len - HS_HEADER_LEN, &o.ch);
    if (rc)
        return rc;
    o.msg = msg;
    o.len = len;
    c->accept_plain_ccs = 1;
    /* A second hello's random is compared with the first's, never copied over it. */
    if (!second)
        memcpy(hs->hello.client_random, o.ch.random, HS_RANDOM_LEN);

    /* RFC 8446 D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version
     * or ServerHello.legacy_version set to 0x0300 MUST abort the handshake with a
     * "protocol_version" alert" - supported_versions or not. */
    if (o.ch.legacy_version <= 0x0300)
        return FAIL(R_CH_LEGACY_VERSION_SSL3);
    uint16_t version = choose_version(c->cfg, &o.ch, &rc);
    if (!version)
        return rc;
    /* RFC 7507 s.3: "If TLS_FALLBACK_SCSV appears in ClientHello.cipher_suites and the
     * highest protocol version supported by the server is higher than the version
     * indicated in ClientHello.client_version, the server MUST respond with a fatal
     * inappropriate_fallback alert". The version the client indicates is the highest it
     * offers, so it is below ours exactly when we settle on less than our highest. */
    if (version < c->cfg->max_version && ch_offers_suite(&o.ch, SUITE_FALLBACK_SCSV))
        return FAIL(R_CH_INAPPROPRIATE_FALLBACK);
    if ((rc = check_compression(&o.ch, version)))
        return rc;
    /* s.4.1.4: the second ClientHello answers a TLS 1.3 HelloRetryRequest, and s.4.1.2: "the
     * client MUST send the same ClientHello without modification, except as follows". */
    if (second && version != TLSM_TLS13)
        return FAIL(R_CH2_NOT_TLS13);
    if (version == TLSM_TLS12)
        return tls12_client_hello(c, &o);
    hs_set_version(c, TLSM_TLS13);
    /* We never accept 0-RTT (no early_data in EncryptedExtensions): the client's early
     * data is skipped (s.4.2.10, engine.c). s.4.2.10: "A client MUST NOT include the
     * "early_data" extension in its followup ClientHello."; after it nothing is skipped. */
    int early = ext_find(&o.ch.ext, EXT_EARLY_DATA) != NULL;
    if (second && early)
        return FAIL(R_CH2_EARLY_DATA);
    c->rec.skip_early = early ? REC_EARLY_SKIP_MAX : 0;

    size_t share = 0;
    uint16_t hrr_group = 0;
    if ((rc = choose_suite13(c, &o, second)) || (rc = read_extensions(c, &o, second)) ||
        (rc = choose_group(c, &o, second, &share, &hrr_group)) || (rc = try_psk(c, &o, second)) ||
        (!hs->psk.accepted && (rc = choose_certificate(c, &o))))
        return rc;
    if (!second && (!hs->kex.group || c->cfg->require_cookie)) {
        /* The PSK (if any) is re-validated on the second ClientHello. */
        hs->psk.first_usable = hs->psk.accepted;
        hs->psk.accepted = 0;
        c->resumed = 0;
        return send_hello_retry_request(c, &o, hs->kex.group ? 0 : hrr_group);
    }
    return server_flight(c, &o, o.shares[share].pub, o.shares[share].len);
}

int server_on_certificate(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    int rc = hs_recv_certificate(c, msg, len);
    if (rc)
        return rc;
    if (hs->peer.n == 0) {
        /* s.4.4.2.4: "If the client does not send any certificates (i.e., it sends an empty
         * Certificate message), the server MAY at its discretion either continue the
         * handshake without client authentication or abort the handshake with a
         * "certificate_required" alert." */
        if (c->cfg->client_auth == 2)
            return FAIL(R_CERT_REQUIRED);
        hs->state = HS_S_WAIT_FINISHED;
        return 0;
    }
    hs->state = HS_S_WAIT_CV;
    return 0;
}

int server_on_certificate_verify(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    int rc = hs_recv_certificate_verify(c, msg, len);
    if (rc)
        return rc;
    c->hs->state = HS_S_WAIT_FINISHED;
    return 0;
}

int server_on_finished(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    int rc = hs_recv_finished(c, msg, len, hs->ks.c_hs);
    if (!rc)
        rc = hs_derive_resumption(c);
    if (!rc)
        rc = hs_install_secret(c, 0, hs->ks.c_ap);
    if (rc)
        return rc;
    /* s.4.2.9: "Servers SHOULD NOT send NewSessionTicket with tickets that are not
     * compatible with the advertised modes": ours resume with psk_dhe_ke only. */
    int tickets_usable = hs->psk.client_dhe;
    rc = hs_finish(c);
    if (!rc && tickets_usable)
        rc = server_send_tickets(c);
    return rc;
}

int server_send_tickets(tlsm_conn *c)
{
    const tlsm_config *cfg = c->cfg;
    for (unsigned i = 0; i < cfg->tickets; i++) {
        uint8_t nonce[32], psk[CRYPTO_HASH_MAX];
        size_t nonce_len = cfg->shape.ticket_nonce_len;
        if (nonce_len > sizeof nonce)
            nonce_len = sizeof nonce;
        srv_session st;
        uint32_t age_add;
        if (crypto_random(&cfg->rng, (uint8_t *)&age_add, sizeof age_add))
            return FAIL(R_RNG);
        /* s.4.6.1: ticket_nonce is "A per-ticket value that is unique across all tickets
         * issued on this connection": a counter. */
        memset(nonce, 0, sizeof nonce);
        for (size_t k = 0; k < nonce_len && k < 8; k++)
            nonce[nonce_len - 1 - k] = (uint8_t)(c->ticket_counter >> (8 * k));
        c->ticket_counter++;
        if (ks_expand_label(c->hash, c->resumption_secret, "resumption", nonce, nonce_len, psk,
                            c->hash_len))
            return FAIL(R_TICKET_SEAL);
        srv_session_of(c, SRV_SESSION_TLS13, psk, c->hash_len, &st);
        crypto_wipe(psk, sizeof psk);
        st.age_add = age_add;
        /* A client leaf too large for a ticket: no ticket rather than one that would
         * resume without the client's identity. */
        if (!srv_session_sealable(&st)) {
            srv_session_release(&st);
            return 0;
        }
        uint8_t *ticket = NULL;
        size_t ticket_len = 0;
        int rc = ticket_seal(c, &st, &ticket, &ticket_len);
        srv_session_release(&st);
        if (rc)
            return rc;
        wire_writer w;
        rc = hs_msg_begin(&w, HS_NEW_SESSION_TICKET, 64 + nonce_len + ticket_len);
        if (!rc) {
            wire_put_u32(&w, cfg->ticket_lifetime);
            wire_put_u32(&w, age_add);
            wire_put_block(&w, 1, nonce, nonce_len);
            wire_put_block(&w, 2, ticket, ticket_len);
            wire_put_u16(&w, 0); /* no extensions (no early data) */
            rc = hs_msg_send(c, &w);
        }
        mem_free(ticket);
        if (rc)
            return rc;
    }
    return 0;
}
