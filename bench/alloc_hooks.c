/*
 * alloc_hooks.c - heap accounting for tlsm-bench, the same way for both libraries.
 *
 * tlsm is linked statically and the executable is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free, so every allocation made by
 * tlsm's objects (and the bench's own) lands in __wrap_*; GMP (used by Nettle for RSA and
 * some checks) is routed here with mp_set_memory_functions; OpenSSL with
 * CRYPTO_set_mem_functions. Each block gets a 16-byte header with its size and the side
 * (bench_side) it was charged to, so a free credits the side that allocated it whoever
 * frees it. Sizes are the requested ones: allocator overhead is not counted for either.
 */
#include <gmp.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <string.h>

#include "bench.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

int bench_side = SIDE_NONE;
int bench_side_clock;
uint64_t bench_side_ns[SIDE_N], bench_side_t0;
bench_heap bench_heaps[SIDE_N];

#define HOOK_MAGIC 0x7e1b5a3cu

typedef struct {
    size_t size;
    uint32_t side;
    uint32_t magic;
} hook_header;
_Static_assert(sizeof(hook_header) == 16, "header keeps 16-byte alignment");

static void *charge(void *raw, size_t n, int side)
{
    hook_header *h = raw;
    h->size = n;
    h->side = (uint32_t)side;
    h->magic = HOOK_MAGIC;
    bench_heap *b = &bench_heaps[side];
    b->live += (int64_t)n;
    b->allocs++;
    if (b->live > b->peak)
        b->peak = b->live;
    return h + 1;
}

/* The header of a block from these hooks, or NULL for a block some other allocator made
 * (e.g. libc's scandir result freed by tlsm). */
static hook_header *header_of(void *p)
{
    hook_header *h = (hook_header *)p - 1;
    return h->magic == HOOK_MAGIC ? h : NULL;
}

static void credit(hook_header *h)
{
    bench_heaps[h->side].live -= (int64_t)h->size;
    h->magic = 0;
}

void *__wrap_malloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(hook_header))
        return NULL;
    void *raw = __real_malloc(n + sizeof(hook_header));
    return raw ? charge(raw, n, bench_side) : NULL;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - sizeof(hook_header)) / size)
        return NULL;
    void *raw = __real_calloc(1, n * size + sizeof(hook_header));
    return raw ? charge(raw, n * size, bench_side) : NULL;
}

void __wrap_free(void *p)
{
    if (p == NULL)
        return;
    hook_header *h = header_of(p);
    if (h == NULL) {
        __real_free(p);
        return;
    }
    credit(h);
    __real_free(h);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (p == NULL)
        return __wrap_malloc(n);
    hook_header *h = header_of(p);
    if (h == NULL)
        return __real_realloc(p, n);
    if (n > SIZE_MAX - sizeof(hook_header))
        return NULL;
    /* The block stays charged to the side that first allocated it. */
    int side = (int)h->side;
    size_t old = h->size;
    credit(h);
    hook_header *raw = __real_realloc(h, n + sizeof(hook_header));
    if (raw == NULL) {
        charge(h, old, side);
        return NULL;
    }
    bench_heaps[side].allocs--; /* a resize is not a new allocation */
    return charge(raw, n, side);
}

static void *ossl_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return __wrap_malloc(n);
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return __wrap_realloc(p, n);
}

static void ossl_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    __wrap_free(p);
}

static void *gmp_alloc(size_t n)
{
    return __wrap_malloc(n);
}

static void *gmp_realloc(void *p, size_t old, size_t n)
{
    (void)old;
    return __wrap_realloc(p, n);
}

static void gmp_free(void *p, size_t n)
{
    (void)n;
    __wrap_free(p);
}

int bench_alloc_hooks_install(void)
{
    mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
    return CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free) == 1 ? 0 : -1;
}

void bench_heap_reset_peak(int side)
{
    bench_heaps[side].peak = bench_heaps[side].live;
}
