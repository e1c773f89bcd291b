/* target.prompt: placeholders are replaced, spaces inside braces are allowed, unknown
 * placeholders and unterminated braces are configuration errors naming the problem. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/target.h"

static const char *const labels[] = { "positive", "negative" };

static void test_target_prompt__renders_input_and_labels(void)
{
    fs_buf out = FS_BUF_INIT;
    const char *input = "Great film!";
    CU_ASSERT_EQUAL_FATAL(fs_prompt_render(&out, "Labels: {{label_list}}\nText: {{input}}\nA:",
                                           input, strlen(input), labels, 2, NULL),
                          FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "Labels: positive, negative\nText: Great film!\nA:");
    fs_buf_dispose(&out);
}

static void test_target_prompt__spaces_inside_braces_and_repeats(void)
{
    fs_buf out = FS_BUF_INIT;
    CU_ASSERT_EQUAL_FATAL(
        fs_prompt_render(&out, "[{{ input }}|{{input\t}}] {x} }} {", "ab", 2, NULL, 0, NULL),
        FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "[ab|ab] {x} }} {");
    fs_buf_dispose(&out);
}

static void test_target_prompt__unicode_input_is_copied_exactly(void)
{
    fs_buf out = FS_BUF_INIT;
    /* Accents, CJK, emoji with a ZWJ sequence, Arabic (RTL). */
    const char *input = "Café 東京 👩‍💻 مرحبا";
    CU_ASSERT_EQUAL_FATAL(
        fs_prompt_render(&out, "«{{input}}»", input, strlen(input), NULL, 0, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "«Café 東京 👩‍💻 مرحبا»");
    /* Only n bytes of input are used: it need not be NUL-terminated there. */
    fs_buf_reset(&out);
    CU_ASSERT_EQUAL_FATAL(fs_prompt_render(&out, "<{{input}}>", "Café!", 5, NULL, 0, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "<Café>");
    fs_buf_dispose(&out);
}

static void test_target_prompt__unknown_placeholder_names_nearest(void)
{
    fs_buf out = FS_BUF_INIT;
    fs_error err;
    fs_buf_puts(&out, "keep");
    CU_ASSERT_EQUAL(fs_prompt_render(&out, "Text: {{inptu}}", "x", 1, NULL, 0, &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "prompt: unknown placeholder '{{inptu}}' (did you mean '{{input}}'?)");
    /* Nothing was appended on failure. */
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "keep");
    CU_ASSERT_EQUAL(fs_prompt_check("{{ labels_list }}", &err), FS_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(
        err.msg, "prompt: unknown placeholder '{{labels_list}}' (did you mean '{{label_list}}'?)");
    CU_ASSERT_EQUAL(fs_prompt_check("{{xyz}}", &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'{{xyz}}'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "known: '{{input}}', '{{label_list}}'"));
    fs_buf_dispose(&out);
}

static void test_target_prompt__unterminated_braces_fail(void)
{
    fs_error err;
    CU_ASSERT_EQUAL(fs_prompt_check("Text: {{input", &err), FS_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(err.msg, "prompt: unterminated '{{' at offset 6");
    CU_ASSERT_EQUAL(fs_prompt_check("{{input}} and {{", &err), FS_ERR_CONFIG);
    CU_ASSERT_EQUAL(fs_prompt_check("{{input}} {x}", &err), FS_OK);
    CU_ASSERT_EQUAL(fs_prompt_check(NULL, &err), FS_ERR_CONFIG);
}

static void test_target_prompt__buffer_limit_is_reported(void)
{
    fs_buf out;
    fs_error err;
    fs_buf_init(&out, 8);
    CU_ASSERT_EQUAL(fs_prompt_render(&out, "{{input}}", "0123456789", 10, NULL, 0, &err),
                    FS_ERR_LIMIT);
    fs_buf_dispose(&out);
}

const fs_test_case fs_target_prompt_tests[] = {
    { "test_target_prompt__renders_input_and_labels",
      test_target_prompt__renders_input_and_labels },
    { "test_target_prompt__spaces_inside_braces_and_repeats",
      test_target_prompt__spaces_inside_braces_and_repeats },
    { "test_target_prompt__unicode_input_is_copied_exactly",
      test_target_prompt__unicode_input_is_copied_exactly },
    { "test_target_prompt__unknown_placeholder_names_nearest",
      test_target_prompt__unknown_placeholder_names_nearest },
    { "test_target_prompt__unterminated_braces_fail",
      test_target_prompt__unterminated_braces_fail },
    { "test_target_prompt__buffer_limit_is_reported",
      test_target_prompt__buffer_limit_is_reported },
    { NULL, NULL },
};
