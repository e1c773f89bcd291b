/* bench_store: how fast the run store takes variants and outcomes, answers the resume
 * question (has_outcome) and walks its rows. Usage: bench_store [N] (default 100000).
 * Works in a scratch directory under $TMPDIR (or /tmp) and removes it afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fairshake/core.h"
#include "fairshake/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static fs_status write_rows(fs_store *s, long n, fs_error *err)
{
    static const char *const perts[] = { "clean", "typo", "homoglyph", "distractor" };
    char rid[32];
    for (long i = 0; i < n; i++) {
        snprintf(rid, sizeof rid, "rec-%ld", i / 4);
        fs_variant v = { 0,
                         rid,
                         (uint64_t)(i / 4),
                         perts[i % 4],
                         "female",
                         "positive",
                         "The service was great — 東京のラーメン 😀, would come back.",
                         true };
        int64_t id = 0;
        fs_status st = fs_store_put_variant(s, &v, &id, err);
        if (st != FS_OK) {
            return st;
        }
        fs_outcome o = { id,   "candidate", FS_OK, 200,   "positive", "positive",
                         41.5, 1,           NULL,  false, 52,         1 };
        st = fs_store_put_outcome(s, &o, err);
        if (st != FS_OK) {
            return st;
        }
    }
    return fs_store_flush(s, err);
}

static fs_status count_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    long *rows = payload;
    *rows += (v != NULL && o != NULL) ? 1 : 0;
    return FS_OK;
}

static fs_status run(const char *path, long n, fs_error *err)
{
    fs_store *s = NULL;
    fs_status st = fs_store_open(&s, path, "bench", true, err);
    if (st != FS_OK) {
        return st;
    }
    double t0 = now_s();
    st = write_rows(s, n, err);
    double t1 = now_s();
    bool has = false;
    for (long i = 1; st == FS_OK && i <= n; i++) {
        st = fs_store_has_outcome(s, i, "candidate", &has, err);
    }
    double t2 = now_s();
    long rows = 0;
    if (st == FS_OK) {
        st = fs_store_each(s, "candidate", count_row, &rows, err);
    }
    double t3 = now_s();
    if (st == FS_OK) {
        st = fs_store_close(s, err);
    } else {
        fs_store_free(s);
    }
    if (st == FS_OK) {
        printf("variant+outcome pairs written: %ld in %.3f s = %.0f outcomes/s\n", n, t1 - t0,
               (double)n / (t1 - t0));
        printf("has_outcome lookups:           %ld in %.3f s = %.0f lookups/s\n", n, t2 - t1,
               (double)n / (t2 - t1));
        printf("each() rows walked:            %ld in %.3f s = %.0f rows/s\n", rows, t3 - t2,
               (double)rows / (t3 - t2));
    }
    return st;
}

int main(int argc, char **argv)
{
    long n = 100000;
    if (argc > 1) {
        int64_t v = 0;
        if (!fs_parse_i64(argv[1], &v) || v <= 0) {
            fprintf(stderr, "usage: %s [N]\n", argv[0]);
            return 2;
        }
        n = (long)v;
    }
    const char *base = getenv("TMPDIR");
    char dir[512], path[600], side[640];
    snprintf(dir, sizeof dir, "%s/bench-store-XXXXXX", (base && base[0]) ? base : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/run.sqlite", dir);
    fs_error err = { 0 };
    fs_status st = run(path, n, &err);
    if (st != FS_OK) {
        fprintf(stderr, "bench_store: %s\n", err.msg);
    }
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    rmdir(dir);
    return st == FS_OK ? 0 : 1;
}
