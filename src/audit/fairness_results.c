/* The fairness section of report.json, from the run store alone.
 *
 * Counterfactual axes: every stored variant named "cf:<axis>:<from>><to>" is the record
 * with its mentions of the axis moved from group <from> (the one it mentions most) to
 * group <to>. A record is applicable to an axis when it has at least one such variant;
 * the others are counted as not applicable, never scored as unchanged pairs. Per axis the
 * pairs (clean answer, counterfactual answer) are scored together, with the bootstrap
 * resampling records (a record may have several target groups), and per (from, to) pair
 * of groups with McNemar's exact and mid-p tests. Group metrics come from the dataset's
 * group field on the clean answers. Every p-value of the section is then adjusted with
 * Holm–Bonferroni across all axes, groups, metrics and targets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "fairshake/score.h"
#include "fairshake/stats.h"

typedef struct cf_obs {
    size_t rec;
    size_t from, to; /* group indices of the axis */
    int cell;
} cf_obs;

typedef struct cf_axis {
    char *name;
    char **groups;
    size_t n_groups, cap_groups;
    cf_obs *obs;
    size_t n_obs, cap_obs;
    uint64_t errors;
} cf_axis;

/* A flipped pair chosen as an example, with its texts. */
typedef struct cf_example {
    size_t axis, rec, from, to;
    char *id, *clean_text, *clean_answer, *cf_text, *cf_answer;
    int cf_cell;
} cf_example;

typedef struct cf_data {
    const fs_audit__view *v;
    cf_axis *axes;
    size_t n_axes, cap_axes;
    cf_example *ex;
    size_t n_ex, cap_ex;
    fs_error *err;
} cf_data;

static int cell_of(const fs_audit__view *v, const fs_outcome *o)
{
    if (o == NULL) {
        return FS_AUDIT__MISSING;
    }
    if (o->status != FS_OK) {
        return FS_AUDIT__ERROR;
    }
    for (size_t i = 0; o->prediction != NULL && i < v->cfg->n_labels; i++) {
        if (strcmp(v->cfg->labels[i], o->prediction) == 0) {
            return (int)i;
        }
    }
    return FS_AUDIT__UNPARSED;
}

static size_t examples_of(const cf_data *d, size_t axis)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_ex; i++) {
        n += d->ex[i].axis == axis;
    }
    return n;
}

