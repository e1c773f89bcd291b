#ifndef FS_AUDIT_INTERNAL_H
#define FS_AUDIT_INTERNAL_H
/* Internal to the audit module: the pieces of one audit run shared between the
 * dispatch phase (run.c) and the scoring and report phase (results.c). */
#include "fairshake/audit.h"
#include "fairshake/identify.h"
#include "fairshake/perturb.h"
#include "fairshake/store.h"

#include "core/json.h"

/** Everything about the run that the report's provenance needs. */
typedef struct fs_audit__prov {
    char dataset_hash[65];
    char started[32]; /* ISO 8601 UTC */
    char finished[32];
    char host[128];
    uint64_t records;
    uint64_t requests_sent;
    uint64_t cache_hits;
    double send_seconds;  /* wall time of the sending phase of the run that wrote the store */
    char **lexicon_paths; /* data files the perturbers read */
    char (*lexicon_hashes)[65];
    size_t n_lexicons;
    char stopped[256]; /* why the run stopped before every variant was answered; "" */
} fs_audit__prov;

void fs_audit__prov_dispose(fs_audit__prov *p);

/** Score every target from the store and build report.json's text.
 *  *json_out: returns owned (fs_free). records_limit: score only records with index
 *  below it (0: all). */
fs_status fs_audit__build_report(char **json_out, const fs_config *cfg, fs_store *store,
                                 const fs_audit__prov *prov, uint64_t records_limit,
                                 bool *gates_passed, size_t *gates_failed, fs_error *err);

/** Provenance to and from the store's meta table (as JSON text). */
fs_status fs_audit__prov_save(fs_store *store, const fs_audit__prov *prov, fs_error *err);
fs_status fs_audit__prov_load(fs_audit__prov *prov, fs_store *store, fs_error *err);

/** Add key: v, or null and "<key>_reason": reason when v is not finite. */
bool fs_audit__num(cJSON *obj, const char *key, double v, const char *reason);
/** [lo, hi], or null when either is not finite. */
cJSON *fs_audit__pair(double lo, double hi);

/** Column of a stored variant in a results table whose perturbation i starts at column
 *  base[i]: "clean" is 0, "<label>" and "<label>#k" variant 0 and k. -1: not a column. */
int fs_audit__column(const fs_config *cfg, const size_t *base, const char *pert);
/** Latency percentiles and histogram of lat[0..n) (sorted in place). */
cJSON *fs_audit__latency_json(double *lat, size_t n);

/** Cell codes of the results table. */
enum { FS_AUDIT__MISSING = -3, FS_AUDIT__ERROR = -2, FS_AUDIT__UNPARSED = -1 };

/** A read-only view of one target's results table (results.c): per record the gold label
 *  index, the clean prediction cell and the group attribute. */
typedef struct fs_audit__view {
    const fs_config *cfg;
    size_t n_rec;
    const int *gold;    /* [n_rec], < 0 when unknown */
    const int *clean;   /* [n_rec] label index or an FS_AUDIT__ code */
    char *const *group; /* [n_rec] group attribute or NULL */
    uint64_t limit;     /* records with a larger index are ignored (0: none) */
} fs_audit__view;

/** Grow the array *p of *cap elements of size bytes to hold need, doubling; new elements
 *  are zeroed. false: out of memory or overflow (*p is then unchanged). */
bool fs_audit__grow(void **p, size_t *cap, size_t need, size_t size);

/** The index of s[0..len) in the name list *names (n used, cap allocated), added at the
 *  end when absent; -1 when out of memory. */
long fs_audit__intern(char ***names, size_t *n, size_t *cap, const char *s, size_t len);

/** Latencies and token counts of the answers that came from the model (not from the
 *  cache), each with its column (condition), for per-condition percentiles. */
typedef struct fs_audit__lat {
    double *ms;
    uint32_t *col;
    size_t n, cap;
    int64_t prompt_tokens, completion_tokens; /* sums over answers that reported them */
    uint64_t answers, usage_unknown;          /* answers from the model; without usage */
} fs_audit__lat;

/** Record an outcome answered by the model (a cached one is skipped). false: no memory. */
bool fs_audit__lat_push(fs_audit__lat *l, const fs_outcome *o, size_t col);
/** Percentiles over columns [c0, c1): n, p50, p90, p95, p99, mean, max and, when
 *  histogram, the histogram; NULL when out of memory. */
cJSON *fs_audit__lat_json(const fs_audit__lat *l, size_t c0, size_t c1, bool histogram);
/** Token totals: {"answers", "prompt_tokens", "completion_tokens", "usage_unknown"}. */
cJSON *fs_audit__usage_json(const fs_audit__lat *l);
void fs_audit__lat_dispose(fs_audit__lat *l);

/** Mask every sensitive item the detectors find in the target's examples (robustness
 *  worst_examples, fairness examples), in place: report.redact. */
fs_status fs_audit__redact_examples(cJSON *target_obj, const fs_config *cfg, fs_error *err);
/** The detector report.redact masks with (identification.categories and .patterns).
 *  out: returns owned (fs_identify_detector_free). */
