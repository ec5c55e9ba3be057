/*
 * mlkem.c - the ML-KEM-768 part of tlsm-bench: microseconds per key generation,
 * encapsulation and decapsulation through crypto_mlkem768_* (the calls a TLS endpoint
 * makes, FIPS 203 input checks included, system randomness), next to Go's crypto/mlkem
 * measured in the same rotation by the helper program bench/mlkem_go (built by
 * scripts/bench.sh, given with --go-mlkem PATH).
 *
 * The operations are timed as TLS uses them: keygen (client key share), encapsulation to
 * the client's encapsulation-key bytes (server; Go parses them with
 * NewEncapsulationKey768 first, tlsm checks them), decapsulation with the key kept from
 * keygen (client; Go keeps a parsed key with the matrix A expanded, tlsm keeps FIPS 203's
 * 2400-byte form, checks its hash and samples A again).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "crypto/crypto.h"

enum { OP_KEYGEN, OP_ENCAPS, OP_DECAPS, OP_N };
static const char *const op_names[OP_N] = {"keygen", "encaps", "decaps"};

static uint8_t ek[CRYPTO_MLKEM768_EK_LEN], dk[CRYPTO_MLKEM768_DK_LEN],
    ct[CRYPTO_MLKEM768_CT_LEN], ss[CRYPTO_MLKEM768_SS_LEN];
static uint8_t kg_ek[CRYPTO_MLKEM768_EK_LEN], kg_dk[CRYPTO_MLKEM768_DK_LEN],
    en_ct[CRYPTO_MLKEM768_CT_LEN];

static int run_op(int op)
{
    switch (op) {
    case OP_KEYGEN: return crypto_mlkem768_keygen(NULL, kg_ek, kg_dk);
    case OP_ENCAPS: return crypto_mlkem768_encaps(NULL, ek, sizeof ek, en_ct, ss);
    default: return crypto_mlkem768_decaps(dk, sizeof dk, ct, sizeof ct, ss);
    }
}

/* Microseconds per call of op over about ms milliseconds. */
static double time_op(int op, int ms)
{
    uint64_t t0 = bench_now_ns(), end = t0 + (uint64_t)ms * 1000000u, n = 0, now;
    do {
        for (int i = 0; i < 16; i++)
            if (run_op(op) != 0) {
                fprintf(stderr, "tlsm-bench: ML-KEM %s failed\n", op_names[op]);
                exit(1);
            }
        n += 16;
        now = bench_now_ns();
    } while (now < end);
    return (double)(now - t0) / 1e3 / (double)n;
}

/* One run of the Go helper: fills go[OP_N]; 0 or -1. */
static int go_run(const char *helper, int ms, double go[OP_N])
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' -ms %d -runs 1", helper, ms);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    int n = fscanf(p, "go keygen %lf encaps %lf decaps %lf", &go[0], &go[1], &go[2]);
    int rc = pclose(p);
    return n == 3 && rc == 0 ? 0 : -1;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, dbl_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_mlkem(int runs, int ms, const char *go_helper)
{
    double t[OP_N][BENCH_MAX_RUNS], g[OP_N][BENCH_MAX_RUNS], go[OP_N];
    int have_go = go_helper != NULL;
    if (crypto_mlkem768_keygen(NULL, ek, dk) != 0 ||
        crypto_mlkem768_encaps(NULL, ek, sizeof ek, ct, ss) != 0) {
        fprintf(stderr, "tlsm-bench: ML-KEM-768 set-up failed\n");
        exit(1);
    }
    for (int op = 0; op < OP_N; op++) /* warm-up */
        (void)time_op(op, ms / 5 + 1);
    for (int r = 0; r < runs; r++) {
        for (int op = 0; op < OP_N; op++)
            t[op][r] = time_op(op, ms);
        if (have_go && go_run(go_helper, ms, go) != 0) {
            fprintf(stderr, "tlsm-bench: %s did not run; Go's figures are left out\n", go_helper);
            have_go = 0;
        }
        for (int op = 0; have_go && op < OP_N; op++)
            g[op][r] = go[op];
    }
    printf("\nML-KEM-768 in tlsm (implementation: %s) vs Go crypto/mlkem, median of %d "
           "interleaved runs of %d ms per operation\n", crypto_mlkem768_backend(), runs, ms);
    printf("  %-8s %10s %10s %8s\n", "", "tlsm us", "Go us", "tlsm/Go");
    double worst = 0;
    for (int op = 0; op < OP_N; op++) {
        double tm = median_of(t[op], runs);
        if (have_go) {
            double gm = median_of(g[op], runs);
            printf("  %-8s %10.1f %10.1f %8.2f\n", op_names[op], tm, gm, tm / gm);
            if (tm / gm > worst)
                worst = tm / gm;
        } else {
            printf("  %-8s %10.1f %10s %8s\n", op_names[op], tm, "-", "-");
        }
    }
    if (!have_go)
        printf("  (no Go helper: run scripts/bench.sh with Go installed, or pass --go-mlkem)\n");
    return have_go ? worst : 0;
}
