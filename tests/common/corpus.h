/*
 * corpus.h - the generated PKI corpus (tests/pki/gen-cases.sh) and file reading, shared by
 * the PKI test binaries. The corpus is made once per binary into a temporary directory,
 * or taken from $TLSM_PKI_CORPUS when the test command already made it (then it is left
 * in place: whoever made it removes it).
 */
#ifndef TLSM_TEST_CORPUS_H
#define TLSM_TEST_CORPUS_H

#include <stddef.h>
#include <stdint.h>

/* Makes (or finds) the corpus; exits the process with a message if gen-cases.sh fails.
 * `who` names the test binary in messages. Returns the directory. */
const char *corpus_setup(const char *who);
/* Removes the corpus if corpus_setup made it. */
void corpus_teardown(void);
/* The corpus directory (from the environment, so test processes see it too). */
const char *corpus_dir(void);
/* One manifest line (cases.txt, see gen-cases.sh): name chain anchors host purpose
 * expect[@bad] openssl [at=T] [rsa=BITS] [depth=N]. */
typedef struct {
    char name[64], chain[64], anchors[256], host[128], purpose[16], expect[48], openssl[16];
    int64_t at;        /* validation time (default 2030-01-01) */
    size_t min_rsa, depth;
    int code;          /* expected TLSM_ERR_CERT_* (0 = OK) */
    size_t bad;        /* expected index at fault */
} corpus_case;

/* Parses one line in place; returns 0 for blank and comment lines, 1 for a case. */
int corpus_parse_line(char *line, corpus_case *c);
/* The manifest's outcome names and TLSM_ERR_CERT_* codes, both ways ("?" if unknown). */
int corpus_code_of(const char *name);
const char *corpus_code_name(int code);

/* Reads a whole file into a NUL-terminated malloc'ed buffer (a Criterion assertion fails
 * if it cannot). */
uint8_t *test_read_file(const char *path, size_t *len);

#endif
