/*
 * json.c - recursive-descent JSON parser building a tree (see json.h). Every read is
 * bounds-checked against the input length; the text need not be NUL-terminated.
 */
#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

struct json_value {
    json_type type;
    double num;
    int boolean;
    char *str;             /* JSON_STRING */
    json_value **items;    /* JSON_ARRAY / JSON_OBJECT values */
    char **keys;           /* JSON_OBJECT keys */
    size_t n, cap;
};

typedef struct {
    const char *p, *end;
    int depth;
} parser;

static json_value *parse_value(parser *ps);

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int literal(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return 0;
    ps->p += n;
    return 1;
}

static json_value *new_value(json_type type)
{
    json_value *v = calloc(1, sizeof *v);
    if (v != NULL)
        v->type = type;
    return v;
}

static int hex4(parser *ps, unsigned *out)
{
    unsigned v = 0;
    if (ps->end - ps->p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xc0 | cp >> 6); out[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12); out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f)); return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18); out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Parses a string starting at the opening quote; returns a malloc'ed NUL-terminated copy.
 * The decoded form is never longer than the escaped one, so one allocation suffices. */
static char *parse_string(parser *ps)
{
    if (ps->p >= ps->end || *ps->p != '"')
        return NULL;
    ps->p++;
    const char *start = ps->p;
    while (ps->p < ps->end && *ps->p != '"')
        ps->p += (*ps->p == '\\' && ps->end - ps->p > 1) ? 2 : 1;
    if (ps->p >= ps->end)
        return NULL;
    const char *stop = ps->p;
    ps->p = start;
    char *out = malloc((size_t)(stop - start) + 1), *o = out;
    if (out == NULL)
        return NULL;
    while (ps->p < stop) {
        unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20)
            goto fail; /* control characters must be escaped */
        if (c != '\\') {
            *o++ = (char)c;
            continue;
        }
        char e = *ps->p++;
        unsigned cp, lo;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u':
            if (hex4(ps, &cp) != 0 || ps->p > stop)
                goto fail;
            if (cp >= 0xd800 && cp < 0xdc00) {
                if (stop - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u')
                    goto fail;
                ps->p += 2;
                if (hex4(ps, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
                    goto fail;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp < 0xe000) {
                goto fail; /* lone low surrogate */
            }
            if (cp == 0)
                goto fail; /* would truncate the C string */
            o += put_utf8(o, cp);
            break;
        default:
            goto fail;
        }
    }
    *o = '\0';
    ps->p = stop + 1;
    return out;
fail:
    free(out);
    return NULL;
}

static json_value *parse_number(parser *ps)
{
    const char *s = ps->p;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
        return NULL;
    if (*ps->p == '0')
        ps->p++;
    else
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
            return NULL;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
            return NULL;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    }
    char buf[64];
    size_t n = (size_t)(ps->p - s);
    if (n >= sizeof buf)
        return NULL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    json_value *v = new_value(JSON_NUMBER);
    if (v != NULL)
        v->num = strtod(buf, NULL);
    return v;
}

static int append(json_value *c, char *key, json_value *item)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        json_value **items = realloc(c->items, cap * sizeof *items);
        if (items == NULL)
            return -1;
        c->items = items;
        if (c->type == JSON_OBJECT) {
            char **keys = realloc(c->keys, cap * sizeof *keys);
            if (keys == NULL)
                return -1;
            c->keys = keys;
        }
        c->cap = cap;
    }
    if (c->type == JSON_OBJECT)
        c->keys[c->n] = key;
    c->items[c->n++] = item;
    return 0;
}

/* Parses an array or object body after its opening bracket. */
static json_value *parse_container(parser *ps, json_type type, char close)
{
    json_value *c = new_value(type);
    if (c == NULL)
        return NULL;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return c;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (type == JSON_OBJECT) {
            key = parse_string(ps);
            skip_ws(ps);
            if (key == NULL || ps->p >= ps->end || *ps->p++ != ':') {
                free(key);
                break;
            }
        }
        json_value *item = parse_value(ps);
        if (item == NULL || append(c, key, item) != 0) {
            free(key);
            json_free(item);
            break;
        }
        skip_ws(ps);
        if (ps->p >= ps->end)
            break;
        char sep = *ps->p++;
        if (sep == close)
            return c;
        if (sep != ',')
            break;
    }
    json_free(c);
    return NULL;
}

static json_value *parse_value(parser *ps)
{
    json_value *v = NULL;
    skip_ws(ps);
    if (ps->p >= ps->end || ps->depth >= JSON_MAX_DEPTH)
        return NULL;
    ps->depth++;
    switch (*ps->p) {
    case '{': ps->p++; v = parse_container(ps, JSON_OBJECT, '}'); break;
    case '[': ps->p++; v = parse_container(ps, JSON_ARRAY, ']'); break;
    case '"': {
        char *s = parse_string(ps);
        if (s != NULL && (v = new_value(JSON_STRING)) != NULL)
            v->str = s;
        else
            free(s);
        break;
    }
    case 't': if (literal(ps, "true") && (v = new_value(JSON_BOOL))) v->boolean = 1; break;
    case 'f': if (literal(ps, "false")) v = new_value(JSON_BOOL); break;
    case 'n': if (literal(ps, "null")) v = new_value(JSON_NULL); break;
    default: v = parse_number(ps); break;
    }
    ps->depth--;
    return v;
}

json_value *json_parse(const char *text, size_t len)
{
    parser ps = { text, text + len, 0 };
    json_value *v = parse_value(&ps);
    skip_ws(&ps);
    if (v != NULL && ps.p != ps.end) {
        json_free(v); /* trailing garbage */
        return NULL;
    }
    return v;
}

json_value *json_parse_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            char *nb = realloc(buf, cap ? 2 * cap : 65536);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = cap ? 2 * cap : 65536;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    int err = ferror(f);
    fclose(f);
    json_value *v = err ? NULL : json_parse(buf, len);
    free(buf);
    return v;
}

void json_free(json_value *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n; i++) {
        json_free(v->items[i]);
        if (v->keys != NULL)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    free(v);
}

json_type json_type_of(const json_value *v)
{
    return v ? v->type : JSON_NULL;
}

const json_value *json_get(const json_value *obj, const char *key)
{
    if (obj == NULL || obj->type != JSON_OBJECT || key == NULL)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    return NULL;
}

size_t json_len(const json_value *v)
{
    return v && (v->type == JSON_ARRAY || v->type == JSON_OBJECT) ? v->n : 0;
}

const json_value *json_at(const json_value *v, size_t i)
{
    return i < json_len(v) ? v->items[i] : NULL;
}

const char *json_key_at(const json_value *obj, size_t i)
{
    return obj && obj->type == JSON_OBJECT && i < obj->n ? obj->keys[i] : NULL;
}

const char *json_str(const json_value *v)
{
    return v && v->type == JSON_STRING ? v->str : NULL;
}

double json_num(const json_value *v)
{
    return v && v->type == JSON_NUMBER ? v->num : 0;
}

int json_bool(const json_value *v)
{
    return v && v->type == JSON_BOOL ? v->boolean : 0;
}
