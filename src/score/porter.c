/* The Porter stemmer exactly as NLTK 3.8's PorterStemmer computes it in its default
 * NLTK_EXTENSIONS mode: Porter's 1980 algorithm plus NLTK's irregular-form table, the
 * 1-2 letter pass-through, the ies/ied length rules, the y->i rule that needs a consonant
 * before the y, the alli-first pass of step 2, and the fulli and logi rules.
 *
 * Invariants: the word is a byte string handled one byte per letter (ROUGE only feeds
 * lowercase ASCII tokens); a letter is a consonant unless it is a vowel a e i o u, or a y
 * that follows a consonant. A rule list fires its first rule whose suffix ends the word;
 * when that rule's condition fails the word is left as it is (later rules are not tried).
 * No rule lengthens a word: every step works in place within the input's length. */
#include "fairshake/score.h"

#include <string.h>

#include "fairshake/core.h"
#include "porter.h"

typedef enum cond {
    COND_NONE = 0,
    COND_M0,   /* m(stem) > 0 */
    COND_M1,   /* m(stem) > 1 */
    COND_ION,  /* m(stem) > 1 and the stem ends in s or t */
    COND_LOGI, /* m(word without its last 3 letters) > 0 */
    COND_LL    /* m(word without its last letter) > 1 */
} cond;

typedef struct rule {
    const char *suffix;
    const char *repl;
    cond when;
} rule;

typedef struct irregular {
    const char *word;
    const char *stem;
} irregular;

static const irregular irregular_forms[] = {
    { "sky", "sky" },         { "skies", "sky" },        { "dying", "die" },
    { "lying", "lie" },       { "tying", "tie" },        { "news", "news" },
    { "innings", "inning" },  { "inning", "inning" },    { "outings", "outing" },
    { "outing", "outing" },   { "cannings", "canning" }, { "canning", "canning" },
    { "howe", "howe" },       { "proceed", "proceed" },  { "exceed", "exceed" },
    { "succeed", "succeed" },
};

static const rule step1a_rules[] = {
    { "sses", "ss", COND_NONE },
    { "ies", "i", COND_NONE },
    { "ss", "ss", COND_NONE },
    { "s", "", COND_NONE },
};

static const rule step2_rules[] = {
    { "ational", "ate", COND_M0 }, { "tional", "tion", COND_M0 }, { "enci", "ence", COND_M0 },
    { "anci", "ance", COND_M0 },   { "izer", "ize", COND_M0 },    { "bli", "ble", COND_M0 },
    { "alli", "al", COND_M0 },     { "entli", "ent", COND_M0 },   { "eli", "e", COND_M0 },
    { "ousli", "ous", COND_M0 },   { "ization", "ize", COND_M0 }, { "ation", "ate", COND_M0 },
    { "ator", "ate", COND_M0 },    { "alism", "al", COND_M0 },    { "iveness", "ive", COND_M0 },
    { "fulness", "ful", COND_M0 }, { "ousness", "ous", COND_M0 }, { "aliti", "al", COND_M0 },
    { "iviti", "ive", COND_M0 },   { "biliti", "ble", COND_M0 },  { "fulli", "ful", COND_M0 },
    { "logi", "log", COND_LOGI },
};

static const rule step3_rules[] = {
    { "icate", "ic", COND_M0 }, { "ative", "", COND_M0 },  { "alize", "al", COND_M0 },
    { "iciti", "ic", COND_M0 }, { "ical", "ic", COND_M0 }, { "ful", "", COND_M0 },
    { "ness", "", COND_M0 },
};

static const rule step4_rules[] = {
    { "al", "", COND_M1 },   { "ance", "", COND_M1 }, { "ence", "", COND_M1 },
    { "er", "", COND_M1 },   { "ic", "", COND_M1 },   { "able", "", COND_M1 },
    { "ible", "", COND_M1 }, { "ant", "", COND_M1 },  { "ement", "", COND_M1 },
    { "ment", "", COND_M1 }, { "ent", "", COND_M1 },  { "ion", "", COND_ION },
    { "ou", "", COND_M1 },   { "ism", "", COND_M1 },  { "ate", "", COND_M1 },
    { "iti", "", COND_M1 },  { "ous", "", COND_M1 },  { "ive", "", COND_M1 },
    { "ize", "", COND_M1 },
};

