/* e2e.compare: `fairshake compare` on real runs against the reference model. A weak
 * baseline (nb-sentiment trained on 40 lines) and the full model answer the same
 * variants (same config and seed): every condition is paired. A candidate run with
 * another seed sends other typo variants: clean stays paired, typo becomes unpaired. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "e2e.h"
#include "refmodel_fixture.h"

static fs_test_refmodel weak, full;

/* The first n lines of the sentiment training set. */
static bool write_small_train(const char *path, size_t n)
{
    char src[1024], line[4096];
    snprintf(src, sizeof src, "%s/examples/sentiment/train.jsonl", fs_test_source_dir());
    FILE *in = fopen(src, "rb");
    FILE *out = fopen(path, "wb");
    for (size_t i = 0; in != NULL && out != NULL && i < n && fgets(line, sizeof line, in); i++) {
        fputs(line, out);
    }
    bool ok = in != NULL && out != NULL;
    if (in != NULL) {
        fclose(in);
    }
    return out != NULL && fclose(out) == 0 && ok;
}

static bool write_config(char *dir, size_t cap, const char *name, const char *url, int seed)
{
    char path[1200], text[4096];
    snprintf(dir, cap, "%s/%s", fs_test_tmp_dir(), name);
    snprintf(path, sizeof path, "%s/%s.json", fs_test_tmp_dir(), name);
    snprintf(text, sizeof text,
             "{\"name\": \"%s\", \"seed\": %d,\n"
             " \"dataset\": {\"path\": \"%s/examples/sentiment/test.jsonl\", \"format\": "
             "\"jsonl\",\n   \"fields\": {\"input\": \"text\", \"label\": \"label\", \"id\": "
             "\"id\"}},\n"
             " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", "
             "\"negative\"],\n   \"prompt\": \"Sentiment?\\nText: {{input}}\\nAnswer:\"},\n"
             " \"targets\": [{\"name\": \"nb\", \"type\": \"openai-chat\",\n"
             "   \"url\": \"%s/v1/chat/completions\", \"model\": \"nb-sentiment\"}],\n"
             " \"perturbations\": [{\"name\": \"typo\", \"rate\": 0.2}, {\"name\": \"case\"}],\n"
             " \"run\": {\"concurrency\": 4, \"timeout_ms\": 10000},\n"
             " \"report\": {\"dir\": \"%s\"}}\n",
             name, seed, fs_test_source_dir(), url, dir);
    return e2e_write_file(path, text);
}

static int run_cmd(const char *const *args)
{
    e2e_result r;
    if (!e2e_run(&r, args, NULL)) {
        return -1;
    }
    int code = r.exit_code;
    if (code != 0) {
        fprintf(stderr, "%s%s", r.out, r.err);
    }
    e2e_result_dispose(&r);
    return code;
}

static bool run_audit(const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.json", fs_test_tmp_dir(), name);
    const char *args[] = { "run", path, "--fresh", "--quiet", "--limit", "60", NULL };
    int code = run_cmd(args);
    return code == 0 || code == 1;
}

static const cJSON *condition(const cJSON *root, const char *name)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, e2e_get(root, "targets.0.conditions"))
    {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "condition")), name) == 0) {
            return c;
        }
    }
    return NULL;
}

