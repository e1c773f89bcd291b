/* Gates: each config gate is checked for every target and written to report.json's
 * "gates". Every gate reads the target's own report object, so it judges exactly the
 * figures the report shows (docs/gates.md lists which figure each gate reads). With
 * "ci95" a maximum is compared with the upper end of the 95% interval and a minimum with
 * the lower end: the gate passes only when the data rule the threshold out, not just the
 * point estimate. A value that cannot be computed fails the gate, with its reason. */
#include <math.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "core/json.h"

typedef struct gate_value {
    double value;
    bool at_least; /* threshold is a minimum (else a maximum) */
    const char *worst;
    const char *worst_key; /* "perturbation" or "axis" */
    const char *reason;
} gate_value;

static double jnum(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* End k (0 lower, 1 upper) of the interval under key; NaN when absent or null. */
static double jci(const cJSON *obj, const char *key, int k)
{
    const cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(obj, key), k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The worst of a list of entries (perturbations or axes), each valued by read(): the
 * largest for a maximum, the smallest for a minimum. An entry whose value is undefined
 * makes the whole gate undefined, since it could hide the worst case, unless skip_undefined
 * (the unscoped estimates of flip rates and metric losses take the worst of the entries
 * that have a value). */
typedef double (*entry_fn)(const cJSON *entry, bool ci, const char *mm);

static void worst_of(gate_value *g, const cJSON *list, const char *kind, const char *name_key,
                     const fs_config_gate *cg, entry_fn read, const char *mm, bool skip_undefined)
{
    bool any = false, skipped = false;
    g->value = NAN;
    for (const cJSON *e = list ? list->child : NULL; e != NULL; e = e->next) {
        const char *name = fs_json__str(e, name_key);
        if ((kind != NULL &&
             (fs_json__str(e, "kind") == NULL || strcmp(fs_json__str(e, "kind"), kind) != 0)) ||
            (cg->scope != NULL && (name == NULL || strcmp(name, cg->scope) != 0))) {
            continue;
        }
        double v = read(e, cg->ci_bound, mm);
        if (!isfinite(v) && skip_undefined) {
            skipped = true;
            continue;
        }
        if (!isfinite(v)) {
            g->value = NAN;
            g->worst = name;
            g->reason = cg->ci_bound ? "the interval could not be computed (no paired answers)"
                                     : "the value could not be computed (no paired answers)";
            return;
        }
        if (!any || (g->at_least ? v < g->value : v > g->value)) {
            g->value = v;
            g->worst = name;
        }
        any = true;
    }
    if (!any) {
        g->reason = skipped             ? "the value could not be computed (no paired answers)"
                    : cg->scope != NULL ? "the scope named in the gate was not run"
                                        : NULL;
    }
}

static double read_flip(const cJSON *e, bool ci, const char *mm)
{
    (void)mm;
    return ci ? jci(e, "flip_rate_ci95", 1) : jnum(e, "flip_rate");
}

static double read_delta(const cJSON *e, bool ci, const char *mm)
{
    /* The loss: clean minus perturbed, or perturbed minus clean for perplexity (lower is
     * better); its pessimistic end is the far end of the delta's interval. */
    const cJSON *ci95 = cJSON_GetObjectItemCaseSensitive(e, "ci95");
    if (strcmp(mm, "perplexity") == 0) {
        return ci ? jci(ci95, mm, 1) : jnum(cJSON_GetObjectItemCaseSensitive(e, "delta"), mm);
    }
    return ci ? -jci(ci95, mm, 0) : -jnum(cJSON_GetObjectItemCaseSensitive(e, "delta"), mm);
}

static double read_drop(const cJSON *e, bool ci, const char *mm)
{
    (void)mm;
    return ci ? NAN : jnum(e, "drop_rate");
}

static double read_cf_flip(const cJSON *e, bool ci, const char *mm)
{
    (void)mm;
    return ci ? jci(e, "counterfactual_flip_rate_ci95", 1) : jnum(e, "counterfactual_flip_rate");
}

/* The smallest disparate impact of a group field's groups that have one, or the smallest
 * lower end of their intervals (undefined when one of them has none). */
static double read_di(const cJSON *e, bool ci, const char *mm)
{
    (void)mm;
    double worst = NAN;
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(e, "groups");
    for (const cJSON *x = groups ? groups->child : NULL; x != NULL; x = x->next) {
        const cJSON *di = cJSON_GetObjectItemCaseSensitive(x, "disparate_impact");
        double v = ci ? jci(di, "ci95", 0) : jnum(di, "value");
        if (!isfinite(v) && !ci) {
            continue; /* a group without a defined selection rate has no ratio */
        }
        if (!isfinite(v)) {
            return NAN;
        }
        worst = isfinite(worst) && worst < v ? worst : v;
    }
    return worst;
}

static double read_parity(const cJSON *e, bool ci, const char *mm)
{
    (void)mm;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "demographic_parity_difference");
    return ci ? jci(d, "ci95", 1) : jnum(d, "value");
}

/* The clean main metric: accuracy for classification, else clean.main_metric. */
static double clean_main(const cJSON *clean, const char *mm)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(clean, "metrics");
    return mm != NULL ? jnum(m, mm) : NAN;
}

