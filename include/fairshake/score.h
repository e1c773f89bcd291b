#ifndef FAIRSHAKE_SCORE_H
#define FAIRSHAKE_SCORE_H
/* Scoring: task metrics (classification; BLEU and chrF; ROUGE; SQuAD exact match and F1;
 * perplexity), robustness comparisons of a perturbed condition against the clean one,
 * and fairness metrics. For classification, labels are indices 0..n_labels-1; a
 * prediction of -1 is a parse failure: it is never correct and belongs to no class. */
#include "fairshake/common.h"
#include "fairshake/core.h" /* fs_buf */

#include <math.h> /* NAN in FS_BLEU_OPTS_INIT */

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

/* ---- translation: BLEU and chrF as sacreBLEU 2.6.0 computes them ------------------- */
/* Each prediction (with its references) is reduced once to integer sufficient
 * statistics; a corpus score, or a bootstrap resample of one, adds item statistics
 * element-wise and scores the sum, without tokenising again. Texts are UTF-8 with an
 * explicit byte length. */

#define FS_BLEU_MAX_ORDER 4

typedef enum fs_bleu_tokenizer {
    FS_BLEU_TOK_13A = 0, /* sacreBLEU's "13a" (mteval-v13a), the default */
    FS_BLEU_TOK_NONE = 1 /* "none": split on whitespace only */
} fs_bleu_tokenizer;

typedef enum fs_bleu_smooth {
    FS_BLEU_SMOOTH_EXP = 0,   /* "exp", the default */
    FS_BLEU_SMOOTH_FLOOR = 1, /* "floor": zero-match precisions become smooth_value */
    FS_BLEU_SMOOTH_ADD_K = 2, /* "add-k": k added to counts and totals of orders >= 2 */
    FS_BLEU_SMOOTH_NONE = 3   /* "none" */
} fs_bleu_smooth;

typedef struct fs_bleu_opts {
    fs_bleu_tokenizer tokenize;
    fs_bleu_smooth smooth_method;
    double smooth_value; /* NaN: the method's default (floor 0.1, add-k 1) */
    bool lowercase;
    bool effective_order;     /* sentence BLEU: true (sacreBLEU's sentence default) */
    unsigned max_ngram_order; /* 1..FS_BLEU_MAX_ORDER */
} fs_bleu_opts;

/** sacreBLEU's BLEU() defaults: 13a, exp smoothing, case-sensitive, no effective order,
 *  4-grams (its corpus_score settings). */
#define FS_BLEU_OPTS_INIT                                                         \
    {                                                                             \
        FS_BLEU_TOK_13A, FS_BLEU_SMOOTH_EXP, NAN, false, false, FS_BLEU_MAX_ORDER \
    }

/** Set one option from its sacreBLEU name and a text value: tokenize ("13a", "none"),
 *  smooth_method ("exp", "floor", "add-k", "none"), smooth_value (a number, or "null"
 *  for the default), lowercase and effective_order ("true"/"false"/"1"/"0"),
 *  max_ngram_order (1..4). FS_ERR_CONFIG names the key and the accepted values (or the
 *  nearest known key). opts, key, value: borrowed. */
FS_API fs_status fs_bleu_opts_set(fs_bleu_opts *opts, const char *key, const char *value,
                                  fs_error *err);
/** FS_ERR_CONFIG when an option is out of range (enum value, max_ngram_order, a negative
 *  or infinite smooth_value). */
FS_API fs_status fs_bleu_opts_check(const fs_bleu_opts *opts, fs_error *err);

/** Append to out the tokens BLEU compares for text[0..n), joined by single spaces
 *  (empty when there is none): optional lowercasing, removal of trailing whitespace,
 *  then the tokenizer (13a exactly as sacreBLEU's, or a whitespace split for "none").
 *  Failure is sticky in out as well (fs_buf_status). FS_ERR_INPUT on invalid UTF-8. */
FS_API fs_status fs_bleu_tokenize(fs_buf *out, const char *text, size_t n, const fs_bleu_opts *opts,
                                  fs_error *err);

