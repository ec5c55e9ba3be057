/*
 * session_file.c - the session file of `tlsm client --session FILE`: the blob of
 * tlsm_conn_get_session, kept between runs so the next connection can resume.
 *
 * The blob holds the session's secret (the TLS 1.3 PSK or the TLS 1.2 master secret), so it
 * is treated like a private key: written with mode 0600, atomically (a temporary file in
 * the same directory, fsync, rename), so a crash or a concurrent run never leaves half a
 * session behind, and wiped from memory once used. The file is the raw blob, no framing:
 * the library checks it when it is offered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Far above any blob the library writes (a ticket is at most 64 KiB); a bigger file is not
 * a session. */
#define SESSION_FILE_MAX (70u * 1024)

void cli_session_free(cli_session_blob *s)
{
    if (s->data) {
        explicit_bzero(s->data, s->len);
        free(s->data);
    }
    s->data = NULL;
    s->len = 0;
}

int cli_session_read(const char *path, cli_session_blob *s)
{
    s->data = NULL;
    s->len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0; /* first run: nothing to resume yet */
        cli_error("cannot open session file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > SESSION_FILE_MAX) {
        cli_error("%s is not a tlsm session file (delete it to start afresh)", path);
        close(fd);
        return -1;
    }
    if (st.st_size > 0 && (st.st_mode & 077))
        fprintf(stderr, "tlsm: warning: session file %s is readable by others; it holds a "
                        "secret (chmod 600)\n", path);
    size_t len = (size_t)st.st_size, got = 0;
    uint8_t *buf = len ? malloc(len) : NULL;
    if (len && !buf) {
        cli_error("out of memory");
        close(fd);
        return -1;
    }
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != len) {
        cli_error("cannot read session file %s", path);
        explicit_bzero(buf, got);
        free(buf);
        return -1;
    }
    s->data = buf; /* an empty file (e.g. made with touch) holds no session */
    s->len = len;
    return 0;
}

int cli_session_take(const tlsm_conn *conn, cli_session_blob *s)
{
    size_t len = 0;
    int rc = tlsm_conn_get_session(conn, NULL, 0, &len);
    if (rc != 0 || len == 0)
        return rc != 0 ? rc : TLSM_ERR_NO_SESSION;
    uint8_t *buf = malloc(len);
    if (!buf)
        return TLSM_ERR_NOMEM;
    rc = tlsm_conn_get_session(conn, buf, len, &len);
    if (rc != 0) {
        explicit_bzero(buf, len);
        free(buf);
        return rc;
    }
    cli_session_free(s);
    s->data = buf;
    s->len = len;
    return 0;
}

static int write_all_fd(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int cli_session_write(const char *path, const cli_session_blob *s)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
        cli_error("session file name too long: %s", path);
        return -1;
    }
    int fd = mkstemp(tmp); /* created with mode 0600 whatever the umask */
    if (fd < 0) {
        cli_error("cannot save the session next to %s: %s", path, strerror(errno));
        return -1;
    }
    int ok = fchmod(fd, S_IRUSR | S_IWUSR) == 0 && write_all_fd(fd, s->data, s->len) == 0 &&
             fsync(fd) == 0;
    int err = errno;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) != 0) {
        err = errno;
        ok = 0;
    }
    if (!ok) {
        unlink(tmp);
        cli_error("cannot save the session to %s: %s", path, strerror(err));
        return -1;
    }
    return 0;
}
