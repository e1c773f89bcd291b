/* perturb.chars: swap, insert, delete, substitute, ocr, leet, diacritics and unicode-forms
 * on ASCII and on real Unicode (accents, CJK, Hangul, emoji sequences, flags, Arabic,
 * Hebrew, Devanagari), their rates, determinism, data files and parameters, and the
 * keyboard layouts qwertz, azerty and jcuken. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fairshake/perturb.h"
#include "helpers.h"

static const char *const kinds[] = { "swap", "insert", "delete",     "substitute",
                                     "ocr",  "leet",   "diacritics", "unicode-forms" };
#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* Mixed scripts, with enough eligible units for every kind. */
static const char long_text[] =
    "The quick brown fox jumps over the lazy dog, again and again! "
    "Zoë and Émile visited the café on Tuesday; they paid 42 euros. "
    "Der Bäcker öffnet um 7 Uhr. Ça va très bien, merci. Tiếng Việt có dấu. "
    "Привет, как дела? Ёлка. Καλημέρα κόσμε. 東京は今日も晴れ。 한국어 "
    "שלום עולם, مرحبا بالعالم؟ Emoji 😀👍🏽 and family 👨‍👩‍👧 "
    "🇫🇷 "
    "stay "
    "whole.";

/* Texts whose clusters must survive every kind. */
static const char *const unicode_texts[] = {
    "Zoë e\xCC\x81te\xCC\x81 à Émile",                  /* NFC and NFD accents */
    "东京は今日も晴れ、気温は高い。",                   /* CJK */
    "한국어 문장 \xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", /* Hangul, also as jamo */
    "family 👨‍👩‍👧 flag 🇫🇷🇩🇪 thumbs 👍🏽 keycap 1️⃣", /* emoji */
    "مرحبا بالعالم مَرْحَبًا",                                                            /* Arabic */
    "שלום עולם שָׁלוֹם",                                                                 /* Hebrew */
    "हिन्दी नमस्ते",                         /* Devanagari */
    "Привет мир, Ёж и йогурт. Καλημέρα!", /* Cyrillic, Greek */
    "Mixed: café東京😀abcשלום123",         /* mixed script */
};
#define N_UNICODE (sizeof unicode_texts / sizeof unicode_texts[0])

static char *run(const char *name, const char *const *kv, const char *text, uint64_t seed,
                 const char *record, bool *changed)
{
    char *v = perturb_test_apply(name, kv, text, seed, record, changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_TRUE(fs_text_valid_utf8(v, strlen(v)));
    return v;
}

/* Apply with a perturber over data_dir; returns the status, the variant in out. */
static fs_status run_in(const char *name, const char *const *kv, const char *data_dir,
                        const char *text, fs_buf *out, fs_error *err)
{
    fs_perturber *p = NULL;
    bool changed = false;
    fs_status st = perturb_test_new(&p, name, kv, data_dir, err);
    if (st == FS_OK) {
        st = fs_perturber_apply(p, text, strlen(text), 1, "r", NULL, 0, out, &changed, err);
    }
    fs_perturber_free(p);
    return st;
}

/* Write contents to <tmp>/<name>; returns path, which receives the file name. */
static const char *write_tmp(const char *name, const char *contents, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", fs_test_tmp_dir(), name);
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(contents, 1, strlen(contents), f), strlen(contents));
    CU_ASSERT_EQUAL(fclose(f), 0);
    return path;
}

/* Is every grapheme of out one of the graphemes of in, or one of extra (NULL-ended)? */
static bool graphemes_from(const char *out, const char *in, const char *const *extra)
{
    fs_text_span *go = NULL, *gi = NULL;
    size_t no = 0, ni = 0;
    bool ok = fs_text_segment(&go, &no, out, strlen(out), FS_TEXT_GRAPHEME, NULL) == FS_OK &&
              fs_text_segment(&gi, &ni, in, strlen(in), FS_TEXT_GRAPHEME, NULL) == FS_OK;
    for (size_t i = 0; ok && i < no; i++) {
        size_t len = go[i].end - go[i].start;
        bool found = false;
        for (size_t j = 0; !found && j < ni; j++) {
            found = gi[j].end - gi[j].start == len &&
                    memcmp(in + gi[j].start, out + go[i].start, len) == 0;
        }
        for (size_t j = 0; !found && extra != NULL && extra[j] != NULL; j++) {
            found = strlen(extra[j]) == len && memcmp(extra[j], out + go[i].start, len) == 0;
        }
        ok = found;
    }
    fs_free(go);
    fs_free(gi);
    return ok;
}

static size_t cp_count(const char *s)
{
    size_t i = 0, n = strlen(s), c = 0;
    while (i < n) {
        fs_text_next_cp(s, n, &i);
        c++;
    }
    return c;
}

/* Code points at which a and b differ (both of the same length in code points). */
static size_t cp_diff(const char *a, const char *b)
{
    size_t i = 0, j = 0, na = strlen(a), nb = strlen(b), d = 0;
    while (i < na && j < nb) {
        d += fs_text_next_cp(a, na, &i) != fs_text_next_cp(b, nb, &j);
    }
    return d;
}

