/*
 * session_blob.c - a client's resumable session as bytes the host keeps
 * (tlsm_conn_get_session) and hands to a later connection (tlsm_conn_set_session).
 */
#include <string.h>

#include "handshake/suites.h"
#include "internal.h"
#include "wire/wire.h"

/* Session blob (version 2): 'T' 2 | protocol u16 | suite u16 | age_add u32 | lifetime u32 |
 * received_ms u64 | ems u8 | secret<1> | ticket<2> | session_id<1> | server_name<1>. The
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
    size_t name_len = strlen(s->server_name);
    size_t need = 2 + 2 + 2 + 4 + 4 + 8 + 1 + 1 + s->secret_len + 2 + s->ticket_len + 1 +
                  s->sid_len + 1 + name_len;
    *len = need;
    if (!buf)
        return 0;
    if (cap < need)
        return TLSM_ERR_BUFFER;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_put_u8(&w, 'T');
    wire_put_u8(&w, 2);
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
    return w.err ? TLSM_ERR_BUFFER : 0;
}

int tlsm_conn_set_session(tlsm_conn *c, const uint8_t *blob, size_t len)
{
    if (!c || !blob)
        return TLSM_ERR_ARG;
    if (c->role != TLSM_ROLE_CLIENT || c->started)
        return TLSM_ERR_STATE;
    tlsm_session s;
    memset(&s, 0, sizeof s);
    wire_reader r, secret, ticket, sid, name;
    wire_init(&r, blob, len);
    uint8_t magic = wire_u8(&r), format = wire_u8(&r);
    s.version = wire_u16(&r);
    s.suite = wire_u16(&r);
    s.age_add = wire_u32(&r);
    s.lifetime = wire_u32(&r);
    s.received_ms = wire_u64(&r);
    s.ems = wire_u8(&r);
    wire_block(&r, 1, 32, CRYPTO_HASH_MAX, &secret);
    wire_block(&r, 2, 0, sizeof s.ticket, &ticket);
    wire_block(&r, 1, 0, sizeof s.sid, &sid);
    wire_block(&r, 1, 0, sizeof s.server_name - 1, &name);
    const suite_info *si = suite_find(s.suite);
    int ok = !wire_end(&r) && magic == 'T' && format == 2 && si && si->version == s.version &&
             s.ems <= 1;
    /* A 1.3 session carries a PSK of the suite's hash length and a ticket; a 1.2 session a
     * 48-byte master secret and a session id or a ticket. */
    if (ok && s.version == TLSM_TLS13)
        ok = secret.len == crypto_hash_len(si->hash) && ticket.len > 0;
    else if (ok)
        ok = secret.len == 48 && (ticket.len > 0 || sid.len > 0);
    if (ok && name.len && memchr(name.p, 0, name.len))
        ok = 0;
    if (!ok)
        return TLSM_ERR_ARG;
    memcpy(s.secret, secret.p, secret.len);
    s.secret_len = secret.len;
    memcpy(s.ticket, ticket.p, ticket.len);
    s.ticket_len = ticket.len;
    memcpy(s.sid, sid.p, sid.len);
    s.sid_len = sid.len;
    memcpy(s.server_name, name.p, name.len);
    s.server_name[name.len] = 0;
    s.valid = 1;
    c->session = s;
    c->offer_session = 1;
    crypto_wipe(&s, sizeof s);
    return 0;
}
