/* refmodel.qa: the overlap-qa extractive baseline: span choice, tie-breaking, Unicode,
 * the answer length limit and the stop-word file. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "refmodel/qa.h"

/* Write text to a file of the temporary directory; returns its path (static storage). */
static const char *tmp_file(const char *name, const char *text)
{
    static char path[4][600];
    static int next = 0;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", fs_test_tmp_dir(), name);
    FILE *f = fopen(p, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static refmodel_qa *make_qa(unsigned window)
{
    refmodel_qa *qa = NULL;
    const char *path = tmp_file("qa_stop.txt", "# test stop words\nthe\nA\nof\nin\nwas\nby\n"
                                               "when\nwho\nwhat\nis\nit\nen\nle\nla\n\n");
    CU_ASSERT_EQUAL_FATAL(refmodel_qa_new(&qa, path, window, NULL), FS_OK);
    return qa;
}

/* The answer to prompt, as a NUL-terminated string in out. */
static void answer(const refmodel_qa *qa, const char *prompt, char *out, size_t cap)
{
    fs_str a = { NULL, 0 };
    fs_error err;
    fs_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(refmodel_qa_answer(qa, prompt, strlen(prompt), &a, &err), FS_OK);
    CU_ASSERT_TRUE(a.ptr >= prompt && a.ptr + a.len <= prompt + strlen(prompt));
    snprintf(out, cap, "%.*s", (int)a.len, a.ptr);
}

static void test_refmodel_qa__stop_words_load_folded_and_sorted(void)
{
    refmodel_qa *qa = make_qa(12);
    CU_ASSERT_EQUAL(refmodel_qa_stopword_count(qa), 14);
    CU_ASSERT_TRUE(refmodel_qa_is_stopword(qa, "a", 1));
    CU_ASSERT_TRUE(refmodel_qa_is_stopword(qa, "the", 3));
    CU_ASSERT_FALSE(refmodel_qa_is_stopword(qa, "th", 2));
    CU_ASSERT_FALSE(refmodel_qa_is_stopword(qa, "then", 4));
    CU_ASSERT_FALSE(refmodel_qa_is_stopword(qa, "# test stop words", 17));
    refmodel_qa_free(qa);
}

static void test_refmodel_qa__picks_the_span_next_to_the_question_words(void)
{
    char out[256];
    refmodel_qa *qa = make_qa(12);
    const char *p = "Answer from the context.\n"
                    "Context: The old bridge opened in 1889. The bridge was designed by Ana "
                    "Souza, an engineer from Porto.\n"
                    "Question: Who designed the bridge?\n"
                    "Answer:";
    answer(qa, p, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Ana Souza");
    p = "Context: The bridge opened in 1889. It was designed by Ana Souza.\n"
        "Question: When was the bridge opened?\nAnswer:";
    answer(qa, p, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "1889");
    /* Without a "Context:" line the context is everything before "Question:". */
    p = "The museum has forty-two ship models.\nQuestion: What has the museum?";
    answer(qa, p, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "forty-two ship models");
    refmodel_qa_free(qa);
}

static void test_refmodel_qa__ties_go_to_nearest_then_earliest(void)
{
    char out[256];
    refmodel_qa *qa = make_qa(12);
    /* Equal overlap in both sentences: the earlier sentence wins. */
    answer(qa, "Context: Rome has fountains. Paris has bridges.\nQuestion: What has it?", out,
           sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Rome");
    /* A larger overlap beats an earlier sentence. */
    answer(qa,
           "Context: The river has fish. The river near the mill has trout.\n"
           "Question: What has the river near the mill?",
           out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "trout");
    /* In one sentence the candidate nearer a question word wins, wherever it is. */
    answer(qa,
           "Context: Oslo, Bergen and Tromsø lie north; Lisbon lies south.\n"
           "Question: What lies south?",
           out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Lisbon");
    /* Two candidates at the same distance: the earlier one. */
    answer(qa, "Context: Red roses grow near blue lakes.\nQuestion: What does grow?", out,
           sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Red roses");
    refmodel_qa_free(qa);
}

static void test_refmodel_qa__unicode_case_folding_and_scripts(void)
{
    char out[256];
    refmodel_qa *qa = make_qa(12);
    /* Accents and case: CAFÉ MÜLLER matches Café Müller only through full case folding,
     * which lifts the second sentence above the first. */
    answer(qa,
           "Context: Le Café Sacher ouvrit en 1876. Le Café Müller ouvrit en 1952.\n"
           "Question: Quand le CAFÉ MÜLLER ouvrit?",
           out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "1952");
    /* Greek: final sigma folds like the medial one. */
    answer(qa,
           "Context: Helen waited for Paris. Penelope waited for ΟΔΥΣΣΕΑΣ.\n"
           "Question: Who waited for οδυσσεας?",
           out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Penelope");
    /* Chinese has no spaces: ICU's dictionary finds the words; the sentence ends at 。 */
    answer(qa, "Context: 长城位于中国北方。故宫在北京。\nQuestion: 故宫在哪里？", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "北京");
    /* Right-to-left words match as any other; an emoji ends a candidate like punctuation. */
    answer(qa, "Context: שלום means peace 🕊️ Hebrew word.\nQuestion: שלום means what?",
           out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "peace");
    refmodel_qa_free(qa);
}

static void test_refmodel_qa__window_punctuation_and_no_overlap(void)
{
    char out[256];
    refmodel_qa *qa = make_qa(2);
    /* A run longer than the window is cut into pieces of at most two words. */
    answer(qa, "Context: Visitors saw Tomás Ferreira Lopes Silva today.\nQuestion: Visitors saw?",
           out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Tomás Ferreira");
    refmodel_qa_free(qa);
    qa = make_qa(12);
    /* Punctuation other than a hyphen ends a candidate. */
    answer(qa, "Context: Visitors saw Lisbon, Porto and well-kept Faro.\nQuestion: Visitors saw?",
           out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Lisbon");
    /* No shared content word: the empty answer. */
    answer(qa, "Context: Cats sleep a lot.\nQuestion: Who built the bridge?", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "");
    answer(qa, "Context: Cats sleep a lot.", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "");
    refmodel_qa_free(qa);
}

static void test_refmodel_qa__stop_word_file_errors(void)
{
    refmodel_qa *qa = NULL;
    fs_error err;
    fs_error_clear(&err);
    CU_ASSERT_EQUAL(refmodel_qa_new(&qa, "/nonexistent/stop.txt", 12, &err), FS_ERR_IO);
    CU_ASSERT_PTR_NULL(qa);
    const char *empty = tmp_file("qa_empty.txt", "# only a comment\n\n");
    CU_ASSERT_EQUAL(refmodel_qa_new(&qa, empty, 12, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "qa_empty.txt"));
    CU_ASSERT_PTR_NULL(qa);
    const char *bad = tmp_file("qa_bad.txt", "the\n\xff\xfe\n");
    CU_ASSERT_EQUAL(refmodel_qa_new(&qa, bad, 12, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NULL(qa);
}

const fs_test_case fs_refmodel_qa_tests[] = {
    { "test_refmodel_qa__stop_words_load_folded_and_sorted",
      test_refmodel_qa__stop_words_load_folded_and_sorted },
    { "test_refmodel_qa__picks_the_span_next_to_the_question_words",
      test_refmodel_qa__picks_the_span_next_to_the_question_words },
    { "test_refmodel_qa__ties_go_to_nearest_then_earliest",
      test_refmodel_qa__ties_go_to_nearest_then_earliest },
    { "test_refmodel_qa__unicode_case_folding_and_scripts",
      test_refmodel_qa__unicode_case_folding_and_scripts },
    { "test_refmodel_qa__window_punctuation_and_no_overlap",
      test_refmodel_qa__window_punctuation_and_no_overlap },
    { "test_refmodel_qa__stop_word_file_errors", test_refmodel_qa__stop_word_file_errors },
    { NULL, NULL },
};
