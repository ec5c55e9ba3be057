/*
 * conn_facts.c - what a connection can tell about itself: its error and why, the
 * negotiated version, suite, group and ALPN, the peer's certificates; and how the facts of
 * variable size are stored: the server name allocated to its length, the ALPN protocol as
 * a pointer into the config's list (the connection holds a reference to its config).
 */
#include <string.h>

#include "internal.h"
#include "mem.h"

const char conn_no_name[1] = "";

int conn_set_server_name(tlsm_conn *c, const uint8_t *name, size_t len)
{
    if (c->server_name != conn_no_name)
        mem_free(c->server_name);
    c->server_name = (char *)conn_no_name;
    if (!name)
        return 0;
    char *copy = mem_alloc(len + 1);
    if (!copy)
        return FAIL(R_NOMEM);
    memcpy(copy, name, len);
    copy[len] = 0;
    c->server_name = copy;
    return 0;
}

int conn_alpn_select(tlsm_conn *c, const uint8_t *name, size_t len)
{
    const uint8_t *list = c->cfg->alpn;
    for (size_t k = 0; k < c->cfg->alpn_len; k += 1 + (size_t)list[k]) {
        if (list[k] == len && !memcmp(list + k + 1, name, len)) {
            c->alpn = list + k + 1;
            c->alpn_len = len;
            return 1;
        }
    }
    return 0;
}

int tlsm_conn_error(const tlsm_conn *c) { return c ? c->error : TLSM_ERR_ARG; }
int tlsm_conn_verify_error(const tlsm_conn *c) { return c ? c->verify_error : 0; }
int tlsm_conn_handshake_done(const tlsm_conn *c) { return c && c->handshake_done; }
uint16_t tlsm_conn_version(const tlsm_conn *c) { return c && c->handshake_done ? c->version : 0; }
uint16_t tlsm_conn_suite(const tlsm_conn *c) { return c && c->handshake_done ? c->suite : 0; }
uint16_t tlsm_conn_group(const tlsm_conn *c) { return c && c->handshake_done ? c->group : 0; }
uint16_t tlsm_conn_peer_sigalg(const tlsm_conn *c) { return c ? c->peer_sigalg : 0; }
int tlsm_conn_resumed(const tlsm_conn *c) { return c && c->resumed; }
int tlsm_conn_hrr(const tlsm_conn *c) { return c && c->hrr; }

int tlsm_conn_error_detail(const tlsm_conn *c, tlsm_error_detail *d)
{
    if (!c || !d)
        return TLSM_ERR_ARG;
    memset(d, 0, sizeof *d);
    d->code = c->error;
    d->reason = reason_name(c->fail_reason);
    d->text = reason_text(c->fail_reason);
    d->file = c->fail_file;
    d->line = c->fail_line;
    d->alert_sent = c->error ? c->fail_alert : -1;
    return 0;
}

const uint8_t *tlsm_conn_alpn(const tlsm_conn *c, size_t *len)
{
    if (len)
        *len = c ? c->alpn_len : 0;
    return c && c->alpn_len ? c->alpn : NULL;
}

const char *tlsm_conn_server_name(const tlsm_conn *c)
{
    return c && c->server_name[0] ? c->server_name : NULL;
}

size_t tlsm_conn_peer_cert_count(const tlsm_conn *c) { return c ? c->peer_cert_n : 0; }

int tlsm_conn_identity(const tlsm_conn *c) { return c ? c->own_identity : -1; }

const uint8_t *tlsm_conn_session_id(const tlsm_conn *c, size_t *len)
{
    if (len)
        *len = c ? c->session_id_len : 0;
    return c && c->session_id_len ? c->session_id : NULL;
}

const uint8_t *tlsm_conn_ocsp_response(const tlsm_conn *c, size_t *len)
{
    if (len)
        *len = c && c->ocsp ? c->ocsp_len : 0;
    return c ? c->ocsp : NULL;
}

const uint8_t *tlsm_conn_peer_cert(const tlsm_conn *c, size_t index, size_t *len)
{
    if (len)
        *len = 0;
    if (!c || index >= c->peer_cert_n)
        return NULL;
    /* Each certificate is stored as a 3-byte length and its DER (handshake/auth.c). */
    const uint8_t *p = c->peer_chain;
    for (;;) {
        size_t n = (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
        if (index-- == 0) {
            if (len)
                *len = n;
            return p + 3;
        }
        p += 3 + n;
    }
}