static void test_perturb_chars__deterministic_per_seed_and_record(void)
{
    const char *const kv[] = { "rate=0.5", NULL };
    for (size_t i = 0; i < N_KINDS; i++) {
        bool c1, c2, c3, c4;
        char *a = run(kinds[i], kv, long_text, 42, "rec-1", &c1);
        char *b = run(kinds[i], kv, long_text, 42, "rec-1", &c2);
        char *c = run(kinds[i], kv, long_text, 43, "rec-1", &c3);
        char *d = run(kinds[i], kv, long_text, 42, "rec-2", &c4);
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

static void test_perturb_chars__rate_zero_is_identity(void)
{
    const char *const kv[] = { "rate=0", NULL };
    for (size_t i = 0; i < N_KINDS; i++) {
        bool changed = true;
        char *v = run(kinds[i], kv, long_text, 1, "r", &changed);
        CU_ASSERT_STRING_EQUAL(v, long_text);
        CU_ASSERT_FALSE(changed);
        fs_free(v);
        v = run(kinds[i], NULL, "", 1, "r", &changed);
        CU_ASSERT_STRING_EQUAL(v, "");
        CU_ASSERT_FALSE(changed);
        fs_free(v);
    }
}

/* Every kind at rate 1 and 0.5 on every Unicode text: valid UTF-8, and the clusters that
 * are not letters (emoji, flags, keycaps) come out whole. */
static void test_perturb_chars__unicode_clusters_survive(void)
{
    static const char *const whole[] = { "👨‍👩‍👧", "🇫🇷", "🇩🇪", "👍🏽", "1️⃣" };
    const char *const rates[2][2] = { { "rate=1", NULL }, { "rate=0.5", NULL } };
    for (size_t k = 0; k < N_KINDS; k++) {
        if (strcmp(kinds[k], "unicode-forms") == 0) {
            continue; /* NFKC rewrites keycaps by design; checked on its own */
        }
        for (size_t t = 0; t < N_UNICODE; t++) {
            for (size_t r = 0; r < 2; r++) {
                bool changed = false;
                char *v = run(kinds[k], rates[r], unicode_texts[t], 5, "r", &changed);
                for (size_t w = 0; w < sizeof whole / sizeof whole[0]; w++) {
                    if (strstr(unicode_texts[t], whole[w]) != NULL) {
                        CU_ASSERT_PTR_NOT_NULL(strstr(v, whole[w]));
                    }
                }
                fs_free(v);
            }
        }
    }
}

/* swap and delete only move or drop whole graphemes of the input. */
static void test_perturb_chars__swap_delete_keep_graphemes(void)
{
    const char *const kv[] = { "rate=1", NULL };
    for (size_t t = 0; t < N_UNICODE; t++) {
        bool changed = false;
        char *v = run("swap", kv, unicode_texts[t], 3, "r", &changed);
        CU_ASSERT_TRUE(graphemes_from(v, unicode_texts[t], NULL));
        CU_ASSERT_EQUAL(strlen(v), strlen(unicode_texts[t]));
        fs_free(v);
        v = run("delete", kv, unicode_texts[t], 3, "r", &changed);
        CU_ASSERT_TRUE(graphemes_from(v, unicode_texts[t], NULL));
        CU_ASSERT_TRUE(changed);
        fs_free(v);
    }
}

static void test_perturb_chars__swap_within_words(void)
{
    static const struct {
        const char *in, *want;
    } ex[] = {
        { "ab cd", "ba dc" },
        { "abcde", "badce" },
        { "a b c", "a b c" },   /* one-letter words: no pair */
        { "aab", "aba" },       /* "aa" is no change, so not a unit */
        { "don't", "odn't" },   /* the apostrophe is not a letter: "n't" has no pair */
        { "한국어", "국한어" }, /* Hangul syllables move whole */
        { "e\xCC\x81t\xC3\xA9", "te\xCC\x81\xC3\xA9" }, /* NFD é moves whole */
        { "ab👍🏽cd 12", "ba👍🏽dc 12" },       /* emoji and digits stay */
        { "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xAE\xE1\x86\xA8",
          "\xE1\x84\x80\xE1\x85\xAE\xE1\x86\xA8\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB" },
    };
    const char *const kv[] = { "rate=1", NULL };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        bool changed = false;
        char *v = run("swap", kv, ex[i].in, 1, "r", &changed);
        CU_ASSERT_STRING_EQUAL(v, ex[i].want);
        CU_ASSERT_EQUAL(changed, strcmp(ex[i].in, ex[i].want) != 0);
        fs_free(v);
    }
}

static void test_perturb_chars__delete_never_empties_a_word(void)
{
    static const struct {
        const char *in, *want;
    } ex[] = {
        { "a I ok hello", "a I k o" },
        { "Zoë à 東京", "ë à 京" },
        { "e\xCC\x81t\xC3\xA9 don't", "\xC3\xA9 't" },
        { "42 😀 🇫🇷", "42 😀 🇫🇷" },
        { "한국어", "어" },
    };
    const char *const kv[] = { "rate=1", NULL };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        bool changed = false;
        char *v = run("delete", kv, ex[i].in, 1, "r", &changed);
        CU_ASSERT_STRING_EQUAL(v, ex[i].want);
        CU_ASSERT_EQUAL(changed, strcmp(ex[i].in, ex[i].want) != 0);
        fs_free(v);
    }
}

static const char *const qwerty_letters[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k",
                                              "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v",
                                              "w", "x", "y", "z", "A", "B", "C", "D", "E", "F", "G",
                                              "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R",
                                              "S", "T", "U", "V", "W", "X", "Y", "Z", NULL };

static void test_perturb_chars__insert_substitute_use_layout_keys(void)
{
    const char *const kv[] = { "rate=1", NULL };
    for (size_t t = 0; t < N_UNICODE; t++) {
        bool changed = false;
        char *v = run("insert", kv, unicode_texts[t], 3, "r", &changed);
        CU_ASSERT_TRUE(graphemes_from(v, unicode_texts[t], qwerty_letters));
        fs_free(v);
        v = run("substitute", kv, unicode_texts[t], 3, "r", &changed);
        CU_ASSERT_TRUE(graphemes_from(v, unicode_texts[t], qwerty_letters));
        fs_free(v);
    }
    /* scripts the layout has no keys for are not touched */
    const char *other[] = { "东京 한국어 שלום مرحبا 😀 हिन्दी", "Привет мир", "42, 17!" };
    for (size_t i = 0; i < 3; i++) {
        bool changed = true;
        char *v = run("insert", kv, other[i], 3, "r", &changed);
        CU_ASSERT_STRING_EQUAL(v, other[i]);
        CU_ASSERT_FALSE(changed);
        fs_free(v);
        v = run("substitute", kv, other[i], 3, "r", &changed);
        CU_ASSERT_STRING_EQUAL(v, other[i]);
        CU_ASSERT_FALSE(changed);
        fs_free(v);
    }
}

