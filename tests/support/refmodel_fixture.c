/* Test fixture around fairshake-refmodel: fork and exec the server with --port 0, read
 * the one "listening on http://HOST:PORT" line it prints, wait until GET /health
 * answers 200, and stop it with SIGTERM (SIGKILL if it does not exit in time). The
 * health check speaks plain HTTP/1.0 over a socket so the fixture needs no HTTP client
 * library. A fixture whose start failed holds pid -1, so stopping it is harmless. */
#include "refmodel_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef FS_TEST_BIN_DIR
#define FS_TEST_BIN_DIR "."
#endif

#define MAX_ARGS         64
#define LINE_TIMEOUT_MS  30000
#define HEALTH_TRIES     200
#define HEALTH_PAUSE_MS  25
#define STOP_TIMEOUT_MS  10000
#define LISTENING_PREFIX "listening on http://"

static void pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static const char *bin_dir(void)
{
    const char *env = getenv("FS_BIN_DIR");
    return (env != NULL && env[0] != '\0') ? env : FS_TEST_BIN_DIR;
}

/* Read one line (without the newline) from fd, waiting at most LINE_TIMEOUT_MS. */
static bool read_line(int fd, char *line, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, LINE_TIMEOUT_MS);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return false;
        }
        ssize_t got = read(fd, line + n, 1);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return false;
        }
        if (line[n] == '\n') {
            line[n] = '\0';
            return true;
        }
        n++;
    }
    return false;
}

/* Split "listening on http://HOST:PORT" into rm->base_url and rm->port. */
static bool parse_listening(fs_test_refmodel *rm, const char *line, char *host, size_t cap)
{
    size_t k = strlen(LISTENING_PREFIX);
    if (strncmp(line, LISTENING_PREFIX, k) != 0) {
        return false;
    }
    const char *colon = strrchr(line + k, ':');
    char *end = NULL;
    if (colon == NULL || (size_t)(colon - (line + k)) >= cap) {
        return false;
    }
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != '\0' || port <= 0 || port > 65535) {
        return false;
    }
    snprintf(host, cap, "%.*s", (int)(colon - (line + k)), line + k);
    rm->port = (int)port;
    int w = snprintf(rm->base_url, sizeof rm->base_url, "http://%s:%d", host, rm->port);
    return w > 0 && (size_t)w < sizeof rm->base_url;
}

static bool health_ok(const char *host, int port)
{
    static const char req[] = "GET /health HTTP/1.0\r\nHost: refmodel\r\n\r\n";
    struct sockaddr_in addr;
    char resp[64] = { 0 };
    bool ok = false;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        return false;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return false;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        send(fd, req, sizeof req - 1, 0) == (ssize_t)(sizeof req - 1)) {
        size_t n = 0;
        ssize_t got;
        while (n + 1 < sizeof resp && (got = recv(fd, resp + n, sizeof resp - 1 - n, 0)) > 0) {
            n += (size_t)got;
        }
        ok = strncmp(resp, "HTTP/1.1 200", 12) == 0 || strncmp(resp, "HTTP/1.0 200", 12) == 0;
    }
    close(fd);
    return ok;
}

static pid_t spawn(const char *bin, const char *const *extra_args, int out_fd, int close_fd)
{
    const char *argv[MAX_ARGS + 5];
    size_t n = 0;
    argv[n++] = bin;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--quiet";
    for (size_t i = 0; extra_args != NULL && extra_args[i] != NULL && i < MAX_ARGS; i++) {
        argv[n++] = extra_args[i];
    }
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        close(close_fd);
        if (dup2(out_fd, STDOUT_FILENO) < 0) {
            _exit(127);
        }
        close(out_fd);
        execv(bin, (char *const *)argv);
        fprintf(stderr, "refmodel fixture: cannot run %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    return pid;
}

static bool wait_healthy(const fs_test_refmodel *rm, const char *host)
{
    for (int i = 0; i < HEALTH_TRIES; i++) {
        if (health_ok(host, rm->port)) {
            return true;
        }
        if (waitpid(rm->pid, NULL, WNOHANG) == rm->pid) {
            return false;
        }
        pause_ms(HEALTH_PAUSE_MS);
    }
    return false;
}

bool fs_test_refmodel_start(fs_test_refmodel *rm, const char *const *extra_args)
{
    char bin[1024], line[256], host[64];
    int fds[2];
    memset(rm, 0, sizeof *rm);
    rm->pid = -1;
    int w = snprintf(bin, sizeof bin, "%s/fairshake-refmodel", bin_dir());
    if (w < 0 || (size_t)w >= sizeof bin || access(bin, X_OK) != 0) {
        fprintf(stderr, "refmodel fixture: no executable %s/fairshake-refmodel\n", bin_dir());
        return false;
    }
    if (pipe(fds) != 0) {
        fprintf(stderr, "refmodel fixture: pipe: %s\n", strerror(errno));
        return false;
    }
    rm->pid = spawn(bin, extra_args, fds[1], fds[0]);
    close(fds[1]);
    if (rm->pid < 0) {
        fprintf(stderr, "refmodel fixture: fork: %s\n", strerror(errno));
        close(fds[0]);
        return false;
    }
    bool ok = read_line(fds[0], line, sizeof line);
    close(fds[0]);
    if (!ok || !parse_listening(rm, line, host, sizeof host)) {
        fprintf(stderr, "refmodel fixture: %s did not report a listening address\n", bin);
    } else if (!(ok = wait_healthy(rm, host))) {
        fprintf(stderr, "refmodel fixture: %s never answered GET /health\n", rm->base_url);
    }
    if (!ok) {
        fs_test_refmodel_stop(rm);
    }
    return ok;
}

void fs_test_refmodel_stop(fs_test_refmodel *rm)
{
    int status = 0;
    if (rm->pid <= 0) {
        return;
    }
    kill(rm->pid, SIGTERM);
    pid_t got = 0;
    for (int waited = 0; waited < STOP_TIMEOUT_MS; waited += 10) {
        got = waitpid(rm->pid, &status, WNOHANG);
        if (got != 0) {
            break;
        }
        pause_ms(10);
    }
    if (got == 0) {
        fprintf(stderr, "refmodel fixture: server %d ignored SIGTERM; killing it\n", (int)rm->pid);
        kill(rm->pid, SIGKILL);
        got = waitpid(rm->pid, &status, 0);
    }
    if (got == rm->pid && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        fprintf(stderr, "refmodel fixture: server %d ended with status %d\n", (int)rm->pid, status);
    }
    rm->pid = -1;
    rm->port = 0;
}
