/* audit.config: numbers too large for the C type a config value is kept in are clamped
 * when the config is loaded, never cast out of range; run.fail_fast.unreachable_s has its
 * default, its range and its unit. */
#include "fs_test.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fairshake/audit.h"

/* A config with one target of type, its extra keys target_keys and run keys run_keys. */
static fs_status load(fs_config **out, const char *type, const char *target_keys,
                      const char *run_keys)
{
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "{\"name\": \"c\", \"dataset\": {\"path\": \"none.jsonl\"},\n"
                     " \"task\": {\"type\": \"generation\", \"prompt\": \"{{input}}\"},\n"
                     " \"targets\": [{\"name\": \"t\", \"type\": \"%s\", %s}],\n"
                     " \"run\": {%s}}\n",
                     type, target_keys, run_keys);
    CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof text);
    return fs_config_parse(out, text, (size_t)n, "c.json", NULL);
}

static const char chat[] = "\"url\": \"http://127.0.0.1:9/v1/chat/completions\"";

static void test_audit_config__retry_after_beyond_long_is_never(void)
{
    static const char *const huge[] = { "1e308", "1e16" };
    fs_config *cfg = NULL;
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        char run[128];
        snprintf(run, sizeof run, "\"fail_fast\": {\"retry_after_s\": %s}", huge[i]);
        CU_ASSERT_EQUAL_FATAL(load(&cfg, "openai-chat", chat, run), FS_OK);
        CU_ASSERT_EQUAL(cfg->fail_fast_retry_after_ms, LONG_MAX);
        fs_config_free(cfg);
    }
    CU_ASSERT_EQUAL_FATAL(
        load(&cfg, "openai-chat", chat, "\"fail_fast\": {\"retry_after_s\": 2.5}"), FS_OK);
    CU_ASSERT_EQUAL(cfg->fail_fast_retry_after_ms, 2500);
    fs_config_free(cfg);
}

static void test_audit_config__integers_beyond_int_are_clamped(void)
{
    fs_config *cfg = NULL;
    CU_ASSERT_EQUAL_FATAL(load(&cfg, "openai-completions",
                               "\"url\": \"http://127.0.0.1:9/v1/completions\", "
                               "\"logprobs\": 3000000000",
                               ""),
                          FS_OK);
    CU_ASSERT_EQUAL(cfg->targets[0].top_logprobs, INT_MAX);
    fs_config_free(cfg);
    CU_ASSERT_EQUAL_FATAL(load(&cfg, "rest",
                               "\"url\": \"http://127.0.0.1:9/\", \"body_template\": "
                               "{\"q\": \"{{input}}\"}, \"answer_pointer\": \"/a\", "
                               "\"ok_statuses\": [200, 4000000000, -4000000000]",
                               ""),
                          FS_OK);
    CU_ASSERT_EQUAL_FATAL(cfg->targets[0].n_ok_statuses, 3);
    CU_ASSERT_EQUAL(cfg->targets[0].ok_statuses[0], 200);
    CU_ASSERT_EQUAL(cfg->targets[0].ok_statuses[1], INT_MAX);
    CU_ASSERT_EQUAL(cfg->targets[0].ok_statuses[2], INT_MIN);
    fs_config_free(cfg);
    CU_ASSERT_EQUAL(load(&cfg, "exec", "\"command\": [\"model\"], \"processes\": 5000000000", ""),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(cfg);
}

static void test_audit_config__unreachable_default_range_and_unit(void)
{
    fs_config *cfg = NULL;
    CU_ASSERT_EQUAL_FATAL(load(&cfg, "openai-chat", chat, ""), FS_OK);
    CU_ASSERT_EQUAL(cfg->fail_fast_unreachable_ms, 10000);
    fs_config_free(cfg);
    CU_ASSERT_EQUAL_FATAL(
        load(&cfg, "openai-chat", chat, "\"fail_fast\": {\"unreachable_s\": 2.5}"), FS_OK);
    CU_ASSERT_EQUAL(cfg->fail_fast_unreachable_ms, 2500);
    fs_config_free(cfg);
    CU_ASSERT_EQUAL_FATAL(load(&cfg, "openai-chat", chat, "\"fail_fast\": {\"unreachable_s\": 0}"),
                          FS_OK);
    CU_ASSERT_EQUAL(cfg->fail_fast_unreachable_ms, 0);
    fs_config_free(cfg);
    static const char *const bad[] = { "-1", "86401", "1e308" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char run[128];
        snprintf(run, sizeof run, "\"fail_fast\": {\"unreachable_s\": %s}", bad[i]);
        cfg = NULL;
        CU_ASSERT_EQUAL(load(&cfg, "openai-chat", chat, run), FS_ERR_CONFIG);
        CU_ASSERT_PTR_NULL(cfg);
        fs_config_free(cfg);
    }
}

const fs_test_case fs_audit_config_tests[] = {
    { "test_audit_config__unreachable_default_range_and_unit",
      test_audit_config__unreachable_default_range_and_unit },
    { "test_audit_config__retry_after_beyond_long_is_never",
      test_audit_config__retry_after_beyond_long_is_never },
    { "test_audit_config__integers_beyond_int_are_clamped",
      test_audit_config__integers_beyond_int_are_clamped },
    { NULL, NULL },
};
