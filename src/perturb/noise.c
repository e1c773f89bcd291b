/* The noise family: typo (keyboard-neighbour substitution), case (random case flips),
 * whitespace (extra and missing spaces between words) and punctuation (dropped marks).
 * Invariants: text is walked as ICU grapheme clusters or word segments, never byte by
 * byte, so a combining sequence, an emoji ZWJ sequence or a CJK character is never split;
 * random numbers are drawn only at decision points, in text order, so a variant depends
 * on nothing but (text, parameters, RNG stream); unchanged stretches are copied straight
 * from the input into the caller's buffer, with no allocation per character. */
#include "perturb/internal.h"

#include <string.h>

fs_status fs_perturb__typo_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err)
{
    const fs_text_span *g = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    if (st != FS_OK) {
        return st;
    }
    for (size_t i = 0; i < count; i++) {
        const fs_perturb__layout_form *f =
            fs_perturb__layout_find(p->layout, text + g[i].start, g[i].end - g[i].start);
        if (f == NULL || !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        fs_str rep = fs_perturb__layout_neighbour(p->layout, f, rng);
        fs_perturb__emit_upto(&e, g[i].start, g[i].end);
        fs_buf_append(out, rep.ptr, rep.len);
    }
    fs_perturb__emit_upto(&e, n, n);
    return FS_OK;
}

fs_status fs_perturb__case_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                 fs_buf *out, fs_error *err)
{
    const fs_text_span *g = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        const char *s = text + g[i].start;
        size_t len = g[i].end - g[i].start;
        fs_text_class k = fs_text_classify(s, len);
        if (!k.has_case || !fs_perturb__draw(rng, p->rate)) {
            continue;
        }
        fs_perturb__emit_upto(&e, g[i].start, g[i].end);
        st = fs_text_casemapper_map(p->cm, out, s, len, k.is_upper ? FS_CASE_LOWER : FS_CASE_UPPER,
                                    err);
    }
    if (st == FS_OK) {
        fs_perturb__emit_upto(&e, n, n);
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
    fs_perturb__emitter e = { out, text, 0 };
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
        if (seen_text && j < count && fs_perturb__draw(rng, p->rate)) {
            size_t at = w[i].start;
            if (fs_rng_below(rng, 2) == 0) {
                fs_perturb__emit_upto(&e, at, at);
                fs_buf_putc(out, ' ');
            } else {
                fs_perturb__emit_upto(&e, at, at + first_space_len(text + at, w[j - 1].end - at));
            }
        }
        i = j;
    }
    fs_perturb__emit_upto(&e, n, n);
    return FS_OK;
}

fs_status fs_perturb__punctuation_apply(fs_perturber *p, fs_rng *rng, const char *text, size_t n,
                                        fs_buf *out, fs_error *err)
{
    const fs_text_span *g = NULL;
    size_t count = 0;
    fs_perturb__emitter e = { out, text, 0 };
    fs_status st = fs_text_segmenter_run(p->seg, &g, &count, text, n, err);
    if (st != FS_OK) {
        return st;
    }
    for (size_t i = 0; i < count; i++) {
        fs_text_class k = fs_text_classify(text + g[i].start, g[i].end - g[i].start);
        if (k.is_punct && fs_perturb__draw(rng, p->rate)) {
            fs_perturb__emit_upto(&e, g[i].start, g[i].end);
        }
    }
    fs_perturb__emit_upto(&e, n, n);
    return FS_OK;
}

const fs_perturb__kind fs_perturb__noise_kinds[] = {
    { "case", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, NULL, fs_perturb__case_apply, NULL },
    { "punctuation", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, NULL, fs_perturb__punctuation_apply,
      NULL },
    { "typo", FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, fs_perturb__layout_init,
      fs_perturb__typo_apply, NULL },
    { "whitespace", FS_TEXT_WORD, FS_PERTURB__SEGMENTS, NULL, fs_perturb__whitespace_apply, NULL },
    { NULL, FS_TEXT_GRAPHEME, FS_PERTURB__SEGMENTS, NULL, NULL, NULL },
};
