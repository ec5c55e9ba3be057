/*
 * server.c - `tlsm server`: an echo server. It listens (127.0.0.1 unless --host says
 * otherwise), prints "listening on ADDR:PORT" on stdout, and serves up to MAX_SESSIONS
 * clients at once from one poll() loop: every byte of application data a client sends is
 * written back to it, and when the client sends close_notify the server answers with its
 * own and closes the socket. With --once it serves exactly one connection and exits with
 * 0 if that connection ended with a clean close, 1 otherwise.
 * Sessions can be resumed by the clients it served: with tickets (the ticket key is drawn
 * when the server starts, so they last as long as the process) or, with --no-tickets, in
 * TLS 1.2 by session ID from the in-memory cache.
 * Progress is logged on stderr, one line per event, unless --quiet.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "net.h"
#include "stream.h"

#define MAX_SESSIONS 64

typedef struct {
    const char *cert, *key, *port, *host, *client_ca;
    int once, quiet, tls12, tls13, no_tickets;
    cli_tls_options tls;
} server_args;

typedef struct {
    cli_stream s;
    unsigned id;
    char peer[64];
    int handshake_done, peer_closed, close_sent;
    unsigned long long echoed;
} session;

static int quiet;

static void logf_(const session *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(const session *c, const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    fprintf(stderr, "tlsm server: #%u %s: ", c->id, c->peer);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: tlsm server --cert CHAIN --key KEY --port N [options]\n"
            "\n"
            "A TLS echo server: every byte a client sends is sent back to it, and the\n"
            "connection is closed with close_notify when the client closes. Several clients\n"
            "are served at once (up to %d). Prints 'listening on HOST:PORT' on stdout once\n"
            "ready (with --port 0 the system picks the port) and one line per connection\n"
            "event on stderr.\n"
            "\n"
            "Options:\n"
            "  --cert FILE        certificate chain, leaf first (PEM)\n"
            "  --key FILE         private key of the leaf (PEM: PKCS#8, SEC1 or PKCS#1)\n"
            "  --port N           TCP port (0 = any free port)\n"
            "  --host ADDR        address to listen on (default 127.0.0.1)\n"
            "  --alpn LIST        ALPN protocols accepted, in preference order; clients that\n"
            "                     offer none of them are refused (no_application_protocol)\n"
            "  --suite LIST       cipher suites in preference order (comma-separated)\n"
            "  --group LIST       key-exchange groups in preference order\n"
            "  --client-ca FILE   require a client certificate issued by a CA in FILE\n"
            "  --tls13            TLS 1.3 only\n"
            "  --tls12            TLS 1.2 only (default: both, TLS 1.3 preferred)\n"
            "  --no-tickets       send no session tickets: TLS 1.2 clients resume by\n"
            "                     session ID (server-side cache), TLS 1.3 ones cannot\n"
            "  --once             serve one connection, then exit (0 if it closed cleanly)\n"
            "  --quiet            do not log connections on stderr\n"
            "  -h, --help         show this help\n",
            MAX_SESSIONS);
}

enum { OPT_CERT = 256, OPT_KEY, OPT_PORT, OPT_HOST, OPT_ALPN, OPT_SUITE, OPT_GROUP,
       OPT_CLIENT_CA, OPT_ONCE, OPT_QUIET, OPT_TLS12, OPT_TLS13, OPT_NO_TICKETS };

static int parse_args(int argc, char **argv, server_args *a)
{
    static const struct option longopts[] = {
        {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},
        {"port", required_argument, NULL, OPT_PORT},
        {"host", required_argument, NULL, OPT_HOST},
        {"alpn", required_argument, NULL, OPT_ALPN},
        {"suite", required_argument, NULL, OPT_SUITE},
        {"group", required_argument, NULL, OPT_GROUP},
        {"client-ca", required_argument, NULL, OPT_CLIENT_CA},
        {"once", no_argument, NULL, OPT_ONCE},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"tls12", no_argument, NULL, OPT_TLS12},
        {"tls13", no_argument, NULL, OPT_TLS13},
        {"no-tickets", no_argument, NULL, OPT_NO_TICKETS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case OPT_CERT: a->cert = optarg; break;
        case OPT_KEY: a->key = optarg; break;
        case OPT_PORT: a->port = optarg; break;
        case OPT_HOST: a->host = optarg; break;
        case OPT_ALPN: bad = cli_opt_alpn(&a->tls, optarg); break;
        case OPT_SUITE: bad = cli_opt_suites(&a->tls, optarg); break;
        case OPT_GROUP: bad = cli_opt_groups(&a->tls, optarg); break;
        case OPT_CLIENT_CA: a->client_ca = optarg; break;
        case OPT_ONCE: a->once = 1; break;
        case OPT_QUIET: a->quiet = 1; break;
        case OPT_TLS12: a->tls12 = 1; break;
        case OPT_TLS13: a->tls13 = 1; break;
        case OPT_NO_TICKETS: a->no_tickets = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: return cli_usage_hint("server");
        }
        if (bad)
            return cli_usage_hint("server");
    }
    if (optind < argc) {
        cli_error("unexpected argument '%s'", argv[optind]);
        return cli_usage_hint("server");
    }
    if (!a->cert || !a->key || !a->port) {
        cli_error("--cert, --key and --port are required");
        return cli_usage_hint("server");
    }
    char *end;
    unsigned long port = strtoul(a->port, &end, 10);
    if (*a->port == '\0' || *end != '\0' || port > 65535) {
        cli_error("invalid port '%s'", a->port);
        return cli_usage_hint("server");
    }
    if (a->tls12 && a->tls13) {
        cli_error("--tls12 and --tls13 exclude each other");
        return cli_usage_hint("server");
    }
    if (!a->host)
        a->host = "127.0.0.1";
    return -1;
}

static tlsm_config *make_config(const server_args *a)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_SERVER);
    int rc;
    if (!cfg) {
        cli_error("out of memory");
        return NULL;
    }
    uint16_t v = a->tls12 ? TLSM_TLS12 : TLSM_TLS13;
    if ((a->tls12 || a->tls13) && (rc = tlsm_config_set_versions(cfg, v, v)) != 0) {
        cli_error("%s: %s", a->tls12 ? "--tls12" : "--tls13", tlsm_strerror(rc));
        goto fail;
    }
    if (cli_apply_tls_options(cfg, &a->tls) != 0 ||
        cli_load_identity_files(cfg, a->cert, a->key) != 0)
        goto fail;
    if (a->no_tickets && (rc = tlsm_config_set_tickets(cfg, 0)) != 0) {
        cli_error("--no-tickets: %s", tlsm_strerror(rc));
        goto fail;
    }
    if (a->client_ca) {
        if (cli_load_trust_file(cfg, a->client_ca) != 0)
            goto fail;
        if ((rc = tlsm_config_set_client_auth(cfg, 2)) != 0) {
            cli_error("--client-ca: %s", tlsm_strerror(rc));
            goto fail;
        }
    }
    return cfg;
fail:
    tlsm_config_free(cfg);
    return NULL;
}

/* Writes received plaintext back as far as the engine accepts it now; returns how much. */
static size_t echo(session *c)
{
    const uint8_t *p;
    size_t n = 0, total = 0;
    while ((p = tlsm_read_peek(c->s.conn, &n)) != NULL && n > 0) {
        size_t acc = 0;
        if (tlsm_write(c->s.conn, p, n, &acc) != 0 || acc == 0)
            break;
        if (tlsm_read_consume(c->s.conn, acc) != 0)
            break;
        total += acc;
    }
    c->echoed += total;
    return total;
}

