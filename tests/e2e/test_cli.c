/* e2e.cli: config validation messages and exit codes, perturb previews and their
 * determinism, help texts. None of these needs the model. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "e2e.h"
#include "fairshake/perturb.h"

static char *write_tmp(const char *name, const char *text)
{
    static char path[8][1024];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, 1024, "%s/%s", fs_test_tmp_dir(), name);
    return e2e_write_file(p, text) ? p : NULL;
}

#define GOOD_CONFIG                                                                          \
    "{\n"                                                                                    \
    "  \"name\": \"cli-check\",\n"                                                           \
    "  \"dataset\": {\"path\": \"examples/sentiment/test.jsonl\"},\n"                        \
    "  \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", \"negative\"],\n" \
    "           \"prompt\": \"Text: {{input}}\"},\n"                                         \
    "  \"targets\": [{\"name\": \"m\", \"type\": \"openai-chat\", \"url\": "                 \
    "\"http://127.0.0.1:9/v1\"}],\n"                                                         \
    "  \"run\": {\"concurrency\": 4%s},\n"                                                   \
    "  \"perturbations\": [{\"name\": \"typo\"%s}]\n"                                        \
    "}\n"

static e2e_result validate(const char *name, const char *run_extra, const char *pert_extra)
{
    char text[2048];
    e2e_result r;
    snprintf(text, sizeof text, GOOD_CONFIG, run_extra, pert_extra);
    char *path = write_tmp(name, text);
    const char *args[] = { "validate", path, NULL };
    CU_ASSERT(e2e_run(&r, args, NULL));
    return r;
}

static void test_e2e_cli__valid_config_passes(void)
{
    e2e_result r = validate("ok.json", "", "");
    CU_ASSERT_EQUAL(r.exit_code, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "valid"));
    e2e_result_dispose(&r);
}

static void test_e2e_cli__unknown_key_names_it(void)
{
    e2e_result r = validate("typo-key.json", ", \"concurency\": 2", "");
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "typo-key.json:7: run.concurency: unknown key"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "did you mean 'concurrency'"));
    e2e_result_dispose(&r);
}

static void test_e2e_cli__wrong_type_names_it(void)
{
    e2e_result r = validate("type.json", ", \"retries\": \"five\"", "");
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "run.retries: expected an integer, got string"));
    e2e_result_dispose(&r);
}

static void test_e2e_cli__bad_perturbation_param(void)
{
    e2e_result r = validate("param.json", "", ", \"rat\": 0.1");
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "param.json:8: perturbations[0] (typo)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "rat"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "rate"));
    e2e_result_dispose(&r);
}

static void test_e2e_cli__bad_label_in_dataset(void)
{
    char text[2048];
    const char *data =
        write_tmp("bad-label.jsonl", "{\"text\": \"fine\", \"label\": \"positive\"}\n"
                                     "{\"text\": \"meh\", \"label\": \"neutral\"}\n");
    snprintf(text, sizeof text,
             "{\"name\": \"x\", \"dataset\": {\"path\": \"%s\"},\n"
             " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", \"negative\"],"
             " \"prompt\": \"{{input}}\"},\n"
             " \"targets\": [{\"name\": \"m\", \"type\": \"openai-chat\", \"url\": "
             "\"http://127.0.0.1:9/\"}]}\n",
             data);
    const char *args[] = { "validate", write_tmp("bad-label.json", text), NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "bad-label.jsonl:2: label: 'neutral'"));
    e2e_result_dispose(&r);
}

static void test_e2e_cli__unreachable_target_exits_3(void)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"name\": \"down\", \"dataset\": {\"path\": \"examples/sentiment/test.jsonl\"},\n"
             " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", \"negative\"],"
             " \"prompt\": \"{{input}}\"},\n"
             " \"targets\": [{\"name\": \"m\", \"type\": \"openai-chat\", \"url\": "
             "\"http://127.0.0.1:9/v1/chat/completions\"}],\n"
             " \"run\": {\"retries\": 1, \"timeout_ms\": 2000},\n"
             " \"report\": {\"dir\": \"%s/down\"}}\n",
             fs_test_tmp_dir());
    const char *args[] = { "run", write_tmp("down.json", text), "--limit", "3", "--quiet", NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "every one of 3 requests failed"));
    e2e_result_dispose(&r);
}

static void test_e2e_cli__duplicate_ids_rejected(void)
{
    char text[2048];
    const char *data =
        write_tmp("dup.jsonl", "{\"id\": \"a\", \"text\": \"good\", \"label\": \"positive\"}\n"
                               "{\"id\": \"a\", \"text\": \"bad\", \"label\": \"negative\"}\n");
    snprintf(text, sizeof text,
             "{\"name\": \"dup\", \"dataset\": {\"path\": \"%s\", \"fields\": {\"id\": \"id\"}},\n"
             " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", \"negative\"],"
             " \"prompt\": \"{{input}}\"},\n"
             " \"targets\": [{\"name\": \"m\", \"type\": \"openai-chat\", \"url\": "
             "\"http://127.0.0.1:9/v1/chat/completions\"}],\n"
             " \"run\": {\"retries\": 0, \"timeout_ms\": 2000},\n"
             " \"report\": {\"dir\": \"%s/dup\"}}\n",
             data, fs_test_tmp_dir());
    const char *args[] = { "run", write_tmp("dup.json", text), "--quiet", NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(r.err, "dup.jsonl:2: id: record id 'a' is used by records 1 and 2"));
    e2e_result_dispose(&r);
}

static char *perturb_json(const char *seed)
{
    const char *args[] = { "perturb",
                           "--input",
                           "examples/sentiment/test.jsonl",
                           "--suite",
                           "typo,case,whitespace,punctuation",
                           "--seed",
                           seed,
                           "--json",
                           NULL };
    e2e_result r;
    CU_ASSERT(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    fs_free(r.err);
    return r.out;
}

static void test_e2e_cli__same_seed_same_variants(void)
{
    char *a = perturb_json("42"), *b = perturb_json("42"), *c = perturb_json("43");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT(strlen(a) > 10000);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT(strcmp(a, c) != 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(a, "\"suite\":\"typo\",\"seed\":42"));
    fs_free(a);
    fs_free(b);
    fs_free(c);
}

static void test_e2e_cli__perturb_text_unicode(void)
{
    const char *args[] = { "perturb", "--text",      "Zoë lit «le livre» 日本語 😀!",
                           "--suite", "punctuation", NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    CU_ASSERT_STRING_EQUAL(r.out, "Zoë lit le livre 日本語 😀\n");
    e2e_result_dispose(&r);
}

static void test_e2e_cli__help_and_usage(void)
{
    const char *help[] = { "run", "--help", NULL };
    const char *bad[] = { "runn", NULL };
    const char *list[] = { "list", "perturbations", NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, help, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "--concurrency N"));
    e2e_result_dispose(&r);
    CU_ASSERT_FATAL(e2e_run(&r, bad, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "did you mean 'run'"));
    e2e_result_dispose(&r);
    CU_ASSERT_FATAL(e2e_run(&r, list, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "typo"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "punctuation"));
    e2e_result_dispose(&r);
}

/* Protected spans: an ICU regex and a preset are copied unchanged. */
static void test_e2e_cli__perturb_protects_spans(void)
{
    const char *args[] = {
        "perturb", "--text",      "Great!!! See https://x.org/a, ok. Really, truly.",
        "--suite", "punctuation", "--protect",
        "[!]+",    "--protect",   "@url",
        NULL
    };
    const char *bad[] = { "perturb",     "--text",    "x",     "--suite",
                          "punctuation", "--protect", "@urll", NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    CU_ASSERT_STRING_EQUAL(r.out, "Great!!! See https://x.org/a ok Really truly\n");
    e2e_result_dispose(&r);
    CU_ASSERT_FATAL(e2e_run(&r, bad, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "did you mean '@url'"));
    e2e_result_dispose(&r);
}

/* Every perturbation of the catalogue previews a whole file (tests/data/perturb/
 * preview.txt has something eligible for each): one JSON object per record and variant,
 * valid UTF-8, and at least one changed variant. */
static void test_e2e_cli__every_perturbation_previews(void)
{
    const fs_perturb_info *cat = NULL;
    size_t n = fs_perturb_catalogue(&cat);
    CU_ASSERT(n >= 27);
    for (size_t i = 0; i < n; i++) {
        const char *args[] = { "perturb",
                               "--input",
                               "tests/data/perturb/preview.txt",
                               "--suite",
                               cat[i].name,
                               "--n",
                               "2",
                               "--json",
                               "--param",
                               "answer=positive",
                               NULL };
        bool needs_answer = strcmp(cat[i].name, "injection") == 0;
        if (!needs_answer) {
            args[8] = NULL;
        }
        e2e_result r;
        CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
        CU_ASSERT_EQUAL(r.exit_code, 0);
        size_t lines = 0, changed = 0;
        for (const char *p = r.out; p != NULL && *p != '\0';) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            cJSON *v = NULL;
            CU_ASSERT_EQUAL(fs_json__parse(&v, p, len, "line", NULL), FS_OK);
            const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(v, "text"));
            CU_ASSERT_PTR_NOT_NULL(text);
            CU_ASSERT(text == NULL || fs_text_valid_utf8(text, strlen(text)));
            changed += cJSON_IsTrue(cJSON_GetObjectItem(v, "changed"));
            cJSON_Delete(v);
            lines++;
            p = nl ? nl + 1 : NULL;
        }
        CU_ASSERT_EQUAL(lines, 13 * 2);
        if (changed == 0) {
            fprintf(stderr, "%s changed nothing\n", cat[i].name);
        }
        CU_ASSERT(changed > 0);
        e2e_result_dispose(&r);
    }
}

