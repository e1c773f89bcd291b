#ifndef FAIRSHAKE_TARGET_H
#define FAIRSHAKE_TARGET_H
/* Targets: prompt templates, request bodies and response parsing for each target type,
 * and the dispatcher that sends requests concurrently (libcurl multi, or a pool of local
 * processes for exec targets) with timeouts, retries, rate limits and budgets. */
#include "fairshake/core.h"

FS_BEGIN_DECLS

typedef enum fs_target_type {
    FS_TARGET_OPENAI_CHAT = 0,
    FS_TARGET_OPENAI_COMPLETIONS = 1,
    FS_TARGET_REST = 2, /* any JSON-over-HTTP service: body template, answer by JSON Pointer */
    FS_TARGET_EXEC = 3  /* a long-lived local program: one JSON line in, one JSON line out */
} fs_target_type;

/** Parse "openai-chat" / "openai-completions" / "rest" / "exec". false when unknown. */
FS_API bool fs_target_type_parse(const char *name, fs_target_type *out);
FS_API const char *fs_target_type_name(fs_target_type t);

/** What a target is and how to talk to it. Every pointer is borrowed for the duration of
 *  the call it is passed to. Fields after params_json are optional (zero: off/default),
 *  so a spec initialised with designated initialisers or memset keeps working. */
typedef struct fs_target_spec {
    const char *name; /* user's name for the target */
    fs_target_type type;
    const char *url;         /* full endpoint URL (HTTP types) */
    const char *model;       /* model name sent in the body; may be NULL */
    const char *api_key_env; /* environment variable holding the key; may be NULL */
    const char *params_json; /* extra body fields as a JSON object text; may be NULL */
    /* replicas: when n_urls > 0 requests go to urls[] (least outstanding requests first)
     * and url, when NULL, is taken as urls[0] for the identity */
    const char *const *urls;
    size_t n_urls;
    /* openai-completions: ask for log-probabilities ("logprobs": top_logprobs) and for the
     * prompt echoed back ("echo": true) */
    bool logprobs;
    int top_logprobs;
    bool echo;
    /* rest: body template (JSON with {{input}} / {{model}} placeholders, JSON-escaped);
     * extra headers "Name: value" where ${VAR} is replaced by the environment variable's
     * value when the dispatch starts (values are never logged); accepted HTTP statuses
     * (n_ok_statuses 0: any 2xx) */
    const char *body_template;
    const char *const *headers;
    size_t n_headers;
    const int *ok_statuses;
    size_t n_ok_statuses;
    /* rest and exec: RFC 6901 JSON Pointer to the answer in a response (NULL: "/output"
     * for exec; required for rest) */
    const char *answer_pointer;
    /* exec: the program and its arguments (argv[0] is looked up in PATH; no shell) and how
     * many instances may run at once (0: 1); see docs/targets.md for the protocol */
    const char *const *argv;
    size_t argc;
    int processes;
} fs_target_spec;

/** Check a spec as a whole (required fields per type, the body template renders to
 *  valid JSON, the answer pointer is well-formed, headers look like "Name: value") without
 *  reading the environment. Messages start with "target '<name>': ". */
FS_API fs_status fs_target_check(const fs_target_spec *spec, fs_error *err);

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

/** The same search with the labels folded once and the ICU word iterator kept: for
 *  parsing many answers. One parser is used by one thread at a time. */
typedef struct fs_label_parser fs_label_parser;
/** out: returns owned (fs_label_parser_free). labels are copied. */
FS_API fs_status fs_label_parser_new(fs_label_parser **out, const char *const *labels,
                                     size_t n_labels, fs_error *err);
FS_API void fs_label_parser_free(fs_label_parser *p);
/** As fs_parse_label() with the parser's labels. */
FS_API fs_status fs_label_parser_find(fs_label_parser *p, int *index_out, const char *answer,
                                      size_t n, fs_error *err);

/** Build the JSON request body for prompt. Appends to out. For exec targets this is the
 *  request line without its "id" (the dispatcher adds it). */
FS_API fs_status fs_target_build_body(fs_buf *out, const fs_target_spec *spec, const char *prompt,
                                      size_t n, fs_error *err);
/** A stable identity string of the target (type, url, model, params, and the template,
 *  header templates, pointer or argv where the type has them) for cache keys. Replicas
 *  do not change it: only url (or urls[0]) takes part. */
FS_API fs_status fs_target_identity(fs_buf *out, const fs_target_spec *spec, fs_error *err);

/** What a response body says. */
typedef struct fs_target_answer {
    char *text;            /* owned (fs_free); NULL when the body had none */
    int64_t prompt_tokens; /* -1 when unknown */
    int64_t completion_tokens;
    double *logprobs; /* owned (fs_free): choices[0].logprobs.token_logprobs of an
                         openai-completions answer, null entries skipped; NULL when
                         absent */
    size_t n_logprobs;
} fs_target_answer;