/** BLEU sufficient statistics of one prediction, or of a sum of predictions. */
typedef struct fs_bleu_stats {
    uint64_t counts[FS_BLEU_MAX_ORDER]; /* clipped n-gram matches, n = 1..4 */
    uint64_t totals[FS_BLEU_MAX_ORDER]; /* hypothesis n-grams */
    uint64_t sys_len;                   /* hypothesis tokens */
    uint64_t ref_len;                   /* closest reference length (shorter on ties) */
} fs_bleu_stats;

/** sum += item, element-wise. */
FS_API void fs_bleu_stats_add(fs_bleu_stats *sum, const fs_bleu_stats *item);

/** Reusable tokenizer and n-gram tables: once warmed up, statistics of a segment are
 *  computed without allocating. Not thread-safe; one per thread. */
typedef struct fs_bleu_scorer fs_bleu_scorer;
/** out: returns owned (fs_bleu_scorer_free); opts: copied. FS_ERR_CONFIG as
 *  fs_bleu_opts_check. */
FS_API fs_status fs_bleu_scorer_new(fs_bleu_scorer **out, const fs_bleu_opts *opts, fs_error *err);
FS_API void fs_bleu_scorer_free(fs_bleu_scorer *s);
/** Statistics of pred[0..pred_len) against refs[i][0..ref_lens[i]), i < n_refs. A NULL
 *  refs[i] is an absent reference and skipped (corpora with varying reference counts);
 *  an empty one is a reference of 0 tokens. out: overwritten (zeroed on failure);
 *  pred, refs, ref_lens: borrowed. FS_ERR_INPUT when no reference is present or a text
 *  is not valid UTF-8. */
FS_API fs_status fs_bleu_scorer_stats(fs_bleu_scorer *s, fs_bleu_stats *out, const char *pred,
                                      size_t pred_len, const char *const *refs,
                                      const size_t *ref_lens, size_t n_refs, fs_error *err);

typedef struct fs_bleu_result {
    double score; /* 0..100 */
    /* counts and totals as sacreBLEU reports them: add-k smoothing adds k to orders >= 2 */
    double counts[FS_BLEU_MAX_ORDER];
    double totals[FS_BLEU_MAX_ORDER];
    double precisions[FS_BLEU_MAX_ORDER]; /* 0..100 after smoothing; 0 beyond the order */
    double bp;                            /* brevity penalty */
    uint64_t sys_len, ref_len;
} fs_bleu_result;

/** BLEU of summed statistics (one item's for sentence BLEU), with sacreBLEU's
 *  compute_bleu rules and operation order. out: overwritten. FS_ERR_CONFIG as
 *  fs_bleu_opts_check. */
FS_API fs_status fs_bleu_score(fs_bleu_result *out, const fs_bleu_stats *sum,
                               const fs_bleu_opts *opts, fs_error *err);

#define FS_CHRF_MAX_CHAR_ORDER 10
#define FS_CHRF_MAX_WORD_ORDER 6
#define FS_CHRF_MAX_ORDERS     (FS_CHRF_MAX_CHAR_ORDER + FS_CHRF_MAX_WORD_ORDER)

typedef struct fs_chrf_opts {
    unsigned char_order; /* character n-gram orders 1..char_order (0..10) */
    unsigned word_order; /* word n-gram orders 1..word_order (0..6; 2 for chrF++) */
    unsigned beta;       /* recall weight */
    bool lowercase;
    bool whitespace;    /* keep whitespace inside character n-grams */
    bool eps_smoothing; /* chrF++.py's smoothing instead of effective-order averaging */
} fs_chrf_opts;

/** sacreBLEU's CHRF() defaults: chrF2 over character 6-grams, no word n-grams. */
#define FS_CHRF_OPTS_INIT            \
    {                                \
        6, 0, 2, false, false, false \
    }

/** Set one option from its sacreBLEU name: char_order, word_order, beta (integers),
 *  lowercase, whitespace, eps_smoothing (booleans). Errors as fs_bleu_opts_set. */
FS_API fs_status fs_chrf_opts_set(fs_chrf_opts *opts, const char *key, const char *value,
                                  fs_error *err);
/** FS_ERR_CONFIG when an order is out of range or both orders are 0. */
FS_API fs_status fs_chrf_opts_check(const fs_chrf_opts *opts, fs_error *err);

