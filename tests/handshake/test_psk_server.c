/*
 * test_psk_server.c - what a tlsm server does with a client's PSK offer and its
 * psk_key_exchange_modes (RFC 8446 s.4.1.2, s.4.2.9, s.4.2.11): the identities and binders
 * counted, a binder of the wrong length refused as one that does not validate, a second
 * ClientHello that drops the PSK the first had usable refused, no tickets for a client
 * that cannot use them, a TLS 1.2 handshake that ignores the extension, and no server_name
 * acknowledgement on resumption.
 *
 * The offers are rewritten in flight (hello_edit.h): the server judges them before the
 * client's transcript matters, so the tests look at the reason it failed with or at what
 * it answered.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "hello_edit.h"
#include "internal.h"
#include "pair.h"

#define EXT_SERVER_NAME 0
#define EXT_PRE_SHARED_KEY 41
#define HS_CLIENT_HELLO 1
#define HS_SERVER_HELLO 2
#define HS_NEW_SESSION_TICKET 4

typedef void (*psk_edit_fn)(ch_parts *ch);

typedef struct {
    psk_edit_fn edit;
    size_t hello; /* which ClientHello to rewrite (0: the first) */
    size_t seen;  /* ClientHellos seen */
    pair_buf s2c; /* the server's plaintext handshake bytes */
} psk_edit;

static void psk_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *vctx)
{
    (void)p;
    (void)index;
    psk_edit *e = vctx;
    if (dir == PAIR_S2C && pair_record_type(rec) == 22) {
        pair_buf_append(&e->s2c, rec->data + 5, pair_record_body_len(rec));
        return;
    }
    if (dir != PAIR_C2S || pair_record_type(rec) != 22 || rec->len < 6 ||
        rec->data[5] != HS_CLIENT_HELLO || e->seen++ != e->hello || !e->edit)
        return;
    ch_parts ch;
    ch_extra x = {0};
    ch_split(rec, &ch);
    e->edit(&ch);
    ch_join(&ch, &x, rec);
    ch_free(&ch);
}

static void expect_server_failed(pair *p, const char *why, int alert)
{
    tlsm_error_detail d;
    cr_assert_eq(tlsm_conn_error_detail(p->side[PAIR_SERVER].conn, &d), 0, "the server did not fail");
    cr_assert_str_eq(d.reason, why, "server: %s (%s)", d.reason, d.text);
    cr_assert_eq(d.alert_sent, alert, "alert %u", d.alert_sent);
}

/* A first handshake on p (server options so), whose session the client keeps in sess. */
static void first_handshake(pair *p, const pair_opts *so, uint64_t seed, pair_buf *sess)
{
    pair_init(p, NULL, so, seed);
    pair_connect(p, PAIR_HOST);
    cr_assert_eq(pair_handshake(p), 0);
    cr_assert_eq(pair_get_session(p, sess), TLSM_OK);
}

/* The resumption: the same configs, the session offered, the edit hooked in. */
static int resume(pair *p, const pair_buf *sess, psk_edit *e)
{
    pair_connect(p, PAIR_HOST);
    cr_assert_eq(tlsm_conn_set_session(p->side[PAIR_CLIENT].conn, sess->data, sess->len), TLSM_OK);
    p->hook = psk_hook;
    p->hook_ctx = e;
    return pair_handshake(p);
}

/* ---------------------------------------------------------------- pre_shared_key edits */

/* The pre_shared_key extension: identities, then binders. */
static pair_buf *psk_ext(ch_parts *ch)
{
    cr_assert_gt(ch->n_ext, 0);
    cr_assert_eq(ch->ext_type[ch->n_ext - 1], EXT_PRE_SHARED_KEY, "the PSK is not last");
    return &ch->ext[ch->n_ext - 1];
}

/* Rebuilds the extension from its identities and a new binders list. */
static void set_binders(pair_buf *ext, const uint8_t *binders, size_t n)
{
    size_t ids = 2 + hello_get16(ext->data);
    pair_buf out = {0};
    pair_buf_append(&out, ext->data, ids);
    hello_put16(&out, n);
    pair_buf_append(&out, binders, n);
    pair_buf_set(ext, out.data, out.len);
    pair_buf_free(&out);
}

