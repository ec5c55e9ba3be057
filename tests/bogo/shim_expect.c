/*
 * shim_expect.c - what the runner's flags say must be true of a connection, checked
 * through tlsm's facts (tlsm_conn_version, _suite, _group, _peer_sigalg, _alpn, ...). The
 * checks and their order follow BoringSSL's shim (CheckHandshakeProperties and the end of
 * DoExchange in bssl_shim.cc); each prints the first mismatch on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "shim.h"

static int check_verify_result(const shim_opts *o, const shim_state *st)
{
    if (o->expect_verify_result && st->verify_failed != o->verify_fail) {
        shim_fail("wrong certificate verification result (%s, expected %s)",
                  st->verify_failed ? "failed" : "ok", o->verify_fail ? "failed" : "ok");
        return -1;
    }
    return 0;
}

/* The peer's chain must be the certificates of the file, in order. */
static int check_peer_cert_file(const shim_opts *o, tlsm_conn *c)
{
    if (!o->expect_peer_cert_file)
        return 0;
    cli_cert_list want = {0};
    if (cli_cert_list_add_file(&want, o->expect_peer_cert_file) != 0)
        return -1;
    int rc = 0;
    size_t n = tlsm_conn_peer_cert_count(c);
    if (n != want.n) {
        shim_fail("received a chain of %zu certificates instead of %zu", n, want.n);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t len = 0;
        const uint8_t *der = tlsm_conn_peer_cert(c, i, &len);
        if (!der || len != want.v[i].len || memcmp(der, want.v[i].der, len) != 0) {
            shim_fail("peer certificate %zu differs from %s", i, o->expect_peer_cert_file);
            rc = -1;
        }
    }
    cli_cert_list_free(&want);
    return rc;
}

static int check_numbers(const shim_opts *o, tlsm_conn *c)
{
    struct {
        const char *what;
        int want;
        unsigned got;
    } facts[] = {
        {"version", o->expect_version, tlsm_conn_version(c)},
        {"cipher suite", o->expect_cipher, tlsm_conn_suite(c)},
        {"curve_id", o->expect_curve_id, tlsm_conn_group(c)},
        {"peer signature algorithm", o->expect_peer_signature_algorithm, tlsm_conn_peer_sigalg(c)},
    };
    for (size_t i = 0; i < sizeof facts / sizeof *facts; i++) {
        if (facts[i].want != 0 && (unsigned)facts[i].want != facts[i].got) {
            shim_fail("%s was %04x, wanted %04x", facts[i].what, facts[i].got,
                      (unsigned)facts[i].want);
            return -1;
        }
    }
    return 0;
}

static int check_resumption(const shim_opts *o, tlsm_conn *c, int is_resume, const shim_state *st)
{
    int resumed = tlsm_conn_resumed(c);
    if (resumed != (is_resume && !o->expect_session_miss)) {
        shim_fail("session unexpectedly was%s reused", resumed ? "" : " not");
        return -1;
    }
    /* A TLS 1.2 client gets its session in the handshake (1.3 tickets come after it). */
    if (!o->is_server && tlsm_conn_version(c) < TLSM_TLS13) {
        int want = !o->expect_no_session && (!resumed || o->expect_ticket_renewal);
        if (want != st->new_session_at_handshake) {
            shim_fail("new session was%s cached, but we expected the opposite",
                      st->new_session_at_handshake ? "" : " not");
            return -1;
        }
    }
    return 0;
}

static int check_names(const shim_opts *o, tlsm_conn *c)
{
    if (o->expect_server_name) {
        const char *got = tlsm_conn_server_name(c);
        if (!got || strcmp(got, o->expect_server_name) != 0) {
            shim_fail("servername mismatch (got %s; want %s)", got ? got : "(none)",
                      o->expect_server_name);
            return -1;
        }
    }
    /* A server must report what it selected, a client what the test expects; no value
     * means no ALPN. */
    const char *want = o->is_server ? (o->decline_alpn ? NULL : o->select_alpn) : o->expect_alpn;
    size_t want_len = want ? strlen(want) : 0, got_len = 0;
    const uint8_t *got = tlsm_conn_alpn(c, &got_len);
    if (!got)
        got_len = 0;
    if (want_len != got_len || (want_len && memcmp(want, got, want_len) != 0)) {
        shim_fail("negotiated alpn proto mismatch (got '%.*s', want '%s')", (int)got_len,
                  got ? (const char *)got : "", want ? want : "");
        return -1;
    }
    return 0;
}

