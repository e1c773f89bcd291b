/* Classification in a score file: label values as scikit-learn sees them, and the report
 * of fs_score_classification written in the shape of the golden files.
 *
 * Invariants: labels are all strings or all numbers (scikit-learn refuses a mix); two
 * numbers are the same label when their values are equal. Without a "labels" parameter
 * the class list is the sorted set of every label and prediction (strings by code point,
 * which is UTF-8 byte order, numbers by value). With one, the class list is that list in
 * its order; values outside it still count for accuracy, and are scored as extra classes
 * so that a prediction outside the list is nobody's hit while a gold label outside it is
 * nobody's support, then left out of the per-class arrays and of the averages, which are
 * recomputed over the listed classes with scikit-learn 1.2.1's rules. A missing (null)
 * prediction is a parse failure: never correct, in no class. */
#include "scorefile_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fairshake/score.h"

void fs_scorefile__class_init(sf_class *c)
{
    memset(c, 0, sizeof *c);
}

void fs_scorefile__class_dispose(sf_class *c)
{
    for (size_t i = 0; i < c->n_labels; i++) {
        fs_free(c->labels[i].key);
    }
    fs_free(c->labels);
    fs_free(c->slots);
    fs_free(c->gold);
    fs_free(c->pred);
    double zd = c->zero_division;
    fs_scorefile__class_init(c);
    c->zero_division = zd;
}

void fs_scorefile__put_num(fs_buf *b, double v)
{
    if (isinf(v)) {
        fs_buf_puts(b, v > 0 ? "\"inf\"" : "\"-inf\"");
        return;
    }
    fs_buf_put_double(b, v);
}

static const char *kind_name(const cJSON *v)
{
    if (cJSON_IsString(v)) {
        return "string";
    }
    if (cJSON_IsNumber(v)) {
        return "number";
    }
    if (cJSON_IsBool(v)) {
        return "boolean";
    }
    if (cJSON_IsNull(v)) {
        return "null";
    }
    return cJSON_IsArray(v) ? "array" : "object";
}

static size_t key_hash(const char *key, size_t n_slots)
{
    return (size_t)(fs_hash_u64(key, strlen(key)) % n_slots);
}

/* Double the hash table and place every label again. */
static bool rehash(sf_class *c)
{
    size_t n = c->n_slots < 64 ? 128 : c->n_slots * 2;
    size_t *slots = fs_calloc(n, sizeof *slots);
    if (slots == NULL) {
        return false;
    }
    for (size_t i = 0; i < c->n_labels; i++) {
        size_t h = key_hash(c->labels[i].key, n);
        while (slots[h] != 0) {
            h = (h + 1) % n;
        }
        slots[h] = i + 1;
    }
    fs_free(c->slots);
    c->slots = slots;
    c->n_slots = n;
    return true;
}

/* The index of the label with this key, added when new (*out -1 on OOM). */
static void intern(sf_class *c, const char *key, double num, bool is_num, int *out)
{
    *out = -1;
    if ((c->n_labels + 1) * 2 > c->n_slots && !rehash(c)) {
        return;
    }
    size_t h = key_hash(key, c->n_slots);
    for (; c->slots[h] != 0; h = (h + 1) % c->n_slots) {
        if (strcmp(c->labels[c->slots[h] - 1].key, key) == 0) {
            *out = (int)(c->slots[h] - 1);
            return;
        }
    }
    if (c->n_labels == c->cap_labels) {
        size_t cap = c->cap_labels < 16 ? 16 : c->cap_labels * 2, bytes;
        sf_label *p = NULL;
        if (cap <= (size_t)INT32_MAX && fs_size_mul(&bytes, cap, sizeof *p)) {
            p = fs_realloc(c->labels, bytes);
        }
        if (p == NULL) {
            return;
        }
        c->labels = p;
        c->cap_labels = cap;
    }
    char *k = fs_strdup(key);
    if (k == NULL) {
        return;
    }
    c->labels[c->n_labels] = (sf_label){ k, num, is_num };
    c->slots[h] = ++c->n_labels;
    *out = (int)(c->n_labels - 1);
}

