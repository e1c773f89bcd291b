/* The exec transport of the dispatcher: a pool of long-lived local programs, one per
 * slot (spec->processes of them at most), each started with posix_spawnp from an argv
 * array (no shell). Protocol: for each request one line goes to the program's stdin, the
 * request body (a JSON object) with "id" added first: {"id":7,"input":"..."}; the program
 * answers with exactly one JSON line on stdout before it reads the next request. A
 * program has one request at a time, so answers cannot be mixed up. Invariants:
 *  - stdin and stdout are one Unix socket pair (SOCK_CLOEXEC, non-blocking on our side),
 *    so writing to a program that died is an error, not a SIGPIPE;
 *  - a program that exits, writes a partial line and closes, or misses the per-request
 *    timeout (killed with SIGKILL) fails the attempt as a transient error and is started
 *    again for the next request; one that cannot be started stops the dispatch;
 *  - on close, every program gets EOF on stdin, a moment to exit, then SIGKILL; every
 *    child is reaped. */
#include "target/dispatch_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct proc {
    pid_t pid; /* 0 when not running */
    int fd;    /* our end of the socket pair, -1 when closed */
    fs_buf line;
    size_t sent;
    double deadline_ms;
} proc;

typedef struct exec_state {
    char **argv; /* NULL-terminated copy of spec->argv (pointers borrowed) */
    proc *procs; /* per slot */
    uint64_t seq;
    char what[160];
} exec_state;

static fs_status exec_open(fs_target__dispatcher *d, fs_error *err)
{
    exec_state *x = fs_calloc(1, sizeof *x);
    if (x == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    d->tx_state = x;
    x->argv = fs_calloc(d->spec->argc + 1, sizeof *x->argv);
    x->procs = fs_calloc((size_t)d->n_slots, sizeof *x->procs);
    if (x->argv == NULL || x->procs == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < d->spec->argc; i++) {
        x->argv[i] = (char *)(uintptr_t)d->spec->argv[i];
    }
    for (int i = 0; i < d->n_slots; i++) {
        x->procs[i].fd = -1;
        fs_buf_init(&x->procs[i].line, 0);
    }
    return FS_OK;
}

static void reap(proc *p, bool kill_it)
{
    if (p->fd >= 0) {
        close(p->fd);
        p->fd = -1;
    }
    if (p->pid > 0) {
        if (kill_it) {
            kill(p->pid, SIGKILL);
        }
        waitpid(p->pid, NULL, 0);
        p->pid = 0;
    }
}

static fs_status spawn(fs_target__dispatcher *d, exec_state *x, proc *p, fs_error *err)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        return FS_FAIL(err, FS_ERR_IO, "exec: socketpair: %s", strerror(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, sv[1], STDOUT_FILENO);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, x->argv[0], &fa, NULL, x->argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(sv[1]);
    if (rc != 0) {
        close(sv[0]);
        return FS_FAIL(err, FS_ERR_CONFIG, "target '%s': exec: cannot start '%s': %s",
                       d->spec->name != NULL ? d->spec->name : "", x->argv[0], strerror(rc));
    }
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    p->pid = pid;
    p->fd = sv[0];
    return FS_OK;
}

static fs_status exec_start(fs_target__dispatcher *d, fs_target__slot *s, fs_error *err)
{
    exec_state *x = d->tx_state;
    proc *p = &x->procs[s->index];
    if (p->pid == 0) {
        fs_status st = spawn(d, x, p, err);
        if (st != FS_OK) {
            return st;
        }
    }
    const char *body = s->r->body;
    size_t n = s->r->body_len;
    fs_buf_reset(&p->line);
    if (n >= 2 && body[0] == '{') {
        size_t rest = 1;
        while (rest < n && (body[rest] == ' ' || body[rest] == '\n')) {
            rest++;
        }
        fs_buf_printf(&p->line, "{\"id\":%llu%s", (unsigned long long)++x->seq,
                      body[rest] == '}' ? "" : ",");
        fs_buf_append(&p->line, body + rest, n - rest);
    } else {
        fs_buf_append(&p->line, body, n);
    }
    fs_buf_putc(&p->line, '\n');
    if (fs_buf_status(&p->line) != FS_OK) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p->sent = 0;
    p->deadline_ms = d->opts.timeout_ms > 0 ? s->start_ms + (double)d->opts.timeout_ms : 0;
    return FS_OK;
}

/* End the attempt in slot s as a transient failure; the program is started afresh. */
static void fail_attempt(fs_target__dispatcher *d, fs_target__slot *s, proc *p, bool kill_it)
{
    exec_state *x = d->tx_state;
    int status = 0;
    if (p->fd >= 0) {
        close(p->fd);
        p->fd = -1;
    }
    if (kill_it && p->pid > 0) {
        kill(p->pid, SIGKILL);
    }
    if (p->pid > 0 && waitpid(p->pid, &status, 0) == p->pid && !kill_it) {
        if (WIFEXITED(status)) {
            snprintf(x->what, sizeof x->what, "exec: the program exited with status %d",
                     WEXITSTATUS(status));
        } else if (WIFSIGNALED(status)) {
            snprintf(x->what, sizeof x->what, "exec: the program was killed by signal %d",
                     WTERMSIG(status));
        }
    }
    p->pid = 0;
    if (kill_it) {
        snprintf(x->what, sizeof x->what, "exec: no answer within %ld ms", d->opts.timeout_ms);
    }
    fs_target__attempt a = { false, 0, true, x->what };
    fs_target__finished(d, s, &a);
}

/* Read what the program wrote; true when the attempt ended (answered or failed). */
static bool read_reply(fs_target__dispatcher *d, fs_target__slot *s, proc *p)
{
    char chunk[4096];
    exec_state *x = d->tx_state;
    for (;;) {
        ssize_t got = recv(p->fd, chunk, sizeof chunk, 0);
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            return false;
        }
        if (got <= 0) {
            snprintf(x->what, sizeof x->what, "exec: the program closed its output");
            fail_attempt(d, s, p, false);
            return true;
        }
        if (s->ttfb_ms < 0) {
            s->ttfb_ms = fs_target__now_ms() - s->start_ms;
        }
        const char *nl = memchr(chunk, '\n', (size_t)got);
        fs_buf_append(&s->resp, chunk, nl != NULL ? (size_t)(nl - chunk) : (size_t)got);
        if (fs_buf_status(&s->resp) != FS_OK) {
            fs_target__fatal(d, FS_ERR_NOMEM, "out of memory");
            return true;
        }
        if (nl != NULL) {
            if (nl + 1 != chunk + got) {
                reap(p, true); /* wrote more than one line: its state is unknown */
            }
            fs_target__attempt a = { true, 0, false, "" };
            fs_target__finished(d, s, &a);
            return true;
        }
    }
}

