/* The HTTP server of fairshake-refmodel over libmicrohttpd.
 *
 * Threads: by default one thread per connection, so a request that sleeps (--delay-ms)
 * never holds up another connection; --threads N uses a pool of N polling threads
 * instead. Shared state is the trained models (read-only), the options (read-only), and
 * the fault-injection RNG with the response counter, both behind one mutex.
 *
 * Faults apply to the two inference endpoints only, so /health and /v1/models always
 * answer (the test fixture polls /health). Every inference request draws the same four
 * numbers from the RNG whatever the rates are (drop, fault, fault kind, malformed), so a
 * given --seed gives the same sequence of decisions for the same sequence of requests. */
#include "refmodel/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "refmodel/request.h"

#define CONNECTION_LIMIT 1000
#define LISTEN_BACKLOG   511
#define IDLE_TIMEOUT_S   60

struct refmodel_server {
    struct MHD_Daemon *daemon;
    refmodel_opts opts;
    const refmodel_models *models;
    int port;
    int64_t started;
    pthread_mutex_t lock; /* guards rng and seq */
    fs_rng rng;
    uint64_t seq;
    fs_buf constant[2]; /* --constant: the chat and the completions answer, built once */
};

/* One request in progress: its body, capped at REFMODEL_BODY_MAX. */
typedef struct conn_ctx {
    fs_buf body;
    bool too_large;
} conn_ctx;

/* What fault injection decided for one inference request. */
typedef struct fault_plan {
    bool drop;
    int status; /* 0: none; else 429, 500 or 503 */
    bool malformed;
    uint64_t seq;
} fault_plan;

/* Queue b as a JSON answer, with one extra header when hdr is not NULL. */
static enum MHD_Result send_body(struct MHD_Connection *conn, unsigned status, const fs_buf *b,
                                 const char *hdr, const char *hdr_value)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(b->len, (void *)fs_buf_cstr(b), MHD_RESPMEM_MUST_COPY);
    if (r == NULL) {
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (hdr != NULL) {
        MHD_add_response_header(r, hdr, hdr_value);
    }
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, fs_buf *b)
{
    if (fs_buf_status(b) != FS_OK) {
        fs_buf_dispose(b);
        return MHD_NO;
    }
    enum MHD_Result ret = send_body(conn, status, b, NULL, NULL);
    fs_buf_dispose(b);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *message,
                                  const char *type, const char *code)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    refmodel_error_json(&b, message, type, code);
    return send_json(conn, status, &b);
}

static fault_plan plan_faults(refmodel_server *s)
{
    static const int kinds[3] = { 429, 500, 503 };
    fault_plan p;
    pthread_mutex_lock(&s->lock);
    double u_drop = fs_rng_uniform(&s->rng);
    double u_fault = fs_rng_uniform(&s->rng);
    uint64_t kind = fs_rng_below(&s->rng, 3);
    double u_malformed = fs_rng_uniform(&s->rng);
    p.seq = ++s->seq;
    pthread_mutex_unlock(&s->lock);
    p.drop = u_drop < s->opts.drop_rate;
    p.status = u_fault < s->opts.fault_rate ? kinds[kind] : 0;
    p.malformed = u_malformed < s->opts.malformed_rate;
    return p;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static enum MHD_Result send_fault(refmodel_server *s, struct MHD_Connection *conn, int status)
{
    char retry[24];
    fs_buf b;
    fs_buf_init(&b, 0);
    if (status == 429) {
        snprintf(retry, sizeof retry, "%u", s->opts.retry_after_s);
        refmodel_error_json(&b, "Rate limit reached (injected fault)", "requests",
                            "rate_limit_exceeded");
    } else {
        refmodel_error_json(&b,
                            status == 500 ? "Internal server error (injected fault)"
                                          : "The server is overloaded (injected fault)",
                            "server_error", NULL);
    }
    enum MHD_Result ret = MHD_NO;
    if (fs_buf_status(&b) == FS_OK) {
        ret = send_body(conn, (unsigned)status, &b,
                        status == 429 ? MHD_HTTP_HEADER_RETRY_AFTER : NULL, retry);
    }
    fs_buf_dispose(&b);
    return ret;
}

static enum MHD_Result send_malformed(struct MHD_Connection *conn, refmodel_api api)
{
    /* A truncated body, as a server that died mid-answer would send. */
    fs_buf b;
    fs_buf_init(&b, 0);
    fs_buf_puts(&b, api == REFMODEL_API_CHAT
                        ? "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion\",\"choices\":[{"
                        : "{\"id\":\"cmpl-x\",\"object\":\"text_completion\",\"choices\":[{");
    return send_json(conn, MHD_HTTP_OK, &b);
}

/* Answer a parsed request with the model it names and send the completion. */
static enum MHD_Result answer(refmodel_server *s, struct MHD_Connection *conn, refmodel_api api,
                              const refmodel_request *req, refmodel_model which, uint64_t seq)
{
    fs_buf b;
    fs_error err;
    fs_buf_init(&b, 0);
    fs_error_clear(&err);
    fs_status st =
        refmodel_models_respond(&b, s->models, which, api, req, seq, (int64_t)time(NULL), &err);
    if (st == FS_OK) {
        return send_json(conn, MHD_HTTP_OK, &b);
    }
    fs_buf_dispose(&b);
    if (st == FS_ERR_INPUT) {
        return send_error(conn, MHD_HTTP_BAD_REQUEST, err.msg, "invalid_request_error", NULL);
    }
    return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, fs_status_text(st), "server_error",
                      NULL);
}

