#ifndef FS_AUDIT_EXTRA_INTERNAL_H
#define FS_AUDIT_EXTRA_INTERNAL_H
/* Internal to the audit module: the per-variant CSV export and the pairing logic of
 * run comparison (compare.c), both read from the run store. */
#include "fairshake/audit.h"
#include "fairshake/store.h"

/** Write dir/results.csv: one row per stored variant of every target of cfg, in the
 *  store's order (target, then record, then perturbation). RFC 4180 (comma separator,
 *  CRLF line ends, fields with a comma, semicolon, quote, CR or LF double-quoted, quotes
 *  doubled), UTF-8 without a byte-order mark. A field starting with = + - @, a tab or a
 *  carriage return is prefixed with a single quote and quoted, so a spreadsheet never
 *  evaluates it as a formula (OWASP's CSV injection advice). Written to a temporary name
 *  and renamed. cfg, store: borrowed. */
fs_status fs_audit__write_csv(const fs_config *cfg, fs_store *store, const char *dir,
                              fs_error *err);

/** One stored variant of one run, as comparison sees it. */
typedef struct fs_audit__cmp_row {
    char *cond;         /* perturbation label without "#k", or "clean"; owned */
    char *key;          /* record id, U+001F, full perturbation name ("typo#1"); owned */
    size_t rec_len;     /* bytes of key that are the record id */
    uint64_t text_hash; /* of the variant text */
    int correct;        /* 1 right, 0 wrong (or unparsed), -1 unscored (no answer or gold) */
} fs_audit__cmp_row;

/** The rows of one target in one run, sorted by (cond, key). */
typedef struct fs_audit__cmp_rows {
    fs_audit__cmp_row *v;
    size_t n, cap;
} fs_audit__cmp_rows;

/** Read every variant of target from store (labels: the allowed gold labels). */
fs_status fs_audit__cmp_rows_load(fs_audit__cmp_rows *out, fs_store *store, const char *target,
                                  const char *const *labels, size_t n_labels, fs_error *err);
/** Append one row (copies cond and key); used by the loader and by tests. */
fs_status fs_audit__cmp_rows_add(fs_audit__cmp_rows *rows, const char *cond, const char *record_id,
                                 const char *pert, uint64_t text_hash, int correct, fs_error *err);
/** Sort by (cond, key), ready for fs_audit__cmp_pair. */
void fs_audit__cmp_rows_sort(fs_audit__cmp_rows *rows);
void fs_audit__cmp_rows_dispose(fs_audit__cmp_rows *rows);

/** How one condition of two runs lines up. Variants are matched on (record id, full
 *  perturbation name); a match is a pair when both texts are identical. The comparison is
 *  paired when at least one pair is scored in both runs and no matched variant differs
 *  in text; otherwise it is unpaired (two independent samples). */
typedef struct fs_audit__cmp_pairing {
    size_t n_a, n_b;                      /* scored variants of each run */
    size_t k_a, k_b;                      /* of those, correct */
    size_t matched;                       /* variants present in both runs */
    size_t differ;                        /* matched but with different text */
    size_t pairs;                         /* identical text and scored in both runs */
    size_t both, a_only, b_only, neither; /* correctness over the pairs */
    bool paired;
    unsigned char *ca, *cb; /* per pair: correct in run a / run b; owned */
    size_t *starts;         /* first pair of each record, n_records + 1 entries; owned */
    size_t n_records;
} fs_audit__cmp_pairing;

/** Line up the rows of condition cond in a and b (both sorted). out: dispose with
 *  fs_audit__cmp_pair_dispose. */
fs_status fs_audit__cmp_pair(fs_audit__cmp_pairing *out, const fs_audit__cmp_rows *a,
                             const fs_audit__cmp_rows *b, const char *cond, fs_error *err);
void fs_audit__cmp_pair_dispose(fs_audit__cmp_pairing *p);

/** The 95% paired bootstrap interval of accuracy(b) - accuracy(a) over p's pairs,
 *  resampling records (all pairs of a record together). NaN bounds when there is no pair. */
fs_status fs_audit__cmp_pair_ci(double *lo, double *hi, const fs_audit__cmp_pairing *p,
                                size_t resamples, uint64_t seed, fs_error *err);

#endif
