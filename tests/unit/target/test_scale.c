/* target.scale: the dispatcher at scale against the scripted stub server and a local
 * exec program: 429s lower the concurrency and pause starts until the reset headers say,
 * it grows back after successes, fail-fast stops on an exhausted quota or a dead server,
 * budgets stop cleanly with every taken request answered, tpm holds, replicas share the
 * load by outstanding requests, rest targets send their template and expanded headers,
 * and exec targets answer, restart after a crash, time out, and run in parallel. */
#include "fs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fairshake/target.h"
#include "stub_server.h"

#define MAX_REQ 128

typedef struct res {
    int calls;
    fs_status status;
    long http;
    int attempts;
    int replica;
    int64_t prompt_tokens;
    char error[256];
    char text[128]; /* the parsed answer */
} res;

typedef struct ctx {
    const fs_target_spec *spec;
    int total, supplied, n_done;
    const char *bodies[MAX_REQ];
    res out[MAX_REQ];
    int n_warn, n_info;
    char infos[2048];
    char all_text[4096];
} ctx;

static bool next_req(fs_request *req, void *payload)
{
    ctx *c = payload;
    if (c->supplied >= c->total) {
        return false;
    }
    int i = c->supplied++;
    req->id = (uint64_t)i;
    req->body = c->bodies[i];
    req->body_len = strlen(c->bodies[i]);
    return true;
}

static void append(char *buf, size_t cap, const char *s)
{
    size_t used = strlen(buf);
    snprintf(buf + used, cap - used, "%s\n", s);
}

static fs_status on_done(const fs_response *r, void *payload)
{
    ctx *c = payload;
    CU_ASSERT_FATAL(r->id < MAX_REQ);
    res *o = &c->out[r->id];
    o->calls++;
    o->status = r->status;
    o->http = r->http_status;
    o->attempts = r->attempts;
    o->replica = r->replica;
    o->prompt_tokens = r->prompt_tokens;
    CU_ASSERT(r->latency_ms >= 0.0);
    CU_ASSERT(r->status != FS_OK || r->ttfb_ms <= r->latency_ms + 1.0);
    snprintf(o->error, sizeof o->error, "%s", r->error);
    append(c->all_text, sizeof c->all_text, r->error);
    fs_target_answer a;
    if (r->status == FS_OK &&
        fs_target_parse_response(&a, c->spec, r->body, r->body_len, NULL) == FS_OK) {
        snprintf(o->text, sizeof o->text, "%s", a.text);
        fs_target_answer_dispose(&a);
    }
    c->n_done++;
    return FS_OK;
}

static void on_log(int level, const char *msg, void *payload)
{
    ctx *c = payload;
    if (level == 0) {
        c->n_info++;
        append(c->infos, sizeof c->infos, msg);
    } else {
        c->n_warn++;
    }
    append(c->all_text, sizeof c->all_text, msg);
}

static const char chat_body[] = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
static const char ok_json[] = "{\"choices\":[{\"message\":{\"content\":\"positive\"}}],"
                              "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5}}";

static ctx *new_ctx(const fs_target_spec *spec, int total, const char *body)
{
    ctx *c = calloc(1, sizeof *c);
    CU_ASSERT_FATAL(c != NULL);
    c->spec = spec;
    c->total = total;
    for (int i = 0; i < total; i++) {
        c->bodies[i] = body;
    }
    return c;
}

static fs_dispatch_opts opts_of(int concurrency, int retries)
{
    fs_dispatch_opts o = FS_DISPATCH_OPTS_INIT;
    o.concurrency = concurrency;
    o.retries = retries;
    o.timeout_ms = 10000;
    o.backoff_base_ms = 1;
    o.backoff_max_ms = 2000;
    o.seed = 7;
    return o;
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1.0e6;
}

/* A stub and a chat spec pointing at it. */
typedef struct stub_run {
    stub_server *s;
    char url[96];
    fs_target_spec spec;
} stub_run;

