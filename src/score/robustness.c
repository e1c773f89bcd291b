/* Robustness of one perturbation against the clean condition, over paired records.
 *
 * Both conditions are scored with fs_score_classification (zero_division 0). The deltas
 * (perturbed minus clean) of accuracy and macro-F1 get percentile bootstrap intervals
 * from fs_stats_paired_bootstrap; both use the input seed, so they see the same
 * resamples. The bootstrap metrics read the caller's arrays through the resampled
 * indices and reuse scratch buffers allocated once per call, so no resample allocates.
 * Flips compare the two predictions (a parse failure against a label is a flip, two
 * parse failures are not); the paired test is the exact McNemar test on correctness.
 * With n == 0 every rate, delta, interval and p-value is NaN and both reports have n 0. */
#include "fairshake/score.h"

#include <math.h>
#include <string.h>

#include "fairshake/core.h"
#include "fairshake/stats.h"
#include "score_internal.h"

#define DEFAULT_RESAMPLES 1000
#define CI_LEVEL          0.95

typedef struct boot_ctx {
    const int *gold;
    const int *pred[2]; /* clean, perturbed */
    size_t n_labels;
    int *gold_scratch; /* [n] resampled gold labels */
    int *pred_scratch; /* [n] resampled predictions */
    size_t *counts;    /* [3 * n_labels] */
} boot_ctx;

static double accuracy_metric(const size_t *idx, size_t n, int which, void *payload)
{
    const boot_ctx *ctx = payload;
    const int *pred = ctx->pred[which];
    size_t correct = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = idx[i];
        correct += pred[j] == ctx->gold[j];
    }
    return (double)correct / (double)n;
}

static double macro_f1_metric(const size_t *idx, size_t n, int which, void *payload)
{
    const boot_ctx *ctx = payload;
    const int *pred = ctx->pred[which];
    for (size_t i = 0; i < n; i++) {
        size_t j = idx[i];
        ctx->gold_scratch[i] = ctx->gold[j];
        ctx->pred_scratch[i] = pred[j];
    }
    return fs_score__macro_f1_scratch(ctx->gold_scratch, ctx->pred_scratch, n, ctx->n_labels, 0.0,
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

static fs_status bootstrap_cis(fs_robustness *r, const fs_robustness_input *in, fs_error *err)
{
    boot_ctx ctx = { in->gold, { in->clean_pred, in->pert_pred }, in->n_labels, NULL, NULL, NULL };
    size_t resamples = in->n_resamples == 0 ? DEFAULT_RESAMPLES : in->n_resamples;
    fs_status st = FS_OK;
    ctx.gold_scratch = fs_calloc(in->n, sizeof *ctx.gold_scratch);
    ctx.pred_scratch = fs_calloc(in->n, sizeof *ctx.pred_scratch);
    ctx.counts = fs_calloc(in->n_labels, 3 * sizeof *ctx.counts);
    if (ctx.gold_scratch == NULL || ctx.pred_scratch == NULL || ctx.counts == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "robustness: out of memory");
        goto done;
    }
    st = fs_stats_paired_bootstrap(&r->ci95_accuracy[0], &r->ci95_accuracy[1], in->n, resamples,
                                   CI_LEVEL, in->seed, accuracy_metric, &ctx, err);
    if (st != FS_OK) {
        goto done;
    }
    st = fs_stats_paired_bootstrap(&r->ci95_macro_f1[0], &r->ci95_macro_f1[1], in->n, resamples,
                                   CI_LEVEL, in->seed, macro_f1_metric, &ctx, err);
done:
    fs_free(ctx.gold_scratch);
    fs_free(ctx.pred_scratch);
    fs_free(ctx.counts);
    return st;
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
    if (r.n > 0) {
        count_pairs(&r, in);
        summarize(&r);
        st = bootstrap_cis(&r, in, err);
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
