/*
 * client.c - `tlsm client HOST:PORT`: connects over TCP, runs the handshake, prints a
 * one-line summary on stderr, then copies stdin to the connection and the connection to
 * stdout. When stdin ends it sends close_notify and keeps reading until the server closes
 * too; when the server closes first, it answers with close_notify and stops.
 * With --session FILE the session is offered from FILE and the newest one saved back to it
 * (session_file.c); --reconnect N connects N more times, offering each time the session
 * of the previous connection and sending each time the same stdin, read to its end first.
 * Exit status: 0 after a clean close, 1 with a one-line reason otherwise, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "net.h"
#include "stream.h"

typedef struct {
    const char *target;
    const char *ca, *servername, *cert, *key, *session_file;
    int tls12, tls13, insecure, quiet;
    unsigned reconnect;
    cli_tls_options tls;
} client_args;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: tlsm client HOST:PORT [options]\n"
            "\n"
            "Connects to HOST:PORT with TLS, prints a one-line summary of the session on\n"
            "stderr, then sends stdin to the server and writes what it sends to stdout.\n"
            "At the end of stdin it sends close_notify and waits for the server to close.\n"
            "\n"
            "Options:\n"
            "  --ca FILE          trust the CA certificates in FILE (PEM) instead of the\n"
            "                     system trust store\n"
            "  --servername NAME  name to send as SNI and to check the certificate against\n"
            "                     (default: HOST; an IP address is checked, not sent)\n"
            "  --alpn LIST        offer these ALPN protocols, e.g. h2,http/1.1\n");
    cli_print_tls_option_help(out);
    fprintf(out,
            "  --tls13            TLS 1.3 only\n"
            "  --tls12            TLS 1.2 only (default: TLS 1.3, or 1.2 if the server\n"
            "                     does not speak 1.3)\n"
            "  --cert FILE        client certificate chain (PEM), for servers that ask\n"
            "  --key FILE         private key of --cert (PEM)\n"
            "  --insecure         do not verify the server certificate (testing only)\n"
            "  --session FILE     resume the session saved in FILE, if any, and save the\n"
            "                     newest session to FILE afterwards (mode 0600: it holds\n"
            "                     a secret); the summary says whether it was resumed\n"
            "  --reconnect N      after the first connection, connect N more times, each\n"
            "                     resuming the session of the one before; stdin is read\n"
            "                     to its end first and sent on every connection\n"
            "  --quiet            print nothing but the data and errors\n"
            "  -h, --help         show this help\n"
            "\n"
            "Cipher suites:\n");
    cli_print_suite_names(out, "  ");
    fprintf(out, "Groups (a key share is sent for the first one of --group):\n");
    cli_print_group_names(out, "  ");
    fprintf(out, "\nExamples:\n"
                 "  printf 'GET / HTTP/1.0\\r\\n\\r\\n' | tlsm client example.com:443\n"
                 "  tlsm client example.com:443 --session example.sess --reconnect 2 </dev/null\n");
}

enum { OPT_CA = 256, OPT_SERVERNAME, OPT_ALPN, OPT_SUITE, OPT_GROUP, OPT_TLS12, OPT_TLS13,
       OPT_CERT, OPT_KEY, OPT_INSECURE, OPT_QUIET, OPT_SESSION, OPT_RECONNECT, OPT_EMS };

#define MAX_RECONNECT 1000
/* stdin kept for --reconnect */
#define MAX_REPLAY (1u << 20)

/* Returns -1 to continue, or an exit status. */
static int parse_args(int argc, char **argv, client_args *a)
{
    static const struct option longopts[] = {
        {"ca", required_argument, NULL, OPT_CA},
        {"servername", required_argument, NULL, OPT_SERVERNAME},
        {"alpn", required_argument, NULL, OPT_ALPN},
        {"suite", required_argument, NULL, OPT_SUITE},
        {"group", required_argument, NULL, OPT_GROUP},
        {"ems", required_argument, NULL, OPT_EMS},
        {"tls12", no_argument, NULL, OPT_TLS12},
        {"tls13", no_argument, NULL, OPT_TLS13},
        {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"session", required_argument, NULL, OPT_SESSION},
        {"reconnect", required_argument, NULL, OPT_RECONNECT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case OPT_CA: a->ca = optarg; break;
        case OPT_SERVERNAME: a->servername = optarg; break;
        case OPT_ALPN: bad = cli_opt_alpn(&a->tls, optarg); break;
        case OPT_SUITE: bad = cli_opt_suites(&a->tls, optarg); break;
        case OPT_GROUP: bad = cli_opt_groups(&a->tls, optarg); break;
        case OPT_EMS: bad = cli_opt_ems(&a->tls, optarg); break;
        case OPT_TLS12: a->tls12 = 1; break;
        case OPT_TLS13: a->tls13 = 1; break;
        case OPT_CERT: a->cert = optarg; break;
        case OPT_KEY: a->key = optarg; break;
        case OPT_INSECURE: a->insecure = 1; break;
        case OPT_QUIET: a->quiet = 1; break;
        case OPT_SESSION: a->session_file = optarg; break;
        case OPT_RECONNECT: {
            char *end;
            unsigned long n = strtoul(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end != '\0' || n > MAX_RECONNECT) {
                cli_error("--reconnect takes a count from 0 to %d", MAX_RECONNECT);
                bad = 1;
            }
            a->reconnect = (unsigned)n;
            break;
        }
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: return cli_usage_hint("client");
        }
        if (bad)
            return cli_usage_hint("client");
    }
    if (optind >= argc) {
        cli_error("missing HOST:PORT");
        return cli_usage_hint("client");
    }
    if (optind + 1 < argc) {
        cli_error("unexpected argument '%s'", argv[optind + 1]);
        return cli_usage_hint("client");
    }
    a->target = argv[optind];
    if (a->tls12 && a->tls13) {
        cli_error("--tls12 and --tls13 exclude each other");
        return cli_usage_hint("client");
    }
    if (!a->cert != !a->key) {
        cli_error("--cert and --key go together");
        return cli_usage_hint("client");
    }
    return -1;
}

