/* stats.bootstrap: the paired percentile bootstrap, numpy-compatible quantiles and the
 * NaN-last sort. */
#include "fs_test.h"

#include <math.h>

#include "fairshake/core.h"
#include "fairshake/stats.h"

#define N_SYN 2000

/* Paired correctness of a synthetic model: clean correct with p = 0.8; when clean is
 * correct the perturbed answer stays correct with p = 0.85, otherwise it becomes correct
 * with p = 0.1. True accuracies 0.8 and 0.7, true delta -0.1. */
typedef struct synthetic {
    unsigned char correct[2][N_SYN];
} synthetic;

static void make_synthetic(synthetic *s)
{
    fs_rng r;
    fs_rng_seed(&r, 20240611);
    for (size_t i = 0; i < N_SYN; i++) {
        int c = fs_rng_uniform(&r) < 0.8;
        double u = fs_rng_uniform(&r);
        s->correct[0][i] = (unsigned char)c;
        s->correct[1][i] = (unsigned char)(c ? u < 0.85 : u < 0.1);
    }
}

static double mean_metric(const size_t *idx, size_t n, int which, void *payload)
{
    const synthetic *s = payload;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += s->correct[which][idx[i]];
    }
    return (double)k / (double)n;
}

static void test_stats_bootstrap__deterministic_per_seed(void)
{
    static synthetic s;
    make_synthetic(&s);
    double lo1, hi1, lo2, hi2, lo3, hi3;
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo1, &hi1, N_SYN, 500, 0.95, 7, mean_metric, &s, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo2, &hi2, N_SYN, 500, 0.95, 7, mean_metric, &s, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo3, &hi3, N_SYN, 500, 0.95, 8, mean_metric, &s, NULL), FS_OK);
    CU_ASSERT_EQUAL(lo1, lo2);
    CU_ASSERT_EQUAL(hi1, hi2);
    CU_ASSERT(lo1 != lo3 || hi1 != hi3);
    CU_ASSERT(lo1 < hi1);
}

static void test_stats_bootstrap__matches_normal_approximation(void)
{
    static synthetic s;
    make_synthetic(&s);
    double sum = 0.0, sum2 = 0.0;
    for (size_t i = 0; i < N_SYN; i++) {
        double d = (double)s.correct[1][i] - (double)s.correct[0][i];
        sum += d;
        sum2 += d * d;
    }
    double mean = sum / N_SYN;
    double var = (sum2 - N_SYN * mean * mean) / (N_SYN - 1);
    double half = 1.959963984540054 * sqrt(var / N_SYN);
    double lo, hi;
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo, &hi, N_SYN, 2000, 0.95, 42, mean_metric, &s, NULL), FS_OK);
    /* The interval covers the observed and the true delta ... */
    CU_ASSERT(lo < mean && mean < hi);
    CU_ASSERT(lo < -0.1 && -0.1 < hi);
    /* ... and agrees with the analytic paired interval mean +- z * sd / sqrt(n) to within
     * 15% of its half-width (the Monte Carlo error of 2000 resamples is about 4%). */
    CU_ASSERT_DOUBLE_EQUAL(lo, mean - half, 0.15 * half);
    CU_ASSERT_DOUBLE_EQUAL(hi, mean + half, 0.15 * half);
    /* A 50% interval is narrower and nested. */
    double lo50, hi50;
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo50, &hi50, N_SYN, 2000, 0.5, 42, mean_metric, &s, NULL),
        FS_OK);
    CU_ASSERT(lo < lo50 && hi50 < hi);
}

/* which 1 returns the first resampled index, which 0 returns 0; a resample whose first
 * index is below skip_below gives NaN. */
typedef struct first_index {
    size_t skip_below;
} first_index;

static double first_index_metric(const size_t *idx, size_t n, int which, void *payload)
{
    const first_index *f = payload;
    (void)n;
    if (which == 0) {
        return 0.0;
    }
    if (idx[0] < f->skip_below) {
        return NAN;
    }
    return (double)idx[0];
}

/* The expected interval, drawing the same stream: fs_rng_seed(seed), n_records draws of
 * fs_rng_below(n_records) per resample. */
static size_t expected_deltas(double *out, size_t n_records, size_t n_resamples, uint64_t seed,
                              size_t skip_below)
{
    fs_rng r;
    fs_rng_seed(&r, seed);
    size_t kept = 0;
    for (size_t k = 0; k < n_resamples; k++) {
        size_t first = 0;
        for (size_t i = 0; i < n_records; i++) {
            size_t v = (size_t)fs_rng_below(&r, n_records);
            first = i == 0 ? v : first;
        }
        if (first >= skip_below) {
            out[kept++] = (double)first;
        }
    }
    fs_stats_sort(out, kept);
    return kept;
}

static void test_stats_bootstrap__stream_and_percentiles(void)
{
    double want[200], lo, hi;
    first_index f = { 0 };
    size_t kept = expected_deltas(want, 37, 200, 99, 0);
    CU_ASSERT_EQUAL_FATAL(kept, 200);
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo, &hi, 37, 200, 0.9, 99, first_index_metric, &f, NULL), FS_OK);
    CU_ASSERT_EQUAL(lo, fs_stats_quantile(want, kept, 0.05));
    CU_ASSERT_EQUAL(hi, fs_stats_quantile(want, kept, 0.95));
    CU_ASSERT(lo < hi);
}

