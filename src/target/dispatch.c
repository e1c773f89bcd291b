/* The dispatcher's scheduler: pulls requests from next(), starts attempts on a transport
 * (libcurl multi for HTTP targets, a process pool for exec targets), retries transient
 * failures and delivers one outcome per request to done(). One thread. Invariants:
 *  - at most adapt.limit attempts are in flight (the configured concurrency, halved on
 *    each 429 and grown back by one after grow_after successes in a row);
 *  - a request waiting for its retry holds no slot; the queue is ordered by due time and
 *    the sleep is bounded by the earliest due time;
 *  - live requests (in flight or waiting) never exceed twice the slots: next() is only
 *    called when a request may start now, so memory is bounded by that window;
 *  - due retries start before new requests; every start takes a token from the rps
 *    bucket (one token, no burst) and charges its estimated tokens to the tpm bucket
 *    (corrected by the response's usage when it arrives); a 429 with Retry-After or
 *    x-ratelimit-reset-* pauses every start until then (capped by backoff_max_ms);
 *  - a budget (max_requests, max_tokens) stops calling next(); what was taken still gets
 *    its outcome and the dispatch returns FS_ERR_LIMIT;
 *  - fail-fast and done() asking to stop abort what is in flight: those requests get no
 *    outcome, and a resumed run sends them again.
 * The API key and header values are read from the environment once by the transport and
 * never logged or put into an error message. */
#include "fairshake/target.h"

#include "target/dispatch_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CONCURRENCY_MAX 100000

double fs_target__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1.0e6;
}

