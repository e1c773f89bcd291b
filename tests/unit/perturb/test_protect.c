/* perturb.protect: protected spans on their own (the protector demographic swaps use):
 * matches of every pattern, sorted and merged; presets; unknown presets. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/perturb.h"

static void test_perturb_protect__spans_sorted_and_merged(void)
{
    fs_perturb_protector *pr = NULL;
    const char *const pats[] = { "[0-9]+", "@url", "b[0-9]+c" };
    const char *in = "x ab12c https://e.x/y 7";
    const fs_text_span *sp = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(fs_perturb_protector_new(&pr, pats, 3, fs_test_source_dir(), NULL),
                          FS_OK);
    CU_ASSERT_EQUAL(fs_perturb_protector_find(pr, in, strlen(in), &sp, &n, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_EQUAL(sp[0].start, 3); /* "b12c" and "12" merged */
    CU_ASSERT_EQUAL(sp[0].end, 7);
    CU_ASSERT_EQUAL(sp[1].start, 8);
    CU_ASSERT_EQUAL(sp[1].end, 21);
    CU_ASSERT_EQUAL(sp[2].start, 22);
    CU_ASSERT_EQUAL(sp[2].end, 23);
    CU_ASSERT_PTR_NOT_NULL(fs_perturb_protector_file(pr));
    CU_ASSERT_EQUAL(fs_perturb_protector_find(pr, "none", 4, &sp, &n, NULL), FS_OK);
    CU_ASSERT_EQUAL(n, 0);
    fs_perturb_protector_free(pr);
}

static void test_perturb_protect__bad_patterns_are_config_errors(void)
{
    fs_perturb_protector *pr = NULL;
    const char *const unknown[] = { "@urls" };
    const char *const bad[] = { "(" };
    fs_error err;
    CU_ASSERT_EQUAL(fs_perturb_protector_new(&pr, unknown, 1, fs_test_source_dir(), &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(pr);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did you mean '@url'"));
    CU_ASSERT_EQUAL(fs_perturb_protector_new(&pr, bad, 1, NULL, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(pr);
    /* no pattern: no span */
    CU_ASSERT_EQUAL_FATAL(fs_perturb_protector_new(&pr, NULL, 0, NULL, NULL), FS_OK);
    CU_ASSERT_PTR_NULL(fs_perturb_protector_file(pr));
    fs_perturb_protector_free(pr);
    fs_perturb_protector_free(NULL);
}

const fs_test_case fs_perturb_protect_tests[] = {
    { "spans_sorted_and_merged", test_perturb_protect__spans_sorted_and_merged },
    { "bad_patterns_are_config_errors", test_perturb_protect__bad_patterns_are_config_errors },
    { NULL, NULL }
};