/* Case of each output letter, as a string of 'u' (upper) and 'l' (lower). */
static void case_pattern(const char *s, char *out, size_t cap)
{
    size_t i = 0, n = strlen(s), k = 0;
    while (i < n && k + 1 < cap) {
        fs_text_class c = fs_text_classify(s + i, n - i);
        fs_text_next_cp(s, n, &i);
        if (c.has_case) {
            out[k++] = c.is_upper ? 'u' : 'l';
        }
    }
    out[k] = '\0';
}

static void test_perturb_chars__case_is_preserved(void)
{
    const char *const kv[] = { "rate=1", NULL };
    char pat[64];
    for (uint64_t seed = 1; seed < 20; seed++) {
        bool changed = false;
        char *v = run("substitute", kv, "HELLO hello Hello", seed, "r", &changed);
        case_pattern(v, pat, sizeof pat);
        CU_ASSERT_STRING_EQUAL(pat, "uuuuulllllullll");
        CU_ASSERT_EQUAL(cp_diff(v, "HELLO hello Hello"), 15);
        fs_free(v);
        /* an inserted key takes the case of the letter after it, else the one before */
        v = run("insert", kv, "HELLO hello Hello", seed, "r", &changed);
        case_pattern(v, pat, sizeof pat);
        CU_ASSERT_STRING_EQUAL(pat, "uuuuuuuuuu"
                                    "llllllllll"
                                    "ulllllllll");
        fs_free(v);
        v = run("diacritics", (const char *const[]){ "rate=1", "mode=add", NULL }, "ÀBC abc Σα",
                seed, "r", &changed);
        case_pattern(v, pat, sizeof pat);
        CU_ASSERT_STRING_EQUAL(pat, "uuulllul");
        fs_free(v);
    }
}

static void test_perturb_chars__ocr_longest_source_first(void)
{
    const char *const kv[] = { "rate=1", NULL };
    static const char *const ocr_values[] = { "m", "d", "w", "0", "Q", "D", "5", "$", "1", "I",
                                              "|", "l", "e", "c", "o", "a", "ﬁ", "ﬂ", NULL };
    static const struct {
        const char *in, *want;
    } ex[] = {
        { "corner", NULL }, /* checked below */
        { "rn cl vv", "m d w" },
        { "fifl", "ﬁﬂ" },
    };
    bool changed = false;
    char *v = run("ocr", kv, ex[1].in, 1, "r", &changed);
    CU_ASSERT_STRING_EQUAL(v, ex[1].want);
    fs_free(v);
    v = run("ocr", kv, ex[2].in, 1, "r", &changed);
    CU_ASSERT_STRING_EQUAL(v, ex[2].want);
    fs_free(v);
    /* O and 0 are confused, case matters: o is not O */
    for (uint64_t seed = 1; seed < 30; seed++) {
        v = run("ocr", kv, "O", seed, "r", &changed);
        CU_ASSERT(strcmp(v, "0") == 0 || strcmp(v, "Q") == 0 || strcmp(v, "D") == 0);
        fs_free(v);
        v = run("ocr", kv, "o", seed, "r", &changed);
        CU_ASSERT(strcmp(v, "0") == 0 || strcmp(v, "a") == 0 || strcmp(v, "c") == 0);
        fs_free(v);
    }
    /* accents: é precomposed and decomposed are the same source; è stays one grapheme */
    v = run("ocr", kv, "\xC3\xA9 e\xCC\x81", 2, "r", &changed);
    CU_ASSERT_TRUE(graphemes_from(v, "e c", NULL));
    fs_free(v);
    /* a source is matched only on whole graphemes: the e of NFD è is not an 'e' */
    v = run("ocr", kv, "e\xCC\x80", 2, "r", &changed);
    CU_ASSERT_STRING_EQUAL(v, "e");
    fs_free(v);
    v = run("ocr", kv, "e\xCC\xA3", 2, "r", &changed); /* ẹ: no confusion listed */
    CU_ASSERT_STRING_EQUAL(v, "e\xCC\xA3");
    CU_ASSERT_FALSE(changed);
    fs_free(v);
    for (size_t t = 0; t < N_UNICODE; t++) {
        v = run("ocr", kv, unicode_texts[t], 4, "r", &changed);
        fs_free(v);
    }
    v = run("ocr", kv, "东京 😀 שלום", 4, "r", &changed);
    CU_ASSERT_STRING_EQUAL(v, "东京 😀 שלום");
    CU_ASSERT_FALSE(changed);
    fs_free(v);
    v = run("ocr", kv, "шиш", 4, "r", &changed);
    CU_ASSERT_TRUE(graphemes_from(v, "щнйш", NULL));
    CU_ASSERT_TRUE(changed);
    fs_free(v);
    v = run("ocr", kv, "Ocl", 9, "r", &changed);
    CU_ASSERT_TRUE(graphemes_from(v, "", ocr_values));
    fs_free(v);
}

static void test_perturb_chars__leet_any_case(void)
{
    const char *const kv[] = { "rate=1", NULL };
    static const char *const forms[] = { "4", "@", "3", "1", "!", "0", "5", "$", "7", "+",
                                         "|", "#", "8", "6", "(", "<", "9", "2", NULL };
    bool changed = false;
    for (uint64_t seed = 1; seed < 20; seed++) {
        char *v = run("leet", kv, "leet SPEAK Éte", seed, "r", &changed);
        /* p, r and the spaces have no leet form; k becomes |< */
        CU_ASSERT_TRUE(graphemes_from(v, " pPrR", forms));
        CU_ASSERT_PTR_NOT_NULL(strstr(v, "|<"));
        CU_ASSERT_TRUE(changed);
        fs_free(v);
        v = run("leet", kv, "ЗАБОР Ёж", seed, "r", &changed); /* Cyrillic, upper case */
        CU_ASSERT_TRUE(graphemes_from(v, " РЁж", forms));
        fs_free(v);
    }
    char *v = run("leet", kv, "東京 😀 שלום xyw", 1, "r", &changed);
    CU_ASSERT_STRING_EQUAL(v, "東京 😀 שלום xyw");
    CU_ASSERT_FALSE(changed);
    fs_free(v);
}

