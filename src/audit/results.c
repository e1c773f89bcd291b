/* Scoring and report.json. Everything is computed from the run store alone, so a report
 * can be rebuilt without calling the model. The store's rows become a table of one row
 * per record and one column per condition (clean, then each perturbation in config
 * order); each cell is a label index or one of the codes below. Metrics, paired
 * comparisons and gates are computed from the table; examples are fetched in a second
 * pass over the store. A value that cannot be computed is null with a reason. */
#include "fairshake/audit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "core/json.h"
#include "fairshake/score.h"
#include "fairshake/stats.h"
#include "fairshake/version.h"

enum { CELL_MISSING = -3, CELL_ERROR = -2, CELL_UNPARSED = -1 };

#define MAX_CAUSES 8

typedef struct col_stats {
    uint64_t variants, unchanged, errors, parse_failures, cached;
    char *causes[MAX_CAUSES]; /* distinct error messages, first seen first */
    uint64_t cause_counts[MAX_CAUSES];
} col_stats;

typedef struct table {
    const fs_config *cfg;
    uint64_t limit;
    size_t n_cols; /* clean, then each perturbation's n variants */
    size_t *base;  /* per perturbation: its first column */
    size_t n_rec, cap;
    int *gold;
    int *cells;   /* n_rec * n_cols */
    char **group; /* n_rec: the record's group attribute (dataset.fields.group), or NULL */
    col_stats *cols;
    fs_audit__lat lat;
    fs_error *err;
} table;

static int label_index(const fs_config *cfg, const char *label)
{
    if (label == NULL) {
        return CELL_MISSING;
    }
    for (size_t i = 0; i < cfg->n_labels; i++) {
        if (strcmp(cfg->labels[i], label) == 0) {
            return (int)i;
        }
    }
    return CELL_MISSING;
}

/* Column of a stored variant: "clean" is 0, "<label>" and "<label>#k" are variant 0 and
 * k of that perturbation. -1 when the config has no such perturbation or variant. */
static int col_index(const table *t, const char *pert)
{
    return fs_audit__column(t->cfg, t->base, pert);
}

int fs_audit__column(const fs_config *cfg, const size_t *base, const char *pert)
{
    if (strcmp(pert, "clean") == 0) {
        return 0;
    }
    const char *hash = strchr(pert, '#');
    size_t len = hash ? (size_t)(hash - pert) : strlen(pert);
    int64_t k = 0;
    if (hash != NULL && (!fs_parse_i64(hash + 1, &k) || k < 1)) {
        return -1;
    }
    for (size_t i = 0; i < cfg->n_perturbations; i++) {
        const char *label = cfg->perturbations[i].label;
        if (strlen(label) == len && memcmp(label, pert, len) == 0 &&
            (size_t)k < cfg->perturbations[i].n) {
            return (int)(base[i] + (size_t)k);
        }
    }
    return -1;
}

static bool grow_rows(table *t, size_t need)
{
    if (need <= t->cap) {
        return true;
    }
    size_t cap = t->cap ? t->cap : 256;
    while (cap < need) {
        cap *= 2;
    }
    size_t bytes;
    if (!fs_size_mul(&bytes, cap, t->n_cols * sizeof(int))) {
        return false;
    }
    int *gold = fs_realloc(t->gold, cap * sizeof(int));
    if (gold == NULL) {
        return false;
    }
    t->gold = gold;
    char **group = fs_realloc(t->group, cap * sizeof(char *));
    if (group == NULL) {
        return false;
    }
    t->group = group;
    int *cells = fs_realloc(t->cells, bytes);
    if (cells == NULL) {
        return false;
    }
    t->cells = cells;
    for (size_t i = t->cap; i < cap; i++) {
        t->gold[i] = CELL_MISSING;
        t->group[i] = NULL;
        for (size_t j = 0; j < t->n_cols; j++) {
            t->cells[i * t->n_cols + j] = CELL_MISSING;
        }
    }
    t->cap = cap;
    return true;
}

static void note_cause(col_stats *cs, const char *msg)
{
    const char *m = (msg != NULL && msg[0] != '\0') ? msg : "unknown error";
    for (size_t i = 0; i < MAX_CAUSES; i++) {
        if (cs->causes[i] == NULL) {
            cs->causes[i] = fs_strdup(m);
            cs->cause_counts[i] = cs->causes[i] ? 1 : 0;
            return;
        }
        if (strcmp(cs->causes[i], m) == 0) {
            cs->cause_counts[i]++;
            return;
        }
    }
}

static fs_status on_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    table *t = payload;
    int col = col_index(t, v->perturbation);
    if (col < 0 || (t->limit > 0 && v->record_index >= t->limit)) {
        return FS_OK;
    }
    size_t r = (size_t)v->record_index;
    if (!grow_rows(t, r + 1)) {
        return FS_FAIL(t->err, FS_ERR_NOMEM, "out of memory");
    }
    if (r + 1 > t->n_rec) {
        t->n_rec = r + 1;
    }
    col_stats *cs = &t->cols[col];
    cs->variants++;
    cs->unchanged += (col > 0 && !v->changed);
    t->gold[r] = label_index(t->cfg, v->label);
    if (col == 0 && v->group != NULL && t->group[r] == NULL) {
        t->group[r] = fs_strdup(v->group);
        if (t->group[r] == NULL) {
            return FS_FAIL(t->err, FS_ERR_NOMEM, "out of memory");
        }
    }
    int cell = CELL_MISSING;
    if (o != NULL && o->status != FS_OK) {
        cell = CELL_ERROR;
        cs->errors++;
        note_cause(cs, o->error);
    } else if (o != NULL) {
        cell = o->prediction ? label_index(t->cfg, o->prediction) : CELL_UNPARSED;
        cell = cell == CELL_MISSING ? CELL_UNPARSED : cell;
        cs->parse_failures += cell == CELL_UNPARSED;
        cs->cached += o->cached;
        if (!fs_audit__lat_push(&t->lat, o, (size_t)col)) {
            return FS_FAIL(t->err, FS_ERR_NOMEM, "out of memory");
        }
    }
    t->cells[r * t->n_cols + (size_t)col] = cell;
    return FS_OK;
}

