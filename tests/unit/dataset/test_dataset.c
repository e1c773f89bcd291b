/* dataset.dataset: format names and detection, open failures, the record size limit and
 * streaming a large generated file. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "dataset_fixture.h"
#include "fairshake/core.h"
#include "fairshake/dataset.h"

static void test_dataset_dataset__format_names(void)
{
    fs_dataset_format f = FS_FORMAT_CSV;
    CU_ASSERT_TRUE(fs_dataset_format_parse("jsonl", &f));
    CU_ASSERT_EQUAL(f, FS_FORMAT_JSONL);
    CU_ASSERT_TRUE(fs_dataset_format_parse("ndjson", &f));
    CU_ASSERT_EQUAL(f, FS_FORMAT_JSONL);
    CU_ASSERT_TRUE(fs_dataset_format_parse("csv", &f));
    CU_ASSERT_EQUAL(f, FS_FORMAT_CSV);
    CU_ASSERT_TRUE(fs_dataset_format_parse("tsv", &f));
    CU_ASSERT_EQUAL(f, FS_FORMAT_TSV);
    CU_ASSERT_TRUE(fs_dataset_format_parse("auto", &f));
    CU_ASSERT_EQUAL(f, FS_FORMAT_AUTO);
    f = FS_FORMAT_TSV;
    CU_ASSERT_FALSE(fs_dataset_format_parse("json", &f));
    CU_ASSERT_FALSE(fs_dataset_format_parse("CSV", &f));
    CU_ASSERT_FALSE(fs_dataset_format_parse("", &f));
    CU_ASSERT_FALSE(fs_dataset_format_parse(NULL, &f));
    CU_ASSERT_EQUAL(f, FS_FORMAT_TSV);
}

static void test_dataset_dataset__format_from_extension(void)
{
    char path[600], copy[600];
    fs_dataset *ds = (fs_dataset *)path;
    fs_error err = { 0 };
    ds_fixture_data(path, sizeof path, "notes.json");
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, path, NULL, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(ds);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "set dataset.format to jsonl, csv or tsv"));

    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.format = FS_FORMAT_JSONL;
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, &o, &err), FS_OK);
    ds_fixture_expect(ds, 1, "a .json file is not JSON Lines");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);

    /* upper-case extensions and .ndjson are recognised */
    static const char line[] = "{\"text\": \"x\"}\n";
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(copy, sizeof copy, "UPPER.NDJSON", line, sizeof line - 1));
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, copy, NULL, NULL), FS_OK);
    ds_fixture_expect(ds, 1, "x");
    fs_dataset_free(ds);
    /* a dot in a directory name is not an extension */
    snprintf(copy, sizeof copy, "%s/dir.csv/data", fs_test_tmp_dir());
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, copy, NULL, &err), FS_ERR_CONFIG);
}

static void test_dataset_dataset__open_failures(void)
{
    char path[600];
    fs_dataset *ds = NULL;
    fs_error err = { 0 };
    snprintf(path, sizeof path, "%s/no-such-file.jsonl", fs_test_tmp_dir());
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, path, NULL, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NULL(ds);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot open the dataset"));
    snprintf(path, sizeof path, "%s/a-directory.jsonl", fs_test_tmp_dir());
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, fs_test_tmp_dir(), NULL, &err), FS_ERR_CONFIG);
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.format = FS_FORMAT_JSONL;
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, fs_test_tmp_dir(), &o, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "directory"));
    o.input_field = NULL;
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, path, &o, &err), FS_ERR_USAGE);
    CU_ASSERT_PTR_NULL(ds);
    fs_dataset_free(NULL);
}

static void test_dataset_dataset__record_limit(void)
{
    char path[600], text[400];
    char big[101];
    memset(big, 'x', 100);
    big[100] = '\0';
    snprintf(text, sizeof text, "{\"text\": \"a\"}\n{\"text\": \"%s\"}\n{\"text\": \"b\"}\n", big);
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.max_record_bytes = 64;
    fs_dataset *ds = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "limit.jsonl", text, strlen(text)));
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, &o, NULL), FS_OK);
    ds_fixture_expect(ds, 1, "a");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "2: record longer than 64 bytes");
    const fs_record *r = ds_fixture_expect(ds, 3, "b");
    CU_ASSERT_STRING_EQUAL(r->id, "3");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);

    snprintf(text, sizeof text, "text\na\n\"%s\n%s\"\nb\n", big, big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "limit.csv", text, strlen(text)));
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, &o, NULL), FS_OK);
    ds_fixture_expect(ds, 2, "a");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "3: record longer than 64 bytes");
    ds_fixture_expect(ds, 5, "b");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static bool write_big(const char *path, int lines)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return false;
    }
    for (int i = 1; i <= lines; i++) {
        fprintf(f, "{\"id\": \"rec-%d\", \"text\": \"record %d — é 東京 😀\", \"label\": %d}\n", i,
                i, i % 2);
    }
    return fclose(f) == 0;
}

static void test_dataset_dataset__streams_a_large_file(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/big.jsonl", fs_test_tmp_dir());
    CU_ASSERT_TRUE_FATAL(write_big(path, 100000));
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.label_field = "label";
    o.id_field = "id";
    o.max_record_bytes = 256; /* far below the file size: only one line is held */
    fs_dataset *ds = NULL;
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, &o, NULL), FS_OK);
    const fs_record *r = NULL;
    uint64_t n = 0, ones = 0;
    char last_id[32] = "", last_text[64] = "";
    while (fs_dataset_next(ds, &r, NULL) == FS_OK && r != NULL) {
        CU_ASSERT_EQUAL(r->index, n);
        CU_ASSERT_EQUAL(r->line, n + 1);
        ones += strcmp(r->label, "1") == 0;
        snprintf(last_id, sizeof last_id, "%s", r->id);
        snprintf(last_text, sizeof last_text, "%s", r->input);
        n++;
    }
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(n, 100000);
    CU_ASSERT_EQUAL(ones, 50000);
    CU_ASSERT_STRING_EQUAL(last_id, "rec-100000");
    CU_ASSERT_STRING_EQUAL(last_text, "record 100000 — é 東京 😀");
    fs_dataset_free(ds);
}

static void test_dataset_dataset__empty_jsonl_has_no_records(void)
{
    char path[600];
    fs_dataset *ds = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds_fixture_write(path, sizeof path, "empty.jsonl", "\n \n", 3));
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, NULL, NULL), FS_OK);
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

const fs_test_case fs_dataset_dataset_tests[] = {
    { "test_dataset_dataset__format_names", test_dataset_dataset__format_names },
    { "test_dataset_dataset__format_from_extension", test_dataset_dataset__format_from_extension },
    { "test_dataset_dataset__open_failures", test_dataset_dataset__open_failures },
    { "test_dataset_dataset__record_limit", test_dataset_dataset__record_limit },
    { "test_dataset_dataset__streams_a_large_file", test_dataset_dataset__streams_a_large_file },
    { "test_dataset_dataset__empty_jsonl_has_no_records",
      test_dataset_dataset__empty_jsonl_has_no_records },
    { NULL, NULL },
};
