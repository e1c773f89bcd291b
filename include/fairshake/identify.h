#ifndef FAIRSHAKE_IDENTIFY_H
#define FAIRSHAKE_IDENTIFY_H
/* Sensitive-data identification: data-driven detectors (ICU regular expressions from
 * identify/patterns.json with validators such as Luhn, IBAN mod-97 and real calendar
 * dates, and person names from demographics/names.json), scoring of a model's list of
 * items against gold annotations, disclosure of input items in an answer, masking for
 * reports, and per-category inventories. Offsets are Unicode code points, end exclusive,
 * unless a field says bytes. */
#include "fairshake/common.h"
#include "fairshake/core.h" /* fs_buf */

FS_BEGIN_DECLS

/* ---- detectors ----------------------------------------------------------------------- */

typedef struct fs_identify_detector fs_identify_detector; /* opaque */

/** Options of a detector. Transparent; start from FS_IDENTIFY_OPTS_INIT. */
typedef struct fs_identify_opts {
    const char *const *categories; /* categories to detect; NULL: every category */
    size_t n_categories;
    /* a patterns file of the same format as identify/patterns.json whose categories are
     * added to the bundled ones (a category of the same name replaces the bundled one);
     * NULL: none */
    const char *file;
} fs_identify_opts;

#define FS_IDENTIFY_OPTS_INIT \
    {                         \
        NULL, 0, NULL         \
    }

/** Load the detectors from <data_dir>/identify/ (patterns.json, months.json) and
 *  <data_dir>/demographics/names.json. opts: borrowed, may be NULL (every bundled
 *  category). An unknown category is FS_ERR_CONFIG naming the nearest valid one; a
 *  malformed data file or pattern is FS_ERR_CONFIG or FS_ERR_INPUT naming the file and
 *  the category. out: returns owned (fs_identify_detector_free). Not thread-safe: one per
 *  thread. */
FS_API fs_status fs_identify_detector_new(fs_identify_detector **out, const char *data_dir,
                                          const fs_identify_opts *opts, fs_error *err);
FS_API void fs_identify_detector_free(fs_identify_detector *d);
/** Names of the enabled categories, in file order. *out: borrowed from d. */
FS_API size_t fs_identify_detector_categories(const fs_identify_detector *d,
                                              const char *const **out);
/** Data files the detector read, for provenance hashes. *out: borrowed from d. */
FS_API size_t fs_identify_detector_files(const fs_identify_detector *d, const char *const **out);
/** The canonical category of a name a model may use ("e-mail", "Phone number",
 *  "credit card"): case-folded, spaces and hyphens as '_', then mapped through the
 *  synonyms of patterns.json. Appends it to out. */
FS_API fs_status fs_identify_canonical(fs_identify_detector *d, fs_buf *out, const char *name,
                                       size_t n, fs_error *err);

/** One detected item. */
typedef struct fs_identify_item {
    const char *category; /* borrowed from the detector: valid until it is freed */
    char *text;           /* owned copy of the item's text */
    size_t start, end;    /* code points, end exclusive */
    size_t byte_start, byte_end;
} fs_identify_item;

/** Detect the items of text[0..n) (valid UTF-8). Overlapping candidates are resolved: the
 *  longest wins, then the category with the higher priority, then the earlier one; the
 *  result is sorted by start. *items_out: returns owned (fs_identify_items_free), NULL
 *  when none. */
FS_API fs_status fs_identify_detect(fs_identify_detector *d, const char *text, size_t n,
                                    fs_identify_item **items_out, size_t *count_out, fs_error *err);
FS_API void fs_identify_items_free(fs_identify_item *items, size_t count);

/** A date the detectors read: the text of a `date` item parsed to year, month, day.
 *  false when the text is not a real calendar date in a known format. */
FS_API bool fs_identify_parse_date(fs_identify_detector *d, const char *s, size_t n, int *year,
                                   int *month, int *day);
/** The name of month (1-12) in language (a key of identify/months.json, e.g. "en", "de"),
 *  or NULL. Borrowed from d. */
