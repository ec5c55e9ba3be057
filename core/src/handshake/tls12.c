/*
 * tls12.c - pieces of the TLS 1.2 handshake that both roles share (RFC 5246): the 1.2
 * Certificate message, the master secret (with RFC 7627 Extended Master Secret) and key
 * installation, ChangeCipherSpec + Finished, and keeping the session for resumption.
 */
#include "handshake/handshake.h"
#include "handshake/prf12.h"

#include <stdlib.h>
#include <string.h>

const uint8_t TLS12_DOWNGRADE_SENTINEL[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};

int tls12_send_certificate(tlsm_conn *c, const tlsm_identity *id)
{
    c->own_identity = id ? (int)(id - c->cfg->ids) : -1;
    wire_writer w;
    size_t cap = 64;
    for (size_t i = 0; id && i < id->n; i++)
        cap += id->der_len[i] + 3;
    int rc = hs_msg_begin(&w, HS_CERTIFICATE, cap);
    if (rc)
        return rc;
    /* s.7.4.2: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>, sender's first. */
    size_t list = wire_open(&w, 3);
    for (size_t i = 0; id && i < id->n; i++)
        wire_put_block(&w, 3, id->der[i], id->der_len[i]);
    wire_close(&w, list);
    return hs_msg_send(c, &w);
}

int tls12_recv_certificate(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    /* s.7.4.2: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>, read whole. */
    wire_reader r, list;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    wire_block(&r, 3, 0, 0xffffff, &list);
    if (wire_end(&r))
        return FAIL(R_CERT_MSG_DECODE);
    cert_msg cm = {NULL, 0, list.p, list.len, 0, 0, 1};
    while (wire_left(&list) > 0) {
        wire_reader cert;
        wire_block(&list, 3, 1, 0xffffff, &cert);
        if (list.err)
            return FAIL(R_CERT_MSG_DECODE);
        cm.n++;
    }
    hs_transcript_add(c, msg, len);
    return hs_take_cert_list(c, &cm);
}

int tls12_derive_master(tlsm_conn *c, const uint8_t *pms, size_t pms_len)
{
    struct hs_state *hs = c->hs;
    int rc;
    if (hs->t12.ems) {
        /* RFC 7627 s.3: session_hash covers the messages up to and including the
         * ClientKeyExchange (the caller has just added it). */
        uint8_t session_hash[CRYPTO_HASH_MAX];
        transcript_hash(&hs->tr, session_hash);
        rc = prf12_master_ems(c->hash, pms, pms_len, session_hash, hs->ks.master);
    } else {
        rc = prf12_master(c->hash, pms, pms_len, hs->hello.client_random, hs->hello.server_random,
                          hs->ks.master);
    }
    return rc ? FAIL(R_KEY_SCHEDULE) : 0;
}

int tls12_install_keys(tlsm_conn *c, int is_write)
{
    struct hs_state *hs = c->hs;
    uint8_t ck[32], sk[32], civ[12], siv[12];
    size_t key_len = crypto_aead_key_len(c->aead);
    /* RFC 5288 s.3: 4-byte implicit salt for GCM; RFC 7905 s.2: 12-byte IV for ChaCha. */
    size_t iv_len = c->aead == AEAD_CHACHA20_POLY1305 ? 12 : 4;
    if (prf12_keys(c->hash, hs->ks.master, hs->hello.client_random, hs->hello.server_random, key_len, iv_len,
                   ck, sk, civ, siv))
        return FAIL(R_KEY_SCHEDULE);
    if (!c->keylog12_done) {
        c->keylog12_done = 1;
        conn_keylog(c, "CLIENT_RANDOM", hs->hello.client_random, hs->ks.master, TLS12_MASTER_LEN);
    }
    int mine_is_client = c->role == TLSM_ROLE_CLIENT;
    int use_client = is_write ? mine_is_client : !mine_is_client;
    int rc = rec_set_cipher12(&c->rec, is_write, c->aead, use_client ? ck : sk, use_client ? civ : siv);
    crypto_wipe(ck, sizeof ck);
    crypto_wipe(sk, sizeof sk);
    crypto_wipe(civ, sizeof civ);
    crypto_wipe(siv, sizeof siv);
    return rc;
}

