/* Helpers shared by the demographics suites. */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_test.h"

static fs_demog_lexicon *lexicon;

static void free_lexicon(void)
{
    fs_demog_lexicon_free(lexicon);
    lexicon = NULL;
}

const fs_demog_lexicon *fx_lexicon(void)
{
    if (lexicon == NULL) {
        fs_error err;
        fs_error_clear(&err);
        if (fs_demog_lexicon_load(&lexicon, fs_test_source_dir(), &err) != FS_OK) {
            fprintf(stderr, "lexicon: %s\n", err.msg);
            return NULL;
        }
        atexit(free_lexicon);
    }
    return lexicon;
}

static char *swap_with(const char *axis, const char *group, const char *text, uint64_t seed,
                       const char *record_id, bool optional)
{
    const fs_demog_lexicon *lex = fx_lexicon();
    fs_demog_opts opts = FS_DEMOG_OPTS_INIT;
    fs_demog_swapper *sw = NULL;
    fs_error err;
    fs_buf out;
    bool applicable = false, changed = false;
    char *res = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(lex);
    int a = fs_demog_axis_find(lex, axis);
    CU_ASSERT_FATAL(a >= 0);
    int g = fs_demog_group_find(lex, (size_t)a, group);
    CU_ASSERT_FATAL(g >= 0);
    opts.optional_groups = optional;
    fs_buf_init(&out, 0);
    CU_ASSERT_EQUAL_FATAL(fs_demog_swapper_new(&sw, lex, (size_t)a, &opts, &err), FS_OK);
    fs_status st = fs_demog_swap(sw, text, strlen(text), (size_t)g, seed, record_id, &out,
                                 &applicable, &changed, &err);
    CU_ASSERT_EQUAL(st, FS_OK);
    if (st == FS_OK && applicable) {
        CU_ASSERT_TRUE(changed);
        res = fs_strdup(fs_buf_cstr(&out));
    } else {
        CU_ASSERT_EQUAL(out.len, 0); /* not applicable leaves out unchanged */
    }
    fs_buf_dispose(&out);
    fs_demog_swapper_free(sw);
    return res;
}

char *fx_swap(const char *axis, const char *group, const char *text, uint64_t seed,
              const char *record_id)
{
    return swap_with(axis, group, text, seed, record_id, false);
}

char *fx_swap_opt(const char *axis, const char *group, const char *text)
{
    return swap_with(axis, group, text, 1, "r", true);
}

size_t fx_count(const char *axis, const char *group, const char *text)
{
    const fs_demog_lexicon *lex = fx_lexicon();
    fs_demog_swapper *sw = NULL;
    const size_t *counts = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(lex);
    int a = fs_demog_axis_find(lex, axis);
    CU_ASSERT_FATAL(a >= 0);
    int g = fs_demog_group_find(lex, (size_t)a, group);
    CU_ASSERT_FATAL(g >= 0);
    CU_ASSERT_EQUAL_FATAL(fs_demog_swapper_new(&sw, lex, (size_t)a, NULL, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_demog_detect(sw, text, strlen(text), &counts, NULL), FS_OK);
    size_t n = counts != NULL ? counts[g] : 0;
    fs_demog_swapper_free(sw);
    return n;
}

int fx_write(const char *dir, const char *name, const char *text)
{
    char path[1024];
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}