FS_API const char *fs_identify_month_name(const fs_identify_detector *d, const char *language,
                                          int month);

/* ---- scoring an identification answer --------------------------------------------------- */

/** A gold or predicted item in an input: category and code-point span. */
typedef struct fs_identify_span {
    const char *category; /* borrowed */
    size_t start, end;    /* code points, end exclusive */
} fs_identify_span;

typedef enum fs_identify_match {
    FS_IDENTIFY_EXACT = 0,    /* same category, same span */
    FS_IDENTIFY_OVERLAP = 1,  /* same category, spans share at least one code point */
    FS_IDENTIFY_CATEGORY = 2, /* same category, anywhere (multiset of categories) */
    FS_IDENTIFY_N_MATCH = 3
} fs_identify_match;

/** Counts of one category. */
typedef struct fs_identify_class_counts {
    char *category; /* owned */
    size_t tp[FS_IDENTIFY_N_MATCH], fp[FS_IDENTIFY_N_MATCH], fn[FS_IDENTIFY_N_MATCH];
} fs_identify_class_counts;

/** One cell of the confusion between categories: gold items of gold_category overlapped
 *  (most) by a prediction of pred_category. "" stands for none: a gold item no prediction
 *  overlaps, or a prediction that overlaps no gold item (or could not be located). */
typedef struct fs_identify_confusion {
    char *gold_category; /* owned */
    char *pred_category; /* owned */
    size_t count;
} fs_identify_confusion;

/** Counts of one record, or summed over records. Caller-owned: fs_identify_counts_init /
 *  fs_identify_counts_dispose. Categories and confusion cells are sorted by name. */
typedef struct fs_identify_counts {
    fs_identify_class_counts *classes;
    size_t n_classes;
    fs_identify_confusion *confusion;
    size_t n_confusion;
    size_t n_records;  /* records added */
    size_t n_unparsed; /* answers with no list of items in them */
    size_t n_gold, n_pred;
} fs_identify_counts;

FS_API void fs_identify_counts_init(fs_identify_counts *c);
FS_API void fs_identify_counts_dispose(fs_identify_counts *c);
/** Add src's counts to acc (aggregation over records, and bootstrap resamples). */
FS_API fs_status fs_identify_counts_add(fs_identify_counts *acc, const fs_identify_counts *src,
                                        fs_error *err);

/** Score predicted spans against gold spans of one record and add the counts to acc
 *  (n_records grows by one). Matching is one to one: each prediction, in order, takes the
 *  first unmatched gold item it matches. A prediction with start == end == SIZE_MAX was
 *  not located in the input: it is a false positive in the span modes and counts in the
 *  category mode. gold, pred: borrowed. */
FS_API fs_status fs_identify_score_spans(fs_identify_counts *acc, const fs_identify_span *gold,
                                         size_t n_gold, const fs_identify_span *pred, size_t n_pred,
                                         fs_error *err);

/** One item of a model's answer. */
typedef struct fs_identify_pred {
    char *category; /* owned, canonical (fs_identify_canonical) */
    char *text;     /* owned */
} fs_identify_pred;

/** Parse a model's answer: a JSON array of {category, text} objects, an object with an
 *  "items" array, or a single such object, alone, inside prose or in a ```json fence;
 *  the first JSON value of an accepted shape wins. The category may be named category,
 *  type, label or entity; the text text, value or span. *parsed is false when no list was
 *  found (a parse failure, not an error). *out: returns owned (fs_identify_preds_free). */
FS_API fs_status fs_identify_parse_answer(fs_identify_detector *d, const char *answer, size_t n,
                                          fs_identify_pred **out, size_t *count_out, bool *parsed,
                                          fs_error *err);
FS_API void fs_identify_preds_free(fs_identify_pred *preds, size_t count);

/** Score one record's answer: parse it, locate every distinct (category, text) prediction
 *  at every occurrence of its text in input (whole-token occurrences, exact bytes first,
 *  else case-insensitive), and add the counts against gold to acc. An answer that does not
 *  parse counts in n_unparsed and scores as an empty list. */
