/* dataset.squad: the SQuAD v1.1 and v2.0 samples in examples/squad (one record per
 * question, context, every answer kept, unanswerable v2 questions), malformed documents
 * and questions reported with their JSON path, and the document size limit. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "dataset_fixture.h"
#include "fairshake/core.h"
#include "fairshake/dataset.h"

static fs_dataset *open_squad(const char *path, size_t max, fs_error *err)
{
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    fs_dataset *ds = NULL;
    o.format = FS_FORMAT_SQUAD;
    o.max_record_bytes = max;
    fs_dataset_open(&ds, path, &o, err);
    return ds;
}

static const char *example(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/examples/squad/%s", fs_test_source_dir(), name);
    return out;
}

static const fs_record *next(fs_dataset *ds)
{
    const fs_record *r = ds_fixture_next(ds);
    CU_ASSERT_EQUAL(r->line, 0);
    return r;
}

static void test_dataset_squad__v1_sample(void)
{
    char path[600];
    fs_error err = { 0 };
    fs_dataset *ds = open_squad(example(path, sizeof path, "sample-v1.1.json"), 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    const fs_record *r = next(ds);
    CU_ASSERT_STRING_EQUAL(r->id, "kerrow-q1");
    CU_ASSERT_STRING_EQUAL(r->input, "When was the lighthouse of Kerrow built?");
    CU_ASSERT_EQUAL(r->input_len, strlen(r->input));
    if (r->context == NULL) {
        CU_FAIL("the first question has no context");
        fs_dataset_free(ds);
        return;
    }
    CU_ASSERT_EQUAL(strncmp(r->context, "The lighthouse of Kerrow stands", 31), 0);
    ds_fixture_expect_refs(ds, r, 3); /* duplicates are kept, as the official script does */
    CU_ASSERT_STRING_EQUAL(r->refs[0], "1854");
    CU_ASSERT_STRING_EQUAL(r->refs[1], "in 1854");
    CU_ASSERT_STRING_EQUAL(r->refs[2], "1854");
    CU_ASSERT_FALSE(r->unanswerable);
    CU_ASSERT_PTR_NULL(r->label);
    size_t n = 1;
    while (n < 5) {
        r = next(ds);
        n++;
    }
    CU_ASSERT_STRING_EQUAL(r->id, "muller-q1"); /* the next article, in file order */
    CU_ASSERT_STRING_EQUAL(r->input, "In which city did Café Müller open?");
    CU_ASSERT_STRING_EQUAL(r->refs[0], "Zürich");
    CU_ASSERT_EQUAL(r->index, 4);
    CU_ASSERT_EQUAL(strncmp(r->context, "Café Müller opened in Zürich", 29), 0);
    fs_status st = FS_OK;
    while ((st = fs_dataset_next(ds, &r, &err)) == FS_OK && r != NULL) {
        n++;
        CU_ASSERT_FALSE(r->unanswerable);
        CU_ASSERT(r->n_refs >= 1);
    }
    CU_ASSERT_EQUAL(st, FS_OK);
    CU_ASSERT_EQUAL(n, 12);
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_squad__v2_unanswerable(void)
{
    char path[600];
    fs_error err = { 0 };
    fs_dataset *ds = open_squad(example(path, sizeof path, "sample-v2.0.json"), 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    const fs_record *r = NULL;
    size_t n = 0, impossible = 0;
    fs_status st = FS_OK;
    while ((st = fs_dataset_next(ds, &r, &err)) == FS_OK && r != NULL) {
        n++;
        if (r->unanswerable) {
            impossible++;
            CU_ASSERT_EQUAL(r->n_refs, 0);
        } else {
            CU_ASSERT(r->n_refs >= 1);
        }
        if (strcmp(r->id, "kerrow-q5") == 0) {
            CU_ASSERT_TRUE(r->unanswerable);
            CU_ASSERT_STRING_EQUAL(r->input, "Who was the last keeper of the lighthouse?");
        }
    }
    CU_ASSERT_EQUAL(st, FS_OK);
    CU_ASSERT_EQUAL(n, 15);
    CU_ASSERT_EQUAL(impossible, 3);
    fs_dataset_free(ds);
}

static void test_dataset_squad__bad_questions_named_by_path(void)
{
    char path[600];
    static const char doc[] =
        "{\"version\": \"1.1\", \"data\": [\n"
        " {\"title\": \"a\", \"paragraphs\": [\n"
        "  {\"context\": \"Some context.\", \"qas\": [\n"
        "   {\"id\": \"q1\", \"question\": \"Fine?\", \"answers\": [{\"text\": \"yes\"}]},\n"
        "   {\"id\": \"q2\", \"answers\": []},\n"
        "   {\"id\": 3, \"question\": \"Number id?\", \"answers\": []},\n"
        "   {\"id\": \"q4\", \"question\": \"No text?\", \"answers\": [{\"start\": 1}]},\n"
        "   {\"id\": \"q5\", \"question\": \"Bad flag?\", \"is_impossible\": \"no\"},\n"
        "   {\"id\": \"q6\", \"question\": \"Still read?\", \"answers\": [{\"text\": \"ja\"}]}]},\n"
        "  {\"qas\": []},\n"
        "  {\"context\": \"Second.\", \"qas\": [{\"id\": \"q7\", \"question\": \"Last?\", "
        "\"answers\": [{\"text\": \"a\"}, {\"text\": \"b\"}]}]}]},\n"
        " [],\n"
        " {\"title\": \"no paragraphs\"}]}\n";
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "bad-squad.json", doc, sizeof doc - 1));
    fs_error err = { 0 };
    fs_dataset *ds = open_squad(path, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    const fs_record *r = next(ds);
    CU_ASSERT_STRING_EQUAL(r->id, "q1");
    const char *tails[] = {
        " data[0].paragraphs[0].qas[1].question: missing field",
        " data[0].paragraphs[0].qas[2].id: expected a string, got number",
        " data[0].paragraphs[0].qas[3].answers[0].text: missing field",
        " data[0].paragraphs[0].qas[4].is_impossible: expected a boolean, got string",
    };
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        ds_fixture_expect_error(ds, path, FS_ERR_INPUT, tails[i]);
    }
    r = next(ds);
    CU_ASSERT_STRING_EQUAL(r->id, "q6");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT,
                            " data[0].paragraphs[1].context: missing field");
    r = next(ds);
    CU_ASSERT_STRING_EQUAL(r->id, "q7");
    CU_ASSERT_STRING_EQUAL(r->context, "Second.");
    CU_ASSERT_EQUAL(r->n_refs, 2);
    CU_ASSERT_EQUAL(r->index, 6); /* bad questions keep their numbers */
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, " data[1]: expected an object, got array");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, " data[2].paragraphs: missing field");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_squad__bad_documents(void)
{
    char path[600];
    fs_error err = { 0 };
    static const char not_json[] = "{\"data\": [\n}\n";
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "broken.json", not_json, sizeof not_json - 1));
    CU_ASSERT_PTR_NULL(open_squad(path, 0, &err));
    CU_ASSERT_EQUAL(err.code, FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "broken.json:2:1: invalid JSON"));

    static const char no_data[] = "{\"version\": \"1.1\", \"articles\": []}";
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "nodata.json", no_data, sizeof no_data - 1));
    CU_ASSERT_PTR_NULL(open_squad(path, 0, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "nodata.json: data: missing field"));

    static const char list[] = "[1, 2]";
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "list.json", list, sizeof list - 1));
    CU_ASSERT_PTR_NULL(open_squad(path, 0, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "list.json: expected a SQuAD object"));

    char sample[600];
    CU_ASSERT_PTR_NULL(open_squad(example(sample, sizeof sample, "sample-v1.1.json"), 100, &err));
    CU_ASSERT_EQUAL(err.code, FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "sample-v1.1.json: SQuAD document larger than 100 "
                                           "bytes"));
    snprintf(sample, sizeof sample, "%s/missing.json", fs_test_tmp_dir());
    CU_ASSERT_PTR_NULL(open_squad(sample, 0, &err));
    CU_ASSERT_EQUAL(err.code, FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "missing.json: cannot read the dataset: cannot open: "));
}

const fs_test_case fs_dataset_squad_tests[] = {
    { "test_dataset_squad__v1_sample", test_dataset_squad__v1_sample },
    { "test_dataset_squad__v2_unanswerable", test_dataset_squad__v2_unanswerable },
    { "test_dataset_squad__bad_questions_named_by_path",
      test_dataset_squad__bad_questions_named_by_path },
    { "test_dataset_squad__bad_documents", test_dataset_squad__bad_documents },
    { NULL, NULL },
};
