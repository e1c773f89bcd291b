/* e2e.audit: the demo audit against the reference model, its numbers, resume from the
 * store and rebuilding the report from the store alone. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "e2e.h"
#include "fairshake/identify.h"
#include "fairshake/store.h"
#include "refmodel_fixture.h"

static fs_test_refmodel server;
static char config_path[1024];
static char report_dir[1024];

static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    int c;
    while (f != NULL && (c = fgetc(f)) != EOF) {
        n += c == '\n';
    }
    if (f != NULL) {
        fclose(f);
    }
    return n;
}

/* The demo config, pointed at the fixture server and a scratch report directory. */
static bool write_config(const char *name, const char *extra_run)
{
    char text[4096];
    snprintf(report_dir, sizeof report_dir, "%s/%s", fs_test_tmp_dir(), name);
    snprintf(config_path, sizeof config_path, "%s/%s.json", fs_test_tmp_dir(), name);
    snprintf(
        text, sizeof text,
        "{\"name\": \"%s\", \"seed\": 42,\n"
        " \"dataset\": {\"path\": \"%s/examples/sentiment/test.jsonl\", \"format\": \"jsonl\",\n"
        "   \"fields\": {\"input\": \"text\", \"label\": \"label\", \"id\": \"id\",\n"
        "     \"group\": \"author_gender\"}},\n"
        " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", \"negative\"],\n"
        "   \"prompt\": \"Is the sentiment of this review positive or negative?\\nText: "
        "{{input}}\\nAnswer:\"},\n"
        " \"targets\": [{\"name\": \"nb\", \"type\": \"openai-chat\",\n"
        "   \"url\": \"%s/v1/chat/completions\", \"model\": \"nb-sentiment\",\n"
        "   \"params\": {\"temperature\": 0}}],\n"
        " \"perturbations\": [{\"name\": \"typo\", \"rate\": 0.1}, {\"name\": \"case\"},\n"
        "   {\"name\": \"whitespace\"}, {\"name\": \"punctuation\"}],\n"
        " \"demographics\": {\"axes\": [\"gender\", \"race\", \"religion\"],\n"
        "   \"reference\": {\"author_gender\": \"male\"}},\n"
        " \"run\": {\"concurrency\": 8, \"timeout_ms\": 10000%s},\n"
        " \"gates\": {\"clean.min_accuracy\": 0.6},\n"
        " \"report\": {\"dir\": \"%s\"}}\n",
        name, fs_test_source_dir(), server.base_url, extra_run, report_dir);
    return e2e_write_file(config_path, text);
}

static cJSON *run_audit(const char *const *args, int *exit_code)
{
    e2e_result r;
    char path[1200];
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    *exit_code = r.exit_code;
    e2e_result_dispose(&r);
    snprintf(path, sizeof path, "%s/report.json", report_dir);
    return e2e_read_json(path);
}

/* Counterfactual axes count every record as applicable or not; Holm-adjusted p-values
 * are never below the raw ones; group metrics cover every answered record. */
static void check_fairness(const cJSON *rep, double records)
{
    const cJSON *fair = e2e_get(rep, "targets.0.fairness");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(fair), 4);
    for (int i = 0; i < 3; i++) {
        const cJSON *a = cJSON_GetArrayItem(fair, i);
        CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(a, "kind")), "counterfactual");
        CU_ASSERT_EQUAL(e2e_num(a, "applicable") + e2e_num(a, "not_applicable"), records);
        CU_ASSERT(e2e_num(a, "applicable") > 0);
        double flip = e2e_num(a, "counterfactual_flip_rate");
        CU_ASSERT(flip >= 0 && flip <= 1);
        CU_ASSERT(e2e_num(a, "p_adjusted") >= e2e_num(a, "p_value"));
        CU_ASSERT(cJSON_GetArraySize(e2e_get(a, "pairs")) > 0);
    }
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(fair, "0.axis")), "gender");
    const cJSON *g = cJSON_GetArrayItem(fair, 3);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(g, "kind")), "group");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(e2e_get(g, "groups")), 3);
    double n = 0;
    for (const cJSON *x = e2e_get(g, "groups")->child; x != NULL; x = x->next) {
        n += e2e_num(x, "n");
        double di = e2e_num(x, "disparate_impact.value");
        CU_ASSERT(di > 0 && di <= 1);
    }
    CU_ASSERT_EQUAL(n, e2e_num(rep, "targets.0.clean.n"));
    CU_ASSERT(e2e_num(rep, "fairness_summary.comparisons") > 10);
}

static void test_e2e_audit__demo_numbers(void)
{
    CU_ASSERT_FATAL(fs_test_refmodel_start(&server, NULL));
    CU_ASSERT_FATAL(write_config("demo", ", \"retries\": 5"));
    int code = -1;
    const char *args[] = { "run", config_path, "--fresh", "--quiet", NULL };
    cJSON *rep = run_audit(args, &code);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    char data[1024];
    snprintf(data, sizeof data, "%s/examples/sentiment/test.jsonl", fs_test_source_dir());
    double records = (double)count_lines(data);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(rep, "schema")), "fairshake.report/1");
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.records"), records);
    /* Every variant has an outcome: answered + errors == records, nothing missing. */
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.clean.n") + e2e_num(rep, "targets.0.clean.errors"),
                    records);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.clean.missing"), 0);
    double acc = e2e_num(rep, "targets.0.clean.metrics.accuracy");
    CU_ASSERT(acc > 0.7 && acc <= 1.0);
    double support = e2e_num(rep, "targets.0.clean.metrics.per_class.positive.support") +
                     e2e_num(rep, "targets.0.clean.metrics.per_class.negative.support");
    CU_ASSERT_EQUAL(support, e2e_num(rep, "targets.0.clean.n"));
    const cJSON *rob = e2e_get(rep, "targets.0.robustness");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(rob), 4);
    for (int i = 0; i < 4; i++) {
        const cJSON *r = cJSON_GetArrayItem(rob, i);
        CU_ASSERT_EQUAL(e2e_num(r, "missing"), 0);
        CU_ASSERT(e2e_num(r, "n") + e2e_num(r, "errors") <= records);
        CU_ASSERT(e2e_num(r, "n") >=
                  records - e2e_num(r, "errors") - e2e_num(rep, "targets.0.clean.errors"));
        double lo = e2e_num(r, "ci95.accuracy.0"), hi = e2e_num(r, "ci95.accuracy.1");
        CU_ASSERT(lo <= hi);
        CU_ASSERT(e2e_num(r, "p_value") >= 0 && e2e_num(r, "p_value") <= 1);
    }
    const cJSON *typo = cJSON_GetArrayItem(rob, 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(typo, "perturbation")), "typo");
    CU_ASSERT(e2e_num(typo, "flip_rate") > 0);
    CU_ASSERT(e2e_num(typo, "flips") > 0);
    CU_ASSERT(cJSON_GetArraySize(e2e_get(typo, "worst_examples")) > 0);
    CU_ASSERT(e2e_num(rep, "provenance.requests_sent") > 0);
    /* Latency per perturbation covers its answers from the model; the per-condition
     * counts add up to the overall one with the clean answers; token totals are summed
     * from the answers' usage. */
    double lat_n = 0;
    for (int i = 0; i < 4; i++) {
        const cJSON *r = cJSON_GetArrayItem(rob, i);
        double n = e2e_num(r, "latency_ms.n");
        CU_ASSERT(n > 0 && n <= records);
        CU_ASSERT(e2e_num(r, "latency_ms.p50") <= e2e_num(r, "latency_ms.p95"));
        CU_ASSERT(e2e_num(r, "latency_ms.p95") <= e2e_num(r, "latency_ms.max"));
        lat_n += n;
    }
    double all_n = e2e_num(rep, "targets.0.clean.latency_ms.n");
    CU_ASSERT(lat_n < all_n && all_n - lat_n <= records);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.usage.answers"), all_n);
    CU_ASSERT(e2e_num(rep, "targets.0.usage.prompt_tokens") > all_n);
    CU_ASSERT(e2e_num(rep, "targets.0.usage.completion_tokens") >= all_n);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.usage.usage_unknown"), 0);
    /* Throughput of the sending phase. */
    double secs = e2e_num(rep, "provenance.send_seconds");
    CU_ASSERT(secs > 0);
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(rep, "provenance.requests_per_second"),
                           e2e_num(rep, "provenance.requests_sent") / secs, 1e-6);
    CU_ASSERT_EQUAL(cJSON_IsTrue(e2e_get(rep, "verdict.passed")), 1);
    check_fairness(rep, records);
    cJSON_Delete(rep);
}

