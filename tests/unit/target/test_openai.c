/* target.openai: request bodies are exact and deterministic for both target types, params
 * are merged in order, the identity is canonical, and responses are parsed or rejected
 * with a precise message. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/target.h"

static fs_target_spec spec_of(fs_target_type type, const char *params)
{
    fs_target_spec s = { .name = "candidate",
                         .type = type,
                         .url = "http://127.0.0.1:1/v1/chat/completions",
                         .model = "nb-sentiment",
                         .params_json = params };
    return s;
}

static void test_target_openai__type_names_round_trip(void)
{
    fs_target_type t = FS_TARGET_OPENAI_CHAT;
    CU_ASSERT_TRUE(fs_target_type_parse("openai-completions", &t));
    CU_ASSERT_EQUAL(t, FS_TARGET_OPENAI_COMPLETIONS);
    CU_ASSERT_TRUE(fs_target_type_parse("openai-chat", &t));
    CU_ASSERT_EQUAL(t, FS_TARGET_OPENAI_CHAT);
    CU_ASSERT_FALSE(fs_target_type_parse("openai", &t));
    CU_ASSERT_FALSE(fs_target_type_parse(NULL, &t));
    CU_ASSERT_STRING_EQUAL(fs_target_type_name(FS_TARGET_OPENAI_COMPLETIONS), "openai-completions");
}

static void test_target_openai__chat_body_exact(void)
{
    fs_buf out = FS_BUF_INIT;
    fs_target_spec s = spec_of(FS_TARGET_OPENAI_CHAT, NULL);
    const char *p = "Say \"hi\"\n\tto 東京 👋";
    CU_ASSERT_EQUAL_FATAL(fs_target_build_body(&out, &s, p, strlen(p), NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out),
                           "{\"model\":\"nb-sentiment\",\"messages\":[{\"role\":\"user\","
                           "\"content\":\"Say \\\"hi\\\"\\n\\tto 東京 👋\"}]}");
    fs_buf_dispose(&out);
}

static void test_target_openai__completions_body_with_params(void)
{
    fs_buf out = FS_BUF_INIT;
    fs_target_spec s = spec_of(FS_TARGET_OPENAI_COMPLETIONS,
                               "{ \"temperature\": 0, \"max_tokens\": 8, \"top_p\": 0.95,\n"
                               "  \"stop\": [\"\\n\", \"é\"], \"logprobs\": true,"
                               " \"extra\": {\"b\": null, \"a\": 1e3} }");
    CU_ASSERT_EQUAL_FATAL(fs_target_build_body(&out, &s, "2+2=", 4, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out),
                           "{\"model\":\"nb-sentiment\",\"prompt\":\"2+2=\",\"temperature\":0,"
                           "\"max_tokens\":8,\"top_p\":0.95,\"stop\":[\"\\n\",\"é\"],"
                           "\"logprobs\":true,\"extra\":{\"b\":null,\"a\":1000}}");
    /* Same inputs, same bytes; appends after what the buffer held. */
    fs_buf again = FS_BUF_INIT;
    fs_buf_puts(&again, ">");
    CU_ASSERT_EQUAL_FATAL(fs_target_build_body(&again, &s, "2+2=", 4, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&again) + 1, fs_buf_cstr(&out));
    fs_buf_dispose(&again);
    fs_buf_dispose(&out);
}

static void test_target_openai__chat_body_without_model(void)
{
    fs_buf out = FS_BUF_INIT;
    fs_target_spec s = spec_of(FS_TARGET_OPENAI_CHAT, "{\"temperature\":0.2}");
    s.model = NULL;
    CU_ASSERT_EQUAL_FATAL(fs_target_build_body(&out, &s, "x", 1, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "{\"messages\":[{\"role\":\"user\",\"content\":"
                                              "\"x\"}],\"temperature\":0.2}");
    fs_buf_dispose(&out);
}

static void test_target_openai__bad_params_are_config_errors(void)
{
    static const char *const bad[] = { "[1, 2]",
                                       "{\"temperature\": }",
                                       "\"x\"",
                                       "{\"messages\": []}",
                                       "{\"model\": \"m\"}",
                                       "{\"a\": 1, \"a\": 2}" };
    static const char *const why[] = { "must be a JSON object", "invalid JSON",
                                       "must be a JSON object", "'messages' is set by",
                                       "'model' is set by",     "duplicate key 'a'" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fs_buf out = FS_BUF_INIT;
        fs_error err;
        fs_target_spec s = spec_of(FS_TARGET_OPENAI_CHAT, bad[i]);
        CU_ASSERT_EQUAL(fs_target_build_body(&out, &s, "x", 1, &err), FS_ERR_CONFIG);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, why[i]));
        CU_ASSERT_EQUAL(out.len, 0);
        fs_buf_dispose(&out);
    }
    fs_buf out = FS_BUF_INIT;
    fs_error err;
    fs_target_spec s = spec_of(FS_TARGET_OPENAI_CHAT, NULL);
    CU_ASSERT_EQUAL(fs_target_build_body(&out, &s, "bad \xc3", 5, &err), FS_ERR_INPUT);
    fs_buf_dispose(&out);
}

