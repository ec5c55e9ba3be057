/*
 * wycheproof.h - the runner for Project Wycheproof vector files (../shared/vectors/
 * wycheproof), shared by the Criterion suites that read them (test_wycheproof.c for the
 * classical primitives, test_mlkem.c for ML-KEM-768).
 *
 * A suite supplies one function per file that runs one vector through tlsm and reports
 * the outcome; wycheproof_run_file walks every test group and test, applies the policy
 * below, prints one summary line and returns the counts. Policy: every vector labelled
 * "valid" must be accepted with the expected output and every "invalid" one rejected;
 * "acceptable" ones may go either way, but whatever is accepted must give the expected
 * output, and a runner can set must_reject when TLS requires rejection whatever the label.
 *
 * A missing file skips the test visibly (shared/vectors is not part of the repository),
 * except under CI=true, where the vectors must be there and a missing file fails.
 */
#ifndef TLSM_TEST_WYCHEPROOF_H
#define TLSM_TEST_WYCHEPROOF_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

typedef enum { OUT_REJECTED, OUT_ACCEPTED, OUT_WRONG_OUTPUT, OUT_NOT_APPLICABLE } outcome;

typedef struct {
    const json_value *group, *test;
    int must_reject; /* set by a runner when TLS requires rejection whatever the label */
} vector;

typedef outcome (*wycheproof_runner)(vector *v);

typedef struct {
    size_t total, valid_ok, invalid_rejected, acc_accepted, acc_rejected, not_applicable,
        tls_rejected;
} wycheproof_counts;

/* Runs every vector of TLSM_VECTORS_DIR/wycheproof/<name> through fn, asserting the policy
 * above, and prints "wycheproof [<label>: ]<name>: N valid ok, N invalid rejected, ...".
 * label (may be NULL) tells apart several runs of one file; policy describes what was
 * done with "acceptable" vectors. Fails the test if the file has no vectors. */
wycheproof_counts wycheproof_run_file(const char *name, const char *label, wycheproof_runner fn,
                                      const char *policy);

/* Decodes a hex member of obj; fails the test if it is missing or malformed. Free with
 * free(). */
uint8_t *wp_hex(const json_value *obj, const char *key, size_t *len);
/* A string member of obj; fails the test if it is missing. */
const char *wp_str(const json_value *obj, const char *key);
/* 1 if the two byte strings are equal (lengths included). */
int wp_same(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

#endif
