/* refmodel.lm: GPT-style tokens, the interpolated bigram model checked against its
 * formula on a tiny corpus, top-k with ties, and the OpenAI completion with echo,
 * logprobs and greedy generation. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "refmodel/models.h"

/* "the cat sat. the cat ran." gives the tokens the, " cat", " sat", ".", " the", " cat",
 * " ran", "." : N = 8, six keys plus "<unk>" so |V| = 7. */
#define TINY   "the cat sat. the cat ran."
#define N_TINY 8.0
#define V_TINY 7.0

static refmodel_lm *tiny(double lambda)
{
    refmodel_lm *lm = NULL;
    CU_ASSERT_EQUAL_FATAL(refmodel_lm_train(&lm, TINY, strlen(TINY), lambda, NULL), FS_OK);
    return lm;
}

static size_t id(const refmodel_lm *lm, const char *key)
{
    return refmodel_lm_id(lm, key, strlen(key));
}

static void split(refmodel_lm_pieces *p, const char *s)
{
    fs_text_segmenter *seg = NULL;
    fs_text_casemapper *cm = NULL;
    CU_ASSERT_EQUAL_FATAL(fs_text_segmenter_new(&seg, FS_TEXT_WORD, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_text_casemapper_new(&cm, NULL), FS_OK);
    CU_ASSERT_EQUAL(refmodel_lm_split(p, seg, cm, s, strlen(s), NULL), FS_OK);
    fs_text_casemapper_free(cm);
    fs_text_segmenter_free(seg);
}

static void test_refmodel_lm__tokens_concatenate_back_to_the_text(void)
{
    static const char text[] = "  Héllo, WORLD 👋🏽\n\nStraße 東京タワー!  ";
    /* ICU's dictionary keeps 東京タワー (Tokyo Tower) one word. */
    static const char *const keys[] = { " héllo",   ",",           " world", " 👋🏽",
                                        " strasse", " 東京タワー", "!",      " " };
    static const size_t cps[] = { 0, 7, 8, 14, 17, 25, 31, 32 };
    refmodel_lm_pieces p;
    fs_buf joined;
    refmodel_lm_pieces_init(&p);
    fs_buf_init(&joined, 0);
    split(&p, text);
    CU_ASSERT_EQUAL_FATAL(p.count, sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < p.count; i++) {
        fs_buf_append(&joined, text + p.items[i].start, p.items[i].end - p.items[i].start);
        CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&p.keys) + p.items[i].key_off, keys[i]);
        CU_ASSERT_EQUAL(p.items[i].key_len, strlen(keys[i]));
        CU_ASSERT_EQUAL(p.items[i].cp_start, cps[i]);
    }
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&joined), text);
    split(&p, "");
    CU_ASSERT_EQUAL(p.count, 0);
    fs_buf_dispose(&joined);
    refmodel_lm_pieces_dispose(&p);
}