/** Extract the answer text and token usage from a response body. A body that is not the
 *  expected JSON is FS_ERR_TARGET with a message saying what was wrong. out is fully
 *  initialised on every path. */
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
    uint64_t seed;                 /* jitter stream */
    double tpm;                    /* tokens per minute at most (usage, else request bytes / 4);
                                      0: unlimited */
    uint64_t max_requests;         /* budget: requests taken from next() at most; 0: none */
    uint64_t max_tokens;           /* budget: tokens spent at most; 0: none */
    long fail_fast_retry_after_ms; /* stop when a 429 asks to wait longer; 0: never */
    int fail_fast_failures;        /* stop after this many failed attempts in a row; 0: never */
    int grow_after; /* adaptive concurrency: +1 after this many successes in a row (after a
                       429 halved it); 0: never lower or raise it */
    /* Called with the payload of next() and done() before the dispatcher waits for the
     * network: a chance to finish batched work (the run commits its store). It sets
     * *wait_ms to how long the wait may last at most (-1: no limit); a non-OK return stops
     * the dispatch like one from done(). NULL: none. */
    fs_status (*idle)(void *payload, long *wait_ms);
    /* Stop (FS_ERR_TARGET) when no attempt has had any reply this long after the first one
     * started and at least two waves of the window (at least 10 attempts) failed: a wrong
     * URL or a server that is not running. 0: never. */
    long fail_fast_unreachable_ms;
} fs_dispatch_opts;

#define FS_DISPATCH_OPTS_INIT                                             \
    {                                                                     \
        8, 0.0, 30000, 5, 250, 30000, 0, 0.0, 0, 0, 0, 0, 10, NULL, 10000 \
    }

/** One request to send. body is borrowed until the done callback for id returns. */
typedef struct fs_request {
    uint64_t id;
    const char *body;
    size_t body_len;
} fs_request;

/** Outcome of one request after all attempts. Pointers are borrowed for the callback. */
typedef struct fs_response {
    uint64_t id;
    fs_status status; /* FS_OK when an HTTP 2xx body arrived */
    long http_status; /* last HTTP status, 0 when none */
    const char *body; /* last response body (may be an error body) */
    size_t body_len;
    double latency_ms; /* of the last attempt: time to the last byte */
    int attempts;
    const char *error;     /* "" when status is FS_OK; else what went wrong */
    double ttfb_ms;        /* of the last attempt: time to the first byte of the answer; -1 when
                              none arrived */
    int64_t prompt_tokens; /* from the body's "usage" when present, else -1 */
    int64_t completion_tokens;
    int replica; /* index of the URL (or exec process) that served the last attempt */
} fs_response;

/** Supply the next request. Return true with *req filled, or false when none is left. */
typedef bool (*fs_dispatch_next_fn)(fs_request *req, void *payload);
/** Receive an outcome. A non-OK return stops the dispatch with that status. */
typedef fs_status (*fs_dispatch_done_fn)(const fs_response *resp, void *payload);

/** Send every request next() supplies to spec's URL(s) (or exec program), at most
 *  opts->concurrency at once, calling done() for each outcome (in completion order).
 *  Transport failures, 408, 429 and 5xx are retried with exponential backoff and full
 *  jitter, honouring Retry-After and x-ratelimit-reset-*; other 4xx are final. A 429
 *  halves the concurrency (see grow_after). Returns FS_OK when every request got an
 *  outcome; FS_ERR_LIMIT when a budget (max_requests, max_tokens) was reached: next() is
 *  no longer called, requests already taken still get their outcome; FS_ERR_TARGET when
 *  fail-fast stopped the run (requests in flight get no outcome and are sent again by a
 *  resumed run); the status done() returned when it asked to stop. */
FS_API fs_status fs_dispatch_run(const fs_target_spec *spec, const fs_dispatch_opts *opts,
                                 fs_dispatch_next_fn next, fs_dispatch_done_fn done, void *payload,
                                 fs_log_fn log, void *log_payload, fs_error *err);

/** Initialise the HTTP layer once per process (curl_global_init); call from main(). */
FS_API fs_status fs_target_global_init(fs_error *err);
FS_API void fs_target_global_cleanup(void);

/** Render a prompt template with named values: each "{{name}}" (spaces allowed inside the
 *  braces) is replaced by values[i] (lens[i] bytes, or NUL-terminated when lens is NULL;
 *  NULL is empty) where names[i] is name. An unknown name or an unclosed "{{" is
 *  FS_ERR_CONFIG naming the nearest known name. Appends to out. */
FS_API fs_status fs_prompt_render_vars(fs_buf *out, const char *tmpl, const char *const *names,
                                       const char *const *values, const size_t *lens, size_t n,
                                       fs_error *err);
/** Check a template against the names it may use, without rendering. */
FS_API fs_status fs_prompt_check_vars(const char *tmpl, const char *const *names, size_t n,
                                      fs_error *err);

FS_END_DECLS
#endif
