/* The HTTP transport of the dispatcher, over libcurl's multi interface driven by
 * curl_multi_socket_action and an epoll set. Invariants:
 *  - one easy handle per slot, created on first use and reused from request to request
 *    with its options, so connections stay alive (TCP_NODELAY, keep-alive, HTTP/2
 *    multiplexing where the server offers it over TLS); per request only the body (and
 *    the URL when the replica changes) is set: no allocation on the hot path;
 *  - libcurl tells which sockets to watch (socket callback) and when its next deadline
 *    is (timer callback); a wake-up only hands libcurl the sockets that are ready, so the
 *    work per wake-up does not grow with the number of transfers in flight; a new
 *    attempt is kicked at once, so its request leaves before the next sleep;
 *  - a connection socket (opened and closed through our callbacks, so its state byte is
 *    always current) stays in the epoll set between two transfers: a request on a
 *    kept-alive connection costs no epoll_ctl;
 *  - one header list for the whole dispatch: content type, the Authorization header from
 *    api_key_env and a rest target's headers with ${VAR} expanded, built once; secrets
 *    pass through a buffer that is wiped, and never reach a log or an error message;
 *  - the header callback keeps Retry-After (seconds, HTTP date), retry-after-ms and the
 *    longest x-ratelimit-reset-requests / -tokens of the last response (not of a 1xx). */
#include "target/dispatch_internal.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define READY_MAX 64 /* socket events taken per wake-up; the rest wait for the next */

/* What the epoll set holds for a socket (one byte per descriptor in http_state.fds). */
#define FD_IN      1U /* in the set for reading */
#define FD_OUT     2U /* in the set for writing */
#define FD_EVENTS  3U
#define FD_WATCHED 4U /* libcurl waits for it now */
#define FD_OURS    8U /* a connection socket opened and closed through our callbacks */

typedef struct http_done {
    CURL *easy;
    CURLcode code;
} http_done;

typedef struct http_state {
    CURLM *multi;
    struct curl_slist *headers;
    CURL **easy;      /* per slot */
    int *easy_url;    /* replica each easy handle points at, -1 none */
    int epfd;         /* the sockets libcurl asked to watch */
    fs_buf fds;       /* FD_* flags, one byte per descriptor */
    int watch_errno;  /* an epoll_ctl failure inside the socket callback, 0 none */
    double timer_due; /* when libcurl wants CURL_SOCKET_TIMEOUT (monotonic ms), -1 never */
    int n_ready;      /* events of the last sleep, not yet handed to libcurl */
    struct epoll_event ready[READY_MAX];
    http_done *done; /* finished transfers not yet reported: at most one per slot */
    int n_done;
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

/* The state byte of fd, growing the table; NULL when out of memory. */
static unsigned char *fd_state(http_state *h, curl_socket_t fd)
{
    static const char zeros[64] = { 0 };
    while (h->fds.len <= (size_t)fd && fs_buf_status(&h->fds) == FS_OK) {
        size_t need = (size_t)fd + 1 - h->fds.len;
        fs_buf_append(&h->fds, zeros, need < sizeof zeros ? need : sizeof zeros);
    }
    return fs_buf_status(&h->fds) == FS_OK ? (unsigned char *)h->fds.data + fd : NULL;
}

static unsigned fd_flags(const http_state *h, curl_socket_t fd)
{
    return (size_t)fd < h->fds.len ? (unsigned char)h->fds.data[fd] : 0U;
}

/* Put fd in the epoll set for events (0: out of it), skipping what is already so. */
static int watch(http_state *h, curl_socket_t fd, unsigned char *st, unsigned events)
{
    unsigned now = *st & FD_EVENTS;
    if (now == events) {
        return 0;
    }
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events =
        ((events & FD_IN) ? (uint32_t)EPOLLIN : 0U) | ((events & FD_OUT) ? (uint32_t)EPOLLOUT : 0U);
    ev.data.fd = fd;
    int op = events == 0 ? EPOLL_CTL_DEL : now == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    int rc = epoll_ctl(h->epfd, op, fd, &ev);
    if (rc != 0 && op != EPOLL_CTL_DEL && (errno == ENOENT || errno == EEXIST)) {
        rc = epoll_ctl(h->epfd, errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
    }
    /* a failed DEL means the kernel already dropped fd (closed): nothing left to undo */
    *st = (unsigned char)((*st & ~FD_EVENTS) | (rc == 0 ? events : 0U));
    return rc == 0 || op == EPOLL_CTL_DEL ? 0 : -1;
}

/* libcurl's socket callback: watch fd for what libcurl waits for. A connection socket
 * (opened by on_open) that libcurl stops watching between two transfers stays in the
 * epoll set, so the next transfer on the kept-alive connection costs no epoll_ctl; an
 * event on it while it is idle takes it out (see http_progress). */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
    http_state *h = userp;
    (void)e;
    (void)socketp;
    unsigned char *st = fd_state(h, fd);
    if (st == NULL) {
        h->watch_errno = ENOMEM;
        return -1;
    }
    unsigned events = ((what & CURL_POLL_IN) ? FD_IN : 0U) | ((what & CURL_POLL_OUT) ? FD_OUT : 0U);
    if (what == CURL_POLL_REMOVE || events == 0) {
        *st &= (unsigned char)~FD_WATCHED;
        return (*st & FD_OURS) ? 0 : watch(h, fd, st, 0);
    }
    *st |= FD_WATCHED;
    if (watch(h, fd, st, events) != 0) {
        h->watch_errno = errno;
        return -1;
    }
    return 0;
}

/* libcurl's open-socket callback: a connection socket, marked so that its epoll entry
 * may outlive a transfer (on_close forgets it). */
static curl_socket_t on_open(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
    http_state *h = clientp;
    (void)purpose;
    curl_socket_t fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd == CURL_SOCKET_BAD) {
        return fd;
    }
    unsigned char *st = fd_state(h, fd);
    if (st == NULL) {
        close(fd);
        return CURL_SOCKET_BAD;
    }
    *st = FD_OURS;
    return fd;
}