/* The binders list of the extension (without its length). */
static const uint8_t *binders_of(const pair_buf *ext, size_t *n)
{
    size_t ids = 2 + hello_get16(ext->data);
    *n = hello_get16(ext->data + ids);
    cr_assert_eq(ids + 2 + *n, ext->len);
    return ext->data + ids + 2;
}

/* The one binder one byte shorter (31 bytes for SHA-256): the list is then under the
 * syntax's 33-byte floor too. */
static void binder_short(ch_parts *ch)
{
    pair_buf *ext = psk_ext(ch);
    size_t n;
    const uint8_t *b = binders_of(ext, &n);
    cr_assert_eq(n, 1 + 32);
    uint8_t nb[32];
    nb[0] = 31;
    memcpy(nb + 1, b + 1, 31);
    set_binders(ext, nb, sizeof nb);
}

/* The one binder one byte longer, the real one plus a zero. */
static void binder_long(ch_parts *ch)
{
    pair_buf *ext = psk_ext(ch);
    size_t n;
    const uint8_t *b = binders_of(ext, &n);
    uint8_t nb[34];
    memcpy(nb, b, 33);
    nb[0] = 33;
    nb[33] = 0;
    set_binders(ext, nb, sizeof nb);
}

/* A second binder after the real one (two binders, one identity). */
static void binder_extra(ch_parts *ch)
{
    pair_buf *ext = psk_ext(ch);
    size_t n;
    const uint8_t *b = binders_of(ext, &n);
    uint8_t nb[66];
    memcpy(nb, b, 33);
    memcpy(nb + 33, b, 33);
    set_binders(ext, nb, sizeof nb);
}

/* No binder at all: an empty list. */
static void binders_empty(ch_parts *ch) { set_binders(psk_ext(ch), NULL, 0); }

/* The pre_shared_key extension left out. */
static void psk_dropped(ch_parts *ch)
{
    psk_ext(ch);
    pair_buf_free(&ch->ext[--ch->n_ext]);
}

/* s.4.2.11: "If this value does not validate, the server MUST abort the handshake"
 * (s.6.2: decrypt_error). A binder is an HMAC as long as its PSK's hash: one of another
 * length does not validate, whether it is short or long. */
Test(psk_server, binder_of_the_wrong_length_does_not_validate)
{
    psk_edit_fn edits[] = {binder_short, binder_long};
    for (size_t i = 0; i < 2; i++) {
        pair p;
        pair_buf sess = {0};
        first_handshake(&p, &(pair_opts){.key = PAIR_KEY_P256}, 11, &sess);
        psk_edit e = {.edit = edits[i]};
        cr_assert_neq(resume(&p, &sess, &e), 0);
        expect_server_failed(&p, "PSK_BINDER_INVALID", TLSM_ALERT_DECRYPT_ERROR);
        pair_buf_free(&e.s2c);
        pair_buf_free(&sess);
        pair_free(&p);
    }
}

/* A binder one byte long whose first bytes are the true HMAC over the hello as sent (only
 * a holder of the PSK can make one): it still does not validate, since a binder is exactly
 * as long as its hash; checking its first bytes alone would accept it. */
Test(psk_server, long_binder_with_a_valid_prefix_does_not_validate)
{
    pair p;
    pair_buf sess = {0};
    first_handshake(&p, &(pair_opts){.key = PAIR_KEY_P256}, 13, &sess);
    p.side[PAIR_CLIENT].cfg->shape.binder_extra = 1;
    psk_edit e = {0};
    cr_assert_neq(resume(&p, &sess, &e), 0);
    expect_server_failed(&p, "PSK_BINDER_INVALID", TLSM_ALERT_DECRYPT_ERROR);
    pair_buf_free(&e.s2c);
    pair_buf_free(&sess);
    pair_free(&p);
}