static void test_refmodel_lm__probabilities_follow_the_formula(void)
{
    refmodel_lm *lm = tiny(0.7);
    CU_ASSERT_EQUAL(refmodel_lm_vocab_size(lm), 7);
    CU_ASSERT_EQUAL(refmodel_lm_token_count(lm), 8);
    CU_ASSERT_STRING_EQUAL(refmodel_lm_key(lm, REFMODEL_LM_UNK), "<unk>");
    CU_ASSERT_EQUAL(id(lm, "the"), 1);
    CU_ASSERT_EQUAL(id(lm, " the"), 5);
    CU_ASSERT_EQUAL(id(lm, " dog"), REFMODEL_LM_UNK);
    size_t cat = id(lm, " cat"), sat = id(lm, " sat"), ran = id(lm, " ran"), dot = id(lm, ".");
    double denom = N_TINY + V_TINY;
    /* c(cat) = 2, c(cat, sat) = 1, c(sat) = 1. */
    CU_ASSERT_DOUBLE_EQUAL(refmodel_lm_logprob(lm, cat, sat), log(0.7 * 0.5 + 0.3 * 2 / denom),
                           1e-12);
    CU_ASSERT_DOUBLE_EQUAL(refmodel_lm_logprob(lm, id(lm, "the"), cat),
                           log(0.7 * 1.0 + 0.3 * 3 / denom), 1e-12);
    /* "." is a history once (its second occurrence ends the corpus). */
    CU_ASSERT_DOUBLE_EQUAL(refmodel_lm_logprob(lm, dot, id(lm, " the")),
                           log(0.7 * 1.0 + 0.3 * 2 / denom), 1e-12);
    /* An unseen bigram and an unknown word keep the unigram share. */
    CU_ASSERT_DOUBLE_EQUAL(refmodel_lm_logprob(lm, cat, dot), log(0.3 * 3 / denom), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(refmodel_lm_logprob(lm, cat, REFMODEL_LM_UNK), log(0.3 * 1 / denom),
                           1e-12);
    /* Without a usable history: the add-one unigram alone. */
    CU_ASSERT_DOUBLE_EQUAL(refmodel_lm_logprob(lm, REFMODEL_LM_NONE, ran), log(2 / denom), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(refmodel_lm_logprob(lm, REFMODEL_LM_UNK, ran), log(2 / denom), 1e-12);
    /* Every conditional distribution sums to one over the vocabulary. */
    for (size_t v = 0; v < refmodel_lm_vocab_size(lm); v++) {
        double sum = 0;
        for (size_t w = 0; w < refmodel_lm_vocab_size(lm); w++) {
            sum += exp(refmodel_lm_logprob(lm, v, w));
        }
        CU_ASSERT_DOUBLE_EQUAL(sum, 1.0, 1e-12);
    }
    refmodel_lm_free(lm);
    lm = tiny(0.0);
    CU_ASSERT_DOUBLE_EQUAL(refmodel_lm_logprob(lm, cat, sat), log(2 / denom), 1e-12);
    refmodel_lm_free(lm);
}

static void test_refmodel_lm__top_k_breaks_ties_by_first_appearance(void)
{
    size_t ids[8];
    double lps[8];
    refmodel_lm *lm = tiny(0.7);
    size_t cat = id(lm, " cat");
    /* After " cat": " sat" and " ran" tie at 0.7/2 + 0.3*2/15; " sat" came first. */
    CU_ASSERT_EQUAL_FATAL(refmodel_lm_top(lm, cat, 3, ids, lps), 3);
    CU_ASSERT_EQUAL(ids[0], id(lm, " sat"));
    CU_ASSERT_EQUAL(ids[1], id(lm, " ran"));
    CU_ASSERT_EQUAL(lps[0], lps[1]);
    /* Then the most frequent unigram that never followed " cat": " cat" itself (c = 2)
     * ties with "." (c = 2), and " cat" was seen first. */
    CU_ASSERT_EQUAL(ids[2], cat);
    CU_ASSERT_DOUBLE_EQUAL(lps[2], refmodel_lm_logprob(lm, cat, cat), 1e-15);
    /* The whole vocabulary but <unk>, best first. */
    CU_ASSERT_EQUAL(refmodel_lm_top(lm, REFMODEL_LM_NONE, 8, ids, lps), 6);
    for (size_t i = 1; i < 6; i++) {
        CU_ASSERT_TRUE(lps[i] <= lps[i - 1]);
        CU_ASSERT_NOT_EQUAL(ids[i], REFMODEL_LM_UNK);
    }
    CU_ASSERT_EQUAL(refmodel_lm_top(lm, cat, 0, ids, lps), 0);
    refmodel_lm_free(lm);
}

static void test_refmodel_lm__training_errors(void)
{
    refmodel_lm *lm = NULL;
    fs_error err;
    fs_error_clear(&err);
    CU_ASSERT_EQUAL(refmodel_lm_train(&lm, " \n ", 3, 0.7, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NULL(lm);
    CU_ASSERT_EQUAL(refmodel_lm_train(&lm, "a b", 3, 1.0, &err), FS_ERR_USAGE);
    CU_ASSERT_EQUAL(refmodel_lm_train_file(&lm, "/nonexistent/lm.txt", 0.7, &err), FS_ERR_IO);
    CU_ASSERT_PTR_NULL(lm);
}

/* Respond with bigram-lm trained on TINY and parse the body. */
static cJSON *respond(refmodel_api api, const char *prompt, int64_t max_tokens, int64_t logprobs,
                      bool echo)
{
    refmodel_request req;
    fs_buf b;
    cJSON *v = NULL;
    refmodel_lm *lm = tiny(0.7);
    refmodel_request_init(&req);
    req.prompt = (char *)prompt;
    req.prompt_len = strlen(prompt);
    req.max_tokens = max_tokens;
    req.logprobs = logprobs;
    req.echo = echo;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(refmodel_lm_respond(&b, lm, 2048, api, &req, 9, 1, 3, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_json__parse(&v, fs_buf_cstr(&b), b.len, "response", NULL), FS_OK);
    fs_buf_dispose(&b);
    refmodel_lm_free(lm);
    return v;
}

static cJSON *choice0(cJSON *v)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(v, "choices"), 0);
}

static void test_refmodel_lm__echo_logprobs_score_the_prompt(void)
{
    static const char prompt[] = "The cät sat 🙂";
    refmodel_lm *lm = tiny(0.7);
    cJSON *v = respond(REFMODEL_API_COMPLETIONS, prompt, 0, 2, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "object"), "text_completion");
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "model"), "bigram-lm");
    cJSON *c = choice0(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(c, "text"), prompt);
    CU_ASSERT_STRING_EQUAL(fs_json__str(c, "finish_reason"), "length");
    cJSON *lp = cJSON_GetObjectItem(c, "logprobs");
    cJSON *tokens = cJSON_GetObjectItem(lp, "tokens");
    cJSON *tlp = cJSON_GetObjectItem(lp, "token_logprobs");
    cJSON *top = cJSON_GetObjectItem(lp, "top_logprobs");
    cJSON *off = cJSON_GetObjectItem(lp, "text_offset");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(tokens), 4);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(tlp), 4);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(top), 4);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(off), 4);
    static const char *const toks[] = { "The", " cät", " sat", " 🙂" };
    static const int offs[] = { 0, 3, 7, 11 };
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(tokens, i)->valuestring, toks[i]);
        CU_ASSERT_EQUAL(cJSON_GetArrayItem(off, i)->valueint, offs[i]);
    }
    /* The first token has no context, as in OpenAI's API. */
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetArrayItem(tlp, 0)));
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetArrayItem(top, 0)));
    /* "The" folds to "the"; " cät" is unknown; " sat" after <unk> is the unigram. */
    size_t the = id(lm, "the"), sat = id(lm, " sat");
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetArrayItem(tlp, 1)->valuedouble,
                           refmodel_lm_logprob(lm, the, REFMODEL_LM_UNK), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetArrayItem(tlp, 2)->valuedouble,
                           refmodel_lm_logprob(lm, REFMODEL_LM_NONE, sat), 1e-12);
    /* Top entries: at most k, keyed by the model's tokens, the best after "the" is " cat". */
    cJSON *t1 = cJSON_GetArrayItem(top, 1);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(t1), 2);
    CU_ASSERT_STRING_EQUAL(t1->child->string, " cat");
    CU_ASSERT_DOUBLE_EQUAL(t1->child->valuedouble, refmodel_lm_logprob(lm, the, id(lm, " cat")),
                           1e-12);
    cJSON *usage = cJSON_GetObjectItem(v, "usage");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(usage, "prompt_tokens")->valueint, 3);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(usage, "completion_tokens")->valueint, 0);
    cJSON_Delete(v);
    refmodel_lm_free(lm);
}

