/* core.text: ICU segmentation, case mapping, normalisation on real Unicode. */
#include "fs_test.h"

#include <stdio.h>
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

/* NFKD and NFKC expand U+FDFA to 18 code points, more than the fourfold first guess of
 * the UTF-16 buffer: the text is normalised again into a buffer of the size ICU asks for,
 * as the reusable normaliser does. */
static void test_core_text__normalize_expands_eighteenfold(void)
{
    static const char salla[] = "\xD8\xB5\xD9\x84\xD9\x89 \xD8\xA7\xD9\x84\xD9\x84\xD9\x87 "
                                "\xD8\xB9\xD9\x84\xD9\x8A\xD9\x87 \xD9\x88\xD8\xB3\xD9\x84\xD9\x85";
    static const char three[] = "\xEF\xB7\xBA\xEF\xB7\xBA\xEF\xB7\xBA"; /* U+FDFA x3 */
    fs_text_normalizer *nz = NULL;
    fs_buf a, b, want;
    CU_ASSERT_EQUAL_FATAL(fs_text_normalizer_new(&nz, NULL), FS_OK);
    fs_buf_init(&a, 0);
    fs_buf_init(&b, 0);
    fs_buf_init(&want, 0);
    for (int i = 0; i < 3; i++) {
        fs_buf_puts(&want, salla);
    }
    for (int f = FS_FORM_NFKC; f <= FS_FORM_NFKD; f++) {
        fs_buf_reset(&a);
        fs_buf_reset(&b);
        CU_ASSERT_EQUAL(fs_text_normalize(&a, three, 9, (fs_text_form)f, NULL), FS_OK);
        CU_ASSERT_EQUAL(fs_text_normalizer_run(nz, &b, three, 9, (fs_text_form)f, NULL), FS_OK);
        CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&a), fs_buf_cstr(&want));
        CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), fs_buf_cstr(&want));
    }
    fs_text_normalizer_free(nz);
    fs_buf_dispose(&a);
    fs_buf_dispose(&b);
    fs_buf_dispose(&want);
}

/* Text whose code points are all below U+0300 is segmented without ICU; appending a CJK
 * character sends the same text through ICU, whose clusters must match. */
static void test_core_text__simple_graphemes_match_icu(void)
{
    fs_text_segmenter *seg = NULL;
    fs_rng rng;
    fs_buf b;
    CU_ASSERT_EQUAL_FATAL(fs_text_segmenter_new(&seg, FS_TEXT_GRAPHEME, NULL), FS_OK);
    fs_rng_seed(&rng, 99);
    fs_buf_init(&b, 0);
    for (int round = 0; round < 300; round++) {
        fs_buf_reset(&b);
        size_t len = 1 + (size_t)fs_rng_below(&rng, 40);
        for (size_t i = 0; i < len; i++) {
            uint64_t pick = fs_rng_below(&rng, 10);
            uint32_t cp = pick == 0   ? (uint32_t)'\r'
                          : pick == 1 ? (uint32_t)'\n'
                          : pick == 2 ? (uint32_t)fs_rng_below(&rng, 0x20)
                                      : 0x20 + (uint32_t)fs_rng_below(&rng, 0x300 - 0x20);
            fs_text_put_cp(&b, cp == 0 ? 1 : cp);
        }
        if (fs_buf_status(&b) != FS_OK) {
            CU_FAIL("could not build the text");
            goto done;
        }
        size_t n = b.len;
        const fs_text_span *sp = NULL;
        size_t fast_n = 0, icu_n = 0;
        if (fs_text_segmenter_run(seg, &sp, &fast_n, b.data, n, NULL) != FS_OK) {
            CU_FAIL("fs_text_segmenter_run() failed on text below U+0300");
            goto done;
        }
        fs_text_span fast[128];
        if (fast_n > 128) {
            CU_FAIL("more clusters than the copy holds");
            goto done;
        }
        memcpy(fast, sp, fast_n * sizeof *sp);
        fs_buf_puts(&b, "日");
        if (fs_buf_status(&b) != FS_OK) {
            CU_FAIL("could not append the CJK character");
            goto done;
        }
        if (fs_text_segmenter_run(seg, &sp, &icu_n, b.data, b.len, NULL) != FS_OK) {
            CU_FAIL("fs_text_segmenter_run() failed on text with a CJK character");
            goto done;
        }
        if (icu_n != fast_n + 1) {
            CU_FAIL("ICU found another number of clusters than the fast path");
            goto done;
        }
        for (size_t i = 0; i < fast_n; i++) {
            CU_ASSERT_EQUAL(fast[i].start, sp[i].start);
            CU_ASSERT_EQUAL(fast[i].end, sp[i].end);
        }
    }
done:
    fs_buf_dispose(&b);
    fs_text_segmenter_free(seg);
}