static void test_stats_bootstrap__skips_non_finite(void)
{
    double want[400], lo, hi;
    /* about a third of the resamples are skipped: still an interval */
    first_index f = { 10 };
    size_t kept = expected_deltas(want, 30, 400, 5, 10);
    CU_ASSERT_FATAL(kept >= 200 && kept < 400);
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo, &hi, 30, 400, 0.95, 5, first_index_metric, &f, NULL), FS_OK);
    double alpha = (1.0 - 0.95) / 2.0;
    CU_ASSERT_EQUAL(lo, fs_stats_quantile(want, kept, alpha));
    CU_ASSERT_EQUAL(hi, fs_stats_quantile(want, kept, 1.0 - alpha));
    /* two in three skipped: fewer than half remain, no interval */
    f.skip_below = 20;
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo, &hi, 30, 400, 0.95, 5, first_index_metric, &f, NULL), FS_OK);
    CU_ASSERT(isnan(lo) && isnan(hi));
}

static void test_stats_bootstrap__degenerate_and_bad_arguments(void)
{
    double lo = 0, hi = 0;
    first_index f = { 0 };
    fs_error err;
    CU_ASSERT_EQUAL(
        fs_stats_paired_bootstrap(&lo, &hi, 0, 100, 0.95, 1, first_index_metric, &f, &err), FS_OK);
    CU_ASSERT(isnan(lo) && isnan(hi));
    /* one record: every resample is {0}, so the delta is exactly 0 */
    CU_ASSERT_EQUAL(
        fs_stats_paired_bootstrap(&lo, &hi, 1, 50, 0.95, 1, first_index_metric, &f, &err), FS_OK);
    CU_ASSERT_EQUAL(lo, 0.0);
    CU_ASSERT_EQUAL(hi, 0.0);
    CU_ASSERT_EQUAL(
        fs_stats_paired_bootstrap(&lo, &hi, 10, 0, 0.95, 1, first_index_metric, &f, &err),
        FS_ERR_USAGE);
    CU_ASSERT_EQUAL(err.code, FS_ERR_USAGE);
    CU_ASSERT_EQUAL(
        fs_stats_paired_bootstrap(&lo, &hi, 10, 10, 1.0, 1, first_index_metric, &f, &err),
        FS_ERR_USAGE);
    CU_ASSERT_EQUAL(fs_stats_paired_bootstrap(&lo, &hi, 10, 10, 0.95, 1, NULL, &f, NULL),
                    FS_ERR_USAGE);
}

static void test_stats_bootstrap__quantile_matches_numpy(void)
{
    /* Values of numpy.quantile(a, q) (default method "linear"). */
    static const double a4[] = { 1, 2, 3, 4 };
    CU_ASSERT_EQUAL(fs_stats_quantile(a4, 4, 0.0), 1.0);
    CU_ASSERT_EQUAL(fs_stats_quantile(a4, 4, 0.25), 1.75);
    CU_ASSERT_EQUAL(fs_stats_quantile(a4, 4, 0.5), 2.5);
    CU_ASSERT_EQUAL(fs_stats_quantile(a4, 4, 0.75), 3.25);
    CU_ASSERT_EQUAL(fs_stats_quantile(a4, 4, 1.0), 4.0);
    static const double a5[] = { 1, 2, 3, 4, 5 };
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_quantile(a5, 5, 0.4), 2.6, 1e-15);
    static const double a2[] = { 10, 20 };
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_quantile(a2, 2, 0.1), 11.0, 1e-14);
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_quantile(a2, 2, 0.9), 19.0, 1e-14);
    static const double a1[] = { -3.5 };
    CU_ASSERT_EQUAL(fs_stats_quantile(a1, 1, 0.3), -3.5);
    static double a1000[1000];
    for (size_t i = 0; i < 1000; i++) {
        a1000[i] = (double)i;
    }
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_quantile(a1000, 1000, 0.025), 24.975, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_quantile(a1000, 1000, 0.975), 974.025, 1e-12);
    CU_ASSERT(isnan(fs_stats_quantile(a4, 0, 0.5)));
    CU_ASSERT(isnan(fs_stats_quantile(a4, 4, 1.5)));
    CU_ASSERT(isnan(fs_stats_quantile(a4, 4, -0.1)));
}

static void test_stats_bootstrap__sort_nan_last(void)
{
    double v[] = { 3, NAN, -1, 2, NAN, -INFINITY, INFINITY, -1 };
    fs_stats_sort(v, 8);
    CU_ASSERT(isinf(v[0]) && v[0] < 0);
    CU_ASSERT_EQUAL(v[1], -1.0);
    CU_ASSERT_EQUAL(v[2], -1.0);
    CU_ASSERT_EQUAL(v[3], 2.0);
    CU_ASSERT_EQUAL(v[4], 3.0);
    CU_ASSERT(isinf(v[5]) && v[5] > 0);
    CU_ASSERT(isnan(v[6]) && isnan(v[7]));
}

const fs_test_case fs_stats_bootstrap_tests[] = {
    { "test_stats_bootstrap__deterministic_per_seed",
      test_stats_bootstrap__deterministic_per_seed },
    { "test_stats_bootstrap__matches_normal_approximation",
      test_stats_bootstrap__matches_normal_approximation },
    { "test_stats_bootstrap__stream_and_percentiles",
      test_stats_bootstrap__stream_and_percentiles },
    { "test_stats_bootstrap__skips_non_finite", test_stats_bootstrap__skips_non_finite },
    { "test_stats_bootstrap__degenerate_and_bad_arguments",
      test_stats_bootstrap__degenerate_and_bad_arguments },
    { "test_stats_bootstrap__quantile_matches_numpy",
      test_stats_bootstrap__quantile_matches_numpy },
    { "test_stats_bootstrap__sort_nan_last", test_stats_bootstrap__sort_nan_last },
    { NULL, NULL },
};