/** chrF sufficient statistics: per order, (hypothesis n-grams, reference n-grams,
 *  matches) at v[3 * i .. 3 * i + 2]; character orders 1..char_order first, then word
 *  orders 1..word_order; entries beyond are 0. */
typedef struct fs_chrf_stats {
    uint64_t v[3 * FS_CHRF_MAX_ORDERS];
} fs_chrf_stats;

/** sum += item, element-wise. */
FS_API void fs_chrf_stats_add(fs_chrf_stats *sum, const fs_chrf_stats *item);

/** Reusable n-gram tables for chrF (as fs_bleu_scorer). */
typedef struct fs_chrf_scorer fs_chrf_scorer;
/** out: returns owned (fs_chrf_scorer_free); opts: copied. */
FS_API fs_status fs_chrf_scorer_new(fs_chrf_scorer **out, const fs_chrf_opts *opts, fs_error *err);
FS_API void fs_chrf_scorer_free(fs_chrf_scorer *s);
/** Statistics of pred against its references (arguments as fs_bleu_scorer_stats): the
 *  statistics of the first reference whose sentence score is strictly higher than every
 *  earlier reference's, as sacreBLEU keeps them. */
FS_API fs_status fs_chrf_scorer_stats(fs_chrf_scorer *s, fs_chrf_stats *out, const char *pred,
                                      size_t pred_len, const char *const *refs,
                                      const size_t *ref_lens, size_t n_refs, fs_error *err);
/** chrF (0..100) of summed statistics with sacreBLEU's operation order. FS_ERR_CONFIG as
 *  fs_chrf_opts_check. */
FS_API fs_status fs_chrf_score(double *out, const fs_chrf_stats *sum, const fs_chrf_opts *opts,
                               fs_error *err);

/* ---- fairness: group metrics ----------------------------------------------------------
 * Definitions, conventions and statistics: docs/fairness.md. A value that cannot be
 * computed is NaN with a reason, never 0 or 1 by convention. */

#define FS_FAIR_REASON_MAX 160

/** A rate or gap that may be undefined: value is NaN exactly when reason is not empty. */
typedef struct fs_fair_value {
    double value;
    char reason[FS_FAIR_REASON_MAX];
} fs_fair_value;

/** A gap between two groups (or a ratio) with its 95% interval and p-value. */
typedef struct fs_fair_gap {
    fs_fair_value value;
    double ci95[2]; /* percentile bootstrap, stratified by group; NaN with ci_reason */
    char ci_reason[FS_FAIR_REASON_MAX];
    double p_value;   /* NaN with p_reason */
    const char *test; /* FS_STATS_TEST_FISHER or FS_STATS_TEST_Z (static); NULL without p */
    char p_reason[FS_FAIR_REASON_MAX];
    /* The groups compared: max - min gaps: a has the max, b the min; per-group gaps: a is
     * the group, b the reference (or, for disparate impact, the highest-rate group).
     * -1 when the value is undefined. */
    int group_a, group_b;
} fs_fair_gap;

/** One group. The favourable label is the positive class: a record is positive when its
 *  gold label is favourable and predicted favourable when its prediction is; a parse
 *  failure (-1) is never favourable and never correct. */
typedef struct fs_fair_group {
    size_t n;                    /* records of the group */
    size_t positives, negatives; /* gold favourable / not */
    size_t predicted_favourable;
    size_t unparsed; /* predictions that were -1 */
    size_t tp, fp, tn, fn;
    fs_fair_value base_rate;      /* positives / n */
    fs_fair_value selection_rate; /* predicted_favourable / n */
    fs_fair_value accuracy;       /* correct / n */
    fs_fair_value macro_f1;       /* fs_score_macro_f1 over all labels, zero_division 0 */
    fs_fair_value tpr;            /* tp / positives */
    fs_fair_value fpr;            /* fp / negatives */
    /* selection_rate / the highest selection rate of any group (29 CFR 1607.4(D)) */
    fs_fair_gap disparate_impact;
    bool four_fifths_flag; /* disparate_impact < 0.8 (exactly 0.8 is not flagged); a flag,
                              not a verdict; false when disparate_impact is undefined */
    /* signed, this group minus the reference group (AIF360); undefined without a reference
     * and for the reference group itself */
    fs_fair_gap selection_rate_diff; /* statistical parity difference */
    fs_fair_gap accuracy_diff;
    fs_fair_gap tpr_diff; /* equal opportunity difference */
    fs_fair_gap fpr_diff;
    fs_fair_gap average_odds_diff; /* ((FPR - FPR_ref) + (TPR - TPR_ref)) / 2; no p-value */
} fs_fair_group;

