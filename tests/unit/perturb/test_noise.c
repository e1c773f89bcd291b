/* perturb.noise: behaviour of typo, case, whitespace and punctuation on ASCII and on
 * real Unicode (accents, CJK, emoji, RTL scripts), determinism and `changed`. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/perturb.h"
#include "helpers.h"

static const char *const all_names[] = { "case", "punctuation", "typo", "whitespace" };

/* A long mixed-script text: enough decision points that two seeds cannot agree. */
static const char long_text[] =
    "The quick brown fox jumps over the lazy dog, again and again! "
    "Zoë and Émile visited the café on Tuesday; they paid 42 euros. "
    "Mr. Smith said: \"Keep your receipts.\" Don't forget the key, please. "
    "Der Bäcker öffnet um 7 Uhr, oder? Ça va très bien, merci. "
    "Привет, как дела? Γειά σου κόσμε. 東京は今日も晴れ、気温は高い。 "
    "שלום עולם, مرحبا بالعالم؟ Emoji 😀👍🏽 and family "
    "👨‍👩‍👧 "
    "stay "
    "whole.";

static void test_perturb_noise__deterministic_per_seed_and_record(void)
{
    const char *const kv[] = { "rate=0.5", NULL };
    for (size_t i = 0; i < 4; i++) {
        bool c1, c2, c3, c4;
        char *a = perturb_test_apply(all_names[i], kv, long_text, 42, "rec-1", &c1);
        char *b = perturb_test_apply(all_names[i], kv, long_text, 42, "rec-1", &c2);
        char *c = perturb_test_apply(all_names[i], kv, long_text, 43, "rec-1", &c3);
        char *d = perturb_test_apply(all_names[i], kv, long_text, 42, "rec-2", &c4);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT_STRING_EQUAL(a, b);
        CU_ASSERT_STRING_NOT_EQUAL(a, c);
        CU_ASSERT_STRING_NOT_EQUAL(a, d);
        CU_ASSERT_TRUE(c1 && c2 && c3 && c4);
        fs_free(a);
        fs_free(b);
        fs_free(c);
        fs_free(d);
    }
}

static void test_perturb_noise__stream_name_selects_stream(void)
{
    fs_perturber *p = NULL;
    fs_buf a, b, c;
    bool changed;
    const char *const kv[] = { "rate=0.5", NULL };
    size_t n = strlen(long_text);
    CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, "case", kv, NULL, NULL), FS_OK);
    fs_buf_init(&a, 0);
    fs_buf_init(&b, 0);
    fs_buf_init(&c, 0);
    CU_ASSERT_EQUAL(fs_perturber_apply(p, long_text, n, 7, "r", NULL, 0, &a, &changed, NULL),
                    FS_OK);
    CU_ASSERT_EQUAL(fs_perturber_apply(p, long_text, n, 7, "r", "case", 0, &b, &changed, NULL),
                    FS_OK);
    CU_ASSERT_EQUAL(fs_perturber_apply(p, long_text, n, 7, "r", "case#2", 0, &c, &changed, NULL),
                    FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&a), fs_buf_cstr(&b));
    CU_ASSERT_STRING_NOT_EQUAL(fs_buf_cstr(&a), fs_buf_cstr(&c));
    /* the same perturber reused gives the same answer again */
    fs_buf_reset(&b);
    CU_ASSERT_EQUAL(fs_perturber_apply(p, long_text, n, 7, "r", NULL, 0, &b, &changed, NULL),
                    FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&a), fs_buf_cstr(&b));
    fs_buf_dispose(&a);
    fs_buf_dispose(&b);
    fs_buf_dispose(&c);
    fs_perturber_free(p);
}

