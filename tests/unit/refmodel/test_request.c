/* refmodel.request: OpenAI request bodies in, the text to classify out, and the JSON of
 * the answers. */
#include "fs_test.h"

#include <string.h>

#include "core/json.h"
#include "refmodel/request.h"

static fs_status parse(refmodel_request *r, refmodel_api api, const char *body, fs_error *err)
{
    refmodel_request_init(r);
    return refmodel_request_parse(r, api, body, strlen(body), err);
}

static void test_refmodel_request__chat_takes_last_user_message(void)
{
    refmodel_request r;
    CU_ASSERT_EQUAL_FATAL(parse(&r, REFMODEL_API_CHAT,
                                "{\"model\":\"nb-sentiment\",\"messages\":["
                                "{\"role\":\"system\",\"content\":\"be terse\"},"
                                "{\"role\":\"user\",\"content\":\"first\"},"
                                "{\"role\":\"assistant\",\"content\":\"ok\"},"
                                "{\"role\":\"user\",\"content\":\"Zoë 寿司 שלום 😀\"}],"
                                "\"temperature\":0,\"max_tokens\":8}",
                                NULL),
                          FS_OK);
    CU_ASSERT_STRING_EQUAL(r.model, "nb-sentiment");
    CU_ASSERT_STRING_EQUAL(r.prompt, "Zoë 寿司 שלום 😀");
    CU_ASSERT_EQUAL(r.prompt_len, strlen("Zoë 寿司 שלום 😀"));
    refmodel_request_dispose(&r);
    CU_ASSERT_PTR_NULL(r.prompt);
}

static void test_refmodel_request__chat_joins_text_parts(void)
{
    refmodel_request r;
    CU_ASSERT_EQUAL_FATAL(parse(&r, REFMODEL_API_CHAT,
                                "{\"messages\":[{\"role\":\"user\",\"content\":["
                                "{\"type\":\"text\",\"text\":\"Text: good\"},"
                                "{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}},"
                                "{\"type\":\"text\",\"text\":\"Answer:\"}]}]}",
                                NULL),
                          FS_OK);
    CU_ASSERT_PTR_NULL(r.model);
    CU_ASSERT_STRING_EQUAL(r.prompt, "Text: good\nAnswer:");
    refmodel_request_dispose(&r);
}