fs_status fs_audit__redactor_new(fs_identify_detector **out, const fs_config *cfg, fs_error *err);
/** Mask in place every string of obj (not its identifiers: record_id, id, perturbation,
 *  axis, from, to, kind, category, outcome) wherever any item found in any of them
 *  occurs; tmp is scratch. */
fs_status fs_audit__redact_object(fs_identify_detector *d, fs_buf *tmp, cJSON *obj, fs_error *err);

/** Check every config gate for one target and append the results to gates; tgt is the
 *  target's report object, which every gate reads. */
void fs_audit__gates_json(cJSON *gates, const fs_config *cfg, const char *target, const cJSON *tgt,
                          size_t *failed);

/** The "identification" object of a target: inventory, quality (identification task)
 *  and disclosure, from the store's clean rows. */
fs_status fs_audit__identification_json(cJSON *target_obj, const fs_config *cfg, fs_store *store,
                                        const char *target, uint64_t limit, fs_error *err);

/** clean, robustness, worst_case, error_rate and latency of a target for the tasks scored
 *  against references or answers (every task but classification), into target_obj. */
fs_status fs_audit__text_target_json(cJSON *target_obj, const fs_config *cfg, fs_store *store,
                                     const char *target, uint64_t limit, fs_error *err);

/** The counterfactual pairs of a free-text target (text_fairness.c), collected during the
 *  text results pass (task_results.c). */
typedef struct fs_audit__tcf fs_audit__tcf;

/** *out: returns owned (fs_audit__tcf_free); NULL when the config has no
 *  demographics.axes. Loads demographics/refusals.json for tasks answered in text. cfg:
 *  keeps (until freed). */
fs_status fs_audit__tcf_new(fs_audit__tcf **out, const fs_config *cfg, fs_error *err);
void fs_audit__tcf_free(fs_audit__tcf *t);
/** A stored "cf:<axis>:<from>><to>" row (o NULL: no outcome). When the answer arrived,
 *  item is its item score (NaN: none) and hash the hash of its normalised answer. t may
 *  be NULL (nothing to do). v, o: borrowed. */
fs_status fs_audit__tcf_cf_row(fs_audit__tcf *t, const fs_variant *v, const fs_outcome *o,
                               double item, uint64_t hash, fs_error *err);
/** The answered clean row of record rec; kept only when the record's counterfactual rows
 *  came just before it (the store's order). answer: borrowed. */
fs_status fs_audit__tcf_clean_row(fs_audit__tcf *t, size_t rec, const char *answer, double item,
                                  uint64_t hash, fs_error *err);
/** Add the "fairness" array to target_obj: one counterfactual entry per config axis.
 *  n_rec: records of the target's table; item: name of the task's item score (NULL when
 *  it has none). Reads the store again for the examples' inputs. */
fs_status fs_audit__tcf_json(cJSON *target_obj, const fs_audit__tcf *t, size_t n_rec,
                             const char *item, fs_store *store, const char *target, fs_error *err);

/** What the group entry of a free-text target reads (text_groups.c), per record of the
 *  target's table; everything borrowed. */
typedef struct fs_audit__tgroup_input {
    const fs_config *cfg; /* field_group, reference, seed, bootstrap */
    size_t n_rec;
    char *const *group;      /* [n_rec] group value or NULL */
    const bool *answered;    /* [n_rec] the clean request was answered */
    const double *item;      /* [n_rec] clean item score (NaN: none); NULL: the task has none */
    const char *item_name;   /* NULL when item is NULL */
    const char *main_metric; /* the corpus metric's name; NULL when the task has none */
    /** The corpus metrics of records recs[0..n): *out returns owned (cJSON_Delete). */
    fs_status (*metrics)(cJSON **out, const size_t *recs, size_t n, void *payload, fs_error *err);
    void *payload;
} fs_audit__tgroup_input;

/** Append the "group" entry of cfg->field_group to the fairness array arr: per group its
 *  answered records, mean clean item score with a stratified bootstrap interval, corpus
 *  metrics, and its difference from the reference group (demographics.reference, else
 *  the largest group) with an interval and a permutation test; and the max - min gap.
 *  FS_ERR_CONFIG when the configured reference group has no record. */
fs_status fs_audit__tgroups_json(cJSON *arr, const fs_audit__tgroup_input *in, fs_error *err);

/** Add the "fairness" array to target_obj: one entry per counterfactual axis (from the
 *  store's "cf:<axis>:<from>><to>" variants) and one for the group field when the
 *  dataset has one. */
fs_status fs_audit__fairness_json(cJSON *target_obj, const fs_audit__view *v, fs_store *store,
                                  const char *target, fs_error *err);
/** Adjust every "p_value" under the "fairness" arrays of all targets with Holm–Bonferroni
 *  ("p_adjusted" beside it) and add "fairness_summary" to root. */
fs_status fs_audit__fairness_holm(cJSON *root, fs_error *err);

/** Current UTC time as ISO 8601 ("2026-01-02T03:04:05Z"). */
void fs_audit__now_iso(char out[32]);

#endif