static void handle_events(session *c)
{
    tlsm_event ev;
    while (tlsm_next_event(c->s.conn, &ev)) {
        if (ev.type == TLSM_EV_HANDSHAKE_DONE) {
            char desc[200];
            const char *sni = tlsm_conn_server_name(c->s.conn);
            c->handshake_done = 1;
            cli_describe_session(c->s.conn, desc, sizeof desc);
            logf_(c, "handshake done: %s, SNI %s%s", desc, sni ? sni : "none",
                  tlsm_conn_peer_cert_count(c->s.conn) ? ", client certificate verified" : "");
        } else if (ev.type == TLSM_EV_PEER_CLOSED) {
            c->peer_closed = 1;
        } else if (ev.type == TLSM_EV_ALERT && !ev.fatal && ev.alert != TLSM_ALERT_CLOSE_NOTIFY) {
            logf_(c, "client sent warning alert %s", tlsm_alert_name(ev.alert));
        }
    }
}

/* Advances one session. Returns 1 while it goes on, 0 after a clean close, -1 on failure. */
static int step(session *c)
{
    if (c->s.io_errno != 0) {
        logf_(c, "connection failed: %s", strerror(c->s.io_errno));
        return -1;
    }
    /* The engine takes no input while plaintext is unread, and reading plaintext lets it
     * process more (which may queue events, e.g. close_notify): repeat until quiet. */
    for (;;) {
        size_t before = c->s.in_len;
        stream_feed(&c->s);
        handle_events(c);
        size_t echoed = echo(c);
        if (echoed == 0 && c->s.in_len == before)
            break;
    }
    int err = tlsm_conn_error(c->s.conn);
    if (err != 0) {
        char why[400];
        stream_flush_wait(&c->s, 1000);
        cli_describe_failure(c->s.conn, err, why, sizeof why);
        logf_(c, "%s failed: %s", c->handshake_done ? "connection" : "handshake", why);
        return -1;
    }
    if (c->peer_closed && !c->close_sent && !(tlsm_status(c->s.conn) & TLSM_STATUS_HAS_PLAINTEXT)) {
        if (tlsm_close(c->s.conn) == 0)
            c->close_sent = 1;
    }
    if (stream_flush(&c->s) != 0) {
        logf_(c, "connection failed: %s", strerror(c->s.io_errno));
        return -1;
    }
    if (c->close_sent && !stream_output_pending(&c->s)) {
        logf_(c, "closed cleanly (%llu bytes echoed)", c->echoed);
        return 0;
    }
    if (c->s.eof_fed && !c->peer_closed) {
        logf_(c, "client closed the connection without close_notify (%s)",
              tlsm_strerror(c->s.eof_result ? c->s.eof_result : TLSM_ERR_TRUNCATED));
        return -1;
    }
    return 1;
}

