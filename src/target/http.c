/* The HTTP transport of the dispatcher, over libcurl's multi interface. Invariants:
 *  - one easy handle per slot, created on first use and reused from request to request
 *    with its options, so connections stay alive (TCP_NODELAY, keep-alive, HTTP/2
 *    multiplexing where the server offers it over TLS); per request only the body (and
 *    the URL when the replica changes) is set: no allocation on the hot path;
 *  - one header list for the whole dispatch: content type, the Authorization header from
 *    api_key_env and a rest target's headers with ${VAR} expanded, built once; secrets
 *    pass through a buffer that is wiped, and never reach a log or an error message;
 *  - the header callback keeps Retry-After (seconds, HTTP date), retry-after-ms and the
 *    longest x-ratelimit-reset-requests / -tokens of the last response (not of a 1xx). */
#include "target/dispatch_internal.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct http_state {
    CURLM *multi;
    struct curl_slist *headers;
    CURL **easy;   /* per slot */
    int *easy_url; /* replica each easy handle points at, -1 none */
} http_state;

static void wipe(char *p, size_t n)
{
    volatile char *v = p;
    for (size_t i = 0; i < n; i++) {
        v[i] = 0;
    }
}

/* Append line (which may hold a secret) to the header list; wipes the buffer. */
static fs_status add_secret_header(http_state *h, fs_buf *line, fs_error *err)
{
    struct curl_slist *l = NULL;
    if (fs_buf_status(line) == FS_OK) {
        l = curl_slist_append(h->headers, fs_buf_cstr(line));
    }
    if (line->data != NULL) {
        wipe(line->data, line->cap);
    }
    fs_buf_dispose(line);
    if (l == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    h->headers = l;
    return FS_OK;
}

static fs_status auth_header(fs_target__dispatcher *d, http_state *h, fs_error *err)
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
    fs_buf line = FS_BUF_INIT;
    fs_buf_puts(&line, "Authorization: Bearer ");
    fs_buf_puts(&line, key);
    return add_secret_header(h, &line, err);
}

static fs_status user_headers(fs_target__dispatcher *d, http_state *h, fs_error *err)
{
    for (size_t i = 0; i < d->spec->n_headers; i++) {
        char missing[128];
        fs_buf line = FS_BUF_INIT;
        if (!fs_target__expand_env(&line, d->spec->headers[i], missing, sizeof missing)) {
            fs_buf_dispose(&line);
            return FS_FAIL(err, FS_ERR_CONFIG,
                           "target '%s': headers[%zu]: environment variable %s is not set",
                           d->spec->name != NULL ? d->spec->name : "", i, missing);
        }
        fs_status st = add_secret_header(h, &line, err);
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}

static fs_status http_open(fs_target__dispatcher *d, fs_error *err)
{
    static const char *const fixed[] = { "Content-Type: application/json",
                                         "Accept: application/json", "Expect:" };
    http_state *h = fs_calloc(1, sizeof *h);
    if (h == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    d->tx_state = h;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        struct curl_slist *l = curl_slist_append(h->headers, fixed[i]);
        if (l == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        h->headers = l;
    }
    fs_status st = auth_header(d, h, err);
    if (st == FS_OK) {
        st = user_headers(d, h, err);
    }
    if (st != FS_OK) {
        return st;
    }
    h->easy = fs_calloc((size_t)d->n_slots, sizeof *h->easy);
    h->easy_url = fs_calloc((size_t)d->n_slots, sizeof *h->easy_url);
    h->multi = curl_multi_init();
    if (h->easy == NULL || h->easy_url == NULL || h->multi == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)d->n_slots * d->n_urls);
    return FS_OK;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    fs_target__slot *s = userdata;
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
        char a = line[i];
        a = (a >= 'A' && a <= 'Z') ? (char)(a - 'A' + 'a') : a;
        if (a != name[i]) {
            return false;
        }
    }
    return true;
}

/* The value of a header line after "name:", NUL-terminated in value[cap]. */
static const char *header_value(char *value, size_t cap, const char *line, size_t n,
                                size_t name_len)
{
    size_t len = n - name_len - 1;
    len = len < cap - 1 ? len : cap - 1;
    memcpy(value, line + name_len + 1, len);
    value[len] = '\0';
    return value;
}

static void rate_header(fs_target__slot *s, const char *line, size_t n)
{
    char value[128];
    if (header_is(line, n, "retry-after")) {
        long ms =
            fs_target__retry_after_ms(header_value(value, sizeof value, line, n, 11), time(NULL));
        s->retry_after_ms = ms > s->retry_after_ms ? ms : s->retry_after_ms;
    } else if (header_is(line, n, "retry-after-ms")) {
        int64_t ms = -1;
        header_value(value, sizeof value, line, n, 14);
        value[strcspn(value, "\r\n")] = '\0';
        if (fs_parse_i64(value + strspn(value, " \t"), &ms) && ms >= 0 && ms > s->retry_after_ms) {
            s->retry_after_ms = (long)ms;
        }
    } else if (header_is(line, n, "x-ratelimit-reset-requests") ||
               header_is(line, n, "x-ratelimit-reset-tokens")) {
        const char *colon = memchr(line, ':', n);
        long ms = fs_target__duration_ms(
            header_value(value, sizeof value, line, n, (size_t)(colon - line)));
        s->reset_ms = ms > s->reset_ms ? ms : s->reset_ms;
    }
}

