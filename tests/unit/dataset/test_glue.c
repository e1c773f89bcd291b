/* dataset.glue: the GLUE samples in examples/glue (SST-2 and MRPC layouts), QNLI's layout
 * and a test split without labels, explicit fields winning over the GLUE defaults,
 * literal quotes, and a row with a wrong field count. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "dataset_fixture.h"
#include "fairshake/core.h"
#include "fairshake/dataset.h"

static const char *example(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/examples/glue/%s", fs_test_source_dir(), name);
    return out;
}

static fs_dataset *open_glue(const char *path)
{
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    fs_dataset *ds = NULL;
    fs_error err = { 0 };
    o.format = FS_FORMAT_GLUE;
    if (fs_dataset_open(&ds, path, &o, &err) != FS_OK) {
        fprintf(stderr, "\n%s\n", err.msg);
    }
    return ds;
}

static void test_dataset_glue__sst2_sample(void)
{
    char path[600];
    fs_dataset *ds = open_glue(example(path, sizeof path, "sst2-sample.tsv"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    const fs_record *r =
        ds_fixture_expect(ds, 2, "a warm , funny and quietly moving portrait of two brothers ");
    CU_ASSERT_STRING_EQUAL(r->label, "1");
    CU_ASSERT_STRING_EQUAL(r->id, "1");
    CU_ASSERT_PTR_NULL(r->input2);
    CU_ASSERT_EQUAL(r->n_refs, 0);
    r = ds_fixture_expect(ds, 3,
                          "the plot wanders off somewhere in the second act and never "
                          "finds its way back ");
    CU_ASSERT_STRING_EQUAL(r->label, "0");
    size_t n = 2, positives = 1;
    fs_status st = FS_OK;
    while ((st = fs_dataset_next(ds, &r, NULL)) == FS_OK && r != NULL) {
        n++;
        positives += strcmp(r->label, "1") == 0;
        if (r->line == 6) { /* quotes are literal in GLUE files */
            CU_ASSERT_PTR_NOT_NULL(strstr(r->input, "\"lived-in\""));
        }
    }
    CU_ASSERT_EQUAL(st, FS_OK);
    CU_ASSERT_EQUAL(n, 20);
    CU_ASSERT_EQUAL(positives, 10);
    fs_dataset_free(ds);
}

static void test_dataset_glue__mrpc_sample_pairs(void)
{
    char path[600];
    fs_dataset *ds = open_glue(example(path, sizeof path, "mrpc-sample.tsv"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    const fs_record *r = ds_fixture_expect(
        ds, 2, "The city council approved the new budget on Tuesday after a long debate.");
    CU_ASSERT_STRING_EQUAL(r->input2,
                           "After a lengthy debate, the city council passed the new budget on "
                           "Tuesday.");
    CU_ASSERT_STRING_EQUAL(r->label, "1");
    CU_ASSERT_STRING_EQUAL(r->id, "1"); /* MRPC has no index column */
    r = ds_fixture_expect(ds, 3, "Shares of the company rose 4 percent in early trading.");
    CU_ASSERT_STRING_EQUAL(r->label, "0");
    fs_dataset_free(ds);
}

static void test_dataset_glue__qnli_and_test_split(void)
{
    char path[600];
    static const char qnli[] = "index\tquestion\tsentence\tlabel\n"
                               "0\tWhat is 東京?\tTokyo is the capital of Japan.\tentailment\n"
                               "1\tWho wrote it?\tIt rained \"all\" day.\tnot_entailment\n";
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "qnli.tsv", qnli, sizeof qnli - 1));
    fs_dataset *ds = open_glue(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    const fs_record *r = ds_fixture_expect(ds, 2, "What is 東京?");
    CU_ASSERT_STRING_EQUAL(r->input2, "Tokyo is the capital of Japan.");
    CU_ASSERT_STRING_EQUAL(r->label, "entailment");
    CU_ASSERT_STRING_EQUAL(r->id, "0");
    r = ds_fixture_expect(ds, 3, "Who wrote it?");
    CU_ASSERT_STRING_EQUAL(r->input2, "It rained \"all\" day.");
    CU_ASSERT_STRING_EQUAL(r->id, "1");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);

    /* a test split has no label column: records come without labels */
    static const char test[] = "index\tsentence\n7\tno label here\n";
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "sst2-test.tsv", test, sizeof test - 1));
    ds = open_glue(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    r = ds_fixture_expect(ds, 2, "no label here");
    CU_ASSERT_PTR_NULL(r->label);
    CU_ASSERT_STRING_EQUAL(r->id, "7");
    fs_dataset_free(ds);
}

static void test_dataset_glue__explicit_fields_win(void)
{
    char path[600];
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    fs_dataset *ds = NULL;
    fs_error err = { 0 };
    o.format = FS_FORMAT_GLUE;
    o.input_field = "#2 String";
    o.label_field = "#1 ID";
    CU_ASSERT_EQUAL_FATAL(
        fs_dataset_open(&ds, example(path, sizeof path, "mrpc-sample.tsv"), &o, &err), FS_OK);
    const fs_record *r = ds_fixture_expect(
        ds, 2, "After a lengthy debate, the city council passed the new budget on Tuesday.");
    CU_ASSERT_STRING_EQUAL(r->label, "100001");
    CU_ASSERT_PTR_NULL(r->input2); /* no pair for a column that is not a GLUE first text */
    fs_dataset_free(ds);

    /* an explicit label column that is missing is still an error */
    o.input_field = "sentence";
    o.label_field = "gold";
    CU_ASSERT_EQUAL(fs_dataset_open(&ds, example(path, sizeof path, "sst2-sample.tsv"), &o, &err),
                    FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "sst2-sample.tsv:1: gold: no such column (columns: "
                                           "sentence, label)"));
}

static void test_dataset_glue__wrong_field_count(void)
{
    char path[600];
    static const char bad[] = "sentence\tlabel\n"
                              "fine\t1\n"
                              "a tab\tinside\t0\n"
                              "no label\n"
                              "last\t0\n";
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        ds_fixture_write(path, sizeof path, "bad.tsv", bad, sizeof bad - 1));
    fs_dataset *ds = open_glue(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    ds_fixture_expect(ds, 2, "fine");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "3: expected 2 fields, got 3");
    ds_fixture_expect_error(ds, path, FS_ERR_INPUT, "4: expected 2 fields, got 1");
    const fs_record *r = ds_fixture_expect(ds, 5, "last");
    CU_ASSERT_STRING_EQUAL(r->id, "4"); /* bad rows keep their numbers */
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

const fs_test_case fs_dataset_glue_tests[] = {
    { "test_dataset_glue__sst2_sample", test_dataset_glue__sst2_sample },
    { "test_dataset_glue__mrpc_sample_pairs", test_dataset_glue__mrpc_sample_pairs },
    { "test_dataset_glue__qnli_and_test_split", test_dataset_glue__qnli_and_test_split },
    { "test_dataset_glue__explicit_fields_win", test_dataset_glue__explicit_fields_win },
    { "test_dataset_glue__wrong_field_count", test_dataset_glue__wrong_field_count },
    { NULL, NULL },
};
