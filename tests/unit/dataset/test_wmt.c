/* dataset.wmt: the parallel sample in examples/wmt (German source, two English
 * references), misaligned files named with their line counts, invalid UTF-8 on a line of
 * a reference, empty lines and CRLF, and a missing reference list. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "dataset_fixture.h"
#include "fairshake/core.h"
#include "fairshake/dataset.h"

static const char *example(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/examples/wmt/%s", fs_test_source_dir(), name);
    return out;
}

static fs_status open_wmt(fs_dataset **ds, const char *src, const char *const *refs, size_t n,
                          fs_error *err)
{
    fs_dataset_opts o = FS_DATASET_OPTS_INIT;
    o.format = FS_FORMAT_WMT;
    o.ref_paths = refs;
    o.n_ref_paths = n;
    return fs_dataset_open(ds, src, &o, err);
}

static void test_dataset_wmt__sample_two_references(void)
{
    char src[600], en[600], en2[600];
    const char *refs[] = { example(en, sizeof en, "sample.en"),
                           example(en2, sizeof en2, "sample.en2") };
    fs_dataset *ds = NULL;
    fs_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(open_wmt(&ds, example(src, sizeof src, "sample.de"), refs, 2, &err),
                          FS_OK);
    const fs_record *r =
        ds_fixture_expect(ds, 1, "Der Zug nach Hamburg hat heute zwanzig Minuten Verspätung.");
    CU_ASSERT_STRING_EQUAL(r->id, "1");
    ds_fixture_expect_refs(ds, r, 2);
    CU_ASSERT_STRING_EQUAL(r->refs[0], "The train to Hamburg is twenty minutes late today.");
    CU_ASSERT_STRING_EQUAL(r->refs[1],
                           "Today the train to Hamburg is running twenty minutes behind "
                           "schedule.");
    r = ds_fixture_expect(ds, 2, "Meine Großmutter backt jeden Sonntag einen Apfelkuchen.");
    CU_ASSERT_STRING_EQUAL(r->refs[1], "Every Sunday my grandma bakes an apple pie.");
    size_t n = 2;
    while (fs_dataset_next(ds, &r, &err) == FS_OK && r != NULL) {
        n++;
        CU_ASSERT_EQUAL(r->line, n);
        CU_ASSERT_EQUAL(r->n_refs, 2);
    }
    CU_ASSERT_EQUAL(n, 20);
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

static void test_dataset_wmt__length_mismatch_names_both_files(void)
{
    char src[600], en[600], short_ref[600];
    static const char text[] = "one\ntwo\n";
    ds_fixture_write(short_ref, sizeof short_ref, "short.en", text, sizeof text - 1);
    const char *refs[] = { example(en, sizeof en, "sample.en"), short_ref };
    fs_dataset *ds = (fs_dataset *)src;
    fs_error err = { 0 };
    example(src, sizeof src, "sample.de");
    CU_ASSERT_EQUAL(open_wmt(&ds, src, refs, 2, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NULL(ds);
    char want[2048];
    snprintf(want, sizeof want,
             "%s has 20 lines but its reference %s has 2: the files must be line-aligned", src,
             short_ref);
    CU_ASSERT_STRING_EQUAL(err.msg, want);

    /* a last line without a newline still counts */
    static const char no_nl[] = "one\ntwo";
    ds_fixture_write(short_ref, sizeof short_ref, "nonl.en", no_nl, sizeof no_nl - 1);
    ds_fixture_write(src, sizeof src, "two.de", "eins\nzwei\n", 10);
    const char *one[] = { short_ref };
    CU_ASSERT_EQUAL_FATAL(open_wmt(&ds, src, one, 1, &err), FS_OK);
    const fs_record *r = ds_fixture_expect(ds, 1, "eins");
    CU_ASSERT_STRING_EQUAL(r->refs[0], "one");
    r = ds_fixture_expect(ds, 2, "zwei");
    CU_ASSERT_STRING_EQUAL(r->refs[0], "two");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);

    CU_ASSERT_EQUAL(open_wmt(&ds, src, NULL, 0, &err), FS_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "needs at least one reference file"));
    snprintf(short_ref, sizeof short_ref, "%s/absent.en", fs_test_tmp_dir());
    CU_ASSERT_EQUAL(open_wmt(&ds, src, one, 1, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "absent.en: cannot open the dataset"));
}

static void test_dataset_wmt__utf8_checked_per_line(void)
{
    char src[600], ref[600];
    static const char s[] = "\xEF\xBB\xBF"
                            "erste\r\n\r\ndritte \xE6\x9D\xB1\n\xff kaputt\nletzte\n";
    static const char t[] = "first\n\nthird\nbroken\nl\xC3\n";
    ds_fixture_write(src, sizeof src, "bad.de", s, sizeof s - 1);
    ds_fixture_write(ref, sizeof ref, "bad.en", t, sizeof t - 1);
    const char *refs[] = { ref };
    fs_dataset *ds = NULL;
    CU_ASSERT_EQUAL_FATAL(open_wmt(&ds, src, refs, 1, NULL), FS_OK);
    const fs_record *r = ds_fixture_expect(ds, 1, "erste"); /* BOM and CR dropped */
    CU_ASSERT_STRING_EQUAL(r->refs[0], "first");
    r = ds_fixture_expect(ds, 2, ""); /* empty lines are records: they keep the alignment */
    CU_ASSERT_STRING_EQUAL(r->refs[0], "");
    r = ds_fixture_expect(ds, 3, "dritte 東");
    CU_ASSERT_STRING_EQUAL(r->refs[0], "third");
    ds_fixture_expect_error(ds, src, FS_ERR_INPUT, "4: source: invalid UTF-8");
    ds_fixture_expect_error(ds, ref, FS_ERR_INPUT, "5: reference: invalid UTF-8");
    ds_fixture_expect_end(ds);
    fs_dataset_free(ds);
}

const fs_test_case fs_dataset_wmt_tests[] = {
    { "test_dataset_wmt__sample_two_references", test_dataset_wmt__sample_two_references },
    { "test_dataset_wmt__length_mismatch_names_both_files",
      test_dataset_wmt__length_mismatch_names_both_files },
    { "test_dataset_wmt__utf8_checked_per_line", test_dataset_wmt__utf8_checked_per_line },
    { NULL, NULL },
};