static void check_paired(const cJSON *c, const cJSON *report_a, const cJSON *report_b)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(cJSON_IsTrue(e2e_get(c, "test.paired")));
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(c, "test.test")), "exact McNemar test");
    double pairs = e2e_num(c, "test.pairs"), p = e2e_num(c, "test.p_value");
    CU_ASSERT_TRUE(pairs > 0);
    CU_ASSERT_TRUE(p >= 0.0 && p <= 1.0);
    double d = e2e_num(c, "test.difference");
    CU_ASSERT_DOUBLE_EQUAL(
        d, e2e_num(c, "test.accuracy_candidate") - e2e_num(c, "test.accuracy_baseline"), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(
        d,
        (e2e_num(c, "test.candidate_only_correct") - e2e_num(c, "test.baseline_only_correct")) /
            pairs,
        1e-12);
    CU_ASSERT_TRUE(e2e_num(c, "test.ci95.0") <= d + 1e-12 &&
                   d <= e2e_num(c, "test.ci95.1") + 1e-12);
    if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "condition")), "clean") == 0) {
        /* Every record answered in both runs: the side-by-side figures are the runs'. */
        CU_ASSERT_DOUBLE_EQUAL(e2e_num(c, "baseline.accuracy"),
                               e2e_num(report_a, "targets.0.clean.metrics.accuracy"), 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(e2e_num(c, "candidate.accuracy"),
                               e2e_num(report_b, "targets.0.clean.metrics.accuracy"), 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(e2e_num(c, "test.accuracy_baseline"),
                               e2e_num(c, "baseline.accuracy"), 1e-12);
        CU_ASSERT_EQUAL(pairs, 60);
    }
}

static void test_e2e_compare__paired_runs(void)
{
    char small[1100], dir_a[1024], dir_b[1024], out[1100], path[1200];
    snprintf(small, sizeof small, "%s/train-small.jsonl", fs_test_tmp_dir());
    CU_ASSERT_FATAL(write_small_train(small, 40));
    const char *weak_args[] = { "--train", small, NULL };
    CU_ASSERT_FATAL(fs_test_refmodel_start(&weak, weak_args));
    CU_ASSERT_FATAL(fs_test_refmodel_start(&full, NULL));
    CU_ASSERT_FATAL(write_config(dir_a, sizeof dir_a, "cmp-base", weak.base_url, 42));
    CU_ASSERT_FATAL(write_config(dir_b, sizeof dir_b, "cmp-cand", full.base_url, 42));
    bool ran = run_audit("cmp-base") && run_audit("cmp-cand");
    if (!ran) {
        fs_test_refmodel_stop(&weak);
        fs_test_refmodel_stop(&full);
    }
    CU_ASSERT_FATAL(ran);
    snprintf(out, sizeof out, "%s/cmp-out", fs_test_tmp_dir());
    const char *args[] = { "compare", dir_a, dir_b, "--out", out, NULL };
    CU_ASSERT_EQUAL_FATAL(run_cmd(args), 0);
    snprintf(path, sizeof path, "%s/compare.json", out);
    cJSON *cmp = e2e_read_json(path);
    snprintf(path, sizeof path, "%s/report.json", dir_a);
    cJSON *ra = e2e_read_json(path);
    snprintf(path, sizeof path, "%s/report.json", dir_b);
    cJSON *rb = e2e_read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cmp);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(e2e_get(cmp, "schema")), "fairshake.compare/1");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(e2e_get(cmp, "targets.0.conditions")), 3);
    check_paired(condition(cmp, "clean"), ra, rb);
    check_paired(condition(cmp, "typo"), ra, rb);
    check_paired(condition(cmp, "case"), ra, rb);
    /* The full model is better than the one trained on 40 lines. */
    CU_ASSERT_TRUE(e2e_num(condition(cmp, "clean"), "difference.accuracy") > 0);
    char *md = NULL, *html = NULL;
    snprintf(path, sizeof path, "%s/compare.md", out);
    CU_ASSERT_EQUAL(fs_read_file(&md, NULL, path, 1 << 20, NULL), FS_OK);
    snprintf(path, sizeof path, "%s/compare.html", out);
    CU_ASSERT_EQUAL(fs_read_file(&html, NULL, path, 1 << 20, NULL), FS_OK);
    CU_ASSERT_PTR_NOT_NULL(md ? strstr(md, "paired: exact McNemar test") : NULL);
    CU_ASSERT_PTR_NOT_NULL(html ? strstr(html, "<h2>Target nb vs nb</h2>") : NULL);
    CU_ASSERT_PTR_NULL(html ? strstr(html, "<script") : "missing");
    fs_free(md);
    fs_free(html);
    cJSON_Delete(cmp);
    cJSON_Delete(ra);
    cJSON_Delete(rb);
}

static void test_e2e_compare__other_seed_is_unpaired(void)
{
    char dir_a[1024], dir_c[1024], path[1200];
    snprintf(dir_a, sizeof dir_a, "%s/cmp-base", fs_test_tmp_dir());
    CU_ASSERT_FATAL(write_config(dir_c, sizeof dir_c, "cmp-seed", full.base_url, 7));
    bool ran = run_audit("cmp-seed");
    fs_test_refmodel_stop(&weak);
    fs_test_refmodel_stop(&full);
    CU_ASSERT_FATAL(ran);
    const char *args[] = { "compare", dir_a, dir_c, NULL };
    CU_ASSERT_EQUAL_FATAL(run_cmd(args), 0);
    snprintf(path, sizeof path, "%s/compare.json", dir_c); /* default: the candidate's dir */
    cJSON *cmp = e2e_read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cmp);
    const cJSON *clean = condition(cmp, "clean"), *typo = condition(cmp, "typo");
    CU_ASSERT_PTR_NOT_NULL_FATAL(typo);
    CU_ASSERT_TRUE(cJSON_IsTrue(e2e_get(clean, "test.paired")));
    CU_ASSERT_FALSE(cJSON_IsTrue(e2e_get(typo, "test.paired")));
    CU_ASSERT_TRUE(e2e_num(typo, "test.differ") > 0);
    const char *note = cJSON_GetStringValue(e2e_get(typo, "test.note"));
    CU_ASSERT_PTR_NOT_NULL(note ? strstr(note, "differ in text") : NULL);
    const char *test = cJSON_GetStringValue(e2e_get(typo, "test.test"));
    CU_ASSERT_TRUE(test != NULL && strstr(test, "McNemar") == NULL);
    CU_ASSERT_EQUAL(e2e_num(typo, "test.n_baseline"), 60);
    cJSON_Delete(cmp);
}

static void test_e2e_compare__bad_usage(void)
{
    char missing[1100];
    snprintf(missing, sizeof missing, "%s/no-such-run", fs_test_tmp_dir());
    const char *one[] = { "compare", missing, NULL };
    CU_ASSERT_EQUAL(run_cmd(one), 2);
    const char *none[] = { "compare", missing, missing, NULL };
    CU_ASSERT_EQUAL(run_cmd(none), 2);
}

const fs_test_case fs_e2e_compare_tests[] = {
    { "test_e2e_compare__paired_runs", test_e2e_compare__paired_runs },
    { "test_e2e_compare__other_seed_is_unpaired", test_e2e_compare__other_seed_is_unpaired },
    { "test_e2e_compare__bad_usage", test_e2e_compare__bad_usage },
    { NULL, NULL },
};
