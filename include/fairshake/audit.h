#ifndef FAIRSHAKE_AUDIT_H
#define FAIRSHAKE_AUDIT_H
/* The audit pipeline for one config: load and validate the config, then dataset →
 * variants → dispatch → store → scores → reports. The CLI and library users call it. */
#include "fairshake/dataset.h"
#include "fairshake/target.h"

FS_BEGIN_DECLS

typedef enum fs_task_type {
    FS_TASK_CLASSIFICATION = 0,
    FS_TASK_QA = 1,
    FS_TASK_SUMMARIZATION = 2,
    FS_TASK_TRANSLATION = 3,
    FS_TASK_LANGUAGE_MODELING = 4,
    FS_TASK_GENERATION = 5,
    FS_TASK_IDENTIFICATION = 6
} fs_task_type;

/** "classification", "qa", ... */
FS_API const char *fs_task_name(fs_task_type t);

typedef struct fs_config_perturbation {
    char *name;  /* catalogue name ("typo") */
    char *label; /* name shown in reports and used for the RNG stream; unique */
    fs_params params;
    size_t n;       /* variants per record (1 by default) */
    char **protect; /* the config's top-level protect list, then this entry's own */
    size_t n_protect;
    size_t line; /* where the entry's "name" is in the config file */
} fs_config_perturbation;

typedef struct fs_config_target {
    char *name;
    fs_target_type type;
    char *url; /* after ${VAR} / ${VAR:-default} expansion */
    char *model;
    char *api_key_env;
    char *params_json; /* canonical JSON object text or NULL */
    char **urls;       /* replicas (after ${VAR} expansion); url is then urls[0] */
    size_t n_urls;
    bool logprobs, echo; /* openai-completions */
    int top_logprobs;
    char *body_template; /* rest: JSON text with {{input}} placeholders */
    char **headers;      /* rest: "Name: value", ${VAR} expanded when the run starts */
    size_t n_headers;
    int *ok_statuses;
    size_t n_ok_statuses;
    char *answer_pointer; /* rest and exec: RFC 6901 JSON Pointer to the answer */
    char **argv;          /* exec: the program and its arguments */
    size_t argc;
    int processes; /* exec: instances at once */
} fs_config_target;

typedef struct fs_config_gate {
    char *name;  /* the gate as written, "robustness.max_flip_rate@typo" */
    char *base;  /* the gate without its scope, "robustness.max_flip_rate" */
    char *scope; /* the perturbation label or axis after '@'; NULL: all of them */
    double threshold;
    bool ci_bound; /* compare the pessimistic end of the 95% interval, not the estimate */
} fs_config_gate;

typedef struct fs_config {
    char *path; /* the file it was loaded from */
    char *name;
    uint64_t seed;
    char hash[65]; /* SHA-256 of the config file's bytes */
    char *dataset_path;
    fs_dataset_format dataset_format;
    char *field_input, *field_label, *field_group, *field_id;
    char *field_context, *field_refs, *field_input2; /* NULL when unset */
    char **ref_paths;                                /* dataset.references: WMT reference files */
    size_t n_ref_paths;
    fs_task_type task;
    char **labels;
    size_t n_labels;
    char *prompt;
    fs_config_target *targets;
    size_t n_targets;
    fs_config_perturbation *perturbations;
    size_t n_perturbations;
    int concurrency;
    double rps, tpm;                   /* requests per second, tokens per minute (0: unlimited) */
    uint64_t max_requests, max_tokens; /* budgets (0: none) */
    long fail_fast_retry_after_ms;     /* run.fail_fast.retry_after_s in ms (0: never) */
    int fail_fast_failures;            /* run.fail_fast.failures (0: never) */
    long fail_fast_unreachable_ms;     /* run.fail_fast.unreachable_s in ms (0: never) */
    int grow_after;                    /* run.grow_after */
    long backoff_base_ms, backoff_max_ms;
    char *cache; /* run.cache: a response cache shared across runs */
    long timeout_ms;
    int retries;
    char *store;      /* run store path; default <report dir>/run.sqlite */
    size_t bootstrap; /* bootstrap resamples */
    size_t examples;  /* worst examples kept per perturbation */
    char **axes;      /* demographics.axes: counterfactual axes */
    size_t n_axes;
    char *favourable;     /* demographics.favorable_label; default the first task label */
    fs_params reference;  /* demographics.reference: axis or group field -> group */
    bool optional_groups; /* demographics.optional_groups */
    bool identify;        /* an "identification" section: inventory and disclosure */
    char **id_categories; /* identification.categories (NULL: every category) */
    size_t n_id_categories;
    int disclosure;    /* identification.disclosure: 0 forbidden, 1 expected */
    char *id_patterns; /* identification.patterns: the user's own patterns file */
    char **protect;    /* the top-level protect list (perturbations and swaps) */
    size_t n_protect;
    fs_config_gate *gates;
    size_t n_gates;
    char *report_dir;
    bool redact; /* report.redact: mask sensitive items in examples (default: identify) */
    char **formats;
    size_t n_formats;
} fs_config;