static void table_dispose(table *t)
{
    for (size_t c = 0; t->cols != NULL && c < t->n_cols; c++) {
        for (size_t i = 0; i < MAX_CAUSES; i++) {
            fs_free(t->cols[c].causes[i]);
        }
    }
    for (size_t r = 0; t->group != NULL && r < t->n_rec; r++) {
        fs_free(t->group[r]);
    }
    fs_free(t->group);
    fs_free(t->cols);
    fs_free(t->base);
    fs_free(t->gold);
    fs_free(t->cells);
    fs_audit__lat_dispose(&t->lat);
    memset(t, 0, sizeof *t);
}

static fs_status table_load(table *t, const fs_config *cfg, fs_store *store, const char *target,
                            uint64_t limit, fs_error *err)
{
    memset(t, 0, sizeof *t);
    t->cfg = cfg;
    t->limit = limit;
    t->err = err;
    t->base = fs_calloc(cfg->n_perturbations + 1, sizeof *t->base);
    if (t->base == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    t->n_cols = 1;
    for (size_t i = 0; i < cfg->n_perturbations; i++) {
        t->base[i] = t->n_cols;
        t->n_cols += cfg->perturbations[i].n;
    }
    t->cols = fs_calloc(t->n_cols, sizeof *t->cols);
    if (t->cols == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return fs_store_each(store, target, on_row, t, err);
}

/* ---- JSON helpers ------------------------------------------------------------------- */

bool fs_audit__num(cJSON *obj, const char *key, double v, const char *reason)
{
    if (isfinite(v)) {
        return cJSON_AddNumberToObject(obj, key, v) != NULL;
    }
    char rkey[96];
    snprintf(rkey, sizeof rkey, "%s_reason", key);
    return cJSON_AddNullToObject(obj, key) != NULL &&
           cJSON_AddStringToObject(obj, rkey, reason) != NULL;
}

cJSON *fs_audit__pair(double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi)) {
        return cJSON_CreateNull();
    }
    double v[2] = { lo, hi };
    return cJSON_CreateDoubleArray(v, 2);
}

/* Error causes of columns [first, first + k_n), merged by message. */
static cJSON *causes_json(const table *t, size_t first, size_t k_n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t col = first; arr != NULL && col < first + k_n; col++) {
        const col_stats *cs = &t->cols[col];
        for (size_t i = 0; i < MAX_CAUSES && cs->causes[i] != NULL; i++) {
            cJSON *e = NULL;
            for (cJSON *x = arr->child; x != NULL && e == NULL; x = x->next) {
                e = strcmp(fs_json__str(x, "message"), cs->causes[i]) == 0 ? x : NULL;
            }
            if (e == NULL) {
                e = cJSON_CreateObject();
                cJSON_AddItemToArray(arr, e);
                fs_json__add_str(e, "message", cs->causes[i]);
                cJSON_AddNumberToObject(e, "count", 0);
            }
            cJSON *count = cJSON_GetObjectItemCaseSensitive(e, "count");
            cJSON_SetNumberValue(count, count->valuedouble + (double)cs->cause_counts[i]);
        }
    }
    return arr;
}

/* Column statistics of a perturbation's variants, summed. */
static col_stats sum_stats(const table *t, size_t first, size_t k_n)
{
    col_stats sum;
    memset(&sum, 0, sizeof sum);
    for (size_t col = first; col < first + k_n; col++) {
        sum.variants += t->cols[col].variants;
        sum.unchanged += t->cols[col].unchanged;
        sum.errors += t->cols[col].errors;
        sum.parse_failures += t->cols[col].parse_failures;
        sum.cached += t->cols[col].cached;
    }
    return sum;
}

static cJSON *class_metrics_json(const fs_class_report *r, const fs_config *cfg)
{
    cJSON *m = cJSON_CreateObject();
    const char *why = "no record has an answer under this condition";
    fs_audit__num(m, "accuracy", r->accuracy, why);
    fs_audit__num(m, "macro_f1", r->n ? r->macro_f1 : NAN, why);
    fs_audit__num(m, "macro_precision", r->n ? r->macro_precision : NAN, why);
    fs_audit__num(m, "macro_recall", r->n ? r->macro_recall : NAN, why);
    fs_audit__num(m, "weighted_f1", r->n ? r->weighted_f1 : NAN, why);
    cJSON *pc = cJSON_AddObjectToObject(m, "per_class");
    for (size_t i = 0; pc != NULL && r->n && i < r->n_labels; i++) {
        cJSON *c = cJSON_AddObjectToObject(pc, cfg->labels[i]);
        cJSON_AddNumberToObject(c, "precision", r->precision[i]);
        cJSON_AddNumberToObject(c, "recall", r->recall[i]);
        cJSON_AddNumberToObject(c, "f1", r->f1[i]);
        cJSON_AddNumberToObject(c, "support", (double)r->support[i]);
        cJSON_AddNumberToObject(c, "predicted", (double)r->predicted[i]);
    }
    return m;
}

static cJSON *confusion_json(const fs_class_report *r)
{
    cJSON *rows = cJSON_CreateArray();
    for (size_t g = 0; rows != NULL && r->confusion != NULL && g < r->n_labels; g++) {
        cJSON *row = cJSON_CreateArray();
        cJSON_AddItemToArray(rows, row);
        for (size_t p = 0; p <= r->n_labels; p++) {
            cJSON_AddItemToArray(
                row, cJSON_CreateNumber((double)r->confusion[g * (r->n_labels + 1) + p]));
        }
    }
    return rows;
}