/* docs/fairshake.1 is the output of 'fairshake --man': it cannot drift from --help. */
static void test_e2e_cli__man_page_is_current(void)
{
    const char *args[] = { "--man", NULL };
    char path[1024], *doc = NULL;
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    snprintf(path, sizeof path, "%s/docs/fairshake.1", fs_test_source_dir());
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&doc, NULL, path, 1 << 20, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(r.out, doc);
    fs_free(doc);
    e2e_result_dispose(&r);
}

/* The examples in README.md and docs/cli.md, as written there. */
static void test_e2e_cli__documented_examples(void)
{
    const char *perturb[] = { "perturb", "--text",      "The café was great!",
                              "--suite", "punctuation", NULL };
    const char *validate_demo[] = { "validate", "examples/sentiment/audit.json", NULL };
    const char *seeded[] = { "perturb", "--text",    "The café was great!",
                             "--suite", "typo,case", "--seed",
                             "7",       NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, perturb, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    CU_ASSERT_STRING_EQUAL(r.out, "The café was great\n");
    e2e_result_dispose(&r);
    CU_ASSERT_FATAL(e2e_run(&r, validate_demo, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    e2e_result_dispose(&r);
    CU_ASSERT_FATAL(e2e_run(&r, seeded, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "typo: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "case: "));
    e2e_result_dispose(&r);
}

/* Gates: a scope must name a perturbation label or an axis, only some gates take one, a
 * bound is "estimate" or "ci95", and a near miss of a gate name is suggested. */
static void test_e2e_cli__gate_checks(void)
{
    static const struct {
        const char *gates, *message;
        int code;
    } cases[] = {
        { "\"robustness.max_flip_rate@typo\": 0.2, \"latency.max_p95_ms\": 800, "
          "\"clean.min_accuracy\": {\"threshold\": 0.7, \"bound\": \"ci95\"}",
          "valid", 0 },
        { "\"robustness.max_flip_rate@tyop\": 0.2",
          "gates.robustness.max_flip_rate@tyop: 'tyop' is not the label of a perturbation", 2 },
        { "\"clean.min_accuracy@typo\": 0.2", "takes no '@' scope", 2 },
        { "\"fairness.max_counterfactual_flip_rate@gender\": 0.2",
          "'gender' is not one of demographics.axes", 2 },
        { "\"clean.min_accuracy\": {\"threshold\": 0.7, \"bound\": \"upper\"}",
          "gates.clean.min_accuracy.bound: expected \"estimate\" or \"ci95\"", 2 },
        { "\"clean.min_accuracy\": {\"bound\": \"ci95\"}", "missing 'threshold'", 2 },
        { "\"latency.p95_ms\": 500", "did you mean 'latency.max_p95_ms'", 2 },
        { "\"clean.max_perplexity\": 50", "only a language-modeling task has a perplexity", 2 },
    };
    /* A gate's own line is named, though its name holds dots. */
    const char *lines = "{\"name\": \"g\", \"dataset\": {\"path\": "
                        "\"examples/sentiment/test.jsonl\"},\n"
                        " \"task\": {\"type\": \"classification\", \"labels\": "
                        "[\"positive\", \"negative\"], \"prompt\": \"{{input}}\"},\n"
                        " \"targets\": [{\"name\": \"m\", \"type\": \"openai-chat\", "
                        "\"url\": \"http://127.0.0.1:9/\"}],\n"
                        " \"perturbations\": [{\"name\": \"typo\"}],\n"
                        " \"gates\": {\n"
                        "   \"clean.min_accuracy\": 0.5,\n"
                        "   \"robustness.max_flip_rate@tyop\": 0.2}}\n";
    const char *largs[] = { "validate", write_tmp("gate-lines.json", lines), NULL };
    e2e_result lr;
    CU_ASSERT_FATAL(e2e_run(&lr, largs, NULL));
    CU_ASSERT_EQUAL(lr.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(lr.err, "gate-lines.json:7: gates.robustness.max_flip_rate@tyop"));
    e2e_result_dispose(&lr);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048], name[32];
        snprintf(text, sizeof text,
                 "{\"name\": \"g\", \"dataset\": {\"path\": \"examples/sentiment/test.jsonl\"},\n"
                 " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", "
                 "\"negative\"], \"prompt\": \"{{input}}\"},\n"
                 " \"targets\": [{\"name\": \"m\", \"type\": \"openai-chat\", \"url\": "
                 "\"http://127.0.0.1:9/\"}],\n"
                 " \"perturbations\": [{\"name\": \"typo\"}],\n"
                 " \"gates\": {%s}}\n",
                 cases[i].gates);
        snprintf(name, sizeof name, "gates-%zu.json", i);
        const char *args[] = { "validate", write_tmp(name, text), NULL };
        e2e_result r;
        CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
        CU_ASSERT_EQUAL(r.exit_code, cases[i].code);
        CU_ASSERT_PTR_NOT_NULL(strstr(cases[i].code ? r.err : r.out, cases[i].message));
        e2e_result_dispose(&r);
    }
}

/* An unknown identification category is caught before anything is sent. */
static void test_e2e_cli__identification_category_checked(void)
{
    const char *text =
        "{\"name\": \"idc\", \"dataset\": {\"path\": \"examples/medical-notes/test.jsonl\",\n"
        "   \"fields\": {\"input\": \"text\", \"references\": \"items\", \"id\": \"id\"}},\n"
        " \"task\": {\"type\": \"identification\", \"prompt\": \"{{input}}\"},\n"
        " \"targets\": [{\"name\": \"m\", \"type\": \"openai-chat\", \"url\": "
        "\"http://127.0.0.1:9/\"}],\n"
        " \"identification\": {\"categories\": [\"email\", \"emial\"]}}\n";
    const char *args[] = { "validate", write_tmp("idc.json", text), NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "idc.json: identification"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "did you mean 'email'"));
    e2e_result_dispose(&r);
}

/* A target key its type does not read is refused, not ignored. */
static void test_e2e_cli__target_key_of_another_type(void)
{
    const char *text =
        "{\"name\": \"tk\", \"dataset\": {\"path\": \"examples/sentiment/test.jsonl\"},\n"
        " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", \"negative\"],"
        " \"prompt\": \"{{input}}\"},\n"
        " \"targets\": [{\"name\": \"m\", \"type\": \"openai-chat\",\n"
        "   \"url\": \"http://127.0.0.1:9/\", \"command\": [\"python3\", \"m.py\"]}]}\n";
    const char *args[] = { "validate", write_tmp("tk.json", text), NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(r.err, "targets[0].command: not used by a target of type 'openai-chat'"));
    e2e_result_dispose(&r);
}

/* list names every target type and every task's metrics. */
static void test_e2e_cli__list_targets_and_metrics(void)
{
    static const char *const want_targets[] = { "openai-chat", "openai-completions", "rest",
                                                "exec" };
    static const char *const want_metrics[] = { "macro_f1",   "exact_match", "rougeLsum",
                                                "chrf",       "perplexity",  "identification:",
                                                "generation:" };
    const char *targets[] = { "list", "targets", NULL }, *metrics[] = { "list", "metrics", NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, targets, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    for (size_t i = 0; i < sizeof want_targets / sizeof want_targets[0]; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(r.out, want_targets[i]));
    }
    e2e_result_dispose(&r);
    CU_ASSERT_FATAL(e2e_run(&r, metrics, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 0);
    for (size_t i = 0; i < sizeof want_metrics / sizeof want_metrics[0]; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(r.out, want_metrics[i]));
    }
    e2e_result_dispose(&r);
}

/* A reference group that no record has is caught by validate, before any request. */
static void test_e2e_cli__reference_group_checked(void)
{
    const char *text =
        "{\"name\": \"rg\", \"dataset\": {\"path\": \"examples/sentiment/test.jsonl\",\n"
        "   \"fields\": {\"group\": \"author_gender\"}},\n"
        " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", \"negative\"],"
        " \"prompt\": \"{{input}}\"},\n"
        " \"targets\": [{\"name\": \"m\", \"type\": \"openai-chat\", \"url\": "
        "\"http://127.0.0.1:9/\"}],\n"
        " \"demographics\": {\"reference\": {\"author_gender\": \"mael\"}}}\n";
    const char *args[] = { "validate", write_tmp("rg.json", text), NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(r.err, "demographics.reference.author_gender: no record has the group 'mael'"));
    e2e_result_dispose(&r);
}

/* validate also checks the axes and the rate minimums that only run used to check. */
static void test_e2e_cli__axes_and_rates_checked(void)
{
    e2e_result r = validate("rps.json", ", \"rps\": 0.0001", "");
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "run.rps: must be 0 (unlimited) or at least 0.001"));
    e2e_result_dispose(&r);
    const char *text =
        "{\"name\": \"ax\", \"dataset\": {\"path\": \"examples/sentiment/test.jsonl\"},\n"
        " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", \"negative\"],"
        " \"prompt\": \"{{input}}\"},\n"
        " \"targets\": [{\"name\": \"m\", \"type\": \"openai-chat\", \"url\": "
        "\"http://127.0.0.1:9/\"}],\n"
        " \"demographics\": {\"axes\": [\"gender\", \"gendre\"]}}\n";
    const char *args[] = { "validate", write_tmp("ax.json", text), NULL };
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "demographics.axes: unknown axis 'gendre'"));
    e2e_result_dispose(&r);
}