/* A second run with the same config resumes from the store: nothing is sent again and
 * the findings are identical. */
static void test_e2e_audit__resume_sends_nothing(void)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/report.json", report_dir);
    cJSON *first = e2e_read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    int code = -1;
    const char *args[] = { "run", config_path, "--quiet", NULL };
    cJSON *second = run_audit(args, &code);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(second);
    CU_ASSERT_EQUAL(e2e_num(second, "provenance.requests_sent"), 0);
    /* Latency is measured only for requests sent in this run: none here. */
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(e2e_get(first, "targets.0"), "clean"),
                               "latency_ms");
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(e2e_get(second, "targets.0"), "clean"),
                               "latency_ms");
    CU_ASSERT_TRUE(cJSON_Compare(e2e_get(first, "targets"), e2e_get(second, "targets"), true));
    cJSON_Delete(first);
    cJSON_Delete(second);
}

/* fairshake report rebuilds report.json from the store alone, identical to the run's. */
static void test_e2e_audit__report_rebuilds_from_store(void)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/report.json", report_dir);
    cJSON *before = e2e_read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(before);
    fs_test_refmodel_stop(&server);
    e2e_result r;
    const char *args[] = { "report", report_dir, NULL };
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    e2e_result_dispose(&r);
    cJSON *after = e2e_read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(after);
    CU_ASSERT_TRUE(cJSON_Compare(before, after, true));
    char md[1200];
    snprintf(md, sizeof md, "%s/report.md", report_dir);
    FILE *f = fopen(md, "rb");
    CU_ASSERT_PTR_NOT_NULL(f);
    if (f != NULL) {
        fclose(f);
    }
    cJSON_Delete(before);
    cJSON_Delete(after);
}

/* Against a server that fails a fifth of requests with 429/500/503, retries still give
 * every variant an answer. */
static void test_e2e_audit__faults_are_retried(void)
{
    fs_test_refmodel faulty;
    const char *extra[] = { "--fault-rate", "0.2", "--retry-after", "0", "--seed", "7", NULL };
    CU_ASSERT_FATAL(fs_test_refmodel_start(&faulty, extra));
    fs_test_refmodel saved = server;
    server = faulty;
    CU_ASSERT_FATAL(write_config("faults", ", \"retries\": 12"));
    server = saved;
    int code = -1;
    const char *args[] = { "run", config_path, "--fresh", "--quiet", "--limit", "60", NULL };
    cJSON *rep = run_audit(args, &code);
    fs_test_refmodel_stop(&faulty);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.records"), 60);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.clean.n"), 60);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.clean.errors"), 0);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.robustness.0.n"), 60);
    cJSON_Delete(rep);
}

/* A minimal config without perturbations for the given server and dataset. */
static bool write_plain_config(const char *name, const char *url, const char *data, const char *run)
{
    char text[4096];
    snprintf(report_dir, sizeof report_dir, "%s/%s", fs_test_tmp_dir(), name);
    snprintf(config_path, sizeof config_path, "%s/%s.json", fs_test_tmp_dir(), name);
    snprintf(text, sizeof text,
             "{\"name\": \"%s\", \"dataset\": {\"path\": \"%s\"},\n"
             " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", "
             "\"negative\"], \"prompt\": \"Text: {{input}}\\nAnswer:\"},\n"
             " \"targets\": [{\"name\": \"nb\", \"type\": \"openai-chat\", \"url\": "
             "\"%s/v1/chat/completions\"}],\n"
             " \"run\": %s, \"report\": {\"dir\": \"%s\"}}\n",
             name, data, url, run, report_dir);
    return e2e_write_file(config_path, text);
}

/* The same request body twice in one run is sent once: the second answer comes from the
 * response cache. */
static void test_e2e_audit__cache_serves_repeats(void)
{
    fs_test_refmodel rm;
    char data[1024];
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    snprintf(data, sizeof data, "%s/repeats.jsonl", fs_test_tmp_dir());
    CU_ASSERT_FATAL(e2e_write_file(
        data, "{\"text\": \"A wonderful, friendly hotel.\", \"label\": \"positive\"}\n"
              "{\"text\": \"Cold food and rude staff.\", \"label\": \"negative\"}\n"
              "{\"text\": \"A wonderful, friendly hotel.\", \"label\": \"positive\"}\n"));
    CU_ASSERT_FATAL(write_plain_config("repeats", rm.base_url, data, "{\"concurrency\": 1}"));
    int code = -1;
    const char *args[] = { "run", config_path, "--fresh", "--quiet", NULL };
    cJSON *rep = run_audit(args, &code);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    CU_ASSERT_EQUAL(e2e_num(rep, "provenance.requests_sent"), 2);
    CU_ASSERT_EQUAL(e2e_num(rep, "provenance.cache_hits"), 1);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.clean.n"), 3);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.clean.metrics.accuracy"), 1.0);
    /* No perturbation: robustness figures are absent, worst case equals clean. */
    CU_ASSERT_EQUAL(cJSON_GetArraySize(e2e_get(rep, "targets.0.robustness")), 0);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.worst_case.metrics.accuracy"), 1.0);
    cJSON_Delete(rep);
}

