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

typedef struct fs_identify__pattern {
    fs_text_regex *re;
    fs_identify__validator validator;
    char **context; /* case-folded, accent-stripped words */
    size_t n_context;
    bool context_required;
    size_t window; /* code points before the match searched for context words */
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

#endif
