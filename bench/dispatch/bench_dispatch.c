/* bench_dispatch: throughput of the dispatcher. Starts fairshake-refmodel on a free
 * loopback port (or uses --url, e.g. bench/dispatch's const_server), sends N chat
 * requests at a given concurrency, and prints requests per second, the client's CPU time
 * per request (user + system of this process, so the server's work is not counted) and
 * the resident memory after 10% and after all of the requests (flat when memory is
 * bounded by the in-flight window). Every answer is parsed, as a run would. Usage:
 *   bench_dispatch [--n N] [--concurrency C] [--delay-ms D] [--url URL] */
#include "fairshake/target.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef FS_BENCH_BIN_DIR
#define FS_BENCH_BIN_DIR "."
#endif

typedef struct bench {
    int64_t n;
    int64_t supplied;
    int64_t ok;
    int64_t failed;
    const char *body;
    size_t body_len;
    const fs_target_spec *spec;
    double rss_10_mb;
} bench;

static double rss_mb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) {
        return -1;
    }
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) {
        resident = -1;
    }
    fclose(f);
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

static bool next_req(fs_request *req, void *payload)
{
    bench *b = payload;
    if (b->supplied >= b->n) {
        return false;
    }
    req->id = (uint64_t)b->supplied++;
    req->body = b->body;
    req->body_len = b->body_len;
    return true;
}

static fs_status on_done(const fs_response *r, void *payload)
{
    bench *b = payload;
    fs_target_answer a;
    if (r->status == FS_OK &&
        fs_target_parse_response(&a, b->spec, r->body, r->body_len, NULL) == FS_OK) {
        b->ok++;
        fs_target_answer_dispose(&a);
    } else {
        b->failed++;
    }
    if (b->ok + b->failed == b->n / 10) {
        b->rss_10_mb = rss_mb();
    }
    return FS_OK;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Start the reference model; fills url and returns its pid, or -1. */
static pid_t start_refmodel(char *url, size_t cap, const char *delay_ms)
{
    char bin[512];
    const char *dir = getenv("FS_BIN_DIR");
    snprintf(bin, sizeof bin, "%s/fairshake-refmodel", dir != NULL ? dir : FS_BENCH_BIN_DIR);
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(bin, bin, "--port", "0", "--quiet", "--delay-ms", delay_ms, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[256] = "";
    if (pid < 0 || f == NULL || fgets(line, sizeof line, f) == NULL ||
        strncmp(line, "listening on ", 13) != 0) {
        fprintf(stderr, "bench_dispatch: cannot start %s\n", bin);
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, NULL, 0);
        }
        if (f != NULL) {
            fclose(f);
        }
        return -1;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    int len = snprintf(url, cap, "%s/v1/chat/completions", line + 13);
    if (len < 0 || (size_t)len >= cap) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

static int run(const char *url, int64_t n, int concurrency)
{
    static const char body[] = "{\"model\":\"nb-sentiment\",\"messages\":[{\"role\":\"user\","
                               "\"content\":\"Is this review positive or negative? Text: a "
                               "warm, funny and beautifully acted film.\\nAnswer:\"}]}";
    fs_target_spec spec = {
        .name = "bench", .type = FS_TARGET_OPENAI_CHAT, .url = url, .model = "nb-sentiment"
    };
    fs_dispatch_opts opts = FS_DISPATCH_OPTS_INIT;
    opts.concurrency = concurrency;
    bench b = { n, 0, 0, 0, body, sizeof body - 1, &spec, -1 };
    fs_error err;
    double w0 = wall_s(), c0 = cpu_s();
    fs_status st = fs_dispatch_run(&spec, &opts, next_req, on_done, &b, NULL, NULL, &err);
    double wall = wall_s() - w0, cpu = cpu_s() - c0;
    if (st != FS_OK) {
        fprintf(stderr, "bench_dispatch: %s\n", err.msg);
        return 1;
    }
    printf("dispatch  n=%lld concurrency=%d  ok=%lld failed=%lld  %.3f s  %.0f req/s  "
           "client CPU %.1f us/req  RSS %.1f MB at 10%%, %.1f MB at 100%%\n",
           (long long)n, concurrency, (long long)b.ok, (long long)b.failed, wall, (double)n / wall,
           cpu / (double)n * 1e6, b.rss_10_mb, rss_mb());
    return b.failed == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    int64_t n = 5000, conc = 16;
    const char *url = NULL, *delay = "0";
    for (int i = 1; i + 1 < argc; i += 2) {
        bool ok = true;
        if (strcmp(argv[i], "--n") == 0) {
            ok = fs_parse_i64(argv[i + 1], &n) && n > 0;
        } else if (strcmp(argv[i], "--concurrency") == 0) {
            ok = fs_parse_i64(argv[i + 1], &conc) && conc > 0 && conc <= 4096;
        } else if (strcmp(argv[i], "--delay-ms") == 0) {
            delay = argv[i + 1];
        } else if (strcmp(argv[i], "--url") == 0) {
            url = argv[i + 1];
        } else {
            ok = false;
        }
        if (!ok) {
            fprintf(stderr, "usage: bench_dispatch [--n N] [--concurrency C] [--delay-ms D] "
                            "[--url URL]\n");
            return 2;
        }
    }
    if (fs_target_global_init(NULL) != FS_OK) {
        return 1;
    }
    char own[320];
    pid_t pid = -1;
    if (url == NULL) {
        pid = start_refmodel(own, sizeof own, delay);
        if (pid < 0) {
            fs_target_global_cleanup();
            return 1;
        }
        url = own;
    }
    int rc = run(url, n, (int)conc);
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    fs_target_global_cleanup();
    return rc;
}