static void stub_begin(stub_run *r, stub_handler h, void *payload)
{
    int port = 0;
    memset(r, 0, sizeof *r);
    r->s = stub_start(h, payload, &port);
    CU_ASSERT_FATAL(r->s != NULL);
    snprintf(r->url, sizeof r->url, "http://127.0.0.1:%d/v1/chat/completions", port);
    r->spec.name = "candidate";
    r->spec.type = FS_TARGET_OPENAI_CHAT;
    r->spec.url = r->url;
}

/* Stop the stub; its counters stay readable until stub_free(). */
static void stub_end(stub_run *r)
{
    stub_stop(r->s);
}

static void assert_all_ok_once(const ctx *c)
{
    CU_ASSERT_EQUAL(c->n_done, c->total);
    for (int i = 0; i < c->total; i++) {
        CU_ASSERT_EQUAL(c->out[i].calls, 1);
        CU_ASSERT_EQUAL(c->out[i].status, FS_OK);
    }
}

/* ---- 429 handling and adaptive concurrency ---------------------------------------- */

static stub_reply reply_first4_429(const char *body, size_t n, int nth, void *payload)
{
    (void)body;
    (void)n;
    (void)payload;
    if (nth < 4) {
        return (stub_reply){ 429, "x-ratelimit-reset-requests: 300ms\r\n", "{}" };
    }
    return (stub_reply){ 200, NULL, ok_json };
}

static void test_target_scale__429_halves_concurrency_and_pauses(void)
{
    stub_run r;
    stub_begin(&r, reply_first4_429, NULL);
    ctx *c = new_ctx(&r.spec, 24, chat_body);
    fs_dispatch_opts o = opts_of(8, 5);
    o.grow_after = 100;
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &o, next_req, on_done, c, on_log, c, NULL), FS_OK);
    double elapsed = mono_ms() - t0;
    stub_end(&r);
    assert_all_ok_once(c);
    /* Eight requests left together: the four 429s cut once, to 4. */
    CU_ASSERT_EQUAL(c->n_info, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->infos, "concurrency lowered to 4 of 8 after HTTP 429"));
    /* The reset header paused every start for 300 ms. */
    CU_ASSERT(elapsed >= 290.0);
    CU_ASSERT(elapsed < 5000.0);
    stub_free(r.s);
    free(c);
}

static stub_reply reply_first_429(const char *body, size_t n, int nth, void *payload)
{
    (void)body;
    (void)n;
    (void)payload;
    if (nth == 0) {
        return (stub_reply){ 429, "Retry-After: 0\r\n", "{}" };
    }
    return (stub_reply){ 200, NULL, ok_json };
}

static void test_target_scale__concurrency_grows_back(void)
{
    stub_run r;
    stub_begin(&r, reply_first_429, NULL);
    ctx *c = new_ctx(&r.spec, 30, chat_body);
    fs_dispatch_opts o = opts_of(4, 3);
    o.grow_after = 3;
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &o, next_req, on_done, c, on_log, c, NULL), FS_OK);
    stub_end(&r);
    assert_all_ok_once(c);
    CU_ASSERT_EQUAL(c->n_info, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->infos, "concurrency lowered to 2 of 4 after HTTP 429\n"
                                            "concurrency raised to 3 of 4\n"
                                            "concurrency raised to 4 of 4\n"));
    stub_free(r.s);
    free(c);
}

/* ---- fail-fast -------------------------------------------------------------------- */

static stub_reply reply_quota_gone(const char *body, size_t n, int nth, void *payload)
{
    (void)body;
    (void)n;
    (void)nth;
    (void)payload;
    return (stub_reply){ 429, "Retry-After: 3600\r\n",
                         "{\"error\":{\"message\":\"You exceeded your current quota\"}}" };
}

