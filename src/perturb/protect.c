/* Protected spans: the stretches of a text (URLs, e-mail addresses, placeholders, the
 * user's own patterns) that perturbations and demographic swaps copy unchanged. Patterns
 * are ICU regular expressions or "@name" presets from perturbations/protect.json. The
 * spans of a text are every match of every pattern, sorted by start and merged where
 * they overlap or touch, so callers walk them once, left to right. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perturb/internal.h"

struct fs_perturb_protector {
    fs_text_regex **res;
    size_t n_res;
    fs_text_span *spans;
    size_t n_spans, cap_spans;
    char *file; /* protect.json when a preset was used */
};

fs_status fs_perturb__protect_compile(fs_text_regex **out, const char *pattern,
                                      const cJSON *presets, fs_error *err)
{
    const char *re = pattern;
    *out = NULL;
    if (pattern[0] == '@') {
        const cJSON *all = cJSON_GetObjectItemCaseSensitive(presets, "patterns");
        re = fs_json__str(all, pattern + 1);
        if (re == NULL) {
            const char *names[64];
            size_t n = 0;
            for (const cJSON *e = all ? all->child : NULL; e != NULL && n < 64; e = e->next) {
                names[n++] = e->string;
            }
            const char *near = fs_nearest(pattern + 1, names, n);
            return FS_FAIL(err, FS_ERR_CONFIG, "protect: unknown preset '%s'%s%s%s", pattern,
                           near ? " (did you mean '@" : "", near ? near : "", near ? "'?)" : "");
        }
    }
    return fs_text_regex_new(out, re, err);
}

static int span_cmp(const void *a, const void *b)
{
    const fs_text_span *x = a, *y = b;
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return x->end < y->end ? -1 : (x->end > y->end);
}

fs_status fs_perturb__protect_find(fs_text_regex *const *res, size_t n_res, const char *text,
                                   size_t n, fs_text_span **spans, size_t *count, size_t *cap,
                                   fs_error *err)
{
    *count = 0;
    for (size_t i = 0; i < n_res; i++) {
        fs_status st = fs_text_regex_find_all(res[i], text, n, spans, count, cap, err);
        if (st != FS_OK) {
            return st;
        }
    }
    if (*count < 2) {
        return FS_OK;
    }
    fs_text_span *s = *spans;
    qsort(s, *count, sizeof *s, span_cmp);
    size_t w = 0;
    for (size_t r = 1; r < *count; r++) {
        if (s[r].start <= s[w].end) {
            s[w].end = s[r].end > s[w].end ? s[r].end : s[w].end;
        } else {
            s[++w] = s[r];
        }
    }
    *count = w + 1;
    return FS_OK;
}

/* Parse protect.json once, on the first preset. */
static fs_status load_presets(fs_perturb_protector *pr, cJSON **doc, const char *data_dir,
                              fs_error *err)
{
    fs_buf path;
    if (data_dir == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "protect: no data directory for presets");
    }
    fs_buf_init(&path, 4096);
    fs_buf_printf(&path, "%s/perturbations/protect.json", data_dir);
    pr->file = fs_buf_take(&path, NULL);
    if (pr->file == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_status st = fs_json__parse_file(doc, pr->file, err);
    if (st != FS_OK) {
        return st;
    }
    if (!cJSON_IsObject(*doc)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: a data file must be a JSON object", pr->file);
    }
    return FS_OK;
}

fs_status fs_perturb_protector_new(fs_perturb_protector **out, const char *const *patterns,
                                   size_t n, const char *data_dir, fs_error *err)
{
    cJSON *presets = NULL;
    fs_status st = FS_OK;
    *out = NULL;
    fs_perturb_protector *pr = fs_calloc(1, sizeof *pr);
    if (pr != NULL) {
        pr->res = fs_calloc(n + 1, sizeof *pr->res);
    }
    if (pr == NULL || pr->res == NULL) {
        fs_perturb_protector_free(pr);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == FS_OK && i < n; i++) {
        if (patterns[i][0] == '@' && presets == NULL) {
            st = load_presets(pr, &presets, data_dir, err);
        }
        if (st == FS_OK) {
            st = fs_perturb__protect_compile(&pr->res[pr->n_res], patterns[i], presets, err);
        }
        pr->n_res += st == FS_OK;
    }
    cJSON_Delete(presets);
    if (st != FS_OK) {
        fs_perturb_protector_free(pr);
        return st;
    }
    *out = pr;
    return FS_OK;
}

void fs_perturb_protector_free(fs_perturb_protector *pr)
{
    if (pr == NULL) {
        return;
    }
    for (size_t i = 0; i < pr->n_res; i++) {
        fs_text_regex_free(pr->res[i]);
    }
    fs_free(pr->res);
    fs_free(pr->spans);
    fs_free(pr->file);
    fs_free(pr);
}

fs_status fs_perturb_protector_find(fs_perturb_protector *pr, const char *text, size_t n,
                                    const fs_text_span **spans_out, size_t *count_out,
                                    fs_error *err)
{
    *spans_out = NULL;
    *count_out = 0;
    fs_status st = fs_perturb__protect_find(pr->res, pr->n_res, text, n, &pr->spans, &pr->n_spans,
                                            &pr->cap_spans, err);
    if (st != FS_OK) {
        return st;
    }
    *spans_out = pr->spans;
    *count_out = pr->n_spans;
    return FS_OK;
}

const char *fs_perturb_protector_file(const fs_perturb_protector *pr)
{
    return pr->file;
}
