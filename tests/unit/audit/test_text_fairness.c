/* audit.text_fairness: the fairness section of a free-text target, from a hand-made run
 * store: applicability and error counts, the divergence, length and item-score changes of
 * the pairs against values computed by hand, the examples, and the counterfactual gate's
 * reason on a text task. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit_internal.h"

#define EPS 1e-9

static const char config_text[] =
    "{\"name\": \"tf\", \"seed\": 3,\n"
    " \"dataset\": {\"path\": \"none.jsonl\", \"fields\": {\"input\": \"question\",\n"
    "   \"context\": \"context\", \"references\": \"answers\"}},\n"
    " \"task\": {\"type\": \"qa\", \"prompt\": \"{{context}} {{input}}\"},\n"
    " \"targets\": [{\"name\": \"t\", \"type\": \"openai-chat\",\n"
    "   \"url\": \"http://127.0.0.1:9/v1/chat/completions\"}],\n"
    " \"demographics\": {\"axes\": [\"gender\", \"religion\"]},\n"
    " \"gates\": {\"fairness.max_counterfactual_flip_rate\": 0.5}}\n";

typedef struct row {
    const char *id, *pert, *text, *gold, *answer; /* answer NULL: the request failed */
    uint64_t index;
} row;

/* r0: a longer answer; r1: the answer is the swapped name (the reference is swapped
 * alike); r2: not applicable; r3: the counterfactual request failed. */
static const row rows[] = {
    { "r0", "cf:gender:female>male", "Where did he work?", "[\"in Paris\"]", "in the city of Paris",
      0 },
    { "r0", "clean", "Where did she work?", "[\"in Paris\"]", "in Paris", 0 },
    { "r1", "cf:gender:female>male", "Who won, Leland?", "[\"Leland\"]", "Leland", 1 },
    { "r1", "clean", "Who won, Marie?", "[\"Marie\"]", "Marie", 1 },
    { "r2", "clean", "When?", "[\"1889\"]", "1889", 2 },
    { "r3", "cf:gender:male>female", "Did she go?", "[\"yes\"]", NULL, 3 },
    { "r3", "clean", "Did he go?", "[\"yes\"]", "yes", 3 },
};

