#ifndef FS_IDENTIFY_INTERNAL_H
#define FS_IDENTIFY_INTERNAL_H
/* Internal interface of the identify module: the loaded detector (categories, compiled
 * patterns, name lists, month names, IBAN lengths, synonyms) and the validators. */
#include "fairshake/identify.h"

#include "core/json.h"

/** Validators a pattern may name in patterns.json ("validator"). */
typedef enum fs_identify__validator {
    FS_IDENTIFY__V_NONE = 0,
    FS_IDENTIFY__V_EMAIL,
    FS_IDENTIFY__V_LUHN,
    FS_IDENTIFY__V_IBAN,
    FS_IDENTIFY__V_SSN,
    FS_IDENTIFY__V_IPV4,
    FS_IDENTIFY__V_IPV6,
    FS_IDENTIFY__V_DATE,
    FS_IDENTIFY__V_ICD10,
    FS_IDENTIFY__V_PHONE,
    FS_IDENTIFY__V_PERSON
} fs_identify__validator;

/** How disclosure compares a category ("normalize"). */
typedef enum fs_identify__norm {
    FS_IDENTIFY__NORM_ALNUM = 0,
    FS_IDENTIFY__NORM_TEXT = 1,
    FS_IDENTIFY__NORM_EMAIL = 2
} fs_identify__norm;

/** How reports mask a category ("mask"). */
typedef enum fs_identify__mask {
    FS_IDENTIFY__MASK_ALL = 0,
    FS_IDENTIFY__MASK_EMAIL = 1,
    FS_IDENTIFY__MASK_DIGITS = 2,
    FS_IDENTIFY__MASK_WORDS = 3
} fs_identify__mask;

/** Strings of a prefilter, one of which a text must hold: sorted by first byte, the run
 *  of first byte b being v[bucket[b]..bucket[b + 1]). */
typedef struct fs_identify__lits {
    char **v;
    size_t *len;
    size_t n;
    uint32_t bucket[257];
    uint64_t first[4]; /* the first bytes, as a set */
    /* the first two bytes, 6 low bits of each, as a set: word b0 & 63, bit b1 & 63 (every
     * bit of the word for a one-byte string) */
    uint64_t pairs[64];
} fs_identify__lits;

/** What a text must hold for a pattern to match anywhere in it (patterns.json
 *  "prefilter"): every pattern whose prefilter a text fails is not run on it. Each
 *  condition must be implied by any match of the pattern, or matches are lost (the unit
 *  test identify.prefilter compares with and without on the calibration set and the
 *  example notes). */
typedef struct fs_identify__prefilter {
    size_t digits;             /* at least this many decimal digits (Nd, what \d matches) */
    bool fold;                 /* groups are compared case-folded, as (?i) compares */
    fs_identify__lits *groups; /* each group: one of its strings occurs in the text */
    size_t n_groups;
} fs_identify__prefilter;

typedef struct fs_identify__pattern {
    fs_text_regex *re;
    fs_identify__validator validator;
    char **context; /* case-folded, accent-stripped words */
    size_t n_context;
    bool context_required;
    size_t window; /* code points before the match searched for context words */
    fs_identify__prefilter pre;
    fs_identify__lits ctx; /* the context words, for the prefilter of an ASCII text */
} fs_identify__pattern;

typedef struct fs_identify__category {
    char *name;
    int priority;
    fs_identify__norm norm;
    fs_identify__mask mask;
    fs_identify__pattern *pats;
    size_t n_pats;
} fs_identify__category;

/** A sorted set of case-folded, accent-stripped words (bsearch). */
typedef struct fs_identify__words {
    char **v;
    size_t n;
} fs_identify__words;

typedef struct fs_identify__month {
    char *key; /* folded name or abbreviation */
    int month;
} fs_identify__month;

typedef struct fs_identify__language {
    char *code;
    char *months[12];
} fs_identify__language;

typedef struct fs_identify__iban {
    char country[3];
    int length;
} fs_identify__iban;

#define FS_IDENTIFY__MAX_FILES 4

/** What detection knows of the text it is working on, gathered in one pass and shared by
 *  every pattern's prefilter; the folded text and the regex input are made on first use. */
typedef struct fs_identify__scan {
    const char *text; /* borrowed for one detection */
    size_t n;
    bool ascii;
    size_t digits;      /* code points of general category Nd */
    uint64_t bytes[4];  /* the bytes of text, as a set */
    bool folded_ready;  /* folded and fbytes hold text */
    fs_buf folded;      /* text case-folded (ASCII lower-cased when ascii: same offsets) */
    uint64_t fbytes[4]; /* the bytes of folded */
    bool input_ready;   /* input holds text */
    fs_text_regex_input *input;
} fs_identify__scan;

