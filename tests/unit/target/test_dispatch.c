/* target.dispatch: the libcurl multi dispatcher against the reference model server (and a
 * scripted stub where exact replies matter): every request gets exactly one outcome,
 * transient failures are retried with backoff honouring Retry-After, final failures say
 * what happened, concurrency and rate limits hold, a stop request is obeyed, and the API
 * key is sent but never shown. Also the pure retry-policy helpers. */
#include "fs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../support/refmodel_fixture.h"
#include "fairshake/target.h"
#include "stub_server.h"
#include "target/internal.h"

#define MAX_REQ 256

typedef struct outcome {
    int calls;
    fs_status status;
    long http;
    int attempts;
    char error[256];
    int label;         /* parsed label of a 2xx answer; -1 none; -2 not parsed */
    bool parse_failed; /* the 2xx body was not a valid response */
} outcome;

typedef struct run_ctx {
    const fs_target_spec *spec;
    int total;
    int supplied;
    const char *bodies[MAX_REQ];
    size_t body_lens[MAX_REQ];
    outcome out[MAX_REQ];
    int order[MAX_REQ];
    int n_done;
    int stop_after; /* done() returns FS_ERR_CANCELLED at this many outcomes; 0: never */
    int idle_calls;
    int idle_fail_at; /* idle() returns FS_ERR_CANCELLED at this many calls; 0: never */
    long idle_cap_ms; /* what idle() asks the wait to last at most */
    int max_live;
    int n_logs;  /* warnings */
    int n_infos; /* information (concurrency changes, budget) */
    char first_log[256];
    char last_info[256];
    char all_text[4096]; /* every log line and error, to look for leaked secrets */
} run_ctx;

static bool next_req(fs_request *req, void *payload)
{
    run_ctx *c = payload;
    if (c->supplied >= c->total) {
        return false;
    }
    int i = c->supplied++;
    req->id = (uint64_t)i;
    req->body = c->bodies[i];
    req->body_len = c->body_lens[i];
    if (c->supplied - c->n_done > c->max_live) {
        c->max_live = c->supplied - c->n_done;
    }
    return true;
}

static void note_text(run_ctx *c, const char *s)
{
    size_t used = strlen(c->all_text);
    snprintf(c->all_text + used, sizeof c->all_text - used, "%s\n", s);
}

static fs_status on_done(const fs_response *r, void *payload)
{
    run_ctx *c = payload;
    CU_ASSERT_FATAL(r->id < MAX_REQ);
    outcome *o = &c->out[r->id];
    o->calls++;
    o->status = r->status;
    o->http = r->http_status;
    o->attempts = r->attempts;
    snprintf(o->error, sizeof o->error, "%s", r->error);
    note_text(c, r->error);
    CU_ASSERT(r->latency_ms >= 0.0);
    o->label = -2;
    if (r->status == FS_OK) {
        static const char *const labels[] = { "positive", "negative" };
        fs_target_answer a;
        CU_ASSERT_STRING_EQUAL(r->error, "");
        if (fs_target_parse_response(&a, c->spec, r->body, r->body_len, NULL) == FS_OK) {
            fs_parse_label(&o->label, a.text, strlen(a.text), labels, 2, NULL);
            fs_target_answer_dispose(&a);
        } else {
            o->parse_failed = true;
        }
    } else {
        CU_ASSERT_STRING_NOT_EQUAL(r->error, "");
    }
    c->order[c->n_done++] = (int)r->id;
    if (c->stop_after > 0 && c->n_done >= c->stop_after) {
        return FS_ERR_CANCELLED;
    }
    return FS_OK;
}

static void on_log(int level, const char *msg, void *payload)
{
    run_ctx *c = payload;
    CU_ASSERT(level == 0 || level == 1);
    note_text(c, msg);
    if (level == 0) {
        c->n_infos++;
        snprintf(c->last_info, sizeof c->last_info, "%s", msg);
        return;
    }
    if (c->n_logs++ == 0) {
        snprintf(c->first_log, sizeof c->first_log, "%s", msg);
    }
}

static const char chat_body[] =
    "{\"model\":\"nb-sentiment\",\"messages\":[{\"role\":\"user\",\"content\":"
    "\"Is this positive or negative? Text: a wonderful, moving film\"}]}";

static run_ctx *new_ctx(const fs_target_spec *spec, int total)
{
    run_ctx *c = calloc(1, sizeof *c);
    CU_ASSERT_FATAL(c != NULL);
    c->spec = spec;
    c->total = total;
    for (int i = 0; i < total; i++) {
        c->bodies[i] = chat_body;
        c->body_lens[i] = sizeof chat_body - 1;
    }
    return c;
}

