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
/* Reads a whole file into a NUL-terminated malloc'ed buffer (a Criterion assertion fails
 * if it cannot). */
uint8_t *test_read_file(const char *path, size_t *len);

#endif
