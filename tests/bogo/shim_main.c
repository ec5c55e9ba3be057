/*
 * shim_main.c - tlsm-bogo-shim: the program BoringSSL's test runner starts for each test
 * (see shim.h). It answers the runner's start-up probe, then runs the initial connection
 * and -resume-count more, each offering the session of the one before (client) or
 * resuming from the same server state (server: one config, or configs sharing a ticket
 * key when a prefixed flag changes the config between connections).
 *
 * Exit status: 0 success, 1 failure (the reasons on stderr, then "Connection N failed."),
 * 89 unimplemented. stderr ends with "--- DONE ---", which tells the runner that nothing
 * after it (e.g. a sanitizer report) came from the shim's own error output.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "shim.h"

static void print_done(void)
{
    fputs("--- DONE ---\n", stderr);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    atexit(print_done);
    shim_args a;
    shim_parse_args(argc, argv, &a);
    if (a.handshaker_probe) {
        /* No split handshaker and no handshake hints (BoringSSL-only features). */
        printf("No\n");
        return SHIM_EXIT_OK;
    }

    uint8_t ticket_key[32];
    if (getrandom(ticket_key, sizeof ticket_key, 0) != (ssize_t)sizeof ticket_key) {
        shim_fail("getrandom failed");
        return SHIM_EXIT_FAIL;
    }
    /* Every config is built before the first connection, so that an unsupported option
     * ends the test as unimplemented before anything is sent. */
    tlsm_config *initial_cfg = shim_build_config(&a.initial, ticket_key);
    tlsm_config *resume_cfg = NULL;
    if (initial_cfg && a.initial.resume_count > 0)
        resume_cfg = a.config_differs ? shim_build_config(&a.resume, ticket_key)
                                      : tlsm_config_ref(initial_cfg);
    int status = SHIM_EXIT_OK;
    if (!initial_cfg || (a.initial.resume_count > 0 && !resume_cfg))
        status = SHIM_EXIT_FAIL;

    shim_session session = {0};
    for (int i = 0; status == SHIM_EXIT_OK && i <= a.initial.resume_count; i++) {
        const shim_opts *o = i ? &a.resume : &a.initial;
        if (i > 0 && !o->is_server && session.len == 0) {
            shim_fail("No session to offer.");
            status = SHIM_EXIT_FAIL;
            break;
        }
        if (shim_run_connection(o, i ? resume_cfg : initial_cfg, i > 0, &session) != 0) {
            fprintf(stderr, "Connection %d failed.\n", i + 1);
            status = SHIM_EXIT_FAIL;
            break;
        }
        if (o->resumption_delay > 0)
            shim_clock_advance((unsigned)o->resumption_delay);
    }
    shim_session_clear(&session);
    tlsm_config_free(initial_cfg);
    tlsm_config_free(resume_cfg);
    shim_args_free(&a);
    return status;
}