static int check_peer_certificate(const shim_opts *o, tlsm_conn *c)
{
    size_t n = tlsm_conn_peer_cert_count(c);
    if (o->expect_no_peer_cert && n != 0) {
        shim_fail("received unexpected peer certificate");
        return -1;
    }
    if (!o->expect_no_peer_cert && (!o->is_server || o->require_any_client_certificate) &&
        n == 0) {
        shim_fail("received no peer certificate but expected one");
        return -1;
    }
    return 0;
}

/* On the first connection: whether the server kept the session in its cache (it then
 * has an id; with a ticket it keeps nothing). */
static int check_session_id(const shim_opts *o, tlsm_conn *c, int is_resume)
{
    size_t len = 0;
    tlsm_conn_session_id(c, &len);
    if (!is_resume && o->expect_session_id && len == 0) {
        shim_fail("session was not cached on the server");
        return -1;
    }
    if (!is_resume && o->expect_no_session_id && len != 0) {
        shim_fail("session was unexpectedly cached on the server");
        return -1;
    }
    return 0;
}

static int check_ocsp(const shim_opts *o, tlsm_conn *c)
{
    if (!o->expect_ocsp_response)
        return 0;
    uint8_t *want = NULL;
    size_t want_len = 0, got_len = 0;
    if (shim_base64(o->expect_ocsp_response, &want, &want_len) != 0) {
        shim_fail("-expect-ocsp-response: not base64");
        return -1;
    }
    const uint8_t *got = tlsm_conn_ocsp_response(c, &got_len);
    int same = got_len == want_len && (!want_len || (got && !memcmp(got, want, want_len)));
    free(want);
    if (!same) {
        shim_fail("OCSP response mismatch");
        return -1;
    }
    return 0;
}

/* BoringSSL numbers the added credentials from 0 and reports -1 for the default one (which
 * the shim adds last) and when none was sent (tlsm_conn_identity). */
static int check_selected_credential(const shim_opts *o, tlsm_conn *c)
{
    if (!o->expect_selected_credential)
        return 0;
    int got = tlsm_conn_identity(c), want = atoi(o->expect_selected_credential);
    if (got >= (int)o->n_credentials)
        got = -1;
    if (got != want) {
        shim_fail("credential %d was used, wanted %d", got, want);
        return -1;
    }
    return 0;
}

static int check_hrr(const shim_opts *o, tlsm_conn *c)
{
    int hrr = tlsm_conn_hrr(c);
    if ((o->expect_hrr && !hrr) || (o->expect_no_hrr && hrr)) {
        shim_fail("got %sHRR, but wanted opposite", hrr ? "" : "no ");
        return -1;
    }
    return 0;
}

int shim_check_handshake(const shim_opts *o, tlsm_conn *c, int is_resume, const shim_state *st)
{
    if (check_verify_result(o, st) || check_peer_cert_file(o, c) || check_numbers(o, c) ||
        check_resumption(o, c, is_resume, st) || check_names(o, c) ||
        check_peer_certificate(o, c) || check_hrr(o, c) || check_selected_credential(o, c) ||
        check_ocsp(o, c) || check_session_id(o, c, is_resume))
        return -1;
    return 0;
}

int shim_check_end(const shim_opts *o, tlsm_conn *c, const shim_state *st)
{
    if (o->is_server)
        return 0;
    if (tlsm_conn_version(c) < TLSM_TLS13) {
        if (!o->implicit_handshake && st->got_new_session && !st->new_session_at_handshake) {
            shim_fail("new session was established after the handshake");
            return -1;
        }
        return 0;
    }
    /* TLS 1.3: the server's NewSessionTicket must have arrived by the end of the exchange. */
    int want = !o->expect_no_session && !o->shim_shuts_down;
    if (want != st->got_new_session) {
        shim_fail("new session was%s cached, but we expected the opposite",
                  st->got_new_session ? "" : " not");
        return -1;
    }
    return 0;
}
