/*
 * ossl_side.c - the OpenSSL half of tlsm-bench, set up like the tlsm half: the same
 * certificates (chain leaf + intermediate, root as the only trust anchor), the same single
 * version, suite and group (X25519), host name set for SNI and checked (SSL_set1_host),
 * one TLS 1.3 ticket per connection, tickets off on the server for the session-id case.
 *
 * The network is the same pair of in-memory pipes, reached through a minimal BIO whose
 * read and write copy out of and into a pipe (like a BIO pair: one copy each way).
 */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct ossl_env {
    const scenario *sc;
    SSL_CTX *cctx, *sctx;
    SSL_SESSION *session;
    SSL *c, *s;  /* bulk: the established pair */
    bench_pipe c2s, s2c;
    uint8_t *buf, *rbuf;
    uint64_t received;
};

static char err[256];
static BIO_METHOD *pipe_method;

static int fail(const char *what)
{
    unsigned long e = ERR_get_error();
    char detail[160] = "";
    if (e)
        ERR_error_string_n(e, detail, sizeof detail);
    snprintf(err, sizeof err, "openssl: %s%s%s", what, e ? ": " : "", detail);
    ERR_clear_error();
    return -1;
}

const char *ossl_env_error(void)
{
    return err;
}

const char *ossl_version(void)
{
    return OpenSSL_version(OPENSSL_VERSION);
}

static int pipe_write(BIO *b, const char *in, int n)
{
    BIO_clear_retry_flags(b);
    bench_pipe_push(BIO_get_data(b), (const uint8_t *)in, (size_t)n);
    return n;
}

static int pipe_read(BIO *b, char *out, int n)
{
    bench_pipe *p = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (p->len == 0) {
        BIO_set_retry_read(b);
        return -1;
    }
    size_t k = p->len < (size_t)n ? p->len : (size_t)n;
    memcpy(out, p->data + p->off, k);
    bench_pipe_pop(p, k);
    return (int)k;
}

static long pipe_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_PENDING:
        return (long)((bench_pipe *)BIO_get_data(b))->len;
    default:
        return 0;
    }
}

static int pipe_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static BIO *pipe_bio(bench_pipe *p)
{
    if (pipe_method == NULL) {
        pipe_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "bench pipe");
        BIO_meth_set_write(pipe_method, pipe_write);
        BIO_meth_set_read(pipe_method, pipe_read);
        BIO_meth_set_ctrl(pipe_method, pipe_ctrl);
        BIO_meth_set_create(pipe_method, pipe_create);
    }
    BIO *b = BIO_new(pipe_method);
    if (b)
        BIO_set_data(b, p);
    return b;
}

static const char *const suite13[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                      "TLS_CHACHA20_POLY1305_SHA256"};

static SSL_CTX *make_ctx(const scenario *sc, int server)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (ctx == NULL)
        return NULL;
    int v = sc->tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    /* TLS 1.2 clients also list P-256: the curve of an ECDSA certificate must be among the
     * client's groups (RFC 8422 s.5.1); the key exchange is X25519 either way. */
    int ok = SSL_CTX_set_min_proto_version(ctx, v) && SSL_CTX_set_max_proto_version(ctx, v) &&
             SSL_CTX_set1_groups_list(ctx, sc->tls12 && !server ? "X25519:P-256" : "X25519");
    if (ok && sc->tls12)
        ok = SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256");
    else if (ok)
        ok = SSL_CTX_set_ciphersuites(ctx, suite13[sc->aead]);
    char path[1024];
    if (ok && server) {
        snprintf(path, sizeof path, "%s/server-%s.chain.pem", bench_pki_dir, sc->key);
        ok = SSL_CTX_use_certificate_chain_file(ctx, path) == 1;
        snprintf(path, sizeof path, "%s/server-%s.key", bench_pki_dir, sc->key);
        ok = ok && SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM) == 1 &&
             SSL_CTX_check_private_key(ctx) == 1 && SSL_CTX_set_num_tickets(ctx, 1) == 1;
        if (ok && sc->resume == RESUME_SESSION_ID)
            SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    } else if (ok) {
        snprintf(path, sizeof path, "%s/ca.crt", bench_pki_dir);
        ok = SSL_CTX_load_verify_locations(ctx, path, NULL) == 1;
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    if (!ok) {
        fail(server ? "server context" : "client context");
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Runs one step of SSL_do_handshake on `ssl`; 1 when done, 0 to go on, -1 on failure. */
static int step(SSL *ssl, int side, const char *who)
{
    bench_set_side(side);
    int r = SSL_do_handshake(ssl);
    int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl, r);
    bench_set_side(SIDE_NONE);
    if (r == 1)
        return 1;
    if (e == SSL_ERROR_WANT_READ)
        return 0;
    return fail(who);
}

/* Reads whatever plaintext (and post-handshake messages such as tickets) is there. */
static int drain(ossl_env *e, SSL *ssl, int side)
{
    for (;;) {
        bench_set_side(side);
        int r = SSL_read(ssl, e->rbuf, BENCH_BULK_BUF);
        int code = r > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, r);
        bench_set_side(SIDE_NONE);
        if (r > 0) {
            e->received += (uint64_t)r;
            continue;
        }
        if (code == SSL_ERROR_WANT_READ)
            return 0;
        return fail("read");
    }
}