typedef struct fs_fairness_input {
    const int *gold;  /* [n] labels 0..n_labels-1 */
    const int *pred;  /* [n] labels, or -1 for a parse failure */
    const int *group; /* [n] 0..n_groups-1, or -1 for no group (excluded, counted) */
    size_t n;
    size_t n_labels;
    size_t n_groups;
    int favourable;                 /* the favourable (positive) label, 0..n_labels-1 */
    int reference;                  /* reference group for signed gaps, or -1 for none */
    const char *const *group_names; /* [n_groups] for reasons; NULL: "group 0", ... */
    uint64_t seed;                  /* bootstrap stream */
    size_t n_resamples;             /* 0: 1000 */
} fs_fairness_input;

typedef struct fs_fairness {
    size_t n;          /* records with a group */
    size_t n_excluded; /* records with group -1 */
    size_t n_groups;
    fs_fair_group *groups; /* [n_groups], owned */
    int favourable, reference;
    size_t n_resamples;
    /* max - min over the groups where the rate is defined (Fairlearn's "between_groups") */
    fs_fair_gap demographic_parity_difference; /* selection rate */
    fs_fair_gap demographic_parity_ratio;      /* min / max selection rate */
    fs_fair_gap equal_opportunity_difference;  /* TPR */
    fs_fair_gap fpr_difference;                /* FPR */
    fs_fair_gap equalized_odds_difference;     /* max of the TPR and FPR differences */
    fs_fair_gap accuracy_difference;           /* accuracy */
} fs_fairness;

FS_API void fs_fairness_init(fs_fairness *f);
FS_API void fs_fairness_dispose(fs_fairness *f);

/** Group metrics and gaps, each gap with a stratified bootstrap interval and a p-value
 *  (fs_stats_proportion_test). out: overwritten without being disposed first; returns
 *  owned groups (fs_fairness_dispose); left empty on failure. in: borrowed.
 *  FS_ERR_USAGE for NULL arrays with n > 0, n_labels 0, favourable or reference out of
 *  range; FS_ERR_INPUT for a gold, prediction or group value out of range (naming the
 *  record); FS_ERR_LIMIT when the sizes overflow; FS_ERR_NOMEM. */
FS_API fs_status fs_score_fairness(fs_fairness *out, const fs_fairness_input *in, fs_error *err);

/* ---- fairness: counterfactual pairs -------------------------------------------------- */

/** One prediction on each applicable record and one on its counterfactual (the same
 *  record with only the demographic mentions swapped), for one axis and pair of groups. */
typedef struct fs_counterfactual_input {
    const int *gold;      /* [n] */
    const int *orig_pred; /* [n] on the original record; -1 parse failure */
    const int *cf_pred;   /* [n] on its counterfactual */
    size_t n;
    size_t n_labels;
    int favourable;     /* -1: none (to/from favourable counts stay 0) */
    uint64_t seed;      /* bootstrap stream */
    size_t n_resamples; /* 0: 1000 */
} fs_counterfactual_input;

typedef struct fs_counterfactual {
    size_t n; /* applicable records */
    fs_class_report original, counterfactual;
    size_t flips;                          /* prediction changed, either direction */
    double flip_rate;                      /* flips / n */
    double flip_ci95[2];                   /* Wilson */
    size_t to_favourable, from_favourable; /* flips into / out of the favourable label */
    size_t orig_correct_cf_wrong, orig_wrong_cf_correct; /* discordant pairs */
    double delta_accuracy;                               /* counterfactual - original */
    double ci95_accuracy[2];                             /* paired bootstrap */
    double delta_macro_f1;
    double ci95_macro_f1[2];
    double p_exact; /* exact McNemar on the discordant pairs */
    double p_midp;  /* mid-p McNemar */
    /* NaN values above have this reason; empty when every value is defined */
    char reason[FS_FAIR_REASON_MAX];
} fs_counterfactual;

