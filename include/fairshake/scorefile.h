#ifndef FAIRSHAKE_SCOREFILE_H
#define FAIRSHAKE_SCOREFILE_H
/* Scoring predictions that already exist (`fairshake score`): a JSON Lines file, one
 * object per item, is read line by line and scored with the task's metrics exactly as
 * their reference implementations compute them (scikit-learn, the SQuAD v1.1 script,
 * rouge-score, sacreBLEU); the result is one JSON object with the corpus-level scores and,
 * on request, one object per line. docs/score.md describes the line shapes, metrics,
 * parameters and output. */
#include "fairshake/common.h"
#include "fairshake/core.h" /* fs_buf, fs_params */

FS_BEGIN_DECLS

typedef enum fs_scorefile_task {
    FS_SCOREFILE_CLASSIFICATION = 0,   /* "classification": {"prediction", "label"} */
    FS_SCOREFILE_QA = 1,               /* "qa": {"prediction" (null: unanswered), "references"} */
    FS_SCOREFILE_SUMMARIZATION = 2,    /* "summarization": {"prediction", "references"} */
    FS_SCOREFILE_TRANSLATION = 3,      /* "translation": {"prediction", "references"} */
    FS_SCOREFILE_LANGUAGE_MODELING = 4 /* "language-modeling": {"logprobs", "text"?} */
} fs_scorefile_task;

/** Parse a task name as DESIGN.md spells it; false when unknown (out unchanged). */
FS_API bool fs_scorefile_task_parse(const char *name, fs_scorefile_task *out);
/** The name of a task (static), or NULL for a value out of range. */
FS_API const char *fs_scorefile_task_name(fs_scorefile_task task);
/** The task names in enum order, for messages and suggestions (static). */
FS_API const char *const *fs_scorefile_task_names(size_t *n_out);

/** One metric a task offers. */
typedef struct fs_scorefile_metric {
    const char *name;
    bool is_default; /* part of the output when no metric list is given */
    const char *help;
} fs_scorefile_metric;

/** The metrics of a task, in output order (static, n_out entries); NULL for an unknown
 *  task. */
FS_API const fs_scorefile_metric *fs_scorefile_metrics(fs_scorefile_task task, size_t *n_out);

typedef struct fs_scorefile_opts {
    fs_scorefile_task task;
    const char *metrics;     /* comma-separated metric names; NULL or "": the defaults */
    const fs_params *params; /* reference options (--param KEY=VALUE); NULL: none */
    bool per_item;           /* add "per_item": one object per item, in file order */
    size_t max_line_bytes;   /* one input line at most this long; 0: 16 MiB */
} fs_scorefile_opts;

#define FS_SCOREFILE_OPTS_INIT                            \
    {                                                     \
        FS_SCOREFILE_CLASSIFICATION, NULL, NULL, false, 0 \
    }

/** Score the JSON Lines file at path and append one JSON object, ending in a newline, to
 *  out: "task", "n" (items scored), the chosen metrics, and "per_item" when asked (the
 *  array opens on a new line and holds one object per line of its own). Blank lines are
 *  skipped. Nothing is appended on failure. out, path, opts: borrowed.
 *  FS_ERR_USAGE: an unknown metric (naming the nearest) or parameter; FS_ERR_CONFIG: a
 *  bad parameter value; FS_ERR_INPUT: the file cannot be opened, holds no item, or a line
 *  is bad ("path:line: field: problem", the first bad line stops the scoring). */
FS_API fs_status fs_scorefile_run(fs_buf *out, const char *path, const fs_scorefile_opts *opts,
                                  fs_error *err);

FS_END_DECLS
#endif
