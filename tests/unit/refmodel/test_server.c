/* refmodel.server: the fairshake-refmodel binary over HTTP on 127.0.0.1, started by the
 * shared fixture and spoken to with libcurl. */
#include "fs_test.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>

#include <curl/curl.h>

#include "../../support/refmodel_fixture.h"
#include "core/json.h"

#define CONCURRENT 64
#define DELAY_MS   200

typedef struct http_result {
    CURLcode code;
    long status;
    fs_buf body;
    char retry_after[32];
} http_result;

static size_t on_body(char *p, size_t size, size_t n, void *payload)
{
    fs_buf_append(payload, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *payload)
{
    http_result *r = payload;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof name && strncasecmp(p, name, sizeof name - 1) == 0) {
        size_t v = sizeof name - 1;
        while (v < len && p[v] == ' ') {
            v++;
        }
        size_t e = len;
        while (e > v && (p[e - 1] == '\r' || p[e - 1] == '\n')) {
            e--;
        }
        snprintf(r->retry_after, sizeof r->retry_after, "%.*s", (int)(e - v), p + v);
    }
    return len;
}

/* One HTTP call: method GET when body is NULL, else POST with a JSON body. */
static void http(http_result *r, const char *base, const char *path, const char *method,
                 const char *body, size_t body_len)
{
    char url[256];
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    memset(r, 0, sizeof *r);
    fs_buf_init(&r->body, 0);
    snprintf(url, sizeof url, "%s%s", base, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (method != NULL) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    r->code = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
}

static void post(http_result *r, const fs_test_refmodel *rm, const char *path, const char *body)
{
    http(r, rm->base_url, path, NULL, body, strlen(body));
}

static cJSON *body_json(const http_result *r)
{
    cJSON *v = NULL;
    if (fs_json__parse(&v, fs_buf_cstr(&r->body), r->body.len, "response", NULL) != FS_OK) {
        return NULL;
    }
    return v;
}

static const char *error_code(cJSON *v)
{
    return fs_json__str(cJSON_GetObjectItem(v, "error"), "code");
}

static const char *train_file(void)
{
    static char path[600];
    static const char *const lines[] = {
        "{\"id\":\"1\",\"text\":\"The food was wonderful and the staff were "
        "lovely.\",\"label\":\"positive\"}",
        "{\"id\":\"2\",\"text\":\"Great value, excellent service, I loved "
        "it!\",\"label\":\"positive\"}",
        "{\"id\":\"3\",\"text\":\"Délicieux, génial, parfait.\",\"label\":\"positive\"}",
        "{\"id\":\"4\",\"text\":\"The food was awful and the staff were "
        "rude.\",\"label\":\"negative\"}",
        "{\"id\":\"5\",\"text\":\"Terrible value, horrible service, I hated "
        "it!\",\"label\":\"negative\"}",
        "{\"id\":\"6\",\"text\":\"Dégoûtant, sale, horrible.\",\"label\":\"negative\"}",
    };
    snprintf(path, sizeof path, "%s/refmodel_train.jsonl", fs_test_tmp_dir());
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        fprintf(f, "%s\n", lines[i]);
    }
    fclose(f);
    return path;
}

/* Start the server on the test training file with more arguments (up to 8). */
static bool start(fs_test_refmodel *rm, const char *a0, const char *a1, const char *a2,
                  const char *a3)
{
    const char *args[] = { "--train", train_file(), a0, a1, a2, a3, NULL };
    return fs_test_refmodel_start(rm, args);
}

static void dispose(http_result *r)
{
    fs_buf_dispose(&r->body);
}

static void test_refmodel_server__health_and_models(void)
{
    fs_test_refmodel rm;
    http_result r;
    CU_ASSERT_FATAL(start(&rm, NULL, NULL, NULL, NULL));
    CU_ASSERT_TRUE(rm.port > 0);
    http(&r, rm.base_url, "/health", NULL, NULL, 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&r.body), "{\"status\":\"ok\"}");
    dispose(&r);
    http(&r, rm.base_url, "/v1/models", NULL, NULL, 0);
    CU_ASSERT_EQUAL(r.status, 200);
    cJSON *v = body_json(&r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "object"), "list");
    CU_ASSERT_STRING_EQUAL(
        fs_json__str(cJSON_GetArrayItem(cJSON_GetObjectItem(v, "data"), 0), "id"), "nb-sentiment");
    cJSON_Delete(v);
    dispose(&r);
    fs_test_refmodel_stop(&rm);
    CU_ASSERT_EQUAL(rm.pid, -1);
}

