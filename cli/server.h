/*
 * server.h - the parts of `tlsm server`, shared by its files only:
 *   server.c        cmd_server: the command line, the config, the listening socket, the loop
 *   server_args.c   the command line (usage, parsing) and the config it asks for
 *   server_loop.c   the poll() loop: accepting (and refusing past --max-conns), timeouts
 *   server_table.c  the connection table: connections and their pollfds, grown on demand
 *   server_conn.c   one client connection: events, echo, closing, its log lines
 *   server_http.c   --http: the HTTP/1.0 page that answers a request
 */
#ifndef TLSM_CLI_SERVER_H
#define TLSM_CLI_SERVER_H

#include <poll.h>
#include <stddef.h>

#include "cli.h"
#include "stream.h"

#define SERVER_DEFAULT_MAX_CONNS 4096
#define SERVER_DEFAULT_HANDSHAKE_TIMEOUT_MS 10000
#define SERVER_DEFAULT_IDLE_TIMEOUT_MS 300000

typedef struct {
    const char *cert, *key, *port, *host, *client_ca;
    int once, quiet, tls12, tls13, http;
    int tickets;                  /* TLS 1.3 tickets per handshake; -1: the library's default */
    size_t max_conns;             /* connections served at once */
    long long handshake_timeout_ms; /* from accept to the end of the handshake; 0: none */
    long long idle_timeout_ms;    /* without a byte in either direction; 0: none */
    cli_tls_options tls;
} server_args;

/* ---- server_args.c */
/* Fills *a from argv. Returns -1 to go on, or the exit status (help, usage error). */
int server_parse_args(int argc, char **argv, server_args *a);
/* The config the arguments ask for, or NULL after printing why. */
tlsm_config *server_make_config(const server_args *a);

/* ---- server_conn.c */
typedef struct {
    cli_stream s;
    unsigned id;
    char peer[64];
    int handshake_done, peer_closed, close_sent;
    unsigned long long echoed;
    long long accepted_ms, active_ms; /* when accepted; when a byte last went either way */
    unsigned long long io_seen;       /* bytes in + out when active_ms was last set */
    long long linger_until;           /* --http: after the answer, until the client closes */
    /* --http: the request header is read until its empty line; then the answer is sent. */
    int at_line_start;
    char *answer;
    size_t answer_len, answer_off;
} server_conn;

/* 1: no connection log lines on stderr (--quiet). */
extern int server_quiet;
/* "tlsm server: #ID PEER: message" on stderr unless quiet. */
void server_log(const server_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A connection on an accepted non-blocking socket (owned from now on). NULL on no memory
 * (the socket is then closed). */
server_conn *server_conn_new(int fd, tlsm_config *cfg, unsigned id, const char *peer,
                             long long now_ms);
/* Advances the connection after its socket was read (or could be written). Returns 1
 * while it goes on, 0 after a clean close, -1 on failure (each logged). */
int server_conn_step(server_conn *c, const server_args *a, long long now_ms);
/* 1 when stepping again now would make progress without the socket (an echo that waited
 * for room in the engine). */
int server_conn_can_progress(const server_conn *c);
/* When the connection times out (handshake, idle, or the end of --http's linger), 0 never. */
long long server_conn_deadline(const server_conn *c, const server_args *a);
/* Ends a connection whose deadline passed: logs why, sends close_notify after the
 * handshake. The caller frees it. */
void server_conn_expire(server_conn *c, const server_args *a, long long now_ms);
/* Closes the socket and frees everything. */
void server_conn_free(server_conn *c);

/* ---- server_http.c */
/* Reads the plaintext the client sent; once its request header ended (an empty line),
 * queues the page (status 200) and then close_notify. Plaintext after the request is
 * read and dropped. Returns how many bytes were read or written (0: nothing to do now). */
size_t server_http_serve(server_conn *c);

/* ---- server_table.c */
typedef struct {
    struct pollfd *fds;    /* fds[0]: the listening socket (fd -1 while not accepting), then
                              fds[i + 1] for conns[i] */
    server_conn **conns;
    size_t n, cap;
} server_table;

int server_table_init(server_table *t, int listen_fd); /* -1 on no memory */
/* Appends a connection polled for input. -1 on no memory (the caller still owns c). */
int server_table_add(server_table *t, server_conn *c);
/* Frees conns[i]; the last connection takes its slot. */
void server_table_remove(server_table *t, size_t i);
/* Frees the table and every connection left in it. */
void server_table_free(server_table *t);

/* ---- server_loop.c */
/* Serves clients on the listening socket (which it closes) until a fatal error, or with
 * --once until the first connection ends. Returns the exit status. */
int server_run(int listen_fd, tlsm_config *cfg, const server_args *a);

#endif