static tlsm_config *make_config(const client_args *a)
{
    tlsm_config *cfg = tlsm_config_new(TLSM_ROLE_CLIENT);
    int rc;
    if (!cfg) {
        cli_error("out of memory");
        return NULL;
    }
    if (a->tls12 && (rc = tlsm_config_set_versions(cfg, TLSM_TLS12, TLSM_TLS12)) != 0) {
        cli_error("--tls12: TLS 1.2 is not available in this build of tlsm (%s)",
                  tlsm_strerror(rc));
        goto fail;
    }
    if (a->tls13 && (rc = tlsm_config_set_versions(cfg, TLSM_TLS13, TLSM_TLS13)) != 0) {
        cli_error("--tls13: %s", tlsm_strerror(rc));
        goto fail;
    }
    if (cli_apply_tls_options(cfg, &a->tls) != 0)
        goto fail;
    if (a->insecure) {
        if ((rc = tlsm_config_set_verify(cfg, TLSM_VERIFY_INSECURE_NO_VERIFICATION)) != 0) {
            cli_error("--insecure: %s", tlsm_strerror(rc));
            goto fail;
        }
        if (!a->quiet)
            fprintf(stderr, "tlsm: warning: --insecure: the server certificate is NOT verified\n");
    }
    if (a->ca) {
        if (cli_load_trust_file(cfg, a->ca) != 0)
            goto fail;
    } else if (!a->insecure) {
        size_t added = 0;
        if ((rc = tlsm_config_load_system_trust(cfg, &added)) != 0) {
            cli_error("cannot load the system trust store: %s (use --ca FILE)", tlsm_strerror(rc));
            goto fail;
        }
    }
    if (a->cert && cli_load_identity_files(cfg, a->cert, a->key) != 0)
        goto fail;
    return cfg;
fail:
    tlsm_config_free(cfg);
    return NULL;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* State of the copy loop between stdin/stdout and the connection. */
typedef struct {
    cli_stream s;
    char target[300];      /* HOST:PORT, with " (2 of 3)" under --reconnect */
    int quiet;
    int report_resumption; /* sessions in use: say "resumed" or "not resumed" */
    uint8_t buf[16384];    /* read from stdin */
    const uint8_t *pending; /* buf, or the replayed stdin: not yet accepted by tlsm_write */
    size_t pend_off, pend_len;
    int stdin_eof, handshake_done, peer_closed, close_sent;
} session;

/* Handles events and writes plaintext to stdout. Returns how many bytes were written, or
 * -1 if stdout failed. */
static long process_engine(session *c)
{
    long written = 0, round;
    /* Reading plaintext lets the engine process more input, which may queue more events
     * (close_notify after the last data) and more plaintext: repeat until quiet. */
    do {
        tlsm_event ev;
        while (tlsm_next_event(c->s.conn, &ev)) {
            if (ev.type == TLSM_EV_HANDSHAKE_DONE) {
                c->handshake_done = 1;
                if (!c->quiet) {
                    char desc[200];
                    cli_describe_session(c->s.conn, desc, sizeof desc);
                    int fresh = c->report_resumption && !tlsm_conn_resumed(c->s.conn);
                    fprintf(stderr, "tlsm: connected to %s: %s%s\n", c->target, desc,
                            fresh ? ", not resumed" : "");
                }
            } else if (ev.type == TLSM_EV_PEER_CLOSED) {
                c->peer_closed = 1;
            } else if (ev.type == TLSM_EV_ALERT && !ev.fatal &&
                       ev.alert != TLSM_ALERT_CLOSE_NOTIFY && !c->quiet) {
                fprintf(stderr, "tlsm: server sent warning alert %s\n", tlsm_alert_name(ev.alert));
            }
        }
        const uint8_t *p;
        size_t n = 0;
        round = 0;
        while ((p = tlsm_read_peek(c->s.conn, &n)) != NULL && n > 0) {
            if (write_all(STDOUT_FILENO, p, n) != 0) {
                cli_error("cannot write to stdout: %s", strerror(errno));
                return -1;
            }
            round += (long)n;
            if (tlsm_read_consume(c->s.conn, n) != 0)
                break;
        }
        written += round;
    } while (round > 0);
    return written;
}

/* Feeds buffered ciphertext and drains what it yields, again and again: the engine stops
 * taking input while plaintext is unread, so each drain may let it take more. */
static int pump_input(session *c)
{
    for (;;) {
        size_t before = c->s.in_len;
        stream_feed(&c->s);
        long drained = process_engine(c);
        if (drained < 0)
            return -1;
        if (c->s.in_len == 0 || (c->s.in_len == before && drained == 0))
            return 0;
    }
}

/* Queues stdin data and, at its end (or when the server closed), close_notify. */
static void push_input(session *c)
{
    if (!c->handshake_done || c->close_sent)
        return;
    if (c->pend_off < c->pend_len) {
        size_t acc = 0;
        if (tlsm_write(c->s.conn, c->pending + c->pend_off, c->pend_len - c->pend_off, &acc) == 0)
            c->pend_off += acc;
    }
    if ((c->stdin_eof && c->pend_off == c->pend_len) || c->peer_closed) {
        if (tlsm_close(c->s.conn) == 0)
            c->close_sent = 1;
    }
}

static int fail(session *c, const char *what, int code)
{
    char why[400];
    stream_flush_wait(&c->s, 1000); /* deliver our alert, if any */
    cli_describe_failure(c->s.conn, code, why, sizeof why);
    cli_error("%s %s failed: %s", what, c->target, why);
    return CLI_EXIT_FAIL;
}

static int run(session *c)
{
    for (;;) {
        if (pump_input(c) != 0)
            return CLI_EXIT_FAIL;
        int err = tlsm_conn_error(c->s.conn);
        if (err != 0)
            return fail(c, c->handshake_done ? "connection to" : "handshake with", err);
        push_input(c);
        if (stream_flush(&c->s) != 0) {
            cli_error("connection to %s failed: %s", c->target, strerror(c->s.io_errno));
            return CLI_EXIT_FAIL;
        }
        if (c->close_sent && c->peer_closed && !stream_output_pending(&c->s))
            return CLI_EXIT_OK;
        if (c->s.eof_fed && !c->peer_closed) {
            if (c->s.eof_result != 0 && c->s.eof_result != TLSM_ERR_CLOSED)
                return fail(c, c->handshake_done ? "connection to" : "handshake with",
                            c->s.eof_result);
            cli_error("connection to %s failed: %s", c->target, tlsm_strerror(TLSM_ERR_TRUNCATED));
            return CLI_EXIT_FAIL;
        }

        struct pollfd fds[2];
        nfds_t nfds = 1;
        fds[0] = (struct pollfd){.fd = c->s.fd, .events = stream_poll_events(&c->s)};
        int want_stdin = c->handshake_done && !c->stdin_eof && !c->close_sent &&
                         c->pend_off == c->pend_len;
        if (want_stdin)
            fds[nfds++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        /* Data waiting for room in the engine: retry at once when there is room. */
        int timeout = (c->pend_off < c->pend_len &&
                       (tlsm_status(c->s.conn) & TLSM_STATUS_CAN_WRITE)) ? 0 : -1;
        if (poll(fds, nfds, timeout) < 0) {
            if (errno == EINTR)
                continue;
            cli_error("poll: %s", strerror(errno));
            return CLI_EXIT_FAIL;
        }
        if (want_stdin && fds[1].revents) {
            ssize_t n = read(STDIN_FILENO, c->buf, sizeof c->buf);
            if (n > 0) {
                c->pend_off = 0;
                c->pend_len = (size_t)n;
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                c->stdin_eof = 1;
            }
        }
        if (fds[0].revents && stream_receive(&c->s) != 0) {
            cli_error("connection to %s failed: %s", c->target, strerror(c->s.io_errno));
            return CLI_EXIT_FAIL;
        }
    }
}

/* What the connections of one run share: the session to offer, the replayed stdin. */
typedef struct {
    const client_args *a;
    tlsm_config *cfg;
    const char *host, *port;
    cli_session_blob session; /* offered by the next connection, empty if none */
    uint8_t *replay;          /* stdin, read to its end (--reconnect) */
    size_t replay_len;
    unsigned index;           /* 0 for the first connection */
} client_run;

/* Offers the session kept from the previous connection or the session file. */
static int offer_session(const client_run *r, tlsm_conn *conn)
{
    if (r->session.len == 0)
        return 0;
    int rc = tlsm_conn_set_session(conn, r->session.data, r->session.len);
    if (rc == TLSM_ERR_ARG && r->index == 0 && r->a->session_file)
        cli_error("%s does not hold a tlsm session (delete it to start afresh)",
                  r->a->session_file);
    else if (rc != 0)
        cli_error("cannot offer the saved session: %s", tlsm_strerror(rc));
    return rc;
}

static int connect_and_run(client_run *r)
{
    const client_args *a = r->a;
    const char *name = a->servername ? a->servername : r->host;
    tlsm_conn *conn = tlsm_conn_new(r->cfg, name);
    if (!conn) {
        cli_error("cannot create a connection for server name '%s'", name);
        return CLI_EXIT_FAIL;
    }
    if (offer_session(r, conn) != 0) {
        tlsm_conn_free(conn);
        return CLI_EXIT_FAIL;
    }
    session *c = calloc(1, sizeof *c);
    int fd = c ? net_connect(r->host, r->port) : -1;
    int rc = CLI_EXIT_FAIL;
    if (!c)
        cli_error("out of memory");
    else if (fd >= 0 && net_set_nonblocking(fd) != 0)
        cli_error("cannot make the socket non-blocking: %s", strerror(errno));
    else if (fd >= 0) {
        stream_init(&c->s, fd, conn);
        if (a->reconnect)
            snprintf(c->target, sizeof c->target, "%s (%u of %u)", a->target, r->index + 1,
                     a->reconnect + 1);
        else
            snprintf(c->target, sizeof c->target, "%s", a->target);
        c->quiet = a->quiet;
        c->report_resumption = a->session_file || a->reconnect;
        c->pending = c->buf;
        if (a->reconnect) {
            c->pending = r->replay;
            c->pend_len = r->replay_len;
            c->stdin_eof = 1;
        }
        int start = tlsm_conn_start(conn);
        rc = start != 0 ? fail(c, "handshake with", start) : run(c);
    }
    /* Keep the newest session (a failed connection has none to give: RFC 5246 s.7.2.2). */
    if (rc == CLI_EXIT_OK && cli_session_take(conn, &r->session) == 0 && a->session_file &&
        cli_session_write(a->session_file, &r->session) != 0)
        rc = CLI_EXIT_FAIL;
    if (fd >= 0)
        close(fd);
    tlsm_conn_free(conn);
    if (c)
        stream_free(&c->s);
    free(c);
    return rc;
}

/* --reconnect sends the same data on every connection: stdin is read to its end first. */
static int read_stdin(client_run *r)
{
    size_t cap = 0;
    for (;;) {
        if (r->replay_len == cap) {
            size_t bigger = cap ? cap * 2 : 4096;
            uint8_t *p = bigger <= MAX_REPLAY ? realloc(r->replay, bigger) : NULL;
            if (!p) {
                cli_error("--reconnect: stdin is longer than %u bytes", MAX_REPLAY);
                return -1;
            }
            r->replay = p;
            cap = bigger;
        }
        ssize_t n = read(STDIN_FILENO, r->replay + r->replay_len, cap - r->replay_len);
        if (n == 0)
            return 0;
        if (n < 0 && errno != EINTR) {
            cli_error("cannot read stdin: %s", strerror(errno));
            return -1;
        }
        if (n > 0)
            r->replay_len += (size_t)n;
    }
}

int cmd_client(int argc, char **argv)
{
    client_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;

    char host[256], port[32];
    if (net_split_host_port(a.target, host, sizeof host, port, sizeof port) != 0) {
        cli_error("'%s' is not HOST:PORT (write IPv6 addresses as [::1]:443)", a.target);
        return cli_usage_hint("client");
    }
    signal(SIGPIPE, SIG_IGN);
    client_run r;
    memset(&r, 0, sizeof r);
    r.a = &a;
    r.host = host;
    r.port = port;
    if ((a.session_file && cli_session_read(a.session_file, &r.session) != 0) ||
        (a.reconnect && read_stdin(&r) != 0) || !(r.cfg = make_config(&a))) {
        cli_session_free(&r.session);
        free(r.replay);
        return CLI_EXIT_FAIL;
    }
    rc = CLI_EXIT_OK;
    for (r.index = 0; r.index <= a.reconnect && rc == CLI_EXIT_OK; r.index++)
        rc = connect_and_run(&r);
    cli_session_free(&r.session);
    free(r.replay);
    tlsm_config_free(r.cfg);
    return rc;
}
