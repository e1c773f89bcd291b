/* The counterfactual swap engine: one left-to-right pass over the ICU word segments of a
 * text, rewriting every mention of an axis's groups into the target group at once, so no
 * replacement is ever read again (never chained replacements).
 *
 * At each word the longest term wins: up to the axis's longest variant, consecutive words
 * joined by spaces or one hyphen are folded and looked up, the last word also without a
 * clitic ("'s", "’s", "'ll"), which is put back after the replacement. A word that starts
 * no term is tried as a first name or surname when it is capitalised. A mention keeps its
 * form (singular, plural, adjective, pronoun role) and its case shape (lower, Title,
 * UPPER). "her" and "his" are resolved by the next word: a determiner before a noun
 * phrase, otherwise object ("her") or possessive ("his"). Names are drawn from the target
 * group's names, keeping every other label of the source name (gender when race is
 * swapped), with one stream per (seed, record, axis, target, name), and remembered for
 * the record so each name gets one substitute. A mention that overlaps a protected byte
 * range (a date such as "23. Jan 1957", a URL) is left out altogether: not counted, not
 * rewritten, and not a name the record's substitutes must avoid. */
#include <string.h>

#include "demographics/internal.h"

enum { SHAPE_LOWER = 0, SHAPE_TITLE = 1, SHAPE_UPPER = 2 };

struct fs_demog_swapper {
    const fs_demog_lexicon *lex;
    const fs_demog__axis *ax;
    size_t axis;
    bool *enabled;
    size_t *counts;
    fs_text_segmenter *seg;
    fs_demog__folder fold;
    fs_buf folds, key, res, tmp;
    size_t *fold_off, *fold_len, cap_segs;
    uint32_t *memo_src, *memo_dst, *pick;
    size_t n_memo, cap_memo, cap_pick;
    struct match *matches;
    size_t n_matches, cap_matches;
    /* segments and folds of the last text: swapping one record to every group segments
     * it once */
    fs_buf last;
    const fs_text_span *last_sp;
    size_t last_count;
    bool last_ok;
};

/* The pass over one text. */
typedef struct scan {
    const char *text;
    size_t n;
    const fs_text_span *sp;
    size_t count;
    size_t to; /* SIZE_MAX when only detecting */
    uint64_t seed;
    const char *record_id;
    fs_buf *out;                 /* NULL when only detecting */
    const fs_text_span *protect; /* protected byte ranges, any order */
    size_t n_protect;
    size_t copied, replaced;
} scan;

/* A mention found at a word. */
typedef struct match {
    size_t first_seg, last_seg; /* first and last word segments of the mention */
    size_t start, end;          /* bytes of the mention, clitic excluded */
    size_t clitic_end;          /* end of the clitic (== end when there is none) */
    uint16_t group;
    bool is_name;
    bool proper; /* capitalised in the data: a capital in the text says nothing */
    uint32_t set, name;
    int form;
} match;

