/* The dispatcher: sends requests to one target over libcurl's multi interface, in one
 * thread. Invariants:
 *  - at most opts->concurrency transfers are in flight; each owns one of a fixed set of
 *    easy handles, reused from request to request so connections stay alive (and are
 *    multiplexed over HTTP/2 where the server offers it);
 *  - a request that failed transiently waits for its retry in a queue ordered by due
 *    time, holding no easy handle, so it never blocks other requests; the poll timeout
 *    is bounded by the earliest due time;
 *  - live requests (in flight or waiting) never exceed twice the concurrency: next() is
 *    only called when a request may start now, so memory is bounded by that window;
 *  - due retries start before new requests; with opts->rps > 0 every start (first or
 *    retry) takes a token from a bucket of one token refilled at rps per second;
 *  - done() is called exactly once per request, unless it asks to stop, in which case
 *    in-flight transfers are aborted and waiting retries dropped.
 * The API key is read from the environment once, put into the Authorization header list
 * and never logged, stored elsewhere or put into an error message. */
#include "fairshake/target.h"

#include "target/internal.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESPONSE_MAX    ((size_t)64 << 20)
#define CONCURRENCY_MAX 100000

typedef struct req {
    uint64_t id;
    const char *body;
    size_t body_len;
    int attempts;
    double due_ms; /* when a waiting retry may start */
    bool used;
} req;

typedef struct slot {
    CURL *easy;
    fs_buf resp;
    req *r; /* NULL when the slot is free */
    double start_ms;
    long retry_after_ms; /* from this attempt's Retry-After header, -1 when none */
    char errbuf[CURL_ERROR_SIZE];
} slot;

typedef struct dispatcher {
    const fs_target_spec *spec;
    fs_dispatch_opts opts;
    fs_dispatch_next_fn next;
    fs_dispatch_done_fn done;
    void *payload;
    fs_log_fn log;
    void *log_payload;
    CURLM *multi;
    struct curl_slist *headers;
    slot *slots;
    int n_busy;
    req *reqs; /* the window: 2 * concurrency entries */
    int n_reqs, n_live;
    req **waiting; /* sorted by due_ms; equal due times keep their queueing order */
    int n_waiting;
    bool exhausted;
    fs_rng rng;
    double next_start_ms; /* rate limiter: earliest time of the next start */
    fs_status stop;       /* set when done() or the transport asks to stop */
} dispatcher;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1.0e6;
}

static void log_warn(const dispatcher *d, const char *fmt, ...) FS_PRINTF(2, 3);

static void log_warn(const dispatcher *d, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    if (d->log == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    d->log(1, msg, d->log_payload);
}

static void wipe(char *p, size_t n)
{
    volatile char *v = p;
    for (size_t i = 0; i < n; i++) {
        v[i] = 0;
    }
}

static fs_status auth_header(dispatcher *d, fs_error *err)
{
    const char *var = d->spec->api_key_env;
    if (var == NULL || var[0] == '\0') {
        return FS_OK;
    }
    const char *key = getenv(var);
    if (key == NULL || key[0] == '\0') {
        return FS_FAIL(
            err, FS_ERR_CONFIG, "target '%s': api_key_env: environment variable %s is %s",
            d->spec->name != NULL ? d->spec->name : "", var, key == NULL ? "not set" : "empty");
    }
    fs_buf h = FS_BUF_INIT;
    fs_buf_puts(&h, "Authorization: Bearer ");
    fs_buf_puts(&h, key);
    struct curl_slist *l = NULL;
    if (fs_buf_status(&h) == FS_OK) {
        l = curl_slist_append(d->headers, fs_buf_cstr(&h));
    }
    if (h.data != NULL) {
        wipe(h.data, h.len);
    }
    fs_buf_dispose(&h);
    if (l == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    d->headers = l;
    return FS_OK;
}

static fs_status setup(dispatcher *d, fs_error *err)
{
    static const char *const fixed[] = { "Content-Type: application/json",
                                         "Accept: application/json", "Expect:" };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        struct curl_slist *l = curl_slist_append(d->headers, fixed[i]);
        if (l == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        d->headers = l;
    }
    fs_status st = auth_header(d, err);
    if (st != FS_OK) {
        return st;
    }
    int c = d->opts.concurrency;
    d->slots = fs_calloc((size_t)c, sizeof *d->slots);
    d->reqs = fs_calloc((size_t)c * 2, sizeof *d->reqs);
    d->waiting = fs_calloc((size_t)c * 2, sizeof *d->waiting);
    d->multi = curl_multi_init();
    if (d->slots == NULL || d->reqs == NULL || d->waiting == NULL || d->multi == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    d->n_reqs = c * 2;
    for (int i = 0; i < c; i++) {
        fs_buf_init(&d->slots[i].resp, RESPONSE_MAX);
    }
    curl_multi_setopt(d->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(d->multi, CURLMOPT_MAXCONNECTS, (long)c);
    return FS_OK;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    slot *s = userdata;
    size_t n = size * nmemb;
    fs_buf_append(&s->resp, ptr, n);
    return fs_buf_status(&s->resp) == FS_OK ? n : 0;
}

static bool header_is(const char *line, size_t n, const char *name)
{
    size_t len = strlen(name);
    if (n <= len || line[len] != ':') {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char a = line[i], b = name[i];
        a = (a >= 'A' && a <= 'Z') ? (char)(a - 'A' + 'a') : a;
        b = (b >= 'A' && b <= 'Z') ? (char)(b - 'A' + 'a') : b;
        if (a != b) {
            return false;
        }
    }
    return true;
}

static size_t on_header(char *line, size_t size, size_t nitems, void *userdata)
{
    slot *s = userdata;
    size_t n = size * nitems;
    char value[128];
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        s->retry_after_ms = -1; /* a new response (after 1xx) starts */
    } else if (header_is(line, n, "retry-after")) {
        size_t len = n - 12 < sizeof value - 1 ? n - 12 : sizeof value - 1;
        memcpy(value, line + 12, len);
        value[len] = '\0';
        s->retry_after_ms = fs_target__retry_after_ms(value, time(NULL));
    }
    return n;
}

static fs_status init_easy(dispatcher *d, slot *s, fs_error *err)
{
    CURL *e = curl_easy_init();
    if (e == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "cannot create an HTTP handle");
    }
    s->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, d->spec->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, d->headers);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, d->opts.timeout_ms);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "fairshake");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)s);
    return FS_OK;
}

