/* perturb.catalogue: the catalogue table, lookup, parameter validation and the checks
 * every apply call makes on its input. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/perturb.h"
#include "helpers.h"

static void test_perturb_catalogue__sorted_and_found(void)
{
    const fs_perturb_info *cat = NULL;
    size_t n = fs_perturb_catalogue(&cat);
    CU_ASSERT_FATAL(n >= 4);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            CU_ASSERT(strcmp(cat[i - 1].name, cat[i].name) < 0);
        }
        CU_ASSERT_PTR_EQUAL(fs_perturb_find(cat[i].name), &cat[i]);
        CU_ASSERT(cat[i].description != NULL && cat[i].description[0] != '\0');
        CU_ASSERT(strchr(cat[i].description, '\n') == NULL);
        for (size_t j = 0; j < cat[i].n_params; j++) {
            CU_ASSERT_PTR_NOT_NULL(cat[i].params[j].default_value);
            CU_ASSERT_PTR_NOT_NULL(cat[i].params[j].description);
        }
    }
    const char *names[] = { "case", "punctuation", "typo", "whitespace" };
    for (size_t i = 0; i < 4; i++) {
        const fs_perturb_info *info = fs_perturb_find(names[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(info);
        CU_ASSERT_STRING_EQUAL(fs_perturb_family_name(info->family), "noise");
    }
    CU_ASSERT_PTR_NULL(fs_perturb_find("typos"));
    CU_ASSERT_PTR_NULL(fs_perturb_find(""));
    CU_ASSERT_PTR_NULL(fs_perturb_find("Typo"));
    CU_ASSERT_STRING_EQUAL(fs_perturb_family_name(FS_PERTURB_ADVERSARIAL), "adversarial");
}

static void test_perturb_catalogue__unknown_perturbation_suggests(void)
{
    fs_perturber *p = (fs_perturber *)&p;
    fs_error err;
    CU_ASSERT_EQUAL(fs_perturber_new(&p, "tpyo", NULL, NULL, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_STRING_EQUAL(err.msg, "unknown perturbation 'tpyo' (did you mean 'typo'?)");
    CU_ASSERT_EQUAL(fs_perturber_new(&p, "zzzzzzzzzzzz", NULL, NULL, &err), FS_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(err.msg, "unknown perturbation 'zzzzzzzzzzzz'");
}

static void test_perturb_catalogue__unknown_parameter_names_nearest(void)
{
    fs_perturber *p = NULL;
    fs_error err;
    const char *const rat[] = { "rat=0.1", NULL };
    CU_ASSERT_EQUAL(perturb_test_new(&p, "typo", rat, fs_test_source_dir(), &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_STRING_EQUAL(err.msg, "typo: unknown parameter 'rat' (did you mean 'rate'?)");
    const char *const lay[] = { "rate=0.1", "layuot=qwerty", NULL };
    CU_ASSERT_EQUAL(perturb_test_new(&p, "typo", lay, fs_test_source_dir(), &err), FS_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(err.msg, "typo: unknown parameter 'layuot' (did you mean 'layout'?)");
    const char *const far[] = { "temperature=1", NULL };
    CU_ASSERT_EQUAL(perturb_test_new(&p, "case", far, NULL, &err), FS_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(err.msg, "case: unknown parameter 'temperature'");
    /* typo's layout parameter does not exist for whitespace */
    CU_ASSERT_EQUAL(perturb_test_new(&p, "whitespace", lay, NULL, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(p);
}

static void test_perturb_catalogue__bad_rate_rejected(void)
{
    const char *bad[] = { "x", "", "1.5", "-0.1", "nan", "0.5x", "inf" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char kv[32], want[128];
        const char *const params[] = { kv, NULL };
        fs_perturber *p = NULL;
        fs_error err;
        snprintf(kv, sizeof kv, "rate=%s", bad[i]);
        snprintf(want, sizeof want, "typo: rate: must be a number between 0 and 1, got '%s'",
                 bad[i]);
        CU_ASSERT_EQUAL(perturb_test_new(&p, "typo", params, fs_test_source_dir(), &err),
                        FS_ERR_CONFIG);
        CU_ASSERT_PTR_NULL(p);
        CU_ASSERT_STRING_EQUAL(err.msg, want);
    }
    const char *good[] = { "rate=0", "rate=1", "rate=0.25", "rate=1e-3" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const char *const params[] = { good[i], NULL };
        fs_perturber *p = NULL;
        CU_ASSERT_EQUAL(perturb_test_new(&p, "punctuation", params, NULL, NULL), FS_OK);
        fs_perturber_free(p);
    }
}

static void test_perturb_catalogue__effective_params_and_files(void)
{
    fs_perturber *p = NULL;
    const char *const *files = NULL;
    const char *const kv[] = { "rate=0.2", NULL };
    CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, "typo", kv, fs_test_source_dir(), NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_perturber_info(p)->name, "typo");
    CU_ASSERT_STRING_EQUAL(fs_params_get(fs_perturber_params(p), "rate"), "0.2");
    CU_ASSERT_STRING_EQUAL(fs_params_get(fs_perturber_params(p), "layout"), "qwerty");
    CU_ASSERT_EQUAL_FATAL(fs_perturber_files(p, &files), 1);
    const char *tail = "/perturbations/keyboard/qwerty.json";
    size_t len = strlen(files[0]);
    CU_ASSERT_FATAL(len > strlen(tail));
    CU_ASSERT_STRING_EQUAL(files[0] + len - strlen(tail), tail);
    fs_perturber_free(p);

    CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, "case", NULL, NULL, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_params_get(fs_perturber_params(p), "rate"), "0.1");
    CU_ASSERT_EQUAL(fs_perturber_files(p, &files), 0);
    fs_perturber_free(p);
    fs_perturber_free(NULL);
}