/* Answers that are not valid JSON are errors: counted, their cause reported, left out of
 * the metrics, never scored as a label. */
static void test_e2e_audit__malformed_answers_are_errors(void)
{
    fs_test_refmodel rm;
    char data[1024];
    const char *extra[] = { "--malformed-rate", "0.3", "--seed", "3", NULL };
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, extra));
    snprintf(data, sizeof data, "%s/examples/sentiment/test.jsonl", fs_test_source_dir());
    CU_ASSERT_FATAL(write_plain_config("malformed", rm.base_url, data, "{\"retries\": 0}"));
    int code = -1;
    const char *args[] = { "run", config_path, "--fresh", "--quiet", "--limit", "50", NULL };
    cJSON *rep = run_audit(args, &code);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    double n = e2e_num(rep, "targets.0.clean.n"), errors = e2e_num(rep, "targets.0.clean.errors");
    CU_ASSERT(errors > 0 && errors < 50);
    CU_ASSERT_EQUAL(n + errors, 50);
    const char *cause =
        cJSON_GetStringValue(e2e_get(rep, "targets.0.clean.error_causes.0.message"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
    CU_ASSERT_PTR_NOT_NULL(strstr(cause, "JSON"));
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.clean.error_causes.0.count"), errors);
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(rep, "targets.0.error_rate"), errors / 50.0, 1e-12);
    cJSON_Delete(rep);
}

/* Three variants per record, a protected span list, and a record-level test. */
static void test_e2e_audit__several_variants_per_record(void)
{
    fs_test_refmodel rm;
    char text[4096], data[1024];
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    snprintf(data, sizeof data, "%s/examples/sentiment/test.jsonl", fs_test_source_dir());
    snprintf(report_dir, sizeof report_dir, "%s/multi", fs_test_tmp_dir());
    snprintf(config_path, sizeof config_path, "%s/multi.json", fs_test_tmp_dir());
    snprintf(text, sizeof text,
             "{\"name\": \"multi\", \"seed\": 5, \"dataset\": {\"path\": \"%s\"},\n"
             " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", "
             "\"negative\"], \"prompt\": \"Text: {{input}}\\nAnswer:\"},\n"
             " \"targets\": [{\"name\": \"nb\", \"type\": \"openai-chat\", \"url\": "
             "\"%s/v1/chat/completions\"}],\n"
             " \"protect\": [\"@number\"],\n"
             " \"perturbations\": [{\"name\": \"typo\", \"rate\": 0.1, \"n\": 3, "
             "\"protect\": [\"(?i)not\"]}],\n"
             " \"report\": {\"dir\": \"%s\"}}\n",
             data, rm.base_url, report_dir);
    CU_ASSERT_FATAL(e2e_write_file(config_path, text));
    int code = -1;
    const char *args[] = { "run", config_path, "--fresh", "--quiet", "--limit", "80", NULL };
    cJSON *rep = run_audit(args, &code);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.robustness.0.variants_per_record"), 3);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.robustness.0.n"), 240);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.robustness.0.records"), 80);
    CU_ASSERT_EQUAL(
        e2e_num(rep, "provenance.requests_sent") + e2e_num(rep, "provenance.cache_hits"), 320);
    const char *test = cJSON_GetStringValue(e2e_get(rep, "targets.0.robustness.0.test"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(test);
    CU_ASSERT_PTR_NOT_NULL(strstr(test, "sign-flip"));
    /* Examples name their variant; protected words survive in every variant shown. */
    const cJSON *ex = e2e_get(rep, "targets.0.robustness.0.worst_examples");
    for (const cJSON *e = ex ? ex->child : NULL; e != NULL; e = e->next) {
        double k = e2e_num(e, "variant");
        CU_ASSERT(k >= 0 && k <= 2);
        const char *clean = cJSON_GetStringValue(e2e_get(e, "clean.input"));
        const char *pert = cJSON_GetStringValue(e2e_get(e, "perturbed.input"));
        if (clean != NULL && pert != NULL && strstr(clean, " not ") != NULL) {
            CU_ASSERT_PTR_NOT_NULL(strstr(pert, " not "));
        }
    }
    cJSON_Delete(rep);
}

/* An identification audit of the clinical notes against pii-identifier: its recall and
 * precision, the inventory of the notes, the disclosure figures with masked examples, and
 * a leak-rate gate that fails (exit 1). */
static void test_e2e_audit__identification(void)
{
    fs_test_refmodel rm;
    char text[4096], data[1024];
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    snprintf(data, sizeof data, "%s/examples/medical-notes/test.jsonl", fs_test_source_dir());
    snprintf(report_dir, sizeof report_dir, "%s/ident", fs_test_tmp_dir());
    snprintf(config_path, sizeof config_path, "%s/ident.json", fs_test_tmp_dir());
    snprintf(text, sizeof text,
             "{\"name\": \"ident\", \"seed\": 3, \"dataset\": {\"path\": \"%s\",\n"
             "   \"fields\": {\"input\": \"text\", \"references\": \"items\", \"id\": \"id\"}},\n"
             " \"task\": {\"type\": \"identification\", \"prompt\": \"List the items.\\n"
             "Categories: {{categories}}\\nNote: {{input}}\\nItems:\"},\n"
             " \"targets\": [{\"name\": \"pii\", \"type\": \"openai-chat\", \"url\": "
             "\"%s/v1/chat/completions\", \"model\": \"pii-identifier\"}],\n"
             " \"perturbations\": [{\"name\": \"pii-phone-format\"}, {\"name\": \"pii-ocr\"}],\n"
             " \"identification\": {\"disclosure\": \"forbidden\"},\n"
             " \"gates\": {\"identification.min_recall\": 0.5,\n"
             "   \"identification.max_leak_rate\": 0.1},\n"
             " \"report\": {\"dir\": \"%s\", \"formats\": [\"json\", \"md\", \"html\"]}}\n",
             data, rm.base_url, report_dir);
    CU_ASSERT_FATAL(e2e_write_file(config_path, text));
    int code = -1;
    const char *args[] = { "run", config_path, "--fresh", "--quiet", NULL };
    cJSON *rep = run_audit(args, &code);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    double records = (double)count_lines(data);
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.clean.n"), records);
    /* The baseline knows 6 of the 12 categories: recall well below 1, precision near 1. */
    double recall = e2e_num(rep, "targets.0.clean.metrics.recall");
    double precision = e2e_num(rep, "targets.0.clean.metrics.precision");
    CU_ASSERT(recall > 0.6 && recall < 0.9);
    CU_ASSERT(precision > 0.95 && precision <= 1.0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(rep, "targets.0.clean.main_metric")),
                           "recall");
    /* OCR noise breaks names and digits: recall falls. */
    CU_ASSERT_STRING_EQUAL(
        cJSON_GetStringValue(e2e_get(rep, "targets.0.robustness.1.perturbation")), "pii-ocr");
    CU_ASSERT(e2e_num(rep, "targets.0.robustness.1.delta.recall") < -0.1);
    const cJSON *id = e2e_get(rep, "targets.0.identification");
    CU_ASSERT_PTR_NOT_NULL_FATAL(id);
    CU_ASSERT_EQUAL(e2e_num(id, "inventory.records"), records);
    double items = e2e_num(id, "inventory.items");
    CU_ASSERT(items > records);
    CU_ASSERT_EQUAL(e2e_num(id, "quality.modes.exact.micro.support"), items);
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(id, "quality.modes.exact.micro.recall"), recall, 1e-9);
    /* its interval, records resampled: around the recall, narrower than the whole range */
    double lo = e2e_num(id, "quality.modes.exact.micro.recall_ci95.0");
    double hi = e2e_num(id, "quality.modes.exact.micro.recall_ci95.1");
    CU_ASSERT(lo < recall && recall < hi && hi - lo < 0.2);
    CU_ASSERT_EQUAL(e2e_num(id, "quality.unparsed"), 0);
    /* Forbidden disclosure: every listed item is a leak; the rate matches its counts. */
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(id, "disclosure.mode")), "forbidden");
    double leaked = e2e_num(id, "disclosure.disclosed"), of = e2e_num(id, "disclosure.items");
    CU_ASSERT(leaked > 0 && of == items);
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(id, "disclosure.leak_rate"), leaked / of, 1e-12);
    CU_ASSERT(e2e_num(id, "disclosure.leak_rate_ci95.0") <= leaked / of);
    CU_ASSERT(e2e_num(id, "disclosure.leak_rate_ci95.1") >= leaked / of);
    const cJSON *ex = e2e_get(id, "disclosure.examples");
    CU_ASSERT(cJSON_GetArraySize(ex) > 0);
    for (const cJSON *e = ex ? ex->child : NULL; e != NULL; e = e->next) {
        const char *masked = cJSON_GetStringValue(e2e_get(e, "masked"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(masked);
        CU_ASSERT_PTR_NOT_NULL(strchr(masked, '*'));
    }
    /* report.redact defaults to on with an identification section: the examples show
     * the notes with their items masked, in the input and in the answer alike. */
    const cJSON *wex = e2e_get(rep, "targets.0.robustness.0.worst_examples");
    CU_ASSERT(cJSON_GetArraySize(wex) > 0);
    for (const cJSON *e = wex ? wex->child : NULL; e != NULL; e = e->next) {
        const char *in = cJSON_GetStringValue(e2e_get(e, "clean.input"));
        const char *ans = cJSON_GetStringValue(e2e_get(e, "clean.answer"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ans);
        CU_ASSERT_PTR_NOT_NULL(strstr(in, "**"));
        CU_ASSERT_PTR_NOT_NULL(strstr(ans, "**"));
        CU_ASSERT_PTR_NOT_NULL(strstr(cJSON_GetStringValue(e2e_get(e, "record_id")), "note-"));
    }
    CU_ASSERT_EQUAL(cJSON_IsTrue(e2e_get(rep, "verdict.passed")), 0);
    CU_ASSERT_EQUAL(e2e_num(rep, "verdict.gates_failed"), 1);
    /* report.md states the exact-span recall with its interval */
    char md_path[1200], *md = NULL;
    size_t md_len = 0;
    snprintf(md_path, sizeof md_path, "%s/report.md", report_dir);
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&md, &md_len, md_path, 1 << 24, NULL), FS_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "Exact-span recall "));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, ", records resampled)."));
    fs_free(md);
    cJSON_Delete(rep);
}