static fs_status start_attempt(dispatcher *d, slot *s, req *r, double now, fs_error *err)
{
    if (s->easy == NULL) {
        fs_status st = init_easy(d, s, err);
        if (st != FS_OK) {
            return st;
        }
    }
    fs_buf_reset(&s->resp);
    s->retry_after_ms = -1;
    s->errbuf[0] = '\0';
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    CURLMcode mc = curl_multi_add_handle(d->multi, s->easy);
    if (mc != CURLM_OK) {
        return FS_FAIL(err, FS_ERR_TARGET, "cannot start a transfer: %s", curl_multi_strerror(mc));
    }
    s->r = r;
    s->start_ms = now;
    r->attempts++;
    d->n_busy++;
    return FS_OK;
}

static void release_req(dispatcher *d, req *r)
{
    r->used = false;
    d->n_live--;
}

static void queue_retry(dispatcher *d, req *r)
{
    int i = d->n_waiting;
    while (i > 0 && d->waiting[i - 1]->due_ms > r->due_ms) {
        d->waiting[i] = d->waiting[i - 1];
        i--;
    }
    d->waiting[i] = r;
    d->n_waiting++;
}

/* The next request that may start now: a due retry, else a new one from next().
 * NULL when none may start. */
static req *pick_request(dispatcher *d, double now)
{
    if (d->n_waiting > 0 && d->waiting[0]->due_ms <= now) {
        req *r = d->waiting[0];
        d->n_waiting--;
        memmove(d->waiting, d->waiting + 1, (size_t)d->n_waiting * sizeof *d->waiting);
        return r;
    }
    if (d->exhausted || d->n_live >= d->n_reqs) {
        return NULL;
    }
    req *r = NULL;
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
    return r;
}

static fs_status fill(dispatcher *d, fs_error *err)
{
    for (int i = 0; d->n_busy < d->opts.concurrency; i = (i + 1) % d->opts.concurrency) {
        slot *s = &d->slots[i];
        if (s->r != NULL) {
            continue;
        }
        double now = now_ms();
        if (d->opts.rps > 0 && now < d->next_start_ms) {
            break;
        }
        req *r = pick_request(d, now);
        if (r == NULL) {
            break;
        }
        fs_status st = start_attempt(d, s, r, now, err);
        if (st != FS_OK) {
            release_req(d, r);
            return st;
        }
        if (d->opts.rps > 0) {
            double step = 1000.0 / d->opts.rps;
            d->next_start_ms = (d->next_start_ms > now ? d->next_start_ms : now) + step;
        }
    }
    return FS_OK;
}

