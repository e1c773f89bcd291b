/* pii-identifier: a baseline for the identification task. It answers an identification
 * prompt by running fairshake's own detectors (fs_identify_*) on the prompt's text and
 * listing what they find as JSON, {"items":[{"category","text"},...]}. So that it is a
 * model to measure and not an echo of the detectors, it is imperfect in fixed, learnable
 * ways: it knows only a subset of the categories (--ident-categories), so it never
 * reports the others, and with fewer detectors the overlap resolution differs too (an
 * e-mail inside a URL is reported when the model does not know URLs). When the prompt
 * lists categories ("Categories: Name, Phone number, ..."), each listed name is read
 * through the detectors' synonyms (fs_identify_canonical) and items are reported under
 * the prompt's spelling; a category the prompt does not list is not reported, and a
 * listed name the model does not know is ignored.
 *
 * A detector is not thread-safe, and building one reads three data files and compiles
 * every pattern, so the model keeps a pool of idle detectors behind a mutex: a request
 * takes one (or builds one when the pool is empty) and puts it back, unless the request
 * failed half-way through it. Everything else is read-only after refmodel_ident_new(). */
#include "refmodel/ident.h"

#include <pthread.h>
#include <string.h>

#include "fairshake/identify.h"
#include "refmodel/request.h"

#define POOL_MAX   64
#define FENCE_OPEN "```json\n"
#define FENCE_END  "\n```"

struct refmodel_ident {
    char *data_dir;    /* owned */
    char **categories; /* owned: the detectors' enabled categories */
    size_t n_categories;
    bool fence;
    pthread_mutex_t lock; /* guards idle and n_idle */
    fs_identify_detector *idle[POOL_MAX];
    size_t n_idle;
};

static bool ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static fs_str trim(const char *s, size_t n)
{
    while (n > 0 && ascii_space(*s)) {
        s++;
        n--;
    }
    while (n > 0 && ascii_space(s[n - 1])) {
        n--;
    }
    fs_str out = { s, n };
    return out;
}

/* A fresh detector of m's categories. */
static fs_status build_detector(const refmodel_ident *m, fs_identify_detector **out, fs_error *err)
{
    fs_identify_opts o = FS_IDENTIFY_OPTS_INIT;
    o.categories = (const char *const *)m->categories;
    o.n_categories = m->n_categories;
    return fs_identify_detector_new(out, m->data_dir, &o, err);
}

/* Split a comma-separated list into m->categories; "all" leaves it empty. */
static fs_status split_categories(refmodel_ident *m, const char *list, fs_error *err)
{
    fs_str all = trim(list, strlen(list));
    if (all.len == 3 && memcmp(all.ptr, "all", 3) == 0) {
        return FS_OK;
    }
    size_t n = 1;
    for (const char *p = list; *p != '\0'; p++) {
        n += *p == ',';
    }
    m->categories = fs_calloc(n, sizeof *m->categories);
    if (m->categories == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (const char *p = list;; p++) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        fs_str name = trim(p, len);
        if (name.len == 0) {
            return FS_FAIL(err, FS_ERR_CONFIG, "pii-identifier: empty category in '%s'", list);
        }
        m->categories[m->n_categories] = fs_strndup(name.ptr, name.len);
        if (m->categories[m->n_categories++] == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        if (comma == NULL) {
            return FS_OK;
        }
        p = comma;
    }
}

/* Replace m->categories by the names d enabled (in file order, each once). */
static fs_status adopt_categories(refmodel_ident *m, const fs_identify_detector *d, fs_error *err)
{
    const char *const *names = NULL;
    size_t n = fs_identify_detector_categories(d, &names);
    char **copy = fs_calloc(n > 0 ? n : 1, sizeof *copy);
    for (size_t i = 0; copy != NULL && i < n; i++) {
        copy[i] = fs_strdup(names[i]);
        if (copy[i] == NULL) {
            for (size_t k = 0; k < i; k++) {
                fs_free(copy[k]);
            }
            fs_free(copy);
            copy = NULL;
        }
    }
    if (copy == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->n_categories; i++) {
        fs_free(m->categories[i]);
    }
    fs_free(m->categories);
    m->categories = copy;
    m->n_categories = n;
    return FS_OK;
}

fs_status refmodel_ident_new(refmodel_ident **out, const char *data_dir, const char *categories,
                             bool fence, fs_error *err)
{
    fs_identify_detector *d = NULL;
    *out = NULL;
    refmodel_ident *m = fs_calloc(1, sizeof *m);
    if (m == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        fs_free(m);
        return FS_FAIL(err, FS_ERR_NOMEM, "pii-identifier: cannot create a mutex");
    }
    m->fence = fence;
    m->data_dir = fs_strdup(data_dir);
    fs_status st = m->data_dir != NULL ? split_categories(m, categories, err)
                                       : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    if (st == FS_OK) {
        st = build_detector(m, &d, err);
        if (st == FS_ERR_CONFIG) {
            fs_error_prefix(err, "pii-identifier");
        }
    }
    if (st == FS_OK) {
        st = adopt_categories(m, d, err);
    }
    if (st == FS_OK) {
        m->idle[m->n_idle++] = d;
        *out = m;
        return FS_OK;
    }
    fs_identify_detector_free(d);
    refmodel_ident_free(m);
    return st;
}

void refmodel_ident_free(refmodel_ident *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->n_idle; i++) {
        fs_identify_detector_free(m->idle[i]);
    }
    for (size_t i = 0; i < m->n_categories; i++) {
        fs_free(m->categories[i]);
    }
    fs_free(m->categories);
    fs_free(m->data_dir);
    pthread_mutex_destroy(&m->lock);
    fs_free(m);
}