/* libcurl's close-socket callback: closing takes fd out of the epoll set. */
static int on_close(void *clientp, curl_socket_t fd)
{
    http_state *h = clientp;
    if ((size_t)fd < h->fds.len) {
        h->fds.data[fd] = 0;
    }
    return close(fd);
}

/* libcurl's timer callback: its next deadline, -1 for none. libcurl truncates a wait to
 * whole milliseconds, so a later one is kept a millisecond late rather than early. */
static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
    http_state *h = userp;
    (void)m;
    if (timeout_ms < 0) {
        h->timer_due = -1.0;
    } else {
        h->timer_due = fs_target__now_ms() + (double)timeout_ms + (timeout_ms > 0 ? 1.0 : 0.0);
    }
    return 0;
}

static fs_status http_open(fs_target__dispatcher *d, fs_error *err)
{
    /* the user agent is a plain header: libcurl's own option formats it twice per
     * request; no Accept-Encoding: model answers are small, decoding costs more CPU
     * than the bytes it saves on loopback and LAN */
    static const char *const fixed[] = { "Content-Type: application/json",
                                         "Accept: application/json", "User-Agent: fairshake",
                                         "Expect:" };
    http_state *h = fs_calloc(1, sizeof *h);
    if (h == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    h->epfd = -1;
    h->timer_due = -1.0;
    fs_buf_init(&h->fds, 0);
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
    h->done = fs_calloc((size_t)d->n_slots, sizeof *h->done);
    h->multi = curl_multi_init();
    if (h->easy == NULL || h->easy_url == NULL || h->done == NULL || h->multi == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    h->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (h->epfd < 0) {
        return FS_FAIL(err, FS_ERR_IO, "cannot create an epoll set: %s", strerror(errno));
    }
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
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

/* The value of environment variable lower, else upper (may be NULL), as libcurl reads
 * them: unset and empty are the same; "" when neither is set. */
static const char *env_value(const char *lower, const char *upper)
{
    const char *v = getenv(lower);
    if ((v == NULL || v[0] == '\0') && upper != NULL) {
        v = getenv(upper);
    }
    return v != NULL && v[0] != '\0' ? v : "";
}

/* The proxy libcurl would take from the environment for url: <scheme>_proxy (for http
 * only the lower-case http_proxy), then all_proxy; "" for none. Set explicitly (with
 * no_proxy), libcurl does not search the environment again for every transfer. */
static const char *env_proxy(const char *url)
{
    char lower[64], upper[64];
    const char *sep = strstr(url, "://");
    size_t n = sep != NULL ? (size_t)(sep - url) : 4;
    const char *scheme = sep != NULL ? url : "http";
    if (n + sizeof "_proxy" > sizeof lower) {
        return env_value("all_proxy", "ALL_PROXY");
    }
    for (size_t i = 0; i < n; i++) {
        char c = scheme[i];
        lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        upper[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    memcpy(lower + n, "_proxy", sizeof "_proxy");
    memcpy(upper + n, "_PROXY", sizeof "_PROXY");
    const char *v = env_value(lower, strcmp(lower, "http_proxy") == 0 ? NULL : upper);
    return v[0] != '\0' ? v : env_value("all_proxy", "ALL_PROXY");
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
    curl_easy_setopt(e, CURLOPT_NOPROXY, env_value("no_proxy", "NO_PROXY"));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)s);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, h);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, h);
    return FS_OK;
}

static fs_status multi_failed(CURLMcode mc, const http_state *h, fs_error *err)
{
    if (h->watch_errno != 0) {
        return FS_FAIL(err, FS_ERR_IO, "HTTP multi interface: cannot watch a socket: %s",
                       strerror(h->watch_errno));
    }
    return FS_FAIL(err, FS_ERR_TARGET, "HTTP multi interface: %s", curl_multi_strerror(mc));
}

/* Let libcurl act on fd (or on its expired timers, CURL_SOCKET_TIMEOUT). */
static fs_status act(http_state *h, curl_socket_t fd, int mask, fs_error *err)
{
    int running = 0;
    double due = h->timer_due;
    CURLMcode mc = curl_multi_socket_action(h->multi, fd, mask, &running);
    if (mc != CURLM_OK || h->watch_errno != 0) {
        return multi_failed(mc, h, err);
    }
    if (fd == CURL_SOCKET_TIMEOUT && due >= 0 && h->timer_due == due) {
        /* libcurl found nothing due yet and kept its deadline: look again shortly,
         * without spinning */
        h->timer_due = fs_target__now_ms() + 1.0;
    }
    return FS_OK;
}

/* Take libcurl's finished transfers into h->done (reported by http_progress). */
static void collect_done(fs_target__dispatcher *d, http_state *h)
{
    int left = 0;
    CURLMsg *m = NULL;
    while (h->n_done < d->n_slots && (m = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (m->msg == CURLMSG_DONE) {
            h->done[h->n_done].easy = m->easy_handle;
            h->done[h->n_done].code = m->data.result;
            h->n_done++;
        }
    }
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
        curl_easy_setopt(e, CURLOPT_PROXY, env_proxy(d->urls[s->replica]));
        h->easy_url[s->index] = s->replica;
    }
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->r->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->r->body_len);
    CURLMcode mc = curl_multi_add_handle(h->multi, e);
    if (mc != CURLM_OK) {
        return FS_FAIL(err, FS_ERR_TARGET, "cannot start a transfer: %s", curl_multi_strerror(mc));
    }
    /* the new transfer is due at once: on a kept-alive connection this sends it */
    return act(h, CURL_SOCKET_TIMEOUT, 0, err);
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

static int event_mask(uint32_t events)
{
    int mask = 0;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) {
        mask |= CURL_CSELECT_IN;
    }
    if (events & EPOLLOUT) {
        mask |= CURL_CSELECT_OUT;
    }
    if (events & EPOLLERR) {
        mask |= CURL_CSELECT_ERR;
    }
    return mask;
}