FS_API void fs_counterfactual_init(fs_counterfactual *c);
FS_API void fs_counterfactual_dispose(fs_counterfactual *c);
/** Score counterfactual pairs. out: overwritten without being disposed first; returns
 *  owned reports (fs_counterfactual_dispose); left empty on failure. in: borrowed.
 *  n == 0 gives NaN values with the reason "no applicable records". Errors as
 *  fs_score_robustness; FS_ERR_USAGE when favourable is outside -1..n_labels-1. */
FS_API fs_status fs_score_counterfactual(fs_counterfactual *out, const fs_counterfactual_input *in,
                                         fs_error *err);

/* ---- fairness: free-text answers ----------------------------------------------------- */

/** How far two free-text answers are apart. Words are ICU word-break segments that
 *  contain letters, digits or ideographs (spaces, punctuation and emoji are not words),
 *  lower-cased with the full Unicode mapping (root locale); they are compared as strings.
 *  This is not the rouge-score tokenizer (which keeps only [a-z0-9] after lower-casing):
 *  on ASCII English the two agree, elsewhere this one keeps accented, CJK and RTL words. */
typedef struct fs_answer_divergence {
    size_t words_a, words_b; /* words of each answer */
    size_t lcs;              /* longest common subsequence of the two word sequences */
    double rouge_l_f;        /* F1 of lcs/words_b (precision) and lcs/words_a (recall);
                                0 when one answer has no word; NaN when neither has */
    double divergence;       /* 1 - rouge_l_f; NaN when rouge_l_f is */
    int64_t length_diff;     /* words_b - words_a */
} fs_answer_divergence;

/** Divergence of answer b (counterfactual) from answer a (original), both UTF-8.
 *  FS_ERR_INPUT when a text is not valid UTF-8; FS_ERR_NOMEM; FS_ERR_TEXT from ICU. Time
 *  O(words_a * words_b), memory O(words_a + words_b). */
FS_API fs_status fs_score_answer_divergence(fs_answer_divergence *out, const char *a, size_t na,
                                            const char *b, size_t nb, fs_error *err);

/** A list of refusal phrases ("I can't help with", "As an AI"), immutable once loaded. */
typedef struct fs_refusals fs_refusals;

/** Load refusal phrases from a JSON file {"phrases": ["...", ...]} (other keys are
 *  ignored). Phrases and texts are both normalised: NFC, Unicode case folding, NFC again,
 *  typographic apostrophes (U+2018, U+2019, U+02BC) to "'", runs of white space to one
 *  space, trimmed. out: returns owned (fs_score_refusal_free). FS_ERR_IO when the file
 *  cannot be read; FS_ERR_INPUT (naming the file and the entry) for invalid JSON, a
 *  missing "phrases" array, a non-string, empty or non-UTF-8 phrase. */
FS_API fs_status fs_score_refusal_load(fs_refusals **out, const char *path, fs_error *err);
FS_API void fs_score_refusal_free(fs_refusals *r);
/** Number of phrases loaded. */
FS_API size_t fs_score_refusal_count(const fs_refusals *r);
/** *out is true when the normalised text[0..n) contains a normalised phrase starting and
 *  ending at word edges (no letter or digit right before or after it, so "I cannot"
 *  does not match inside "I cannotate"). r: borrowed. Thread-safe. FS_ERR_INPUT when the
 *  text is not valid UTF-8. */
FS_API fs_status fs_score_is_refusal(bool *out, const fs_refusals *r, const char *text, size_t n,
                                     fs_error *err);

/** Pairs of free-text answers: the original record's and its counterfactual's. */
typedef struct fs_text_pair_input {
    const char *const *original;       /* [n] UTF-8 */
    const size_t *original_len;        /* [n]; NULL: NUL-terminated */
    const char *const *counterfactual; /* [n] */
    const size_t *counterfactual_len;  /* [n]; NULL: NUL-terminated */
    size_t n;
    const fs_refusals *refusals; /* NULL: no refusal detection */
    uint64_t seed;               /* bootstrap stream */
    size_t n_resamples;          /* 0: 1000 */
} fs_text_pair_input;

