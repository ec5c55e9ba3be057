/*
 * hello_edit.c - rewriting hellos in flight (hello_edit.h).
 */
#include "hello_edit.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAGMENT 16384
#define EXT_PADDING 21
#define HS_SERVER_HELLO 2

size_t hello_get16(const uint8_t *p) { return (size_t)p[0] << 8 | p[1]; }
size_t hello_get24(const uint8_t *p) { return (size_t)p[0] << 16 | hello_get16(p + 1); }

void hello_put16(pair_buf *b, size_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    pair_buf_append(b, x, 2);
}

void ch_split(const pair_buf *rec, ch_parts *ch)
{
    memset(ch, 0, sizeof *ch);
    cr_assert(rec->len > 9 && rec->data[0] == 22 && rec->data[5] == 1, "not a ClientHello");
    const uint8_t *b = rec->data + 9, *end = b + hello_get24(rec->data + 6);
    cr_assert(end == rec->data + rec->len, "the ClientHello is not one whole record");
    size_t head = 2 + 32 + 1 + b[34];
    pair_buf_set(&ch->head, b, head);
    b += head;
    pair_buf_set(&ch->suites, b + 2, hello_get16(b));
    b += 2 + hello_get16(b);
    pair_buf_set(&ch->comp, b + 1, b[0]);
    b += 1 + b[0];
    const uint8_t *e = b + 2;
    cr_assert_eq(e + hello_get16(b), end);
    while (e < end) {
        cr_assert_lt(ch->n_ext, HELLO_EDIT_EXTS);
        ch->ext_type[ch->n_ext] = (uint16_t)hello_get16(e);
        pair_buf_set(&ch->ext[ch->n_ext++], e + 4, hello_get16(e + 2));
        e += 4 + hello_get16(e + 2);
    }
}

pair_buf *ch_ext(ch_parts *ch, uint16_t type)
{
    pair_buf *e = ch_find_ext(ch, type);
    cr_assert_not_null(e, "the client sent no extension %u", type);
    return e;
}

void ch_free(ch_parts *ch)
{
    pair_buf_free(&ch->head);
    pair_buf_free(&ch->suites);
    pair_buf_free(&ch->comp);
    for (size_t i = 0; i < ch->n_ext; i++)
        pair_buf_free(&ch->ext[i]);
}

void ch_join(const ch_parts *ch, const ch_extra *x, pair_buf *out)
{
    size_t exts = x->front.len;
    for (size_t i = 0; i < ch->n_ext; i++)
        exts += 4 + ch->ext[i].len;
    size_t body = ch->head.len + 2 + ch->suites.len + 1 + ch->comp.len + 2 + exts;
    size_t pad = 0;
    if (x->pad_to) {
        cr_assert_geq(x->pad_to, body + 4, "the hello is already %zu bytes", body);
        pad = x->pad_to - body - 4;
        exts += 4 + pad;
        body = x->pad_to;
    }
    cr_assert_leq(exts, 0xffff);
    pair_buf msg = {0};
    uint8_t hdr[4] = {1, (uint8_t)(body >> 16), (uint8_t)(body >> 8), (uint8_t)body};
    pair_buf_append(&msg, hdr, 4);
    pair_buf_append(&msg, ch->head.data, ch->head.len);
    hello_put16(&msg, ch->suites.len);
    pair_buf_append(&msg, ch->suites.data, ch->suites.len);
    uint8_t n_comp = (uint8_t)ch->comp.len;
    pair_buf_append(&msg, &n_comp, 1);
    pair_buf_append(&msg, ch->comp.data, ch->comp.len);
    hello_put16(&msg, exts);
    if (x->pad_to) {
        hello_put16(&msg, EXT_PADDING);
        hello_put16(&msg, pad);
        uint8_t *zeros = calloc(1, pad + 1);
        cr_assert_not_null(zeros);
        pair_buf_append(&msg, zeros, pad);
        free(zeros);
    }
    pair_buf_append(&msg, x->front.data, x->front.len);
    for (size_t i = 0; i < ch->n_ext; i++) {
        hello_put16(&msg, ch->ext_type[i]);
        hello_put16(&msg, ch->ext[i].len);
        pair_buf_append(&msg, ch->ext[i].data, ch->ext[i].len);
    }
    cr_assert_eq(msg.len, 4 + body);
    out->len = 0;
    for (size_t off = 0; off < msg.len; off += MAX_FRAGMENT) {
        size_t n = msg.len - off < MAX_FRAGMENT ? msg.len - off : MAX_FRAGMENT;
        pair_buf rec = {0};
        pair_make_record(&rec, 22, 0x0301, msg.data + off, n);
        pair_buf_append(out, rec.data, rec.len);
        pair_buf_free(&rec);
    }
    pair_buf_free(&msg);
}

