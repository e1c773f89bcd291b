/* dataset.fields: the pair, context and reference fields of JSONL and CSV records (a
 * string or an array of strings), their errors, and the names of the newer formats. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "dataset_fixture.h"
#include "fairshake/core.h"
#include "fairshake/dataset.h"

static fs_dataset *open_fields(const char *path, fs_dataset_format format)
{
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    fs_dataset *ds = NULL;
    fs_error err = { 0 };
    o.format = format;
    o.input_field = "q";
    o.input2_field = "q2";
    o.context_field = "ctx";
    o.refs_field = "answers";
    if (fs_dataset_open(&ds, path, &o, &err) != FS_OK) {
        fprintf(stderr, "\n%s\n", err.msg);
    }
    return ds;
}

static void test_dataset_fields__jsonl_refs_pair_context(void)
{
    char path[600];
    static const char text[] =
        "{\"q\": \"Où?\", \"q2\": \"ここ\", \"ctx\": \"مرحبا 😀\", \"answers\": [\"a\", \"b\", "
        "\"a\"]}\n"
        "{\"q\": \"one\", \"q2\": \"\", \"ctx\": \"c\", \"answers\": \"only\"}\n"
        "{\"q\": \"none\", \"q2\": \"x\", \"ctx\": \"c\", \"answers\": []}\n"
        "{\"q\": \"bad\", \"q2\": \"x\", \"ctx\": \"c\", \"answers\": [\"a\", 2]}\n"
        "{\"q\": \"bad\", \"q2\": \"x\", \"ctx\": \"c\", \"answers\": {}}\n"
        "{\"q\": \"bad\", \"ctx\": \"c\", \"answers\": \"a\"}\n"
        "{\"q\": \"bad\", \"q2\": \"x\", \"ctx\": 1, \"answers\": \"a\"}\n"
        "{\"q\": \"bad\", \"q2\": \"x\", \"ctx\": \"c\", \"answers\": [\"nul \\u0000\"]}\n"
        "{\"q\": \"end\", \"q2\": \"x\", \"ctx\": \"c\", \"answers\": [\"\\\\u0000 is fine\"]}\n";
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "fields.jsonl", text, sizeof text - 1));
    fs_dataset *ds = open_fields(path, FS_FORMAT_JSONL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    const fs_record *r = ds_fixture_expect(ds, 1, "Où?");
    CU_ASSERT_STRING_EQUAL(r->input2, "ここ");
    CU_ASSERT_STRING_EQUAL(r->context, "مرحبا 😀");
    ds_fixture_expect_refs(ds, r, 3);
    CU_ASSERT_STRING_EQUAL(r->refs[0], "a");
    CU_ASSERT_STRING_EQUAL(r->refs[1], "b");
    CU_ASSERT_STRING_EQUAL(r->refs[2], "a");
    CU_ASSERT_FALSE(r->unanswerable);
    r = ds_fixture_expect(ds, 2, "one");
    ds_fixture_expect_refs(ds, r, 1);
    CU_ASSERT_STRING_EQUAL(r->refs[0], "only");
    r = ds_fixture_expect(ds, 3, "none");
    CU_ASSERT_EQUAL(r->n_refs, 0);
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT,
                            "4: answers[1]: expected a string or an object, got number");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT,
                            "5: answers: expected a string or an array of strings, got object");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "6: q2: missing field");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "7: ctx: expected a string, got number");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "8: answers: contains a NUL character");
    r = ds_fixture_expect(ds, 9, "end");
    CU_ASSERT_STRING_EQUAL(r->refs[0], "\\u0000 is fine");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_fields__csv_one_reference_per_cell(void)
{
    char path[600];
    static const char text[] = "q,q2,ctx,answers\n"
                               "\"Wer, wann?\",b,\"c \"\"x\"\"\",Zürich\n"
                               "x,y,z,\n";
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "fields.csv", text, sizeof text - 1));
    fs_dataset *ds = open_fields(path, FS_FORMAT_AUTO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    const fs_record *r = ds_fixture_expect(ds, 2, "Wer, wann?");
    CU_ASSERT_STRING_EQUAL(r->input2, "b");
    CU_ASSERT_STRING_EQUAL(r->context, "c \"x\"");
    ds_fixture_expect_refs(ds, r, 1);
    CU_ASSERT_STRING_EQUAL(r->refs[0], "Zürich");
    r = ds_fixture_expect(ds, 3, "x");
    ds_fixture_expect_refs(ds, r, 1); /* an empty cell is an empty reference */
    CU_ASSERT_STRING_EQUAL(r->refs[0], "");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);

    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    fs_error err = { 0 };
    o.input_field = "q";
    o.refs_field = "answer";
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, path, &o, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "fields.csv:1: answer: no such column"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did you mean 'answers'?"));
}

static void test_dataset_fields__format_names(void)
{
    fs_dataset_format f = FS_FORMAT_AUTO;
    CU_ASSERT_TRUE(fs_dataset_format_parse("glue", &f));
    CU_ASSERT_EQUAL(f, FS_FORMAT_GLUE);
    CU_ASSERT_TRUE(fs_dataset_format_parse("squad", &f));
    CU_ASSERT_EQUAL(f, FS_FORMAT_SQUAD);
    CU_ASSERT_TRUE(fs_dataset_format_parse("wmt", &f));
    CU_ASSERT_EQUAL(f, FS_FORMAT_WMT);
    CU_ASSERT_FALSE(fs_dataset_format_parse("squad2", &f));
    CU_ASSERT_EQUAL(f, FS_FORMAT_WMT);

    /* options without the new fields leave the record's new members empty */
    char path[600];
    fs_dataset *ds = NULL;
    CU_ASSERT_EQUAL_FATAL(
        fs_dataset_open(&ds, ds_fixture_data(path, sizeof path, "reviews.jsonl"), NULL, NULL),
        FS_OK);
    const fs_record *r = ds_fixture_next(ds);
    CU_ASSERT_PTR_NULL(r->input2);
    CU_ASSERT_PTR_NULL(r->context);
    CU_ASSERT_PTR_NULL(r->refs);
    CU_ASSERT_EQUAL(r->n_refs, 0);
    fs_dataset_free(ds);

    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.format = (fs_dataset_format)99;
    fs_error err = { 0 };
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, path, &o, &err), FS_ERR_USAGE);
}

const fs_test_case fs_dataset_fields_tests[] = {
    { "test_dataset_fields__jsonl_refs_pair_context",
      test_dataset_fields__jsonl_refs_pair_context },
    { "test_dataset_fields__csv_one_reference_per_cell",
      test_dataset_fields__csv_one_reference_per_cell },
    { "test_dataset_fields__format_names", test_dataset_fields__format_names },
    { NULL, NULL },
};
