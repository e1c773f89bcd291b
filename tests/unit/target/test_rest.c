/* target.rest: JSON Pointer (RFC 6901), rest body templates (JSON-escaped placeholders,
 * Unicode kept), ${VAR} header expansion, spec checks, identities of the new types, and
 * response parsing for rest, exec and openai-completions with logprobs. */
#include "fs_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fairshake/target.h"
#include "target/internal.h"

static void test_target_rest__json_pointer(void)
{
    /* The example document of RFC 6901, section 5. */
    const char *doc = "{\"foo\":[\"bar\",\"baz\"],\"\":0,\"a/b\":1,\"c%d\":2,\"e^f\":3,\"g|h\":4,"
                      "\"i\\\\j\":5,\"k\\\"l\":6,\" \":7,\"m~n\":8,\"日本\":{\"ok\":true}}";
    cJSON *root = NULL;
    CU_ASSERT_FATAL(fs_json__parse(&root, doc, strlen(doc), "doc", NULL) == FS_OK);
    CU_ASSERT_PTR_EQUAL(fs_target__pointer_get(root, ""), root);
    const cJSON *foo = fs_target__pointer_get(root, "/foo");
    CU_ASSERT_TRUE(cJSON_IsArray(foo));
    CU_ASSERT_STRING_EQUAL(fs_target__pointer_get(root, "/foo/0")->valuestring, "bar");
    CU_ASSERT_STRING_EQUAL(fs_target__pointer_get(root, "/foo/1")->valuestring, "baz");
    static const struct {
        const char *ptr;
        int value;
    } cases[] = { { "/", 0 },     { "/a~1b", 1 }, { "/c%d", 2 }, { "/e^f", 3 }, { "/g|h", 4 },
                  { "/i\\j", 5 }, { "/k\"l", 6 }, { "/ ", 7 },   { "/m~0n", 8 } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const cJSON *v = fs_target__pointer_get(root, cases[i].ptr);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_EQUAL(v->valueint, cases[i].value);
    }
    CU_ASSERT_TRUE(cJSON_IsTrue(fs_target__pointer_get(root, "/日本/ok")));
    CU_ASSERT_PTR_NULL(fs_target__pointer_get(root, "/foo/2"));
    CU_ASSERT_PTR_NULL(fs_target__pointer_get(root, "/foo/01")); /* no leading zeros */
    CU_ASSERT_PTR_NULL(fs_target__pointer_get(root, "/foo/-"));
    CU_ASSERT_PTR_NULL(fs_target__pointer_get(root, "/nope"));
    CU_ASSERT_PTR_NULL(fs_target__pointer_get(root, "/a~1b/x")); /* into a number */
    CU_ASSERT_PTR_NULL(fs_target__pointer_get(root, "foo"));     /* must start with / */
    CU_ASSERT_PTR_NULL(fs_target__pointer_get(root, "/m~2n"));   /* bad escape */
    CU_ASSERT_FALSE(fs_target__pointer_valid("/a~"));
    CU_ASSERT_TRUE(fs_target__pointer_valid("/a~0~1"));
    cJSON_Delete(root);
}

static char *render(const char *tmpl, const char *input, fs_status *st)
{
    fs_buf b = FS_BUF_INIT;
    fs_error err;
    *st = fs_target__render_template(&b, tmpl, input, strlen(input), "m-1", &err);
    return fs_buf_take(&b, NULL);
}

static void test_target_rest__template_escapes_placeholders(void)
{
    fs_status st;
    char *s = render("{\"q\": \"Say: {{input}}\", \"m\": {{model}}, \"raw\": {{input}}}",
                     "He said \"héllo\"\n\\ 日本 👋 שלום", &st);
    CU_ASSERT_EQUAL(st, FS_OK);
    CU_ASSERT_STRING_EQUAL(s, "{\"q\": \"Say: He said \\\"héllo\\\"\\n\\\\ 日本 👋 שלום\", \"m\": "
                              "\"m-1\", \"raw\": \"He said \\\"héllo\\\"\\n\\\\ 日本 👋 שלום\"}");
    cJSON *root = NULL;
    CU_ASSERT_EQUAL(fs_json__parse(&root, s, strlen(s), "body", NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_json__str(root, "raw"), "He said \"héllo\"\n\\ 日本 👋 שלום");
    cJSON_Delete(root);
    fs_free(s);
    /* An escaped quote inside a string does not end it. */
    s = render("{\"a\":\"x\\\"{{input}}\"}", "y", &st);
    CU_ASSERT_STRING_EQUAL(s, "{\"a\":\"x\\\"y\"}");
    fs_free(s);
    s = render("{\"a\":\"{{prompt}}\"}", "y", &st);
    CU_ASSERT_EQUAL(st, FS_ERR_CONFIG);
    fs_free(s);
}

static void test_target_rest__env_expansion(void)
{
    char missing[64];
    fs_buf b = FS_BUF_INIT;
    setenv("FS_TEST_REST_TOKEN", "tok-ü-1", 1);
    CU_ASSERT_TRUE(fs_target__expand_env(&b, "X-Key: ${FS_TEST_REST_TOKEN}; $HOME ${", missing,
                                         sizeof missing));
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), "X-Key: tok-ü-1; $HOME ${");
    fs_buf_reset(&b);
    unsetenv("FS_TEST_REST_NOPE");
    CU_ASSERT_FALSE(fs_target__expand_env(&b, "A: ${FS_TEST_REST_NOPE}", missing, sizeof missing));
    CU_ASSERT_STRING_EQUAL(missing, "FS_TEST_REST_NOPE");
    unsetenv("FS_TEST_REST_TOKEN");
    fs_buf_dispose(&b);
}

