/* Marking what a perturbation changed: a longest common subsequence of the two texts'
 * grapheme clusters (so an accent or an emoji is one unit, never split). Clusters of the
 * clean text outside the subsequence are wrapped in <del>, those of the perturbed text in
 * <ins>. Texts beyond MAX_UNITS clusters are shown without marks (the table is
 * quadratic). */
#include <string.h>

#include "report/html_internal.h"

#define MAX_UNITS 1200

typedef struct units {
    fs_text_span *v;
    size_t n;
    const char *s;
} units;

static fs_status split(units *u, fs_text_segmenter *seg, const char *s, fs_error *err)
{
    const fs_text_span *g = NULL;
    size_t count = 0, bytes;
    u->s = s;
    u->v = NULL;
    u->n = 0;
    fs_status st = fs_text_segmenter_run(seg, &g, &count, s, strlen(s), err);
    if (st != FS_OK) {
        return st;
    }
    if (!fs_size_mul(&bytes, count + 1, sizeof *u->v) || (u->v = fs_malloc(bytes)) == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    memcpy(u->v, g, count * sizeof *g);
    u->n = count;
    return FS_OK;
}

static bool same(const units *a, size_t i, const units *b, size_t j)
{
    size_t la = a->v[i].end - a->v[i].start, lb = b->v[j].end - b->v[j].start;
    return la == lb && memcmp(a->s + a->v[i].start, b->s + b->v[j].start, la) == 0;
}

/* Mark in keep_a/keep_b the clusters of one longest common subsequence. */
static fs_status lcs(const units *a, const units *b, unsigned char *keep_a, unsigned char *keep_b,
                     fs_error *err)
{
    size_t w = b->n + 1, cells;
    if (!fs_size_mul(&cells, a->n + 1, w)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    uint16_t *t = fs_calloc(cells, sizeof *t);
    if (t == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = a->n; i-- > 0;) {
        for (size_t j = b->n; j-- > 0;) {
            uint16_t down = t[(i + 1) * w + j], right = t[i * w + j + 1];
            t[i * w + j] = same(a, i, b, j) ? (uint16_t)(t[(i + 1) * w + j + 1] + 1)
                                            : (down > right ? down : right);
        }
    }
    for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
        if (same(a, i, b, j)) {
            keep_a[i++] = 1;
            keep_b[j++] = 1;
        } else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) {
            i++;
        } else {
            j++;
        }
    }
    fs_free(t);
    return FS_OK;
}

static void emit(fs_buf *out, const units *u, const unsigned char *keep, const char *tag)
{
    bool open = false;
    for (size_t i = 0; i < u->n; i++) {
        bool changed = keep != NULL && !keep[i];
        if (changed && !open) {
            fs_buf_printf(out, "<%s>", tag);
        } else if (!changed && open) {
            fs_buf_printf(out, "</%s>", tag);
        }
        open = changed;
        fs_report__esc_grapheme(out, u->s + u->v[i].start, u->v[i].end - u->v[i].start);
    }
    if (open) {
        fs_buf_printf(out, "</%s>", tag);
    }
}

fs_status fs_report__diff(fs_buf *clean_out, fs_buf *pert_out, fs_text_segmenter *seg,
                          const char *clean, const char *pert, fs_error *err)
{
    units a = { NULL, 0, clean }, b = { NULL, 0, pert };
    unsigned char *keep_a = NULL, *keep_b = NULL;
    fs_status st = split(&a, seg, clean, err);
    if (st == FS_OK) {
        st = split(&b, seg, pert, err);
    }
    bool marked = st == FS_OK && a.n <= MAX_UNITS && b.n <= MAX_UNITS;
    if (marked) {
        keep_a = fs_calloc(a.n + 1, 1);
        keep_b = fs_calloc(b.n + 1, 1);
        st = (keep_a && keep_b) ? lcs(&a, &b, keep_a, keep_b, err)
                                : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        emit(clean_out, &a, keep_a, "del");
        emit(pert_out, &b, keep_b, "ins");
    }
    fs_free(keep_a);
    fs_free(keep_b);
    fs_free(a.v);
    fs_free(b.v);
    return st;
}
