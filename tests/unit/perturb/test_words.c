/* perturb.words: misspelling, contraction, expansion, filler, synonym, word-drop,
 * word-swap, number-format and mild-mix on ASCII and on real Unicode (accents, CJK, emoji
 * sequences, flags, Hangul, Arabic, Hebrew), case shapes, rates measured over many
 * records, determinism, users' own data files and the errors for bad files and
 * parameters. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "fairshake/perturb.h"
#include "helpers.h"

/* Every word kind, with parameters that make it act on most of long_text. */
static const struct {
    const char *name;
    const char *kv;
} kinds[] = {
    { "misspelling", "rate=0.5" }, { "contraction", "rate=0.5" },   { "expansion", "rate=0.5" },
    { "filler", "rate=0.5" },      { "synonym", "rate=0.5" },       { "word-drop", "rate=0.5" },
    { "word-swap", "rate=0.5" },   { "number-format", "rate=0.5" }, { "mild-mix", "strength=1" },
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* Mixed-script text with something for every kind: lexicon words, phrases to contract,
 * contractions, numbers, and clusters that must stay whole. */
static const char long_text[] =
    "I am sure the movie was great, but I do not believe it is finished. "
    "Don't worry: we're definitely going to receive 12,345 letters and 1500 parcels. "
    "Room 101 cost 2500 dollars, 3.75 per hour, for 17 guests and 250,000 fans. "
    "Zoë and Émile visited the café on Tuesday; they paid 42 euros. "
    "The family 👨‍👩‍👧 waved 🇫🇷 flags, 한국어 문장 and 東京は晴れ。 "
    "שלום עולם, مرحبا بالعالم. Привет, как дела? It's a beautiful day and they are happy. "
    "The staff were friendly and the food was delicious, I'll come back tomorrow.";

static char *run(const char *name, const char *kv1, const char *kv2, const char *text,
                 uint64_t seed, const char *rec, bool *changed)
{
    const char *const kv[] = { kv1, kv2, NULL };
    bool ignored = false;
    return perturb_test_apply(name, kv1 != NULL ? kv : NULL, text, seed, rec,
                              changed != NULL ? changed : &ignored);
}

/* Apply with rate 1 and check the output exactly. */
static void expect(const char *name, const char *kv2, const char *in, const char *want)
{
    bool changed = false;
    char *v = run(name, "rate=1", kv2, in, 7, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    if (strcmp(v, want) != 0) {
        fprintf(stderr, "\n%s: '%s' gave '%s', want '%s'\n", name, in, v, want);
    }
    CU_ASSERT_STRING_EQUAL(v, want);
    CU_ASSERT_EQUAL(changed, strcmp(in, want) != 0);
    fs_free(v);
}

/* Write contents to <tmp>/<name> and return the path (static storage, one at a time). */
static const char *write_tmp(const char *name, const char *contents)
{
    static char path[700];
    snprintf(path, sizeof path, "%s/%s", fs_test_tmp_dir(), name);
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(contents, 1, strlen(contents), f), strlen(contents));
    CU_ASSERT_EQUAL(fclose(f), 0);
    return path;
}

/* Does haystack contain needle exactly n times? */
static size_t count_of(const char *hay, const char *needle)
{
    size_t k = 0, m = strlen(needle);
    for (const char *s = strstr(hay, needle); s != NULL; s = strstr(s + m, needle)) {
        k++;
    }
    return k;
}

/* Is observed within 4 standard deviations of a binomial(n, rate)? */
static bool near_rate(size_t observed, size_t n, double rate)
{
    double mean = (double)n * rate, sd = sqrt((double)n * rate * (1.0 - rate));
    bool ok = fabs((double)observed - mean) <= 4.0 * sd + 0.5;
    if (!ok) {
        fprintf(stderr, "\nobserved %zu of %zu, want about %.1f (rate %.2f)\n", observed, n, mean,
                rate);
    }
    return ok;
}

/* ---- Unicode safety, determinism, rate 0 ---------------------------------------------- */

/* Are the graphemes a and b equal but for case (word-swap and mild-mix change case)? */
static bool same_letter(const char *a, size_t na, const char *b, size_t nb)
{
    fs_buf la, lb;
    fs_buf_init(&la, 0);
    fs_buf_init(&lb, 0);
    CU_ASSERT_EQUAL(fs_text_case_map(&la, a, na, FS_CASE_LOWER, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_text_case_map(&lb, b, nb, FS_CASE_LOWER, NULL), FS_OK);
    bool same = strcmp(fs_buf_cstr(&la), fs_buf_cstr(&lb)) == 0;
    fs_buf_dispose(&la);
    fs_buf_dispose(&lb);
    return same;
}

/* Is every grapheme of out, up to case, either a grapheme of in or ASCII (what lexicons
 * add)? */
static bool clusters_intact(const char *in, const char *out)
{
    fs_text_span *gi = NULL, *go = NULL;
    size_t ni = 0, no = 0;
    bool ok = fs_text_segment(&gi, &ni, in, strlen(in), FS_TEXT_GRAPHEME, NULL) == FS_OK &&
              fs_text_segment(&go, &no, out, strlen(out), FS_TEXT_GRAPHEME, NULL) == FS_OK;
    for (size_t i = 0; ok && i < no; i++) {
        size_t len = go[i].end - go[i].start;
        bool found = len == 1 && (unsigned char)out[go[i].start] < 0x80;
        for (size_t j = 0; !found && j < ni; j++) {
            found = same_letter(in + gi[j].start, gi[j].end - gi[j].start, out + go[i].start, len);
        }
        if (!found) {
            fprintf(stderr, "\nforeign grapheme '%.*s' in '%s'\n", (int)len, out + go[i].start,
                    out);
        }
        ok = found;
    }
    fs_free(gi);
    fs_free(go);
    return ok;
}

static void test_perturb_words__unicode_stays_whole(void)
{
    const char *texts[] = {
        long_text,
        "👨‍👩‍👧‍👦 🇯🇵🇫🇷 e\xCC\x81t\xC3\xA9 한국어 東京 שלום "
        "مرحبا "
        "42",
        "Don’t panic — it’s 1500 km, we’re here. 😀👍🏽"
    };
    for (size_t k = 0; k < N_KINDS; k++) {
        for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
            for (uint64_t seed = 1; seed <= 5; seed++) {
                bool changed = false;
                char *v = run(kinds[k].name, kinds[k].kv, NULL, texts[t], seed, "u", &changed);
                CU_ASSERT_PTR_NOT_NULL_FATAL(v);
                CU_ASSERT_TRUE(fs_text_valid_utf8(v, strlen(v)));
                CU_ASSERT_TRUE(clusters_intact(texts[t], v));
                fs_free(v);
            }
        }
    }
}

static void test_perturb_words__deterministic_per_seed_and_record(void)
{
    for (size_t k = 0; k < N_KINDS; k++) {
        bool c1, c2, c3, c4;
        char *a = run(kinds[k].name, kinds[k].kv, NULL, long_text, 42, "rec-1", &c1);
        char *b = run(kinds[k].name, kinds[k].kv, NULL, long_text, 42, "rec-1", &c2);
        char *c = run(kinds[k].name, kinds[k].kv, NULL, long_text, 43, "rec-1", &c3);
        char *d = run(kinds[k].name, kinds[k].kv, NULL, long_text, 42, "rec-2", &c4);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT_STRING_EQUAL(a, b);
        if (strcmp(a, c) == 0 || !(c1 && c2 && c3 && c4)) {
            fprintf(stderr, "\n%s: '%s'\n", kinds[k].name, a);
        }
        CU_ASSERT_STRING_NOT_EQUAL(a, c);
        CU_ASSERT_STRING_NOT_EQUAL(a, d);
        CU_ASSERT_TRUE(c1 && c2 && c3 && c4);
        fs_free(a);
        fs_free(b);
        fs_free(c);
        fs_free(d);
    }
}

static void test_perturb_words__nothing_changes_at_rate_zero(void)
{
    for (size_t k = 0; k < N_KINDS; k++) {
        const char *zero = strcmp(kinds[k].name, "mild-mix") == 0 ? "strength=0" : "rate=0";
        bool changed = true;
        char *v = run(kinds[k].name, zero, NULL, long_text, 1, "r", &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_STRING_EQUAL(v, long_text);
        CU_ASSERT_FALSE(changed);
        fs_free(v);
        changed = true;
        v = run(kinds[k].name, kinds[k].kv, NULL, "", 1, "r", &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_STRING_EQUAL(v, "");
        CU_ASSERT_FALSE(changed);
        fs_free(v);
    }
}

/* Text with nothing eligible comes out unchanged, even at rate 1. */
static void test_perturb_words__nothing_eligible_is_unchanged(void)
{
    const char *cases[][2] = {
        { "misspelling", "東京は晴れ。 Zxq plorb 😀" },
        { "synonym", "Zxq plorb 한국어 🇫🇷" },
        { "contraction", "I am. Do not! Yes, it is." },
        { "expansion", "Do not go, it is late." },
        { "filler", "東京は晴れ。" },
        { "word-drop", "😀 — 🇫🇷" },
        { "word-swap", "One. Two! Three?" },
        { "number-format", "10:30 3/4 007 COVID-19 1 000 1.000,5 v2 3rd ٤٢" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool changed = true;
        char *v = run(cases[i][0], "rate=1", NULL, cases[i][1], 3, "r", &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        if (strcmp(v, cases[i][1]) != 0) {
            fprintf(stderr, "\n%s changed '%s' to '%s'\n", cases[i][0], cases[i][1], v);
        }
        CU_ASSERT_STRING_EQUAL(v, cases[i][1]);
        CU_ASSERT_FALSE(changed);
        fs_free(v);
    }
}

/* ---- lexicon kinds ------------------------------------------------------------------- */

static void test_perturb_words__misspelling_keeps_case(void)
{
    expect("misspelling", NULL, "I will receive it.", "I will recieve it.");
    expect("misspelling", NULL, "Receive it, RECEIVE IT!", "Recieve it, RECIEVE IT!");
    expect("misspelling", NULL, "a calendar, Febuary", "a calender, Febuary");
    /* several misspellings: every one of them turns up */
    const char *const forms[] = { "definately", "definatly", "defiantly", "definitly" };
    bool seen[4] = { false, false, false, false };
    for (uint64_t seed = 0; seed < 64; seed++) {
        char *v = run("misspelling", "rate=1", NULL, "definitely", seed, "r", NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        bool known = false;
        for (size_t i = 0; i < 4; i++) {
            seen[i] = seen[i] || strcmp(v, forms[i]) == 0;
            known = known || strcmp(v, forms[i]) == 0;
        }
        CU_ASSERT_TRUE(known);
        fs_free(v);
    }
    CU_ASSERT_TRUE(seen[0] && seen[1] && seen[2] && seen[3]);
}

static const char user_words[] =
    "{\"description\": \"test\", \"source\": \"test\", \"license\": \"CC0-1.0\",\n"
    " \"language\": \"de\", \"misspellings\": {\"straße\": [\"strasse\"],\n"
    " \"café\": [\"cafe\"], \"привет\": [\"превед\"], \"σοφία\": [\"σοφια\"],\n"
    " \"ölig\": [\"oelig\"], \"שלום\": [\"שלוםם\"], \"東京\": [\"東亰\"]},\n"
    " \"synonyms\": {\"größe\": [\"umfang\"], \"ÉTÉ\": [\"saison\"]}}";

static void test_perturb_words__user_file_in_other_scripts(void)
{
    char kv[800];
    snprintf(kv, sizeof kv, "file=%s", write_tmp("words-user.json", user_words));
    expect("misspelling", kv, "Die Straße ist ölig.", "Die Strasse ist oelig.");
    expect("misspelling", kv, "ÖLIG und STRASSE", "OELIG und STRASSE");
    /* the key matches written decomposed (NFD) too */
    expect("misspelling", kv, "Un cafe\xCC\x81 noir", "Un cafe noir");
    expect("misspelling", kv, "Привет, ПРИВЕТ! Σοφία", "Превед, ПРЕВЕД! Σοφια");
    expect("misspelling", kv, "שלום עולם 東京", "שלוםם עולם 東亰");
    expect("synonym", kv, "Die Größe im Été", "Die Umfang im Saison");
}

static void test_perturb_words__synonym_keeps_case_and_sense(void)
{
    const char *const good[] = { "excellent", "wonderful", "terrific" };
    for (uint64_t seed = 0; seed < 16; seed++) {
        char *v = run("synonym", "rate=1", NULL, "GREAT", seed, "r", NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        bool ok = false;
        for (size_t i = 0; i < 3; i++) {
            char up[32];
            size_t n = strlen(good[i]);
            for (size_t j = 0; j <= n; j++) {
                up[j] = good[i][j] == '\0' ? '\0' : (char)(good[i][j] - 'a' + 'A');
            }
            ok = ok || strcmp(v, up) == 0;
        }
        CU_ASSERT_TRUE(ok);
        fs_free(v);
    }
    expect("synonym", NULL, "Zxq", "Zxq");
}

/* The bundled lexicons: documented, big enough, and never mapping a word to its
 * opposite. */
static cJSON *load_data(const char *file)
{
    char path[700];
    cJSON *doc = NULL;
    snprintf(path, sizeof path, "%s/perturbations/%s", fs_test_source_dir(), file);
    CU_ASSERT_EQUAL_FATAL(fs_json__parse_file(&doc, path, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_json__str(doc, "license"), "CC0-1.0");
    CU_ASSERT_STRING_EQUAL(fs_json__str(doc, "language"), "en");
    CU_ASSERT_PTR_NOT_NULL(fs_json__str(doc, "description"));
    CU_ASSERT_PTR_NOT_NULL(fs_json__str(doc, "source"));
    return doc;
}

static bool lists(const cJSON *map, const char *head, const char *word)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(map, head);
    for (const cJSON *v = a ? a->child : NULL; v != NULL; v = v->next) {
        if (strcmp(v->valuestring, word) == 0) {
            return true;
        }
    }
    return false;
}

static void test_perturb_words__bundled_lexicons(void)
{
    cJSON *m = load_data("misspellings.json");
    cJSON *s = load_data("synonyms.json");
    cJSON *c = load_data("contractions.json");
    cJSON *f = load_data("fillers.json");
    const cJSON *syn = cJSON_GetObjectItemCaseSensitive(s, "synonyms");
    CU_ASSERT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "misspellings")) >= 400);
    CU_ASSERT(cJSON_GetArraySize(syn) >= 500);
    CU_ASSERT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "pairs")) >= 60);
    CU_ASSERT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(f, "fillers")) >= 20);
    /* opposite pairs: neither is ever listed as a synonym of the other */
    const char *const opposites[][2] = {
        { "good", "bad" },       { "happy", "sad" },
        { "love", "hate" },      { "cheap", "expensive" },
        { "easy", "difficult" }, { "best", "worst" },
        { "fast", "slow" },      { "clean", "dirty" },
        { "polite", "rude" },    { "reliable", "unreliable" },
    };
    for (size_t i = 0; i < sizeof opposites / sizeof opposites[0]; i++) {
        CU_ASSERT_FALSE(lists(syn, opposites[i][0], opposites[i][1]));
        CU_ASSERT_FALSE(lists(syn, opposites[i][1], opposites[i][0]));
    }
    for (const cJSON *e = syn->child; e != NULL; e = e->next) {
        CU_ASSERT_FALSE(lists(syn, e->string, e->string));
    }
    cJSON_Delete(m);
    cJSON_Delete(s);
    cJSON_Delete(c);
    cJSON_Delete(f);
}