/* Ten buckets between the smallest and largest latency (sorted[0..n)), spaced
 * logarithmically when they span more than a factor of 4, else linearly. */
static cJSON *histogram_json(const double *sorted, size_t n)
{
    enum { BUCKETS = 10 };
    double edges[BUCKETS + 1], counts[BUCKETS] = { 0 };
    double lo = sorted[0] > 0 ? sorted[0] : 0.001,
           hi = sorted[n - 1] > lo ? sorted[n - 1] : lo * 1.01;
    bool logscale = hi / lo > 4.0;
    for (int i = 0; i <= BUCKETS; i++) {
        double f = (double)i / BUCKETS;
        edges[i] = logscale ? lo * pow(hi / lo, f) : lo + (hi - lo) * f;
    }
    size_t b = 0;
    for (size_t i = 0; i < n; i++) {
        while (b + 1 < BUCKETS && sorted[i] >= edges[b + 1]) {
            b++;
        }
        counts[b]++;
    }
    cJSON *h = cJSON_CreateObject();
    fs_json__add_str(h, "scale", logscale ? "log" : "linear");
    cJSON_AddItemToObject(h, "edges", cJSON_CreateDoubleArray(edges, BUCKETS + 1));
    cJSON_AddItemToObject(h, "counts", cJSON_CreateDoubleArray(counts, BUCKETS));
    return h;
}

cJSON *fs_audit__latency_json(double *lat, size_t n_lat)
{
    cJSON *l = cJSON_CreateObject();
    const char *why = "no answer in the store came from the model (all came from the cache)";
    fs_stats_sort(lat, n_lat);
    double sum = 0;
    for (size_t i = 0; i < n_lat; i++) {
        sum += lat[i];
    }
    cJSON_AddNumberToObject(l, "n", (double)n_lat);
    fs_audit__num(l, "p50", fs_stats_quantile(lat, n_lat, 0.50), why);
    fs_audit__num(l, "p90", fs_stats_quantile(lat, n_lat, 0.90), why);
    fs_audit__num(l, "p95", fs_stats_quantile(lat, n_lat, 0.95), why);
    fs_audit__num(l, "p99", fs_stats_quantile(lat, n_lat, 0.99), why);
    fs_audit__num(l, "mean", n_lat ? sum / (double)n_lat : NAN, why);
    fs_audit__num(l, "max", n_lat ? lat[n_lat - 1] : NAN, why);
    if (n_lat > 0) {
        cJSON_AddItemToObject(l, "histogram", histogram_json(lat, n_lat));
    }
    return l;
}

bool fs_audit__grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) {
        return true;
    }
    size_t c = *cap ? *cap * 2 : 16, bytes;
    while (c < need) {
        c *= 2;
    }
    if (!fs_size_mul(&bytes, c, size)) {
        return false;
    }
    void *q = fs_realloc(*p, bytes);
    if (q == NULL) {
        return false;
    }
    memset((char *)q + *cap * size, 0, (c - *cap) * size);
    *p = q;
    *cap = c;
    return true;
}

long fs_audit__intern(char ***names, size_t *n, size_t *cap, const char *s, size_t len)
{
    for (size_t i = 0; i < *n; i++) {
        if (strlen((*names)[i]) == len && memcmp((*names)[i], s, len) == 0) {
            return (long)i;
        }
    }
    if (!fs_audit__grow((void **)names, cap, *n + 1, sizeof(char *))) {
        return -1;
    }
    (*names)[*n] = fs_strndup(s, len);
    return (*names)[*n] == NULL ? -1 : (long)(*n)++;
}

bool fs_audit__lat_push(fs_audit__lat *l, const fs_outcome *o, size_t col)
{
    if (o->cached) {
        return true;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        double *ms = fs_realloc(l->ms, cap * sizeof *ms);
        if (ms == NULL) {
            return false;
        }
        l->ms = ms;
        uint32_t *c = fs_realloc(l->col, cap * sizeof *c);
        if (c == NULL) {
            return false;
        }
        l->col = c;
        l->cap = cap;
    }
    l->ms[l->n] = o->latency_ms;
    l->col[l->n++] = (uint32_t)col;
    l->answers++;
    if (o->prompt_tokens < 0 && o->completion_tokens < 0) {
        l->usage_unknown++;
    }
    l->prompt_tokens += o->prompt_tokens > 0 ? o->prompt_tokens : 0;
    l->completion_tokens += o->completion_tokens > 0 ? o->completion_tokens : 0;
    return true;
}

cJSON *fs_audit__lat_json(const fs_audit__lat *l, size_t c0, size_t c1, bool histogram)
{
    double *v = fs_malloc((l->n ? l->n : 1) * sizeof *v);
    size_t n = 0;
    if (v == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < l->n; i++) {
        if (l->col[i] >= c0 && l->col[i] < c1) {
            v[n++] = l->ms[i];
        }
    }
    cJSON *j = fs_audit__latency_json(v, n);
    fs_free(v);
    if (!histogram) {
        cJSON_DeleteItemFromObjectCaseSensitive(j, "histogram");
    }
    return j;
}

cJSON *fs_audit__usage_json(const fs_audit__lat *l)
{
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "answers", (double)l->answers);
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)l->prompt_tokens);
    cJSON_AddNumberToObject(u, "completion_tokens", (double)l->completion_tokens);
    cJSON_AddNumberToObject(u, "usage_unknown", (double)l->usage_unknown);
    return u;
}

void fs_audit__lat_dispose(fs_audit__lat *l)
{
    fs_free(l->ms);
    fs_free(l->col);
    memset(l, 0, sizeof *l);
}

