/*
 * cli.h - declarations shared by the files of the `tlsm` command.
 *
 * The command is a thin host around the sans-IO library: it owns the sockets, the files,
 * stdin/stdout and the clock; tlsm.h owns the protocol. Each file has one job:
 *   main.c       subcommand dispatch and top-level usage
 *   options.c    options common to every subcommand (--suite, --group, --alpn, ...)
 *   names.c      printable names for versions, suites, groups and signature schemes
 *   pki_files.c  reading PEM files into a config
 *   report.c     turning a failed connection into a one-line reason
 *   net.c        TCP connect / listen helpers (the only place that resolves addresses)
 *   stream.c     moving ciphertext between a socket and a tlsm_conn
 *   client.c     `tlsm client`, server.c `tlsm server`, demo.c `tlsm demo`
 *   demo_pki.c   lookup in demo_pki_data.c, the test PKI compiled into the binary
 */
#ifndef TLSM_CLI_H
#define TLSM_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tlsm.h"

/* Exit statuses of every subcommand. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* Subcommands: argv[0] is the subcommand name; they return an exit status. */
int cmd_demo(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_server(int argc, char **argv);

/* Prints "tlsm: <message>" and a newline on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "Try 'tlsm <cmd> --help'." on stderr and returns CLI_EXIT_USAGE. */
int cli_usage_hint(const char *cmd);

/* ---- names.c */
const char *cli_version_name(uint16_t version);
const char *cli_suite_name(uint16_t suite);
const char *cli_group_name(uint16_t group);
const char *cli_sigalg_name(uint16_t scheme);
/* Parse one name (case-insensitive; IANA names and common aliases). 0 on success. */
int cli_parse_suite(const char *name, uint16_t *out);
int cli_parse_group(const char *name, uint16_t *out);
/* One line per accepted name, for --help texts. */
void cli_print_suite_names(FILE *out, const char *indent);
void cli_print_group_names(FILE *out, const char *indent);

/* ---- options.c: --suite, --group and --alpn, shared by the subcommands. */
#define CLI_MAX_LIST 8
#define CLI_MAX_ALPN 256
typedef struct {
    uint16_t suites[CLI_MAX_LIST];
    size_t n_suites;
    uint16_t groups[CLI_MAX_LIST];
    size_t n_groups;
    uint8_t alpn[CLI_MAX_ALPN]; /* wire format: length-prefixed names */
    size_t alpn_len;
} cli_tls_options;

/* Each parser takes a comma-separated list, prints the reason on failure, returns 0/-1. */
int cli_opt_suites(cli_tls_options *o, const char *list);
int cli_opt_groups(cli_tls_options *o, const char *list);
int cli_opt_alpn(cli_tls_options *o, const char *list);
/* Applies what was given to cfg (defaults otherwise). Prints the reason, returns 0/-1. */
int cli_apply_tls_options(tlsm_config *cfg, const cli_tls_options *o);

/* ---- pki_files.c */
/* Reads a whole file (at most 4 MiB). Prints the reason and returns -1 on failure. */
int cli_read_file(const char *path, uint8_t **data, size_t *len);
int cli_load_identity_files(tlsm_config *cfg, const char *chain_path, const char *key_path);
int cli_load_trust_file(tlsm_config *cfg, const char *path);

/* ---- report.c */
/* Writes why a connection failed, e.g. "certificate verify failed: unknown issuer
 * (sent alert bad_certificate)", into buf. */
void cli_describe_failure(const tlsm_conn *conn, int code, char *buf, size_t cap);
/* Writes "TLS 1.3, TLS_AES_128_GCM_SHA256, X25519, ALPN h2" into buf. */
void cli_describe_session(const tlsm_conn *conn, char *buf, size_t cap);

/* ---- demo_pki.c: the bundled test PKI (tests/data/pki) by file name, NUL-terminated. */
const char *demo_pki_file(const char *name, size_t *len);

#endif
