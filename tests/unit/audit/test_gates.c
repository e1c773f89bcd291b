/* audit.gates: every gate reads the target's report object. From hand-made report objects:
 * the worst entry and its name, undefined entries (skipped by the unscoped flip and loss
 * estimates, fatal for drops, scopes and intervals), interval ends, the classification-only
 * figures, and the reasons a null value carries. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "core/json.h"

#define EPS 1e-12

static const char target_json[] =
    "{\"name\": \"t\", \"error_rate\": 0.02,\n"
    " \"clean\": {\"n\": 200, \"parse_failures\": 6,\n"
    "   \"metrics\": {\"accuracy\": 0.81, \"macro_f1\": 0.79},\n"
    "   \"accuracy_ci95\": [0.75, 0.86], \"latency_ms\": {\"p95\": 41.5}},\n"
    " \"robustness\": [\n"
    "  {\"perturbation\": \"typo\", \"drop_rate\": 0.05, \"flip_rate\": 0.10,\n"
    "   \"flip_rate_ci95\": [0.06, 0.14], \"delta\": {\"accuracy\": -0.04},\n"
    "   \"ci95\": {\"accuracy\": [-0.08, -0.01]}},\n"
    "  {\"perturbation\": \"case\", \"drop_rate\": null, \"flip_rate\": null,\n"
    "   \"flip_rate_ci95\": [null, null], \"delta\": {\"accuracy\": null},\n"
    "   \"ci95\": {\"accuracy\": [null, null]}},\n"
    "  {\"perturbation\": \"ocr\", \"drop_rate\": 0.20, \"flip_rate\": 0.25,\n"
    "   \"flip_rate_ci95\": [0.19, 0.31], \"delta\": {\"accuracy\": -0.16},\n"
    "   \"ci95\": {\"accuracy\": [-0.22, -0.10]}}],\n"
    " \"fairness\": [\n"
    "  {\"axis\": \"gender\", \"kind\": \"counterfactual\", \"counterfactual_flip_rate\": 0.03,\n"
    "   \"counterfactual_flip_rate_ci95\": [0.01, 0.07]},\n"
    "  {\"axis\": \"religion\", \"kind\": \"counterfactual\", \"counterfactual_flip_rate\": null,\n"
    "   \"counterfactual_flip_rate_ci95\": [null, null]},\n"
    "  {\"axis\": \"author_gender\", \"kind\": \"group\",\n"
    "   \"groups\": [{\"disparate_impact\": {\"value\": 1, \"ci95\": [1, 1]}},\n"
    "              {\"disparate_impact\": {\"value\": 0.84, \"ci95\": [0.70, 0.99]}},\n"
    "              {\"disparate_impact\": {\"value\": null, \"ci95\": [null, null]}}],\n"
    "   \"demographic_parity_difference\": {\"value\": 0.09, \"ci95\": [0.02, 0.16]}}],\n"
    " \"identification\": {\"quality\": {\"modes\": {\"exact\": {\"micro\": {\"recall\": 0.77,\n"
    "   \"recall_ci95\": [0.72, 0.81]}}}}, \"disclosure\": {\"leak_rate\": 0.1,\n"
    "   \"leak_rate_ci95\": [0.05, 0.18]}}}\n";

/* A classification config with the given "gates" object (JSON text). */
static fs_config *config_with(const char *gates, const char *task)
{
    char text[2048];
    fs_config *cfg = NULL;
    fs_error err;
    snprintf(
        text, sizeof text,
        "{\"name\": \"g\", \"seed\": 1,\n"
        " \"dataset\": {\"path\": \"none.jsonl\", \"fields\": {\"group\": \"author_gender\"}},\n"
        " \"task\": %s,\n"
        " \"targets\": [{\"name\": \"t\", \"type\": \"openai-chat\",\n"
        "   \"url\": \"http://127.0.0.1:9/v1/chat/completions\"}],\n"
        " \"perturbations\": [{\"name\": \"typo\"}, {\"name\": \"case\"}, {\"name\": \"ocr\"}],\n"
        " \"demographics\": {\"axes\": [\"gender\", \"religion\"]%s},\n"
        " \"gates\": %s}\n",
        task, strstr(task, "classification") ? ", \"favorable_label\": \"yes\"" : "", gates);
    CU_ASSERT_EQUAL(fs_config_parse(&cfg, text, strlen(text), "g.json", &err), FS_OK);
    if (cfg == NULL) {
        fprintf(stderr, "config: %s\n", err.msg);
    }
    return cfg;
}

static const char classification[] =
    "{\"type\": \"classification\", \"labels\": [\"yes\", \"no\"], \"prompt\": \"{{input}}\"}";

/* The gate results of one config against target_json. */
static cJSON *evaluate(const char *gates, const char *task, size_t *failed)
{
    fs_config *cfg = config_with(gates, task);
    cJSON *tgt = NULL;
    CU_ASSERT_EQUAL_FATAL(fs_json__parse(&tgt, target_json, sizeof target_json - 1, "t", NULL),
                          FS_OK);
    cJSON *out = cJSON_CreateArray();
    *failed = 0;
    if (cfg != NULL) {
        fs_audit__gates_json(out, cfg, "t", tgt, failed);
    }
    cJSON_Delete(tgt);
    fs_config_free(cfg);
    return out;
}