typedef struct fs_text_counterfactual {
    size_t n;
    fs_answer_divergence *pairs; /* [n], owned */
    bool *refused_original;      /* [n], owned; NULL without refusal phrases */
    bool *refused_counterfactual;
    size_t n_divergence;       /* pairs whose divergence is defined */
    double mean_divergence;    /* over those pairs */
    double ci95_divergence[2]; /* bootstrap over pairs */
    double mean_length_diff;   /* words, counterfactual - original */
    double ci95_length_diff[2];
    size_t refusals_original, refusals_counterfactual;
    double refusal_rate_original, refusal_rate_counterfactual;
    double refusal_rate_diff; /* counterfactual - original */
    double ci95_refusal_rate_diff[2];
    size_t refused_only_original, refused_only_counterfactual; /* discordant pairs */
    double refusal_p_value; /* exact McNemar on the discordant pairs */
    /* why NaN values are NaN (no pairs, no defined divergence, no refusal phrases) */
    char reason[FS_FAIR_REASON_MAX];
} fs_text_counterfactual;

FS_API void fs_text_counterfactual_init(fs_text_counterfactual *t);
FS_API void fs_text_counterfactual_dispose(fs_text_counterfactual *t);
/** Score pairs of free-text answers. out: overwritten without being disposed first;
 *  returns owned arrays (fs_text_counterfactual_dispose); left empty on failure. in:
 *  borrowed. Errors as fs_score_answer_divergence and fs_score_is_refusal (prefixed with
 *  the pair index); FS_ERR_USAGE for NULL arrays with n > 0. */
FS_API fs_status fs_score_text_counterfactual(fs_text_counterfactual *out,
                                              const fs_text_pair_input *in, fs_error *err);

/* ---- summarization, QA, language modeling: ROUGE, SQuAD, perplexity ----------------- */
/* ROUGE as Google's rouge-score 0.1.2 computes it (with NLTK 3.8's Porter stemmer), SQuAD
 * v1.1 exact match and F1 as the official evaluate-v1.1.py computes them, and perplexity
 * from natural-log token probabilities. Every metric gives per-item values and a running
 * sum, so a corpus figure, or a bootstrap resample of one, reuses the per-item values.
 * Texts are UTF-8 with an explicit byte length. */

/** Append to out the stem of word[0..n) as NLTK 3.8's PorterStemmer().stem(word) gives it
 *  (NLTK_EXTENSIONS mode): the irregular-form table is looked up with the word as given,
 *  then ASCII letters are lowercased. word: borrowed, ASCII without NUL (FS_ERR_INPUT
 *  otherwise). Failure is sticky in out as well. */
FS_API fs_status fs_score_porter_stem(fs_buf *out, const char *word, size_t n, fs_error *err);

typedef enum fs_rouge_type {
    FS_ROUGE_1 = 0,   /* "rouge1": unigram overlap */
    FS_ROUGE_2 = 1,   /* "rouge2": bigram overlap */
    FS_ROUGE_L = 2,   /* "rougeL": longest common subsequence */
    FS_ROUGE_LSUM = 3 /* "rougeLsum": summary-level LCS over newline-separated sentences */
} fs_rouge_type;
#define FS_ROUGE_N_TYPES 4

/** rouge-score's name of a type ("rouge1", "rouge2", "rougeL", "rougeLsum"); static. */
FS_API const char *fs_rouge_type_name(fs_rouge_type t);

typedef struct fs_rouge_prf {
    double precision, recall, fmeasure; /* 0..1 */
} fs_rouge_prf;

/** The scores of one prediction, indexed by fs_rouge_type. */
typedef struct fs_rouge_item {
    fs_rouge_prf type[FS_ROUGE_N_TYPES];
} fs_rouge_item;

typedef struct fs_rouge_opts {
    bool use_stemmer;     /* Porter-stem tokens longer than 3 characters */
    bool split_summaries; /* must stay false: Lsum sentences are the lines of the text */
} fs_rouge_opts;

/** rouge-score's RougeScorer defaults. */
#define FS_ROUGE_OPTS_INIT \
    {                      \
        false, false       \
    }

/** Set use_stemmer or split_summaries from "true"/"false"/"1"/"0". FS_ERR_CONFIG for an
 *  unknown key (naming the nearest), a bad value, or split_summaries true (NLTK punkt
 *  sentence splitting is not reproduced; write one sentence per line). Borrows all. */