/* The index of a string or number value; *why says what is wrong with another value. */
static fs_status label_of(sf_class *c, const cJSON *v, int *out, const char **why)
{
    int kind = cJSON_IsString(v) ? 1 : cJSON_IsNumber(v) ? 2 : 0;
    *why = NULL;
    if (kind == 0) {
        *why = "expected a string or number";
        return FS_ERR_INPUT;
    }
    if (c->kind != 0 && kind != c->kind) {
        *why = c->kind == 1 ? "expected a string like the labels before it"
                            : "expected a number like the labels before it";
        return FS_ERR_INPUT;
    }
    if (kind == 1 && !fs_text_valid_utf8(v->valuestring, strlen(v->valuestring))) {
        *why = "invalid UTF-8";
        return FS_ERR_INPUT;
    }
    c->kind = kind;
    fs_buf key;
    fs_buf_init(&key, 0);
    fs_buf_puts(&key, kind == 1 ? "s:" : "n:");
    if (kind == 1) {
        fs_buf_puts(&key, v->valuestring);
    } else {
        fs_buf_put_double(&key, v->valuedouble);
    }
    if (fs_buf_status(&key) == FS_OK) {
        intern(c, fs_buf_cstr(&key), kind == 2 ? v->valuedouble : 0.0, kind == 2, out);
    } else {
        *out = -1;
    }
    fs_buf_dispose(&key);
    return *out < 0 ? FS_ERR_NOMEM : FS_OK;
}

fs_status fs_scorefile__class_set_labels(sf_class *c, const char *json, fs_error *err)
{
    cJSON *arr = NULL;
    fs_status st = fs_json__parse(&arr, json, strlen(json), "labels", NULL);
    if (st != FS_OK || !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        cJSON_Delete(arr);
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "labels: expected a non-empty JSON array of strings or numbers, e.g. "
                       "[\"neg\",\"pos\"]; got '%s'",
                       json);
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        int idx = -1;
        const char *why = NULL;
        size_t before = c->n_labels;
        st = label_of(c, v, &idx, &why);
        if (st == FS_ERR_NOMEM) {
            st = FS_FAIL(err, st, "labels: out of memory");
        } else if (st != FS_OK) {
            st = FS_FAIL(err, FS_ERR_CONFIG, "labels: %s, got %s", why, kind_name(v));
        } else if (c->n_labels == before) {
            st =
                FS_FAIL(err, FS_ERR_CONFIG, "labels: '%s' is listed twice", c->labels[idx].key + 2);
        }
        if (st != FS_OK) {
            break;
        }
    }
    cJSON_Delete(arr);
    c->n_listed = c->n_labels;
    c->explicit_list = st == FS_OK;
    return st;
}

fs_status fs_scorefile__class_add(sf_class *c, const cJSON *label, const cJSON *pred,
                                  const char *path, uint64_t line, fs_error *err)
{
    const char *why = NULL;
    int g = -1, p = -1;
    if (label == NULL || pred == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": %s: missing field", path, line,
                       label == NULL ? "label" : "prediction");
    }
    fs_status st = label_of(c, label, &g, &why);
    if (st == FS_ERR_INPUT) {
        return FS_FAIL(err, st, "%s:%" PRIu64 ": label: %s, got %s", path, line, why,
                       kind_name(label));
    }
    if (st == FS_OK && !cJSON_IsNull(pred)) {
        st = label_of(c, pred, &p, &why);
        if (st == FS_ERR_INPUT) {
            return FS_FAIL(err, st, "%s:%" PRIu64 ": prediction: %s (or null), got %s", path, line,
                           why, kind_name(pred));
        }
    }
    if (st == FS_OK && c->n_items == c->cap_items) {
        size_t cap = c->cap_items < 64 ? 64 : c->cap_items * 2, bytes = 0;
        int *ng = NULL, *np = NULL;
        if (fs_size_mul(&bytes, cap, sizeof(int))) {
            ng = fs_realloc(c->gold, bytes);
            c->gold = ng != NULL ? ng : c->gold;
            np = ng != NULL ? fs_realloc(c->pred, bytes) : NULL;
            c->pred = np != NULL ? np : c->pred;
        }
        c->cap_items = np != NULL ? cap : c->cap_items;
        st = np != NULL ? FS_OK : FS_ERR_NOMEM;
    }
    if (st != FS_OK) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s:%" PRIu64 ": out of memory", path, line);
    }
    c->gold[c->n_items] = g;
    c->pred[c->n_items] = p;
    c->n_items++;
    return FS_OK;
}