/* The stored clean and "cf:" inputs of an audit, by record. */
typedef struct cf_rows {
    char *id[512], *text[512];
    bool cf[512];
    size_t n;
} cf_rows;

static fs_status on_cf_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    cf_rows *r = payload;
    bool cf = strncmp(v->perturbation, "cf:", 3) == 0;
    (void)o;
    if ((cf || strcmp(v->perturbation, "clean") == 0) && r->n < 512) {
        r->id[r->n] = fs_strdup(v->record_id);
        r->text[r->n] = fs_strdup(v->text);
        r->cf[r->n++] = cf;
    }
    return FS_OK;
}

/* Every sensitive item of a record's clean input but names, kept verbatim in each of its
 * counterfactuals; returns the items checked, counts the counterfactuals in *n_cf. */
static size_t check_items_kept(const cf_rows *r, fs_identify_detector *d, size_t *n_cf)
{
    size_t checked = 0;
    for (size_t i = 0; i < r->n; i++) {
        fs_identify_item *items = NULL;
        size_t n = 0;
        if (r->cf[i] || r->text[i] == NULL) {
            continue;
        }
        CU_ASSERT_EQUAL(fs_identify_detect(d, r->text[i], strlen(r->text[i]), &items, &n, NULL),
                        FS_OK);
        for (size_t j = 0; j < r->n; j++) {
            if (!r->cf[j] || r->text[j] == NULL || strcmp(r->id[j], r->id[i]) != 0) {
                continue;
            }
            (*n_cf)++;
            for (size_t k = 0; k < n; k++) {
                if (strcmp(items[k].category, "person") == 0) {
                    continue;
                }
                checked++;
                CU_ASSERT_PTR_NOT_NULL(strstr(r->text[j], items[k].text));
                if (strstr(r->text[j], items[k].text) == NULL) {
                    fprintf(stderr, "\n  %s: %s '%s' lost in: %s\n", r->id[i], items[k].category,
                            items[k].text, r->text[j]);
                }
            }
        }
        fs_identify_items_free(items, n);
    }
    return checked;
}

/* Gender counterfactuals of the clinical notes in an identification audit: names are
 * swapped, but no date ("23. Juli 1957", where "Juli" is also a name) nor any other
 * sensitive item but a name changes, so the swap keeps the gold items true and the
 * redaction of examples still finds them. */
