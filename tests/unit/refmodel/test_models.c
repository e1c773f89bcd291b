/* refmodel.models: the five models side by side: request options, model flags, and the
 * fairshake-refmodel binary serving every model over HTTP on 127.0.0.1, also with the
 * fault-injection flags on. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "../../support/refmodel_fixture.h"
#include "core/json.h"
#include "refmodel/models.h"
#include "refmodel_http.h"

/* The answer text of a chat or text completion. */
static const char *answer_of(cJSON *v)
{
    cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "choices"), 0);
    const char *text = fs_json__str(c, "text");
    return text != NULL ? text : fs_json__str(cJSON_GetObjectItem(c, "message"), "content");
}

static const char *write_tmp(const char *name, const char *text)
{
    static char paths[2][600];
    static int next = 0;
    char *p = paths[next++ % 2];
    snprintf(p, sizeof paths[0], "%s/%s", fs_test_tmp_dir(), name);
    FILE *f = fopen(p, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* Start the server on small data files, with up to four extra arguments (NULL-ended). */
static bool start(fs_test_refmodel *rm, const char *const *extra)
{
    const char *stop = write_tmp("models_stop.txt", "the\nwho\nwhat\nwhen\nwas\nby\nin\n");
    const char *corpus = write_tmp("models_lm.txt", "the cat sat. the cat ran.");
    const char *args[9] = { "--qa-stopwords", stop, "--lm-train", corpus, NULL };
    for (int i = 0; extra != NULL && extra[i] != NULL && i < 4; i++) {
        args[4 + i] = extra[i];
    }
    return fs_test_refmodel_start(rm, args);
}

static void parse_ok(refmodel_request *r, refmodel_api api, const char *body)
{
    refmodel_request_init(r);
    CU_ASSERT_EQUAL(refmodel_request_parse(r, api, body, strlen(body), NULL), FS_OK);
}

static void parse_bad(refmodel_api api, const char *body, const char *field)
{
    refmodel_request r;
    fs_error err;
    refmodel_request_init(&r);
    fs_error_clear(&err);
    CU_ASSERT_EQUAL(refmodel_request_parse(&r, api, body, strlen(body), &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, field));
    CU_ASSERT_PTR_NULL(r.prompt);
    CU_ASSERT_EQUAL(r.max_tokens, -1);
}

static void test_refmodel_models__request_options_are_checked(void)
{
    refmodel_request r;
    parse_ok(&r, REFMODEL_API_COMPLETIONS, "{\"prompt\":\"x\"}");
    CU_ASSERT_EQUAL(r.max_tokens, -1);
    CU_ASSERT_EQUAL(r.logprobs, -1);
    CU_ASSERT_FALSE(r.echo);
    CU_ASSERT_EQUAL(r.lead_k, -1);
    refmodel_request_dispose(&r);
    parse_ok(&r, REFMODEL_API_COMPLETIONS,
             "{\"prompt\":\"x\",\"max_tokens\":0,\"logprobs\":5,\"echo\":true,\"lead_k\":2}");
    CU_ASSERT_EQUAL(r.max_tokens, 0);
    CU_ASSERT_EQUAL(r.logprobs, 5);
    CU_ASSERT_TRUE(r.echo);
    CU_ASSERT_EQUAL(r.lead_k, 2);
    refmodel_request_dispose(&r);
    parse_ok(&r, REFMODEL_API_COMPLETIONS, "{\"prompt\":\"x\",\"logprobs\":null,\"echo\":false}");
    CU_ASSERT_EQUAL(r.logprobs, -1);
    refmodel_request_dispose(&r);
    /* Chat: max_completion_tokens counts, the boolean logprobs is ignored. */
    parse_ok(&r, REFMODEL_API_CHAT,
             "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
             "\"max_completion_tokens\":7,\"logprobs\":true}");
    CU_ASSERT_EQUAL(r.max_tokens, 7);
    CU_ASSERT_EQUAL(r.logprobs, -1);
    refmodel_request_dispose(&r);
    parse_bad(REFMODEL_API_COMPLETIONS, "{\"prompt\":\"x\",\"max_tokens\":-1}", "max_tokens");
    parse_bad(REFMODEL_API_COMPLETIONS, "{\"prompt\":\"x\",\"max_tokens\":1.5}", "max_tokens");
    parse_bad(REFMODEL_API_COMPLETIONS, "{\"prompt\":\"x\",\"logprobs\":21}", "logprobs");
    parse_bad(REFMODEL_API_COMPLETIONS, "{\"prompt\":\"x\",\"logprobs\":true}", "logprobs");
    parse_bad(REFMODEL_API_COMPLETIONS, "{\"prompt\":\"x\",\"echo\":\"yes\"}", "echo");
    parse_bad(REFMODEL_API_CHAT,
              "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"lead_k\":0}", "lead_k");
}

static void test_refmodel_models__flags_and_names(void)
{
    refmodel_opts o;
    fs_error err;
    refmodel_opts_init(&o);
    CU_ASSERT_EQUAL(o.qa_window, 12);
    CU_ASSERT_EQUAL(o.lead_k, 3);
    CU_ASSERT_DOUBLE_EQUAL(o.lm_lambda, 0.7, 0);
    char *argv[] = { "x",    "--qa-window",          "5",          "--lead-k=2", "--lm-lambda",
                     "0.25", "--qa-stopwords=s.txt", "--lm-train", "t.txt",      NULL };
    CU_ASSERT_EQUAL(refmodel_opts_parse(&o, 9, argv, NULL), FS_OK);
    CU_ASSERT_EQUAL(o.qa_window, 5);
    CU_ASSERT_EQUAL(o.lead_k, 2);
    CU_ASSERT_DOUBLE_EQUAL(o.lm_lambda, 0.25, 0);
    CU_ASSERT_STRING_EQUAL(o.qa_stopwords_path, "s.txt");
    CU_ASSERT_STRING_EQUAL(o.lm_train_path, "t.txt");
    static const char *const bad[][2] = {
        { "--lm-lambda", "1" }, { "--qa-window", "0" }, { "--lead-k", "x" }, { "--lead-kk", "2" }
    };
    for (size_t i = 0; i < 4; i++) {
        char *a[] = { "x", (char *)bad[i][0], (char *)bad[i][1], NULL };
        refmodel_opts_init(&o);
        fs_error_clear(&err);
        CU_ASSERT_EQUAL(refmodel_opts_parse(&o, 3, a, &err), FS_ERR_USAGE);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, i < 3 ? bad[i][0] : "did you mean '--lead-k'"));
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(refmodel_usage(), "--lm-train"));
    CU_ASSERT_EQUAL(refmodel_model_find(NULL), REFMODEL_NB);
    CU_ASSERT_EQUAL(refmodel_model_find("overlap-qa"), REFMODEL_QA);
    CU_ASSERT_EQUAL(refmodel_model_find("lead-summarizer"), REFMODEL_LEAD);
    CU_ASSERT_EQUAL(refmodel_model_find("bigram-lm"), REFMODEL_LM);
    CU_ASSERT_EQUAL(refmodel_model_find("pii-identifier"), REFMODEL_IDENT);
    CU_ASSERT_EQUAL(refmodel_model_find("gpt-4o"), -1);
}

