/* report.junit: junit.xml rendered from report.json (the shared test report, and
 * hand-written ones with fairness axes and hostile text), checked for well-formedness by
 * a small strict XML checker, and the report writer's format list. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fairshake/report.h"

/* An entity reference at s ("&amp;", "&#10;"); returns its length or 0. */
static size_t entity_len(const char *s)
{
    static const char *const names[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
    for (size_t i = 0; i < 5; i++) {
        if (strncmp(s, names[i], strlen(names[i])) == 0) {
            return strlen(names[i]);
        }
    }
    size_t n = 2;
    while (s[0] == '&' && s[1] == '#' && s[n] >= '0' && s[n] <= '9') {
        n++;
    }
    return (n > 2 && s[n] == ';') ? n + 1 : 0;
}

/* Character data or an attribute value up to stop: no '<', no bare '&', no forbidden
 * control character. Returns the end or NULL. */
static const char *chars(const char *p, char stop)
{
    while (*p != '\0' && *p != stop) {
        unsigned char c = (unsigned char)*p;
        if (*p == '<' && stop != '<') {
            return NULL;
        }
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            return NULL;
        }
        size_t e = *p == '&' ? entity_len(p) : 1;
        if (e == 0) {
            return NULL;
        }
        p += e;
    }
    return p;
}

static const char *name_end(const char *p)
{
    while (*p != '\0' && strchr(" \t\r\n/>=\"'", *p) == NULL) {
        p++;
    }
    return p;
}

/* A strict subset of XML 1.0: one root element, balanced tags, quoted attributes,
 * escaped text. Enough to catch every way a writer can break a document. */
static bool well_formed(const char *s)
{
    const char *stack[64];
    size_t lens[64], depth = 0, roots = 0;
    const char *p = strncmp(s, "<?xml", 5) == 0 ? strstr(s, "?>") + 2 : s;
    while (p != NULL && *p != '\0') {
        if (*p != '<') {
            p = chars(p, '<');
            continue;
        }
        bool close = p[1] == '/';
        const char *n = p + 1 + close, *e = name_end(n);
        if (e == n) {
            return false;
        }
        if (close) {
            if (depth == 0 || lens[depth - 1] != (size_t)(e - n) ||
                strncmp(stack[depth - 1], n, lens[depth - 1]) != 0 || *e != '>') {
                return false;
            }
            depth--;
            p = e + 1;
            continue;
        }
        roots += depth == 0;
        p = e;
        while (*p == ' ') {
            const char *an = p + 1, *ae = name_end(an);
            if (ae == an || ae[0] != '=' || ae[1] != '"') {
                return false;
            }
            p = chars(ae + 2, '"');
            if (p == NULL || *p != '"') {
                return false;
            }
            p++;
        }
        if (p[0] == '/' && p[1] == '>') {
            p += 2;
        } else if (p[0] == '>' && depth < 64) {
            stack[depth] = n;
            lens[depth++] = (size_t)(e - n);
            p++;
        } else {
            return false;
        }
    }
    return p != NULL && depth == 0 && roots == 1;
}

static size_t count(const char *h, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(h, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static char *render(const char *json, fs_buf *b)
{
    fs_buf_init(b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_report_render_junit(b, json, strlen(json), NULL), FS_OK);
    return (char *)fs_buf_cstr(b);
}

static void test_report_junit__checker_rejects_broken_xml(void)
{
    CU_ASSERT_TRUE(well_formed("<a x=\"1 &amp; 2\"><b/>t &lt; u</a>"));
    CU_ASSERT_FALSE(well_formed("<a><b></a></b>"));
    CU_ASSERT_FALSE(well_formed("<a>x & y</a>"));
    CU_ASSERT_FALSE(well_formed("<a x=\"<\"/>"));
    CU_ASSERT_FALSE(well_formed("<a>\x01</a>"));
    CU_ASSERT_FALSE(well_formed("<a/><b/>"));
}

static void test_report_junit__shared_report(void)
{
    char path[1024], *json = NULL;
    size_t n = 0;
    snprintf(path, sizeof path, "%s/tests/data/report/report.json", fs_test_source_dir());
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&json, &n, path, 1 << 20, NULL), FS_OK);
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_report_render_junit(&b, json, n, NULL), FS_OK);
    const char *x = fs_buf_cstr(&b);
    CU_ASSERT_TRUE(well_formed(x));
    CU_ASSERT_EQUAL(count(x, "<testsuite "), 1);
    /* The failed max_drop gate names typo: the gate and the typo case fail, with the
     * measured value and the threshold. */
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "name=\"robustness.max_drop\""));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(x, "robustness.max_drop = 0.5000 (perturbation typo), threshold &lt;= 0.2000"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "gate robustness.max_drop failed: 0.5000 (must be &lt;= "
                                     "0.2000)"));
    CU_ASSERT_EQUAL(count(x, "<testcase "), 2);
    CU_ASSERT_EQUAL(count(x, "<failure "), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "tests=\"2\" failures=\"2\" errors=\"0\" skipped=\"0\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<system-out>accuracy delta -0.3333, 95% CI [-1.0000, "
                                     "0.0000]"));
    fs_buf_dispose(&b);
    fs_free(json);
}

