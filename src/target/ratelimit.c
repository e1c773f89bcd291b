/* Rate-limit arithmetic of the dispatcher: token buckets for requests and tokens per
 * unit of time, the adaptive concurrency limit (multiplicative decrease on 429, additive
 * increase after a run of successes), the durations of x-ratelimit-reset-* headers and a
 * cheap scan of a response body for its token usage. Pure functions over caller state;
 * the clock is always an argument, so tests are deterministic. */
#include "target/internal.h"

#include <math.h>
#include <string.h>

/* ---- durations ------------------------------------------------------------------------- */

static double unit_ms(const char *s, size_t *len)
{
    static const struct {
        const char *name;
        double ms;
    } units[] = { { "ms", 1.0 },      { "us", 1e-3 },   { "\xc2\xb5s", 1e-3 }, { "ns", 1e-6 },
                  { "h", 3600000.0 }, { "m", 60000.0 }, { "s", 1000.0 } };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t n = strlen(units[i].name);
        if (strncmp(s, units[i].name, n) == 0) {
            *len = n;
            return units[i].ms;
        }
    }
    return -1.0;
}

/* A decimal number at s (digits with at most one '.'); its length in *len, 0 when none. */
static double read_number(const char *s, size_t *len)
{
    double v = 0.0, scale = 0.0;
    size_t i = 0;
    for (; (s[i] >= '0' && s[i] <= '9') || (s[i] == '.' && scale == 0.0); i++) {
        if (s[i] == '.') {
            scale = 1.0;
        } else if (scale > 0.0) {
            scale /= 10.0;
            v += (s[i] - '0') * scale;
        } else {
            v = v * 10.0 + (s[i] - '0');
        }
    }
    *len = (i == 1 && s[0] == '.') ? 0 : i;
    return v;
}

long fs_target__duration_ms(const char *value)
{
    const char *s = value != NULL ? value : "";
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    double total = 0.0;
    bool any = false;
    while (*s != '\0' && *s != '\r' && *s != '\n' && *s != ' ') {
        size_t nlen = 0, ulen = 0;
        double v = read_number(s, &nlen);
        if (nlen == 0) {
            return -1;
        }
        s += nlen;
        double ms = (*s == '\0' || *s == '\r' || *s == '\n' || *s == ' ') && !any
                        ? 1000.0 /* a bare number is seconds */
                        : unit_ms(s, &ulen);
        if (ms < 0) {
            return -1;
        }
        s += ulen;
        total += v * ms;
        any = true;
    }
    if (!any) {
        return -1;
    }
    if (total > 1e12) {
        return 1000000000000L; /* absurdly far: the caller's cap applies */
    }
    return (long)ceil(total);
}

/* ---- token bucket ---------------------------------------------------------------------- */

void fs_target__bucket_init(fs_target__bucket *b, double per_second, double cap, double now_ms)
{
    b->rate = per_second > 0 ? per_second / 1000.0 : 0.0;
    b->cap = cap > 0 ? cap : 1.0;
    b->level = b->cap;
    b->last_ms = now_ms;
}

static void refill(fs_target__bucket *b, double now_ms)
{
    if (now_ms > b->last_ms) {
        b->level += (now_ms - b->last_ms) * b->rate;
        if (b->level > b->cap) {
            b->level = b->cap;
        }
        b->last_ms = now_ms;
    }
}

double fs_target__bucket_wait_ms(fs_target__bucket *b, double need, double now_ms)
{
    if (b->rate <= 0) {
        return 0.0;
    }
    refill(b, now_ms);
    if (need > b->cap) {
        need = b->cap;
    }
    return b->level >= need ? 0.0 : (need - b->level) / b->rate;
}

void fs_target__bucket_take(fs_target__bucket *b, double n, double now_ms)
{
    if (b->rate <= 0) {
        return;
    }
    refill(b, now_ms);
    b->level -= n;
    if (b->level > b->cap) {
        b->level = b->cap;
    }
}

/* ---- adaptive concurrency -------------------------------------------------------------- */

void fs_target__adapt_init(fs_target__adapt *a, int max, int grow_after)
{
    a->max = max;
    a->limit = max;
    a->grow_after = grow_after;
    a->streak = 0;
    a->cut_ms = -1e300;
}

bool fs_target__adapt_throttled(fs_target__adapt *a, double start_ms, double now_ms)
{
    a->streak = 0;
    if (a->grow_after <= 0 || start_ms < a->cut_ms) {
        return false;
    }
    int next = a->limit / 2 > 1 ? a->limit / 2 : 1;
    a->cut_ms = now_ms;
    if (next == a->limit) {
        return false;
    }
    a->limit = next;
    return true;
}

bool fs_target__adapt_success(fs_target__adapt *a)
{
    if (a->grow_after <= 0 || a->limit >= a->max) {
        return false;
    }
    if (++a->streak < a->grow_after) {
        return false;
    }
    a->streak = 0;
    a->limit++;
    return true;
}

/* ---- usage ----------------------------------------------------------------------------- */

static const char *find(const char *s, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = s; p + n <= end; p++) {
        p = memchr(p, needle[0], (size_t)(end - p));
        if (p == NULL || p + n > end) {
            return NULL;
        }
        if (memcmp(p, needle, n) == 0) {
            return p;
        }
    }
    return NULL;
}

/* The integer after "key": inside [s, end), or -1. */
static int64_t member_int(const char *s, const char *end, const char *key)
{
    const char *p = find(s, end, key);
    if (p == NULL) {
        return -1;
    }
    p += strlen(key);
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':')) {
        p++;
    }
    int64_t v = 0;
    const char *digits = p;
    while (p < end && *p >= '0' && *p <= '9' && v < ((int64_t)1 << 53)) {
        v = v * 10 + (*p++ - '0');
    }
    return p > digits ? v : -1;
}

void fs_target__scan_usage(const char *body, size_t n, int64_t *prompt_out, int64_t *completion_out)
{
    *prompt_out = -1;
    *completion_out = -1;
    if (body == NULL) {
        return;
    }
    const char *end = body + n;
    const char *u = find(body, end, "\"usage\"");
    if (u == NULL) {
        return;
    }
    const char *close = memchr(u, '}', (size_t)(end - u));
    const char *stop = close != NULL ? close : end;
    *prompt_out = member_int(u, stop, "\"prompt_tokens\"");
    *completion_out = member_int(u, stop, "\"completion_tokens\"");
}