static void test_target_scale__fail_fast_on_exhausted_quota(void)
{
    stub_run r;
    stub_begin(&r, reply_quota_gone, NULL);
    ctx *c = new_ctx(&r.spec, 20, chat_body);
    fs_dispatch_opts o = opts_of(2, 5);
    o.fail_fast_retry_after_ms = 60000;
    fs_error err;
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &o, next_req, on_done, c, on_log, c, &err),
                    FS_ERR_TARGET);
    double elapsed = mono_ms() - t0;
    stub_end(&r);
    CU_ASSERT_EQUAL(err.code, FS_ERR_TARGET);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "target 'candidate': fail_fast: HTTP 429 asks to wait "
                                           "3600 s (over 60 s)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "store is intact"));
    CU_ASSERT_EQUAL(c->n_done, 0);
    CU_ASSERT(elapsed < 2000.0);
    /* Without fail-fast the same server is retried (capped wait) and recorded. */
    stub_free(r.s);
    free(c);
    stub_begin(&r, reply_quota_gone, NULL);
    c = new_ctx(&r.spec, 2, chat_body);
    o.fail_fast_retry_after_ms = 0;
    o.retries = 1;
    o.backoff_max_ms = 10;
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &o, next_req, on_done, c, NULL, NULL, NULL), FS_OK);
    stub_end(&r);
    CU_ASSERT_EQUAL(c->n_done, 2);
    CU_ASSERT_EQUAL(c->out[0].http, 429);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->out[0].error, "You exceeded your current quota"));
    stub_free(r.s);
    free(c);
}

static void test_target_scale__fail_fast_after_failures_in_row(void)
{
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/chat/completions", stub_closed_port());
    fs_target_spec spec = { .name = "down", .type = FS_TARGET_OPENAI_CHAT, .url = url };
    ctx *c = new_ctx(&spec, 10, chat_body);
    fs_dispatch_opts o = opts_of(2, 10);
    o.fail_fast_failures = 5;
    fs_error err;
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &o, next_req, on_done, c, on_log, c, &err),
                    FS_ERR_TARGET);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "target 'down': fail_fast: 5 failed requests in a row"));
    CU_ASSERT_EQUAL(c->n_done, 0);
    free(c);
}

/* ---- budgets and tpm -------------------------------------------------------------- */

static stub_reply reply_ok(const char *body, size_t n, int nth, void *payload)
{
    (void)body;
    (void)n;
    (void)nth;
    (void)payload;
    return (stub_reply){ 200, NULL, ok_json };
}

static void test_target_scale__max_requests_stops_cleanly(void)
{
    stub_run r;
    stub_begin(&r, reply_ok, NULL);
    ctx *c = new_ctx(&r.spec, 50, chat_body);
    fs_dispatch_opts o = opts_of(4, 0);
    o.max_requests = 10;
    fs_error err;
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &o, next_req, on_done, c, on_log, c, &err),
                    FS_ERR_LIMIT);
    stub_end(&r);
    CU_ASSERT_EQUAL(err.code, FS_ERR_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "budget reached after 10 requests"));
    CU_ASSERT_EQUAL(c->supplied, 10);
    CU_ASSERT_EQUAL(c->n_done, 10);
    CU_ASSERT_EQUAL(stub_requests(r.s), 10);
    for (int i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(c->out[i].calls, 1);
        CU_ASSERT_EQUAL(c->out[i].prompt_tokens, 10);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(c->infos, "budget: max_requests 10 reached"));
    stub_free(r.s);
    free(c);
}

static void test_target_scale__max_tokens_counts_usage(void)
{
    stub_run r;
    stub_begin(&r, reply_ok, NULL);
    ctx *c = new_ctx(&r.spec, 50, chat_body);
    fs_dispatch_opts o = opts_of(1, 0);
    o.max_tokens = 100; /* 15 tokens per answer: the 7th reaches 105 */
    fs_error err;
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &o, next_req, on_done, c, on_log, c, &err),
                    FS_ERR_LIMIT);
    stub_end(&r);
    CU_ASSERT_EQUAL(c->n_done, 7);
    CU_ASSERT_EQUAL(c->supplied, 7);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "105 tokens"));
    stub_free(r.s);
    free(c);
}

static stub_reply reply_big_usage(const char *body, size_t n, int nth, void *payload)
{
    (void)body;
    (void)n;
    (void)nth;
    (void)payload;
    return (stub_reply){ 200, NULL,
                         "{\"choices\":[{\"message\":{\"content\":\"x\"}}],"
                         "\"usage\":{\"prompt_tokens\":2000,\"completion_tokens\":50}}" };
}

