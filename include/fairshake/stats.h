#ifndef FAIRSHAKE_STATS_H
#define FAIRSHAKE_STATS_H
/* Statistics: paired bootstrap confidence intervals, exact paired tests, rate intervals
 * and quantiles. Every random choice comes from a seeded fs_rng stream. */
#include "fairshake/core.h"

FS_BEGIN_DECLS

/** Metric over a resample: idx[0..n) are record indices (with repeats); which is 0 for
 *  the first condition (clean) and 1 for the second (perturbed). */
typedef double (*fs_stats_metric_fn)(const size_t *idx, size_t n, int which, void *payload);

/** Percentile bootstrap CI of metric(second) - metric(first), resampling records with
 *  replacement (the pairing is kept). level is e.g. 0.95. Resamples whose delta is not
 *  finite are skipped; if fewer than half remain, *lo and *hi are NaN. The bounds are the
 *  (1-level)/2 and 1-(1-level)/2 quantiles of the sorted deltas (fs_stats_quantile); the
 *  indices come from one fs_rng stream seeded with fs_rng_seed(seed). n_records == 0
 *  gives NaN bounds and FS_OK; FS_ERR_USAGE when lo, hi or fn is NULL, n_resamples is 0
 *  or level is outside (0, 1). payload: borrowed, passed to fn. */
FS_API fs_status fs_stats_paired_bootstrap(double *lo, double *hi, size_t n_records,
                                           size_t n_resamples, double level, uint64_t seed,
                                           fs_stats_metric_fn fn, void *payload, fs_error *err);

/** Two-sided exact McNemar test (binomial on discordant pairs b and c, p = 0.5).
 *  Returns 1.0 when b + c == 0. */
FS_API double fs_stats_mcnemar_exact(uint64_t b, uint64_t c);

/** Two-sided sign-flip permutation test of mean(d) == 0 for paired differences d[0..n):
 *  n_perm random sign assignments from a stream seeded with seed; p = (1 + #{|mean of
 *  flipped| >= |mean of d|}) / (n_perm + 1). 1.0 when every d is 0; NaN when n == 0. */
FS_API double fs_stats_sign_flip(const double *d, size_t n, size_t n_perm, uint64_t seed);

/** Wilson score interval for k successes of n at level (e.g. 0.95), clamped to [0, 1].
 *  NaN when n == 0, k > n or level is outside (0, 1). */
FS_API void fs_stats_wilson(double *lo, double *hi, uint64_t k, uint64_t n, double level);

/** Quantile q in [0,1] of sorted[0..n) with linear interpolation (numpy's default).
 *  NaN when n == 0 or q is outside [0, 1]. */
FS_API double fs_stats_quantile(const double *sorted, size_t n, double q);

/** Standard normal quantile (inverse CDF), p in (0,1); -inf at 0, +inf at 1, NaN outside
 *  [0, 1]. Relative error about 1e-15. */
FS_API double fs_stats_norm_ppf(double p);

/** Sort doubles ascending (NaN last), in place. */
FS_API void fs_stats_sort(double *v, size_t n);

FS_END_DECLS
#endif
