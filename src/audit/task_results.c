/* Scoring for the tasks answered in free text: qa, summarization, translation,
 * language-modeling and generation (classification has its own path in results.c).
 *
 * Every answer becomes a vector of sufficient statistics at load time (SQuAD exact match
 * and F1; ROUGE F-measures; BLEU n-gram counts and chrF character statistics;
 * log-probability sums), so a corpus metric is the aggregate of summed statistics and a
 * bootstrap resample re-aggregates the resampled records' statistics: corpus BLEU is
 * recomputed per resample, never averaged per sentence. Each answer also gets an
 * item-level score (F1, ROUGE-L F, sentence chrF, mean log-probability) for the worst
 * case and the paired test, and a hash of its normalised text for flip rates. Generation
 * has no reference: it keeps the answers and measures how far perturbed answers drift
 * from the clean ones (1 - ROUGE-L F over words). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "fairshake/identify.h"
#include "fairshake/score.h"
#include "fairshake/stats.h"

enum { ST_MISSING = 0, ST_ERROR = 1, ST_OK = 2 };
enum { MAX_STATS = 10 + 3 * 6 };
#define MAX_CAUSES 8

typedef struct metric {
    const char *name;
    bool lower_better;
} metric;

static const metric qa_metrics[] = { { "exact_match", false }, { "f1", false } };
static const metric sum_metrics[] = {
    { "rouge1", false }, { "rouge2", false }, { "rougeL", false }, { "rougeLsum", false }
};
static const metric mt_metrics[] = { { "bleu", false }, { "chrf", false } };
static const metric lm_metrics[] = { { "perplexity", true } };
/* identification: micro-averaged over categories, an item matching when its category
 * matches (spans move under perturbations, so only this mode compares conditions) */
static const metric id_metrics[] = { { "recall", false }, { "precision", false }, { "f1", false } };

typedef struct tcol {
    uint64_t variants, unchanged, errors;
    char *causes[MAX_CAUSES];
    uint64_t cause_counts[MAX_CAUSES];
} tcol;

typedef struct ttable {
    const fs_config *cfg;
    uint64_t limit;
    const metric *metrics;
    size_t n_metrics, main; /* main: index of the headline metric */
    size_t n_stats;
    size_t n_cols, *base;
    size_t n_rec, cap;
    double *stats;  /* n_rec * n_cols * n_stats */
    double *item;   /* n_rec * n_cols: item-level score, higher is better; NaN: none */
    uint64_t *hash; /* n_rec * n_cols: normalised answer */
    unsigned char *state;
    char **answers; /* generation only: n_rec * n_cols */
    char **group;   /* n_rec: the record's group (dataset.fields.group), or NULL */
    tcol *cols;
    fs_audit__lat lat;
    fs_squad_scorer *squad;
    fs_identify_detector *ident;
    fs_rouge_scorer *rouge;
    fs_bleu_scorer *bleu;
    fs_chrf_scorer *chrf;
    fs_bleu_opts bleu_opts;
    fs_chrf_opts chrf_opts;
    fs_buf scratch;
    fs_audit__tcf *tcf; /* counterfactual pairs (demographics.axes); NULL without axes */
    fs_error *err;
} ttable;

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    }
    return h | 1; /* 0 means "no answer" */
}

static size_t cell(const ttable *t, size_t r, size_t c)
{
    return r * t->n_cols + c;
}

static bool grow_rows(ttable *t, size_t need)
{
    if (need <= t->cap) {
        return true;
    }
    size_t cap = t->cap ? t->cap : 256, cells, stats;
    while (cap < need) {
        cap *= 2;
    }
    if (!fs_size_mul(&cells, cap, t->n_cols) ||
        !fs_size_mul(&stats, cells, t->n_stats ? t->n_stats : 1)) {
        return false;
    }
    double *st = fs_realloc(t->stats, stats * sizeof(double));
    double *it = st ? fs_realloc(t->item, cells * sizeof(double)) : NULL;
    if (st) {
        t->stats = st;
    }
    if (it) {
        t->item = it;
    }
    uint64_t *h = it ? fs_realloc(t->hash, cells * sizeof(uint64_t)) : NULL;
    if (h) {
        t->hash = h;
    }
    unsigned char *s = h ? fs_realloc(t->state, cells) : NULL;
    if (s) {
        t->state = s;
    }
    char **a = (s && t->cfg->task == FS_TASK_GENERATION)
                   ? fs_realloc(t->answers, cells * sizeof(char *))
                   : NULL;
    if (a) {
        t->answers = a;
    }
    if (!s || (t->cfg->task == FS_TASK_GENERATION && !a)) {
        return false;
    }
    char **g = fs_realloc(t->group, cap * sizeof(char *));
    if (g == NULL) {
        return false;
    }
    t->group = g;
    for (size_t r = t->cap; r < cap; r++) {
        t->group[r] = NULL;
    }
    for (size_t i = t->cap * t->n_cols; i < cells; i++) {
        t->item[i] = NAN;
        t->hash[i] = 0;
        t->state[i] = ST_MISSING;
        if (t->answers) {
            t->answers[i] = NULL;
        }
        memset(t->stats + i * t->n_stats, 0, t->n_stats * sizeof(double));
    }
    t->cap = cap;
    return true;
}

/* References of a variant: its stored gold, a JSON array of strings. */
typedef struct refs {
    cJSON *doc;
    const char *v[64];
    size_t len[64];
    size_t n;
} refs;

static fs_status parse_refs(refs *r, const char *gold, fs_error *err)
{
    memset(r, 0, sizeof *r);
    if (gold == NULL) {
        return FS_OK;
    }
    fs_status st = fs_json__parse(&r->doc, gold, strlen(gold), "references", err);
    for (const cJSON *e = r->doc ? r->doc->child : NULL; st == FS_OK && e != NULL && r->n < 64;
         e = e->next) {
        if (cJSON_IsString(e)) {
            r->v[r->n] = e->valuestring;
            r->len[r->n++] = strlen(e->valuestring);
        }
    }
    return st;
}

