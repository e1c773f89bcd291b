/* e2e.html: report.html in a real browser. An audit runs against the reference model on
 * a dataset whose records carry <script> and <img onerror> payloads, bidirectional and
 * zero-width characters, Hebrew, CJK and emoji; headless Chromium then loads the report
 * from disk. Checks: the page logs nothing to the console, every section is in the
 * rendered DOM, and no payload ran (each would set document.title to PWNED). A control
 * page with a planted script proves both detectors work. Chromium is a test dependency
 * (make deps-test): when it is missing the test fails, it is never skipped. */
#include "fs_test.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"
#include "refmodel_fixture.h"

#define CHROMIUM "/usr/bin/chromium"

extern char **environ;

static fs_test_refmodel server;

/* Run chromium on url with one extra mode flag (--dump-dom or --screenshot=...);
 * stdout and stderr go to files. At most 120 s. */
static bool chromium(const char *url, const char *mode, const char *out_path, const char *err_path)
{
    char profile[1100];
    snprintf(profile, sizeof profile, "--user-data-dir=%s/chromium-profile", fs_test_tmp_dir());
    const char *argv[] = { CHROMIUM,
                           "--headless",
                           "--no-sandbox",
                           "--disable-gpu",
                           "--disable-quic",
                           "--no-first-run",
                           "--disable-background-networking",
                           "--disable-component-update",
                           "--disable-sync",
                           "--enable-logging=stderr",
                           "--v=0",
                           "--window-size=1200,2400",
                           profile,
                           mode,
                           url,
                           NULL };
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, CHROMIUM, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        return false;
    }
    int status = 0;
    for (int waited = 0; waitpid(pid, &status, WNOHANG) == 0; waited++) {
        if (waited == 1200) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return false;
        }
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static char *slurp(const char *path)
{
    char *text = NULL;
    return fs_read_file(&text, NULL, path, 64 << 20, NULL) == FS_OK ? text : NULL;
}

/* Load a page; *dom and *log: owned. */
static bool load(const char *html_path, char **dom, char **log)
{
    char url[1200], out[1100], err[1100];
    snprintf(url, sizeof url, "file://%s", html_path);
    snprintf(out, sizeof out, "%s/dom.html", fs_test_tmp_dir());
    snprintf(err, sizeof err, "%s/chromium.log", fs_test_tmp_dir());
    bool ok = chromium(url, "--dump-dom", out, err);
    *dom = slurp(out);
    *log = slurp(err);
    return ok && *dom != NULL && *log != NULL;
}

static void test_e2e_html__chromium_is_installed(void)
{
    if (access(CHROMIUM, X_OK) != 0) {
        CU_FAIL_FATAL("chromium is missing: run 'make deps-test' (apt-get install chromium)");
    }
}

/* The detectors: a planted console message and a planted onerror are both seen. */
static void test_e2e_html__control_page_is_detected(void)
{
    char path[1100], *dom = NULL, *log = NULL;
    snprintf(path, sizeof path, "%s/control.html", fs_test_tmp_dir());
    CU_ASSERT_FATAL(e2e_write_file(path,
                                   "<!DOCTYPE html><html><head><title>control</title></head><body>"
                                   "<script>console.error('planted-console-error')</script>"
                                   "<img src=x onerror=\"document.title='PWNED'\"></body></html>"));
    CU_ASSERT_FATAL(load(path, &dom, &log));
    CU_ASSERT_PTR_NOT_NULL(strstr(dom, "<title>PWNED</title>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "CONSOLE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "planted-console-error"));
    fs_free(dom);
    fs_free(log);
}

/* Hostile fragments, each put into every review below so that some of them reach the
 * report's worst examples (records whose answer a perturbation changed). */
static const char *const payloads[] = {
    "<script>document.title='PWNED'</script>",
    "<img src=x onerror=\\\"document.title='PWNED'\\\">",
    "</title><svg onload=\\\"document.title='PWNED'\\\">",
    "f\\u200bood \\u202eolleh\\u202c",
    "\\u05e9\\u05dc\\u05d5\\u05dd \\u5f88\\u597d "
    "\\ud83d\\udc68\\u200d\\ud83d\\udc69\\u200d\\ud83d\\udc67",
};
static const char *const reviews[][3] = {
    { "Great place, friendly staff and ", " lovely food.", "positive" },
    { "Terrible ", " service, rude and slow.", "negative" },
    { "Nice ", " but a bit pricey, still good.", "positive" },
    { "Cold soup ", " and a bland, disappointing meal.", "negative" },
    { "Fine ", ", nothing special, okay value.", "positive" },
    { "Not bad ", " though the wait was awful.", "negative" },
};

static bool write_dataset(const char *path)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    size_t n = 0;
    for (size_t p = 0; p < sizeof payloads / sizeof payloads[0]; p++) {
        for (size_t r = 0; r < sizeof reviews / sizeof reviews[0]; r++) {
            fs_buf_printf(&b, "{\"id\": \"x%zu\", \"label\": \"%s\", \"text\": \"%s%s%s\"}\n", ++n,
                          reviews[r][2], reviews[r][0], payloads[p], reviews[r][1]);
        }
    }
    bool ok = fs_buf_status(&b) == FS_OK && e2e_write_file(path, fs_buf_cstr(&b));
    fs_buf_dispose(&b);
    return ok;
}

