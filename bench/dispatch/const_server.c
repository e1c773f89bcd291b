/* const_server: a constant-answer HTTP/1.1 server for the dispatcher benchmark. One
 * thread, epoll, keep-alive; every request with a complete body (Content-Length) gets
 * the same small chat-completion answer with usage. It prints "listening on
 * http://127.0.0.1:PORT" and serves until killed. Usage: const_server [PORT] */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_CAP 65536

typedef struct conn {
    int fd;
    size_t len;
    char buf[BUF_CAP];
} conn;

static const char answer_body[] =
    "{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
    "\"assistant\",\"content\":\"positive\"},\"finish_reason\":\"stop\"}],\"usage\":{"
    "\"prompt_tokens\":24,\"completion_tokens\":1,\"total_tokens\":25}}";

static char reply[512];
static size_t reply_len;

static size_t content_length(const char *head, size_t n)
{
    for (size_t i = 0; i + 16 < n; i++) {
        if ((head[i] == '\n') && strncasecmp(head + i + 1, "content-length:", 15) == 0) {
            return (size_t)strtoul(head + i + 16, NULL, 10);
        }
    }
    return 0;
}

/* Answer every complete request in c; false when the connection must close. */
static int serve(conn *c)
{
    for (;;) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (end == NULL) {
            return c->len < BUF_CAP;
        }
        size_t head = (size_t)(end - c->buf) + 4;
        size_t total = head + content_length(c->buf, head);
        if (total > BUF_CAP) {
            return 0;
        }
        if (c->len < total) {
            return 1;
        }
        if (write(c->fd, reply, reply_len) != (ssize_t)reply_len) {
            return 0;
        }
        memmove(c->buf, c->buf + total, c->len - total);
        c->len -= total;
    }
}

static int listen_on(int port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 512) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("const_server");
        exit(1);
    }
    printf("listening on http://127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    return fd;
}

static void accept_one(int ep, int lfd)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) {
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        close(fd);
        return;
    }
    c->fd = fd;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 0;
    int n = snprintf(reply, sizeof reply,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     "%zu\r\n\r\n%s",
                     sizeof answer_body - 1, answer_body);
    reply_len = (size_t)n;
    int lfd = listen_on(port);
    int ep = epoll_create1(0);
    struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
    struct epoll_event evs[64];
    for (;;) {
        int k = epoll_wait(ep, evs, 64, -1);
        for (int i = 0; i < k; i++) {
            conn *c = evs[i].data.ptr;
            if (c == NULL) {
                accept_one(ep, lfd);
                continue;
            }
            ssize_t got = read(c->fd, c->buf + c->len, BUF_CAP - c->len);
            if (got <= 0 || (c->len += (size_t)got, !serve(c))) {
                close(c->fd);
                free(c);
            }
        }
        if (k < 0 && errno != EINTR) {
            return 1;
        }
    }
}
