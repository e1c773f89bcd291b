/* Gates: each config gate is checked for every target and written to report.json's
 * "gates". A plain gate reads the target's summary (the worst value over perturbations or
 * axes); a gate with an '@' scope (one perturbation or axis), with "bound": "ci95", or on
 * latency reads the target's own report object, so it judges exactly the figures the
 * report shows. With "ci95" a maximum is compared with the upper end of the 95% interval
 * and a minimum with the lower end: the gate passes only when the data rule the threshold
 * out, not just the point estimate. A value that cannot be computed fails the gate, with
 * its reason. */
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

static gate_value gate_read(const char *name, const fs_audit__summary *s, size_t n_perts)
{
    gate_value g = { NAN, false, NULL, "perturbation", "the value could not be computed" };
    const char *no_pert = "no perturbation was run";
    if (strcmp(name, "clean.min_accuracy") == 0 || strcmp(name, "clean.min_score") == 0) {
        g.value = s->clean_accuracy;
        g.at_least = true;
    } else if (strcmp(name, "clean.max_perplexity") == 0) {
        g.value = s->clean_accuracy;
    } else if (strcmp(name, "clean.min_macro_f1") == 0) {
        g.value = s->clean_macro_f1;
        g.at_least = true;
    } else if (strcmp(name, "clean.max_parse_failure_rate") == 0) {
        g.value = s->parse_failure_rate;
    } else if (strcmp(name, "run.max_error_rate") == 0) {
        g.value = s->error_rate;
    } else if (strcmp(name, "robustness.max_drop") == 0) {
        g.value = s->drop_undefined ? NAN : s->max_drop;
        g.worst = s->worst_drop;
        g.reason = n_perts ? "a drop rate is undefined (clean accuracy is 0 or no paired "
                             "answers)"
                           : no_pert;
    } else if (strcmp(name, "robustness.max_flip_rate") == 0) {
        g.value = s->max_flip;
        g.worst = s->worst_flip;
        g.reason = n_perts ? g.reason : no_pert;
    } else if (strcmp(name, "robustness.max_accuracy_delta") == 0) {
        g.value = s->max_acc_delta;
        g.worst = s->worst_delta;
        g.reason = n_perts ? g.reason : no_pert;
    } else if (strcmp(name, "fairness.max_counterfactual_flip_rate") == 0) {
        g.value = s->fair.max_flip_rate;
        g.worst = s->fair.max_flip_axis;
        g.worst_key = "axis";
        g.reason = "no counterfactual axis has an applicable record (demographics.axes)";
    } else if (strcmp(name, "fairness.min_disparate_impact") == 0) {
        g.value = s->fair.min_disparate_impact;
        g.at_least = true;
        g.reason = "no group metrics (dataset.fields.group) or no defined selection rate";
    } else if (strcmp(name, "identification.min_recall") == 0) {
        g.value = s->id_recall;
        g.at_least = true;
        g.reason = "no identification quality (task identification) or no gold item";
    } else if (strcmp(name, "identification.max_leak_rate") == 0) {
        g.value = s->leak_rate;
        g.reason = "no identification section or no sensitive item in the answered inputs";
    } else if (strcmp(name, "fairness.max_parity_difference") == 0) {
        g.value = s->fair.parity_difference;
        g.reason = "no group metrics (dataset.fields.group) or no defined selection rate";
    }
    return g;
}

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
 * makes the whole gate undefined, since it could hide the worst case. */
typedef double (*entry_fn)(const cJSON *entry, bool ci, const char *mm);

