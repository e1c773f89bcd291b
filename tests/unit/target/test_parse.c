/* target.parse: label parsing is case-insensitive (full Unicode folding), matches whole
 * words only, prefers the earliest match and then the longest label, and works for
 * labels in any script. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/target.h"

static int parse(const char *answer, const char *const *labels, size_t n)
{
    int idx = -2;
    fs_error err;
    CU_ASSERT_EQUAL_FATAL(fs_parse_label(&idx, answer, strlen(answer), labels, n, &err), FS_OK);
    return idx;
}

static const char *const pn[] = { "positive", "negative" };

static void test_target_parse__case_insensitive(void)
{
    CU_ASSERT_EQUAL(parse("POSITIVE", pn, 2), 0);
    CU_ASSERT_EQUAL(parse("The answer is Negative", pn, 2), 1);
    CU_ASSERT_EQUAL(parse("pOsItIvE", pn, 2), 0);
}

static void test_target_parse__whole_words_only(void)
{
    CU_ASSERT_EQUAL(parse("nonnegative", pn, 2), -1);
    CU_ASSERT_EQUAL(parse("positively nonnegative", pn, 2), -1);
    CU_ASSERT_EQUAL(parse("positive.", pn, 2), 0);
    CU_ASSERT_EQUAL(parse("\"negative\"", pn, 2), 1);
    CU_ASSERT_EQUAL(parse("Sentiment:negative!", pn, 2), 1);
}

static void test_target_parse__earliest_wins(void)
{
    CU_ASSERT_EQUAL(parse("negative, not positive", pn, 2), 1);
    CU_ASSERT_EQUAL(parse("positive, not negative", pn, 2), 0);
}

static void test_target_parse__longest_at_same_position(void)
{
    static const char *const l[] = { "very", "very positive", "positive" };
    CU_ASSERT_EQUAL(parse("Very positive indeed", l, 3), 1);
    CU_ASSERT_EQUAL(parse("very, positive", l, 3), 0);
    static const char *const l2[] = { "neutral", "not neutral" };
    CU_ASSERT_EQUAL(parse("Not neutral.", l2, 2), 1);
}

static void test_target_parse__none_found(void)
{
    CU_ASSERT_EQUAL(parse("I cannot tell.", pn, 2), -1);
    CU_ASSERT_EQUAL(parse("", pn, 2), -1);
    CU_ASSERT_EQUAL(parse("positive", pn, 0), -1);
    static const char *const empty[] = { "", "negative" };
    CU_ASSERT_EQUAL(parse("anything at all", empty, 2), -1);
}

static void test_target_parse__unicode_labels(void)
{
    static const char *const fr[] = { "positif", "négatif" };
    CU_ASSERT_EQUAL(parse("Réponse : NÉGATIF.", fr, 2), 1);
    /* Decomposed (NFD) e + combining acute in the answer still matches the NFC label. */
    CU_ASSERT_EQUAL(parse("ne\xcc\x81gatif", fr, 2), 1);
    CU_ASSERT_EQUAL(parse("Ce film est positif, pas négatif", fr, 2), 0);
    static const char *const de[] = { "straße", "weg" };
    CU_ASSERT_EQUAL(parse("Die STRASSE ist lang", de, 2), 0);
    static const char *const ja[] = { "積極的", "消極的" };
    CU_ASSERT_EQUAL(parse("消極的", ja, 2), 1);
    CU_ASSERT_EQUAL(parse("答え：積極的。", ja, 2), 0);
    static const char *const el[] = { "θετικό", "αρνητικό" };
    CU_ASSERT_EQUAL(parse("ΑΡΝΗΤΙΚΌ", el, 2), 1);
    static const char *const ar[] = { "إيجابي", "سلبي" };
    CU_ASSERT_EQUAL(parse("الجواب: سلبي", ar, 2), 1);
    CU_ASSERT_EQUAL(parse("😀 positive 😀", pn, 2), 0);
}

static void test_target_parse__invalid_utf8_is_an_error(void)
{
    int idx = 7;
    fs_error err;
    CU_ASSERT_EQUAL(fs_parse_label(&idx, "posi\xff", 5, pn, 2, &err), FS_ERR_TEXT);
    CU_ASSERT_EQUAL(idx, -1);
}

/* One parser used for many answers finds what fs_parse_label() finds for each: a longer
 * answer after a short one, an error in between, answers in several scripts. */
static void test_target_parse__reused_parser_matches_one_shot(void)
{
    static const char *const l[] = { "négatif", "positif", "neutre" };
    static const char *const answers[] = {
        "NÉGATIF",
        "Réponse : ce film est, à mon avis, plutôt positif — mais pas tout à fait neutre.",
        "ne\xcc\x81gatif",
        "posi\xff",
        "😀 neutre",
        "الجواب: positif",
        "",
        "nonnégatif positif",
    };
    fs_label_parser *p = NULL;
    fs_error err;
    CU_ASSERT_EQUAL_FATAL(fs_label_parser_new(&p, l, 3, &err), FS_OK);
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof answers / sizeof *answers; i++) {
            int a = -2, b = -2;
            size_t n = strlen(answers[i]);
            fs_status sa = fs_label_parser_find(p, &a, answers[i], n, &err);
            fs_status sb = fs_parse_label(&b, answers[i], n, l, 3, &err);
            CU_ASSERT_EQUAL(sa, sb);
            CU_ASSERT_EQUAL(a, b);
        }
    }
    int idx = -2;
    CU_ASSERT_EQUAL(fs_label_parser_find(p, &idx, answers[1], strlen(answers[1]), &err), FS_OK);
    CU_ASSERT_EQUAL(idx, 1);
    CU_ASSERT_EQUAL(fs_label_parser_find(p, &idx, answers[7], strlen(answers[7]), &err), FS_OK);
    CU_ASSERT_EQUAL(idx, 1);
    CU_ASSERT_EQUAL(fs_label_parser_find(p, &idx, answers[3], strlen(answers[3]), &err),
                    FS_ERR_TEXT);
    CU_ASSERT_EQUAL(idx, -1);
    fs_label_parser_free(p);
    fs_label_parser_free(NULL);
}

const fs_test_case fs_target_parse_tests[] = {
    { "test_target_parse__case_insensitive", test_target_parse__case_insensitive },
    { "test_target_parse__whole_words_only", test_target_parse__whole_words_only },
    { "test_target_parse__earliest_wins", test_target_parse__earliest_wins },
    { "test_target_parse__longest_at_same_position", test_target_parse__longest_at_same_position },
    { "test_target_parse__none_found", test_target_parse__none_found },
    { "test_target_parse__unicode_labels", test_target_parse__unicode_labels },
    { "test_target_parse__invalid_utf8_is_an_error", test_target_parse__invalid_utf8_is_an_error },
    { "test_target_parse__reused_parser_matches_one_shot",
      test_target_parse__reused_parser_matches_one_shot },
    { NULL, NULL },
};