/* A session whose echo waits only for room in the engine must be stepped again now. */
static int can_progress(session *c)
{
    unsigned st = tlsm_status(c->s.conn);
    return (st & TLSM_STATUS_HAS_PLAINTEXT) && (st & TLSM_STATUS_CAN_WRITE);
}

static session *accept_one(int lfd, tlsm_config *cfg, unsigned id)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd = accept(lfd, (struct sockaddr *)&ss, &len);
    if (fd >= 0 && net_set_nonblocking(fd) != 0) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && !quiet)
            fprintf(stderr, "tlsm server: accept: %s\n", strerror(errno));
        return NULL;
    }
    session *c = calloc(1, sizeof *c);
    tlsm_conn *conn = c ? tlsm_conn_new(cfg, NULL) : NULL;
    if (!conn) {
        if (!quiet)
            fprintf(stderr, "tlsm server: cannot create a connection: out of memory\n");
        free(c);
        close(fd);
        return NULL;
    }
    stream_init(&c->s, fd, conn);
    c->id = id;
    net_format_addr((struct sockaddr *)&ss, len, c->peer, sizeof c->peer);
    logf_(c, "connected");
    return c;
}

static void end_session(session *c)
{
    close(c->s.fd);
    tlsm_conn_free(c->s.conn);
    free(c);
}

static int serve(int lfd, tlsm_config *cfg, int once)
{
    session *sessions[MAX_SESSIONS];
    struct pollfd fds[MAX_SESSIONS + 1];
    size_t n = 0;
    unsigned next_id = 1;
    int accepting = 1;

    for (;;) {
        int again = 0;
        for (size_t i = 0; i < n;) {
            int r = step(sessions[i]);
            if (r <= 0) {
                end_session(sessions[i]);
                sessions[i] = sessions[--n];
                if (once)
                    return r == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
                continue;
            }
            again |= can_progress(sessions[i]);
            i++;
        }
        nfds_t nfds = 0;
        int listen_slot = accepting && n < MAX_SESSIONS;
        if (listen_slot)
            fds[nfds++] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (size_t i = 0; i < n; i++)
            fds[nfds++] = (struct pollfd){.fd = sessions[i]->s.fd,
                                          .events = stream_poll_events(&sessions[i]->s)};
        if (poll(fds, nfds, again ? 0 : -1) < 0) {
            if (errno == EINTR)
                continue;
            cli_error("poll: %s", strerror(errno));
            return CLI_EXIT_FAIL;
        }
        struct pollfd *sfds = fds + (listen_slot ? 1 : 0);
        for (size_t i = 0; i < n; i++) {
            if (sfds[i].revents)
                (void)stream_receive(&sessions[i]->s); /* step() reports io_errno */
        }
        if (listen_slot && (fds[0].revents & POLLIN)) {
            session *c = accept_one(lfd, cfg, next_id);
            if (c) {
                next_id++;
                sessions[n++] = c;
                if (once) {
                    accepting = 0;
                    close(lfd);
                }
            }
        }
    }
}

int cmd_server(int argc, char **argv)
{
    server_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    quiet = a.quiet;
    signal(SIGPIPE, SIG_IGN);
    tlsm_config *cfg = make_config(&a);
    if (!cfg)
        return CLI_EXIT_FAIL;
    char bound[96];
    int lfd = net_listen(a.host, a.port, bound, sizeof bound);
    if (lfd < 0) {
        tlsm_config_free(cfg);
        return CLI_EXIT_FAIL;
    }
    printf("listening on %s\n", bound);
    fflush(stdout);
    rc = serve(lfd, cfg, a.once);
    if (!a.once)
        close(lfd);
    tlsm_config_free(cfg);
    return rc;
}
