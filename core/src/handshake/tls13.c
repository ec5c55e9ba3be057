/*
 * tls13.c - the TLS 1.3 pieces both roles share (RFC 8446): the Certificate and
 * CertificateVerify messages, Finished, and the key schedule stages that install traffic
 * keys (s.7.1 - s.7.3). tls12.c is its TLS 1.2 counterpart.
 */
#include "handshake/handshake.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ Certificate */

int hs_send_certificate(tlsm_conn *c, const tlsm_identity *id)
{
    c->own_identity = id ? (int)(id - c->cfg->ids) : -1;
    wire_writer w;
    size_t cap = 64 + c->hs->peer.cr_context_len + (id ? 16 + id->ocsp_len : 0);
    for (size_t i = 0; id && i < id->n; i++)
        cap += id->der_len[i] + 5;
    int rc = hs_msg_begin(&w, HS_CERTIFICATE, cap);
    if (rc)
        return rc;
    /* s.4.4.2: the request context echoes the CertificateRequest's; "Otherwise (in the case
     * of server authentication), this field SHALL be zero length." */
    wire_put_block(&w, 1, c->hs->peer.cr_context, c->hs->peer.cr_context_len);
    size_t list = wire_open(&w, 3);
    /* s.4.4.2.1: a stapled OCSP response goes with the leaf when the client asked. */
    int staple = id && id->ocsp && c->role == TLSM_ROLE_SERVER && c->hs->hello.ocsp_requested;
    for (size_t i = 0; id && i < id->n; i++) {
        wire_put_block(&w, 3, id->der[i], id->der_len[i]);
        size_t exts = wire_open(&w, 2);
        if (i == 0 && staple) {
            wire_put_u16(&w, EXT_STATUS_REQUEST);
            size_t e = wire_open(&w, 2);
            ocsp_put_status(&w, id);
            wire_close(&w, e);
        }
        wire_close(&w, exts);
    }
    wire_close(&w, list);
    return hs_msg_send(c, &w);
}