static void test_perturb_chars__diacritics_strip(void)
{
    static const struct {
        const char *in, *want;
    } ex[] = {
        { "Émile à Zoë", "Emile a Zoe" },
        { "e\xCC\x81te\xCC\x81 NFD", "ete NFD" },
        { "Tiếng Việt có dấu", "Tieng Viet co dau" },
        { "Καλημέρα, ΐ", "Καλημερα, ι" },
        { "Ёлка и йогурт", "Елка и иогурт" },
        { "Straße øre łódź", "Straße øre łodz" }, /* ø, ł have no decomposition */
        { "हिन्दी नमस्ते", "हिन्दी नमस्ते" },           /* Devanagari signs stay */
        { "مَرْحَبًا", "مَرْحَبًا" },                     /* Arabic harakat stay */
        { "שָׁלוֹם", "שָׁלוֹם" },                       /* Hebrew niqqud stays */
        { "한국어 東京 👨‍👩‍👧 1️⃣",
          "한국어 東京 👨‍👩‍👧 1️⃣" },
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        bool changed = false;
        char *v = run("diacritics", NULL, ex[i].in, 1, "r", &changed);
        CU_ASSERT_STRING_EQUAL(v, ex[i].want);
        CU_ASSERT_EQUAL(changed, strcmp(ex[i].in, ex[i].want) != 0);
        fs_free(v);
    }
}

static void test_perturb_chars__diacritics_add(void)
{
    const char *const kv[] = { "rate=1", "mode=add", NULL };
    const char *const strip[] = { "rate=1", NULL };
    const char *in = "Hello Émile, abc XYZ ηλιος привет";
    for (uint64_t seed = 1; seed < 20; seed++) {
        bool changed = false;
        char *v = run("diacritics", kv, in, seed, "r", &changed);
        CU_ASSERT_TRUE(changed);
        /* every letter that can take one of the marks has one now, as one precomposed
         * character: the 15 Latin letters but É, η ι ο (not λ ς), и е (not п р в т) */
        CU_ASSERT_EQUAL(cp_count(v), cp_count(in));
        CU_ASSERT_EQUAL(cp_diff(v, in), 20);
        /* and stripping gives the input back, except the accent É already had */
        bool c2 = false;
        char *back = run("diacritics", strip, v, 1, "r", &c2);
        CU_ASSERT_STRING_EQUAL(back, "Hello Emile, abc XYZ ηλιος привет");
        fs_free(back);
        fs_free(v);
    }
    const char *other = "東京 한국어 שלום مرحبا हिन्दी 😀 e\xCC\x81 42";
    bool changed = true;
    char *v = run("diacritics", kv, other, 1, "r", &changed);
    CU_ASSERT_STRING_EQUAL(v, other);
    CU_ASSERT_FALSE(changed);
    fs_free(v);
}

static void test_perturb_chars__unicode_forms_normalise(void)
{
    const char *in = "Cafe\xCC\x81 caf\xC3\xA9 ﬁne ① ＡＢ 한 \xE1\x84\x92\xE1\x85\xA1 😀 Å";
    const char *forms[] = { "nfc", "nfd", "nfkc", "nfkd" };
    for (int f = 0; f < 4; f++) {
        char kv_form[32];
        const char *const kv[] = { kv_form, NULL };
        snprintf(kv_form, sizeof kv_form, "form=%s", forms[f]);
        fs_buf want;
        fs_buf_init(&want, 0);
        CU_ASSERT_EQUAL(fs_text_normalize(&want, in, strlen(in), (fs_text_form)f, NULL), FS_OK);
        bool changed = false;
        char *v = run("unicode-forms", kv, in, 1, "r", &changed);
        CU_ASSERT_STRING_EQUAL(v, fs_buf_cstr(&want));
        CU_ASSERT_TRUE(changed);
        fs_free(v);
        fs_buf_dispose(&want);
    }
    /* text already in the form, or ASCII: nothing to change */
    bool changed = true;
    char *v = run("unicode-forms", (const char *const[]){ "form=nfc", NULL }, "café 東京 😀", 1, "r",
                  &changed);
    CU_ASSERT_STRING_EQUAL(v, "café 東京 😀");
    CU_ASSERT_FALSE(changed);
    fs_free(v);
    v = run("unicode-forms", NULL, "plain ASCII, 42!", 1, "r", &changed);
    CU_ASSERT_STRING_EQUAL(v, "plain ASCII, 42!");
    CU_ASSERT_FALSE(changed);
    fs_free(v);
}

static void test_perturb_chars__unicode_forms_fullwidth_and_random(void)
{
    const char *const kv[] = { "form=fullwidth", NULL };
    bool changed = false;
    char *v = run("unicode-forms", kv, "Hi, Zoë! e\xCC\x81 {x~}\t東京", 1, "r", &changed);
    /* the e of a decomposed é carries a mark: it is not a lone ASCII character */
    CU_ASSERT_STRING_EQUAL(v, "Ｈｉ，　Ｚｏë！　e\xCC\x81　｛ｘ～｝\t東京");
    CU_ASSERT_TRUE(changed);
    fs_free(v);
    /* random picks one form per record: all five show up over many records */
    const char *in = "ﬁ é a";
    const char *outs[5] = { "ﬁ é a", "ﬁ e\xCC\x81 a", "fi é a", "fi e\xCC\x81 a", "ﬁ　é　ａ" };
    size_t seen[5] = { 0 };
    for (int r = 0; r < 200; r++) {
        char rec[16];
        snprintf(rec, sizeof rec, "r%d", r);
        v = run("unicode-forms", (const char *const[]){ "form=random", NULL }, in, 7, rec,
                &changed);
        bool known = false;
        for (int f = 0; f < 5; f++) {
            if (strcmp(v, outs[f]) == 0) {
                seen[f]++;
                known = true;
            }
        }
        CU_ASSERT_TRUE(known);
        fs_free(v);
    }
    for (int f = 0; f < 5; f++) {
        CU_ASSERT(seen[f] > 15);
    }
}

