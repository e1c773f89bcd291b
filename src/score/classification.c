/* Classification metrics: accuracy and per-class precision, recall and F1 with their
 * macro, micro and weighted averages, computed as scikit-learn 1.2.1 computes
 * accuracy_score and precision_recall_fscore_support with an explicit label list
 * 0..n_labels-1.
 *
 * Invariants: gold labels are in 0..n_labels-1; a prediction is in 0..n_labels-1 or -1
 * (a parse failure). A parse failure counts in n and in the accuracy denominator, is
 * never correct, lowers the recall of its gold class and adds to no class's predicted
 * count (it lands in the last confusion column). The per-class rule is sklearn 1.2.1's:
 * a 0/0 precision or recall is zero_division, and F1 = 2pr / (p + r), 0 when p + r == 0.
 * Averages are NaN when nothing was scored (n == 0); everything else follows sklearn. */
#include "fairshake/score.h"

#include <math.h>
#include <string.h>

#include "fairshake/core.h"
#include "score_internal.h"

/* Precision, recall and F1 from counts, with sklearn 1.2.1's operation order. */
static void prf(double *p, double *r, double *f, size_t tp, size_t pred_sum, size_t true_sum,
                double zero_division)
{
    *p = pred_sum == 0 ? zero_division : (double)tp / (double)pred_sum;
    *r = true_sum == 0 ? zero_division : (double)tp / (double)true_sum;
    double denom = *p + *r;
    *f = denom == 0.0 ? 0.0 : 2.0 * *p * *r / denom;
}

void fs_class_report_init(fs_class_report *r)
{
    if (r == NULL) {
        return;
    }
    memset(r, 0, sizeof *r);
    r->accuracy = NAN;
    r->macro_precision = r->macro_recall = r->macro_f1 = NAN;
    r->micro_precision = r->micro_recall = r->micro_f1 = NAN;
    r->weighted_precision = r->weighted_recall = r->weighted_f1 = NAN;
}

void fs_class_report_dispose(fs_class_report *r)
{
    if (r == NULL) {
        return;
    }
    fs_free(r->precision);
    fs_free(r->recall);
    fs_free(r->f1);
    fs_free(r->support);
    fs_free(r->predicted);
    fs_free(r->confusion);
    fs_class_report_init(r);
}

static fs_status check_items(const int *gold, const int *pred, size_t n, size_t n_labels,
                             double zero_division, fs_error *err)
{
    if (n_labels == 0 || n_labels > (size_t)INT32_MAX) {
        return FS_FAIL(err, FS_ERR_USAGE, "classification: n_labels %zu out of range", n_labels);
    }
    if (!(zero_division == 0.0 || zero_division == 1.0)) {
        return FS_FAIL(err, FS_ERR_USAGE, "classification: zero_division must be 0 or 1");
    }
    if (n > 0 && (gold == NULL || pred == NULL)) {
        return FS_FAIL(err, FS_ERR_USAGE, "classification: NULL gold or predictions");
    }
    for (size_t i = 0; i < n; i++) {
        if (gold[i] < 0 || (size_t)gold[i] >= n_labels) {
            return FS_FAIL(err, FS_ERR_INPUT,
                           "classification: item %zu: gold label %d outside 0..%zu", i, gold[i],
                           n_labels - 1);
        }
        if (pred[i] < -1 || (pred[i] >= 0 && (size_t)pred[i] >= n_labels)) {
            return FS_FAIL(err, FS_ERR_INPUT,
                           "classification: item %zu: prediction %d outside -1..%zu", i, pred[i],
                           n_labels - 1);
        }
    }
    return FS_OK;
}

static fs_status alloc_report(fs_class_report *r, size_t n_labels, fs_error *err)
{
    size_t cells;
    if (!fs_size_mul(&cells, n_labels, n_labels + 1)) {
        return FS_FAIL(err, FS_ERR_LIMIT, "classification: %zu labels", n_labels);
    }
    r->n_labels = n_labels;
    r->precision = fs_calloc(n_labels, sizeof *r->precision);
    r->recall = fs_calloc(n_labels, sizeof *r->recall);
    r->f1 = fs_calloc(n_labels, sizeof *r->f1);
    r->support = fs_calloc(n_labels, sizeof *r->support);
    r->predicted = fs_calloc(n_labels, sizeof *r->predicted);
    r->confusion = fs_calloc(cells, sizeof *r->confusion);
    if (r->precision == NULL || r->recall == NULL || r->f1 == NULL || r->support == NULL ||
        r->predicted == NULL || r->confusion == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "classification: out of memory");
    }
    return FS_OK;
}

