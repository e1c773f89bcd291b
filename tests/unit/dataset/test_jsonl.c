/* dataset.jsonl: JSON Lines records with Unicode, labels from numbers and booleans, error
 * messages with exact line numbers, blank lines, CRLF and a byte order mark. */
#include "fs_test.h"

#include <string.h>

#include "dataset_fixture.h"
#include "fairshake/core.h"
#include "fairshake/dataset.h"

static fs_dataset *open_reviews(const char *path)
{
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.label_field = "label";
    o.group_field = "author_gender";
    o.id_field = "id";
    fs_dataset *ds = NULL;
    fs_error err = { 0 };
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, path, &o, &err), FS_OK);
    return ds;
}

static void check_reviews(fs_dataset *ds)
{
    const fs_record *r = ds_fixture_expect(ds, 1, "Café au lait, très bon — naïve façade.");
    CU_ASSERT_STRING_EQUAL(r->id, "r-1");
    CU_ASSERT_STRING_EQUAL(r->label, "positive");
    CU_ASSERT_STRING_EQUAL(r->group, "female");
    CU_ASSERT_EQUAL(r->index, 0);
    r = ds_fixture_expect(ds, 2, "東京のラーメンは最高でした。");
    CU_ASSERT_STRING_EQUAL(r->group, "male");
    r = ds_fixture_expect(ds, 4, "Terrible service 😡👎🏽 never again"); /* line 3 is blank */
    CU_ASSERT_STRING_EQUAL(r->id, "r-3");
    CU_ASSERT_EQUAL(r->index, 2);
    CU_ASSERT_PTR_NULL(r->group); /* null */
    r = ds_fixture_expect(ds, 5, "الخدمة كانت ممتازة جدا");
    CU_ASSERT_PTR_NULL(r->group); /* absent */
    CU_ASSERT_STRING_EQUAL(r->label, "positive");
    r = ds_fixture_expect(ds, 6, "השירות היה גרוע");
    CU_ASSERT_STRING_EQUAL(r->id, "r-5");
    CU_ASSERT_STRING_EQUAL(r->group, "nonbinary");
    CU_ASSERT_EQUAL(r->index, 4);
    ds_fixture_expect_end(ds);
    ds_fixture_expect_end(ds);
}