/* The pairs (clean, variant k) of columns [first, first + k_n) with an answer under both,
 * record by record; starts[c] is the first pair of the c-th record with any pair
 * (starts has *clusters_out + 1 entries). */
typedef struct pairs {
    int *gold, *a, *b;
    size_t n;
    size_t *starts;
    size_t clusters;
} pairs;

static void pairs_dispose(pairs *p)
{
    fs_free(p->gold);
    fs_free(p->a);
    fs_free(p->b);
    fs_free(p->starts);
    memset(p, 0, sizeof *p);
}

static fs_status gather(pairs *out, const table *t, size_t first, size_t k_n, fs_error *err)
{
    size_t cap;
    memset(out, 0, sizeof *out);
    if (!fs_size_mul(&cap, t->n_rec + 1, k_n)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    out->gold = fs_calloc(cap, sizeof(int));
    out->a = fs_calloc(cap, sizeof(int));
    out->b = fs_calloc(cap, sizeof(int));
    out->starts = fs_calloc(t->n_rec + 2, sizeof(size_t));
    if (out->gold == NULL || out->a == NULL || out->b == NULL || out->starts == NULL) {
        pairs_dispose(out);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t r = 0; r < t->n_rec; r++) {
        size_t before = out->n;
        int ca = t->cells[r * t->n_cols];
        for (size_t k = 0; k < k_n && t->gold[r] >= 0 && ca >= CELL_UNPARSED; k++) {
            int cb = t->cells[r * t->n_cols + first + k];
            if (cb < CELL_UNPARSED) {
                continue;
            }
            out->gold[out->n] = t->gold[r];
            out->a[out->n] = ca;
            out->b[out->n] = cb;
            out->n++;
        }
        if (out->n > before) {
            out->starts[out->clusters++] = before;
        }
    }
    out->starts[out->clusters] = out->n;
    return FS_OK;
}

static uint64_t count_missing(const table *t, size_t first, size_t k_n)
{
    uint64_t n = 0;
    for (size_t r = 0; r < t->n_rec; r++) {
        for (size_t k = 0; k < k_n; k++) {
            n += t->cells[r * t->n_cols + first + k] == CELL_MISSING;
        }
    }
    return n;
}

static fs_status clean_json(cJSON *tgt, table *t, fs_error *err)
{
    pairs pr;
    fs_class_report rep;
    fs_class_report_init(&rep);
    fs_status st = gather(&pr, t, 0, 1, err);
    const int *gold = pr.gold, *pred = pr.a;
    size_t n = pr.n;
    if (st == FS_OK) {
        st = fs_score_classification(&rep, gold, pred, n, t->cfg->n_labels, 0.0, err);
    }
    if (st != FS_OK) {
        goto done;
    }
    cJSON *c = cJSON_AddObjectToObject(tgt, "clean");
    const col_stats *cs = &t->cols[0];
    cJSON_AddNumberToObject(c, "n", (double)n);
    cJSON_AddNumberToObject(c, "errors", (double)cs->errors);
    cJSON_AddNumberToObject(c, "parse_failures", (double)cs->parse_failures);
    cJSON_AddNumberToObject(c, "missing", (double)count_missing(t, 0, 1));
    cJSON_AddItemToObject(c, "metrics", class_metrics_json(&rep, t->cfg));
    double lo = NAN, hi = NAN;
    size_t correct = 0;
    for (size_t i = 0; i < n; i++) {
        correct += gold[i] == pred[i];
    }
    fs_stats_wilson(&lo, &hi, correct, n, 0.95);
    cJSON_AddItemToObject(c, "accuracy_ci95", fs_audit__pair(lo, hi));
    cJSON_AddItemToObject(c, "confusion", confusion_json(&rep));
    cJSON_AddItemToObject(c, "latency_ms", fs_audit__lat_json(&t->lat, 0, t->n_cols, true));
    cJSON_AddItemToObject(c, "error_causes", causes_json(t, 0, 1));
done:
    fs_class_report_dispose(&rep);
    pairs_dispose(&pr);
    return st;
}

/* Examples: the records a perturbation broke first (clean right, perturbed wrong), then
 * other changed predictions, in record order. */
typedef struct pick {
    size_t rec;
    size_t col;
    const char *kind;
    char *id, *clean_text, *clean_answer, *pert_text, *pert_answer;
} pick;

typedef struct picks {
    pick *v;
    size_t n, cap;
    unsigned char *want; /* n_rec * n_cols */
    const table *t;
} picks;

/* Up to max examples of a perturbation (columns [first, first + k_n)), at most one per
 * record: records it broke first, then other changed answers. */
static void choose_examples(picks *p, const table *t, size_t first, size_t k_n, size_t max)
{
    size_t taken = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t r = 0; r < t->n_rec && taken < max; r++) {
            int g = t->gold[r], a = t->cells[r * t->n_cols];
            for (size_t col = first; col < first + k_n; col++) {
                int b = t->cells[r * t->n_cols + col];
                if (g < 0 || a < CELL_UNPARSED || b < CELL_UNPARSED || a == b ||
                    p->want[r * t->n_cols + col]) {
                    continue;
                }
                bool broke = a == g && b != g;
                if ((pass == 0) != broke || p->n == p->cap) {
                    continue;
                }
                pick *k = &p->v[p->n++];
                memset(k, 0, sizeof *k);
                k->rec = r;
                k->col = col;
                k->kind = broke ? "broken" : (b == g ? "fixed" : "changed");
                p->want[r * t->n_cols] = 1;
                p->want[r * t->n_cols + col] = 1;
                taken++;
                break;
            }
        }
    }
}

