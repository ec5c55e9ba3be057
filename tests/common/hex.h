/*
 * hex.h - hex helpers for tests: decode test-vector strings to bytes and encode bytes for
 * failure messages. Whitespace inside hex strings is ignored (the RFC 8448 transcripts
 * wrap their hex with spaces); any other non-hex character or an odd digit count fails.
 */
#ifndef TLSM_TEST_HEX_H
#define TLSM_TEST_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Decodes hex into a new malloc'ed buffer (never NULL on success, even for "") and sets
 * *len. Returns NULL on invalid input or allocation failure. Free with free(). */
uint8_t *hex_decode(const char *hex, size_t *len);
/* Decodes hex into out (capacity cap). Returns 0 and sets *len, or -1 if the input is
 * invalid or longer than cap. */
int hex_decode_into(const char *hex, uint8_t *out, size_t cap, size_t *len);
/* Encodes len bytes as lower-case hex into a new malloc'ed NUL-terminated string (NULL on
 * allocation failure). Free with free(). */
char *hex_encode(const uint8_t *data, size_t len);

#endif
