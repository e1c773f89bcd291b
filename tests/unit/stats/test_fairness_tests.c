/* stats.fairness_tests: Fisher's exact test, mid-p McNemar, the pooled two-proportion
 * z-test, the rule choosing between them and Holm-Bonferroni, against values computed
 * independently in python3 with exact rational arithmetic (fractions.Fraction, math.comb).
 * The Fisher reference sums the hypergeometric probabilities
 * Fraction(comb(r1, x) * comb(r2, c1 - x), comb(n, c1)) that are <= the observed one
 * times (1 + 1e-7), as R's fisher.test does, and converts to float once at the end. */
#include "fs_test.h"

#include <math.h>

#include "fairshake/core.h"
#include "fairshake/stats.h"

static int close_rel(double got, double want, double tol)
{
    double scale = fabs(want) > 1e-300 ? fabs(want) : 1.0;
    return fabs(got - want) <= tol * scale;
}

static void test_stats_fairness_tests__fisher_known_values(void)
{
    /* scipy.stats.fisher_exact([[8, 2], [1, 5]]) gives 0.03496503496503495; the exact
     * rational value is 5/143 = 0.034965034965034968... */
    CU_ASSERT(close_rel(fs_stats_fisher_exact(8, 2, 1, 5), 0.03496503496503495, 1e-13));
    CU_ASSERT(close_rel(fs_stats_fisher_exact(8, 2, 1, 5), 5.0 / 143.0, 1e-13));
    CU_ASSERT(close_rel(fs_stats_fisher_exact(1, 9, 11, 3), 0.0027594561852200836, 1e-12));
    CU_ASSERT(close_rel(fs_stats_fisher_exact(3, 1, 1, 3), 0.4857142857142857, 1e-12));
    CU_ASSERT(close_rel(fs_stats_fisher_exact(20, 30, 35, 15), 0.004635020180798911, 1e-12));
    CU_ASSERT(close_rel(fs_stats_fisher_exact(10, 0, 0, 10), 1.082508822446903e-05, 1e-12));
    CU_ASSERT(
        close_rel(fs_stats_fisher_exact(1000, 9000, 1200, 8800), 6.800024223808409e-06, 1e-9));
    /* the same table transposed, or with rows or columns swapped, gives the same p */
    double p = fs_stats_fisher_exact(8, 2, 1, 5);
    CU_ASSERT(close_rel(fs_stats_fisher_exact(8, 1, 2, 5), p, 1e-13));
    CU_ASSERT(close_rel(fs_stats_fisher_exact(1, 5, 8, 2), p, 1e-13));
    CU_ASSERT(close_rel(fs_stats_fisher_exact(2, 8, 5, 1), p, 1e-13));
}

static void test_stats_fairness_tests__fisher_ties_and_degenerate(void)
{
    /* [[2, 8], [8, 2]] and its mirror [[8, 2], [2, 8]] are equally probable: both tails
     * count, which needs the relative tolerance (the two terms are reached by different
     * products of ratios and differ in the last bits). */
    CU_ASSERT(close_rel(fs_stats_fisher_exact(2, 8, 8, 2), 0.023014137565221155, 1e-12));
    CU_ASSERT(close_rel(fs_stats_fisher_exact(8, 2, 2, 8), 0.023014137565221155, 1e-12));
    /* the most probable table: every table is no more probable, p = 1 */
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_fisher_exact(5, 5, 4, 6), 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_fisher_exact(1, 0, 0, 1), 1.0, 1e-12);
    /* a zero margin leaves a single possible table */
    CU_ASSERT_EQUAL(fs_stats_fisher_exact(0, 5, 0, 5), 1.0);
    CU_ASSERT_EQUAL(fs_stats_fisher_exact(0, 0, 3, 4), 1.0);
    CU_ASSERT_EQUAL(fs_stats_fisher_exact(0, 0, 0, 0), 1.0);
}