/* ---- contraction and expansion -------------------------------------------------------- */

static void test_perturb_words__contraction(void)
{
    expect("contraction", NULL, "I am sure it is not over, do not go.",
           "I'm sure it's not over, don't go.");
    expect("contraction", NULL, "They are here and we have won.", "They're here and we've won.");
    expect("contraction", NULL, "DO NOT PANIC, Do not panic", "DON'T PANIC, Don't panic");
    expect("contraction", NULL, "You cannot stay. You can not stay.",
           "You can't stay. You can't stay.");
    /* only before another word: "Yes, I am." stays */
    expect("contraction", NULL, "Yes, I am. It is.", "Yes, I am. It is.");
    /* never across a line break; several spaces inside are fine */
    expect("contraction", NULL, "do\nnot go, do  not go", "do\nnot go, don't go");
    /* text written with typographic apostrophes gets them in new contractions too */
    expect("contraction", NULL, "I’m here and I am happy", "I’m here and I’m happy");
    /* "it has" is never contracted: "it's a" would be wrong */
    expect("contraction", NULL, "it has a dog", "it has a dog");
}

static void test_perturb_words__expansion(void)
{
    expect("expansion", NULL, "Don't go, I'm here. DON'T!", "Do not go, I am here. DO NOT!");
    expect("expansion", NULL, "don’t, won’t, I’M", "do not, will not, I AM");
    /* can't has two expansions, it's and he'd are ambiguous: every reading turns up */
    const char *ambiguous[][3] = { { "can't", "cannot", "can not" },
                                   { "It's over", "It is over", "It has over" },
                                   { "he'd go", "he would go", "he had go" } };
    for (size_t a = 0; a < 3; a++) {
        bool seen[2] = { false, false };
        for (uint64_t seed = 0; seed < 32; seed++) {
            char *v = run("expansion", "rate=1", NULL, ambiguous[a][0], seed, "r", NULL);
            CU_ASSERT_PTR_NOT_NULL_FATAL(v);
            seen[0] = seen[0] || strcmp(v, ambiguous[a][1]) == 0;
            seen[1] = seen[1] || strcmp(v, ambiguous[a][2]) == 0;
            CU_ASSERT(strcmp(v, ambiguous[a][1]) == 0 || strcmp(v, ambiguous[a][2]) == 0);
            fs_free(v);
        }
        CU_ASSERT_TRUE(seen[0] && seen[1]);
    }
}