static const char hostile[] =
    "{\"name\": \"a&b <run>\", \"gates\": ["
    " {\"name\": \"fairness.max_counterfactual_flip_rate\", \"target\": \"t\\\"1'\","
    "  \"threshold\": 0.02, \"comparison\": \"<=\", \"value\": 0.25, \"axis\": \"gender\","
    "  \"passed\": false},"
    " {\"name\": \"fairness.min_disparate_impact\", \"target\": \"t\\\"1'\","
    "  \"threshold\": 0.8, \"comparison\": \">=\", \"value\": null, \"value_reason\": \"x\","
    "  \"axis\": \"religion\", \"passed\": false},"
    " {\"name\": \"clean.min_accuracy\", \"target\": \"other\", \"threshold\": 0.5,"
    "  \"comparison\": \">=\", \"value\": 0.9, \"passed\": true}],"
    " \"targets\": ["
    "  {\"name\": \"t\\\"1'\", \"model\": \"m\\u0001\\u0007\\u001b]x\\uFFFF\", \"url\": \"u\","
    "   \"robustness\": [{\"perturbation\": \"<script>alert(1)</script>\", \"n\": 0,"
    "     \"delta\": {\"accuracy\": null}, \"ci95\": {\"accuracy\": null}}],"
    "   \"fairness\": ["
    "    {\"axis\": \"gender\", \"kind\": \"counterfactual\", \"n\": 10,"
    "     \"counterfactual_flip_rate\": 0.25, \"p_value\": 0.03},"
    "    {\"axis\": \"gender\", \"kind\": \"group\", \"n\": 10,"
    "     \"demographic_parity_difference\": {\"value\": 0.1, \"ci95\": [0, 0.2]},"
    "     \"disparate_impact\": 0.9},"
    "    {\"axis\": \"religion\", \"kind\": \"group\", \"n\": 0, \"disparate_impact\": null},"
    "    {\"axis\": \"\\u05e9\\u05dc\\u05d5\\u05dd \\ud83d\\udc68\\u200d\\ud83d\\udc69 "
    "\\u5973\\u6027\", \"n\": 4, \"counterfactual_flip_rate\": 0}]},"
    "  {\"name\": \"other\", \"robustness\": []}]}";

static void test_report_junit__fairness_and_hostile_text(void)
{
    fs_buf b;
    const char *x = render(hostile, &b);
    CU_ASSERT_TRUE(well_formed(x));
    CU_ASSERT_EQUAL(count(x, "<testsuite "), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<testsuites name=\"fairshake: a&amp;b &lt;run&gt;\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<testsuite name=\"t&quot;1&apos;\""));
    /* Control characters and U+FFFF become U+FFFD; markup stays text. */
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "value=\"m\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD]x"
                                     "\xEF\xBF\xBD\"/>"));
    CU_ASSERT_PTR_NULL(strstr(x, "<script>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "name=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
    /* The counterfactual gate fails the counterfactual gender case only; the failed
     * religion gate (value null) fails the religion group case. */
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "name=\"gender (counterfactual)\">\n      <failure "
                                     "type=\"fairness\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "name=\"gender (group)\">\n      <system-out>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "demographic_parity_difference 0.1000"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "name=\"religion (group)\">\n      <failure "));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "שלום 👨‍👩 女性"));
    /* Target t: two gates, one perturbation (skipped: nothing measured), four axes. */
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "tests=\"7\" failures=\"4\" errors=\"0\" skipped=\"1\">\n"
                                     "    <properties>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<testsuite name=\"other\" tests=\"1\" failures=\"0\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<testsuites name=\"fairshake: a&amp;b &lt;run&gt;\" "
                                     "tests=\"8\" failures=\"4\" errors=\"0\" skipped=\"1\">"));
    fs_buf_dispose(&b);
}

static void test_report_junit__bad_input_is_an_error(void)
{
    fs_buf b;
    fs_error err;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(fs_report_render_junit(&b, "{\"targets\": 3}", 14, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(fs_report_render_junit(&b, "{", 1, &err), FS_ERR_INPUT);
    fs_buf_dispose(&b);
}

static void test_report_junit__writer_formats(void)
{
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/junit-write", fs_test_tmp_dir());
    mkdir(dir, 0777);
    const char *formats[] = { "junit", "csv" };
    fs_error err;
    CU_ASSERT_EQUAL(fs_report_write(dir, hostile, strlen(hostile), formats, 2, &err), FS_OK);
    char *text = NULL;
    snprintf(path, sizeof path, "%s/junit.xml", dir);
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&text, NULL, path, 1 << 20, NULL), FS_OK);
    CU_ASSERT_TRUE(well_formed(text));
    fs_free(text);
    /* csv is the audit's to write: accepted here, nothing written. */
    snprintf(path, sizeof path, "%s/results.csv", dir);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    const char *bad[] = { "xml" };
    CU_ASSERT_EQUAL(fs_report_write(dir, hostile, strlen(hostile), bad, 1, &err), FS_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "junit"));
}

const fs_test_case fs_report_junit_tests[] = {
    { "test_report_junit__checker_rejects_broken_xml",
      test_report_junit__checker_rejects_broken_xml },
    { "test_report_junit__shared_report", test_report_junit__shared_report },
    { "test_report_junit__fairness_and_hostile_text",
      test_report_junit__fairness_and_hostile_text },
    { "test_report_junit__bad_input_is_an_error", test_report_junit__bad_input_is_an_error },
    { "test_report_junit__writer_formats", test_report_junit__writer_formats },
    { NULL, NULL },
};