static bool make_report(char *html_path, size_t cap)
{
    char data[1100], cfg[1100], dir[1100], text[4096];
    snprintf(data, sizeof data, "%s/hostile.jsonl", fs_test_tmp_dir());
    snprintf(cfg, sizeof cfg, "%s/hostile.json", fs_test_tmp_dir());
    snprintf(dir, sizeof dir, "%s/hostile", fs_test_tmp_dir());
    snprintf(text, sizeof text,
             "{\"name\": \"hostile <i>run & co\", \"seed\": 1,\n"
             " \"dataset\": {\"path\": \"%s\", \"format\": \"jsonl\",\n"
             "   \"fields\": {\"input\": \"text\", \"label\": \"label\", \"id\": \"id\"}},\n"
             " \"task\": {\"type\": \"classification\", \"labels\": [\"positive\", "
             "\"negative\"],\n   \"prompt\": \"Sentiment?\\nText: {{input}}\\nAnswer:\"},\n"
             " \"targets\": [{\"name\": \"nb\", \"type\": \"openai-chat\",\n"
             "   \"url\": \"%s/v1/chat/completions\", \"model\": \"nb-sentiment\"}],\n"
             " \"perturbations\": [{\"name\": \"typo\", \"rate\": 0.5}, {\"name\": \"case\"}],\n"
             " \"run\": {\"examples\": 30},\n"
             " \"gates\": {\"clean.min_accuracy\": 0.1},\n"
             " \"report\": {\"dir\": \"%s\", \"formats\": [\"json\", \"html\"]}}\n",
             data, server.base_url, dir);
    if (!write_dataset(data) || !e2e_write_file(cfg, text)) {
        return false;
    }
    const char *args[] = { "run", cfg, "--fresh", "--quiet", NULL };
    e2e_result r;
    bool ok = e2e_run(&r, args, NULL) && (r.exit_code == 0 || r.exit_code == 1);
    if (!ok) {
        fprintf(stderr, "%s%s", r.out ? r.out : "", r.err ? r.err : "");
    }
    e2e_result_dispose(&r);
    snprintf(html_path, cap, "%s/report.html", dir);
    return ok;
}

static void test_e2e_html__report_renders_safely(void)
{
    char html[1200], *dom = NULL, *log = NULL, *src = NULL;
    CU_ASSERT_FATAL(fs_test_refmodel_start(&server, NULL));
    bool made = make_report(html, sizeof html);
    fs_test_refmodel_stop(&server);
    CU_ASSERT_FATAL(made);
    src = slurp(html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    /* The payloads reached the report (in the worst examples, with the perturbation's
     * changes marked inside them), as escaped text; invisible characters are shown. */
    CU_ASSERT_PTR_NOT_NULL(strstr(src, "PWNED"));
    CU_ASSERT_PTR_NOT_NULL(strstr(src, "&lt;<del>"));
    CU_ASSERT_TRUE(strstr(src, "U+202E") != NULL || strstr(src, "U+200B") != NULL);
    CU_ASSERT_PTR_NULL(strstr(src, "<script"));
    CU_ASSERT_PTR_NULL(strstr(src, "<img"));
    CU_ASSERT_PTR_NULL(strstr(src, "<svg onload"));
    CU_ASSERT_FATAL(load(html, &dom, &log));
    CU_ASSERT_PTR_NULL(strstr(dom, "PWNED</title>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dom, "<title>fairshake audit: hostile &lt;i&gt;run &amp; co"));
    CU_ASSERT_PTR_NULL(strstr(log, "CONSOLE"));
    static const char *const sections[] = { "<h2>Verdict</h2>", "<h2>Target ",
                                            "<h3>Robustness</h3>", "<h2>Provenance</h2>",
                                            "<h2>Methodology" };
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        if (strstr(dom, sections[i]) == NULL) {
            fprintf(stderr, "missing section %s\n", sections[i]);
            CU_FAIL("a section is missing from the rendered DOM");
        }
    }
    /* Nothing from the data became an element. */
    CU_ASSERT_PTR_NULL(strstr(dom, "<script"));
    CU_ASSERT_PTR_NULL(strstr(dom, "<img"));
    CU_ASSERT_PTR_NULL(strstr(dom, "<svg onload"));
    fs_free(src);
    fs_free(dom);
    fs_free(log);
}

static void test_e2e_html__screenshot(void)
{
    char html[1200], url[1300], shot[1100], out[1100], err[1100];
    snprintf(html, sizeof html, "%s/hostile/report.html", fs_test_tmp_dir());
    snprintf(url, sizeof url, "file://%s", html);
    snprintf(shot, sizeof shot, "--screenshot=%s/report.png", fs_test_tmp_dir());
    snprintf(out, sizeof out, "%s/shot.out", fs_test_tmp_dir());
    snprintf(err, sizeof err, "%s/shot.err", fs_test_tmp_dir());
    CU_ASSERT_FATAL(chromium(url, shot, out, err));
    char png[1100], *data = NULL;
    size_t n = 0;
    snprintf(png, sizeof png, "%s/report.png", fs_test_tmp_dir());
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&data, &n, png, 64 << 20, NULL), FS_OK);
    CU_ASSERT_TRUE(n > 10000);
    CU_ASSERT_EQUAL(memcmp(data, "\x89PNG\r\n\x1a\n", 8), 0);
    fs_free(data);
}

const fs_test_case fs_e2e_html_tests[] = {
    { "test_e2e_html__chromium_is_installed", test_e2e_html__chromium_is_installed },
    { "test_e2e_html__control_page_is_detected", test_e2e_html__control_page_is_detected },
    { "test_e2e_html__report_renders_safely", test_e2e_html__report_renders_safely },
    { "test_e2e_html__screenshot", test_e2e_html__screenshot },
    { NULL, NULL },
};
