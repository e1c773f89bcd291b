/* Retry policy of the dispatcher: which failures are transient, how long to back off
 * (exponential with full jitter, so that many clients hitting one overloaded server do
 * not retry in lock-step), how to read Retry-After, and how to summarise what a server
 * said when it refused a request. Pure functions; the jitter comes from the caller's
 * seeded fs_rng, so a dispatch is reproducible up to the network's own timing. */
#include "target/internal.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

bool fs_target__error_message(char *out, size_t cap, const cJSON *root)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
    const char *msg = NULL;
    if (cJSON_IsString(e)) {
        msg = e->valuestring;
    } else {
        msg = fs_json__str(e, "message");
    }
    if (msg == NULL || cap == 0) {
        return false;
    }
    snprintf(out, cap, "%s", msg);
    return true;
}

/* Copy at most max bytes of s[0..n) into out[cap] as one line, never splitting a UTF-8
 * sequence. */
static void copy_line(char *out, size_t cap, const char *s, size_t n, size_t max)
{
    size_t limit = n < max ? n : max;
    if (limit > cap - 1) {
        limit = cap - 1;
    }
    while (limit > 0 && limit < n && ((unsigned char)s[limit] & 0xC0) == 0x80) {
        limit--;
    }
    for (size_t i = 0; i < limit; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c == 0x7F) ? ' ' : (char)c;
    }
    out[limit] = '\0';
}

void fs_target__error_summary(char *out, size_t cap, const char *body, size_t n)
{
    cJSON *root = NULL;
    if (cap == 0) {
        return;
    }
    out[0] = '\0';
    if (body == NULL || n == 0) {
        return;
    }
    if (fs_json__parse(&root, body, n, "response", NULL) == FS_OK) {
        char msg[512];
        bool found = fs_target__error_message(msg, sizeof msg, root);
        cJSON_Delete(root);
        if (found) {
            copy_line(out, cap, msg, strlen(msg), 200);
            return;
        }
    }
    copy_line(out, cap, body, n, 200);
}

bool fs_target__retryable_http(long status)
{
    return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

bool fs_target__retryable_transport(int code)
{
    switch ((CURLcode)code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
        return true;
    default:
        return false;
    }
}

long fs_target__backoff_ms(fs_rng *rng, int attempts, long base_ms, long max_ms)
{
    if (base_ms <= 0 || max_ms <= 0) {
        return 0;
    }
    long cap = base_ms < max_ms ? base_ms : max_ms;
    for (int i = 1; i < attempts && cap < max_ms; i++) {
        cap = cap > max_ms / 2 ? max_ms : cap * 2;
    }
    return (long)fs_rng_below(rng, (uint64_t)cap + 1);
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return n > 0;
}

long fs_target__retry_after_ms(const char *value, time_t now)
{
    char tmp[128];
    size_t a = 0, b = value != NULL ? strlen(value) : 0;
    while (a < b && (value[a] == ' ' || value[a] == '\t')) {
        a++;
    }
    while (b > a && (value[b - 1] == ' ' || value[b - 1] == '\t' || value[b - 1] == '\r' ||
                     value[b - 1] == '\n')) {
        b--;
    }
    if (b - a == 0 || b - a >= sizeof tmp) {
        return -1;
    }
    memcpy(tmp, value + a, b - a);
    tmp[b - a] = '\0';
    if (all_digits(tmp, b - a)) {
        int64_t secs = 0;
        if (!fs_parse_i64(tmp, &secs) || secs > LONG_MAX / 1000) {
            return LONG_MAX / 1000 * 1000; /* absurdly far: the caller's cap applies */
        }
        return (long)secs * 1000;
    }
    time_t when = curl_getdate(tmp, NULL);
    if (when == (time_t)-1) {
        return -1;
    }
    if (when <= now) {
        return 0;
    }
    double ms = difftime(when, now) * 1000.0;
    return ms > (double)(LONG_MAX / 2) ? LONG_MAX / 2 : (long)ms;
}
