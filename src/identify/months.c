/* Month names of identify/months.json: a folded lookup table (name or abbreviation, any
 * language → month number) for the date validator, the regex alternation that stands for
 * {{months}} in patterns, and each language's names for writing dates. Invariants: lookup keys are
 * accent-stripped and case-folded, sorted, unique per (key, month); the alternation lists the
 * original spellings longest first so the regex engine never stops at an abbreviation of a longer
 * name. */
#include <stdlib.h>
#include <string.h>

#include "identify/internal.h"

static int cmp_month(const void *a, const void *b)
{
    const fs_identify__month *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c != 0 ? c : (x->month > y->month) - (x->month < y->month);
}

static fs_status add_month(fs_identify_detector *d, const char *name, int month, size_t *cap,
                           fs_error *err)
{
    fs_str k;
    fs_status st = fs_identify__fold(d, name, strlen(name), &k, err);
    if (st != FS_OK) {
        return st;
    }
    if (d->n_months == *cap) {
        size_t ncap = *cap ? *cap * 2 : 128;
        fs_identify__month *m = fs_realloc(d->months, ncap * sizeof *m);
        if (m == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        d->months = m;
        *cap = ncap;
    }
    d->months[d->n_months].key = fs_strndup(k.ptr, k.len);
    d->months[d->n_months].month = month;
    if (d->months[d->n_months].key == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    d->n_months++;
    return FS_OK;
}

/* One language: "months" and "abbreviations" (12 strings each) and "aliases" (name →
 * month). */
static fs_status load_language(fs_identify_detector *d, const cJSON *l, size_t *cap, fs_error *err)
{
    fs_identify__language *lang = &d->langs[d->n_langs++];
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(l, "months");
    const cJSON *abbr = cJSON_GetObjectItemCaseSensitive(l, "abbreviations");
    const cJSON *e;
    fs_status st = FS_OK;
    lang->code = fs_strdup(l->string);
    if (lang->code == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (cJSON_GetArraySize(names) != 12 || (abbr != NULL && cJSON_GetArraySize(abbr) != 12)) {
        return FS_FAIL(err, FS_ERR_INPUT, "languages: %s: months and abbreviations need 12 names",
                       l->string);
    }
    for (int m = 0; m < 12 && st == FS_OK; m++) {
        const char *name = cJSON_GetStringValue(cJSON_GetArrayItem(names, m));
        const char *ab = abbr ? cJSON_GetStringValue(cJSON_GetArrayItem(abbr, m)) : NULL;
        if (name == NULL) {
            return FS_FAIL(err, FS_ERR_INPUT, "languages: %s: months: names are strings",
                           l->string);
        }
        lang->months[m] = fs_strdup(name);
        st = lang->months[m] != NULL ? add_month(d, name, m + 1, cap, err)
                                     : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        if (st == FS_OK && ab != NULL) {
            st = add_month(d, ab, m + 1, cap, err);
        }
    }
    cJSON_ArrayForEach(e, (st == FS_OK ? cJSON_GetObjectItemCaseSensitive(l, "aliases") : NULL))
    {
        if (!cJSON_IsNumber(e) || e->valuedouble < 1 || e->valuedouble > 12) {
            return FS_FAIL(err, FS_ERR_INPUT, "languages: %s: aliases: a month is 1-12", l->string);
        }
        st = add_month(d, e->string, (int)e->valuedouble, cap, err);
        if (st != FS_OK) {
            break;
        }
    }
    return st;
}

fs_status fs_identify__months_load(fs_identify_detector *d, const char *path, fs_error *err)
{
    cJSON *doc = NULL;
    size_t cap = 0;
    fs_status st = fs_json__parse_file(&doc, path, err);
    const cJSON *langs = cJSON_GetObjectItemCaseSensitive(doc, "languages");
    const cJSON *l;
    if (st == FS_OK && !cJSON_IsObject(langs)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "%s: languages: must be an object", path);
    }
    if (st == FS_OK) {
        d->langs = fs_calloc((size_t)cJSON_GetArraySize(langs) + 1, sizeof *d->langs);
        st = d->langs != NULL ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    cJSON_ArrayForEach(l, (st == FS_OK ? langs : NULL))
    {
        st = load_language(d, l, &cap, err);
        if (st != FS_OK) {
            fs_error_prefix(err, "%s", path);
            break;
        }
    }
    if (st == FS_OK) {
        if (d->n_months > 1) {
            qsort(d->months, d->n_months, sizeof *d->months, cmp_month);
        }
        d->files[d->n_files] = fs_strdup(path);
        st = d->files[d->n_files] != NULL ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        d->n_files += st == FS_OK;
    }
    cJSON_Delete(doc);
    return st;
}

int fs_identify__month_of(const fs_identify_detector *d, const char *key, size_t n)
{
    size_t lo = 0, hi = d->n_months;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(key, d->months[mid].key, n);
        if (c == 0 && d->months[mid].key[n] != '\0') {
            c = -1;
        }
        if (c == 0) {
            return d->months[mid].month;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return 0;
}

static int cmp_len_desc(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    if (lx != ly) {
        return lx < ly ? 1 : -1;
    }
    return strcmp(x, y);
}

/* Every spelling of the languages (names as written, and folded keys, so unaccented
 * spellings match too), longest first, each once. */
fs_status fs_identify__months_spellings(const fs_identify_detector *d, const char ***out,
                                        size_t *n_out, fs_error *err)
{
    size_t n = d->n_months + d->n_langs * 12;
    const char **all = fs_calloc(n + 1, sizeof *all);
    size_t k = 0, kept = 0;
    *out = NULL;
    *n_out = 0;
    if (all == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < d->n_months; i++) {
        all[k++] = d->months[i].key;
    }
    for (size_t i = 0; i < d->n_langs; i++) {
        for (size_t m = 0; m < 12; m++) {
            all[k++] = d->langs[i].months[m];
        }
    }
    qsort(all, k, sizeof *all, cmp_len_desc);
    for (size_t i = 0; i < k; i++) {
        if (kept == 0 || strcmp(all[i], all[kept - 1]) != 0) {
            all[kept++] = all[i];
        }
    }
    *out = all;
    *n_out = kept;
    return FS_OK;
}

/* The spellings regex-quoted with \Q...\E, longest first, so the engine never stops at an
 * abbreviation of a longer name. */
fs_status fs_identify__months_alternation(const fs_identify_detector *d, fs_buf *out, fs_error *err)
{
    const char **all = NULL;
    size_t k = 0;
    fs_status st = fs_identify__months_spellings(d, &all, &k, err);
    for (size_t i = 0; st == FS_OK && i < k; i++) {
        fs_buf_puts(out, i > 0 ? "|\\Q" : "\\Q");
        fs_buf_puts(out, all[i]);
        fs_buf_puts(out, "\\E");
    }
    fs_free(all);
    return st;
}

const char *fs_identify_month_name(const fs_identify_detector *d, const char *language, int month)
{
    if (month < 1 || month > 12 || language == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < d->n_langs; i++) {
        if (strcmp(d->langs[i].code, language) == 0) {
            return d->langs[i].months[month - 1];
        }
    }
    return NULL;
}