void fs_target__log(const fs_target__dispatcher *d, int level, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    if (d->log == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    d->log(level, msg, d->log_payload);
}

void fs_target__fatal(fs_target__dispatcher *d, fs_status st, const char *fmt, ...)
{
    va_list ap;
    if (d->stop != FS_OK) {
        return;
    }
    d->stop = st;
    d->stop_err.code = st;
    va_start(ap, fmt);
    vsnprintf(d->stop_err.msg, sizeof d->stop_err.msg, fmt, ap);
    va_end(ap);
}

static const char *target_name(const fs_target__dispatcher *d)
{
    return d->spec->name != NULL ? d->spec->name : "";
}

static void release_req(fs_target__dispatcher *d, fs_target__req *r)
{
    r->used = false;
    d->n_live--;
}

static void queue_retry(fs_target__dispatcher *d, fs_target__req *r)
{
    int i = d->n_waiting;
    while (i > 0 && d->waiting[i - 1]->due_ms > r->due_ms) {
        d->waiting[i] = d->waiting[i - 1];
        i--;
    }
    d->waiting[i] = r;
    d->n_waiting++;
}

static bool budget_reached(fs_target__dispatcher *d)
{
    const fs_dispatch_opts *o = &d->opts;
    if (o->max_requests > 0 && d->taken >= o->max_requests) {
        fs_target__log(d, 0, "budget: max_requests %llu reached; finishing what is in flight",
                       (unsigned long long)o->max_requests);
        return true;
    }
    if (o->max_tokens > 0 && d->tokens_spent + d->tokens_in_flight >= (double)o->max_tokens) {
        fs_target__log(d, 0, "budget: max_tokens %llu reached; finishing what is in flight",
                       (unsigned long long)o->max_tokens);
        return true;
    }
    return false;
}

/* A new request from next(), or NULL when none may or can be taken. */
static fs_target__req *take_new(fs_target__dispatcher *d)
{
    if (d->exhausted || d->n_live >= d->n_reqs) {
        return NULL;
    }
    if (budget_reached(d)) {
        d->exhausted = true;
        d->budget_hit = true;
        return NULL;
    }
    fs_target__req *r = NULL;
    for (int i = 0; i < d->n_reqs && r == NULL; i++) {
        r = d->reqs[i].used ? NULL : &d->reqs[i];
    }
    fs_request in = { 0, NULL, 0 };
    if (!d->next(&in, d->payload)) {
        d->exhausted = true;
        return NULL;
    }
    memset(r, 0, sizeof *r);
    r->id = in.id;
    r->body = in.body != NULL ? in.body : "";
    r->body_len = in.body != NULL ? in.body_len : 0;
    r->used = true;
    d->n_live++;
    d->taken++;
    return r;
}

/* The next request that may start now: a due retry, else a new one. */
static fs_target__req *pick_request(fs_target__dispatcher *d, double now)
{
    if (d->n_waiting > 0 && d->waiting[0]->due_ms <= now) {
        fs_target__req *r = d->waiting[0];
        d->n_waiting--;
        memmove(d->waiting, d->waiting + 1, (size_t)d->n_waiting * sizeof *d->waiting);
        return r;
    }
    return take_new(d);
}

/* The replica with the fewest attempts in flight; ties go round-robin. */
static int pick_replica(fs_target__dispatcher *d)
{
    int best = -1;
    for (int k = 0; k < d->n_urls; k++) {
        int i = (d->rotate + k) % d->n_urls;
        if (best < 0 || d->outstanding[i] < d->outstanding[best]) {
            best = i;
        }
    }
    d->rotate = (d->rotate + 1) % (d->n_urls > 0 ? d->n_urls : 1);
    return best < 0 ? 0 : best;
}

/* Milliseconds before the rate limits and a 429 pause let anything start. */
static double start_wait_ms(fs_target__dispatcher *d, double now)
{
    double w = d->pause_until_ms - now;
    double r = fs_target__bucket_wait_ms(&d->rps, 1.0, now);
    double t = fs_target__bucket_wait_ms(&d->tpm, 0.0, now);
    w = r > w ? r : w;
    w = t > w ? t : w;
    return w > 0 ? w : 0;
}

static fs_status start_one(fs_target__dispatcher *d, fs_target__slot *s, fs_target__req *r,
                           double now, fs_error *err)
{
    s->r = r;
    s->replica = d->n_urls > 1 ? pick_replica(d) : 0;
    s->start_ms = now;
    s->ttfb_ms = -1;
    s->retry_after_ms = -1;
    s->reset_ms = -1;
    s->errbuf[0] = '\0';
    fs_buf_reset(&s->resp);
    fs_status st = d->tx->start(d, s, err);
    if (st != FS_OK) {
        s->r = NULL;
        release_req(d, r);
        return st;
    }
    d->first_start_ms = d->first_start_ms > 0 ? d->first_start_ms : now;
    r->attempts++;
    r->tokens = (double)((r->body_len + 3) / 4);
    d->tokens_in_flight += r->tokens;
    d->outstanding[s->replica]++;
    d->n_busy++;
    fs_target__bucket_take(&d->rps, 1.0, now);
    fs_target__bucket_take(&d->tpm, r->tokens, now);
    return FS_OK;
}

/* Start requests while slots are free. A request picked while the rate limits say wait
 * is held until they allow it: so the end of the input is seen at once, not only after
 * the wait. */
static fs_status fill(fs_target__dispatcher *d, fs_error *err)
{
    int i = 0;
    while (d->n_busy < d->adapt.limit && d->stop == FS_OK) {
        double now = fs_target__now_ms();
        fs_target__req *r = d->held != NULL ? d->held : pick_request(d, now);
        d->held = NULL;
        if (r == NULL) {
            break;
        }
        if (start_wait_ms(d, now) > 0) {
            d->held = r;
            break;
        }
        while (d->slots[i].r != NULL) {
            i = (i + 1) % d->n_slots;
        }
        fs_status st = start_one(d, &d->slots[i], r, now, err);
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}

static void deliver(fs_target__dispatcher *d, fs_target__req *r, const fs_target__slot *s,
                    fs_status st, long http, const char *error)
{
    fs_response resp;
    resp.id = r->id;
    resp.status = st;
    resp.http_status = http;
    resp.body = fs_buf_cstr(&s->resp);
    resp.body_len = s->resp.len;
    resp.latency_ms = fs_target__now_ms() - s->start_ms;
    resp.attempts = r->attempts;
    resp.error = error;
    resp.ttfb_ms = s->ttfb_ms;
    resp.replica = s->replica;
    resp.prompt_tokens = s->prompt_tokens;
    resp.completion_tokens = s->completion_tokens;
    fs_status dst = d->done(&resp, d->payload);
    release_req(d, r);
    if (dst != FS_OK && d->stop == FS_OK) {
        d->stop = dst;
    }
}

static long server_wait_ms(const fs_target__slot *s, long http)
{
    long w = http == 429 || http == 503 ? s->retry_after_ms : -1;
    if (http == 429 && s->reset_ms > w) {
        w = s->reset_ms;
    }
    return w;
}

static void schedule_retry(fs_target__dispatcher *d, fs_target__req *r, const fs_target__slot *s,
                           const fs_target__attempt *a)
{
    long wait = fs_target__backoff_ms(&d->rng, r->attempts, d->opts.backoff_base_ms,
                                      d->opts.backoff_max_ms);
    long sw = server_wait_ms(s, a->http);
    if (sw >= 0) {
        long capped = sw < d->opts.backoff_max_ms ? sw : d->opts.backoff_max_ms;
        wait = capped > wait ? capped : wait;
    }
    r->due_ms = fs_target__now_ms() + (double)wait;
    if (a->replied) {
        fs_target__log(d, 1, "retrying request %llu after HTTP %ld (attempt %d/%d, waiting %ld ms)",
                       (unsigned long long)r->id, a->http, r->attempts + 1, d->opts.retries + 1,
                       wait);
    } else {
        fs_target__log(d, 1,
                       "retrying request %llu after transport error: %s (attempt %d/%d, "
                       "waiting %ld ms)",
                       (unsigned long long)r->id, a->what, r->attempts + 1, d->opts.retries + 1,
                       wait);
    }
    queue_retry(d, r);
}

static void final_error(char *out, size_t cap, const fs_target__slot *s, const fs_target__req *r,
                        const fs_target__attempt *a)
{
    const char *plural = r->attempts == 1 ? "" : "s";
    if (a->replied) {
        char said[256];
        fs_target__error_summary(said, sizeof said, fs_buf_cstr(&s->resp), s->resp.len);
        snprintf(out, cap, "HTTP %ld after %d attempt%s%s%s", a->http, r->attempts, plural,
                 said[0] != '\0' ? ": " : "", said);
    } else if (s->errbuf[0] != '\0') {
        snprintf(out, cap, "transport: %s after %d attempt%s (%s)", a->what, r->attempts, plural,
                 s->errbuf);
    } else {
        snprintf(out, cap, "transport: %s after %d attempt%s", a->what, r->attempts, plural);
    }
}

static bool accepted(const fs_target__dispatcher *d, const fs_target__attempt *a)
{
    const fs_target_spec *spec = d->spec;
    if (!a->replied) {
        return false;
    }
    if (spec->type == FS_TARGET_EXEC) {
        return true;
    }
    if (spec->type == FS_TARGET_REST && spec->n_ok_statuses > 0) {
        for (size_t i = 0; i < spec->n_ok_statuses; i++) {
            if (spec->ok_statuses[i] == a->http) {
                return true;
            }
        }
        return false;
    }
    return a->http >= 200 && a->http <= 299;
}

/* Charge the attempt's real token use: the usage in its reply (kept in the slot for
 * the outcome), else the estimate; a failure without reply gives the estimate back to
 * the tpm bucket. */
static void account_tokens(fs_target__dispatcher *d, fs_target__slot *s,
                           const fs_target__attempt *a, double now)
{
    fs_target__req *r = s->r;
    d->tokens_in_flight -= r->tokens;
    s->prompt_tokens = -1;
    s->completion_tokens = -1;
    if (!a->replied) {
        fs_target__bucket_take(&d->tpm, -r->tokens, now);
        return;
    }
    fs_target__scan_usage(fs_buf_cstr(&s->resp), s->resp.len, &s->prompt_tokens,
                          &s->completion_tokens);
    int64_t p = s->prompt_tokens, c = s->completion_tokens;
    double used = p >= 0 || c >= 0 ? (double)(p > 0 ? p : 0) + (double)(c > 0 ? c : 0) : r->tokens;
    fs_target__bucket_take(&d->tpm, used - r->tokens, now);
    d->tokens_spent += used;
}

/* A 429 or a failure: lower the concurrency, pause starts, and check fail-fast. false
 * when fail-fast stopped the dispatch. */
/* No reply to any attempt yet, for fail_fast_unreachable_ms since the first started and
 * over two full waves of the window (at least 10 attempts). */
static bool unreachable(const fs_target__dispatcher *d, const fs_target__attempt *a, double now)
{
    int waves = 2 * d->opts.concurrency;
    return d->opts.fail_fast_unreachable_ms > 0 && !d->ever_replied && !a->replied &&
           d->failures_in_row >= (waves > 10 ? waves : 10) &&
           now - d->first_start_ms >= (double)d->opts.fail_fast_unreachable_ms;
}

static bool on_failure(fs_target__dispatcher *d, const fs_target__slot *s,
                       const fs_target__attempt *a, double now)
{
    d->failures_in_row++;
    if (unreachable(d, a, now)) {
        /* a wrong URL or a server that is not running: stop rather than grind through
         * every request's retries */
        fs_target__fatal(d, FS_ERR_TARGET,
                         "target '%s' (%s): fail_fast: no reply to any of %d attempts in %.0f s "
                         "(last: %s); check that the server is running and the URL is right; "
                         "the run store is intact, run again to resume",
                         target_name(d), d->urls != NULL ? d->urls[s->replica] : "exec",
                         d->failures_in_row, (now - d->first_start_ms) / 1000.0, a->what);
        return false;
    }
    if (a->replied && a->http == 429) {
        if (fs_target__adapt_throttled(&d->adapt, s->start_ms, now)) {
            fs_target__log(d, 0, "concurrency lowered to %d of %d after HTTP 429", d->adapt.limit,
                           d->adapt.max);
        }
        long sw = server_wait_ms(s, 429);
        if (d->opts.fail_fast_retry_after_ms > 0 && sw > d->opts.fail_fast_retry_after_ms) {
            fs_target__fatal(d, FS_ERR_TARGET,
                             "target '%s': fail_fast: HTTP 429 asks to wait %ld s (over %ld s): "
                             "the quota looks exhausted; the run store is intact, run again "
                             "later to resume",
                             target_name(d), sw / 1000, d->opts.fail_fast_retry_after_ms / 1000);
            return false;
        }
        if (sw > 0) {
            double until =
                now + (double)(sw < d->opts.backoff_max_ms ? sw : d->opts.backoff_max_ms);
            d->pause_until_ms = until > d->pause_until_ms ? until : d->pause_until_ms;
        }
    }
    if (d->opts.fail_fast_failures > 0 && d->failures_in_row >= d->opts.fail_fast_failures) {
        fs_target__fatal(d, FS_ERR_TARGET,
                         "target '%s': fail_fast: %d failed requests in a row (last: %s%ld); the "
                         "run store is intact, run again to resume",
                         target_name(d), d->failures_in_row, a->replied ? "HTTP " : "transport ",
                         a->replied ? a->http : 0L);
        return false;
    }
    return true;
}

/* Before an answer goes to done(), start the request built while it was awaited on
 * another free slot (HTTP has one spare), so the server works on it while done() scores
 * and stores the answer: at low concurrency this takes done()'s time off the round trip. */
static void launch_early(fs_target__dispatcher *d, const fs_target__slot *done_slot)
{
    if (d->held == NULL || d->n_busy >= d->adapt.limit || d->stop != FS_OK) {
        return;
    }
    double now = fs_target__now_ms();
    if (start_wait_ms(d, now) > 0) {
        return;
    }
    for (int i = 0; i < d->n_slots; i++) {
        fs_target__slot *s = &d->slots[i];
        if (s != done_slot && s->r == NULL) {
            fs_target__req *r = d->held;
            fs_error err;
            d->held = NULL;
            if (start_one(d, s, r, now, &err) != FS_OK) {
                fs_target__fatal(d, err.code, "%s", err.msg);
            }
            return;
        }
    }
}

void fs_target__finished(fs_target__dispatcher *d, fs_target__slot *s, const fs_target__attempt *a)
{
    fs_target__req *r = s->r;
    double now = fs_target__now_ms();
    d->ever_replied = d->ever_replied || a->replied;
    account_tokens(d, s, a, now);
    s->r = NULL;
    d->n_busy--;
    d->outstanding[s->replica]--;
    if (d->stop != FS_OK) {
        release_req(d, r);
        return;
    }
    if (accepted(d, a)) {
        d->failures_in_row = 0;
        if (fs_target__adapt_success(&d->adapt)) {
            fs_target__log(d, 0, "concurrency raised to %d of %d", d->adapt.limit, d->adapt.max);
        }
        launch_early(d, s);
        deliver(d, r, s, FS_OK, a->http, "");
        return;
    }
    if (!on_failure(d, s, a, now)) {
        release_req(d, r);
        return;
    }
    bool retryable = a->replied ? fs_target__retryable_http(a->http) : a->retryable;
    if (retryable && r->attempts <= d->opts.retries) {
        schedule_retry(d, r, s, a);
        return;
    }
    char error[512];
    final_error(error, sizeof error, s, r, a);
    deliver(d, r, s, FS_ERR_TARGET, a->http, error);
}

/* How long to sleep: until a free slot can take a new request or a due retry, as the
 * rate limits allow (the transport may wake earlier for its own deadlines). */
static int poll_timeout(fs_target__dispatcher *d)
{
    double now = fs_target__now_ms(), wait = 1000.0;
    if (d->n_busy >= d->adapt.limit) {
        return (int)wait;
    }
    if (d->held != NULL || (!d->exhausted && d->n_live < d->n_reqs)) {
        wait = 0;
    } else if (d->n_waiting > 0 && d->waiting[0]->due_ms - now < wait) {
        wait = d->waiting[0]->due_ms - now;
    }
    double limits = start_wait_ms(d, now);
    wait = limits > wait ? limits : wait;
    if (wait > 1000.0) {
        wait = 1000.0; /* look again at least once a second */
    }
    return wait <= 0 ? 0 : (int)wait + 1;
}

static bool finished(const fs_target__dispatcher *d)
{
    return d->n_busy == 0 && d->n_waiting == 0 && d->held == NULL && d->exhausted;
}

/* Start what may start, let the transport work, collect outcomes, refill freed slots,
 * and only then sleep: a freed slot is reused without waiting for the next wake-up. */
static fs_status run_loop(fs_target__dispatcher *d, fs_error *err)
{
    fs_status st = fill(d, err);
    while (st == FS_OK && !finished(d)) {
        st = d->tx->progress(d, err);
        if (st != FS_OK || d->stop != FS_OK) {
            break;
        }
        st = fill(d, err);
        if (st != FS_OK || finished(d) || d->stop != FS_OK) {
            break;
        }
        if (d->held == NULL && d->n_busy >= d->adapt.limit) {
            d->held = take_new(d); /* built while the answers in flight are awaited */
        }
        int timeout = poll_timeout(d);
        if (d->opts.idle != NULL) {
            long cap = -1;
            fs_status ist = d->opts.idle(d->payload, &cap);
            if (ist != FS_OK) {
                d->stop = ist;
                break;
            }
            timeout = cap >= 0 && cap < timeout ? (int)cap : timeout;
        }
        st = d->tx->sleep(d, timeout, err);
    }
    if (st == FS_OK && d->stop != FS_OK) {
        st = d->stop;
    }
    return st;
}

static fs_status setup(fs_target__dispatcher *d, fs_error *err)
{
    const fs_target_spec *spec = d->spec;
    int c = d->opts.concurrency;
    if (spec->type == FS_TARGET_EXEC) {
        int procs = spec->processes > 0 ? spec->processes : 1;
        c = procs < c ? procs : c;
        d->n_urls = 1;
    } else {
        d->urls = spec->n_urls > 0 ? spec->urls : &spec->url;
        d->n_urls = spec->n_urls > 0 ? (int)spec->n_urls : 1;
    }
    /* HTTP has one slot more than the concurrency, for launch_early(); an exec slot is a
     * process */
    d->n_slots = spec->type == FS_TARGET_EXEC ? c : c + 1;
    d->tx = spec->type == FS_TARGET_EXEC ? &fs_target__exec_transport : &fs_target__http_transport;
    d->slots = fs_calloc((size_t)d->n_slots, sizeof *d->slots);
    d->reqs = fs_calloc((size_t)c * 2, sizeof *d->reqs);
    d->waiting = fs_calloc((size_t)c * 2, sizeof *d->waiting);
    d->outstanding = fs_calloc((size_t)d->n_urls, sizeof *d->outstanding);
    if (d->slots == NULL || d->reqs == NULL || d->waiting == NULL || d->outstanding == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    d->n_reqs = c * 2;
    for (int i = 0; i < d->n_slots; i++) {
        d->slots[i].index = i;
        fs_buf_init(&d->slots[i].resp, (size_t)64 << 20);
    }
    double now = fs_target__now_ms();
    fs_target__bucket_init(&d->rps, d->opts.rps, 1.0, now);
    fs_target__bucket_init(&d->tpm, d->opts.tpm / 60.0, d->opts.tpm, now);
    fs_target__adapt_init(&d->adapt, c, d->opts.grow_after);
    return d->tx->open(d, err);
}

static void teardown(fs_target__dispatcher *d)
{
    if (d->tx != NULL) {
        d->tx->close(d);
    }
    for (int i = 0; d->slots != NULL && i < d->n_slots; i++) {
        fs_buf_dispose(&d->slots[i].resp);
    }
    fs_free(d->slots);
    fs_free(d->reqs);
    fs_free(d->waiting);
    fs_free(d->outstanding);
}

static fs_status check_opts(const fs_target_spec *spec, const fs_dispatch_opts *o, fs_error *err)
{
    fs_status st = fs_target_check(spec, err);
    if (st != FS_OK) {
        return st;
    }
    if (o->concurrency < 1 || o->concurrency > CONCURRENCY_MAX) {
        return FS_FAIL(err, FS_ERR_CONFIG, "run: concurrency must be in 1..%d (got %d)",
                       CONCURRENCY_MAX, o->concurrency);
    }
    if (o->retries < 0 || o->timeout_ms < 0 || o->backoff_base_ms < 0 || o->backoff_max_ms < 0 ||
        !(o->rps >= 0) || !(o->tpm >= 0) || o->fail_fast_retry_after_ms < 0 ||
        o->fail_fast_failures < 0 || o->grow_after < 0) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "run: retries, timeout_ms, backoff, rps, tpm, fail_fast and grow_after "
                       "must not be negative");
    }
    if ((o->rps > 0 && o->rps < 0.001) || (o->tpm > 0 && o->tpm < 1)) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "run: rps must be 0 (unlimited) or at least 0.001, tpm 0 or at least 1");
    }
    return FS_OK;
}