static void worst_of(gate_value *g, const cJSON *list, const char *kind, const char *name_key,
                     const fs_config_gate *cg, entry_fn read, const char *mm)
{
    bool any = false;
    g->value = NAN;
    for (const cJSON *e = list ? list->child : NULL; e != NULL; e = e->next) {
        const char *name = fs_json__str(e, name_key);
        if ((kind != NULL &&
             (fs_json__str(e, "kind") == NULL || strcmp(fs_json__str(e, "kind"), kind) != 0)) ||
            (cg->scope != NULL && (name == NULL || strcmp(name, cg->scope) != 0))) {
            continue;
        }
        double v = read(e, cg->ci_bound, mm);
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
        g->reason = cg->scope != NULL ? "the scope named in the gate was not run"
                                      : "nothing to compare (no perturbation or axis was run)";
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

/* The smallest disparate impact of a group field's groups (or its interval's lower end). */
static double read_di(const cJSON *e, bool ci, const char *mm)
{
    (void)mm;
    double worst = NAN;
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(e, "groups");
    for (const cJSON *x = groups ? groups->child : NULL; x != NULL; x = x->next) {
        const cJSON *di = cJSON_GetObjectItemCaseSensitive(x, "disparate_impact");
        double v = ci ? jci(di, "ci95", 0) : jnum(di, "value");
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

/* A gate read from the target's report object. */
static gate_value gate_from_report(const fs_config_gate *cg, const cJSON *tgt)
{
    gate_value g = { NAN, false, NULL, "perturbation", "the value could not be computed" };
    const char *base = cg->base, *no_ci = "this figure has no confidence interval";
    const cJSON *clean = cJSON_GetObjectItemCaseSensitive(tgt, "clean");
    const char *mm = fs_json__str(clean, "main_metric");
    mm = mm != NULL ? mm : "accuracy";
    const cJSON *rob = cJSON_GetObjectItemCaseSensitive(tgt, "robustness");
    const cJSON *fair = cJSON_GetObjectItemCaseSensitive(tgt, "fairness");
    if (strcmp(base, "latency.max_p95_ms") == 0) {
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(clean, "latency_ms");
        g.value = cg->ci_bound ? NAN : jnum(lat, "p95");
        g.reason = cg->ci_bound ? no_ci
                                : "no answer came from the model (all came from the cache or "
                                  "the store)";
    } else if (strcmp(base, "clean.min_accuracy") == 0 || strcmp(base, "clean.min_score") == 0) {
        g.at_least = true;
        bool acc = cJSON_GetObjectItemCaseSensitive(clean, "accuracy_ci95") != NULL;
        g.value = jci(clean, acc ? "accuracy_ci95" : "main_metric_ci95", 0);
    } else if (strcmp(base, "identification.min_recall") == 0) {
        g.at_least = true;
        g.reason = "exact-span recall has no interval in this version; clean.min_score with "
                   "\"bound\": \"ci95\" gates on the interval of the clean recall (category "
                   "matching)";
    } else if (strcmp(base, "clean.max_perplexity") == 0) {
        g.value = jci(clean, "main_metric_ci95", 1);
    } else if (strcmp(base, "identification.max_leak_rate") == 0) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(tgt, "identification");
        g.value = jci(cJSON_GetObjectItemCaseSensitive(id, "disclosure"), "leak_rate_ci95", 1);
        g.reason = "no identification section or no sensitive item in the answered inputs";
    } else if (strcmp(base, "robustness.max_flip_rate") == 0) {
        worst_of(&g, rob, NULL, "perturbation", cg, read_flip, mm);
    } else if (strcmp(base, "robustness.max_accuracy_delta") == 0) {
        worst_of(&g, rob, NULL, "perturbation", cg, read_delta, mm);
    } else if (strcmp(base, "robustness.max_drop") == 0) {
        worst_of(&g, rob, NULL, "perturbation", cg, read_drop, mm);
        g.reason = cg->ci_bound ? "the drop rate has no interval; gate on "
                                  "robustness.max_accuracy_delta with \"bound\": \"ci95\""
                                : g.reason;
    } else if (strcmp(base, "fairness.max_counterfactual_flip_rate") == 0) {
        g.worst_key = "axis";
        worst_of(&g, fair, "counterfactual", "axis", cg, read_cf_flip, mm);
    } else if (strcmp(base, "fairness.min_disparate_impact") == 0) {
        g.at_least = true;
        g.worst_key = "axis";
        worst_of(&g, fair, "group", "axis", cg, read_di, mm);
    } else if (strcmp(base, "fairness.max_parity_difference") == 0) {
        g.worst_key = "axis";
        worst_of(&g, fair, "group", "axis", cg, read_parity, mm);
    } else {
        g.at_least = strstr(base, ".min_") != NULL;
        g.reason = no_ci;
    }
    return g;
}

void fs_audit__gates_json(cJSON *gates, const fs_config *cfg, const char *target,
                          const fs_audit__summary *s, const cJSON *tgt, size_t *failed)
{
    for (size_t i = 0; i < cfg->n_gates; i++) {
        const fs_config_gate *g = &cfg->gates[i];
        const char *base = g->base != NULL ? g->base : g->name;
        bool from_report = g->scope != NULL || g->ci_bound || strncmp(base, "latency.", 8) == 0;
        gate_value v =
            from_report ? gate_from_report(g, tgt) : gate_read(base, s, cfg->n_perturbations);
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