static fs_target_spec chat_spec(char *url, size_t cap, const char *base, const char *path)
{
    snprintf(url, cap, "%s%s", base, path);
    fs_target_spec s = {
        .name = "candidate", .type = FS_TARGET_OPENAI_CHAT, .url = url, .model = "nb-sentiment"
    };
    return s;
}

static fs_dispatch_opts quick_opts(int concurrency, int retries)
{
    fs_dispatch_opts o = FS_DISPATCH_OPTS_INIT;
    o.concurrency = concurrency;
    o.retries = retries;
    o.timeout_ms = 10000;
    o.backoff_base_ms = 5;
    o.backoff_max_ms = 50;
    o.seed = 11;
    return o;
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1.0e6;
}

static void assert_each_done_once(const run_ctx *c)
{
    CU_ASSERT_EQUAL(c->supplied, c->total);
    CU_ASSERT_EQUAL(c->n_done, c->total);
    for (int i = 0; i < c->total; i++) {
        CU_ASSERT_EQUAL(c->out[i].calls, 1);
    }
}

/* ---- against the reference model -------------------------------------------------- */

typedef struct rm_run {
    fs_test_refmodel rm;
    char url[160];
    fs_target_spec spec;
    run_ctx *c;
} rm_run;

/* Start the reference model with args and prepare a context of total requests. */
static bool rm_begin(rm_run *r, const char *const *args, const char *path, int total)
{
    memset(r, 0, sizeof *r);
    if (!fs_test_refmodel_start(&r->rm, args)) {
        return false;
    }
    r->spec = chat_spec(r->url, sizeof r->url, r->rm.base_url, path);
    r->c = new_ctx(&r->spec, total);
    return true;
}

static void rm_end(rm_run *r)
{
    fs_test_refmodel_stop(&r->rm);
    free(r->c);
}

static void test_target_dispatch__all_requests_succeed(void)
{
    rm_run r;
    CU_ASSERT_FATAL(rm_begin(&r, NULL, "/v1/chat/completions", 200));
    fs_dispatch_opts opts = quick_opts(16, 3);
    fs_error err;
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, on_log, r.c, &err),
                    FS_OK);
    assert_each_done_once(r.c);
    /* Memory is bounded by the window: never more than 2 * concurrency live requests. */
    CU_ASSERT(r.c->max_live <= 32);
    CU_ASSERT_EQUAL(r.c->n_logs, 0);
    for (int i = 0; i < r.c->total; i++) {
        CU_ASSERT_EQUAL(r.c->out[i].status, FS_OK);
        CU_ASSERT_EQUAL(r.c->out[i].http, 200);
        CU_ASSERT_EQUAL(r.c->out[i].attempts, 1);
        CU_ASSERT(r.c->out[i].label == 0 || r.c->out[i].label == 1);
    }
    rm_end(&r);
}

static void test_target_dispatch__faults_and_drops_are_retried(void)
{
    static const char *const args[] = {
        "--fault-rate", "0.3", "--drop-rate", "0.05", "--retry-after", "0", "--seed", "5", NULL
    };
    rm_run r;
    CU_ASSERT_FATAL(rm_begin(&r, args, "/v1/chat/completions", 200));
    /* 0.35^13 per request: all 200 end well unless something is broken. */
    fs_dispatch_opts opts = quick_opts(16, 12);
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, on_log, r.c, NULL),
                    FS_OK);
    assert_each_done_once(r.c);
    int retried = 0;
    for (int i = 0; i < r.c->total; i++) {
        CU_ASSERT_EQUAL(r.c->out[i].status, FS_OK);
        CU_ASSERT_EQUAL(r.c->out[i].http, 200);
        retried += r.c->out[i].attempts > 1;
    }
    CU_ASSERT(retried > 20);
    CU_ASSERT(r.c->n_logs >= retried);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.c->first_log, "retrying request "));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.c->first_log, "(attempt 2/13, waiting "));
    CU_ASSERT(r.c->max_live <= 32);
    rm_end(&r);
}

static void test_target_dispatch__no_retries_reports_http_errors(void)
{
    static const char *const args[] = { "--fault-rate", "1.0", "--retry-after", "0", NULL };
    rm_run r;
    CU_ASSERT_FATAL(rm_begin(&r, args, "/v1/chat/completions", 30));
    fs_dispatch_opts opts = quick_opts(4, 0);
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, on_log, r.c, NULL),
                    FS_OK);
    assert_each_done_once(r.c);
    for (int i = 0; i < r.c->total; i++) {
        const outcome *o = &r.c->out[i];
        CU_ASSERT_EQUAL(o->status, FS_ERR_TARGET);
        CU_ASSERT(o->http == 429 || o->http == 500 || o->http == 503);
        CU_ASSERT_EQUAL(o->attempts, 1);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "HTTP %ld after 1 attempt: ", o->http);
        CU_ASSERT_EQUAL(strncmp(o->error, prefix, strlen(prefix)), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(o->error, "(injected fault)"));
    }
    CU_ASSERT_EQUAL(r.c->n_logs, 0);
    rm_end(&r);
}