static const cJSON *result(const cJSON *gates, const char *name)
{
    for (const cJSON *g = gates ? gates->child : NULL; g != NULL; g = g->next) {
        if (strcmp(fs_json__str(g, "name"), name) == 0) {
            return g;
        }
    }
    CU_FAIL("gate result missing");
    return NULL;
}

static double value(const cJSON *g)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(g, "value");
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static bool passed(const cJSON *g)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "passed"));
}

/* Whether g's string member key is want (false when g or the member is missing). */
static bool str_is(const cJSON *g, const char *key, const char *want)
{
    const char *v = fs_json__str(g, key);
    return v != NULL && strcmp(v, want) == 0;
}

static bool reason_has(const cJSON *g, const char *needle)
{
    const char *r = fs_json__str(g, "value_reason");
    return r != NULL && strstr(r, needle) != NULL;
}

static void test_audit_gates__clean_run_and_latency(void)
{
    size_t failed = 0;
    cJSON *r = evaluate("{\"clean.min_accuracy\": 0.8, \"clean.min_score\": {\"threshold\": "
                        "0.8, \"bound\": \"ci95\"}, \"clean.min_macro_f1\": 0.8, "
                        "\"clean.max_parse_failure_rate\": 0.05, \"run.max_error_rate\": 0.05, "
                        "\"latency.max_p95_ms\": 50}",
                        classification, &failed);
    const cJSON *g = result(r, "clean.min_accuracy");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.81, EPS);
    CU_ASSERT(passed(g));
    CU_ASSERT(str_is(g, "comparison", ">="));
    g = result(r, "clean.min_score");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.75, EPS); /* the lower end of the interval */
    CU_ASSERT(!passed(g));
    CU_ASSERT(str_is(g, "bound", "ci95"));
    g = result(r, "clean.min_macro_f1");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.79, EPS);
    CU_ASSERT(!passed(g));
    g = result(r, "clean.max_parse_failure_rate");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.03, EPS);
    CU_ASSERT(passed(g));
    CU_ASSERT_DOUBLE_EQUAL(value(result(r, "run.max_error_rate")), 0.02, EPS);
    CU_ASSERT_DOUBLE_EQUAL(value(result(r, "latency.max_p95_ms")), 41.5, EPS);
    CU_ASSERT_EQUAL(failed, 2);
    cJSON_Delete(r);
}

static void test_audit_gates__config_refuses_unscoped_scope(void)
{
    /* a scope on a gate that takes none is refused when the config is read */
    fs_config *cfg = NULL;
    fs_error err;
    const char *text = "{\"name\": \"g\", \"dataset\": {\"path\": \"x.jsonl\"}, \"task\": "
                       "{\"type\": \"classification\", \"labels\": [\"a\", \"b\"], \"prompt\": "
                       "\"{{input}}\"}, \"targets\": [{\"name\": \"t\", \"type\": "
                       "\"openai-chat\", \"url\": \"http://127.0.0.1:9/v1/chat/completions\"}], "
                       "\"gates\": {\"run.max_error_rate@x\": 1}}";
    CU_ASSERT_EQUAL(fs_config_parse(&cfg, text, strlen(text), "g.json", &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "takes no '@' scope"));
    fs_config_free(cfg);
}

/* Unscoped flip and loss estimates take the worst entry that has a value; drops, scopes
 * and intervals fail on an undefined entry. */
static void test_audit_gates__robustness_worst_and_undefined(void)
{
    size_t failed = 0;
    cJSON *r = evaluate(
        "{\"robustness.max_flip_rate\": 0.3, \"robustness.max_accuracy_delta\": 0.2, "
        "\"robustness.max_drop\": 0.3, \"robustness.max_flip_rate@typo\": 0.12, "
        "\"robustness.max_flip_rate@case\": 0.5, "
        "\"robustness.max_accuracy_delta@ocr\": {\"threshold\": 0.2, \"bound\": \"ci95\"}, "
        "\"robustness.max_drop@typo\": {\"threshold\": 0.5, \"bound\": \"ci95\"}}",
        classification, &failed);
    const cJSON *g = result(r, "robustness.max_flip_rate");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.25, EPS);
    CU_ASSERT(str_is(g, "perturbation", "ocr"));
    CU_ASSERT(passed(g));
    g = result(r, "robustness.max_accuracy_delta");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.16, EPS); /* the loss: -delta */
    CU_ASSERT(str_is(g, "perturbation", "ocr"));
    g = result(r, "robustness.max_drop");
    CU_ASSERT(isnan(value(g)) && !passed(g));
    CU_ASSERT(str_is(g, "perturbation", "case"));
    CU_ASSERT(reason_has(g, "a drop rate is undefined"));
    g = result(r, "robustness.max_flip_rate@typo");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.10, EPS);
    CU_ASSERT(passed(g));
    g = result(r, "robustness.max_flip_rate@case");
    CU_ASSERT(isnan(value(g)) && !passed(g));
    CU_ASSERT(reason_has(g, "no paired answers"));
    g = result(r, "robustness.max_accuracy_delta@ocr");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.22, EPS); /* -(lower end of the delta's interval) */
    CU_ASSERT(!passed(g));
    g = result(r, "robustness.max_drop@typo");
    CU_ASSERT(isnan(value(g)));
    CU_ASSERT(reason_has(g, "the drop rate has no interval"));
    CU_ASSERT_EQUAL(failed, 4);
    cJSON_Delete(r);
}

