/*
 * corpus.c - making and finding the generated PKI corpus; reading test files (corpus.h).
 */
#include "corpus.h"

#include "tlsm.h"

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

/* ------------------------------------------------------------------ the manifest */

static const struct {
    const char *name;
    int code;
} CODES[] = {
    {"OK", 0},
    {"PARSE", TLSM_ERR_CERT_PARSE},
    {"UNKNOWN_ISSUER", TLSM_ERR_CERT_UNKNOWN_ISSUER},
    {"SIGNATURE", TLSM_ERR_CERT_SIGNATURE},
    {"EXPIRED", TLSM_ERR_CERT_EXPIRED},
    {"NOT_YET_VALID", TLSM_ERR_CERT_NOT_YET_VALID},
    {"NOT_CA", TLSM_ERR_CERT_NOT_CA},
    {"PATH_LEN", TLSM_ERR_CERT_PATH_LEN},
    {"USAGE", TLSM_ERR_CERT_USAGE},
    {"NAME_MISMATCH", TLSM_ERR_CERT_NAME_MISMATCH},
    {"UNSUPPORTED_ALG", TLSM_ERR_CERT_UNSUPPORTED_ALG},
    {"CRITICAL_EXT", TLSM_ERR_CERT_CRITICAL_EXT},
    {"WEAK_KEY", TLSM_ERR_CERT_WEAK_KEY},
    {"NAME_CONSTRAINT", TLSM_ERR_CERT_NAME_CONSTRAINT},
    {"BAD_SERIAL", TLSM_ERR_CERT_BAD_SERIAL},
    {"BAD_TIME", TLSM_ERR_CERT_BAD_TIME},
    {"BAD_DNS_NAME", TLSM_ERR_CERT_BAD_DNS_NAME},
    {"LEAF_NAME_CONSTRAINTS", TLSM_ERR_CERT_LEAF_NAME_CONSTRAINTS},
    {"BC_NOT_CRITICAL", TLSM_ERR_CERT_BC_NOT_CRITICAL},
    {"LEAF_IS_CA", TLSM_ERR_CERT_LEAF_IS_CA},
    {"EMPTY_SUBJECT", TLSM_ERR_CERT_EMPTY_SUBJECT},
    {"NC_UNSUPPORTED_NAME", TLSM_ERR_CERT_NC_UNSUPPORTED_NAME},
};

int corpus_code_of(const char *name)
{
    for (size_t i = 0; i < sizeof(CODES) / sizeof(CODES[0]); i++)
        if (strcmp(CODES[i].name, name) == 0)
            return CODES[i].code;
    cr_assert_fail("unknown outcome %s in cases.txt", name);
    return 1;
}

const char *corpus_code_name(int code)
{
    for (size_t i = 0; i < sizeof(CODES) / sizeof(CODES[0]); i++)
        if (CODES[i].code == code)
            return CODES[i].name;
    return "?";
}

int corpus_parse_line(char *line, corpus_case *c)
{
    memset(c, 0, sizeof(*c));
    c->at = INT64_C(1893456000); /* 2030-01-01 */
    char *save = NULL, *tok[16];
    int n = 0;
    for (char *t = strtok_r(line, " \t\n", &save); t && n < 16; t = strtok_r(NULL, " \t\n", &save))
        tok[n++] = t;
    if (n == 0 || tok[0][0] == '#')
        return 0;
    cr_assert_geq(n, 7, "short line in cases.txt: %s", tok[0]);
    char *fields[] = {c->name, c->chain, c->anchors, c->host, c->purpose, c->expect, c->openssl};
    size_t sizes[] = {sizeof c->name, sizeof c->chain, sizeof c->anchors, sizeof c->host,
                      sizeof c->purpose, sizeof c->expect, sizeof c->openssl};
    for (int i = 0; i < 7; i++) {
        size_t k = strlen(tok[i]);
        cr_assert_lt(k, sizes[i], "field too long in cases.txt: %s", tok[i]);
        memcpy(fields[i], tok[i], k + 1);
    }
    for (int i = 7; i < n; i++) {
        if (strncmp(tok[i], "at=", 3) == 0)
            c->at = strtoll(tok[i] + 3, NULL, 10);
        else if (strncmp(tok[i], "rsa=", 4) == 0)
            c->min_rsa = strtoul(tok[i] + 4, NULL, 10);
        else if (strncmp(tok[i], "depth=", 6) == 0)
            c->depth = strtoul(tok[i] + 6, NULL, 10);
        else
            cr_assert_fail("%s: unknown option %s", c->name, tok[i]);
    }
    char exp[48];
    memcpy(exp, c->expect, sizeof exp);
    char *at = strchr(exp, '@');
    if (at) {
        *at = 0;
        c->bad = strtoul(at + 1, NULL, 10);
    }
    c->code = corpus_code_of(exp);
    return 1;
}
