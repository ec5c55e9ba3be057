/*
 * server_loop.c - the event loop of `tlsm server`: one poll() over the listening socket
 * and every connection, with a timeout that is the nearest connection deadline.
 *
 * Each round accepts what the backlog holds (a bounded batch, so that a flood of new
 * clients cannot starve the others), then steps only the connections whose socket is
 * ready or that can progress without it, and ends the ones past their deadline. A client
 * that arrives when --max-conns connections are open is accepted and closed at once with
 * a log line: it learns right away, instead of waiting unanswered in the backlog. When
 * the process runs out of file descriptors, accepting pauses briefly rather than spinning
 * on a listening socket that stays readable.
 * SIGINT and SIGTERM stop the loop between rounds: they are blocked except inside ppoll(),
 * so none is lost between a check and the wait. Everything is then freed and the exit
 * status is 128 + the signal's number, as if the signal had ended the process.
 */
#define _GNU_SOURCE /* ppoll (POSIX.1-2024) */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "server.h"

#define ACCEPT_BATCH 64       /* connections accepted per round at most */
#define ACCEPT_PAUSE_MS 100   /* after EMFILE and the like */
#define SPARE_FDS 32          /* descriptors kept beside the connections (files, stdio) */

typedef struct {
    int lfd;
    tlsm_config *cfg;
    const server_args *a;
    server_table t;
    unsigned next_id;
    long long accept_resume;  /* accepting paused until then; 0 when not paused */
    int starved;              /* accept() failed for lack of descriptors or memory */
} server_loop;

/* Log lines about the server rather than one connection. */
static void loop_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void loop_log(const char *fmt, ...)
{
    if (server_quiet)
        return;
    va_list ap;
    fputs("tlsm server: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Raises the soft limit on open files to what --max-conns needs, if the hard one allows. */
static void reserve_fds(size_t max_conns)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)max_conns + SPARE_FDS;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
        return;
    rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
    rlim_t had = rl.rlim_cur;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        rl.rlim_cur = had;
    if (rl.rlim_cur < need)
        loop_log("the limit on open files (%llu) is below what --max-conns %zu needs; "
                 "clients past it wait in the backlog",
                 (unsigned long long)rl.rlim_cur, max_conns);
}

static void accept_ready(server_loop *L, long long now)
{
    for (int k = 0; k < ACCEPT_BATCH; k++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept(L->lfd, (struct sockaddr *)&ss, &len);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                if (!L->starved) /* once per episode, not every pause */
                    loop_log("accept: %s: accepting again in %d ms steps, once "
                             "connections close", strerror(errno), ACCEPT_PAUSE_MS);
                L->starved = 1;
                L->accept_resume = now + ACCEPT_PAUSE_MS;
                L->t.fds[0].fd = -1;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                       errno != ECONNABORTED) {
                loop_log("accept: %s", strerror(errno));
            }
            return;
        }
        L->starved = 0;
        char peer[64];
        net_format_addr((struct sockaddr *)&ss, len, peer, sizeof peer);
        if (L->t.n >= L->a->max_conns) {
            loop_log("%s: refused: %zu connections open (--max-conns)", peer, L->t.n);
            close(fd);
            continue;
        }
        if (net_set_nonblocking(fd) != 0) {
            loop_log("%s: cannot serve it: %s", peer, strerror(errno));
            close(fd);
            continue;
        }
        server_conn *c = server_conn_new(fd, L->cfg, L->next_id, peer, now);
        if (!c || server_table_add(&L->t, c) != 0) {
            loop_log("%s: cannot serve it: out of memory", peer);
            if (c)
                server_conn_free(c);
            return;
        }
        L->next_id++;
        if (L->a->once) { /* the one connection: stop listening */
            close(L->lfd);
            L->lfd = L->t.fds[0].fd = -1;
            return;
        }
    }
}

/* Steps what is ready, ends what is done or timed out. Returns the poll() timeout: 0 when
 * a connection can go on at once, the time to the nearest deadline, or -1 for none. With
 * --once, sets *done to the exit status when the connection ended. */
static int serve_round(server_loop *L, long long now, int *done)
{
    long long next = L->accept_resume;
    int now_again = 0;
    /* Backwards: the slot a removal fills was already served this round. */
    for (size_t i = L->t.n; i-- > 0;) {
        server_conn *c = L->t.conns[i];
        struct pollfd *p = &L->t.fds[i + 1];
        int r = 1;
        if (p->revents || server_conn_can_progress(c)) {
            if (p->revents & ~POLLOUT)
                (void)stream_receive(&c->s); /* a socket error is reported by the step */
            r = server_conn_step(c, L->a, now);
        }
        long long deadline = r > 0 ? server_conn_deadline(c, L->a) : 0;
        if (deadline && deadline <= now) {
            server_conn_expire(c, L->a, now);
            r = -1;
        }
        if (r <= 0) {
            server_table_remove(&L->t, i);
            if (L->a->once)
                *done = r == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
            continue;
        }
        p->events = stream_poll_events(&c->s);
        p->revents = 0;
        now_again |= server_conn_can_progress(c);
        if (deadline && (next == 0 || deadline < next))
            next = deadline;
    }
    if (now_again)
        return 0;
    if (next == 0)
        return -1;
    long long wait = next - now;
    return wait <= 0 ? 0 : wait > 60000 ? 60000 : (int)wait;
}

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

/* Routes SIGINT and SIGTERM to stop_signal, blocked outside ppoll(); *wait_mask gets the
 * mask ppoll() waits with. */
static void catch_stop_signals(sigset_t *wait_mask)
{
    struct sigaction sa;
    sigset_t stop;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, wait_mask);
    sigdelset(wait_mask, SIGINT);
    sigdelset(wait_mask, SIGTERM);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int wait_ready(server_loop *L, int timeout_ms, const sigset_t *mask)
{
    struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000L};
    return ppoll(L->t.fds, L->t.n + 1, timeout_ms < 0 ? NULL : &ts, mask);
}

int server_run(int listen_fd, tlsm_config *cfg, const server_args *a)
{
    server_loop L = {.lfd = listen_fd, .cfg = cfg, .a = a, .next_id = 1};
    if (server_table_init(&L.t, listen_fd) != 0) {
        cli_error("out of memory");
        close(listen_fd);
        return CLI_EXIT_FAIL;
    }
    if (!a->once)
        reserve_fds(a->max_conns);
    sigset_t wait_mask;
    catch_stop_signals(&wait_mask);
    int done = -1;
    for (;;) {
        if (stop_signal) {
            loop_log("stopping on signal %d (%zu connections open)", (int)stop_signal, L.t.n);
            done = 128 + stop_signal;
            break;
        }
        long long now = stream_now_ms();
        if (L.accept_resume && now >= L.accept_resume) {
            L.accept_resume = 0;
            L.t.fds[0].fd = L.lfd;
        }
        if (L.t.fds[0].fd >= 0 && (L.t.fds[0].revents & POLLIN))
            accept_ready(&L, now);
        L.t.fds[0].revents = 0;
        int timeout = serve_round(&L, now, &done);
        if (done >= 0)
            break;
        if (wait_ready(&L, timeout, &wait_mask) < 0 && errno != EINTR) {
            cli_error("poll: %s", strerror(errno));
            done = CLI_EXIT_FAIL;
            break;
        }
    }
    server_table_free(&L.t);
    if (L.lfd >= 0)
        close(L.lfd);
    return done;
}
