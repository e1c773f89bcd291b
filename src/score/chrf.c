/* chrF and chrF++ as sacreBLEU 2.6.0 computes them: character n-grams over code points
 * (whitespace removed unless asked to keep it), optional word n-grams over whitespace
 * tokens with one leading or trailing ASCII punctuation mark split off, per-order
 * (hypothesis, reference, match) counts, the reference with the best sentence score, and
 * the F-beta score with effective-order averaging (or chrF++.py's eps smoothing).
 *
 * Characters are Python str characters, i.e. code points: no grapheme clustering, no
 * normalisation. Whitespace is Python's set (ngram.h). Punctuation splitting only looks
 * at ASCII bytes, which in UTF-8 are exactly the ASCII characters, so a one-code-point
 * piece that is not ASCII is never split, as in Python.
 *
 * Invariants: statistics are pure functions of (texts, options); the scorer's buffers
 * and tables only grow; fs_chrf_score never allocates. */
#include "fairshake/score.h"

#include <string.h>

#include "fairshake/core.h"
#include "ngram.h"

static const char *const chrf_keys[] = { "char_order", "word_order", "beta",
                                         "lowercase",  "whitespace", "eps_smoothing" };

fs_status fs_chrf_opts_set(fs_chrf_opts *opts, const char *key, const char *value, fs_error *err)
{
    unsigned *num = strcmp(key, "char_order") == 0   ? &opts->char_order
                    : strcmp(key, "word_order") == 0 ? &opts->word_order
                    : strcmp(key, "beta") == 0       ? &opts->beta
                                                     : NULL;
    if (num != NULL) {
        unsigned max = num == &opts->char_order   ? FS_CHRF_MAX_CHAR_ORDER
                       : num == &opts->word_order ? FS_CHRF_MAX_WORD_ORDER
                                                  : 1000u;
        int64_t v = 0;
        if (!fs_parse_i64(value, &v) || v < 0 || v > (int64_t)max) {
            return FS_FAIL(err, FS_ERR_CONFIG, "%s: '%s' is not an integer in 0..%u", key, value,
                           max);
        }
        *num = (unsigned)v;
        return FS_OK;
    }
    bool *flag = strcmp(key, "lowercase") == 0       ? &opts->lowercase
                 : strcmp(key, "whitespace") == 0    ? &opts->whitespace
                 : strcmp(key, "eps_smoothing") == 0 ? &opts->eps_smoothing
                                                     : NULL;
    if (flag != NULL) {
        return fs_score__opt_bool(flag, key, value, err);
    }
    return fs_score__opt_unknown(key, chrf_keys, sizeof chrf_keys / sizeof chrf_keys[0], err);
}

fs_status fs_chrf_opts_check(const fs_chrf_opts *opts, fs_error *err)
{
    if (opts->char_order > FS_CHRF_MAX_CHAR_ORDER) {
        return FS_FAIL(err, FS_ERR_CONFIG, "char_order: %u is not in 0..%d", opts->char_order,
                       FS_CHRF_MAX_CHAR_ORDER);
    }
    if (opts->word_order > FS_CHRF_MAX_WORD_ORDER) {
        return FS_FAIL(err, FS_ERR_CONFIG, "word_order: %u is not in 0..%d", opts->word_order,
                       FS_CHRF_MAX_WORD_ORDER);
    }
    if (opts->char_order + opts->word_order == 0) {
        return FS_FAIL(err, FS_ERR_CONFIG, "char_order and word_order are both 0");
    }
    if (opts->beta > 1000u) {
        return FS_FAIL(err, FS_ERR_CONFIG, "beta: %u is not in 0..1000", opts->beta);
    }
    return FS_OK;
}

void fs_chrf_stats_add(fs_chrf_stats *sum, const fs_chrf_stats *item)
{
    for (size_t i = 0; i < 3 * FS_CHRF_MAX_ORDERS; i++) {
        sum->v[i] += item->v[i];
    }
}

/* sacreBLEU's CHRF._compute_f_score over v[0 .. 3 * orders). */
static double chrf_f(const uint64_t *v, size_t orders, const fs_chrf_opts *o)
{
    const double eps = 1e-16;
    double factor = (double)o->beta * (double)o->beta;
    double score = 0.0, avg_prec = 0.0, avg_rec = 0.0;
    size_t effective = 0;
    for (size_t i = 0; i < orders; i++) {
        uint64_t n_hyp = v[3 * i], n_ref = v[3 * i + 1], n_match = v[3 * i + 2];
        double prec = n_hyp > 0 ? (double)n_match / (double)n_hyp : eps;
        double rec = n_ref > 0 ? (double)n_match / (double)n_ref : eps;
        double denom = factor * prec + rec;
        score += denom > 0.0 ? (1.0 + factor) * prec * rec / denom : eps;
        if (n_hyp > 0 && n_ref > 0) {
            avg_prec += prec;
            avg_rec += rec;
            effective++;
        }
    }
    if (o->eps_smoothing) {
        return 100.0 * score / (double)orders;
    }
    if (effective == 0) {
        avg_prec = avg_rec = 0.0;
    } else {
        avg_prec /= (double)effective;
        avg_rec /= (double)effective;
    }
    if (avg_prec + avg_rec == 0.0) {
        return 0.0;
    }
    score = (1.0 + factor) * avg_prec * avg_rec;
    score /= (factor * avg_prec) + avg_rec;
    return 100.0 * score;
}