static void test_target_dispatch__client_errors_are_final(void)
{
    rm_run r;
    CU_ASSERT_FATAL(rm_begin(&r, NULL, "/v1/no/such/path", 5));
    fs_dispatch_opts opts = quick_opts(2, 4);
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, on_log, r.c, NULL),
                    FS_OK);
    assert_each_done_once(r.c);
    for (int i = 0; i < r.c->total; i++) {
        CU_ASSERT_EQUAL(r.c->out[i].status, FS_ERR_TARGET);
        CU_ASSERT_EQUAL(r.c->out[i].http, 404);
        CU_ASSERT_EQUAL(r.c->out[i].attempts, 1);
        CU_ASSERT_STRING_EQUAL(r.c->out[i].error, "HTTP 404 after 1 attempt: Unknown path");
    }
    CU_ASSERT_EQUAL(r.c->n_logs, 0);
    rm_end(&r);
}

static void test_target_dispatch__malformed_bodies_are_delivered(void)
{
    static const char *const args[] = { "--malformed-rate", "1.0", NULL };
    rm_run r;
    CU_ASSERT_FATAL(rm_begin(&r, args, "/v1/chat/completions", 4));
    fs_dispatch_opts opts = quick_opts(2, 2);
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, NULL, NULL, NULL),
                    FS_OK);
    assert_each_done_once(r.c);
    for (int i = 0; i < r.c->total; i++) {
        /* The transport succeeded; parsing the answer is the caller's job and fails. */
        CU_ASSERT_EQUAL(r.c->out[i].status, FS_OK);
        CU_ASSERT_TRUE(r.c->out[i].parse_failed);
    }
    rm_end(&r);
}

static void test_target_dispatch__concurrency_is_respected(void)
{
    static const char *const args[] = { "--delay-ms", "100", NULL };
    rm_run r;
    CU_ASSERT_FATAL(rm_begin(&r, args, "/v1/chat/completions", 40));
    fs_dispatch_opts opts = quick_opts(8, 0);
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, NULL, NULL, NULL),
                    FS_OK);
    double elapsed = mono_ms() - t0;
    assert_each_done_once(r.c);
    for (int i = 0; i < r.c->total; i++) {
        CU_ASSERT_EQUAL(r.c->out[i].status, FS_OK);
    }
    /* 40 requests, 8 at a time, 100 ms each: 5 rounds. */
    CU_ASSERT(elapsed >= 480.0);
    CU_ASSERT(elapsed <= 5000.0);
    CU_ASSERT(r.c->max_live <= 16);
    rm_end(&r);
}

static void test_target_dispatch__stops_when_done_fails(void)
{
    static const char *const args[] = { "--delay-ms", "20", NULL };
    rm_run r;
    CU_ASSERT_FATAL(rm_begin(&r, args, "/v1/chat/completions", 200));
    r.c->stop_after = 5;
    fs_dispatch_opts opts = quick_opts(4, 0);
    fs_error err;
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, NULL, NULL, &err),
                    FS_ERR_CANCELLED);
    CU_ASSERT_EQUAL(err.code, FS_ERR_CANCELLED);
    CU_ASSERT_EQUAL(r.c->n_done, 5);
    CU_ASSERT(r.c->supplied <= 5 + 8);
    for (int i = 0; i < r.c->total; i++) {
        CU_ASSERT(r.c->out[i].calls <= 1);
    }
    rm_end(&r);
}

static fs_status on_idle(void *payload, long *wait_ms)
{
    run_ctx *c = payload;
    c->idle_calls++;
    *wait_ms = c->idle_cap_ms;
    return c->idle_fail_at > 0 && c->idle_calls >= c->idle_fail_at ? FS_ERR_CANCELLED : FS_OK;
}

/* idle() is called before every wait, its limit shortens the wait (here 300 ms of
 * answers are waited for in steps of at most 10 ms), and its error stops the dispatch. */