static const char *chat_answer(const fs_test_refmodel *rm, const char *review, int *tokens_out)
{
    static char answer[32];
    char body[1024];
    http_result r;
    snprintf(body, sizeof body,
             "{\"model\":\"nb-sentiment\",\"temperature\":0,\"messages\":["
             "{\"role\":\"system\",\"content\":\"You label reviews.\"},"
             "{\"role\":\"user\",\"content\":\"Is the sentiment of this review positive or "
             "negative?\\nText: %s\\nAnswer:\"}]}",
             review);
    post(&r, rm, "/v1/chat/completions", body);
    CU_ASSERT_EQUAL(r.status, 200);
    answer[0] = '\0';
    cJSON *v = body_json(&r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(strncmp(fs_json__str(v, "id"), "chatcmpl-", 9), 0);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "object"), "chat.completion");
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "model"), "nb-sentiment");
    CU_ASSERT_TRUE(cJSON_IsNumber(cJSON_GetObjectItem(v, "created")));
    cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "choices"), 0);
    CU_ASSERT_STRING_EQUAL(fs_json__str(choice, "finish_reason"), "stop");
    cJSON *msg = cJSON_GetObjectItem(choice, "message");
    CU_ASSERT_STRING_EQUAL(fs_json__str(msg, "role"), "assistant");
    const char *content = fs_json__str(msg, "content");
    CU_ASSERT_PTR_NOT_NULL_FATAL(content);
    snprintf(answer, sizeof answer, "%s", content);
    cJSON *usage = cJSON_GetObjectItem(v, "usage");
    *tokens_out = cJSON_GetObjectItem(usage, "prompt_tokens")->valueint;
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(usage, "total_tokens")->valueint, *tokens_out + 1);
    cJSON_Delete(v);
    dispose(&r);
    return answer;
}

static void test_refmodel_server__chat_answers_learned_labels(void)
{
    fs_test_refmodel rm;
    int tokens = 0;
    CU_ASSERT_FATAL(start(&rm, NULL, NULL, NULL, NULL));
    /* the template words are shared by both; only the text decides */
    CU_ASSERT_STRING_EQUAL(chat_answer(&rm, "Lovely staff, wonderful food.", &tokens), "positive");
    /* "is the sentiment of this review positive or negative text lovely staff wonderful food
     * answer" */
    CU_ASSERT_EQUAL(tokens, 15);
    CU_ASSERT_STRING_EQUAL(chat_answer(&rm, "RUDE staff and awful food", &tokens), "negative");
    CU_ASSERT_STRING_EQUAL(chat_answer(&rm, "Génial et délicieux 😀", &tokens), "positive");
    CU_ASSERT_STRING_EQUAL(chat_answer(&rm, "Sale, dégoûtant", &tokens), "negative");
    fs_test_refmodel_stop(&rm);
}

static void test_refmodel_server__completions_answer(void)
{
    fs_test_refmodel rm;
    http_result r;
    CU_ASSERT_FATAL(start(&rm, NULL, NULL, NULL, NULL));
    post(&r, &rm, "/v1/completions",
         "{\"model\":\"nb-sentiment\",\"prompt\":\"Text: horrible and rude\\nAnswer:\"}");
    CU_ASSERT_EQUAL(r.status, 200);
    cJSON *v = body_json(&r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(strncmp(fs_json__str(v, "id"), "cmpl-", 5), 0);
    CU_ASSERT_STRING_EQUAL(fs_json__str(v, "object"), "text_completion");
    cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "choices"), 0);
    CU_ASSERT_STRING_EQUAL(fs_json__str(choice, "text"), "negative");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "usage"), "prompt_tokens")->valueint,
                    5);
    cJSON_Delete(v);
    dispose(&r);
    post(&r, &rm, "/v1/completions", "{\"prompt\":\"excellent value, loved it\"}");
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(fs_buf_cstr(&r.body), "\"text\":\"positive\""));
    dispose(&r);
    fs_test_refmodel_stop(&rm);
}