static void test_perturb_chars__protected_spans_untouched(void)
{
    fs_perturber *p = NULL;
    const char *const kv[] = { "form=fullwidth", NULL };
    const char *const pat[] = { "https?://\\S+" };
    const char *in = "see https://ex.am/ple now";
    fs_buf out;
    bool changed = false;
    fs_buf_init(&out, 0);
    CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, "unicode-forms", kv, NULL, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_perturber_set_protect(p, pat, 1, NULL, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_perturber_apply(p, in, strlen(in), 1, "r", NULL, 0, &out, &changed, NULL),
                    FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "ｓｅｅ　https://ex.am/ple　ｎｏｗ");
    fs_buf_dispose(&out);
    fs_perturber_free(p);
}

/* Each code point of out is a digit, or a letter of script with the case of the code point
 * of in at the same place. */
static bool same_case_or_digit(const char *out, const char *in, int script)
{
    size_t i = 0, j = 0, no = strlen(out), ni = strlen(in);
    while (i < no && j < ni) {
        fs_text_class a = fs_text_classify(out + i, no - i);
        fs_text_class b = fs_text_classify(in + j, ni - j);
        fs_text_next_cp(out, no, &i);
        fs_text_next_cp(in, ni, &j);
        if (!a.is_digit &&
            !(a.is_alpha && fs_text_script(a.cp) == script && a.is_upper == b.is_upper) &&
            a.cp != b.cp) {
            return false;
        }
    }
    return i == no && j == ni;
}

static void check_typo(const char *layout, const char *in, uint64_t seed, const char *want)
{
    char kv_layout[32];
    const char *const kv[] = { kv_layout, "rate=1", NULL };
    snprintf(kv_layout, sizeof kv_layout, "layout=%s", layout);
    bool changed = false;
    char *v = run("typo", kv, in, seed, "r", &changed);
    CU_ASSERT_STRING_EQUAL(v, want);
    fs_free(v);
}

static void test_perturb_chars__layouts_qwertz_azerty_jcuken(void)
{
    /* keys with a single neighbour give a known answer */
    check_typo("jcuken", "ё Ё", 1, "1 1");
    check_typo("azerty", "ù Ù", 1, "m M");
    check_typo("qwertz", "Привет", 1, "Привет");
    for (uint64_t seed = 1; seed < 20; seed++) {
        const char *const kv[] = { "layout=jcuken", "rate=1", NULL };
        bool changed = false;
        char *v = run("typo", kv, "Привет МИР", seed, "r", &changed);
        /* every letter mistyped, into a Cyrillic letter of the same case or a digit */
        CU_ASSERT_EQUAL(cp_diff(v, "Привет МИР"), 9);
        CU_ASSERT_TRUE(same_case_or_digit(v, "Привет МИР", fs_text_script(0x0430)));
        fs_free(v);
        const char *const de[] = { "layout=qwertz", "rate=1", NULL };
        v = run("typo", de, "ß", seed, "r", &changed);
        CU_ASSERT(strcmp(v, "0") == 0 || strcmp(v, "p") == 0 || strcmp(v, "ü") == 0);
        fs_free(v);
        v = run("typo", de, "ü", seed, "r", &changed);
        CU_ASSERT(strcmp(v, "p") == 0 || strcmp(v, "ß") == 0 || strcmp(v, "ö") == 0 ||
                  strcmp(v, "ä") == 0);
        fs_free(v);
        const char *const fr[] = { "layout=azerty", "rate=1", NULL };
        v = run("typo", fr, "é", seed, "r", &changed);
        CU_ASSERT(strcmp(v, "a") == 0 || strcmp(v, "z") == 0);
        fs_free(v);
    }
    /* insert and substitute with jcuken write Cyrillic into Cyrillic text only */
    const char *const kv[] = { "layout=jcuken", "rate=1", NULL };
    bool changed = false;
    char *v = run("substitute", kv, "Мир world", 3, "r", &changed);
    CU_ASSERT_STRING_EQUAL(v + strlen(v) - 6, " world");
    CU_ASSERT_EQUAL(cp_diff(v, "Мир world"), 3);
    fs_free(v);
    v = run("insert", kv, "Мир world", 3, "r", &changed);
    CU_ASSERT_EQUAL(cp_count(v), cp_count("Мир world") + 3);
    fs_free(v);
}

/* Observed share of changed units against the rate: within 4 standard deviations. */
static void check_share(const char *name, double rate, size_t changed, size_t units)
{
    double sd = sqrt((double)units * rate * (1.0 - rate));
    double dev = fabs((double)changed - rate * (double)units);
    CU_ASSERT_FATAL(units >= 2000);
    if (dev > 4.0 * sd) {
        fprintf(stderr, "%s rate %.2f: %zu of %zu changed\n", name, rate, changed, units);
    }
    CU_ASSERT(dev <= 4.0 * sd);
}

/* swap over words of 8 distinct letters: the draws per word are its 7 pairs minus the
 * pairs skipped because the pair before them was swapped. */
static void swap_units(const char *in, const char *out, size_t *changed, size_t *units)
{
    size_t n = strlen(in);
    CU_ASSERT_EQUAL_FATAL(strlen(out), n);
    for (size_t w = 0; w + 8 <= n; w += 9) {
        size_t drawn = 7;
        for (size_t j = 0; j < 7;) {
            if (out[w + j] != in[w + j]) {
                (*changed)++;
                drawn -= j + 1 < 7;
                j += 2;
            } else {
                j++;
            }
        }
        *units += drawn;
    }
}

/* The units and changes of one variant: letters of eight-letter words for delete (the last
 * letter takes no draw when the seven before it went), otherwise code points. */
static void count_units(const char *name, const char *in, const char *out, size_t eligible,
                        size_t *changed, size_t *units)
{
    if (strcmp(name, "swap") == 0) {
        swap_units(in, out, changed, units);
    } else if (strcmp(name, "delete") == 0) {
        size_t gone = cp_count(in) - cp_count(out);
        *changed += gone;
        *units += eligible;
        for (const char *p = out; *p != '\0'; p++) {
            bool single = (p == out || p[-1] == ' ') && (p[1] == ' ' || p[1] == '\0');
            *units -= single && *p == 'h'; /* a word left with its last letter only */
        }
    } else if (strcmp(name, "insert") == 0) {
        *changed += cp_count(out) - cp_count(in);
        *units += eligible;
    } else if (cp_count(out) != cp_count(in)) { /* unicode-forms nfd: é → e + U+0301 */
        *changed += cp_count(out) - cp_count(in);
        *units += eligible;
    } else {
        *changed += cp_diff(in, out);
        *units += eligible;
    }
}