static void test_target_dispatch__idle_hook_bounds_waits_and_can_stop(void)
{
    static const char *const args[] = { "--delay-ms", "300", NULL };
    rm_run r;
    CU_ASSERT_FATAL(rm_begin(&r, args, "/v1/chat/completions", 2));
    fs_dispatch_opts opts = quick_opts(1, 0);
    opts.idle = on_idle;
    r.c->idle_cap_ms = 10;
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, NULL, NULL, NULL),
                    FS_OK);
    assert_each_done_once(r.c);
    CU_ASSERT(r.c->idle_calls >= 20); /* 600 ms / 10 ms, with room for a slow machine */
    rm_end(&r);

    CU_ASSERT_FATAL(rm_begin(&r, args, "/v1/chat/completions", 3));
    r.c->idle_cap_ms = -1;
    r.c->idle_fail_at = 1;
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, NULL, NULL, NULL),
                    FS_ERR_CANCELLED);
    CU_ASSERT_EQUAL(r.c->idle_calls, 1);
    CU_ASSERT_EQUAL(r.c->n_done, 0);
    rm_end(&r);
}

static void test_target_dispatch__slow_answer_times_out(void)
{
    static const char *const args[] = { "--delay-ms", "1200", NULL };
    rm_run r;
    CU_ASSERT_FATAL(rm_begin(&r, args, "/v1/chat/completions", 2));
    fs_dispatch_opts opts = quick_opts(2, 1);
    opts.timeout_ms = 150;
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, NULL, NULL, NULL),
                    FS_OK);
    double elapsed = mono_ms() - t0;
    assert_each_done_once(r.c);
    for (int i = 0; i < r.c->total; i++) {
        CU_ASSERT_EQUAL(r.c->out[i].status, FS_ERR_TARGET);
        CU_ASSERT_EQUAL(r.c->out[i].attempts, 2);
        CU_ASSERT_EQUAL(
            strncmp(r.c->out[i].error, "transport: Timeout was reached after 2 attempts", 47), 0);
    }
    /* Two attempts of 150 ms and a short backoff: libcurl's deadline wakes the loop, no
     * byte from the server is needed to notice it. */
    CU_ASSERT(elapsed >= 290.0);
    CU_ASSERT(elapsed < 1100.0);
    rm_end(&r);
}

/* ---- without a server ------------------------------------------------------------- */

static void test_target_dispatch__connection_refused_is_a_transport_error(void)
{
    char base[64], url[128];
    int port = stub_closed_port();
    CU_ASSERT_FATAL(port > 0);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    fs_target_spec spec = chat_spec(url, sizeof url, base, "/v1/chat/completions");
    run_ctx *c = new_ctx(&spec, 3);
    fs_dispatch_opts opts = quick_opts(2, 2);
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, next_req, on_done, c, on_log, c, NULL), FS_OK);
    assert_each_done_once(c);
    for (int i = 0; i < c->total; i++) {
        CU_ASSERT_EQUAL(c->out[i].status, FS_ERR_TARGET);
        CU_ASSERT_EQUAL(c->out[i].http, 0);
        CU_ASSERT_EQUAL(c->out[i].attempts, 3);
        CU_ASSERT_EQUAL(
            strncmp(c->out[i].error, "transport: Couldn't connect to server after 3 attempts", 54),
            0);
    }
    CU_ASSERT_EQUAL(c->n_logs, 6);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->first_log, "after transport error: Couldn't connect"));
    free(c);
}

/* A server that never replies (a wrong port) stops the dispatch once no attempt has had a
 * reply for fail_fast_unreachable_ms over two waves of the window (at least 10 attempts),
 * instead of working through every request's retries; one that replies, even with
 * errors, does not; 0 turns it off. */
static void test_target_dispatch__never_answered_stops_early(void)
{
    char base[64], url[128];
    int port = stub_closed_port();
    CU_ASSERT_FATAL(port > 0);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    fs_target_spec spec = chat_spec(url, sizeof url, base, "/v1/chat/completions");
    run_ctx *c = new_ctx(&spec, 100);
    fs_dispatch_opts opts = quick_opts(8, 5);
    opts.fail_fast_unreachable_ms = 200;
    fs_error err;
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, next_req, on_done, c, NULL, NULL, &err),
                    FS_ERR_TARGET);
    CU_ASSERT(mono_ms() - t0 >= 200.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "fail_fast: no reply to any of "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, base));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Couldn't connect"));
    CU_ASSERT(c->supplied < 100);
    for (int i = 0; i < c->total; i++) {
        CU_ASSERT(c->out[i].calls <= 1);
    }
    free(c);
    /* turned off: every request runs out of retries and is reported */
    c = new_ctx(&spec, 6);
    opts = quick_opts(2, 2);
    opts.fail_fast_unreachable_ms = 0;
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, next_req, on_done, c, NULL, NULL, NULL), FS_OK);
    assert_each_done_once(c);
    free(c);

    static const char *const args[] = { "--fault-rate", "1", "--retry-after", "0", NULL };
    rm_run r;
    CU_ASSERT_FATAL(rm_begin(&r, args, "/v1/chat/completions", 40));
    opts = quick_opts(8, 1);
    opts.fail_fast_unreachable_ms = 1;
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &opts, next_req, on_done, r.c, NULL, NULL, NULL),
                    FS_OK);
    assert_each_done_once(r.c);
    rm_end(&r);
}