static void test_refmodel_models__http_lists_every_model(void)
{
    fs_test_refmodel rm;
    cJSON *v = NULL;
    CU_ASSERT_TRUE_FATAL(start(&rm, NULL));
    CU_ASSERT_EQUAL(refmodel_http(&rm, "/v1/models", NULL, &v), 200);
    cJSON *data = cJSON_GetObjectItem(v, "data");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(data), REFMODEL_N_MODELS);
    for (int i = 0; i < REFMODEL_N_MODELS; i++) {
        char path[128];
        const char *name = refmodel_model_names()[i];
        cJSON *one = NULL;
        CU_ASSERT_STRING_EQUAL(fs_json__str(cJSON_GetArrayItem(data, i), "id"), name);
        snprintf(path, sizeof path, "/v1/models/%s", name);
        CU_ASSERT_EQUAL(refmodel_http(&rm, path, NULL, &one), 200);
        CU_ASSERT_STRING_EQUAL(fs_json__str(one, "id"), name);
        cJSON_Delete(one);
    }
    cJSON_Delete(v);
    CU_ASSERT_EQUAL(refmodel_http(&rm, "/v1/models/bigram", NULL, &v), 404);
    cJSON_Delete(v);
    fs_test_refmodel_stop(&rm);
}

static void expect_answer(const fs_test_refmodel *rm, const char *path, const char *body,
                          const char *model, const char *want)
{
    cJSON *v = NULL;
    CU_ASSERT_EQUAL(refmodel_http(rm, path, body, &v), 200);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "model"), model);
    CU_ASSERT_PTR_NOT_NULL_FATAL(answer_of(v));
    CU_ASSERT_STRING_EQUAL(answer_of(v), want);
    cJSON_Delete(v);
}

