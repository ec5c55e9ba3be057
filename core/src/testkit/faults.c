/*
 * faults.c - the testing kit's faults: the spec parser (grammar in tlsm.h) and what
 * happens to a record on its way to the receiver. A test's white-box record hook sees it
 * first (testkit.h); then all faults that match it apply, in the order they were added;
 * the bytes then travel as pieces in a per-direction queue (queue.c) that keeps stream
 * order (a delay holds everything behind it, a reorder holds one record until the next
 * one passes).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "testkit/testkit.h"

/* ---------------------------------------------------------------- names */

const char *kit_msg_name(int type)
{
    switch (type) {
    case KIT_MSG_CCS: return "ChangeCipherSpec";
    case KIT_MSG_APPDATA: return "ApplicationData";
    case KIT_MSG_ALERT: return "Alert";
    }
    return tlsm_message_name((uint8_t)type);
}

int kit_msg_lookup(const char *name, size_t len)
{
    for (int t = 0; t <= KIT_MSG_ALERT; t++) {
        const char *n = kit_msg_name(t);
        if (strcmp(n, "Unknown") != 0 && strlen(n) == len && strncasecmp(n, name, len) == 0)
            return t;
    }
    return -1;
}

/* ---------------------------------------------------------------- parsing */

static const struct {
    const char *name;
    kit_fault_kind kind;
    char arg; /* 'n' number required, 'o' number optional, 'h' hex required, 0 none */
} kinds[] = {
    {"drop", KIT_F_DROP, 0},          {"dup", KIT_F_DUP, 0},
    {"corrupt", KIT_F_CORRUPT, 'o'},  {"truncate", KIT_F_TRUNCATE, 'n'},
    {"split", KIT_F_SPLIT, 'n'},      {"fragment", KIT_F_FRAGMENT, 'o'},
    {"delay", KIT_F_DELAY, 'n'},      {"reorder", KIT_F_REORDER, 0},
    {"replace", KIT_F_REPLACE, 'h'},  {"inject", KIT_F_INJECT, 'h'},
};