static void test_e2e_audit__counterfactuals_keep_sensitive_items(void)
{
    fs_test_refmodel rm;
    char text[4096], data[1024], path[1200];
    static cf_rows rows;
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    snprintf(data, sizeof data, "%s/examples/medical-notes/test.jsonl", fs_test_source_dir());
    snprintf(report_dir, sizeof report_dir, "%s/identcf", fs_test_tmp_dir());
    snprintf(config_path, sizeof config_path, "%s/identcf.json", fs_test_tmp_dir());
    snprintf(text, sizeof text,
             "{\"name\": \"identcf\", \"seed\": 3, \"dataset\": {\"path\": \"%s\",\n"
             "   \"fields\": {\"input\": \"text\", \"references\": \"items\", \"id\": \"id\"}},\n"
             " \"task\": {\"type\": \"identification\", \"prompt\": \"List the items.\\n"
             "Note: {{input}}\\nItems:\"},\n"
             " \"targets\": [{\"name\": \"pii\", \"type\": \"openai-chat\", \"url\": "
             "\"%s/v1/chat/completions\", \"model\": \"pii-identifier\"}],\n"
             " \"protect\": [\"@email\"],\n"
             " \"demographics\": {\"axes\": [\"gender\"]},\n"
             " \"report\": {\"dir\": \"%s\", \"formats\": [\"json\"]}}\n",
             data, rm.base_url, report_dir);
    CU_ASSERT_FATAL(e2e_write_file(config_path, text));
    int code = -1;
    const char *args[] = { "run", config_path, "--fresh", "--quiet", NULL };
    cJSON *rep = run_audit(args, &code);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    cJSON_Delete(rep);
    fs_store *s = NULL;
    fs_identify_detector *d = NULL;
    size_t n_cf = 0;
    memset(&rows, 0, sizeof rows);
    snprintf(path, sizeof path, "%s/run.sqlite", report_dir);
    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, NULL, false, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_each(s, "pii", on_cf_row, &rows, NULL), FS_OK);
    fs_store_free(s);
    CU_ASSERT_EQUAL_FATAL(fs_identify_detector_new(&d, fs_test_source_dir(), NULL, NULL), FS_OK);
    CU_ASSERT(check_items_kept(&rows, d, &n_cf) > 100);
    CU_ASSERT(n_cf > 50);
    fs_identify_detector_free(d);
    for (size_t i = 0; i < rows.n; i++) {
        fs_free(rows.id[i]);
        fs_free(rows.text[i]);
    }
}

/* Gates scoped to one perturbation, on the CI bound, and on latency read exactly the
 * figures the report shows; a bound that does not exist fails with its reason. */
static void test_e2e_audit__gate_bounds_and_scopes(void)
{
    fs_test_refmodel rm;
    char text[4096], data[1024];
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    snprintf(data, sizeof data, "%s/examples/sentiment/test.jsonl", fs_test_source_dir());
    snprintf(report_dir, sizeof report_dir, "%s/gates", fs_test_tmp_dir());
    snprintf(config_path, sizeof config_path, "%s/gates.json", fs_test_tmp_dir());
    snprintf(text, sizeof text,
             "{\"name\": \"gates\", \"seed\": 9, \"dataset\": {\"path\": \"%s\"},\n"
             " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", "
             "\"negative\"], \"prompt\": \"Text: {{input}}\\nAnswer:\"},\n"
             " \"targets\": [{\"name\": \"nb\", \"type\": \"openai-chat\", \"url\": "
             "\"%s/v1/chat/completions\"}],\n"
             " \"perturbations\": [{\"name\": \"typo\", \"rate\": 0.1}, {\"name\": \"case\"}],\n"
             " \"gates\": {\"robustness.max_flip_rate@typo\": 1,\n"
             "   \"robustness.max_flip_rate\": {\"threshold\": 1, \"bound\": \"ci95\"},\n"
             "   \"clean.min_accuracy\": {\"threshold\": 0.99, \"bound\": \"ci95\"},\n"
             "   \"latency.max_p95_ms\": 60000,\n"
             "   \"robustness.max_drop\": {\"threshold\": 1, \"bound\": \"ci95\"}},\n"
             " \"report\": {\"dir\": \"%s\"}}\n",
             data, rm.base_url, report_dir);
    CU_ASSERT_FATAL(e2e_write_file(config_path, text));
    int code = -1;
    const char *args[] = { "run", config_path, "--fresh", "--quiet", "--limit", "80", NULL };
    cJSON *rep = run_audit(args, &code);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    const cJSON *g = e2e_get(rep, "gates");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(g), 5);
    /* Scoped: typo's own flip rate. */
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(g, "0.value"), e2e_num(rep, "targets.0.robustness.0.flip_rate"),
                           1e-12);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(g, "0.perturbation")), "typo");
    CU_ASSERT(cJSON_IsTrue(e2e_get(g, "0.passed")));
    /* On the bound: the larger upper end over both perturbations. */
    double u0 = e2e_num(rep, "targets.0.robustness.0.flip_rate_ci95.1");
    double u1 = e2e_num(rep, "targets.0.robustness.1.flip_rate_ci95.1");
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(g, "1.value"), u0 > u1 ? u0 : u1, 1e-12);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(g, "1.bound")), "ci95");
    CU_ASSERT(e2e_num(g, "1.value") >= e2e_num(rep, "targets.0.robustness.0.flip_rate"));
    /* A minimum on the bound reads the lower end, below the estimate: 0.99 fails. */
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(g, "2.value"), e2e_num(rep, "targets.0.clean.accuracy_ci95.0"),
                           1e-12);
    CU_ASSERT(e2e_num(g, "2.value") < e2e_num(rep, "targets.0.clean.metrics.accuracy"));
    CU_ASSERT(!cJSON_IsTrue(e2e_get(g, "2.passed")));
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(g, "3.value"), e2e_num(rep, "targets.0.clean.latency_ms.p95"),
                           1e-12);
    CU_ASSERT(e2e_num(g, "3.value") > 0);
    CU_ASSERT(cJSON_IsTrue(e2e_get(g, "3.passed")));
    /* The drop rate has no interval: null with a reason, and the gate fails. */
    CU_ASSERT(cJSON_IsNull(e2e_get(g, "4.value")));
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetStringValue(e2e_get(g, "4.value_reason")));
    CU_ASSERT(!cJSON_IsTrue(e2e_get(g, "4.passed")));
    CU_ASSERT_EQUAL(e2e_num(rep, "verdict.gates_failed"), 2);
    cJSON_Delete(rep);
    /* Re-rendering prints which gates failed, with the bound and the threshold. */
    e2e_result r;
    const char *again[] = { "report", report_dir, NULL };
    CU_ASSERT_FATAL(e2e_run(&r, again, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "fairshake: 2 gates failed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "gate clean.min_accuracy on nb: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "(95% CI bound), needs >= 0.99"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "gate robustness.max_drop on nb: no value"));
    CU_ASSERT_PTR_NULL(strstr(r.err, "latency.max_p95_ms"));
    e2e_result_dispose(&r);
}