static enum MHD_Result infer(refmodel_server *s, struct MHD_Connection *conn, refmodel_api api,
                             const conn_ctx *ctx)
{
    refmodel_request req;
    fs_error err;
    char msg[320];
    if (ctx->too_large) {
        return send_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body larger than 1 MiB",
                          "invalid_request_error", "request_too_large");
    }
    if (s->opts.delay_ms > 0) {
        sleep_ms(s->opts.delay_ms);
    }
    fault_plan plan = plan_faults(s);
    if (plan.drop) {
        return MHD_NO; /* libmicrohttpd closes the connection without an answer */
    }
    if (plan.status != 0) {
        return send_fault(s, conn, plan.status);
    }
    if (plan.malformed) {
        return send_malformed(conn, api);
    }
    if (s->opts.constant != NULL) {
        const fs_buf *b = &s->constant[api == REFMODEL_API_CHAT ? 0 : 1];
        struct MHD_Response *r =
            MHD_create_response_from_buffer(b->len, (void *)fs_buf_cstr(b), MHD_RESPMEM_PERSISTENT);
        if (r == NULL) {
            return MHD_NO;
        }
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
        return ret;
    }
    refmodel_request_init(&req);
    fs_error_clear(&err);
    fs_status st = refmodel_request_parse(&req, api, fs_buf_cstr(&ctx->body), ctx->body.len, &err);
    enum MHD_Result ret;
    if (st != FS_OK) {
        ret = send_error(
            conn, st == FS_ERR_INPUT ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_INTERNAL_SERVER_ERROR,
            err.msg, st == FS_ERR_INPUT ? "invalid_request_error" : "server_error", NULL);
    } else if (refmodel_model_find(req.model) < 0) {
        const char *const *names = refmodel_model_names();
        snprintf(msg, sizeof msg,
                 "The model '%.160s' does not exist; this server serves '%s', '%s', '%s' and "
                 "'%s'",
                 req.model, names[0], names[1], names[2], names[3]);
        ret = send_error(conn, MHD_HTTP_NOT_FOUND, msg, "invalid_request_error", "model_not_found");
    } else {
        ret = answer(s, conn, api, &req, (refmodel_model)refmodel_model_find(req.model), plan.seq);
    }
    refmodel_request_dispose(&req);
    return ret;
}

static enum MHD_Result not_allowed(struct MHD_Connection *conn, const char *allow)
{
    fs_buf b;
    enum MHD_Result ret = MHD_NO;
    fs_buf_init(&b, 0);
    refmodel_error_json(&b, "Method not allowed", "invalid_request_error", "method_not_allowed");
    if (fs_buf_status(&b) == FS_OK) {
        ret = send_body(conn, MHD_HTTP_METHOD_NOT_ALLOWED, &b, MHD_HTTP_HEADER_ALLOW, allow);
    }
    fs_buf_dispose(&b);
    return ret;
}

static bool is_get(const char *method)
{
    return strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
}

static enum MHD_Result route_get(refmodel_server *s, struct MHD_Connection *conn, const char *url)
{
    static const char model_prefix[] = "/v1/models/";
    fs_buf b;
    fs_buf_init(&b, 0);
    if (strcmp(url, "/health") == 0) {
        fs_buf_puts(&b, "{\"status\":\"ok\"}");
    } else if (strcmp(url, "/v1/models") == 0) {
        refmodel_models_json(&b, refmodel_model_names(), REFMODEL_N_MODELS, s->started);
    } else if (refmodel_model_find(url + sizeof model_prefix - 1) >= 0) {
        refmodel_model_json(&b, url + sizeof model_prefix - 1, s->started);
    } else {
        fs_buf_dispose(&b);
        return send_error(conn, MHD_HTTP_NOT_FOUND, "The model does not exist",
                          "invalid_request_error", "model_not_found");
    }
    return send_json(conn, MHD_HTTP_OK, &b);
}