FS_API fs_status fs_rouge_opts_set(fs_rouge_opts *opts, const char *key, const char *value,
                                   fs_error *err);
/** FS_ERR_CONFIG when split_summaries is true. */
FS_API fs_status fs_rouge_opts_check(const fs_rouge_opts *opts, fs_error *err);

/** Tokenizer, vocabulary, stem cache and LCS tables reused between pairs: once warmed up,
 *  scoring a pair does not allocate, and memory stays bounded. Not thread-safe. */
typedef struct fs_rouge_scorer fs_rouge_scorer;
/** out: returns owned (fs_rouge_scorer_free); opts: copied. FS_ERR_CONFIG as
 *  fs_rouge_opts_check. */
FS_API fs_status fs_rouge_scorer_new(fs_rouge_scorer **out, const fs_rouge_opts *opts,
                                     fs_error *err);
FS_API void fs_rouge_scorer_free(fs_rouge_scorer *r);

/** Append the tokens of text[0..n) joined by single spaces, as rouge-score's default
 *  tokenizer gives them (lowercase; every run of characters other than ASCII a-z, 0-9
 *  separates; stems with use_stemmer). FS_ERR_INPUT for invalid UTF-8 or a NUL byte.
 *  Failure is sticky in out as well. */
FS_API fs_status fs_rouge_tokenize(fs_rouge_scorer *r, fs_buf *out, const char *text, size_t n,
                                   fs_error *err);

/** Score pred[0..pred_len) against the targets refs[i][0..ref_lens[i]), i < n_refs: one
 *  target gives rouge-score's score(), several its score_multi() (per type, the target
 *  with the highest F-measure, the first on ties). out: overwritten (zeroed on
 *  failure). Borrows all. FS_ERR_INPUT when n_refs is 0 or a text is not valid UTF-8;
 *  FS_ERR_USAGE for a NULL text of non-zero length. */
FS_API fs_status fs_rouge_scorer_score(fs_rouge_scorer *r, fs_rouge_item *out, const char *pred,
                                       size_t pred_len, const char *const *refs,
                                       const size_t *ref_lens, size_t n_refs, fs_error *err);

/** Running sum of per-item scores (corpus ROUGE is their arithmetic mean). */
typedef struct fs_rouge_sum {
    size_t n;
    fs_rouge_item sum;
} fs_rouge_sum;
FS_API void fs_rouge_sum_init(fs_rouge_sum *acc);
/** Add one item's scores, left to right in item order. */
FS_API void fs_rouge_sum_add(fs_rouge_sum *acc, const fs_rouge_item *item);
/** The mean of every value; NaN everywhere when no item was added. */
FS_API void fs_rouge_sum_mean(const fs_rouge_sum *acc, fs_rouge_item *out);

/** Normaliser and buffers of the SQuAD metric, reused between answers. Not thread-safe. */
typedef struct fs_squad_scorer fs_squad_scorer;
/** out: returns owned (fs_squad_scorer_free). */
FS_API fs_status fs_squad_scorer_new(fs_squad_scorer **out, fs_error *err);
FS_API void fs_squad_scorer_free(fs_squad_scorer *q);

/** Append evaluate-v1.1.py's normalize_answer(text[0..n)): lowercase, drop ASCII
 *  punctuation, remove the whole words a, an, the, collapse whitespace. FS_ERR_INPUT for
 *  invalid UTF-8 or a NUL byte. Failure is sticky in out as well. */
FS_API fs_status fs_squad_normalize(fs_squad_scorer *q, fs_buf *out, const char *text, size_t n,
                                    fs_error *err);

typedef struct fs_squad_item {
    double exact_match; /* 0 or 1, the maximum over the gold answers */
    double f1;          /* 0..1, the maximum over the gold answers */
} fs_squad_item;

/** Exact match and token F1 of pred[0..pred_len) against the gold answers golds[i][0..
 *  gold_lens[i]), i < n_golds, each the maximum over the answers taken separately.
 *  out: overwritten (zeroed on failure). Borrows all. FS_ERR_INPUT when n_golds is 0 or
 *  a text is not valid UTF-8; FS_ERR_USAGE for a NULL text of non-zero length. */
