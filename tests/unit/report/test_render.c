/* report.render: Markdown and HTML rendered from a hand-written report.json, with hostile
 * text (markup, script, invisible and bidirectional characters) in the examples. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "fairshake/report.h"

static char *load_report(size_t *n)
{
    char path[1024], *text = NULL;
    snprintf(path, sizeof path, "%s/tests/data/report/report.json", fs_test_source_dir());
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&text, n, path, 1 << 20, NULL), FS_OK);
    return text;
}

static void test_report_render__html_escapes_everything(void)
{
    size_t n = 0;
    char *json = load_report(&n);
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_report_render_html(&b, json, n, NULL), FS_OK);
    const char *h = fs_buf_cstr(&b);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<!DOCTYPE html>"));
    /* Nothing from the data becomes markup, and the page has no script at all. */
    CU_ASSERT_PTR_NULL(strstr(h, "<script"));
    CU_ASSERT_PTR_NULL(strstr(h, "<img"));
    CU_ASSERT_PTR_NULL(strstr(h, "<b>report"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "&lt;script&gt;window.pwned=1&lt;/script&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "&lt;img src=x onerror=alert(1)&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "unit &lt;b&gt;report&lt;/b&gt;"));
    /* Invisible and bidirectional controls are shown, not obeyed; emoji stay intact. */
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "U+200B"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "U+202E"));
    CU_ASSERT_PTR_NULL(strstr(h, "\xE2\x80\xAE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "👨‍👩‍👧"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "שלום"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "dir=\"auto\""));
    /* The diff marks the changed letters and the chart and histogram are inline SVG. */
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<ins>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<del>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "aria-label=\"Change in the main metric per perturbation\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "aria-label=\"Latency histogram\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "FAILED: 1 of 1 gates failed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "@media print"));
    CU_ASSERT_PTR_NULL(strstr(h, "src=\"http"));
    CU_ASSERT_PTR_NULL(strstr(h, "href=\"http"));
    fs_buf_dispose(&b);
    fs_free(json);
}

static void test_report_render__markdown_escapes(void)
{
    size_t n = 0;
    char *json = load_report(&n);
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_report_render_md(&b, json, n, NULL), FS_OK);
    const char *m = fs_buf_cstr(&b);
    CU_ASSERT_PTR_NULL(strstr(m, "<script"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "&lt;script\\>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "**FAILED**: 1 of 1 gates failed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "| `typo` | 3 |"));
    fs_buf_dispose(&b);
    fs_free(json);
}

static void test_report_render__bad_json_is_an_error(void)
{
    fs_buf b;
    fs_error err;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(fs_report_render_html(&b, "{", 1, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "report.json"));
    fs_buf_dispose(&b);
}

/* A free-text counterfactual entry renders in both documents, with hostile text escaped,
 * and entries missing their keys (no kind, no groups, no pairs) render without a crash. */
static void test_report_render__text_counterfactuals(void)
{
    static const char json[] =
        "{\"name\": \"t\", \"verdict\": {\"gates\": 0}, \"gates\": [],\n"
        " \"targets\": [{\"name\": \"qa\", \"records\": 3,\n"
        "  \"clean\": {\"n\": 3, \"main_metric\": \"f1\", \"metrics\": {\"f1\": 0.5}},\n"
        "  \"robustness\": [], \"worst_case\": {\"n\": 0, \"metrics\": {}},\n"
        "  \"fairness\": [\n"
        "   {\"axis\": \"gender\", \"kind\": \"counterfactual\", \"item_metric\": \"f1\",\n"
        "    \"applicable\": 2, \"not_applicable\": 1, \"n\": 2, \"answer_changed_rate\": 0.5,\n"
        "    \"divergence\": 0.25, \"divergence_ci95\": [0.1, 0.4], \"length_diff\": 1,\n"
        "    \"refusals\": {\"original\": 0, \"counterfactual\": 1, \"rate_diff\": 0.5,\n"
        "      \"p_value\": 1, \"test\": \"exact McNemar test\"},\n"
        "    \"delta_item_metric\": -0.25, \"p_value\": 0.5, \"p_adjusted\": 1,\n"
        "    \"pairs\": [{\"from\": \"female\", \"to\": \"male\", \"n\": 2}],\n"
        "    \"examples\": [{\"record_id\": \"r<1>\", \"from\": \"female\", \"to\": \"male\",\n"
        "      \"divergence\": 1,\n"
        "      \"original\": {\"input\": \"Who is <b>she</b>?\", \"answer\": \"Marie\"},\n"
        "      \"counterfactual\": {\"input\": \"Who is he?\", \"answer\": \"I can't help\",\n"
        "        \"refused\": true}}, {}]},\n"
        "   {\"axis\": \"race\", \"kind\": \"counterfactual\", \"item_metric\": null},\n"
        "   {\"kind\": \"group\"}, {}]}]}";
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_report_render_md(&b, json, sizeof json - 1, NULL), FS_OK);
    const char *m = fs_buf_cstr(&b);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "| gender | 2 | 1 | 2 | 50.0% | 25.0% [10.0, 40.0] |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "| race | n/a | n/a | n/a |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "| female → male | 2 |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "Who is &lt;b\\>she&lt;/b\\>?"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "(a refusal)"));
    fs_buf_reset(&b);
    CU_ASSERT_EQUAL_FATAL(fs_report_render_html(&b, json, sizeof json - 1, NULL), FS_OK);
    const char *h = fs_buf_cstr(&b);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "aria-label=\"Answer divergence per axis\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<h3>Changed answers: gender</h3>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<b>counterfactual</b>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "refusal</span>"));
    CU_ASSERT_PTR_NULL(strstr(h, "<b>she</b>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "r&lt;1&gt;"));
    fs_buf_dispose(&b);
}

const fs_test_case fs_report_render_tests[] = {
    { "test_report_render__html_escapes_everything", test_report_render__html_escapes_everything },
    { "test_report_render__markdown_escapes", test_report_render__markdown_escapes },
    { "test_report_render__bad_json_is_an_error", test_report_render__bad_json_is_an_error },
    { "test_report_render__text_counterfactuals", test_report_render__text_counterfactuals },
    { NULL, NULL },
};
