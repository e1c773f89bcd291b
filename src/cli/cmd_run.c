/* fairshake run: the audit, with a progress display on stderr (a live line on a
 * terminal, periodic plain lines otherwise, nothing with --quiet). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cli_print_failed_gates(const fs_audit_result *res)
{
    if (res->gates_failed == 0) {
        return;
    }
    fprintf(stderr, "fairshake: %zu gate%s failed\n", res->gates_failed,
            res->gates_failed == 1 ? "" : "s");
    for (const char *p = res->failed; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        fprintf(stderr, "fairshake:   %.*s\n", len, p);
        p += len + (nl != NULL);
    }
}

typedef struct progress {
    bool tty;
    double start, last;
} progress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_progress(uint64_t done, uint64_t total, uint64_t errors, void *payload)
{
    progress *p = payload;
    double t = now_s();
    bool final = total > 0 && done >= total;
    if (!final && t - p->last < (p->tty ? 0.2 : 5.0)) {
        return;
    }
    p->last = t;
    double rate = t > p->start ? (double)done / (t - p->start) : 0.0;
    double frac = total > 0 ? (double)done / (double)total : 0.0;
    double eta = rate > 0 && total > done ? (double)(total - done) / rate : 0.0;
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30.0);
        for (int i = 0; i < 30; i++) {
            bar[i] = i < fill ? '#' : '.';
        }
        bar[30] = '\0';
        fprintf(stderr, "\r\033[K[%s] %llu/%llu %3.0f%%  %.0f/s  ETA %.0fs  errors %llu%s", bar,
                (unsigned long long)done, (unsigned long long)total, frac * 100.0, rate, eta,
                (unsigned long long)errors, final ? "\n" : "");
    } else {
        fprintf(stderr, "fairshake: %llu/%llu variants (%.0f%%), %.0f/s, ETA %.0fs, %llu errors\n",
                (unsigned long long)done, (unsigned long long)total, frac * 100.0, rate, eta,
                (unsigned long long)errors);
    }
    fflush(stderr);
}

static void on_log(int level, const char *msg, void *payload)
{
    (void)payload;
    fprintf(stderr, "fairshake: %s%s\n", level > 0 ? "warning: " : "", msg);
}

static bool parse_count(const char *s, uint64_t *out)
{
    int64_t v = 0;
    if (s == NULL || !fs_parse_i64(s, &v) || v <= 0) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

int cli_cmd_run(const cli_cmd *cmd, cli_args *a)
{
    fs_audit_opts opts = FS_AUDIT_OPTS_INIT;
    fs_audit_result res;
    fs_error err;
    progress prog = { isatty(2) != 0, now_s(), now_s() };
    bool quiet = cli_flag(cmd, a, "quiet");
    uint64_t v = 0;
    fs_error_clear(&err);
    if (a->n_positional != 1) {
        return cli_usage(cmd, "expected one CONFIG");
    }
    if (cli_flag(cmd, a, "fresh") && cli_flag(cmd, a, "resume")) {
        return cli_usage(cmd, "--fresh and --resume exclude each other");
    }
    if (cli_get(cmd, a, "concurrency") != NULL) {
        if (!parse_count(cli_get(cmd, a, "concurrency"), &v) || v > 4096) {
            return cli_usage(cmd, "--concurrency: expected an integer from 1 to 4096");
        }
        opts.concurrency = (int)v;
    }
    if (cli_get(cmd, a, "limit") != NULL && !parse_count(cli_get(cmd, a, "limit"), &opts.limit)) {
        return cli_usage(cmd, "--limit: expected a positive integer");
    }
    opts.out_dir = cli_get(cmd, a, "out");
    opts.dry_run = cli_flag(cmd, a, "dry-run");
    opts.fresh = cli_flag(cmd, a, "fresh");
    opts.log = quiet ? NULL : on_log;
    opts.progress = quiet ? NULL : on_progress;
    opts.progress_payload = &prog;
    fs_status st = fs_audit_run(a->positional[0], &opts, &res, &err);
    if (st != FS_OK) {
        return cli_fail(st, &err);
    }
    if (res.plan != NULL) {
        fputs(res.plan, stdout);
        fs_free(res.plan);
        return 0;
    }
    if (!quiet) {
        fprintf(stderr, "fairshake: %llu variants, %llu requests sent, %llu from the cache\n",
                (unsigned long long)res.variants, (unsigned long long)res.requests_sent,
                (unsigned long long)res.cache_hits);
        printf("%s/report.json\n", res.report_dir);
        cli_print_failed_gates(&res);
    }
    return res.gates_failed > 0 ? 1 : 0;
}
