/* Masking items for reports, by the category's "mask" style (patterns.json): "email"
 * keeps the first character of the local part and of each domain label but the last
 * (j***@e***.com); "digits" keeps the last four letters and digits (two when there are
 * six to eight, none under six) and the first when there are twelve or more
 * (4*** **** **** 1111); "words" keeps the first character of each word (J*** D**); "all"
 * stars every letter and digit. Separators stay. Invariants: the text is walked as
 * grapheme clusters; every starred cluster becomes exactly one '*'. */
#include <string.h>

#include "identify/internal.h"

static bool alnum_cluster(const char *s, size_t n)
{
    fs_text_class k = fs_text_classify(s, n);
    return k.is_alpha || k.is_digit;
}

/* Star the clusters of s[0..n) for which keep() says no. */
typedef bool (*keep_fn)(size_t index, size_t total, bool word_start);

static fs_status mask_with(fs_buf *out, const char *s, size_t n, keep_fn keep, fs_error *err)
{
    fs_text_span *g = NULL;
    size_t count = 0, total = 0, idx = 0;
    bool word_start = true;
    fs_status st = fs_text_segment(&g, &count, s, n, FS_TEXT_GRAPHEME, err);
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        total += alnum_cluster(s + g[i].start, g[i].end - g[i].start);
    }
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        const char *c = s + g[i].start;
        size_t len = g[i].end - g[i].start;
        if (!alnum_cluster(c, len)) {
            fs_buf_append(out, c, len);
            word_start = true;
            continue;
        }
        if (keep(idx, total, word_start)) {
            fs_buf_append(out, c, len);
        } else {
            fs_buf_putc(out, '*');
        }
        idx++;
        word_start = false;
    }
    fs_free(g);
    if (st == FS_OK && fs_buf_status(out) != FS_OK) {
        st = FS_FAIL(err, fs_buf_status(out), "out of memory");
    }
    return st;
}

static bool keep_none(size_t i, size_t total, bool word_start)
{
    (void)i, (void)total, (void)word_start;
    return false;
}

static bool keep_word_start(size_t i, size_t total, bool word_start)
{
    (void)i, (void)total;
    return word_start;
}

static bool keep_digits(size_t i, size_t total, bool word_start)
{
    size_t last = total >= 9 ? 4 : total >= 6 ? 2 : 0;
    (void)word_start;
    return (total >= 12 && i == 0) || i + last >= total;
}

/* j.doe@mail.example.com → j***@m***.e***.com: the local part and every domain label but
 * the last keep their first character. */
static fs_status mask_email(fs_buf *out, const char *s, size_t n, fs_error *err)
{
    const char *at = NULL;
    for (size_t i = n; i-- > 0 && at == NULL;) {
        at = s[i] == '@' ? s + i : NULL;
    }
    const char *tld = NULL;
    for (size_t i = n; at != NULL && i-- > (size_t)(at - s) && tld == NULL;) {
        tld = s[i] == '.' ? s + i : NULL;
    }
    if (at == NULL || tld == NULL) {
        return mask_with(out, s, n, keep_none, err);
    }
    fs_text_span *g = NULL;
    size_t count = 0;
    fs_status st = fs_text_segment(&g, &count, s, (size_t)(tld - s), FS_TEXT_GRAPHEME, err);
    bool first = true, domain = false;
    for (size_t i = 0; st == FS_OK && i < count; i++) {
        const char *c = s + g[i].start;
        size_t len = g[i].end - g[i].start;
        if (c == at || (domain && c[0] == '.')) {
            domain = true;
            fs_buf_append(out, c, len);
            first = true;
        } else if (first) {
            fs_buf_append(out, c, len);
            fs_buf_puts(out, "***");
            first = false;
        }
    }
    fs_free(g);
    fs_buf_append(out, tld, n - (size_t)(tld - s));
    if (st == FS_OK && fs_buf_status(out) != FS_OK) {
        st = FS_FAIL(err, fs_buf_status(out), "out of memory");
    }
    return st;
}

fs_status fs_identify_mask(fs_identify_detector *d, fs_buf *out, const char *category,
                           const char *text, size_t n, fs_error *err)
{
    const fs_identify__category *c = fs_identify__category_find(d, category);
    fs_identify__mask m = c != NULL ? c->mask : FS_IDENTIFY__MASK_ALL;
    if (!fs_text_valid_utf8(text, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "identify: item is not valid UTF-8");
    }
    switch (m) {
    case FS_IDENTIFY__MASK_EMAIL:
        return mask_email(out, text, n, err);
    case FS_IDENTIFY__MASK_DIGITS:
        return mask_with(out, text, n, keep_digits, err);
    case FS_IDENTIFY__MASK_WORDS:
        return mask_with(out, text, n, keep_word_start, err);
    case FS_IDENTIFY__MASK_ALL:
        break;
    }
    return mask_with(out, text, n, keep_none, err);
}