static void deliver(dispatcher *d, req *r, const slot *s, fs_status st, long http, double latency,
                    const char *error)
{
    fs_response resp;
    resp.id = r->id;
    resp.status = st;
    resp.http_status = http;
    resp.body = s != NULL ? fs_buf_cstr(&s->resp) : "";
    resp.body_len = s != NULL ? s->resp.len : 0;
    resp.latency_ms = latency;
    resp.attempts = r->attempts;
    resp.error = error;
    fs_status dst = d->done(&resp, d->payload);
    release_req(d, r);
    if (dst != FS_OK && d->stop == FS_OK) {
        d->stop = dst;
    }
}

static void schedule_retry(dispatcher *d, req *r, const slot *s, long http, int code)
{
    long wait = fs_target__backoff_ms(&d->rng, r->attempts, d->opts.backoff_base_ms,
                                      d->opts.backoff_max_ms);
    if ((http == 429 || http == 503) && s->retry_after_ms >= 0) {
        long ra =
            s->retry_after_ms < d->opts.backoff_max_ms ? s->retry_after_ms : d->opts.backoff_max_ms;
        wait = ra > wait ? ra : wait;
    }
    r->due_ms = now_ms() + (double)wait;
    if (http != 0) {
        log_warn(d, "retrying request %llu after HTTP %ld (attempt %d/%d, waiting %ld ms)",
                 (unsigned long long)r->id, http, r->attempts + 1, d->opts.retries + 1, wait);
    } else {
        log_warn(d,
                 "retrying request %llu after transport error: %s (attempt %d/%d, "
                 "waiting %ld ms)",
                 (unsigned long long)r->id, curl_easy_strerror((CURLcode)code), r->attempts + 1,
                 d->opts.retries + 1, wait);
    }
    queue_retry(d, r);
}

static void final_error(char *out, size_t cap, const slot *s, const req *r, long http,
                        CURLcode code)
{
    const char *plural = r->attempts == 1 ? "" : "s";
    if (code == CURLE_OK) {
        char said[256];
        fs_target__error_summary(said, sizeof said, fs_buf_cstr(&s->resp), s->resp.len);
        snprintf(out, cap, "HTTP %ld after %d attempt%s%s%s", http, r->attempts, plural,
                 said[0] != '\0' ? ": " : "", said);
    } else if (code == CURLE_WRITE_ERROR && fs_buf_status(&s->resp) == FS_ERR_LIMIT) {
        snprintf(out, cap, "transport: response larger than %zu bytes", RESPONSE_MAX);
    } else if (s->errbuf[0] != '\0') {
        snprintf(out, cap, "transport: %s after %d attempt%s (%s)", curl_easy_strerror(code),
                 r->attempts, plural, s->errbuf);
    } else {
        snprintf(out, cap, "transport: %s after %d attempt%s", curl_easy_strerror(code),
                 r->attempts, plural);
    }
}

static void finish_attempt(dispatcher *d, slot *s, CURLcode code)
{
    req *r = s->r;
    long http = 0;
    double latency = now_ms() - s->start_ms;
    curl_multi_remove_handle(d->multi, s->easy);
    s->r = NULL;
    d->n_busy--;
    if (code == CURLE_OK) {
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &http);
    }
    if (code == CURLE_WRITE_ERROR && fs_buf_status(&s->resp) == FS_ERR_NOMEM) {
        release_req(d, r);
        d->stop = FS_ERR_NOMEM;
        return;
    }
    if (code == CURLE_OK && http >= 200 && http <= 299) {
        deliver(d, r, s, FS_OK, http, latency, "");
        return;
    }
    bool retryable = code == CURLE_OK ? fs_target__retryable_http(http)
                                      : fs_target__retryable_transport((int)code);
    if (retryable && r->attempts <= d->opts.retries) {
        schedule_retry(d, r, s, http, (int)code);
        return;
    }
    char error[512];
    final_error(error, sizeof error, s, r, http, code);
    deliver(d, r, s, FS_ERR_TARGET, http, latency, error);
}