/* A decimal number (optionally negative) filling s[0..n). */
static int parse_number(const char *s, size_t n, long *out)
{
    int neg = n > 0 && s[0] == '-';
    size_t i = neg;
    long v = 0;
    if (i == n || n - i > 9)
        return -1;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_hex(const char *s, size_t n, kit_fault *f)
{
    if (n == 0 || n % 2)
        return TLSM_ERR_ARG;
    f->bytes = malloc(n / 2);
    if (!f->bytes)
        return TLSM_ERR_NOMEM;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0) {
            free(f->bytes);
            f->bytes = NULL;
            return TLSM_ERR_ARG;
        }
        f->bytes[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    f->n_bytes = n / 2;
    return 0;
}

static int parse_selector(const char *s, kit_fault *f)
{
    if (*s == 0) {
        f->sel = KIT_SEL_REC;
        f->rec = 0;
        return 0;
    }
    if (*s++ != ':')
        return TLSM_ERR_ARG;
    if (strcmp(s, "all") == 0) {
        f->sel = KIT_SEL_ALL;
        return 0;
    }
    if (strncmp(s, "rec=", 4) == 0) {
        long k;
        if (parse_number(s + 4, strlen(s + 4), &k) || k < 0)
            return TLSM_ERR_ARG;
        f->sel = KIT_SEL_REC;
        f->rec = (size_t)k;
        return 0;
    }
    if (strncmp(s, "msg=", 4) == 0) {
        f->msg = kit_msg_lookup(s + 4, strlen(s + 4));
        f->sel = KIT_SEL_MSG;
        return f->msg < 0 ? TLSM_ERR_ARG : 0;
    }
    return TLSM_ERR_ARG;
}

int kit_fault_parse(const char *spec, kit_fault *f)
{
    memset(f, 0, sizeof *f);
    const char *at = strchr(spec, '@');
    if (!at)
        return TLSM_ERR_ARG;
    size_t kind_len = strcspn(spec, ":@");
    size_t i;
    for (i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strlen(kinds[i].name) == kind_len && strncmp(spec, kinds[i].name, kind_len) == 0)
            break;
    if (i == sizeof kinds / sizeof *kinds)
        return TLSM_ERR_ARG;
    f->kind = kinds[i].kind;
    const char *arg = spec + kind_len;
    size_t arg_len = 0;
    if (*arg == ':') {
        arg++;
        arg_len = (size_t)(at - arg);
    }
    if (arg_len == 0 && (kinds[i].arg == 'n' || kinds[i].arg == 'h'))
        return TLSM_ERR_ARG;
    if (arg_len && kinds[i].arg == 0)
        return TLSM_ERR_ARG;
    if (arg_len && kinds[i].arg == 'h') {
        int rc = parse_hex(arg, arg_len, f);
        if (rc)
            return rc;
    } else if (arg_len) {
        if (parse_number(arg, arg_len, &f->arg))
            return TLSM_ERR_ARG;
        f->has_arg = 1;
        if (f->kind != KIT_F_CORRUPT && f->arg < (f->kind == KIT_F_TRUNCATE ? 0 : 1))
            return TLSM_ERR_ARG;
    }
    const char *dir = at + 1;
    int rc = TLSM_ERR_ARG;
    if (strncmp(dir, "c2s", 3) == 0 || strncmp(dir, "s2c", 3) == 0) {
        f->dir = dir[0] == 's' ? TLSM_PAIR_S2C : TLSM_PAIR_C2S;
        rc = parse_selector(dir + 3, f);
    }
    if (rc) {
        free(f->bytes);
        f->bytes = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------- randomness */

uint64_t kit_random(tlsm_pair *p)
{
    /* splitmix64: tiny, full period, the same numbers on every platform. */
    uint64_t z = (p->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---------------------------------------------------------------- applying */

static int matches(const kit_fault *f, const kit_record *r)
{
    if (f->dir != r->dir || (f->fired && f->sel != KIT_SEL_ALL))
        return 0;
    if (f->sel == KIT_SEL_ALL)
        return 1;
    if (f->sel == KIT_SEL_REC)
        return r->index == f->rec;
    for (size_t i = 0; i < r->n_msgs; i++)
        if (r->msgs[i] == f->msg)
            return 1;
    return 0;
}

__attribute__((format(printf, 2, 3))) static void note(kit_record *r, const char *fmt, ...)
{
    size_t n = strlen(r->fault);
    if (n && n + 2 < sizeof r->fault) {
        memcpy(r->fault + n, "; ", 3);
        n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->fault + n, sizeof r->fault - n, fmt, ap);
    va_end(ap);
}

static void set_length(kit_buf *b)
{
    if (b->len >= 5) {
        b->data[3] = (uint8_t)((b->len - 5) >> 8);
        b->data[4] = (uint8_t)(b->len - 5);
    }
}

static void corrupt(tlsm_pair *p, const kit_fault *f, kit_record *r, kit_buf *cur)
{
    if (cur->len == 0)
        return;
    long off;
    if (!f->has_arg)
        off = cur->len > 5 ? 5 + (long)(kit_random(p) % (cur->len - 5)) : 0;
    else
        off = f->arg < 0 ? (long)cur->len + f->arg : f->arg;
    if (off < 0 || (size_t)off >= cur->len) {
        note(r, "corrupt: offset %ld outside the record", f->arg);
        return;
    }
    uint8_t mask = (uint8_t)(1 + kit_random(p) % 255);
    cur->data[off] ^= mask;
    note(r, "byte %ld corrupted (xor 0x%02x)", off, (unsigned)mask);
}

static void split(const kit_fault *f, kit_record *r, kit_buf *cur)
{
    if (cur->len <= 5)
        return;
    kit_buf out = {0};
    size_t n = (size_t)f->arg;
    for (size_t off = 5; off < cur->len; off += n) {
        size_t k = cur->len - off < n ? cur->len - off : n;
        uint8_t hdr[5] = {cur->data[0], cur->data[1], cur->data[2], (uint8_t)(k >> 8), (uint8_t)k};
        kit_buf_put(&out, hdr, 5);
        kit_buf_put(&out, cur->data + off, k);
    }
    note(r, "split into records of %ld bytes", f->arg);
    kit_buf_free(cur);
    *cur = out;
}

/* Moves the bytes of b into a new piece (b is left empty). */
static int push_buf(tlsm_pair *p, int dir, kit_buf *b, size_t chunk, unsigned due, long record)
{
    if (b->failed) {
        kit_buf_free(b);
        p->failed = 1;
        return TLSM_ERR_NOMEM;
    }
    if (b->len == 0) {
        kit_buf_free(b);
        return 0;
    }
    kit_piece piece = {b->data, b->len, chunk, due, record, 0};
    memset(b, 0, sizeof *b);
    return kit_push(p, dir, piece);
}

/* The test's record hook (testkit.h), noted on the record when it changed the bytes. */
static void run_hook(tlsm_pair *p, kit_record *r, kit_buf *cur)
{
    const uint8_t *orig = p->sent[r->dir].data + r->off;
    p->hook(p, r->dir, r->index, cur, p->hook_ctx);
    if (cur->len != r->len || (cur->len && memcmp(cur->data, orig, cur->len) != 0))
        note(r, "rewritten by the test's record hook");
}

int kit_send_record(tlsm_pair *p, size_t index)
{
    kit_record *r = &p->records[index];
    int dir = r->dir;
    kit_buf cur = {0}, before = {0};
    kit_buf_put(&cur, p->sent[dir].data + r->off, r->len);
    if (p->hook)
        run_hook(p, r, &cur);
    int drop = 0, dup = 0, reorder = 0;
    size_t chunk = 0;
    unsigned delay = 0;
    for (size_t i = 0; i < p->n_faults; i++) {
        kit_fault *f = &p->faults[i];
        if (!matches(f, r))
            continue;
        f->fired = 1;
        switch (f->kind) {
        case KIT_F_DROP:
            drop = 1;
            note(r, "dropped");
            break;
        case KIT_F_DUP:
            dup = 1;
            note(r, "duplicated");
            break;
        case KIT_F_CORRUPT:
            corrupt(p, f, r, &cur);
            break;
        case KIT_F_TRUNCATE:
            if (cur.len > 5 + (size_t)f->arg) {
                cur.len = 5 + (size_t)f->arg;
                set_length(&cur);
            }
            note(r, "truncated to %ld content bytes", f->arg);
            break;
        case KIT_F_SPLIT:
            split(f, r, &cur);
            break;
        case KIT_F_FRAGMENT:
            chunk = f->has_arg ? (size_t)f->arg : 1;
            note(r, "fed %ld byte%s at a time", (long)chunk, chunk == 1 ? "" : "s");
            break;
        case KIT_F_DELAY:
            delay = (unsigned)f->arg;
            note(r, "delayed by %ld steps", f->arg);
            break;
        case KIT_F_REORDER:
            reorder = 1;
            note(r, "held back behind the next record");
            break;
        case KIT_F_REPLACE:
            cur.len = 0;
            kit_buf_put(&cur, f->bytes, f->n_bytes);
            note(r, "replaced by %ld bytes", (long)f->n_bytes);
            break;
        case KIT_F_INJECT:
            kit_buf_put(&before, f->bytes, f->n_bytes);
            note(r, "%ld bytes injected before it", (long)f->n_bytes);
            break;
        }
    }
    unsigned due = p->step + delay;
    if (delay && due > p->delay_until[dir])
        p->delay_until[dir] = due;
    int rc = push_buf(p, dir, &before, 0, due, -1);
    if (drop)
        cur.len = 0;
    else if (dup) {
        kit_buf copy = {0};
        kit_buf_put(&copy, cur.data, cur.len);
        kit_buf_put(&cur, copy.data, copy.len);
        cur.failed |= copy.failed;
        kit_buf_free(&copy);
    }
    if (reorder && !drop) {
        /* Held until the next record of this direction goes (or the pair is idle). */
        kit_release_held(p, dir);
        if (cur.failed) {
            kit_buf_free(&cur);
            p->failed = 1;
            return TLSM_ERR_NOMEM;
        }
        p->held[dir] = (kit_piece){cur.data, cur.len, chunk, due, (long)index, 0};
        p->has_held[dir] = 1;
        return rc;
    }
    int rc2 = push_buf(p, dir, &cur, chunk, due, (long)index);
    kit_release_held(p, dir);
    return rc ? rc : rc2;
}
