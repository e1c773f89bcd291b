/* stats.tests: exact McNemar p-values, Wilson intervals and the normal quantile against
 * independently computed values. */
#include "fs_test.h"

#include <math.h>

#include "fairshake/stats.h"

static int close_rel(double got, double want, double tol)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) <= tol * scale;
}

static void test_stats_tests__mcnemar_small_counts(void)
{
    /* P(X <= 1) for X ~ Bin(7, 1/2) is 8/128; two-sided 0.125. */
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_mcnemar_exact(1, 6), 0.125, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_mcnemar_exact(6, 1), 0.125, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_mcnemar_exact(0, 5), 0.0625, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_mcnemar_exact(3, 0), 0.25, 1e-15);
    CU_ASSERT_EQUAL(fs_stats_mcnemar_exact(10, 10), 1.0);
    CU_ASSERT_EQUAL(fs_stats_mcnemar_exact(0, 0), 1.0);
    /* 2 * P(X <= 0) with X ~ Bin(1, 1/2) is exactly 1. */
    CU_ASSERT_EQUAL(fs_stats_mcnemar_exact(0, 1), 1.0);
    /* Neighbouring counts: 2 * P(X <= 4) for Bin(9, 1/2) = 2 * 256/512 > 1, clipped. */
    CU_ASSERT_EQUAL(fs_stats_mcnemar_exact(4, 5), 1.0);
}

static void test_stats_tests__mcnemar_large_counts(void)
{
    /* Reference values: exact rational arithmetic in python3,
     *   p = min(1, 2 * Fraction(sum(math.comb(b + c, i) for i in range(min(b, c) + 1)),
     *                           2 ** (b + c)))
     * converted to float once at the end. */
    CU_ASSERT(close_rel(fs_stats_mcnemar_exact(25, 40), 0.08168153394154005, 1e-12));
    CU_ASSERT(close_rel(fs_stats_mcnemar_exact(400, 460), 0.04416954819458901, 1e-11));
    CU_ASSERT(close_rel(fs_stats_mcnemar_exact(460, 400), 0.04416954819458901, 1e-11));
    CU_ASSERT(close_rel(fs_stats_mcnemar_exact(2000, 2210), 0.0012742984512947068, 1e-10));
    /* 100,000 pairs: same exact sum, with integer terms built by the recurrence
     * t(i + 1) = t(i) * (N - i) // (i + 1); lgamma's rounding at this size allows ~1e-10. */
    CU_ASSERT(close_rel(fs_stats_mcnemar_exact(49700, 50300), 0.05819735311019374, 1e-9));
    /* Counts in the millions: the normal approximation with continuity correction,
     * 2 * Phi(-(|b - c| - 1) / sqrt(b + c)), is within 0.2% already at b + c = 4210
     * (0.0012770 vs 0.0012743 above) and closer as counts grow; 1% is a loose bound. */
    CU_ASSERT(
        close_rel(fs_stats_mcnemar_exact(5000000, 5020000) / 2.6509971995380965e-10, 1.0, 1e-2));
    CU_ASSERT(close_rel(fs_stats_mcnemar_exact(5000000, 5001000), 0.7520816425504836, 1e-2));
}

static void test_stats_tests__wilson_known_values(void)
{
    double lo, hi;
    /* statsmodels proportion_confint(5, 10, method="wilson") = (0.2366, 0.7634) */
    fs_stats_wilson(&lo, &hi, 5, 10, 0.95);
    CU_ASSERT_DOUBLE_EQUAL(lo, 0.2366, 1e-4);
    CU_ASSERT_DOUBLE_EQUAL(hi, 0.7634, 1e-4);
    CU_ASSERT(close_rel(lo, 0.23659309051256405, 1e-12));
    CU_ASSERT(close_rel(hi, 0.763406909487436, 1e-12));
    /* k = 0: lower bound exactly 0, upper z^2 / (n + z^2) */
    fs_stats_wilson(&lo, &hi, 0, 10, 0.95);
    CU_ASSERT_EQUAL(lo, 0.0);
    CU_ASSERT(close_rel(hi, 0.27753279986288915, 1e-12));
    fs_stats_wilson(&lo, &hi, 10, 10, 0.95);
    CU_ASSERT(close_rel(lo, 0.7224672001371109, 1e-12));
    CU_ASSERT_EQUAL(hi, 1.0);
    fs_stats_wilson(&lo, &hi, 81, 263, 0.95);
    CU_ASSERT(close_rel(lo, 0.2552885198782743, 1e-12));
    CU_ASSERT(close_rel(hi, 0.3662095769828001, 1e-12));
    /* a lower level gives a narrower interval */
    fs_stats_wilson(&lo, &hi, 5, 10, 0.90);
    CU_ASSERT(close_rel(lo, 0.26927182113826736, 1e-12));
    CU_ASSERT(close_rel(hi, 0.7307281788617326, 1e-12));
}