static void test_perturb_noise__rate_zero_is_identity(void)
{
    const char *const kv[] = { "rate=0", NULL };
    for (size_t i = 0; i < 4; i++) {
        bool changed = true;
        char *v = perturb_test_apply(all_names[i], kv, long_text, 1, "r", &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_STRING_EQUAL(v, long_text);
        CU_ASSERT_FALSE(changed);
        fs_free(v);
        v = perturb_test_apply(all_names[i], NULL, "", 1, "r", &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_STRING_EQUAL(v, "");
        CU_ASSERT_FALSE(changed);
        fs_free(v);
    }
}

static void test_perturb_noise__appends_to_output(void)
{
    fs_perturber *p = NULL;
    fs_buf out;
    bool changed = false;
    const char *const kv[] = { "rate=1", NULL };
    CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, "case", kv, NULL, NULL), FS_OK);
    fs_buf_init(&out, 0);
    fs_buf_puts(&out, "ab|");
    CU_ASSERT_EQUAL(fs_perturber_apply(p, "ab", 2, 1, "r", NULL, 0, &out, &changed, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "ab|AB");
    CU_ASSERT_TRUE(changed);
    fs_buf_dispose(&out);
    fs_perturber_free(p);
}

/* Is every byte of out a neighbour (in hood[k]) of the byte of in at the same place? */
static bool all_neighbours(const char *in, const char *out, const char *const *keys,
                           const char *const *hood)
{
    if (strlen(in) != strlen(out)) {
        return false;
    }
    for (size_t i = 0; in[i] != '\0'; i++) {
        const char *k = strchr(keys[0], in[i]);
        if (k == NULL || strchr(hood[k - keys[0]], out[i]) == NULL) {
            return false;
        }
    }
    return true;
}

static void test_perturb_noise__typo_uses_neighbours_and_keeps_case(void)
{
    const char *const kv[] = { "rate=1", NULL };
    const char *const keys[] = { "helo" };
    const char *const lower[] = { "gjyubn", "wrsd34", "kop", "ipkl90" };
    const char *const upper[] = { "GJYUBN", "WRSD34", "KOP", "IPKL90" };
    bool changed = false;
    char *v = perturb_test_apply("typo", kv, "hello", 3, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_TRUE(all_neighbours("hello", v, keys, lower));
    CU_ASSERT_TRUE(changed);
    fs_free(v);
    const char *const ukeys[] = { "HELO" };
    v = perturb_test_apply("typo", kv, "HELLO", 3, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_TRUE(all_neighbours("HELLO", v, ukeys, upper));
    fs_free(v);
}

static void test_perturb_noise__typo_leaves_other_scripts_alone(void)
{
    const char *const kv[] = { "rate=1", NULL };
    const char *texts[] = { "東京は今日も晴れ、気温は高い。",
                            "😀👍🏽 👨‍👩‍👧 🇫🇷",
                            "שלום עולם",
                            "مرحبا بالعالم",
                            "Привет",
                            "e\xCC\x81\xCC\x81 a\xCC\x8A" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        bool changed = true;
        char *v = perturb_test_apply("typo", kv, texts[i], 9, "r", &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_STRING_EQUAL(v, texts[i]);
        CU_ASSERT_FALSE(changed);
        fs_free(v);
    }
    /* only c, a, f change; the precomposed é is not on the layout and stays */
    bool changed = false;
    char *v = perturb_test_apply("typo", kv, "café 東京", 9, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(strlen(v), strlen("café 東京"));
    CU_ASSERT_STRING_EQUAL(v + 3, "é 東京");
    CU_ASSERT_TRUE(v[0] != 'c' && v[1] != 'a' && v[2] != 'f');
    CU_ASSERT_TRUE(changed);
    fs_free(v);
}

static void test_perturb_noise__typo_rate_is_a_probability(void)
{
    char text[4001];
    for (size_t i = 0; i < 4000; i++) {
        text[i] = "abcdefghijklmnopqrstuvwxyz"[i % 26];
    }
    text[4000] = '\0';
    bool changed = false;
    char *v = perturb_test_apply("typo", NULL, text, 5, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL_FATAL(strlen(v), 4000);
    size_t diff = 0;
    for (size_t i = 0; i < 4000; i++) {
        diff += v[i] != text[i];
    }
    /* default rate 0.05: about 200 of 4000; 5 standard deviations either side */
    CU_ASSERT(diff > 130 && diff < 270);
    fs_free(v);
}

static void test_perturb_noise__case_flips_every_cased_character(void)
{
    const char *const kv[] = { "rate=1", NULL };
    const char *in[] = { "Hello World 42", "Élan ÇA, naïve",     "straße",
                         "Σοφία",          "e\xCC\x81t\xC3\xA9", "Привет Мир" };
    const char *want[] = { "hELLO wORLD 42", "éLAN ça, NAÏVE",     "STRASSE",
                           "σΟΦΊΑ",          "E\xCC\x81T\xC3\x89", "пРИВЕТ мИР" };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        bool changed = false;
        char *v = perturb_test_apply("case", kv, in[i], 1, "r", &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_STRING_EQUAL(v, want[i]);
        CU_ASSERT_TRUE(changed);
        fs_free(v);
    }
}

static void test_perturb_noise__case_leaves_uncased_scripts_alone(void)
{
    const char *const kv[] = { "rate=1", NULL };
    const char *texts[] = { "東京は晴れ。",           "שלום עולם",    "مرحبا",
                            "😀👨‍👩‍👧", "12 + 30 = 42", "สวัสดี" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        bool changed = true;
        char *v = perturb_test_apply("case", kv, texts[i], 1, "r", &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_STRING_EQUAL(v, texts[i]);
        CU_ASSERT_FALSE(changed);
        fs_free(v);
    }
}

/* text without any U+0020 */
static void strip_spaces(char *s)
{
    char *w = s;
    for (char *r = s; *r != '\0'; r++) {
        if (*r != ' ') {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static void test_perturb_noise__whitespace_only_between_words(void)
{
    const char *const kv[] = { "rate=1", NULL };
    const char *in = "  one two three four five six seven eight nine ten  ";
    bool changed = false;
    char *v = perturb_test_apply("whitespace", kv, in, 11, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_TRUE(changed);
    size_t n = strlen(v);
    CU_ASSERT_FATAL(n > 4);
    /* leading and trailing space untouched */
    CU_ASSERT(strncmp(v, "  o", 3) == 0);
    CU_ASSERT(strcmp(v + n - 3, "n  ") == 0);
    /* every one of the 9 gaps changed: merged (no space) or doubled (two spaces) */
    size_t doubled = 0, merged = 0;
    for (const char *p = v + 2; p < v + n - 2;) {
        size_t run = strspn(p, " ");
        CU_ASSERT(run == 0 || run == 2);
        doubled += run == 2;
        p += run > 0 ? run : 1;
    }
    merged = 9 - doubled;
    CU_ASSERT(doubled > 0 && merged > 0);
    CU_ASSERT_EQUAL(strlen(v), strlen(in) + doubled - merged);
    char *a = fs_strdup(in);
    char *b = fs_strdup(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    strip_spaces(a);
    strip_spaces(b);
    CU_ASSERT_STRING_EQUAL(a, b);
    fs_free(a);
    fs_free(b);
    fs_free(v);
}

static void test_perturb_noise__whitespace_unicode(void)
{
    const char *const kv[] = { "rate=1", NULL };
    bool changed = true;
    /* no spaces: nothing to do, and words are never split */
    char *v = perturb_test_apply("whitespace", kv, "東京は今日も晴れ。", 2, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v, "東京は今日も晴れ。");
    CU_ASSERT_FALSE(changed);
    fs_free(v);
    /* one gap between two Hebrew words: doubled or removed */
    v = perturb_test_apply("whitespace", kv, "שלום עולם", 2, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT(strcmp(v, "שלום  עולם") == 0 || strcmp(v, "שלוםעולם") == 0);
    CU_ASSERT_TRUE(changed);
    fs_free(v);
    /* a CR LF is removed as one character, never split */
    v = perturb_test_apply("whitespace", kv, "é\r\nü", 4, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT(strcmp(v, "é \r\nü") == 0 || strcmp(v, "éü") == 0);
    fs_free(v);
    /* only whitespace: nothing between words */
    v = perturb_test_apply("whitespace", kv, " \t ", 4, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v, " \t ");
    CU_ASSERT_FALSE(changed);
    fs_free(v);
}

static void test_perturb_noise__punctuation_drops_unicode_marks(void)
{
    bool changed = false;
    const char *in = "«Bonjour», dit-il… ¿Qué? 你好、世界。 هل أنت بخير؟ “quoted” don't! $5 + 3";
    const char *want = "Bonjour ditil Qué 你好世界 هل أنت بخير quoted dont $5 + 3";
    char *v = perturb_test_apply("punctuation", NULL, in, 1, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v, want);
    CU_ASSERT_TRUE(changed);
    fs_free(v);
    v = perturb_test_apply("punctuation", NULL, "no marks here 😀 שלום", 1, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(v, "no marks here 😀 שלום");
    CU_ASSERT_FALSE(changed);
    fs_free(v);
}

static void test_perturb_noise__punctuation_rate_keeps_some(void)
{
    char text[3001];
    for (size_t i = 0; i < 3000; i++) {
        text[i] = "a,b."[i % 4];
    }
    text[3000] = '\0';
    const char *const kv[] = { "rate=0.5", NULL };
    bool changed = false;
    char *v = perturb_test_apply("punctuation", kv, text, 8, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    size_t kept = strlen(v) - 1500;
    /* 1500 marks at 0.5: about 750 kept */
    CU_ASSERT(kept > 650 && kept < 850);
    fs_free(v);
}

/* The examples of docs/perturbations.md: variants are byte-identical everywhere, so a
 * change in how randomness is drawn shows up here. */
static void test_perturb_noise__documented_examples(void)
{
    static const struct {
        const char *name, *rate, *record, *in, *want;
    } ex[] = {
        { "case", "rate=0.3", "rec-1",
          "The quick brown fox jumps over the lazy dog. Émile PAID 42 euros!",
          "THe quiCk bRown FOX jumPs oVer ThE LAzy dog. éMIlE PAId 42 eurOs!" },
        { "case", "rate=0.5", "rec-2", "Zoë écrit: «Ça va?» 東京 😀 Σοφία",
          "ZoË écRiT: «Ça vA?» 東京 😀 ΣοφίΑ" },
        { "punctuation", "rate=0.5", "rec-2",
          "«Bonjour», dit-il… ¿Qué tal? 你好、世界。 هل أنت بخير؟",
          "«Bonjour», dit-il ¿Qué tal 你好、世界。 هل أنت بخير؟" },
        { "typo", "rate=0.2", "rec-1",
          "The quick brown fox jumps over the lazy dog. Émile PAID 42 euros!",
          "The qukck vrown fox jumoa oger ghe lqzy dog. Émipe PAIE 32 euros!" },
        { "typo", "rate=0.3", "rec-2", "Zoë écrit: «Ça va?» 東京 😀 Σοφία",
          "Zië éc5if: «Ça va?» 東京 😀 Σοφία" },
        { "whitespace", "rate=0.5", "rec-1",
          "The quick brown fox jumps over the lazy dog. Émile PAID 42 euros!",
          "The  quickbrown fox  jumps  over the lazy dog. Émile PAID42 euros!" },
        { "whitespace", "rate=0.5", "rec-2", "  שלום עולם, Zoë  écrit une lettre à Émile.  ",
          "  שלום עולם,Zoë écrit  unelettreà  Émile.  " },
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        const char *const kv[] = { ex[i].rate, NULL };
        bool changed = false;
        char *v = perturb_test_apply(ex[i].name, kv, ex[i].in, 42, ex[i].record, &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_STRING_EQUAL(v, ex[i].want);
        CU_ASSERT_TRUE(changed);
        fs_free(v);
    }
}

const fs_test_case fs_perturb_noise_tests[] = {
    { "test_perturb_noise__deterministic_per_seed_and_record",
      test_perturb_noise__deterministic_per_seed_and_record },
    { "test_perturb_noise__stream_name_selects_stream",
      test_perturb_noise__stream_name_selects_stream },
    { "test_perturb_noise__rate_zero_is_identity", test_perturb_noise__rate_zero_is_identity },
    { "test_perturb_noise__appends_to_output", test_perturb_noise__appends_to_output },
    { "test_perturb_noise__typo_uses_neighbours_and_keeps_case",
      test_perturb_noise__typo_uses_neighbours_and_keeps_case },
    { "test_perturb_noise__typo_leaves_other_scripts_alone",
      test_perturb_noise__typo_leaves_other_scripts_alone },
    { "test_perturb_noise__typo_rate_is_a_probability",
      test_perturb_noise__typo_rate_is_a_probability },
    { "test_perturb_noise__case_flips_every_cased_character",
      test_perturb_noise__case_flips_every_cased_character },
    { "test_perturb_noise__case_leaves_uncased_scripts_alone",
      test_perturb_noise__case_leaves_uncased_scripts_alone },
    { "test_perturb_noise__whitespace_only_between_words",
      test_perturb_noise__whitespace_only_between_words },
    { "test_perturb_noise__whitespace_unicode", test_perturb_noise__whitespace_unicode },
    { "test_perturb_noise__punctuation_drops_unicode_marks",
      test_perturb_noise__punctuation_drops_unicode_marks },
    { "test_perturb_noise__punctuation_rate_keeps_some",
      test_perturb_noise__punctuation_rate_keeps_some },
    { "test_perturb_noise__documented_examples", test_perturb_noise__documented_examples },
    { NULL, NULL },
};