static const rule step5b_rules[] = {
    { "ll", "l", COND_LL },
};

#define N_RULES(a) (sizeof(a) / sizeof((a)[0]))

static bool is_vowel_letter(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Consonant status of w[i] given the status of w[i - 1] (ignored at i == 0). */
static bool cons_after(char c, size_t i, bool prev_cons)
{
    if (is_vowel_letter(c)) {
        return false;
    }
    if (c == 'y') {
        return i == 0 ? true : !prev_cons;
    }
    return true;
}

static bool is_cons(const char *w, size_t i)
{
    bool cons = true;
    for (size_t k = 0; k <= i; k++) {
        cons = cons_after(w[k], k, cons);
    }
    return cons;
}

/* m: the number of vowel-to-consonant transitions in w[0..k). */
static size_t measure(const char *w, size_t k)
{
    size_t m = 0;
    bool cons = true, prev_vowel = false;
    for (size_t i = 0; i < k; i++) {
        cons = cons_after(w[i], i, cons);
        if (cons && prev_vowel) {
            m++;
        }
        prev_vowel = !cons;
    }
    return m;
}

static bool contains_vowel(const char *w, size_t k)
{
    bool cons = true;
    for (size_t i = 0; i < k; i++) {
        cons = cons_after(w[i], i, cons);
        if (!cons) {
            return true;
        }
    }
    return false;
}

static bool ends_double_consonant(const char *w, size_t k)
{
    return k >= 2 && w[k - 1] == w[k - 2] && is_cons(w, k - 1);
}

/* *o: consonant-vowel-consonant with the last not w, x or y; or (NLTK) exactly two
 * letters, vowel then consonant. */
static bool ends_cvc(const char *w, size_t k)
{
    if (k >= 3 && is_cons(w, k - 3) && !is_cons(w, k - 2) && is_cons(w, k - 1) && w[k - 1] != 'w' &&
        w[k - 1] != 'x' && w[k - 1] != 'y') {
        return true;
    }
    return k == 2 && !is_cons(w, 0) && is_cons(w, 1);
}

static bool ends_with(const char *w, size_t n, const char *suffix, size_t slen)
{
    return n >= slen && memcmp(w + n - slen, suffix, slen) == 0;
}

static bool cond_holds(cond when, const char *w, size_t n, size_t stem_len)
{
    switch (when) {
    case COND_NONE:
        return true;
    case COND_M0:
        return measure(w, stem_len) > 0;
    case COND_M1:
        return measure(w, stem_len) > 1;
    case COND_ION:
        return measure(w, stem_len) > 1 && (w[stem_len - 1] == 's' || w[stem_len - 1] == 't');
    case COND_LOGI:
        return measure(w, n - 3) > 0;
    case COND_LL:
        return measure(w, n - 1) > 1;
    }
    return false;
}

/* Apply the first rule whose suffix ends w; returns the new length (n when nothing
 * changes). */
static size_t apply_rules(char *w, size_t n, const rule *rules, size_t n_rules)
{
    for (size_t r = 0; r < n_rules; r++) {
        size_t slen = strlen(rules[r].suffix);
        if (!ends_with(w, n, rules[r].suffix, slen)) {
            continue;
        }
        size_t stem_len = n - slen;
        if (!cond_holds(rules[r].when, w, n, stem_len)) {
            return n;
        }
        size_t rlen = strlen(rules[r].repl);
        memcpy(w + stem_len, rules[r].repl, rlen);
        return stem_len + rlen;
    }
    return n;
}

static size_t step1a(char *w, size_t n)
{
    if (n == 4 && ends_with(w, n, "ies", 3)) {
        return 3; /* dies -> die */
    }
    return apply_rules(w, n, step1a_rules, N_RULES(step1a_rules));
}

/* What follows a successful ed/ing removal: at, bl, iz gain an e; a double consonant
 * loses a letter unless it is l, s or z; m = 1 with *o gains an e. */
static size_t step1b_tidy(char *w, size_t n)
{
    if (ends_with(w, n, "at", 2) || ends_with(w, n, "bl", 2) || ends_with(w, n, "iz", 2)) {
        w[n] = 'e';
        return n + 1;
    }
    if (ends_double_consonant(w, n)) {
        char last = w[n - 1];
        return last == 'l' || last == 's' || last == 'z' ? n : n - 1;
    }
    if (measure(w, n) == 1 && ends_cvc(w, n)) {
        w[n] = 'e';
        return n + 1;
    }
    return n;
}

static size_t step1b(char *w, size_t n)
{
    if (ends_with(w, n, "ied", 3)) {
        return n == 4 ? 3 : n - 2; /* died -> die, spied -> spi */
    }
    if (ends_with(w, n, "eed", 3)) {
        return measure(w, n - 3) > 0 ? n - 1 : n;
    }
    if (ends_with(w, n, "ed", 2) && contains_vowel(w, n - 2)) {
        return step1b_tidy(w, n - 2);
    }
    if (ends_with(w, n, "ing", 3) && contains_vowel(w, n - 3)) {
        return step1b_tidy(w, n - 3);
    }
    return n;
}

static size_t step1c(char *w, size_t n)
{
    if (n > 2 && w[n - 1] == 'y' && is_cons(w, n - 2)) {
        w[n - 1] = 'i';
    }
    return n;
}

static size_t step2(char *w, size_t n)
{
    /* NLTK applies alli -> al first and, when it fires, runs step 2 again. */
    while (ends_with(w, n, "alli", 4) && measure(w, n - 4) > 0) {
        n -= 2;
    }
    return apply_rules(w, n, step2_rules, N_RULES(step2_rules));
}

static size_t step5a(const char *w, size_t n)
{
    if (n == 0 || w[n - 1] != 'e') {
        return n;
    }
    size_t m = measure(w, n - 1);
    if (m > 1 || (m == 1 && !ends_cvc(w, n - 1))) {
        return n - 1;
    }
    return n;
}

static const char *irregular_stem(const char *word, size_t n)
{
    for (size_t i = 0; i < N_RULES(irregular_forms); i++) {
        if (strlen(irregular_forms[i].word) == n && memcmp(irregular_forms[i].word, word, n) == 0) {
            return irregular_forms[i].stem;
        }
    }
    return NULL;
}

static size_t porter_steps(char *w, size_t n)
{
    if (n <= 2) {
        return n;
    }
    n = step1a(w, n);
    n = step1b(w, n);
    n = step1c(w, n);
    n = step2(w, n);
    n = apply_rules(w, n, step3_rules, N_RULES(step3_rules));
    n = apply_rules(w, n, step4_rules, N_RULES(step4_rules));
    n = step5a(w, n);
    return apply_rules(w, n, step5b_rules, N_RULES(step5b_rules));
}

size_t fs_score__porter_stem(char *w, size_t n)
{
    const char *irr = irregular_stem(w, n);
    if (irr != NULL) {
        size_t len = strlen(irr);
        memcpy(w, irr, len);
        return len;
    }
    return porter_steps(w, n);
}

fs_status fs_score_porter_stem(fs_buf *out, const char *word, size_t n, fs_error *err)
{
    char small[64] = { 0 };
    char *w = small;
    if (word == NULL && n > 0) {
        return FS_FAIL(err, FS_ERR_USAGE, "porter stem: NULL word");
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)word[i] >= 0x80 || word[i] == '\0') {
            return FS_FAIL(err, FS_ERR_INPUT, "porter stem: byte %zu is not ASCII", i);
        }
    }
    /* NLTK looks the word up in its irregular table as given, before lowercasing it. */
    const char *irr = irregular_stem(word, n);
    if (irr != NULL) {
        fs_buf_puts(out, irr);
        return fs_buf_status(out) == FS_OK ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (n >= sizeof small) {
        w = fs_malloc(n + 1);
        if (w == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < n; i++) {
        char c = word[i];
        w[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    size_t len = porter_steps(w, n);
    fs_buf_append(out, w, len);
    if (w != small) {
        fs_free(w);
    }
    return fs_buf_status(out) == FS_OK ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
}