static void test_stats_fairness_tests__mcnemar_midp(void)
{
    /* b = 10, c = 3: X ~ Binomial(13, 1/2), k = 3. P(X <= 3) = (1 + 13 + 78 + 286) / 8192
     * = 378/8192, so the exact p is 756/8192 = 0.09228515625; P(X = 3) = 286/8192, so
     * mid-p = (756 - 286)/8192 = 470/8192 = 0.057373046875 (python3:
     * 2 * Fraction(sum(comb(13, i) for i in range(4)), 2**13) - Fraction(comb(13, 3), 2**13)). */
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_mcnemar_exact(10, 3), 0.09228515625, 1e-15);
    CU_ASSERT(close_rel(fs_stats_mcnemar_midp(10, 3), 0.057373046875, 1e-13));
    CU_ASSERT(close_rel(fs_stats_mcnemar_midp(3, 10), 0.057373046875, 1e-13));
    /* 1 vs 6: exact 16/128, point 7/128, mid-p 9/128; 0 vs 5: 2/32 - 1/32 = 1/32 */
    CU_ASSERT(close_rel(fs_stats_mcnemar_midp(1, 6), 0.0703125, 1e-13));
    CU_ASSERT(close_rel(fs_stats_mcnemar_midp(0, 5), 0.03125, 1e-13));
    CU_ASSERT(close_rel(fs_stats_mcnemar_midp(25, 40), 0.06401750413722564, 1e-11));
    /* balanced splits carry no evidence */
    CU_ASSERT_EQUAL(fs_stats_mcnemar_midp(0, 0), 1.0);
    CU_ASSERT_EQUAL(fs_stats_mcnemar_midp(7, 7), 1.0);
    /* mid-p is always below the exact p when b != c */
    CU_ASSERT(fs_stats_mcnemar_midp(4, 5) < fs_stats_mcnemar_exact(4, 5));
}

static void test_stats_fairness_tests__two_prop_z(void)
{
    /* python3: p1, p2 = k1/n1, k2/n2; p = (k1+k2)/(n1+n2);
     * z = (p1 - p2) / sqrt(p*(1-p)*(1/n1 + 1/n2)); erfc(abs(z)/sqrt(2)) */
    CU_ASSERT(close_rel(fs_stats_two_prop_z(30, 100, 45, 100), 0.02845973691631057, 1e-12));
    CU_ASSERT(close_rel(fs_stats_two_prop_z(45, 100, 30, 100), 0.02845973691631057, 1e-12));
    CU_ASSERT(close_rel(fs_stats_two_prop_z(50, 200, 40, 150), 0.7240514106410436, 1e-12));
    CU_ASSERT(
        close_rel(fs_stats_two_prop_z(1000, 10000, 1200, 10000), 6.188458781738805e-06, 1e-10));
    CU_ASSERT_DOUBLE_EQUAL(fs_stats_two_prop_z(5, 10, 50, 100), 1.0, 1e-15);
    /* undefined: an empty sample, k > n, or a pooled variance of 0 */
    CU_ASSERT(isnan(fs_stats_two_prop_z(0, 0, 3, 10)));
    CU_ASSERT(isnan(fs_stats_two_prop_z(3, 10, 0, 0)));
    CU_ASSERT(isnan(fs_stats_two_prop_z(11, 10, 3, 10)));
    CU_ASSERT(isnan(fs_stats_two_prop_z(0, 10, 0, 20)));
    CU_ASSERT(isnan(fs_stats_two_prop_z(10, 10, 20, 20)));
}

static void test_stats_fairness_tests__proportion_rule(void)
{
    const char *name = "unset";
    /* 8/10 vs 1/6: smallest expected count 6 * 7 / 16 = 2.625 < 5, Fisher */
    double p = fs_stats_proportion_test(8, 10, 1, 6, &name);
    CU_ASSERT_STRING_EQUAL(name, FS_STATS_TEST_FISHER);
    CU_ASSERT(close_rel(p, 0.03496503496503495, 1e-13));
    /* 30/100 vs 45/100: smallest expected 100 * 75 / 200 = 37.5, z-test */
    p = fs_stats_proportion_test(30, 100, 45, 100, &name);
    CU_ASSERT_STRING_EQUAL(name, FS_STATS_TEST_Z);
    CU_ASSERT(close_rel(p, 0.02845973691631057, 1e-12));
    /* boundary: 6/10 vs 4/10 has smallest expected exactly 10 * 10 / 20 = 5, z-test ... */
    p = fs_stats_proportion_test(6, 10, 4, 10, &name);
    CU_ASSERT_STRING_EQUAL(name, FS_STATS_TEST_Z);
    CU_ASSERT(close_rel(p, 0.37109336952269767, 1e-12));
    /* ... 5/10 vs 4/10 has 10 * 9 / 20 = 4.5, Fisher */
    p = fs_stats_proportion_test(5, 10, 4, 10, &name);
    CU_ASSERT_STRING_EQUAL(name, FS_STATS_TEST_FISHER);
    CU_ASSERT_DOUBLE_EQUAL(p, 1.0, 1e-12);
    /* no success anywhere: Fisher, p = 1 (the z statistic would be 0/0) */
    p = fs_stats_proportion_test(0, 40, 0, 50, &name);
    CU_ASSERT_STRING_EQUAL(name, FS_STATS_TEST_FISHER);
    CU_ASSERT_EQUAL(p, 1.0);
    /* an empty group cannot be compared */
    CU_ASSERT(isnan(fs_stats_proportion_test(0, 0, 3, 10, &name)));
    CU_ASSERT_PTR_NULL(name);
    CU_ASSERT(isnan(fs_stats_proportion_test(4, 3, 3, 10, NULL)));
}