/* Both sides close with close_notify (OpenSSL does not resume, nor keep in its server cache,
 * a session whose connection ended without one); nobody reads them: the pipes are emptied
 * for the next connection. */
static void close_pair(ossl_env *e, SSL *c, SSL *s)
{
    bench_set_side(SIDE_OSSL_CLIENT);
    if (c != NULL && SSL_is_init_finished(c))
        (void)SSL_shutdown(c);
    SSL_free(c);
    bench_set_side(SIDE_OSSL_SERVER);
    if (s != NULL && SSL_is_init_finished(s))
        (void)SSL_shutdown(s);
    SSL_free(s);
    bench_set_side(SIDE_NONE);
    bench_pipe_pop(&e->c2s, e->c2s.len);
    bench_pipe_pop(&e->s2c, e->s2c.len);
}

static int open_pair(ossl_env *e, SSL **pc, SSL **ps)
{
    /* The BIOs belong to the host's transport: charged to nobody. */
    BIO *c_in = pipe_bio(&e->s2c), *c_out = pipe_bio(&e->c2s);
    BIO *s_in = pipe_bio(&e->c2s), *s_out = pipe_bio(&e->s2c);
    bench_set_side(SIDE_OSSL_CLIENT);
    SSL *c = SSL_new(e->cctx);
    int ok = c && SSL_set_tlsext_host_name(c, BENCH_HOST) && SSL_set1_host(c, BENCH_HOST);
    if (ok && e->session)
        ok = SSL_set_session(c, e->session);
    bench_set_side(SIDE_OSSL_SERVER);
    SSL *s = SSL_new(e->sctx);
    bench_set_side(SIDE_NONE);
    if (!ok || s == NULL || !c_in || !c_out || !s_in || !s_out) {
        BIO_free(c_in);
        BIO_free(c_out);
        BIO_free(s_in);
        BIO_free(s_out);
        close_pair(e, c, s);
        return fail("SSL_new");
    }
    SSL_set_bio(c, c_in, c_out);
    SSL_set_bio(s, s_in, s_out);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    int done_c = 0, done_s = 0, rc = 0;
    for (int i = 0; i < 64 && !(done_c && done_s) && rc == 0; i++) {
        if (!done_c && (done_c = step(c, SIDE_OSSL_CLIENT, "client handshake")) < 0)
            rc = -1;
        if (!rc && !done_s && (done_s = step(s, SIDE_OSSL_SERVER, "server handshake")) < 0)
            rc = -1;
    }
    /* The client reads the server's last flight (TLS 1.3 NewSessionTicket). */
    if (!rc && done_c && done_s)
        rc = drain(e, c, SIDE_OSSL_CLIENT);
    else if (!rc)
        rc = fail("handshake did not finish");
    if (!rc && SSL_get_verify_result(c) != X509_V_OK)
        rc = fail("certificate not verified");
    if (!rc && e->session && !SSL_session_reused(c))
        rc = fail("session not resumed");
    if (rc) {
        close_pair(e, c, s);
        return rc;
    }
    *pc = c;
    *ps = s;
    return 0;
}

