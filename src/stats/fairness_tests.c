/* Tests for comparing proportions between groups, and the multiple-comparison correction
 * applied across a run: Fisher's exact test, the mid-p McNemar test, the pooled
 * two-proportion z-test, the rule choosing between Fisher and z, and Holm-Bonferroni.
 *
 * Fisher's test walks the hypergeometric distribution of the top-left cell from its mode
 * with the term ratio, so every term is relative to the largest one (1.0): nothing
 * overflows, and terms far in the tails underflow to 0 harmlessly. The tie rule (terms no
 * more probable than the observed one, within a relative 1e-7) is R's and scipy's. The
 * mid-p value reuses the exact McNemar tail and subtracts the point probability of the
 * observed split, computed with the same lgamma expression. Holm sorts (p, position)
 * pairs, so ties are ordered deterministically and the input may be overwritten. */
#include "fairshake/stats.h"

#include <math.h>
#include <stdlib.h>

#include "fairshake/core.h"

#define LN2           0.693147180559945309417232121458176568
#define SQRT2         1.41421356237309504880168872420969808
#define FISHER_RELTOL 1e-7
#define MIN_EXPECTED  5.0

/* t(x + 1) / t(x) for the hypergeometric law of the top-left cell x, with row sums r1, r2
 * and first column sum c1. */
static double hyper_ratio(double x, double r1, double r2, double c1)
{
    return (r1 - x) * (c1 - x) / ((x + 1.0) * (r2 - c1 + x + 1.0));
}

/* Sum of the terms on one side of the mode (excluding it), relative to t(mode) = 1; the
 * terms no larger than thr also go to *tail. step is +1 (towards hi) or -1 (towards lo). */
static double fisher_side(double mode, double end, int step, double r1, double r2, double c1,
                          double thr, double *tail)
{
    double t = 1.0, sum = 0.0;
    for (double x = mode; step > 0 ? x < end : x > end; x += step) {
        t = step > 0 ? t * hyper_ratio(x, r1, r2, c1) : t / hyper_ratio(x - 1.0, r1, r2, c1);
        if (t == 0.0) {
            break; /* underflow: every further term is smaller still */
        }
        sum += t;
        *tail += t <= thr ? t : 0.0;
    }
    return sum;
}

double fs_stats_fisher_exact(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    double r1 = (double)a + (double)b, r2 = (double)c + (double)d;
    double c1 = (double)a + (double)c, c2 = (double)b + (double)d;
    if (r1 == 0.0 || r2 == 0.0 || c1 == 0.0 || c2 == 0.0) {
        return 1.0;
    }
    double lo = c1 > r2 ? c1 - r2 : 0.0, hi = r1 < c1 ? r1 : c1;
    double mode = floor((r1 + 1.0) * (c1 + 1.0) / (r1 + r2 + 2.0));
    mode = mode < lo ? lo : (mode > hi ? hi : mode);
    /* the observed term relative to the mode's */
    double obs = (double)a, t_obs = 1.0;
    for (double x = mode; x < obs; x += 1.0) {
        t_obs *= hyper_ratio(x, r1, r2, c1);
    }
    for (double x = mode; x > obs; x -= 1.0) {
        t_obs /= hyper_ratio(x - 1.0, r1, r2, c1);
    }
    double thr = t_obs * (1.0 + FISHER_RELTOL);
    double tail = 1.0 <= thr ? 1.0 : 0.0;
    double total = 1.0 + fisher_side(mode, hi, 1, r1, r2, c1, thr, &tail) +
                   fisher_side(mode, lo, -1, r1, r2, c1, thr, &tail);
    double p = tail / total;
    return p > 1.0 ? 1.0 : p;
}

double fs_stats_mcnemar_midp(uint64_t b, uint64_t c)
{
    if (b == c) {
        return 1.0;
    }
    double k = (double)(b < c ? b : c);
    double total = (double)b + (double)c;
    double point =
        exp(lgamma(total + 1.0) - lgamma(k + 1.0) - lgamma(total - k + 1.0) - total * LN2);
    /* b != c: the exact p-value is 2 P(X <= k) <= 1, never clipped */
    double p = fs_stats_mcnemar_exact(b, c) - point;
    return p < 0.0 ? 0.0 : p;
}

double fs_stats_two_prop_z(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2)
{
    if (n1 == 0 || n2 == 0 || k1 > n1 || k2 > n2) {
        return NAN;
    }
    double a = (double)n1, b = (double)n2;
    double pooled = ((double)k1 + (double)k2) / (a + b);
    double var = pooled * (1.0 - pooled) * (1.0 / a + 1.0 / b);
    if (!(var > 0.0)) {
        return NAN;
    }
    double z = ((double)k1 / a - (double)k2 / b) / sqrt(var);
    return erfc(fabs(z) / SQRT2);
}

double fs_stats_proportion_test(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2,
                                const char **name_out)
{
    if (name_out != NULL) {
        *name_out = NULL;
    }
    if (n1 == 0 || n2 == 0 || k1 > n1 || k2 > n2) {
        return NAN;
    }
    double a = (double)n1, b = (double)n2, total = a + b;
    double yes = (double)k1 + (double)k2, no = total - yes;
    double min_margin = yes < no ? yes : no;
    double min_row = a < b ? a : b;
    /* the smallest expected count is the product of the smallest margins over the total */
    bool small = min_row * min_margin / total < MIN_EXPECTED;
    if (name_out != NULL) {
        *name_out = small ? FS_STATS_TEST_FISHER : FS_STATS_TEST_Z;
    }
    if (small) {
        return fs_stats_fisher_exact(k1, n1 - k1, k2, n2 - k2);
    }
    return fs_stats_two_prop_z(k1, n1, k2, n2);
}

typedef struct ranked_p {
    double p;
    size_t pos;
} ranked_p;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked_p *a = pa, *b = pb;
    if (a->p != b->p) {
        return a->p < b->p ? -1 : 1;
    }
    return (a->pos > b->pos) - (a->pos < b->pos);
}

fs_status fs_stats_holm(double *adjusted, const double *p, size_t n, fs_error *err)
{
    if (n > 0 && (adjusted == NULL || p == NULL)) {
        return FS_FAIL(err, FS_ERR_USAGE, "holm: NULL p-values or output");
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(p[i]) && !(p[i] >= 0.0 && p[i] <= 1.0)) {
            return FS_FAIL(err, FS_ERR_INPUT, "holm: p-value %zu (%g) outside [0, 1]", i, p[i]);
        }
        m += !isnan(p[i]);
    }
    if (m == 0) {
        for (size_t i = 0; i < n; i++) {
            adjusted[i] = NAN;
        }
        return FS_OK;
    }
    ranked_p *r = fs_calloc(m, sizeof *r);
    if (r == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "holm: out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(p[i])) {
            r[k].p = p[i];
            r[k].pos = i;
            k++;
        }
        adjusted[i] = NAN; /* p[i] is saved in r when adjusted == p */
    }
    qsort(r, m, sizeof *r, cmp_ranked);
    double running = 0.0;
    for (size_t j = 0; j < m; j++) {
        double v = (double)(m - j) * r[j].p;
        v = v > 1.0 ? 1.0 : v;
        running = v > running ? v : running;
        adjusted[r[j].pos] = running;
    }
    fs_free(r);
    return FS_OK;
}