static void test_perturb_catalogue__invalid_utf8_rejected(void)
{
    const char *names[] = { "case", "punctuation", "typo", "whitespace" };
    const char *bad[] = { "caf\xC3", "\xC3(", "a\0b", "\xED\xA0\x80", "\xF8\x88\x80\x80\x80" };
    const size_t bad_len[] = { 4, 2, 3, 3, 5 };
    for (size_t i = 0; i < 4; i++) {
        fs_perturber *p = NULL;
        CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, names[i], NULL, fs_test_source_dir(), NULL),
                              FS_OK);
        for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
            fs_buf out;
            fs_error err;
            bool changed = true;
            fs_buf_init(&out, 0);
            fs_buf_puts(&out, "kept");
            CU_ASSERT_EQUAL(
                fs_perturber_apply(p, bad[j], bad_len[j], 1, "r", NULL, 0, &out, &changed, &err),
                FS_ERR_INPUT);
            CU_ASSERT_FALSE(changed);
            CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "kept");
            CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "UTF-8"));
            fs_buf_dispose(&out);
        }
        fs_perturber_free(p);
    }
}

static void test_perturb_catalogue__output_limit_reported(void)
{
    fs_perturber *p = NULL;
    fs_buf out;
    fs_error err;
    bool changed = true;
    const char *const kv[] = { "rate=1", NULL };
    CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, "case", kv, NULL, NULL), FS_OK);
    fs_buf_init(&out, 8);
    CU_ASSERT_EQUAL(
        fs_perturber_apply(p, "a much longer text", 18, 1, "r", NULL, 0, &out, &changed, &err),
        FS_ERR_LIMIT);
    CU_ASSERT_FALSE(changed);
    CU_ASSERT_EQUAL(out.len, 0);
    fs_buf_dispose(&out);
    fs_perturber_free(p);
}

const fs_test_case fs_perturb_catalogue_tests[] = {
    { "test_perturb_catalogue__sorted_and_found", test_perturb_catalogue__sorted_and_found },
    { "test_perturb_catalogue__unknown_perturbation_suggests",
      test_perturb_catalogue__unknown_perturbation_suggests },
    { "test_perturb_catalogue__unknown_parameter_names_nearest",
      test_perturb_catalogue__unknown_parameter_names_nearest },
    { "test_perturb_catalogue__bad_rate_rejected", test_perturb_catalogue__bad_rate_rejected },
    { "test_perturb_catalogue__effective_params_and_files",
      test_perturb_catalogue__effective_params_and_files },
    { "test_perturb_catalogue__invalid_utf8_rejected",
      test_perturb_catalogue__invalid_utf8_rejected },
    { "test_perturb_catalogue__output_limit_reported",
      test_perturb_catalogue__output_limit_reported },
    { NULL, NULL },
};