static fs_status dup2(char **text, char **answer, const fs_variant *var, const fs_outcome *o,
                      fs_error *err)
{
    *text = fs_strdup(var->text);
    *answer = (o != NULL && o->answer != NULL) ? fs_strdup(o->answer) : NULL;
    if (*text == NULL || (o != NULL && o->answer != NULL && *answer == NULL)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return FS_OK;
}

/* Keep the first flipped pairs of each axis as examples (rows come in record order, and a
 * record's counterfactual rows before its clean row, which fills the clean side). */
static fs_status keep_example(cf_data *d, size_t axis, const cf_obs *ob, const fs_variant *var,
                              const fs_outcome *o)
{
    int clean = d->v->clean[ob->rec];
    if (clean < FS_AUDIT__UNPARSED || ob->cell < FS_AUDIT__UNPARSED || clean == ob->cell ||
        examples_of(d, axis) >= d->v->cfg->examples) {
        return FS_OK;
    }
    if (!fs_audit__grow((void **)&d->ex, &d->cap_ex, d->n_ex + 1, sizeof *d->ex)) {
        return FS_FAIL(d->err, FS_ERR_NOMEM, "out of memory");
    }
    cf_example *e = &d->ex[d->n_ex++];
    memset(e, 0, sizeof *e);
    e->axis = axis;
    e->rec = ob->rec;
    e->from = ob->from;
    e->to = ob->to;
    e->cf_cell = ob->cell;
    e->id = fs_strdup(var->record_id);
    if (e->id == NULL) {
        return FS_FAIL(d->err, FS_ERR_NOMEM, "out of memory");
    }
    return dup2(&e->cf_text, &e->cf_answer, var, o, d->err);
}

static fs_status fill_clean(cf_data *d, const fs_variant *var, const fs_outcome *o)
{
    for (size_t i = 0; i < d->n_ex; i++) {
        cf_example *e = &d->ex[i];
        if (e->rec == (size_t)var->record_index && e->clean_text == NULL) {
            fs_status st = dup2(&e->clean_text, &e->clean_answer, var, o, d->err);
            if (st != FS_OK) {
                return st;
            }
        }
    }
    return FS_OK;
}

/* Parse "cf:<axis>:<from>><to>" and record the observation. */
static fs_status on_cf_row(const fs_variant *var, const fs_outcome *o, void *payload)
{
    cf_data *d = payload;
    const char *p = var->perturbation;
    if (strcmp(p, "clean") == 0 && (size_t)var->record_index < d->v->n_rec) {
        return fill_clean(d, var, o);
    }
    const char *colon = strchr(p + 3, ':'), *arrow = colon ? strchr(colon, '>') : NULL;
    size_t r = (size_t)var->record_index;
    if (strncmp(p, "cf:", 3) != 0 || colon == NULL || arrow == NULL || r >= d->v->n_rec) {
        return FS_OK;
    }
    size_t axis_cap = d->cap_axes;
    long a = -1;
    for (size_t i = 0; i < d->n_axes; i++) {
        if (strlen(d->axes[i].name) == (size_t)(colon - p - 3) &&
            memcmp(d->axes[i].name, p + 3, (size_t)(colon - p - 3)) == 0) {
            a = (long)i;
        }
    }
    if (a < 0) {
        if (!fs_audit__grow((void **)&d->axes, &axis_cap, d->n_axes + 1, sizeof *d->axes)) {
            return FS_FAIL(d->err, FS_ERR_NOMEM, "out of memory");
        }
        d->cap_axes = axis_cap;
        memset(&d->axes[d->n_axes], 0, sizeof *d->axes);
        d->axes[d->n_axes].name = fs_strndup(p + 3, (size_t)(colon - p - 3));
        if (d->axes[d->n_axes].name == NULL) {
            return FS_FAIL(d->err, FS_ERR_NOMEM, "out of memory");
        }
        a = (long)d->n_axes++;
    }
    cf_axis *ax = &d->axes[a];
    long from = fs_audit__intern(&ax->groups, &ax->n_groups, &ax->cap_groups, colon + 1,
                                 (size_t)(arrow - colon - 1));
    long to =
        fs_audit__intern(&ax->groups, &ax->n_groups, &ax->cap_groups, arrow + 1, strlen(arrow + 1));
    if (from < 0 || to < 0 ||
        !fs_audit__grow((void **)&ax->obs, &ax->cap_obs, ax->n_obs + 1, sizeof *ax->obs)) {
        return FS_FAIL(d->err, FS_ERR_NOMEM, "out of memory");
    }
    cf_obs *ob = &ax->obs[ax->n_obs++];
    ob->rec = r;
    ob->from = (size_t)from;
    ob->to = (size_t)to;
    ob->cell = cell_of(d->v, o);
    ax->errors += ob->cell == FS_AUDIT__ERROR;
    return keep_example(d, (size_t)a, ob, var, o);
}

static void cf_data_dispose(cf_data *d)
{
    for (size_t a = 0; a < d->n_axes; a++) {
        for (size_t g = 0; g < d->axes[a].n_groups; g++) {
            fs_free(d->axes[a].groups[g]);
        }
        fs_free(d->axes[a].groups);
        fs_free(d->axes[a].obs);
        fs_free(d->axes[a].name);
    }
    fs_free(d->axes);
    for (size_t i = 0; i < d->n_ex; i++) {
        fs_free(d->ex[i].id);
        fs_free(d->ex[i].clean_text);
        fs_free(d->ex[i].clean_answer);
        fs_free(d->ex[i].cf_text);
        fs_free(d->ex[i].cf_answer);
    }
    fs_free(d->ex);
    memset(d, 0, sizeof *d);
}

/* ---- counterfactual axes ------------------------------------------------------------- */

typedef struct pairs {
    int *gold, *clean, *cf;
    size_t n;
    size_t *starts; /* records: first pair of each */
    size_t clusters;
    bool multi; /* some record has more than one pair */
} pairs;

static void pairs_dispose(pairs *p)
{
    fs_free(p->gold);
    fs_free(p->clean);
    fs_free(p->cf);
    fs_free(p->starts);
    memset(p, 0, sizeof *p);
}

/* The scorable pairs of an axis, optionally only (from, to); obs are in record order. */
static fs_status gather(pairs *out, const fs_audit__view *v, const cf_axis *ax, long from, long to,
                        fs_error *err)
{
    memset(out, 0, sizeof *out);
    out->gold = fs_calloc(ax->n_obs + 1, sizeof(int));
    out->clean = fs_calloc(ax->n_obs + 1, sizeof(int));
    out->cf = fs_calloc(ax->n_obs + 1, sizeof(int));
    out->starts = fs_calloc(ax->n_obs + 2, sizeof(size_t));
    if (out->gold == NULL || out->clean == NULL || out->cf == NULL || out->starts == NULL) {
        pairs_dispose(out);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    size_t last = (size_t)-1;
    for (size_t i = 0; i < ax->n_obs; i++) {
        const cf_obs *ob = &ax->obs[i];
        int g = v->gold[ob->rec], c = v->clean[ob->rec];
        if ((from >= 0 && ob->from != (size_t)from) || (to >= 0 && ob->to != (size_t)to) || g < 0 ||
            c < FS_AUDIT__UNPARSED || ob->cell < FS_AUDIT__UNPARSED) {
            continue;
        }
        if (ob->rec != last) {
            out->starts[out->clusters++] = out->n;
            last = ob->rec;
        } else {
            out->multi = true;
        }
        out->gold[out->n] = g;
        out->clean[out->n] = c;
        out->cf[out->n] = ob->cell;
        out->n++;
    }
    out->starts[out->clusters] = out->n;
    return FS_OK;
}

static int favourable_index(const fs_config *cfg)
{
    for (size_t i = 0; i < cfg->n_labels; i++) {
        if (strcmp(cfg->labels[i], cfg->favourable) == 0) {
            return (int)i;
        }
    }
    return 0;
}

static uint64_t stream(const fs_config *cfg, const char *a, const char *b)
{
    fs_buf k;
    fs_buf_init(&k, 0);
    fs_buf_printf(&k, "fairness\n%s\n%s", a, b ? b : "");
    uint64_t h = cfg->seed ^ fs_hash_u64(fs_buf_cstr(&k), k.len);
    fs_buf_dispose(&k);
    return h;
}

/* One (from, to) pair of groups: McNemar exact and mid-p on the paired correctness. */
static fs_status pair_json(cJSON *arr, const fs_audit__view *v, const cf_axis *ax, size_t from,
                           size_t to, fs_error *err)
{
    pairs p;
    fs_counterfactual cf;
    fs_counterfactual_init(&cf);
    fs_status st = gather(&p, v, ax, (long)from, (long)to, err);
    if (st == FS_OK && p.n == 0) {
        pairs_dispose(&p);
        return FS_OK;
    }
    if (st == FS_OK) {
        fs_counterfactual_input in = { p.gold,
                                       p.clean,
                                       p.cf,
                                       p.n,
                                       v->cfg->n_labels,
                                       favourable_index(v->cfg),
                                       stream(v->cfg, ax->groups[from], ax->groups[to]),
                                       v->cfg->bootstrap };
        st = fs_score_counterfactual(&cf, &in, err);
    }
    if (st == FS_OK) {
        const char *why = cf.reason[0] ? cf.reason : "not computable";
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        fs_json__add_str(e, "from", ax->groups[from]);
        fs_json__add_str(e, "to", ax->groups[to]);
        cJSON_AddNumberToObject(e, "n", (double)cf.n);
        cJSON_AddNumberToObject(e, "flips", (double)cf.flips);
        fs_audit__num(e, "flip_rate", cf.flip_rate, why);
        cJSON_AddItemToObject(e, "flip_rate_ci95",
                              fs_audit__pair(cf.flip_ci95[0], cf.flip_ci95[1]));
        cJSON_AddNumberToObject(e, "to_favorable", (double)cf.to_favourable);
        cJSON_AddNumberToObject(e, "from_favorable", (double)cf.from_favourable);
        fs_audit__num(e, "delta_accuracy", cf.delta_accuracy, why);
        cJSON_AddItemToObject(e, "delta_accuracy_ci95",
                              fs_audit__pair(cf.ci95_accuracy[0], cf.ci95_accuracy[1]));
        fs_audit__num(e, "p_value", cf.p_exact, why);
        fs_audit__num(e, "p_midp", cf.p_midp, why);
        fs_json__add_str(e, "test", "exact McNemar test (and mid-p)");
    }
    fs_counterfactual_dispose(&cf);
    pairs_dispose(&p);
    return st;
}

static cJSON *examples_json(const cf_data *d, size_t axis)
{
    const fs_config *cfg = d->v->cfg;
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr != NULL && i < d->n_ex; i++) {
        const cf_example *x = &d->ex[i];
        if (x->axis != axis) {
            continue;
        }
        const cf_axis *ax = &d->axes[axis];
        int clean = d->v->clean[x->rec], gold = d->v->gold[x->rec];
        cJSON *e = cJSON_CreateObject(), *o = cJSON_CreateObject(), *c = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        fs_json__add_str(e, "record_id", x->id);
        fs_json__add_str(e, "label", gold >= 0 ? cfg->labels[gold] : NULL);
        fs_json__add_str(e, "from", ax->groups[x->from]);
        fs_json__add_str(e, "to", ax->groups[x->to]);
        fs_json__add_str(o, "input", x->clean_text);
        fs_json__add_str(o, "answer", x->clean_answer);
        fs_json__add_str(o, "prediction", clean >= 0 ? cfg->labels[clean] : NULL);
        fs_json__add_str(c, "input", x->cf_text);
        fs_json__add_str(c, "answer", x->cf_answer);
        fs_json__add_str(c, "prediction", x->cf_cell >= 0 ? cfg->labels[x->cf_cell] : NULL);
        cJSON_AddItemToObject(e, "original", o);
        cJSON_AddItemToObject(e, "counterfactual", c);
    }
    return arr;
}

static size_t applicable_records(const fs_audit__view *v, const cf_axis *ax)
{
    size_t n = 0, last = (size_t)-1;
    for (size_t i = 0; i < ax->n_obs; i++) {
        if (ax->obs[i].rec != last && ax->obs[i].rec < v->n_rec) {
            n++;
            last = ax->obs[i].rec;
        }
    }
    return n;
}

static fs_status axis_json(cJSON *arr, const cf_data *d, size_t a, fs_error *err)
{
    const fs_audit__view *v = d->v;
    const cf_axis *ax = &d->axes[a];
    pairs p;
    fs_robustness rob;
    fs_robustness_init(&rob);
    fs_status st = gather(&p, v, ax, -1, -1, err);
    if (st == FS_OK) {
        fs_robustness_input in = { p.gold,
                                   p.clean,
                                   p.cf,
                                   p.n,
                                   v->cfg->n_labels,
                                   stream(v->cfg, ax->name, NULL),
                                   v->cfg->bootstrap,
                                   p.multi ? p.starts : NULL,
                                   p.multi ? p.clusters : 0 };
        st = fs_score_robustness(&rob, &in, err);
    }
    if (st != FS_OK) {
        pairs_dispose(&p);
        return st;
    }
    const char *none = "no applicable record has an answer both original and counterfactual";
    size_t applicable = applicable_records(v, ax);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, e);
    fs_json__add_str(e, "axis", ax->name);
    fs_json__add_str(e, "kind", "counterfactual");
    cJSON_AddNumberToObject(e, "records", (double)v->n_rec);
    cJSON_AddNumberToObject(e, "applicable", (double)applicable);
    cJSON_AddNumberToObject(e, "not_applicable", (double)(v->n_rec - applicable));
    cJSON_AddNumberToObject(e, "n", (double)p.n);
    cJSON_AddNumberToObject(e, "errors", (double)ax->errors);
    cJSON_AddNumberToObject(e, "flips", (double)rob.flips);
    fs_audit__num(e, "counterfactual_flip_rate", rob.flip_rate, none);
    cJSON_AddItemToObject(e, "counterfactual_flip_rate_ci95",
                          fs_audit__pair(rob.flip_ci95[0], rob.flip_ci95[1]));
    fs_audit__num(e, "delta_accuracy", rob.delta_accuracy, none);
    cJSON_AddItemToObject(e, "delta_accuracy_ci95",
                          fs_audit__pair(rob.ci95_accuracy[0], rob.ci95_accuracy[1]));
    fs_audit__num(e, "p_value", rob.p_value, none);
    fs_json__add_str(e, "test", p.n ? rob.test : NULL);
    cJSON *pairs_arr = cJSON_AddArrayToObject(e, "pairs");
    for (size_t f = 0; st == FS_OK && f < ax->n_groups; f++) {
        for (size_t t = 0; st == FS_OK && t < ax->n_groups; t++) {
            st = f == t ? FS_OK : pair_json(pairs_arr, v, ax, f, t, err);
        }
    }
    cJSON_AddItemToObject(e, "examples", examples_json(d, a));
    fs_robustness_dispose(&rob);
    pairs_dispose(&p);
    return st;
}