ossl_env *ossl_env_new(const scenario *sc)
{
    ossl_env *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->sc = sc;
    bench_pipe_init(&e->c2s, 1 << 18);
    bench_pipe_init(&e->s2c, 1 << 18);
    e->buf = calloc(1, BENCH_BULK_BUF);
    e->rbuf = calloc(1, BENCH_BULK_BUF);
    e->cctx = make_ctx(sc, 0);
    e->sctx = e->cctx ? make_ctx(sc, 1) : NULL;
    int rc = e->sctx && e->buf && e->rbuf ? 0 : -1;
    if (!rc && sc->resume != RESUME_NONE) {
        SSL *c, *s;
        rc = open_pair(e, &c, &s);
        if (!rc) {
            e->session = SSL_get1_session(c);
            if (e->session == NULL || !SSL_SESSION_is_resumable(e->session))
                rc = fail("no resumable session");
            close_pair(e, c, s);
        }
    }
    if (!rc && sc->kind == KIND_BULK)
        rc = open_pair(e, &e->c, &e->s);
    if (rc) {
        ossl_env_free(e);
        return NULL;
    }
    return e;
}

void ossl_env_free(ossl_env *e)
{
    if (e == NULL)
        return;
    if (e->c)
        close_pair(e, e->c, e->s);
    SSL_SESSION_free(e->session);
    SSL_CTX_free(e->cctx);
    SSL_CTX_free(e->sctx);
    free(e->buf);
    free(e->rbuf);
    bench_pipe_free(&e->c2s);
    bench_pipe_free(&e->s2c);
    free(e);
}

int ossl_env_handshake(ossl_env *e)
{
    SSL *c, *s;
    int rc = open_pair(e, &c, &s);
    if (rc)
        return rc;
    /* TLS 1.3 tickets are single use (OpenSSL marks a resumed session not resumable): the
     * next connection offers the ticket this one received, as a real client would. */
    if (e->session && !e->sc->tls12) {
        SSL_SESSION *next = SSL_get1_session(c);
        if (next == NULL) {
            close_pair(e, c, s);
            return fail("no new session");
        }
        SSL_SESSION_free(e->session);
        e->session = next;
    }
    close_pair(e, c, s);
    return 0;
}

int ossl_env_bulk(ossl_env *e, uint64_t bytes)
{
    uint64_t sent = 0, start = e->received;
    while (sent < bytes) {
        int n = bytes - sent < e->sc->chunk ? (int)(bytes - sent) : (int)e->sc->chunk;
        bench_set_side(SIDE_OSSL_CLIENT);
        int r = SSL_write(e->c, e->buf, n);
        bench_set_side(SIDE_NONE);
        if (r <= 0)
            return fail("write");
        sent += (uint64_t)r;
        if (drain(e, e->s, SIDE_OSSL_SERVER))
            return -1;
    }
    if (e->received - start != bytes) {
        snprintf(err, sizeof err, "openssl: bulk: %llu of %llu bytes arrived",
                 (unsigned long long)(e->received - start), (unsigned long long)bytes);
        return -1;
    }
    return 0;
}

int ossl_env_memory(ossl_env *e, bench_mem *m)
{
    static const int sides[2] = {SIDE_OSSL_CLIENT, SIDE_OSSL_SERVER};
    int64_t base[2];
    for (int w = 0; w < 2; w++) {
        base[w] = bench_heaps[sides[w]].live;
        bench_heap_reset_peak(sides[w]);
    }
    SSL *c, *s;
    int rc = open_pair(e, &c, &s);
    if (rc)
        return rc;
    for (int w = 0; w < 2; w++) {
        m->peak[w] = bench_heaps[sides[w]].peak - base[w];
        m->idle[w] = bench_heaps[sides[w]].live - base[w];
        m->record_bufs[w] = 0;
    }
    close_pair(e, c, s);
    return 0;
}