static void write_more(proc *p)
{
    while (p->sent < p->line.len) {
        ssize_t put = send(p->fd, p->line.data + p->sent, p->line.len - p->sent, MSG_NOSIGNAL);
        if (put <= 0) {
            return; /* full (EAGAIN) or broken: the read side reports what happened */
        }
        p->sent += (size_t)put;
    }
}

/* Poll the busy programs for timeout_ms; with handle, act on what happened. */
static void poll_procs(fs_target__dispatcher *d, int timeout_ms, bool handle)
{
    exec_state *x = d->tx_state;
    struct pollfd pfd[64];
    int idx[64], n = 0;
    double now = fs_target__now_ms();
    for (int i = 0; i < d->n_slots && n < 64; i++) {
        proc *p = &x->procs[i];
        if (d->slots[i].r == NULL || p->fd < 0) {
            continue;
        }
        if (p->deadline_ms > 0 && p->deadline_ms - now < timeout_ms) {
            double left = p->deadline_ms - now;
            timeout_ms = left > 0 ? (int)left + 1 : 0;
        }
        pfd[n].fd = p->fd;
        pfd[n].events = (short)(POLLIN | (p->sent < p->line.len ? POLLOUT : 0));
        pfd[n].revents = 0;
        idx[n++] = i;
    }
    if (poll(pfd, (nfds_t)n, timeout_ms) < 0 || !handle) {
        return;
    }
    now = fs_target__now_ms();
    for (int k = 0; k < n && d->stop == FS_OK; k++) {
        proc *p = &x->procs[idx[k]];
        fs_target__slot *s = &d->slots[idx[k]];
        if (pfd[k].revents & POLLOUT) {
            write_more(p);
        }
        bool ended = (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) && read_reply(d, s, p);
        if (!ended && p->deadline_ms > 0 && now >= p->deadline_ms) {
            fail_attempt(d, s, p, true);
        }
    }
}

static fs_status exec_progress(fs_target__dispatcher *d, fs_error *err)
{
    exec_state *x = d->tx_state;
    for (int i = 0; i < d->n_slots; i++) {
        if (d->slots[i].r != NULL && x->procs[i].sent < x->procs[i].line.len) {
            write_more(&x->procs[i]);
        }
    }
    (void)err;
    poll_procs(d, 0, true);
    return FS_OK;
}

static fs_status exec_sleep(fs_target__dispatcher *d, int timeout_ms, fs_error *err)
{
    (void)err;
    if (d->n_busy == 0) {
        struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        return FS_OK;
    }
    poll_procs(d, timeout_ms, false);
    return FS_OK;
}

static void exec_close(fs_target__dispatcher *d)
{
    exec_state *x = d->tx_state;
    if (x == NULL) {
        return;
    }
    for (int i = 0; x->procs != NULL && i < d->n_slots; i++) {
        proc *p = &x->procs[i];
        if (p->fd >= 0) {
            close(p->fd); /* EOF on stdin: a well-behaved program exits */
            p->fd = -1;
        }
        for (int tries = 0; p->pid > 0 && tries < 50; tries++) {
            if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
                p->pid = 0;
                break;
            }
            struct timespec ts = { 0, 2000000L };
            nanosleep(&ts, NULL);
        }
        reap(p, true);
        fs_buf_dispose(&p->line);
    }
    fs_free(x->procs);
    fs_free(x->argv);
    fs_free(x);
    d->tx_state = NULL;
}

const fs_target__transport fs_target__exec_transport = { exec_open, exec_start, exec_progress,
                                                         exec_sleep, exec_close };