static int certificate_extensions(tlsm_conn *c, const cert_msg *cm)
{
    int asked = c->role == TLSM_ROLE_CLIENT && c->cfg->ocsp_request;
    const uint8_t *der, *exts;
    size_t der_len, exts_len;
    for (size_t pos = 0, i = 0; cert_next_entry(cm, &pos, &der, &der_len, &exts, &exts_len); i++) {
        wire_reader r;
        ext_list l;
        wire_init(&r, exts - 2, exts_len + 2);
        int rc = ext_parse(&r, &l);
        ext_entry e;
        for (size_t at = 0; !rc && ext_next(&l, &at, &e);) {
            if (e.type != EXT_STATUS_REQUEST || !asked)
                return FAIL(R_CERT_EXT_UNSOLICITED);
            if (i == 0) /* the leaf's; others (intermediates) are not ours to keep */
                rc = ocsp_take_status(c, e.data, e.len);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int hs_recv_certificate(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    cert_msg cm;
    int rc = cert_decode(msg + HS_HEADER_LEN, len - HS_HEADER_LEN, &cm);
    if (rc)
        return rc;
    /* s.4.4.2: certificate_request_context: "If this message is in response to a
     * CertificateRequest, the value of certificate_request_context in that message.
     * Otherwise (in the case of server authentication), this field SHALL be zero length." */
    if (cm.context_len != hs->peer.cr_context_len ||
        (cm.context_len && memcmp(cm.context, hs->peer.cr_context, cm.context_len)))
        return FAIL(R_CERT_CONTEXT_MISMATCH);
    /* s.4.4.2: "Extensions in the Certificate message from the server MUST correspond to
     * ones from the ClientHello message. Extensions in the Certificate message from the
     * client MUST correspond with extensions in the CertificateRequest message from the
     * server." The only one we may ask for is status_request, of the server (s.4.4.2.1: an
     * OCSP response, kept for the leaf); anything else is unsupported_extension (s.4.2). */
    if (cm.has_extensions && (rc = certificate_extensions(c, &cm)))
        return rc;
    hs_transcript_add(c, msg, len);
    return hs_take_cert_list(c, &cm);
}

/* ------------------------------------------------------------------ CertificateVerify */

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


static int emit_certificate_verify13(tlsm_conn *c, const uint8_t *sig, size_t sig_len)
{
    int rc = hs_send_certificate_verify(c, sig, sig_len);
    return rc ? rc : c->hs->own.after(c);
}

int hs_sign_and_continue(tlsm_conn *c, int (*after_sign)(tlsm_conn *c))
{
    uint8_t tbs[HS_TBS_MAX];
    size_t n = build_tbs13(c, c->role == TLSM_ROLE_SERVER, tbs);
    int rc = hs_set_tbs(c, tbs, n);
    if (rc)
        return rc;
    c->hs->own.after = after_sign;
    return hs_sign(c, emit_certificate_verify13);
}

int hs_recv_certificate_verify(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    wire_reader r, sig;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    uint16_t scheme = wire_u16(&r);
    wire_block(&r, 2, 1, 0xffff, &sig);
    if (wire_end(&r))
        return FAIL(R_CV_DECODE);
    uint8_t tbs[HS_TBS_MAX];
    size_t tbs_len = build_tbs13(c, c->role == TLSM_ROLE_CLIENT, tbs);
    int rc = hs_check_signature(c, scheme, tbs, tbs_len, sig.p, sig.len);
    if (rc)
        return rc;
    hs_transcript_add(c, msg, len);
    return 0;
}

/* ------------------------------------------------------------------ Finished, keys */

int hs_send_finished(tlsm_conn *c, const uint8_t *base_secret)
{
    uint8_t thash[CRYPTO_HASH_MAX], verify[CRYPTO_HASH_MAX];
    transcript_hash(&c->hs->tr, thash);
    if (ks_finished(c->hash, base_secret, thash, verify))
        return FAIL(R_KEY_SCHEDULE);
    wire_writer w;
    int rc = hs_msg_begin(&w, HS_FINISHED, HS_HEADER_LEN + c->hash_len);
    if (rc)
        return rc;
    wire_put_bytes(&w, verify, c->hash_len);
    return hs_msg_send(c, &w);
}

int hs_recv_finished(tlsm_conn *c, const uint8_t *msg, size_t len, const uint8_t *base_secret)
{
    uint8_t thash[CRYPTO_HASH_MAX], verify[CRYPTO_HASH_MAX];
    if (len != HS_HEADER_LEN + c->hash_len)
        return FAIL(R_FINISHED_DECODE);
    transcript_hash(&c->hs->tr, thash);
    if (ks_finished(c->hash, base_secret, thash, verify))
        return FAIL(R_KEY_SCHEDULE);
    /* s.4.4.4: "Recipients of Finished messages MUST verify that the contents are correct
     * and if incorrect MUST terminate the connection with a "decrypt_error" alert."
     * Compared in constant time. */
    int ok = crypto_ct_equal(verify, msg + HS_HEADER_LEN, c->hash_len);
    crypto_wipe(verify, sizeof verify);
    if (!ok)
        return FAIL(R_FINISHED_MISMATCH);
    hs_transcript_add(c, msg, len);
    return 0;
}

int hs_install_secret(tlsm_conn *c, int is_write, const uint8_t *secret)
{
    uint8_t key[CRYPTO_AEAD_KEY_MAX], iv[CRYPTO_AEAD_NONCE_LEN];
    size_t key_len = crypto_aead_key_len(c->aead);
    /* s.7.3: [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length),
     * [sender]_write_iv = HKDF-Expand-Label(Secret, "iv", "", iv_length). */
    int rc = ks_expand_label(c->hash, secret, "key", NULL, 0, key, key_len) ||
                     ks_expand_label(c->hash, secret, "iv", NULL, 0, iv, sizeof iv)
                 ? FAIL(R_KEY_SCHEDULE)
                 : rec_set_cipher13(&c->rec, is_write, c->aead, key, iv);
    crypto_wipe(key, sizeof key);
    crypto_wipe(iv, sizeof iv);
    if (rc)
        return rc;
    uint8_t *keep = is_write ? c->wr_secret : c->rd_secret;
    if (keep != secret)
        memcpy(keep, secret, c->hash_len);
    return 0;
}

int hs_derive_handshake(tlsm_conn *c, const uint8_t *shared, size_t shared_len)
{
    struct hs_state *hs = c->hs;
    uint8_t thash[CRYPTO_HASH_MAX];
    /* s.7.1: Early Secret (from the PSK, or zeros), then Handshake Secret from the (EC)DHE
     * secret; traffic secrets over ClientHello..ServerHello; Master Secret. */
    if (!hs->psk.accepted)
        ks_early_secret(c->hash, NULL, 0, hs->ks.early);
    int rc = ks_next_stage(c->hash, hs->ks.early, shared, shared_len, hs->ks.hs_secret);
    transcript_hash(&hs->tr, thash);
    if (rc || ks_derive(c->hash, hs->ks.hs_secret, "c hs traffic", thash, hs->ks.c_hs) ||
        ks_derive(c->hash, hs->ks.hs_secret, "s hs traffic", thash, hs->ks.s_hs) ||
        ks_next_stage(c->hash, hs->ks.hs_secret, NULL, 0, hs->ks.master))
        return FAIL(R_KEY_SCHEDULE);
    conn_keylog(c, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", hs->hello.client_random, hs->ks.c_hs, c->hash_len);
    conn_keylog(c, "SERVER_HANDSHAKE_TRAFFIC_SECRET", hs->hello.client_random, hs->ks.s_hs, c->hash_len);
    int server = c->role == TLSM_ROLE_SERVER;
    if ((rc = hs_install_secret(c, 0, server ? hs->ks.c_hs : hs->ks.s_hs)) ||
        (rc = hs_install_secret(c, 1, server ? hs->ks.s_hs : hs->ks.c_hs)))
        return rc;
    return 0;
}

int hs_derive_application(tlsm_conn *c, uint8_t *s_ap)
{
    uint8_t thash[CRYPTO_HASH_MAX];
    transcript_hash(&c->hs->tr, thash);
    if (ks_derive(c->hash, c->hs->ks.master, "c ap traffic", thash, c->hs->ks.c_ap) ||
        ks_derive(c->hash, c->hs->ks.master, "s ap traffic", thash, s_ap) ||
        ks_derive(c->hash, c->hs->ks.master, "exp master", thash, c->exporter_secret))
        return FAIL(R_KEY_SCHEDULE);
    conn_keylog(c, "CLIENT_TRAFFIC_SECRET_0", c->hs->hello.client_random, c->hs->ks.c_ap, c->hash_len);
    conn_keylog(c, "SERVER_TRAFFIC_SECRET_0", c->hs->hello.client_random, s_ap, c->hash_len);
    conn_keylog(c, "EXPORTER_SECRET", c->hs->hello.client_random, c->exporter_secret, c->hash_len);
    return 0;
}

int hs_derive_resumption(tlsm_conn *c)
{
    uint8_t thash[CRYPTO_HASH_MAX];
    transcript_hash(&c->hs->tr, thash);
    if (ks_derive(c->hash, c->hs->ks.master, "res master", thash, c->resumption_secret))
        return FAIL(R_KEY_SCHEDULE);
    return 0;
}