/* qa: [exact_match, f1]; an unanswerable question is answered right by an empty answer */
static fs_status stats_qa(ttable *t, const refs *r, const char *a, size_t n, double *s,
                          double *item, uint64_t *hash)
{
    fs_squad_item it = { 0, 0 };
    fs_buf_reset(&t->scratch);
    fs_status st = fs_squad_normalize(t->squad, &t->scratch, a, n, t->err);
    if (st == FS_OK && r->n > 0) {
        st = fs_squad_scorer_score(t->squad, &it, a, n, r->v, r->len, r->n, t->err);
    } else if (st == FS_OK) {
        it.exact_match = it.f1 = t->scratch.len == 0 ? 1.0 : 0.0;
    }
    s[0] = it.exact_match;
    s[1] = it.f1;
    *item = it.f1;
    *hash = fnv(fs_buf_cstr(&t->scratch), t->scratch.len);
    return st;
}

/* summarization: [rouge1, rouge2, rougeL, rougeLsum] F-measures */
static fs_status stats_sum(ttable *t, const refs *r, const char *a, size_t n, double *s,
                           double *item)
{
    fs_rouge_item it;
    fs_status st = fs_rouge_scorer_score(t->rouge, &it, a, n, r->v, r->len, r->n, t->err);
    for (int k = 0; st == FS_OK && k < 4; k++) {
        s[k] = it.type[k].fmeasure;
    }
    *item = st == FS_OK ? it.type[FS_ROUGE_L].fmeasure : NAN;
    return st;
}

/* translation: BLEU counts[4], totals[4], sys_len, ref_len, then chrF's triples */
static fs_status stats_mt(ttable *t, const refs *r, const char *a, size_t n, double *s,
                          double *item)
{
    fs_bleu_stats b;
    fs_chrf_stats c;
    fs_status st = fs_bleu_scorer_stats(t->bleu, &b, a, n, r->v, r->len, r->n, t->err);
    if (st == FS_OK) {
        st = fs_chrf_scorer_stats(t->chrf, &c, a, n, r->v, r->len, r->n, t->err);
    }
    if (st != FS_OK) {
        return st;
    }
    for (int k = 0; k < 4; k++) {
        s[k] = (double)b.counts[k];
        s[4 + k] = (double)b.totals[k];
    }
    s[8] = (double)b.sys_len;
    s[9] = (double)b.ref_len;
    for (size_t k = 0; k < t->n_stats - 10; k++) {
        s[10 + k] = (double)c.v[k];
    }
    double chrf = NAN;
    st = fs_chrf_score(&chrf, &c, &t->chrf_opts, t->err);
    *item = chrf / 100.0;
    return st;
}

/* language-modeling: the answer is the JSON array of token log-probabilities:
 * [sum, tokens]; the item score is the mean log-probability (higher is better) */
static fs_status stats_lm(ttable *t, const char *a, size_t n, double *s, double *item)
{
    cJSON *doc = NULL;
    fs_status st = fs_json__parse(&doc, a, n, "logprobs", t->err);
    double sum = 0;
    size_t k = 0;
    for (const cJSON *e = doc ? doc->child : NULL; st == FS_OK && e != NULL; e = e->next) {
        if (cJSON_IsNumber(e)) {
            sum += e->valuedouble;
            k++;
        }
    }
    cJSON_Delete(doc);
    s[0] = sum;
    s[1] = (double)k;
    *item = k ? sum / (double)k : NAN;
    return st;
}

/* The annotations stored as a variant's gold: [{"category", "start", "end"}, ...]. */
static fs_status gold_spans(fs_identify_span **out, size_t *n_out, const char *gold, cJSON **doc,
                            fs_error *err)
{
    *out = NULL;
    *n_out = 0;
    fs_status st = gold ? fs_json__parse(doc, gold, strlen(gold), "annotations", err) : FS_OK;
    size_t n = *doc ? (size_t)cJSON_GetArraySize(*doc) : 0;
    *out = st == FS_OK ? fs_calloc(n + 1, sizeof **out) : NULL;
    if (st == FS_OK && *out == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *e = *doc ? (*doc)->child : NULL; st == FS_OK && e; e = e->next) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "start");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(e, "end");
        const char *cat = fs_json__str(e, "category");
        if (cat == NULL || !cJSON_IsNumber(a) || !cJSON_IsNumber(b)) {
            return FS_FAIL(err, FS_ERR_INPUT, "an annotation needs category, start and end");
        }
        (*out)[*n_out].category = cat;
        (*out)[*n_out].start = (size_t)a->valuedouble;
        (*out)[*n_out].end = (size_t)b->valuedouble;
        (*n_out)++;
    }
    return st;
}

/* identification: [tp, fp, fn] matching by category, then by exact span */
static fs_status stats_ident(ttable *t, const char *gold, const char *input, const char *a,
                             size_t n, double *s, double *item)
{
    fs_identify_span *spans = NULL;
    size_t n_spans = 0;
    cJSON *doc = NULL;
    fs_identify_counts cnt;
    fs_identify_counts_init(&cnt);
    fs_status st = gold_spans(&spans, &n_spans, gold, &doc, t->err);
    if (st == FS_OK) {
        st = fs_identify_score_answer(&cnt, t->ident, input, strlen(input), spans, n_spans, a, n,
                                      t->err);
    }
    for (size_t c = 0; st == FS_OK && c < cnt.n_classes; c++) {
        s[0] += (double)cnt.classes[c].tp[FS_IDENTIFY_CATEGORY];
        s[1] += (double)cnt.classes[c].fp[FS_IDENTIFY_CATEGORY];
        s[2] += (double)cnt.classes[c].fn[FS_IDENTIFY_CATEGORY];
        s[3] += (double)cnt.classes[c].tp[FS_IDENTIFY_EXACT];
        s[4] += (double)cnt.classes[c].fp[FS_IDENTIFY_EXACT];
        s[5] += (double)cnt.classes[c].fn[FS_IDENTIFY_EXACT];
    }
    *item = s[0] + s[2] > 0 ? s[0] / (s[0] + s[2]) : NAN;
    fs_identify_counts_dispose(&cnt);
    fs_free(spans);
    cJSON_Delete(doc);
    return st;
}

