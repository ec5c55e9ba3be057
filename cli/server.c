/*
 * server.c - `tlsm server`: a TLS echo server (or, with --http, a small HTTPS page). It
 * listens (127.0.0.1 unless --host says otherwise) with the system's largest backlog,
 * prints "listening on ADDR:PORT" on stdout, and serves many clients at once from one
 * poll() loop (server_loop.c): every byte of application data a client sends is written
 * back to it, and when the client sends close_notify the server answers with its own and
 * closes the socket. With --once it serves exactly one connection and exits with 0 if that
 * connection ended with a clean close, 1 otherwise.
 * Sessions can be resumed by the clients it served: with tickets (the ticket key is drawn
 * when the server starts, so they last as long as the process) or, with --no-tickets, in
 * TLS 1.2 by session ID from the in-memory cache.
 * Progress is logged on stderr, one line per event, unless --quiet.
 * The other server_*.c files hold the parts (server.h lists them).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "server.h"

int cmd_server(int argc, char **argv)
{
    server_args a;
    memset(&a, 0, sizeof a);
    int rc = server_parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    server_quiet = a.quiet;
    signal(SIGPIPE, SIG_IGN);
    tlsm_config *cfg = server_make_config(&a);
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
    rc = server_run(lfd, cfg, &a);
    tlsm_config_free(cfg);
    return rc;
}