static void expect_error(const fs_test_refmodel *rm, const char *path, const char *method,
                         const char *body, long status, const char *code)
{
    http_result r;
    http(&r, rm->base_url, path, method, body, body != NULL ? strlen(body) : 0);
    CU_ASSERT_EQUAL(r.code, CURLE_OK);
    CU_ASSERT_EQUAL(r.status, status);
    cJSON *v = body_json(&r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    cJSON *e = cJSON_GetObjectItem(v, "error");
    CU_ASSERT_PTR_NOT_NULL(fs_json__str(e, "message"));
    CU_ASSERT_PTR_NOT_NULL(fs_json__str(e, "type"));
    if (code != NULL) {
        CU_ASSERT_STRING_EQUAL(error_code(v), code);
    }
    cJSON_Delete(v);
    dispose(&r);
}

static void test_refmodel_server__errors_have_openai_shape(void)
{
    fs_test_refmodel rm;
    CU_ASSERT_FATAL(start(&rm, NULL, NULL, NULL, NULL));
    expect_error(&rm, "/v1/chat/completions", NULL, "{\"messages\": [", 400, NULL);
    expect_error(&rm, "/v1/chat/completions", NULL, "{\"model\":\"nb-sentiment\"}", 400, NULL);
    expect_error(&rm, "/v1/completions", NULL, "{\"model\":\"nb-sentiment\"}", 400, NULL);
    expect_error(&rm, "/v1/nothing", NULL, NULL, 404, "not_found");
    expect_error(&rm, "/v1/chat/completions", NULL, NULL, 405, "method_not_allowed");
    expect_error(&rm, "/health", "DELETE", NULL, 405, "method_not_allowed");
    expect_error(&rm, "/v1/completions", NULL, "{\"model\":\"gpt-4o\",\"prompt\":\"x\"}", 404,
                 "model_not_found");
    expect_error(&rm, "/v1/models/gpt-4o", NULL, NULL, 404, "model_not_found");
    fs_test_refmodel_stop(&rm);
}

static void test_refmodel_server__large_body_is_413(void)
{
    fs_test_refmodel rm;
    http_result r;
    size_t n = ((size_t)1 << 20) + 100;
    char *big = fs_malloc(n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, ' ', n);
    memcpy(big, "{\"prompt\":\"", 11);
    memcpy(big + n - 2, "\"}", 2);
    big[n] = '\0';
    CU_ASSERT_FATAL(start(&rm, NULL, NULL, NULL, NULL));
    http(&r, rm.base_url, "/v1/completions", NULL, big, n);
    CU_ASSERT_EQUAL(r.code, CURLE_OK);
    CU_ASSERT_EQUAL(r.status, 413);
    CU_ASSERT_PTR_NOT_NULL(strstr(fs_buf_cstr(&r.body), "request_too_large"));
    dispose(&r);
    /* just under the cap is served */
    memcpy(big + ((size_t)1 << 20) - 200, "\"}", 3);
    http(&r, rm.base_url, "/v1/completions", NULL, big, strlen(big));
    CU_ASSERT_EQUAL(r.status, 200);
    dispose(&r);
    fs_test_refmodel_stop(&rm);
    fs_free(big);
}

static void test_refmodel_server__fault_rate_one_gives_429_500_503(void)
{
    fs_test_refmodel rm;
    int seen429 = 0, seen500 = 0, seen503 = 0;
    CU_ASSERT_FATAL(start(&rm, "--fault-rate", "1", "--seed", "11"));
    for (int i = 0; i < 30; i++) {
        http_result r;
        post(&r, &rm, "/v1/chat/completions",
             "{\"messages\":[{\"role\":\"user\",\"content\":\"lovely\"}]}");
        CU_ASSERT_TRUE(r.status == 429 || r.status == 500 || r.status == 503);
        seen429 += r.status == 429;
        seen500 += r.status == 500;
        seen503 += r.status == 503;
        if (r.status == 429) {
            CU_ASSERT_STRING_EQUAL(r.retry_after, "1");
        } else {
            CU_ASSERT_STRING_EQUAL(r.retry_after, "");
        }
        cJSON *v = body_json(&r);
        CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(v, "error"));
        cJSON_Delete(v);
        dispose(&r);
    }
    CU_ASSERT_TRUE(seen429 > 0 && seen500 > 0 && seen503 > 0);
    http_result h;
    http(&h, rm.base_url, "/health", NULL, NULL, 0);
    CU_ASSERT_EQUAL(h.status, 200); /* faults hit inference only */
    dispose(&h);
    fs_test_refmodel_stop(&rm);
}

