/* Label parsing: find which allowed label a model's answer names. Answer and labels are
 * brought to NFC and case-folded with ICU (full folding, so "STRASSE" finds "straße"),
 * and a label only matches where it starts and ends on an ICU word boundary of the
 * folded answer ("negative" is not in "nonnegative", but is in "negative."). The
 * earliest match wins; at one position the longest label wins, then the lowest index. */
#include "fairshake/target.h"

#include <string.h>

/* NFC, then case-fold, into out (reset first). */
static fs_status fold(fs_buf *out, fs_buf *tmp, const char *s, size_t n, fs_error *err)
{
    fs_buf_reset(tmp);
    fs_buf_reset(out);
    fs_status st = fs_text_normalize(tmp, s, n, FS_FORM_NFC, err);
    if (st == FS_OK) {
        st = fs_buf_status(tmp);
    }
    if (st == FS_OK) {
        st = fs_text_case_map(out, fs_buf_cstr(tmp), tmp->len, FS_CASE_FOLD, err);
    }
    if (st == FS_OK) {
        st = fs_buf_status(out);
    }
    return st;
}

/* boundary[i] is true when byte offset i of s is an ICU word boundary. */
static fs_status word_boundaries(bool **out, const char *s, size_t n, fs_error *err)
{
    fs_text_span *spans = NULL;
    size_t count = 0;
    *out = NULL;
    fs_status st = fs_text_segment(&spans, &count, s, n, FS_TEXT_WORD, err);
    if (st != FS_OK) {
        return st;
    }
    bool *b = fs_calloc(n + 1, sizeof *b);
    if (b == NULL) {
        fs_free(spans);
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    b[0] = true;
    b[n] = true;
    for (size_t i = 0; i < count; i++) {
        b[spans[i].start] = true;
        b[spans[i].end] = true;
    }
    fs_free(spans);
    *out = b;
    return FS_OK;
}

/* Folded copies of every label, NUL-terminated; empty labels never match. */
static fs_status fold_labels(char ***out, const char *const *labels, size_t n_labels, fs_error *err)
{
    fs_buf f = FS_BUF_INIT, tmp = FS_BUF_INIT;
    fs_status st = FS_OK;
    char **folded = fs_calloc(n_labels, sizeof *folded);
    if (folded == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n_labels && st == FS_OK; i++) {
        const char *l = labels[i] != NULL ? labels[i] : "";
        st = fold(&f, &tmp, l, strlen(l), err);
        if (st == FS_OK) {
            folded[i] = fs_strdup(fs_buf_cstr(&f));
            if (folded[i] == NULL) {
                st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
            }
        }
    }
    fs_buf_dispose(&f);
    fs_buf_dispose(&tmp);
    if (st != FS_OK) {
        for (size_t i = 0; i < n_labels; i++) {
            fs_free(folded[i]);
        }
        fs_free(folded);
        return st;
    }
    *out = folded;
    return FS_OK;
}

static int find_first(const char *text, size_t n, const bool *boundary, char *const *folded,
                      size_t n_labels)
{
    for (size_t pos = 0; pos < n; pos++) {
        if (!boundary[pos]) {
            continue;
        }
        int best = -1;
        size_t best_len = 0;
        for (size_t i = 0; i < n_labels; i++) {
            size_t len = strlen(folded[i]);
            if (len == 0 || len > n - pos || len <= best_len) {
                continue;
            }
            if (memcmp(text + pos, folded[i], len) == 0 && boundary[pos + len]) {
                best = (int)i;
                best_len = len;
            }
        }
        if (best >= 0) {
            return best;
        }
    }
    return -1;
}

fs_status fs_parse_label(int *index_out, const char *answer, size_t n, const char *const *labels,
                         size_t n_labels, fs_error *err)
{
    fs_buf text = FS_BUF_INIT, tmp = FS_BUF_INIT;
    bool *boundary = NULL;
    char **folded = NULL;
    *index_out = -1;
    if (answer == NULL || n == 0 || n_labels == 0) {
        return FS_OK;
    }
    if (!fs_text_valid_utf8(answer, n)) {
        return FS_FAIL(err, FS_ERR_TEXT, "answer is not valid UTF-8");
    }
    fs_status st = fold(&text, &tmp, answer, n, err);
    if (st != FS_OK) {
        goto done;
    }
    st = word_boundaries(&boundary, fs_buf_cstr(&text), text.len, err);
    if (st != FS_OK) {
        goto done;
    }
    st = fold_labels(&folded, labels, n_labels, err);
    if (st != FS_OK) {
        goto done;
    }
    *index_out = find_first(fs_buf_cstr(&text), text.len, boundary, folded, n_labels);
done:
    if (folded != NULL) {
        for (size_t i = 0; i < n_labels; i++) {
            fs_free(folded[i]);
        }
        fs_free(folded);
    }
    fs_free(boundary);
    fs_buf_dispose(&text);
    fs_buf_dispose(&tmp);
    return st;
}
