/* fairshake compare: two finished runs side by side, a baseline (run a) and a candidate
 * (run b), from their stores alone (no model calls). For each target present in both
 * (matched by name; two single-target runs are matched whatever their names) and each
 * condition present in both (clean, then the baseline's perturbations in config order):
 * both runs' metrics from their rebuilt report.json, the differences (candidate minus
 * baseline), and a test of the accuracy difference on per-variant correctness: paired
 * (exact McNemar, bootstrap interval over records) when the two stores hold the same
 * variants, unpaired (Fisher's exact or the two-proportion z-test, Newcombe's hybrid
 * score interval) otherwise, with a note saying why. Writes compare.json, then
 * compare.md and compare.html rendered from it. */
#include "fairshake/audit.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_internal.h"
#include "audit/extra_internal.h"
#include "core/json.h"
#include "fairshake/report.h"
#include "fairshake/stats.h"
#include "fairshake/version.h"

typedef struct run {
    const char *dir;
    fs_store *store;
    fs_config *cfg;
    cJSON *report;
} run;

static void run_close(run *r)
{
    fs_store_free(r->store);
    fs_config_free(r->cfg);
    cJSON_Delete(r->report);
    memset(r, 0, sizeof *r);
}

static fs_status run_report(run *r, fs_error *err)
{
    fs_audit__prov prov;
    char *json = NULL;
    bool passed = false;
    size_t failed = 0;
    fs_status st = fs_audit__prov_load(&prov, r->store, err);
    if (st == FS_OK) {
        st = fs_audit__build_report(&json, r->cfg, r->store, &prov, prov.records, &passed, &failed,
                                    err);
    }
    if (st == FS_OK) {
        st = fs_json__parse(&r->report, json, strlen(json), "report.json", err);
    }
    fs_free(json);
    fs_audit__prov_dispose(&prov);
    return st;
}

/* Open a finished run: its store, the config saved in it and its rebuilt report. */
static fs_status run_open(run *r, const char *dir, fs_error *err)
{
    char path[1200];
    char *text = NULL, *cpath = NULL;
    memset(r, 0, sizeof *r);
    r->dir = dir;
    snprintf(path, sizeof path, "%s/run.sqlite", dir);
    if (access(path, R_OK) != 0) {
        return FS_FAIL(err, FS_ERR_USAGE, "%s: no run store here (expected %s)", dir, path);
    }
    fs_status st = fs_store_open(&r->store, path, NULL, false, err);
    if (st == FS_OK) {
        st = fs_store_meta_get(r->store, "config_text", &text, err);
    }
    if (st == FS_OK) {
        st = fs_store_meta_get(r->store, "config_path", &cpath, err);
    }
    if (st == FS_OK && (text == NULL || cpath == NULL)) {
        st = FS_FAIL(err, FS_ERR_STORE, "%s: the store has no config: was the run started?", path);
    }
    if (st == FS_OK) {
        st = fs_config_parse(&r->cfg, text, strlen(text), cpath, err);
    }
    if (st == FS_OK) {
        st = run_report(r, err);
    }
    fs_free(text);
    fs_free(cpath);
    if (st != FS_OK) {
        fs_error_prefix(err, "%s", dir);
        run_close(r);
    }
    return st;
}

static cJSON *run_json(const run *r)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *prov = cJSON_GetObjectItemCaseSensitive(r->report, "provenance");
    fs_json__add_str(o, "dir", r->dir);
    fs_json__add_str(o, "name", r->cfg->name);
    fs_json__add_str(o, "config_hash", r->cfg->hash);
    fs_json__add_str(o, "dataset_hash", fs_json__str(prov, "dataset_hash"));
    cJSON_AddNumberToObject(o, "seed", (double)r->cfg->seed);
    fs_json__add_str(o, "finished", fs_json__str(prov, "finished"));
    return o;
}

