/* audit.csv: results.csv from a store made here: RFC 4180 quoting, formula-injection
 * prefixes, empty cells for what is unknown, Unicode kept byte for byte. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/extra_internal.h"

typedef struct row {
    const char *id, *pert, *group, *label, *text;
    bool has_outcome;
    fs_status status;
    const char *answer, *prediction, *error;
    double latency;
    bool cached;
} row;

static const row rows[] = {
    { "r1", "clean", NULL, "positive", "Hello, \"world\"\nline2", true, FS_OK, "positive",
      "positive", NULL, 12.5, false },
    { "r1", "typo", NULL, "positive", "=HYPERLINK(\"http://x\")", true, FS_OK, "negative",
      "negative", NULL, 3, true },
    { "r2", "clean", "女性", "negative", "@SUM(A1)", true, FS_OK, "+positive", "positive", NULL, 7,
      false },
    { "r3", "clean", NULL, "positive", "-2+3", false, FS_OK, NULL, NULL, NULL, 0, false },
    { "r4", "clean", NULL, "positive", "\tTab", true, FS_ERR_TARGET, NULL, NULL, "HTTP 500; retry",
      100, false },
    { "r5", "clean", NULL, "neutral", "שלום 👨‍👩‍👧 café", true, FS_OK, "unsure",
      NULL, "", 1, false },
};

static const char expected[] =
    "target,record_id,perturbation,group,input,answer,prediction,gold,correct,latency_ms,"
    "cached,error\r\n"
    "m,r1,clean,,\"Hello, \"\"world\"\"\nline2\",positive,positive,positive,true,12.5,false,\r\n"
    "m,r1,typo,,\"'=HYPERLINK(\"\"http://x\"\")\",negative,negative,positive,false,3,true,\r\n"
    "m,r2,clean,女性,\"'@SUM(A1)\",\"'+positive\",positive,negative,false,7,false,\r\n"
    "m,r3,clean,,\"'-2+3\",,,positive,,,,\r\n"
    "m,r4,clean,,\"'\tTab\",,,positive,,100,false,\"HTTP 500; retry\"\r\n"
    "m,r5,clean,,שלום 👨‍👩‍👧 café,unsure,,neutral,,1,false,\r\n"
    /* A target with no outcome yet: every variant, with empty outcome cells. */
    "unused,r1,clean,,\"Hello, \"\"world\"\"\nline2\",,,positive,,,,\r\n"
    "unused,r1,typo,,\"'=HYPERLINK(\"\"http://x\"\")\",,,positive,,,,\r\n"
    "unused,r2,clean,女性,\"'@SUM(A1)\",,,negative,,,,\r\n"
    "unused,r3,clean,,\"'-2+3\",,,positive,,,,\r\n"
    "unused,r4,clean,,\"'\tTab\",,,positive,,,,\r\n"
    "unused,r5,clean,,שלום 👨‍👩‍👧 café,,,neutral,,,,\r\n";

static fs_store *make_store(const char *dir)
{
    char path[1200];
    fs_store *s = NULL;
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/run.sqlite", dir);
    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, "cfg", true, NULL), FS_OK);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const row *r = &rows[i];
        fs_variant v = { .record_id = r->id,
                         .record_index = (uint64_t)(r->id[1] - '0'),
                         .perturbation = r->pert,
                         .group = r->group,
                         .label = r->label,
                         .text = r->text,
                         .changed = true };
        int64_t id = 0;
        CU_ASSERT_EQUAL_FATAL(fs_store_put_variant(s, &v, &id, NULL), FS_OK);
        fs_outcome o = { .variant_id = id,
                         .target = "m",
                         .status = r->status,
                         .http_status = r->status ? 500 : 200,
                         .answer = r->answer,
                         .prediction = r->prediction,
                         .latency_ms = r->latency,
                         .attempts = 1,
                         .error = r->error,
                         .cached = r->cached,
                         .prompt_tokens = -1,
                         .completion_tokens = -1 };
        if (r->has_outcome) {
            CU_ASSERT_EQUAL_FATAL(fs_store_put_outcome(s, &o, NULL), FS_OK);
        }
    }
    CU_ASSERT_EQUAL_FATAL(fs_store_flush(s, NULL), FS_OK);
    return s;
}

