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

struct fs_label_parser {
    char **folded; /* folded labels, NUL-terminated */
    size_t n_labels;
    fs_text_segmenter *seg; /* word boundaries, kept across answers */
    fs_buf text, tmp;       /* the folded answer and its NFC step */
    bool *boundary;         /* boundary[i]: byte i of the folded answer is a word boundary */
    size_t boundary_cap;
};

fs_status fs_label_parser_new(fs_label_parser **out, const char *const *labels, size_t n_labels,
                              fs_error *err)
{
    *out = NULL;
    fs_label_parser *p = fs_calloc(1, sizeof *p);
    if (p == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_init(&p->text, 0);
    fs_buf_init(&p->tmp, 0);
    fs_status st = n_labels > 0 ? fold_labels(&p->folded, labels, n_labels, err) : FS_OK;
    if (st == FS_OK) {
        p->n_labels = n_labels;
        st = fs_text_segmenter_new(&p->seg, FS_TEXT_WORD, err);
    }
    if (st != FS_OK) {
        fs_label_parser_free(p);
        return st;
    }
    *out = p;
    return FS_OK;
}

void fs_label_parser_free(fs_label_parser *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; p->folded != NULL && i < p->n_labels; i++) {
        fs_free(p->folded[i]);
    }
    fs_free(p->folded);
    fs_text_segmenter_free(p->seg);
    fs_buf_dispose(&p->text);
    fs_buf_dispose(&p->tmp);
    fs_free(p->boundary);
    fs_free(p);
}

/* p->boundary for the n bytes of s: true where an ICU word boundary falls. */
static fs_status word_boundaries(fs_label_parser *p, const char *s, size_t n, fs_error *err)
{
    const fs_text_span *spans = NULL;
    size_t count = 0;
    fs_status st = fs_text_segmenter_run(p->seg, &spans, &count, s, n, err);
    if (st != FS_OK) {
        return st;
    }
    if (n + 1 > p->boundary_cap) {
        bool *b = fs_realloc(p->boundary, (n + 1) * sizeof *b);
        if (b == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        p->boundary = b;
        p->boundary_cap = n + 1;
    }
    memset(p->boundary, 0, (n + 1) * sizeof *p->boundary);
    p->boundary[0] = true;
    p->boundary[n] = true;
    for (size_t i = 0; i < count; i++) {
        p->boundary[spans[i].start] = true;
        p->boundary[spans[i].end] = true;
    }
    return FS_OK;
}

fs_status fs_label_parser_find(fs_label_parser *p, int *index_out, const char *answer, size_t n,
                               fs_error *err)
{
    *index_out = -1;
    if (answer == NULL || n == 0 || p->n_labels == 0) {
        return FS_OK;
    }
    if (!fs_text_valid_utf8(answer, n)) {
        return FS_FAIL(err, FS_ERR_TEXT, "answer is not valid UTF-8");
    }
    fs_status st = fold(&p->text, &p->tmp, answer, n, err);
    if (st == FS_OK) {
        st = word_boundaries(p, fs_buf_cstr(&p->text), p->text.len, err);
    }
    if (st == FS_OK) {
        *index_out =
            find_first(fs_buf_cstr(&p->text), p->text.len, p->boundary, p->folded, p->n_labels);
    }
    return st;
}

fs_status fs_parse_label(int *index_out, const char *answer, size_t n, const char *const *labels,
                         size_t n_labels, fs_error *err)
{
    fs_label_parser *p = NULL;
    *index_out = -1;
    if (answer == NULL || n == 0 || n_labels == 0) {
        return FS_OK;
    }
    fs_status st = fs_label_parser_new(&p, labels, n_labels, err);
    if (st == FS_OK) {
        st = fs_label_parser_find(p, index_out, answer, n, err);
    }
    fs_label_parser_free(p);
    return st;
}