void fs_scorefile__class_put_label(const sf_class *c, fs_buf *b, int i)
{
    if (i < 0) {
        fs_buf_puts(b, "null");
        return;
    }
    const char *text = c->labels[i].key + 2;
    if (c->labels[i].is_num) {
        fs_buf_puts(b, text);
    } else {
        fs_buf_put_json_string(b, text, strlen(text));
    }
}

typedef struct ranked {
    const sf_label *label;
    size_t index;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const sf_label *a = ((const ranked *)pa)->label, *b = ((const ranked *)pb)->label;
    if (a->is_num) {
        return (a->num > b->num) - (a->num < b->num);
    }
    return strcmp(a->key + 2, b->key + 2);
}

/* order[k] = the table index of class k: the explicit list, then the other values; or
 * every value sorted. */
static fs_status class_order(const sf_class *c, size_t *order, fs_error *err)
{
    if (c->explicit_list) {
        for (size_t i = 0; i < c->n_labels; i++) {
            order[i] = i;
        }
        return FS_OK;
    }
    ranked *r = fs_calloc(c->n_labels, sizeof *r);
    if (r == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "classification: out of memory");
    }
    for (size_t i = 0; i < c->n_labels; i++) {
        r[i] = (ranked){ &c->labels[i], i };
    }
    qsort(r, c->n_labels, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < c->n_labels; i++) {
        order[i] = r[i].index;
    }
    fs_free(r);
    return FS_OK;
}

/* Precision, recall and F1 of pooled counts, as fs_score_classification computes them. */
static void prf(double out[3], size_t tp, size_t pred_sum, size_t true_sum, double zd)
{
    out[0] = pred_sum == 0 ? zd : (double)tp / (double)pred_sum;
    out[1] = true_sum == 0 ? zd : (double)tp / (double)true_sum;
    double denom = out[0] + out[1];
    out[2] = denom == 0.0 ? 0.0 : 2.0 * out[0] * out[1] / denom;
}

/* Macro, micro and weighted averages over the first k classes of r (scikit-learn 1.2.1
 * with an explicit label list, including its weighted rule for a list without support). */
static void listed_averages(fs_class_report *r, size_t k, double zd)
{
    size_t full = r->n_labels, tp = 0, pred_sum = 0, true_sum = 0;
    double m[3] = { 0, 0, 0 }, w[3] = { 0, 0, 0 }, mi[3];
    for (size_t c = 0; c < k; c++) {
        double wt = (double)r->support[c];
        m[0] += r->precision[c];
        m[1] += r->recall[c];
        m[2] += r->f1[c];
        w[0] += r->precision[c] * wt;
        w[1] += r->recall[c] * wt;
        w[2] += r->f1[c] * wt;
        tp += r->confusion[c * (full + 1) + c];
        pred_sum += r->predicted[c];
        true_sum += r->support[c];
    }
    if (r->n == 0) {
        return;
    }
    r->macro_precision = m[0] / (double)k;
    r->macro_recall = m[1] / (double)k;
    r->macro_f1 = m[2] / (double)k;
    prf(mi, tp, pred_sum, true_sum, zd);
    r->micro_precision = mi[0];
    r->micro_recall = mi[1];
    r->micro_f1 = mi[2];
    if (true_sum == 0) {
        r->weighted_precision = pred_sum == 0 ? zd : 0.0;
        r->weighted_recall = zd;
        r->weighted_f1 = pred_sum == 0 ? zd : 0.0;
        return;
    }
    r->weighted_precision = w[0] / (double)true_sum;
    r->weighted_recall = w[1] / (double)true_sum;
    r->weighted_f1 = w[2] / (double)true_sum;
}

/* The report over every class in class order; the averages over the listed ones. */
static fs_status compute(sf_class *c, const size_t *order, fs_class_report *rep, fs_error *err)
{
    size_t n = c->n_labels;
    int *rank = fs_calloc(n, sizeof *rank);
    int *gold = fs_calloc(c->n_items + 1, sizeof *gold);
    int *pred = fs_calloc(c->n_items + 1, sizeof *pred);
    fs_status st = FS_OK;
    if (rank == NULL || gold == NULL || pred == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "classification: out of memory");
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        rank[order[k]] = (int)k;
    }
    for (size_t i = 0; i < c->n_items; i++) {
        gold[i] = rank[c->gold[i]];
        pred[i] = c->pred[i] < 0 ? -1 : rank[c->pred[i]];
    }
    st = fs_score_classification(rep, gold, pred, c->n_items, n, c->zero_division, err);
    if (st == FS_OK && c->explicit_list && c->n_listed < n) {
        listed_averages(rep, c->n_listed, c->zero_division);
    }