static void test_perturb_chars__rate_is_a_probability(void)
{
    static const struct {
        const char *name, *extra, *word;
        size_t per_word; /* eligible units per word */
    } k[] = {
        { "swap", NULL, "abcdefgh", 0 },
        { "delete", NULL, "abcdefgh", 8 },
        { "insert", NULL, "abcdefgh", 8 },
        { "substitute", NULL, "abcdefgh", 8 },
        { "ocr", NULL, "OSZ", 3 },
        { "leet", NULL, "aEo", 3 },
        { "diacritics", NULL, "éàü", 3 },
        { "diacritics", "mode=add", "aeiou", 5 },
        { "unicode-forms", NULL, "éàü", 3 },
        { "unicode-forms", "form=fullwidth", "ab!", 4 }, /* and the space after */
    };
    static const char *const rates[] = { "rate=0.1", "rate=0.4" };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        for (size_t r = 0; r < 2; r++) {
            char text[1200];
            size_t len = 0, words = 0, changed = 0, units = 0;
            while (len + strlen(k[i].word) + 2 < sizeof text && words < 100) {
                len += (size_t)snprintf(text + len, sizeof text - len, "%s ", k[i].word);
                words++;
            }
            text[--len] = '\0';
            const char *const kv[] = { rates[r], k[i].extra, NULL };
            for (int rec = 0; rec < 10; rec++) {
                char id[16];
                bool c = false;
                snprintf(id, sizeof id, "rec-%d", rec);
                char *v = run(k[i].name, kv, text, 11, id, &c);
                /* the last word has no space after it */
                size_t eligible = words * k[i].per_word - (k[i].per_word == 4);
                count_units(k[i].name, text, v, eligible, &changed, &units);
                fs_free(v);
            }
            check_share(k[i].name, r == 0 ? 0.1 : 0.4, changed, units);
        }
    }
}