static fs_store *make_store(const fs_config *cfg)
{
    char path[1100];
    fs_store *s = NULL;
    snprintf(path, sizeof path, "%s/text_fairness.sqlite", fs_test_tmp_dir());
    unlink(path);
    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, cfg->hash, true, NULL), FS_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const row *r = &rows[i];
        fs_variant v = { 0, r->id, r->index, r->pert, NULL, r->gold, r->text, true };
        fs_outcome o;
        int64_t id = 0;
        memset(&o, 0, sizeof o);
        CU_ASSERT_EQUAL_FATAL(fs_store_put_variant(s, &v, &id, NULL), FS_OK);
        o.variant_id = id;
        o.target = "t";
        o.status = r->answer ? FS_OK : FS_ERR_TARGET;
        o.http_status = r->answer ? 200 : 500;
        o.answer = r->answer;
        o.error = r->answer ? NULL : "HTTP 500";
        o.attempts = 1;
        o.prompt_tokens = o.completion_tokens = -1;
        CU_ASSERT_EQUAL_FATAL(fs_store_put_outcome(s, &o, NULL), FS_OK);
    }
    CU_ASSERT_EQUAL_FATAL(fs_store_flush(s, NULL), FS_OK);
    return s;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void test_audit_text_fairness__hand_computed(void)
{
    fs_config *cfg = NULL;
    fs_error err;
    CU_ASSERT_EQUAL_FATAL(
        fs_config_parse(&cfg, config_text, sizeof config_text - 1, "tf.json", &err), FS_OK);
    fs_store *store = make_store(cfg);
    cJSON *o = cJSON_CreateObject();
    CU_ASSERT_EQUAL_FATAL(fs_audit__text_target_json(o, cfg, store, "t", 0, &err), FS_OK);
    const cJSON *fair = cJSON_GetObjectItemCaseSensitive(o, "fairness");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(fair), 2);
    const cJSON *g = cJSON_GetArrayItem(fair, 0);
    CU_ASSERT_STRING_EQUAL(fs_json__str(g, "axis"), "gender");
    CU_ASSERT_STRING_EQUAL(fs_json__str(g, "kind"), "counterfactual");
    CU_ASSERT_STRING_EQUAL(fs_json__str(g, "item_metric"), "f1");
    CU_ASSERT_EQUAL(num(g, "records"), 4);
    CU_ASSERT_EQUAL(num(g, "applicable"), 3);
    CU_ASSERT_EQUAL(num(g, "not_applicable"), 1);
    CU_ASSERT_EQUAL(num(g, "n"), 2);
    CU_ASSERT_EQUAL(num(g, "errors"), 1);
    CU_ASSERT_EQUAL(num(g, "answer_changed"), 2);
    CU_ASSERT_DOUBLE_EQUAL(num(g, "answer_changed_rate"), 1.0, EPS);
    /* r0: "in Paris" against "in the city of Paris": LCS 2 of 2 and 5 words, F = 2 * 0.4 *
     * 1 / 1.4 = 4/7, divergence 3/7; r1: no word in common, divergence 1. */
    CU_ASSERT_DOUBLE_EQUAL(num(g, "divergence"), (3.0 / 7.0 + 1.0) / 2.0, EPS);
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(g, "divergence_ci95");
    CU_ASSERT(num(g, "divergence") >= cJSON_GetArrayItem(ci, 0)->valuedouble - EPS);
    CU_ASSERT(num(g, "divergence") <= cJSON_GetArrayItem(ci, 1)->valuedouble + EPS);
    CU_ASSERT_DOUBLE_EQUAL(num(g, "length_diff"), (3.0 + 0.0) / 2.0, EPS);
    /* SQuAD F1 of "in the city of Paris" (article dropped: in city of paris) against "in
     * Paris": P 2/4, R 2/2, F1 2/3, so r0 loses 1/3; r1's swapped answer matches its
     * swapped reference. */
    CU_ASSERT_DOUBLE_EQUAL(num(g, "delta_item_metric"), (-1.0 / 3.0 + 0.0) / 2.0, EPS);
    CU_ASSERT(num(g, "p_value") > 0 && num(g, "p_value") <= 1);
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(g, "refusals");
    CU_ASSERT_EQUAL(num(ref, "original"), 0);
    CU_ASSERT_EQUAL(num(ref, "rate_diff"), 0);
    CU_ASSERT_STRING_EQUAL(fs_json__str(ref, "test"), "exact McNemar test");
    /* One pair of groups was answered; r3's failed request makes no pair. */
    const cJSON *pairs = cJSON_GetObjectItemCaseSensitive(g, "pairs");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(pairs), 1);
    CU_ASSERT_STRING_EQUAL(fs_json__str(pairs->child, "from"), "female");
    CU_ASSERT_EQUAL(num(pairs->child, "n"), 2);
    CU_ASSERT_DOUBLE_EQUAL(num(pairs->child, "divergence"), num(g, "divergence"), EPS);
    /* Examples: the most divergent first, inputs read back from the store. */
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(g, "examples");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(ex), 2);
    CU_ASSERT_STRING_EQUAL(fs_json__str(ex->child, "record_id"), "r1");
    const cJSON *orig = cJSON_GetObjectItemCaseSensitive(ex->child, "original");
    const cJSON *cf = cJSON_GetObjectItemCaseSensitive(ex->child, "counterfactual");
    CU_ASSERT_STRING_EQUAL(fs_json__str(orig, "input"), "Who won, Marie?");
    CU_ASSERT_STRING_EQUAL(fs_json__str(cf, "input"), "Who won, Leland?");
    CU_ASSERT_STRING_EQUAL(fs_json__str(cf, "answer"), "Leland");
    /* An axis no record mentions: nulls with the reason. */
    const cJSON *r = cJSON_GetArrayItem(fair, 1);
    CU_ASSERT_EQUAL(num(r, "applicable"), 0);
    CU_ASSERT_EQUAL(num(r, "not_applicable"), 4);
    CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "divergence")));
    CU_ASSERT_STRING_EQUAL(fs_json__str(r, "divergence_reason"), "no record mentions this axis");
    /* The flip-rate gate reads no free-text figure: null, with the reason. */
    cJSON *gates = cJSON_CreateArray();
    size_t failed = 0;
    fs_audit__gates_json(gates, cfg, "t", o, &failed);
    CU_ASSERT_EQUAL(failed, 1);
    CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(gates->child, "value")));
    CU_ASSERT_PTR_NOT_NULL(strstr(fs_json__str(gates->child, "value_reason"), "classification"));
    cJSON_Delete(gates);
    cJSON_Delete(o);
    fs_store_free(store);
    fs_config_free(cfg);
}

