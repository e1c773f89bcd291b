/* Prefilters: cheap tests that rule a pattern out for a whole text before its regular
 * expression runs. ICU tries an expression at every position of a text, and most
 * patterns cannot match most texts (no '@', too few digits, no label such as "MRN"), so
 * one pass over the text gathers what every prefilter needs (ASCII or not, how many
 * decimal digits, which bytes occur) and each pattern then costs a few comparisons unless
 * the text can hold a match.
 *
 * A prefilter (patterns.json "prefilter") states what every match of its pattern needs:
 * "digits" decimal digits (general category Nd, which \d matches) and, for each group of
 * "literals", one of its strings, compared case-folded with "fold" (as (?i) compares: a
 * case-insensitive literal matches only where the folded text holds its folded form).
 * "{{months}}" in a group stands for every month spelling of the {{months}} alternation.
 * A pattern with context_required also needs one of its context words; that is decided
 * only for ASCII texts, where folding and accent stripping are plain lower-casing and the
 * window searched is a substring of the text.
 *
 * Invariant: a prefilter never rules out a text its pattern matches; detection without
 * prefilters would find exactly the same items, only slower. */
#include <stdlib.h>
#include <string.h>

#include "core/text_digits.h"
#include "identify/internal.h"

#define MAX_DIGITS 1000

static void set_add(uint64_t *set, unsigned char c)
{
    set[c >> 6] |= (uint64_t)1 << (c & 63);
}

static bool set_has(const uint64_t *set, unsigned char c)
{
    return (set[c >> 6] >> (c & 63)) & 1;
}

static bool sets_meet(const uint64_t *a, const uint64_t *b)
{
    return ((a[0] & b[0]) | (a[1] & b[1]) | (a[2] & b[2]) | (a[3] & b[3])) != 0;
}

static void lits_dispose(fs_identify__lits *g)
{
    for (size_t i = 0; i < g->n; i++) {
        fs_free(g->v[i]);
    }
    fs_free(g->v);
    fs_free(g->len);
    memset(g, 0, sizeof *g);
}

static int cmp_first(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int c = (int)(unsigned char)x[0] - (int)(unsigned char)y[0];
    return c != 0 ? c : strcmp(x, y);
}

/* Drop every string that holds another one of g (or repeats it): where it occurs, the
 * shorter one does too ("jan" answers for "january"). */
static void lits_minimise(fs_identify__lits *g)
{
    size_t kept = 0;
    for (size_t i = 0; i < g->n; i++) {
        bool covered = false;
        for (size_t j = 0; j < g->n && !covered; j++) {
            if (j == i || g->v[j] == NULL) {
                continue;
            }
            covered =
                strstr(g->v[i], g->v[j]) != NULL && (strlen(g->v[j]) < strlen(g->v[i]) || j < i);
        }
        if (covered) {
            fs_free(g->v[i]);
            g->v[i] = NULL;
        }
    }
    for (size_t i = 0; i < g->n; i++) {
        if (g->v[i] != NULL) {
            g->v[kept++] = g->v[i];
        }
    }
    g->n = kept;
}

