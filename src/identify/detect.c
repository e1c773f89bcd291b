/* Detection: every enabled category's patterns run over the text; each match must have a
 * context word before it when its pattern requires one, and pass its validator; then
 * overlapping candidates are resolved and offsets converted to code points. Overlaps:
 * the candidate with more code points wins (a URL over the e-mail inside it, an IBAN over
 * the digits inside it), then the category with the higher priority, then the earlier
 * start, then the category listed first; a candidate is dropped when it shares a byte with
 * one already kept. Invariants: items never overlap, are sorted by start, and their code
 * point offsets count code points of the original text (never bytes, never graphemes).
 *
 * Speed: a pattern whose prefilter (prefilter.c) rules the text out is not run; the text
 * is converted to UTF-16 once for all the patterns that do run; the context of a match in
 * an ASCII text is read from the lower-cased text. None of these changes a result:
 * fs_identify__pattern_matches keeps the reference way for the tests that say so. */
#include <stdlib.h>
#include <string.h>

#include "identify/internal.h"

fs_status fs_identify__cands_push(fs_identify__cands *c, size_t cat, size_t start, size_t end,
                                  fs_error *err)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        fs_identify__cand *v = fs_realloc(c->v, cap * sizeof *v);
        if (v == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n].cat = cat;
    c->v[c->n].start = start;
    c->v[c->n].end = end;
    c->v[c->n].cps = 0;
    c->v[c->n].priority = 0;
    c->n++;
    return FS_OK;
}

