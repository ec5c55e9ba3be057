/*
 * wycheproof.c - the Wycheproof file runner (see wycheproof.h).
 */
#include "wycheproof.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"

uint8_t *wp_hex(const json_value *obj, const char *key, size_t *len)
{
    const char *s = json_str(json_get(obj, key));
    cr_assert_not_null(s, "member %s missing", key);
    uint8_t *out = hex_decode(s, len);
    cr_assert_not_null(out, "member %s is not hex", key);
    return out;
}

const char *wp_str(const json_value *obj, const char *key)
{
    const char *s = json_str(json_get(obj, key));
    cr_assert_not_null(s, "member %s missing", key);
    return s;
}

int wp_same(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

/* Skips the test when the file is absent, or fails it under CI=true. */
static void require_file(const char *path)
{
    if (access(path, R_OK) == 0)
        return;
    const char *ci = getenv("CI");
    if (ci != NULL && strcmp(ci, "true") == 0)
        cr_assert_fail("Wycheproof vectors not found at %s, and CI=true requires them", path);
    cr_skip_test("Wycheproof vectors not found at %s (shared/vectors is absent)", path);
}

static void count(wycheproof_counts *c, const char *name, vector *v, outcome o)
{
    const char *result = wp_str(v->test, "result");
    int id = (int)json_num(json_get(v->test, "tcId"));
    c->total++;
    cr_assert_neq(o, OUT_WRONG_OUTPUT, "%s tcId %d: accepted with a wrong output", name, id);
    if (o == OUT_NOT_APPLICABLE) {
        c->not_applicable++;
    } else if (v->must_reject) {
        cr_assert_eq(o, OUT_REJECTED, "%s tcId %d (%s): TLS requires rejection", name, id, result);
        c->tls_rejected++;
    } else if (strcmp(result, "valid") == 0) {
        cr_assert_eq(o, OUT_ACCEPTED, "%s tcId %d: valid vector rejected", name, id);
        c->valid_ok++;
    } else if (strcmp(result, "invalid") == 0) {
        cr_assert_eq(o, OUT_REJECTED, "%s tcId %d: invalid vector accepted", name, id);
        c->invalid_rejected++;
    } else {
        cr_assert_str_eq(result, "acceptable", "%s tcId %d: unknown result", name, id);
        if (o == OUT_ACCEPTED)
            c->acc_accepted++;
        else
            c->acc_rejected++;
    }
}

wycheproof_counts wycheproof_run_file(const char *name, const char *label, wycheproof_runner fn,
                                      const char *policy)
{
    char path[512];
    snprintf(path, sizeof path, "%s/wycheproof/%s", TLSM_VECTORS_DIR, name);
    require_file(path);
    json_value *doc = json_parse_file(path);
    cr_assert_not_null(doc, "cannot parse %s", path);

    wycheproof_counts c = {0};
    const json_value *groups = json_get(doc, "testGroups");
    for (size_t g = 0; g < json_len(groups); g++) {
        const json_value *tests = json_get(json_at(groups, g), "tests");
        for (size_t t = 0; t < json_len(tests); t++) {
            vector v = {json_at(groups, g), json_at(tests, t), 0};
            count(&c, name, &v, fn(&v));
        }
    }
    json_free(doc);
    cr_assert_gt(c.total, 0, "%s has no vectors", name);
    cr_assert_eq(c.total, c.valid_ok + c.invalid_rejected + c.acc_accepted + c.acc_rejected +
                              c.not_applicable + c.tls_rejected);
    printf("wycheproof %s%s%s: %zu valid ok, %zu invalid rejected, %zu acceptable (policy: %s; "
           "%zu accepted, %zu rejected), %zu not applicable",
           label ? label : "", label ? ": " : "", name, c.valid_ok, c.invalid_rejected,
           c.acc_accepted + c.acc_rejected + c.tls_rejected, policy, c.acc_accepted,
           c.acc_rejected + c.tls_rejected, c.not_applicable);
    if (c.tls_rejected)
        printf(" [%zu with an all-zero shared secret rejected as TLS requires]", c.tls_rejected);
    printf("\n");
    fflush(stdout);
    return c;
}