static void test_target_scale__tpm_waits_for_tokens(void)
{
    stub_run r;
    stub_begin(&r, reply_big_usage, NULL);
    ctx *c = new_ctx(&r.spec, 4, chat_body);
    fs_dispatch_opts o = opts_of(1, 0);
    o.tpm = 6000; /* 100 tokens per second, 6000 at first */
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&r.spec, &o, next_req, on_done, c, NULL, NULL, NULL), FS_OK);
    double elapsed = mono_ms() - t0;
    stub_end(&r);
    assert_all_ok_once(c);
    /* 3 x 2050 tokens leave a debt of 150: the 4th waits 1.5 s. */
    CU_ASSERT(elapsed >= 1400.0);
    CU_ASSERT(elapsed < 5000.0);
    stub_free(r.s);
    free(c);
}

/* ---- replicas --------------------------------------------------------------------- */

static stub_reply reply_slowly(const char *body, size_t n, int nth, void *payload)
{
    (void)payload;
    struct timespec ts = { 0, 40000000L };
    nanosleep(&ts, NULL);
    return reply_ok(body, n, nth, NULL);
}

static void test_target_scale__replicas_least_outstanding(void)
{
    stub_run a, b;
    stub_begin(&a, reply_slowly, NULL);
    stub_begin(&b, reply_ok, NULL);
    const char *urls[] = { a.url, b.url };
    fs_target_spec spec = {
        .name = "pool", .type = FS_TARGET_OPENAI_CHAT, .urls = urls, .n_urls = 2
    };
    ctx *c = new_ctx(&spec, 60, chat_body);
    fs_dispatch_opts o = opts_of(2, 0);
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &o, next_req, on_done, c, NULL, NULL, NULL), FS_OK);
    stub_end(&a);
    stub_end(&b);
    assert_all_ok_once(c);
    int on_b = 0;
    for (int i = 0; i < c->total; i++) {
        on_b += c->out[i].replica == 1;
    }
    CU_ASSERT_EQUAL(on_b, stub_requests(b.s));
    CU_ASSERT_EQUAL(stub_requests(a.s) + stub_requests(b.s), 60);
    /* The slow replica always has one outstanding: the fast one takes nearly everything. */
    CU_ASSERT(stub_requests(a.s) >= 1);
    CU_ASSERT(stub_requests(b.s) >= 45);
    stub_free(a.s);
    stub_free(b.s);
    free(c);
    /* Equal replicas at concurrency 1: turns alternate. */
    stub_begin(&a, reply_ok, NULL);
    stub_begin(&b, reply_ok, NULL);
    urls[0] = a.url;
    urls[1] = b.url;
    c = new_ctx(&spec, 20, chat_body);
    o = opts_of(1, 0);
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &o, next_req, on_done, c, NULL, NULL, NULL), FS_OK);
    stub_end(&a);
    stub_end(&b);
    CU_ASSERT_EQUAL(stub_requests(a.s), 10);
    CU_ASSERT_EQUAL(stub_requests(b.s), 10);
    stub_free(a.s);
    stub_free(b.s);
    free(c);
}

/* ---- rest ------------------------------------------------------------------------- */

typedef struct rest_seen {
    char body[512];
} rest_seen;

static stub_reply reply_rest(const char *body, size_t n, int nth, void *payload)
{
    rest_seen *seen = payload;
    snprintf(seen->body, sizeof seen->body, "%.*s", (int)n, body);
    if (nth == 1) {
        return (stub_reply){ 200, NULL, "{\"detail\":\"queued\"}" };
    }
    return (stub_reply){ 201, NULL, "{\"result\":{\"label\":\"négatif\"}}" };
}

