/*
 * records.c - how the testing kit labels each record a side sends, from what a host can
 * see: plaintext records are decoded (handshake messages, hellos, ChangeCipherSpec,
 * alerts); a protected record carries the handshake messages its sender reported with
 * TLSM_EV_MESSAGE_SENT during the same call, up to the message after which the sender's
 * keys change (Finished in the TLS 1.3 handshake epoch, KeyUpdate), else it is application
 * data, or the alert of an error the sender just had. The sender's key epoch follows the
 * same messages.
 */
#include <stdio.h>
#include <string.h>

#include "testkit/testkit.h"

#define HS_FINISHED 20
#define HS_KEY_UPDATE 24
#define HS_SERVER_HELLO 2

kit_record *kit_record_new(tlsm_pair *p, int dir)
{
    if (p->n_records == p->cap_records) {
        size_t cap = p->cap_records ? 2 * p->cap_records : 64;
        kit_record *r = realloc(p->records, cap * sizeof *r);
        if (!r) {
            p->failed = 1;
            return NULL;
        }
        p->records = r;
        p->cap_records = cap;
    }
    kit_record *r = &p->records[p->n_records++];
    memset(r, 0, sizeof *r);
    r->dir = (uint8_t)dir;
    r->index = p->n_dir_records[dir]++;
    r->alert = -1;
    return r;
}

/* Takes the first pending MESSAGE_SENT of that type (1 if there was one). */
static int take_pending(kit_side *s, uint16_t type)
{
    for (size_t i = 0; i < s->n_pending; i++) {
        if (s->pending_sent[i] != type)
            continue;
        memmove(s->pending_sent + i, s->pending_sent + i + 1,
                (s->n_pending - i - 1) * sizeof *s->pending_sent);
        s->n_pending--;
        return 1;
    }
    return 0;
}

static void add_msg(kit_record *r, uint16_t type)
{
    if (r->n_msgs < KIT_MSGS_MAX)
        r->msgs[r->n_msgs++] = type;
}

static void note_alert(kit_side *s, kit_record *r, int level, int desc)
{
    add_msg(r, KIT_MSG_ALERT);
    r->alert_level = level;
    r->alert = desc;
    if (level == 2 && s->alert_sent < 0)
        s->alert_sent = desc;
}

/* The alert tlsm sends for its own error (see conn_fail): the alert of a local-alert
 * error, internal_error for other local failures, none for peer alerts and truncation. */
static int alert_of_error(int code)
{
    if (TLSM_ERR_IS_LOCAL_ALERT(code))
        return TLSM_ERR_ALERT(code);
    if (code == 0 || TLSM_ERR_IS_PEER_ALERT(code) || code == TLSM_ERR_TRUNCATED ||
        code == TLSM_ERR_NO_SERVER_NAME)
        return -1;
    return TLSM_ALERT_INTERNAL_ERROR;
}

static void label_handshake(tlsm_pair *p, kit_side *s, kit_record *r, const uint8_t *rec,
                            size_t len)
{
    size_t off = 5, end = len;
    if (s->hs_skip) {
        size_t n = s->hs_skip < end - off ? s->hs_skip : end - off;
        off += n;
        s->hs_skip -= n;
    }
    while (off + 4 <= end) {
        uint8_t type = rec[off];
        size_t n = 4 + ((size_t)rec[off + 1] << 16 | (size_t)rec[off + 2] << 8 | rec[off + 3]);
        if (r->n_msgs == 0 && (type == 1 || type == HS_SERVER_HELLO))
            kit_hello_decode(rec + off, end - off, &r->hello);
        if (type == HS_SERVER_HELLO && r->hello.present && !r->hello.hrr) {
            p->version = r->hello.n_versions ? r->hello.versions[0] : r->hello.legacy_version;
            p->suite = r->hello.suites[0];
        }
        add_msg(r, type);
        take_pending(s, type);
        if (off + n > end) {
            s->hs_skip = off + n - end;
            break;
        }
        off += n;
    }
}

/* Bytes of content in a protected record. */
static size_t inner_len(const tlsm_pair *p, size_t len)
{
    size_t overhead = 5 + 16; /* header, AEAD tag */
    if (p->version == TLSM_TLS12) {
        /* RFC 5288: an 8-byte explicit nonce for AES-GCM; none for ChaCha20 (RFC 7905). */
        if (p->suite >> 8 != 0xcc)
            overhead += 8;
    } else {
        overhead += 1; /* the inner content type */
    }
    return len > overhead ? len - overhead : 0;
}

