/* Exact and asymptotic tests: the exact McNemar test, the Wilson score interval and the
 * standard normal quantile.
 *
 * McNemar's exact test is the two-sided binomial test on the discordant pairs with
 * p = 0.5. Its tail sum is computed relative to its largest term (found with lgamma),
 * walking down with the term ratio, so it neither overflows nor loses precision for
 * counts in the millions, and it stops once the remaining terms cannot change the sum.
 * The normal quantile is Acklam's rational approximation refined by one Halley step
 * using erfc; the upper half is taken by symmetry because 1 - p is exact there. */
#include "fairshake/stats.h"

#include <math.h>

#define LN2     0.693147180559945309417232121458176568
#define SQRT2   1.41421356237309504880168872420969808
#define SQRT2PI 2.50662827463100050241576528481104525

double fs_stats_mcnemar_exact(uint64_t b, uint64_t c)
{
    if (b == c) {
        return 1.0; /* includes b + c == 0; P(X <= N/2) >= 1/2 */
    }
    double k = (double)(b < c ? b : c);
    double total = (double)b + (double)c;
    /* log of the largest tail term P(X = k) */
    double log_tk = lgamma(total + 1.0) - lgamma(k + 1.0) - lgamma(total - k + 1.0) - total * LN2;
    double sum = 1.0;
    double ratio = 1.0;
    for (double i = k; i >= 1.0; i -= 1.0) {
        ratio *= i / (total - i + 1.0);
        sum += ratio;
        if (ratio < sum * 1e-18) {
            break;
        }
    }
    double p = 2.0 * exp(log_tk + log(sum));
    return p > 1.0 ? 1.0 : p;
}

/* Acklam's approximation for p in (0, 0.5]; relative error below 1.2e-9. */
static double acklam_lower(double p)
{
    static const double a[6] = { -3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00 };
    static const double b[5] = { -5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01 };
    static const double c[6] = { -7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00 };
    static const double d[4] = { 7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00 };
    if (p < 0.02425) {
        double q = sqrt(-2.0 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

double fs_stats_norm_ppf(double p)
{
    if (isnan(p) || p < 0.0 || p > 1.0) {
        return NAN;
    }
    if (p == 0.0) {
        return -INFINITY;
    }
    if (p == 1.0) {
        return INFINITY;
    }
    if (p > 0.5) {
        return -fs_stats_norm_ppf(1.0 - p);
    }
    double x = acklam_lower(p);
    /* One Halley step on Phi(x) - p; Phi(x) = erfc(-x / sqrt 2) / 2 is accurate for x <= 0. */
    double e = 0.5 * erfc(-x / SQRT2) - p;
    double u = e * SQRT2PI * exp(x * x / 2.0);
    return x - u / (1.0 + x * u / 2.0);
}

void fs_stats_wilson(double *lo, double *hi, uint64_t k, uint64_t n, double level)
{
    if (lo == NULL || hi == NULL) {
        return;
    }
    *lo = NAN;
    *hi = NAN;
    if (n == 0 || k > n || !(level > 0.0 && level < 1.0)) {
        return;
    }
    double z = fs_stats_norm_ppf((1.0 + level) / 2.0);
    double nn = (double)n;
    double phat = (double)k / nn;
    double z2 = z * z;
    double denom = 1.0 + z2 / nn;
    double center = (phat + z2 / (2.0 * nn)) / denom;
    double half = z / denom * sqrt(phat * (1.0 - phat) / nn + z2 / (4.0 * nn * nn));
    double l = center - half;
    double h = center + half;
    /* The bounds are exactly 0 and 1 at the ends; rounding must not move them. */
    *lo = (k == 0 || l < 0.0) ? 0.0 : l;
    *hi = (k == n || h > 1.0) ? 1.0 : h;
}

double fs_stats_sign_flip(const double *d, size_t n, size_t n_perm, uint64_t seed)
{
    if (n == 0) {
        return NAN;
    }
    double obs = 0.0;
    bool all_zero = true;
    for (size_t i = 0; i < n; i++) {
        obs += d[i];
        all_zero = all_zero && d[i] == 0.0;
    }
    if (all_zero) {
        return 1.0;
    }
    /* Compare sums (the same test as means); a small tolerance keeps ties as ties. */
    double target = fabs(obs) - 1e-9 * (fabs(obs) + 1.0);
    fs_rng rng;
    fs_rng_seed(&rng, seed);
    size_t extreme = 0;
    for (size_t k = 0; k < n_perm; k++) {
        double sum = 0.0;
        for (size_t i = 0; i < n; i += 64) {
            uint64_t bits = fs_rng_u64(&rng);
            size_t end = i + 64 < n ? i + 64 : n;
            for (size_t j = i; j < end; j++) {
                sum += (bits >> (j - i)) & 1u ? d[j] : -d[j];
            }
        }
        extreme += fabs(sum) >= target;
    }
    return (1.0 + (double)extreme) / ((double)n_perm + 1.0);
}
