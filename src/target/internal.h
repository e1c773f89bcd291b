#ifndef FS_TARGET_INTERNAL_H
#define FS_TARGET_INTERNAL_H
/* Internal helpers shared by the target module's files: the retry policy (which failures
 * are retried, how long to wait) and the extraction of a server's error message. */
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

#endif
