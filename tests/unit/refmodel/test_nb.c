/* refmodel.nb: word tokens over ICU, and a naive Bayes model that learns from data. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "refmodel/nb.h"

static bool has_token(const refmodel_tokens *t, const char *s)
{
    for (size_t i = 0; i < t->count; i++) {
        if (strcmp(t->items[i], s) == 0) {
            return true;
        }
    }
    return false;
}

static void tokenize(refmodel_tokens *t, const char *s)
{
    fs_text_segmenter *seg = NULL;
    refmodel_tokens_init(t);
    CU_ASSERT_EQUAL_FATAL(fs_text_segmenter_new(&seg, FS_TEXT_WORD, NULL), FS_OK);
    CU_ASSERT_EQUAL(refmodel_tokenize(t, seg, s, strlen(s), NULL), FS_OK);
    fs_text_segmenter_free(seg);
}

static void test_refmodel_nb__tokens_fold_accents_and_scripts(void)
{
    refmodel_tokens t;
    tokenize(&t, "Café DÉJÀ vu! Straße, ΣΟΦΊΑ; didn't שלום עולם مرحبا 42");
    CU_ASSERT_EQUAL(t.count, 10);
    CU_ASSERT_TRUE(has_token(&t, "café"));
    CU_ASSERT_TRUE(has_token(&t, "déjà"));
    CU_ASSERT_TRUE(has_token(&t, "strasse"));
    CU_ASSERT_TRUE(has_token(&t, "σοφία"));
    CU_ASSERT_TRUE(has_token(&t, "didn't"));
    CU_ASSERT_TRUE(has_token(&t, "שלום"));
    CU_ASSERT_TRUE(has_token(&t, "עולם"));
    CU_ASSERT_TRUE(has_token(&t, "مرحبا"));
    CU_ASSERT_TRUE(has_token(&t, "42"));
    CU_ASSERT_FALSE(has_token(&t, "!"));
    refmodel_tokens_dispose(&t);
}

static void test_refmodel_nb__tokens_split_cjk_and_skip_emoji(void)
{
    refmodel_tokens t;
    tokenize(&t, "東京タワーに行った 😀👍🏽 寿司");
    CU_ASSERT_TRUE(t.count >= 3);
    CU_ASSERT_TRUE(has_token(&t, "寿司"));
    for (size_t i = 0; i < t.count; i++) {
        /* no token is space, punctuation or emoji (all emoji here start with 0xF0) */
        CU_ASSERT_NOT_EQUAL(t.items[i][0], ' ');
        CU_ASSERT_NOT_EQUAL((unsigned char)t.items[i][0], 0xF0);
    }
    refmodel_tokens_dispose(&t);
    tokenize(&t, "  ... !? ");
    CU_ASSERT_EQUAL(t.count, 0);
    refmodel_tokens_dispose(&t);
}

static const char *const train_pos[] = { "Great food and lovely staff.",
                                         "Wonderful service, great value!",
                                         "I loved it; excellent and friendly.",
                                         "Très bon, délicieux et génial." };
static const char *const train_neg[] = { "Terrible food and rude staff.",
                                         "Awful service, poor value!",
                                         "I hated it; horrible and dirty.",
                                         "Très mauvais, dégoûtant et sale." };

static refmodel_nb *tiny_model(void)
{
    refmodel_nb *nb = NULL;
    CU_ASSERT_EQUAL_FATAL(refmodel_nb_new(&nb, NULL), FS_OK);
    for (size_t i = 0; i < 4; i++) {
        refmodel_tokens t;
        tokenize(&t, train_pos[i]);
        CU_ASSERT_EQUAL(refmodel_nb_add(nb, &t, "positive", NULL), FS_OK);
        refmodel_tokens_dispose(&t);
        tokenize(&t, train_neg[i]);
        CU_ASSERT_EQUAL(refmodel_nb_add(nb, &t, "negative", NULL), FS_OK);
        refmodel_tokens_dispose(&t);
    }
    return nb;
}

static const char *classify(const refmodel_nb *nb, const char *text, double *logp)
{
    refmodel_tokens t;
    tokenize(&t, text);
    size_t c = refmodel_nb_classify(nb, &t, logp);
    refmodel_tokens_dispose(&t);
    return refmodel_nb_label(nb, c);
}

static void test_refmodel_nb__learns_and_classifies_held_out(void)
{
    refmodel_nb *nb = tiny_model();
    CU_ASSERT_EQUAL(refmodel_nb_doc_count(nb), 8);
    CU_ASSERT_EQUAL(refmodel_nb_class_count(nb), 2);
    CU_ASSERT_STRING_EQUAL(refmodel_nb_label(nb, 0), "positive");
    CU_ASSERT_STRING_EQUAL(refmodel_nb_label(nb, 1), "negative");
    CU_ASSERT_STRING_EQUAL(classify(nb, "LOVELY, friendly and excellent", NULL), "positive");
    CU_ASSERT_STRING_EQUAL(classify(nb, "so rude and dirty, horrible", NULL), "negative");
    CU_ASSERT_STRING_EQUAL(classify(nb, "Délicieux et GÉNIAL", NULL), "positive");
    CU_ASSERT_STRING_EQUAL(classify(nb, "dégoûtant", NULL), "negative");
    refmodel_nb_free(nb);
}

