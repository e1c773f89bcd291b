/* core.buf: growable buffer, JSON string escaping, number formatting, params. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/core.h"

static void test_core_buf__append_and_take(void)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++) {
        fs_buf_puts(&b, "ab");
    }
    fs_buf_printf(&b, "%d-%s", 42, "x");
    CU_ASSERT_EQUAL(fs_buf_status(&b), FS_OK);
    /* one assertion: after a failed allocation the buffer is shorter than 2000 bytes */
    CU_ASSERT(b.len == 2004 && strcmp(fs_buf_cstr(&b) + 2000, "42-x") == 0);
    size_t len = 0;
    char *p = fs_buf_take(&b, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(len, 2004);
    CU_ASSERT_EQUAL(b.len, 0);
    fs_free(p);
    fs_buf_dispose(&b);
}

static void test_core_buf__cap_is_sticky(void)
{
    fs_buf b;
    fs_buf_init(&b, 8);
    fs_buf_puts(&b, "12345678");
    CU_ASSERT_EQUAL(fs_buf_status(&b), FS_OK);
    fs_buf_puts(&b, "9");
    CU_ASSERT_EQUAL(fs_buf_status(&b), FS_ERR_LIMIT);
    fs_buf_puts(&b, "");
    CU_ASSERT_EQUAL(fs_buf_status(&b), FS_ERR_LIMIT);
    CU_ASSERT_PTR_NULL(fs_buf_take(&b, NULL));
    fs_buf_dispose(&b);
}

static void test_core_buf__json_string_escapes(void)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    const char in[] = "a\"b\\c\nd\x01 é😀";
    fs_buf_put_json_string(&b, in, sizeof in - 1);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), "\"a\\\"b\\\\c\\nd\\u0001 é😀\"");
    fs_buf_dispose(&b);
}

static void test_core_buf__double_round_trips(void)
{
    char out[40];
    fs_fmt_double(out, sizeof out, 0.1);
    CU_ASSERT_STRING_EQUAL(out, "0.1");
    fs_fmt_double(out, sizeof out, 1.0 / 3.0);
    double back = 0;
    CU_ASSERT_TRUE(fs_parse_double(out, &back));
    CU_ASSERT_EQUAL(back, 1.0 / 3.0);
    fs_fmt_double(out, sizeof out, 0.0 / 0.0);
    CU_ASSERT_STRING_EQUAL(out, "null");
    int64_t i = 0;
    CU_ASSERT_TRUE(fs_parse_i64("-17", &i));
    CU_ASSERT_EQUAL(i, -17);
    CU_ASSERT_FALSE(fs_parse_i64("12x", &i));
    CU_ASSERT_FALSE(fs_parse_double("", &back));
}

static void test_core_buf__params_and_nearest(void)
{
    fs_params p;
    fs_params_init(&p);
    CU_ASSERT_EQUAL(fs_params_set(&p, "rate", "0.1", NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_params_set(&p, "layout", "qwerty", NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_params_set(&p, "rate", "0.2", NULL), FS_OK);
    CU_ASSERT_EQUAL(p.count, 2);
    CU_ASSERT_STRING_EQUAL(fs_params_get(&p, "rate"), "0.2");
    CU_ASSERT_PTR_NULL(fs_params_get(&p, "seed"));
    fs_params_dispose(&p);
    static const char *const keys[] = { "concurrency", "timeout_ms", "retries", "store" };
    CU_ASSERT_STRING_EQUAL(fs_nearest("concurency", keys, 4), "concurrency");
    CU_ASSERT_STRING_EQUAL(fs_nearest("retry", keys, 4), "retries");
    CU_ASSERT_PTR_NULL(fs_nearest("zzzzzzzzzzzz", keys, 4));
}

const fs_test_case fs_core_buf_tests[] = {
    { "test_core_buf__append_and_take", test_core_buf__append_and_take },
    { "test_core_buf__cap_is_sticky", test_core_buf__cap_is_sticky },
    { "test_core_buf__json_string_escapes", test_core_buf__json_string_escapes },
    { "test_core_buf__double_round_trips", test_core_buf__double_round_trips },
    { "test_core_buf__params_and_nearest", test_core_buf__params_and_nearest },
    { NULL, NULL },
};