static void drain(dispatcher *d)
{
    int left = 0;
    CURLMsg *m = NULL;
    while (d->stop == FS_OK && (m = curl_multi_info_read(d->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE) {
            continue;
        }
        char *priv = NULL;
        CURLcode code = m->data.result;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
        finish_attempt(d, (slot *)(void *)priv, code);
    }
}

/* How long to sleep in curl_multi_poll (which wakes early on socket activity): until a
 * free slot can take a new request or a due retry, as the rate limit allows. */
static int poll_timeout(const dispatcher *d)
{
    double now = now_ms(), wait = 1000.0;
    if (d->n_busy >= d->opts.concurrency) {
        return (int)wait;
    }
    if (!d->exhausted && d->n_live < d->n_reqs) {
        wait = 0;
    } else if (d->n_waiting > 0 && d->waiting[0]->due_ms - now < wait) {
        wait = d->waiting[0]->due_ms - now;
    }
    if (d->opts.rps > 0 && d->next_start_ms - now > wait) {
        wait = d->next_start_ms - now;
    }
    if (wait > 1000.0) {
        wait = 1000.0; /* look again at least once a second */
    }
    return wait <= 0 ? 0 : (int)wait + 1;
}

static bool finished(const dispatcher *d)
{
    return d->n_busy == 0 && d->n_waiting == 0 && d->exhausted;
}

/* Start what may start, let curl work, collect outcomes, refill freed slots, and only
 * then sleep: a freed slot is reused without waiting for the next wake-up. */
static fs_status run_loop(dispatcher *d, fs_error *err)
{
    fs_status st = fill(d, err);
    while (st == FS_OK && !finished(d)) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(d->multi, &running);
        if (mc == CURLM_OK) {
            drain(d);
        }
        if (d->stop != FS_OK) {
            return d->stop;
        }
        st = mc == CURLM_OK ? fill(d, err) : FS_OK;
        if (st != FS_OK || (mc == CURLM_OK && finished(d))) {
            break;
        }
        if (mc == CURLM_OK) {
            mc = curl_multi_poll(d->multi, NULL, 0, poll_timeout(d), NULL);
        }
        if (mc != CURLM_OK) {
            return FS_FAIL(err, FS_ERR_TARGET, "HTTP multi interface: %s", curl_multi_strerror(mc));
        }
    }
    return st;
}

static void teardown(dispatcher *d)
{
    for (int i = 0; d->slots != NULL && i < d->opts.concurrency; i++) {
        slot *s = &d->slots[i];
        if (s->r != NULL) {
            curl_multi_remove_handle(d->multi, s->easy);
        }
        if (s->easy != NULL) {
            curl_easy_cleanup(s->easy);
        }
        fs_buf_dispose(&s->resp);
    }
    if (d->multi != NULL) {
        curl_multi_cleanup(d->multi);
    }
    curl_slist_free_all(d->headers);
    fs_free(d->slots);
    fs_free(d->reqs);
    fs_free(d->waiting);
}

static fs_status check_opts(const fs_target_spec *spec, const fs_dispatch_opts *o, fs_error *err)
{
    if (spec == NULL || spec->url == NULL || spec->url[0] == '\0') {
        return FS_FAIL(err, FS_ERR_CONFIG, "target: url is missing");
    }
    if (o->concurrency < 1 || o->concurrency > CONCURRENCY_MAX) {
        return FS_FAIL(err, FS_ERR_CONFIG, "run: concurrency must be in 1..%d (got %d)",
                       CONCURRENCY_MAX, o->concurrency);
    }
    if (o->retries < 0 || o->timeout_ms < 0 || o->backoff_base_ms < 0 || o->backoff_max_ms < 0 ||
        !(o->rps >= 0)) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "run: retries, timeout_ms, backoff and rps must not be negative");
    }
    if (o->rps > 0 && o->rps < 0.001) {
        return FS_FAIL(err, FS_ERR_CONFIG, "run: rps must be 0 (unlimited) or at least 0.001");
    }
    return FS_OK;
}

fs_status fs_dispatch_run(const fs_target_spec *spec, const fs_dispatch_opts *opts,
                          fs_dispatch_next_fn next, fs_dispatch_done_fn done, void *payload,
                          fs_log_fn log, void *log_payload, fs_error *err)
{
    static const fs_dispatch_opts defaults = FS_DISPATCH_OPTS_INIT;
    dispatcher d;
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
    if (st != FS_OK && st == d.stop && (err == NULL || err->code != st)) {
        st = FS_FAIL(err, st, "dispatch stopped: %s", fs_status_text(st));
    }
    teardown(&d);
    return st;
}

fs_status fs_target_global_init(fs_error *err)
{
    CURLcode c = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (c != CURLE_OK) {
        return FS_FAIL(err, FS_ERR_INTERNAL, "cannot initialise libcurl: %s",
                       curl_easy_strerror(c));
    }
    return FS_OK;
}

void fs_target_global_cleanup(void)
{
    curl_global_cleanup();
}