/* Keep the minimal strings, sort them by first byte and index the runs. */
static fs_status lits_finish(fs_identify__lits *g, fs_error *err)
{
    lits_minimise(g);
    g->len = fs_calloc(g->n + 1, sizeof *g->len);
    if (g->len == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (g->n > 1) {
        qsort(g->v, g->n, sizeof *g->v, cmp_first);
    }
    size_t at = 0;
    for (unsigned b = 0; b < 256; b++) {
        g->bucket[b] = (uint32_t)at;
        while (at < g->n && (unsigned char)g->v[at][0] == b) {
            g->len[at] = strlen(g->v[at]);
            set_add(g->first, (unsigned char)b);
            g->pairs[b & 63] |=
                g->len[at] == 1 ? ~(uint64_t)0 : (uint64_t)1 << ((unsigned char)g->v[at][1] & 63);
            at++;
        }
    }
    g->bucket[256] = (uint32_t)at;
    return FS_OK;
}

/* Add s[0..n) to g, case-folded with fold. */
static fs_status lits_add(fs_identify_detector *d, fs_identify__lits *g, const char *s, size_t n,
                          bool fold, fs_error *err)
{
    fs_status st = FS_OK;
    fs_buf_reset(&d->tmp);
    if (fold) {
        st = fs_text_casemapper_map(d->cm, &d->tmp, s, n, FS_CASE_FOLD, err);
    } else {
        fs_buf_append(&d->tmp, s, n);
    }
    if (st == FS_OK && fs_buf_status(&d->tmp) != FS_OK) {
        st = FS_FAIL(err, fs_buf_status(&d->tmp), "out of memory");
    }
    if (st != FS_OK) {
        return st;
    }
    char **v = fs_realloc(g->v, (g->n + 1) * sizeof *v);
    if (v == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    g->v = v;
    g->v[g->n] = fs_strndup(fs_buf_cstr(&d->tmp), d->tmp.len);
    if (g->v[g->n] == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    g->n++;
    return FS_OK;
}

static fs_status add_months(fs_identify_detector *d, fs_identify__lits *g, bool fold, fs_error *err)
{
    const char **all = NULL;
    size_t n = 0;
    fs_status st = fs_identify__months_spellings(d, &all, &n, err);
    for (size_t i = 0; i < n && st == FS_OK; i++) {
        st = lits_add(d, g, all[i], strlen(all[i]), fold, err);
    }
    fs_free(all);
    return st;
}

/* One group of "literals": a non-empty array of non-empty strings. */
static fs_status load_group(fs_identify_detector *d, const char *cat, const cJSON *arr, bool fold,
                            fs_identify__lits *g, fs_error *err)
{
    const cJSON *e;
    fs_status st = FS_OK;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        return FS_FAIL(err, FS_ERR_INPUT,
                       "%s: prefilter: literals: each group is a non-empty array of strings", cat);
    }
    cJSON_ArrayForEach(e, arr)
    {
        if (!cJSON_IsString(e) || e->valuestring[0] == '\0') {
            return FS_FAIL(err, FS_ERR_INPUT, "%s: prefilter: literals: each string is non-empty",
                           cat);
        }
        if (strcmp(e->valuestring, "{{months}}") == 0) {
            st = add_months(d, g, fold, err);
        } else {
            st = lits_add(d, g, e->valuestring, strlen(e->valuestring), fold, err);
        }
        if (st != FS_OK) {
            return st;
        }
    }
    return lits_finish(g, err);
}

static fs_status check_keys(const char *cat, const cJSON *spec, fs_error *err)
{
    static const char *const keys[] = { "digits", "fold", "literals" };
    const cJSON *e;
    cJSON_ArrayForEach(e, spec)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !known; i++) {
            known = strcmp(e->string, keys[i]) == 0;
        }
        if (!known) {
            const char *near = fs_nearest(e->string, keys, sizeof keys / sizeof keys[0]);
            return FS_FAIL(err, FS_ERR_CONFIG, "%s: prefilter: unknown key '%s'%s%s%s", cat,
                           e->string, near ? " (did you mean '" : "", near ? near : "",
                           near ? "'?)" : "");
        }
    }
    return FS_OK;
}

static fs_status load_spec(fs_identify_detector *d, const char *cat, const cJSON *spec,
                           fs_identify__prefilter *pre, fs_error *err)
{
    const cJSON *digits = cJSON_GetObjectItemCaseSensitive(spec, "digits");
    const cJSON *fold = cJSON_GetObjectItemCaseSensitive(spec, "fold");
    const cJSON *lits = cJSON_GetObjectItemCaseSensitive(spec, "literals");
    const cJSON *e;
    if (!cJSON_IsObject(spec)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: prefilter: must be an object", cat);
    }
    fs_status st = check_keys(cat, spec, err);
    if (st != FS_OK) {
        return st;
    }
    if (digits != NULL &&
        (!cJSON_IsNumber(digits) || digits->valuedouble < 0 || digits->valuedouble > MAX_DIGITS ||
         digits->valuedouble != (double)(int)digits->valuedouble)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: prefilter: digits: an integer 0-%d", cat,
                       MAX_DIGITS);
    }
    if (fold != NULL && !cJSON_IsBool(fold)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: prefilter: fold: true or false", cat);
    }
    if (lits != NULL && !cJSON_IsArray(lits)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: prefilter: literals: an array of groups", cat);
    }
    pre->digits = digits != NULL ? (size_t)digits->valuedouble : 0;
    pre->fold = cJSON_IsTrue(fold);
    pre->groups = fs_calloc((size_t)cJSON_GetArraySize(lits) + 1, sizeof *pre->groups);
    if (pre->groups == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    cJSON_ArrayForEach(e, lits)
    {
        st = load_group(d, cat, e, pre->fold, &pre->groups[pre->n_groups], err);
        pre->n_groups++;
        if (st != FS_OK) {
            break;
        }
    }
    return st;
}

