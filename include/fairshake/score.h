#ifndef FAIRSHAKE_SCORE_H
#define FAIRSHAKE_SCORE_H
/* Scoring: task metrics (classification for now) and robustness comparisons of a
 * perturbed condition against the clean one. Labels are indices 0..n_labels-1; a
 * prediction of -1 is a parse failure: it is never correct and belongs to no class. */
#include "fairshake/common.h"

FS_BEGIN_DECLS

typedef struct fs_class_report {
    size_t n_labels;
    size_t n;          /* scored items */
    size_t n_unparsed; /* items whose prediction was -1 */
    double accuracy;   /* NaN when n == 0 */
    double *precision; /* per class, owned; scikit-learn's zero_division rule */
    double *recall;
    double *f1;
    size_t *support;   /* gold count per class */
    size_t *predicted; /* predicted count per class */
    double macro_precision, macro_recall, macro_f1;
    double micro_precision, micro_recall, micro_f1;
    double weighted_precision, weighted_recall, weighted_f1;
    /* n_labels rows (gold) by n_labels + 1 columns (predicted; last column: unparsed) */
    size_t *confusion;
} fs_class_report;

FS_API void fs_class_report_init(fs_class_report *r);
FS_API void fs_class_report_dispose(fs_class_report *r);

/** Classification metrics as scikit-learn computes them (precision_recall_fscore_support
 *  over all n_labels labels; zero_division is the value used for 0/0, 0 or 1).
 *  out: overwritten without being disposed first; its arrays are returned owned
 *  (fs_class_report_dispose); left empty (as after init) on failure. gold, pred: borrowed.
 *  With n == 0 the accuracy and every average are NaN. FS_ERR_USAGE when n_labels is 0,
 *  zero_division is not 0 or 1, or an array is NULL while n > 0; FS_ERR_INPUT when a gold
 *  label is outside 0..n_labels-1 or a prediction outside -1..n_labels-1. */
FS_API fs_status fs_score_classification(fs_class_report *out, const int *gold, const int *pred,
                                         size_t n, size_t n_labels, double zero_division,
                                         fs_error *err);

/** Macro-F1 only, without allocating when n_labels <= 64 (for bootstrap loops). Equal to
 *  fs_score_classification's macro_f1; NaN when n == 0, a value is out of range or memory
 *  runs out. */
FS_API double fs_score_macro_f1(const int *gold, const int *pred, size_t n, size_t n_labels,
                                double zero_division);

/** A paired comparison of one perturbation against clean: n pairs (clean answer, variant
 *  answer). With one variant per record each pair is a record. With several variants per
 *  record, pairs of one record are consecutive and form a cluster: cluster c is pairs
 *  [cluster_start[c], cluster_start[c + 1]) (cluster_start has n_clusters + 1 entries,
 *  the last equal to n); the bootstrap then resamples records, not pairs, and the test
 *  works on per-record mean differences. */
typedef struct fs_robustness_input {
    const int *gold;       /* [n] */
    const int *clean_pred; /* [n] */
    const int *pert_pred;  /* [n] */
    size_t n;
    size_t n_labels;
    uint64_t seed;               /* bootstrap and permutation stream */
    size_t n_resamples;          /* 0: 1000 */
    const size_t *cluster_start; /* NULL: every pair is its own cluster */
    size_t n_clusters;
} fs_robustness_input;

typedef struct fs_robustness {
    size_t n;          /* pairs */
    size_t n_clusters; /* records */
    fs_class_report clean;
    fs_class_report perturbed;
    double delta_accuracy;   /* perturbed - clean; NaN when n == 0 */
    double ci95_accuracy[2]; /* paired bootstrap percentile CI of the delta */
    double delta_macro_f1;
    double ci95_macro_f1[2];
    double drop_rate;    /* 1 - perturbed/clean accuracy; NaN when clean is 0 */
    size_t flips;        /* pairs whose prediction changed (parse failures count) */
    double flip_rate;    /* flips / n; NaN when n == 0 */
    double flip_ci95[2]; /* Wilson interval (one variant per record), else the record
                            bootstrap's percentile interval */
    size_t clean_only_correct, pert_only_correct; /* discordant pairs */
    double p_value;   /* exact McNemar on correctness (one variant per record), else
                         a sign-flip permutation test on per-record mean differences */
    const char *test; /* which of the two: static text */
} fs_robustness;

FS_API void fs_robustness_init(fs_robustness *r);
FS_API void fs_robustness_dispose(fs_robustness *r);
/** Score one perturbation against clean. out: overwritten without being disposed first;
 *  returns owned reports (fs_robustness_dispose); left empty on failure. in: borrowed.
 *  Errors as fs_score_classification. */
FS_API fs_status fs_score_robustness(fs_robustness *out, const fs_robustness_input *in,
                                     fs_error *err);

FS_END_DECLS
#endif
