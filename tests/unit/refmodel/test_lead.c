/* refmodel.lead: the lead-summarizer baseline: which text is summarised, and ICU sentence
 * boundaries with abbreviations, quotes and CJK punctuation. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "refmodel/lead.h"

static void lead(const char *prompt, size_t k, char *out, size_t cap)
{
    fs_text_segmenter *seg = NULL;
    fs_str s = { NULL, 0 };
    CU_ASSERT_EQUAL_FATAL(fs_text_segmenter_new(&seg, FS_TEXT_SENTENCE, NULL), FS_OK);
    CU_ASSERT_EQUAL(refmodel_lead_summary(seg, prompt, strlen(prompt), k, &s, NULL), FS_OK);
    fs_text_segmenter_free(seg);
    CU_ASSERT_TRUE_FATAL(s.ptr >= prompt && s.ptr + s.len <= prompt + strlen(prompt));
    snprintf(out, cap, "%.*s", (int)s.len, s.ptr);
}

static void expect_text(const char *prompt, const char *want)
{
    fs_str t = refmodel_lead_text(prompt, strlen(prompt));
    CU_ASSERT_EQUAL(t.len, strlen(want));
    CU_ASSERT_EQUAL(memcmp(t.ptr, want, t.len), 0);
}

static void test_refmodel_lead__text_between_markers(void)
{
    expect_text("Summarize this.\nArticle:  The cat sat.  \nSummary:", "The cat sat.");
    expect_text("Text: One.\nTwo.\nSummary: x\nText: no", "One.\nTwo.");
    expect_text("Summarize:\nText: A.\nArticle: B.", "A.\nArticle: B.");
    expect_text("  No markers at all.\n", "No markers at all.");
    /* Markers count only at the start of a line. */
    expect_text("See Text: here.", "See Text: here.");
}

static void test_refmodel_lead__first_k_sentences(void)
{
    char out[512];
    const char *p = "Article: The council met on Monday. It approved the budget. Taxes will "
                    "not rise. The vote was close.\nSummary:";
    lead(p, 1, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "The council met on Monday.");
    lead(p, 3, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "The council met on Monday. It approved the budget. Taxes will "
                                "not rise.");
    /* More sentences asked than there are: the whole text. */
    lead(p, 10, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "The council met on Monday. It approved the budget. Taxes will "
                                "not rise. The vote was close.");
    /* A question and an exclamation end sentences too; so does a paragraph break. */
    lead("Text: Who won? We did! Then we went home\nand slept. Done.", 3, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Who won? We did! Then we went home\nand slept.");
    lead("Text: First paragraph without a stop\n\nSecond one.", 1, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "First paragraph without a stop");
}

static void test_refmodel_lead__abbreviations_quotes_and_cjk(void)
{
    char out[512];
    /* CLDR's English abbreviations do not end a sentence; decimals and initials neither. */
    lead("Text: Mr. Smith met Prof. Lee at 3.5 km from the U.S. border. They spoke. Bye.", 1, out,
         sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Mr. Smith met Prof. Lee at 3.5 km from the U.S. border.");
    lead("Text: Bring fruit, e.g. apples or pears. Then rest.", 1, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Bring fruit, e.g. apples or pears.");
    /* Closing quotes stay with their sentence. */
    lead("Text: He said “We won.” Then he left. Later.", 1, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "He said “We won.”");
    lead("Text: She wrote \"It is over.\" Nobody replied. Fine.", 2, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "She wrote \"It is over.\" Nobody replied.");
    /* CJK full stops and exclamation marks end sentences without spaces. */
    lead("Text: 今天天气很好。我们去公园吧！然后回家。", 2, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "今天天气很好。我们去公园吧！");
    lead("Article: 東京は晴れ。大阪は雨。", 1, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "東京は晴れ。");
    /* Emoji and accents ride along inside a sentence. */
    lead("Text: Le café est ouvert 🎉. Él está aquí. Ok.", 2, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Le café est ouvert 🎉. Él está aquí.");
}

static void test_refmodel_lead__empty_text(void)
{
    char out[64];
    lead("Text:\nSummary:", 3, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "");
    lead("", 1, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "");
}

const fs_test_case fs_refmodel_lead_tests[] = {
    { "test_refmodel_lead__text_between_markers", test_refmodel_lead__text_between_markers },
    { "test_refmodel_lead__first_k_sentences", test_refmodel_lead__first_k_sentences },
    { "test_refmodel_lead__abbreviations_quotes_and_cjk",
      test_refmodel_lead__abbreviations_quotes_and_cjk },
    { "test_refmodel_lead__empty_text", test_refmodel_lead__empty_text },
    { NULL, NULL },
};