fs_status fs_identify__prefilter_load(fs_identify_detector *d, const char *cat, const cJSON *spec,
                                      fs_identify__pattern *p, fs_error *err)
{
    fs_status st = FS_OK;
    if (spec != NULL) {
        st = load_spec(d, cat, spec, &p->pre, err);
    }
    if (st == FS_OK && p->context_required && p->n_context > 0) {
        /* already folded and accent-stripped */
        for (size_t i = 0; i < p->n_context && st == FS_OK; i++) {
            st = lits_add(d, &p->ctx, p->context[i], strlen(p->context[i]), false, err);
        }
        if (st == FS_OK) {
            st = lits_finish(&p->ctx, err);
        }
    }
    return st;
}

void fs_identify__prefilter_dispose(fs_identify__pattern *p)
{
    for (size_t i = 0; i < p->pre.n_groups; i++) {
        lits_dispose(&p->pre.groups[i]);
    }
    fs_free(p->pre.groups);
    p->pre.groups = NULL;
    p->pre.n_groups = 0;
    lits_dispose(&p->ctx);
}

void fs_identify__scan_begin(fs_identify_detector *d, const char *text, size_t n)
{
    fs_identify__scan *s = &d->scan;
    size_t i = 0;
    s->text = text;
    s->n = n;
    s->ascii = true;
    s->digits = 0;
    memset(s->bytes, 0, sizeof s->bytes);
    s->folded_ready = false;
    s->input_ready = false;
    while (i < n) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            set_add(s->bytes, c);
            s->digits += c >= '0' && c <= '9';
            i++;
            continue;
        }
        size_t at = i;
        s->ascii = false;
        s->digits += fs_text__digit_value(fs_text_next_cp(text, n, &i)) >= 0;
        while (at < i) {
            set_add(s->bytes, (unsigned char)text[at++]);
        }
    }
}

/* The folded text and its bytes, made once per text. */
static fs_status fold_text(fs_identify_detector *d, fs_error *err)
{
    fs_identify__scan *s = &d->scan;
    fs_status st = FS_OK;
    if (s->folded_ready) {
        return FS_OK;
    }
    fs_buf_reset(&s->folded);
    if (s->ascii) {
        fs_buf_append(&s->folded, s->text, s->n);
        for (size_t i = 0; fs_buf_status(&s->folded) == FS_OK && i < s->n; i++) {
            char c = s->folded.data[i];
            s->folded.data[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
    } else {
        st = fs_text_casemapper_map(d->cm, &s->folded, s->text, s->n, FS_CASE_FOLD, err);
    }
    if (st == FS_OK && fs_buf_status(&s->folded) != FS_OK) {
        st = FS_FAIL(err, fs_buf_status(&s->folded), "out of memory");
    }
    if (st != FS_OK) {
        return st;
    }
    memset(s->fbytes, 0, sizeof s->fbytes);
    for (size_t i = 0; i < s->folded.len; i++) {
        set_add(s->fbytes, (unsigned char)s->folded.data[i]);
    }
    s->folded_ready = true;
    return FS_OK;
}

/* true when one string of g occurs in t[0..n), whose bytes are the set present. */
static bool lits_occur(const fs_identify__lits *g, const char *t, size_t n, const uint64_t *present)
{
    if (!sets_meet(g->first, present)) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        unsigned char c1 = i + 1 < n ? (unsigned char)t[i + 1] : 0;
        if (!((g->pairs[c & 63] >> (c1 & 63)) & 1) || !set_has(g->first, c)) {
            continue;
        }
        for (uint32_t j = g->bucket[c]; j < g->bucket[c + 1]; j++) {
            size_t l = g->len[j];
            if (l == 1 || (l <= n - i && t[i + 1] == g->v[j][1] &&
                           memcmp(t + i + 2, g->v[j] + 2, l - 2) == 0)) {
                return true;
            }
        }
    }
    return false;
}

fs_status fs_identify__prefilter_pass(fs_identify_detector *d, const fs_identify__pattern *p,
                                      bool *out, fs_error *err)
{
    const fs_identify__scan *s = &d->scan;
    const fs_identify__prefilter *pre = &p->pre;
    bool ctx = p->ctx.n > 0 && s->ascii;
    *out = s->digits >= pre->digits;
    if (!*out || (pre->n_groups == 0 && !ctx)) {
        return FS_OK;
    }
    if (pre->fold || ctx) {
        fs_status st = fold_text(d, err);
        if (st != FS_OK) {
            return st;
        }
    }
    const char *t = pre->fold ? s->folded.data : s->text;
    size_t n = pre->fold ? s->folded.len : s->n;
    const uint64_t *present = pre->fold ? s->fbytes : s->bytes;
    for (size_t i = 0; i < pre->n_groups && *out; i++) {
        *out = lits_occur(&pre->groups[i], t, n, present);
    }
    if (*out && ctx) {
        *out = lits_occur(&p->ctx, s->folded.data, s->folded.len, s->fbytes);
    }
    return FS_OK;
}
