/*
 * hs_codec.c - decoders for extension blocks, ClientHello, ServerHello/HRR and
 * Certificate (RFC 8446 s.4.1.2, s.4.1.3, s.4.2, s.4.4.2). Every length goes through the
 * bounded cursor; anything that does not parse exactly is decode_error.
 */
#include "wire/hs_codec.h"

#include "reason.h"

const uint8_t HS_HRR_RANDOM[HS_RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};


int ext_parse(wire_reader *r, ext_list *out)
{
    wire_reader block;
    out->n = 0;
    wire_block(r, 2, 0, 0xffff, &block);
    while (!block.err && wire_left(&block) > 0) {
        uint16_t type = wire_u16(&block);
        wire_reader body;
        wire_block(&block, 2, 0, 0xffff, &body);
        if (block.err)
            return FAIL(R_EXT_DECODE);
        /* s.4.2: "There MUST NOT be more than one extension of the same type in a given
         * extension block." */
        for (size_t i = 0; i < out->n; i++)
            if (out->e[i].type == type)
                return FAIL(R_EXT_DUPLICATE);
        if (out->n == EXT_MAX)
            return FAIL(R_EXT_TOO_MANY);
        out->e[out->n].type = type;
        out->e[out->n].data = body.p;
        out->e[out->n].len = body.len;
        out->n++;
    }
    return block.err || r->err ? FAIL(R_EXT_DECODE) : 0;
}

const ext_entry *ext_find(const ext_list *l, uint16_t type)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->e[i].type == type)
            return &l->e[i];
    return NULL;
}

int ch_decode(const uint8_t *body, size_t len, ch_msg *out)
{
    wire_reader r, b;
    wire_init(&r, body, len);
    out->legacy_version = wire_u16(&r);
    out->random = wire_bytes(&r, HS_RANDOM_LEN);
    wire_block(&r, 1, 0, 32, &b);
    out->sid = b.p;
    out->sid_len = b.len;
    wire_block(&r, 2, 2, 0xfffe, &b);
    out->suites = b.p;
    out->suites_len = b.len;
    if (b.len % 2)
        return FAIL(R_CH_DECODE);
    wire_block(&r, 1, 1, 0xff, &b);
    out->compressions = b.p;
    out->comp_len = b.len;
    out->binders_len = 0;
    if (r.err)
        return FAIL(R_CH_DECODE);
    if (wire_left(&r) == 0) {
        out->ext.n = 0; /* a ClientHello without extensions (old clients) */
        return 0;
    }
    int rc = ext_parse(&r, &out->ext);
    if (rc)
        return rc;
    if (wire_end(&r))
        return FAIL(R_CH_DECODE);
    for (size_t i = 0; i < out->ext.n; i++) {
        if (out->ext.e[i].type != EXT_PRE_SHARED_KEY)
            continue;
        /* s.4.2.11: pre_shared_key "MUST be the last extension in the ClientHello" */
        if (i != out->ext.n - 1)
            return FAIL(R_CH_PSK_NOT_LAST);
        wire_reader psk, ids, binders;
        wire_init(&psk, out->ext.e[i].data, out->ext.e[i].len);
        wire_block(&psk, 2, 7, 0xffff, &ids);
        size_t binders_start = psk.pos;
        wire_block(&psk, 2, 33, 0xffff, &binders);
        if (wire_end(&psk))
            return FAIL(R_CH_DECODE);
        out->binders_len = psk.len - binders_start;
    }
    return 0;
}

int sh_decode(const uint8_t *body, size_t len, sh_msg *out)
{
    wire_reader r, b;
    wire_init(&r, body, len);
    out->legacy_version = wire_u16(&r);
    out->random = wire_bytes(&r, HS_RANDOM_LEN);
    wire_block(&r, 1, 0, 32, &b);
    out->sid = b.p;
    out->sid_len = b.len;
    out->suite = wire_u16(&r);
    out->compression = wire_u8(&r);
    if (r.err)
        return FAIL(R_SH_DECODE);
    out->ext.n = 0;
    if (wire_left(&r) > 0) {
        int rc = ext_parse(&r, &out->ext);
        if (rc)
            return rc;
    }
    if (wire_end(&r))
        return FAIL(R_SH_DECODE);
    out->is_hrr = 1;
    for (size_t i = 0; i < HS_RANDOM_LEN; i++)
        if (out->random[i] != HS_HRR_RANDOM[i])
            out->is_hrr = 0;
    return 0;
}

int cert_decode(const uint8_t *body, size_t len, size_t max, cert_msg *out)
{
    wire_reader r, ctx, list;
    wire_init(&r, body, len);
    wire_block(&r, 1, 0, 255, &ctx);
    out->context = ctx.p;
    out->context_len = ctx.len;
    wire_block(&r, 3, 0, 0xffffff, &list);
    if (wire_end(&r))
        return FAIL(R_CERT_MSG_DECODE);
    out->n = 0;
    while (wire_left(&list) > 0) {
        wire_reader data, exts;
        wire_block(&list, 3, 1, 0xffffff, &data);
        wire_block(&list, 2, 0, 0xffff, &exts);
        if (list.err)
            return FAIL(R_CERT_MSG_DECODE);
        /* Per-entry extensions must be well formed; none of them changes what we do. */
        ext_list el;
        int rc = ext_parse(&(wire_reader){exts.p - 2, exts.len + 2, 0, 0}, &el);
        if (rc)
            return rc;
        if (out->n == max || out->n == 10)
            return FAIL(R_CERT_MSG_TOO_MANY);
        out->cert[out->n] = data.p;
        out->cert_len[out->n] = data.len;
        out->n++;
    }
    return list.err ? FAIL(R_CERT_MSG_DECODE) : 0;
}