static bool count_next(fs_request *req, void *payload)
{
    (*(int *)payload)++;
    (void)req;
    return false;
}

static fs_status never_done(const fs_response *r, void *payload)
{
    (void)r;
    (void)payload;
    CU_FAIL("done() called");
    return FS_OK;
}

static void test_target_dispatch__missing_api_key_is_a_config_error(void)
{
    fs_target_spec spec = { .name = "candidate",
                            .type = FS_TARGET_OPENAI_CHAT,
                            .url = "http://127.0.0.1:1/v1/chat/completions",
                            .model = "m",
                            .api_key_env = "FS_TEST_TARGET_NO_SUCH_KEY" };
    fs_dispatch_opts opts = quick_opts(2, 0);
    fs_error err;
    int nexts = 0;
    unsetenv("FS_TEST_TARGET_NO_SUCH_KEY");
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, count_next, never_done, &nexts, NULL, NULL, &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "FS_TEST_TARGET_NO_SUCH_KEY is not set"));
    setenv("FS_TEST_TARGET_NO_SUCH_KEY", "", 1);
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, count_next, never_done, &nexts, NULL, NULL, &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "FS_TEST_TARGET_NO_SUCH_KEY is empty"));
    unsetenv("FS_TEST_TARGET_NO_SUCH_KEY");
    CU_ASSERT_EQUAL(nexts, 0);
    spec.api_key_env = NULL;
    opts.rps = 0.0001;
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, count_next, never_done, &nexts, NULL, NULL, &err),
                    FS_ERR_CONFIG);
    opts.rps = 0;
    opts.concurrency = 0;
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, count_next, never_done, &nexts, NULL, NULL, &err),
                    FS_ERR_CONFIG);
}

static void test_target_dispatch__empty_input_finishes(void)
{
    fs_target_spec spec = { .name = "candidate",
                            .type = FS_TARGET_OPENAI_CHAT,
                            .url = "http://127.0.0.1:1/v1/chat/completions",
                            .model = "m" };
    fs_dispatch_opts opts = quick_opts(3, 0);
    int nexts = 0;
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, count_next, never_done, &nexts, NULL, NULL, NULL),
                    FS_OK);
    CU_ASSERT_EQUAL(nexts, 1);
}

/* ---- against the scripted stub ---------------------------------------------------- */

static const char ok_json[] =
    "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"positive\"}}]}";

/* First request: 429 (Retry-After 0), then 400 with an OpenAI error body. */
static stub_reply reply_429_then_400(const char *body, size_t n, int nth, void *payload)
{
    (void)body;
    (void)n;
    (void)payload;
    if (nth == 0) {
        return (stub_reply){ 429, "Retry-After: 0\r\n", "{\"error\":{\"message\":\"slow down\"}}" };
    }
    return (stub_reply){ 400, NULL,
                         "{\"error\":{\"message\":\"bad model\",\"type\":\"invalid_request\"}}" };
}

static void test_target_dispatch__api_key_is_sent_never_shown(void)
{
    int port = 0;
    stub_server *s = stub_start(reply_429_then_400, NULL, &port);
    CU_ASSERT_FATAL(s != NULL);
    char base[64], url[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    fs_target_spec spec = chat_spec(url, sizeof url, base, "/v1/chat/completions");
    spec.api_key_env = "FS_TEST_TARGET_KEY";
    setenv("FS_TEST_TARGET_KEY", "sk-secret-4242", 1);
    run_ctx *c = new_ctx(&spec, 1);
    fs_dispatch_opts opts = quick_opts(1, 3);
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, next_req, on_done, c, on_log, c, NULL), FS_OK);
    unsetenv("FS_TEST_TARGET_KEY");
    stub_stop(s);
    CU_ASSERT_STRING_EQUAL(stub_last_auth(s), "Bearer sk-secret-4242");
    CU_ASSERT_EQUAL(stub_requests(s), 2);
    CU_ASSERT_EQUAL(c->out[0].status, FS_ERR_TARGET);
    CU_ASSERT_EQUAL(c->out[0].http, 400);
    CU_ASSERT_EQUAL(c->out[0].attempts, 2);
    CU_ASSERT_STRING_EQUAL(c->out[0].error, "HTTP 400 after 2 attempts: bad model");
    CU_ASSERT_EQUAL(c->n_logs, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->first_log, "retrying request 0 after HTTP 429 (attempt 2/4"));
    CU_ASSERT_PTR_NULL(strstr(c->all_text, "sk-secret"));
    stub_free(s);
    free(c);
}

