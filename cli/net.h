/*
 * net.h - TCP helpers of the command (net.c). Kept apart from cli.h so that only the files
 * that deal with sockets see the socket headers.
 */
#ifndef TLSM_CLI_NET_H
#define TLSM_CLI_NET_H

#include <stddef.h>
#include <sys/socket.h>

/* "host:port" or "[v6]:port" into host and port. Returns -1 when malformed. */
int net_split_host_port(const char *arg, char *host, size_t host_cap, char *port,
                        size_t port_cap);
/* Numeric "1.2.3.4:443" or "[::1]:443". */
void net_format_addr(const struct sockaddr *sa, socklen_t len, char *buf, size_t cap);
int net_set_nonblocking(int fd);
/* A connected (blocking) TCP socket, or -1 after printing why. */
int net_connect(const char *host, const char *port);
/* A non-blocking listening socket with the largest backlog (SOMAXCONN); `bound` gets the
 * address really bound (port 0 picks one). -1 after printing why. */
int net_listen(const char *host, const char *port, char *bound, size_t bound_cap);

#endif
