/*
 * server_table.c - the connections of `tlsm server` and the pollfd array poll() takes,
 * kept side by side (slot 0 of the pollfds is the listening socket) and grown by doubling:
 * there is no fixed number of slots; --max-conns is the only limit.
 */
#include <stdlib.h>

#include "server.h"

int server_table_init(server_table *t, int listen_fd)
{
    t->n = 0;
    t->cap = 16;
    t->fds = malloc((t->cap + 1) * sizeof *t->fds);
    t->conns = malloc(t->cap * sizeof *t->conns);
    if (!t->fds || !t->conns) {
        free(t->fds);
        free(t->conns);
        return -1;
    }
    t->fds[0] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
    return 0;
}

static int grow(server_table *t)
{
    size_t cap = t->cap * 2;
    struct pollfd *fds = realloc(t->fds, (cap + 1) * sizeof *fds);
    if (!fds)
        return -1;
    t->fds = fds;
    server_conn **conns = realloc(t->conns, cap * sizeof *conns);
    if (!conns)
        return -1;
    t->conns = conns;
    t->cap = cap;
    return 0;
}

int server_table_add(server_table *t, server_conn *c)
{
    if (t->n == t->cap && grow(t) != 0)
        return -1;
    t->conns[t->n] = c;
    t->fds[t->n + 1] = (struct pollfd){.fd = c->s.fd, .events = POLLIN};
    t->n++;
    return 0;
}

void server_table_remove(server_table *t, size_t i)
{
    server_conn_free(t->conns[i]);
    t->n--;
    t->conns[i] = t->conns[t->n];
    t->fds[i + 1] = t->fds[t->n + 1];
}

void server_table_free(server_table *t)
{
    while (t->n > 0)
        server_table_remove(t, t->n - 1);
    free(t->fds);
    free(t->conns);
}
