/*
 * reseal13.c - editing TLS 1.3 handshake messages inside protected records in flight,
 * under the sender's own handshake traffic key (see reseal13.h).
 */
#include "reseal13.h"

#include <criterion/criterion.h>
#include <string.h>

#include "handshake/handshake.h"

#define REC_APPDATA 23
#define REC_HANDSHAKE 22

/* s.7.3: the traffic key and iv of a handshake traffic secret, as the sender installed them. */
static void derive_cipher(reseal13 *r, const tlsm_conn *server, pair_dir dir)
{
    const struct hs_state *hs = server->hs;
    cr_assert_not_null(hs, "reseal13: the server's handshake state is gone");
    const uint8_t *secret = dir == PAIR_S2C ? hs->ks.s_hs : hs->ks.c_hs;
    uint8_t key[CRYPTO_AEAD_KEY_MAX], iv[CRYPTO_AEAD_NONCE_LEN];
    size_t key_len = crypto_aead_key_len(server->aead);
    cr_assert_eq(ks_expand_label(server->hash, secret, "key", NULL, 0, key, key_len), 0);
    cr_assert_eq(ks_expand_label(server->hash, secret, "iv", NULL, 0, iv, sizeof iv), 0);
    cr_assert_eq(record_cipher_init(&r->cipher, server->aead, key, iv), 0);
    crypto_wipe(key, sizeof key);
    crypto_wipe(iv, sizeof iv);
}

static size_t get24(const uint8_t *p)
{
    return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

/* Edits the target message if it lies whole in the plaintext; returns 1 when it did. The
 * plaintext buffer is rebuilt around the edited message. */
static int edit_plaintext(reseal13 *r, pair_buf *pt)
{
    size_t pos = r->skip < pt->len ? r->skip : pt->len;
    r->skip -= pos;
    while (pos + 4 <= pt->len) {
        size_t n = 4 + get24(pt->data + pos + 1);
        if (pos + n > pt->len) {
            r->skip = pos + n - pt->len;
            return 0;
        }
        if (pt->data[pos] == r->msg_type) {
            pair_buf msg = {0}, rebuilt = {0};
            pair_buf_set(&msg, pt->data + pos, n);
            r->edit(&msg, r->ctx);
            cr_assert_geq(msg.len, 4);
            size_t body = msg.len - 4;
            msg.data[1] = (uint8_t)(body >> 16);
            msg.data[2] = (uint8_t)(body >> 8);
            msg.data[3] = (uint8_t)body;
            pair_buf_append(&rebuilt, pt->data, pos);
            pair_buf_append(&rebuilt, msg.data, msg.len);
            pair_buf_append(&rebuilt, pt->data + pos + n, pt->len - pos - n);
            pair_buf_set(pt, rebuilt.data, rebuilt.len);
            pair_buf_free(&msg);
            pair_buf_free(&rebuilt);
            return 1;
        }
        pos += n;
    }
    cr_assert_eq(pos, pt->len, "reseal13: a handshake header split across records");
    return 0;
}

void reseal13_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)index;
    reseal13 *r = ctx;
    if (dir != r->dir || r->done || pair_record_type(rec) != REC_APPDATA)
        return;
    if (!r->started) {
        derive_cipher(r, p->side[PAIR_SERVER].conn, dir);
        r->started = 1;
    }
    /* Opened in a copy: the record goes on unchanged unless the message is in it. */
    record_cipher before = r->cipher;
    pair_buf copy = {0};
    pair_buf_set(&copy, rec->data, rec->len);
    uint8_t type = 0, *content = NULL;
    size_t content_len = 0;
    if (record_open(&r->cipher, copy.data, copy.len - 5, 16384, &type, &content,
                    &content_len) != 0) {
        /* Early data before the handshake records, or the handshake records are over. */
        r->done = r->opened;
        pair_buf_free(&copy);
        crypto_wipe(&before, sizeof before);
        return;
    }
    r->opened = 1;
    cr_assert_eq(type, REC_HANDSHAKE, "reseal13: a protected record of type %u", type);
    pair_buf pt = {0};
    pair_buf_set(&pt, content, content_len);
    if (edit_plaintext(r, &pt)) {
        uint8_t out[16384 + 5 + 256];
        size_t n = 0;
        cr_assert_eq(record_seal(&before, REC_HANDSHAKE, pt.data, pt.len, 0, out, sizeof out, &n),
                     0, "reseal13: sealing failed");
        pair_buf_set(rec, out, n);
        r->done = 1;
    }
    pair_buf_free(&pt);
    pair_buf_free(&copy);
    crypto_wipe(&before, sizeof before);
}

void reseal13_free(reseal13 *r)
{
    record_cipher_wipe(&r->cipher); /* frees the AEAD state record_cipher_init allocated */
}

void reseal13_flip_last(pair_buf *msg, void *ctx)
{
    (void)ctx;
    cr_assert_gt(msg->len, 4);
    msg->data[msg->len - 1] ^= 0x01;
}

void reseal13_append_byte(pair_buf *msg, void *ctx)
{
    (void)ctx;
    static const uint8_t zero = 0;
    pair_buf_append(msg, &zero, 1);
}
