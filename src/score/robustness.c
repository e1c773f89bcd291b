/* Robustness of one perturbation against the clean condition, over paired records.
 *
 * Both conditions are scored with fs_score_classification (zero_division 0). The deltas
 * (perturbed minus clean) of accuracy and macro-F1 get percentile bootstrap intervals
 * from fs_stats_paired_bootstrap; both use the input seed, so they see the same
 * resamples. The bootstrap metrics read the caller's arrays through the resampled
 * indices and reuse scratch buffers allocated once per call, so no resample allocates.
 * Flips compare the two predictions (a parse failure against a label is a flip, two
 * parse failures are not); the paired test is the exact McNemar test on correctness.
 * With several variants per record the pairs form clusters (one per record): the
 * bootstrap resamples clusters, the flip-rate interval comes from the same bootstrap, and
 * the test is a sign-flip permutation test on each record's mean difference in
 * correctness, which for one variant per record would reduce to McNemar's.
 * With n == 0 every rate, delta, interval and p-value is NaN and both reports have n 0. */
#include "fairshake/score.h"

#include <math.h>
#include <string.h>

#include "fairshake/core.h"
#include "fairshake/stats.h"
#include "score_internal.h"

#define DEFAULT_RESAMPLES    1000
#define DEFAULT_PERMUTATIONS 10000
#define CI_LEVEL             0.95

typedef struct boot_ctx {
    const int *gold;
    const int *pred[2]; /* clean, perturbed */
    size_t n_labels;
    const size_t *start; /* cluster c: pairs [start[c], start[c + 1]); NULL: one pair each */
    int *gold_scratch;   /* resampled gold labels */
    int *pred_scratch;   /* resampled predictions */
    size_t *counts;      /* [3 * n_labels] */
} boot_ctx;

static size_t first_pair(const boot_ctx *ctx, size_t c)
{
    return ctx->start ? ctx->start[c] : c;
}

static size_t end_pair(const boot_ctx *ctx, size_t c)
{
    return ctx->start ? ctx->start[c + 1] : c + 1;
}

static double accuracy_metric(const size_t *idx, size_t n, int which, void *payload)
{
    const boot_ctx *ctx = payload;
    const int *pred = ctx->pred[which];
    size_t correct = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = first_pair(ctx, idx[i]); j < end_pair(ctx, idx[i]); j++) {
            correct += pred[j] == ctx->gold[j];
            total++;
        }
    }
    return total ? (double)correct / (double)total : NAN;
}

/* Flip rate of the resample (which 1) against no flips (which 0): its percentile
 * interval is the flip rate's interval. */
static double flip_metric(const size_t *idx, size_t n, int which, void *payload)
{
    const boot_ctx *ctx = payload;
    size_t flips = 0, total = 0;
    if (which == 0) {
        return 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = first_pair(ctx, idx[i]); j < end_pair(ctx, idx[i]); j++) {
            flips += ctx->pred[0][j] != ctx->pred[1][j];
            total++;
        }
    }
    return total ? (double)flips / (double)total : NAN;
}

static double macro_f1_metric(const size_t *idx, size_t n, int which, void *payload)
{
    const boot_ctx *ctx = payload;
    const int *pred = ctx->pred[which];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = first_pair(ctx, idx[i]); j < end_pair(ctx, idx[i]); j++) {
            ctx->gold_scratch[m] = ctx->gold[j];
            ctx->pred_scratch[m] = pred[j];
            m++;
        }
    }
    return fs_score__macro_f1_scratch(ctx->gold_scratch, ctx->pred_scratch, m, ctx->n_labels, 0.0,
                                      ctx->counts);
}

void fs_robustness_init(fs_robustness *r)
{
    if (r == NULL) {
        return;
    }
    memset(r, 0, sizeof *r);
    fs_class_report_init(&r->clean);
    fs_class_report_init(&r->perturbed);
    r->delta_accuracy = r->delta_macro_f1 = r->drop_rate = r->flip_rate = r->p_value = NAN;
    r->ci95_accuracy[0] = r->ci95_accuracy[1] = NAN;
    r->ci95_macro_f1[0] = r->ci95_macro_f1[1] = NAN;
    r->flip_ci95[0] = r->flip_ci95[1] = NAN;
}

void fs_robustness_dispose(fs_robustness *r)
{
    if (r == NULL) {
        return;
    }
    fs_class_report_dispose(&r->clean);
    fs_class_report_dispose(&r->perturbed);
    fs_robustness_init(r);
}

static void count_pairs(fs_robustness *r, const fs_robustness_input *in)
{
    for (size_t i = 0; i < in->n; i++) {
        int c = in->clean_pred[i], p = in->pert_pred[i], g = in->gold[i];
        r->flips += c != p;
        r->clean_only_correct += c == g && p != g;
        r->pert_only_correct += c != g && p == g;
    }
}

/* Largest cluster, to size the scratch buffers of a resample. */
static size_t max_cluster(const fs_robustness_input *in)
{
    size_t m = 1;
    for (size_t c = 0; in->cluster_start != NULL && c < in->n_clusters; c++) {
        size_t k = in->cluster_start[c + 1] - in->cluster_start[c];
        m = k > m ? k : m;
    }
    return m;
}

