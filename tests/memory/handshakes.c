/*
 * handshakes.c - many in-memory handshakes in one process, to show that memory stays flat.
 *
 * A client and a server config (TLS 1.3, X25519, Ed25519 certificate chain from
 * tests/data/pki, host name checked) run COUNT handshakes over two in-memory pipes, the
 * real RNG and clock. Every second handshake resumes with the newest ticket the client
 * received (psk_dhe_ke); the others are full handshakes. Each connection sends a little
 * application data both ways, closes with close_notify and is freed.
 *
 * Every COUNT/10 handshakes the heap in use (glibc mallinfo2: arena bytes in use plus
 * mmapped blocks) and the resident set size (/proc/self/statm) are sampled. The first
 * sample is the warm-up baseline (session cache, ticket keys, allocator arenas); the run
 * fails when a later sample exceeds it by more than --heap-bound bytes of heap (default
 * 65536) or --rss-bound bytes of RSS (default 2 MiB), or when any handshake fails or a
 * resumption is not resumed.
 *
 * Usage: memory_handshakes [--count N] [--pki DIR] [--heap-bound BYTES] [--rss-bound BYTES]
 * Exit status: 0 flat, 1 growth or failure, 2 usage or set-up error.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlsm.h"
#include "mem_common.h"

#define HOST "server.tlsm.test"
#define SAMPLES 10



static tlsm_config *config(tlsm_role role)
{
    tlsm_config *cfg = tlsm_config_new(role);
    uint16_t group = TLSM_GROUP_X25519;
    int rc = cfg ? tlsm_config_set_versions(cfg, TLSM_TLS13, TLSM_TLS13) : TLSM_ERR_NOMEM;
    if (!rc)
        rc = tlsm_config_set_groups(cfg, &group, 1);
    size_t a_len, b_len;
    if (!rc && role == TLSM_ROLE_SERVER) {
        uint8_t *chain = slurp("server-ed25519.chain.pem", &a_len);
        uint8_t *key = slurp("server-ed25519.key", &b_len);
        rc = tlsm_config_add_identity_pem(cfg, chain, a_len, key, b_len);
        free(chain);
        free(key);
    } else if (!rc) {
        uint8_t *ca = slurp("ca.crt", &a_len);
        rc = tlsm_config_add_trust_pem(cfg, ca, a_len, NULL);
        free(ca);
    }
    if (rc) {
        fprintf(stderr, "config: %s\n", tlsm_strerror(rc));
        exit(2);
    }
    return cfg;
}

typedef struct {
    long handshakes;
    size_t heap, rss;
} sample;

static void take(sample *s, long n)
{
    struct mallinfo2 mi = mallinfo2();
    s->handshakes = n;
    s->heap = mi.uordblks + mi.hblkhd;
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    s->rss = (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

int main(int argc, char **argv)
{
    long count = 100000;
    long heap_bound = 65536, rss_bound = 2 << 20;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
            count = atol(argv[++i]);
        else if (strcmp(argv[i], "--pki") == 0 && i + 1 < argc)
            pki_dir = argv[++i];
        else if (strcmp(argv[i], "--heap-bound") == 0 && i + 1 < argc)
            heap_bound = atol(argv[++i]);
        else if (strcmp(argv[i], "--rss-bound") == 0 && i + 1 < argc)
            rss_bound = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--count N] [--pki DIR] [--heap-bound BYTES] "
                            "[--rss-bound BYTES]\n", argv[0]);
            return 2;
        }
    }
    if (count < SAMPLES * 2) {
        fprintf(stderr, "--count must be at least %d\n", SAMPLES * 2);
        return 2;
    }
    tlsm_config *ccfg = config(TLSM_ROLE_CLIENT), *scfg = config(TLSM_ROLE_SERVER);
    pipe_buf c2s = {0}, s2c = {0};
    uint8_t *session = NULL;
    size_t session_len = 0;
    static const uint8_t hello[] = "ping over tlsm";
    long every = count / SAMPLES, resumed = 0, want_resumed = 0;
    sample samples[SAMPLES];
    int n_samples = 0;

    printf("%-12s %14s %14s\n", "handshakes", "heap in use", "RSS");
    for (long i = 1; i <= count; i++) {
        tlsm_conn *c = tlsm_conn_new(ccfg, HOST), *s = tlsm_conn_new(scfg, NULL);
        int ticket = 0, rc = c && s ? 0 : TLSM_ERR_NOMEM;
        size_t received = 0, accepted;
        int resume = (i % 2 == 0) && session != NULL;
        if (!rc && resume)
            rc = tlsm_conn_set_session(c, session, session_len);
        if (!rc)
            rc = mem_settle(c, s, &c2s, &s2c, &ticket, &received);
        if (!rc && !(tlsm_conn_handshake_done(c) && tlsm_conn_handshake_done(s)))
            rc = -1;
        if (!rc)
            rc = tlsm_write(c, hello, sizeof hello, &accepted);
        if (!rc)
            rc = tlsm_write(s, hello, sizeof hello, &accepted);
        if (!rc)
            rc = mem_settle(c, s, &c2s, &s2c, &ticket, &received);
        if (!rc && received != 2 * sizeof hello)
            rc = -1;
        if (!rc && ticket) {
            /* Keep the newest ticket: TLS 1.3 tickets are meant for one use. */
            size_t len = 0;
            rc = tlsm_conn_get_session(c, NULL, 0, &len);
            if (rc == TLSM_ERR_BUFFER || rc == 0) {
                session = xrealloc(session, len);
                rc = tlsm_conn_get_session(c, session, len, &session_len);
            }
        }
        if (!rc && resume) {
            want_resumed++;
            resumed += tlsm_conn_resumed(c) && tlsm_conn_resumed(s);
        }
        if (!rc)
            rc = tlsm_close(c);
        if (!rc)
            rc = mem_settle(c, s, &c2s, &s2c, &ticket, &received);
        if (rc) {
            fprintf(stderr, "handshake %ld failed: %s (client %s, server %s)\n", i,
                    tlsm_strerror(rc), tlsm_strerror(tlsm_conn_error(c)),
                    tlsm_strerror(tlsm_conn_error(s)));
            return 1;
        }
        tlsm_conn_free(c);
        tlsm_conn_free(s);
        c2s.len = s2c.len = 0;
        if (i % every == 0 && n_samples < SAMPLES) {
            sample *sm = &samples[n_samples++];
            take(sm, i);
            printf("%-12ld %14zu %14zu\n", sm->handshakes, sm->heap, sm->rss);
            fflush(stdout);
        }
    }
    tlsm_config_free(ccfg);
    tlsm_config_free(scfg);
    free(session);
    free(c2s.data);
    free(s2c.data);

    long heap_growth = 0, rss_growth = 0;
    for (int k = 1; k < n_samples; k++) {
        long h = (long)samples[k].heap - (long)samples[0].heap;
        long r = (long)samples[k].rss - (long)samples[0].rss;
        heap_growth = h > heap_growth ? h : heap_growth;
        rss_growth = r > rss_growth ? r : rss_growth;
    }
    printf("%ld handshakes, %ld of %ld resumptions resumed; growth after the first sample: "
           "heap %ld bytes (bound %ld), RSS %ld bytes (bound %ld)\n",
           count, resumed, want_resumed, heap_growth, heap_bound, rss_growth, rss_bound);
    int ok = resumed == want_resumed && heap_growth <= heap_bound && rss_growth <= rss_bound;
    printf("%s\n", ok ? "memory flat: PASS" : "FAIL");
    return ok ? 0 : 1;
}
