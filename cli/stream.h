/*
 * stream.h - one TLS connection over one non-blocking socket (stream.c): ciphertext read
 * from the socket waits in a buffer until the engine takes it, and the engine's output goes
 * to the socket as fast as the socket accepts it. The buffer exists only while it holds
 * something, so an idle connection costs the engine's state and this struct. The callers
 * (client.c, server_conn.c) decide what to do with plaintext and events.
 */
#ifndef TLSM_CLI_STREAM_H
#define TLSM_CLI_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "tlsm.h"

/* Room for one full TLS record plus a spare one: records up to 2^14 + 256 + 5 bytes. */
#define STREAM_BUF_SIZE (2 * (16384 + 256 + 5))

typedef struct {
    int fd;
    tlsm_conn *conn;
    uint8_t *in;   /* ciphertext received but not yet taken by the engine (STREAM_BUF_SIZE
                      bytes, allocated for a recv and freed once the engine took it all) */
    size_t in_len;
    unsigned long long bytes_in, bytes_out; /* totals received and sent on the socket */
    int transport_eof; /* recv() returned 0 */
    int eof_fed;       /* tlsm_feed_eof() was called; eof_result is what it said */
    int eof_result;
    int io_errno;      /* errno of a failed send()/recv(), 0 if none */
} cli_stream;

void stream_init(cli_stream *s, int fd, tlsm_conn *conn);
/* Frees the input buffer (not the socket, not the connection). */
void stream_free(cli_stream *s);
/* Offers buffered ciphertext to the engine, and the end of the stream once all of it is
 * taken. Engine errors are sticky: read them with tlsm_conn_error(). */
void stream_feed(cli_stream *s);
/* Reads what the socket has now, then stream_feed(). -1 on a socket error (or no memory
 * for the buffer: io_errno is then ENOMEM). */
int stream_receive(cli_stream *s);
/* Sends pending output until done or the socket is full. -1 on a socket error. */
int stream_flush(cli_stream *s);
/* Like stream_flush, but waits up to timeout_ms for the socket to take everything; used
 * to deliver a final alert or close_notify. */
void stream_flush_wait(cli_stream *s, int timeout_ms);
/* 1 when the engine holds ciphertext not yet sent. */
int stream_output_pending(cli_stream *s);
/* poll() events to wait for on s->fd. */
short stream_poll_events(cli_stream *s);
/* A monotonic clock in milliseconds, for timeouts. */
long long stream_now_ms(void);

#endif
