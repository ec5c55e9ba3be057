/*
 * replay.c - the committed inputs of one fuzz target, replayed as a Criterion suite under
 * the normal compiler (gcc, and gcc with ASan + UBSan in the sanitizer build): CMake links
 * this file with tests/fuzz/<FUZZ_TARGET>.c into test_replay_<FUZZ_TARGET>, so every
 * regression input (tests/fuzz/regressions/<target>/, the inputs that once found a bug or
 * a false alarm) and every seed (tests/fuzz/corpus/<target>/) runs on every test run, not
 * only when clang and libFuzzer are there. Each input is its own test; the target
 * abort()s on a broken expectation, which Criterion reports as a crash of that test. The
 * empty input is always one of them.
 *
 * As libFuzzer does: LLVMFuzzerInitialize (when the target has one) runs once before the
 * first input, and each input is passed in a heap buffer of exactly its size, so that the
 * sanitizer build sees a read past its end.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Weak: not every target defines it. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_DIR TLSM_SOURCE_DIR "/tests/fuzz"

typedef struct {
    char *path; /* "" for the empty input */
} replay_input;

static char *shared_strdup(const char *s)
{
    char *p = cr_malloc(strlen(s) + 1);
    cr_assert_not_null(p);
    strcpy(p, s);
    return p;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the regular files of dir (sorted) to *paths. */
static void list_dir(const char *dir, char ***paths, size_t *n, size_t *cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t first = *n;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 64;
            *paths = realloc(*paths, *cap * sizeof **paths);
            cr_assert_not_null(*paths);
        }
        size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
        char *p = malloc(len);
        cr_assert_not_null(p);
        snprintf(p, len, "%s/%s", dir, e->d_name);
        (*paths)[(*n)++] = p;
    }
    closedir(d);
    qsort(*paths + first, *n - first, sizeof **paths, by_name);
}

static void free_inputs(struct criterion_test_params *crp)
{
    replay_input *in = crp->params;
    for (size_t i = 0; i < crp->length; i++)
        cr_free(in[i].path);
    cr_free(in);
}

ParameterizedTestParameters(fuzz_replay, inputs)
{
    char **paths = NULL;
    size_t n = 0, cap = 0;
    list_dir(FUZZ_DIR "/regressions/" FUZZ_TARGET, &paths, &n, &cap);
    list_dir(FUZZ_DIR "/corpus/" FUZZ_TARGET, &paths, &n, &cap);
    replay_input *in = cr_calloc(n + 1, sizeof *in);
    cr_assert_not_null(in);
    in[0].path = shared_strdup("");
    for (size_t i = 0; i < n; i++) {
        in[i + 1].path = shared_strdup(paths[i]);
        free(paths[i]);
    }
    free(paths);
    return cr_make_param_array(replay_input, in, n + 1, free_inputs);
}

/* The whole file, in a heap buffer of exactly its size (one unused byte, as libFuzzer
 * passes a valid pointer, for an empty input). */
static uint8_t *read_input(const char *path, size_t *len)
{
    *len = 0;
    if (!path[0])
        return malloc(1);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    cr_assert_geq(size, 0);
    rewind(f);
    uint8_t *data = malloc(size ? (size_t)size : 1);
    cr_assert_not_null(data);
    cr_assert_eq(fread(data, 1, (size_t)size, f), (size_t)size, "short read of %s", path);
    fclose(f);
    *len = (size_t)size;
    return data;
}

ParameterizedTest(replay_input *in, fuzz_replay, inputs)
{
    cr_log_info("%s: %s", FUZZ_TARGET, in->path[0] ? in->path : "(the empty input)");
    if (LLVMFuzzerInitialize) {
        int argc = 1;
        char *argv0 = (char *)FUZZ_TARGET, **argv = &argv0;
        cr_assert_eq(LLVMFuzzerInitialize(&argc, &argv), 0);
    }
    size_t len = 0;
    uint8_t *data = read_input(in->path, &len);
    cr_assert_not_null(data);
    cr_assert_eq(LLVMFuzzerTestOneInput(data, len), 0, "%s", in->path);
    free(data);
}