/* The statistics s (n_stats), item score and answer hash of one answer. */
static fs_status item_values(ttable *t, double *s, double *item, uint64_t *hash, const char *gold,
                             const char *answer, const char *input)
{
    refs r;
    memset(&r, 0, sizeof r);
    size_t n = strlen(answer);
    *item = NAN;
    *hash = fnv(answer, n);
    fs_status st = t->cfg->task == FS_TASK_IDENTIFICATION ? FS_OK : parse_refs(&r, gold, t->err);
    switch (t->cfg->task) {
    case FS_TASK_IDENTIFICATION:
        memset(s, 0, t->n_stats * sizeof *s);
        st = stats_ident(t, gold, input, answer, n, s, item);
        break;
    case FS_TASK_QA:
        st = st == FS_OK ? stats_qa(t, &r, answer, n, s, item, hash) : st;
        break;
    case FS_TASK_SUMMARIZATION:
        st = st == FS_OK ? stats_sum(t, &r, answer, n, s, item) : st;
        break;
    case FS_TASK_TRANSLATION:
        st = st == FS_OK ? stats_mt(t, &r, answer, n, s, item) : st;
        break;
    case FS_TASK_LANGUAGE_MODELING:
        st = st == FS_OK ? stats_lm(t, answer, n, s, item) : st;
        break;
    default:
        break;
    }
    cJSON_Delete(r.doc);
    return st;
}

static fs_status item_stats(ttable *t, size_t at, const char *gold, const char *answer,
                            const char *input)
{
    fs_status st =
        item_values(t, t->stats + at * t->n_stats, &t->item[at], &t->hash[at], gold, answer, input);
    if (st == FS_OK && t->answers != NULL) {
        t->answers[at] = fs_strdup(answer);
        st = t->answers[at] ? FS_OK : FS_FAIL(t->err, FS_ERR_NOMEM, "out of memory");
    }
    return st;
}

/* A corpus metric of summed statistics over count items. */
static double aggregate(const ttable *t, const double *sum, size_t count, size_t m)
{
    if (count == 0) {
        return NAN;
    }
    switch (t->cfg->task) {
    case FS_TASK_QA:
    case FS_TASK_SUMMARIZATION:
        return sum[m] / (double)count;
    case FS_TASK_TRANSLATION: {
        if (m == 0) {
            fs_bleu_stats b;
            fs_bleu_result res;
            for (int k = 0; k < 4; k++) {
                b.counts[k] = (uint64_t)sum[k];
                b.totals[k] = (uint64_t)sum[4 + k];
            }
            b.sys_len = (uint64_t)sum[8];
            b.ref_len = (uint64_t)sum[9];
            return fs_bleu_score(&res, &b, &t->bleu_opts, NULL) == FS_OK ? res.score / 100.0 : NAN;
        }
        fs_chrf_stats c;
        double v = NAN;
        memset(&c, 0, sizeof c);
        for (size_t k = 0; k < t->n_stats - 10; k++) {
            c.v[k] = (uint64_t)sum[10 + k];
        }
        return fs_chrf_score(&v, &c, &t->chrf_opts, NULL) == FS_OK ? v / 100.0 : NAN;
    }
    case FS_TASK_LANGUAGE_MODELING:
        return sum[1] > 0 ? exp(-sum[0] / sum[1]) : NAN;
    case FS_TASK_IDENTIFICATION: {
        double tp = sum[0], fp = sum[1], fn = sum[2];
        double r = tp + fn > 0 ? tp / (tp + fn) : NAN, p = tp + fp > 0 ? tp / (tp + fp) : NAN;
        return m == 0 ? r : m == 1 ? p : (p + r > 0 ? 2 * p * r / (p + r) : (isnan(p) ? NAN : 0));
    }
    default:
        return NAN;
    }
}

static void note_cause(tcol *c, const char *msg)
{
    const char *m = (msg != NULL && msg[0] != '\0') ? msg : "unknown error";
    for (size_t i = 0; i < MAX_CAUSES; i++) {
        if (c->causes[i] == NULL) {
            c->causes[i] = fs_strdup(m);
            c->cause_counts[i] = c->causes[i] ? 1 : 0;
            return;
        }
        if (strcmp(c->causes[i], m) == 0) {
            c->cause_counts[i]++;
            return;
        }
    }
}

/* A counterfactual row ("cf:<axis>:<from>><to>"): scored like any answer, kept aside for
 * the fairness section (text_fairness.c). */
static fs_status on_cf_row(ttable *t, const fs_variant *v, const fs_outcome *o)
{
    double s[MAX_STATS + 1], item = NAN;
    uint64_t hash = 0;
    fs_status st = FS_OK;
    memset(s, 0, sizeof s);
    if (o != NULL && o->status == FS_OK && o->answer != NULL) {
        st = item_values(t, s, &item, &hash, v->label, o->answer, v->text);
    }
    if (st == FS_OK) {
        st = fs_audit__tcf_cf_row(t->tcf, v, o, item, hash, t->err);
    }
    if (st != FS_OK) {
        fs_error_prefix(t->err, "record %s, %s", v->record_id, v->perturbation);
    }
    return st;
}