static const cJSON *find_by(const cJSON *arr, const char *key, const char *value)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        const char *v = fs_json__str(x, key);
        if (v != NULL && strcmp(v, value) == 0) {
            return x;
        }
    }
    return NULL;
}

static double num_at(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
    v = b != NULL ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The figures of one condition of one target's report entry, in a fixed order. */
enum { FIG_ACC, FIG_F1, FIG_N, FIG_DELTA, FIG_DROP, FIG_FLIP, N_FIGS };
static const char *const fig_names[N_FIGS] = { "accuracy",       "macro_f1",  "n",
                                               "delta_accuracy", "drop_rate", "flip_rate" };

static void figures(double out[N_FIGS], const cJSON *target, const char *cond)
{
    bool clean = strcmp(cond, "clean") == 0;
    const cJSON *e = clean ? cJSON_GetObjectItemCaseSensitive(target, "clean")
                           : find_by(cJSON_GetObjectItemCaseSensitive(target, "robustness"),
                                     "perturbation", cond);
    out[FIG_ACC] = num_at(e, "metrics", "accuracy");
    out[FIG_F1] = num_at(e, "metrics", "macro_f1");
    out[FIG_N] = num_at(e, "n", NULL);
    out[FIG_DELTA] = clean ? NAN : num_at(e, "delta", "accuracy");
    out[FIG_DROP] = clean ? NAN : num_at(e, "drop_rate", NULL);
    out[FIG_FLIP] = clean ? NAN : num_at(e, "flip_rate", NULL);
}

static void add_figures(cJSON *cond, const double a[N_FIGS], const double b[N_FIGS], bool clean)
{
    size_t n = clean ? FIG_DELTA : N_FIGS;
    cJSON *ja = cJSON_AddObjectToObject(cond, "baseline");
    cJSON *jb = cJSON_AddObjectToObject(cond, "candidate");
    cJSON *jd = cJSON_AddObjectToObject(cond, "difference");
    for (size_t i = 0; i < n; i++) {
        fs_json__add_num(ja, fig_names[i], a[i]);
        fs_json__add_num(jb, fig_names[i], b[i]);
        if (i != FIG_N) {
            fs_json__add_num(jd, fig_names[i], b[i] - a[i]);
        }
    }
}

static cJSON *ci_json(double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi)) {
        return cJSON_CreateNull();
    }
    double v[2] = { lo, hi };
    return cJSON_CreateDoubleArray(v, 2);
}

/* Newcombe's hybrid score interval (method 10) for p_b - p_a from Wilson intervals. */
static void newcombe(double *lo, double *hi, const fs_audit__cmp_pairing *p)
{
    double la, ua, lb, ub;
    fs_stats_wilson(&la, &ua, p->k_a, p->n_a, 0.95);
    fs_stats_wilson(&lb, &ub, p->k_b, p->n_b, 0.95);
    double pa = p->n_a ? (double)p->k_a / (double)p->n_a : NAN;
    double pb = p->n_b ? (double)p->k_b / (double)p->n_b : NAN;
    double d = pb - pa;
    *lo = d - sqrt((pb - lb) * (pb - lb) + (ua - pa) * (ua - pa));
    *hi = d + sqrt((ub - pb) * (ub - pb) + (pa - la) * (pa - la));
}

static void pairing_notes(fs_buf *note, const fs_audit__cmp_pairing *p)
{
    if (p->matched == 0) {
        fs_buf_puts(note, "no variant is in both runs, so the samples are independent. ");
    } else if (p->differ > 0) {
        fs_buf_printf(note,
                      "%zu of the %zu variants present in both runs differ in text (another "
                      "seed, other parameters or lexicons): the runs did not send the same "
                      "inputs, so the comparison is unpaired. ",
                      p->differ, p->matched);
    } else if (p->pairs == 0) {
        fs_buf_puts(note, "no variant was answered in both runs, so nothing can be paired. ");
    }
    if (p->paired && (p->pairs < p->n_a || p->pairs < p->n_b)) {
        fs_buf_printf(note,
                      "%zu scored variants of the baseline and %zu of the candidate have no "
                      "scored counterpart and are left out of the paired test. ",
                      p->n_a - p->pairs, p->n_b - p->pairs);
    }
    if (p->paired && p->pairs > p->n_records) {
        fs_buf_puts(note, "Several variants per record: McNemar's test counts each variant "
                          "pair as independent; the interval resamples whole records. ");
    }
}