/** Load and validate a config file. An unknown key or a wrong type is FS_ERR_CONFIG with
 *  "path:line: key.path: problem (did you mean 'x'?)". out: returns owned
 *  (fs_config_free). */
FS_API fs_status fs_config_load(fs_config **out, const char *path, fs_error *err);
/** Like fs_config_load, from text already read; path names it in messages. */
FS_API fs_status fs_config_parse(fs_config **out, const char *text, size_t len, const char *path,
                                 fs_error *err);
FS_API void fs_config_free(fs_config *c);
/** Load a config and check everything that can be checked without the model: perturbation
 *  parameters and data files, the dataset's fields on its first record. */
FS_API fs_status fs_audit_validate(const char *config_path, const char *data_dir, fs_error *err);

/** Progress: done of total variants (answered, resumed from the store or served from the
 *  cache), over all targets, and how many of them ended in an error. */
typedef void (*fs_progress_fn)(uint64_t done, uint64_t total, uint64_t errors, void *payload);

typedef struct fs_audit_opts {
    const char *out_dir;  /* overrides report.dir; NULL keeps it */
    const char *data_dir; /* directory holding perturbations/ and demographics/; NULL: default */
    bool fresh;           /* discard an existing run store */
    int concurrency;      /* overrides run.concurrency when > 0 */
    uint64_t limit;       /* only the first N records when > 0 */
    bool dry_run;         /* plan only: count the requests, send nothing (fs_audit_result.plan) */
    fs_log_fn log;
    void *log_payload;
    fs_progress_fn progress;
    void *progress_payload;
} fs_audit_opts;

#define FS_AUDIT_OPTS_INIT                                     \
    {                                                          \
        NULL, NULL, false, 0, 0, false, NULL, NULL, NULL, NULL \
    }

typedef struct fs_audit_result {
    bool gates_passed;
    size_t gates_failed;
    char report_dir[1024];
    uint64_t requests_sent; /* requests that went to a target in this invocation */
    uint64_t cache_hits;
    uint64_t variants;
    char *plan;        /* dry run: the plan as text, owned (fs_free); NULL otherwise */
    char failed[4096]; /* one line per failed gate ("NAME on TARGET: VALUE, needs <= T"),
                          cut at the size; empty when every gate passed */
} fs_audit_result;

/** Run the audit described by config_path; writes the run store and the reports. */
FS_API fs_status fs_audit_run(const char *config_path, const fs_audit_opts *opts,
                              fs_audit_result *out, fs_error *err);

/** Rebuild the reports of a finished run from its store alone (no model calls). formats
 *  NULL keeps the config's list. */
FS_API fs_status fs_audit_report(const char *run_dir, const char *const *formats, size_t n_formats,
                                 fs_audit_result *out, fs_error *err);

/** The default data directory: $FAIRSHAKE_DATA_DIR, else the source tree when it has
 *  perturbations/, else the installed share/fairshake. Borrowed static string. */
FS_API const char *fs_audit_data_dir(void);

/** What fs_audit_compare wrote. */
typedef struct fs_compare_result {
    char out_dir[1024];
    size_t targets;    /* target pairs compared */
    size_t conditions; /* (target, condition) comparisons: clean and each shared perturbation */
    size_t paired;     /* of those, compared with a paired test */
} fs_compare_result;

/** Compare two finished runs from their stores alone (no model calls): run_a is the
 *  baseline, run_b the candidate. Writes compare.json (schema fairshake.compare/1),
 *  compare.md and compare.html to out_dir (created if missing; NULL: run_b). Targets are
 *  matched by name (two single-target runs whatever their names), perturbations by label.
 *  Per condition: both runs' metrics and their difference (candidate minus baseline), and
 *  a test of the accuracy difference: paired (exact McNemar, bootstrap interval over
 *  records) when every variant present in both stores has the same text, else unpaired
 *  with a note. out: filled on success. */
FS_API fs_status fs_audit_compare(const char *run_a, const char *run_b, const char *out_dir,
                                  fs_compare_result *out, fs_error *err);

FS_END_DECLS
#endif
