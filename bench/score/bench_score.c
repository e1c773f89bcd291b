/* Bootstrap throughput of the scoring core: fs_score_robustness (two paired bootstraps,
 * accuracy and macro-F1) and a macro-F1-only bootstrap, over synthetic binary and
 * multi-class data. Prints one line per case; the data are a fixed function of the seed,
 * so runs differ only in time. Usage: bench_score [N_RECORDS [N_RESAMPLES]]. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fairshake/core.h"
#include "fairshake/score.h"
#include "fairshake/stats.h"

typedef struct bench_data {
    int *gold, *clean, *pert;
    int *g_scratch, *p_scratch;
    size_t n, n_labels;
} bench_data;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill(bench_data *d, uint64_t seed)
{
    fs_rng r;
    fs_rng_seed(&r, seed);
    int k = (int)d->n_labels;
    for (size_t i = 0; i < d->n; i++) {
        d->gold[i] = (int)fs_rng_below(&r, (uint64_t)k);
        d->clean[i] = fs_rng_below(&r, 10) < 8 ? d->gold[i] : (int)fs_rng_below(&r, (uint64_t)k);
        uint64_t u = fs_rng_below(&r, 20);
        d->pert[i] = u < 16 ? d->clean[i] : u == 19 ? -1 : (int)fs_rng_below(&r, (uint64_t)k);
    }
}

static double macro_f1_metric(const size_t *idx, size_t n, int which, void *payload)
{
    bench_data *d = payload;
    const int *pred = which == 0 ? d->clean : d->pert;
    for (size_t i = 0; i < n; i++) {
        d->g_scratch[i] = d->gold[idx[i]];
        d->p_scratch[i] = pred[idx[i]];
    }
    return fs_score_macro_f1(d->g_scratch, d->p_scratch, n, d->n_labels, 0.0);
}

static int run_case(bench_data *d, size_t n_labels, size_t n_resamples)
{
    fs_error err;
    fs_robustness r;
    d->n_labels = n_labels;
    fill(d, 1234 + n_labels);
    fs_robustness_input in = { d->gold, d->clean, d->pert, d->n, n_labels, 42, n_resamples,
                               NULL, 0 };
    double t0 = now_seconds();
    double lo, hi;
    if (fs_stats_paired_bootstrap(&lo, &hi, d->n, n_resamples, 0.95, 42, macro_f1_metric, d,
                                  &err) != FS_OK) {
        fprintf(stderr, "bench_score: %s\n", err.msg);
        return 1;
    }
    double t1 = now_seconds();
    if (fs_score_robustness(&r, &in, &err) != FS_OK) {
        fprintf(stderr, "bench_score: %s\n", err.msg);
        return 1;
    }
    double t2 = now_seconds();
    double evals = (double)n_resamples * (double)d->n * 2.0;
    printf("labels=%zu records=%zu resamples=%zu\n", n_labels, d->n, n_resamples);
    printf("  macro-F1 bootstrap   %8.3f s  %7.1f M record-evaluations/s  ci=[%.4f, %.4f]\n",
           t1 - t0, evals / (t1 - t0) / 1e6, lo, hi);
    printf("  fs_score_robustness  %8.3f s  (accuracy + macro-F1 bootstraps)  "
           "delta_acc=%.4f ci=[%.4f, %.4f]\n",
           t2 - t1, r.delta_accuracy, r.ci95_accuracy[0], r.ci95_accuracy[1]);
    fs_robustness_dispose(&r);
    return 0;
}

static size_t parse_count(const char *s, size_t fallback)
{
    int64_t v;
    if (s == NULL || !fs_parse_i64(s, &v) || v <= 0) {
        return fallback;
    }
    return (size_t)v;
}

int main(int argc, char **argv)
{
    bench_data d = { 0 };
    d.n = parse_count(argc > 1 ? argv[1] : NULL, 10000);
    size_t n_resamples = parse_count(argc > 2 ? argv[2] : NULL, 1000);
    int rc = 1;
    d.gold = fs_calloc(d.n, sizeof *d.gold);
    d.clean = fs_calloc(d.n, sizeof *d.clean);
    d.pert = fs_calloc(d.n, sizeof *d.pert);
    d.g_scratch = fs_calloc(d.n, sizeof *d.g_scratch);
    d.p_scratch = fs_calloc(d.n, sizeof *d.p_scratch);
    if (d.gold == NULL || d.clean == NULL || d.pert == NULL || d.g_scratch == NULL ||
        d.p_scratch == NULL) {
        fprintf(stderr, "bench_score: out of memory\n");
        goto done;
    }
    rc = run_case(&d, 2, n_resamples);
    if (rc == 0) {
        rc = run_case(&d, 10, n_resamples);
    }
done:
    fs_free(d.gold);
    fs_free(d.clean);
    fs_free(d.pert);
    fs_free(d.g_scratch);
    fs_free(d.p_scratch);
    return rc;
}
