/*
 * mem.h - every heap allocation of the library goes through these, so that a test can make
 * the Nth one fail and check that each failure ends in a clean sticky error, the right
 * alert and no leak (tests/handshake/test_fail_injection.c). Without a test's
 * mem_fail_at call they are malloc, calloc, realloc and free.
 */
#ifndef TLSM_MEM_H
#define TLSM_MEM_H

#include <stddef.h>

void *mem_alloc(size_t n);
void *mem_calloc(size_t count, size_t n);
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);

/* For tests only (process-wide, not synchronised, like crypto_provider_install): the nth
 * allocation from now (1 = the next) fails, and so does every later one if `sticky`;
 * 0 restores normal allocation. mem_allocations counts the allocations since the last
 * mem_fail_at call. */
void mem_fail_at(unsigned long nth, int sticky);
unsigned long mem_allocations(void);

#endif