int tls12_send_ccs_finished(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    int rc = hs_send_ccs(c);
    if (!rc)
        rc = tls12_install_keys(c, 1);
    if (rc)
        return rc;
    uint8_t thash[CRYPTO_HASH_MAX], verify[TLS12_VERIFY_LEN];
    transcript_hash(&hs->tr, thash);
    if (prf12_finished(c->hash, hs->ks.master, c->role == TLSM_ROLE_SERVER, thash, verify))
        return FAIL(R_KEY_SCHEDULE);
    wire_writer w;
    rc = hs_msg_begin(&w, HS_FINISHED, HS_HEADER_LEN + TLS12_VERIFY_LEN);
    if (rc)
        return rc;
    wire_put_bytes(&w, verify, sizeof verify);
    return hs_msg_send(c, &w);
}

int tls12_recv_finished(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    uint8_t thash[CRYPTO_HASH_MAX], verify[TLS12_VERIFY_LEN];
    if (len != HS_HEADER_LEN + TLS12_VERIFY_LEN)
        return FAIL(R_FINISHED_DECODE);
    transcript_hash(&hs->tr, thash);
    if (prf12_finished(c->hash, hs->ks.master, c->role == TLSM_ROLE_CLIENT, thash, verify))
        return FAIL(R_KEY_SCHEDULE);
    /* s.7.4.9: "Recipients of Finished messages MUST verify that the contents are correct."
     * A wrong verify_data is decrypt_error; compared in constant time. */
    int ok = crypto_ct_equal(verify, msg + HS_HEADER_LEN, TLS12_VERIFY_LEN);
    crypto_wipe(verify, sizeof verify);
    if (!ok)
        return FAIL(R_FINISHED_MISMATCH);
    hs_transcript_add(c, msg, len);
    return 0;
}

int hs12_on_ccs(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    struct hs_state *hs = c->hs;
    /* s.7.1: "The message consists of a single byte of value 1." (Where it may come -
     * exactly once, right before the peer's Finished - is the driver's table.) */
    if (len != 1 || msg[0] != 1)
        return FAIL(R_CCS_MALFORMED);
    /* RFC 5077 s.3.3: a NewSessionTicket announced in the ServerHello comes first. */
    if (hs->state == HS_C12_WAIT_NST_CCS && hs->t12.ticket_expected)
        return FAIL(R_CCS_BEFORE_TICKET);
    conn_trace(c, TLSM_EV_MESSAGE_RECEIVED, REC_CHANGE_CIPHER_SPEC, 1, 0);
    int rc = tls12_install_keys(c, 0);
    if (rc)
        return rc;
    hs->state = c->role == TLSM_ROLE_CLIENT ? HS_C12_WAIT_FINISHED : HS_S12_WAIT_FINISHED;
    return 0;
}

void tls12_keep_session(tlsm_conn *c)
{
    struct hs_state *hs = c->hs;
    memcpy(c->master12, hs->ks.master, sizeof c->master12);
    memcpy(c->randoms, hs->hello.client_random, HS_RANDOM_LEN);
    memcpy(c->randoms + HS_RANDOM_LEN, hs->hello.server_random, HS_RANDOM_LEN);
    c->ems = hs->t12.ems;
    memcpy(c->session_id, hs->hello.sid, hs->hello.sid_len);
    c->session_id_len = hs->hello.sid_len;
}

int tls12_kex_shared(uint16_t group, const uint8_t *priv, const uint8_t *peer, size_t peer_len,
                     uint8_t *out, size_t *out_len)
{
    /* RFC 5246 s.8.1.2: leading zero bytes of a finite-field Z are stripped, and peers may
     * send Y without its leading zeros; the crypto layer's TLS 1.2 variant does both. */
    return crypto_kex_shared_tls12(group, priv, peer, peer_len, out, out_len);
}