static void test_perturb_chars__user_files(void)
{
    char path[600], kv_file[700];
    const char *const kv[] = { "rate=1", kv_file, NULL };
    fs_buf out;
    fs_buf_init(&out, 0);
    snprintf(kv_file, sizeof kv_file, "file=%s",
             write_tmp("my_ocr.json", "{\"confusions\": {\"x\": [\"y\"], \"ab\": [\"Z\"]}}", path,
                       sizeof path));
    CU_ASSERT_EQUAL(run_in("ocr", kv, NULL, "xox abc", &out, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "yoy Zc");
    fs_buf_reset(&out);
    snprintf(kv_file, sizeof kv_file, "file=%s",
             write_tmp("my_leet.json", "{\"substitutions\": {\"ж\": [\"}|{\"], \"q\": [\"9\"]}}",
                       path, sizeof path));
    CU_ASSERT_EQUAL(run_in("leet", kv, NULL, "Жук q Q", &out, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "}|{ук 9 9");
    fs_buf_reset(&out);
    snprintf(kv_file, sizeof kv_file, "file=%s",
             write_tmp("my_marks.json", "{\"marks\": [\"\\u0301\"]}", path, sizeof path));
    const char *const add[] = { "rate=1", "mode=add", kv_file, NULL };
    CU_ASSERT_EQUAL(run_in("diacritics", add, NULL, "Ae ыx", &out, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "Áé ыx"); /* ы and x have no acute form */
    fs_buf_reset(&out);
    snprintf(kv_file, sizeof kv_file, "file=%s",
             write_tmp("my_layout.json", "{\"neighbours\": {\"ä\": [\"b\"], \"b\": [\"ä\"]}}", path,
                       sizeof path));
    CU_ASSERT_EQUAL(run_in("substitute", kv, NULL, "Bä", &out, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "Äb");
    fs_buf_reset(&out);
    CU_ASSERT_EQUAL(run_in("insert", kv, NULL, "z", &out, NULL), FS_OK);
    CU_ASSERT(strcmp(fs_buf_cstr(&out), "zb") == 0 || strcmp(fs_buf_cstr(&out), "zä") == 0);
    fs_buf_dispose(&out);
}

/* Create name with params kv and expect code with a message holding every part. */
static void expect_error(const char *name, const char *const *kv, const char *data_dir,
                         fs_status code, const char *part1, const char *part2)
{
    fs_perturber *p = NULL;
    fs_error err;
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(perturb_test_new(&p, name, kv, data_dir, &err), code);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, part1));
    if (part2 != NULL && strstr(err.msg, part2) == NULL) {
        fprintf(stderr, "unexpected message: %s\n", err.msg);
        CU_FAIL("message does not name the problem");
    }
    fs_perturber_free(p);
}

static void test_perturb_chars__missing_and_malformed_files(void)
{
    char path[600], kv_file[700];
    const char *const kv[] = { kv_file, NULL };
    const char *const add[] = { "mode=add", kv_file, NULL };
    /* no data under the data directory */
    expect_error("ocr", NULL, fs_test_tmp_dir(), FS_ERR_CONFIG, "perturbations/ocr.json",
                 "not found");
    expect_error("leet", NULL, fs_test_tmp_dir(), FS_ERR_CONFIG, "perturbations/leet.json", NULL);
    expect_error("diacritics", (const char *const[]){ "mode=add", NULL }, fs_test_tmp_dir(),
                 FS_ERR_CONFIG, "perturbations/diacritics.json", NULL);
    expect_error("insert", NULL, fs_test_tmp_dir(), FS_ERR_CONFIG, "keyboard/qwerty.json", NULL);
    snprintf(kv_file, sizeof kv_file, "file=%s/nope.json", fs_test_tmp_dir());
    expect_error("ocr", kv, NULL, FS_ERR_CONFIG, kv_file + 5, "not found");
    /* malformed */
    static const struct {
        const char *name, *contents, *problem;
    } bad[] = {
        { "ocr", "{\"confusions\": ", "invalid JSON" },
        { "ocr", "[1]", "must be a JSON object" },
        { "ocr", "{\"confusion\": {}}", "confusions: expected a non-empty object" },
        { "ocr", "{\"confusions\": {\"rn\": \"m\"}}",
          "confusions.rn: expected a non-empty array of non-empty strings" },
        { "ocr", "{\"confusions\": {\"rn\": [\"m\", 3]}}", "confusions.rn: expected" },
        { "ocr", "{\"confusions\": {\"rn\": []}}", "confusions.rn: expected" },
        { "ocr", "{\"confusions\": {\"\": [\"m\"]}}", "a source must be non-empty" },
        { "leet", "{\"substitutions\": {\"a\": [\"\"]}}", "substitutions.a: expected" },
        { "leet", "{\"substitutions\": []}", "substitutions: expected a non-empty object" },
        { "diacritics", "{\"marks\": [\"e\"]}", "marks[0]: expected one combining mark" },
        { "diacritics", "{\"marks\": [\"\\u0301\", \"\\u0301\\u0300\"]}",
          "marks[1]: expected one combining mark" },
        { "diacritics", "{\"marks\": []}", "marks: expected a non-empty array" },
        { "substitute", "{\"neighbours\": {\"1\": [\"2\"], \"a\": [\"1\"]}}",
          "needs at least two letter keys" },
        { "insert", "{\"neighbours\": {\"ab\": [\"c\"]}}", "not a single character" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad%zu.json", i);
        snprintf(kv_file, sizeof kv_file, "file=%s",
                 write_tmp(name, bad[i].contents, path, sizeof path));
        expect_error(bad[i].name, strcmp(bad[i].name, "diacritics") == 0 ? add : kv, NULL,
                     FS_ERR_INPUT, path, bad[i].problem);
    }
}

static void test_perturb_chars__bad_parameters(void)
{
    expect_error("diacritics", (const char *const[]){ "mode=remove", NULL }, NULL, FS_ERR_CONFIG,
                 "diacritics: mode: must be one of strip, add, got 'remove'", NULL);
    expect_error("unicode-forms", (const char *const[]){ "form=NFC", NULL }, NULL, FS_ERR_CONFIG,
                 "unicode-forms: form: must be one of nfd, nfkd, nfc, nfkc, fullwidth, random, "
                 "got 'NFC'",
                 NULL);
    expect_error("insert", (const char *const[]){ "layout=../qwerty", NULL }, fs_test_source_dir(),
                 FS_ERR_CONFIG, "insert: layout: must be a simple name", NULL);
    expect_error("substitute", (const char *const[]){ "layout=dvorak", NULL }, fs_test_source_dir(),
                 FS_ERR_CONFIG, "keyboard/dvorak.json", NULL);
    expect_error("swap", (const char *const[]){ "rate=2", NULL }, NULL, FS_ERR_CONFIG,
                 "swap: rate: must be a number between 0 and 1, got '2'", NULL);
    expect_error("ocr", (const char *const[]){ "layout=qwerty", NULL }, NULL, FS_ERR_CONFIG,
                 "ocr: unknown parameter 'layout'", NULL);
}

static void test_perturb_chars__core_normaliser(void)
{
    fs_text_normalizer *nz = NULL;
    fs_buf a, b;
    const char *texts[] = { "café e\xCC\x81", "ﬁ ① ＡＢ ẛ̣", "한국 \xE1\x84\x92\xE1\x85\xA1", "",
                            "Ω Å K" };
    fs_buf_init(&a, 0);
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_text_normalizer_new(&nz, NULL), FS_OK);
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        for (int f = 0; f < 4; f++) {
            fs_buf_reset(&a);
            fs_buf_reset(&b);
            size_t n = strlen(texts[t]);
            CU_ASSERT_EQUAL(fs_text_normalizer_run(nz, &a, texts[t], n, (fs_text_form)f, NULL),
                            FS_OK);
            CU_ASSERT_EQUAL(fs_text_normalize(&b, texts[t], n, (fs_text_form)f, NULL), FS_OK);
            CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&a), fs_buf_cstr(&b));
        }
    }
    fs_buf_reset(&a);
    const char *acc = "Ǻ ệ ΐ й 한 e\xCC\xA3\xCC\x81 a\xEF\xB8\x8F";
    CU_ASSERT_EQUAL(fs_text_normalizer_strip_marks(nz, &a, acc, strlen(acc), NULL), FS_OK);
    /* Hangul is not marks; a variation selector has combining class 0 and stays */
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&a), "A e ι и 한 e a\xEF\xB8\x8F");
    CU_ASSERT_EQUAL(fs_text_compose_pair('e', 0x301), 0xE9);
    CU_ASSERT_EQUAL(fs_text_compose_pair('x', 0x327), 0);
    CU_ASSERT_EQUAL(fs_text_compose_pair(0x438, 0x306), 0x439);
    CU_ASSERT_TRUE(fs_text_decomposes(0xE9));
    CU_ASSERT_FALSE(fs_text_decomposes('e'));
    CU_ASSERT_FALSE(fs_text_decomposes(0xF8)); /* ø */
    CU_ASSERT_EQUAL(fs_text_script('a'), fs_text_script(0x1EC7));
    CU_ASSERT_NOT_EQUAL(fs_text_script('a'), fs_text_script(0x430));
    CU_ASSERT_EQUAL(fs_text_script(0x301), 1); /* Inherited */
    CU_ASSERT_EQUAL(fs_text_script(' '), 0);   /* Common */
    fs_text_normalizer_free(nz);
    fs_text_normalizer_free(NULL);
    fs_buf_dispose(&a);
    fs_buf_dispose(&b);
}

/* The examples of docs/perturbations.md (seed 42): variants are byte-identical everywhere,
 * so a change in how randomness is drawn shows up here. */