static fs_status on_trow(const fs_variant *v, const fs_outcome *o, void *payload)
{
    ttable *t = payload;
    int col = fs_audit__column(t->cfg, t->base, v->perturbation);
    size_t r = (size_t)v->record_index;
    if (t->limit > 0 && r >= t->limit) {
        return FS_OK;
    }
    if (col < 0) {
        return t->tcf != NULL && strncmp(v->perturbation, "cf:", 3) == 0 ? on_cf_row(t, v, o)
                                                                         : FS_OK;
    }
    if (!grow_rows(t, r + 1)) {
        return FS_FAIL(t->err, FS_ERR_NOMEM, "out of memory");
    }
    t->n_rec = r + 1 > t->n_rec ? r + 1 : t->n_rec;
    if (col == 0 && v->group != NULL && t->group[r] == NULL) {
        t->group[r] = fs_strdup(v->group);
        if (t->group[r] == NULL) {
            return FS_FAIL(t->err, FS_ERR_NOMEM, "out of memory");
        }
    }
    tcol *c = &t->cols[col];
    size_t at = cell(t, r, (size_t)col);
    c->variants++;
    c->unchanged += col > 0 && !v->changed;
    if (o == NULL) {
        return FS_OK;
    }
    if (o->status != FS_OK || o->answer == NULL) {
        t->state[at] = ST_ERROR;
        c->errors++;
        note_cause(c, o->error);
        return FS_OK;
    }
    t->state[at] = ST_OK;
    if (!fs_audit__lat_push(&t->lat, o, (size_t)col)) {
        return FS_FAIL(t->err, FS_ERR_NOMEM, "out of memory");
    }
    fs_status st = item_stats(t, at, v->label, o->answer, v->text);
    if (st == FS_OK && col == 0) {
        st = fs_audit__tcf_clean_row(t->tcf, r, o->answer, t->item[at], t->hash[at], t->err);
    }
    if (st != FS_OK) {
        fs_error_prefix(t->err, "record %s, %s", v->record_id, v->perturbation);
    }
    return st;
}

static const metric *task_metrics(fs_task_type task, size_t *n, size_t *main)
{
    *main = 0;
    switch (task) {
    case FS_TASK_QA:
        *n = 2;
        *main = 1;
        return qa_metrics;
    case FS_TASK_SUMMARIZATION:
        *n = 4;
        *main = 2;
        return sum_metrics;
    case FS_TASK_TRANSLATION:
        *n = 2;
        return mt_metrics;
    case FS_TASK_LANGUAGE_MODELING:
        *n = 1;
        return lm_metrics;
    case FS_TASK_IDENTIFICATION:
        *n = 3;
        return id_metrics;
    default:
        *n = 0;
        return NULL;
    }
}

static fs_status ttable_open(ttable *t, const fs_config *cfg, uint64_t limit, fs_error *err)
{
    fs_bleu_opts bo = FS_BLEU_OPTS_INIT;
    fs_chrf_opts co = FS_CHRF_OPTS_INIT;
    memset(t, 0, sizeof *t);
    t->cfg = cfg;
    t->limit = limit;
    t->err = err;
    t->bleu_opts = bo;
    t->chrf_opts = co;
    fs_buf_init(&t->scratch, 0);
    t->metrics = task_metrics(cfg->task, &t->n_metrics, &t->main);
    t->n_stats = cfg->task == FS_TASK_QA                  ? 2
                 : cfg->task == FS_TASK_SUMMARIZATION     ? 4
                 : cfg->task == FS_TASK_TRANSLATION       ? 10 + 3 * (size_t)co.char_order
                 : cfg->task == FS_TASK_LANGUAGE_MODELING ? 2
                 : cfg->task == FS_TASK_IDENTIFICATION    ? 6
                                                          : 0;
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
    fs_status st = t->cols ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    if (st == FS_OK && cfg->task == FS_TASK_QA) {
        st = fs_squad_scorer_new(&t->squad, err);
    }
    if (st == FS_OK && cfg->task == FS_TASK_SUMMARIZATION) {
        fs_rouge_opts ro = FS_ROUGE_OPTS_INIT;
        st = fs_rouge_scorer_new(&t->rouge, &ro, err);
    }
    if (st == FS_OK && cfg->task == FS_TASK_TRANSLATION) {
        st = fs_bleu_scorer_new(&t->bleu, &t->bleu_opts, err);
    }
    if (st == FS_OK && cfg->task == FS_TASK_TRANSLATION) {
        st = fs_chrf_scorer_new(&t->chrf, &t->chrf_opts, err);
    }
    if (st == FS_OK && cfg->task == FS_TASK_IDENTIFICATION) {
        fs_identify_opts io = FS_IDENTIFY_OPTS_INIT;
        io.file = cfg->id_patterns;
        st = fs_identify_detector_new(&t->ident, fs_audit_data_dir(), &io, err);
    }
    if (st == FS_OK) {
        st = fs_audit__tcf_new(&t->tcf, cfg, err);
    }
    return st;
}

static void ttable_dispose(ttable *t)
{
    for (size_t c = 0; t->cols != NULL && c < t->n_cols; c++) {
        for (size_t i = 0; i < MAX_CAUSES; i++) {
            fs_free(t->cols[c].causes[i]);
        }
    }
    for (size_t i = 0; t->answers != NULL && i < t->cap * t->n_cols; i++) {
        fs_free(t->answers[i]);
    }
    fs_free(t->answers);
    for (size_t r = 0; t->group != NULL && r < t->cap; r++) {
        fs_free(t->group[r]);
    }
    fs_free(t->group);
    fs_free(t->cols);
    fs_free(t->base);
    fs_free(t->stats);
    fs_free(t->item);
    fs_free(t->hash);
    fs_free(t->state);
    fs_audit__lat_dispose(&t->lat);
    fs_squad_scorer_free(t->squad);
    fs_identify_detector_free(t->ident);
    fs_rouge_scorer_free(t->rouge);
    fs_bleu_scorer_free(t->bleu);
    fs_chrf_scorer_free(t->chrf);
    fs_audit__tcf_free(t->tcf);
    fs_buf_dispose(&t->scratch);
    memset(t, 0, sizeof *t);
}