const fs_test_case fs_e2e_cli_tests[] = {
    { "test_e2e_cli__man_page_is_current", test_e2e_cli__man_page_is_current },
    { "test_e2e_cli__every_perturbation_previews", test_e2e_cli__every_perturbation_previews },
    { "test_e2e_cli__perturb_protects_spans", test_e2e_cli__perturb_protects_spans },
    { "test_e2e_cli__documented_examples", test_e2e_cli__documented_examples },
    { "test_e2e_cli__valid_config_passes", test_e2e_cli__valid_config_passes },
    { "test_e2e_cli__unknown_key_names_it", test_e2e_cli__unknown_key_names_it },
    { "test_e2e_cli__wrong_type_names_it", test_e2e_cli__wrong_type_names_it },
    { "test_e2e_cli__bad_perturbation_param", test_e2e_cli__bad_perturbation_param },
    { "test_e2e_cli__bad_label_in_dataset", test_e2e_cli__bad_label_in_dataset },
    { "test_e2e_cli__unreachable_target_exits_3", test_e2e_cli__unreachable_target_exits_3 },
    { "test_e2e_cli__duplicate_ids_rejected", test_e2e_cli__duplicate_ids_rejected },
    { "test_e2e_cli__same_seed_same_variants", test_e2e_cli__same_seed_same_variants },
    { "test_e2e_cli__perturb_text_unicode", test_e2e_cli__perturb_text_unicode },
    { "test_e2e_cli__help_and_usage", test_e2e_cli__help_and_usage },
    { "test_e2e_cli__gate_checks", test_e2e_cli__gate_checks },
    { "test_e2e_cli__axes_and_rates_checked", test_e2e_cli__axes_and_rates_checked },
    { "test_e2e_cli__reference_group_checked", test_e2e_cli__reference_group_checked },
    { "test_e2e_cli__list_targets_and_metrics", test_e2e_cli__list_targets_and_metrics },
    { "test_e2e_cli__target_key_of_another_type", test_e2e_cli__target_key_of_another_type },
    { "test_e2e_cli__identification_category_checked",
      test_e2e_cli__identification_category_checked },
    { NULL, NULL },
};