/* The same in the second ClientHello after a HelloRetryRequest. */
Test(psk_server, binder_of_the_wrong_length_after_a_retry)
{
    pair p;
    pair_buf sess = {0};
    first_handshake(&p, &(pair_opts){.key = PAIR_KEY_P256, .require_cookie = 1}, 12, &sess);
    psk_edit e = {.edit = binder_short, .hello = 1};
    cr_assert_neq(resume(&p, &sess, &e), 0);
    expect_server_failed(&p, "PSK_BINDER_INVALID", TLSM_ALERT_DECRYPT_ERROR);
    pair_buf_free(&e.s2c);
    pair_buf_free(&sess);
    pair_free(&p);
}

/* s.4.2.11: binders, "one for each value in the identities list"; a count that does not
 * match is illegal_parameter, an empty list a malformed extension. */
Test(psk_server, binders_counted_against_identities)
{
    pair p;
    pair_buf sess = {0};
    first_handshake(&p, &(pair_opts){.key = PAIR_KEY_P256}, 13, &sess);
    psk_edit e = {.edit = binder_extra};
    cr_assert_neq(resume(&p, &sess, &e), 0);
    expect_server_failed(&p, "PSK_BINDER_COUNT", TLSM_ALERT_ILLEGAL_PARAMETER);
    pair_buf_free(&e.s2c);
    psk_edit none = {.edit = binders_empty};
    cr_assert_neq(resume(&p, &sess, &none), 0);
    expect_server_failed(&p, "PSK_DECODE", TLSM_ALERT_DECODE_ERROR);
    pair_buf_free(&none.s2c);
    pair_buf_free(&sess);
    pair_free(&p);
}

/* s.4.1.2: the second ClientHello may update the pre_shared_key extension (ages,
 * binders, PSKs incompatible with the server's suite) but the PSK the server could take
 * from the first is compatible with its suite: dropping it is missing_extension. */
Test(psk_server, second_hello_dropping_a_usable_psk)
{
    pair p;
    pair_buf sess = {0};
    first_handshake(&p, &(pair_opts){.key = PAIR_KEY_P256, .require_cookie = 1}, 14, &sess);
    /* Unedited, the retry resumes. */
    psk_edit plain = {0};
    cr_assert_eq(resume(&p, &sess, &plain), 0, "%s", pair_reason(p.side[PAIR_SERVER].conn));
    cr_assert(tlsm_conn_resumed(p.side[PAIR_SERVER].conn));
    pair_buf_free(&plain.s2c);
    psk_edit e = {.edit = psk_dropped, .hello = 1};
    cr_assert_neq(resume(&p, &sess, &e), 0);
    expect_server_failed(&p, "CH2_PSK_DROPPED", TLSM_ALERT_MISSING_EXTENSION);
    pair_buf_free(&e.s2c);
    pair_buf_free(&sess);
    pair_free(&p);
}

/* A PSK the server could not take (another server's ticket) may go: the second hello is
 * answered with a ServerHello (the handshake then fails on the edited transcript). */
Test(psk_server, second_hello_dropping_an_unusable_psk)
{
    pair a, p;
    pair_buf sess = {0};
    first_handshake(&a, &(pair_opts){.key = PAIR_KEY_P256}, 15, &sess);
    pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256, .require_cookie = 1, .trace = 1}, 16);
    psk_edit e = {.edit = psk_dropped, .hello = 1};
    cr_assert_neq(resume(&p, &sess, &e), 0);
    cr_assert_str_neq(pair_reason(p.side[PAIR_SERVER].conn), "CH2_PSK_DROPPED");
    pair_collect(&p, PAIR_SERVER);
    size_t hellos = 0;
    for (size_t i = 0; pair_find_event(&p, PAIR_SERVER, TLSM_EV_MESSAGE_SENT, i); i++)
        hellos += pair_find_event(&p, PAIR_SERVER, TLSM_EV_MESSAGE_SENT, i)->msg_type ==
                  HS_SERVER_HELLO;
    cr_assert_eq(hellos, 2, "a HelloRetryRequest and a ServerHello");
    pair_buf_free(&e.s2c);
    pair_buf_free(&sess);
    pair_free(&a);
    pair_free(&p);
}

