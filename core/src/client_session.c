/*
 * client_session.c - a client's resumable session: made from a NewSessionTicket or a
 * TLS 1.2 handshake, handed over to a resumed connection, and kept by the host as bytes
 * (tlsm_conn_get_session) for a later connection (tlsm_conn_set_session).
 *
 * A session carries what its original handshake established about the server (chain,
 * signature scheme, group) so that a resumed connection reports the same peer as the one
 * that authenticated it (issue 16 item 5). While the session belongs to the connection
 * that made it, the chain is the connection's own (no copy).
 */
#include <string.h>

#include "handshake/suites.h"
#include "internal.h"
#include "mem.h"
#include "wire/wire.h"

#define BLOB_MAGIC 'T'
#define BLOB_FORMAT 3

void session_clear(tlsm_session *s)
{
    if (s->ticket)
        mem_free(s->ticket);
    if (!s->chain_is_conn) {
        mem_free(s->peer_chain);
        mem_free(s->ocsp);
    }
    if (s->name_owned)
        mem_free(s->server_name);
    crypto_wipe(s, sizeof *s);
}

void session_renew(tlsm_conn *c, uint8_t *ticket, size_t ticket_len)
{
    tlsm_session *s = &c->session;
    session_clear(s);
    s->ticket = ticket;
    s->ticket_len = ticket ? ticket_len : 0;
    s->server_name = c->server_name;
    s->group = c->group;
    s->peer_sigalg = c->peer_sigalg;
    s->chain_is_conn = 1;
}

void session_resumed(tlsm_conn *c)
{
    tlsm_session *s = &c->session;
    if (!s->chain_is_conn) {
        mem_free(c->peer_chain);
        c->peer_chain = s->peer_chain;
        c->peer_chain_len = s->peer_chain_len;
        c->peer_cert_n = s->peer_cert_n;
        s->peer_chain = NULL;
        s->peer_chain_len = s->peer_cert_n = 0;
        mem_free(c->ocsp);
        c->ocsp = s->ocsp;
        c->ocsp_len = s->ocsp_len;
        s->ocsp = NULL;
        s->ocsp_len = 0;
        s->chain_is_conn = 1;
    }
    c->peer_sigalg = s->peer_sigalg;
    if (s->version == TLSM_TLS12)
        c->group = s->group; /* no key exchange now: the original one's */
}

/* Session blob (format 3): 'T' 3 | protocol u16 | suite u16 | age_add u32 | lifetime u32 |
 * received_ms u64 | ems u8 | secret<1> | ticket<2> | session_id<1> | server_name<1> |
 * group u16 | peer_sigalg u16 | peer_chain<3> (certificates, each <3>) | ocsp<3>. The
 * secret is the TLS 1.3 PSK or the TLS 1.2 master secret. */
int tlsm_conn_get_session(const tlsm_conn *c, uint8_t *buf, size_t cap, size_t *len)
{
    if (!c || !len)
        return TLSM_ERR_ARG;
    /* RFC 5246 s.7.2.2: a failed connection's session is forgotten. */
    if (c->error)
        return c->error;
    if (!c->session.valid)
        return TLSM_ERR_NO_SESSION;
    const tlsm_session *s = &c->session;
    const uint8_t *chain = s->chain_is_conn ? c->peer_chain : s->peer_chain;
    size_t chain_len = s->chain_is_conn ? c->peer_chain_len : s->peer_chain_len;
    const uint8_t *ocsp = s->chain_is_conn ? c->ocsp : s->ocsp;
    size_t ocsp_len = s->chain_is_conn ? c->ocsp_len : s->ocsp_len;
    size_t name_len = strlen(s->server_name);
    size_t need = 2 + 2 + 2 + 4 + 4 + 8 + 1 + 1 + s->secret_len + 2 + s->ticket_len + 1 +
                  s->sid_len + 1 + name_len + 2 + 2 + 3 + chain_len + 3 + ocsp_len;
    *len = need;
    if (!buf)
        return 0;
    if (cap < need)
        return TLSM_ERR_BUFFER;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_put_u8(&w, BLOB_MAGIC);
    wire_put_u8(&w, BLOB_FORMAT);
    wire_put_u16(&w, s->version);
    wire_put_u16(&w, s->suite);
    wire_put_u32(&w, s->age_add);
    wire_put_u32(&w, s->lifetime);
    wire_put_u64(&w, s->received_ms);
    wire_put_u8(&w, s->ems);
    wire_put_block(&w, 1, s->secret, s->secret_len);
    wire_put_block(&w, 2, s->ticket, s->ticket_len);
    wire_put_block(&w, 1, s->sid, s->sid_len);
    wire_put_block(&w, 1, (const uint8_t *)s->server_name, name_len);
    wire_put_u16(&w, s->group);
    wire_put_u16(&w, s->peer_sigalg);
    wire_put_block(&w, 3, chain, chain_len);
    wire_put_block(&w, 3, ocsp, ocsp_len);
    return w.err ? TLSM_ERR_BUFFER : 0;
}