/* Bodies containing "slow" get 503 with Retry-After: 1 the first time; all else is 200. */
static stub_reply reply_slow_once(const char *body, size_t n, int nth, void *payload)
{
    int *slow_seen = payload;
    (void)nth;
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 255 ? n : 255), body);
    if (strstr(tmp, "slow") != NULL && (*slow_seen)++ == 0) {
        return (stub_reply){ 503, "Retry-After: 1\r\n", "{\"error\":{\"message\":\"busy\"}}" };
    }
    return (stub_reply){ 200, NULL, ok_json };
}

static void test_target_dispatch__waiting_retry_does_not_block(void)
{
    int port = 0, slow_seen = 0;
    stub_server *s = stub_start(reply_slow_once, &slow_seen, &port);
    CU_ASSERT_FATAL(s != NULL);
    char base[64], url[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    fs_target_spec spec = chat_spec(url, sizeof url, base, "/v1/chat/completions");
    run_ctx *c = new_ctx(&spec, 5);
    c->bodies[0] = "{\"x\":\"slow\"}";
    c->body_lens[0] = strlen(c->bodies[0]);
    fs_dispatch_opts opts = quick_opts(1, 3);
    opts.backoff_base_ms = 1;
    opts.backoff_max_ms = 5000;
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, next_req, on_done, c, on_log, c, NULL), FS_OK);
    double elapsed = mono_ms() - t0;
    stub_stop(s);
    assert_each_done_once(c);
    /* With one slot, the four other requests finished while request 0 waited. */
    CU_ASSERT_EQUAL(c->order[4], 0);
    CU_ASSERT_EQUAL(c->out[0].status, FS_OK);
    CU_ASSERT_EQUAL(c->out[0].attempts, 2);
    CU_ASSERT_EQUAL(c->out[0].label, 0);
    /* Retry-After: 1 was honoured as a minimum wait. */
    CU_ASSERT(elapsed >= 950.0);
    CU_ASSERT(elapsed <= 5000.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->first_log, "after HTTP 503 (attempt 2/4, waiting 1000 ms)"));
    stub_free(s);
    free(c);
}

/* 429 with a long Retry-After, then 200. */
static stub_reply reply_429_long(const char *body, size_t n, int nth, void *payload)
{
    (void)body;
    (void)n;
    (void)payload;
    if (nth == 0) {
        return (stub_reply){ 429, "Retry-After: 30\r\n", "" };
    }
    return (stub_reply){ 200, NULL, ok_json };
}

static void test_target_dispatch__retry_after_is_capped(void)
{
    int port = 0;
    stub_server *s = stub_start(reply_429_long, NULL, &port);
    CU_ASSERT_FATAL(s != NULL);
    char base[64], url[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    fs_target_spec spec = chat_spec(url, sizeof url, base, "/v1/chat/completions");
    run_ctx *c = new_ctx(&spec, 1);
    fs_dispatch_opts opts = quick_opts(1, 1);
    opts.backoff_max_ms = 20;
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, next_req, on_done, c, on_log, c, NULL), FS_OK);
    double elapsed = mono_ms() - t0;
    stub_stop(s);
    CU_ASSERT_EQUAL(c->out[0].status, FS_OK);
    CU_ASSERT_EQUAL(c->out[0].attempts, 2);
    CU_ASSERT(elapsed < 3000.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->first_log, "waiting 20 ms"));
    stub_free(s);
    free(c);
}

static stub_reply reply_ok(const char *body, size_t n, int nth, void *payload)
{
    (void)body;
    (void)n;
    (void)nth;
    (void)payload;
    return (stub_reply){ 200, NULL, ok_json };
}

static void test_target_dispatch__rate_limit_spaces_starts(void)
{
    int port = 0;
    stub_server *s = stub_start(reply_ok, NULL, &port);
    CU_ASSERT_FATAL(s != NULL);
    char base[64], url[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    fs_target_spec spec = chat_spec(url, sizeof url, base, "/v1/chat/completions");
    run_ctx *c = new_ctx(&spec, 10);
    fs_dispatch_opts opts = quick_opts(4, 0);
    opts.rps = 20.0;
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, next_req, on_done, c, NULL, NULL, NULL), FS_OK);
    double elapsed = mono_ms() - t0;
    stub_stop(s);
    assert_each_done_once(c);
    CU_ASSERT_EQUAL(stub_requests(s), 10);
    /* Ten starts at 20 per second: the last starts 450 ms after the first. */
    CU_ASSERT(elapsed >= 440.0);
    CU_ASSERT(elapsed <= 3000.0);
    stub_free(s);
    free(c);
}