static fs_target_spec rest_spec(const char *tmpl, const char *ptr)
{
    static const char *const headers[] = { "X-Api-Key: ${FS_TEST_REST_SECRET}" };
    fs_target_spec s = { .name = "svc",
                         .type = FS_TARGET_REST,
                         .url = "http://127.0.0.1:1/classify",
                         .model = "m",
                         .body_template = tmpl,
                         .headers = headers,
                         .n_headers = 1,
                         .answer_pointer = ptr };
    return s;
}

static void test_target_rest__check_and_identity(void)
{
    fs_error err;
    fs_target_spec s = rest_spec("{\"text\":\"{{input}}\"}", "/result/label");
    CU_ASSERT_EQUAL(fs_target_check(&s, &err), FS_OK);
    fs_buf b = FS_BUF_INIT;
    CU_ASSERT_EQUAL(fs_target_identity(&b, &s, &err), FS_OK);
    /* The header template takes part, never the secret's value. */
    CU_ASSERT_PTR_NOT_NULL(strstr(fs_buf_cstr(&b), "${FS_TEST_REST_SECRET}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(fs_buf_cstr(&b), "rest|http://127.0.0.1:1/classify|m|{}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(fs_buf_cstr(&b), "|/result/label"));
    fs_buf_dispose(&b);
    s = rest_spec("{\"text\":\"{{input}}\"", "/x");
    CU_ASSERT_EQUAL(fs_target_check(&s, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "body_template does not give valid JSON"));
    s = rest_spec("{\"text\":\"{{input}}\"}", "result");
    CU_ASSERT_EQUAL(fs_target_check(&s, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "answer_pointer 'result'"));
    s = rest_spec(NULL, "/x");
    CU_ASSERT_EQUAL(fs_target_check(&s, &err), FS_ERR_CONFIG);
    static const char *const bad_headers[] = { "no colon here" };
    s = rest_spec("{}", "/x");
    s.headers = bad_headers;
    CU_ASSERT_EQUAL(fs_target_check(&s, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "headers[0]"));
    fs_target_spec e = { .name = "local", .type = FS_TARGET_EXEC };
    CU_ASSERT_EQUAL(fs_target_check(&e, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "needs a command"));
    static const char *const argv[] = { "python3", "model.py" };
    e.argv = argv;
    e.argc = 2;
    CU_ASSERT_EQUAL(fs_target_check(&e, &err), FS_OK);
    fs_target_type t = FS_TARGET_OPENAI_CHAT;
    CU_ASSERT_TRUE(fs_target_type_parse("exec", &t));
    CU_ASSERT_EQUAL(t, FS_TARGET_EXEC);
    CU_ASSERT_TRUE(fs_target_type_parse("rest", &t));
    CU_ASSERT_STRING_EQUAL(fs_target_type_name(FS_TARGET_REST), "rest");
}

static void test_target_rest__bodies_of_new_types(void)
{
    fs_buf b = FS_BUF_INIT;
    fs_target_spec s = rest_spec("{\"text\":\"{{input}}\",\"lang\":\"ar\"}", "/label");
    CU_ASSERT_EQUAL(fs_target_build_body(&b, &s, "مرحبا \"x\"", strlen("مرحبا \"x\""), NULL),
                    FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), "{\"text\":\"مرحبا \\\"x\\\"\",\"lang\":\"ar\"}");
    fs_buf_reset(&b);
    static const char *const argv[] = { "prog" };
    fs_target_spec e = { .name = "local",
                         .type = FS_TARGET_EXEC,
                         .argv = argv,
                         .argc = 1,
                         .params_json = "{\"temperature\":0}" };
    CU_ASSERT_EQUAL(fs_target_build_body(&b, &e, "café", strlen("café"), NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), "{\"input\":\"café\",\"temperature\":0}");
    fs_buf_reset(&b);
    fs_target_spec c = { .name = "lm",
                         .type = FS_TARGET_OPENAI_COMPLETIONS,
                         .url = "http://127.0.0.1:1/v1/completions",
                         .model = "lm",
                         .params_json = "{\"max_tokens\":0}",
                         .logprobs = true,
                         .echo = true };
    CU_ASSERT_EQUAL(fs_target_build_body(&b, &c, "a b", 3, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), "{\"model\":\"lm\",\"prompt\":\"a b\",\"logprobs\":0,"
                                            "\"echo\":true,\"max_tokens\":0}");
    fs_buf_reset(&b);
    c.params_json = "{\"echo\":false}";
    CU_ASSERT_EQUAL(fs_target_build_body(&b, &c, "a", 1, NULL), FS_ERR_CONFIG);
    fs_buf_dispose(&b);
}

static void test_target_rest__parse_rest_and_exec_answers(void)
{
    fs_target_answer a;
    fs_error err;
    fs_target_spec s = rest_spec("{}", "/result/labels/0");
    const char *body =
        "{\"result\":{\"labels\":[\"négatif\",\"x\"]},\"usage\":{\"prompt_tokens\":4}}";
    CU_ASSERT_EQUAL(fs_target_parse_response(&a, &s, body, strlen(body), &err), FS_OK);
    CU_ASSERT_STRING_EQUAL(a.text, "négatif");
    CU_ASSERT_EQUAL(a.prompt_tokens, 4);
    CU_ASSERT_EQUAL(a.completion_tokens, -1);
    fs_target_answer_dispose(&a);
    s.answer_pointer = "/score";
    CU_ASSERT_EQUAL(fs_target_parse_response(&a, &s, "{\"score\":0.25}", 14, &err), FS_OK);
    CU_ASSERT_STRING_EQUAL(a.text, "0.25");
    fs_target_answer_dispose(&a);
    CU_ASSERT_EQUAL(fs_target_parse_response(&a, &s, "{\"score\":null}", 14, &err), FS_ERR_TARGET);
    CU_ASSERT_STRING_EQUAL(err.msg, "response has no /score");
    CU_ASSERT_PTR_NULL(a.text);
    static const char *const argv[] = { "prog" };
    fs_target_spec e = { .name = "local", .type = FS_TARGET_EXEC, .argv = argv, .argc = 1 };
    const char *line = "{\"id\":3,\"output\":\"שלום\"}";
    CU_ASSERT_EQUAL(fs_target_parse_response(&a, &e, line, strlen(line), &err), FS_OK);
    CU_ASSERT_STRING_EQUAL(a.text, "שלום");
    fs_target_answer_dispose(&a);
    const char *bad = "{\"id\":3,\"error\":\"cannot answer\"}";
    CU_ASSERT_EQUAL(fs_target_parse_response(&a, &e, bad, strlen(bad), &err), FS_ERR_TARGET);
    CU_ASSERT_STRING_EQUAL(err.msg, "response has no /output (error: cannot answer)");
}

static void test_target_rest__completions_logprobs(void)
{
    fs_target_answer a;
    fs_error err;
    fs_target_spec c = { .name = "lm",
                         .type = FS_TARGET_OPENAI_COMPLETIONS,
                         .url = "http://127.0.0.1:1/v1/completions",
                         .logprobs = true };
    const char *body = "{\"choices\":[{\"text\":\"the cat\",\"logprobs\":{\"tokens\":[\"the\","
                       "\" cat\",\" sat\"],\"token_logprobs\":[null,-1.5,-0.25]}}]}";
    CU_ASSERT_EQUAL(fs_target_parse_response(&a, &c, body, strlen(body), &err), FS_OK);
    CU_ASSERT_STRING_EQUAL(a.text, "the cat");
    CU_ASSERT_EQUAL_FATAL(a.n_logprobs, 2);
    CU_ASSERT_DOUBLE_EQUAL(a.logprobs[0], -1.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(a.logprobs[1], -0.25, 1e-12);
    fs_target_answer_dispose(&a);
    CU_ASSERT_PTR_NULL(a.logprobs);
    CU_ASSERT_EQUAL(a.n_logprobs, 0);
    const char *none = "{\"choices\":[{\"text\":\"x\"}]}";
    CU_ASSERT_EQUAL(fs_target_parse_response(&a, &c, none, strlen(none), &err), FS_OK);
    CU_ASSERT_PTR_NULL(a.logprobs);
    fs_target_answer_dispose(&a);
    const char *bad = "{\"choices\":[{\"text\":\"x\",\"logprobs\":{\"token_logprobs\":[\"a\"]}}]}";
    CU_ASSERT_EQUAL(fs_target_parse_response(&a, &c, bad, strlen(bad), &err), FS_ERR_TARGET);
    CU_ASSERT_PTR_NULL(a.text);
    CU_ASSERT_PTR_NULL(a.logprobs);
}

const fs_test_case fs_target_rest_tests[] = {
    { "test_target_rest__json_pointer", test_target_rest__json_pointer },
    { "test_target_rest__template_escapes_placeholders",
      test_target_rest__template_escapes_placeholders },
    { "test_target_rest__env_expansion", test_target_rest__env_expansion },
    { "test_target_rest__check_and_identity", test_target_rest__check_and_identity },
    { "test_target_rest__bodies_of_new_types", test_target_rest__bodies_of_new_types },
    { "test_target_rest__parse_rest_and_exec_answers",
      test_target_rest__parse_rest_and_exec_answers },
    { "test_target_rest__completions_logprobs", test_target_rest__completions_logprobs },
    { NULL, NULL },
};
