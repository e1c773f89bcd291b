/* score.robustness: a hand-computed paired comparison, the bootstrap plumbing, and the
 * empty and all-parse-failure edge cases. */
#include "fs_test.h"

#include <math.h>
#include <string.h>

#include "fairshake/core.h"
#include "fairshake/score.h"
#include "fairshake/stats.h"

/* Ten records, two labels. Clean gets 8 right (wrong on 4 and 9); perturbed gets 4
 * right (records 0, 1, 5, 6), with parse failures on 2 and 8. */
static const int hand_gold[10] = { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 };
static const int hand_clean[10] = { 0, 0, 0, 0, 1, 1, 1, 1, 1, 0 };
static const int hand_pert[10] = { 0, 0, -1, 1, 1, 1, 1, 0, -1, 0 };

static void test_score_robustness__hand_computed(void)
{
    fs_robustness_input in = { hand_gold, hand_clean, hand_pert, 10, 2, 42, 0, NULL, 0 };
    fs_robustness r;
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&r, &in, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.n, 10);
    CU_ASSERT_DOUBLE_EQUAL(r.clean.accuracy, 0.8, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.perturbed.accuracy, 0.4, 1e-15);
    CU_ASSERT_EQUAL(r.perturbed.n_unparsed, 2);
    CU_ASSERT_DOUBLE_EQUAL(r.delta_accuracy, -0.4, 1e-15);
    /* clean: P = R = 0.8 for both classes; perturbed: P = 2/4, R = 2/5, F = 4/9 */
    CU_ASSERT_DOUBLE_EQUAL(r.clean.macro_f1, 0.8, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.perturbed.macro_f1, 4.0 / 9.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.delta_macro_f1, 4.0 / 9.0 - 0.8, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.drop_rate, 0.5, 1e-15);
    /* flips: 2 (0 -> unparsed), 3 (0 -> 1), 7 (1 -> 0), 8 (1 -> unparsed) */
    CU_ASSERT_EQUAL(r.flips, 4);
    CU_ASSERT_DOUBLE_EQUAL(r.flip_rate, 0.4, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.flip_ci95[0], 0.1681803297062362, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(r.flip_ci95[1], 0.6873262302663417, 1e-12);
    CU_ASSERT_EQUAL(r.clean_only_correct, 4);
    CU_ASSERT_EQUAL(r.pert_only_correct, 0);
    /* exact McNemar: 2 * P(X <= 0), X ~ Bin(4, 1/2) = 2/16 */
    CU_ASSERT_DOUBLE_EQUAL(r.p_value, 0.125, 1e-15);
    /* every discordant pair favours clean, so no resample can show a gain */
    CU_ASSERT(r.ci95_accuracy[0] <= r.delta_accuracy && r.ci95_accuracy[1] <= 0.0);
    CU_ASSERT(r.ci95_accuracy[0] >= -1.0 && r.ci95_accuracy[0] < r.ci95_accuracy[1]);
    CU_ASSERT(r.ci95_macro_f1[0] < r.delta_macro_f1 && r.delta_macro_f1 < r.ci95_macro_f1[1]);
    fs_robustness_dispose(&r);
    CU_ASSERT_PTR_NULL(r.clean.precision);
}

typedef struct ref_ctx {
    const fs_robustness_input *in;
    int g[600], p[600];
} ref_ctx;

static double ref_accuracy(const size_t *idx, size_t n, int which, void *payload)
{
    const ref_ctx *c = payload;
    const int *pred = which == 0 ? c->in->clean_pred : c->in->pert_pred;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += pred[idx[i]] == c->in->gold[idx[i]];
    }
    return (double)k / (double)n;
}

static double ref_macro_f1(const size_t *idx, size_t n, int which, void *payload)
{
    ref_ctx *c = payload;
    const int *pred = which == 0 ? c->in->clean_pred : c->in->pert_pred;
    for (size_t i = 0; i < n; i++) {
        c->g[i] = c->in->gold[idx[i]];
        c->p[i] = pred[idx[i]];
    }
    return fs_score_macro_f1(c->g, c->p, n, c->in->n_labels, 0.0);
}

/* The intervals are the paired bootstrap of accuracy and macro-F1 with the input seed and
 * 1000 resamples by default; a different seed moves them. */