static fs_status copy_example(char **text, char **answer, const fs_variant *v, const fs_outcome *o,
                              fs_error *err)
{
    fs_free(*text);
    fs_free(*answer);
    *text = fs_strdup(v->text);
    *answer = (o != NULL && o->answer != NULL) ? fs_strdup(o->answer) : NULL;
    if (*text == NULL || (o != NULL && o->answer != NULL && *answer == NULL)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return FS_OK;
}

static fs_status on_example_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    picks *p = payload;
    const table *t = p->t;
    int col = col_index(t, v->perturbation);
    size_t r = (size_t)v->record_index;
    if (col < 0 || r >= t->n_rec || !p->want[r * t->n_cols + (size_t)col]) {
        return FS_OK;
    }
    for (size_t i = 0; i < p->n; i++) {
        pick *k = &p->v[i];
        fs_status st = FS_OK;
        if (k->rec != r) {
            continue;
        }
        if (col == 0) {
            st = copy_example(&k->clean_text, &k->clean_answer, v, o, t->err);
            if (st == FS_OK && k->id == NULL) {
                k->id = fs_strdup(v->record_id);
                st = k->id ? FS_OK : FS_FAIL(t->err, FS_ERR_NOMEM, "out of memory");
            }
        } else if ((size_t)col == k->col) {
            st = copy_example(&k->pert_text, &k->pert_answer, v, o, t->err);
        }
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}

static void picks_dispose(picks *p)
{
    for (size_t i = 0; i < p->n; i++) {
        fs_free(p->v[i].id);
        fs_free(p->v[i].clean_text);
        fs_free(p->v[i].clean_answer);
        fs_free(p->v[i].pert_text);
        fs_free(p->v[i].pert_answer);
    }
    fs_free(p->v);
    fs_free(p->want);
    memset(p, 0, sizeof *p);
}

static fs_status collect_examples(picks *p, const table *t, fs_store *store, const char *target,
                                  fs_error *err)
{
    size_t per = t->cfg->examples, total, cells;
    memset(p, 0, sizeof *p);
    p->t = t;
    if (!fs_size_mul(&total, per, t->n_cols) || !fs_size_mul(&cells, t->n_rec + 1, t->n_cols)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p->v = fs_calloc(total + 1, sizeof *p->v);
    p->want = fs_calloc(cells, 1);
    if (p->v == NULL || p->want == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p->cap = total;
    for (size_t i = 0; i < t->cfg->n_perturbations; i++) {
        choose_examples(p, t, t->base[i], t->cfg->perturbations[i].n, per);
    }
    if (p->n == 0) {
        return FS_OK;
    }
    return fs_store_each(store, target, on_example_row, p, err);
}

static cJSON *side_json(const char *text, const char *answer, int pred, const fs_config *cfg)
{
    cJSON *s = cJSON_CreateObject();
    fs_json__add_str(s, "input", text);
    fs_json__add_str(s, "answer", answer);
    fs_json__add_str(s, "prediction", pred >= 0 ? cfg->labels[pred] : NULL);
    return s;
}

static cJSON *examples_json(const picks *p, size_t first, size_t k_n)
{
    const table *t = p->t;
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr != NULL && i < p->n; i++) {
        const pick *k = &p->v[i];
        if (k->col < first || k->col >= first + k_n) {
            continue;
        }
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        fs_json__add_str(e, "record_id", k->id);
        cJSON_AddNumberToObject(e, "variant", (double)(k->col - first));
        fs_json__add_str(e, "kind", k->kind);
        fs_json__add_str(e, "label", t->cfg->labels[t->gold[k->rec]]);
        cJSON_AddItemToObject(
            e, "clean",
            side_json(k->clean_text, k->clean_answer, t->cells[k->rec * t->n_cols], t->cfg));
        cJSON_AddItemToObject(
            e, "perturbed",
            side_json(k->pert_text, k->pert_answer, t->cells[k->rec * t->n_cols + k->col], t->cfg));
    }
    return arr;
}

static fs_status one_perturbation(cJSON *arr, table *t, size_t i, const picks *p, fs_error *err)
{
    pairs pr;
    fs_robustness rob;
    fs_robustness_init(&rob);
    const fs_config_perturbation *cp = &t->cfg->perturbations[i];
    size_t first = t->base[i], k_n = cp->n;
    fs_status st = gather(&pr, t, first, k_n, err);
    if (st == FS_OK) {
        fs_robustness_input in = { pr.gold,
                                   pr.a,
                                   pr.b,
                                   pr.n,
                                   t->cfg->n_labels,
                                   t->cfg->seed ^ fs_hash_u64(cp->label, strlen(cp->label)),
                                   t->cfg->bootstrap,
                                   k_n > 1 ? pr.starts : NULL,
                                   k_n > 1 ? pr.clusters : 0 };
        st = fs_score_robustness(&rob, &in, err);
    }
    if (st != FS_OK) {
        goto done;
    }
    col_stats cs = sum_stats(t, first, k_n);
    const char *none = "no record has an answer both clean and perturbed";
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, e);
    fs_json__add_str(e, "perturbation", cp->label);
    fs_json__add_str(e, "name", cp->name);
    cJSON_AddNumberToObject(e, "variants_per_record", (double)k_n);
    cJSON_AddNumberToObject(e, "n", (double)pr.n);
    cJSON_AddNumberToObject(e, "records", (double)pr.clusters);
    cJSON_AddNumberToObject(e, "errors", (double)cs.errors);
    cJSON_AddNumberToObject(e, "parse_failures", (double)cs.parse_failures);
    cJSON_AddNumberToObject(e, "missing", (double)count_missing(t, first, k_n));
    cJSON_AddNumberToObject(e, "unchanged", (double)cs.unchanged);
    cJSON_AddItemToObject(e, "metrics", class_metrics_json(&rob.perturbed, t->cfg));
    cJSON *d = cJSON_AddObjectToObject(e, "delta");
    fs_audit__num(d, "accuracy", rob.delta_accuracy, none);
    fs_audit__num(d, "macro_f1", rob.delta_macro_f1, none);
    cJSON *ci = cJSON_AddObjectToObject(e, "ci95");
    cJSON_AddItemToObject(ci, "accuracy",
                          fs_audit__pair(rob.ci95_accuracy[0], rob.ci95_accuracy[1]));
    cJSON_AddItemToObject(ci, "macro_f1",
                          fs_audit__pair(rob.ci95_macro_f1[0], rob.ci95_macro_f1[1]));
    fs_audit__num(e, "drop_rate", rob.drop_rate,
                  pr.n ? "clean accuracy is 0, so a relative drop is undefined" : none);
    fs_audit__num(e, "flip_rate", rob.flip_rate, none);
    cJSON_AddNumberToObject(e, "flips", (double)rob.flips);
    cJSON_AddItemToObject(e, "flip_rate_ci95", fs_audit__pair(rob.flip_ci95[0], rob.flip_ci95[1]));
    cJSON_AddNumberToObject(e, "broken", (double)rob.clean_only_correct);
    cJSON_AddNumberToObject(e, "fixed", (double)rob.pert_only_correct);
    fs_audit__num(e, "p_value", rob.p_value, none);
    fs_json__add_str(e, "test", pr.n ? rob.test : NULL);
    cJSON_AddItemToObject(e, "error_causes", causes_json(t, first, k_n));
    cJSON_AddItemToObject(e, "latency_ms", fs_audit__lat_json(&t->lat, first, first + k_n, false));
    cJSON_AddItemToObject(e, "worst_examples", examples_json(p, first, k_n));
done:
    fs_robustness_dispose(&rob);
    pairs_dispose(&pr);
    return st;
}

/* HELM's worst case: a record counts as correct only if it is correct clean and under
 * every perturbation. */
static void worst_case_json(cJSON *tgt, const table *t)
{
    size_t n = 0, correct = 0;
    for (size_t r = 0; r < t->n_rec; r++) {
        bool all = t->gold[r] >= 0, ok = true;
        for (size_t c = 0; all && c < t->n_cols; c++) {
            int cell = t->cells[r * t->n_cols + c];
            all = cell >= CELL_UNPARSED;
            ok = ok && cell == t->gold[r];
        }
        if (all) {
            n++;
            correct += ok;
        }
    }
    cJSON *w = cJSON_AddObjectToObject(tgt, "worst_case");
    cJSON_AddNumberToObject(w, "n", (double)n);
    cJSON *m = cJSON_AddObjectToObject(w, "metrics");
    fs_audit__num(m, "accuracy", n ? (double)correct / (double)n : NAN,
                  "no record has an answer under every condition");
}

static double error_rate(const table *t)
{
    uint64_t errors = 0, variants = 0;
    for (size_t c = 0; c < t->n_cols; c++) {
        errors += t->cols[c].errors;
        variants += t->cols[c].variants;
    }
    return variants ? (double)errors / (double)variants : NAN;
}

/* A target of a task answered in free text (task_results.c). */
static fs_status text_target_json(cJSON *targets, cJSON *gates, const fs_config *cfg, size_t ti,
                                  fs_store *store, uint64_t limit, size_t *failed, fs_error *err)
{
    const fs_config_target *tc = &cfg->targets[ti];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToArray(targets, o);
    fs_json__add_str(o, "name", tc->name);
    fs_json__add_str(o, "type", fs_target_type_name(tc->type));
    fs_json__add_str(o, "url", tc->url);
    fs_json__add_str(o, "model", tc->model);
    fs_status st = fs_audit__text_target_json(o, cfg, store, tc->name, limit, err);
    if (st == FS_OK && cfg->identify) {
        st = fs_audit__identification_json(o, cfg, store, tc->name, limit, err);
    }
    if (st == FS_OK && cfg->redact) {
        st = fs_audit__redact_examples(o, cfg, err);
    }
    if (st == FS_OK) {
        fs_audit__gates_json(gates, cfg, tc->name, o, failed);
    }
    return st;
}

static fs_status target_json(cJSON *targets, cJSON *gates, const fs_config *cfg, size_t ti,
                             fs_store *store, uint64_t limit, size_t *failed, fs_error *err)
{
    if (cfg->task != FS_TASK_CLASSIFICATION) {
        return text_target_json(targets, gates, cfg, ti, store, limit, failed, err);
    }
    const fs_config_target *tc = &cfg->targets[ti];
    table t;
    picks p;
    int *clean = NULL;
    memset(&p, 0, sizeof p);
    fs_status st = table_load(&t, cfg, store, tc->name, limit, err);
    if (st == FS_OK) {
        st = collect_examples(&p, &t, store, tc->name, err);
    }
    if (st != FS_OK) {
        goto done;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToArray(targets, o);
    fs_json__add_str(o, "name", tc->name);
    fs_json__add_str(o, "type", fs_target_type_name(tc->type));
    fs_json__add_str(o, "url", tc->url);
    fs_json__add_str(o, "model", tc->model);
    cJSON_AddNumberToObject(o, "records", (double)t.n_rec);
    st = clean_json(o, &t, err);
    cJSON *rob = cJSON_AddArrayToObject(o, "robustness");
    for (size_t i = 0; st == FS_OK && i < cfg->n_perturbations; i++) {
        st = one_perturbation(rob, &t, i, &p, err);
    }
    if (st == FS_OK) {
        worst_case_json(o, &t);
        fs_audit__num(o, "error_rate", error_rate(&t), "no variant was stored");
        cJSON_AddItemToObject(o, "usage", fs_audit__usage_json(&t.lat));
        clean = fs_calloc(t.n_rec + 1, sizeof *clean);
        st = clean ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        for (size_t r = 0; r < t.n_rec; r++) {
            clean[r] = t.cells[r * t.n_cols];
        }
        fs_audit__view v = { cfg, t.n_rec, t.gold, clean, t.group, limit };
        st = fs_audit__fairness_json(o, &v, store, tc->name, err);
    }
    if (st == FS_OK && cfg->identify) {
        st = fs_audit__identification_json(o, cfg, store, tc->name, limit, err);
    }
    if (st == FS_OK && cfg->redact) {
        st = fs_audit__redact_examples(o, cfg, err);
    }
    if (st == FS_OK) {
        fs_audit__gates_json(gates, cfg, tc->name, o, failed);
    }
done:
    fs_free(clean);
    picks_dispose(&p);
    table_dispose(&t);
    return st;
}

static cJSON *lexicons_json(const fs_audit__prov *prov)
{
    cJSON *lex = cJSON_CreateArray();
    for (size_t i = 0; lex != NULL && i < prov->n_lexicons; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(lex, e);
        fs_json__add_str(e, "path", prov->lexicon_paths[i]);
        fs_json__add_str(e, "sha256", prov->lexicon_hashes[i]);
    }
    return lex;
}

static cJSON *prov_json(const fs_config *cfg, const fs_audit__prov *prov)
{
    cJSON *p = cJSON_CreateObject();
    fs_json__add_str(p, "config_path", cfg->path);
    fs_json__add_str(p, "config_hash", cfg->hash);
    fs_json__add_str(p, "dataset_path", cfg->dataset_path);
    fs_json__add_str(p, "dataset_hash", prov->dataset_hash);
    cJSON_AddItemToObject(p, "lexicons", lexicons_json(prov));
    cJSON_AddNumberToObject(p, "seed", (double)cfg->seed);
    fs_json__add_str(p, "started", prov->started);
    fs_json__add_str(p, "finished", prov->finished);
    fs_json__add_str(p, "host", prov->host);
    cJSON_AddNumberToObject(p, "records", (double)prov->records);
    cJSON_AddNumberToObject(p, "requests_sent", (double)prov->requests_sent);
    cJSON_AddNumberToObject(p, "cache_hits", (double)prov->cache_hits);
    cJSON_AddNumberToObject(p, "send_seconds", prov->send_seconds);
    fs_audit__num(p, "requests_per_second",
                  prov->requests_sent > 0 && prov->send_seconds > 0
                      ? (double)prov->requests_sent / prov->send_seconds
                      : NAN,
                  "no request was sent by the run that wrote the store");
    return p;
}

static cJSON *task_json(const fs_config *cfg)
{
    cJSON *t = cJSON_CreateObject();
    fs_json__add_str(t, "type", fs_task_name(cfg->task));
    cJSON_AddItemToObject(
        t, "labels", cJSON_CreateStringArray((const char *const *)cfg->labels, (int)cfg->n_labels));
    fs_json__add_str(t, "prompt", cfg->prompt);
    cJSON *perts = cJSON_AddArrayToObject(t, "perturbations");
    for (size_t i = 0; perts != NULL && i < cfg->n_perturbations; i++) {
        const fs_config_perturbation *cp = &cfg->perturbations[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(perts, e);
        fs_json__add_str(e, "perturbation", cp->label);
        fs_json__add_str(e, "name", cp->name);
        cJSON *params = cJSON_AddObjectToObject(e, "params");
        for (size_t k = 0; params != NULL && k < cp->params.count; k++) {
            fs_json__add_str(params, cp->params.keys[k], cp->params.values[k]);
        }
    }
    return t;
}

static cJSON *method_json(const fs_config *cfg)
{
    bool cls = cfg->task == FS_TASK_CLASSIFICATION;
    bool ppl = cfg->task == FS_TASK_LANGUAGE_MODELING;
    cJSON *m = cJSON_CreateObject();
    fs_json__add_str(m, "ci",
                     cls ? "95% paired percentile bootstrap over records"
                         : "95% paired percentile bootstrap over records; corpus "
                           "metrics (BLEU, chrF, ROUGE, perplexity) are recomputed "
                           "on every resample, not averaged per item");
    cJSON_AddNumberToObject(m, "bootstrap_resamples", (double)cfg->bootstrap);
    fs_json__add_str(m, "paired_test",
                     cls ? "exact McNemar test on per-record correctness"
                         : "sign-flip permutation test on per-record changes of the item score");
    fs_json__add_str(m, "rate_ci", "Wilson score interval");
    fs_json__add_str(m, "parse_failures",
                     cls ? "an answer with no allowed label counts as wrong"
                     : cfg->task == FS_TASK_IDENTIFICATION
                         ? "an answer with no list of items counts as listing nothing"
                         : "free-text answers are scored as they are; none is a parse failure");
    fs_json__add_str(m, "errors",
                     "requests that got no answer are left out of the metrics and "
                     "counted under errors");
    fs_json__add_str(m, "multiple_comparisons",
                     "robustness p-values are per perturbation, unadjusted; fairness p-values "
                     "of the whole run are adjusted with Holm-Bonferroni");
    fs_json__add_str(m, "drop_rate",
                     ppl ? "perturbed / clean perplexity - 1 (perplexity: lower is better)"
                         : "1 - perturbed / clean main metric");
    fs_json__add_str(m, "flip_rate",
                     cls ? "share of records whose predicted label changed"
                         : "share of paired answers whose text changed after the task's "
                           "normalisation");
    return m;
}

fs_status fs_audit__build_report(char **json_out, const fs_config *cfg, fs_store *store,
                                 const fs_audit__prov *prov, uint64_t records_limit,
                                 bool *gates_passed, size_t *gates_failed, fs_error *err)
{
    fs_status st = FS_OK;
    size_t failed = 0;
    *json_out = NULL;
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_json__add_str(root, "schema", "fairshake.report/1");
    cJSON *tool = cJSON_AddObjectToObject(root, "tool");
    fs_json__add_str(tool, "name", "fairshake");
    fs_json__add_str(tool, "version", fs_version());
    fs_json__add_str(root, "name", cfg->name);
    cJSON_AddItemToObject(root, "provenance", prov_json(cfg, prov));
    cJSON_AddItemToObject(root, "task", task_json(cfg));
    cJSON *verdict = cJSON_AddObjectToObject(root, "verdict");
    cJSON *targets = cJSON_AddArrayToObject(root, "targets");
    cJSON *gates = cJSON_AddArrayToObject(root, "gates");
    for (size_t i = 0; st == FS_OK && i < cfg->n_targets; i++) {
        st = target_json(targets, gates, cfg, i, store, records_limit, &failed, err);
    }
    if (st == FS_OK) {
        st = fs_audit__fairness_holm(root, err);
    }
    cJSON_AddItemToObject(root, "methodology", method_json(cfg));
    bool complete = prov->stopped[0] == '\0';
    cJSON_AddBoolToObject(root, "complete", complete);
    if (!complete) {
        fs_json__add_str(root, "stopped", prov->stopped);
    }
    cJSON_AddBoolToObject(verdict, "passed", failed == 0 && complete);
    cJSON_AddNumberToObject(verdict, "gates", (double)cJSON_GetArraySize(gates));
    cJSON_AddNumberToObject(verdict, "gates_failed", (double)failed);
    if (st == FS_OK) {
        char *text = fs_json__print(root, true);
        *json_out = text ? fs_strdup(text) : NULL;
        fs_json__free(text);
        st = *json_out ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(root);
    *gates_passed = failed == 0 && prov->stopped[0] == '\0';
    *gates_failed = failed;
    return st;
}

fs_status fs_audit__prov_save(fs_store *store, const fs_audit__prov *prov, fs_error *err)
{
    cJSON *p = cJSON_CreateObject();
    fs_json__add_str(p, "dataset_hash", prov->dataset_hash);
    fs_json__add_str(p, "started", prov->started);
    fs_json__add_str(p, "finished", prov->finished);
    fs_json__add_str(p, "host", prov->host);
    cJSON_AddNumberToObject(p, "records", (double)prov->records);
    cJSON_AddNumberToObject(p, "requests_sent", (double)prov->requests_sent);
    cJSON_AddNumberToObject(p, "cache_hits", (double)prov->cache_hits);
    cJSON_AddNumberToObject(p, "send_seconds", prov->send_seconds);
    cJSON_AddItemToObject(p, "lexicons", lexicons_json(prov));
    fs_json__add_str(p, "stopped", prov->stopped);
    char *text = fs_json__print(p, false);
    cJSON_Delete(p);
    if (text == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_status st = fs_store_meta_set(store, "provenance", text, err);
    fs_json__free(text);
    return st;
}

static void copy_field(char *dst, size_t cap, const cJSON *obj, const char *key)
{
    const char *v = fs_json__str(obj, key);
    snprintf(dst, cap, "%s", v ? v : "");
}

fs_status fs_audit__prov_load(fs_audit__prov *prov, fs_store *store, fs_error *err)
{
    char *text = NULL;
    cJSON *p = NULL;
    memset(prov, 0, sizeof *prov);
    fs_status st = fs_store_meta_get(store, "provenance", &text, err);
    if (st == FS_OK && text == NULL) {
        return FS_FAIL(err, FS_ERR_STORE,
                       "the run store has no provenance: the run did not "
                       "finish; run it again to resume");
    }
    if (st == FS_OK) {
        st = fs_json__parse(&p, text, strlen(text), "provenance", err);
    }
    if (st != FS_OK) {
        fs_free(text);
        return st;
    }
    copy_field(prov->dataset_hash, sizeof prov->dataset_hash, p, "dataset_hash");
    copy_field(prov->started, sizeof prov->started, p, "started");
    copy_field(prov->finished, sizeof prov->finished, p, "finished");
    copy_field(prov->host, sizeof prov->host, p, "host");
    copy_field(prov->stopped, sizeof prov->stopped, p, "stopped");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "records");
    prov->records = cJSON_IsNumber(v) ? (uint64_t)v->valuedouble : 0;
    v = cJSON_GetObjectItemCaseSensitive(p, "requests_sent");
    prov->requests_sent = cJSON_IsNumber(v) ? (uint64_t)v->valuedouble : 0;
    v = cJSON_GetObjectItemCaseSensitive(p, "cache_hits");
    prov->cache_hits = cJSON_IsNumber(v) ? (uint64_t)v->valuedouble : 0;
    v = cJSON_GetObjectItemCaseSensitive(p, "send_seconds");
    prov->send_seconds = cJSON_IsNumber(v) ? v->valuedouble : 0;
    const cJSON *lex = cJSON_GetObjectItemCaseSensitive(p, "lexicons");
    size_t n = (size_t)cJSON_GetArraySize(lex);
    prov->lexicon_paths = fs_calloc(n + 1, sizeof(char *));
    prov->lexicon_hashes = fs_calloc(n + 1, sizeof *prov->lexicon_hashes);
    if (prov->lexicon_paths == NULL || prov->lexicon_hashes == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *e = lex ? lex->child : NULL; st == FS_OK && e != NULL; e = e->next) {
        copy_field(prov->lexicon_hashes[prov->n_lexicons], 65, e, "sha256");
        const char *path = fs_json__str(e, "path");
        prov->lexicon_paths[prov->n_lexicons] = fs_strdup(path ? path : "");
        st = prov->lexicon_paths[prov->n_lexicons++] ? FS_OK
                                                     : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(p);
    fs_free(text);
    return st;
}
