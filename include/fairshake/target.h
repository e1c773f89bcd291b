#ifndef FAIRSHAKE_TARGET_H
#define FAIRSHAKE_TARGET_H
/* Targets: prompt templates, request bodies and response parsing for each target type,
 * and the dispatcher that sends requests concurrently (libcurl multi) with timeouts and
 * retries. */
#include "fairshake/core.h"

FS_BEGIN_DECLS

typedef enum fs_target_type {
    FS_TARGET_OPENAI_CHAT = 0,
    FS_TARGET_OPENAI_COMPLETIONS = 1
} fs_target_type;

/** Parse "openai-chat" / "openai-completions". false when unknown. */
FS_API bool fs_target_type_parse(const char *name, fs_target_type *out);
FS_API const char *fs_target_type_name(fs_target_type t);

typedef struct fs_target_spec {
    const char *name;        /* user's name for the target */
    fs_target_type type;
    const char *url;         /* full endpoint URL */
    const char *model;       /* model name sent in the body; may be NULL */
    const char *api_key_env; /* environment variable holding the key; may be NULL */
    const char *params_json; /* extra body fields as a JSON object text; may be NULL */
} fs_target_spec;

/** Render a prompt template: "{{input}}" is replaced by input; "{{label_list}}" by the
 *  labels joined with ", ". Any other placeholder is FS_ERR_CONFIG. Appends to out. */
FS_API fs_status fs_prompt_render(fs_buf *out, const char *tmpl, const char *input, size_t n,
                                  const char *const *labels, size_t n_labels, fs_error *err);
/** Check a template's placeholders without rendering. */
FS_API fs_status fs_prompt_check(const char *tmpl, fs_error *err);

/** Find the first allowed label in answer (case-insensitive, whole words, earliest
 *  position; at one position the longest label wins). *index_out is the label's index,
 *  or -1 when none is found (a parse failure). */
FS_API fs_status fs_parse_label(int *index_out, const char *answer, size_t n,
                                const char *const *labels, size_t n_labels, fs_error *err);

/** Build the JSON request body for prompt. Appends to out. */
FS_API fs_status fs_target_build_body(fs_buf *out, const fs_target_spec *spec, const char *prompt,
                                      size_t n, fs_error *err);
/** A stable identity string of the target (type, url, model, params) for cache keys. */
FS_API fs_status fs_target_identity(fs_buf *out, const fs_target_spec *spec, fs_error *err);

/** What a response body says. */
typedef struct fs_target_answer {
    char *text;             /* owned (fs_free); NULL when the body had none */
    int64_t prompt_tokens;  /* -1 when unknown */
    int64_t completion_tokens;
} fs_target_answer;

/** Extract the answer text and token usage from a response body. A body that is not the
 *  expected JSON is FS_ERR_TARGET with a message saying what was wrong. */
FS_API fs_status fs_target_parse_response(fs_target_answer *out, const fs_target_spec *spec,
                                          const char *body, size_t n, fs_error *err);
FS_API void fs_target_answer_dispose(fs_target_answer *a);

/* ---- dispatcher ---------------------------------------------------------------------- */

typedef struct fs_dispatch_opts {
    int concurrency;      /* requests in flight at most (>= 1) */
    double rps;           /* requests per second at most; 0: unlimited */
    long timeout_ms;      /* per attempt */
    int retries;          /* extra attempts after the first on retryable failures */
    long backoff_base_ms; /* first backoff; doubles each attempt, full jitter */
    long backoff_max_ms;
    uint64_t seed;        /* jitter stream */
} fs_dispatch_opts;

#define FS_DISPATCH_OPTS_INIT {8, 0.0, 30000, 5, 250, 30000, 0}

/** One request to send. body is borrowed until the done callback for id returns. */
typedef struct fs_request {
    uint64_t id;
    const char *body;
    size_t body_len;
} fs_request;

/** Outcome of one request after all attempts. Pointers are borrowed for the callback. */
typedef struct fs_response {
    uint64_t id;
    fs_status status;  /* FS_OK when an HTTP 2xx body arrived */
    long http_status;  /* last HTTP status, 0 when none */
    const char *body;  /* last response body (may be an error body) */
    size_t body_len;
    double latency_ms; /* of the last attempt */
    int attempts;
    const char *error; /* "" when status is FS_OK; else what went wrong */
} fs_response;

/** Supply the next request. Return true with *req filled, or false when none is left. */
typedef bool (*fs_dispatch_next_fn)(fs_request *req, void *payload);
/** Receive an outcome. A non-OK return stops the dispatch with that status. */
typedef fs_status (*fs_dispatch_done_fn)(const fs_response *resp, void *payload);

/** Send every request next() supplies to spec's URL, at most opts->concurrency at once,
 *  calling done() for each outcome (in completion order). Transport failures, 408, 429
 *  and 5xx are retried with exponential backoff and full jitter, honouring Retry-After;
 *  other 4xx are final. Returns FS_OK when every request got an outcome. */
FS_API fs_status fs_dispatch_run(const fs_target_spec *spec, const fs_dispatch_opts *opts,
                                 fs_dispatch_next_fn next, fs_dispatch_done_fn done,
                                 void *payload, fs_log_fn log, void *log_payload, fs_error *err);

/** Initialise the HTTP layer once per process (curl_global_init); call from main(). */
FS_API fs_status fs_target_global_init(fs_error *err);
FS_API void fs_target_global_cleanup(void);

FS_END_DECLS
#endif