static fs_status bootstrap_cis(fs_robustness *r, const fs_robustness_input *in, fs_error *err)
{
    boot_ctx ctx = { in->gold, { in->clean_pred, in->pert_pred }, in->n_labels, NULL, NULL, NULL,
                     NULL };
    size_t resamples = in->n_resamples == 0 ? DEFAULT_RESAMPLES : in->n_resamples;
    size_t clusters = in->cluster_start ? in->n_clusters : in->n, cap;
    fs_status st = FS_OK;
    ctx.start = in->cluster_start;
    if (!fs_size_mul(&cap, clusters, max_cluster(in))) {
        return FS_FAIL(err, FS_ERR_NOMEM, "robustness: out of memory");
    }
    ctx.gold_scratch = fs_calloc(cap, sizeof *ctx.gold_scratch);
    ctx.pred_scratch = fs_calloc(cap, sizeof *ctx.pred_scratch);
    ctx.counts = fs_calloc(in->n_labels, 3 * sizeof *ctx.counts);
    if (ctx.gold_scratch == NULL || ctx.pred_scratch == NULL || ctx.counts == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "robustness: out of memory");
        goto done;
    }
    st = fs_stats_paired_bootstrap(&r->ci95_accuracy[0], &r->ci95_accuracy[1], clusters, resamples,
                                   CI_LEVEL, in->seed, accuracy_metric, &ctx, err);
    if (st == FS_OK) {
        st = fs_stats_paired_bootstrap(&r->ci95_macro_f1[0], &r->ci95_macro_f1[1], clusters,
                                       resamples, CI_LEVEL, in->seed, macro_f1_metric, &ctx, err);
    }
    if (st == FS_OK && in->cluster_start != NULL) {
        st = fs_stats_paired_bootstrap(&r->flip_ci95[0], &r->flip_ci95[1], clusters, resamples,
                                       CI_LEVEL, in->seed, flip_metric, &ctx, err);
    }
done:
    fs_free(ctx.gold_scratch);
    fs_free(ctx.pred_scratch);
    fs_free(ctx.counts);
    return st;
}

/* Sign-flip test on each record's mean perturbed-minus-clean correctness. */
static fs_status cluster_test(fs_robustness *r, const fs_robustness_input *in, fs_error *err)
{
    double *d = fs_calloc(in->n_clusters + 1, sizeof *d);
    if (d == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "robustness: out of memory");
    }
    for (size_t c = 0; c < in->n_clusters; c++) {
        size_t a = in->cluster_start[c], b = in->cluster_start[c + 1];
        double sum = 0.0;
        for (size_t j = a; j < b; j++) {
            sum += (double)(in->pert_pred[j] == in->gold[j]) -
                   (double)(in->clean_pred[j] == in->gold[j]);
        }
        d[c] = b > a ? sum / (double)(b - a) : 0.0;
    }
    r->p_value = fs_stats_sign_flip(d, in->n_clusters, DEFAULT_PERMUTATIONS, in->seed ^ 0x5f1e);
    r->test = "sign-flip permutation test on per-record mean differences (10,000 permutations)";
    fs_free(d);
    return FS_OK;
}

/* Rates, deltas and the paired test, once both reports and the pair counts exist. */
static void summarize(fs_robustness *r)
{
    double clean_acc = r->clean.accuracy, pert_acc = r->perturbed.accuracy;
    r->delta_accuracy = pert_acc - clean_acc;
    r->delta_macro_f1 = r->perturbed.macro_f1 - r->clean.macro_f1;
    r->drop_rate = clean_acc > 0.0 ? 1.0 - pert_acc / clean_acc : NAN;
    r->flip_rate = (double)r->flips / (double)r->n;
    fs_stats_wilson(&r->flip_ci95[0], &r->flip_ci95[1], r->flips, r->n, CI_LEVEL);
    r->p_value = fs_stats_mcnemar_exact(r->clean_only_correct, r->pert_only_correct);
    r->test = "exact McNemar test";
}

fs_status fs_score_robustness(fs_robustness *out, const fs_robustness_input *in, fs_error *err)
{
    fs_robustness r;
    fs_robustness_init(&r);
    if (out == NULL || in == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "robustness: NULL output or input");
    }
    fs_robustness_init(out);
    if (in->n > 0 && (in->gold == NULL || in->clean_pred == NULL || in->pert_pred == NULL)) {
        return FS_FAIL(err, FS_ERR_USAGE, "robustness: NULL gold or predictions");
    }
    fs_status st =
        fs_score_classification(&r.clean, in->gold, in->clean_pred, in->n, in->n_labels, 0.0, err);
    if (st != FS_OK) {
        goto done;
    }
    st = fs_score_classification(&r.perturbed, in->gold, in->pert_pred, in->n, in->n_labels, 0.0,
                                 err);
    if (st != FS_OK) {
        goto done;
    }
    r.n = in->n;
    r.n_clusters = in->cluster_start ? in->n_clusters : in->n;
    if (in->cluster_start != NULL &&
        (in->cluster_start[0] != 0 || in->cluster_start[in->n_clusters] != in->n)) {
        st = FS_FAIL(err, FS_ERR_USAGE, "robustness: clusters must cover pairs 0..n");
        goto done;
    }
    if (r.n > 0) {
        count_pairs(&r, in);
        summarize(&r);
        st = bootstrap_cis(&r, in, err);
        if (st == FS_OK && in->cluster_start != NULL) {
            st = cluster_test(&r, in, err);
        }
        if (st != FS_OK) {
            goto done;
        }
    }
    *out = r;
    fs_robustness_init(&r);
done:
    fs_robustness_dispose(&r);
    return st;
}