static void test_target_dispatch__freed_slot_is_reused_at_once(void)
{
    int port = 0;
    stub_server *s = stub_start(reply_ok, NULL, &port);
    CU_ASSERT_FATAL(s != NULL);
    char base[64], url[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    fs_target_spec spec = chat_spec(url, sizeof url, base, "/v1/chat/completions");
    run_ctx *c = new_ctx(&spec, 20);
    fs_dispatch_opts opts = quick_opts(1, 0);
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, next_req, on_done, c, NULL, NULL, NULL), FS_OK);
    double elapsed = mono_ms() - t0;
    stub_stop(s);
    assert_each_done_once(c);
    /* One slot, twenty quick answers: no idle sleeps between them or at the end. */
    CU_ASSERT(elapsed < 900.0);
    CU_ASSERT_EQUAL(stub_requests(s), 20);
    for (int i = 0; i < c->total; i++) {
        CU_ASSERT_EQUAL(c->order[i], i);
        CU_ASSERT_EQUAL(c->out[i].label, 0);
    }
    stub_free(s);
    free(c);
}

static stub_reply reply_ok_close(const char *body, size_t n, int nth, void *payload)
{
    (void)body;
    (void)n;
    (void)nth;
    (void)payload;
    return (stub_reply){ 200, "Connection: close\r\n", ok_json };
}

static void test_target_dispatch__closed_connections_are_replaced(void)
{
    int port = 0;
    stub_server *s = stub_start(reply_ok_close, NULL, &port);
    CU_ASSERT_FATAL(s != NULL);
    char base[64], url[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    fs_target_spec spec = chat_spec(url, sizeof url, base, "/v1/chat/completions");
    run_ctx *c = new_ctx(&spec, 60);
    fs_dispatch_opts opts = quick_opts(3, 0);
    opts.timeout_ms = 3000;
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &opts, next_req, on_done, c, NULL, NULL, NULL), FS_OK);
    stub_stop(s);
    /* Every answer closes its connection: each request opens a socket, often with the
     * descriptor number of one just closed, and must still be watched (no timeout). */
    assert_each_done_once(c);
    CU_ASSERT_EQUAL(stub_requests(s), 60);
    for (int i = 0; i < c->total; i++) {
        CU_ASSERT_EQUAL(c->out[i].status, FS_OK);
        CU_ASSERT_EQUAL(c->out[i].attempts, 1);
        CU_ASSERT_EQUAL(c->out[i].label, 0);
    }
    stub_free(s);
    free(c);
}

/* ---- retry policy helpers --------------------------------------------------------- */

static void test_target_dispatch__backoff_has_full_jitter(void)
{
    fs_rng a, b;
    fs_rng_seed(&a, 3);
    fs_rng_seed(&b, 3);
    long max1 = 0, max5 = 0, min5 = 1L << 30;
    for (int i = 0; i < 2000; i++) {
        long v1 = fs_target__backoff_ms(&a, 1, 100, 1000);
        CU_ASSERT_EQUAL(v1, fs_target__backoff_ms(&b, 1, 100, 1000));
        CU_ASSERT(v1 >= 0 && v1 <= 100);
        max1 = v1 > max1 ? v1 : max1;
        long v5 = fs_target__backoff_ms(&a, 5, 100, 1000);
        fs_target__backoff_ms(&b, 5, 100, 1000);
        CU_ASSERT(v5 >= 0 && v5 <= 1000);
        max5 = v5 > max5 ? v5 : max5;
        min5 = v5 < min5 ? v5 : min5;
    }
    CU_ASSERT(max1 >= 95);
    CU_ASSERT(max5 >= 950);
    CU_ASSERT(min5 <= 50);
    CU_ASSERT(fs_target__backoff_ms(&a, 3, 0, 1000) == 0);
    /* Attempt 3 with base 100: cap 400. */
    for (int i = 0; i < 500; i++) {
        CU_ASSERT(fs_target__backoff_ms(&a, 3, 100, 30000) <= 400);
    }
    CU_ASSERT(fs_target__backoff_ms(&a, 60, 100, 30000) <= 30000);
}

static void test_target_dispatch__retry_after_parsing(void)
{
    /* 2015-10-21 07:28:00 UTC */
    time_t when = (time_t)1445412480;
    CU_ASSERT_EQUAL(fs_target__retry_after_ms("120", when), 120000);
    CU_ASSERT_EQUAL(fs_target__retry_after_ms(" 3 \r\n", when), 3000);
    CU_ASSERT_EQUAL(fs_target__retry_after_ms("0", when), 0);
    CU_ASSERT_EQUAL(fs_target__retry_after_ms("Wed, 21 Oct 2015 07:28:05 GMT", when), 5000);
    CU_ASSERT_EQUAL(fs_target__retry_after_ms("Wed, 21 Oct 2015 07:27:00 GMT", when), 0);
    CU_ASSERT_EQUAL(fs_target__retry_after_ms("soon", when), -1);
    CU_ASSERT_EQUAL(fs_target__retry_after_ms("-5", when), -1);
    CU_ASSERT_EQUAL(fs_target__retry_after_ms("", when), -1);
    CU_ASSERT(fs_target__retry_after_ms("99999999999999999999", when) > 1000000);
}