static void test_target_openai__identity_is_canonical(void)
{
    fs_buf a = FS_BUF_INIT, b = FS_BUF_INIT, c = FS_BUF_INIT;
    fs_target_spec sa = spec_of(FS_TARGET_OPENAI_CHAT, "{\"temperature\": 0, \"max_tokens\": 8}");
    fs_target_spec sb = spec_of(FS_TARGET_OPENAI_CHAT, "{\"max_tokens\":8.0,\"temperature\":0}");
    fs_target_spec sc = spec_of(FS_TARGET_OPENAI_COMPLETIONS, NULL);
    CU_ASSERT_EQUAL_FATAL(fs_target_identity(&a, &sa, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_target_identity(&b, &sb, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_target_identity(&c, &sc, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&a), "openai-chat|http://127.0.0.1:1/v1/chat/completions|"
                                            "nb-sentiment|{\"max_tokens\":8,\"temperature\":0}");
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&a), fs_buf_cstr(&b));
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&c), "openai-completions|http://127.0.0.1:1/v1/chat/"
                                            "completions|nb-sentiment|{}");
    fs_buf_dispose(&a);
    fs_buf_dispose(&b);
    fs_buf_dispose(&c);
}

static void test_target_openai__parse_chat_response(void)
{
    fs_target_spec s = spec_of(FS_TARGET_OPENAI_CHAT, NULL);
    fs_target_answer a;
    const char *body = "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                       "\"assistant\",\"content\":\"Négatif 👎\"}}],"
                       "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3}}";
    CU_ASSERT_EQUAL_FATAL(fs_target_parse_response(&a, &s, body, strlen(body), NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(a.text, "Négatif 👎");
    CU_ASSERT_EQUAL(a.prompt_tokens, 12);
    CU_ASSERT_EQUAL(a.completion_tokens, 3);
    fs_target_answer_dispose(&a);
    CU_ASSERT_PTR_NULL(a.text);
    const char *no_usage = "{\"choices\":[{\"message\":{\"content\":\"ok\"}}]}";
    CU_ASSERT_EQUAL_FATAL(fs_target_parse_response(&a, &s, no_usage, strlen(no_usage), NULL),
                          FS_OK);
    CU_ASSERT_EQUAL(a.prompt_tokens, -1);
    CU_ASSERT_EQUAL(a.completion_tokens, -1);
    fs_target_answer_dispose(&a);
}

static void test_target_openai__parse_completions_response(void)
{
    fs_target_spec s = spec_of(FS_TARGET_OPENAI_COMPLETIONS, NULL);
    fs_target_answer a;
    const char *body = "{\"choices\":[{\"text\":\" 4\",\"index\":0}],\"usage\":"
                       "{\"prompt_tokens\":4,\"completion_tokens\":1,\"total_tokens\":5}}";
    CU_ASSERT_EQUAL_FATAL(fs_target_parse_response(&a, &s, body, strlen(body), NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(a.text, " 4");
    CU_ASSERT_EQUAL(a.prompt_tokens, 4);
    fs_target_answer_dispose(&a);
    /* A chat-shaped body is not a completions answer. */
    const char *chat = "{\"choices\":[{\"message\":{\"content\":\"4\"}}]}";
    fs_error err;
    CU_ASSERT_EQUAL(fs_target_parse_response(&a, &s, chat, strlen(chat), &err), FS_ERR_TARGET);
    CU_ASSERT_STRING_EQUAL(err.msg, "response has no choices[0].text");
}

static void test_target_openai__bad_responses_are_target_errors(void)
{
    static const char *const bodies[] = {
        "{\"choices\": [",
        "",
        "[1]",
        "{\"object\":\"chat.completion\"}",
        "{\"choices\":[]}",
        "{\"choices\":[{\"message\":{\"content\":null}}]}",
        "{\"error\":{\"message\":\"model not loaded\",\"type\":\"server_error\"}}",
    };
    static const char *const msgs[] = {
        "response is not valid JSON",
        "response is not valid JSON",
        "response is not a JSON object",
        "response has no choices[0].message.content",
        "response has no choices[0].message.content",
        "response choices[0].message.content is not a string",
        "response has no choices[0].message.content (error: model not loaded)",
    };
    fs_target_spec s = spec_of(FS_TARGET_OPENAI_CHAT, NULL);
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        fs_target_answer a;
        fs_error err;
        CU_ASSERT_EQUAL(fs_target_parse_response(&a, &s, bodies[i], strlen(bodies[i]), &err),
                        FS_ERR_TARGET);
        CU_ASSERT_STRING_EQUAL(err.msg, msgs[i]);
        CU_ASSERT_PTR_NULL(a.text);
    }
}

const fs_test_case fs_target_openai_tests[] = {
    { "test_target_openai__type_names_round_trip", test_target_openai__type_names_round_trip },
    { "test_target_openai__chat_body_exact", test_target_openai__chat_body_exact },
    { "test_target_openai__completions_body_with_params",
      test_target_openai__completions_body_with_params },
    { "test_target_openai__chat_body_without_model", test_target_openai__chat_body_without_model },
    { "test_target_openai__bad_params_are_config_errors",
      test_target_openai__bad_params_are_config_errors },
    { "test_target_openai__identity_is_canonical", test_target_openai__identity_is_canonical },
    { "test_target_openai__parse_chat_response", test_target_openai__parse_chat_response },
    { "test_target_openai__parse_completions_response",
      test_target_openai__parse_completions_response },
    { "test_target_openai__bad_responses_are_target_errors",
      test_target_openai__bad_responses_are_target_errors },
    { NULL, NULL },
};
