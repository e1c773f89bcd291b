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

const fs_test_case fs_report_render_tests[] = {
    { "test_report_render__html_escapes_everything", test_report_render__html_escapes_everything },
    { "test_report_render__markdown_escapes", test_report_render__markdown_escapes },
    { "test_report_render__bad_json_is_an_error", test_report_render__bad_json_is_an_error },
    { NULL, NULL },
};