static void expect_status(const fs_test_refmodel *rm, const char *body, long status,
                          const char *code)
{
    cJSON *v = NULL;
    CU_ASSERT_EQUAL(refmodel_http(rm, "/v1/completions", body, &v), status);
    cJSON *e = cJSON_GetObjectItem(v, "error");
    CU_ASSERT_PTR_NOT_NULL(e);
    if (code != NULL) {
        CU_ASSERT_STRING_EQUAL(fs_json__str(e, "code"), code);
    }
    cJSON_Delete(v);
}

static void test_refmodel_models__http_every_model_answers(void)
{
    fs_test_refmodel rm;
    cJSON *v = NULL;
    const char *const extra[] = { "--lead-k", "1", NULL };
    CU_ASSERT_TRUE_FATAL(start(&rm, extra));
    /* No "model": nb-sentiment, trained on the bundled reviews. */
    expect_answer(&rm, "/v1/chat/completions",
                  "{\"messages\":[{\"role\":\"user\",\"content\":\"Text: It was wonderful, "
                  "I loved it\\nAnswer:\"}]}",
                  "nb-sentiment", "positive");
    expect_answer(&rm, "/v1/completions",
                  "{\"model\":\"overlap-qa\",\"prompt\":\"Context: The bridge opened in 1889. It "
                  "was designed by Ana Souza.\\nQuestion: Who designed it?\\nAnswer:\"}",
                  "overlap-qa", "Ana Souza");
    expect_answer(&rm, "/v1/chat/completions",
                  "{\"model\":\"overlap-qa\",\"messages\":[{\"role\":\"user\",\"content\":"
                  "\"Context: 故宫在北京。\\nQuestion: 故宫在哪里？\"}]}",
                  "overlap-qa", "北京");
    /* --lead-k 1 by default, "lead_k" in the request wins. */
    static const char article[] = "Article: Mr. Lee won. Ms. Kay lost. Nobody cried.\\nSummary:";
    char body[512];
    snprintf(body, sizeof body, "{\"model\":\"lead-summarizer\",\"prompt\":\"%s\"}", article);
    expect_answer(&rm, "/v1/completions", body, "lead-summarizer", "Mr. Lee won.");
    snprintf(body, sizeof body, "{\"model\":\"lead-summarizer\",\"lead_k\":2,\"prompt\":\"%s\"}",
             article);
    expect_answer(&rm, "/v1/completions", body, "lead-summarizer", "Mr. Lee won. Ms. Kay lost.");
    expect_answer(&rm, "/v1/completions",
                  "{\"model\":\"bigram-lm\",\"prompt\":\"The cat\",\"max_tokens\":3}", "bigram-lm",
                  " sat. the");
    expect_answer(&rm, "/v1/chat/completions",
                  "{\"model\":\"bigram-lm\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\","
                  "\"content\":\"the\"}]}",
                  "bigram-lm", "cat sat");
    CU_ASSERT_EQUAL(
        refmodel_http(&rm, "/v1/completions",
                      "{\"model\":\"bigram-lm\",\"prompt\":\"the cat\",\"max_tokens\":0,"
                      "\"echo\":true,\"logprobs\":1}",
                      &v),
        200);
    cJSON *lp =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(v, "choices"), 0), "logprobs");
    cJSON *tlp = cJSON_GetObjectItem(lp, "token_logprobs");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(tlp), 2);
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetArrayItem(tlp, 0)));
    /* log(0.7 * 1 + 0.3 * 3 / 15) */
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetArrayItem(tlp, 1)->valuedouble, -0.2744368457017604, 1e-12);
    cJSON_Delete(v);
    expect_status(&rm, "{\"model\":\"gpt-4o\",\"prompt\":\"x\"}", 404, "model_not_found");
    expect_status(&rm, "{\"model\":\"lead-summarizer\",\"prompt\":\"x\",\"lead_k\":0}", 400, NULL);
    expect_status(&rm, "{\"model\":\"bigram-lm\",\"prompt\":\"x\",\"logprobs\":99}", 400, NULL);
    fs_test_refmodel_stop(&rm);
}

