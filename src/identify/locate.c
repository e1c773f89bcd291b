/* Placing predicted texts in the input and scoring one record's answer. A prediction
 * stands for every whole-token occurrence of its text (a model lists "Ana Ruiz" once for
 * a note that names her three times); occurrences are searched as exact bytes, and only
 * when there is none, case-insensitively through an ICU regex of the quoted text.
 * Invariants: an occurrence never starts or ends inside a word or number (the character
 * beside it is not a letter or digit when the text's own edge is one); offsets are code
 * points. */
#include <string.h>

#include "identify/internal.h"

typedef struct spans {
    fs_identify_span *v;
    size_t n, cap;
} spans;

static fs_status span_push(spans *s, const char *cat, size_t a, size_t b, fs_error *err)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        fs_identify_span *v = fs_realloc(s->v, cap * sizeof *v);
        if (v == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].category = cat;
    s->v[s->n].start = a;
    s->v[s->n].end = b;
    s->n++;
    return FS_OK;
}

static bool alnum_at(const char *s, size_t n)
{
    fs_text_class k = fs_text_classify(s, n);
    return k.is_alpha || k.is_digit;
}

/* true when [a, b) of text does not cut a word or number. */
static bool whole(const char *text, size_t n, size_t a, size_t b)
{
    if (a > 0 && alnum_at(text + a, b - a)) {
        size_t p = a - 1;
        while (p > 0 && ((unsigned char)text[p] & 0xC0) == 0x80) {
            p--;
        }
        if (alnum_at(text + p, a - p)) {
            return false;
        }
    }
    if (b < n) {
        size_t p = b - 1;
        while (p > a && ((unsigned char)text[p] & 0xC0) == 0x80) {
            p--;
        }
        if (alnum_at(text + p, b - p) && alnum_at(text + b, n - b)) {
            return false;
        }
    }
    return true;
}

static size_t cps_of(const char *s, size_t n)
{
    size_t i = 0, k = 0;
    while (i < n) {
        fs_text_next_cp(s, n, &i);
        k++;
    }
    return k;
}

static fs_status text_span_push(fs_identify_detector *d, size_t a, size_t b, fs_error *err)
{
    if (d->n_spans == d->cap_spans) {
        size_t cap = d->cap_spans ? d->cap_spans * 2 : 16;
        fs_text_span *v = fs_realloc(d->spans, cap * sizeof *v);
        if (v == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        d->spans = v;
        d->cap_spans = cap;
    }
    d->spans[d->n_spans].start = a;
    d->spans[d->n_spans].end = b;
    d->spans[d->n_spans].kind = 0;
    d->n_spans++;
    return FS_OK;
}

/* Byte occurrences of t in text: exact, else case-insensitive. */
static fs_status occurrences(fs_identify_detector *d, const char *text, size_t n, const char *t,
                             fs_error *err)
{
    size_t tl = strlen(t);
    d->n_spans = 0;
    for (size_t i = 0; tl > 0 && i + tl <= n;) {
        const char *hit = memchr(text + i, t[0], n - i - tl + 1);
        if (hit == NULL) {
            break;
        }
        size_t a = (size_t)(hit - text);
        if (memcmp(hit, t, tl) == 0 && whole(text, n, a, a + tl)) {
            fs_status st = text_span_push(d, a, a + tl, err);
            if (st != FS_OK) {
                return st;
            }
            i = a + tl;
        } else {
            i = a + 1;
        }
    }
    if (d->n_spans > 0) {
        return FS_OK;
    }
    fs_buf pat;
    fs_text_regex *re = NULL;
    fs_buf_init(&pat, 0);
    fs_buf_puts(&pat, "(?i)\\Q");
    for (const char *p = t; *p != '\0'; p++) {
        if (p[0] == '\\' && p[1] == 'E') {
            fs_buf_puts(&pat, "\\E\\\\E\\Q"); /* end the quote, a literal "\E", quote again */
            p++;
        } else {
            fs_buf_putc(&pat, *p);
        }
    }
    fs_buf_puts(&pat, "\\E");
    fs_status st = fs_buf_status(&pat) == FS_OK ? fs_text_regex_new(&re, fs_buf_cstr(&pat), err)
                                                : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    if (st == FS_OK) {
        st = fs_text_regex_find_all(re, text, n, &d->spans, &d->n_spans, &d->cap_spans, err);
    }
    size_t k = 0;
    for (size_t i = 0; st == FS_OK && i < d->n_spans; i++) {
        if (whole(text, n, d->spans[i].start, d->spans[i].end)) {
            d->spans[k++] = d->spans[i];
        }
    }
    d->n_spans = st == FS_OK ? k : 0;
    fs_text_regex_free(re);
    fs_buf_dispose(&pat);
    return st;
}

static bool seen_before(const fs_identify_pred *p, size_t i)
{
    for (size_t j = 0; j < i; j++) {
        if (strcmp(p[j].category, p[i].category) == 0 && strcmp(p[j].text, p[i].text) == 0) {
            return true;
        }
    }
    return false;
}

static fs_status locate(fs_identify_detector *d, const char *input, size_t n,
                        const fs_identify_pred *p, size_t count, spans *out, fs_error *err)
{
    fs_status st = FS_OK;
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        if (seen_before(p, i)) {
            continue;
        }
        st = occurrences(d, input, n, p[i].text, err);
        if (st == FS_OK && d->n_spans == 0) {
            st = span_push(out, p[i].category, SIZE_MAX, SIZE_MAX, err);
        }
        for (size_t k = 0; k < d->n_spans && st == FS_OK; k++) {
            size_t a = cps_of(input, d->spans[k].start);
            size_t len = cps_of(input + d->spans[k].start, d->spans[k].end - d->spans[k].start);
            st = span_push(out, p[i].category, a, a + len, err);
        }
    }
    return st;
}

fs_status fs_identify_score_answer(fs_identify_counts *acc, fs_identify_detector *d,
                                   const char *input, size_t n_input, const fs_identify_span *gold,
                                   size_t n_gold, const char *answer, size_t n_answer,
                                   fs_error *err)
{
    fs_identify_pred *p = NULL;
    size_t count = 0;
    bool parsed = false;
    spans s = { NULL, 0, 0 };
    fs_status st = fs_identify_parse_answer(d, answer, n_answer, &p, &count, &parsed, err);
    if (st == FS_OK) {
        st = locate(d, input, n_input, p, count, &s, err);
    }
    if (st == FS_OK) {
        st = fs_identify_score_spans(acc, gold, n_gold, s.v, s.n, err);
    }
    if (st == FS_OK && !parsed) {
        acc->n_unparsed++;
    }
    fs_free(s.v);
    fs_identify_preds_free(p, count);
    return st;
}