/* The ASCII fast path of fs_text_classify answers as ICU does: compare every ASCII
 * character with its classes read through a two-byte overlong-free path (the same code
 * point written after a non-ASCII character is classified by ICU). */
static void test_core_text__ascii_classes_match_icu(void)
{
    for (unsigned c = 1; c < 0x80; c++) {
        char one[2] = { (char)c, 0 };
        fs_text_class a = fs_text_classify(one, 1);
        /* U+FF01..U+FF5E are the fullwidth forms of 0x21..0x7E: same classes in ICU */
        if (c < 0x21 || c > 0x7E) {
            continue;
        }
        fs_buf b;
        fs_buf_init(&b, 0);
        fs_text_put_cp(&b, 0xFF01 + (c - 0x21));
        fs_text_class w = fs_text_classify(fs_buf_cstr(&b), b.len);
        fs_buf_dispose(&b);
        CU_ASSERT_EQUAL(a.is_alpha, w.is_alpha);
        CU_ASSERT_EQUAL(a.is_upper, w.is_upper);
        CU_ASSERT_EQUAL(a.is_lower, w.is_lower);
        CU_ASSERT_EQUAL(a.is_digit, w.is_digit);
        CU_ASSERT_EQUAL(a.has_case, w.has_case);
        if (a.is_punct != w.is_punct) {
            fprintf(stderr, "punct mismatch for 0x%02x\n", c);
        }
        CU_ASSERT_EQUAL(a.is_punct, w.is_punct);
    }
    CU_ASSERT_TRUE(fs_text_classify(" ", 1).is_space);
    CU_ASSERT_TRUE(fs_text_classify("\t", 1).is_space);
    CU_ASSERT_FALSE(fs_text_classify("a", 1).is_space);
}

/* A prepared UTF-16 input gives the byte spans of the UTF-8 path, around 2-, 3- and 4-byte
 * characters (surrogate pairs), lookbehinds and case-insensitive matching, and one input
 * serves several expressions and texts. */
static void test_core_text__regex_input_matches_utf8(void)
{
    static const char *const patterns[] = { "(?<![\\p{L}\\p{N}])\\p{Lu}\\p{L}+", "\\d{2,}",
                                            "(?i)(?<=mrn:)\\s?\\d+", "😀|x", "(?<=\\p{Han})\\d" };
    static const char *const texts[] = {
        "",         "plain ASCII 12 and MRN:42",     "Café Ünver 東京2024 😀 x😀y Ωmega 𝟘𝟙 mrn: 77",
        "😀😀😀 12 😀", "ſ MRN: 5 \xC3\xA9\xCC\x81 Øre", "日本3 ÉCOLE",
    };
    fs_text_regex_input *in = NULL;
    fs_text_regex *re = NULL;
    fs_text_span *a = NULL, *b = NULL;
    size_t cap_a = 0, cap_b = 0;
    CU_ASSERT_EQUAL_FATAL(fs_text_regex_input_new(&in, NULL), FS_OK);
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
        if (fs_text_regex_new(&re, patterns[p], NULL) != FS_OK) {
            CU_FAIL("fs_text_regex_new() failed on a valid pattern");
            goto done;
        }
        for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
            size_t na = 0, nb = 0, n = strlen(texts[t]);
            CU_ASSERT_EQUAL(fs_text_regex_find_all(re, texts[t], n, &a, &na, &cap_a, NULL), FS_OK);
            CU_ASSERT_EQUAL(fs_text_regex_input_set(in, texts[t], n, NULL), FS_OK);
            CU_ASSERT_EQUAL(fs_text_regex_find_all_input(re, in, &b, &nb, &cap_b, NULL), FS_OK);
            CU_ASSERT_EQUAL(na, nb);
            for (size_t i = 0; i < na && i < nb; i++) {
                CU_ASSERT_EQUAL(a[i].start, b[i].start);
                CU_ASSERT_EQUAL(a[i].end, b[i].end);
            }
        }
        fs_text_regex_free(re);
        re = NULL;
    }
    /* the emoji's two UTF-16 units map back to its 4 bytes */
    size_t nb = 0;
    if (fs_text_regex_new(&re, "😀", NULL) != FS_OK) {
        CU_FAIL("fs_text_regex_new() failed on the emoji");
        goto done;
    }
    CU_ASSERT_EQUAL(fs_text_regex_input_set(in, "a😀b", strlen("a😀b"), NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_text_regex_find_all_input(re, in, &b, &nb, &cap_b, NULL), FS_OK);
    if (nb != 1) {
        CU_FAIL("expected one match of the emoji");
        goto done;
    }
    CU_ASSERT_EQUAL(b[0].start, 1);
    CU_ASSERT_EQUAL(b[0].end, 5);
done:
    fs_text_regex_free(re);
    fs_text_regex_input_free(in);
    fs_text_regex_input_free(NULL);
    fs_free(a);
    fs_free(b);
}