static fs_status test_json(cJSON *cond, const fs_audit__cmp_pairing *p, const fs_config *cfg,
                           const char *label, fs_error *err)
{
    double lo = NAN, hi = NAN, pv;
    const char *test = NULL;
    fs_status st = FS_OK;
    if (p->paired) {
        uint64_t seed = cfg->seed ^ fs_hash_u64(label, strlen(label));
        st = fs_audit__cmp_pair_ci(&lo, &hi, p, cfg->bootstrap, seed, err);
        pv = fs_stats_mcnemar_exact(p->a_only, p->b_only);
        test = "exact McNemar test";
    } else {
        newcombe(&lo, &hi, p);
        pv = fs_stats_proportion_test(p->k_a, p->n_a, p->k_b, p->n_b, &test);
    }
    if (st != FS_OK) {
        return st;
    }
    size_t na = p->paired ? p->pairs : p->n_a, nb = p->paired ? p->pairs : p->n_b;
    size_t ka = p->paired ? p->both + p->a_only : p->k_a;
    size_t kb = p->paired ? p->both + p->b_only : p->k_b;
    double acc_a = na ? (double)ka / (double)na : NAN, acc_b = nb ? (double)kb / (double)nb : NAN;
    cJSON *t = cJSON_AddObjectToObject(cond, "test");
    cJSON_AddBoolToObject(t, "paired", p->paired);
    fs_json__add_str(t, "test", test);
    cJSON_AddNumberToObject(t, "n_baseline", (double)na);
    cJSON_AddNumberToObject(t, "n_candidate", (double)nb);
    fs_json__add_num(t, "accuracy_baseline", acc_a);
    fs_json__add_num(t, "accuracy_candidate", acc_b);
    fs_json__add_num(t, "difference", acc_b - acc_a);
    cJSON_AddItemToObject(t, "ci95", ci_json(lo, hi));
    fs_json__add_num(t, "p_value", pv);
    cJSON_AddNumberToObject(t, "matched", (double)p->matched);
    cJSON_AddNumberToObject(t, "differ", (double)p->differ);
    if (p->paired) {
        cJSON_AddNumberToObject(t, "pairs", (double)p->pairs);
        cJSON_AddNumberToObject(t, "records", (double)p->n_records);
        cJSON_AddNumberToObject(t, "baseline_only_correct", (double)p->a_only);
        cJSON_AddNumberToObject(t, "candidate_only_correct", (double)p->b_only);
    }
    fs_buf note;
    fs_buf_init(&note, 0);
    pairing_notes(&note, p);
    if (note.len > 0) {
        note.data[--note.len] = '\0'; /* the trailing space */
        fs_json__add_str(t, "note", note.data);
    }
    st = fs_buf_status(&note);
    fs_buf_dispose(&note);
    return st == FS_OK ? FS_OK : FS_FAIL(err, st, "out of memory");
}

typedef struct target_pair {
    const run *a, *b;
    const char *name_a, *name_b;
    fs_audit__cmp_rows rows_a, rows_b;
    fs_compare_result *res;
} target_pair;