static void test_audit_gates__fairness_axes_and_groups(void)
{
    size_t failed = 0;
    cJSON *r =
        evaluate("{\"fairness.max_counterfactual_flip_rate\": 0.05, "
                 "\"fairness.max_counterfactual_flip_rate@religion\": 0.05, "
                 "\"fairness.min_disparate_impact\": 0.8, "
                 "\"fairness.max_parity_difference\": {\"threshold\": 0.1, \"bound\": \"ci95\"}}",
                 classification, &failed);
    const cJSON *g = result(r, "fairness.max_counterfactual_flip_rate");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.03, EPS);
    CU_ASSERT(str_is(g, "axis", "gender"));
    CU_ASSERT(passed(g));
    g = result(r, "fairness.max_counterfactual_flip_rate@religion");
    CU_ASSERT(isnan(value(g)) && !passed(g));
    g = result(r, "fairness.min_disparate_impact");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.84, EPS); /* the group without a rate is left out */
    CU_ASSERT(str_is(g, "axis", "author_gender"));
    CU_ASSERT(passed(g));
    g = result(r, "fairness.max_parity_difference");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.16, EPS);
    CU_ASSERT(!passed(g));
    cJSON_Delete(r);
    r = evaluate("{\"fairness.min_disparate_impact\": {\"threshold\": 0.5, \"bound\": \"ci95\"}}",
                 classification, &failed);
    g = result(r, "fairness.min_disparate_impact");
    CU_ASSERT(isnan(value(g)) && !passed(g)); /* a group has no interval */
    CU_ASSERT(reason_has(g, "interval could not be computed"));
    cJSON_Delete(r);
}

/* On a text task the classification-only gates have no value, whatever the report holds. */
static void test_audit_gates__classification_only_on_text_tasks(void)
{
    size_t failed = 0;
    cJSON *r = evaluate("{\"clean.min_macro_f1\": 0.1, \"clean.max_parse_failure_rate\": 0.5, "
                        "\"fairness.min_disparate_impact\": 0.1, "
                        "\"fairness.max_counterfactual_flip_rate\": 1}",
                        "{\"type\": \"qa\", \"prompt\": \"{{input}}\"}", &failed);
    CU_ASSERT_EQUAL(failed, 4);
    CU_ASSERT(isnan(value(result(r, "clean.min_macro_f1"))));
    CU_ASSERT(isnan(value(result(r, "clean.max_parse_failure_rate"))));
    CU_ASSERT(reason_has(result(r, "fairness.min_disparate_impact"), "classification only"));
    CU_ASSERT(reason_has(result(r, "fairness.max_counterfactual_flip_rate"), "classification"));
    cJSON_Delete(r);
}

static void test_audit_gates__identification(void)
{
    size_t failed = 0;
    cJSON *r = evaluate("{\"identification.min_recall\": 0.75, "
                        "\"identification.max_leak_rate\": {\"threshold\": 0.15, \"bound\": "
                        "\"ci95\"}}",
                        classification, &failed);
    const cJSON *g = result(r, "identification.min_recall");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.77, EPS);
    CU_ASSERT(passed(g));
    g = result(r, "identification.max_leak_rate");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.18, EPS);
    CU_ASSERT(!passed(g));
    cJSON_Delete(r);
    r = evaluate("{\"identification.min_recall\": {\"threshold\": 0.75, \"bound\": \"ci95\"}}",
                 classification, &failed);
    g = result(r, "identification.min_recall");
    CU_ASSERT_DOUBLE_EQUAL(value(g), 0.72, EPS); /* the lower end of the interval */
    CU_ASSERT(!passed(g));
    cJSON_Delete(r);
}

const fs_test_case fs_audit_gates_tests[] = {
    { "test_audit_gates__clean_run_and_latency", test_audit_gates__clean_run_and_latency },
    { "test_audit_gates__config_refuses_unscoped_scope",
      test_audit_gates__config_refuses_unscoped_scope },
    { "test_audit_gates__robustness_worst_and_undefined",
      test_audit_gates__robustness_worst_and_undefined },
    { "test_audit_gates__fairness_axes_and_groups", test_audit_gates__fairness_axes_and_groups },
    { "test_audit_gates__classification_only_on_text_tasks",
      test_audit_gates__classification_only_on_text_tasks },
    { "test_audit_gates__identification", test_audit_gates__identification },
    { NULL, NULL },
};