/* Averages over the label list: macro (plain mean), micro (pooled counts) and weighted
 * (by support), after the per-class values are filled in. */
static void averages(fs_class_report *r, double zero_division)
{
    size_t k = r->n_labels, tp = 0, pred_sum = 0, true_sum = 0;
    double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0;
    for (size_t c = 0; c < k; c++) {
        double w = (double)r->support[c];
        mp += r->precision[c];
        mr += r->recall[c];
        mf += r->f1[c];
        wp += r->precision[c] * w;
        wr += r->recall[c] * w;
        wf += r->f1[c] * w;
        tp += r->confusion[c * (k + 1) + c];
        pred_sum += r->predicted[c];
        true_sum += r->support[c];
    }
    if (r->n == 0) {
        return;
    }
    r->macro_precision = mp / (double)k;
    r->macro_recall = mr / (double)k;
    r->macro_f1 = mf / (double)k;
    prf(&r->micro_precision, &r->micro_recall, &r->micro_f1, tp, pred_sum, true_sum, zero_division);
    /* true_sum == n > 0 here, since every gold label is in the list */
    r->weighted_precision = wp / (double)true_sum;
    r->weighted_recall = wr / (double)true_sum;
    r->weighted_f1 = wf / (double)true_sum;
}

fs_status fs_score_classification(fs_class_report *out, const int *gold, const int *pred, size_t n,
                                  size_t n_labels, double zero_division, fs_error *err)
{
    fs_class_report r;
    fs_class_report_init(&r);
    if (out == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "classification: NULL output");
    }
    fs_class_report_init(out);
    fs_status st = check_items(gold, pred, n, n_labels, zero_division, err);
    if (st != FS_OK) {
        goto done;
    }
    st = alloc_report(&r, n_labels, err);
    if (st != FS_OK) {
        goto done;
    }
    size_t correct = 0;
    for (size_t i = 0; i < n; i++) {
        size_t g = (size_t)gold[i];
        size_t col = pred[i] < 0 ? n_labels : (size_t)pred[i];
        r.confusion[g * (n_labels + 1) + col]++;
        r.support[g]++;
        if (pred[i] < 0) {
            r.n_unparsed++;
        } else {
            r.predicted[col]++;
        }
        correct += col == g;
    }
    r.n = n;
    r.accuracy = n == 0 ? NAN : (double)correct / (double)n;
    for (size_t c = 0; c < n_labels; c++) {
        prf(&r.precision[c], &r.recall[c], &r.f1[c], r.confusion[c * (n_labels + 1) + c],
            r.predicted[c], r.support[c], zero_division);
    }
    averages(&r, zero_division);
    *out = r;
    fs_class_report_init(&r);
done:
    fs_class_report_dispose(&r);
    return st;
}

double fs_score__macro_f1_scratch(const int *gold, const int *pred, size_t n, size_t n_labels,
                                  double zero_division, size_t *counts)
{
    if (n == 0 || n_labels == 0 || gold == NULL || pred == NULL || counts == NULL) {
        return NAN;
    }
    size_t *tp = counts, *pred_sum = counts + n_labels, *true_sum = counts + 2 * n_labels;
    memset(counts, 0, 3 * n_labels * sizeof *counts);
    for (size_t i = 0; i < n; i++) {
        int g = gold[i], p = pred[i];
        if (g < 0 || (size_t)g >= n_labels || p < -1 || (p >= 0 && (size_t)p >= n_labels)) {
            return NAN;
        }
        true_sum[g]++;
        if (p >= 0) {
            pred_sum[p]++;
            tp[p] += p == g;
        }
    }
    double sum = 0.0;
    for (size_t c = 0; c < n_labels; c++) {
        double p, r, f;
        prf(&p, &r, &f, tp[c], pred_sum[c], true_sum[c], zero_division);
        sum += f;
    }
    return sum / (double)n_labels;
}

double fs_score_macro_f1(const int *gold, const int *pred, size_t n, size_t n_labels,
                         double zero_division)
{
    enum { STACK_LABELS = 64 };
    size_t stack[3 * STACK_LABELS];
    if (n_labels <= STACK_LABELS) {
        return fs_score__macro_f1_scratch(gold, pred, n, n_labels, zero_division, stack);
    }
    size_t cells;
    if (!fs_size_mul(&cells, n_labels, 3)) {
        return NAN;
    }
    size_t *heap = fs_calloc(cells, sizeof *heap);
    if (heap == NULL) {
        return NAN;
    }
    double v = fs_score__macro_f1_scratch(gold, pred, n, n_labels, zero_division, heap);
    fs_free(heap);
    return v;
}