static enum MHD_Result route(refmodel_server *s, struct MHD_Connection *conn, const char *url,
                             const char *method, const conn_ctx *ctx)
{
    static const char model_prefix[] = "/v1/models/";
    bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    bool chat = strcmp(url, "/v1/chat/completions") == 0;
    if (chat || strcmp(url, "/v1/completions") == 0) {
        if (!post) {
            return not_allowed(conn, "POST");
        }
        return infer(s, conn, chat ? REFMODEL_API_CHAT : REFMODEL_API_COMPLETIONS, ctx);
    }
    if (strcmp(url, "/health") == 0 || strcmp(url, "/v1/models") == 0 ||
        strncmp(url, model_prefix, sizeof model_prefix - 1) == 0) {
        return is_get(method) ? route_get(s, conn, url) : not_allowed(conn, "GET, HEAD");
    }
    return send_error(conn, MHD_HTTP_NOT_FOUND, "Unknown path", "invalid_request_error",
                      "not_found");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    conn_ctx *ctx = *con_cls;
    (void)version;
    if (ctx == NULL) {
        ctx = fs_calloc(1, sizeof *ctx);
        if (ctx == NULL) {
            return MHD_NO;
        }
        fs_buf_init(&ctx->body, REFMODEL_BODY_MAX);
        *con_cls = ctx;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* Past the cap the rest of the body is read and dropped, so the client gets its
         * 413 instead of a reset connection. */
        if (!ctx->too_large) {
            fs_buf_append(&ctx->body, upload_data, *upload_data_size);
            ctx->too_large = fs_buf_status(&ctx->body) == FS_ERR_LIMIT;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (fs_buf_status(&ctx->body) == FS_ERR_NOMEM) {
        return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", "server_error",
                          NULL);
    }
    return route(cls, conn, url, method, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    conn_ctx *ctx = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (ctx != NULL) {
        fs_buf_dispose(&ctx->body);
        fs_free(ctx);
        *con_cls = NULL;
    }
}

static struct MHD_Daemon *start_daemon(refmodel_server *s, const struct sockaddr_in *addr)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    struct MHD_OptionItem pool[2] = {
        { MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->opts.threads, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    if (!s->opts.quiet) {
        flags |= MHD_USE_ERROR_LOG;
    }
    if (s->opts.threads == 0) {
        flags |= MHD_USE_THREAD_PER_CONNECTION;
        pool[0].option = MHD_OPTION_END;
    }
    return MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)LISTEN_BACKLOG, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
}

/* The two --constant answers, with a usage of 0 prompt and 1 completion token. */
static fs_status build_constant(refmodel_server *s, const char *text, fs_error *err)
{
    static const char usage[] =
        ",\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":1,\"total_tokens\":1}}";
    fs_buf *chat = &s->constant[0], *cmpl = &s->constant[1];
    fs_buf_puts(chat, "{\"id\":\"chatcmpl-constant\",\"object\":\"chat.completion\","
                      "\"model\":\"constant\",\"choices\":[{\"index\":0,\"message\":{"
                      "\"role\":\"assistant\",\"content\":");
    fs_buf_put_json_string(chat, text, strlen(text));
    fs_buf_puts(chat, "},\"finish_reason\":\"stop\"}]");
    fs_buf_puts(chat, usage);
    fs_buf_puts(cmpl, "{\"id\":\"cmpl-constant\",\"object\":\"text_completion\","
                      "\"model\":\"constant\",\"choices\":[{\"index\":0,\"text\":");
    fs_buf_put_json_string(cmpl, text, strlen(text));
    fs_buf_puts(cmpl, ",\"logprobs\":null,\"finish_reason\":\"stop\"}]");
    fs_buf_puts(cmpl, usage);
    if (fs_buf_status(chat) != FS_OK || fs_buf_status(cmpl) != FS_OK) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return FS_OK;
}

static void server_free(refmodel_server *s)
{
    fs_buf_dispose(&s->constant[0]);
    fs_buf_dispose(&s->constant[1]);
    pthread_mutex_destroy(&s->lock);
    fs_free(s);
}

fs_status refmodel_server_start(refmodel_server **out, const refmodel_opts *opts,
                                const refmodel_models *models, fs_error *err)
{
    struct sockaddr_in addr;
    *out = NULL;
    refmodel_server *s = fs_calloc(1, sizeof *s);
    if (s == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    s->opts = *opts;
    s->opts.train_path = NULL;
    s->opts.qa_stopwords_path = NULL;
    s->opts.lm_train_path = NULL;
    s->models = models;
    s->started = (int64_t)time(NULL);
    fs_rng_seed(&s->rng, opts->seed);
    fs_buf_init(&s->constant[0], 0);
    fs_buf_init(&s->constant[1], 0);
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        fs_buf_dispose(&s->constant[0]);
        fs_buf_dispose(&s->constant[1]);
        fs_free(s);
        return FS_FAIL(err, FS_ERR_INTERNAL, "cannot create a mutex");
    }
    if (opts->constant != NULL) {
        fs_status st = build_constant(s, opts->constant, err);
        if (st != FS_OK) {
            server_free(s);
            return st;
        }
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)opts->port);
    if (inet_pton(AF_INET, opts->host, &addr.sin_addr) != 1 ||
        (s->daemon = start_daemon(s, &addr)) == NULL) {
        server_free(s);
        return FS_FAIL(err, FS_ERR_IO, "cannot listen on %s:%d", opts->host, opts->port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info != NULL ? (int)info->port : opts->port;
    *out = s;
    return FS_OK;
}

int refmodel_server_port(const refmodel_server *s)
{
    return s->port;
}

void refmodel_server_stop(refmodel_server *s)
{
    if (s == NULL) {
        return;
    }
    MHD_stop_daemon(s->daemon);
    server_free(s);
}