/* The statuses of n sequential chat requests to a server started with args. */
static void status_sequence(long *out, int n, const char *rate, const char *seed)
{
    fs_test_refmodel rm;
    CU_ASSERT_FATAL(start(&rm, "--fault-rate", rate, "--seed", seed));
    for (int i = 0; i < n; i++) {
        http_result r;
        post(&r, &rm, "/v1/chat/completions",
             "{\"messages\":[{\"role\":\"user\",\"content\":\"lovely\"}]}");
        out[i] = r.status;
        dispose(&r);
    }
    fs_test_refmodel_stop(&rm);
}

static void test_refmodel_server__faults_follow_the_seed(void)
{
    long a[24], b[24], c[24];
    int ok = 0, differ = 0;
    status_sequence(a, 24, "0.5", "5");
    status_sequence(b, 24, "0.5", "5");
    status_sequence(c, 24, "0.5", "6");
    for (int i = 0; i < 24; i++) {
        CU_ASSERT_EQUAL(a[i], b[i]);
        ok += a[i] == 200;
        differ += a[i] != c[i];
    }
    CU_ASSERT_TRUE(ok > 0 && ok < 24);
    CU_ASSERT_TRUE(differ > 0);
}

static void test_refmodel_server__malformed_rate_one_breaks_json(void)
{
    fs_test_refmodel rm;
    CU_ASSERT_FATAL(start(&rm, "--malformed-rate", "1", NULL, NULL));
    for (int i = 0; i < 3; i++) {
        http_result r;
        post(&r, &rm, i == 0 ? "/v1/completions" : "/v1/chat/completions",
             i == 0 ? "{\"prompt\":\"lovely\"}"
                    : "{\"messages\":[{\"role\":\"user\",\"content\":\"lovely\"}]}");
        CU_ASSERT_EQUAL(r.status, 200);
        CU_ASSERT_TRUE(r.body.len > 0);
        CU_ASSERT_PTR_NULL(body_json(&r));
        dispose(&r);
    }
    fs_test_refmodel_stop(&rm);
}

static void test_refmodel_server__drop_rate_one_is_a_transport_error(void)
{
    fs_test_refmodel rm;
    CU_ASSERT_FATAL(start(&rm, "--drop-rate", "1", NULL, NULL));
    for (int i = 0; i < 3; i++) {
        http_result r;
        post(&r, &rm, "/v1/chat/completions",
             "{\"messages\":[{\"role\":\"user\",\"content\":\"lovely\"}]}");
        CU_ASSERT_TRUE(r.code == CURLE_GOT_NOTHING || r.code == CURLE_RECV_ERROR);
        CU_ASSERT_EQUAL(r.status, 0);
        dispose(&r);
    }
    fs_test_refmodel_stop(&rm);
}

typedef struct worker {
    pthread_t thread;
    const fs_test_refmodel *rm;
    int index;
    http_result r;
} worker;

