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

/* ---- proportions and multiple comparisons (fairness gaps) ---------------------------- */

/** Two-sided Fisher exact test of the 2x2 table [[a, b], [c, d]]: the sum of the
 *  hypergeometric probabilities (margins fixed) of every table no more probable than the
 *  observed one, with a relative tolerance of 1e-7 on that comparison as R's fisher.test
 *  and scipy's fisher_exact use. A table with a zero row or column sum has one possible
 *  table and gives 1.0 (as R and scipy do). */
FS_API double fs_stats_fisher_exact(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/** Mid-p McNemar test on the discordant pairs b and c: the exact two-sided p-value
 *  (fs_stats_mcnemar_exact) minus the probability of the observed split,
 *  2 * (P(X <= k) - P(X = k) / 2) with X ~ Binomial(b + c, 1/2) and k = min(b, c).
 *  1.0 when b == c (including b + c == 0). */
FS_API double fs_stats_mcnemar_midp(uint64_t b, uint64_t c);

/** Two-sided p-value of the pooled two-proportion z-test of k1/n1 against k2/n2:
 *  z = (k1/n1 - k2/n2) / sqrt(p(1 - p)(1/n1 + 1/n2)) with p = (k1 + k2) / (n1 + n2), and
 *  p-value = erfc(|z| / sqrt 2). NaN when n1 or n2 is 0, k1 > n1, k2 > n2, or the pooled
 *  variance is 0 (no success or no failure in either sample: the statistic is 0/0). */
FS_API double fs_stats_two_prop_z(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2);

/** The names fs_stats_proportion_test gives the test it chose (compare with strcmp). */
#define FS_STATS_TEST_FISHER "Fisher's exact test"
#define FS_STATS_TEST_Z      "two-proportion z-test (pooled)"

/** Two-sided p-value comparing the proportions k1/n1 and k2/n2, choosing the test: the
 *  expected counts of the 2x2 table [[k1, n1 - k1], [k2, n2 - k2]] under independence are
 *  row total x column total / grand total; when any of the four is below 5, Fisher's exact
 *  test (fs_stats_fisher_exact), otherwise the pooled two-proportion z-test
 *  (fs_stats_two_prop_z). *name_out (may be NULL) is set to FS_STATS_TEST_FISHER or
 *  FS_STATS_TEST_Z (static text). NaN and *name_out = NULL when n1 or n2 is 0, k1 > n1 or
 *  k2 > n2. A table with no success or no failure at all has expected counts of 0 and so
 *  goes to Fisher's test, which gives 1.0. */
FS_API double fs_stats_proportion_test(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2,
                                       const char **name_out);

/** Holm-Bonferroni step-down adjustment of p[0..n): with the m non-NaN p-values sorted
 *  ascending, p_(1) <= ... <= p_(m), the adjusted value of p_(i) is
 *  min(1, max over j <= i of (m - j + 1) p_(j)), so adjusted values keep the order of the
 *  raw ones (monotone) and are capped at 1. NaN inputs (untested comparisons) are copied
 *  to adjusted as NaN and do not count in m. adjusted may equal p (in place). Ties are
 *  ordered by position, which does not change the result. out: adjusted[0..n).
 *  FS_ERR_USAGE when adjusted or p is NULL with n > 0; FS_ERR_INPUT when a p-value is
 *  outside [0, 1]; FS_ERR_NOMEM. */
FS_API fs_status fs_stats_holm(double *adjusted, const double *p, size_t n, fs_error *err);

FS_END_DECLS
#endif