static void test_stats_tests__wilson_undefined(void)
{
    double lo = 0, hi = 0;
    fs_stats_wilson(&lo, &hi, 0, 0, 0.95);
    CU_ASSERT(isnan(lo) && isnan(hi));
    lo = hi = 0;
    fs_stats_wilson(&lo, &hi, 11, 10, 0.95);
    CU_ASSERT(isnan(lo) && isnan(hi));
    lo = hi = 0;
    fs_stats_wilson(&lo, &hi, 1, 10, 1.0);
    CU_ASSERT(isnan(lo) && isnan(hi));
}

static void test_stats_tests__norm_ppf(void)
{
    /* Reference: python3 statistics.NormalDist().inv_cdf (Wichura's AS241, ~1e-16). */
    static const double cases[][2] = {
        { 0.975, 1.959963984540054 },
        { 0.025, -1.959963984540054 },
        { 0.5, 0.0 },
        { 1e-10, -6.361340902404056 },
        { 0.999, 3.090232306167813 },
        { 0.8413447460685429, 1.0 },
        { 1e-300, -37.0470962993612 },
        { 0.02425, -1.9729610513118845 },
        { 0.3, -0.5244005127080407 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double got = fs_stats_norm_ppf(cases[i][0]);
        CU_ASSERT(close_rel(got, cases[i][1], 1e-12));
    }
    CU_ASSERT(isinf(fs_stats_norm_ppf(0.0)) && fs_stats_norm_ppf(0.0) < 0);
    CU_ASSERT(isinf(fs_stats_norm_ppf(1.0)) && fs_stats_norm_ppf(1.0) > 0);
    CU_ASSERT(isnan(fs_stats_norm_ppf(-0.1)));
    CU_ASSERT(isnan(fs_stats_norm_ppf(NAN)));
}

/* Ten records all better by one: the exact two-sided p is 2/1024; the Monte Carlo
 * estimate with 20,000 permutations lands close to it. Zeros carry no evidence. */
static void test_stats_tests__sign_flip(void)
{
    double d[10], z[5] = { 0, 0, 0, 0, 0 }, mixed[8] = { 1, -1, 1, -1, 0.5, -0.5, 1, -1 };
    for (int i = 0; i < 10; i++) {
        d[i] = 1.0;
    }
    double p = fs_stats_sign_flip(d, 10, 20000, 3);
    CU_ASSERT(p > 0.0012 && p < 0.0030);
    CU_ASSERT_EQUAL(fs_stats_sign_flip(d, 10, 20000, 3), p);
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_sign_flip(z, 5, 1000, 3), 1.0, 0);
    CU_ASSERT(fs_stats_sign_flip(mixed, 8, 5000, 3) > 0.9);
    CU_ASSERT(isnan(fs_stats_sign_flip(d, 0, 100, 3)));
}

const fs_test_case fs_stats_tests_tests[] = {
    { "test_stats_tests__sign_flip", test_stats_tests__sign_flip },
    { "test_stats_tests__mcnemar_small_counts", test_stats_tests__mcnemar_small_counts },
    { "test_stats_tests__mcnemar_large_counts", test_stats_tests__mcnemar_large_counts },
    { "test_stats_tests__wilson_known_values", test_stats_tests__wilson_known_values },
    { "test_stats_tests__wilson_undefined", test_stats_tests__wilson_undefined },
    { "test_stats_tests__norm_ppf", test_stats_tests__norm_ppf },
    { NULL, NULL },
};