/* Worst over robustness[] or fairness[]: "nothing was run" when the list has no entry. */
static void worst_entry(gate_value *g, const cJSON *list, const char *kind, const char *key,
                        const fs_config_gate *cg, entry_fn read, const char *mm, bool skip,
                        const char *none)
{
    worst_of(g, list, kind, key, cg, read, mm, skip);
    if (!isfinite(g->value) && g->reason == NULL) {
        g->reason = none;
    }
}

/* One gate read from the target's report object. */
static gate_value evaluate(const fs_config_gate *cg, const fs_config *cfg, const cJSON *tgt)
{
    gate_value g = { NAN, false, NULL, "perturbation", "the value could not be computed" };
    const char *base = cg->base != NULL ? cg->base : cg->name;
    const char *no_ci = "this figure has no confidence interval";
    const char *no_pert = "no perturbation was run";
    bool ci = cg->ci_bound, classification = cfg->task == FS_TASK_CLASSIFICATION;
    /* unscoped estimates of flips and losses take the worst entry that has a value */
    bool skip = !ci && cg->scope == NULL;
    const cJSON *clean = cJSON_GetObjectItemCaseSensitive(tgt, "clean");
    const char *mm = classification ? "accuracy" : fs_json__str(clean, "main_metric");
    const char *delta_mm = mm != NULL ? mm : "accuracy";
    const cJSON *rob = cJSON_GetObjectItemCaseSensitive(tgt, "robustness");
    const cJSON *fair = cJSON_GetObjectItemCaseSensitive(tgt, "fairness");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(tgt, "identification");
    if (strcmp(base, "latency.max_p95_ms") == 0) {
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(clean, "latency_ms");
        g.value = ci ? NAN : jnum(lat, "p95");
        g.reason =
            ci ? no_ci : "no answer came from the model (all came from the cache or the store)";
    } else if (strcmp(base, "clean.min_accuracy") == 0 || strcmp(base, "clean.min_score") == 0) {
        g.at_least = true;
        g.value = !ci ? clean_main(clean, mm)
                      : jci(clean, classification ? "accuracy_ci95" : "main_metric_ci95", 0);
    } else if (strcmp(base, "clean.max_perplexity") == 0) {
        g.value = ci ? jci(clean, "main_metric_ci95", 1) : clean_main(clean, "perplexity");
    } else if (strcmp(base, "clean.min_macro_f1") == 0) {
        g.at_least = true;
        g.value = ci || !classification ? NAN : clean_main(clean, "macro_f1");
        g.reason = ci ? no_ci : g.reason;
    } else if (strcmp(base, "clean.max_parse_failure_rate") == 0) {
        double n = jnum(clean, "n");
        g.value = ci || !classification || !(n > 0) ? NAN : jnum(clean, "parse_failures") / n;
        g.reason = ci ? no_ci : g.reason;
    } else if (strcmp(base, "run.max_error_rate") == 0) {
        g.value = ci ? NAN : jnum(tgt, "error_rate");
        g.reason = ci ? no_ci : "no variant was stored";
    } else if (strcmp(base, "identification.min_recall") == 0) {
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(id, "quality");
        const cJSON *exact =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(q, "modes"), "exact");
        const cJSON *micro = cJSON_GetObjectItemCaseSensitive(exact, "micro");
        g.at_least = true;
        g.value = ci ? jci(micro, "recall_ci95", 0) : jnum(micro, "recall");
        g.reason = "no identification quality (task identification) or no gold item";
    } else if (strcmp(base, "identification.max_leak_rate") == 0) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(id, "disclosure");
        g.value = ci ? jci(d, "leak_rate_ci95", 1) : jnum(d, "leak_rate");
        g.reason = "no identification section or no sensitive item in the answered inputs";
    } else if (strcmp(base, "robustness.max_flip_rate") == 0) {
        worst_entry(&g, rob, NULL, "perturbation", cg, read_flip, delta_mm, skip, no_pert);
    } else if (strcmp(base, "robustness.max_accuracy_delta") == 0) {
        worst_entry(&g, rob, NULL, "perturbation", cg, read_delta, delta_mm, skip, no_pert);
    } else if (strcmp(base, "robustness.max_drop") == 0) {
        /* a drop rate is undefined only when the clean score is 0 or nothing is paired:
         * every perturbation then counts */
        worst_entry(&g, rob, NULL, "perturbation", cg, read_drop, delta_mm, false, no_pert);
        if (ci) {
            g.reason = "the drop rate has no interval; gate on robustness.max_accuracy_delta "
                       "with \"bound\": \"ci95\"";
        } else if (!isfinite(g.value) && g.worst != NULL) {
            g.reason = "a drop rate is undefined (clean score is 0 or no paired answers)";
        }
    } else if (strcmp(base, "fairness.max_counterfactual_flip_rate") == 0) {
        g.worst_key = "axis";
        worst_entry(&g, fair, "counterfactual", "axis", cg, read_cf_flip, delta_mm, skip,
                    "no counterfactual axis has an applicable record (demographics.axes)");
    } else if (strcmp(base, "fairness.min_disparate_impact") == 0 ||
               strcmp(base, "fairness.max_parity_difference") == 0) {
        bool di = strcmp(base, "fairness.min_disparate_impact") == 0;
        g.at_least = di;
        g.worst_key = "axis";
        worst_entry(&g, fair, "group", "axis", cg, di ? read_di : read_parity, delta_mm, false,
                    NULL);
        if (!isfinite(g.value)) {
            g.reason = ci ? "the interval could not be computed (a group has no defined "
                            "selection rate, or no group metrics)"
                          : "no group metrics (dataset.fields.group) or no defined selection rate";
        }
    } else {
        g.at_least = strstr(base, ".min_") != NULL;
    }
    return g;
}