static void test_perturb_chars__documented_examples(void)
{
#define EN  "The quick brown fox jumps over the lazy dog. Émile PAID 42 euros!"
#define MIX "Zoë écrit: «Ça va?» 東京 😀 Σοφία, Ёлка и йогурт."
    static const struct {
        const char *name, *kv1, *kv2, *record, *in, *want;
    } ex[] = {
        { "swap", "rate=0.2", NULL, "rec-1", EN,
          "The uqick brown fox jumps oevr the alzy dog. Éimle PAID 42 euros!" },
        { "swap", "rate=0.3", NULL, "rec-2", MIX,
          "Zëo écrit: «aÇ av?» 東京 😀 Σοφαί, Ёлка и йоугрт." },
        { "insert", "rate=0.1", NULL, "rec-1", EN,
          "The quick browbn fox jumps over the lazy dog. Émileq PAID 42 euros!" },
        { "insert", "rate=0.2", "layout=jcuken", "rec-2", "Привет, как дела? Hello!",
          "Прюивет, как дейлра? Hello!" },
        { "delete", "rate=0.1", NULL, "rec-1", EN,
          "The quick brwn fox jumps over the lazy dog. mile PID 42 euros!" },
        { "delete", "rate=0.2", NULL, "rec-2", MIX,
          "Zoë écrit: «Ça va?» 京 😀 Σοφί, Ёлка и йогрт." },
        { "substitute", "rate=0.1", NULL, "rec-1", EN,
          "The quick browq fox jumps over thi lazy dog. Émile PAID 42 euros!" },
        { "substitute", "rate=0.2", "layout=azerty", "rec-2", "Ça va très bien, merci.",
          "Ça ja teès bfeh, mercr." },
        { "ocr", "rate=0.3", NULL, "rec-1", EN,
          "Thc guick hrovvn f0x jumps avor tho 1azv dog, Emile RA|D 42 euros!" },
        { "ocr", "rate=0.3", NULL, "rec-2", MIX,
          "20ë ecrif: «Ço va?» 東京 😀 Σ0φία, Ёлка и йогурт." },
        { "leet", "rate=0.5", NULL, "rec-1", EN,
          "T#e qui<|< 6rown f0x jumps 0v3r 7he 1azy dog. Ém113 P@ID 42 eur0s!" },
        { "leet", "rate=0.5", NULL, "rec-2", MIX,
          "20ë écri+: «Ç4 v@?» 東京 😀 Σ0φί@, Ёлк4 и йогурт." },
        { "diacritics", "rate=1", NULL, "rec-2", MIX,
          "Zoe ecrit: «Ca va?» 東京 😀 Σοφια, Елка и иогурт." },
        { "diacritics", "rate=1", NULL, "rec-2", "Tiếng Việt; Ελληνικά: καλημέρα; Straße, łódź",
          "Tieng Viet; Ελληνικα: καλημερα; Straße, łodz" },
        { "diacritics", "rate=0.5", "mode=add", "rec-1", EN,
          "Thë quičḱ bŕǒwǹ ḟox juḿpś oṽeŗ tḣe lazỹ dog. Émiľe ṖAID 42 ēuřõş!" },
        { "unicode-forms", "rate=0.5", "form=fullwidth", "rec-1", EN,
          "Tｈe　qｕiｃｋ brｏwｎ　ｆｏx ｊｕｍｐs　oｖｅr　the lazｙ　doｇ． Émｉlｅ ＰAIＤ "
          "4２　ｅuroｓ!" },
        { "unicode-forms", "form=nfkc", NULL, "rec-1", "ﬁne ① Ｗｉｄｅ ㎏ x² café",
          "fine 1 Wide kg x2 café" },
        { "unicode-forms", "form=nfd", NULL, "rec-1", "Zoë", "Zoe\xCC\x88" },
    };
#undef EN
#undef MIX
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        const char *const kv[] = { ex[i].kv1, ex[i].kv2, NULL };
        bool changed = false;
        char *v = run(ex[i].name, kv, ex[i].in, 42, ex[i].record, &changed);
        CU_ASSERT_STRING_EQUAL(v, ex[i].want);
        CU_ASSERT_TRUE(changed);
        fs_free(v);
    }
}

const fs_test_case fs_perturb_chars_tests[] = {
    { "test_perturb_chars__deterministic_per_seed_and_record",
      test_perturb_chars__deterministic_per_seed_and_record },
    { "test_perturb_chars__rate_zero_is_identity", test_perturb_chars__rate_zero_is_identity },
    { "test_perturb_chars__unicode_clusters_survive",
      test_perturb_chars__unicode_clusters_survive },
    { "test_perturb_chars__swap_delete_keep_graphemes",
      test_perturb_chars__swap_delete_keep_graphemes },
    { "test_perturb_chars__swap_within_words", test_perturb_chars__swap_within_words },
    { "test_perturb_chars__delete_never_empties_a_word",
      test_perturb_chars__delete_never_empties_a_word },
    { "test_perturb_chars__insert_substitute_use_layout_keys",
      test_perturb_chars__insert_substitute_use_layout_keys },
    { "test_perturb_chars__case_is_preserved", test_perturb_chars__case_is_preserved },
    { "test_perturb_chars__ocr_longest_source_first",
      test_perturb_chars__ocr_longest_source_first },
    { "test_perturb_chars__leet_any_case", test_perturb_chars__leet_any_case },
    { "test_perturb_chars__diacritics_strip", test_perturb_chars__diacritics_strip },
    { "test_perturb_chars__diacritics_add", test_perturb_chars__diacritics_add },
    { "test_perturb_chars__unicode_forms_normalise", test_perturb_chars__unicode_forms_normalise },
    { "test_perturb_chars__unicode_forms_fullwidth_and_random",
      test_perturb_chars__unicode_forms_fullwidth_and_random },
    { "test_perturb_chars__protected_spans_untouched",
      test_perturb_chars__protected_spans_untouched },
    { "test_perturb_chars__layouts_qwertz_azerty_jcuken",
      test_perturb_chars__layouts_qwertz_azerty_jcuken },
    { "test_perturb_chars__rate_is_a_probability", test_perturb_chars__rate_is_a_probability },
    { "test_perturb_chars__user_files", test_perturb_chars__user_files },
    { "test_perturb_chars__missing_and_malformed_files",
      test_perturb_chars__missing_and_malformed_files },
    { "test_perturb_chars__bad_parameters", test_perturb_chars__bad_parameters },
    { "test_perturb_chars__core_normaliser", test_perturb_chars__core_normaliser },
    { "test_perturb_chars__documented_examples", test_perturb_chars__documented_examples },
    { NULL, NULL },
};