static void test_stats_fairness_tests__holm_known_vectors(void)
{
    /* statsmodels multipletests(p, method="holm") and p.adjust(p, "holm") agree: sorted
     * 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 is 0.02, 0.03, 0.06, 0.04 -> running max
     * 0.02, 0.03, 0.06, 0.06. */
    const double p[] = { 0.01, 0.04, 0.03, 0.005 };
    double adj[4];
    CU_ASSERT_EQUAL_FATAL(fs_stats_holm(adj, p, 4, NULL), FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(adj[0], 0.03, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(adj[1], 0.06, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(adj[2], 0.06, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(adj[3], 0.02, 1e-15);
    /* capped at 1 and monotone; in place */
    double q[] = { 0.2, 0.5, 0.001, 0.04, 0.03 };
    CU_ASSERT_EQUAL_FATAL(fs_stats_holm(q, q, 5, NULL), FS_OK);
    const double want[] = { 0.4, 0.5, 0.005, 0.12, 0.12 };
    for (size_t i = 0; i < 5; i++) {
        CU_ASSERT_DOUBLE_EQUAL(q[i], want[i], 1e-15);
    }
    double big[] = { 0.5, 0.6, 0.7 };
    CU_ASSERT_EQUAL_FATAL(fs_stats_holm(big, big, 3, NULL), FS_OK);
    CU_ASSERT(big[0] == 1.0 && big[1] == 1.0 && big[2] == 1.0);
}

static void test_stats_fairness_tests__holm_nan_and_errors(void)
{
    /* NaN is passed through and not counted: m = 4, as in the vector above */
    const double p[] = { 0.01, NAN, 0.04, 0.03, 0.005, NAN };
    double adj[6];
    CU_ASSERT_EQUAL_FATAL(fs_stats_holm(adj, p, 6, NULL), FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(adj[0], 0.03, 1e-15);
    CU_ASSERT(isnan(adj[1]));
    CU_ASSERT_DOUBLE_EQUAL(adj[2], 0.06, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(adj[3], 0.06, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(adj[4], 0.02, 1e-15);
    CU_ASSERT(isnan(adj[5]));
    /* one comparison: unchanged; ties keep equal adjusted values */
    double one = 0.042, ties[] = { 0.01, 0.01 };
    CU_ASSERT_EQUAL(fs_stats_holm(&one, &one, 1, NULL), FS_OK);
    CU_ASSERT_EQUAL(one, 0.042);
    CU_ASSERT_EQUAL(fs_stats_holm(ties, ties, 2, NULL), FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(ties[0], 0.02, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(ties[1], 0.02, 1e-15);
    double all_nan[] = { NAN, NAN };
    CU_ASSERT_EQUAL(fs_stats_holm(all_nan, all_nan, 2, NULL), FS_OK);
    CU_ASSERT(isnan(all_nan[0]) && isnan(all_nan[1]));
    CU_ASSERT_EQUAL(fs_stats_holm(NULL, NULL, 0, NULL), FS_OK);
    fs_error err;
    const double bad[] = { 0.2, 1.5 };
    CU_ASSERT_EQUAL(fs_stats_holm(adj, bad, 2, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(err.code, FS_ERR_INPUT);
    CU_ASSERT_EQUAL(fs_stats_holm(NULL, p, 2, &err), FS_ERR_USAGE);
}

const fs_test_case fs_stats_fairness_tests_tests[] = {
    { "test_stats_fairness_tests__fisher_known_values",
      test_stats_fairness_tests__fisher_known_values },
    { "test_stats_fairness_tests__fisher_ties_and_degenerate",
      test_stats_fairness_tests__fisher_ties_and_degenerate },
    { "test_stats_fairness_tests__mcnemar_midp", test_stats_fairness_tests__mcnemar_midp },
    { "test_stats_fairness_tests__two_prop_z", test_stats_fairness_tests__two_prop_z },
    { "test_stats_fairness_tests__proportion_rule", test_stats_fairness_tests__proportion_rule },
    { "test_stats_fairness_tests__holm_known_vectors",
      test_stats_fairness_tests__holm_known_vectors },
    { "test_stats_fairness_tests__holm_nan_and_errors",
      test_stats_fairness_tests__holm_nan_and_errors },
    { NULL, NULL },
};