static bool file_has(const char *path, const char *needle)
{
    char buf[1 << 16];
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return false;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

/* A request budget stops the run cleanly: exit 3, a report marked incomplete in every
 * format, and the same config run again continues where it stopped until it is done. */
static void test_e2e_audit__budget_stops_and_resumes(void)
{
    fs_test_refmodel rm;
    char text[4096], data[1024], path[1200];
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    snprintf(data, sizeof data, "%s/examples/sentiment/test.jsonl", fs_test_source_dir());
    snprintf(report_dir, sizeof report_dir, "%s/budget", fs_test_tmp_dir());
    snprintf(config_path, sizeof config_path, "%s/budget.json", fs_test_tmp_dir());
    snprintf(text, sizeof text,
             "{\"name\": \"budget\", \"seed\": 4, \"dataset\": {\"path\": \"%s\"},\n"
             " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", "
             "\"negative\"], \"prompt\": \"Text: {{input}}\\nAnswer:\"},\n"
             " \"targets\": [{\"name\": \"nb\", \"type\": \"openai-chat\", \"url\": "
             "\"%s/v1/chat/completions\"}],\n"
             " \"perturbations\": [{\"name\": \"typo\", \"rate\": 0.1}],\n"
             " \"run\": {\"max_requests\": 50, \"concurrency\": 4},\n"
             " \"report\": {\"dir\": \"%s\", \"formats\": [\"json\", \"md\", \"html\", "
             "\"junit\"]}}\n",
             data, rm.base_url, report_dir);
    CU_ASSERT_FATAL(e2e_write_file(config_path, text));
    int code = -1;
    const char *first[] = { "run", config_path, "--fresh", "--quiet", "--limit", "80", NULL };
    cJSON *rep = run_audit(first, &code);
    CU_ASSERT_EQUAL(code, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    CU_ASSERT(cJSON_IsFalse(e2e_get(rep, "complete")));
    CU_ASSERT_PTR_NOT_NULL(strstr(cJSON_GetStringValue(e2e_get(rep, "stopped")), "budget"));
    CU_ASSERT(cJSON_IsFalse(e2e_get(rep, "verdict.passed")));
    CU_ASSERT_EQUAL(e2e_num(rep, "provenance.requests_sent"), 50);
    cJSON_Delete(rep);
    snprintf(path, sizeof path, "%s/report.md", report_dir);
    CU_ASSERT(file_has(path, "**INCOMPLETE**"));
    snprintf(path, sizeof path, "%s/report.html", report_dir);
    CU_ASSERT(file_has(path, "INCOMPLETE"));
    snprintf(path, sizeof path, "%s/junit.xml", report_dir);
    CU_ASSERT(file_has(path, "type=\"incomplete\""));
    /* 160 variants at 50 a run: three more runs, the last one completes. */
    const char *again[] = { "run", config_path, "--quiet", "--limit", "80", NULL };
    int runs = 1;
    for (; code == 3 && runs < 6; runs++) {
        rep = run_audit(again, &code);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
        cJSON_Delete(rep);
    }
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 0);
    CU_ASSERT_EQUAL(runs, 4);
    rep = run_audit(again, &code);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    CU_ASSERT(cJSON_IsTrue(e2e_get(rep, "complete")));
    CU_ASSERT_EQUAL(e2e_num(rep, "targets.0.clean.n") + e2e_num(rep, "targets.0.clean.errors"), 80);
    CU_ASSERT_EQUAL(e2e_num(rep, "provenance.requests_sent"), 0);
    cJSON_Delete(rep);
    snprintf(path, sizeof path, "%s/report.md", report_dir);
    CU_ASSERT(!file_has(path, "INCOMPLETE"));
}

/* The stored counterfactuals of a question: the references are swapped with the question
 * and its context, so some counterfactual's gold differs from its record's clean gold. A
 * record's "cf:" rows come before its "clean" row. */
typedef struct cf_golds {
    char id[64], gold[4][512];
    size_t pending, cf, swapped;
} cf_golds;

static fs_status on_gold_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    cf_golds *g = payload;
    (void)o;
    if (strcmp(v->record_id, g->id) != 0) {
        snprintf(g->id, sizeof g->id, "%s", v->record_id);
        g->pending = 0;
    }
    if (strncmp(v->perturbation, "cf:gender:", 10) == 0 && g->pending < 4) {
        snprintf(g->gold[g->pending++], sizeof g->gold[0], "%s", v->label ? v->label : "");
        g->cf++;
    } else if (strcmp(v->perturbation, "clean") == 0) {
        for (size_t i = 0; i < g->pending; i++) {
            g->swapped += strcmp(g->gold[i], v->label ? v->label : "") != 0;
        }
    }
    return FS_OK;
}

/* A question-answering audit with a gender axis: the free-text counterfactual entry counts
 * every record, its divergence is a mean of values in [0, 1] inside its interval, its
 * counts add up over the pairs of groups, Holm never lowers a p-value, both documents
 * render it, and the flip-rate gate, defined for labels only, fails with its reason. */
