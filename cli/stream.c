/*
 * stream.c - moving ciphertext between a non-blocking socket and a tlsm_conn, following
 * the engine's rules: input it does not take now is kept and offered again (it stops taking
 * input while plaintext is unread, which is how backpressure reaches the socket), and its
 * output is borrowed, sent, then consumed.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "stream.h"

void stream_init(cli_stream *s, int fd, tlsm_conn *conn)
{
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->conn = conn;
}

void stream_free(cli_stream *s)
{
    free(s->in);
    s->in = NULL;
    s->in_len = 0;
}

void stream_feed(cli_stream *s)
{
    while (s->in_len > 0) {
        size_t used = 0;
        int rc = tlsm_feed(s->conn, s->in, s->in_len, &used);
        if (used > s->in_len)
            used = s->in_len;
        memmove(s->in, s->in + used, s->in_len - used);
        s->in_len -= used;
        if (rc < 0 || used == 0)
            break;
    }
    if (s->in_len == 0 && s->in) {
        free(s->in);
        s->in = NULL;
    }
    if (s->transport_eof && s->in_len == 0 && !s->eof_fed) {
        s->eof_fed = 1;
        s->eof_result = tlsm_feed_eof(s->conn);
    }
}

int stream_receive(cli_stream *s)
{
    if (!s->transport_eof && s->in_len < STREAM_BUF_SIZE) {
        if (!s->in && !(s->in = malloc(STREAM_BUF_SIZE))) {
            s->io_errno = ENOMEM;
            return -1;
        }
        ssize_t n = recv(s->fd, s->in + s->in_len, STREAM_BUF_SIZE - s->in_len, MSG_DONTWAIT);
        if (n > 0) {
            s->in_len += (size_t)n;
            s->bytes_in += (unsigned long long)n;
        } else if (n == 0) {
            s->transport_eof = 1;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            s->io_errno = errno;
            return -1;
        }
    }
    stream_feed(s);
    return 0;
}

int stream_flush(cli_stream *s)
{
    for (;;) {
        size_t len = 0;
        const uint8_t *out = tlsm_output_peek(s->conn, &len);
        if (!out || len == 0)
            return 0;
        ssize_t n = send(s->fd, out, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return 0;
            s->io_errno = errno;
            return -1;
        }
        s->bytes_out += (unsigned long long)n;
        if (tlsm_output_consume(s->conn, (size_t)n) != 0)
            return 0; /* sticky error: the caller reports it */
    }
}

long long stream_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void stream_flush_wait(cli_stream *s, int timeout_ms)
{
    long long deadline = stream_now_ms() + timeout_ms;
    while (stream_flush(s) == 0 && stream_output_pending(s)) {
        long long left = deadline - stream_now_ms();
        if (left <= 0)
            return;
        struct pollfd p = {.fd = s->fd, .events = POLLOUT};
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            return;
    }
}

int stream_output_pending(cli_stream *s)
{
    size_t len = 0;
    return tlsm_output_peek(s->conn, &len) != NULL && len > 0;
}

short stream_poll_events(cli_stream *s)
{
    short ev = 0;
    if (!s->transport_eof && s->in_len < STREAM_BUF_SIZE)
        ev |= POLLIN;
    if (stream_output_pending(s))
        ev |= POLLOUT;
    return ev;
}
