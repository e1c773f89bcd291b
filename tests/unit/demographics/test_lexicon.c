/* demographics.lexicon: loading the axis and names files, lookups by name and alias,
 * errors that name the file and JSON path, and a user's own axis added as a file. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "fixture.h"

static void test_demographics_lexicon__loads_every_axis(void)
{
    const fs_demog_lexicon *lex = fx_lexicon();
    const char *const *files = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(lex);
    CU_ASSERT_EQUAL(fs_demog_axis_count(lex), 7);
    static const char *const axes[] = {
        "age", "disability", "gender", "nationality", "race", "religion", "sexual_orientation"
    };
    for (size_t i = 0; i < 7; i++) {
        CU_ASSERT_STRING_EQUAL(fs_demog_axis_name(lex, i), axes[i]); /* file-name order */
        CU_ASSERT_TRUE(fs_demog_group_count(lex, i) >= 3);
    }
    CU_ASSERT_EQUAL(fs_demog_files(lex, &files), 8); /* 7 axes + names.json */
    CU_ASSERT_PTR_NOT_NULL(strstr(files[7], "names.json"));
    int race = fs_demog_axis_find(lex, "race");
    CU_ASSERT_TRUE(race >= 0);
    CU_ASSERT_EQUAL(fs_demog_axis_find(lex, "ethnicity"), race);
    CU_ASSERT_EQUAL(fs_demog_axis_find(lex, "race/ethnicity"), race);
    CU_ASSERT_EQUAL(fs_demog_axis_find(lex, "weather"), -1);
    int g = fs_demog_axis_find(lex, "gender");
    CU_ASSERT_EQUAL(fs_demog_group_find(lex, (size_t)g, "female"), 1);
    CU_ASSERT_STRING_EQUAL(fs_demog_group_name(lex, (size_t)g, 0), "male");
    CU_ASSERT_FALSE(fs_demog_group_optional(lex, (size_t)g, 0));
    CU_ASSERT_PTR_NULL(fs_demog_group_name(lex, (size_t)g, 99));
}

static char *tmp_data_dir(const char *name)
{
    static char dir[1024];
    char sub[1100];
    snprintf(dir, sizeof dir, "%s/%s", fs_test_tmp_dir(), name);
    fx_write(dir, ".keep", "");
    snprintf(sub, sizeof sub, "%s/demographics", dir);
    fx_write(sub, ".keep", "");
    return dir;
}

static fs_status load_one(const char *name, const char *file, const char *json, fs_error *err)
{
    char sub[1100];
    fs_demog_lexicon *lex = NULL;
    const char *dir = tmp_data_dir(name);
    snprintf(sub, sizeof sub, "%s/demographics", dir);
    CU_ASSERT_EQUAL_FATAL(fx_write(sub, file, json), 0);
    fs_error_clear(err);
    fs_status st = fs_demog_lexicon_load(&lex, dir, err);
    CU_ASSERT_EQUAL(lex == NULL, st != FS_OK);
    fs_demog_lexicon_free(lex);
    return st;
}

static void test_demographics_lexicon__errors_name_file_and_path(void)
{
    fs_error err;
    CU_ASSERT_EQUAL(
        load_one("bad1", "pets.json",
                 "{\"axis\":\"pets\",\"groups\":[{\"name\":\"dog\"},{\"name\":\"cat\"}],"
                 "\"terms\":[{\"dog\":{\"plurl\":\"dogs\"},\"cat\":\"cat\"}]}",
                 &err),
        FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pets.json: terms[0].dog.plurl: unknown form"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did you mean 'plural'"));
    CU_ASSERT_EQUAL(load_one("bad2", "pets.json",
                             "{\"axis\":\"pets\",\"groups\":[{\"name\":\"dog\"}],"
                             "\"terms\":[{\"cow\":\"cow\"}]}",
                             &err),
                    FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "terms[0].cow: not a group of this axis"));
    CU_ASSERT_EQUAL(load_one("bad3", "pets.json", "{\"axis\":\"pets\",\"groups\":[]}", &err),
                    FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "groups"));
    CU_ASSERT_EQUAL(load_one("bad4", "pets.json", "[1, 2", &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pets.json"));
    CU_ASSERT_EQUAL(load_one("bad5", "pets.json",
                             "{\"axis\":\"pets\",\"groups\":[{\"name\":\"dog\"}],"
                             "\"terms\":[{\"dog\":[\"good, dog\"]}]}",
                             &err),
                    FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "terms[0].dog"));
}