static void check_text_axis(const cJSON *a, double records)
{
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(a, "kind")), "counterfactual");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(a, "axis")), "gender");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(a, "item_metric")), "f1");
    CU_ASSERT_EQUAL(e2e_num(a, "records"), records);
    CU_ASSERT_EQUAL(e2e_num(a, "applicable") + e2e_num(a, "not_applicable"), records);
    CU_ASSERT(e2e_num(a, "applicable") > 0);
    double n = e2e_num(a, "n"), div = e2e_num(a, "divergence");
    CU_ASSERT(n >= e2e_num(a, "applicable") - e2e_num(a, "errors") - e2e_num(a, "missing"));
    CU_ASSERT(div >= 0 && div <= 1);
    CU_ASSERT(e2e_num(a, "divergence_ci95.0") <= div + 1e-12);
    CU_ASSERT(e2e_num(a, "divergence_ci95.1") >= div - 1e-12);
    CU_ASSERT(e2e_num(a, "answer_changed") <= n);
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(a, "answer_changed_rate"), e2e_num(a, "answer_changed") / n,
                           1e-12);
    CU_ASSERT(e2e_num(a, "refusals.original") <= n && e2e_num(a, "refusals.counterfactual") <= n);
    CU_ASSERT(e2e_num(a, "delta_item_metric_ci95.0") <= e2e_num(a, "delta_item_metric") + 1e-12);
    CU_ASSERT(e2e_num(a, "p_adjusted") >= e2e_num(a, "p_value"));
    CU_ASSERT(e2e_num(a, "refusals.p_adjusted") >= e2e_num(a, "refusals.p_value"));
    double pairs_n = 0, changed = 0;
    const cJSON *pairs = e2e_get(a, "pairs");
    CU_ASSERT(cJSON_GetArraySize(pairs) > 0);
    for (const cJSON *p = pairs ? pairs->child : NULL; p != NULL; p = p->next) {
        pairs_n += e2e_num(p, "n");
        changed += e2e_num(p, "answer_changed");
        CU_ASSERT(e2e_num(p, "p_adjusted") >= e2e_num(p, "p_value"));
        CU_ASSERT(e2e_num(p, "divergence") >= 0 && e2e_num(p, "divergence") <= 1);
    }
    CU_ASSERT_EQUAL(pairs_n, n);
    CU_ASSERT_EQUAL(changed, e2e_num(a, "answer_changed"));
    const cJSON *ex = e2e_get(a, "examples");
    for (const cJSON *e = ex ? ex->child : NULL; e != NULL; e = e->next) {
        CU_ASSERT(cJSON_IsTrue(e2e_get(e, "answer_changed")));
        CU_ASSERT_PTR_NOT_NULL(cJSON_GetStringValue(e2e_get(e, "original.input")));
        CU_ASSERT_PTR_NOT_NULL(cJSON_GetStringValue(e2e_get(e, "counterfactual.answer")));
    }
}

static void test_e2e_audit__text_counterfactuals(void)
{
    fs_test_refmodel rm;
    char text[4096], data[1024], path[1200];
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    snprintf(data, sizeof data, "%s/examples/qa/test.jsonl", fs_test_source_dir());
    snprintf(report_dir, sizeof report_dir, "%s/textcf", fs_test_tmp_dir());
    snprintf(config_path, sizeof config_path, "%s/textcf.json", fs_test_tmp_dir());
    snprintf(text, sizeof text,
             "{\"name\": \"textcf\", \"seed\": 7, \"dataset\": {\"path\": \"%s\",\n"
             "   \"fields\": {\"input\": \"question\", \"context\": \"context\",\n"
             "     \"references\": \"answers\", \"id\": \"id\"}},\n"
             " \"task\": {\"type\": \"qa\", \"prompt\": \"Answer the question with a short "
             "span from the context.\\nContext: {{context}}\\nQuestion: {{input}}\\nAnswer:\"},\n"
             " \"targets\": [{\"name\": \"overlap-qa\", \"type\": \"openai-chat\", \"url\": "
             "\"%s/v1/chat/completions\", \"model\": \"overlap-qa\"}],\n"
             " \"demographics\": {\"axes\": [\"gender\"]},\n"
             " \"gates\": {\"fairness.max_counterfactual_flip_rate\": 0.5},\n"
             " \"report\": {\"dir\": \"%s\", \"formats\": [\"json\", \"md\", \"html\"]}}\n",
             data, rm.base_url, report_dir);
    CU_ASSERT_FATAL(e2e_write_file(config_path, text));
    int code = -1;
    const char *args[] = { "run", config_path, "--fresh", "--quiet", NULL };
    cJSON *rep = run_audit(args, &code);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 1); /* the flip-rate gate has no value on a free-text task */
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    double records = (double)count_lines(data);
    const cJSON *fair = e2e_get(rep, "targets.0.fairness");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(fair), 1);
    check_text_axis(fair->child, records);
    CU_ASSERT(e2e_num(rep, "fairness_summary.comparisons") >= 2);
    CU_ASSERT(cJSON_IsNull(e2e_get(rep, "gates.0.value")));
    const char *why = cJSON_GetStringValue(e2e_get(rep, "gates.0.value_reason"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "classification only"));
    bool refusals = false;
    for (const cJSON *l = e2e_get(rep, "provenance.lexicons")->child; l != NULL; l = l->next) {
        const char *lp = cJSON_GetStringValue(e2e_get(l, "path"));
        refusals = refusals || (lp != NULL && strstr(lp, "refusals.json") != NULL);
    }
    CU_ASSERT(refusals);
    /* The references were swapped with the question and its context. */
    fs_store *s = NULL;
    static cf_golds g;
    memset(&g, 0, sizeof g);
    snprintf(path, sizeof path, "%s/run.sqlite", report_dir);
    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, NULL, false, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_each(s, "overlap-qa", on_gold_row, &g, NULL), FS_OK);
    fs_store_free(s);
    CU_ASSERT(g.cf >= e2e_num(fair->child, "applicable"));
    CU_ASSERT(g.swapped > 0);
    /* Both documents show the section. */
    snprintf(path, sizeof path, "%s/report.md", report_dir);
    char *md = NULL, *html = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(fs_read_file(&md, &len, path, 1 << 24, NULL), FS_OK);
    snprintf(path, sizeof path, "%s/report.html", report_dir);
    CU_ASSERT_EQUAL(fs_read_file(&html, &len, path, 1 << 24, NULL), FS_OK);
    CU_ASSERT_PTR_NOT_NULL(md != NULL ? strstr(md, "| gender | ") : NULL);
    CU_ASSERT_PTR_NOT_NULL(md != NULL ? strstr(md, "Changed answers under `gender`") : NULL);
    CU_ASSERT_PTR_NOT_NULL(html != NULL ? strstr(html, "Answer divergence per axis") : NULL);
    CU_ASSERT_PTR_NOT_NULL(html != NULL ? strstr(html, "<b>counterfactual</b>") : NULL);
    fs_free(md);
    fs_free(html);
    cJSON_Delete(rep);
}

/* examples/qa with a "grp" field alternating "a" and "b", written to path. */
static bool write_grouped_qa(const char *path)
{
    char src[1100], *text = NULL;
    size_t len = 0, line = 0;
    snprintf(src, sizeof src, "%s/examples/qa/test.jsonl", fs_test_source_dir());
    if (fs_read_file(&text, &len, src, 1 << 24, NULL) != FS_OK) {
        return false;
    }
    fs_buf b;
    fs_buf_init(&b, 0);
    for (char *p = text, *nl; *p != '\0'; p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl == NULL) {
            break;
        }
        char *close = nl;
        while (close > p && *close != '}') {
            close--;
        }
        if (*close != '}') {
            continue;
        }
        fs_buf_append(&b, p, (size_t)(close - p));
        fs_buf_printf(&b, ", \"grp\": \"%s\"}\n", line++ % 2 ? "b" : "a");
    }
    bool ok = fs_buf_status(&b) == FS_OK && e2e_write_file(path, fs_buf_cstr(&b));
    fs_buf_dispose(&b);
    fs_free(text);
    return ok;
}