static void test_refmodel_request__completions_take_prompt(void)
{
    refmodel_request r;
    CU_ASSERT_EQUAL_FATAL(parse(&r, REFMODEL_API_COMPLETIONS,
                                "{\"model\":\"m\",\"prompt\":\"Ça va très bien\"}", NULL),
                          FS_OK);
    CU_ASSERT_STRING_EQUAL(r.model, "m");
    CU_ASSERT_STRING_EQUAL(r.prompt, "Ça va très bien");
    refmodel_request_dispose(&r);
    CU_ASSERT_EQUAL_FATAL(parse(&r, REFMODEL_API_COMPLETIONS, "{\"prompt\":[\"one\"]}", NULL),
                          FS_OK);
    CU_ASSERT_STRING_EQUAL(r.prompt, "one");
    refmodel_request_dispose(&r);
    CU_ASSERT_EQUAL_FATAL(parse(&r, REFMODEL_API_COMPLETIONS, "{\"prompt\":\"\"}", NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(r.prompt, "");
    CU_ASSERT_EQUAL(r.prompt_len, 0);
    refmodel_request_dispose(&r);
}

static void expect_bad(refmodel_api api, const char *body, const char *needle)
{
    refmodel_request r;
    fs_error err;
    fs_error_clear(&err);
    CU_ASSERT_EQUAL(parse(&r, api, body, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NULL(r.prompt);
    CU_ASSERT_PTR_NULL(r.model);
    if (strstr(err.msg, needle) == NULL) {
        CU_FAIL("error message does not name the problem");
    }
}

static void test_refmodel_request__malformed_bodies_are_input_errors(void)
{
    expect_bad(REFMODEL_API_CHAT, "{\"messages\": [", "invalid JSON");
    expect_bad(REFMODEL_API_CHAT, "[1,2]", "not a JSON object");
    expect_bad(REFMODEL_API_CHAT, "{}", "messages:");
    expect_bad(REFMODEL_API_CHAT, "{\"messages\":[]}", "messages:");
    expect_bad(REFMODEL_API_CHAT, "{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
               "role \"user\"");
    expect_bad(REFMODEL_API_CHAT, "{\"messages\":[{\"content\":\"x\"}]}", "role");
    expect_bad(REFMODEL_API_CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":3}]}", "content");
    expect_bad(REFMODEL_API_CHAT,
               "{\"model\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model:");
    expect_bad(REFMODEL_API_CHAT,
               "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stream:");
    expect_bad(REFMODEL_API_COMPLETIONS, "{\"messages\":[]}", "prompt:");
    expect_bad(REFMODEL_API_COMPLETIONS, "{\"prompt\":42}", "prompt:");
    expect_bad(REFMODEL_API_COMPLETIONS, "{\"prompt\":[\"a\",\"b\"]}", "prompt:");
    expect_bad(REFMODEL_API_COMPLETIONS, "{\"prompt\":\"bad \xC3\x28 utf8\"}", "UTF-8");
}

static void expect_input(const char *prompt, const char *want)
{
    fs_str s = refmodel_input_text(prompt, strlen(prompt));
    CU_ASSERT_EQUAL(s.len, strlen(want));
    CU_ASSERT_TRUE(s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0);
}

static void test_refmodel_request__input_text_between_text_and_answer(void)
{
    expect_input("Is the sentiment of this review positive or negative?\n"
                 "Text: The food was great!\nAnswer:",
                 "The food was great!");
    expect_input("Classify.\nText:  Línea uno\nlínea dos 😀\n\nAnswer: \n",
                 "Línea uno\nlínea dos 😀");
    expect_input("Text: 寿司は最高でした", "寿司は最高でした");
    expect_input("Answer: ignored\nText: שלום עולם\r\nAnswer:", "שלום עולם");
    expect_input("  just a review, no template \n", "just a review, no template");
    /* "Text:" only counts at the start of a line */
    expect_input("The Text: label is mid-line", "The Text: label is mid-line");
    expect_input("", "");
}

static cJSON *parse_json(const fs_buf *b)
{
    cJSON *v = NULL;
    CU_ASSERT_EQUAL(fs_buf_status(b), FS_OK);
    CU_ASSERT_EQUAL(fs_json__parse(&v, fs_buf_cstr(b), b->len, "test", NULL), FS_OK);
    return v;
}

static void test_refmodel_request__responses_are_openai_json(void)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    refmodel_response_json(&b, REFMODEL_API_CHAT, 7, 1700000000, "nb-sentiment", "positive", 12, 1);
    cJSON *v = parse_json(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "id"), "chatcmpl-7");
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "object"), "chat.completion");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(v, "created")->valuedouble, 1700000000.0);
    cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "choices"), 0);
    CU_ASSERT_STRING_EQUAL(fs_json__str(choice, "finish_reason"), "stop");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(choice, "index")->valueint, 0);
    cJSON *msg = cJSON_GetObjectItem(choice, "message");
    CU_ASSERT_STRING_EQUAL(fs_json__str(msg, "role"), "assistant");
    CU_ASSERT_STRING_EQUAL(fs_json__str(msg, "content"), "positive");
    cJSON *usage = cJSON_GetObjectItem(v, "usage");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(usage, "prompt_tokens")->valueint, 12);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(usage, "completion_tokens")->valueint, 1);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(usage, "total_tokens")->valueint, 13);
    cJSON_Delete(v);
    fs_buf_reset(&b);
    refmodel_response_json(&b, REFMODEL_API_COMPLETIONS, 8, 1, "nb-sentiment", "negative", 0, 1);
    v = parse_json(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "id"), "cmpl-8");
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "object"), "text_completion");
    choice = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "choices"), 0);
    CU_ASSERT_STRING_EQUAL(fs_json__str(choice, "text"), "negative");
    cJSON_Delete(v);
    fs_buf_dispose(&b);
}

static void test_refmodel_request__errors_and_models_are_openai_json(void)
{
    static const char *const names[] = { "nb-sentiment" };
    fs_buf b;
    fs_buf_init(&b, 0);
    refmodel_error_json(&b, "bad \"quote\"\n", "invalid_request_error", NULL);
    cJSON *v = parse_json(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    cJSON *e = cJSON_GetObjectItem(v, "error");
    CU_ASSERT_STRING_EQUAL(fs_json__str(e, "message"), "bad \"quote\"\n");
    CU_ASSERT_STRING_EQUAL(fs_json__str(e, "type"), "invalid_request_error");
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(e, "code")));
    cJSON_Delete(v);
    fs_buf_reset(&b);
    refmodel_models_json(&b, names, 1, 5);
    v = parse_json(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "object"), "list");
    cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "data"), 0);
    CU_ASSERT_STRING_EQUAL(fs_json__str(m, "id"), "nb-sentiment");
    CU_ASSERT_STRING_EQUAL(fs_json__str(m, "object"), "model");
    cJSON_Delete(v);
    fs_buf_dispose(&b);
}

const fs_test_case fs_refmodel_request_tests[] = {
    { "test_refmodel_request__chat_takes_last_user_message",
      test_refmodel_request__chat_takes_last_user_message },
    { "test_refmodel_request__chat_joins_text_parts",
      test_refmodel_request__chat_joins_text_parts },
    { "test_refmodel_request__completions_take_prompt",
      test_refmodel_request__completions_take_prompt },
    { "test_refmodel_request__malformed_bodies_are_input_errors",
      test_refmodel_request__malformed_bodies_are_input_errors },
    { "test_refmodel_request__input_text_between_text_and_answer",
      test_refmodel_request__input_text_between_text_and_answer },
    { "test_refmodel_request__responses_are_openai_json",
      test_refmodel_request__responses_are_openai_json },
    { "test_refmodel_request__errors_and_models_are_openai_json",
      test_refmodel_request__errors_and_models_are_openai_json },
    { NULL, NULL },
};