static fs_status condition_json(cJSON *conds, target_pair *tp, const char *cond, fs_error *err)
{
    double fa[N_FIGS], fb[N_FIGS];
    const cJSON *ta =
        find_by(cJSON_GetObjectItemCaseSensitive(tp->a->report, "targets"), "name", tp->name_a);
    const cJSON *tb =
        find_by(cJSON_GetObjectItemCaseSensitive(tp->b->report, "targets"), "name", tp->name_b);
    figures(fa, ta, cond);
    figures(fb, tb, cond);
    cJSON *c = cJSON_CreateObject();
    cJSON_AddItemToArray(conds, c);
    fs_json__add_str(c, "condition", cond);
    add_figures(c, fa, fb, strcmp(cond, "clean") == 0);
    fs_audit__cmp_pairing p;
    fs_status st = fs_audit__cmp_pair(&p, &tp->rows_a, &tp->rows_b, cond, err);
    if (st == FS_OK) {
        st = test_json(c, &p, tp->b->cfg, cond, err);
        tp->res->conditions++;
        tp->res->paired += p.paired;
    }
    fs_audit__cmp_pair_dispose(&p);
    return st;
}

static bool has_perturbation(const fs_config *cfg, const char *label)
{
    for (size_t i = 0; i < cfg->n_perturbations; i++) {
        if (strcmp(cfg->perturbations[i].label, label) == 0) {
            return true;
        }
    }
    return false;
}

static fs_status target_pair_json(cJSON *targets, target_pair *tp, fs_error *err)
{
    const fs_config *ca = tp->a->cfg, *cb = tp->b->cfg;
    fs_status st = fs_audit__cmp_rows_load(&tp->rows_a, tp->a->store, tp->name_a,
                                           (const char *const *)ca->labels, ca->n_labels, err);
    if (st == FS_OK) {
        st = fs_audit__cmp_rows_load(&tp->rows_b, tp->b->store, tp->name_b,
                                     (const char *const *)cb->labels, cb->n_labels, err);
    }
    cJSON *t = cJSON_CreateObject();
    cJSON_AddItemToArray(targets, t);
    fs_json__add_str(t, "baseline", tp->name_a);
    fs_json__add_str(t, "candidate", tp->name_b);
    cJSON *conds = cJSON_AddArrayToObject(t, "conditions");
    if (st == FS_OK) {
        st = condition_json(conds, tp, "clean", err);
    }
    for (size_t i = 0; st == FS_OK && i < ca->n_perturbations; i++) {
        const char *label = ca->perturbations[i].label;
        st = has_perturbation(cb, label) ? condition_json(conds, tp, label, err) : FS_OK;
    }
    fs_audit__cmp_rows_dispose(&tp->rows_a);
    fs_audit__cmp_rows_dispose(&tp->rows_b);
    return st;
}

static const char *target_in(const fs_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_targets; i++) {
        if (strcmp(cfg->targets[i].name, name) == 0) {
            return cfg->targets[i].name;
        }
    }
    return NULL;
}

/* Perturbations of one run that the other did not run, and targets likewise. */
static void unmatched_json(cJSON *root, const fs_config *ca, const fs_config *cb, bool single)
{
    cJSON *perts = cJSON_AddArrayToObject(root, "unmatched_perturbations");
    cJSON *targets = cJSON_AddArrayToObject(root, "unmatched_targets");
    for (size_t k = 0; k < 2; k++) {
        const fs_config *x = k ? cb : ca, *y = k ? ca : cb;
        const char *side = k ? "candidate" : "baseline";
        for (size_t i = 0; perts != NULL && i < x->n_perturbations; i++) {
            if (!has_perturbation(y, x->perturbations[i].label)) {
                cJSON *u = cJSON_CreateObject();
                cJSON_AddItemToArray(perts, u);
                fs_json__add_str(u, "perturbation", x->perturbations[i].label);
                fs_json__add_str(u, "only_in", side);
            }
        }
        for (size_t i = 0; targets != NULL && !single && i < x->n_targets; i++) {
            if (target_in(y, x->targets[i].name) == NULL) {
                cJSON *u = cJSON_CreateObject();
                cJSON_AddItemToArray(targets, u);
                fs_json__add_str(u, "target", x->targets[i].name);
                fs_json__add_str(u, "only_in", side);
            }
        }
    }
}

