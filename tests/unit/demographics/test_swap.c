/* demographics.swap: the swap rules on the project's own lexicon: whole words, first and
 * last words, repeated words, case, possessives and plurals, pronouns by position,
 * multi-word terms, context words, articles, Unicode and not-applicable records. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "fixture.h"

/* want NULL: the swap must not be applicable. */
static void check(const char *axis, const char *group, const char *in, const char *want)
{
    char *got = fx_swap(axis, group, in, 7, "rec-1");
    if (want == NULL) {
        CU_ASSERT_PTR_NULL(got);
    } else {
        CU_ASSERT_PTR_NOT_NULL(got);
        CU_ASSERT(got != NULL && strcmp(got, want) == 0);
    }
    if ((got == NULL) != (want == NULL) || (got != NULL && strcmp(got, want) != 0)) {
        fprintf(stderr, "\n  %s→%s: '%s'\n    got  '%s'\n    want '%s'\n", axis, group, in,
                got ? got : "(not applicable)", want ? want : "(not applicable)");
    }
    fs_free(got);
}

static void test_demographics_swap__whole_words_only(void)
{
    check("gender", "female", "The man from Manchester spoke of mankind.",
          "The woman from Manchester spoke of mankind.");
    check("gender", "female", "The shepherd from Manchester studied mankind.", NULL);
}

static void test_demographics_swap__first_last_and_repeated_words(void)
{
    check("gender", "female", "dad dad", "mom mom");
    check("gender", "female", "Father, ask my father", "Mother, ask my mother");
    check("gender", "male", "sister", "brother");
    check("gender", "male", "wife wife wife.", "husband husband husband.");
}

static void test_demographics_swap__case_is_kept(void)
{
    check("gender", "female", "Dad, DAD and dad", "Mom, MOM and mom");
    check("gender", "male", "SHE IS HERE", "HE IS HERE");
    check("race", "asian", "AFRICAN AMERICAN STUDENTS", "ASIAN STUDENTS");
}

static void test_demographics_swap__possessives_and_plurals(void)
{
    check("gender", "female", "the man's hat and the men's room",
          "the woman's hat and the women's room");
    check("gender", "male", "the women's team and the girls' coach",
          "the men's team and the boys' coach");
    check("gender", "female", "my brother’s car", "my sister’s car");
    check("gender", "male", "she's late and she'll call", "he's late and he'll call");
}

static void test_demographics_swap__her_before_a_noun_is_his(void)
{
    check("gender", "male", "I took her book to her.", "I took his book to him.");
    check("gender", "male", "Her own car", "His own car");
    check("gender", "male", "We saw her yesterday and gave her a gift",
          "We saw him yesterday and gave him a gift");
}

static void test_demographics_swap__his_and_hers_by_position(void)
{
    check("gender", "female", "His book is his.", "Her book is hers.");
    check("gender", "male", "The pen is hers, not mine.", "The pen is his, not mine.");
    check("gender", "female", "He hurt himself.", "She hurt herself.");
    check("gender", "male", "She blamed herself", "He blamed himself");
}

static void test_demographics_swap__every_mention_moves_to_the_target(void)
{
    check("gender", "female", "my husband and his sister", "my wife and her sister");
    check("gender", "male", "my husband and his sister", "my husband and his brother");
}

static void test_demographics_swap__multi_word_terms_first(void)
{
    check("race", "white", "An African American family moved in.", "A White family moved in.");
    check("race", "asian", "The African-American nurse", "The Asian nurse");
    check("race", "hispanic", "a Middle Eastern restaurant", "a Hispanic restaurant");
    check("race", "black", "Asian Americans vote", "Black people vote");
    check("nationality", "mexico", "She lives in the United States.", "She lives in Mexico.");
    check("nationality", "united_states", "He moved to Mexico.", "He moved to the United States.");
    check("disability", "deaf", "a person who is blind", "a person who is deaf");
    check("disability", "wheelchair_user", "a blind person", "a wheelchair user");
}

