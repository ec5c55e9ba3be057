/*
 * fuzz_hs_codec.c - libFuzzer target for the handshake decoders of core/src/wire/hs_codec.h:
 * ext_parse, ch_decode, sh_decode and cert_decode all run on every input (a message body,
 * without the 4-byte handshake header). Built and run by build.sh / run.sh; seeds (real
 * ClientHello and ServerHello bodies, a Certificate body) in corpus/fuzz_hs_codec/.
 *
 * Checks: a decoder returns 0, decode_error or (duplicates) illegal_parameter; on success
 * every borrowed pointer lies inside the input, extension types are unique, ext_find finds
 * each known type's entry, and ClientHello, ServerHello and the Certificate list
 * re-encoded from what was decoded give back the input byte for byte (nothing skipped,
 * nothing invented). There is no count limit to check: issue 16 item 7. The input is copied into an exactly-sized heap
 * buffer so AddressSanitizer sees any read past the end. Any broken expectation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fuzz_support.h"
#include "tlsm.h"
#include "reason.h"
#include "wire/hs_codec.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *base;
static size_t base_len;

static void inside(const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    CHECK(p != NULL && p >= base && n <= base_len && (size_t)(p - base) <= base_len - n);
}

/* A re-encoder: appends to a buffer exactly as big as the input (overflow = mismatch). */
typedef struct {
    uint8_t *p;
    size_t len, cap;
    int over;
} out_buf;

static void put(out_buf *o, const uint8_t *p, size_t n)
{
    if (o->over || n > o->cap - o->len) {
        o->over = 1;
        return;
    }
    if (n)
        memcpy(o->p + o->len, p, n);
    o->len += n;
}