fs_status fs_demog_swapper_new(fs_demog_swapper **out, const fs_demog_lexicon *lex, size_t axis,
                               const fs_demog_opts *opts, fs_error *err)
{
    *out = NULL;
    if (lex == NULL || axis >= lex->n_axes) {
        return FS_FAIL(err, FS_ERR_USAGE, "demographics: no axis %zu", axis);
    }
    fs_demog_swapper *sw = fs_calloc(1, sizeof *sw);
    if (sw == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    sw->lex = lex;
    sw->axis = axis;
    sw->ax = &lex->axes[axis];
    fs_buf_init(&sw->folds, 0);
    fs_buf_init(&sw->key, 0);
    fs_buf_init(&sw->res, 0);
    fs_buf_init(&sw->tmp, 0);
    fs_buf_init(&sw->last, 0);
    sw->enabled = fs_calloc(sw->ax->n_groups, sizeof *sw->enabled);
    sw->counts = fs_calloc(sw->ax->n_groups, sizeof *sw->counts);
    fs_status st =
        (sw->enabled && sw->counts) ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    for (size_t g = 0; st == FS_OK && g < sw->ax->n_groups; g++) {
        sw->enabled[g] = !sw->ax->optional[g] || (opts != NULL && opts->optional_groups);
    }
    if (st == FS_OK) {
        st = fs_text_segmenter_new(&sw->seg, FS_TEXT_WORD, err);
    }
    if (st == FS_OK) {
        st = fs_demog__folder_init(&sw->fold, err);
    }
    if (st != FS_OK) {
        fs_demog_swapper_free(sw);
        return st;
    }
    *out = sw;
    return FS_OK;
}

void fs_demog_swapper_free(fs_demog_swapper *sw)
{
    if (sw == NULL) {
        return;
    }
    fs_text_segmenter_free(sw->seg);
    if (sw->fold.cm != NULL) {
        fs_demog__folder_dispose(&sw->fold);
    }
    fs_buf_dispose(&sw->folds);
    fs_buf_dispose(&sw->key);
    fs_buf_dispose(&sw->res);
    fs_buf_dispose(&sw->tmp);
    fs_buf_dispose(&sw->last);
    fs_free(sw->enabled);
    fs_free(sw->counts);
    fs_free(sw->fold_off);
    fs_free(sw->fold_len);
    fs_free(sw->memo_src);
    fs_free(sw->memo_dst);
    fs_free(sw->pick);
    fs_free(sw->matches);
    fs_free(sw);
}

bool fs_demog_swapper_group_enabled(const fs_demog_swapper *sw, size_t group)
{
    return group < sw->ax->n_groups && sw->enabled[group];
}

/* ---- words --------------------------------------------------------------------------- */

static bool is_word(const scan *sc, size_t i)
{
    return i < sc->count && sc->sp[i].kind != 0;
}

static bool all_of(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++) {
        if (strchr(set, s[i]) == NULL) {
            return false;
        }
    }
    return n > 0;
}

/* Segment i separates two words of one term: spaces, or a single hyphen. */
static bool joins_words(const scan *sc, size_t i)
{
    const char *s = sc->text + sc->sp[i].start;
    size_t len = sc->sp[i].end - sc->sp[i].start;
    return sc->sp[i].kind == 0 && ((len == 1 && s[0] == '-') || all_of(s, len, " "));
}

static bool is_blank(const scan *sc, size_t i)
{
    return i < sc->count && sc->sp[i].kind == 0 &&
           all_of(sc->text + sc->sp[i].start, sc->sp[i].end - sc->sp[i].start, " \t");
}

static const char *folded(const fs_demog_swapper *sw, size_t seg, size_t *len)
{
    *len = sw->fold_len[seg];
    return sw->folds.data + sw->fold_off[seg];
}

/* The folded word next to segment i (dir +1 or -1) across blanks, is in table m. */
static bool neighbour_in(const fs_demog_swapper *sw, const scan *sc, size_t i, int dir,
                         const fs_demog__map *m)
{
    size_t len = 0;
    if (dir > 0 ? !(is_blank(sc, i + 1) && is_word(sc, i + 2))
                : !(i >= 2 && is_blank(sc, i - 1) && is_word(sc, i - 2))) {
        return false;
    }
    const char *w = folded(sw, dir > 0 ? i + 2 : i - 2, &len);
    return fs_demog__map_get(m, w, len) != FS_DEMOG__NONE;
}

/* A noun phrase follows segment i: the next word, after blanks only, is a word that is not
 * a function word (determiner, pronoun, preposition, auxiliary, adverb, ...). */
static bool noun_phrase_follows(const fs_demog_swapper *sw, const scan *sc, size_t i)
{
    return is_blank(sc, i + 1) && is_word(sc, i + 2) &&
           !neighbour_in(sw, sc, i, +1, &sw->lex->function_words);
}

static bool starts_upper(const scan *sc, size_t seg)
{
    return fs_text_classify(sc->text + sc->sp[seg].start, sc->sp[seg].end - sc->sp[seg].start)
        .is_upper;
}

static int shape_of(const char *w, size_t n)
{
    size_t i = 0, upper = 0, cased = 0;
    bool first_upper = false;
    while (i < n) {
        fs_text_class k = fs_text_classify(w + i, n - i);
        fs_text_next_cp(w, n, &i);
        if (k.has_case) {
            first_upper = cased == 0 ? k.is_upper : first_upper;
            cased++;
            upper += k.is_upper;
        }
    }
    if (cased >= 2 && upper == cased) {
        return SHAPE_UPPER;
    }
    return first_upper ? SHAPE_TITLE : SHAPE_LOWER;
}

