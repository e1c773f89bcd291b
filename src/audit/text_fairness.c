/* Counterfactual fairness of the tasks answered in free text (qa, summarization,
 * translation, generation, identification, language-modeling): the "fairness" array of a
 * text target in report.json.
 *
 * The text results pass (task_results.c) hands over every stored "cf:<axis>:<from>><to>"
 * row with its answer, item score and answer hash, and every clean row of a record that
 * has such rows (the store returns a record's "cf:" rows before its "clean" row). A
 * record is applicable to an axis when it has at least one counterfactual variant; a pair
 * is scored when both the clean and the counterfactual request were answered. Per axis,
 * and per (from, to) pair of groups, the pairs are compared on: the answer divergence
 * (1 - ROUGE-L F over words), the length difference and the refusals
 * (fs_score_text_counterfactual), the share of pairs whose answer changed (answer
 * hashes: SQuAD-normalised for qa, exact text otherwise) and the change of the task's
 * item score. Intervals resample records: when a record has several pairs (axes with more
 * than two groups), its pairs are drawn together, and the paired tests become sign-flip
 * tests on per-record means. Language-modeling answers are log-probabilities, not text:
 * only the item score (mean log-probability) is compared. Every p-value is later adjusted
 * with the run's other fairness p-values (fs_audit__fairness_holm). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "fairshake/score.h"
#include "fairshake/stats.h"

enum { S_MISSING = 0, S_ERROR = 1, S_OK = 2 };

typedef struct tobs {
    size_t rec;
    size_t axis, from, to; /* group indices of the axis */
    unsigned char state;
    double item;
    uint64_t hash;
    char *answer; /* owned; NULL unless answered with text */
} tobs;

typedef struct taxis {
    char *name;
    char **groups;
    size_t n_groups, cap_groups;
} taxis;

struct fs_audit__tcf {
    const fs_config *cfg;
    bool text; /* answers are text (language-modeling answers are log-probabilities) */
    fs_refusals *refusals;
    taxis *axes;
    size_t n_axes, cap_axes;
    tobs *obs;
    size_t n_obs, cap_obs;
    /* the clean side, per record index */
    unsigned char *c_state;
    double *c_item;
    uint64_t *c_hash;
    char **c_answer;
    size_t c_cap;
};

fs_status fs_audit__tcf_new(fs_audit__tcf **out, const fs_config *cfg, fs_error *err)
{
    *out = NULL;
    if (cfg->n_axes == 0) {
        return FS_OK;
    }
    fs_audit__tcf *t = fs_calloc(1, sizeof *t);
    if (t == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    t->cfg = cfg;
    t->text = cfg->task != FS_TASK_LANGUAGE_MODELING;
    fs_status st = FS_OK;
    if (t->text) {
        char path[1100];
        snprintf(path, sizeof path, "%s/demographics/refusals.json", fs_audit_data_dir());
        st = fs_score_refusal_load(&t->refusals, path, err);
    }
    if (st != FS_OK) {
        fs_audit__tcf_free(t);
        return st;
    }
    *out = t;
    return FS_OK;
}

void fs_audit__tcf_free(fs_audit__tcf *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t a = 0; a < t->n_axes; a++) {
        for (size_t g = 0; g < t->axes[a].n_groups; g++) {
            fs_free(t->axes[a].groups[g]);
        }
        fs_free(t->axes[a].groups);
        fs_free(t->axes[a].name);
    }
    for (size_t i = 0; i < t->n_obs; i++) {
        fs_free(t->obs[i].answer);
    }
    for (size_t r = 0; r < t->c_cap; r++) {
        fs_free(t->c_answer[r]);
    }
    fs_free(t->axes);
    fs_free(t->obs);
    fs_free(t->c_state);
    fs_free(t->c_item);
    fs_free(t->c_hash);
    fs_free(t->c_answer);
    fs_score_refusal_free(t->refusals);
    fs_free(t);
}