static fs_status result(fs_target__dispatcher *d, fs_status st, fs_error *err)
{
    if (st == FS_OK && d->budget_hit) {
        return FS_FAIL(err, FS_ERR_LIMIT,
                       "target '%s': budget reached after %llu requests and %.0f tokens; every "
                       "answer so far is kept, run again with a larger budget to continue",
                       target_name(d), (unsigned long long)d->taken, d->tokens_spent);
    }
    if (st != FS_OK && st == d->stop) {
        if (d->stop_err.code == st) {
            if (err != NULL) {
                *err = d->stop_err;
            }
            return st;
        }
        if (err == NULL || err->code != st) {
            return FS_FAIL(err, st, "dispatch stopped: %s", fs_status_text(st));
        }
    }
    return st;
}

fs_status fs_dispatch_run(const fs_target_spec *spec, const fs_dispatch_opts *opts,
                          fs_dispatch_next_fn next, fs_dispatch_done_fn done, void *payload,
                          fs_log_fn log, void *log_payload, fs_error *err)
{
    static const fs_dispatch_opts defaults = FS_DISPATCH_OPTS_INIT;
    fs_target__dispatcher d;
    memset(&d, 0, sizeof d);
    d.opts = opts != NULL ? *opts : defaults;
    fs_status st = check_opts(spec, &d.opts, err);
    if (st != FS_OK) {
        return st;
    }
    d.spec = spec;
    d.next = next;
    d.done = done;
    d.payload = payload;
    d.log = log;
    d.log_payload = log_payload;
    fs_rng_seed(&d.rng, d.opts.seed);
    st = setup(&d, err);
    if (st == FS_OK) {
        st = run_loop(&d, err);
    }
    st = result(&d, st, err);
    teardown(&d);
    return st;
}