/* A helper that appends to a buffer which cannot take the text reports the buffer's
 * failure instead of FS_OK with a text that reads as "". */
static void test_core_text__full_buffer_is_an_error(void)
{
    static const char text[] = "Crème brûlée, 東京, Ärger";
    fs_text_normalizer *nz = NULL;
    fs_text_casemapper *cm = NULL;
    fs_text_spellout *sp = NULL;
    fs_buf b;
    if (fs_text_normalizer_new(&nz, NULL) != FS_OK || fs_text_casemapper_new(&cm, NULL) != FS_OK ||
        fs_text_spellout_new(&sp, "en", NULL) != FS_OK) {
        CU_FAIL("cannot make the text helpers");
        goto done;
    }
    for (int k = 0; k < 6; k++) {
        fs_status st = FS_OK;
        fs_buf_init(&b, 4); /* at most 4 bytes */
        switch (k) {
        case 0:
            st = fs_text_case_map(&b, text, strlen(text), FS_CASE_FOLD, NULL);
            break;
        case 1:
            st = fs_text_casemapper_map(cm, &b, text, strlen(text), FS_CASE_UPPER, NULL);
            break;
        case 2:
            st = fs_text_normalize(&b, text, strlen(text), FS_FORM_NFD, NULL);
            break;
        case 3:
            st = fs_text_normalizer_run(nz, &b, text, strlen(text), FS_FORM_NFC, NULL);
            break;
        case 4:
            st = fs_text_normalizer_strip_marks(nz, &b, text, strlen(text), NULL);
            break;
        default:
            st = fs_text_spellout_format(sp, &b, "12345", 5, NULL);
            break;
        }
        CU_ASSERT_EQUAL(st, FS_ERR_LIMIT);
        fs_buf_dispose(&b);
        fs_buf_init(&b, 0); /* the same call with room succeeds */
        CU_ASSERT_EQUAL(k == 0 ? fs_text_case_map(&b, text, strlen(text), FS_CASE_FOLD, NULL)
                        : k == 5
                            ? fs_text_spellout_format(sp, &b, "12345", 5, NULL)
                            : fs_text_normalizer_run(nz, &b, text, strlen(text), FS_FORM_NFC, NULL),
                        FS_OK);
        CU_ASSERT(b.len > 4);
        fs_buf_dispose(&b);
    }
done:
    fs_text_spellout_free(sp);
    fs_text_casemapper_free(cm);
    fs_text_normalizer_free(nz);
}

const fs_test_case fs_core_text_tests[] = {
    { "test_core_text__full_buffer_is_an_error", test_core_text__full_buffer_is_an_error },
    { "test_core_text__regex_input_matches_utf8", test_core_text__regex_input_matches_utf8 },
    { "test_core_text__ascii_classes_match_icu", test_core_text__ascii_classes_match_icu },
    { "test_core_text__simple_graphemes_match_icu", test_core_text__simple_graphemes_match_icu },
    { "test_core_text__graphemes_keep_clusters", test_core_text__graphemes_keep_clusters },
    { "test_core_text__words_have_kinds", test_core_text__words_have_kinds },
    { "test_core_text__case_mapping_is_full", test_core_text__case_mapping_is_full },
    { "test_core_text__normalize_and_validate", test_core_text__normalize_and_validate },
    { "test_core_text__normalize_expands_eighteenfold",
      test_core_text__normalize_expands_eighteenfold },
    { NULL, NULL },
};