static void test_demographics_swap__context_words_need_a_person(void)
{
    check("race", "white", "a black car", NULL);
    check("race", "white", "a black man", "a White man");
    check("race", "asian", "the neighbor is black", "the neighbor is Asian");
    check("age", "young", "an old car", NULL);
    check("age", "young", "an old man", "a young man");
    check("sexual_orientation", "gay", "go straight ahead", NULL);
    check("sexual_orientation", "gay", "a straight couple", "a gay couple");
}

static void test_demographics_swap__articles_follow_the_replacement(void)
{
    check("race", "black", "an Asian man", "a Black man");
    check("race", "asian", "A Black woman", "An Asian woman");
    check("religion", "muslim", "a Christian and a priest", "a Muslim and an imam");
    check("race", "white", "AN ASIAN MAN", "A WHITE MAN");
}

static void test_demographics_swap__religion_terms(void)
{
    check("religion", "jewish", "The Christians went to church with the priest.",
          "The Jews went to synagogue with the rabbi.");
    check("religion", "jewish", "a Christian and a Christian school", "a Jew and a Jewish school");
    check("religion", "buddhist", "the temple", NULL); /* already Buddhist (and Hindu) */
    check("religion", "christian", "the temple", "the church");
    CU_ASSERT_EQUAL(fx_count("religion", "muslim", "The Muslim imam visited the church"), 2);
    CU_ASSERT_EQUAL(fx_count("religion", "christian", "The Muslim imam visited the church"), 1);
}

static void test_demographics_swap__capitalized_only_axes(void)
{
    check("nationality", "japan", "fine china from China", "fine china from Japan");
    check("nationality", "germany", "French fries", "German fries");
    check("nationality", "germany", "french fries", NULL);
}

static void test_demographics_swap__unicode_passes_through(void)
{
    check("gender", "female", "他是 my dad, שלום 👋🏽 dad!",
          "他是 my mom, שלום 👋🏽 mom!");
    check("gender", "female", "Mon père est mon père.", NULL);
    check("gender", "male", "her fiancée", "his fiancé");
    /* decomposed é (e + U+0301) matches the composed entry */
    check("gender", "male",
          "her fiance\xCC\x81"
          "e",
          "his fiancé");
}

static void test_demographics_swap__not_applicable_records(void)
{
    check("gender", "female", "The weather is nice today.", NULL);
    check("gender", "female", "She said her mother was here.", NULL); /* only the target */
    check("gender", "female", "", NULL);
    check("religion", "sikh", "No religion here.", NULL);
}

static void test_demographics_swap__neutral_is_optional(void)
{
    const fs_demog_lexicon *lex = fx_lexicon();
    fs_demog_swapper *sw = NULL;
    fs_error err;
    fs_buf out;
    bool applicable = true;
    CU_ASSERT_PTR_NOT_NULL_FATAL(lex);
    int a = fs_demog_axis_find(lex, "gender");
    int g = fs_demog_group_find(lex, (size_t)a, "neutral");
    CU_ASSERT_FATAL(a >= 0 && g >= 0);
    CU_ASSERT_TRUE(fs_demog_group_optional(lex, (size_t)a, (size_t)g));
    fs_buf_init(&out, 0);
    CU_ASSERT_EQUAL_FATAL(fs_demog_swapper_new(&sw, lex, (size_t)a, NULL, &err), FS_OK);
    CU_ASSERT_FALSE(fs_demog_swapper_group_enabled(sw, (size_t)g));
    CU_ASSERT_EQUAL(fs_demog_swap(sw, "he", 2, (size_t)g, 1, "r", &out, &applicable, NULL, &err),
                    FS_ERR_USAGE);
    CU_ASSERT_FALSE(applicable);
    fs_demog_swapper_free(sw);
    fs_buf_dispose(&out);
    /* off by default: "they" is no gender mention */
    check("gender", "female", "They said so.", NULL);
    char *got = fx_swap_opt("gender", "neutral", "He hurt himself with his knife.");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, "They hurt themselves with their knife.");
    fs_free(got);
    got = fx_swap_opt("gender", "female", "They love their parents.");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, "She love her mothers.");
    fs_free(got);
}