/* ---- paired comparisons -------------------------------------------------------------- */

typedef struct tpairs {
    size_t *a, *b; /* cell of the clean answer, cell of the variant's */
    double *div;   /* generation: divergence of the pair */
    size_t n;
    size_t *start; /* per record with pairs: its first pair; [clusters] = n */
    size_t clusters;
    bool multi;
} tpairs;

static void tpairs_dispose(tpairs *p)
{
    fs_free(p->a);
    fs_free(p->b);
    fs_free(p->div);
    fs_free(p->start);
    memset(p, 0, sizeof *p);
}

static fs_status gather(tpairs *p, const ttable *t, size_t first, size_t k_n, fs_error *err)
{
    size_t cap;
    memset(p, 0, sizeof *p);
    if (!fs_size_mul(&cap, t->n_rec + 1, k_n)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p->a = fs_calloc(cap, sizeof *p->a);
    p->b = fs_calloc(cap, sizeof *p->b);
    p->div = fs_calloc(cap, sizeof *p->div);
    p->start = fs_calloc(t->n_rec + 2, sizeof *p->start);
    if (!p->a || !p->b || !p->div || !p->start) {
        tpairs_dispose(p);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t r = 0; r < t->n_rec; r++) {
        size_t before = p->n, ca = cell(t, r, 0);
        for (size_t k = 0; k < k_n && t->state[ca] == ST_OK; k++) {
            size_t cb = cell(t, r, first + k);
            if (t->state[cb] != ST_OK) {
                continue;
            }
            p->a[p->n] = ca;
            p->b[p->n] = cb;
            p->div[p->n] = NAN;
            if (t->answers != NULL) {
                fs_answer_divergence d;
                const char *x = t->answers[ca], *y = t->answers[cb];
                fs_status st = fs_score_answer_divergence(&d, x, strlen(x), y, strlen(y), err);
                if (st != FS_OK) {
                    tpairs_dispose(p);
                    return st;
                }
                p->div[p->n] = d.divergence;
            }
            p->n++;
        }
        if (p->n > before) {
            p->multi = p->multi || p->n - before > 1;
            p->start[p->clusters++] = before;
        }
    }
    p->start[p->clusters] = p->n;
    return FS_OK;
}

typedef struct tboot {
    const ttable *t;
    const tpairs *p;
    int mode; /* 0: the main metric; 1: flip share; 2: mean divergence; 3: the main metric
                 of the b cells alone (its own interval) */
    double *sum;
} tboot;

static double boot_metric(const size_t *idx, size_t n, int which, void *payload)
{
    tboot *bt = payload;
    const ttable *t = bt->t;
    const tpairs *p = bt->p;
    double acc = 0, count = 0;
    if (bt->mode != 0 && which == 0) {
        return 0.0;
    }
    int m = bt->mode == 3 ? 0 : bt->mode;
    memset(bt->sum, 0, (t->n_stats + 1) * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        for (size_t j = p->start[idx[i]]; j < p->start[idx[i] + 1]; j++) {
            size_t at = which == 0 ? p->a[j] : p->b[j];
            if (m == 0) {
                for (size_t k = 0; k < t->n_stats; k++) {
                    bt->sum[k] += t->stats[at * t->n_stats + k];
                }
            } else if (m == 1) {
                acc += t->hash[p->a[j]] != t->hash[p->b[j]];
            } else if (isfinite(p->div[j])) {
                acc += p->div[j];
            } else {
                continue;
            }
            count++;
        }
    }
    if (m == 0) {
        double v = aggregate(t, bt->sum, (size_t)count, t->main);
        return bt->mode == 0 && t->metrics[t->main].lower_better ? -v : v;
    }
    return count > 0 ? acc / count : NAN;
}

static void boot_ci(double ci[2], const ttable *t, const tpairs *p, int mode, uint64_t seed,
                    fs_error *err)
{
    double *sum = fs_calloc(t->n_stats + 1, sizeof *sum);
    tboot bt = { t, p, mode, sum };
    ci[0] = ci[1] = NAN;
    if (sum != NULL && p->clusters > 0 &&
        fs_stats_paired_bootstrap(&ci[0], &ci[1], p->clusters, t->cfg->bootstrap, 0.95, seed,
                                  boot_metric, &bt, err) == FS_OK &&
        mode == 0 && t->metrics[t->main].lower_better) {
        double lo = -ci[1], hi = -ci[0]; /* the metric was negated: lower is better */
        ci[0] = lo;
        ci[1] = hi;
    }
    fs_free(sum);
}

/* Corpus values of every metric over the a (which 0) or b (which 1) cells of the pairs. */
static void corpus(double *out, const ttable *t, const tpairs *p, int which)
{
    double sum[MAX_STATS + 1];
    memset(sum, 0, sizeof sum);
    for (size_t j = 0; j < p->n; j++) {
        size_t at = which == 0 ? p->a[j] : p->b[j];
        for (size_t k = 0; k < t->n_stats; k++) {
            sum[k] += t->stats[at * t->n_stats + k];
        }
    }
    for (size_t m = 0; m < t->n_metrics; m++) {
        out[m] = aggregate(t, sum, p->n, m);
    }
}

/* Sign-flip test on each record's mean change of the item score. */
static double paired_test(const ttable *t, const tpairs *p, uint64_t seed)
{
    double *d = fs_calloc(p->clusters + 1, sizeof *d);
    size_t m = 0;
    for (size_t c = 0; d != NULL && c < p->clusters; c++) {
        double s = 0;
        size_t k = 0;
        for (size_t j = p->start[c]; j < p->start[c + 1]; j++) {
            double x = t->item[p->b[j]] - t->item[p->a[j]];
            if (isfinite(x)) {
                s += x;
                k++;
            }
        }
        if (k > 0) {
            d[m++] = s / (double)k;
        }
    }
    double pv = d != NULL && m > 0 ? fs_stats_sign_flip(d, m, 10000, seed) : NAN;
    fs_free(d);
    return pv;
}

/* ---- report.json --------------------------------------------------------------------- */

static uint64_t stream(const fs_config *cfg, const char *name)
{
    return cfg->seed ^ fs_hash_u64(name, strlen(name));
}

static cJSON *metrics_json(const ttable *t, const double *v, const char *why)
{
    cJSON *m = cJSON_CreateObject();
    for (size_t i = 0; i < t->n_metrics; i++) {
        fs_audit__num(m, t->metrics[i].name, v[i], why);
    }
    return m;
}

static cJSON *causes_json(const ttable *t, size_t first, size_t k_n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t col = first; col < first + k_n; col++) {
        for (size_t i = 0; i < MAX_CAUSES && t->cols[col].causes[i] != NULL; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, e);
            fs_json__add_str(e, "message", t->cols[col].causes[i]);
            cJSON_AddNumberToObject(e, "count", (double)t->cols[col].cause_counts[i]);
        }
    }
    return arr;
}