/* Hand libcurl the sockets the last sleep found ready and, when its deadline passed, its
 * timers; then report every finished transfer. */
static fs_status http_progress(fs_target__dispatcher *d, fs_error *err)
{
    http_state *h = d->tx_state;
    fs_status st = FS_OK;
    for (int i = 0; i < h->n_ready && st == FS_OK; i++) {
        curl_socket_t fd = h->ready[i].data.fd;
        unsigned flags = fd_flags(h, fd);
        if ((flags & FD_OURS) && !(flags & FD_WATCHED)) {
            /* an idle kept-alive connection got data or was closed by the server:
             * libcurl sees that when it next picks the connection */
            watch(h, fd, (unsigned char *)h->fds.data + fd, 0);
            continue;
        }
        st = act(h, fd, event_mask(h->ready[i].events), err);
    }
    h->n_ready = 0;
    if (st == FS_OK && h->timer_due >= 0 && h->timer_due <= fs_target__now_ms()) {
        st = act(h, CURL_SOCKET_TIMEOUT, 0, err);
    }
    if (st != FS_OK) {
        return st;
    }
    collect_done(d, h);
    for (int i = 0; i < h->n_done && d->stop == FS_OK; i++) {
        finish(d, h, h->done[i].easy, h->done[i].code);
    }
    h->n_done = 0;
    return FS_OK;
}

/* Wait for a watched socket, libcurl's next deadline or timeout_ms, whichever is first. */
static fs_status http_sleep(fs_target__dispatcher *d, int timeout_ms, fs_error *err)
{
    http_state *h = d->tx_state;
    collect_done(d, h); /* a transfer that ended while starting must not wait for a wake-up */
    if (h->n_done > 0) {
        return FS_OK;
    }
    if (h->timer_due >= 0) {
        double left = h->timer_due - fs_target__now_ms();
        int t = left <= 0 ? 0 : (int)left + 1;
        timeout_ms = t < timeout_ms ? t : timeout_ms;
    }
    int n = epoll_wait(h->epfd, h->ready, READY_MAX, timeout_ms);
    if (n < 0 && errno != EINTR) {
        return FS_FAIL(err, FS_ERR_IO, "HTTP multi interface: epoll_wait: %s", strerror(errno));
    }
    h->n_ready = n > 0 ? n : 0;
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
    if (h->epfd >= 0) {
        close(h->epfd);
    }
    curl_slist_free_all(h->headers);
    fs_free(h->easy);
    fs_free(h->easy_url);
    fs_free(h->done);
    fs_buf_dispose(&h->fds);
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