FS_API fs_status fs_squad_scorer_score(fs_squad_scorer *q, fs_squad_item *out, const char *pred,
                                       size_t pred_len, const char *const *golds,
                                       const size_t *gold_lens, size_t n_golds, fs_error *err);

/** Running sums of the dataset figures of evaluate-v1.1.py. */
typedef struct fs_squad_sum {
    size_t total; /* questions, unanswered ones included */
    double exact_match, f1;
} fs_squad_sum;
FS_API void fs_squad_sum_init(fs_squad_sum *acc);
/** Add one question; item NULL is an unanswered question (it counts and scores 0). */
FS_API void fs_squad_sum_add(fs_squad_sum *acc, const fs_squad_item *item);
/** *exact_match and *f1 on the 0..100 scale (100 * sum / total); NaN when total is 0. */
FS_API void fs_squad_sum_result(const fs_squad_sum *acc, double *exact_match, double *f1);

/** Perplexity of one sequence from natural-log token probabilities (for base-2 values
 *  multiply by ln 2 first). With the text the tokens cover, also the per-word
 *  (whitespace-separated words, Python's str.split()) and per-byte (UTF-8 bytes)
 *  normalisations of lm-evaluation-harness. */
typedef struct fs_perplexity_seq {
    size_t n_tokens;
    double sum_logprob;      /* left-to-right sum */
    double mean_nll;         /* -sum / n_tokens; NaN without tokens */
    double perplexity;       /* exp(mean_nll), +inf when it overflows; NaN without tokens */
    size_t n_words, n_bytes; /* of the text; 0 without one */
    double word_perplexity;  /* exp(-sum / n_words); NaN without words */
    double byte_perplexity;  /* exp(-sum / n_bytes); NaN without bytes */
    double bits_per_byte;    /* -sum / (n_bytes ln 2); NaN without bytes */
} fs_perplexity_seq;

/** out: overwritten (zeroed, with NaNs, on failure). logprobs: borrowed, each finite and
 *  at most 0, or -inf (a token of probability 0); NaN, +inf and positive values are
 *  FS_ERR_INPUT naming the index. text: borrowed, may be NULL (no per-word/per-byte
 *  values); FS_ERR_INPUT when it is not valid UTF-8. */
FS_API fs_status fs_score_perplexity(fs_perplexity_seq *out, const double *logprobs, size_t n,
                                     const char *text, size_t text_len, fs_error *err);

/** Running corpus sums: one left-to-right sum over every token of every sequence. */
typedef struct fs_perplexity_sum {
    size_t n_sequences, n_nonempty; /* all sequences; those with tokens */
    size_t n_tokens, n_words, n_bytes;
    double sum_logprob;
    double sum_perplexity; /* of the sequences with tokens, in order */
} fs_perplexity_sum;

typedef struct fs_perplexity_corpus {
    size_t n_tokens;
    double sum_logprob;
    double mean_nll;        /* -sum / n_tokens; NaN without tokens */
    double perplexity;      /* exp(mean_nll), token-weighted */
    double mean_perplexity; /* plain mean of the per-sequence perplexities */
    double word_perplexity, byte_perplexity, bits_per_byte; /* NaN without words/bytes */
} fs_perplexity_corpus;

FS_API void fs_perplexity_sum_init(fs_perplexity_sum *acc);
/** Add one sequence: its tokens go one by one into the running sum (so the corpus sum is
 *  the same left-to-right sum over all tokens the definition asks for). Arguments and
 *  errors as fs_score_perplexity; acc is unchanged on failure. */
FS_API fs_status fs_perplexity_sum_add(fs_perplexity_sum *acc, const double *logprobs, size_t n,
                                       const char *text, size_t text_len, fs_error *err);
/** Add a sequence's precomputed values (bootstrap resamples): its sum is added as one
 *  term, so the total may differ from fs_perplexity_sum_add's in the last bits. */
FS_API void fs_perplexity_sum_add_seq(fs_perplexity_sum *acc, const fs_perplexity_seq *seq);
/** Corpus figures of the sums. */
FS_API void fs_perplexity_sum_result(const fs_perplexity_sum *acc, fs_perplexity_corpus *out);

FS_END_DECLS
#endif
