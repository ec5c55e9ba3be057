/*
 * demo_output.c - what `tlsm demo` takes out of the testing kit: its traces as text, and
 * the files the CLI writes for --pcap and --keylog (the library never writes a file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo.h"

char *demo_trace_text(tlsm_pair *pair, int format, size_t *len)
{
    size_t need = 0;
    char *text = NULL;
    int rc = tlsm_pair_trace(pair, format, NULL, 0, &need);
    if (rc == 0 && (text = malloc(need ? need : 1)) == NULL)
        rc = TLSM_ERR_NOMEM;
    if (rc == 0)
        rc = tlsm_pair_trace(pair, format, text, need, len);
    if (rc != 0) {
        cli_error("cannot get the testing kit's trace: %s", tlsm_strerror(rc));
        free(text);
        return NULL;
    }
    return text;
}

int demo_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    size_t put = len ? fwrite(data, 1, len, f) : 0;
    int err = put != len ? errno : 0;
    if (fclose(f) != 0 && !err)
        err = errno;
    if (put != len || err) {
        cli_error("cannot write %s: %s", path, strerror(err ? err : EIO));
        return -1;
    }
    return 0;
}

void demo_numbered_path(const char *path, int index, char *buf, size_t cap)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (index <= 1)
        snprintf(buf, cap, "%s", path);
    else if (dot && dot != (slash ? slash + 1 : path))
        snprintf(buf, cap, "%.*s-%d%s", (int)(dot - path), path, index, dot);
    else
        snprintf(buf, cap, "%s-%d", path, index);
}