/* Fold every word segment once; multi-word keys are built from these. */
static fs_status fold_segments(fs_demog_swapper *sw, const scan *sc, fs_error *err)
{
    if (sc->count > sw->cap_segs) {
        size_t cap = sc->count + 16;
        fs_free(sw->fold_off);
        fs_free(sw->fold_len);
        sw->fold_off = fs_calloc(cap, sizeof *sw->fold_off);
        sw->fold_len = fs_calloc(cap, sizeof *sw->fold_len);
        sw->cap_segs = (sw->fold_off && sw->fold_len) ? cap : 0;
        if (sw->cap_segs == 0) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    fs_buf_reset(&sw->folds);
    fs_buf_putc(&sw->folds, '\0'); /* data is never NULL */
    for (size_t i = 0; i < sc->count; i++) {
        sw->fold_off[i] = sw->folds.len;
        if (sc->sp[i].kind != 0) {
            fs_status st = fs_demog__fold(&sw->fold, &sw->folds, sc->text + sc->sp[i].start,
                                          sc->sp[i].end - sc->sp[i].start, err);
            if (st != FS_OK) {
                return st;
            }
        }
        sw->fold_len[i] = sw->folds.len - sw->fold_off[i];
    }
    return fs_buf_status(&sw->folds) == FS_OK ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
}

/* ---- finding mentions ---------------------------------------------------------------- */

/* Word segments of a candidate term starting at word i, joined by spaces or a hyphen. */
static size_t collect_words(const scan *sc, size_t i, size_t max, size_t *w)
{
    size_t n = 1;
    w[0] = i;
    while (n < max && w[n - 1] + 2 < sc->count && joins_words(sc, w[n - 1] + 1) &&
           is_word(sc, w[n - 1] + 2)) {
        w[n] = w[n - 1] + 2;
        n++;
    }
    return n;
}

/* The folded key of words w[0..L) into sw->key; strip drops the last word's clitic and
 * *base_end is 0 when it has none. *base_end is where the mention's own bytes end. */
static fs_status build_key(fs_demog_swapper *sw, const scan *sc, const size_t *w, size_t L,
                           bool strip, size_t *base_end, fs_error *err)
{
    size_t len = 0;
    const fs_text_span *s = &sc->sp[w[L - 1]];
    size_t c = strip ? fs_demog__clitic(sc->text + s->start, s->end - s->start) : 0;
    if (strip && c == s->end - s->start) {
        *base_end = 0;
        return FS_OK;
    }
    fs_buf_reset(&sw->key);
    for (size_t j = 0; j + 1 < L; j++) {
        const char *f = folded(sw, w[j], &len);
        fs_buf_append(&sw->key, f, len);
        fs_buf_putc(&sw->key, ' ');
    }
    *base_end = s->end;
    if (!strip) {
        const char *f = folded(sw, w[L - 1], &len);
        fs_buf_append(&sw->key, f, len);
        return fs_buf_status(&sw->key) == FS_OK ? FS_OK
                                                : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    *base_end = s->start + c;
    return fs_demog__fold(&sw->fold, &sw->key, sc->text + s->start, c, err);
}

static bool entry_ok(const fs_demog_swapper *sw, const scan *sc, const fs_demog__entry *e,
                     const size_t *w)
{
    if (!sw->enabled[e->group]) {
        return false;
    }
    for (size_t j = 0; sw->ax->capitalized_only && j < e->words; j++) {
        if (((e->cap_mask >> j) & 1u) != 0 && !starts_upper(sc, w[j])) {
            return false;
        }
    }
    return true;
}

static int lowest_form(unsigned forms)
{
    for (int f = 0; f < FS_DEMOG__FORM_COUNT; f++) {
        if ((forms >> f) & 1u) {
            return f;
        }
    }
    return FS_DEMOG__SINGULAR;
}

/* A word that is both an adjective and a noun of its group ("Christian") is the adjective
 * before a noun phrase ("a Christian school") and the noun otherwise ("a Christian and"). */
static const fs_demog__entry *noun_or_adjective(const fs_demog_swapper *sw, const scan *sc,
                                                const fs_demog__entry *e, size_t n,
                                                const fs_demog__entry *pick, const size_t *w,
                                                size_t L)
{
    const fs_demog__entry *adj = NULL, *noun = NULL;
    for (size_t k = 0; k < n; k++) {
        if (e[k].group != pick->group || !entry_ok(sw, sc, &e[k], w)) {
            continue;
        }
        if (e[k].form == FS_DEMOG__ADJECTIVE && adj == NULL) {
            adj = &e[k];
        } else if ((e[k].form == FS_DEMOG__SINGULAR || e[k].form == FS_DEMOG__PLURAL) &&
                   noun == NULL) {
            noun = &e[k];
        }
    }
    if (adj == NULL || noun == NULL || adj->set == noun->set) {
        return pick;
    }
    return noun_phrase_follows(sw, sc, w[L - 1]) ? adj : noun;
}

/* Pick the entry of a key: a mention of the target group if there is one (so "temple"
 * stays when swapping to either group that uses it), else the first listed. */
static bool resolve_term(const fs_demog_swapper *sw, const scan *sc, uint32_t key_id,
                         const size_t *w, size_t L, match *m)
{
    const fs_demog__entry *e = sw->ax->entries + sw->ax->key_first[key_id];
    size_t n = sw->ax->key_count[key_id];
    const fs_demog__entry *pick = NULL;
    unsigned forms = 0;
    for (size_t k = 0; k < n; k++) {
        if (entry_ok(sw, sc, &e[k], w) &&
            (pick == NULL || (e[k].group == sc->to && pick->group != sc->to))) {
            pick = &e[k];
        }
    }
    if (pick == NULL) {
        return false;
    }
    pick = noun_or_adjective(sw, sc, e, n, pick, w, L);
    for (size_t k = 0; k < n; k++) {
        if (e[k].set == pick->set && e[k].group == pick->group && entry_ok(sw, sc, &e[k], w)) {
            forms |= 1u << e[k].form;
        }
    }
    const unsigned det = 1u << FS_DEMOG__DETERMINER;
    m->form = lowest_form(forms);
    if ((forms & det) != 0 && (forms & ~det) != 0) {
        m->form = noun_phrase_follows(sw, sc, w[L - 1]) ? FS_DEMOG__DETERMINER
                                                        : lowest_form(forms & ~det);
    }
    m->group = pick->group;
    m->set = pick->set;
    m->is_name = false;
    m->proper = (pick->cap_mask & 1u) != 0;
    return true;
}

/* A context word ("black", "old") counts only before a person noun or after a copula. */
static bool context_ok(const fs_demog_swapper *sw, const scan *sc, const size_t *w, size_t L)
{
    const fs_demog__axis *ax = sw->ax;
    if (L != 1 ||
        fs_demog__map_get(&ax->context_words, sw->key.data, sw->key.len) == FS_DEMOG__NONE) {
        return true;
    }
    return neighbour_in(sw, sc, w[0], +1, &ax->context_before) ||
           neighbour_in(sw, sc, w[0], -1, &ax->context_after);
}

static fs_status match_term(fs_demog_swapper *sw, const scan *sc, size_t i, match *m, bool *found,
                            fs_error *err)
{
    size_t w[FS_DEMOG__MAX_WORDS];
    size_t max = sw->ax->max_words > 0 ? sw->ax->max_words : 1;
    *found = false;
    for (size_t L = collect_words(sc, i, max, w); L > 0; L--) {
        for (int strip = 0; strip < 2; strip++) {
            size_t base_end = 0;
            fs_status st = build_key(sw, sc, w, L, strip != 0, &base_end, err);
            if (st != FS_OK) {
                return st;
            }
            if (base_end == 0) {
                continue;
            }
            uint32_t id = fs_demog__map_get(&sw->ax->terms, sw->key.data, sw->key.len);
            if (id == FS_DEMOG__NONE || !context_ok(sw, sc, w, L) ||
                !resolve_term(sw, sc, id, w, L, m)) {
                continue;
            }
            m->first_seg = i;
            m->last_seg = w[L - 1];
            m->start = sc->sp[i].start;
            m->end = base_end;
            m->clitic_end = sc->sp[w[L - 1]].end;
            *found = true;
            return FS_OK;
        }
    }
    return FS_OK;
}

/* A capitalised word that is a first name or surname labelled on this axis. */
static fs_status match_name(fs_demog_swapper *sw, const scan *sc, size_t i, match *m, bool *found,
                            fs_error *err)
{
    const fs_demog_lexicon *lex = sw->lex;
    const fs_text_span *s = &sc->sp[i];
    size_t flen = 0, end = s->end;
    *found = false;
    if (s->kind != 1 || lex->n_names == 0 || !starts_upper(sc, i)) {
        return FS_OK;
    }
    const char *f = folded(sw, i, &flen);
    uint32_t idx = fs_demog__map_get(&lex->names, f, flen);
    size_t c = fs_demog__clitic(sc->text + s->start, s->end - s->start);
    if (idx == FS_DEMOG__NONE && c < s->end - s->start) {
        fs_buf_reset(&sw->key);
        fs_status st = fs_demog__fold(&sw->fold, &sw->key, sc->text + s->start, c, err);
        if (st != FS_OK) {
            return st;
        }
        idx = fs_demog__map_get(&lex->names, sw->key.data, sw->key.len);
        end = s->start + c;
    }
    if (idx == FS_DEMOG__NONE) {
        return FS_OK;
    }
    int16_t g = lex->name_labels[(size_t)idx * lex->n_axes + sw->axis];
    if (g < 0 || !sw->enabled[g]) {
        return FS_OK;
    }
    m->is_name = true;
    m->proper = true;
    m->name = idx;
    m->group = (uint16_t)g;
    m->form = FS_DEMOG__SINGULAR;
    m->start = s->start;
    m->end = end;
    m->clitic_end = s->end;
    m->first_seg = i;
    m->last_seg = i;
    *found = true;
    return FS_OK;
}

static fs_status push_match(fs_demog_swapper *sw, const match *m, fs_error *err)
{
    if (sw->n_matches == sw->cap_matches) {
        size_t cap = sw->cap_matches ? sw->cap_matches * 2 : 16, bytes = 0;
        if (!fs_size_mul(&bytes, cap, sizeof *sw->matches)) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        match *nm = fs_realloc(sw->matches, bytes);
        if (nm == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        sw->matches = nm;
        sw->cap_matches = cap;
    }
    sw->matches[sw->n_matches++] = *m;
    return FS_OK;
}

/* The mention's bytes [start, clitic_end) overlap a protected range. */
static bool is_protected(const scan *sc, const match *m)
{
    for (size_t k = 0; k < sc->n_protect; k++) {
        if (sc->protect[k].start < m->clitic_end && m->start < sc->protect[k].end) {
            return true;
        }
    }
    return false;
}

/* Segment the text and find every mention, left to right, counting them per group. A
 * protected mention is dropped and the scan goes on at its next word, where a shorter
 * term outside the protected range may still start. */
static fs_status collect(fs_demog_swapper *sw, scan *sc, fs_error *err)
{
    memset(sw->counts, 0, sw->ax->n_groups * sizeof *sw->counts);
    sw->n_matches = 0;
    if (!fs_text_valid_utf8(sc->text, sc->n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "demographics: text is not valid UTF-8");
    }
    fs_status st = FS_OK;
    if (sw->last_ok && sw->last.len == sc->n && memcmp(sw->last.data, sc->text, sc->n) == 0) {
        sc->sp = sw->last_sp;
        sc->count = sw->last_count;
    } else {
        sw->last_ok = false;
        st = fs_text_segmenter_run(sw->seg, &sc->sp, &sc->count, sc->text, sc->n, err);
        if (st == FS_OK) {
            st = fold_segments(sw, sc, err);
        }
        fs_buf_reset(&sw->last);
        fs_buf_append(&sw->last, sc->text, sc->n);
        sw->last_ok = st == FS_OK && fs_buf_status(&sw->last) == FS_OK;
        sw->last_sp = sc->sp;
        sw->last_count = sc->count;
    }
    for (size_t i = 0; st == FS_OK && i < sc->count; i++) {
        match m;
        bool found = false;
        if (!is_word(sc, i)) {
            continue;
        }
        st = match_term(sw, sc, i, &m, &found, err);
        if (st == FS_OK && !found) {
            st = match_name(sw, sc, i, &m, &found, err);
        }
        if (st == FS_OK && found && !is_protected(sc, &m)) {
            sw->counts[m.group]++;
            st = push_match(sw, &m, err);
            i = m.last_seg;
        }
    }
    return st;
}

fs_status fs_demog_detect(fs_demog_swapper *sw, const char *text, size_t n,
                          const size_t **counts_out, fs_error *err)
{
    return fs_demog_detect_protected(sw, text, n, NULL, 0, counts_out, err);
}

fs_status fs_demog_detect_protected(fs_demog_swapper *sw, const char *text, size_t n,
                                    const fs_text_span *protect, size_t n_protect,
                                    const size_t **counts_out, fs_error *err)
{
    scan sc;
    memset(&sc, 0, sizeof sc);
    sc.text = text;
    sc.n = n;
    sc.to = SIZE_MAX;
    sc.protect = protect;
    sc.n_protect = protect != NULL ? n_protect : 0;
    *counts_out = NULL;
    fs_status st = collect(sw, &sc, err);
    if (st == FS_OK) {
        *counts_out = sw->counts;
    }
    return st;
}

/* ---- rewriting ----------------------------------------------------------------------- */

static fs_status memo_add(fs_demog_swapper *sw, uint32_t src, uint32_t dst, fs_error *err)
{
    if (sw->n_memo == sw->cap_memo) {
        size_t cap = sw->cap_memo ? sw->cap_memo * 2 : 16;
        uint32_t *s = fs_realloc(sw->memo_src, cap * sizeof *s);
        if (s == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        sw->memo_src = s;
        uint32_t *d = fs_realloc(sw->memo_dst, cap * sizeof *d);
        if (d == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        sw->memo_dst = d;
        sw->cap_memo = cap;
    }
    sw->memo_src[sw->n_memo] = src;
    sw->memo_dst[sw->n_memo++] = dst;
    return FS_OK;
}

static bool memo_used(const fs_demog_swapper *sw, uint32_t name)
{
    for (size_t k = 0; k < sw->n_memo; k++) {
        if (sw->memo_dst[k] == name) {
            return true;
        }
    }
    return false;
}

/* cand carries every label src has on the other axes. */
static bool same_labels(const fs_demog_swapper *sw, uint32_t src, uint32_t cand)
{
    const fs_demog_lexicon *lex = sw->lex;
    const int16_t *a = lex->name_labels + (size_t)src * lex->n_axes;
    const int16_t *b = lex->name_labels + (size_t)cand * lex->n_axes;
    for (size_t x = 0; x < lex->n_axes; x++) {
        if (x != sw->axis && a[x] >= 0 && b[x] != a[x]) {
            return false;
        }
    }
    return true;
}

/* The names of the target group that may replace src (same kind; the same other labels
 * when any has them), into sw->pick. */
static fs_status candidates(fs_demog_swapper *sw, const scan *sc, uint32_t src, size_t *np,
                            fs_error *err)
{
    const fs_demog__axis *ax = sw->ax;
    size_t cell = sc->to * 2 + sw->lex->name_kind[src];
    size_t b = ax->cand_start[cell], e = ax->cand_start[cell + 1];
    *np = 0;
    if (e - b > sw->cap_pick) {
        fs_free(sw->pick);
        sw->pick = fs_calloc(e - b, sizeof *sw->pick);
        sw->cap_pick = sw->pick != NULL ? e - b : 0;
        if (sw->pick == NULL) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    for (size_t c = b; c < e; c++) {
        if (same_labels(sw, src, ax->cand[c])) {
            sw->pick[(*np)++] = ax->cand[c];
        }
    }
    for (size_t c = b; *np == 0 && c < e; c++) {
        sw->pick[c - b] = ax->cand[c];
    }
    *np = *np == 0 ? e - b : *np;
    return FS_OK;
}

/* The substitute of name src: remembered for the record, else drawn from the stream of
 * (seed, record, "axis:to:Name"), avoiding names already used in the record. */
static fs_status pick_name(fs_demog_swapper *sw, const scan *sc, uint32_t src, uint32_t *out,
                           fs_error *err)
{
    const fs_demog_lexicon *lex = sw->lex;
    size_t np = 0;
    fs_rng rng;
    *out = FS_DEMOG__NONE;
    for (size_t k = 0; k < sw->n_memo; k++) {
        if (sw->memo_src[k] == src) {
            *out = sw->memo_dst[k];
            return FS_OK;
        }
    }
    fs_status st = candidates(sw, sc, src, &np, err);
    if (st != FS_OK || np == 0) {
        return st;
    }
    fs_buf_reset(&sw->tmp);
    fs_buf_printf(&sw->tmp, "%s:%s:%s", sw->ax->name, sw->ax->groups[sc->to],
                  lex->strings.data + lex->name_str[src]);
    if (fs_buf_status(&sw->tmp) != FS_OK) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_rng_derive(&rng, sc->seed, sc->record_id, sw->tmp.data);
    size_t k = (size_t)fs_rng_below(&rng, np);
    for (size_t t = 0; t < np && memo_used(sw, sw->pick[k]); t++) {
        k = (k + 1) % np;
    }
    *out = sw->pick[k];
    return memo_add(sw, src, *out, err);
}

static const char *term_target(const fs_demog_swapper *sw, const match *m, size_t to)
{
    const fs_demog__axis *ax = sw->ax;
    const uint32_t *cell = ax->canon + ((size_t)m->set * ax->n_groups + to) * FS_DEMOG__FORM_COUNT;
    if (cell[m->form] != FS_DEMOG__NONE) {
        return sw->lex->strings.data + cell[m->form];
    }
    for (int f = 0; f < FS_DEMOG__FORM_COUNT; f++) {
        if (cell[f] != FS_DEMOG__NONE) {
            return sw->lex->strings.data + cell[f];
        }
    }
    return NULL;
}

static fs_status put_shaped(fs_demog_swapper *sw, fs_buf *o, const char *s, size_t n, int shape,
                            fs_error *err)
{
    if (shape == SHAPE_UPPER) {
        return fs_text_casemapper_map(sw->fold.cm, o, s, n, FS_CASE_UPPER, err);
    }
    if (shape == SHAPE_LOWER) {
        fs_buf_append(o, s, n);
        return FS_OK;
    }
    size_t i = 0;
    fs_text_next_cp(s, n, &i);
    fs_status st = fs_text_casemapper_map(sw->fold.cm, o, s, i, FS_CASE_TITLE, err);
    fs_buf_append(o, s + i, n - i);
    return st;
}

/* Put the clitic back: "'s" after a plural that ends in s becomes a bare apostrophe
 * ("men's" to "guys'"). */
static void put_clitic(fs_buf *o, const match *m, const char *text, const char *repl, size_t rlen)
{
    const char *c = text + m->end;
    size_t clen = m->clitic_end - m->end;
    char last = rlen > 0 ? repl[rlen - 1] : '\0';
    bool s_clitic =
        clen >= 2 && (c[clen - 1] == 's' || c[clen - 1] == 'S') && (clen == 2 || clen == 4);
    if (s_clitic && m->form == FS_DEMOG__PLURAL && (last == 's' || last == 'S')) {
        clen--;
    }
    fs_buf_append(o, c, clen);
}

/* "an" before a vowel letter, except where it sounds like "you" ("a European", "a
 * Ukrainian", "a university"). */
static bool wants_an(const char *w, size_t n)
{
    static const char *const you[] = { "eu", "uk", "uni", "usu", "use", "ur" };
    char low[4] = { 0 };
    for (size_t i = 0; i < n && i < 3; i++) {
        low[i] = (w[i] >= 'A' && w[i] <= 'Z') ? (char)(w[i] - 'A' + 'a') : w[i];
    }
    if (n == 0 || strchr("aeiou", low[0]) == NULL) {
        return false;
    }
    for (size_t k = 0; k < sizeof you / sizeof you[0]; k++) {
        if (strncmp(low, you[k], strlen(you[k])) == 0) {
            return false;
        }
    }
    return true;
}

/* Copy the text up to the mention, fixing an indefinite article right before it
 * ("an Asian man" to "a Black man") unless the article was already written out. */
static void put_upto(fs_demog_swapper *sw, scan *sc, const match *m, const char *repl, size_t rlen)
{
    size_t a = m->first_seg - 2, len = 0;
    const char *f = m->first_seg >= 2 ? folded(sw, a, &len) : NULL;
    bool article = f != NULL && is_blank(sc, m->first_seg - 1) && is_word(sc, a) &&
                   sc->sp[a].start >= sc->copied &&
                   ((len == 1 && f[0] == 'a') || (len == 2 && memcmp(f, "an", 2) == 0));
    bool an = wants_an(repl, rlen);
    if (!article || (len == 2) == an) {
        fs_buf_append(&sw->res, sc->text + sc->copied, m->start - sc->copied);
        return;
    }
    const char *w = sc->text + sc->sp[a].start;
    fs_buf_append(&sw->res, sc->text + sc->copied, sc->sp[a].start - sc->copied);
    fs_buf_putc(&sw->res, w[0]);
    if (an) {
        /* "A" becomes "AN" only in upper-case text */
        fs_buf_putc(&sw->res, (w[0] == 'A' && shape_of(repl, rlen) == SHAPE_UPPER) ? 'N' : 'n');
    }
    fs_buf_append(&sw->res, sc->text + sc->sp[a].end, m->start - sc->sp[a].end);
}

static fs_status emit(fs_demog_swapper *sw, scan *sc, const match *m, fs_error *err)
{
    const char *repl = NULL;
    if (m->group == sc->to) {
        return FS_OK;
    }
    if (m->is_name) {
        uint32_t dst = FS_DEMOG__NONE;
        fs_status st = pick_name(sw, sc, m->name, &dst, err);
        if (st != FS_OK) {
            return st;
        }
        repl = dst != FS_DEMOG__NONE ? sw->lex->strings.data + sw->lex->name_str[dst] : NULL;
    } else {
        repl = term_target(sw, m, sc->to);
    }
    if (repl == NULL) {
        return FS_OK; /* the target group has no counterpart: the mention stays */
    }
    size_t rlen = strlen(repl);
    /* a Title-case mention of a proper noun ("Mexico") keeps the target's own case ("the
     * United States"); any other Title case is the sentence's and carries over */
    int shape = shape_of(sc->text + m->start, m->end - m->start);
    shape = (shape == SHAPE_TITLE && m->proper) ? SHAPE_LOWER : shape;
    fs_buf_reset(&sw->tmp);
    fs_status st = put_shaped(sw, &sw->tmp, repl, rlen, shape, err);
    if (st != FS_OK || fs_buf_status(&sw->tmp) != FS_OK) {
        return st != FS_OK ? st : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    put_upto(sw, sc, m, sw->tmp.data, sw->tmp.len);
    fs_buf_append(&sw->res, sw->tmp.data, sw->tmp.len);
    put_clitic(&sw->res, m, sc->text, repl, rlen);
    sc->copied = m->clitic_end;
    sc->replaced++;
    return FS_OK;
}

fs_status fs_demog_swap(fs_demog_swapper *sw, const char *text, size_t n, size_t to, uint64_t seed,
                        const char *record_id, fs_buf *out, bool *applicable, bool *changed,
                        fs_error *err)
{
    return fs_demog_swap_protected(sw, text, n, NULL, 0, to, seed, record_id, out, applicable,
                                   changed, err);
}

fs_status fs_demog_swap_protected(fs_demog_swapper *sw, const char *text, size_t n,
                                  const fs_text_span *protect, size_t n_protect, size_t to,
                                  uint64_t seed, const char *record_id, fs_buf *out,
                                  bool *applicable, bool *changed, fs_error *err)
{
    scan sc;
    *applicable = false;
    if (changed != NULL) {
        *changed = false;
    }
    if (to >= sw->ax->n_groups || !sw->enabled[to]) {
        return FS_FAIL(err, FS_ERR_USAGE, "demographics: %s: group %zu is not enabled",
                       sw->ax->name, to);
    }
    memset(&sc, 0, sizeof sc);
    sc.text = text;
    sc.n = n;
    sc.to = to;
    sc.seed = seed;
    sc.record_id = record_id != NULL ? record_id : "";
    sc.protect = protect;
    sc.n_protect = protect != NULL ? n_protect : 0;
    sw->n_memo = 0;
    fs_buf_reset(&sw->res);
    fs_status st = collect(sw, &sc, err);
    /* names already of the target group are taken: no other name becomes one of them */
    for (size_t k = 0; st == FS_OK && k < sw->n_matches; k++) {
        if (sw->matches[k].is_name && sw->matches[k].group == to) {
            st = memo_add(sw, sw->matches[k].name, sw->matches[k].name, err);
        }
    }
    for (size_t k = 0; st == FS_OK && k < sw->n_matches; k++) {
        st = emit(sw, &sc, &sw->matches[k], err);
    }
    if (st != FS_OK || sc.replaced == 0) {
        return st;
    }
    fs_buf_append(&sw->res, text + sc.copied, n - sc.copied);
    if (fs_buf_status(&sw->res) != FS_OK) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_append(out, sw->res.data, sw->res.len);
    if (fs_buf_status(out) != FS_OK) {
        return FS_FAIL(err, fs_buf_status(out), "demographics: output buffer: %s",
                       fs_status_text(fs_buf_status(out)));
    }
    *applicable = true;
    if (changed != NULL) {
        *changed = sw->res.len != n || memcmp(sw->res.data, text, n) != 0;
    }
    return FS_OK;
}