/* ---- group metrics -------------------------------------------------------------------- */

static void value_json(cJSON *obj, const char *key, const fs_fair_value *v)
{
    fs_audit__num(obj, key, v->value, v->reason[0] ? v->reason : "not computable");
}

static cJSON *gap_json(const fs_fair_gap *g, char *const *names)
{
    cJSON *o = cJSON_CreateObject();
    fs_audit__num(o, "value", g->value.value,
                  g->value.reason[0] ? g->value.reason : "not computable");
    if (isfinite(g->ci95[0]) && isfinite(g->ci95[1])) {
        cJSON_AddItemToObject(o, "ci95", fs_audit__pair(g->ci95[0], g->ci95[1]));
    } else {
        cJSON_AddNullToObject(o, "ci95");
        fs_json__add_str(o, "ci95_reason", g->ci_reason[0] ? g->ci_reason : "not computable");
    }
    fs_audit__num(o, "p_value", g->p_value, g->p_reason[0] ? g->p_reason : "no test applies");
    fs_json__add_str(o, "test", g->test);
    if (g->group_a >= 0 && g->group_b >= 0) {
        const char *ab[2] = { names[g->group_a], names[g->group_b] };
        cJSON_AddItemToObject(o, "groups", cJSON_CreateStringArray(ab, 2));
    }
    return o;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct group values, sorted, and each record's index (-1: no group or no answer). */
static fs_status group_index(const fs_audit__view *v, char ***names_out, size_t *n_out, int *idx,
                             fs_error *err)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (size_t r = 0; r < v->n_rec; r++) {
        if (v->group[r] != NULL &&
            fs_audit__intern(&names, &n, &cap, v->group[r], strlen(v->group[r])) < 0) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    if (n > 1) {
        qsort(names, n, sizeof *names, name_cmp);
    }
    for (size_t r = 0; r < v->n_rec; r++) {
        idx[r] = -1;
        for (size_t g = 0; v->group[r] != NULL && v->clean[r] >= FS_AUDIT__UNPARSED && g < n; g++) {
            idx[r] = strcmp(names[g], v->group[r]) == 0 ? (int)g : idx[r];
        }
    }
    *names_out = names;
    *n_out = n;
    return FS_OK;
}

static void group_entries(cJSON *arr, const fs_fairness *f, char *const *names)
{
    for (size_t g = 0; g < f->n_groups; g++) {
        const fs_fair_group *gr = &f->groups[g];
        cJSON *e = cJSON_CreateObject(), *m = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        fs_json__add_str(e, "group", names[g]);
        cJSON_AddNumberToObject(e, "n", (double)gr->n);
        cJSON_AddNumberToObject(e, "positives", (double)gr->positives);
        cJSON_AddNumberToObject(e, "negatives", (double)gr->negatives);
        cJSON_AddNumberToObject(e, "predicted_favorable", (double)gr->predicted_favourable);
        value_json(e, "positive_rate", &gr->selection_rate);
        value_json(m, "accuracy", &gr->accuracy);
        value_json(m, "macro_f1", &gr->macro_f1);
        value_json(m, "tpr", &gr->tpr);
        value_json(m, "fpr", &gr->fpr);
        value_json(m, "base_rate", &gr->base_rate);
        cJSON_AddItemToObject(e, "metrics", m);
        cJSON_AddItemToObject(e, "disparate_impact", gap_json(&gr->disparate_impact, names));
        cJSON_AddBoolToObject(e, "four_fifths_flag", gr->four_fifths_flag);
        cJSON_AddItemToObject(e, "selection_rate_diff", gap_json(&gr->selection_rate_diff, names));
        cJSON_AddItemToObject(e, "accuracy_diff", gap_json(&gr->accuracy_diff, names));
        cJSON_AddItemToObject(e, "equal_opportunity_diff", gap_json(&gr->tpr_diff, names));
        cJSON_AddItemToObject(e, "fpr_diff", gap_json(&gr->fpr_diff, names));
        cJSON_AddItemToObject(e, "average_odds_diff", gap_json(&gr->average_odds_diff, names));
    }
}

static fs_status fairness_groups(cJSON *arr, const fs_audit__view *v, fs_error *err)
{
    const fs_config *cfg = v->cfg;
    char **names = NULL;
    size_t n_names = 0;
    fs_fairness f;
    fs_fairness_init(&f);
    int *idx = fs_calloc(v->n_rec + 1, sizeof *idx), *pred = fs_calloc(v->n_rec + 1, sizeof *pred);
    fs_status st = (idx && pred) ? group_index(v, &names, &n_names, idx, err)
                                 : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    const char *ref_name = fs_params_get(&cfg->reference, cfg->field_group);
    int ref = -1;
    for (size_t g = 0; st == FS_OK && ref_name != NULL && g < n_names; g++) {
        ref = strcmp(names[g], ref_name) == 0 ? (int)g : ref;
    }
    if (st == FS_OK && ref_name != NULL && ref < 0) {
        st = FS_FAIL(err, FS_ERR_CONFIG,
                     "%s: demographics.reference.%s: no record has the group '%s'", cfg->path,
                     cfg->field_group, ref_name);
    }
    if (st == FS_OK && n_names > 0) {
        for (size_t r = 0; r < v->n_rec; r++) {
            pred[r] = v->clean[r] >= FS_AUDIT__UNPARSED ? v->clean[r] : -1;
            idx[r] = v->gold[r] < 0 ? -1 : idx[r];
        }
        fs_fairness_input in = { v->gold,
                                 pred,
                                 idx,
                                 v->n_rec,
                                 cfg->n_labels,
                                 n_names,
                                 favourable_index(cfg),
                                 ref,
                                 (const char *const *)names,
                                 stream(cfg, cfg->field_group, NULL),
                                 cfg->bootstrap };
        st = fs_score_fairness(&f, &in, err);
    }
    if (st == FS_OK && n_names > 0) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        fs_json__add_str(e, "axis", cfg->field_group);
        fs_json__add_str(e, "kind", "group");
        cJSON_AddNumberToObject(e, "n", (double)f.n);
        cJSON_AddNumberToObject(e, "excluded", (double)f.n_excluded);
        fs_json__add_str(e, "favorable_label", cfg->favourable);
        fs_json__add_str(e, "reference", ref_name);
        group_entries(cJSON_AddArrayToObject(e, "groups"), &f, names);
        cJSON_AddItemToObject(e, "demographic_parity_difference",
                              gap_json(&f.demographic_parity_difference, names));
        cJSON_AddItemToObject(e, "demographic_parity_ratio",
                              gap_json(&f.demographic_parity_ratio, names));
        cJSON_AddItemToObject(e, "equal_opportunity_difference",
                              gap_json(&f.equal_opportunity_difference, names));
        cJSON_AddItemToObject(e, "equalized_odds_difference",
                              gap_json(&f.equalized_odds_difference, names));
        cJSON_AddItemToObject(e, "fpr_difference", gap_json(&f.fpr_difference, names));
        cJSON_AddItemToObject(e, "accuracy_difference", gap_json(&f.accuracy_difference, names));
        double min_di = NAN;
        for (size_t g = 0; g < f.n_groups; g++) {
            double di = f.groups[g].disparate_impact.value.value;
            if (isfinite(di) && (!isfinite(min_di) || di < min_di)) {
                min_di = di;
            }
        }
        fs_audit__num(e, "disparate_impact", min_di, "no group has a defined selection rate");
    }
    for (size_t g = 0; g < n_names; g++) {
        fs_free(names[g]);
    }
    fs_free(names);
    fs_free(idx);
    fs_free(pred);
    fs_fairness_dispose(&f);
    return st;
}