void fs_audit__gates_json(cJSON *gates, const fs_config *cfg, const char *target, const cJSON *tgt,
                          size_t *failed)
{
    for (size_t i = 0; i < cfg->n_gates; i++) {
        const fs_config_gate *g = &cfg->gates[i];
        const char *base = g->base != NULL ? g->base : g->name;
        gate_value v = evaluate(g, cfg, tgt);
        if (strcmp(base, "fairness.max_counterfactual_flip_rate") == 0 &&
            cfg->task != FS_TASK_CLASSIFICATION) {
            /* a changed free-text answer is not a flipped prediction: answers that quote the
             * input change with the swap itself (docs/fairness.md) */
            v.value = NAN;
            v.worst = g->scope;
            v.reason = "the counterfactual flip rate is defined for classification only; "
                       "free-text tasks report answer_changed_rate and divergence per axis";
        }
        if ((strcmp(base, "fairness.min_disparate_impact") == 0 ||
             strcmp(base, "fairness.max_parity_difference") == 0) &&
            cfg->task != FS_TASK_CLASSIFICATION) {
            /* selection rates need a favourable label */
            v.value = NAN;
            v.worst = g->scope;
            v.reason = "defined for classification only (selection rates of a favourable "
                       "label); free-text tasks report the mean item score per group and its "
                       "differences in the fairness entry of kind group";
        }
        bool passed =
            isfinite(v.value) && (v.at_least ? v.value >= g->threshold : v.value <= g->threshold);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(gates, e);
        fs_json__add_str(e, "name", g->name);
        fs_json__add_str(e, "target", target);
        cJSON_AddNumberToObject(e, "threshold", g->threshold);
        fs_json__add_str(e, "comparison", v.at_least ? ">=" : "<=");
        fs_json__add_str(e, "bound", g->ci_bound ? "ci95" : "estimate");
        fs_audit__num(e, "value", v.value, v.reason);
        if (v.worst != NULL) {
            fs_json__add_str(e, v.worst_key, v.worst);
        }
        cJSON_AddBoolToObject(e, "passed", passed);
        *failed += !passed;
    }
}
