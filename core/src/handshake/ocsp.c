/*
 * ocsp.c - OCSP stapling passed through (RFC 6066 s.8, RFC 8446 s.4.4.2.1), for both
 * versions: the client's status_request, the server's CertificateStatus (a TLS 1.2
 * message, or in TLS 1.3 the status_request extension of the leaf's CertificateEntry), and
 * keeping what the server stapled. tlsm neither fetches nor interprets OCSP responses: the
 * host configures them (tlsm_config_set_identity_ocsp) and reads them
 * (tlsm_conn_ocsp_response).
 */
#include "handshake/handshake.h"
#include "mem.h"

#include <string.h>

#define STATUS_TYPE_OCSP 1

void ocsp_put_request(wire_writer *w)
{
    /* struct { CertificateStatusType status_type = ocsp(1); ResponderID
     * responder_id_list<0..2^16-1>; Extensions request_extensions<0..2^16-1>; }: none. */
    wire_put_u16(w, EXT_STATUS_REQUEST);
    wire_put_u16(w, 5);
    wire_put_u8(w, STATUS_TYPE_OCSP);
    wire_put_u16(w, 0);
    wire_put_u16(w, 0);
}

int ocsp_parse_request(const ext_entry *e)
{
    wire_reader r, ids, exts;
    wire_init(&r, e->data, e->len);
    uint8_t type = wire_u8(&r);
    if (r.err)
        return FAIL(R_OCSP_REQUEST_DECODE);
    /* RFC 6066 s.8: other status types are not ours to answer; ignore them. */
    if (type != STATUS_TYPE_OCSP)
        return 0;
    wire_block(&r, 2, 0, 0xffff, &ids);
    wire_block(&r, 2, 0, 0xffff, &exts);
    if (wire_end(&r))
        return FAIL(R_OCSP_REQUEST_DECODE);
    return 1;
}

void ocsp_put_status(wire_writer *w, const tlsm_identity *id)
{
    /* struct { CertificateStatusType status_type; OCSPResponse response<1..2^24-1>; } */
    wire_put_u8(w, STATUS_TYPE_OCSP);
    wire_put_block(w, 3, id->ocsp, id->ocsp_len);
}

int ocsp_take_status(tlsm_conn *c, const uint8_t *p, size_t len)
{
    wire_reader r, resp;
    wire_init(&r, p, len);
    uint8_t type = wire_u8(&r);
    wire_block(&r, 3, 1, 0xffffff, &resp);
    /* We asked for OCSP only: another type is no answer to our request. */
    if (wire_end(&r) || type != STATUS_TYPE_OCSP)
        return FAIL(R_OCSP_RESPONSE_DECODE);
    uint8_t *copy = mem_alloc(resp.len);
    if (!copy)
        return FAIL(R_NOMEM);
    memcpy(copy, resp.p, resp.len);
    mem_free(c->ocsp);
    c->ocsp = copy;
    c->ocsp_len = resp.len;
    return 0;
}