static uint64_t count_state(const ttable *t, size_t first, size_t k_n, int state)
{
    uint64_t n = 0;
    for (size_t r = 0; r < t->n_rec; r++) {
        for (size_t k = 0; k < k_n; k++) {
            n += t->state[cell(t, r, first + k)] == state;
        }
    }
    return n;
}

static fs_status clean_json(cJSON *o, ttable *t, fs_error *err)
{
    tpairs p;
    double v[8] = { NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN }, ci[2];
    fs_status st = gather(&p, t, 0, 1, err);
    if (st != FS_OK) {
        return st;
    }
    corpus(v, t, &p, 0);
    cJSON *c = cJSON_AddObjectToObject(o, "clean");
    cJSON_AddNumberToObject(c, "n", (double)p.n);
    cJSON_AddNumberToObject(c, "errors", (double)t->cols[0].errors);
    cJSON_AddNumberToObject(c, "parse_failures", 0);
    cJSON_AddNumberToObject(c, "missing", (double)count_state(t, 0, 1, ST_MISSING));
    cJSON_AddItemToObject(c, "metrics", metrics_json(t, v, "no record has an answer"));
    if (t->n_metrics > 0) {
        fs_json__add_str(c, "main_metric", t->metrics[t->main].name);
        boot_ci(ci, t, &p, 3, stream(t->cfg, "clean"), err);
        cJSON_AddItemToObject(c, "main_metric_ci95", fs_audit__pair(ci[0], ci[1]));
    }
    cJSON_AddItemToObject(c, "latency_ms", fs_audit__lat_json(&t->lat, 0, t->n_cols, true));
    cJSON_AddItemToObject(c, "error_causes", causes_json(t, 0, 1));
    tpairs_dispose(&p);
    return FS_OK;
}

/* The pairs a perturbation hurt most (largest drop of the item score; for generation,
 * the largest divergence), at most cfg->examples, one per record. */
typedef struct tpick {
    size_t rec, col;
    double drop;
    char *id, *ct, *ca, *pt, *pa;
} tpick;

typedef struct tpicks {
    tpick *v;
    size_t n;
    const ttable *t;
} tpicks;

static void choose(tpicks *pk, const ttable *t, const tpairs *p)
{
    for (size_t j = 0; j < p->n; j++) {
        double drop = t->answers ? p->div[j] : t->item[p->a[j]] - t->item[p->b[j]];
        size_t rec = p->a[j] / t->n_cols, col = p->b[j] % t->n_cols;
        if (!isfinite(drop) || drop <= 0 || t->hash[p->a[j]] == t->hash[p->b[j]]) {
            continue;
        }
        size_t at = pk->n;
        for (size_t i = 0; i < pk->n; i++) {
            at = pk->v[i].rec == rec ? i : at;
        }
        if (at < pk->n && pk->v[at].drop >= drop) {
            continue;
        }
        if (at == pk->n) {
            if (pk->n < t->cfg->examples) {
                pk->n++;
            } else {
                at = 0;
                for (size_t i = 1; i < pk->n; i++) {
                    at = pk->v[i].drop < pk->v[at].drop ? i : at;
                }
                if (pk->v[at].drop >= drop) {
                    continue;
                }
            }
        }
        pk->v[at].rec = rec;
        pk->v[at].col = col;
        pk->v[at].drop = drop;
    }
}

static fs_status on_pick_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    tpicks *pk = payload;
    int col = fs_audit__column(pk->t->cfg, pk->t->base, v->perturbation);
    for (size_t i = 0; col >= 0 && i < pk->n; i++) {
        tpick *x = &pk->v[i];
        char **text = NULL, **ans = NULL;
        if (x->rec == (size_t)v->record_index && col == 0) {
            text = &x->ct;
            ans = &x->ca;
        } else if (x->rec == (size_t)v->record_index && (size_t)col == x->col) {
            text = &x->pt;
            ans = &x->pa;
        }
        if (text != NULL && *text == NULL) {
            *text = fs_strdup(v->text);
            *ans = o && o->answer ? fs_strdup(o->answer) : NULL;
            if (x->id == NULL) {
                x->id = fs_strdup(v->record_id);
            }
        }
    }
    return FS_OK;
}