/* ---- the group entry (dataset.fields.group) ------------------------------------------ */

static const char group_config_text[] =
    "{\"name\": \"tg\", \"seed\": 3,\n"
    " \"dataset\": {\"path\": \"none.jsonl\", \"fields\": {\"input\": \"question\",\n"
    "   \"references\": \"answers\", \"group\": \"grp\"}},\n"
    " \"task\": {\"type\": \"%s\", \"prompt\": \"{{input}}\"},\n"
    " \"targets\": [{\"name\": \"t\", \"type\": \"openai-chat\",\n"
    "   \"url\": \"http://127.0.0.1:9/v1/chat/completions\"}]%s,\n"
    " \"gates\": {\"fairness.max_parity_difference\": 0.1}}\n";

typedef struct group_row {
    const char *id, *group, *gold, *answer; /* answer NULL: the request failed */
} group_row;

/* SQuAD F1: a 1, 2/3 ("1889" against "in 1889"); b 0, 2/3, 1; c's only request failed;
 * r6 has no group. */
static const group_row group_rows[] = {
    { "r0", "a", "[\"Paris\"]", "Paris" }, { "r1", "a", "[\"in 1889\"]", "1889" },
    { "r2", "b", "[\"blue\"]", "red" },    { "r3", "b", "[\"Marie Curie\"]", "Curie" },
    { "r4", "b", "[\"yes\"]", "yes" },     { "r5", "c", "[\"no\"]", NULL },
    { "r6", NULL, "[\"x\"]", "x" },
};

static fs_store *make_group_store(const fs_config *cfg)
{
    char path[1100];
    fs_store *s = NULL;
    snprintf(path, sizeof path, "%s/text_groups.sqlite", fs_test_tmp_dir());
    unlink(path);
    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, cfg->hash, true, NULL), FS_OK);
    for (size_t i = 0; i < sizeof group_rows / sizeof group_rows[0]; i++) {
        const group_row *r = &group_rows[i];
        fs_variant v = { 0, r->id, i, "clean", r->group, r->gold, "q?", false };
        fs_outcome o;
        int64_t id = 0;
        memset(&o, 0, sizeof o);
        CU_ASSERT_EQUAL_FATAL(fs_store_put_variant(s, &v, &id, NULL), FS_OK);
        o.variant_id = id;
        o.target = "t";
        o.status = r->answer ? FS_OK : FS_ERR_TARGET;
        o.http_status = r->answer ? 200 : 500;
        o.answer = r->answer;
        o.error = r->answer ? NULL : "HTTP 500";
        o.attempts = 1;
        o.prompt_tokens = o.completion_tokens = -1;
        CU_ASSERT_EQUAL_FATAL(fs_store_put_outcome(s, &o, NULL), FS_OK);
    }
    CU_ASSERT_EQUAL_FATAL(fs_store_flush(s, NULL), FS_OK);
    return s;
}

/* The target object of the group rows under a config for task with extra top-level keys;
 * NULL when scoring failed (code in *st). */
