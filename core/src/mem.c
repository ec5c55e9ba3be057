/*
 * mem.c - the library's allocation functions (mem.h) with the test hook that fails the
 * Nth allocation.
 */
#include "mem.h"

#include <stdlib.h>

static unsigned long fail_nth, counted;
static int fail_sticky;

void mem_fail_at(unsigned long nth, int sticky)
{
    fail_nth = nth;
    fail_sticky = sticky;
    counted = 0;
}

unsigned long mem_allocations(void)
{
    return counted;
}

/* 1 when this allocation must fail. */
static int refuse(void)
{
    counted++;
    return fail_nth && (counted == fail_nth || (fail_sticky && counted > fail_nth));
}

void *mem_alloc(size_t n)
{
    return refuse() ? NULL : malloc(n);
}

void *mem_calloc(size_t count, size_t n)
{
    return refuse() ? NULL : calloc(count, n);
}

void *mem_realloc(void *p, size_t n)
{
    return refuse() ? NULL : realloc(p, n);
}

void mem_free(void *p)
{
    free(p);
}