/* true when one of words occurs in k[0..n). */
static bool has_word(char *const *words, size_t n_words, const char *k, size_t n)
{
    for (size_t i = 0; i < n_words; i++) {
        size_t wl = strlen(words[i]);
        for (size_t j = 0; j + wl <= n; j++) {
            if (memcmp(k + j, words[i], wl) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* true when a context word of p occurs in the window of code points before start. The
 * window is folded and accent-stripped; in an ASCII text (fast) that is the lower-cased
 * text the prefilters made, at the same offsets. */
static fs_status has_context(fs_identify_detector *d, const fs_identify__pattern *p,
                             const char *text, size_t start, bool fast, bool *out, fs_error *err)
{
    size_t a = start, cps = 0;
    fs_str k;
    *out = false;
    while (a > 0 && cps < p->window) {
        a--;
        while (a > 0 && ((unsigned char)text[a] & 0xC0) == 0x80) {
            a--;
        }
        cps++;
    }
    if (fast && d->scan.ascii && d->scan.folded_ready) {
        *out = has_word(p->context, p->n_context, d->scan.folded.data + a, start - a);
        return FS_OK;
    }
    fs_status st = fs_identify__fold(d, text + a, start - a, &k, err);
    if (st == FS_OK) {
        *out = has_word(p->context, p->n_context, k.ptr, k.len);
    }
    return st;
}

/* The matches of p in the scanned text that have their context, in d->spans. */
static fs_status match_pattern(fs_identify_detector *d, const fs_identify__pattern *p, bool fast,
                               fs_error *err)
{
    fs_identify__scan *s = &d->scan;
    fs_status st = FS_OK;
    bool pass = true;
    d->n_spans = 0;
    if (fast) {
        st = fs_identify__prefilter_pass(d, p, &pass, err);
        if (st == FS_OK && pass && !s->input_ready) {
            st = fs_text_regex_input_set(s->input, s->text, s->n, err);
            s->input_ready = st == FS_OK;
        }
        if (st == FS_OK && pass) {
            st = fs_text_regex_find_all_input(p->re, s->input, &d->spans, &d->n_spans,
                                              &d->cap_spans, err);
        }
    } else {
        st = fs_text_regex_find_all(p->re, s->text, s->n, &d->spans, &d->n_spans, &d->cap_spans,
                                    err);
    }
    if (st != FS_OK || !p->context_required) {
        return st;
    }
    size_t kept = 0;
    for (size_t i = 0; i < d->n_spans && st == FS_OK; i++) {
        bool ctx = false;
        st = has_context(d, p, s->text, d->spans[i].start, fast, &ctx, err);
        if (ctx) {
            d->spans[kept++] = d->spans[i];
        }
    }
    d->n_spans = kept;
    return st;
}

fs_status fs_identify__pattern_matches(fs_identify_detector *d, size_t cat, size_t pat,
                                       const char *text, size_t n, bool fast, fs_error *err)
{
    if (cat >= d->n_cats || pat >= d->cats[cat].n_pats) {
        return FS_FAIL(err, FS_ERR_USAGE, "identify: no pattern %zu of category %zu", pat, cat);
    }
    fs_identify__scan_begin(d, text, n);
    return match_pattern(d, &d->cats[cat].pats[pat], fast, err);
}

static fs_status run_pattern(fs_identify_detector *d, size_t cat, const fs_identify__pattern *p,
                             const char *text, size_t n, fs_identify__cands *out, fs_error *err)
{
    fs_status st = match_pattern(d, p, true, err);
    for (size_t i = 0; i < d->n_spans && st == FS_OK; i++) {
        size_t s = d->spans[i].start, e = d->spans[i].end;
        if (p->validator == FS_IDENTIFY__V_PERSON) {
            st = fs_identify__persons(d, text, n, s, e, cat, out, err);
        } else if (fs_identify__validate(d, p->validator, text, n, &s, &e)) {
            st = fs_identify__cands_push(out, cat, s, e, err);
        }
    }
    return st;
}

static int cmp_rank(const void *a, const void *b)
{
    const fs_identify__cand *x = a, *y = b;
    if (x->cps != y->cps) {
        return x->cps > y->cps ? -1 : 1;
    }
    if (x->priority != y->priority) {
        return x->priority > y->priority ? -1 : 1;
    }
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return (x->cat > y->cat) - (x->cat < y->cat);
}

static int cmp_start(const void *a, const void *b)
{
    const fs_identify__cand *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static size_t count_cps(const char *s, size_t n)
{
    size_t i = 0, k = 0;
    while (i < n) {
        fs_text_next_cp(s, n, &i);
        k++;
    }
    return k;
}

/* Keep the best-ranked candidates that overlap nothing kept before them. */
static void resolve(fs_identify_detector *d, const char *text, fs_identify__cands *c)
{
    size_t kept = 0;
    for (size_t i = 0; i < c->n; i++) {
        c->v[i].cps = count_cps(text + c->v[i].start, c->v[i].end - c->v[i].start);
        c->v[i].priority = d->cats[c->v[i].cat].priority;
    }
    qsort(c->v, c->n, sizeof *c->v, cmp_rank);
    for (size_t i = 0; i < c->n; i++) {
        bool clash = false;
        for (size_t j = 0; j < kept && !clash; j++) {
            clash = c->v[i].start < c->v[j].end && c->v[j].start < c->v[i].end;
        }
        if (!clash) {
            c->v[kept++] = c->v[i];
        }
    }
    c->n = kept;
    qsort(c->v, c->n, sizeof *c->v, cmp_start);
}

static fs_status make_items(fs_identify_detector *d, const char *text, const fs_identify__cands *c,
                            fs_identify_item **items_out, fs_error *err)
{
    fs_identify_item *items = fs_calloc(c->n, sizeof *items);
    size_t at = 0, cp = 0;
    if (items == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < c->n; i++) {
        const fs_identify__cand *x = &c->v[i];
        cp += count_cps(text + at, x->start - at);
        items[i].category = d->cats[x->cat].name;
        items[i].byte_start = x->start;
        items[i].byte_end = x->end;
        items[i].start = cp;
        items[i].end = cp + x->cps;
        items[i].text = fs_strndup(text + x->start, x->end - x->start);
        if (items[i].text == NULL) {
            fs_identify_items_free(items, c->n);
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        cp += x->cps;
        at = x->end;
    }
    *items_out = items;
    return FS_OK;
}

fs_status fs_identify_detect(fs_identify_detector *d, const char *text, size_t n,
                             fs_identify_item **items_out, size_t *count_out, fs_error *err)
{
    fs_identify__cands c = { NULL, 0, 0 };
    fs_status st = FS_OK;
    *items_out = NULL;
    *count_out = 0;
    if (!fs_text_valid_utf8(text, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "identify: input is not valid UTF-8 (or holds a NUL)");
    }
    fs_identify__scan_begin(d, text, n);
    for (size_t i = 0; i < d->n_cats && st == FS_OK; i++) {
        for (size_t j = 0; j < d->cats[i].n_pats && st == FS_OK; j++) {
            st = run_pattern(d, i, &d->cats[i].pats[j], text, n, &c, err);
        }
    }
    if (st == FS_OK && c.n > 0) {
        resolve(d, text, &c);
        st = make_items(d, text, &c, items_out, err);
    }
    if (st == FS_OK) {
        *count_out = c.n;
    }
    fs_free(c.v);
    return st;
}

void fs_identify_items_free(fs_identify_item *items, size_t count)
{
    for (size_t i = 0; items != NULL && i < count; i++) {
        fs_free(items[i].text);
    }
    fs_free(items);
}