static cJSON *group_target(fs_config **cfg_out, const char *task, const char *extra, fs_status *st)
{
    char text[2048];
    fs_error err;
    snprintf(text, sizeof text, group_config_text, task, extra);
    CU_ASSERT_EQUAL_FATAL(fs_config_parse(cfg_out, text, strlen(text), "tg.json", &err), FS_OK);
    fs_store *store = make_group_store(*cfg_out);
    cJSON *o = cJSON_CreateObject();
    *st = fs_audit__text_target_json(o, *cfg_out, store, "t", 0, &err);
    fs_store_free(store);
    if (*st != FS_OK) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static const cJSON *group_named(const cJSON *entry, const char *name)
{
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(entry, "groups");
    for (const cJSON *x = g ? g->child : NULL; x != NULL; x = x->next) {
        if (strcmp(fs_json__str(x, "group"), name) == 0) {
            return x;
        }
    }
    return NULL;
}

static void test_audit_text_fairness__groups_hand_computed(void)
{
    fs_config *cfg = NULL;
    fs_status st;
    cJSON *o = group_target(&cfg, "qa", "", &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    const cJSON *fair = cJSON_GetObjectItemCaseSensitive(o, "fairness");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(fair), 1);
    const cJSON *e = fair->child;
    CU_ASSERT_STRING_EQUAL(fs_json__str(e, "kind"), "group");
    CU_ASSERT_STRING_EQUAL(fs_json__str(e, "axis"), "grp");
    CU_ASSERT_STRING_EQUAL(fs_json__str(e, "item_metric"), "f1");
    CU_ASSERT_EQUAL(num(e, "n"), 5);
    CU_ASSERT_EQUAL(num(e, "excluded"), 1);
    /* no demographics.reference: the largest group */
    CU_ASSERT_STRING_EQUAL(fs_json__str(e, "reference"), "b");
    CU_ASSERT_STRING_EQUAL(fs_json__str(e, "reference_rule"), "largest group");
    const cJSON *a = group_named(e, "a"), *b = group_named(e, "b"), *c = group_named(e, "c");
    CU_ASSERT_FATAL(a != NULL && b != NULL && c != NULL);
    CU_ASSERT_EQUAL(num(a, "n"), 2);
    CU_ASSERT_DOUBLE_EQUAL(num(a, "mean_item_metric"), 5.0 / 6.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(num(b, "mean_item_metric"), 5.0 / 9.0, EPS);
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(b, "mean_item_metric_ci95");
    CU_ASSERT_FATAL(cJSON_GetArraySize(ci) == 2);
    CU_ASSERT(cJSON_GetArrayItem(ci, 0)->valuedouble <= 5.0 / 9.0 + EPS);
    CU_ASSERT(cJSON_GetArrayItem(ci, 1)->valuedouble >= 5.0 / 9.0 - EPS);
    /* corpus metrics of the group's records */
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(a, "metrics");
    CU_ASSERT_DOUBLE_EQUAL(num(m, "exact_match"), 0.5, EPS);
    CU_ASSERT_DOUBLE_EQUAL(num(m, "f1"), 5.0 / 6.0, EPS);
    /* a - b = 5/18; of the 10 ways to split the five scores 2 + 3, 9 give a difference at
     * least as large (the exact p-value is 0.9) */
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(a, "diff_vs_reference");
    CU_ASSERT_DOUBLE_EQUAL(num(d, "value"), 5.0 / 18.0, EPS);
    CU_ASSERT_DOUBLE_EQUAL(num(d, "p_value"), 0.9, 0.02);
    CU_ASSERT_PTR_NOT_NULL(strstr(fs_json__str(d, "test"), "permutation"));
    d = cJSON_GetObjectItemCaseSensitive(b, "diff_vs_reference");
    CU_ASSERT_STRING_EQUAL(fs_json__str(d, "value_reason"), "the reference group");
    /* a group with no answered record */
    CU_ASSERT_EQUAL(num(c, "n"), 0);
    CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c, "mean_item_metric")));
    CU_ASSERT_STRING_EQUAL(fs_json__str(c, "mean_item_metric_reason"),
                           "no answered record in this group");
    d = cJSON_GetObjectItemCaseSensitive(c, "diff_vs_reference");
    CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(d, "p_value")));
    const cJSON *gap = cJSON_GetObjectItemCaseSensitive(e, "max_min_difference");
    CU_ASSERT_DOUBLE_EQUAL(num(gap, "value"), 5.0 / 18.0, EPS);
    const cJSON *between = cJSON_GetObjectItemCaseSensitive(gap, "groups");
    CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(between, 0)->valuestring, "a");
    CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(between, 1)->valuestring, "b");
    /* Holm over the run: the one p-value of the section is its own adjustment */
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "targets"), o);
    CU_ASSERT_EQUAL(fs_audit__fairness_holm(root, NULL), FS_OK);
    d = cJSON_GetObjectItemCaseSensitive(a, "diff_vs_reference");
    CU_ASSERT_DOUBLE_EQUAL(num(d, "p_adjusted"), num(d, "p_value"), EPS);
    /* the parity gate needs a favourable label: null, with the reason */
    cJSON *gates = cJSON_CreateArray();
    size_t failed = 0;
    fs_audit__gates_json(gates, cfg, "t", o, &failed);
    CU_ASSERT_EQUAL(failed, 1);
    CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(gates->child, "value")));
    CU_ASSERT_PTR_NOT_NULL(strstr(fs_json__str(gates->child, "value_reason"), "classification"));
    cJSON_Delete(gates);
    cJSON_Delete(root);
    fs_config_free(cfg);
}