pair_buf *ch_find_ext(ch_parts *ch, uint16_t type)
{
    for (size_t i = 0; i < ch->n_ext; i++)
        if (ch->ext_type[i] == type)
            return &ch->ext[i];
    return NULL;
}

void ch_add_ext(ch_parts *ch, uint16_t type, const void *data, size_t len)
{
    cr_assert_lt(ch->n_ext, HELLO_EDIT_EXTS);
    ch->ext_type[ch->n_ext] = type;
    pair_buf_set(&ch->ext[ch->n_ext++], data, len);
}

/* Removes entry i of parallel type/data arrays of n entries. */
static void remove_at(uint16_t *types, pair_buf *data, size_t *n, size_t i)
{
    pair_buf_free(&data[i]);
    memmove(&types[i], &types[i + 1], (*n - i - 1) * sizeof *types);
    memmove(&data[i], &data[i + 1], (*n - i - 1) * sizeof *data);
    (*n)--;
    memset(&data[*n], 0, sizeof data[*n]);
}

void ch_remove_ext(ch_parts *ch, uint16_t type)
{
    for (size_t i = ch->n_ext; i-- > 0;)
        if (ch->ext_type[i] == type)
            remove_at(ch->ext_type, ch->ext, &ch->n_ext, i);
}

/* ---------------------------------------------------------------- ServerHello */

int sh_is(const pair_buf *rec)
{
    return rec->len > 9 && rec->data[0] == 22 && rec->data[5] == HS_SERVER_HELLO;
}

void sh_split(const pair_buf *rec, sh_parts *sh)
{
    memset(sh, 0, sizeof *sh);
    cr_assert(sh_is(rec), "not a ServerHello");
    const uint8_t *b = rec->data + 9, *end = b + hello_get24(rec->data + 6);
    cr_assert(end <= rec->data + rec->len, "the ServerHello is cut by the record end");
    size_t head = 2 + 32 + 1 + b[34];
    pair_buf_set(&sh->head, b, head);
    b += head;
    sh->suite = (uint16_t)hello_get16(b);
    sh->comp = b[2];
    b += 3;
    const uint8_t *e = b + 2;
    cr_assert_eq(e + hello_get16(b), end);
    while (e < end) {
        cr_assert_lt(sh->n_ext, HELLO_EDIT_EXTS);
        sh->ext_type[sh->n_ext] = (uint16_t)hello_get16(e);
        pair_buf_set(&sh->ext[sh->n_ext++], e + 4, hello_get16(e + 2));
        e += 4 + hello_get16(e + 2);
    }
    pair_buf_set(&sh->rest, end, (size_t)(rec->data + rec->len - end));
}

pair_buf *sh_ext(sh_parts *sh, uint16_t type)
{
    for (size_t i = 0; i < sh->n_ext; i++)
        if (sh->ext_type[i] == type)
            return &sh->ext[i];
    return NULL;
}

void sh_add_ext(sh_parts *sh, uint16_t type, const void *data, size_t len)
{
    cr_assert_lt(sh->n_ext, HELLO_EDIT_EXTS);
    sh->ext_type[sh->n_ext] = type;
    pair_buf_set(&sh->ext[sh->n_ext++], data, len);
}