/* ---------------------------------------------------------------- tickets and modes */

/* A full TLS 1.3 handshake whose client sends psk_key_exchange_modes as given (NULL: its
 * default; n 0: none); returns the NewSessionTickets the client received. */
static size_t tickets_for_modes(const uint8_t *modes, size_t n)
{
    pair p;
    pair_init(&p, NULL, &(pair_opts){.key = PAIR_KEY_P256}, 21);
    p.side[PAIR_CLIENT].cfg->shape.psk_modes = modes;
    p.side[PAIR_CLIENT].cfg->shape.n_psk_modes = n;
    pair_connect(&p, PAIR_HOST);
    cr_assert_eq(pair_handshake(&p), 0, "%s", pair_reason(p.side[PAIR_SERVER].conn));
    cr_assert_eq(tlsm_conn_version(p.side[PAIR_CLIENT].conn), TLSM_TLS13);
    /* Let the tickets (sent after the client's Finished) arrive. */
    pair_pump(&p);
    pair_collect(&p, PAIR_CLIENT);
    size_t got = pair_count_events(&p, PAIR_CLIENT, TLSM_EV_NEW_TICKET);
    pair_free(&p);
    return got;
}

/* s.4.2.9: "Servers SHOULD NOT send NewSessionTicket with tickets that are not compatible
 * with the advertised modes"; tlsm's tickets resume with psk_dhe_ke (1) only. */
Test(psk_server, tickets_only_for_psk_dhe_ke)
{
    static const uint8_t dhe[] = {1}, psk_ke[] = {0}, unknown[] = {0x42}, both[] = {0, 1};
    cr_assert_gt(tickets_for_modes(NULL, 0), 0, "the default offer gets tickets");
    cr_assert_gt(tickets_for_modes(dhe, 1), 0);
    cr_assert_gt(tickets_for_modes(both, 2), 0);
    cr_assert_eq(tickets_for_modes(psk_ke, 1), 0, "psk_ke only");
    cr_assert_eq(tickets_for_modes(unknown, 1), 0, "an unknown mode only");
    cr_assert_eq(tickets_for_modes(unknown, 0), 0, "no psk_key_exchange_modes");
}

/* ---------------------------------------------------------------- TLS 1.2 */

/* A malformed pre_shared_key, not last, in a hello that negotiates TLS 1.2: the extension
 * is TLS 1.3's (RFC 8446 s.4.2: "Servers MUST ignore unrecognized extensions" holds for
 * TLS 1.2, RFC 5246 s.7.4.1.4), so the server answers with its ServerHello. */
static void add_bad_psk(ch_parts *ch, ch_extra *x)
{
    (void)ch;
    static const uint8_t ext[] = {0, EXT_PRE_SHARED_KEY, 0, 3, 0xde, 0xad, 0x01};
    pair_buf_set(&x->front, ext, sizeof ext);
}

Test(psk_server, tls12_ignores_pre_shared_key)
{
    pair p;
    pair_init(&p, &(pair_opts){.max_version = TLSM_TLS12}, &(pair_opts){.key = PAIR_KEY_P256}, 31);
    pair_connect(&p, PAIR_HOST);
    hello_edit e;
    hello_edit_run(&p, &e, add_bad_psk);
    size_t n = 0;
    const uint8_t *sh = hello_server_msg(&e, HS_SERVER_HELLO, &n);
    cr_assert_not_null(sh, "no ServerHello: %s", pair_reason(p.side[PAIR_SERVER].conn));
    cr_assert_geq(n, 2);
    cr_assert_eq(hello_get16(sh), TLSM_TLS12);
    cr_assert(strncmp(pair_reason(p.side[PAIR_SERVER].conn), "PSK", 3) &&
                  strncmp(pair_reason(p.side[PAIR_SERVER].conn), "CH_PSK", 6),
              "%s", pair_reason(p.side[PAIR_SERVER].conn));
    hello_edit_free(&e);
    pair_free(&p);
}
