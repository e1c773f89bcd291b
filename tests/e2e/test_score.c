/* e2e.score: the fairshake score command: every example of docs/score.md run as written
 * and compared with the output shown there, exit status 2 with the file, line and field
 * of a bad line, usage errors, and the help text listing every metric of every task. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "e2e.h"
#include "fairshake/core.h"

#define MAX_ARGS 24

/* Split a documented command line into args (single quotes group, as in a shell). */
static size_t split_args(char *line, const char **argv, size_t cap)
{
    size_t n = 0;
    char *p = line;
    while (*p != '\0' && n + 1 < cap) {
        while (*p == ' ') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        char *out = p, *start = p;
        while (*p != '\0' && *p != ' ') {
            if (*p == '\'') {
                for (p++; *p != '\0' && *p != '\''; p++) {
                    *out++ = *p;
                }
                p += *p == '\'';
            } else {
                *out++ = *p++;
            }
        }
        bool end = *p == '\0';
        *out = '\0';
        argv[n++] = start;
        if (end) {
            break;
        }
        p++;
    }
    argv[n] = NULL;
    return n;
}

/* Run the example whose command is cmd (after "$ fairshake "); want is the output shown. */
static int run_example(char *cmd, const char *want)
{
    const char *argv[MAX_ARGS];
    e2e_result r;
    split_args(cmd, argv, MAX_ARGS);
    CU_ASSERT_FATAL(e2e_run(&r, argv, NULL));
    int bad = r.exit_code != 0 || strcmp(r.out, want) != 0;
    if (bad) {
        fprintf(stderr, "\nexample '%s' (exit %d)\nwant: %sgot:  %s%s\n", argv[1], r.exit_code,
                want, r.out, r.err);
    }
    e2e_result_dispose(&r);
    return bad;
}

static void test_e2e_score__documented_examples(void)
{
    char path[1024], *doc = NULL;
    size_t len = 0, examples = 0;
    int bad = 0;
    snprintf(path, sizeof path, "%s/docs/score.md", fs_test_source_dir());
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&doc, &len, path, 1 << 20, NULL), FS_OK);
    static const char prompt[] = "\n$ fairshake ";
    for (char *p = strstr(doc, prompt); p != NULL; p = strstr(p, prompt)) {
        char *cmd = p + sizeof prompt - 1, *nl = strchr(cmd, '\n');
        char *fence = nl != NULL ? strstr(nl, "\n```") : NULL;
        CU_ASSERT_FATAL(fence != NULL);
        *nl = '\0';
        fence[1] = '\0'; /* the output keeps its final newline */
        bad += run_example(cmd, nl + 1);
        examples++;
        p = fence + 2;
    }
    fs_free(doc);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(examples, 10);
}

static void test_e2e_score__bad_line_exits_2(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/bad-score.jsonl", fs_test_tmp_dir());
    CU_ASSERT_FATAL(e2e_write_file(path, "{\"prediction\": \"a\", \"references\": [\"a\"]}\n"
                                         "{\"prediction\": \"b\", \"references\": \"b\"}\n"));
    const char *args[] = { "score", "--task", "summarization", "--input", path, NULL };
    e2e_result r;
    CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_STRING_EQUAL(r.out, "");
    char want[1200];
    snprintf(want, sizeof want,
             "fairshake: %s:2: references: expected an array of strings, got string\n", path);
    CU_ASSERT_STRING_EQUAL(r.err, want);
    e2e_result_dispose(&r);

    const char *missing[] = { "score", "--task", "qa", "--input", "no/such/file.jsonl", NULL };
    CU_ASSERT_FATAL(e2e_run(&r, missing, NULL));
    CU_ASSERT_EQUAL(r.exit_code, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "no/such/file.jsonl: cannot open"));
    e2e_result_dispose(&r);
}

static void test_e2e_score__usage_errors(void)
{
    static const struct {
        const char *args[10];
        const char *err;
    } cases[] = {
        { { "score", "--task", "translaton", "--input", "x.jsonl", NULL },
          "unknown task 'translaton'; did you mean 'translation'?" },
        { { "score", "--input", "x.jsonl", NULL }, "--task is required" },
        { { "score", "--task", "qa", NULL }, "--input FILE is required" },
        { { "score", "--task", "qa", "--input", "examples/score/qa.jsonl", "--param", "oops",
            NULL },
          "--param 'oops': expected KEY=VALUE" },
        { { "score", "--task", "qa", "--input", "examples/score/qa.jsonl", "--metrics", "em",
            NULL },
          "--metrics: unknown metric 'em' for task qa" },
        { { "score", "--task", "translation", "--input", "examples/score/translation.jsonl",
            "--param", "smooth=exp", NULL },
          "--param smooth: not an option of task translation" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e2e_result r;
        CU_ASSERT_FATAL(e2e_run(&r, cases[i].args, NULL));
        CU_ASSERT_EQUAL(r.exit_code, 2);
        CU_ASSERT_STRING_EQUAL(r.out, "");
        if (strstr(r.err, cases[i].err) == NULL) {
            fprintf(stderr, "\ncase %zu: want \"%s\" in \"%s\"\n", i, cases[i].err, r.err);
        }
        CU_ASSERT_PTR_NOT_NULL(strstr(r.err, cases[i].err));
        e2e_result_dispose(&r);
    }
}

/* --help names every metric of every task, as the library lists them in its "unknown
 * metric" message. */
static void test_e2e_score__help_lists_metrics(void)
{
    static const char *const tasks[] = { "classification", "qa", "summarization", "translation",
                                         "language-modeling" };
    const char *help_args[] = { "score", "--help", NULL };
    e2e_result help, r;
    CU_ASSERT_FATAL(e2e_run(&help, help_args, NULL));
    CU_ASSERT_EQUAL(help.exit_code, 0);
    size_t names = 0;
    for (size_t t = 0; t < sizeof tasks / sizeof tasks[0]; t++) {
        const char *args[] = { "score",   "--task",    tasks[t], "--input",
                               "x.jsonl", "--metrics", "zzz",    NULL };
        CU_ASSERT_FATAL(e2e_run(&r, args, NULL));
        CU_ASSERT_EQUAL(r.exit_code, 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(help.out, tasks[t]));
        char *open = strrchr(r.err, '('), *close = strrchr(r.err, ')');
        CU_ASSERT_FATAL(open != NULL && close != NULL && close > open);
        *close = '\0';
        for (char *name = open + 1; name != NULL && *name != '\0';) {
            char *comma = strstr(name, ", "), word[72];
            snprintf(word, sizeof word, " %.*s",
                     (int)(comma ? (size_t)(comma - name) : strlen(name)), name);
            if (strstr(help.out, word) == NULL) {
                fprintf(stderr, "\n--help lacks '%s'\n", word + 1);
            }
            CU_ASSERT_PTR_NOT_NULL(strstr(help.out, word));
            names++;
            name = comma != NULL ? comma + 2 : NULL;
        }
        e2e_result_dispose(&r);
    }
    CU_ASSERT_EQUAL(names, 22);
    e2e_result_dispose(&help);
}

const fs_test_case fs_e2e_score_tests[] = {
    { "test_e2e_score__documented_examples", test_e2e_score__documented_examples },
    { "test_e2e_score__bad_line_exits_2", test_e2e_score__bad_line_exits_2 },
    { "test_e2e_score__usage_errors", test_e2e_score__usage_errors },
    { "test_e2e_score__help_lists_metrics", test_e2e_score__help_lists_metrics },
    { NULL, NULL },
};