static cJSON *picks_json(const tpicks *pk)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < pk->n; i++) {
        const tpick *x = &pk->v[i];
        cJSON *e = cJSON_CreateObject(), *c = cJSON_CreateObject(), *p = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        fs_json__add_str(e, "record_id", x->id);
        fs_json__add_str(e, "kind", pk->t->answers ? "diverged" : "worse");
        fs_audit__num(e, pk->t->answers ? "divergence" : "score_drop", x->drop, "undefined");
        bool lm = pk->t->cfg->task == FS_TASK_LANGUAGE_MODELING; /* answers: logprobs */
        fs_json__add_str(c, "input", x->ct);
        fs_json__add_str(p, "input", x->pt);
        if (!lm) {
            fs_json__add_str(c, "answer", x->ca);
            fs_json__add_str(p, "answer", x->pa);
        }
        cJSON_AddItemToObject(e, "clean", c);
        cJSON_AddItemToObject(e, "perturbed", p);
    }
    return arr;
}

static void picks_dispose(tpicks *pk)
{
    for (size_t i = 0; i < pk->n; i++) {
        fs_free(pk->v[i].id);
        fs_free(pk->v[i].ct);
        fs_free(pk->v[i].ca);
        fs_free(pk->v[i].pt);
        fs_free(pk->v[i].pa);
    }
    fs_free(pk->v);
}

static fs_status examples(cJSON *e, const ttable *t, const tpairs *p, fs_store *store,
                          const char *target, fs_error *err)
{
    tpicks pk = { fs_calloc(t->cfg->examples + 1, sizeof(tpick)), 0, t };
    if (pk.v == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    choose(&pk, t, p);
    fs_status st = pk.n ? fs_store_each(store, target, on_pick_row, &pk, err) : FS_OK;
    cJSON_AddItemToObject(e, "worst_examples", picks_json(&pk));
    picks_dispose(&pk);
    return st;
}

static fs_status one_perturbation(cJSON *arr, ttable *t, size_t i, fs_store *store,
                                  const char *target, fs_error *err)
{
    const fs_config_perturbation *cp = &t->cfg->perturbations[i];
    size_t first = t->base[i], k_n = cp->n;
    double cv[8], pv[8], ci[2], fci[2], dci[2];
    tpairs p;
    fs_status st = gather(&p, t, first, k_n, err);
    if (st != FS_OK) {
        return st;
    }
    uint64_t seed = stream(t->cfg, cp->label);
    const char *none = "no record has an answer both clean and perturbed";
    corpus(cv, t, &p, 0);
    corpus(pv, t, &p, 1);
    cJSON *e = cJSON_CreateObject(), *d = cJSON_CreateObject(), *c95 = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, e);
    fs_json__add_str(e, "perturbation", cp->label);
    fs_json__add_str(e, "name", cp->name);
    cJSON_AddNumberToObject(e, "variants_per_record", (double)k_n);
    cJSON_AddNumberToObject(e, "n", (double)p.n);
    cJSON_AddNumberToObject(e, "records", (double)p.clusters);
    uint64_t errors = 0, unchanged = 0;
    for (size_t k = 0; k < k_n; k++) {
        errors += t->cols[first + k].errors;
        unchanged += t->cols[first + k].unchanged;
    }
    cJSON_AddNumberToObject(e, "errors", (double)errors);
    cJSON_AddNumberToObject(e, "parse_failures", 0);
    cJSON_AddNumberToObject(e, "missing", (double)count_state(t, first, k_n, ST_MISSING));
    cJSON_AddNumberToObject(e, "unchanged", (double)unchanged);
    cJSON_AddItemToObject(e, "latency_ms", fs_audit__lat_json(&t->lat, first, first + k_n, false));
    cJSON_AddItemToObject(e, "metrics", metrics_json(t, pv, none));
    for (size_t m = 0; m < t->n_metrics; m++) {
        fs_audit__num(d, t->metrics[m].name, pv[m] - cv[m], none);
    }
    cJSON_AddItemToObject(e, "delta", d);
    double drop = NAN;
    if (t->n_metrics > 0) {
        const metric *mm = &t->metrics[t->main];
        boot_ci(ci, t, &p, 0, seed, err);
        cJSON_AddItemToObject(c95, mm->name, fs_audit__pair(ci[0], ci[1]));
        drop = mm->lower_better ? pv[t->main] / cv[t->main] - 1.0
                                : (cv[t->main] > 0 ? 1.0 - pv[t->main] / cv[t->main] : NAN);
    }
    cJSON_AddItemToObject(e, "ci95", c95);
    fs_audit__num(e, "drop_rate", drop,
                  !p.n                ? none
                  : t->n_metrics == 0 ? "this task has no score (generation)"
                                      : "the clean score is 0");
    size_t flips = 0;
    for (size_t j = 0; j < p.n; j++) {
        flips += t->hash[p.a[j]] != t->hash[p.b[j]];
    }
    fs_audit__num(e, "flip_rate", p.n ? (double)flips / (double)p.n : NAN, none);
    cJSON_AddNumberToObject(e, "flips", (double)flips);
    boot_ci(fci, t, &p, 1, seed, err);
    cJSON_AddItemToObject(e, "flip_rate_ci95", fs_audit__pair(fci[0], fci[1]));
    if (t->answers != NULL) {
        double dsum = 0;
        size_t dn = 0;
        for (size_t j = 0; j < p.n; j++) {
            dsum += isfinite(p.div[j]) ? p.div[j] : 0;
            dn += isfinite(p.div[j]);
        }
        fs_audit__num(e, "divergence", dn ? dsum / (double)dn : NAN, none);
        boot_ci(dci, t, &p, 2, seed, err);
        cJSON_AddItemToObject(e, "divergence_ci95", fs_audit__pair(dci[0], dci[1]));
    }
    double pval = t->n_metrics > 0 ? paired_test(t, &p, seed ^ 0x5f1eULL) : NAN;
    fs_audit__num(e, "p_value", pval, t->n_metrics ? none : "no reference to score against");
    fs_json__add_str(e, "test",
                     isfinite(pval) ? "sign-flip permutation test on per-record "
                                      "mean changes of the item score"
                                    : NULL);
    st = examples(e, t, &p, store, target, err);
    tpairs_dispose(&p);
    return st;
}