/* Counts the certificates of a chain in the peer_chain format; 0 if malformed. */
static size_t chain_count(const uint8_t *p, size_t len)
{
    wire_reader r, cert;
    size_t n = 0;
    wire_init(&r, p, len);
    while (wire_left(&r) > 0) {
        wire_block(&r, 3, 1, 0xffffff, &cert);
        if (r.err)
            return 0;
        n++;
    }
    return n;
}

int tlsm_conn_set_session(tlsm_conn *c, const uint8_t *blob, size_t len)
{
    if (!c || !blob)
        return TLSM_ERR_ARG;
    if (c->role != TLSM_ROLE_CLIENT || c->started)
        return TLSM_ERR_STATE;
    tlsm_session s;
    memset(&s, 0, sizeof s);
    wire_reader r, secret, ticket, sid, name, chain, ocsp;
    wire_init(&r, blob, len);
    uint8_t magic = wire_u8(&r), format = wire_u8(&r);
    s.version = wire_u16(&r);
    s.suite = wire_u16(&r);
    s.age_add = wire_u32(&r);
    s.lifetime = wire_u32(&r);
    s.received_ms = wire_u64(&r);
    s.ems = wire_u8(&r);
    wire_block(&r, 1, 32, CRYPTO_HASH_MAX, &secret);
    wire_block(&r, 2, 0, 0xffff, &ticket);
    wire_block(&r, 1, 0, sizeof s.sid, &sid);
    wire_block(&r, 1, 0, 255, &name);
    s.group = wire_u16(&r);
    s.peer_sigalg = wire_u16(&r);
    wire_block(&r, 3, 0, 0xffffff, &chain);
    wire_block(&r, 3, 0, 0xffffff, &ocsp);
    const suite_info *si = suite_find(s.suite);
    int ok = !wire_end(&r) && magic == BLOB_MAGIC && format == BLOB_FORMAT && si &&
             si->version == s.version && s.ems <= 1;
    /* A 1.3 session carries a PSK of the suite's hash length and a ticket; a 1.2 session a
     * 48-byte master secret and a session id or a ticket. */
    if (ok && s.version == TLSM_TLS13)
        ok = secret.len == crypto_hash_len(si->hash) && ticket.len > 0;
    else if (ok)
        ok = secret.len == 48 && (ticket.len > 0 || sid.len > 0);
    if (ok && name.len && memchr(name.p, 0, name.len))
        ok = 0;
    s.peer_cert_n = ok ? chain_count(chain.p, chain.len) : 0;
    if (ok && chain.len && !s.peer_cert_n)
        ok = 0;
    if (!ok)
        return TLSM_ERR_ARG;
    /* The name is the connection's when they agree (the only case it is offered in). */
    s.server_name = c->server_name;
    if (strlen(c->server_name) != name.len || memcmp(c->server_name, name.p, name.len)) {
        s.name_owned = 1;
        if (!(s.server_name = mem_alloc(name.len + 1)))
            return TLSM_ERR_NOMEM;
        memcpy(s.server_name, name.p, name.len);
        s.server_name[name.len] = 0;
    }
    if ((ticket.len && !(s.ticket = mem_alloc(ticket.len))) ||
        (chain.len && !(s.peer_chain = mem_alloc(chain.len))) ||
        (ocsp.len && !(s.ocsp = mem_alloc(ocsp.len)))) {
        session_clear(&s);
        return TLSM_ERR_NOMEM;
    }
    if (ocsp.len)
        memcpy(s.ocsp, ocsp.p, ocsp.len);
    s.ocsp_len = ocsp.len;
    memcpy(s.secret, secret.p, secret.len);
    s.secret_len = secret.len;
    if (ticket.len)
        memcpy(s.ticket, ticket.p, ticket.len);
    s.ticket_len = ticket.len;
    if (chain.len)
        memcpy(s.peer_chain, chain.p, chain.len);
    s.peer_chain_len = chain.len;
    memcpy(s.sid, sid.p, sid.len);
    s.sid_len = sid.len;
    s.valid = 1;
    session_clear(&c->session);
    c->session = s;
    c->offer_session = 1;
    crypto_wipe(&s, sizeof s);
    return 0;
}