/* ---- filler, word-drop, word-swap ------------------------------------------------------- */

static const char user_fillers[] =
    "{\"description\": \"t\", \"source\": \"t\", \"license\": \"CC0-1.0\", \"fillers\": [\"um\"]}";

static void test_perturb_words__filler_goes_into_gaps(void)
{
    char kv[800];
    snprintf(kv, sizeof kv, "file=%s", write_tmp("fillers-um.json", user_fillers));
    expect("filler", kv, "The cat sat. It ran, fast!", "The um cat um sat. Um It um ran, um fast!");
    /* leading and trailing space, and text without spaces, get nothing */
    expect("filler", kv, "  שלום עולם  ", "  שלום um עולם  ");
    expect("filler", kv, "東京は晴れ。 한국어 문장", "東京は晴れ。 Um 한국어 um 문장");
    /* the bundled list: every gap of a long text gets one of its entries */
    bool changed = false;
    char *v = run("filler", "rate=1", NULL, "a b c d e f g h", 5, "r", &changed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_TRUE(changed);
    CU_ASSERT(strlen(v) > strlen("a b c d e f g h") + 7 * 2);
    CU_ASSERT(strncmp(v, "a ", 2) == 0);
    fs_free(v);
}

static void test_perturb_words__word_drop_never_drops_everything(void)
{
    expect("word-drop", NULL, "The quick brown fox", "fox");
    expect("word-drop", NULL, "Hello", "Hello");
    expect("word-drop", NULL, "😀 hi 🇫🇷", "😀 hi 🇫🇷");
    /* one adjacent space goes with the word, never both, and punctuation stays */
    bool changed = false;
    for (uint64_t seed = 0; seed < 40; seed++) {
        char *v =
            run("word-drop", "rate=0.5", NULL, "alpha, beta gamma. delta", seed, "r", &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_PTR_NULL(strstr(v, "  "));
        CU_ASSERT_EQUAL(count_of(v, ","), 1);
        CU_ASSERT_EQUAL(count_of(v, "."), 1);
        fs_free(v);
    }
}

static void test_perturb_words__word_swap(void)
{
    expect("word-swap", NULL, "one two three four five", "two one four three five");
    /* the gap stays in place; a sentence's capital moves to the new first word */
    expect("word-swap", NULL, "The cat sat, then ran.", "Cat the then, sat ran.");
    /* never across a sentence end or line; "I" and names keep their case */
    expect("word-swap", NULL, "Go. Now\nplease", "Go. Now\nplease");
    expect("word-swap", NULL, "I think Paris is", "think I is Paris");
    expect("word-swap", NULL, "Привет мир, שלום עולם", "Мир привет, עולם שלום");
}

/* ---- number-format -------------------------------------------------------------------- */

static void test_perturb_words__number_format_styles(void)
{
    const char *in = "Paid 12345 for 1,000,000 items, 3.5 each, 1234.25 total, -7 C.";
    expect("number-format", "style=grouped", in,
           "Paid 12,345 for 1,000,000 items, 3.5 each, 1,234.25 total, -7 C.");
    expect("number-format", "style=plain", in,
           "Paid 12345 for 1000000 items, 3.5 each, 1234.25 total, -7 C.");
    expect("number-format", "style=words", in,
           "Paid twelve thousand three hundred forty-five for one million items, three point "
           "five each, one thousand two hundred thirty-four point two five total, minus seven "
           "C.");
    expect("number-format", "style=words", "$5 (42) 42% 7.", "$five (forty-two) forty-two% seven.");
    /* random: a style other than the number's own */
    for (uint64_t seed = 0; seed < 32; seed++) {
        char *v = run("number-format", "rate=1", NULL, "1,500", seed, "r", NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT(strcmp(v, "1500") == 0 || strcmp(v, "one thousand five hundred") == 0);
        fs_free(v);
        v = run("number-format", "rate=1", NULL, "7", seed, "r", NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_STRING_EQUAL(v, "seven");
        fs_free(v);
    }
}

/* ---- mild-mix ------------------------------------------------------------------------- */

/* Collapse runs of spaces into one, in place. */
static void squeeze(char *s)
{
    size_t w = 0;
    for (size_t r = 0; s[r] != '\0'; r++) {
        if (!(s[r] == ' ' && w > 0 && s[w - 1] == ' ')) {
            s[w++] = s[r];
        }
    }
    s[w] = '\0';
}

static void test_perturb_words__mild_mix(void)
{
    const char *in = "I am SURE That it is Fine, do not Worry about it.";
    size_t spaced = 0;
    for (uint64_t seed = 0; seed < 20; seed++) {
        bool changed = false;
        char *v = run("mild-mix", NULL, NULL, in, seed, "r", &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_TRUE(changed);
        spaced += strstr(v, "  ") != NULL;
        squeeze(v);
        /* lower case and contracted; a misspelling may or may not come */
        CU_ASSERT(strncmp(v, "i'm sure that it's fine, don't worry about it.", 64) == 0 ||
                  strlen(v) > 30);
        CU_ASSERT_PTR_NOT_NULL(strstr(v, "i'm "));
        CU_ASSERT_PTR_NOT_NULL(strstr(v, "don't"));
        CU_ASSERT_PTR_NULL(strstr(v, "SURE"));
        fs_free(v);
    }
    CU_ASSERT(spaced > 10);
    /* its data files are listed for provenance */
    fs_perturber *p = NULL;
    const char *const *files = NULL;
    CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, "mild-mix", NULL, fs_test_source_dir(), NULL),
                          FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_perturber_files(p, &files), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(files[0], "contractions.json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(files[1], "misspellings.json"));
    fs_perturber_free(p);
}

/* ---- rates ---------------------------------------------------------------------------- */

/* Apply name to records copies of unit (separated by sep) and count needle in the
 * outputs. */
static size_t count_over(const char *name, const char *rate, const char *kv2, const char *unit,
                         size_t per_record, size_t records, const char *needle)
{
    fs_perturber *p = NULL;
    fs_buf text, out;
    const char *const kv[] = { rate, kv2, NULL };
    size_t found = 0;
    CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, name, kv, fs_test_source_dir(), NULL), FS_OK);
    fs_buf_init(&text, 0);
    fs_buf_init(&out, 0);
    for (size_t i = 0; i < per_record; i++) {
        fs_buf_puts(&text, unit);
    }
    for (size_t r = 0; r < records; r++) {
        char rec[32];
        bool changed;
        snprintf(rec, sizeof rec, "rec-%zu", r);
        fs_buf_reset(&out);
        CU_ASSERT_EQUAL_FATAL(
            fs_perturber_apply(p, text.data, text.len, 11, rec, NULL, 0, &out, &changed, NULL),
            FS_OK);
        found += count_of(fs_buf_cstr(&out), needle);
    }
    fs_buf_dispose(&text);
    fs_buf_dispose(&out);
    fs_perturber_free(p);
    return found;
}

static void test_perturb_words__rates_are_probabilities(void)
{
    const double rates[] = { 0.15, 0.6 };
    char kv[800];
    snprintf(kv, sizeof kv, "file=%s", write_tmp("fillers-um.json", user_fillers));
    for (size_t r = 0; r < 2; r++) {
        char rate[32];
        snprintf(rate, sizeof rate, "rate=%g", rates[r]);
        /* 20 units per record, 120 records: 2,400 eligible units each */
        CU_ASSERT(near_rate(count_over("misspelling", rate, NULL, "receive ", 20, 120, "recieve"),
                            2400, rates[r]));
        CU_ASSERT(near_rate(count_over("contraction", rate, NULL, "do not go ", 20, 120, "don't"),
                            2400, rates[r]));
        CU_ASSERT(near_rate(count_over("expansion", rate, NULL, "don't ", 20, 120, "do not"), 2400,
                            rates[r]));
        CU_ASSERT(near_rate(count_over("synonym", rate, NULL, "happy. ", 20, 120, "happy"), 2400,
                            1.0 - rates[r]));
        CU_ASSERT(near_rate(
            count_over("number-format", rate, "style=grouped", "12345 x ", 20, 120, "12,345"), 2400,
            rates[r]));
        /* gaps: 20 words have 19 gaps between them */
        CU_ASSERT(
            near_rate(count_over("filler", rate, kv, "w ", 20, 120, "um"), 19 * 120, rates[r]));
        /* word-drop: count the words that stay */
        CU_ASSERT(near_rate(count_over("word-drop", rate, NULL, "w ", 20, 120, "w"), 2400,
                            1.0 - rates[r]));
    }
}

/* word-swap: pairs are drawn left to right and a swapped pair's second word starts no
 * new pair, so the pairs drawn are counted from the swaps seen. */
static void test_perturb_words__word_swap_rate(void)
{
    const double rates[] = { 0.2, 0.5 };
    for (size_t r = 0; r < 2; r++) {
        char rate[32];
        const char *const kv[] = { rate, NULL };
        fs_perturber *p = NULL;
        fs_buf out;
        size_t swaps = 0, draws = 0;
        const char text[] = "a b c d e f g h i j k l m n o p q r s t u v w x y z";
        snprintf(rate, sizeof rate, "rate=%g", rates[r]);
        CU_ASSERT_EQUAL_FATAL(perturb_test_new(&p, "word-swap", kv, NULL, NULL), FS_OK);
        fs_buf_init(&out, 0);
        for (size_t rec = 0; rec < 150; rec++) {
            char id[32];
            bool changed;
            snprintf(id, sizeof id, "rec-%zu", rec);
            fs_buf_reset(&out);
            CU_ASSERT_EQUAL_FATAL(
                fs_perturber_apply(p, text, strlen(text), 3, id, NULL, 0, &out, &changed, NULL),
                FS_OK);
            const char *o = fs_buf_cstr(&out);
            CU_ASSERT_EQUAL_FATAL(strlen(o), strlen(text));
            size_t i = 0;
            while (i + 1 < 26) { /* word i is at byte 2 * i */
                draws++;
                if (o[2 * i] != text[2 * i]) {
                    CU_ASSERT_EQUAL(o[2 * i], text[2 * i + 2]);
                    swaps++;
                    i += 2;
                } else {
                    i++;
                }
            }
        }
        CU_ASSERT(draws > 2000);
        CU_ASSERT(near_rate(swaps, draws, rates[r]));
        fs_buf_dispose(&out);
        fs_perturber_free(p);
    }
}

/* ---- errors ------------------------------------------------------------------------- */

static void expect_error(const char *name, const char *kv1, fs_status code, const char *msg_part)
{
    fs_perturber *p = NULL;
    fs_error err;
    const char *const kv[] = { kv1, NULL };
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(perturb_test_new(&p, name, kv, fs_test_source_dir(), &err), code);
    CU_ASSERT_PTR_NULL(p);
    if (strstr(err.msg, msg_part) == NULL) {
        fprintf(stderr, "\n%s: '%s' does not contain '%s'\n", name, err.msg, msg_part);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, msg_part));
    fs_perturber_free(p);
}

static void test_perturb_words__bad_files_and_parameters(void)
{
    const char *const files[] = { "misspelling", "contraction", "expansion", "filler", "synonym" };
    char kv[800];
    for (size_t i = 0; i < 5; i++) {
        expect_error(files[i], "file=/nonexistent/words.json", FS_ERR_CONFIG,
                     "/nonexistent/words.json not found");
    }
    snprintf(kv, sizeof kv, "file=%s", write_tmp("bad.json", "{\"misspellings\": [1, 2"));
    expect_error("misspelling", kv, FS_ERR_INPUT, "bad.json");
    const struct {
        const char *name, *contents, *msg;
    } bad[] = {
        { "misspelling", "{\"misspellings\": {\"happy\": \"hapy\"}}",
          "misspellings.happy: expected a non-empty array of strings" },
        { "synonym", "{\"synonyms\": {\"happy\": []}}",
          "synonyms.happy: expected a non-empty array of strings" },
        { "synonym", "{\"synonym\": {\"happy\": [\"glad\"]}}",
          "synonyms: expected a non-empty object" },
        { "contraction", "{\"pairs\": [[\"don't\", \"do not\"], [\"x\"]]}",
          "pairs[1]: expected a pair of strings [contraction, expansion]" },
        { "expansion", "{\"pairs\": [[\"don't\", \"do not\"]], \"expand_only\": {}}",
          "expand_only: expected an array" },
        { "contraction", "{\"pairs\": [[\"don't\", \"do not\"]], \"expand_only\": [[\"x\"]]}",
          "expand_only[0]: expected a pair of strings [contraction, expansion]" },
        { "filler", "{\"fillers\": [\"um\", 3]}",
          "fillers: expected a non-empty array of strings" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = write_tmp("bad.json", bad[i].contents);
        snprintf(kv, sizeof kv, "file=%s", path);
        char want[900];
        snprintf(want, sizeof want, "%s: %s", path, bad[i].msg);
        expect_error(bad[i].name, kv, FS_ERR_INPUT, want);
    }
    expect_error("number-format", "style=roman", FS_ERR_CONFIG,
                 "number-format: style: must be one of grouped, plain, words, random, got 'roman'");
    expect_error("mild-mix", "strength=2", FS_ERR_CONFIG,
                 "mild-mix: strength: must be a number between 0 and 1, got '2'");
    expect_error("word-swap", "rate=x", FS_ERR_CONFIG, "word-swap: rate: must be a number");
}

/* The core spell-out service number-format uses. */
static void test_perturb_words__spellout_service(void)
{
    fs_text_spellout *sp = NULL;
    fs_buf out;
    fs_error err;
    fs_buf_init(&out, 0);
    CU_ASSERT_EQUAL_FATAL(fs_text_spellout_new(&sp, "en", NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_text_spellout_format(sp, &out, "-3.25", 5, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "minus three point two five");
    fs_buf_reset(&out);
    CU_ASSERT_EQUAL(fs_text_spellout_format(sp, &out, "900000000000000001", 18, NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&out), "nine hundred quadrillion one");
    const char *bad[] = { "1,000", "", "-", "1.", ".5", "1.2.3", "12a", "\xD9\xA4" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(fs_text_spellout_format(sp, &out, bad[i], strlen(bad[i]), &err),
                        FS_ERR_INPUT);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a plain decimal number"));
    fs_text_spellout_free(sp);
    fs_text_spellout_free(NULL);
    fs_buf_dispose(&out);
}

/* ---- the examples in docs/perturbations.md ---------------------------------------------- */

static void test_perturb_words__documented_examples(void)
{
    static const char *const ex[][5] = {
        { "misspelling", "rate=0.5", "rec-1",
          "I definitely believe we will receive the package tomorrow, which is necessary.",
          "I definately beleive we will receive the package tomorrow, wich is necessary." },
        { "contraction", "rate=1", "rec-1",
          "I am sure that it is not over, and we do not want to leave.",
          "I'm sure that it's not over, and we don't want to leave." },
        { "contraction", "rate=0.5", "rec-2",
          "They are sure we will not be late, and I have not seen what is coming.",
          "They're sure we'll not be late, and I've not seen what is coming." },
        { "expansion", "rate=1", "rec-1",
          "I'm sure it's fine, but we don't know what they've done.",
          "I am sure it has fine, but we do not know what they have done." },
        { "expansion", "rate=1", "rec-2", "It’s late and he’d rather stay; we’re tired.",
          "It is late and he would rather stay; we are tired." },
        { "filler", "rate=0.3", "rec-1",
          "The staff were friendly. The food was good and the price was fair.",
          "The staff were friendly. I mean The food was basically good and the price at the end of "
          "the day was totally fair." },
        { "filler", "rate=0.5", "rec-5", "Привет, как дела? Всё хорошо, спасибо.",
          "Привет, как дела? Всё uh хорошо, well спасибо." },
        { "synonym", "rate=0.5", "rec-1",
          "The movie was great and the actors were brilliant, but the ending felt boring.",
          "The picture was wonderful and the actors were excellent, but the ending felt dull." },
        { "synonym", "rate=1", "rec-2", "GREAT food, Friendly staff, tiny room.",
          "WONDERFUL cuisine, Pleasant personnel, small space." },
        { "word-drop", "rate=0.2", "rec-1",
          "The quick brown fox jumps over the lazy dog near the river bank.",
          "The quick brown fox jumps over the lazy near the river bank." },
        { "word-swap", "rate=0.3", "rec-1", "The hotel room was clean, quiet and very comfortable.",
          "Hotel the room was clean, quiet and very comfortable." },
        { "word-swap", "rate=0.5", "rec-2", "Привет мир, как дела сегодня? שלום עולם יפה",
          "Мир привет, как сегодня дела? שלום יפה עולם" },
        { "number-format", "rate=1", "rec-1",
          "We sold 12,345 tickets at 1500 venues, 3.5 per cent more than 250 last year.",
          "We sold twelve thousand three hundred forty-five tickets at 1,500 venues, three point "
          "five per cent more than two hundred fifty last year." },
        { "number-format", "style=words", "rec-2", "Room 101 costs $2,500.75 for 3 nights.",
          "Room one hundred one costs $two thousand five hundred point seven five for three "
          "nights." },
        { "mild-mix", "strength=1", "rec-1",
          "I am SURE the Hotel was great, but we do not believe it is necessary to return.",
          "i'm  sure the  hotel  was great,  but we don't   believe  it's   necessary to return." },
        { "mild-mix", "strength=0.5", "rec-2",
          "They are happy that it is finished and we will receive the results.",
          "They are happy  that it's  finished and we will   receive  the results." },
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        bool changed = false;
        char *v = run(ex[i][0], ex[i][1], NULL, ex[i][3], 42, ex[i][2], &changed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        if (strcmp(v, ex[i][4]) != 0) {
            fprintf(stderr, "\n%s %s %s: got '%s'\n", ex[i][0], ex[i][1], ex[i][2], v);
        }
        CU_ASSERT_STRING_EQUAL(v, ex[i][4]);
        CU_ASSERT_TRUE(changed);
        fs_free(v);
    }
}

const fs_test_case fs_perturb_words_tests[] = {
    { "test_perturb_words__unicode_stays_whole", test_perturb_words__unicode_stays_whole },
    { "test_perturb_words__deterministic_per_seed_and_record",
      test_perturb_words__deterministic_per_seed_and_record },
    { "test_perturb_words__nothing_changes_at_rate_zero",
      test_perturb_words__nothing_changes_at_rate_zero },
    { "test_perturb_words__nothing_eligible_is_unchanged",
      test_perturb_words__nothing_eligible_is_unchanged },
    { "test_perturb_words__misspelling_keeps_case", test_perturb_words__misspelling_keeps_case },
    { "test_perturb_words__user_file_in_other_scripts",
      test_perturb_words__user_file_in_other_scripts },
    { "test_perturb_words__synonym_keeps_case_and_sense",
      test_perturb_words__synonym_keeps_case_and_sense },
    { "test_perturb_words__bundled_lexicons", test_perturb_words__bundled_lexicons },
    { "test_perturb_words__contraction", test_perturb_words__contraction },
    { "test_perturb_words__expansion", test_perturb_words__expansion },
    { "test_perturb_words__filler_goes_into_gaps", test_perturb_words__filler_goes_into_gaps },
    { "test_perturb_words__word_drop_never_drops_everything",
      test_perturb_words__word_drop_never_drops_everything },
    { "test_perturb_words__word_swap", test_perturb_words__word_swap },
    { "test_perturb_words__number_format_styles", test_perturb_words__number_format_styles },
    { "test_perturb_words__mild_mix", test_perturb_words__mild_mix },
    { "test_perturb_words__rates_are_probabilities", test_perturb_words__rates_are_probabilities },
    { "test_perturb_words__word_swap_rate", test_perturb_words__word_swap_rate },
    { "test_perturb_words__bad_files_and_parameters",
      test_perturb_words__bad_files_and_parameters },
    { "test_perturb_words__spellout_service", test_perturb_words__spellout_service },
    { "test_perturb_words__documented_examples", test_perturb_words__documented_examples },
    { NULL, NULL },
};