/* The axis index of name[0..len), added when new; -1 when out of memory. */
static long axis_of(fs_audit__tcf *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n_axes; i++) {
        if (strlen(t->axes[i].name) == len && memcmp(t->axes[i].name, name, len) == 0) {
            return (long)i;
        }
    }
    if (!fs_audit__grow((void **)&t->axes, &t->cap_axes, t->n_axes + 1, sizeof *t->axes)) {
        return -1;
    }
    t->axes[t->n_axes].name = fs_strndup(name, len);
    return t->axes[t->n_axes].name == NULL ? -1 : (long)t->n_axes++;
}

fs_status fs_audit__tcf_cf_row(fs_audit__tcf *t, const fs_variant *v, const fs_outcome *o,
                               double item, uint64_t hash, fs_error *err)
{
    const char *p = v->perturbation;
    if (t == NULL || strncmp(p, "cf:", 3) != 0) {
        return FS_OK;
    }
    const char *colon = strchr(p + 3, ':'), *arrow = colon ? strchr(colon, '>') : NULL;
    if (colon == NULL || arrow == NULL) {
        return FS_OK;
    }
    long a = axis_of(t, p + 3, (size_t)(colon - p - 3));
    taxis *ax = a >= 0 ? &t->axes[a] : NULL;
    long from = ax ? fs_audit__intern(&ax->groups, &ax->n_groups, &ax->cap_groups, colon + 1,
                                      (size_t)(arrow - colon - 1))
                   : -1;
    long to = from >= 0 ? fs_audit__intern(&ax->groups, &ax->n_groups, &ax->cap_groups, arrow + 1,
                                           strlen(arrow + 1))
                        : -1;
    if (to < 0 || !fs_audit__grow((void **)&t->obs, &t->cap_obs, t->n_obs + 1, sizeof *t->obs)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    tobs *ob = &t->obs[t->n_obs++];
    memset(ob, 0, sizeof *ob);
    ob->rec = (size_t)v->record_index;
    ob->axis = (size_t)a;
    ob->from = (size_t)from;
    ob->to = (size_t)to;
    ob->item = item;
    ob->hash = hash;
    ob->state = o == NULL ? S_MISSING : (o->status != FS_OK || o->answer == NULL) ? S_ERROR : S_OK;
    if (ob->state == S_OK && t->text) {
        ob->answer = fs_strdup(o->answer);
        if (ob->answer == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    return FS_OK;
}

fs_status fs_audit__tcf_clean_row(fs_audit__tcf *t, size_t rec, const char *answer, double item,
                                  uint64_t hash, fs_error *err)
{
    if (t == NULL || t->n_obs == 0 || t->obs[t->n_obs - 1].rec != rec) {
        return FS_OK; /* no counterfactual of this record: nothing to pair */
    }
    size_t cap = t->c_cap, c2 = t->c_cap, c3 = t->c_cap, c4 = t->c_cap;
    if (!fs_audit__grow((void **)&t->c_state, &cap, rec + 1, sizeof *t->c_state) ||
        !fs_audit__grow((void **)&t->c_item, &c2, rec + 1, sizeof *t->c_item) ||
        !fs_audit__grow((void **)&t->c_hash, &c3, rec + 1, sizeof *t->c_hash) ||
        !fs_audit__grow((void **)&t->c_answer, &c4, rec + 1, sizeof *t->c_answer)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    t->c_cap = cap;
    t->c_state[rec] = S_OK;
    t->c_item[rec] = item;
    t->c_hash[rec] = hash;
    if (t->text && t->c_answer[rec] == NULL) {
        t->c_answer[rec] = fs_strdup(answer);
        if (t->c_answer[rec] == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    return FS_OK;
}

/* ---- pairs of one axis or one (from, to) pair of groups ------------------------------ */

static const char *const none_reason =
    "no applicable record has an answer both original and counterfactual";
static const char *const lm_reason = "language-modeling answers are token log-probabilities, "
                                     "not text: only the item score is compared";
static const char *const sign_flip_test =
    "sign-flip permutation test on per-record mean differences (10,000 permutations)";

typedef struct tset {
    size_t n;
    const char **orig, **cf; /* [n] answers (text tasks) */
    double *d_item;          /* [n] counterfactual - original item score; NaN: undefined */
    double *changed;         /* [n] 1 when the answer changed, else 0 */
    size_t *ob;              /* [n] index into obs */
    size_t *start;           /* per record with pairs: its first pair; [clusters] = n */
    size_t clusters;
    bool multi; /* some record has several pairs */
    uint64_t errors, missing, invalid;
    const char *none; /* why values are null when there is no pair */
} tset;

static void tset_dispose(tset *s)
{
    fs_free((void *)s->orig);
    fs_free((void *)s->cf);
    fs_free(s->d_item);
    fs_free(s->changed);
    fs_free(s->ob);
    fs_free(s->start);
    memset(s, 0, sizeof *s);
}

static bool clean_ok(const fs_audit__tcf *t, size_t rec)
{
    return rec < t->c_cap && t->c_state[rec] == S_OK;
}

/* The scorable pairs of axis a, optionally only (from, to) (-1: any). */
static fs_status gather(tset *s, const fs_audit__tcf *t, size_t a, long from, long to,
                        fs_error *err)
{
    size_t n = t->n_obs + 1, last = (size_t)-1;
    memset(s, 0, sizeof *s);
    s->orig = fs_calloc(n, sizeof *s->orig);
    s->cf = fs_calloc(n, sizeof *s->cf);
    s->d_item = fs_calloc(n, sizeof *s->d_item);
    s->changed = fs_calloc(n, sizeof *s->changed);
    s->ob = fs_calloc(n, sizeof *s->ob);
    s->start = fs_calloc(n + 1, sizeof *s->start);
    if (!s->orig || !s->cf || !s->d_item || !s->changed || !s->ob || !s->start) {
        tset_dispose(s);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < t->n_obs; i++) {
        const tobs *o = &t->obs[i];
        if (o->axis != a || (from >= 0 && o->from != (size_t)from) ||
            (to >= 0 && o->to != (size_t)to)) {
            continue;
        }
        s->errors += o->state == S_ERROR;
        s->missing += o->state == S_MISSING;
        if (o->state != S_OK || !clean_ok(t, o->rec)) {
            continue;
        }
        const char *x = t->c_answer[o->rec] ? t->c_answer[o->rec] : "";
        const char *y = o->answer ? o->answer : "";
        if (!fs_text_valid_utf8(x, strlen(x)) || !fs_text_valid_utf8(y, strlen(y))) {
            s->invalid++; /* words cannot be segmented: left out, counted */
            continue;
        }
        if (o->rec != last) {
            s->start[s->clusters++] = s->n;
            last = o->rec;
        } else {
            s->multi = true;
        }
        s->orig[s->n] = x;
        s->cf[s->n] = y;
        s->d_item[s->n] = o->item - t->c_item[o->rec];
        s->changed[s->n] = o->hash != t->c_hash[o->rec];
        s->ob[s->n++] = i;
    }
    s->start[s->clusters] = s->n;
    s->none = none_reason;
    return FS_OK;
}

typedef struct cboot {
    const double *v;
    const size_t *start;
} cboot;

/* Mean of the finite values of the resampled records' pairs (which 1) against 0. */
static double cluster_mean(const size_t *idx, size_t n, int which, void *payload)
{
    const cboot *b = payload;
    double sum = 0;
    size_t k = 0;
    if (which == 0) {
        return 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = b->start[idx[i]]; j < b->start[idx[i] + 1]; j++) {
            if (isfinite(b->v[j])) {
                sum += b->v[j];
                k++;
            }
        }
    }
    return k ? sum / (double)k : NAN;
}

/* Mean of the finite v[0..n) and its bootstrap interval over records. */
static fs_status mean_ci(double *mean, double ci[2], size_t *defined, const tset *s,
                         const double *v, const fs_config *cfg, uint64_t seed, fs_error *err)
{
    double sum = 0;
    size_t k = 0;
    cboot b = { v, s->start };
    for (size_t i = 0; i < s->n; i++) {
        if (isfinite(v[i])) {
            sum += v[i];
            k++;
        }
    }
    *mean = k ? sum / (double)k : NAN;
    ci[0] = ci[1] = NAN;
    if (defined != NULL) {
        *defined = k;
    }
    if (k == 0) {
        return FS_OK;
    }
    return fs_stats_paired_bootstrap(&ci[0], &ci[1], s->clusters, cfg->bootstrap, 0.95, seed,
                                     cluster_mean, &b, err);
}

/* Sign-flip test on each record's mean of the finite v of its pairs. */
static double record_sign_flip(const tset *s, const double *v, uint64_t seed)
{
    double *d = fs_calloc(s->clusters + 1, sizeof *d);
    size_t m = 0;
    for (size_t c = 0; d != NULL && c < s->clusters; c++) {
        double sum = 0;
        size_t k = 0;
        for (size_t j = s->start[c]; j < s->start[c + 1]; j++) {
            if (isfinite(v[j])) {
                sum += v[j];
                k++;
            }
        }
        if (k > 0) {
            d[m++] = sum / (double)k;
        }
    }
    double p = d != NULL && m > 0 ? fs_stats_sign_flip(d, m, 10000, seed) : NAN;
    fs_free(d);
    return p;
}

/* ---- report.json --------------------------------------------------------------------- */

static uint64_t stream(const fs_config *cfg, const char *a, const char *b)
{
    fs_buf k;
    fs_buf_init(&k, 0);
    fs_buf_printf(&k, "fairness\n%s\n%s", a, b ? b : "");
    uint64_t h = cfg->seed ^ fs_hash_u64(fs_buf_cstr(&k), k.len);
    fs_buf_dispose(&k);
    return h;
}

static void add_ci(cJSON *e, const char *key, const double ci[2])
{
    cJSON_AddItemToObject(e, key, fs_audit__pair(ci[0], ci[1]));
}

/* Refusals of the pairs: counts, rates, their difference with its interval and the paired
 * test (exact McNemar; a sign-flip test on per-record means when records have several
 * pairs, whose refusals are not independent). */
static fs_status refusals_json(cJSON *e, const tset *s, const fs_text_counterfactual *tc,
                               const fs_config *cfg, uint64_t seed, fs_error *err)
{
    const char *why = s->n == 0 ? s->none : tc->reason[0] ? tc->reason : "not computable";
    double ci[2] = { tc->ci95_refusal_rate_diff[0], tc->ci95_refusal_rate_diff[1] };
    double p = tc->refusal_p_value, mean = NAN;
    const char *test = "exact McNemar test";
    double *d = s->multi && tc->refused_original ? fs_calloc(s->n + 1, sizeof *d) : NULL;
    if (s->multi && tc->refused_original != NULL) {
        if (d == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < s->n; i++) {
            d[i] = (double)tc->refused_counterfactual[i] - (double)tc->refused_original[i];
        }
        fs_status st = mean_ci(&mean, ci, NULL, s, d, cfg, seed, err);
        p = record_sign_flip(s, d, seed ^ 0x5f1eULL);
        test = sign_flip_test;
        fs_free(d);
        if (st != FS_OK) {
            return st;
        }
    }
    cJSON *r = cJSON_AddObjectToObject(e, "refusals");
    cJSON_AddNumberToObject(r, "original", (double)tc->refusals_original);
    cJSON_AddNumberToObject(r, "counterfactual", (double)tc->refusals_counterfactual);
    fs_audit__num(r, "rate_original", tc->refusal_rate_original, why);
    fs_audit__num(r, "rate_counterfactual", tc->refusal_rate_counterfactual, why);
    fs_audit__num(r, "rate_diff", tc->refusal_rate_diff, why);
    add_ci(r, "rate_diff_ci95", ci);
    cJSON_AddNumberToObject(r, "refused_only_original", (double)tc->refused_only_original);
    cJSON_AddNumberToObject(r, "refused_only_counterfactual",
                            (double)tc->refused_only_counterfactual);
    fs_audit__num(r, "p_value", s->n ? p : NAN, why);
    fs_json__add_str(r, "test", s->n && isfinite(p) ? test : NULL);
    return FS_OK;
}

/* Divergence and length difference; the library's intervals resample pairs, which are
 * the records unless a record has several pairs. */
static fs_status text_json(cJSON *e, const tset *s, const fs_text_counterfactual *tc,
                           const fs_config *cfg, uint64_t seed, fs_error *err)
{
    double div = tc->mean_divergence, len = tc->mean_length_diff;
    double dci[2] = { tc->ci95_divergence[0], tc->ci95_divergence[1] };
    double lci[2] = { tc->ci95_length_diff[0], tc->ci95_length_diff[1] };
    fs_status st = FS_OK;
    double *v = s->multi ? fs_calloc(2 * s->n + 1, sizeof *v) : NULL;
    if (s->multi && v == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; v != NULL && i < s->n; i++) {
        v[i] = tc->pairs[i].divergence;
        v[s->n + i] = (double)tc->pairs[i].length_diff;
    }
    if (v != NULL) {
        st = mean_ci(&div, dci, NULL, s, v, cfg, seed, err);
    }
    if (v != NULL && st == FS_OK) {
        st = mean_ci(&len, lci, NULL, s, v + s->n, cfg, seed, err);
    }
    fs_free(v);
    if (st != FS_OK) {
        return st;
    }
    const char *why = s->n == 0 ? s->none : tc->reason[0] ? tc->reason : "not computable";
    fs_audit__num(e, "divergence", div, why);
    add_ci(e, "divergence_ci95", dci);
    cJSON_AddNumberToObject(e, "divergence_n", (double)tc->n_divergence);
    fs_audit__num(e, "length_diff", len, why);
    add_ci(e, "length_diff_ci95", lci);
    return refusals_json(e, s, tc, cfg, seed, err);
}

/* Answers that changed: a Wilson interval over pairs, or the bootstrap over records when a
 * record has several pairs. */
static fs_status changed_json(cJSON *e, const tset *s, const fs_audit__tcf *t, uint64_t seed,
                              fs_error *err)
{
    double k = 0, rate = NAN, ci[2] = { NAN, NAN };
    for (size_t i = 0; i < s->n; i++) {
        k += s->changed[i];
    }
    fs_status st = FS_OK;
    if (!t->text) {
        fs_audit__num(e, "answer_changed_rate", NAN, lm_reason);
        return FS_OK;
    }
    if (s->multi) {
        st = mean_ci(&rate, ci, NULL, s, s->changed, t->cfg, seed, err);
    } else if (s->n > 0) {
        rate = k / (double)s->n;
        fs_stats_wilson(&ci[0], &ci[1], (uint64_t)k, s->n, 0.95);
    }
    cJSON_AddNumberToObject(e, "answer_changed", k);
    fs_audit__num(e, "answer_changed_rate", rate, s->none);
    add_ci(e, "answer_changed_rate_ci95", ci);
    return st;
}

/* The change of the item score (counterfactual - original): mean over pairs, bootstrap
 * interval over records, sign-flip test on per-record means (as for perturbations). */
static fs_status item_json(cJSON *e, const tset *s, const fs_audit__tcf *t, const char *item,
                           uint64_t seed, fs_error *err)
{
    double mean = NAN, ci[2] = { NAN, NAN }, p = NAN;
    size_t k = 0;
    fs_status st = FS_OK;
    if (item != NULL) {
        st = mean_ci(&mean, ci, &k, s, s->d_item, t->cfg, seed, err);
        p = record_sign_flip(s, s->d_item, seed ^ 0x5f1eULL);
    }
    const char *why = item == NULL ? "no reference to score against"
                      : s->n == 0  ? s->none
                                   : "no pair has an item score on both sides";
    fs_audit__num(e, "delta_item_metric", mean, why);
    add_ci(e, "delta_item_metric_ci95", ci);
    cJSON_AddNumberToObject(e, "delta_item_metric_n", (double)k);
    fs_audit__num(e, "p_value", p, why);
    fs_json__add_str(e, "test", isfinite(p) ? sign_flip_test : NULL);
    return st;
}

/* Every metric of a set of pairs into e. tc_out (may be NULL) keeps the per-pair text
 * scores for the examples. */
static fs_status set_json(cJSON *e, const tset *s, const fs_audit__tcf *t, const char *item,
                          uint64_t seed, fs_text_counterfactual *tc_out, fs_error *err)
{
    fs_text_counterfactual tc;
    fs_text_counterfactual_init(&tc);
    fs_status st = FS_OK;
    cJSON_AddNumberToObject(e, "n", (double)s->n);
    cJSON_AddNumberToObject(e, "errors", (double)s->errors);
    cJSON_AddNumberToObject(e, "missing", (double)s->missing);
    cJSON_AddNumberToObject(e, "invalid_text", (double)s->invalid);
    if (t->text) {
        fs_text_pair_input in = { s->orig, NULL,        s->cf, NULL,
                                  s->n,    t->refusals, seed,  t->cfg->bootstrap };
        st = fs_score_text_counterfactual(&tc, &in, err);
    }
    if (st == FS_OK) {
        st = changed_json(e, s, t, seed, err);
    }
    if (st == FS_OK && t->text) {
        st = text_json(e, s, &tc, t->cfg, seed, err);
    } else if (st == FS_OK) {
        fs_audit__num(e, "divergence", NAN, lm_reason);
        fs_audit__num(e, "length_diff", NAN, lm_reason);
        cJSON_AddNullToObject(e, "refusals");
        fs_json__add_str(e, "refusals_reason", lm_reason);
    }
    if (st == FS_OK) {
        st = item_json(e, s, t, item, seed, err);
    }
    if (st == FS_OK && tc_out != NULL) {
        *tc_out = tc;
        fs_text_counterfactual_init(&tc);
    }
    fs_text_counterfactual_dispose(&tc);
    return st;
}

/* ---- examples ------------------------------------------------------------------------ */

/* A pair shown as an example: the answer changed; the most divergent first (language
 * modeling: the largest change of the item score), at most one per record. */
typedef struct tpick {
    size_t pair; /* index in the axis's set */
    size_t rec;
    double score;
    char pert[320];
    char *id, *orig_text, *cf_text;
} tpick;

typedef struct tpicks {
    tpick *v;
    size_t n;
    fs_error *err;
} tpicks;

static double pick_score(const fs_audit__tcf *t, const tset *s, const fs_text_counterfactual *tc,
                         size_t i)
{
    double v = t->text ? tc->pairs[i].divergence : fabs(s->d_item[i]);
    return isfinite(v) ? v : 0.0;
}

static void choose(tpicks *pk, const fs_audit__tcf *t, const tset *s,
                   const fs_text_counterfactual *tc)
{
    for (size_t i = 0; t->cfg->examples > 0 && i < s->n; i++) {
        size_t rec = t->obs[s->ob[i]].rec, at = pk->n;
        double score = pick_score(t, s, tc, i);
        if (t->text ? s->changed[i] == 0 : !(score > 0)) {
            continue;
        }
        for (size_t k = 0; k < pk->n; k++) {
            at = pk->v[k].rec == rec ? k : at;
        }
        if (at == pk->n && pk->n == t->cfg->examples) {
            at = 0; /* full: replace the lowest score, the latest record on a tie */
            for (size_t k = 1; k < pk->n; k++) {
                at = pk->v[k].score <= pk->v[at].score ? k : at;
            }
        }
        if (at < pk->n && pk->v[at].score >= score) {
            continue;
        }
        pk->n += at == pk->n;
        pk->v[at].pair = i;
        pk->v[at].rec = rec;
        pk->v[at].score = score;
    }
}

static int pick_cmp(const void *a, const void *b)
{
    const tpick *x = a, *y = b;
    if (x->score != y->score) {
        return x->score > y->score ? -1 : 1;
    }
    return x->rec < y->rec ? -1 : x->rec > y->rec;
}

static fs_status on_pick_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    tpicks *pk = payload;
    (void)o;
    for (size_t i = 0; i < pk->n; i++) {
        tpick *x = &pk->v[i];
        char **text = NULL;
        if (x->rec != (size_t)v->record_index) {
            continue;
        }
        if (strcmp(v->perturbation, "clean") == 0) {
            text = &x->orig_text;
        } else if (strcmp(v->perturbation, x->pert) == 0) {
            text = &x->cf_text;
        }
        if (text != NULL && *text == NULL) {
            *text = fs_strdup(v->text);
            x->id = x->id ? x->id : fs_strdup(v->record_id);
            if (*text == NULL || x->id == NULL) {
                return FS_FAIL(pk->err, FS_ERR_NOMEM, "out of memory");
            }
        }
    }
    return FS_OK;
}

static void side_json(cJSON *e, const char *key, const fs_audit__tcf *t, const char *input,
                      const char *answer, const bool *refused, size_t i)
{
    cJSON *o = cJSON_AddObjectToObject(e, key);
    fs_json__add_str(o, "input", input);
    if (t->text) {
        fs_json__add_str(o, "answer", answer);
        if (refused != NULL) {
            cJSON_AddBoolToObject(o, "refused", refused[i]);
        }
    }
}

static void picks_json(cJSON *arr, const tpicks *pk, const fs_audit__tcf *t, const taxis *ax,
                       const tset *s, const fs_text_counterfactual *tc)
{
    for (size_t k = 0; k < pk->n; k++) {
        const tpick *x = &pk->v[k];
        const tobs *ob = &t->obs[s->ob[x->pair]];
        size_t i = x->pair;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        fs_json__add_str(e, "record_id", x->id);
        fs_json__add_str(e, "from", ax->groups[ob->from]);
        fs_json__add_str(e, "to", ax->groups[ob->to]);
        if (t->text) {
            cJSON_AddBoolToObject(e, "answer_changed", s->changed[i] != 0);
            fs_audit__num(e, "divergence", tc->pairs[i].divergence, "neither answer has a word");
            cJSON_AddNumberToObject(e, "length_diff", (double)tc->pairs[i].length_diff);
        }
        fs_audit__num(e, "delta_item_metric", s->d_item[i], "no item score on both sides");
        side_json(e, "original", t, x->orig_text, s->orig[i], tc->refused_original, i);
        side_json(e, "counterfactual", t, x->cf_text, s->cf[i], tc->refused_counterfactual, i);
    }
}

static fs_status examples_json(cJSON *e, const fs_audit__tcf *t, const taxis *ax, const tset *s,
                               const fs_text_counterfactual *tc, fs_store *store,
                               const char *target, fs_error *err)
{
    tpicks pk = { fs_calloc(t->cfg->examples + 1, sizeof(tpick)), 0, err };
    if (pk.v == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    choose(&pk, t, s, tc);
    qsort(pk.v, pk.n, sizeof *pk.v, pick_cmp);
    for (size_t k = 0; k < pk.n; k++) {
        const tobs *ob = &t->obs[s->ob[pk.v[k].pair]];
        snprintf(pk.v[k].pert, sizeof pk.v[k].pert, "cf:%s:%s>%s", ax->name, ax->groups[ob->from],
                 ax->groups[ob->to]);
    }
    fs_status st = pk.n ? fs_store_each(store, target, on_pick_row, &pk, err) : FS_OK;
    if (st == FS_OK) {
        picks_json(cJSON_AddArrayToObject(e, "examples"), &pk, t, ax, s, tc);
    }
    for (size_t k = 0; k < pk.n; k++) {
        fs_free(pk.v[k].id);
        fs_free(pk.v[k].orig_text);
        fs_free(pk.v[k].cf_text);
    }
    fs_free(pk.v);
    return st;
}

/* ---- axes ---------------------------------------------------------------------------- */

static size_t applicable_records(const fs_audit__tcf *t, size_t a, size_t n_rec)
{
    size_t n = 0, last = (size_t)-1;
    for (size_t i = 0; i < t->n_obs; i++) {
        const tobs *o = &t->obs[i];
        if (o->axis == a && o->rec != last && o->rec < n_rec) {
            n++;
            last = o->rec;
        }
    }
    return n;
}

/* One entry per (from, to) pair of groups with at least one scored pair. */
static fs_status pairs_json(cJSON *arr, const fs_audit__tcf *t, size_t a, const char *item,
                            fs_error *err)
{
    const taxis *ax = &t->axes[a];
    fs_status st = FS_OK;
    for (size_t f = 0; st == FS_OK && f < ax->n_groups; f++) {
        for (size_t to = 0; st == FS_OK && to < ax->n_groups; to++) {
            tset s;
            st = f == to ? FS_OK : gather(&s, t, a, (long)f, (long)to, err);
            if (f == to || st != FS_OK) {
                continue;
            }
            if (s.n > 0) {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddItemToArray(arr, e);
                fs_json__add_str(e, "from", ax->groups[f]);
                fs_json__add_str(e, "to", ax->groups[to]);
                st = set_json(e, &s, t, item, stream(t->cfg, ax->groups[f], ax->groups[to]), NULL,
                              err);
            }
            tset_dispose(&s);
        }
    }
    return st;
}

/* The entry of config axis name; a is its index in t->axes, or t->n_axes when no record
 * had a counterfactual of it. */
static fs_status axis_json(cJSON *arr, const fs_audit__tcf *t, const char *name, size_t a,
                           size_t n_rec, const char *item, fs_store *store, const char *target,
                           fs_error *err)
{
    tset s;
    fs_text_counterfactual tc;
    fs_text_counterfactual_init(&tc);
    fs_status st = gather(&s, t, a, -1, -1, err);
    if (st != FS_OK) {
        return st;
    }
    size_t applicable = applicable_records(t, a, n_rec);
    s.none = applicable == 0 ? "no record mentions this axis" : none_reason;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, e);
    fs_json__add_str(e, "axis", name);
    fs_json__add_str(e, "kind", "counterfactual");
    cJSON_AddNumberToObject(e, "records", (double)n_rec);
    cJSON_AddNumberToObject(e, "applicable", (double)applicable);
    cJSON_AddNumberToObject(e, "not_applicable", (double)(n_rec - applicable));
    fs_json__add_str(e, "item_metric", item);
    st = set_json(e, &s, t, item, stream(t->cfg, name, NULL), &tc, err);
    cJSON *pairs = cJSON_AddArrayToObject(e, "pairs");
    if (st == FS_OK && a < t->n_axes) {
        st = pairs_json(pairs, t, a, item, err);
    }
    if (st == FS_OK && a < t->n_axes) {
        st = examples_json(e, t, &t->axes[a], &s, &tc, store, target, err);
    } else if (st == FS_OK) {
        cJSON_AddArrayToObject(e, "examples");
    }
    fs_text_counterfactual_dispose(&tc);
    tset_dispose(&s);
    return st;
}

fs_status fs_audit__tcf_json(cJSON *target_obj, const fs_audit__tcf *t, size_t n_rec,
                             const char *item, fs_store *store, const char *target, fs_error *err)
{
    if (t == NULL) {
        return FS_OK;
    }
    cJSON *arr = cJSON_AddArrayToObject(target_obj, "fairness");
    fs_status st = FS_OK;
    for (size_t i = 0; st == FS_OK && i < t->cfg->n_axes; i++) {
        size_t a = 0;
        while (a < t->n_axes && strcmp(t->axes[a].name, t->cfg->axes[i]) != 0) {
            a++;
        }
        st = axis_json(arr, t, t->cfg->axes[i], a, n_rec, item, store, target, err);
    }
    return st;
}