static void test_audit_text_fairness__groups_reference_and_generation(void)
{
    fs_config *cfg = NULL;
    fs_status st;
    /* a configured reference */
    cJSON *o =
        group_target(&cfg, "qa", ", \"demographics\": {\"reference\": {\"grp\": \"a\"}}", &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "fairness")->child;
    CU_ASSERT_STRING_EQUAL(fs_json__str(e, "reference"), "a");
    CU_ASSERT_STRING_EQUAL(fs_json__str(e, "reference_rule"), "demographics.reference");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(group_named(e, "b"), "diff_vs_reference");
    CU_ASSERT_DOUBLE_EQUAL(num(d, "value"), -5.0 / 18.0, EPS);
    cJSON_Delete(o);
    fs_config_free(cfg);
    /* a reference no record has */
    o = group_target(&cfg, "qa", ", \"demographics\": {\"reference\": {\"grp\": \"z\"}}", &st);
    CU_ASSERT_PTR_NULL(o);
    CU_ASSERT_EQUAL(st, FS_ERR_CONFIG);
    fs_config_free(cfg);
    /* generation has no item score: counts, and nulls with the reason */
    o = group_target(&cfg, "generation", "", &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    e = cJSON_GetObjectItemCaseSensitive(o, "fairness")->child;
    CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "item_metric")));
    const cJSON *b = group_named(e, "b");
    CU_ASSERT_EQUAL(num(b, "n"), 3);
    CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(b, "mean_item_metric")));
    CU_ASSERT_PTR_NOT_NULL(strstr(fs_json__str(b, "mean_item_metric_reason"), "no reference"));
    const cJSON *gap = cJSON_GetObjectItemCaseSensitive(e, "max_min_difference");
    CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(gap, "value")));
    cJSON_Delete(o);
    fs_config_free(cfg);
}

const fs_test_case fs_audit_text_fairness_tests[] = {
    { "test_audit_text_fairness__hand_computed", test_audit_text_fairness__hand_computed },
    { "test_audit_text_fairness__groups_hand_computed",
      test_audit_text_fairness__groups_hand_computed },
    { "test_audit_text_fairness__groups_reference_and_generation",
      test_audit_text_fairness__groups_reference_and_generation },
    { NULL, NULL },
};
