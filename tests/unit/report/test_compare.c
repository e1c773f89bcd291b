/* report.compare: compare.md and compare.html rendered from a hand-written
 * compare.json with hostile names; both documents carry the same figures. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/report.h"

static const char cmp[] =
    "{\"schema\": \"fairshake.compare/1\","
    " \"baseline\": {\"dir\": \"runs/<a>\", \"name\": \"base|line\", \"seed\": 42,"
    "  \"config_hash\": \"abcdef0123456789\", \"dataset_hash\": \"0011\"},"
    " \"candidate\": {\"dir\": \"runs/b\", \"name\": \"cand\", \"seed\": 42},"
    " \"targets\": [{\"baseline\": \"nb\", \"candidate\": \"nb*2\", \"conditions\": ["
    "  {\"condition\": \"clean\", \"baseline\": {\"accuracy\": 0.8}, \"candidate\": "
    "   {\"accuracy\": 0.9}, \"test\": {\"paired\": true, \"test\": \"exact McNemar test\","
    "   \"n_baseline\": 10, \"n_candidate\": 10, \"accuracy_baseline\": 0.8,"
    "   \"accuracy_candidate\": 0.9, \"difference\": 0.1, \"ci95\": [-0.1, 0.3],"
    "   \"p_value\": 1}},"
    "  {\"condition\": \"<img src=x onerror=alert(1)>\", \"baseline\": {\"delta_accuracy\": "
    "   -0.2, \"drop_rate\": 0.25, \"flip_rate\": 0.3}, \"candidate\": {\"delta_accuracy\": "
    "   0.0, \"drop_rate\": 0, \"flip_rate\": 0.1}, \"test\": {\"paired\": false,"
    "   \"test\": \"Fisher's exact test\", \"n_baseline\": 10, \"n_candidate\": 9,"
    "   \"accuracy_baseline\": 0.6, \"accuracy_candidate\": 0.9, \"difference\": 0.3,"
    "   \"ci95\": null, \"p_value\": 0.00001, \"note\": \"texts | differ\"}}]}],"
    " \"unmatched_perturbations\": [{\"perturbation\": \"typo\", \"only_in\": \"baseline\"}],"
    " \"unmatched_targets\": [],"
    " \"methodology\": {\"paired_test\": \"exact McNemar\", \"bootstrap_resamples\": 1000}}";

static void test_report_compare__markdown(void)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_report_render_compare_md(&b, cmp, strlen(cmp), NULL), FS_OK);
    const char *m = fs_buf_cstr(&b);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "# fairshake comparison"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "## Target nb vs nb\\*2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "| clean | 80.0% | 90.0% | +10.0 pts | \\[-10.0, 30.0\\] pts "
                                     "| 1.0000 | paired: exact McNemar test | 10 / 10 |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "| &lt;img src=x onerror=alert(1)> |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "unpaired: Fisher's exact test"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "&lt; 0.0001"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "| &lt; 0.0001 |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "texts \\| differ"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "Not compared: perturbation 'typo', only in the baseline"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "| -20.0 pts | +0.0 pts | 25.0% | 0.0% |"));
    CU_ASSERT_PTR_NULL(strstr(m, "<img"));
    CU_ASSERT_PTR_NULL(strstr(m, "base|line"));
    fs_buf_dispose(&b);
}

static void test_report_compare__html(void)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_report_render_compare_html(&b, cmp, strlen(cmp), NULL), FS_OK);
    const char *h = fs_buf_cstr(&b);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<!DOCTYPE html>"));
    CU_ASSERT_PTR_NULL(strstr(h, "<img"));
    CU_ASSERT_PTR_NULL(strstr(h, "<script"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<td>&lt;img src=x onerror=alert(1)&gt;</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "runs/&lt;a&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<td class=\"num\">+30.0 pts</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<td class=\"num\">&lt; 0.0001</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "Fisher&#39;s exact test"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<li>bootstrap_resamples: 1000</li>"));
    fs_buf_dispose(&b);
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(fs_report_render_compare_html(&b, "[", 1, NULL), FS_ERR_INPUT);
    fs_buf_dispose(&b);
}

const fs_test_case fs_report_compare_tests[] = {
    { "test_report_compare__markdown", test_report_compare__markdown },
    { "test_report_compare__html", test_report_compare__html },
    { NULL, NULL },
};
