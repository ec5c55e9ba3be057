/*
 * json.c - the small JSON reader of json.h: recursive descent over a bounded cursor,
 * RFC 8259 syntax, values gathered in growable arrays. Any syntax error, a nesting deeper
 * than JSON_MAX_DEPTH or an allocation failure makes json_parse return NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_MAX_DEPTH 32

typedef struct {
    const char *s;
    size_t len, pos;
    int depth;
} cursor;

static int parse_value(cursor *c, json_value *out);

static void skip_space(cursor *c)
{
    while (c->pos < c->len && strchr(" \t\r\n", c->s[c->pos]) && c->s[c->pos])
        c->pos++;
}

static int eat(cursor *c, char ch)
{
    skip_space(c);
    if (c->pos < c->len && c->s[c->pos] == ch) {
        c->pos++;
        return 1;
    }
    return 0;
}

static int literal(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if (c->len - c->pos < n || memcmp(c->s + c->pos, word, n) != 0)
        return -1;
    c->pos += n;
    return 0;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        int d = h >= '0' && h <= '9' ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A string at the cursor (after skip_space, on the opening quote) into a new buffer. */
static char *parse_string(cursor *c)
{
    if (c->pos >= c->len || c->s[c->pos] != '"')
        return NULL;
    c->pos++;
    char *out = malloc(c->len - c->pos + 1); /* never longer than its source */
    size_t n = 0;
    if (!out)
        return NULL;
    while (c->pos < c->len) {
        unsigned char ch = (unsigned char)c->s[c->pos++];
        if (ch == '"') {
            out[n] = 0;
            return out;
        }
        if (ch < 0x20)
            break;
        if (ch != '\\') {
            out[n++] = (char)ch;
            continue;
        }
        if (c->pos >= c->len)
            break;
        char e = c->s[c->pos++];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *hit = strchr(from, e);
        if (e && hit) {
            out[n++] = to[hit - from];
        } else if (e == 'u' && c->len - c->pos >= 4) {
            int v = hex4(c->s + c->pos);
            if (v <= 0 || v > 0xff)
                break; /* the kit escapes single bytes, never NUL */
            out[n++] = (char)v;
            c->pos += 4;
        } else {
            break;
        }
    }
    free(out);
    return NULL;
}

static int parse_number(cursor *c, json_value *out)
{
    const char *start = c->s + c->pos;
    size_t i = c->pos;
    if (i < c->len && c->s[i] == '-')
        i++;
    size_t digits = i;
    while (i < c->len && strchr("0123456789.eE+-", c->s[i]) && c->s[i])
        i++;
    if (i == digits || i - c->pos > 63)
        return -1;
    char tmp[64];
    memcpy(tmp, start, i - c->pos);
    tmp[i - c->pos] = 0;
    char *end;
    out->number = strtod(tmp, &end);
    if (*end)
        return -1;
    out->type = JSON_NUMBER;
    c->pos = i;
    return 0;
}

/* Appends an element (and, for objects, its key) to a container being built. */
static int append(json_value *v, size_t *cap, const json_value *item, char *key)
{
    if (v->n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 8;
        json_value *items = realloc(v->items, ncap * sizeof *items);
        if (!items)
            return -1;
        v->items = items;
        if (v->type == JSON_OBJECT) {
            char **keys = realloc(v->keys, ncap * sizeof *keys);
            if (!keys)
                return -1;
            v->keys = keys;
        }
        *cap = ncap;
    }
    v->items[v->n] = *item;
    if (v->type == JSON_OBJECT)
        v->keys[v->n] = key;
    v->n++;
    return 0;
}

static void free_contents(json_value *v);

/* An array or object after its opening bracket; `close` is ']' or '}'. */
static int parse_container(cursor *c, json_value *out, char close)
{
    size_t cap = 0;
    if (++c->depth > JSON_MAX_DEPTH)
        return -1;
    if (eat(c, close)) {
        c->depth--;
        return 0;
    }
    do {
        char *key = NULL;
        json_value item;
        memset(&item, 0, sizeof item);
        if (out->type == JSON_OBJECT) {
            skip_space(c);
            if (!(key = parse_string(c)) || !eat(c, ':')) {
                free(key);
                return -1;
            }
        }
        if (parse_value(c, &item) != 0 || append(out, &cap, &item, key) != 0) {
            free_contents(&item);
            free(key);
            return -1;
        }
    } while (eat(c, ','));
    c->depth--;
    return eat(c, close) ? 0 : -1;
}

static int parse_value(cursor *c, json_value *out)
{
    memset(out, 0, sizeof *out);
    skip_space(c);
    if (c->pos >= c->len)
        return -1;
    switch (c->s[c->pos]) {
    case '{':
        c->pos++;
        out->type = JSON_OBJECT;
        return parse_container(c, out, '}');
    case '[':
        c->pos++;
        out->type = JSON_ARRAY;
        return parse_container(c, out, ']');
    case '"':
        out->type = JSON_STRING;
        return (out->string = parse_string(c)) ? 0 : -1;
    case 't': out->type = JSON_TRUE; return literal(c, "true");
    case 'f': out->type = JSON_FALSE; return literal(c, "false");
    case 'n': out->type = JSON_NULL; return literal(c, "null");
    default: return parse_number(c, out);
    }
}

static void free_contents(json_value *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free_contents(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    memset(v, 0, sizeof *v);
}

json_value *json_parse(const char *text, size_t len)
{
    cursor c = {text, len, 0, 0};
    json_value *v = malloc(sizeof *v);
    if (!v)
        return NULL;
    if (parse_value(&c, v) != 0) {
        free_contents(v);
        free(v);
        return NULL;
    }
    skip_space(&c);
    if (c.pos != c.len) {
        json_free(v);
        return NULL;
    }
    return v;
}

void json_free(json_value *v)
{
    if (!v)
        return;
    free_contents(v);
    free(v);
}

const json_value *json_get(const json_value *v, const char *key)
{
    if (!v || v->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return &v->items[i];
    return NULL;
}

const char *json_get_string(const json_value *v, const char *key)
{
    const json_value *m = json_get(v, key);
    return m && m->type == JSON_STRING ? m->string : NULL;
}

double json_get_number(const json_value *v, const char *key, double fallback)
{
    const json_value *m = json_get(v, key);
    return m && m->type == JSON_NUMBER ? m->number : fallback;
}