static void test_target_scale__rest_target_end_to_end(void)
{
    stub_run r;
    rest_seen seen;
    stub_begin(&r, reply_rest, &seen);
    static const char *const headers[] = { "Authorization: Token ${FS_TEST_SCALE_SECRET}" };
    static const int ok[] = { 201 };
    fs_target_spec spec = { .name = "svc",
                            .type = FS_TARGET_REST,
                            .url = r.url,
                            .body_template = "{\"text\":\"{{input}}\",\"v\":2}",
                            .headers = headers,
                            .n_headers = 1,
                            .ok_statuses = ok,
                            .n_ok_statuses = 1,
                            .answer_pointer = "/result/label" };
    fs_buf body = FS_BUF_INIT;
    CU_ASSERT_EQUAL(
        fs_target_build_body(&body, &spec, "très \"bien\" 😀", strlen("très \"bien\" 😀"), NULL),
        FS_OK);
    ctx *c = new_ctx(&spec, 1, fs_buf_cstr(&body));
    fs_dispatch_opts o = opts_of(1, 2);
    unsetenv("FS_TEST_SCALE_SECRET");
    fs_error err;
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &o, next_req, on_done, c, on_log, c, &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "FS_TEST_SCALE_SECRET is not set"));
    setenv("FS_TEST_SCALE_SECRET", "s3cr3t-value", 1);
    c->total = 2;
    c->bodies[1] = c->bodies[0];
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &o, next_req, on_done, c, on_log, c, &err), FS_OK);
    unsetenv("FS_TEST_SCALE_SECRET");
    stub_end(&r);
    CU_ASSERT_STRING_EQUAL(stub_last_auth(r.s), "Token s3cr3t-value");
    CU_ASSERT_STRING_EQUAL(seen.body, "{\"text\":\"très \\\"bien\\\" 😀\",\"v\":2}");
    CU_ASSERT_EQUAL(c->out[0].status, FS_OK);
    CU_ASSERT_EQUAL(c->out[0].http, 201);
    CU_ASSERT_STRING_EQUAL(c->out[0].text, "négatif");
    /* 200 is not in ok_statuses: a final error with what the server said. */
    CU_ASSERT_EQUAL(c->out[1].status, FS_ERR_TARGET);
    CU_ASSERT_EQUAL(c->out[1].attempts, 1);
    CU_ASSERT_STRING_EQUAL(c->out[1].error, "HTTP 200 after 1 attempt: {\"detail\":\"queued\"}");
    CU_ASSERT_PTR_NULL(strstr(c->all_text, "s3cr3t"));
    fs_buf_dispose(&body);
    stub_free(r.s);
    free(c);
}

/* ---- exec ------------------------------------------------------------------------- */

static void exec_path(char *out, size_t cap)
{
    const char *dir = getenv("FS_BIN_DIR");
    snprintf(out, cap, "%s/fs_test_exec_echo", dir != NULL ? dir : FS_TEST_BIN_DIR);
}

static void test_target_scale__exec_answers_and_restarts(void)
{
    char prog[512], marker[512];
    exec_path(prog, sizeof prog);
    snprintf(marker, sizeof marker, "%s/exec_crash_marker", fs_test_tmp_dir());
    unlink(marker);
    const char *argv[] = { prog, marker };
    fs_target_spec spec = {
        .name = "local", .type = FS_TARGET_EXEC, .argv = argv, .argc = 2, .processes = 2
    };
    ctx *c = new_ctx(&spec, 12, "{\"input\":\"bonjour ü 日本 👋 שלום\"}");
    c->bodies[3] = "{\"input\":\"crash\"}";
    c->bodies[5] = "{\"input\":\"bad\"}";
    fs_dispatch_opts o = opts_of(4, 2);
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &o, next_req, on_done, c, on_log, c, NULL), FS_OK);
    CU_ASSERT_EQUAL(c->n_done, 12);
    for (int i = 0; i < 12; i++) {
        CU_ASSERT_EQUAL(c->out[i].calls, 1);
        CU_ASSERT_EQUAL(c->out[i].status, FS_OK);
        CU_ASSERT_EQUAL(c->out[i].http, 0);
        if (i != 3 && i != 5) {
            CU_ASSERT_STRING_EQUAL(c->out[i].text, "bonjour ü 日本 👋 שלום");
            CU_ASSERT_EQUAL(c->out[i].prompt_tokens, 3);
        }
    }
    /* The crash ended the first attempt; a new process answered the retry. */
    CU_ASSERT_EQUAL(c->out[3].attempts, 2);
    CU_ASSERT_STRING_EQUAL(c->out[3].text, "crash");
    CU_ASSERT_EQUAL(c->n_warn, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->all_text, "exec: the program exited with status 3"));
    /* An error line is an answer the caller's parse rejects. */
    CU_ASSERT_STRING_EQUAL(c->out[5].text, "");
    unlink(marker);
    free(c);
}