fs_status fs_chrf_score(double *out, const fs_chrf_stats *sum, const fs_chrf_opts *opts,
                        fs_error *err)
{
    *out = 0.0;
    fs_status st = fs_chrf_opts_check(opts, err);
    if (st != FS_OK) {
        return st;
    }
    *out = chrf_f(sum->v, (size_t)opts->char_order + opts->word_order, opts);
    return FS_OK;
}

/* ---- statistics ---------------------------------------------------------------------- */

/* One side (hypothesis or current reference): its text and symbol sequences. */
typedef struct chrf_side {
    fs_buf lower;    /* lowercased text (when asked) */
    uint32_t *cps;   /* code points, whitespace removed unless kept */
    uint32_t *words; /* word symbols */
    size_t cps_cap, words_cap;
    size_t n_cps, n_words;
} chrf_side;

struct fs_chrf_scorer {
    fs_chrf_opts opts;
    fs_text_casemapper *cm;
    chrf_side hyp, ref;
    fs_score__lexicon lex; /* hypothesis words (borrowed from the hypothesis text) */
    fs_score__ngrams chars, words;
    fs_chrf_stats cur;
};

fs_status fs_chrf_scorer_new(fs_chrf_scorer **out, const fs_chrf_opts *opts, fs_error *err)
{
    *out = NULL;
    fs_status st = fs_chrf_opts_check(opts, err);
    if (st != FS_OK) {
        return st;
    }
    fs_chrf_scorer *s = fs_calloc(1, sizeof *s);
    if (s == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    s->opts = *opts;
    fs_score__lexicon_init(&s->lex);
    fs_score__ngrams_init(&s->chars);
    fs_score__ngrams_init(&s->words);
    if (opts->lowercase) {
        st = fs_text_casemapper_new(&s->cm, err);
        if (st != FS_OK) {
            fs_chrf_scorer_free(s);
            return st;
        }
    }
    *out = s;
    return FS_OK;
}

static void side_dispose(chrf_side *side)
{
    fs_buf_dispose(&side->lower);
    fs_free(side->cps);
    fs_free(side->words);
}

void fs_chrf_scorer_free(fs_chrf_scorer *s)
{
    if (s == NULL) {
        return;
    }
    fs_text_casemapper_free(s->cm);
    side_dispose(&s->hyp);
    side_dispose(&s->ref);
    fs_score__lexicon_dispose(&s->lex);
    fs_score__ngrams_dispose(&s->chars);
    fs_score__ngrams_dispose(&s->words);
    fs_free(s);
}

/* The code points of s[0..n), without Python whitespace unless keep_space. */
static void decode_cps(chrf_side *side, const char *s, size_t n, bool keep_space)
{
    size_t i = 0, k = 0;
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        uint32_t cp = b;
        if (b < 0x80) {
            i++;
        } else {
            cp = fs_text_next_cp(s, n, &i);
        }
        if (keep_space || !fs_score__py_space(cp)) {
            side->cps[k++] = cp;
        }
    }
    side->n_cps = k;
}

