/* Reading a model's identification answer and placing it in the input. The answer is
 * searched for JSON: first inside a ``` fence, then from each '[' or '{' in order; the
 * first value of an accepted shape wins (an array of items, an object with an items-like
 * array, one item, or an object mapping categories to strings or lists of strings).
 * Each distinct (category, text) prediction is placed at every whole-token occurrence of
 * its text in the input, exact bytes first, else case-insensitively; a text found nowhere
 * stays one unlocated prediction. Invariants: nothing in the answer is trusted: sizes are
 * bounded, non-string values ignored, and a malformed answer is a parse failure, not an
 * error. */
#include <string.h>

#include "identify/internal.h"

#define MAX_TRIES 64
#define MAX_PREDS 4096

typedef struct preds {
    fs_identify_pred *v;
    size_t n;
} preds;

void fs_identify_preds_free(fs_identify_pred *p, size_t count)
{
    for (size_t i = 0; p != NULL && i < count; i++) {
        fs_free(p[i].category);
        fs_free(p[i].text);
    }
    fs_free(p);
}

static const cJSON *member(const cJSON *o, const char *const *keys)
{
    for (size_t i = 0; keys[i] != NULL; i++) {
        const cJSON *v = cJSON_GetObjectItem(o, keys[i]);
        if (cJSON_IsString(v)) {
            return v;
        }
    }
    return NULL;
}

static const char *const cat_keys[] = { "category",    "type", "label", "entity",
                                        "entity_type", "kind", NULL };
static const char *const text_keys[] = { "text", "value", "span", "item", "content", NULL };
static const char *const list_keys[] = { "items", "entities", "results", "data", "findings", NULL };

static fs_status push(fs_identify_detector *d, preds *p, const char *cat, const char *text,
                      fs_error *err)
{
    fs_buf c;
    if (p->n == MAX_PREDS || text[0] == '\0') {
        return FS_OK;
    }
    fs_identify_pred *v = fs_realloc(p->v, (p->n + 1) * sizeof *v);
    if (v == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    p->v = v;
    fs_buf_init(&c, 0);
    fs_status st = fs_identify_canonical(d, &c, cat, strlen(cat), err);
    v[p->n].category = st == FS_OK ? fs_buf_take(&c, NULL) : NULL;
    v[p->n].text = fs_strdup(text);
    fs_buf_dispose(&c);
    p->n++;
    if (st == FS_OK && (v[p->n - 1].category == NULL || v[p->n - 1].text == NULL)) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return st;
}

/* The items of an accepted shape; *ok false when v has none of them. */
static fs_status collect(fs_identify_detector *d, const cJSON *v, preds *p, bool *ok, fs_error *err)
{
    const cJSON *e, *list = NULL;
    fs_status st = FS_OK;
    *ok = false;
    if (cJSON_IsObject(v)) {
        for (size_t i = 0; list_keys[i] != NULL && list == NULL; i++) {
            list = cJSON_GetObjectItem(v, list_keys[i]);
            list = cJSON_IsArray(list) ? list : NULL;
        }
        const cJSON *cat = member(v, cat_keys), *text = member(v, text_keys);
        if (list == NULL && cat != NULL && text != NULL) {
            *ok = true;
            return push(d, p, cat->valuestring, text->valuestring, err);
        }
    }
    if (cJSON_IsArray(v) || list != NULL) {
        const cJSON *arr = list != NULL ? list : v;
        *ok = cJSON_GetArraySize(arr) == 0;
        cJSON_ArrayForEach(e, arr)
        {
            const cJSON *cat = member(e, cat_keys), *text = member(e, text_keys);
            if (cat != NULL && text != NULL && st == FS_OK) {
                *ok = true;
                st = push(d, p, cat->valuestring, text->valuestring, err);
            }
        }
        return st;
    }
    /* {"email": ["a@b.c"], "person": "Ann Lee"} */
    cJSON_ArrayForEach(e, (cJSON_IsObject(v) ? v : NULL))
    {
        const cJSON *x;
        if (cJSON_IsString(e) && st == FS_OK) {
            *ok = true;
            st = push(d, p, e->string, e->valuestring, err);
        }
        cJSON_ArrayForEach(x, (cJSON_IsArray(e) ? e : NULL))
        {
            if (cJSON_IsString(x) && st == FS_OK) {
                *ok = true;
                st = push(d, p, e->string, x->valuestring, err);
            }
        }
    }
    return st;
}

/* Try the JSON value starting at s[0..n). */
static fs_status try_at(fs_identify_detector *d, const char *s, size_t n, preds *p, bool *ok,
                        fs_error *err)
{
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(s, n, &end, false);
    *ok = false;
    if (v == NULL) {
        return FS_OK;
    }
    fs_status st = collect(d, v, p, ok, err);
    cJSON_Delete(v);
    return st;
}

/* The body of the first ``` fence (after an optional language tag), or n == 0. */
static fs_str fence(const char *s, size_t n)
{
    fs_str r = { NULL, 0 };
    const char *a = NULL;
    for (size_t i = 0; i + 3 <= n; i++) {
        if (memcmp(s + i, "```", 3) != 0) {
            continue;
        }
        if (a == NULL) {
            const char *nl = memchr(s + i + 3, '\n', n - i - 3);
            if (nl == NULL) {
                return r;
            }
            a = nl + 1;
            i = (size_t)(nl - s);
        } else if (s + i >= a) {
            r.ptr = a;
            r.len = (size_t)(s + i - a);
            return r;
        }
    }
    return r;
}

fs_status fs_identify_parse_answer(fs_identify_detector *d, const char *answer, size_t n,
                                   fs_identify_pred **out, size_t *count_out, bool *parsed,
                                   fs_error *err)
{
    preds p = { NULL, 0 };
    fs_str f = fence(answer, n);
    fs_status st = FS_OK;
    bool ok = false;
    *out = NULL;
    *count_out = 0;
    *parsed = false;
    if (f.len > 0) {
        st = try_at(d, f.ptr, f.len, &p, &ok, err);
    }
    for (size_t i = 0, tries = 0; st == FS_OK && !ok && i < n && tries < MAX_TRIES; i++) {
        if (answer[i] == '[' || answer[i] == '{') {
            tries++;
            fs_identify_preds_free(p.v, p.n);
            p.v = NULL;
            p.n = 0;
            st = try_at(d, answer + i, n - i, &p, &ok, err);
        }
    }
    if (st != FS_OK || !ok) {
        fs_identify_preds_free(p.v, p.n);
        return st;
    }
    *out = p.v;
    *count_out = p.n;
    *parsed = true;
    return FS_OK;
}
