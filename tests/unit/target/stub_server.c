/* Scripted HTTP/1.1 server for the dispatcher tests: parses requests with a
 * Content-Length body, asks the test's handler for a reply and writes it, keeping the
 * connection open. Runs on its own thread until stub_stop(). */
#include "stub_server.h"

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_CONN 32
#define CONN_BUF 65536

typedef struct conn {
    int fd;
    size_t len;
    char buf[CONN_BUF];
} conn;

struct stub_server {
    int listen_fd;
    int wake[2];
    pthread_t thread;
    stub_handler handler;
    void *payload;
    int requests;
    char auth[256];
    conn conns[MAX_CONN];
};

static void header_value(const char *head, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    out[0] = '\0';
    for (const char *p = strstr(head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') {
            const char *v = p + 3 + nl;
            while (*v == ' ') {
                v++;
            }
            size_t len = strcspn(v, "\r\n");
            snprintf(out, cap, "%.*s", (int)(len < cap ? len : cap - 1), v);
            return;
        }
    }
}

static void reply(stub_server *s, conn *c, const char *body, size_t n)
{
    stub_reply r = s->handler(body, n, s->requests++, s->payload);
    char head[1024];
    const char *rb = r.body != NULL ? r.body : "";
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\n%s\r\n",
                      r.status, strlen(rb), r.headers != NULL ? r.headers : "");
    /* One writev: two writes would meet Nagle and the client's delayed ACK (40 ms). */
    struct iovec iov[2] = { { head, (size_t)hl }, { (void *)(uintptr_t)rb, strlen(rb) } };
    if (writev(c->fd, iov, 2) < 0) {
        close(c->fd);
        c->fd = -1;
    }
}

/* Answer every complete request in c's buffer. */
static void serve(stub_server *s, conn *c)
{
    for (;;) {
        c->buf[c->len] = '\0';
        char *end = strstr(c->buf, "\r\n\r\n");
        if (end == NULL) {
            return;
        }
        char value[256];
        header_value(c->buf, "content-length", value, sizeof value);
        size_t head_len = (size_t)(end - c->buf) + 4;
        size_t body_len = (size_t)strtoul(value, NULL, 10);
        if (c->len < head_len + body_len) {
            return;
        }
        header_value(c->buf, "authorization", s->auth, sizeof s->auth);
        reply(s, c, c->buf + head_len, body_len);
        if (c->fd < 0) {
            return;
        }
        memmove(c->buf, c->buf + head_len + body_len, c->len - head_len - body_len);
        c->len -= head_len + body_len;
    }
}

static void accept_conn(stub_server *s)
{
    int fd = accept(s->listen_fd, NULL, NULL);
    for (int i = 0; fd >= 0 && i < MAX_CONN; i++) {
        if (s->conns[i].fd < 0) {
            s->conns[i].fd = fd;
            s->conns[i].len = 0;
            return;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
}

static void *run(void *arg)
{
    stub_server *s = arg;
    for (;;) {
        struct pollfd pfd[MAX_CONN + 2];
        int idx[MAX_CONN + 2];
        nfds_t n = 0;
        pfd[n].fd = s->wake[0];
        pfd[n++].events = POLLIN;
        pfd[n].fd = s->listen_fd;
        pfd[n++].events = POLLIN;
        for (int i = 0; i < MAX_CONN; i++) {
            if (s->conns[i].fd >= 0) {
                idx[n] = i;
                pfd[n].fd = s->conns[i].fd;
                pfd[n++].events = POLLIN;
            }
        }
        if (poll(pfd, n, -1) < 0 || (pfd[0].revents & POLLIN)) {
            return NULL;
        }
        if (pfd[1].revents & POLLIN) {
            accept_conn(s);
        }
        for (nfds_t k = 2; k < n; k++) {
            conn *c = &s->conns[idx[k]];
            if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            ssize_t got = read(c->fd, c->buf + c->len, CONN_BUF - 1 - c->len);
            if (got <= 0) {
                close(c->fd);
                c->fd = -1;
                continue;
            }
            c->len += (size_t)got;
            serve(s, c);
        }
    }
}

static int listen_loopback(int *port_out)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return -1;
    }
    *port_out = ntohs(a.sin_port);
    return fd;
}

stub_server *stub_start(stub_handler handler, void *payload, int *port_out)
{
    stub_server *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    s->handler = handler;
    s->payload = payload;
    for (int i = 0; i < MAX_CONN; i++) {
        s->conns[i].fd = -1;
    }
    s->listen_fd = listen_loopback(port_out);
    if (s->listen_fd < 0 || pipe(s->wake) != 0) {
        if (s->listen_fd >= 0) {
            close(s->listen_fd);
        }
        free(s);
        return NULL;
    }
    if (pthread_create(&s->thread, NULL, run, s) != 0) {
        close(s->listen_fd);
        close(s->wake[0]);
        close(s->wake[1]);
        free(s);
        return NULL;
    }
    return s;
}

void stub_stop(stub_server *s)
{
    if (s == NULL) {
        return;
    }
    if (write(s->wake[1], "x", 1) == 1) {
        pthread_join(s->thread, NULL);
    }
    for (int i = 0; i < MAX_CONN; i++) {
        if (s->conns[i].fd >= 0) {
            close(s->conns[i].fd);
        }
    }
    close(s->listen_fd);
    close(s->wake[0]);
    close(s->wake[1]);
}

void stub_free(stub_server *s)
{
    free(s);
}

int stub_requests(const stub_server *s)
{
    return s->requests;
}

const char *stub_last_auth(const stub_server *s)
{
    return s->auth;
}

int stub_closed_port(void)
{
    int port = 0;
    int fd = listen_loopback(&port);
    if (fd < 0) {
        return -1;
    }
    close(fd);
    return port;
}