static void test_target_scale__exec_timeout_and_parallel_processes(void)
{
    char prog[512];
    exec_path(prog, sizeof prog);
    const char *argv[] = { prog };
    fs_target_spec spec = {
        .name = "local", .type = FS_TARGET_EXEC, .argv = argv, .argc = 1, .processes = 3
    };
    ctx *c = new_ctx(&spec, 9, "{\"input\":\"pid\"}");
    c->bodies[0] = "{\"input\":\"hang\"}";
    fs_dispatch_opts o = opts_of(8, 1);
    o.timeout_ms = 300;
    double t0 = mono_ms();
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &o, next_req, on_done, c, NULL, NULL, NULL), FS_OK);
    double elapsed = mono_ms() - t0;
    CU_ASSERT_EQUAL(c->n_done, 9);
    CU_ASSERT_EQUAL(c->out[0].status, FS_ERR_TARGET);
    CU_ASSERT_EQUAL(c->out[0].attempts, 2);
    CU_ASSERT_STRING_EQUAL(c->out[0].error,
                           "transport: exec: no answer within 300 ms after 2 attempts");
    CU_ASSERT(elapsed >= 590.0);
    CU_ASSERT(elapsed < 5000.0);
    /* The other requests were answered by the two other processes meanwhile. */
    char pids[8][128];
    int n_pids = 0;
    for (int i = 1; i < 9; i++) {
        CU_ASSERT_EQUAL(c->out[i].status, FS_OK);
        bool seen = false;
        for (int k = 0; k < n_pids; k++) {
            seen = seen || strcmp(pids[k], c->out[i].text) == 0;
        }
        if (!seen && n_pids < 8) {
            snprintf(pids[n_pids++], sizeof pids[0], "%s", c->out[i].text);
        }
    }
    CU_ASSERT(n_pids >= 2 && n_pids <= 4);
    free(c);
    /* A program that cannot be started stops the dispatch with a config error. */
    const char *missing[] = { "/nonexistent/fairshake-model" };
    spec.argv = missing;
    c = new_ctx(&spec, 2, "{\"input\":\"x\"}");
    fs_error err;
    CU_ASSERT_EQUAL(fs_dispatch_run(&spec, &o, next_req, on_done, c, NULL, NULL, &err),
                    FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot start '/nonexistent/fairshake-model'"));
    free(c);
}

const fs_test_case fs_target_scale_tests[] = {
    { "test_target_scale__429_halves_concurrency_and_pauses",
      test_target_scale__429_halves_concurrency_and_pauses },
    { "test_target_scale__concurrency_grows_back", test_target_scale__concurrency_grows_back },
    { "test_target_scale__fail_fast_on_exhausted_quota",
      test_target_scale__fail_fast_on_exhausted_quota },
    { "test_target_scale__fail_fast_after_failures_in_row",
      test_target_scale__fail_fast_after_failures_in_row },
    { "test_target_scale__max_requests_stops_cleanly",
      test_target_scale__max_requests_stops_cleanly },
    { "test_target_scale__max_tokens_counts_usage", test_target_scale__max_tokens_counts_usage },
    { "test_target_scale__tpm_waits_for_tokens", test_target_scale__tpm_waits_for_tokens },
    { "test_target_scale__replicas_least_outstanding",
      test_target_scale__replicas_least_outstanding },
    { "test_target_scale__rest_target_end_to_end", test_target_scale__rest_target_end_to_end },
    { "test_target_scale__exec_answers_and_restarts",
      test_target_scale__exec_answers_and_restarts },
    { "test_target_scale__exec_timeout_and_parallel_processes",
      test_target_scale__exec_timeout_and_parallel_processes },
    { NULL, NULL },
};
