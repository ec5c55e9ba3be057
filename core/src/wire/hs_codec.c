/*
 * hs_codec.c - decoders for extension blocks, ClientHello, ServerHello/HRR and
 * Certificate (RFC 8446 s.4.1.2, s.4.1.3, s.4.2, s.4.4.2). Every length goes through the
 * bounded cursor; anything that does not parse exactly is a decode error. Lists are read
 * whole whatever their length (no count caps): the work is bounded by the bytes.
 */
#include "wire/hs_codec.h"

#include <string.h>

#include "reason.h"

const uint8_t HS_HRR_RANDOM[HS_RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* The slot of a type tlsm reads, -1 for the others. */
static int ext_slot(uint16_t type)
{
    static const uint16_t known[] = {
        EXT_SERVER_NAME, EXT_STATUS_REQUEST, EXT_SUPPORTED_GROUPS, EXT_EC_POINT_FORMATS,
        EXT_SIGNATURE_ALGORITHMS, EXT_ALPN, EXT_SCT, EXT_PADDING, EXT_EXTENDED_MASTER_SECRET,
        EXT_RECORD_SIZE_LIMIT, EXT_SESSION_TICKET, EXT_PRE_SHARED_KEY, EXT_EARLY_DATA,
        EXT_SUPPORTED_VERSIONS, EXT_COOKIE, EXT_PSK_KEY_EXCHANGE_MODES,
        EXT_CERTIFICATE_AUTHORITIES, EXT_OID_FILTERS, EXT_POST_HANDSHAKE_AUTH,
        EXT_SIGNATURE_ALGORITHMS_CERT, EXT_KEY_SHARE, EXT_RENEGOTIATION_INFO};
    _Static_assert(sizeof known / sizeof *known <= EXT_KNOWN, "EXT_KNOWN too small");
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (known[i] == type)
            return (int)i;
    return -1;
}

int ext_next(const ext_list *l, size_t *pos, ext_entry *e)
{
    wire_reader r, body;
    if (*pos >= l->len)
        return 0;
    wire_init(&r, l->p + *pos, l->len - *pos);
    e->type = wire_u16(&r);
    wire_block(&r, 2, 0, 0xffff, &body);
    if (r.err) /* ext_parse checked the whole block: cannot happen */
        return 0;
    e->data = body.p;
    e->len = body.len;
    *pos += r.pos;
    return 1;
}

/* 1 if `type` was already seen. Small blocks (the usual case) are checked against the types
 * so far; from the 65th extension on, one bit per possible type makes it one pass whatever
 * the count (8 KiB cleared once per such block). */
typedef struct {
    uint16_t first[64];
    size_t n;
    uint8_t bits[65536 / 8];
} ext_seen;

static int seen_before(ext_seen *s, uint16_t type)
{
    if (s->n < 64) {
        for (size_t i = 0; i < s->n; i++)
            if (s->first[i] == type)
                return 1;
        s->first[s->n++] = type;
        return 0;
    }
    if (s->n == 64) {
        memset(s->bits, 0, sizeof s->bits);
        for (size_t i = 0; i < 64; i++)
            s->bits[s->first[i] >> 3] |= (uint8_t)(1u << (s->first[i] & 7));
        s->n++;
    }
    if (s->bits[type >> 3] & (1u << (type & 7)))
        return 1;
    s->bits[type >> 3] |= (uint8_t)(1u << (type & 7));
    return 0;
}

int ext_parse(wire_reader *r, ext_list *out)
{
    wire_reader block;
    ext_seen seen;
    seen.n = 0;
    memset(out, 0, sizeof *out);
    wire_block(r, 2, 0, 0xffff, &block);
    if (r->err)
        return FAIL(R_EXT_DECODE);
    out->p = block.p;
    out->len = block.len;
    while (wire_left(&block) > 0) {
        uint16_t type = wire_u16(&block);
        wire_reader body;
        wire_block(&block, 2, 0, 0xffff, &body);
        if (block.err)
            return FAIL(R_EXT_DECODE);
        /* s.4.2: "There MUST NOT be more than one extension of the same type in a given
         * extension block." */
        if (seen_before(&seen, type))
            return FAIL(R_EXT_DUPLICATE);
        int slot = ext_slot(type);
        if (slot >= 0)
            out->known[slot] = (ext_entry){type, body.p, body.len};
        out->n++;
        out->last_type = type;
    }
    return 0;
}

const ext_entry *ext_find(const ext_list *l, uint16_t type)
{
    int slot = ext_slot(type);
    return slot >= 0 && l->known[slot].data ? &l->known[slot] : NULL;
}

int ch_offers_suite(const ch_msg *ch, uint16_t suite)
{
    for (size_t i = 0; i + 1 < ch->suites_len; i += 2)
        if ((uint16_t)(ch->suites[i] << 8 | ch->suites[i + 1]) == suite)
            return 1;
    return 0;
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
    if (r.err)
        return FAIL(R_CH_DECODE);
    if (wire_left(&r) == 0) {
        memset(&out->ext, 0, sizeof out->ext); /* no extensions (old clients) */
        return 0;
    }
    int rc = ext_parse(&r, &out->ext);
    if (rc)
        return rc;
    return wire_end(&r) ? FAIL(R_CH_DECODE) : 0;
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
    memset(&out->ext, 0, sizeof out->ext);
    if (wire_left(&r) > 0) {
        int rc = ext_parse(&r, &out->ext);
        if (rc)
            return rc;
    }
    if (wire_end(&r))
        return FAIL(R_SH_DECODE);
    out->is_hrr = memcmp(out->random, HS_HRR_RANDOM, HS_RANDOM_LEN) == 0;
    return 0;
}

int cert_decode(const uint8_t *body, size_t len, cert_msg *out)
{
    wire_reader r, ctx, list;
    wire_init(&r, body, len);
    wire_block(&r, 1, 0, 255, &ctx);
    out->context = ctx.p;
    out->context_len = ctx.len;
    wire_block(&r, 3, 0, 0xffffff, &list);
    if (wire_end(&r))
        return FAIL(R_CERT_MSG_DECODE);
    out->list = list.p;
    out->list_len = list.len;
    out->n = 0;
    out->has_extensions = 0;
    out->tls12 = 0;
    while (wire_left(&list) > 0) {
        wire_reader data, exts;
        wire_block(&list, 3, 1, 0xffffff, &data);
        /* The extensions block must be well formed (duplicates included). */
        size_t at = list.pos;
        wire_block(&list, 2, 0, 0xffff, &exts);
        if (list.err)
            return FAIL(R_CERT_MSG_DECODE);
        wire_reader whole;
        ext_list el;
        wire_init(&whole, list.p + at, list.pos - at);
        int rc = ext_parse(&whole, &el);
        if (rc)
            return rc;
        out->has_extensions |= el.n > 0;
        out->n++;
    }
    return 0;
}

int cert_next_entry(const cert_msg *m, size_t *pos, const uint8_t **der, size_t *der_len,
                    const uint8_t **exts, size_t *exts_len)
{
    wire_reader r, data, e;
    if (*pos >= m->list_len)
        return 0;
    wire_init(&r, m->list + *pos, m->list_len - *pos);
    wire_block(&r, 3, 1, 0xffffff, &data);
    e.p = NULL;
    e.len = 0;
    if (!m->tls12)
        wire_block(&r, 2, 0, 0xffff, &e);
    if (r.err) /* the list was checked when it was read: cannot happen */
        return 0;
    *der = data.p;
    *der_len = data.len;
    if (exts) {
        *exts = e.p;
        *exts_len = e.len;
    }
    *pos += r.pos;
    return 1;
}

int cert_next(const cert_msg *m, size_t *pos, const uint8_t **der, size_t *der_len)
{
    return cert_next_entry(m, pos, der, der_len, NULL, NULL);
}
