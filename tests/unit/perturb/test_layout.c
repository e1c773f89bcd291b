/* perturb.layout: keyboard layout files for typo: the shipped QWERTY file, layouts added
 * as data only, and every way a layout can be missing or malformed. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "fairshake/perturb.h"
#include "helpers.h"
#include "perturb/internal.h"

static fs_status new_typo(fs_perturber **out, const char *layout, fs_error *err)
{
    char kv_layout[96];
    const char *const kv[] = { kv_layout, "rate=1", NULL };
    snprintf(kv_layout, sizeof kv_layout, "layout=%s", layout);
    return perturb_test_new(out, "typo", kv, perturb_test_data_dir(), err);
}

/* Apply p (seed 1, record "r") to text and check the variant and `changed`. */
static void check_variant(fs_perturber *p, const char *text, const char *want)
{
    fs_buf out;
    bool changed = false;
    fs_buf_init(&out, 0);
    CU_ASSERT_EQUAL(
        fs_perturber_apply(p, text, strlen(text), 1, "r", NULL, 0, &out, &changed, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), want);
    CU_ASSERT_EQUAL(changed, strcmp(text, want) != 0);
    fs_buf_dispose(&out);
}

static void test_perturb_layout__qwerty_loads(void)
{
    fs_perturber *p = NULL;
    const char *const kv[] = { "layout=qwerty", NULL };
    CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, "typo", kv, fs_test_source_dir(), NULL), FS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p->layout);
    CU_ASSERT_EQUAL(fs_perturb__layout_size(p->layout), 36); /* 26 letters, 10 digits */
    CU_ASSERT_PTR_NOT_NULL(fs_perturb__layout_find(p->layout, "q", 1));
    CU_ASSERT_PTR_NOT_NULL(fs_perturb__layout_find(p->layout, "Q", 1));
    CU_ASSERT_PTR_NOT_NULL(fs_perturb__layout_find(p->layout, "7", 1));
    CU_ASSERT_PTR_NULL(fs_perturb__layout_find(p->layout, "\xC3\xA9", 2));
    CU_ASSERT_PTR_NULL(fs_perturb__layout_find(p->layout, ";", 1));
    CU_ASSERT_PTR_NULL(fs_perturb__layout_find(p->layout, "qw", 2));
    fs_perturber_free(p);
}

static void test_perturb_layout__accented_keys_keep_case(void)
{
    fs_perturber *p = NULL;
    /* keys given in any case and form are stored lower-cased NFC */
    perturb_test_write_layout("accents", "{\"name\": \"accents\", \"neighbours\": {"
                                         "\"\xC3\xA9\": [\"\xC3\xA8\"], "
                                         "\"A\": [\"z\"], "
                                         "\"\xC3\xA7\": [\"ss\xCC\x81\"]}}");
    fs_error err;
    fs_status st = new_typo(&p, "accents", &err);
    /* a neighbour of two characters is refused */
    CU_ASSERT_EQUAL_FATAL(st, FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a single character"));

    perturb_test_write_layout("accents", "{\"name\": \"accents\", \"neighbours\": {"
                                         "\"\xC3\xA9\": [\"\xC3\xA8\"], "
                                         "\"A\": [\"z\"], "
                                         "\"\xC3\xA7\": [\"\xC3\x9F\"]}}");
    CU_ASSERT_EQUAL_FATAL(new_typo(&p, "accents", NULL), FS_OK);
    check_variant(p, "\xC3\xA9", "\xC3\xA8");                   /* é -> è */
    check_variant(p, "\xC3\x89", "\xC3\x88");                   /* É -> È */
    check_variant(p, "E\xCC\x81", "\xC3\x88");                  /* É (decomposed) -> È */
    check_variant(p, "e\xCC\x81", "\xC3\xA8");                  /* é (decomposed) -> è */
    check_variant(p, "Aa", "Zz");                               /* case kept */
    check_variant(p, "\xC3\x87", "SS");                         /* Ç -> upper-case ß */
    check_variant(p, "e\xCC\x81\xCC\xA3", "e\xCC\x81\xCC\xA3"); /* another cluster: kept */
    check_variant(p, "东京 😀", "东京 😀");
    fs_perturber_free(p);
}

static void test_perturb_layout__missing_layout_is_config_error(void)
{
    fs_perturber *p = NULL;
    fs_error err;
    CU_ASSERT_EQUAL(new_typo(&p, "dvorak-nope", &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "perturbations/keyboard/dvorak-nope.json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "keyboard/dvorak-nope.json not found"));
    const char *bad[] = { "../qwerty", "a/b", "", "qwerty.json", "..", "ключ" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(new_typo(&p, bad[i], &err), FS_ERR_CONFIG);
        CU_ASSERT_PTR_NULL(p);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "typo: layout: must be a simple name"));
    }
    const char *const kv[] = { "rate=0.1", NULL };
    CU_ASSERT_EQUAL(perturb_test_new(&p, "typo", kv, NULL, &err), FS_ERR_USAGE);
    CU_ASSERT_PTR_NULL(p);
}

static void test_perturb_layout__malformed_layout_is_input_error(void)
{
    static const struct {
        const char *json;
        const char *problem;
    } cases[] = {
        { "{\"neighbours\": {\"q\": [\"w\"]", "invalid JSON" },
        { "[1, 2]", "must hold a JSON object" },
        { "{\"name\": 3, \"neighbours\": {\"q\": [\"w\"]}}", "name: must be a string" },
        { "{\"neighbours\": []}", "neighbours: must be a non-empty object" },
        { "{\"neighbours\": {}}", "neighbours: must be a non-empty object" },
        { "{\"neighbours\": {\"q\": \"w\"}}", "key 'q': must be a non-empty array" },
        { "{\"neighbours\": {\"q\": []}}", "key 'q': must be a non-empty array" },
        { "{\"neighbours\": {\"q\": [\"w\", 2]}}", "key 'q': neighbours must be strings" },
        { "{\"neighbours\": {\"qw\": [\"e\"]}}", "'qw' is not a single character" },
        { "{\"neighbours\": {\"q\": [\"\"]}}", "'' is not a single character" },
        { "{\"neighbours\": {\"q\": [\"w\"], \"Q\": [\"a\"]}}", "key 'q' appears twice" },
        { "{\"neighbours\": {\"q\": [\"w\", \"Q\"]}}", "key 'q' lists itself" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fs_perturber *p = NULL;
        fs_error err;
        perturb_test_write_layout("broken", cases[i].json);
        CU_ASSERT_EQUAL(new_typo(&p, "broken", &err), FS_ERR_INPUT);
        CU_ASSERT_PTR_NULL(p);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "perturbations/keyboard/broken.json"));
        if (strstr(err.msg, cases[i].problem) == NULL) {
            fprintf(stderr, "case %zu: got '%s', want '%s'\n", i, err.msg, cases[i].problem);
            CU_FAIL("wrong problem reported");
        }
    }
}

const fs_test_case fs_perturb_layout_tests[] = {
    { "test_perturb_layout__qwerty_loads", test_perturb_layout__qwerty_loads },
    { "test_perturb_layout__accented_keys_keep_case",
      test_perturb_layout__accented_keys_keep_case },
    { "test_perturb_layout__missing_layout_is_config_error",
      test_perturb_layout__missing_layout_is_config_error },
    { "test_perturb_layout__malformed_layout_is_input_error",
      test_perturb_layout__malformed_layout_is_input_error },
    { NULL, NULL },
};