/* An axis of the config with no counterfactual variant at all. */
static void empty_axis_json(cJSON *arr, const fs_audit__view *v, const char *axis)
{
    const char *why = "no record mentions this axis";
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, e);
    fs_json__add_str(e, "axis", axis);
    fs_json__add_str(e, "kind", "counterfactual");
    cJSON_AddNumberToObject(e, "records", (double)v->n_rec);
    cJSON_AddNumberToObject(e, "applicable", 0);
    cJSON_AddNumberToObject(e, "not_applicable", (double)v->n_rec);
    cJSON_AddNumberToObject(e, "n", 0);
    fs_audit__num(e, "counterfactual_flip_rate", NAN, why);
    fs_audit__num(e, "p_value", NAN, why);
    cJSON_AddArrayToObject(e, "pairs");
    cJSON_AddArrayToObject(e, "examples");
}

fs_status fs_audit__fairness_json(cJSON *target_obj, const fs_audit__view *v, fs_store *store,
                                  const char *target, fs_error *err)
{
    cf_data d;
    memset(&d, 0, sizeof d);
    d.v = v;
    d.err = err;
    if (v->cfg->n_axes == 0 && v->cfg->field_group == NULL) {
        return FS_OK;
    }
    cJSON *arr = cJSON_AddArrayToObject(target_obj, "fairness");
    fs_status st = v->cfg->n_axes ? fs_store_each(store, target, on_cf_row, &d, err) : FS_OK;
    for (size_t i = 0; st == FS_OK && i < v->cfg->n_axes; i++) {
        size_t a = 0;
        while (a < d.n_axes && strcmp(d.axes[a].name, v->cfg->axes[i]) != 0) {
            a++;
        }
        if (a == d.n_axes) {
            empty_axis_json(arr, v, v->cfg->axes[i]);
        } else {
            st = axis_json(arr, &d, a, err);
        }
    }
    if (st == FS_OK && v->cfg->field_group != NULL) {
        st = fairness_groups(arr, v, err);
    }
    cf_data_dispose(&d);
    return st;
}