static void test_audit_csv__rows_quoting_and_injection(void)
{
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/csv", fs_test_tmp_dir());
    fs_store *s = make_store(dir);
    char *labels[] = { "positive", "negative" };
    fs_config_target targets[] = { { .name = "m" }, { .name = "unused" } };
    fs_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.labels = labels;
    cfg.n_labels = 2;
    cfg.targets = targets;
    cfg.n_targets = 2;
    CU_ASSERT_EQUAL_FATAL(fs_audit__write_csv(&cfg, s, dir, NULL), FS_OK);
    char *text = NULL;
    size_t n = 0;
    snprintf(path, sizeof path, "%s/results.csv", dir);
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&text, &n, path, 1 << 20, NULL), FS_OK);
    CU_ASSERT_EQUAL(n, strlen(expected));
    CU_ASSERT_STRING_EQUAL(text, expected);
    /* No byte-order mark, no temporary file left behind. */
    CU_ASSERT_NOT_EQUAL((unsigned char)text[0], 0xEF);
    snprintf(path, sizeof path, "%s/results.csv.tmp", dir);
    CU_ASSERT_EQUAL(fopen(path, "rb"), NULL);
    fs_free(text);
    fs_store_free(s);
}

static void test_audit_csv__unwritable_dir_is_io_error(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/csv-io", fs_test_tmp_dir());
    fs_store *s = make_store(dir);
    fs_config_target targets[] = { { .name = "m" } };
    fs_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.targets = targets;
    cfg.n_targets = 1;
    fs_error err;
    snprintf(dir, sizeof dir, "%s/csv-io/missing/deeper", fs_test_tmp_dir());
    CU_ASSERT_EQUAL(fs_audit__write_csv(&cfg, s, dir, &err), FS_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "results.csv"));
    fs_store_free(s);
}

/* With report.redact every sensitive item of a row is masked in its input, answer, error
 * and (scored against references) gold; ids and numbers stay. */
static void test_audit_csv__redacted_rows(void)
{
    static const char input[] = "Call Ana Lima at +44 20 7946 0958 or ana.lima@example.org";
    char dir[1024], path[1100];
    snprintf(dir, sizeof dir, "%s/csv-redact", fs_test_tmp_dir());
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/run.sqlite", dir);
    fs_store *s = NULL;
    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, "cfg", true, NULL), FS_OK);
    fs_variant v = { .record_id = "note-7",
                     .record_index = 0,
                     .perturbation = "clean",
                     .label = "[\"ana.lima@example.org\"]",
                     .text = input,
                     .changed = false };
    int64_t id = 0;
    CU_ASSERT_EQUAL_FATAL(fs_store_put_variant(s, &v, &id, NULL), FS_OK);
    fs_outcome o = { .variant_id = id,
                     .target = "m",
                     .status = FS_OK,
                     .http_status = 200,
                     .answer = "Write to Ana Lima: ana.lima@example.org",
                     .latency_ms = 4,
                     .attempts = 1,
                     .prompt_tokens = -1,
                     .completion_tokens = -1 };
    CU_ASSERT_EQUAL_FATAL(fs_store_put_outcome(s, &o, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_store_flush(s, NULL), FS_OK);
    fs_config_target targets[] = { { .name = "m" } };
    fs_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.task = FS_TASK_QA;
    cfg.targets = targets;
    cfg.n_targets = 1;
    cfg.redact = true;
    fs_error err;
    CU_ASSERT_EQUAL_FATAL(fs_audit__write_csv(&cfg, s, dir, &err), FS_OK);
    char *text = NULL;
    size_t n = 0;
    snprintf(path, sizeof path, "%s/results.csv", dir);
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&text, &n, path, 1 << 20, NULL), FS_OK);
    CU_ASSERT_PTR_NULL(strstr(text, "ana.lima@example.org"));
    CU_ASSERT_PTR_NULL(strstr(text, "7946 0958"));
    CU_ASSERT_PTR_NULL(strstr(text, "Ana Lima"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\r\nm,note-7,clean,,Call "));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ",4,false,\r\n"));
    fs_free(text);
    /* without redact the row is as stored */
    cfg.redact = false;
    CU_ASSERT_EQUAL_FATAL(fs_audit__write_csv(&cfg, s, dir, &err), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&text, &n, path, 1 << 20, NULL), FS_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, input));
    fs_free(text);
    fs_store_free(s);
}

const fs_test_case fs_audit_csv_tests[] = {
    { "test_audit_csv__rows_quoting_and_injection", test_audit_csv__rows_quoting_and_injection },
    { "test_audit_csv__unwritable_dir_is_io_error", test_audit_csv__unwritable_dir_is_io_error },
    { "test_audit_csv__redacted_rows", test_audit_csv__redacted_rows },
    { NULL, NULL },
};