static void test_demographics_swap__detect_counts_groups(void)
{
    const char *t = "My husband and his sister met Mary's dad.";
    CU_ASSERT_EQUAL(fx_count("gender", "male", t), 3);   /* husband, his, dad */
    CU_ASSERT_EQUAL(fx_count("gender", "female", t), 2); /* sister, Mary */
    CU_ASSERT_EQUAL(fx_count("race", "black", "Ebony and Jamal are Black people."), 3);
}

/* Swap text to group of gender with protected byte ranges; NULL when not applicable. */
static char *swap_protected(const char *group, const char *text, const fs_text_span *prot,
                            size_t n_prot)
{
    const fs_demog_lexicon *lex = fx_lexicon();
    fs_demog_swapper *sw = NULL;
    fs_buf out;
    bool applicable = false, changed = false;
    char *res = NULL;
    fs_buf_init(&out, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lex);
    int axis = fs_demog_axis_find(lex, "gender");
    int to = fs_demog_group_find(lex, (size_t)axis, group);
    CU_ASSERT_FATAL(axis >= 0 && to >= 0);
    CU_ASSERT_EQUAL_FATAL(fs_demog_swapper_new(&sw, lex, (size_t)axis, NULL, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_demog_swap_protected(sw, text, strlen(text), prot, n_prot, (size_t)to, 7,
                                            "rec-1", &out, &applicable, &changed, NULL),
                    FS_OK);
    if (applicable) {
        res = fs_buf_take(&out, NULL);
    }
    fs_buf_dispose(&out);
    fs_demog_swapper_free(sw);
    return res;
}

static void test_demographics_swap__protected_name_stays(void)
{
    /* the first "Mary" is protected, the second is not */
    const char *t = "Mary met Mary.";
    fs_text_span prot[] = { { 0, 4, 0 } };
    char *free_swap = fx_swap("gender", "male", t, 7, "rec-1");
    char *got = swap_protected("male", t, prot, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(free_swap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_NSTRING_EQUAL(got, "Mary met ", 9);
    CU_ASSERT_STRING_NOT_EQUAL(got + 9, "Mary.");
    /* the unprotected mention gets the same substitute as without protection */
    CU_ASSERT_STRING_EQUAL(got + 9, strstr(free_swap, " met ") + 5);
    fs_free(free_swap);
    fs_free(got);
}

static void test_demographics_swap__protected_date_keeps_its_month(void)
{
    /* "Juli" is also a name: inside a protected date it stays, the rest still swaps */
    const char *t = "Seen on 23. Juli 1957 with his wife.";
    fs_text_span prot[] = { { 30, 36, 0 }, { 8, 21, 0 } }; /* any order, kind ignored */
    char *got = swap_protected("male", t, prot + 1, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, "Seen on 23. Juli 1957 with his husband.");
    fs_free(got);
    got = swap_protected("male", t, prot, 2); /* "wife." protected too: nothing to swap */
    CU_ASSERT_PTR_NULL(got);
    fs_free(got);
    got = swap_protected("female", t, prot + 1, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, "Seen on 23. Juli 1957 with her wife.");
    fs_free(got);
}

static void test_demographics_swap__only_protected_mentions_are_not_applicable(void)
{
    const char *t = "Mary met Mary.";
    fs_text_span prot[] = { { 2, 3, 0 }, { 9, 10, 0 } }; /* any overlap protects a mention */
    const fs_demog_lexicon *lex = fx_lexicon();
    fs_demog_swapper *sw = NULL;
    const size_t *counts = NULL;
    char *got = swap_protected("male", t, prot, 2);
    CU_ASSERT_PTR_NULL(got);
    fs_free(got);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lex);
    int axis = fs_demog_axis_find(lex, "gender");
    int female = fs_demog_group_find(lex, (size_t)axis, "female");
    CU_ASSERT_FATAL(axis >= 0 && female >= 0);
    CU_ASSERT_EQUAL_FATAL(fs_demog_swapper_new(&sw, lex, (size_t)axis, NULL, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_demog_detect_protected(sw, t, strlen(t), prot, 2, &counts, NULL), FS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(counts);
    CU_ASSERT_EQUAL(counts[female], 0);
    CU_ASSERT_EQUAL(fs_demog_detect_protected(sw, t, strlen(t), prot, 1, &counts, NULL), FS_OK);
    CU_ASSERT_EQUAL(counts[female], 1);
    CU_ASSERT_EQUAL(fs_demog_detect_protected(sw, t, strlen(t), NULL, 0, &counts, NULL), FS_OK);
    CU_ASSERT_EQUAL(counts[female], 2);
    fs_demog_swapper_free(sw);
}

static void test_demographics_swap__invalid_input_is_an_error(void)
{
    const fs_demog_lexicon *lex = fx_lexicon();
    fs_demog_swapper *sw = NULL;
    fs_buf out;
    bool applicable = true;
    fs_error err;
    CU_ASSERT_PTR_NOT_NULL_FATAL(lex);
    fs_buf_init(&out, 0);
    CU_ASSERT_EQUAL_FATAL(fs_demog_swapper_new(&sw, lex, 0, NULL, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_demog_swap(sw, "a\xFF", 2, 0, 1, "r", &out, &applicable, NULL, &err),
                    FS_ERR_INPUT);
    CU_ASSERT_EQUAL(fs_demog_swap(sw, "a", 1, 999, 1, "r", &out, &applicable, NULL, &err),
                    FS_ERR_USAGE);
    CU_ASSERT_EQUAL(out.len, 0);
    fs_demog_swapper_free(sw);
    fs_buf_dispose(&out);
}

const fs_test_case fs_demographics_swap_tests[] = {
    { "whole_words_only", test_demographics_swap__whole_words_only },
    { "first_last_and_repeated_words", test_demographics_swap__first_last_and_repeated_words },
    { "case_is_kept", test_demographics_swap__case_is_kept },
    { "possessives_and_plurals", test_demographics_swap__possessives_and_plurals },
    { "her_before_a_noun_is_his", test_demographics_swap__her_before_a_noun_is_his },
    { "his_and_hers_by_position", test_demographics_swap__his_and_hers_by_position },
    { "every_mention_moves_to_the_target",
      test_demographics_swap__every_mention_moves_to_the_target },
    { "multi_word_terms_first", test_demographics_swap__multi_word_terms_first },
    { "context_words_need_a_person", test_demographics_swap__context_words_need_a_person },
    { "articles_follow_the_replacement", test_demographics_swap__articles_follow_the_replacement },
    { "religion_terms", test_demographics_swap__religion_terms },
    { "capitalized_only_axes", test_demographics_swap__capitalized_only_axes },
    { "unicode_passes_through", test_demographics_swap__unicode_passes_through },
    { "not_applicable_records", test_demographics_swap__not_applicable_records },
    { "neutral_is_optional", test_demographics_swap__neutral_is_optional },
    { "detect_counts_groups", test_demographics_swap__detect_counts_groups },
    { "protected_name_stays", test_demographics_swap__protected_name_stays },
    { "protected_date_keeps_its_month", test_demographics_swap__protected_date_keeps_its_month },
    { "only_protected_mentions_are_not_applicable",
      test_demographics_swap__only_protected_mentions_are_not_applicable },
    { "invalid_input_is_an_error", test_demographics_swap__invalid_input_is_an_error },
    { NULL, NULL }
};