/* ---- Holm–Bonferroni over the whole section ------------------------------------------ */

typedef struct pvals {
    cJSON **obj;
    double *p;
    size_t n, cap;
} pvals;

static bool collect(pvals *pv, cJSON *node)
{
    for (cJSON *c = node ? node->child : NULL; c != NULL; c = c->next) {
        if (c->string != NULL && strcmp(c->string, "p_value") == 0 && cJSON_IsNumber(c)) {
            size_t cap = pv->cap;
            if (!fs_audit__grow((void **)&pv->obj, &cap, pv->n + 1, sizeof *pv->obj) ||
                !fs_audit__grow((void **)&pv->p, &pv->cap, pv->n + 1, sizeof *pv->p)) {
                return false;
            }
            pv->obj[pv->n] = node;
            pv->p[pv->n++] = c->valuedouble;
        }
        if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && !collect(pv, c)) {
            return false;
        }
    }
    return true;
}

fs_status fs_audit__fairness_holm(cJSON *root, fs_error *err)
{
    pvals pv;
    memset(&pv, 0, sizeof pv);
    fs_status st = FS_OK;
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(root, "targets");
    bool any = false;
    for (cJSON *t = targets ? targets->child : NULL; t != NULL; t = t->next) {
        cJSON *f = cJSON_GetObjectItemCaseSensitive(t, "fairness");
        any = any || f != NULL;
        if (f != NULL && !collect(&pv, f)) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    double *adj = st == FS_OK ? fs_calloc(pv.n + 1, sizeof *adj) : NULL;
    if (st == FS_OK && adj == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK && pv.n > 0) {
        st = fs_stats_holm(adj, pv.p, pv.n, err);
    }
    for (size_t i = 0; st == FS_OK && i < pv.n; i++) {
        fs_audit__num(pv.obj[i], "p_adjusted", adj[i], "no p-value");
    }
    if (st == FS_OK && any) {
        cJSON *s = cJSON_AddObjectToObject(root, "fairness_summary");
        cJSON_AddNumberToObject(s, "comparisons", (double)pv.n);
        fs_json__add_str(s, "correction", "Holm-Bonferroni over every fairness p-value of the run");
    }
    fs_free(adj);
    fs_free(pv.obj);
    fs_free(pv.p);
    return st;
}