static void test_dataset_jsonl__reads_unicode_records(void)
{
    char path[600];
    fs_dataset *ds = open_reviews(ds_fixture_data(path, sizeof path, "reviews.jsonl"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    check_reviews(ds);
    fs_dataset_free(ds);
}

static void test_dataset_jsonl__crlf_and_bom(void)
{
    char path[600];
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_crlf_bom(path, sizeof path, "reviews.jsonl", "reviews-crlf.jsonl"));
    fs_dataset *ds = open_reviews(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    check_reviews(ds);
    fs_dataset_free(ds);
}

static void test_dataset_jsonl__numbers_and_booleans_as_labels(void)
{
    char path[600];
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.label_field = "label";
    o.group_field = "grp";
    o.id_field = "n";
    fs_dataset *ds = NULL;
    ds_fixture_data(path, sizeof path, "labels.jsonl");
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, &o, NULL), FS_OK);
    const fs_record *r = ds_fixture_expect(ds, 1, "one");
    CU_ASSERT_STRING_EQUAL(r->label, "1");
    CU_ASSERT_STRING_EQUAL(r->id, "10");
    CU_ASSERT_STRING_EQUAL(r->group, "3");
    r = ds_fixture_expect(ds, 2, "zero");
    CU_ASSERT_STRING_EQUAL(r->label, "0");
    CU_ASSERT_STRING_EQUAL(r->group, "b");
    r = ds_fixture_expect(ds, 3, "yes");
    CU_ASSERT_STRING_EQUAL(r->label, "true");
    CU_ASSERT_PTR_NULL(r->group);
    r = ds_fixture_expect(ds, 4, "half");
    CU_ASSERT_STRING_EQUAL(r->label, "2.5");
    CU_ASSERT_STRING_EQUAL(r->id, "-13");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_jsonl__errors_name_the_line_and_field(void)
{
    char path[600];
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.label_field = "label";
    fs_dataset *ds = NULL;
    ds_fixture_data(path, sizeof path, "errors.jsonl");
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, &o, NULL), FS_OK);
    const fs_record *r = ds_fixture_expect(ds, 1, "fine");
    CU_ASSERT_STRING_EQUAL(r->id, "1");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "2: text: missing field");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "3: text: expected a string, got number");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "4: label: missing field");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "5: invalid JSON");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "6: expected a JSON object");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT,
                            "7: label: expected a string, number or boolean, got null");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "8: text: contains a NUL character");
    r = ds_fixture_expect(ds, 9, "escaped backslash \\u0000 is text");
    CU_ASSERT_STRING_EQUAL(r->id, "9"); /* bad records keep their numbers */
    CU_ASSERT_EQUAL(r->index, 8);
    r = ds_fixture_expect(ds, 10, "last");
    CU_ASSERT_STRING_EQUAL(r->label, "z");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_jsonl__id_and_group_types(void)
{
    static const char text[] = "{\"text\": \"a\", \"id\": 1.5}\n"
                               "{\"text\": \"b\", \"id\": \"\"}\n"
                               "{\"text\": \"c\", \"id\": [1]}\n"
                               "{\"text\": \"d\"}\n"
                               "{\"text\": \"e\", \"id\": 7, \"g\": {\"k\": 1}}\n"
                               "{\"text\": \"f\\u00e9\\ud83d\\ude00\", \"id\": \"x\\u0000\"}\n"
                               "{\"text\": \"g\", \"id\": 9007199254740993}\n";
    char path[600];
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.id_field = "id";
    o.group_field = "g";
    fs_dataset *ds = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "ids.jsonl", text, sizeof text - 1));
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, &o, NULL), FS_OK);
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT,
                            "1: id: expected a string or integer, got number");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "2: id: empty id");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT,
                            "3: id: expected a string or integer, got array");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "4: id: missing field");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT,
                            "5: g: expected a string or number, got object");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "6: id: contains a NUL character");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "7: id: expected a string or integer");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_jsonl__escapes_decode_to_utf8(void)
{
    static const char text[] = "{\"text\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\\n\"}\n";
    char path[600];
    fs_dataset *ds = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "escapes.jsonl", text, sizeof text - 1));
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, NULL, NULL), FS_OK);
    const fs_record *r = ds_fixture_expect(ds, 1, "café 😀 \"q\"\n");
    CU_ASSERT_STRING_EQUAL(r->id, "1");
    CU_ASSERT_PTR_NULL(r->label);
    CU_ASSERT_PTR_NULL(r->group);
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_jsonl__invalid_utf8_refused(void)
{
    static const char text[] = "{\"text\": \"ok\"}\n{\"text\": \"bad \xC3\x28 byte\"}\n"
                               "{\"text\": \"raw \x00 nul\"}\n{\"text\": \"end\"}";
    char path[600];
    fs_dataset *ds = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "utf8.jsonl", text, sizeof text - 1));
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, NULL, NULL), FS_OK);
    ds_fixture_expect(ds, 1, "ok");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "2: text: invalid UTF-8");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "3: invalid JSON");
    ds_fixture_expect(ds, 4, "end"); /* the last line has no newline */
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

const fs_test_case fs_dataset_jsonl_tests[] = {
    { "test_dataset_jsonl__reads_unicode_records", test_dataset_jsonl__reads_unicode_records },
    { "test_dataset_jsonl__crlf_and_bom", test_dataset_jsonl__crlf_and_bom },
    { "test_dataset_jsonl__numbers_and_booleans_as_labels",
      test_dataset_jsonl__numbers_and_booleans_as_labels },
    { "test_dataset_jsonl__errors_name_the_line_and_field",
      test_dataset_jsonl__errors_name_the_line_and_field },
    { "test_dataset_jsonl__id_and_group_types", test_dataset_jsonl__id_and_group_types },
    { "test_dataset_jsonl__escapes_decode_to_utf8", test_dataset_jsonl__escapes_decode_to_utf8 },
    { "test_dataset_jsonl__invalid_utf8_refused", test_dataset_jsonl__invalid_utf8_refused },
    { NULL, NULL },
};
