/*
 * test_hs_table.c - properties of the handshake driver's table (handshake/handshake.c) and
 * the state diagram drawn from it.
 *
 * The table lists, for every (state, message) pair the handshake accepts, the handler and
 * the states it may move to. Properties checked here:
 *  - every state is reachable from a start state (the client's first ClientHello, sent by
 *    hs_client_start, moves C_START to C_WAIT_SH; the server starts in S_WAIT_CH);
 *  - from every reachable state the handshake can still finish (DONE): no dead ends;
 *  - every row is reachable, takes each (state, message) pair once, and names only
 *    states that exist (nothing leaves DONE);
 *  - docs/handshake-states.md is the Mermaid diagram of exactly this table
 *    (TLSM_WRITE_DOCS=1 rewrites it).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/handshake.h"

static const hs_row *rows(size_t *n)
{
    const hs_row *t = hs_table(n);
    cr_assert_not_null(t);
    cr_assert_gt(*n, 20);
    return t;
}

static size_t next_count(const hs_row *r)
{
    size_t k = 0;
    while (k < HS_MAX_NEXT && (k == 0 || r->next[k] != HS_C_START))
        k++;
    return k;
}

/* reach[s] = 1 for every state reachable from the starts. */
static void reachable(int reach[HS_STATE_COUNT])
{
    size_t n;
    const hs_row *t = rows(&n);
    memset(reach, 0, HS_STATE_COUNT * sizeof *reach);
    reach[HS_C_START] = reach[HS_C_WAIT_SH] = reach[HS_S_WAIT_CH] = 1;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < n; i++) {
            if (!reach[t[i].state])
                continue;
            for (size_t k = 0; k < next_count(&t[i]); k++)
                if (!reach[t[i].next[k]])
                    reach[t[i].next[k]] = changed = 1;
        }
    }
}

Test(hs_table, every_state_is_reachable)
{
    int reach[HS_STATE_COUNT];
    reachable(reach);
    for (int s = 0; s < HS_STATE_COUNT; s++)
        cr_expect(reach[s], "state %s is never reached", hs_state_name((hs_state_id)s));
}

Test(hs_table, every_state_can_finish)
{
    size_t n;
    const hs_row *t = rows(&n);
    int done[HS_STATE_COUNT] = {0};
    done[HS_DONE] = 1;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < next_count(&t[i]) && !done[t[i].state]; k++)
                if (done[t[i].next[k]])
                    done[t[i].state] = changed = 1;
    }
    done[HS_C_START] = done[HS_C_WAIT_SH]; /* hs_client_start's step */
    int reach[HS_STATE_COUNT];
    reachable(reach);
    for (int s = 0; s < HS_STATE_COUNT; s++)
        if (reach[s])
            cr_expect(done[s], "state %s cannot reach DONE", hs_state_name((hs_state_id)s));
}

Test(hs_table, rows_are_unique_reachable_and_well_formed)
{
    size_t n;
    const hs_row *t = rows(&n);
    int reach[HS_STATE_COUNT];
    reachable(reach);
    for (size_t i = 0; i < n; i++) {
        cr_expect(reach[t[i].state], "row %zu (%s) is unreachable", i, t[i].name);
        cr_expect_neq(t[i].state, HS_DONE, "row %zu leaves DONE", i);
        cr_expect_not_null(t[i].fn, "row %zu has no handler", i);
        cr_expect_gt(next_count(&t[i]), 0, "row %zu lists no next state", i);
        for (size_t k = 0; k < next_count(&t[i]); k++)
            cr_expect_lt(t[i].next[k], HS_STATE_COUNT, "row %zu: next state out of range", i);
        for (size_t j = i + 1; j < n; j++)
            cr_expect(t[i].state != t[j].state || t[i].msg != t[j].msg,
                      "rows %zu and %zu take the same (state, message)", i, j);
    }
}

/* ------------------------------------------------------------------ the diagram */

static const char *msg_label(uint16_t msg)
{
    if (msg == HS_MSG_CCS)
        return "ChangeCipherSpec";
    if (msg == HS_MSG_SIGNED)
        return "tlsm_sign_done";
    return tlsm_message_name((uint8_t)msg);
}

static void put(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = realloc(*buf, *cap);
        cr_assert_not_null(*buf);
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

/* The document: a short text and one Mermaid stateDiagram per protocol part. */
static char *diagram(void)
{
    size_t n, len = 0, cap = 0;
    const hs_row *t = rows(&n);
    char *out = NULL, line[256];
    put(&out, &len, &cap,
        "# Handshake states\n\n"
        "Generated from the driver's table in `core/src/handshake/handshake.c` by\n"
        "`tests/handshake/test_hs_table.c` (run it with `TLSM_WRITE_DOCS=1` to rewrite this\n"
        "file; the test fails when the two differ). An arrow is a table row: the message that\n"
        "the state takes, and each state its handler may move to. Any other message in a\n"
        "state is `unexpected_message`. The client's first ClientHello (`hs_client_start`)\n"
        "moves `C_START` to `C_WAIT_SH`; the server starts in `S_WAIT_CH`.\n\n"
        "```mermaid\nstateDiagram-v2\n"
        "    [*] --> C_START\n    C_START --> C_WAIT_SH: send ClientHello\n"
        "    [*] --> S_WAIT_CH\n");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < next_count(&t[i]); k++) {
            snprintf(line, sizeof line, "    %s --> %s: %s (%s)\n", hs_state_name(t[i].state),
                     hs_state_name(t[i].next[k]), msg_label(t[i].msg), t[i].name);
            put(&out, &len, &cap, line);
        }
    put(&out, &len, &cap, "    DONE --> [*]\n```\n");
    return out;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = 0;
    fclose(f);
    return buf;
}

Test(hs_table, the_diagram_is_the_table)
{
    char *want = diagram();
    const char *path = TLSM_SOURCE_DIR "/docs/handshake-states.md";
    if (getenv("TLSM_WRITE_DOCS")) {
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f, "cannot write %s", path);
        fputs(want, f);
        fclose(f);
    }
    char *have = read_file(path);
    cr_assert_not_null(have, "%s is missing (TLSM_WRITE_DOCS=1 writes it)", path);
    cr_expect_str_eq(have, want, "%s is not the table's diagram: rerun with TLSM_WRITE_DOCS=1",
                     path);
    free(have);
    free(want);
}
