/*
 * hello_edit.h - rewriting the client's first ClientHello in flight, for tests of what a
 * server does with hellos no tlsm client would send (long lists, signalling suites, odd
 * versions), and reading the server's plaintext answer; and taking apart and rewriting any
 * ClientHello or ServerHello record, for tests of what each side does with a hello the
 * other side would never send.
 *
 * Once the hello is rewritten the client's transcript differs from the server's, so such
 * a handshake cannot finish: tests look at what the server answered (its ServerHello,
 * its TLS 1.2 ServerKeyExchange) or the alert it sent.
 */
#ifndef TLSM_TEST_HELLO_EDIT_H
#define TLSM_TEST_HELLO_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "pair.h"

/* A ClientHello taken apart. */
#define HELLO_EDIT_EXTS 64
typedef struct {
    pair_buf head;   /* legacy_version, random, legacy_session_id */
    pair_buf suites; /* cipher_suites, without the length */
    pair_buf comp;   /* compression methods, without the length */
    uint16_t ext_type[HELLO_EDIT_EXTS];
    pair_buf ext[HELLO_EDIT_EXTS];
    size_t n_ext;
} ch_parts;

/* What to add when joining: `front` is a run of whole extensions (type, length, data)
 * placed before the client's own; pad_to, if not 0, is the body size that a padding
 * extension placed first brings the hello to. */
typedef struct {
    pair_buf front;
    size_t pad_to;
} ch_extra;

/* Takes apart the ClientHello that is the whole of rec (the client's first record). */
void ch_split(const pair_buf *rec, ch_parts *ch);
/* The data of the client's extension of that type (the test fails if it is absent). */
pair_buf *ch_ext(ch_parts *ch, uint16_t type);
void ch_free(ch_parts *ch);
/* Writes the hello back into out as records of at most 2^14 bytes. */
void ch_join(const ch_parts *ch, const ch_extra *x, pair_buf *out);

/* A ServerHello (or HelloRetryRequest) taken apart; `rest` holds the handshake messages
 * that follow it in the same record (a TLS 1.2 server's flight). */
typedef struct {
    pair_buf head;   /* legacy_version, random, legacy_session_id_echo (with its length) */
    uint16_t suite;
    uint8_t comp;
    uint16_t ext_type[HELLO_EDIT_EXTS];
    pair_buf ext[HELLO_EDIT_EXTS];
    size_t n_ext;
    pair_buf rest;
} sh_parts;

/* 1 if rec is a plaintext handshake record that starts with a ServerHello. */
int sh_is(const pair_buf *rec);
void sh_split(const pair_buf *rec, sh_parts *sh);
/* The data of the server's extension of that type, NULL if it has none. */
pair_buf *sh_ext(sh_parts *sh, uint16_t type);
/* Appends an extension / removes every extension of that type. */
void sh_add_ext(sh_parts *sh, uint16_t type, const void *data, size_t len);
void sh_remove_ext(sh_parts *sh, uint16_t type);
void sh_free(sh_parts *sh);
/* Writes the hello (and `rest`) back into rec as one record, keeping its record version. */
void sh_join(const sh_parts *sh, pair_buf *rec);

/* The same edits on a ClientHello taken apart with ch_split. */
pair_buf *ch_find_ext(ch_parts *ch, uint16_t type);
void ch_add_ext(ch_parts *ch, uint16_t type, const void *data, size_t len);
void ch_remove_ext(ch_parts *ch, uint16_t type);

/* Big-endian helpers for building lists. */
void hello_put16(pair_buf *b, size_t v);
size_t hello_get16(const uint8_t *p);
size_t hello_get24(const uint8_t *p);

/* One run with the first ClientHello edited. */
typedef void (*ch_edit_fn)(ch_parts *ch, ch_extra *x);
typedef struct {
    ch_edit_fn edit;
    pair_buf s2c; /* the server's plaintext handshake bytes */
    size_t body;  /* the size of the rewritten ClientHello body */
} hello_edit;

/* Starts p (already pair_init'ed and pair_connect'ed) with the edit hooked in and runs the
 * handshake as far as it goes. */
void hello_edit_run(pair *p, hello_edit *e, ch_edit_fn edit);
/* The body of the first server handshake message of that type in the clear, or NULL. */
const uint8_t *hello_server_msg(const hello_edit *e, uint8_t type, size_t *len);
/* The data of extension `type` in the ServerHello, NULL if absent. */
const uint8_t *hello_sh_ext(const hello_edit *e, uint16_t type, size_t *len);
void hello_edit_free(hello_edit *e);

#endif