size_t refmodel_ident_categories(const refmodel_ident *m, const char *const **out)
{
    *out = (const char *const *)m->categories;
    return m->n_categories;
}

bool refmodel_ident_fenced(const refmodel_ident *m)
{
    return m->fence;
}

fs_str refmodel_ident_text(const char *prompt, size_t n)
{
    static const char *const starts[] = { "Text:", "Note:", NULL };
    static const char *const ends[] = { "Answer:", "Items:", NULL };
    bool found = false;
    fs_str text = refmodel_section(prompt, n, starts, ends, &found);
    return found ? text : trim(prompt, n);
}

fs_str refmodel_ident_listed(const char *prompt, size_t n, bool *found)
{
    static const char marker[] = "Categories:";
    static const char *const starts[] = { "Text:", "Note:", NULL };
    bool has_text = false;
    fs_str text = refmodel_section(prompt, n, starts, starts, &has_text);
    size_t limit = has_text ? (size_t)(text.ptr - prompt) : n;
    fs_str none = { prompt, 0 };
    *found = false;
    for (size_t line = 0; line < limit;) {
        const char *nl = memchr(prompt + line, '\n', n - line);
        size_t next = nl != NULL ? (size_t)(nl - prompt) + 1 : n;
        if (n - line >= sizeof marker - 1 &&
            memcmp(prompt + line, marker, sizeof marker - 1) == 0) {
            size_t at = line + sizeof marker - 1;
            *found = true;
            return trim(prompt + at, (nl != NULL ? (size_t)(nl - prompt) : n) - at);
        }
        line = next;
    }
    return none;
}

/* Take an idle detector, or build one when none is idle. */
static fs_status acquire(refmodel_ident *m, fs_identify_detector **out, fs_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&m->lock);
    if (m->n_idle > 0) {
        *out = m->idle[--m->n_idle];
    }
    pthread_mutex_unlock(&m->lock);
    return *out != NULL ? FS_OK : build_detector(m, out, err);
}

/* Put a detector back into the pool; beyond POOL_MAX idle ones it is freed. */
static void release(refmodel_ident *m, fs_identify_detector *d)
{
    pthread_mutex_lock(&m->lock);
    if (d != NULL && m->n_idle < POOL_MAX) {
        m->idle[m->n_idle++] = d;
        d = NULL;
    }
    pthread_mutex_unlock(&m->lock);
    fs_identify_detector_free(d);
}

/* Name the prompt lists for each category of m, a view of the prompt (empty: not
 * reported). Without a list every category is reported under its own name. */
