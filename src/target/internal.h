#ifndef FS_TARGET_INTERNAL_H
#define FS_TARGET_INTERNAL_H
/* Internal helpers shared by the target module's files: the retry policy (which failures
 * are retried, how long to wait), rate-limit arithmetic (token buckets, adaptive
 * concurrency, reset headers), JSON Pointer, rest templates and the extraction of a
 * server's error message. Every function here is pure or takes its clock as an argument,
 * so the tests drive them deterministically. */
#include "fairshake/target.h"

#include "core/json.h"

#include <time.h>

/** The message of an OpenAI-style error object in root ({"error": {"message": ...}} or
 *  {"error": "..."}) copied into out[cap]. false when root has none. */
bool fs_target__error_message(char *out, size_t cap, const cJSON *root);

/** What a server said in an error body, as one line in out[cap] (cap >= 4): the OpenAI
 *  error message when the body is such JSON, else its first 200 bytes (cut on a UTF-8
 *  character boundary, control characters replaced by spaces). */
void fs_target__error_summary(char *out, size_t cap, const char *body, size_t n);

/** Whether an HTTP status is worth retrying: 408, 429 and 5xx. */
bool fs_target__retryable_http(long status);

/** Whether a libcurl result code (CURLcode) is a transient transport failure. */
bool fs_target__retryable_transport(int code);

/** Backoff before attempt number attempts + 1 (attempts >= 1 failed so far): uniform in
 *  [0, min(max_ms, base_ms * 2^(attempts - 1))] ("full jitter"), drawn from rng. */
long fs_target__backoff_ms(fs_rng *rng, int attempts, long base_ms, long max_ms);

/** Parse a Retry-After value (delta-seconds or an HTTP-date, relative to now) into
 *  milliseconds; a date in the past is 0. -1 when the value is neither. */
long fs_target__retry_after_ms(const char *value, time_t now);

/** Parse a duration as sent in x-ratelimit-reset-* headers: a sequence of <number><unit>
 *  with units h, m, s, ms, us, ns ("1s", "6m0s", "20ms", "1.5s"), or a bare number of
 *  seconds. Milliseconds, rounded up; -1 when malformed. */
long fs_target__duration_ms(const char *value);

/** A token bucket: level tokens (may go negative: debt), refilled at rate per ms up to
 *  cap. */
typedef struct fs_target__bucket {
    double rate; /* tokens per millisecond; 0: the bucket is off */
    double cap;
    double level;
    double last_ms;
} fs_target__bucket;

/** A bucket of cap tokens refilled at per_second, full at now_ms. per_second 0: off. */
void fs_target__bucket_init(fs_target__bucket *b, double per_second, double cap, double now_ms);
/** Milliseconds until need tokens (at most cap) are available; 0 when they are (or off). */
double fs_target__bucket_wait_ms(fs_target__bucket *b, double need, double now_ms);
/** Take n tokens (n < 0 gives them back); the level may go negative. */
void fs_target__bucket_take(fs_target__bucket *b, double n, double now_ms);

/** Adaptive concurrency: halved on a throttle (429), at least 1; +1 after grow_after
 *  successes in a row, at most max. */
typedef struct fs_target__adapt {
    int max;
    int limit;
    int grow_after; /* 0: fixed at max */
    int streak;
    double cut_ms; /* when it was last halved */
} fs_target__adapt;

void fs_target__adapt_init(fs_target__adapt *a, int max, int grow_after);
/** A 429 for an attempt started at start_ms. Attempts started before the last cut were
 *  sent under the old limit and do not cut again. true when the limit changed. */
bool fs_target__adapt_throttled(fs_target__adapt *a, double start_ms, double now_ms);
/** A success. true when the limit grew. */
bool fs_target__adapt_success(fs_target__adapt *a);

/** Token usage in a response body, found by scanning for "usage" and then its
 *  "prompt_tokens" / "completion_tokens" members (no JSON parse). -1 when absent. */
void fs_target__scan_usage(const char *body, size_t n, int64_t *prompt_out,
                           int64_t *completion_out);

/** Resolve an RFC 6901 JSON Pointer ("" is the whole document; "~0" is "~", "~1" is "/";
 *  array indices are decimal without leading zeros). NULL when it leads nowhere. */
const cJSON *fs_target__pointer_get(const cJSON *root, const char *pointer);
/** Whether pointer is syntactically valid ("" or "/..." with only ~0 and ~1 escapes). */
bool fs_target__pointer_valid(const char *pointer);

/** Render a rest body template: {{input}} is replaced by input and {{model}} by model
 *  (empty when NULL), JSON-escaped inside a string literal and as a whole JSON string
 *  outside one. Other placeholders are FS_ERR_CONFIG. Appends to out. */
fs_status fs_target__render_template(fs_buf *out, const char *tmpl, const char *input, size_t n,
                                     const char *model, fs_error *err);

/** Append s with every ${VAR} replaced by the environment variable's value. On a variable
 *  that is not set, returns false with its name in missing[cap]. */
bool fs_target__expand_env(fs_buf *out, const char *s, char *missing, size_t cap);

/** The answer pointer of a spec (exec defaults to "/output"). */
const char *fs_target__answer_pointer(const fs_target_spec *spec);

#endif
