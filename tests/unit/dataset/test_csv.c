/* dataset.csv: RFC 4180 quoting (embedded separators, quotes and newlines), record line
 * numbers, field counts, unterminated quotes, unknown columns, CRLF, BOM and TSV. */
#include "fs_test.h"

#include <string.h>

#include "core/alloc_test.h"
#include "dataset_fixture.h"
#include "fairshake/core.h"
#include "fairshake/dataset.h"

static fs_dataset *open_csv(const char *path, fs_dataset_format format)
{
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.format = format;
    o.label_field = "label";
    o.group_field = "group";
    o.id_field = "id";
    fs_dataset *ds = NULL;
    fs_error err = { 0 };
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, path, &o, &err), FS_OK);
    return ds;
}

static void check_reviews(fs_dataset *ds, const char *newline)
{
    const fs_record *r = ds_fixture_expect(ds, 2, "Hello, world");
    CU_ASSERT_STRING_EQUAL(r->id, "c1");
    CU_ASSERT_STRING_EQUAL(r->label, "positive");
    CU_ASSERT_STRING_EQUAL(r->group, "a");
    CU_ASSERT_EQUAL(r->index, 0);
    r = ds_fixture_expect(ds, 3, "She said \"hi\" and left");
    CU_ASSERT_PTR_NULL(r->group); /* empty cell */
    char spanning[80];
    snprintf(spanning, sizeof spanning, "first line%ssecond line, still the same field", newline);
    r = ds_fixture_expect(ds, 4, spanning);
    CU_ASSERT_STRING_EQUAL(r->id, "c3");
    CU_ASSERT_STRING_EQUAL(r->label, "positive");
    r = ds_fixture_expect(ds, 6, "plain é 漢字 😀"); /* the record before took two lines */
    CU_ASSERT_STRING_EQUAL(r->group, "c, d");
    r = ds_fixture_expect(ds, 7, "");
    CU_ASSERT_STRING_EQUAL(r->id, "c5");
    CU_ASSERT_EQUAL(r->index, 4);
    ds_fixture_expect_end(ds);
    ds_fixture_expect_end(ds);
}

static void test_dataset_csv__quotes_commas_and_newlines(void)
{
    char path[600];
    fs_dataset *ds = open_csv(ds_fixture_data(path, sizeof path, "reviews.csv"), FS_FORMAT_AUTO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    check_reviews(ds, "\n");
    fs_dataset_free(ds);
}

static void test_dataset_csv__crlf_and_bom(void)
{
    char path[600];
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_crlf_bom(path, sizeof path, "reviews.csv", "reviews-crlf.csv"));
    fs_dataset *ds = open_csv(path, FS_FORMAT_AUTO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    check_reviews(ds, "\r\n"); /* a newline inside quotes is kept as written */
    fs_dataset_free(ds);
}

static void test_dataset_csv__wrong_field_count(void)
{
    char path[600];
    fs_dataset *ds = NULL;
    ds_fixture_data(path, sizeof path, "badcount.csv");
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, NULL, NULL), FS_OK);
    const fs_record *r = ds_fixture_expect(ds, 2, "good");
    CU_ASSERT_STRING_EQUAL(r->id, "1");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "3: expected 2 fields, got 3");
    r = ds_fixture_expect(ds, 4, "spans\ntwo lines");
    CU_ASSERT_STRING_EQUAL(r->id, "3");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "6: expected 2 fields, got 1");
    ds_fixture_expect(ds, 7, "last");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_csv__unterminated_quote_names_its_line(void)
{
    char path[600];
    fs_dataset *ds = NULL;
    ds_fixture_data(path, sizeof path, "unterminated.csv");
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, NULL, NULL), FS_OK);
    ds_fixture_expect(ds, 2, "ok");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "3: unterminated quoted field");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_csv__text_after_closing_quote(void)
{
    char path[600];
    fs_dataset *ds = NULL;
    ds_fixture_data(path, sizeof path, "afterquote.csv");
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, NULL, NULL), FS_OK);
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT,
                            "2: text: unexpected text after a closing quote");
    ds_fixture_expect(ds, 3, "fine");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_csv__missing_column_suggests_nearest(void)
{
    char path[600];
    fs_dataset *ds = (fs_dataset *)path;
    fs_error err = { 0 };
    ds_fixture_data(path, sizeof path, "columns.csv");
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, path, NULL, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NULL(ds);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(err.msg, ":1: text: no such column (columns: id, txt, label); did you mean 'txt'?"));
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.input_field = "txt";
    o.label_field = "zzzzzzzz";
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, path, &o, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(err.msg, ":1: zzzzzzzz: no such column (columns: id, txt, label)"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "did you mean"));
}