struct fs_identify_detector {
    fs_identify__category *cats;
    size_t n_cats;
    const char **cat_names; /* the names of cats, for fs_identify_detector_categories */
    char **syn_from, **syn_to;
    size_t n_syn;
    fs_identify__iban *iban;
    size_t n_iban;
    fs_identify__month *months;
    size_t n_months;
    fs_identify__language *langs;
    size_t n_langs;
    fs_identify__words first, last, titles, stop;
    size_t max_name_tokens;
    char *files[FS_IDENTIFY__MAX_FILES];
    size_t n_files;
    fs_text_casemapper *cm;
    fs_text_normalizer *nz;
    fs_text_span *spans; /* regex matches of the current pattern */
    size_t n_spans, cap_spans;
    fs_buf tmp, key; /* scratch for folding */
    fs_identify__scan scan;
};

/** A candidate item in bytes, before overlaps are resolved. */
typedef struct fs_identify__cand {
    size_t cat;
    size_t start, end;
    size_t cps;   /* length in code points */
    int priority; /* the category's */
} fs_identify__cand;

typedef struct fs_identify__cands {
    fs_identify__cand *v;
    size_t n, cap;
} fs_identify__cands;

fs_status fs_identify__cands_push(fs_identify__cands *c, size_t cat, size_t start, size_t end,
                                  fs_error *err);

/** The lookup key of s[0..n): accents stripped, then case-folded. Borrowed from d->key,
 *  valid until the next call. */
fs_status fs_identify__fold(fs_identify_detector *d, const char *s, size_t n, fs_str *out,
                            fs_error *err);
bool fs_identify__words_has(const fs_identify__words *w, const char *s, size_t n);
/** Load a JSON array of strings into a word set (folded and sorted). */
fs_status fs_identify__words_load(fs_identify_detector *d, fs_identify__words *w, const cJSON *arr,
                                  const char *what, fs_error *err);
void fs_identify__words_dispose(fs_identify__words *w);

/** Run validator v on text[*start..*end); it may narrow the span (IBAN to its country's
 *  length). */
bool fs_identify__validate(fs_identify_detector *d, fs_identify__validator v, const char *text,
                           size_t n, size_t *start, size_t *end);
/** Parse a date as the date validator reads it. */
bool fs_identify__date(fs_identify_detector *d, const char *s, size_t n, int *y, int *m, int *day);

/** Person names inside one capitalised run text[start..end): pushes zero or more
 *  candidates of category cat. */
fs_status fs_identify__persons(fs_identify_detector *d, const char *text, size_t n, size_t start,
                               size_t end, size_t cat, fs_identify__cands *out, fs_error *err);

/** Read a pattern's "prefilter" (spec may be NULL: none) and build the context-word set
 *  of p's context. cat names the category in errors. */
fs_status fs_identify__prefilter_load(fs_identify_detector *d, const char *cat, const cJSON *spec,
                                      fs_identify__pattern *p, fs_error *err);
void fs_identify__prefilter_dispose(fs_identify__pattern *p);
/** Start a detection on text[0..n) (kept until the next call): one pass gathers what the
 *  prefilters test. */
void fs_identify__scan_begin(fs_identify_detector *d, const char *text, size_t n);
/** *out: false when p cannot match the scanned text, or, for a pattern requiring context,
 *  when none of its context words occurs in it (decided for ASCII texts only). */
fs_status fs_identify__prefilter_pass(fs_identify_detector *d, const fs_identify__pattern *p,
                                      bool *out, fs_error *err);
/** The matches of pattern pat of category cat in text[0..n) that have their context (the
 *  validator not yet run), left in d->spans. fast: as detection finds them (prefilter,
 *  UTF-16 input, ASCII context check); false: the reference way (the expression over the
 *  UTF-8 text, every context folded with ICU). For tests. */
fs_status fs_identify__pattern_matches(fs_identify_detector *d, size_t cat, size_t pat,
                                       const char *text, size_t n, bool fast, fs_error *err);

/** The category named name, or NULL. */
const fs_identify__category *fs_identify__category_find(const fs_identify_detector *d,
                                                        const char *name);

/** Load identify/months.json into d. */
fs_status fs_identify__months_load(fs_identify_detector *d, const char *path, fs_error *err);
/** The month number of a folded name or abbreviation, or 0. */
int fs_identify__month_of(const fs_identify_detector *d, const char *key, size_t n);
/** Append the regex alternation of every month name and abbreviation (longest first). */
fs_status fs_identify__months_alternation(const fs_identify_detector *d, fs_buf *out,
                                          fs_error *err);
/** Every spelling the alternation lists, longest first, without repeats. *out: returns
 *  owned (fs_free; the strings are borrowed from d). */
fs_status fs_identify__months_spellings(const fs_identify_detector *d, const char ***out,
                                        size_t *n_out, fs_error *err);

#endif
