/*
 * test_early_data_skip.c - a TLS 1.3 server that does not accept 0-RTT skips the client's
 * early data (RFC 8446 s.4.2.10, issue 16 item 10): encrypted records it cannot
 * deprotect with the handshake key are dropped, up to 16 KiB; after a HelloRetryRequest
 * the application_data records before the second ClientHello are dropped the same way.
 * Past the budget the server aborts with unexpected_message; once a record deprotects,
 * nothing more is skipped; a second ClientHello with early_data is illegal_parameter.
 *
 * The client announces early data through an internal test knob (cfg->shape); the early
 * records themselves are opaque bytes the test puts after the ClientHello, which is all
 * a server that refused 0-RTT can see of them.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hello_edit.h"
#include "internal.h"
#include "pair.h"

#define EXT_EARLY_DATA 42

typedef struct {
    size_t n, size;     /* early records after the first ClientHello, and their body size */
    int after_finished; /* one more undecryptable record after the client's Finished */
    int ch2_early;      /* put early_data into the second ClientHello */
    int ch2_split;      /* an early record between two fragments of the second hello */
    size_t c2s_hs;      /* client handshake records seen */
} early;

static void add_records(pair_buf *rec, size_t n, size_t size)
{
    uint8_t body[4096];
    cr_assert_leq(size, sizeof body);
    for (size_t i = 0; i < size; i++)
        body[i] = (uint8_t)(i * 31 + n);
    for (size_t i = 0; i < n; i++) {
        pair_buf r = {0};
        pair_make_record(&r, 23, 0x0303, body, size);
        pair_buf_append(rec, r.data, r.len);
        pair_buf_free(&r);
    }
}

static void early_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx)
{
    (void)p;
    early *e = ctx;
    if (dir != PAIR_C2S)
        return;
    int hello = pair_record_type(rec) == 22 && rec->len > 5 && rec->data[5] == 1;
    if (index == 0 && hello) {
        add_records(rec, e->n, e->size);
    } else if (hello && e->ch2_split) {
        size_t body = pair_record_body_len(rec);
        pair_buf whole = {0}, out = {0};
        pair_buf_set(&whole, rec->data + 5, body);
        pair_make_record(&out, 22, 0x0303, whole.data, 16);
        add_records(&out, 1, 4);
        pair_buf tail = {0};
        pair_make_record(&tail, 22, 0x0303, whole.data + 16, body - 16);
        pair_buf_append(&out, tail.data, tail.len);
        pair_buf_set(rec, out.data, out.len);
        pair_buf_free(&whole);
        pair_buf_free(&out);
        pair_buf_free(&tail);
    } else if (hello && e->ch2_early) {
        ch_parts ch;
        ch_extra x = {0};
        ch_split(rec, &ch);
        hello_put16(&x.front, EXT_EARLY_DATA);
        hello_put16(&x.front, 0);
        ch_join(&ch, &x, rec);
        ch_free(&ch);
        pair_buf_free(&x.front);
    } else if (pair_record_type(rec) == 23 && e->after_finished && ++e->c2s_hs == 1) {
        /* The client's first protected record carries its Finished. */
        add_records(rec, 1, 100);
    }
}

/* Runs a handshake whose client announces 0-RTT; hrr: the server forces a retry. */
static int run(pair *p, early *e, int hrr)
{
    pair_opts so = {.key = PAIR_KEY_P256, .require_cookie = hrr};
    pair_init(p, NULL, &so, 3);
    p->side[PAIR_CLIENT].cfg->shape.send_early_data = 1;
    pair_connect(p, PAIR_HOST);
    p->hook = early_hook;
    p->hook_ctx = e;
    return pair_handshake(p);
}

static void expect_done(pair *p, int hrr, const char *w)
{
    cr_assert_eq(tlsm_conn_hrr(p->side[PAIR_SERVER].conn), hrr, "%s: retry", w);
    cr_assert_eq(pair_send(p, PAIR_CLIENT, (const uint8_t *)"after", 5), 0, "%s: send", w);
    cr_assert_eq(p->side[PAIR_SERVER].rx.len, 5, "%s: data after the handshake", w);
}

