/*
 * json.h - a small, strict JSON reader for test-vector files (RFC 8259).
 *
 * Parse a whole document into a tree, then walk it with the accessors; every accessor
 * accepts NULL and a value of the wrong type and then returns NULL / 0, so lookups can be
 * chained and checked once at the end:
 *
 *     json_value *doc = json_parse_file(path);
 *     const json_value *groups = json_get(doc, "testGroups");
 *     for (size_t i = 0; i < json_len(groups); i++) {
 *         const char *key = json_str(json_get(json_at(groups, i), "key"));
 *         ...
 *     }
 *     json_free(doc);
 *
 * Input limits: nesting depth 64; strings may contain any escape (\uXXXX with surrogate
 * pairs becomes UTF-8) but not a NUL character; duplicate object keys are kept, json_get
 * returns the first.
 */
#ifndef TLSM_TEST_JSON_H
#define TLSM_TEST_JSON_H

#include <stddef.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value json_value;

/* Parses len bytes of text. Returns the root or NULL on a syntax error (or out of memory). */
json_value *json_parse(const char *text, size_t len);
/* Reads and parses a file. Returns NULL if it cannot be read or parsed. */
json_value *json_parse_file(const char *path);
/* Frees a tree returned by json_parse / json_parse_file (NULL is fine). */
void json_free(json_value *v);

json_type json_type_of(const json_value *v); /* JSON_NULL for a NULL pointer */
/* Object member by key, or NULL. */
const json_value *json_get(const json_value *obj, const char *key);
/* Number of elements of an array or members of an object (0 for anything else). */
size_t json_len(const json_value *v);
/* Element i of an array, or value of member i of an object; NULL if out of range. */
const json_value *json_at(const json_value *v, size_t i);
/* Key of member i of an object, or NULL. */
const char *json_key_at(const json_value *obj, size_t i);
/* The NUL-terminated string of a string value, or NULL. */
const char *json_str(const json_value *v);
/* The value of a number, or 0 if v is not a number. */
double json_num(const json_value *v);
/* 1 for true, 0 for false or anything that is not a boolean. */
int json_bool(const json_value *v);

#endif