static void test_refmodel_lm__greedy_generation_is_deterministic(void)
{
    /* After " cat" the tie " sat"/" ran" goes to " sat", then "." then " the", " cat"... */
    cJSON *v = respond(REFMODEL_API_COMPLETIONS, "The cat", 5, -1, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(choice0(v), "text"), " sat. the cat sat");
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(choice0(v), "logprobs")));
    CU_ASSERT_EQUAL(
        cJSON_GetObjectItem(cJSON_GetObjectItem(v, "usage"), "completion_tokens")->valueint, 5);
    cJSON *again = respond(REFMODEL_API_COMPLETIONS, "The cat", 5, -1, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(again);
    CU_ASSERT_STRING_EQUAL(fs_json__str(choice0(again), "text"), fs_json__str(choice0(v), "text"));
    cJSON_Delete(again);
    cJSON_Delete(v);
    /* Generated tokens carry logprobs, with offsets after the prompt. */
    v = respond(REFMODEL_API_COMPLETIONS, "The cät", 2, 1, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    cJSON *lp = cJSON_GetObjectItem(choice0(v), "logprobs");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(lp, "tokens")), 2);
    CU_ASSERT_EQUAL(cJSON_GetArrayItem(cJSON_GetObjectItem(lp, "text_offset"), 0)->valueint, 7);
    CU_ASSERT_TRUE(
        cJSON_IsNumber(cJSON_GetArrayItem(cJSON_GetObjectItem(lp, "token_logprobs"), 0)));
    cJSON_Delete(v);
    /* Echo with generation: the prompt, then the generated text. */
    v = respond(REFMODEL_API_COMPLETIONS, "the", 2, -1, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(choice0(v), "text"), "the cat sat");
    cJSON_Delete(v);
    /* Chat: the generated text without its leading space, and no logprobs. */
    v = respond(REFMODEL_API_CHAT, "the", 2, 3, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "object"), "chat.completion");
    CU_ASSERT_STRING_EQUAL(fs_json__str(cJSON_GetObjectItem(choice0(v), "message"), "content"),
                           "cat sat");
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(choice0(v), "logprobs")));
    cJSON_Delete(v);
    /* max_tokens absent: 16 tokens. */
    v = respond(REFMODEL_API_COMPLETIONS, "the", -1, -1, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(
        cJSON_GetObjectItem(cJSON_GetObjectItem(v, "usage"), "completion_tokens")->valueint, 16);
    cJSON_Delete(v);
}

const fs_test_case fs_refmodel_lm_tests[] = {
    { "test_refmodel_lm__tokens_concatenate_back_to_the_text",
      test_refmodel_lm__tokens_concatenate_back_to_the_text },
    { "test_refmodel_lm__probabilities_follow_the_formula",
      test_refmodel_lm__probabilities_follow_the_formula },
    { "test_refmodel_lm__top_k_breaks_ties_by_first_appearance",
      test_refmodel_lm__top_k_breaks_ties_by_first_appearance },
    { "test_refmodel_lm__training_errors", test_refmodel_lm__training_errors },
    { "test_refmodel_lm__echo_logprobs_score_the_prompt",
      test_refmodel_lm__echo_logprobs_score_the_prompt },
    { "test_refmodel_lm__greedy_generation_is_deterministic",
      test_refmodel_lm__greedy_generation_is_deterministic },
    { NULL, NULL },
};