static void test_score_robustness__bootstrap_intervals(void)
{
    enum { N = 600 };
    static int gold[N], clean[N], pert[N];
    fs_rng rng;
    fs_rng_seed(&rng, 3);
    for (size_t i = 0; i < N; i++) {
        gold[i] = (int)fs_rng_below(&rng, 3);
        clean[i] = fs_rng_below(&rng, 10) < 8 ? gold[i] : (int)fs_rng_below(&rng, 3);
        uint64_t u = fs_rng_below(&rng, 10);
        pert[i] = u < 6 ? clean[i] : u == 9 ? -1 : (int)fs_rng_below(&rng, 3);
    }
    fs_robustness_input in = { gold, clean, pert, N, 3, 77, 0, NULL, 0 };
    static ref_ctx ctx;
    ctx.in = &in;
    double lo, hi;
    fs_robustness r, r2;
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&r, &in, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo, &hi, N, 1000, 0.95, 77, ref_accuracy, &ctx, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.ci95_accuracy[0], lo);
    CU_ASSERT_EQUAL(r.ci95_accuracy[1], hi);
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo, &hi, N, 1000, 0.95, 77, ref_macro_f1, &ctx, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.ci95_macro_f1[0], lo);
    CU_ASSERT_EQUAL(r.ci95_macro_f1[1], hi);
    CU_ASSERT(lo < r.delta_macro_f1 && r.delta_macro_f1 < hi && hi < 0.0);
    in.seed = 78;
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&r2, &in, NULL), FS_OK);
    CU_ASSERT(r2.ci95_accuracy[0] != r.ci95_accuracy[0] ||
              r2.ci95_accuracy[1] != r.ci95_accuracy[1]);
    CU_ASSERT_EQUAL(r2.delta_accuracy, r.delta_accuracy);
    fs_robustness_dispose(&r2);
    in.seed = 77;
    in.n_resamples = 200;
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&r2, &in, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(
        fs_stats_paired_bootstrap(&lo, &hi, N, 200, 0.95, 77, ref_accuracy, &ctx, NULL), FS_OK);
    CU_ASSERT_EQUAL(r2.ci95_accuracy[0], lo);
    CU_ASSERT_EQUAL(r2.ci95_accuracy[1], hi);
    fs_robustness_dispose(&r2);
    fs_robustness_dispose(&r);
}

static void test_score_robustness__empty(void)
{
    fs_robustness_input in = { NULL, NULL, NULL, 0, 2, 1, 0, NULL, 0 };
    fs_robustness r;
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&r, &in, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(r.clean.n, 0);
    CU_ASSERT_EQUAL(r.perturbed.n, 0);
    CU_ASSERT(isnan(r.clean.accuracy) && isnan(r.perturbed.macro_f1));
    CU_ASSERT(isnan(r.delta_accuracy) && isnan(r.delta_macro_f1) && isnan(r.drop_rate));
    CU_ASSERT(isnan(r.flip_rate) && isnan(r.flip_ci95[0]) && isnan(r.flip_ci95[1]));
    CU_ASSERT(isnan(r.ci95_accuracy[0]) && isnan(r.ci95_accuracy[1]));
    CU_ASSERT(isnan(r.ci95_macro_f1[0]) && isnan(r.ci95_macro_f1[1]));
    CU_ASSERT(isnan(r.p_value));
    CU_ASSERT_EQUAL(r.flips, 0);
    fs_robustness_dispose(&r);
}

static void test_score_robustness__all_parse_failures(void)
{
    static const int gold[6] = { 0, 1, 2, 0, 1, 2 };
    static const int clean[6] = { 0, 1, 2, 0, 1, 1 };
    static const int none[6] = { -1, -1, -1, -1, -1, -1 };
    fs_robustness_input in = { gold, clean, none, 6, 3, 9, 100, NULL, 0 };
    fs_robustness r;
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&r, &in, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.perturbed.accuracy, 0.0);
    CU_ASSERT_EQUAL(r.perturbed.n_unparsed, 6);
    CU_ASSERT_EQUAL(r.perturbed.macro_f1, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(r.delta_accuracy, -5.0 / 6.0, 1e-15);
    CU_ASSERT_EQUAL(r.drop_rate, 1.0);
    CU_ASSERT_EQUAL(r.flips, 6);
    CU_ASSERT_EQUAL(r.flip_rate, 1.0);
    CU_ASSERT_DOUBLE_EQUAL(r.flip_ci95[0], 0.6096657120978348, 1e-12);
    CU_ASSERT_EQUAL(r.flip_ci95[1], 1.0);
    CU_ASSERT_EQUAL(r.clean_only_correct, 5);
    CU_ASSERT_EQUAL(r.pert_only_correct, 0);
    CU_ASSERT_DOUBLE_EQUAL(r.p_value, 2.0 / 32.0, 1e-15);
    fs_robustness_dispose(&r);

    /* both conditions unparsed: nothing flips, nothing to drop from */
    in.clean_pred = none;
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&r, &in, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.flips, 0);
    CU_ASSERT_EQUAL(r.flip_rate, 0.0);
    CU_ASSERT_EQUAL(r.delta_accuracy, 0.0);
    CU_ASSERT(isnan(r.drop_rate));
    CU_ASSERT_EQUAL(r.p_value, 1.0);
    CU_ASSERT_EQUAL(r.ci95_accuracy[0], 0.0);
    CU_ASSERT_EQUAL(r.ci95_accuracy[1], 0.0);
    fs_robustness_dispose(&r);
}