/* The name of the item-level score; NULL for generation (no reference). */
static const char *item_name(fs_task_type task)
{
    switch (task) {
    case FS_TASK_QA:
        return "f1";
    case FS_TASK_SUMMARIZATION:
        return "rougeL";
    case FS_TASK_TRANSLATION:
        return "sentence_chrf";
    case FS_TASK_IDENTIFICATION:
        return "recall";
    case FS_TASK_LANGUAGE_MODELING:
        return "mean_logprob";
    default:
        return NULL;
    }
}

/* The corpus metrics of the clean answers of records recs[0..n) (the group entry). */
static fs_status group_metrics(cJSON **out, const size_t *recs, size_t n, void *payload,
                               fs_error *err)
{
    const ttable *t = payload;
    double sum[MAX_STATS + 1], v[8];
    memset(sum, 0, sizeof sum);
    for (size_t i = 0; i < n; i++) {
        const double *s = t->stats + cell(t, recs[i], 0) * t->n_stats;
        for (size_t k = 0; k < t->n_stats; k++) {
            sum[k] += s[k];
        }
    }
    for (size_t m = 0; m < t->n_metrics; m++) {
        v[m] = aggregate(t, sum, n, m);
    }
    *out = metrics_json(t, v, "no answered record in this group");
    return *out != NULL ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
}

/* The "group" entry of dataset.fields.group, appended to the target's fairness array. */
static fs_status text_groups_json(cJSON *o, ttable *t, fs_error *err)
{
    bool *answered = fs_calloc(t->n_rec + 1, sizeof *answered);
    double *item = fs_calloc(t->n_rec + 1, sizeof *item);
    if (answered == NULL || item == NULL) {
        fs_free(answered);
        fs_free(item);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t r = 0; r < t->n_rec; r++) {
        answered[r] = t->state[cell(t, r, 0)] == ST_OK;
        item[r] = t->item[cell(t, r, 0)];
    }
    const char *name = item_name(t->cfg->task);
    fs_audit__tgroup_input in = { t->cfg,
                                  t->n_rec,
                                  t->group,
                                  answered,
                                  name != NULL ? item : NULL,
                                  name,
                                  t->n_metrics ? t->metrics[t->main].name : NULL,
                                  group_metrics,
                                  t };
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "fairness");
    arr = arr != NULL ? arr : cJSON_AddArrayToObject(o, "fairness");
    fs_status st = fs_audit__tgroups_json(arr, &in, err);
    fs_free(answered);
    fs_free(item);
    return st;
}

/* HELM's worst case on the item score: per record the lowest over clean and every
 * variant, averaged over the records answered under every condition. */
static void worst_case_json(cJSON *o, const ttable *t)
{
    double acc = 0;
    size_t n = 0;
    for (size_t r = 0; t->n_metrics > 0 && r < t->n_rec; r++) {
        double worst = INFINITY;
        bool all = true;
        for (size_t c = 0; all && c < t->n_cols; c++) {
            size_t at = cell(t, r, c);
            all = t->state[at] == ST_OK && isfinite(t->item[at]);
            worst = all && t->item[at] < worst ? t->item[at] : worst;
        }
        if (all) {
            acc += worst;
            n++;
        }
    }
    cJSON *w = cJSON_AddObjectToObject(o, "worst_case");
    cJSON_AddNumberToObject(w, "n", (double)n);
    const char *item = item_name(t->cfg->task) ? item_name(t->cfg->task) : "mean_logprob";
    cJSON *m = cJSON_AddObjectToObject(w, "metrics");
    fs_audit__num(m, item, n ? acc / (double)n : NAN,
                  t->n_metrics ? "no record has an answer under every condition"
                               : "no reference to score against");
}

fs_status fs_audit__text_target_json(cJSON *o, const fs_config *cfg, fs_store *store,
                                     const char *target, uint64_t limit, fs_error *err)
{
    ttable t;
    fs_status st = ttable_open(&t, cfg, limit, err);
    if (st == FS_OK) {
        st = fs_store_each(store, target, on_trow, &t, err);
    }
    if (st == FS_OK) {
        cJSON_AddNumberToObject(o, "records", (double)t.n_rec);
        st = clean_json(o, &t, err);
    }
    cJSON *rob = cJSON_AddArrayToObject(o, "robustness");
    for (size_t i = 0; st == FS_OK && i < cfg->n_perturbations; i++) {
        st = one_perturbation(rob, &t, i, store, target, err);
    }
    if (st == FS_OK) {
        uint64_t errors = 0, variants = 0;
        worst_case_json(o, &t);
        for (size_t c = 0; c < t.n_cols; c++) {
            errors += t.cols[c].errors;
            variants += t.cols[c].variants;
        }
        fs_audit__num(o, "error_rate", variants ? (double)errors / (double)variants : NAN,
                      "no variant was stored");
        cJSON_AddItemToObject(o, "usage", fs_audit__usage_json(&t.lat));
        st = fs_audit__tcf_json(o, t.tcf, t.n_rec, item_name(cfg->task), store, target, err);
    }
    if (st == FS_OK && cfg->field_group != NULL) {
        st = text_groups_json(o, &t, err);
    }
    ttable_dispose(&t);
    return st;
}
