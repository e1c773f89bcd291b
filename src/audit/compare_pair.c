/* Pairing for run comparison: the variants of two runs' stores, matched on (record id,
 * perturbation name). Two runs of the same config and seed over the same dataset make
 * identical variants, so the comparison can be paired (the same inputs sent to a
 * baseline and a candidate model): McNemar's exact test on per-variant correctness and a
 * bootstrap interval over records. When a matched variant's text differs (another seed,
 * other parameters or lexicons), the samples are not the same inputs and only an
 * unpaired comparison is honest. Rows are sorted by (condition, key) with strcmp, so the
 * result does not depend on store order. */
#include <stdlib.h>
#include <string.h>

#include "audit/extra_internal.h"
#include "fairshake/stats.h"

fs_status fs_audit__cmp_rows_add(fs_audit__cmp_rows *rows, const char *cond, const char *record_id,
                                 const char *pert, uint64_t text_hash, int correct, fs_error *err)
{
    if (rows->n == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 256, bytes;
        fs_audit__cmp_row *v = NULL;
        if (fs_size_mul(&bytes, cap, sizeof *v)) {
            v = fs_realloc(rows->v, bytes);
        }
        if (v == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        rows->v = v;
        rows->cap = cap;
    }
    fs_buf key;
    fs_buf_init(&key, 0);
    fs_buf_printf(&key, "%s\x1f%s", record_id, pert);
    fs_audit__cmp_row *r = &rows->v[rows->n];
    r->cond = fs_strdup(cond);
    r->key = fs_buf_take(&key, NULL);
    r->rec_len = strlen(record_id);
    r->text_hash = text_hash;
    r->correct = correct;
    if (r->cond == NULL || r->key == NULL) {
        fs_free(r->cond);
        fs_free(r->key);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    rows->n++;
    return FS_OK;
}

static int row_cmp(const void *x, const void *y)
{
    const fs_audit__cmp_row *a = x, *b = y;
    int c = strcmp(a->cond, b->cond);
    return c != 0 ? c : strcmp(a->key, b->key);
}

void fs_audit__cmp_rows_sort(fs_audit__cmp_rows *rows)
{
    if (rows->n > 1) {
        qsort(rows->v, rows->n, sizeof *rows->v, row_cmp);
    }
}

void fs_audit__cmp_rows_dispose(fs_audit__cmp_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        fs_free(rows->v[i].cond);
        fs_free(rows->v[i].key);
    }
    fs_free(rows->v);
    memset(rows, 0, sizeof *rows);
}

typedef struct load_ctx {
    fs_audit__cmp_rows *rows;
    const char *const *labels;
    size_t n_labels;
    fs_error *err;
} load_ctx;

static fs_status on_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    load_ctx *c = payload;
    bool gold = false;
    for (size_t i = 0; v->label != NULL && i < c->n_labels; i++) {
        gold = gold || strcmp(c->labels[i], v->label) == 0;
    }
    int correct = -1;
    if (gold && o != NULL && o->status == FS_OK) {
        correct = o->prediction != NULL && strcmp(o->prediction, v->label) == 0;
    }
    const char *hash = strchr(v->perturbation, '#');
    size_t len = hash ? (size_t)(hash - v->perturbation) : strlen(v->perturbation);
    char *cond = fs_strndup(v->perturbation, len);
    if (cond == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    fs_status st = fs_audit__cmp_rows_add(c->rows, cond, v->record_id, v->perturbation,
                                          fs_hash_u64(v->text, strlen(v->text)), correct, c->err);
    fs_free(cond);
    return st;
}

fs_status fs_audit__cmp_rows_load(fs_audit__cmp_rows *out, fs_store *store, const char *target,
                                  const char *const *labels, size_t n_labels, fs_error *err)
{
    memset(out, 0, sizeof *out);
    load_ctx c = { out, labels, n_labels, err };
    fs_status st = fs_store_each(store, target, on_row, &c, err);
    if (st != FS_OK) {
        fs_audit__cmp_rows_dispose(out);
        return st;
    }
    fs_audit__cmp_rows_sort(out);
    return FS_OK;
}

void fs_audit__cmp_pair_dispose(fs_audit__cmp_pairing *p)
{
    fs_free(p->ca);
    fs_free(p->cb);
    fs_free(p->starts);
    memset(p, 0, sizeof *p);
}

/* The slice [*lo, *hi) of rows whose condition is cond. */
static void slice(const fs_audit__cmp_rows *rows, const char *cond, size_t *lo, size_t *hi)
{
    size_t i = 0;
    while (i < rows->n && strcmp(rows->v[i].cond, cond) != 0) {
        i++;
    }
    *lo = i;
    while (i < rows->n && strcmp(rows->v[i].cond, cond) == 0) {
        i++;
    }
    *hi = i;
}

static void count_scored(const fs_audit__cmp_rows *r, size_t lo, size_t hi, size_t *n, size_t *k)
{
    for (size_t i = lo; i < hi; i++) {
        *n += r->v[i].correct >= 0;
        *k += r->v[i].correct == 1;
    }
}

/* Record one pair; a new record starts when its id differs from the previous pair's. */
static void add_pair(fs_audit__cmp_pairing *p, const fs_audit__cmp_row *x,
                     const fs_audit__cmp_row *y, const fs_audit__cmp_row **prev)
{
    if (*prev == NULL || (*prev)->rec_len != x->rec_len ||
        memcmp((*prev)->key, x->key, x->rec_len) != 0) {
        p->starts[p->n_records++] = p->pairs;
    }
    *prev = x;
    p->ca[p->pairs] = (unsigned char)x->correct;
    p->cb[p->pairs] = (unsigned char)y->correct;
    p->both += x->correct && y->correct;
    p->a_only += x->correct && !y->correct;
    p->b_only += !x->correct && y->correct;
    p->neither += !x->correct && !y->correct;
    p->pairs++;
}

fs_status fs_audit__cmp_pair(fs_audit__cmp_pairing *out, const fs_audit__cmp_rows *a,
                             const fs_audit__cmp_rows *b, const char *cond, fs_error *err)
{
    size_t alo, ahi, blo, bhi;
    memset(out, 0, sizeof *out);
    slice(a, cond, &alo, &ahi);
    slice(b, cond, &blo, &bhi);
    count_scored(a, alo, ahi, &out->n_a, &out->k_a);
    count_scored(b, blo, bhi, &out->n_b, &out->k_b);
    size_t most = ahi - alo < bhi - blo ? ahi - alo : bhi - blo;
    out->ca = fs_calloc(most + 1, 1);
    out->cb = fs_calloc(most + 1, 1);
    out->starts = fs_calloc(most + 2, sizeof *out->starts);
    if (out->ca == NULL || out->cb == NULL || out->starts == NULL) {
        fs_audit__cmp_pair_dispose(out);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    const fs_audit__cmp_row *prev = NULL;
    for (size_t i = alo, j = blo; i < ahi && j < bhi;) {
        int c = strcmp(a->v[i].key, b->v[j].key);
        if (c != 0) {
            i += c < 0;
            j += c > 0;
            continue;
        }
        const fs_audit__cmp_row *x = &a->v[i++], *y = &b->v[j++];
        out->matched++;
        if (x->text_hash != y->text_hash) {
            out->differ++;
        } else if (x->correct >= 0 && y->correct >= 0) {
            add_pair(out, x, y, &prev);
        }
    }
    out->starts[out->n_records] = out->pairs;
    out->paired = out->pairs > 0 && out->differ == 0;
    return FS_OK;
}

/* Bootstrap metric: accuracy of run a (which 0) or b (which 1) over resampled records. */
static double resample_accuracy(const size_t *idx, size_t n, int which, void *payload)
{
    const fs_audit__cmp_pairing *p = payload;
    const unsigned char *c = which == 0 ? p->ca : p->cb;
    size_t right = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = p->starts[idx[i]]; k < p->starts[idx[i] + 1]; k++) {
            right += c[k];
            total++;
        }
    }
    return total ? (double)right / (double)total : 0.0;
}

fs_status fs_audit__cmp_pair_ci(double *lo, double *hi, const fs_audit__cmp_pairing *p,
                                size_t resamples, uint64_t seed, fs_error *err)
{
    return fs_stats_paired_bootstrap(lo, hi, p->n_records, resamples ? resamples : 1000, 0.95, seed,
                                     resample_accuracy, (void *)p, err);
}
