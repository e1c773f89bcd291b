/* The noise family: typo (keyboard-neighbour substitution), case (random case flips),
 * whitespace (extra and missing spaces between words) and punctuation (dropped marks).
 * Invariants: text is walked as ICU grapheme clusters or word segments, never byte by
 * byte, so a combining sequence, an emoji ZWJ sequence or a CJK character is never split;
 * random numbers are drawn only at decision points, in text order, so a variant depends
 * on nothing but (text, parameters, RNG stream); unchanged stretches are copied straight
 * from the input into the caller's buffer, with no allocation per character. */
#include "perturb/internal.h"

#include <string.h>
#include <unistd.h>

/* Copies the untouched stretches of the input into the output. */
typedef struct emitter {
    fs_buf *out;
    const char *text;
    size_t copied; /* text[0..copied) is already handled */
} emitter;

/* Copy the input up to byte offset upto, then skip to resume. */
static void emit_upto(emitter *e, size_t upto, size_t resume)
{
    fs_buf_append(e->out, e->text + e->copied, upto - e->copied);
    e->copied = resume;
}

static bool draw(fs_rng *rng, double rate)
{
    return fs_rng_uniform(rng) < rate;
}

/* A layout name is a file name stem: ASCII letters, digits, '-' and '_'. */
static bool simple_name(const char *s)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789-_";
    size_t n = strlen(s);
    return n > 0 && n <= 64 && strspn(s, allowed) == n;
}

fs_status fs_perturb__typo_init(fs_perturber *p, const char *data_dir, fs_error *err)
{
    const char *layout = fs_params_get(&p->params, "layout");
    fs_buf path;
    fs_status st = FS_OK;
    if (!simple_name(layout)) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "typo: layout: must be a simple name (letters, digits, '-', '_'), got '%s'",
                       layout);
    }
    if (data_dir == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "typo: no data directory to find layout '%s' in", layout);
    }
    fs_buf_init(&path, 0);
    fs_buf_printf(&path, "%s/perturbations/keyboard/%s.json", data_dir, layout);
    if (fs_buf_status(&path) != FS_OK) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (access(fs_buf_cstr(&path), R_OK) != 0) {
        st = FS_FAIL(err, FS_ERR_CONFIG, "typo: layout '%s': cannot read %s", layout,
                     fs_buf_cstr(&path));
        goto done;
    }
    st = fs_perturb__layout_load(&p->layout, fs_buf_cstr(&path), p->seg, err);
    if (st != FS_OK) {
        goto done;
    }
    p->files[0] = fs_buf_take(&path, NULL);
    if (p->files[0] == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        goto done;
    }
    p->n_files = 1;
done:
    fs_buf_dispose(&path);
    return st;
}

fs_status fs_perturb__typo_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err)
{
    const fs_text_span *g = NULL;
    size_t count = 0;
    emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    if (st != FS_OK) {
        return st;
    }
    for (size_t i = 0; i < count; i++) {
        const fs_perturb__layout_form *f =
            fs_perturb__layout_find(p->layout, text + g[i].start, g[i].end - g[i].start);
        if (f == NULL || !draw(rng, p->rate)) {
            continue;
        }
        fs_str rep = fs_perturb__layout_neighbour(p->layout, f, rng);
        emit_upto(&e, g[i].start, g[i].end);
        fs_buf_append(out, rep.ptr, rep.len);
    }
    emit_upto(&e, n, n);
    return FS_OK;
}

fs_status fs_perturb__case_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err)
{
    const fs_text_span *g = NULL;
    size_t count = 0;
    emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        const char *s = text + g[i].start;
        size_t len = g[i].end - g[i].start;
        fs_text_class k = fs_text_classify(s, len);
        if (!k.has_case || !draw(rng, p->rate)) {
            continue;
        }
        emit_upto(&e, g[i].start, g[i].end);
        st = fs_text_case_map(out, s, len, k.is_upper ? FS_CASE_LOWER : FS_CASE_UPPER, err);
    }
    if (st == FS_OK) {
        emit_upto(&e, n, n);
    }
    return st;
}

/* true when the segment is whitespace only (so deleting part of it leaves no orphaned
 * combining mark). */
static bool all_space(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t at = i;
        fs_text_next_cp(s, n, &i);
        if (!fs_text_classify(s + at, i - at).is_space) {
            return false;
        }
    }
    return n > 0;
}

/* Byte length of the first whitespace character of s (CR LF counts as one). */
static size_t first_space_len(const char *s, size_t n)
{
    size_t i = 0;
    if (n >= 2 && s[0] == '\r' && s[1] == '\n') {
        return 2;
    }
    fs_text_next_cp(s, n, &i);
    return i;
}

fs_status fs_perturb__whitespace_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                       fs_buf *out, fs_error *err)
{
    const fs_text_span *w = NULL;
    size_t count = 0;
    emitter e = { out, text, 0 };
    bool seen_text = false;
    fs_status st = fs_text_segmenter_run(p->seg, &w, &count, text, n, err);
    if (st != FS_OK) {
        return st;
    }
    size_t i = 0;
    while (i < count) {
        if (w[i].kind != 0 || !all_space(text + w[i].start, w[i].end - w[i].start)) {
            seen_text = true;
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < count && w[j].kind == 0 && all_space(text + w[j].start, w[j].end - w[j].start)) {
            j++;
        }
        /* Only a run with text on both sides: leading and trailing space stay as they are. */
        if (seen_text && j < count && draw(rng, p->rate)) {
            size_t at = w[i].start;
            if (fs_rng_below(rng, 2) == 0) {
                emit_upto(&e, at, at);
                fs_buf_putc(out, ' ');
            } else {
                emit_upto(&e, at, at + first_space_len(text + at, w[j - 1].end - at));
            }
        }
        i = j;
    }
    emit_upto(&e, n, n);
    return FS_OK;
}

fs_status fs_perturb__punctuation_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                        fs_buf *out, fs_error *err)
{
    const fs_text_span *g = NULL;
    size_t count = 0;
    emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    if (st != FS_OK) {
        return st;
    }
    for (size_t i = 0; i < count; i++) {
        fs_text_class k = fs_text_classify(text + g[i].start, g[i].end - g[i].start);
        if (k.is_punct && draw(rng, p->rate)) {
            emit_upto(&e, g[i].start, g[i].end);
        }
    }
    emit_upto(&e, n, n);
    return FS_OK;
}
