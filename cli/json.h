/*
 * json.h - a small JSON reader for the documents the library writes (the testing kit's
 * trace, tlsm_pair_trace with TLSM_TRACE_JSON): the whole text becomes a tree of values.
 * A \u escape stands for one byte (\u0001 to \u00ff, as the kit writes them); nesting is
 * bounded.
 */
#ifndef TLSM_CLI_JSON_H
#define TLSM_CLI_JSON_H

#include <stddef.h>

typedef enum { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
               JSON_OBJECT } json_type;

typedef struct json_value json_value;
struct json_value {
    json_type type;
    double number;      /* JSON_NUMBER */
    char *string;       /* JSON_STRING, NUL-terminated */
    json_value *items;  /* JSON_ARRAY: elements; JSON_OBJECT: member values */
    char **keys;        /* JSON_OBJECT: member names, parallel to items */
    size_t n;
};

/* Parses text[0..len). Returns NULL when it is not one JSON value or memory ran out. */
json_value *json_parse(const char *text, size_t len);
void json_free(json_value *v);
/* The member `key` of an object, NULL if absent or v is not an object. */
const json_value *json_get(const json_value *v, const char *key);
/* The member's string, or NULL if absent or not a string. */
const char *json_get_string(const json_value *v, const char *key);
/* The member's number, or `fallback` if absent or not a number. */
double json_get_number(const json_value *v, const char *key, double fallback);

#endif