static void test_dataset_csv__tsv_quotes_are_literal(void)
{
    char path[600];
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.input_field = "sentence";
    o.label_field = "label";
    fs_dataset *ds = NULL;
    ds_fixture_data(path, sizeof path, "glue.tsv");
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, &o, NULL), FS_OK);
    const fs_record *r =
        ds_fixture_expect(ds, 2, "it 's a \"charming\" and often affecting journey . ");
    CU_ASSERT_STRING_EQUAL(r->label, "1");
    r = ds_fixture_expect(ds, 3, "\"unquoted start");
    CU_ASSERT_STRING_EQUAL(r->label, "0");
    r = ds_fixture_expect(ds, 4, "naïve 東京 🙂 مرحبا");
    CU_ASSERT_STRING_EQUAL(r->id, "3");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_csv__blank_lines_and_empty_files(void)
{
    static const char text[] = "\n\ntext\r\n\r\none\n\n\"\"\ntwo";
    char path[600];
    fs_dataset *ds = NULL;
    fs_error err = { 0 };
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "blank.csv", text, sizeof text - 1));
    CU_ASSERT_EQUAL_FATAL(fs_dataset_open(&ds, path, NULL, NULL), FS_OK);
    ds_fixture_expect(ds, 5, "one");
    ds_fixture_expect(ds, 7, ""); /* a quoted empty field is a record */
    ds_fixture_expect(ds, 8, "two");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);

    CU_ASSERT_PTR_NOT_NULL_FATAL(ds_fixture_write(path, sizeof path, "empty.csv", "", 0));
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, path, NULL, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "empty file: expected a header row"));
    CU_ASSERT_PTR_NULL(ds);
}

/* Each allocation of reading a wide CSV fails in turn: every attempt ends in a clean
 * error or a full read, never a write through a failed array (it once crashed here). */
static void test_dataset_csv__every_failed_allocation_is_clean(void)
{
    char path[600];
    const char *text = "text,label,group,id,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p\n"
                       "\"x, y\",positive,g1,r1,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\n"
                       "z,negative,g2,r2,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\n";
    ds_fixture_write(path, sizeof path, "wide.csv", text, strlen(text));
    size_t total = 0;
    for (size_t k = 0; k <= 400; k++) {
        fs_dataset_opts o = FS_DATASET_OPTS_INIT;
        fs_dataset *ds = NULL;
        const fs_record *r = NULL;
        size_t records = 0;
        fs__alloc_fail_at(k); /* 0: count only */
        fs_status st = fs_dataset_open(&ds, path, &o, NULL);
        while (st == FS_OK) {
            st = fs_dataset_next(ds, &r, NULL);
            if (st != FS_OK || r == NULL) {
                break;
            }
            records++;
        }
        fs_dataset_free(ds);
        fs__alloc_hook_off();
        if (k == 0) {
            total = fs__alloc_count();
            CU_ASSERT_EQUAL(st, FS_OK);
            CU_ASSERT_EQUAL(records, 2);
            CU_ASSERT(total > 0);
        } else if (k > total) {
            break;
        } else {
            CU_ASSERT(st == FS_OK || st == FS_ERR_NOMEM || st == FS_ERR_INPUT);
        }
    }
}

const fs_test_case fs_dataset_csv_tests[] = {
    { "test_dataset_csv__every_failed_allocation_is_clean",
      test_dataset_csv__every_failed_allocation_is_clean },
    { "test_dataset_csv__quotes_commas_and_newlines",
      test_dataset_csv__quotes_commas_and_newlines },
    { "test_dataset_csv__crlf_and_bom", test_dataset_csv__crlf_and_bom },
    { "test_dataset_csv__wrong_field_count", test_dataset_csv__wrong_field_count },
    { "test_dataset_csv__unterminated_quote_names_its_line",
      test_dataset_csv__unterminated_quote_names_its_line },
    { "test_dataset_csv__text_after_closing_quote", test_dataset_csv__text_after_closing_quote },
    { "test_dataset_csv__missing_column_suggests_nearest",
      test_dataset_csv__missing_column_suggests_nearest },
    { "test_dataset_csv__tsv_quotes_are_literal", test_dataset_csv__tsv_quotes_are_literal },
    { "test_dataset_csv__blank_lines_and_empty_files",
      test_dataset_csv__blank_lines_and_empty_files },
    { NULL, NULL },
};