static void put_int(out_buf *o, size_t v, int width)
{
    uint8_t b[3];
    for (int i = 0; i < width; i++)
        b[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
    put(o, b, (size_t)width);
}

static void put_exts(out_buf *o, const ext_list *l)
{
    size_t total = 0, pos = 0;
    ext_entry e;
    while (ext_next(l, &pos, &e))
        total += 4 + e.len;
    put_int(o, total, 2);
    pos = 0;
    while (ext_next(l, &pos, &e)) {
        put_int(o, e.type, 2);
        put_int(o, e.len, 2);
        put(o, e.data, e.len);
    }
}

static void check_exts(const ext_list *l)
{
    size_t pos = 0, n = 0, last = (size_t)-1;
    ext_entry e;
    while (ext_next(l, &pos, &e)) {
        inside(e.data, e.len);
        CHECK(e.len <= 0xffff);
        /* Unique: no earlier entry has the type. */
        size_t pos2 = 0;
        ext_entry f;
        for (size_t j = 0; j < n && ext_next(l, &pos2, &f); j++)
            CHECK(f.type != e.type);
        const ext_entry *k = ext_find(l, e.type);
        CHECK(k == NULL || (k->type == e.type && k->data == e.data && k->len == e.len));
        last = e.type;
        n++;
    }
    CHECK(n == l->n && pos == l->len);
    CHECK(n == 0 || l->last_type == last);
}

static void check_same(const out_buf *o)
{
    CHECK(!o->over && o->len == base_len && (base_len == 0 || memcmp(o->p, base, base_len) == 0));
}

static void fuzz_ext(void)
{
    wire_reader r;
    ext_list l;
    wire_init(&r, base, base_len);
    int rc = ext_parse(&r, &l);
    CHECK(rc == 0 || rc == RC(R_EXT_DECODE) || rc == RC(R_EXT_DUPLICATE));
    if (rc)
        return;
    check_exts(&l);
    /* The block is the first 2 + length bytes; re-encoded it is the same bytes. */
    uint8_t *buf = malloc(base_len ? base_len : 1);
    CHECK(buf != NULL);
    out_buf o = {buf, 0, base_len, 0};
    put_exts(&o, &l);
    CHECK(!o.over && o.len == r.pos && memcmp(buf, base, o.len) == 0);
    free(buf);
}

static void fuzz_ch(uint8_t *buf)
{
    ch_msg ch;
    int rc = ch_decode(base, base_len, &ch);
    CHECK(rc == 0 || rc == RC(R_CH_DECODE) || rc == RC(R_EXT_DECODE) ||
          rc == RC(R_EXT_DUPLICATE));
    if (rc)
        return;
    inside(ch.random, HS_RANDOM_LEN);
    inside(ch.sid, ch.sid_len);
    inside(ch.suites, ch.suites_len);
    inside(ch.compressions, ch.comp_len);
    CHECK(ch.sid_len <= 32 && ch.suites_len >= 2 && ch.suites_len % 2 == 0 && ch.comp_len >= 1);
    check_exts(&ch.ext);
    out_buf o = {buf, 0, base_len, 0};
    put_int(&o, ch.legacy_version, 2);
    put(&o, ch.random, HS_RANDOM_LEN);
    put_int(&o, ch.sid_len, 1);
    put(&o, ch.sid, ch.sid_len);
    put_int(&o, ch.suites_len, 2);
    put(&o, ch.suites, ch.suites_len);
    put_int(&o, ch.comp_len, 1);
    put(&o, ch.compressions, ch.comp_len);
    if (o.len < base_len)
        put_exts(&o, &ch.ext);
    check_same(&o);
}

static void fuzz_sh(uint8_t *buf)
{
    sh_msg sh;
    int rc = sh_decode(base, base_len, &sh);
    CHECK(rc == 0 || rc == RC(R_SH_DECODE) || rc == RC(R_EXT_DECODE) ||
          rc == RC(R_EXT_DUPLICATE));
    if (rc)
        return;
    inside(sh.random, HS_RANDOM_LEN);
    inside(sh.sid, sh.sid_len);
    CHECK(sh.sid_len <= 32);
    check_exts(&sh.ext);
    CHECK(sh.is_hrr == (memcmp(sh.random, HS_HRR_RANDOM, HS_RANDOM_LEN) == 0));
    out_buf o = {buf, 0, base_len, 0};
    put_int(&o, sh.legacy_version, 2);
    put(&o, sh.random, HS_RANDOM_LEN);
    put_int(&o, sh.sid_len, 1);
    put(&o, sh.sid, sh.sid_len);
    put_int(&o, sh.suite, 2);
    put_int(&o, sh.compression, 1);
    if (o.len < base_len)
        put_exts(&o, &sh.ext);
    check_same(&o);
}

static void fuzz_cert(void)
{
    cert_msg m;
    int rc = cert_decode(base, base_len, &m);
    CHECK(rc == 0 || rc == RC(R_CERT_MSG_DECODE) || rc == RC(R_EXT_DECODE) ||
          rc == RC(R_EXT_DUPLICATE));
    if (rc)
        return;
    inside(m.context, m.context_len);
    CHECK(m.context_len <= 255);
    /* context<1>, then list<3> of cert_data<3> + extensions<2>, in order, no gaps. */
    const uint8_t *at = base + 1 + m.context_len + 3;
    size_t pos = 0, n = 0, der_len = 0;
    const uint8_t *der = NULL;
    int any_ext = 0;
    while (cert_next(&m, &pos, &der, &der_len)) {
        inside(der, der_len);
        CHECK(der_len >= 1 && der == at + 3);
        CHECK(((size_t)at[0] << 16 | (size_t)at[1] << 8 | at[2]) == der_len);
        const uint8_t *exts = der + der_len;
        size_t exts_len = (size_t)exts[0] << 8 | exts[1];
        any_ext |= exts_len > 0;
        at = exts + 2 + exts_len;
        n++;
    }
    CHECK(n == m.n && at == base + base_len && any_ext == m.has_extensions);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1), *buf = malloc(size ? size : 1);
    CHECK(copy != NULL && buf != NULL);
    if (size)
        memcpy(copy, data, size);
    base = copy;
    base_len = size;
    fuzz_ext();
    fuzz_ch(buf);
    fuzz_sh(buf);
    fuzz_cert();
    free(buf);
    free(copy);
    return 0;
}