static void expect_server_failed(pair *p, const char *why, int alert)
{
    tlsm_error_detail d;
    cr_assert_eq(tlsm_conn_error_detail(p->side[PAIR_SERVER].conn, &d), 0);
    cr_assert_str_eq(d.reason, why, "server: %s (%s)", d.reason, d.text);
    cr_assert_eq(d.alert_sent, alert);
}

Test(early_data_skip, skipped_with_the_handshake_key)
{
    for (size_t n = 0; n <= 3; n++) {
        pair p;
        early e = {.n = n, .size = 1000};
        int rc = run(&p, &e, 0);
        cr_assert_eq(rc, 0, "%zu early records: %s", n, pair_reason(p.side[PAIR_SERVER].conn));
        expect_done(&p, 0, "no retry");
        pair_free(&p);
    }
}

/* Records too short to hold a tag do not deprotect either. */
Test(early_data_skip, short_records_skipped)
{
    pair p;
    early e = {.n = 3, .size = 4};
    cr_assert_eq(run(&p, &e, 0), 0, "%s", pair_reason(p.side[PAIR_SERVER].conn));
    expect_done(&p, 0, "short");
    pair_free(&p);
}

Test(early_data_skip, skipped_in_the_clear_after_a_retry)
{
    pair p;
    early e = {.n = 3, .size = 1000};
    int rc = run(&p, &e, 1);
    cr_assert_eq(rc, 0, "%s", pair_reason(p.side[PAIR_SERVER].conn));
    expect_done(&p, 1, "retry");
    pair_free(&p);
}

Test(early_data_skip, up_to_16_kib)
{
    for (int hrr = 0; hrr <= 1; hrr++) {
        pair p;
        early e = {.n = 4, .size = 4096}; /* exactly 16384 bytes */
        cr_assert_eq(run(&p, &e, hrr), 0, "hrr %d: %s", hrr,
                     pair_reason(p.side[PAIR_SERVER].conn));
        pair_free(&p);
        early more = {.n = 5, .size = 3300}; /* 16500 bytes */
        cr_assert_neq(run(&p, &more, hrr), 0);
        expect_server_failed(&p, "REC_EARLY_DATA_TOO_MUCH", TLSM_ALERT_UNEXPECTED_MESSAGE);
        pair_free(&p);
    }
}

Test(early_data_skip, nothing_skipped_once_a_record_deprotects)
{
    pair p;
    early e = {.n = 2, .size = 500, .after_finished = 1};
    cr_assert_neq(run(&p, &e, 0), 0);
    expect_server_failed(&p, "REC_BAD_MAC", TLSM_ALERT_BAD_RECORD_MAC);
    pair_free(&p);
}

Test(early_data_skip, second_client_hello_with_early_data)
{
    pair p;
    early e = {.n = 1, .size = 100, .ch2_early = 1};
    cr_assert_neq(run(&p, &e, 1), 0);
    expect_server_failed(&p, "CH2_EARLY_DATA", TLSM_ALERT_ILLEGAL_PARAMETER);
    pair_free(&p);
}

/* s.5.1: nothing between the fragments of a handshake message, early data included. */
Test(early_data_skip, not_between_fragments_of_a_message)
{
    pair p;
    early e = {.n = 1, .size = 100, .ch2_split = 1};
    cr_assert_neq(run(&p, &e, 1), 0);
    expect_server_failed(&p, "REC_APPDATA_UNPROTECTED", TLSM_ALERT_UNEXPECTED_MESSAGE);
    pair_free(&p);
}

/* Without early_data in the ClientHello an undecryptable record is an attack, not early
 * data: bad_record_mac at once. */
Test(early_data_skip, not_skipped_without_the_extension)
{
    pair p;
    early e = {.n = 1, .size = 100};
    pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256}, 3);
    pair_connect(&p, PAIR_HOST);
    p.hook = early_hook;
    p.hook_ctx = &e;
    cr_assert_neq(pair_handshake(&p), 0);
    tlsm_error_detail d;
    cr_assert_eq(tlsm_conn_error_detail(p.side[PAIR_SERVER].conn, &d), 0);
    cr_assert(!strcmp(d.reason, "REC_BAD_MAC") || !strcmp(d.reason, "REC_APPDATA_UNPROTECTED"),
              "server: %s", d.reason);
    pair_free(&p);
}