static void test_refmodel_nb__log_probabilities_are_laplace_smoothed(void)
{
    refmodel_nb *nb = tiny_model();
    double logp[2];
    size_t vocab = refmodel_nb_vocab_size(nb);
    /* positive documents hold 5 + 4 + 6 + 5 = 20 tokens, negative ones 20 as well;
     * "great" occurs twice in positive, never in negative; "zzz" is unknown and ignored */
    CU_ASSERT_STRING_EQUAL(classify(nb, "great zzz", logp), "positive");
    double prior = log(0.5);
    CU_ASSERT_DOUBLE_EQUAL(logp[0], prior + log(3.0 / (20.0 + (double)vocab)), 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(logp[1], prior + log(1.0 / (20.0 + (double)vocab)), 1e-9);
    /* a text of unknown words falls back to the priors; the tie goes to the first class */
    CU_ASSERT_STRING_EQUAL(classify(nb, "qqq", logp), "positive");
    CU_ASSERT_DOUBLE_EQUAL(logp[0], prior, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(logp[1], prior, 1e-12);
    refmodel_nb_free(nb);
}

static char *write_tmp(const char *name, const char *content)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", fs_test_tmp_dir(), name);
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(content, f);
    fclose(f);
    return path;
}

static void test_refmodel_nb__trains_from_jsonl(void)
{
    const char *path = write_tmp(
        "nb_train.jsonl", "{\"id\":\"1\",\"text\":\"happy joyful day\",\"label\":\"positive\"}\n"
                          "\n"
                          "{\"id\":\"2\",\"text\":\"sad gloomy day\",\"label\":\"negative\"}\n"
                          "{\"id\":\"3\",\"text\":\"joyful 😀\",\"label\":\"positive\"}\n");
    refmodel_nb *nb = NULL;
    CU_ASSERT_EQUAL_FATAL(refmodel_nb_train_file(&nb, path, NULL), FS_OK);
    CU_ASSERT_EQUAL(refmodel_nb_doc_count(nb), 3);
    CU_ASSERT_EQUAL(refmodel_nb_vocab_size(nb), 5); /* happy joyful day sad gloomy */
    CU_ASSERT_STRING_EQUAL(classify(nb, "a gloomy evening", NULL), "negative");
    CU_ASSERT_STRING_EQUAL(classify(nb, "JOYFUL!", NULL), "positive");
    refmodel_nb_free(nb);
}

static void expect_train_error(const char *name, const char *content, fs_status code,
                               const char *needle)
{
    fs_error err;
    refmodel_nb *nb = (refmodel_nb *)&err; /* must be reset to NULL on failure */
    const char *path = write_tmp(name, content);
    fs_error_clear(&err);
    CU_ASSERT_EQUAL(refmodel_nb_train_file(&nb, path, &err), code);
    CU_ASSERT_PTR_NULL(nb);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
}

static void test_refmodel_nb__training_errors_name_line_and_field(void)
{
    expect_train_error("bad1.jsonl", "{\"text\":\"ok\",\"label\":\"positive\"}\n{\"text\":\n",
                       FS_ERR_INPUT, "bad1.jsonl:2: invalid JSON");
    expect_train_error("bad2.jsonl", "\n\n{\"text\":\"no label\"}\n", FS_ERR_INPUT,
                       "bad2.jsonl:3: label:");
    expect_train_error("bad3.jsonl", "{\"text\":5,\"label\":\"x\"}\n", FS_ERR_INPUT,
                       "bad3.jsonl:1: text:");
    expect_train_error("bad4.jsonl", "\n  \n", FS_ERR_INPUT, "no training documents");
    fs_error err;
    refmodel_nb *nb = NULL;
    CU_ASSERT_EQUAL(refmodel_nb_train_file(&nb, "/nonexistent/train.jsonl", &err), FS_ERR_IO);
    CU_ASSERT_PTR_NULL(nb);
}

const fs_test_case fs_refmodel_nb_tests[] = {
    { "test_refmodel_nb__tokens_fold_accents_and_scripts",
      test_refmodel_nb__tokens_fold_accents_and_scripts },
    { "test_refmodel_nb__tokens_split_cjk_and_skip_emoji",
      test_refmodel_nb__tokens_split_cjk_and_skip_emoji },
    { "test_refmodel_nb__learns_and_classifies_held_out",
      test_refmodel_nb__learns_and_classifies_held_out },
    { "test_refmodel_nb__log_probabilities_are_laplace_smoothed",
      test_refmodel_nb__log_probabilities_are_laplace_smoothed },
    { "test_refmodel_nb__trains_from_jsonl", test_refmodel_nb__trains_from_jsonl },
    { "test_refmodel_nb__training_errors_name_line_and_field",
      test_refmodel_nb__training_errors_name_line_and_field },
    { NULL, NULL },
};