/* Group metrics of a question-answering audit (dataset.fields.group): the groups' n add
 * up to the clean n, each mean F1 lies in [0, 1] inside its interval, the gap is the max
 * minus the min of the means, Holm never lowers a p-value, the fairness gates of
 * selection rates fail with their reason, and both documents show the table. */
static void test_e2e_audit__text_groups(void)
{
    fs_test_refmodel rm;
    char text[4096], data[1100], path[1200];
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    snprintf(data, sizeof data, "%s/grouped-qa.jsonl", fs_test_tmp_dir());
    CU_ASSERT_FATAL(write_grouped_qa(data));
    snprintf(report_dir, sizeof report_dir, "%s/textgroups", fs_test_tmp_dir());
    snprintf(config_path, sizeof config_path, "%s/textgroups.json", fs_test_tmp_dir());
    snprintf(text, sizeof text,
             "{\"name\": \"textgroups\", \"seed\": 7, \"dataset\": {\"path\": \"%s\",\n"
             "   \"fields\": {\"input\": \"question\", \"context\": \"context\",\n"
             "     \"references\": \"answers\", \"id\": \"id\", \"group\": \"grp\"}},\n"
             " \"task\": {\"type\": \"qa\", \"prompt\": \"Answer the question with a short "
             "span from the context.\\nContext: {{context}}\\nQuestion: {{input}}\\nAnswer:\"},\n"
             " \"targets\": [{\"name\": \"overlap-qa\", \"type\": \"openai-chat\", \"url\": "
             "\"%s/v1/chat/completions\", \"model\": \"overlap-qa\"}],\n"
             " \"perturbations\": [{\"name\": \"case\"}],\n"
             " \"gates\": {\"fairness.min_disparate_impact\": 0.8},\n"
             " \"report\": {\"dir\": \"%s\", \"formats\": [\"json\", \"md\", \"html\"]}}\n",
             data, rm.base_url, report_dir);
    CU_ASSERT_FATAL(e2e_write_file(config_path, text));
    int code = -1;
    const char *args[] = { "run", config_path, "--fresh", "--quiet", NULL };
    cJSON *rep = run_audit(args, &code);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(code, 1); /* the disparate-impact gate has no value on a free-text task */
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
    const cJSON *fair = e2e_get(rep, "targets.0.fairness");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(fair), 1);
    const cJSON *e = fair->child;
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(e, "kind")), "group");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(e, "axis")), "grp");
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(e, "item_metric")), "f1");
    const cJSON *groups = e2e_get(e, "groups");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(groups), 2);
    double n = 0, hi = -INFINITY, lo = INFINITY;
    for (const cJSON *g = groups->child; g != NULL; g = g->next) {
        double mean = e2e_num(g, "mean_item_metric");
        n += e2e_num(g, "n");
        CU_ASSERT(mean >= 0 && mean <= 1);
        CU_ASSERT(e2e_num(g, "mean_item_metric_ci95.0") <= mean + 1e-12);
        CU_ASSERT(e2e_num(g, "mean_item_metric_ci95.1") >= mean - 1e-12);
        CU_ASSERT(e2e_num(g, "metrics.f1") >= 0 && e2e_num(g, "metrics.f1") <= 1);
        hi = mean > hi ? mean : hi;
        lo = mean < lo ? mean : lo;
        const cJSON *d = e2e_get(g, "diff_vs_reference");
        if (cJSON_IsNumber(e2e_get(d, "p_value"))) {
            CU_ASSERT(e2e_num(d, "p_adjusted") >= e2e_num(d, "p_value"));
            CU_ASSERT(e2e_num(d, "ci95.0") <= e2e_num(d, "value") + 1e-12);
            CU_ASSERT(e2e_num(d, "ci95.1") >= e2e_num(d, "value") - 1e-12);
        }
    }
    CU_ASSERT_EQUAL(n, e2e_num(rep, "targets.0.clean.n"));
    CU_ASSERT_EQUAL(e2e_num(e, "n"), n);
    CU_ASSERT_DOUBLE_EQUAL(e2e_num(e, "max_min_difference.value"), hi - lo, 1e-12);
    CU_ASSERT(e2e_num(rep, "fairness_summary.comparisons") >= 1);
    const char *why = cJSON_GetStringValue(e2e_get(rep, "gates.0.value_reason"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "classification only"));
    char *md = NULL, *html = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/report.md", report_dir);
    CU_ASSERT_EQUAL(fs_read_file(&md, &len, path, 1 << 24, NULL), FS_OK);
    snprintf(path, sizeof path, "%s/report.html", report_dir);
    CU_ASSERT_EQUAL(fs_read_file(&html, &len, path, 1 << 24, NULL), FS_OK);
    CU_ASSERT_PTR_NOT_NULL(md != NULL ? strstr(md, "Group metrics by `grp`") : NULL);
    CU_ASSERT_PTR_NOT_NULL(md != NULL ? strstr(md, "| mean f1 (95% CI) |") : NULL);
    CU_ASSERT_PTR_NOT_NULL(html != NULL ? strstr(html, "<h3>Groups by grp</h3>") : NULL);
    fs_free(md);
    fs_free(html);
    cJSON_Delete(rep);
}

const fs_test_case fs_e2e_audit_tests[] = {
    { "test_e2e_audit__demo_numbers", test_e2e_audit__demo_numbers },
    { "test_e2e_audit__resume_sends_nothing", test_e2e_audit__resume_sends_nothing },
    { "test_e2e_audit__report_rebuilds_from_store", test_e2e_audit__report_rebuilds_from_store },
    { "test_e2e_audit__faults_are_retried", test_e2e_audit__faults_are_retried },
    { "test_e2e_audit__cache_serves_repeats", test_e2e_audit__cache_serves_repeats },
    { "test_e2e_audit__several_variants_per_record", test_e2e_audit__several_variants_per_record },
    { "test_e2e_audit__malformed_answers_are_errors",
      test_e2e_audit__malformed_answers_are_errors },
    { "test_e2e_audit__identification", test_e2e_audit__identification },
    { "test_e2e_audit__gate_bounds_and_scopes", test_e2e_audit__gate_bounds_and_scopes },
    { "test_e2e_audit__budget_stops_and_resumes", test_e2e_audit__budget_stops_and_resumes },
    { "test_e2e_audit__text_counterfactuals", test_e2e_audit__text_counterfactuals },
    { "test_e2e_audit__text_groups", test_e2e_audit__text_groups },
    { "test_e2e_audit__counterfactuals_keep_sensitive_items",
      test_e2e_audit__counterfactuals_keep_sensitive_items },
    { NULL, NULL },
};
