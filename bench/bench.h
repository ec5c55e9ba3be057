/*
 * bench.h - what the parts of tlsm-bench share: the clock, the "current side" that heap
 * and crypto accounting charge, the allocator hooks' counters, the counting crypto
 * provider, the scenario description and the two in-memory harnesses (tlsm and OpenSSL).
 *
 * Accounting works by attribution: before the harness calls into one endpoint (the tlsm
 * client, the OpenSSL server, ...) it sets bench_side; every heap byte allocated and every
 * crypto primitive run until it is reset is charged to that endpoint.
 */
#ifndef TLSM_BENCH_H
#define TLSM_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---------------------------------------------------------------- clock */

static inline uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- attribution */

enum {
    SIDE_NONE = 0,    /* the harness itself, library set-up */
    SIDE_TLSM_CLIENT,
    SIDE_TLSM_SERVER,
    SIDE_OSSL_CLIENT,
    SIDE_OSSL_SERVER,
    SIDE_N
};
extern int bench_side;

/* Wall time per side, kept only while bench_side_clock is on (a scenario that times one
 * side alone, in both libraries alike): bench_set_side charges the time since the last
 * change of side to the side that was current. Off, it costs one test. */
extern int bench_side_clock;
extern uint64_t bench_side_ns[SIDE_N], bench_side_t0;

static inline void bench_set_side(int side)
{
    if (bench_side_clock) {
        uint64_t now = bench_now_ns();
        bench_side_ns[bench_side] += now - bench_side_t0;
        bench_side_t0 = now;
    }
    bench_side = side;
}

/* ---------------------------------------------------------------- heap (alloc_hooks.c) */

typedef struct {
    int64_t live;    /* bytes currently allocated (requested sizes, no allocator overhead) */
    int64_t peak;    /* highest `live` since the last bench_heap_reset_peak */
    uint64_t allocs; /* number of allocations */
} bench_heap;
extern bench_heap bench_heaps[SIDE_N];

/* Routes OpenSSL's and GMP's allocations through the counting hooks; must run before any
 * other OpenSSL call. Returns 0 or -1. */
int bench_alloc_hooks_install(void);
void bench_heap_reset_peak(int side);

/* ---------------------------------------------------------------- crypto (crypto_count.c) */

enum {
    CK_RANDOM, CK_HASH, CK_HMAC, CK_HKDF, CK_AEAD_INIT, CK_SEAL, CK_OPEN,
    CK_KEX_PUBLIC, CK_KEX_SHARED, CK_KEM_KEYGEN, CK_KEM_ENCAPS, CK_KEM_DECAPS, CK_VERIFY,
    CK_SIGN, CK_N
};
extern const char *const bench_crypto_kind_name[CK_N];

typedef struct {
    uint64_t calls[CK_N];  /* every provider call, nested ones included */
    uint64_t timed[CK_N];  /* outermost calls, whose time is in ns[] */
    uint64_t ns[CK_N];
    uint64_t bytes[CK_N];  /* AEAD: plaintext bytes sealed or opened */
} bench_crypto_tally;
extern bench_crypto_tally bench_crypto[SIDE_N];

/* Installs (on = 1) or removes the counting wrapper around the built-in provider. */
void bench_crypto_counting(int on);
void bench_crypto_reset(void);
/* Sum of timed calls and of their ns for one side, with the clock's own cost removed. */
double bench_crypto_ns(int side, uint64_t *timed_calls);
/* Cost of one bench_now_ns() call, measured once at start-up. */
extern double bench_clock_cost_ns;
void bench_clock_calibrate(void);

/* ---------------------------------------------------------------- scenarios */

typedef enum { KIND_HANDSHAKE, KIND_BULK, KIND_MEMORY, KIND_KEM } scenario_kind;
typedef enum { RESUME_NONE = 0, RESUME_TICKET, RESUME_SESSION_ID } resume_mode;
typedef enum { AEAD_A128 = 0, AEAD_A256, AEAD_CHACHA } bench_aead;