static void label_protected(tlsm_pair *p, kit_side *s, kit_record *r, size_t len,
                            kit_origin origin, int last)
{
    int tls12 = p->version == TLSM_TLS12;
    if (s->epoch == KIT_EPOCH_PLAIN)
        s->epoch = tls12 ? KIT_EPOCH_APP0 : KIT_EPOCH_HANDSHAKE;
    r->epoch = s->epoch;
    if (origin == KIT_FROM_CLOSE) {
        note_alert(s, r, 1, TLSM_ALERT_CLOSE_NOTIFY);
        return;
    }
    int alert = last && s->new_error ? alert_of_error(tlsm_conn_error(s->conn)) : -1;
    /* TLS 1.2 shows the content type; in TLS 1.3 handshake messages the sender reported
     * come first (a KeyUpdate before data written in the same call). */
    int data = tls12 ? r->type == 23 : s->n_pending == 0 && (origin == KIT_FROM_WRITE || alert < 0);
    if (data) {
        add_msg(r, KIT_MSG_APPDATA);
        r->app_len = inner_len(p, len);
        return;
    }
    if ((tls12 && r->type == 21) || (!tls12 && s->n_pending == 0)) {
        if (alert >= 0)
            note_alert(s, r, 2, alert);
        else
            add_msg(r, KIT_MSG_ALERT); /* protected, and not from an error we saw */
        return;
    }
    /* The messages of one flush: up to the one after which the write keys change. */
    size_t i = 0;
    int next_epoch = s->epoch;
    while (i < s->n_pending) {
        uint16_t type = s->pending_sent[i++];
        add_msg(r, type);
        if (!tls12 && type == HS_FINISHED && s->epoch == KIT_EPOCH_HANDSHAKE) {
            next_epoch = KIT_EPOCH_APP0;
            break;
        }
        if (!tls12 && type == HS_KEY_UPDATE) {
            next_epoch = s->epoch + 1;
            break;
        }
    }
    memmove(s->pending_sent, s->pending_sent + i, (s->n_pending - i) * sizeof *s->pending_sent);
    s->n_pending -= i;
    s->epoch = next_epoch;
}

void kit_label(tlsm_pair *p, int who, kit_record *r, const uint8_t *rec, size_t len,
               kit_origin origin, int last)
{
    kit_side *s = &p->side[who];
    r->type = len ? rec[0] : 0;
    r->encrypted = r->type == 23 || (p->version == TLSM_TLS12 && s->sent_ccs);
    if (r->encrypted) {
        label_protected(p, s, r, len, origin, last);
        return;
    }
    r->epoch = KIT_EPOCH_PLAIN;
    switch (r->type) {
    case 22:
        label_handshake(p, s, r, rec, len);
        break;
    case 20:
        add_msg(r, KIT_MSG_CCS);
        take_pending(s, KIT_MSG_CCS);
        if (p->version == TLSM_TLS12) {
            s->sent_ccs = 1;
            s->epoch = KIT_EPOCH_APP0;
        }
        break;
    case 21:
        if (len == 7) {
            /* s.6: in TLS 1.3 every alert but close_notify and user_canceled is fatal. */
            int fatal = rec[5] == 2 || (p->version != TLSM_TLS12 && rec[6] != 0 && rec[6] != 90);
            note_alert(s, r, fatal ? 2 : 1, rec[6]);
        }
        break;
    default:
        break;
    }
}

const char *kit_epoch_name(int epoch, char *buf, size_t cap)
{
    if (epoch == KIT_EPOCH_PLAIN)
        return "plaintext";
    if (epoch == KIT_EPOCH_HANDSHAKE)
        return "handshake";
    snprintf(buf, cap, "application %d", epoch - KIT_EPOCH_APP0);
    return buf;
}

const char *kit_type_name(uint8_t type)
{
    switch (type) {
    case 20: return "change_cipher_spec";
    case 21: return "alert";
    case 22: return "handshake";
    case 23: return "application_data";
    }
    return "unknown";
}

size_t *kit_sent_order(const tlsm_pair *p, size_t *n)
{
    /* Each direction sends its records in capture order with steps that never decrease,
     * and one step moves one direction: merging the two by step gives the wire order. */
    *n = 0;
    for (size_t i = 0; i < p->n_records; i++)
        *n += p->records[i].step != 0;
    if (*n == 0)
        return NULL;
    size_t *order = malloc(*n * sizeof *order);
    if (!order)
        return NULL;
    size_t next[2] = {0, 0}, k = 0;
    for (;;) {
        for (int d = 0; d < 2; d++)
            while (next[d] < p->n_records &&
                   (p->records[next[d]].dir != d || p->records[next[d]].step == 0))
                next[d]++;
        int have0 = next[0] < p->n_records, have1 = next[1] < p->n_records;
        if (!have0 && !have1)
            break;
        int d = !have1 || (have0 && p->records[next[0]].step <= p->records[next[1]].step) ? 0 : 1;
        order[k++] = next[d]++;
    }
    *n = k;
    return order;
}