static size_t on_header(char *line, size_t size, size_t nitems, void *userdata)
{
    fs_target__slot *s = userdata;
    size_t n = size * nitems;
    char c = n > 0 ? line[0] : '\0';
    if (c == 'H' && n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        s->retry_after_ms = -1; /* a new response (after 1xx) starts */
        s->reset_ms = -1;
    } else if (c == 'r' || c == 'R' || c == 'x' || c == 'X') {
        rate_header(s, line, n);
    }
    return n;
}

static fs_status init_easy(fs_target__dispatcher *d, http_state *h, fs_target__slot *s,
                           fs_error *err)
{
    CURL *e = curl_easy_init();
    if (e == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "cannot create an HTTP handle");
    }
    h->easy[s->index] = e;
    h->easy_url[s->index] = -1;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, d->opts.timeout_ms);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
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

static fs_status http_start(fs_target__dispatcher *d, fs_target__slot *s, fs_error *err)
{
    http_state *h = d->tx_state;
    if (h->easy[s->index] == NULL) {
        fs_status st = init_easy(d, h, s, err);
        if (st != FS_OK) {
            return st;
        }
    }
    CURL *e = h->easy[s->index];
    if (h->easy_url[s->index] != s->replica) {
        curl_easy_setopt(e, CURLOPT_URL, d->urls[s->replica]);
        h->easy_url[s->index] = s->replica;
    }
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->r->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->r->body_len);
    CURLMcode mc = curl_multi_add_handle(h->multi, e);
    if (mc != CURLM_OK) {
        return FS_FAIL(err, FS_ERR_TARGET, "cannot start a transfer: %s", curl_multi_strerror(mc));
    }
    return FS_OK;
}

static void finish(fs_target__dispatcher *d, http_state *h, CURL *e, CURLcode code)
{
    char *priv = NULL;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
    fs_target__slot *s = (fs_target__slot *)(void *)priv;
    fs_target__attempt a = { false, 0, false, "" };
    curl_off_t ttfb = 0;
    if (curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &ttfb) == CURLE_OK && ttfb > 0) {
        s->ttfb_ms = (double)ttfb / 1000.0;
    }
    curl_multi_remove_handle(h->multi, e);
    if (code == CURLE_WRITE_ERROR && fs_buf_status(&s->resp) == FS_ERR_NOMEM) {
        fs_target__fatal(d, FS_ERR_NOMEM, "out of memory");
    }
    if (code == CURLE_OK) {
        a.replied = true;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &a.http);
    } else if (code == CURLE_WRITE_ERROR && fs_buf_status(&s->resp) == FS_ERR_LIMIT) {
        a.what = "response larger than 64 MiB";
    } else {
        a.what = curl_easy_strerror(code);
        a.retryable = fs_target__retryable_transport((int)code);
    }
    fs_target__finished(d, s, &a);
}

static fs_status http_progress(fs_target__dispatcher *d, fs_error *err)
{
    http_state *h = d->tx_state;
    int running = 0, left = 0;
    CURLMcode mc = curl_multi_perform(h->multi, &running);
    if (mc != CURLM_OK) {
        return FS_FAIL(err, FS_ERR_TARGET, "HTTP multi interface: %s", curl_multi_strerror(mc));
    }
    CURLMsg *m = NULL;
    while (d->stop == FS_OK && (m = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (m->msg == CURLMSG_DONE) {
            finish(d, h, m->easy_handle, m->data.result);
        }
    }
    return FS_OK;
}

static fs_status http_sleep(fs_target__dispatcher *d, int timeout_ms, fs_error *err)
{
    http_state *h = d->tx_state;
    CURLMcode mc = curl_multi_poll(h->multi, NULL, 0, timeout_ms, NULL);
    if (mc != CURLM_OK) {
        return FS_FAIL(err, FS_ERR_TARGET, "HTTP multi interface: %s", curl_multi_strerror(mc));
    }
    return FS_OK;
}

static void http_close(fs_target__dispatcher *d)
{
    http_state *h = d->tx_state;
    if (h == NULL) {
        return;
    }
    for (int i = 0; h->easy != NULL && i < d->n_slots; i++) {
        if (h->easy[i] != NULL) {
            curl_multi_remove_handle(h->multi, h->easy[i]);
            curl_easy_cleanup(h->easy[i]);
        }
    }
    if (h->multi != NULL) {
        curl_multi_cleanup(h->multi);
    }
    curl_slist_free_all(h->headers);
    fs_free(h->easy);
    fs_free(h->easy_url);
    fs_free(h);
    d->tx_state = NULL;
}

const fs_target__transport fs_target__http_transport = { http_open, http_start, http_progress,
                                                         http_sleep, http_close };

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
