/*
 * main.c - the `tlsm` command: picks the subcommand and prints the top-level usage.
 *
 *   tlsm demo     a client and a server in one process, with a handshake ladder
 *   tlsm client   connect to a TLS server, stdin -> server -> stdout
 *   tlsm server   accept TLS clients and echo what they send
 *   tlsm verify   check a certificate chain as a handshake would, without connecting
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("tlsm: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_hint(const char *cmd)
{
    fprintf(stderr, "Try 'tlsm %s --help'.\n", cmd);
    return CLI_EXIT_USAGE;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: tlsm COMMAND [options]\n"
            "\n"
            "tlsm %s: a TLS 1.3 and 1.2 library with a sans-IO core, and this command to try it.\n"
            "\n"
            "Commands:\n"
            "  demo      run a client and a server in this process, wired in memory by the\n"
            "            testing kit, and draw the handshake ladder (no network, bundled\n"
            "            test certificates); faults, traces, pcap and key log on request\n"
            "  client    connect to HOST:PORT; stdin goes to the server, replies to stdout\n"
            "  server    listen for TLS clients and echo back what they send\n"
            "  verify    check a certificate chain against trust anchors, as a handshake\n"
            "            would (OK and the chain built, or FAIL and why)\n"
            "  version   print the library version\n"
            "\n"
            "Run 'tlsm COMMAND --help' for the options of a command.\n"
            "\n"
            "Examples:\n"
            "  tlsm demo --key rsa --group P-256 --hrr\n"
            "  tlsm demo --tls12 --client-auth --trace mermaid\n"
            "  tlsm demo --fault 'corrupt@s2c:rec=2' --pcap demo.pcap --keylog demo.keys\n"
            "  tlsm server --cert chain.pem --key key.pem --port 8443\n"
            "  echo hello | tlsm client localhost:8443 --ca ca.crt --session s.sess\n"
            "  tlsm verify --ca ca.crt --host example.com chain.pem\n",
            tlsm_version_string());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    /* getopt prefixes its messages with argv[0]: make that "tlsm <command>". */
    static char progname[64];
    snprintf(progname, sizeof progname, "tlsm %s", cmd);
    if (strcmp(cmd, "demo") == 0) {
        argv[1] = progname;
        return cmd_demo(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "client") == 0) {
        argv[1] = progname;
        return cmd_client(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "server") == 0) {
        argv[1] = progname;
        return cmd_server(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "verify") == 0) {
        argv[1] = progname;
        return cmd_verify(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("tlsm %s\n", tlsm_version_string());
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    cli_error("unknown command '%s'", cmd);
    fprintf(stderr, "Try 'tlsm --help'.\n");
    return CLI_EXIT_USAGE;
}
