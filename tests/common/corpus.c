/*
 * corpus.c - making and finding the generated PKI corpus; reading test files (corpus.h).
 */
#include "corpus.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char made_dir[] = "/tmp/tlsm-pki-corpus-XXXXXX";
static int made;

const char *corpus_setup(const char *who)
{
    struct stat st;
    const char *given = getenv("TLSM_PKI_CORPUS");
    if (given && stat(given, &st) == 0 && S_ISDIR(st.st_mode))
        return given;
    char cmd[2048];
    if (!mkdtemp(made_dir)) {
        fprintf(stderr, "%s: mkdtemp failed\n", who);
        exit(1);
    }
    snprintf(cmd, sizeof cmd, "%s/tests/pki/gen-cases.sh %s >/dev/null", TLSM_SOURCE_DIR,
             made_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "%s: gen-cases.sh failed (is the openssl CLI installed?)\n", who);
        exit(1);
    }
    made = 1;
    /* Test processes (forked or spawned by the runner) find it through the environment. */
    setenv("TLSM_PKI_CORPUS", made_dir, 1);
    return made_dir;
}

void corpus_teardown(void)
{
    if (!made)
        return;
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", made_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", made_dir);
    made = 0;
}

const char *corpus_dir(void)
{
    const char *d = getenv("TLSM_PKI_CORPUS");
    cr_assert_not_null(d, "the corpus was not set up (corpus_setup in a PRE_ALL hook)");
    return d;
}

uint8_t *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    cr_assert_geq(n, 0);
    uint8_t *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}