static void test_score_robustness__bad_input(void)
{
    static const int gold[3] = { 0, 1, 5 };
    static const int pred[3] = { 0, 1, 1 };
    fs_robustness_input in = { gold, pred, pred, 3, 2, 1, 0, NULL, 0 };
    fs_robustness r;
    fs_error err;
    CU_ASSERT_EQUAL(fs_score_robustness(&r, &in, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "item 2"));
    CU_ASSERT_PTR_NULL(r.clean.precision);
    CU_ASSERT_EQUAL(r.n, 0);
    in.gold = NULL;
    CU_ASSERT_EQUAL(fs_score_robustness(&r, &in, &err), FS_ERR_USAGE);
    CU_ASSERT_EQUAL(fs_score_robustness(&r, NULL, &err), FS_ERR_USAGE);
}

/* One variant per record written as clusters of one: same figures as without clusters,
 * and the sign-flip p-value agrees with the exact McNemar test. */
static void test_score_robustness__singleton_clusters_match(void)
{
    enum { N = 400 };
    static int gold[N], clean[N], pert[N];
    static size_t start[N + 1];
    for (size_t i = 0; i < N; i++) {
        gold[i] = (int)(i % 2);
        clean[i] = i % 5 == 0 ? 1 - gold[i] : gold[i];
        pert[i] = i % 4 == 0 ? 1 - gold[i] : gold[i];
        start[i] = i;
    }
    start[N] = N;
    fs_robustness_input plain = { gold, clean, pert, N, 2, 5, 0, NULL, 0 };
    fs_robustness_input clus = { gold, clean, pert, N, 2, 5, 0, start, N };
    fs_robustness a, b;
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&a, &plain, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&b, &clus, NULL), FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(a.delta_accuracy, b.delta_accuracy, 0);
    CU_ASSERT_DOUBLE_EQUAL(a.ci95_accuracy[0], b.ci95_accuracy[0], 0);
    CU_ASSERT_DOUBLE_EQUAL(a.ci95_accuracy[1], b.ci95_accuracy[1], 0);
    CU_ASSERT_EQUAL(b.n_clusters, N);
    CU_ASSERT(fabs(a.p_value - b.p_value) < 0.02);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.test, "sign-flip"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.test, "McNemar"));
    fs_robustness_dispose(&a);
    fs_robustness_dispose(&b);
}

/* Three variants per record, perfectly correlated within a record: pooling pairs would
 * triple the sample; resampling records keeps the interval as wide as one variant's. */
static void test_score_robustness__clusters_resample_records(void)
{
    enum { R = 300, K = 3 };
    static int gold[R * K], clean[R * K], pert[R * K], g1[R], c1[R], p1[R];
    static size_t start[R + 1];
    for (size_t r = 0; r < R; r++) {
        g1[r] = (int)(r % 2);
        c1[r] = g1[r];
        p1[r] = r % 3 == 0 ? 1 - g1[r] : g1[r];
        start[r] = r * K;
        for (size_t k = 0; k < K; k++) {
            gold[r * K + k] = g1[r];
            clean[r * K + k] = c1[r];
            pert[r * K + k] = p1[r];
        }
    }
    start[R] = R * K;
    fs_robustness_input one = { g1, c1, p1, R, 2, 11, 0, NULL, 0 };
    fs_robustness_input clus = { gold, clean, pert, R * K, 2, 11, 0, start, R };
    fs_robustness_input pooled = { gold, clean, pert, R * K, 2, 11, 0, NULL, 0 };
    fs_robustness a, b, c;
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&a, &one, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&b, &clus, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_score_robustness(&c, &pooled, NULL), FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(b.delta_accuracy, -1.0 / 3.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b.flip_rate, 1.0 / 3.0, 1e-12);
    double wa = a.ci95_accuracy[1] - a.ci95_accuracy[0];
    double wb = b.ci95_accuracy[1] - b.ci95_accuracy[0];
    double wc = c.ci95_accuracy[1] - c.ci95_accuracy[0];
    CU_ASSERT(fabs(wb - wa) < 0.25 * wa);
    CU_ASSERT(wc < 0.75 * wb);
    CU_ASSERT(b.flip_ci95[0] < 1.0 / 3.0 && b.flip_ci95[1] > 1.0 / 3.0);
    CU_ASSERT(b.p_value < 0.001);
    fs_robustness_dispose(&a);
    fs_robustness_dispose(&b);
    fs_robustness_dispose(&c);
}

const fs_test_case fs_score_robustness_tests[] = {
    { "test_score_robustness__hand_computed", test_score_robustness__hand_computed },
    { "test_score_robustness__bootstrap_intervals", test_score_robustness__bootstrap_intervals },
    { "test_score_robustness__empty", test_score_robustness__empty },
    { "test_score_robustness__all_parse_failures", test_score_robustness__all_parse_failures },
    { "test_score_robustness__bad_input", test_score_robustness__bad_input },
    { "test_score_robustness__singleton_clusters_match",
      test_score_robustness__singleton_clusters_match },
    { "test_score_robustness__clusters_resample_records",
      test_score_robustness__clusters_resample_records },
    { NULL, NULL },
};