typedef struct {
    const char *name;
    const char *what;
    scenario_kind kind;
    int tls12;           /* 1: TLS 1.2 only (ECDHE-ECDSA-AES128-GCM-SHA256); 0: TLS 1.3 only */
    const char *key;     /* server identity in tests/data/pki: "p256", "ed25519", "rsa" */
    resume_mode resume;
    bench_aead aead;     /* TLS 1.3 suite (handshakes use AES-128-GCM) */
    size_t chunk;        /* bulk: bytes per write */
    uint16_t group;      /* handshakes: the key-exchange group, 0 for X25519 (OpenSSL 3.0
                            has no ML-KEM: a post-quantum group runs tlsm alone) */
    int vcache;          /* tlsm: the verification cache on (default of the library); off in
                            the other scenarios, which compare the same work as OpenSSL's */
    int client_side;     /* handshakes: the rate is of the client's time alone */
} scenario;

#define BENCH_HOST "server.tlsm.test"
#define BENCH_MAX_RUNS 31
#define BENCH_BULK_BUF 16384

/* A one-way in-memory "network": pending bytes are data[off .. off + len). Its storage is
 * charged to SIDE_NONE: the transport is the host's, not the library's. */
typedef struct {
    uint8_t *data;
    size_t off, len, cap;
} bench_pipe;
void bench_pipe_init(bench_pipe *p, size_t cap);
void bench_pipe_push(bench_pipe *p, const uint8_t *d, size_t n);
void bench_pipe_pop(bench_pipe *p, size_t n);
void bench_pipe_free(bench_pipe *p);

/* Where the PEM files are (tests/data/pki); set by main. */
extern const char *bench_pki_dir;
/* Reads pki_dir/name; the caller frees. NULL on failure. */
uint8_t *bench_read_pki(const char *name, size_t *len);

/* ---------------------------------------------------------------- harness results */

typedef struct {
    uint64_t api_ns[2];    /* tlsm only, attribution pass: time inside tlsm calls per side */
    uint64_t api_calls[2];
} bench_api_time;

/* Memory per connection, bytes above the state before the connection was created. */
typedef struct {
    int64_t peak[2];       /* [0] client, [1] server: highest during the handshake */
    int64_t idle[2];       /* after the handshake, tickets read, output drained */
    int64_t record_bufs[2];/* tlsm: the record buffers inside `idle` (0 for OpenSSL) */
    char parts[2][256];    /* tlsm: what `idle` is made of */
} bench_mem;

/* One endpoint pair of a library, set up for a scenario (configs/contexts, a session to
 * resume, an established connection for bulk). */
typedef struct tlsm_env tlsm_env;
typedef struct ossl_env ossl_env;

tlsm_env *tlsm_env_new(const scenario *sc);
void tlsm_env_free(tlsm_env *e);
int tlsm_env_handshake(tlsm_env *e);                      /* one complete handshake */
int tlsm_env_bulk(tlsm_env *e, uint64_t bytes);           /* client -> server */
int tlsm_env_memory(tlsm_env *e, bench_mem *m);
/* The client config's verification cache counters (tlsm_config_verify_cache_stats). */
void tlsm_env_verify_cache(tlsm_env *e, uint64_t *hits, uint64_t *misses);
void tlsm_env_timing(int on, bench_api_time *t);          /* per-call timing of tlsm calls */
const char *tlsm_env_error(void);

ossl_env *ossl_env_new(const scenario *sc);
void ossl_env_free(ossl_env *e);
int ossl_env_handshake(ossl_env *e);
int ossl_env_bulk(ossl_env *e, uint64_t bytes);
int ossl_env_memory(ossl_env *e, bench_mem *m);
const char *ossl_env_error(void);
const char *ossl_version(void);

/* ---------------------------------------------------------------- ML-KEM (mlkem.c) */

/* Times ML-KEM-768 keygen, encaps and decaps through crypto_mlkem768_* for `runs` runs of
 * `ms` per operation and, when go_helper is not NULL, Go's crypto/mlkem in the same
 * rotation (bench/mlkem_go); prints the medians and returns the worst tlsm/Go ratio (0
 * when Go's figures are missing). */
double bench_mlkem(int runs, int ms, const char *go_helper);

#endif