done:
    fs_free(rank);
    fs_free(gold);
    fs_free(pred);
    return st;
}

static void put_array(fs_buf *b, const char *name, const double *v, size_t k)
{
    fs_buf_printf(b, "\"%s\":[", name);
    for (size_t i = 0; i < k; i++) {
        fs_buf_puts(b, i > 0 ? "," : "");
        fs_scorefile__put_num(b, v[i]);
    }
    fs_buf_puts(b, "]");
}

static void put_prf(fs_buf *b, const char *name, double p, double r, double f)
{
    fs_buf_printf(b, ",\"%s\":{\"precision\":", name);
    fs_scorefile__put_num(b, p);
    fs_buf_puts(b, ",\"recall\":");
    fs_scorefile__put_num(b, r);
    fs_buf_puts(b, ",\"f1\":");
    fs_scorefile__put_num(b, f);
    fs_buf_puts(b, "}");
}

/* "labels", "support" and the confusion matrix (gold rows, predicted columns). */
static void put_classes(const sf_class *c, const size_t *order, const fs_class_report *r, size_t k,
                        unsigned want, fs_buf *b)
{
    fs_buf_puts(b, ",\"labels\":[");
    for (size_t i = 0; i < k; i++) {
        fs_buf_puts(b, i > 0 ? "," : "");
        fs_scorefile__class_put_label(c, b, (int)order[i]);
    }
    fs_buf_puts(b, "],\"support\":[");
    for (size_t i = 0; i < k; i++) {
        fs_buf_printf(b, "%s%zu", i > 0 ? "," : "", r->support[i]);
    }
    fs_buf_puts(b, "]");
    if ((want & SF_CLASS_CONFUSION) == 0) {
        return;
    }
    fs_buf_puts(b, ",\"confusion_matrix\":[");
    for (size_t g = 0; g < k; g++) {
        fs_buf_puts(b, g > 0 ? ",[" : "[");
        for (size_t p = 0; p < k; p++) {
            fs_buf_printf(b, "%s%zu", p > 0 ? "," : "", r->confusion[g * (r->n_labels + 1) + p]);
        }
        fs_buf_puts(b, "]");
    }
    fs_buf_puts(b, "]");
}

fs_status fs_scorefile__class_result(sf_class *c, fs_buf *b, unsigned want, fs_error *err)
{
    fs_class_report r;
    fs_class_report_init(&r);
    size_t *order = fs_calloc(c->n_labels + 1, sizeof *order);
    fs_status st = order != NULL ? class_order(c, order, err)
                                 : FS_FAIL(err, FS_ERR_NOMEM, "classification: out of memory");
    if (st == FS_OK) {
        st = compute(c, order, &r, err);
    }
    if (st == FS_OK) {
        size_t k = c->explicit_list ? c->n_listed : c->n_labels;
        if (want & SF_CLASS_ACCURACY) {
            fs_buf_puts(b, ",\"accuracy\":");
            fs_scorefile__put_num(b, r.accuracy);
        }
        fs_buf_printf(b, ",\"n_unparsed\":%zu", r.n_unparsed);
        put_classes(c, order, &r, k, want, b);
        if (want & SF_CLASS_PER_CLASS) {
            fs_buf_puts(b, ",\"per_class\":{");
            put_array(b, "precision", r.precision, k);
            fs_buf_puts(b, ",");
            put_array(b, "recall", r.recall, k);
            fs_buf_puts(b, ",");
            put_array(b, "f1", r.f1, k);
            fs_buf_puts(b, "}");
        }
        if (want & SF_CLASS_MACRO) {
            put_prf(b, "macro", r.macro_precision, r.macro_recall, r.macro_f1);
        }
        if (want & SF_CLASS_MICRO) {
            put_prf(b, "micro", r.micro_precision, r.micro_recall, r.micro_f1);
        }
        if (want & SF_CLASS_WEIGHTED) {
            put_prf(b, "weighted", r.weighted_precision, r.weighted_recall, r.weighted_f1);
        }
    }
    fs_class_report_dispose(&r);
    fs_free(order);
    return st;
}
