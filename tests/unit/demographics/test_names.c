/* demographics.names: first names and surnames are swapped consistently within a record,
 * deterministically, keeping the labels of the other axes, with possessives and accents. */
#include "fs_test.h"

#include <stdio.h>
#include <string.h>

#include "fixture.h"

/* The first word of s (letters up to a space, apostrophe or punctuation). */
static void first_word(const char *s, char *out, size_t cap)
{
    size_t n = strcspn(s, " '\xE2,.");
    snprintf(out, cap, "%.*s", (int)n, s);
}

static void test_demographics_names__consistent_within_a_record(void)
{
    char *got = fx_swap("gender", "female", "John met Robert. John's dog likes Robert.", 3, "r1");
    char a[64], b[64];
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    /* "X met Y. X's dog likes Y." */
    first_word(got, a, sizeof a);
    const char *met = strstr(got, " met ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(met);
    first_word(met + 5, b, sizeof b);
    char want[512];
    snprintf(want, sizeof want, "%s met %s. %s's dog likes %s.", a, b, a, b);
    CU_ASSERT_STRING_EQUAL(got, want);
    CU_ASSERT_STRING_NOT_EQUAL(a, b); /* two people stay two people */
    CU_ASSERT_STRING_NOT_EQUAL(a, "John");
    CU_ASSERT_EQUAL(fx_count("gender", "female", got), 4);
    CU_ASSERT_EQUAL(fx_count("gender", "male", got), 0);
    fs_free(got);
}

static void test_demographics_names__target_names_are_kept_and_not_reused(void)
{
    for (int seed = 0; seed < 20; seed++) {
        char *got = fx_swap("gender", "female", "Mary and John", (uint64_t)seed, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        CU_ASSERT_EQUAL(strncmp(got, "Mary and ", 9), 0);
        CU_ASSERT_STRING_NOT_EQUAL(got, "Mary and Mary");
        fs_free(got);
    }
}

static void test_demographics_names__deterministic_per_seed_and_record(void)
{
    char *a = fx_swap("gender", "male", "Ask Susan.", 42, "rec-9");
    char *b = fx_swap("gender", "male", "Ask Susan.", 42, "rec-9");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(a, b);
    int differ = 0;
    for (int i = 0; i < 16; i++) {
        char id[16];
        snprintf(id, sizeof id, "rec-%d", i);
        char *c = fx_swap("gender", "male", "Ask Susan.", 42, id);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        differ += strcmp(a, c) != 0;
        fs_free(c);
    }
    CU_ASSERT_TRUE(differ > 0); /* the record id feeds the draw */
    fs_free(a);
    fs_free(b);
}

static void test_demographics_names__race_swap_keeps_gender(void)
{
    for (int seed = 0; seed < 10; seed++) {
        char *got = fx_swap("race", "white", "Ebony called Jamal.", (uint64_t)seed, "r");
        char w1[64], w2[64];
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        first_word(got, w1, sizeof w1);
        const char *called = strstr(got, " called ");
        CU_ASSERT_PTR_NOT_NULL_FATAL(called);
        first_word(called + 8, w2, sizeof w2);
        CU_ASSERT_EQUAL(fx_count("gender", "female", w1), 1);
        CU_ASSERT_EQUAL(fx_count("gender", "male", w2), 1);
        CU_ASSERT_EQUAL(fx_count("race", "white", got), 2);
        fs_free(got);
    }
}

static void test_demographics_names__gender_swap_keeps_race(void)
{
    for (int seed = 0; seed < 10; seed++) {
        char *got = fx_swap("gender", "female", "Carlos waved.", (uint64_t)seed, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        CU_ASSERT_EQUAL(fx_count("race", "hispanic", got), 1);
        CU_ASSERT_EQUAL(fx_count("gender", "female", got), 1);
        fs_free(got);
    }
}

static void test_demographics_names__accents_and_apostrophes(void)
{
    char *got = fx_swap("race", "asian", "José’s car", 5, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    const char *tail = strstr(got, "’s car");
    CU_ASSERT_PTR_NOT_NULL(tail);
    CU_ASSERT_NOT_EQUAL(strncmp(got, "José", strlen("José")), 0);
    CU_ASSERT_EQUAL(fx_count("race", "asian", got), 1);
    fs_free(got);
    /* lower-case words are never names */
    CU_ASSERT_EQUAL(fx_count("gender", "male", "john"), 0);
    CU_ASSERT_EQUAL(fx_count("race", "hispanic", "JOSÉ"), 1);
}

static void test_demographics_names__surnames_follow_race(void)
{
    char *got = fx_swap("race", "black", "Ms. Garcia", 1, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(strncmp(got, "Ms. ", 4), 0);
    CU_ASSERT_EQUAL(fx_count("race", "black", got), 1);
    fs_free(got);
    /* surnames carry no gender: a gender swap leaves them */
    got = fx_swap("gender", "male", "Ms. Garcia", 1, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, "Mr. Garcia");
    fs_free(got);
}

const fs_test_case fs_demographics_names_tests[] = {
    { "consistent_within_a_record", test_demographics_names__consistent_within_a_record },
    { "target_names_are_kept_and_not_reused",
      test_demographics_names__target_names_are_kept_and_not_reused },
    { "deterministic_per_seed_and_record",
      test_demographics_names__deterministic_per_seed_and_record },
    { "race_swap_keeps_gender", test_demographics_names__race_swap_keeps_gender },
    { "gender_swap_keeps_race", test_demographics_names__gender_swap_keeps_race },
    { "accents_and_apostrophes", test_demographics_names__accents_and_apostrophes },
    { "surnames_follow_race", test_demographics_names__surnames_follow_race },
    { NULL, NULL }
};