static void *worker_main(void *payload)
{
    worker *w = payload;
    char body[256];
    snprintf(body, sizeof body,
             "{\"messages\":[{\"role\":\"user\",\"content\":\"Text: %s #%d\\nAnswer:\"}]}",
             w->index % 2 == 0 ? "wonderful, lovely" : "awful, rude", w->index);
    post(&w->r, w->rm, "/v1/chat/completions", body);
    return NULL;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void test_refmodel_server__serves_64_slow_requests_at_once(void)
{
    static worker workers[CONCURRENT];
    fs_test_refmodel rm;
    char delay[16];
    snprintf(delay, sizeof delay, "%d", DELAY_MS);
    CU_ASSERT_FATAL(start(&rm, "--delay-ms", delay, NULL, NULL));
    CU_ASSERT_EQUAL_FATAL(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    double t0 = now_ms();
    int started = 0;
    for (int i = 0; i < CONCURRENT; i++) {
        workers[i].rm = &rm;
        workers[i].index = i;
        started += pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) == 0;
    }
    CU_ASSERT_EQUAL(started, CONCURRENT);
    for (int i = 0; i < started; i++) {
        pthread_join(workers[i].thread, NULL);
    }
    double elapsed = now_ms() - t0;
    for (int i = 0; i < started; i++) {
        CU_ASSERT_EQUAL(workers[i].r.status, 200);
        CU_ASSERT_PTR_NOT_NULL(
            strstr(fs_buf_cstr(&workers[i].r.body), i % 2 == 0 ? "\"positive\"" : "\"negative\""));
        dispose(&workers[i].r);
    }
    /* one after another they would take 64 * 200 ms = 12.8 s */
    CU_ASSERT_TRUE(elapsed >= DELAY_MS);
    CU_ASSERT_TRUE(elapsed < CONCURRENT * DELAY_MS / 4);
    curl_global_cleanup();
    fs_test_refmodel_stop(&rm);
}

static void test_refmodel_server__thread_pool_mode_serves(void)
{
    fs_test_refmodel rm;
    http_result r;
    CU_ASSERT_FATAL(start(&rm, "--threads", "2", NULL, NULL));
    for (int i = 0; i < 4; i++) {
        post(&r, &rm, "/v1/completions", "{\"prompt\":\"Text: awful, rude\"}");
        CU_ASSERT_EQUAL(r.status, 200);
        CU_ASSERT_PTR_NOT_NULL(strstr(fs_buf_cstr(&r.body), "\"text\":\"negative\""));
        dispose(&r);
    }
    fs_test_refmodel_stop(&rm);
}

static void test_refmodel_server__default_training_data_and_sigterm(void)
{
    fs_test_refmodel rm;
    int status = -1, tokens = 0;
    CU_ASSERT_FATAL(fs_test_refmodel_start(&rm, NULL));
    CU_ASSERT_STRING_EQUAL(
        chat_answer(&rm, "Super helpful staff, excellent food, I loved it.", &tokens), "positive");
    CU_ASSERT_EQUAL(kill(rm.pid, SIGTERM), 0);
    CU_ASSERT_EQUAL(waitpid(rm.pid, &status, 0), rm.pid);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    rm.pid = -1;
    fs_test_refmodel_stop(&rm);
}

const fs_test_case fs_refmodel_server_tests[] = {
    { "test_refmodel_server__health_and_models", test_refmodel_server__health_and_models },
    { "test_refmodel_server__chat_answers_learned_labels",
      test_refmodel_server__chat_answers_learned_labels },
    { "test_refmodel_server__completions_answer", test_refmodel_server__completions_answer },
    { "test_refmodel_server__errors_have_openai_shape",
      test_refmodel_server__errors_have_openai_shape },
    { "test_refmodel_server__large_body_is_413", test_refmodel_server__large_body_is_413 },
    { "test_refmodel_server__fault_rate_one_gives_429_500_503",
      test_refmodel_server__fault_rate_one_gives_429_500_503 },
    { "test_refmodel_server__faults_follow_the_seed",
      test_refmodel_server__faults_follow_the_seed },
    { "test_refmodel_server__malformed_rate_one_breaks_json",
      test_refmodel_server__malformed_rate_one_breaks_json },
    { "test_refmodel_server__drop_rate_one_is_a_transport_error",
      test_refmodel_server__drop_rate_one_is_a_transport_error },
    { "test_refmodel_server__serves_64_slow_requests_at_once",
      test_refmodel_server__serves_64_slow_requests_at_once },
    { "test_refmodel_server__thread_pool_mode_serves",
      test_refmodel_server__thread_pool_mode_serves },
    { "test_refmodel_server__default_training_data_and_sigterm",
      test_refmodel_server__default_training_data_and_sigterm },
    { NULL, NULL },
};