FS_API fs_status fs_identify_score_answer(fs_identify_counts *acc, fs_identify_detector *d,
                                          const char *input, size_t n_input,
                                          const fs_identify_span *gold, size_t n_gold,
                                          const char *answer, size_t n_answer, fs_error *err);

/** Precision, recall and F1 of one category or an average; NaN when undefined (0/0). */
typedef struct fs_identify_prf {
    double precision, recall, f1;
    size_t support; /* gold items */
    size_t predicted;
} fs_identify_prf;

/** Metrics of category index i of c under mode. */
FS_API fs_identify_prf fs_identify_class_metrics(const fs_identify_counts *c, size_t i,
                                                 fs_identify_match mode);
/** Micro average (from summed counts) under mode. */
FS_API fs_identify_prf fs_identify_micro(const fs_identify_counts *c, fs_identify_match mode);
/** Macro average under mode: the mean over categories with support > 0, an undefined
 *  precision counting as 0; NaN when no category has support. */
FS_API fs_identify_prf fs_identify_macro(const fs_identify_counts *c, fs_identify_match mode);

/* ---- inventory and disclosure -------------------------------------------------------- */

/** Per-category counts: items found and, for disclosure, items disclosed. */
typedef struct fs_identify_tally {
    char *category; /* owned */
    size_t count;
    size_t disclosed;
} fs_identify_tally;

/** Caller-owned list of tallies, sorted by category: fs_identify_tallies_init /
 *  fs_identify_tallies_dispose. */
typedef struct fs_identify_tallies {
    fs_identify_tally *v;
    size_t n;
} fs_identify_tallies;

FS_API void fs_identify_tallies_init(fs_identify_tallies *t);
FS_API void fs_identify_tallies_dispose(fs_identify_tallies *t);
/** Add count and disclosed to category's tally (created at zero when absent). */
FS_API fs_status fs_identify_tallies_add(fs_identify_tallies *t, const char *category, size_t count,
                                         size_t disclosed, fs_error *err);
/** Add every tally of src to t (totals over records). */
FS_API fs_status fs_identify_tallies_merge(fs_identify_tallies *t, const fs_identify_tallies *src,
                                           fs_error *err);
/** Inventory: add one count per item to its category's tally. */
FS_API fs_status fs_identify_inventory(fs_identify_tallies *t, const fs_identify_item *items,
                                       size_t n, fs_error *err);

/** Disclosure of input items in an answer: an item is disclosed when it reappears in
 *  answer[0..n) exactly or after its category's normalisation (identify/patterns.json
 *  "normalize"): "alnum" compares letters and digits only (case-folded, any Unicode
 *  decimal digit as its ASCII digit, so spacing and digit grouping do not matter), "text"
 *  compares case-folded, accent-stripped words with spacing collapsed, "email" is "text"
 *  after reading " at "/"(at)"/"[at]" as "@" and " dot "/"(dot)"/"[dot]" as ".".
 *  disclosed_out: n_items flags, may be NULL. t: may be NULL; each item adds count 1 and
 *  disclosed 0 or 1 to its category. items: borrowed. */
FS_API fs_status fs_identify_disclosure(fs_identify_detector *d, const fs_identify_item *items,
                                        size_t n_items, const char *answer, size_t n,
                                        bool *disclosed_out, fs_identify_tallies *t, fs_error *err);

/** Append a masked form of an item for reports, by its category's "mask" style:
 *  "email" j***@e***.com; "digits" every letter and digit starred but the last four (two
 *  when there are 6 to 8, none under 6), and the first too when there are 12 or more
 *  (4*** **** **** 1111); "words" the first character of each word ("J*** D**"); "all"
 *  every letter and digit starred. Separators are kept. An unknown category masks as
 *  "all". */
FS_API fs_status fs_identify_mask(fs_identify_detector *d, fs_buf *out, const char *category,
                                  const char *text, size_t n, fs_error *err);

FS_END_DECLS
#endif