static fs_status targets_json(cJSON *root, const run *a, const run *b, fs_compare_result *res,
                              fs_error *err)
{
    cJSON *targets = cJSON_AddArrayToObject(root, "targets");
    bool single = a->cfg->n_targets == 1 && b->cfg->n_targets == 1;
    fs_status st = FS_OK;
    for (size_t i = 0; st == FS_OK && i < a->cfg->n_targets; i++) {
        const char *na = a->cfg->targets[i].name;
        const char *nb = single ? b->cfg->targets[0].name : target_in(b->cfg, na);
        target_pair tp;
        memset(&tp, 0, sizeof tp);
        tp.a = a;
        tp.b = b;
        tp.name_a = na;
        tp.name_b = nb;
        tp.res = res;
        res->targets += nb != NULL;
        st = nb ? target_pair_json(targets, &tp, err) : FS_OK;
    }
    unmatched_json(root, a->cfg, b->cfg, single);
    return st;
}

static cJSON *method_json(const run *b)
{
    cJSON *m = cJSON_CreateObject();
    fs_json__add_str(m, "difference", "candidate minus baseline");
    fs_json__add_str(m, "pairing",
                     "variants are matched on record id and perturbation; the comparison is "
                     "paired when every matched variant has the same text in both runs");
    fs_json__add_str(m, "paired_test", "exact McNemar test on per-variant correctness");
    fs_json__add_str(m, "paired_ci", "95% percentile bootstrap over records");
    cJSON_AddNumberToObject(m, "bootstrap_resamples", (double)b->cfg->bootstrap);
    fs_json__add_str(m, "unpaired_test",
                     "Fisher's exact test when an expected count is below 5, else the pooled "
                     "two-proportion z-test");
    fs_json__add_str(m, "unpaired_ci", "Newcombe's hybrid score interval (Wilson based)");
    fs_json__add_str(m, "multiple_comparisons", "none: p-values are per condition");
    return m;
}

static fs_status compare_json(char **out, const run *a, const run *b, fs_compare_result *res,
                              fs_error *err)
{
    cJSON *root = cJSON_CreateObject();
    if (root == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_json__add_str(root, "schema", "fairshake.compare/1");
    cJSON *tool = cJSON_AddObjectToObject(root, "tool");
    fs_json__add_str(tool, "name", "fairshake");
    fs_json__add_str(tool, "version", fs_version());
    cJSON_AddItemToObject(root, "baseline", run_json(a));
    cJSON_AddItemToObject(root, "candidate", run_json(b));
    fs_status st = targets_json(root, a, b, res, err);
    cJSON_AddItemToObject(root, "methodology", method_json(b));
    if (st == FS_OK) {
        char *text = fs_json__print(root, true);
        *out = text ? fs_strdup(text) : NULL;
        fs_json__free(text);
        st = *out ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(root);
    return st;
}

fs_status fs_audit_compare(const char *run_a, const char *run_b, const char *out_dir,
                           fs_compare_result *out, fs_error *err)
{
    run a, b;
    char *json = NULL;
    const char *dir = out_dir ? out_dir : run_b;
    memset(out, 0, sizeof *out);
    memset(&b, 0, sizeof b);
    fs_status st = run_open(&a, run_a, err);
    if (st == FS_OK) {
        st = run_open(&b, run_b, err);
    }
    if (st == FS_OK) {
        st = compare_json(&json, &a, &b, out, err);
    }
    if (st == FS_OK && mkdir(dir, 0777) != 0 && errno != EEXIST) {
        st = FS_FAIL(err, FS_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    }
    if (st == FS_OK) {
        st = fs_report_write_compare(dir, json, strlen(json), err);
    }
    if (st == FS_OK) {
        snprintf(out->out_dir, sizeof out->out_dir, "%s", dir);
    }
    fs_free(json);
    run_close(&a);
    run_close(&b);
    return st;
}
