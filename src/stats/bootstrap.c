/* Paired percentile bootstrap, quantiles and sorting of doubles.
 *
 * The bootstrap draws every resample from one fs_rng stream seeded with the caller's
 * seed, so the same (data, seed, n_resamples) always gives the same interval on every
 * machine. Resampling keeps the pairing: a drawn record index selects the record in
 * both conditions, and the metric callback evaluates each condition on the same index
 * list. One index buffer is reused for every resample, and the deltas are kept in one
 * array that is sorted once at the end. Quantiles follow numpy's default ("linear")
 * method bit for bit, including its two-sided interpolation formula. */
#include "fairshake/stats.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa;
    double b = *(const double *)pb;
    int na = isnan(a) ? 1 : 0;
    int nb = isnan(b) ? 1 : 0;
    if (na || nb) {
        return na - nb;
    }
    return (a > b) - (a < b);
}

void fs_stats_sort(double *v, size_t n)
{
    if (v == NULL || n < 2) {
        return;
    }
    qsort(v, n, sizeof *v, cmp_double);
}

double fs_stats_quantile(const double *sorted, size_t n, double q)
{
    if (sorted == NULL || n == 0 || !(q >= 0.0 && q <= 1.0)) {
        return NAN;
    }
    double h = (double)(n - 1) * q;
    size_t i = (size_t)floor(h);
    if (i >= n - 1) {
        return sorted[n - 1];
    }
    double g = h - (double)i;
    double a = sorted[i];
    double b = sorted[i + 1];
    double diff = b - a;
    /* numpy's _lerp: interpolate from the nearer end so that g == 1 gives b exactly. */
    return g >= 0.5 ? b - diff * (1.0 - g) : a + diff * g;
}

static fs_status check_args(double *lo, double *hi, size_t n_resamples, double level,
                            fs_stats_metric_fn fn, fs_error *err)
{
    if (lo == NULL || hi == NULL || fn == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "paired bootstrap: NULL output or metric");
    }
    if (n_resamples == 0) {
        return FS_FAIL(err, FS_ERR_USAGE, "paired bootstrap: n_resamples must be positive");
    }
    if (!(level > 0.0 && level < 1.0)) {
        return FS_FAIL(err, FS_ERR_USAGE, "paired bootstrap: level %g outside (0, 1)", level);
    }
    return FS_OK;
}

fs_status fs_stats_paired_bootstrap(double *lo, double *hi, size_t n_records, size_t n_resamples,
                                    double level, uint64_t seed, fs_stats_metric_fn fn,
                                    void *payload, fs_error *err)
{
    size_t *idx = NULL;
    double *deltas = NULL;
    size_t idx_bytes, delta_bytes, kept = 0;
    fs_status st = check_args(lo, hi, n_resamples, level, fn, err);
    if (st != FS_OK) {
        return st;
    }
    *lo = NAN;
    *hi = NAN;
    if (n_records == 0) {
        return FS_OK;
    }
    if (!fs_size_mul(&idx_bytes, n_records, sizeof *idx) ||
        !fs_size_mul(&delta_bytes, n_resamples, sizeof *deltas)) {
        return FS_FAIL(err, FS_ERR_LIMIT, "paired bootstrap: %zu records x %zu resamples",
                       n_records, n_resamples);
    }
    idx = fs_malloc(idx_bytes);
    deltas = fs_malloc(delta_bytes);
    if (idx == NULL || deltas == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "paired bootstrap: out of memory");
        goto done;
    }
    fs_rng rng;
    fs_rng_seed(&rng, seed);
    for (size_t r = 0; r < n_resamples; r++) {
        for (size_t i = 0; i < n_records; i++) {
            idx[i] = (size_t)fs_rng_below(&rng, n_records);
        }
        double first = fn(idx, n_records, 0, payload);
        double second = fn(idx, n_records, 1, payload);
        double d = second - first;
        if (isfinite(d)) {
            deltas[kept++] = d;
        }
    }
    if (kept < n_resamples - kept) {
        goto done;
    }
    fs_stats_sort(deltas, kept);
    double alpha = (1.0 - level) / 2.0;
    *lo = fs_stats_quantile(deltas, kept, alpha);
    *hi = fs_stats_quantile(deltas, kept, 1.0 - alpha);
done:
    fs_free(idx);
    fs_free(deltas);
    return st;
}