static bool is_ascii_punct(unsigned char c)
{
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

/* Symbol of one word: interned for the hypothesis, looked up for a reference. */
static fs_status put_word(fs_chrf_scorer *sc, chrf_side *side, bool is_hyp, const char *w,
                          size_t len, fs_error *err)
{
    uint32_t *slot = &side->words[side->n_words++];
    if (!is_hyp) {
        *slot = fs_score__lexicon_find(&sc->lex, w, len);
        return FS_OK;
    }
    return fs_score__lexicon_add(&sc->lex, w, len, slot, err);
}

/* sacreBLEU's _remove_punctuation over s[0..n): whitespace pieces, one ASCII punctuation
 * mark split off the end, or else off the start, of pieces longer than one character. */
static fs_status split_words(fs_chrf_scorer *sc, chrf_side *side, bool is_hyp, const char *s,
                             size_t n, fs_error *err)
{
    fs_status st = FS_OK;
    size_t i = 0;
    side->n_words = 0;
    while (st == FS_OK && i < n) {
        size_t w = fs_score__space_at(s, n, i);
        if (w > 0) {
            i += w;
            continue;
        }
        size_t a = i;
        while (i < n && fs_score__space_at(s, n, i) == 0) {
            i++;
        }
        size_t len = i - a;
        if (len > 1 && is_ascii_punct((unsigned char)s[i - 1])) {
            st = put_word(sc, side, is_hyp, s + a, len - 1, err);
            if (st == FS_OK) {
                st = put_word(sc, side, is_hyp, s + i - 1, 1, err);
            }
        } else if (len > 1 && is_ascii_punct((unsigned char)s[a])) {
            st = put_word(sc, side, is_hyp, s + a, 1, err);
            if (st == FS_OK) {
                st = put_word(sc, side, is_hyp, s + a + 1, len - 1, err);
            }
        } else {
            st = put_word(sc, side, is_hyp, s + a, len, err);
        }
    }
    return st;
}

/* Lowercase (when asked) and decode one text into side's sequences. */
static fs_status load_side(fs_chrf_scorer *sc, chrf_side *side, bool is_hyp, const char *s,
                           size_t n, fs_error *err)
{
    fs_status st = FS_OK;
    if (s == NULL) {
        s = "";
    }
    if (!fs_text_valid_utf8(s, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "text is not valid UTF-8 (or holds a NUL byte)");
    }
    if (sc->opts.lowercase) {
        fs_buf_reset(&side->lower);
        st = fs_text_casemapper_map(sc->cm, &side->lower, s, n, FS_CASE_LOWER, err);
        if (st != FS_OK) {
            return st;
        }
        s = fs_buf_cstr(&side->lower);
        n = side->lower.len;
    }
    /* a text of n bytes has at most n code points and n words (punctuation split
     * included: a split piece has at least two bytes) */
    if (!fs_score__reserve((void **)&side->cps, &side->cps_cap, n + 1, sizeof *side->cps) ||
        !fs_score__reserve((void **)&side->words, &side->words_cap, n + 1, sizeof *side->words)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    decode_cps(side, s, n, sc->opts.whitespace);
    side->n_words = 0;
    if (sc->opts.word_order > 0) {
        if (is_hyp) {
            fs_score__lexicon_reset(&sc->lex);
        }
        st = split_words(sc, side, is_hyp, s, n, err);
    }
    return st;
}

/* One order's triple: hypothesis n-grams (0 when the reference has none of this order),
 * reference n-grams, matches. */
static void order_stats(uint64_t *v, size_t hyp_len, size_t ref_len, size_t n, uint64_t match)
{
    uint64_t h = hyp_len >= n ? hyp_len - n + 1 : 0;
    uint64_t r = ref_len >= n ? ref_len - n + 1 : 0;
    v[0] = r > 0 ? h : 0;
    v[1] = r;
    v[2] = match;
}

/* Statistics of the hypothesis against the reference loaded in sc->ref. */
static void ref_stats(fs_chrf_scorer *sc, fs_chrf_stats *out)
{
    uint64_t m[FS_CHRF_MAX_ORDERS] = { 0 };
    size_t co = sc->opts.char_order, wo = sc->opts.word_order;
    memset(out, 0, sizeof *out);
    fs_score__ngrams_match(&sc->chars, sc->ref.cps, sc->ref.n_cps, co, m);
    if (wo > 0) {
        fs_score__ngrams_match(&sc->words, sc->ref.words, sc->ref.n_words, wo, m + co);
    }
    for (size_t i = 0; i < co; i++) {
        order_stats(out->v + 3 * i, sc->hyp.n_cps, sc->ref.n_cps, i + 1, m[i]);
    }
    for (size_t j = 0; j < wo; j++) {
        order_stats(out->v + 3 * (co + j), sc->hyp.n_words, sc->ref.n_words, j + 1, m[co + j]);
    }
}

fs_status fs_chrf_scorer_stats(fs_chrf_scorer *sc, fs_chrf_stats *out, const char *pred,
                               size_t pred_len, const char *const *refs, const size_t *ref_lens,
                               size_t n_refs, fs_error *err)
{
    size_t orders = (size_t)sc->opts.char_order + sc->opts.word_order;
    double best = -1.0;
    bool have_ref = false;
    memset(out, 0, sizeof *out);
    fs_status st = load_side(sc, &sc->hyp, true, pred, pred_len, err);
    if (st == FS_OK) {
        st = fs_score__ngrams_build(&sc->chars, sc->hyp.cps, sc->hyp.n_cps, sc->opts.char_order,
                                    err);
    }
    if (st == FS_OK && sc->opts.word_order > 0) {
        st = fs_score__ngrams_build(&sc->words, sc->hyp.words, sc->hyp.n_words, sc->opts.word_order,
                                    err);
    }
    for (size_t r = 0; st == FS_OK && r < n_refs; r++) {
        if (refs[r] == NULL) {
            continue;
        }
        st = load_side(sc, &sc->ref, false, refs[r], ref_lens[r], err);
        if (st != FS_OK) {
            break;
        }
        ref_stats(sc, &sc->cur);
        /* the first reference with a strictly higher score wins, as in sacreBLEU */
        double f = chrf_f(sc->cur.v, orders, &sc->opts);
        if (f > best) {
            best = f;
            *out = sc->cur;
        }
        have_ref = true;
    }
    if (st == FS_OK && !have_ref) {
        st = FS_FAIL(err, FS_ERR_INPUT, "a prediction needs at least one reference");
    }
    if (st != FS_OK) {
        memset(out, 0, sizeof *out);
    }
    return st;
}
