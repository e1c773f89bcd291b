/* Scoring identification: per-category counts under three matching modes (exact span and
 * category; overlapping span and same category; category only), the confusion between
 * categories, their aggregation over records, and precision, recall and F1 from them.
 * Invariants: matching is one to one and greedy in prediction order (each prediction takes
 * the first unmatched gold item it matches); classes and confusion cells stay sorted by
 * name, so two runs over the same records give identical counts whatever the order of
 * categories in the answers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "identify/internal.h"

#define NOT_LOCATED SIZE_MAX

void fs_identify_counts_init(fs_identify_counts *c)
{
    memset(c, 0, sizeof *c);
}

void fs_identify_counts_dispose(fs_identify_counts *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n_classes; i++) {
        fs_free(c->classes[i].category);
    }
    for (size_t i = 0; i < c->n_confusion; i++) {
        fs_free(c->confusion[i].gold_category);
        fs_free(c->confusion[i].pred_category);
    }
    fs_free(c->classes);
    fs_free(c->confusion);
    fs_identify_counts_init(c);
}

/* The index of category's class, inserted (zeroed, in sorted place) when absent. */
static fs_status class_at(fs_identify_counts *c, const char *category, size_t *out, fs_error *err)
{
    size_t lo = 0, hi = c->n_classes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int k = strcmp(category, c->classes[mid].category);
        if (k == 0) {
            *out = mid;
            return FS_OK;
        }
        if (k < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    fs_identify_class_counts *v = fs_realloc(c->classes, (c->n_classes + 1) * sizeof *v);
    if (v == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    c->classes = v;
    char *name = fs_strdup(category);
    if (name == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    memmove(&v[lo + 1], &v[lo], (c->n_classes - lo) * sizeof *v);
    memset(&v[lo], 0, sizeof *v);
    v[lo].category = name;
    c->n_classes++;
    *out = lo;
    return FS_OK;
}

static int cmp_cell(const char *g1, const char *p1, const fs_identify_confusion *b)
{
    int k = strcmp(g1, b->gold_category);
    return k != 0 ? k : strcmp(p1, b->pred_category);
}

static fs_status confusion_add(fs_identify_counts *c, const char *gold, const char *pred,
                               size_t count, fs_error *err)
{
    size_t lo = 0, hi = c->n_confusion;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int k = cmp_cell(gold, pred, &c->confusion[mid]);
        if (k == 0) {
            c->confusion[mid].count += count;
            return FS_OK;
        }
        if (k < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    fs_identify_confusion *v = fs_realloc(c->confusion, (c->n_confusion + 1) * sizeof *v);
    if (v == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    c->confusion = v;
    char *g = fs_strdup(gold), *p = fs_strdup(pred);
    if (g == NULL || p == NULL) {
        fs_free(g);
        fs_free(p);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    memmove(&v[lo + 1], &v[lo], (c->n_confusion - lo) * sizeof *v);
    v[lo].gold_category = g;
    v[lo].pred_category = p;
    v[lo].count = count;
    c->n_confusion++;
    return FS_OK;
}

fs_status fs_identify_counts_add(fs_identify_counts *acc, const fs_identify_counts *src,
                                 fs_error *err)
{
    for (size_t i = 0; i < src->n_classes; i++) {
        size_t k;
        fs_status st = class_at(acc, src->classes[i].category, &k, err);
        if (st != FS_OK) {
            return st;
        }
        for (int m = 0; m < FS_IDENTIFY_N_MATCH; m++) {
            acc->classes[k].tp[m] += src->classes[i].tp[m];
            acc->classes[k].fp[m] += src->classes[i].fp[m];
            acc->classes[k].fn[m] += src->classes[i].fn[m];
        }
    }
    for (size_t i = 0; i < src->n_confusion; i++) {
        const fs_identify_confusion *x = &src->confusion[i];
        fs_status st = confusion_add(acc, x->gold_category, x->pred_category, x->count, err);
        if (st != FS_OK) {
            return st;
        }
    }
    acc->n_records += src->n_records;
    acc->n_unparsed += src->n_unparsed;
    acc->n_gold += src->n_gold;
    acc->n_pred += src->n_pred;
    return FS_OK;
}

static bool overlaps(const fs_identify_span *a, const fs_identify_span *b)
{
    return a->start != NOT_LOCATED && b->start != NOT_LOCATED && a->start < b->end &&
           b->start < a->end;
}

static bool matches(const fs_identify_span *g, const fs_identify_span *p, fs_identify_match mode)
{
    if (strcmp(g->category, p->category) != 0) {
        return false;
    }
    if (mode == FS_IDENTIFY_EXACT) {
        return p->start != NOT_LOCATED && g->start == p->start && g->end == p->end;
    }
    return overlaps(g, p);
}

/* One span mode: greedy one-to-one matching in prediction order. */
static fs_status score_mode(fs_identify_counts *acc, const fs_identify_span *gold, size_t n_gold,
                            const fs_identify_span *pred, size_t n_pred, fs_identify_match mode,
                            bool *used, fs_error *err)
{
    size_t k;
    memset(used, 0, n_gold * sizeof *used);
    for (size_t i = 0; i < n_pred; i++) {
        size_t g = 0;
        while (g < n_gold && (used[g] || !matches(&gold[g], &pred[i], mode))) {
            g++;
        }
        fs_status st = class_at(acc, pred[i].category, &k, err);
        if (st != FS_OK) {
            return st;
        }
        if (g < n_gold) {
            used[g] = true;
            acc->classes[k].tp[mode]++;
        } else {
            acc->classes[k].fp[mode]++;
        }
    }
    for (size_t g = 0; g < n_gold; g++) {
        fs_status st = used[g] ? FS_OK : class_at(acc, gold[g].category, &k, err);
        if (st != FS_OK) {
            return st;
        }
        acc->classes[k].fn[mode] += !used[g];
    }
    return FS_OK;
}

/* Category mode: multisets of categories. */
static fs_status score_categories(fs_identify_counts *acc, const fs_identify_span *gold,
                                  size_t n_gold, const fs_identify_span *pred, size_t n_pred,
                                  fs_error *err)
{
    fs_identify_counts tmp;
    fs_status st = FS_OK;
    size_t k;
    fs_identify_counts_init(&tmp);
    for (size_t i = 0; i < n_gold && st == FS_OK; i++) {
        st = class_at(&tmp, gold[i].category, &k, err);
        tmp.classes[k].fn[0] += st == FS_OK;
    }
    for (size_t i = 0; i < n_pred && st == FS_OK; i++) {
        st = class_at(&tmp, pred[i].category, &k, err);
        tmp.classes[k].fp[0] += st == FS_OK;
    }
    for (size_t i = 0; i < tmp.n_classes && st == FS_OK; i++) {
        size_t g = tmp.classes[i].fn[0], p = tmp.classes[i].fp[0], tp = g < p ? g : p;
        st = class_at(acc, tmp.classes[i].category, &k, err);
        if (st == FS_OK) {
            acc->classes[k].tp[FS_IDENTIFY_CATEGORY] += tp;
            acc->classes[k].fp[FS_IDENTIFY_CATEGORY] += p - tp;
            acc->classes[k].fn[FS_IDENTIFY_CATEGORY] += g - tp;
        }
    }
    fs_identify_counts_dispose(&tmp);
    return st;
}

static size_t overlap_len(const fs_identify_span *a, const fs_identify_span *b)
{
    if (!overlaps(a, b)) {
        return 0;
    }
    size_t s = a->start > b->start ? a->start : b->start;
    size_t e = a->end < b->end ? a->end : b->end;
    return e - s;
}

/* Each gold item against the prediction overlapping it most; predictions overlapping no
 * gold item against "". */
static fs_status score_confusion(fs_identify_counts *acc, const fs_identify_span *gold,
                                 size_t n_gold, const fs_identify_span *pred, size_t n_pred,
                                 fs_error *err)
{
    fs_status st = FS_OK;
    for (size_t g = 0; g < n_gold && st == FS_OK; g++) {
        size_t best = SIZE_MAX, len = 0;
        for (size_t p = 0; p < n_pred; p++) {
            size_t l = overlap_len(&gold[g], &pred[p]);
            if (l > len) {
                len = l;
                best = p;
            }
        }
        st = confusion_add(acc, gold[g].category, best == SIZE_MAX ? "" : pred[best].category, 1,
                           err);
    }
    for (size_t p = 0; p < n_pred && st == FS_OK; p++) {
        bool any = false;
        for (size_t g = 0; g < n_gold && !any; g++) {
            any = overlaps(&gold[g], &pred[p]);
        }
        st = any ? FS_OK : confusion_add(acc, "", pred[p].category, 1, err);
    }
    return st;
}

fs_status fs_identify_score_spans(fs_identify_counts *acc, const fs_identify_span *gold,
                                  size_t n_gold, const fs_identify_span *pred, size_t n_pred,
                                  fs_error *err)
{
    bool *used = fs_calloc(n_gold + 1, sizeof *used);
    if (used == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_status st = score_mode(acc, gold, n_gold, pred, n_pred, FS_IDENTIFY_EXACT, used, err);
    if (st == FS_OK) {
        st = score_mode(acc, gold, n_gold, pred, n_pred, FS_IDENTIFY_OVERLAP, used, err);
    }
    if (st == FS_OK) {
        st = score_categories(acc, gold, n_gold, pred, n_pred, err);
    }
    if (st == FS_OK) {
        st = score_confusion(acc, gold, n_gold, pred, n_pred, err);
    }
    fs_free(used);
    if (st == FS_OK) {
        acc->n_records++;
        acc->n_gold += n_gold;
        acc->n_pred += n_pred;
    }
    return st;
}

static fs_identify_prf prf(size_t tp, size_t fp, size_t fn)
{
    fs_identify_prf r;
    r.support = tp + fn;
    r.predicted = tp + fp;
    r.precision = r.predicted > 0 ? (double)tp / (double)r.predicted : NAN;
    r.recall = r.support > 0 ? (double)tp / (double)r.support : NAN;
    r.f1 = 2 * tp + fp + fn > 0 ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : NAN;
    return r;
}

fs_identify_prf fs_identify_class_metrics(const fs_identify_counts *c, size_t i,
                                          fs_identify_match mode)
{
    const fs_identify_class_counts *k = &c->classes[i];
    return prf(k->tp[mode], k->fp[mode], k->fn[mode]);
}

fs_identify_prf fs_identify_micro(const fs_identify_counts *c, fs_identify_match mode)
{
    size_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < c->n_classes; i++) {
        tp += c->classes[i].tp[mode];
        fp += c->classes[i].fp[mode];
        fn += c->classes[i].fn[mode];
    }
    return prf(tp, fp, fn);
}

fs_identify_prf fs_identify_macro(const fs_identify_counts *c, fs_identify_match mode)
{
    fs_identify_prf m = { 0, 0, 0, 0, 0 };
    size_t k = 0;
    for (size_t i = 0; i < c->n_classes; i++) {
        fs_identify_prf r = fs_identify_class_metrics(c, i, mode);
        m.predicted += r.predicted;
        if (r.support == 0) {
            continue;
        }
        m.support += r.support;
        m.precision += isnan(r.precision) ? 0.0 : r.precision;
        m.recall += r.recall;
        m.f1 += r.f1;
        k++;
    }
    if (k == 0) {
        m.precision = m.recall = m.f1 = NAN;
        return m;
    }
    m.precision /= (double)k;
    m.recall /= (double)k;
    m.f1 /= (double)k;
    return m;
}