void sh_remove_ext(sh_parts *sh, uint16_t type)
{
    for (size_t i = sh->n_ext; i-- > 0;)
        if (sh->ext_type[i] == type)
            remove_at(sh->ext_type, sh->ext, &sh->n_ext, i);
}

void sh_free(sh_parts *sh)
{
    pair_buf_free(&sh->head);
    for (size_t i = 0; i < sh->n_ext; i++)
        pair_buf_free(&sh->ext[i]);
    pair_buf_free(&sh->rest);
}

void sh_join(const sh_parts *sh, pair_buf *rec)
{
    uint16_t version = (uint16_t)hello_get16(rec->data + 1);
    size_t exts = 0;
    for (size_t i = 0; i < sh->n_ext; i++)
        exts += 4 + sh->ext[i].len;
    size_t body = sh->head.len + 3 + 2 + exts;
    pair_buf msg = {0};
    uint8_t hdr[4] = {HS_SERVER_HELLO, (uint8_t)(body >> 16), (uint8_t)(body >> 8), (uint8_t)body};
    pair_buf_append(&msg, hdr, 4);
    pair_buf_append(&msg, sh->head.data, sh->head.len);
    hello_put16(&msg, sh->suite);
    pair_buf_append(&msg, &sh->comp, 1);
    hello_put16(&msg, exts);
    for (size_t i = 0; i < sh->n_ext; i++) {
        hello_put16(&msg, sh->ext_type[i]);
        hello_put16(&msg, sh->ext[i].len);
        pair_buf_append(&msg, sh->ext[i].data, sh->ext[i].len);
    }
    pair_buf_append(&msg, sh->rest.data, sh->rest.len);
    cr_assert_leq(msg.len, MAX_FRAGMENT, "the edited record is too long");
    pair_make_record(rec, 22, version, msg.data, msg.len);
    pair_buf_free(&msg);
}

/* ---------------------------------------------------------------- the first ClientHello */

static void edit_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *vctx)
{
    (void)p;
    hello_edit *e = vctx;
    if (dir == PAIR_C2S && index == 0) {
        ch_parts ch;
        ch_extra x = {0};
        ch_split(rec, &ch);
        e->edit(&ch, &x);
        ch_join(&ch, &x, rec);
        e->body = hello_get24(rec->data + 6); /* the first record's handshake header */
        ch_free(&ch);
        pair_buf_free(&x.front);
    } else if (dir == PAIR_S2C && pair_record_type(rec) == 22) {
        pair_buf_append(&e->s2c, rec->data + 5, pair_record_body_len(rec));
    }
}

void hello_edit_run(pair *p, hello_edit *e, ch_edit_fn edit)
{
    memset(e, 0, sizeof *e);
    e->edit = edit;
    p->hook = edit_hook;
    p->hook_ctx = e;
    (void)pair_handshake(p);
}

const uint8_t *hello_server_msg(const hello_edit *e, uint8_t type, size_t *len)
{
    for (size_t off = 0; off + 4 <= e->s2c.len;) {
        size_t n = hello_get24(e->s2c.data + off + 1);
        if (off + 4 + n > e->s2c.len)
            break;
        if (e->s2c.data[off] == type) {
            *len = n;
            return e->s2c.data + off + 4;
        }
        off += 4 + n;
    }
    return NULL;
}

const uint8_t *hello_sh_ext(const hello_edit *e, uint16_t type, size_t *len)
{
    size_t n = 0;
    const uint8_t *b = hello_server_msg(e, HS_SERVER_HELLO, &n);
    cr_assert_not_null(b, "the server sent no ServerHello");
    const uint8_t *end = b + n;
    b += 2 + 32;
    b += 1 + b[0] + 2 + 1;
    for (const uint8_t *x = b + 2; x + 4 <= end; x += 4 + hello_get16(x + 2))
        if (hello_get16(x) == type) {
            *len = hello_get16(x + 2);
            return x + 4;
        }
    return NULL;
}

void hello_edit_free(hello_edit *e)
{
    pair_buf_free(&e->s2c);
}