static void test_target_dispatch__retryable_statuses(void)
{
    static const long yes[] = { 408, 429, 500, 502, 503, 504, 599 };
    static const long no[] = { 200, 301, 400, 401, 403, 404, 409, 422, 600 };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        CU_ASSERT_TRUE(fs_target__retryable_http(yes[i]));
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        CU_ASSERT_FALSE(fs_target__retryable_http(no[i]));
    }
}

static void test_target_dispatch__error_summary(void)
{
    char out[256];
    const char *j = "{\"error\":{\"message\":\"Rate limit\\nreached\",\"type\":\"requests\"}}";
    fs_target__error_summary(out, sizeof out, j, strlen(j));
    CU_ASSERT_STRING_EQUAL(out, "Rate limit reached");
    const char *s = "{\"error\":\"plain string\"}";
    fs_target__error_summary(out, sizeof out, s, strlen(s));
    CU_ASSERT_STRING_EQUAL(out, "plain string");
    fs_target__error_summary(out, sizeof out, "<html>\nBad Gateway</html>", 25);
    CU_ASSERT_STRING_EQUAL(out, "<html> Bad Gateway</html>");
    /* 199 ASCII bytes then "é": the cut at 200 bytes must not split the character. */
    char big[400];
    memset(big, 'a', 199);
    memcpy(big + 199, "\xc3\xa9zzzz", 6);
    fs_target__error_summary(out, sizeof out, big, 205);
    CU_ASSERT_EQUAL(strlen(out), 199);
    fs_target__error_summary(out, sizeof out, "", 0);
    CU_ASSERT_STRING_EQUAL(out, "");
}

const fs_test_case fs_target_dispatch_tests[] = {
    { "test_target_dispatch__all_requests_succeed", test_target_dispatch__all_requests_succeed },
    { "test_target_dispatch__faults_and_drops_are_retried",
      test_target_dispatch__faults_and_drops_are_retried },
    { "test_target_dispatch__no_retries_reports_http_errors",
      test_target_dispatch__no_retries_reports_http_errors },
    { "test_target_dispatch__client_errors_are_final",
      test_target_dispatch__client_errors_are_final },
    { "test_target_dispatch__malformed_bodies_are_delivered",
      test_target_dispatch__malformed_bodies_are_delivered },
    { "test_target_dispatch__concurrency_is_respected",
      test_target_dispatch__concurrency_is_respected },
    { "test_target_dispatch__stops_when_done_fails", test_target_dispatch__stops_when_done_fails },
    { "test_target_dispatch__never_answered_stops_early",
      test_target_dispatch__never_answered_stops_early },
    { "test_target_dispatch__idle_hook_bounds_waits_and_can_stop",
      test_target_dispatch__idle_hook_bounds_waits_and_can_stop },
    { "test_target_dispatch__slow_answer_times_out", test_target_dispatch__slow_answer_times_out },
    { "test_target_dispatch__connection_refused_is_a_transport_error",
      test_target_dispatch__connection_refused_is_a_transport_error },
    { "test_target_dispatch__missing_api_key_is_a_config_error",
      test_target_dispatch__missing_api_key_is_a_config_error },
    { "test_target_dispatch__empty_input_finishes", test_target_dispatch__empty_input_finishes },
    { "test_target_dispatch__api_key_is_sent_never_shown",
      test_target_dispatch__api_key_is_sent_never_shown },
    { "test_target_dispatch__waiting_retry_does_not_block",
      test_target_dispatch__waiting_retry_does_not_block },
    { "test_target_dispatch__retry_after_is_capped", test_target_dispatch__retry_after_is_capped },
    { "test_target_dispatch__rate_limit_spaces_starts",
      test_target_dispatch__rate_limit_spaces_starts },
    { "test_target_dispatch__freed_slot_is_reused_at_once",
      test_target_dispatch__freed_slot_is_reused_at_once },
    { "test_target_dispatch__closed_connections_are_replaced",
      test_target_dispatch__closed_connections_are_replaced },
    { "test_target_dispatch__backoff_has_full_jitter",
      test_target_dispatch__backoff_has_full_jitter },
    { "test_target_dispatch__retry_after_parsing", test_target_dispatch__retry_after_parsing },
    { "test_target_dispatch__retryable_statuses", test_target_dispatch__retryable_statuses },
    { "test_target_dispatch__error_summary", test_target_dispatch__error_summary },
    { NULL, NULL },
};