static void test_demographics_lexicon__missing_directory_is_a_config_error(void)
{
    fs_demog_lexicon *lex = NULL;
    fs_error err;
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/no-such-dir", fs_test_tmp_dir());
    CU_ASSERT_EQUAL(fs_demog_lexicon_load(&lex, dir, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(lex);
    CU_ASSERT_EQUAL(load_one("empty", "names.json", "{\"first\":[]}", &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no axis file"));
}

static void test_demographics_lexicon__names_labels_are_checked(void)
{
    fs_error err;
    char sub[1100];
    const char *dir = tmp_data_dir("badnames");
    fs_demog_lexicon *lex = NULL;
    snprintf(sub, sizeof sub, "%s/demographics", dir);
    fx_write(sub, "pets.json",
             "{\"axis\":\"pets\",\"groups\":[{\"name\":\"dog\"},{\"name\":\"cat\"}],"
             "\"terms\":[{\"dog\":\"dog\",\"cat\":\"cat\"}]}");
    fx_write(sub, "names.json", "{\"first\":[{\"pets\":\"cow\",\"names\":[\"Rex\"]}]}");
    CU_ASSERT_EQUAL(fs_demog_lexicon_load(&lex, dir, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "names.json: first[0].pets: not a group"));
    CU_ASSERT_PTR_NULL(lex);
}

/* A user's own axis: one file (and a names-*.json file) in demographics/. */
static void test_demographics_lexicon__user_axis_from_a_file(void)
{
    char sub[1100];
    const char *dir = tmp_data_dir("user");
    fs_demog_lexicon *lex = NULL;
    fs_demog_swapper *sw = NULL;
    fs_buf out;
    bool applicable = false, changed = false;
    snprintf(sub, sizeof sub, "%s/demographics", dir);
    fx_write(sub, "pets.json",
             "{\"axis\":\"pets\",\"aliases\":[\"animals\"],\"groups\":[{\"name\":\"dog\"},"
             "{\"name\":\"cat\"}],\"terms\":[{\"dog\":{\"singular\":[\"dog\",\"doggy\"],"
             "\"plural\":\"dogs\"},\"cat\":{\"singular\":\"cat\",\"plural\":\"cats\"}},"
             "{\"dog\":\"sled dog\",\"cat\":\"Maine Coon\"}]}");
    fx_write(sub, "names-pets.json",
             "{\"first\":[{\"animals\":\"dog\",\"names\":[\"Rex\"]},"
             "{\"pets\":\"cat\",\"unknown_axis\":\"x\",\"names\":[\"Felix\"]}]}");
    CU_ASSERT_EQUAL_FATAL(fs_demog_lexicon_load(&lex, dir, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_demog_axis_count(lex), 1);
    CU_ASSERT_EQUAL_FATAL(fs_demog_swapper_new(&sw, lex, 0, NULL, NULL), FS_OK);
    fs_buf_init(&out, 0);
    const char *t = "Rex, the Doggy, met two dogs and a sled dog.";
    CU_ASSERT_EQUAL(fs_demog_swap(sw, t, strlen(t), 1, 1, "r", &out, &applicable, &changed, NULL),
                    FS_OK);
    CU_ASSERT_TRUE(applicable && changed);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "Felix, the Cat, met two cats and a Maine Coon.");
    fs_buf_dispose(&out);
    fs_demog_swapper_free(sw);
    fs_demog_lexicon_free(lex);
}

const fs_test_case fs_demographics_lexicon_tests[] = {
    { "loads_every_axis", test_demographics_lexicon__loads_every_axis },
    { "errors_name_file_and_path", test_demographics_lexicon__errors_name_file_and_path },
    { "missing_directory_is_a_config_error",
      test_demographics_lexicon__missing_directory_is_a_config_error },
    { "names_labels_are_checked", test_demographics_lexicon__names_labels_are_checked },
    { "user_axis_from_a_file", test_demographics_lexicon__user_axis_from_a_file },
    { NULL, NULL }
};