static void test_refmodel_models__http_models_coexist_with_faults(void)
{
    static const char *const bodies[REFMODEL_N_MODELS] = {
        "{\"prompt\":\"Text: awful\"}",
        "{\"model\":\"overlap-qa\",\"prompt\":\"Context: Ana won.\\nQuestion: Who won?\"}",
        "{\"model\":\"lead-summarizer\",\"prompt\":\"Text: One. Two.\"}",
        "{\"model\":\"bigram-lm\",\"prompt\":\"the\",\"max_tokens\":1,\"logprobs\":1}",
        "{\"model\":\"pii-identifier\",\"prompt\":\"Note: mail ana@example.org\"}",
    };
    fs_test_refmodel rm;
    cJSON *v = NULL;
    int answered = 0, faulted = 0;
    const char *const extra[] = { "--fault-rate", "0.5", "--seed", "11", NULL };
    CU_ASSERT_TRUE_FATAL(start(&rm, extra));
    for (int i = 0; i < 40; i++) {
        long st = refmodel_http(&rm, "/v1/completions", bodies[i % REFMODEL_N_MODELS], &v);
        CU_ASSERT_PTR_NOT_NULL(v);
        if (st == 200) {
            answered++;
            CU_ASSERT_STRING_EQUAL(fs_json__str(v, "model"),
                                   refmodel_model_names()[i % REFMODEL_N_MODELS]);
        } else {
            faulted++;
            CU_ASSERT_TRUE(st == 429 || st == 500 || st == 503);
            CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(v, "error"));
        }
        cJSON_Delete(v);
    }
    CU_ASSERT_TRUE(answered > 5 && faulted > 5);
    fs_test_refmodel_stop(&rm);
    const char *const broken[] = { "--malformed-rate", "1", NULL };
    CU_ASSERT_TRUE_FATAL(start(&rm, broken));
    for (int i = 0; i < REFMODEL_N_MODELS; i++) {
        CU_ASSERT_EQUAL(refmodel_http(&rm, "/v1/completions", bodies[i], &v), 200);
        CU_ASSERT_PTR_NULL(v);
    }
    CU_ASSERT_EQUAL(refmodel_http(&rm, "/v1/models", NULL, &v), 200);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(v, "data")), REFMODEL_N_MODELS);
    cJSON_Delete(v);
    fs_test_refmodel_stop(&rm);
}

/* --constant: every chat and completion request gets the same text, whatever its model
 * or prompt (JSON-escaped, any script), with usage; faults still apply; GETs are as
 * usual. */
static void test_refmodel_models__http_constant_answer(void)
{
    static const char text[] = "n\xc3\xa9gatif \"\xe6\xb6\x88\xe6\xa5\xb5\" "
                               "\xd8\xb3\xd9\x84\xd8\xa8\xd9\x8a \xf0\x9f\x98\x80\n";
    fs_test_refmodel rm;
    cJSON *v = NULL;
    const char *const extra[] = { "--constant", text, NULL };
    CU_ASSERT_TRUE_FATAL(start(&rm, extra));
    CU_ASSERT_EQUAL(refmodel_http(&rm, "/v1/chat/completions",
                                  "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
                                  "\"content\":\"Text: awful\"}]}",
                                  &v),
                    200);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(answer_of(v), text);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "object"), "chat.completion");
    CU_ASSERT_EQUAL(
        cJSON_GetObjectItem(cJSON_GetObjectItem(v, "usage"), "completion_tokens")->valueint, 1);
    cJSON_Delete(v);
    CU_ASSERT_EQUAL(
        refmodel_http(&rm, "/v1/completions", "{\"model\":\"bigram-lm\",\"prompt\":\"x\"}", &v),
        200);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(answer_of(v), text);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "object"), "text_completion");
    cJSON_Delete(v);
    CU_ASSERT_EQUAL(refmodel_http(&rm, "/v1/models", NULL, &v), 200);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(v, "data")), REFMODEL_N_MODELS);
    cJSON_Delete(v);
    fs_test_refmodel_stop(&rm);
    const char *const faulty[] = { "--constant", "positive", "--fault-rate", "1", NULL };
    CU_ASSERT_TRUE_FATAL(start(&rm, faulty));
    long st = refmodel_http(&rm, "/v1/completions", "{\"prompt\":\"x\"}", &v);
    CU_ASSERT(st == 429 || st == 500 || st == 503);
    cJSON_Delete(v);
    fs_test_refmodel_stop(&rm);
}

const fs_test_case fs_refmodel_models_tests[] = {
    { "test_refmodel_models__request_options_are_checked",
      test_refmodel_models__request_options_are_checked },
    { "test_refmodel_models__flags_and_names", test_refmodel_models__flags_and_names },
    { "test_refmodel_models__http_lists_every_model",
      test_refmodel_models__http_lists_every_model },
    { "test_refmodel_models__http_every_model_answers",
      test_refmodel_models__http_every_model_answers },
    { "test_refmodel_models__http_models_coexist_with_faults",
      test_refmodel_models__http_models_coexist_with_faults },
    { "test_refmodel_models__http_constant_answer", test_refmodel_models__http_constant_answer },
    { NULL, NULL },
};
