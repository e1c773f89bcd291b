/* core.text: ICU segmentation, case mapping, normalisation on real Unicode. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/core.h"

static void test_core_text__graphemes_keep_clusters(void)
{
    /* e + combining acute, a family emoji (ZWJ sequence), a flag, CJK, Hebrew */
    const char *s = "e\xCC\x81"
                    "👨‍👩‍👧"
                    "🇫🇷"
                    "日本"
                    "שלום";
    fs_text_span *spans = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(fs_text_segment(&spans, &n, s, strlen(s), FS_TEXT_GRAPHEME, NULL), FS_OK);
    CU_ASSERT_EQUAL(n, 1 + 1 + 1 + 2 + 4);
    CU_ASSERT_EQUAL(spans[0].end - spans[0].start, 3);
    CU_ASSERT_EQUAL(spans[n - 1].end, strlen(s));
    fs_free(spans);
}

static void test_core_text__words_have_kinds(void)
{
    const char *s = "Zoë paid 42 € for 寿司, didn't she?";
    fs_text_span *spans = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(fs_text_segment(&spans, &n, s, strlen(s), FS_TEXT_WORD, NULL), FS_OK);
    int letters = 0, numbers = 0, ideo = 0;
    for (size_t i = 0; i < n; i++) {
        letters += spans[i].kind == 1;
        numbers += spans[i].kind == 2;
        ideo += spans[i].kind == 3;
    }
    CU_ASSERT_EQUAL(letters, 5); /* Zoë paid for didn't she */
    CU_ASSERT_EQUAL(numbers, 1);
    CU_ASSERT_TRUE(ideo >= 1);
    fs_free(spans);
}

static void test_core_text__case_mapping_is_full(void)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(
        fs_text_case_map(&b, "straße ÉCOLE", strlen("straße ÉCOLE"), FS_CASE_UPPER, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), "STRASSE ÉCOLE");
    fs_buf_reset(&b);
    CU_ASSERT_EQUAL(fs_text_case_map(&b, "ΣΟΦΊΑ", strlen("ΣΟΦΊΑ"), FS_CASE_LOWER, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), "σοφία");
    fs_buf_dispose(&b);
    fs_text_class k = fs_text_classify("É", strlen("É"));
    CU_ASSERT_TRUE(k.is_alpha && k.is_upper && k.has_case);
    k = fs_text_classify("日", strlen("日"));
    CU_ASSERT_TRUE(k.is_alpha && !k.has_case);
}

static void test_core_text__normalize_and_validate(void)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL(fs_text_normalize(&b, "e\xCC\x81", 3, FS_FORM_NFC, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), "é");
    fs_buf_dispose(&b);
    CU_ASSERT_TRUE(fs_text_valid_utf8("héllo 😀", strlen("héllo 😀")));
    CU_ASSERT_FALSE(fs_text_valid_utf8("\xC3(", 2));
    CU_ASSERT_FALSE(fs_text_valid_utf8("a\0b", 3));
}

const fs_test_case fs_core_text_tests[] = {
    { "test_core_text__graphemes_keep_clusters", test_core_text__graphemes_keep_clusters },
    { "test_core_text__words_have_kinds", test_core_text__words_have_kinds },
    { "test_core_text__case_mapping_is_full", test_core_text__case_mapping_is_full },
    { "test_core_text__normalize_and_validate", test_core_text__normalize_and_validate },
    { NULL, NULL },
};
