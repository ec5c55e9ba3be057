/*
 * shim_report.c - the shim's failure lines on stderr. The runner expects BoringSSL's
 * error names (":DECODE_ERROR:", ":NO_SHARED_CIPHER:", ...) as substrings of stderr; the
 * ErrorMap in tests/bogo/config.json translates each to the tlsm lines printed here:
 *
 *   tlsm error: sent alert decode_error             tlsm_strerror() of the sticky error
 *   tlsm alert: sent 50                              the alert number (also for alerts
 *   tlsm alert: received 30                          tlsm has no name for)
 *   tlsm reason: SH_SESSION_ID_MISMATCH (...)       which check fired (tlsm_conn_error_detail)
 *   tlsm verify error: certificate: rejected by the application
 *   shim: <reason>                                   the shim's own checks (shim_fail)
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "shim.h"

void shim_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("shim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* The CLI's file helpers (cli/pki_files.c, cli/cert_files.c) report through cli_error. */
void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("shim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void shim_report_error(tlsm_conn *c, int code)
{
    fprintf(stderr, "tlsm error: %s (%d)\n", tlsm_strerror(code), code);
    if (TLSM_ERR_IS_LOCAL_ALERT(code))
        fprintf(stderr, "tlsm alert: sent %u\n", TLSM_ERR_ALERT(code));
    else if (TLSM_ERR_IS_PEER_ALERT(code))
        fprintf(stderr, "tlsm alert: received %u\n", TLSM_ERR_ALERT(code));
    tlsm_error_detail d;
    if (c && tlsm_conn_error_detail(c, &d) == 0 && d.reason && *d.reason)
        fprintf(stderr, "tlsm reason: %s (%s)\n", d.reason, d.text ? d.text : "");
    int verify = c ? tlsm_conn_verify_error(c) : 0;
    if (verify)
        fprintf(stderr, "tlsm verify error: %s\n", tlsm_strerror(verify));
}
