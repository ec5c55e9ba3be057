/*
 * mem_common.h - what the memory programs (handshakes.c, idle_pairs.c) share: a growable
 * byte pipe between two in-memory connections, an allocation that exits on failure, and
 * the test PKI's files. They move bytes themselves rather than through the testing kit
 * so that the heap they measure is the connections' alone.
 */
#ifndef TLSM_MEM_COMMON_H
#define TLSM_MEM_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifndef TLSM_PKI_DIR
#define TLSM_PKI_DIR "tests/data/pki"
#endif

typedef struct {
    uint8_t *data;
    size_t len, cap;
} pipe_buf;

/* The folder of the test PKI (TLSM_PKI_DIR unless a program's option changes it). */
extern const char *pki_dir;

/* realloc that exits with status 2 when memory runs out. */
void *xrealloc(void *p, size_t n);
/* Appends n bytes / drops the first n bytes. */
void pipe_push(pipe_buf *p, const uint8_t *d, size_t n);
void pipe_pop(pipe_buf *p, size_t n);
/* Reads pki_dir/name (at most 64 KiB, malloc'd); exits with status 2 if it cannot. */
uint8_t *slurp(const char *name, size_t *len);

#include "tlsm.h"
/* Moves bytes between client c and server s (through the pipes c2s and s2c) until
 * neither has anything to send, reading all plaintext (counted in *received) and events.
 * Sets *ticket (when not NULL) on a NewSessionTicket event. Returns 0, a tlsm error code
 * (from a call or an error event), or -1 when 64 rounds did not settle. */
int mem_settle(tlsm_conn *c, tlsm_conn *s, pipe_buf *c2s, pipe_buf *s2c, int *ticket,
               size_t *received);

#endif