static fs_status answer_names(const refmodel_ident *m, fs_identify_detector *d, const char *prompt,
                              size_t n, fs_str *names, fs_error *err)
{
    bool found = false;
    fs_str list = refmodel_ident_listed(prompt, n, &found);
    fs_status st = FS_OK;
    fs_buf canon;
    for (size_t i = 0; i < m->n_categories; i++) {
        names[i].ptr = m->categories[i];
        names[i].len = found ? 0 : strlen(m->categories[i]);
    }
    fs_buf_init(&canon, 0);
    for (size_t at = 0; found && st == FS_OK && at < list.len;) {
        const char *p = list.ptr + at;
        size_t len = 0;
        while (at + len < list.len && p[len] != ',' && p[len] != ';') {
            len++;
        }
        fs_str name = trim(p, len);
        at += len + 1;
        while (name.len > 0 && name.ptr[name.len - 1] == '.') {
            name.len--;
        }
        fs_buf_reset(&canon);
        st = name.len > 0 ? fs_identify_canonical(d, &canon, name.ptr, name.len, err) : FS_OK;
        for (size_t i = 0; st == FS_OK && name.len > 0 && i < m->n_categories; i++) {
            if (names[i].len == 0 && strcmp(fs_buf_cstr(&canon), m->categories[i]) == 0) {
                names[i] = name;
            }
        }
    }
    fs_buf_dispose(&canon);
    return st;
}

/* Index of category in m, or m->n_categories. */
static size_t category_index(const refmodel_ident *m, const char *category)
{
    size_t i = 0;
    while (i < m->n_categories && strcmp(m->categories[i], category) != 0) {
        i++;
    }
    return i;
}

/* Append the JSON list of items: distinct (category, text) pairs of reported categories. */
static void write_items(fs_buf *out, const refmodel_ident *m, const fs_identify_item *items,
                        size_t count, const fs_str *names)
{
    bool first = true;
    fs_buf_puts(out, "{\"items\":[");
    for (size_t j = 0; j < count; j++) {
        size_t c = category_index(m, items[j].category);
        bool repeat = false;
        for (size_t k = 0; k < j && !repeat; k++) {
            repeat = strcmp(items[k].category, items[j].category) == 0 &&
                     strcmp(items[k].text, items[j].text) == 0;
        }
        if (c == m->n_categories || names[c].len == 0 || repeat) {
            continue;
        }
        fs_buf_puts(out, first ? "{\"category\":" : ",{\"category\":");
        fs_buf_put_json_string(out, names[c].ptr, names[c].len);
        fs_buf_puts(out, ",\"text\":");
        fs_buf_put_json_string(out, items[j].text, strlen(items[j].text));
        fs_buf_putc(out, '}');
        first = false;
    }
    fs_buf_puts(out, "]}");
}

fs_status refmodel_ident_answer(refmodel_ident *m, fs_buf *out, const char *prompt, size_t n,
                                fs_error *err)
{
    fs_identify_detector *d = NULL;
    fs_identify_item *items = NULL;
    size_t count = 0;
    fs_str text = refmodel_ident_text(prompt, n);
    fs_str *names = fs_calloc(m->n_categories > 0 ? m->n_categories : 1, sizeof *names);
    fs_status st =
        names != NULL ? acquire(m, &d, err) : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    if (st == FS_OK) {
        st = answer_names(m, d, prompt, n, names, err);
    }
    if (st == FS_OK) {
        st = fs_identify_detect(d, text.ptr, text.len, &items, &count, err);
    }
    if (st == FS_OK) {
        fs_buf_puts(out, m->fence ? FENCE_OPEN : "");
        write_items(out, m, items, count, names);
        fs_buf_puts(out, m->fence ? FENCE_END : "");
        st = fs_buf_status(out);
        if (st != FS_OK) {
            st = FS_FAIL(err, st, "out of memory");
        }
    }
    fs_identify_items_free(items, count);
    if (st != FS_OK) {
        /* a detector that failed half-way is not trusted with another request */
        fs_identify_detector_free(d);
        d = NULL;
    }
    release(m, d);
    fs_free(names);
    return st;
}
