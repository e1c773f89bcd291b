/* BLEU as sacreBLEU 2.6.0 computes it: the 13a tokenizer, clipped n-gram counts against
 * several references, the closest reference length, the brevity penalty and the four
 * smoothing methods, with sacreBLEU's operation order so that scores agree bit for bit.
 *
 * The 13a tokenizer works on bytes. Every pattern it rewrites is ASCII and a UTF-8
 * multi-byte sequence holds no ASCII byte, so a byte scan replaces exactly what
 * sacreBLEU's regular expressions replace on code points ("not a digit" covers any
 * non-ASCII character, whose last byte is then what precedes the mark). Whitespace is
 * Python's set (ngram.h), lowercasing is ICU's root-locale full mapping, which equals
 * Python's str.lower().
 *
 * Invariants: a scorer's buffers and tables only grow; statistics are pure functions of
 * (texts, options); fs_bleu_score never allocates. */
#include "fairshake/score.h"

#include <math.h>
#include <string.h>

#include "fairshake/core.h"
#include "ngram.h"

/* ---- options ------------------------------------------------------------------------- */

static const char *const bleu_keys[] = { "tokenize",  "smooth_method",   "smooth_value",
                                         "lowercase", "effective_order", "max_ngram_order" };
static const char *const tokenizer_names[] = { "13a", "none" };
static const char *const smooth_names[] = { "exp", "floor", "add-k", "none" };

static fs_status parse_name(int *out, const char *key, const char *value, const char *const *names,
                            size_t n, fs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(value, names[i]) == 0) {
            *out = (int)i;
            return FS_OK;
        }
    }
    return FS_FAIL(err, FS_ERR_CONFIG, "%s: unknown value '%s' (supported: %s%s%s%s%s%s%s)", key,
                   value, names[0], n > 1 ? ", " : "", n > 1 ? names[1] : "", n > 2 ? ", " : "",
                   n > 2 ? names[2] : "", n > 3 ? ", " : "", n > 3 ? names[3] : "");
}

fs_status fs_bleu_opts_set(fs_bleu_opts *opts, const char *key, const char *value, fs_error *err)
{
    int v = 0;
    int64_t order = 0;
    fs_status st = FS_OK;
    if (strcmp(key, "tokenize") == 0) {
        st = parse_name(&v, key, value, tokenizer_names, 2, err);
        opts->tokenize = st == FS_OK ? (fs_bleu_tokenizer)v : opts->tokenize;
    } else if (strcmp(key, "smooth_method") == 0) {
        st = parse_name(&v, key, value, smooth_names, 4, err);
        opts->smooth_method = st == FS_OK ? (fs_bleu_smooth)v : opts->smooth_method;
    } else if (strcmp(key, "smooth_value") == 0) {
        double d = NAN;
        if (strcmp(value, "null") != 0 && (!fs_parse_double(value, &d) || !(d >= 0.0))) {
            return FS_FAIL(err, FS_ERR_CONFIG, "%s: '%s' is not a number >= 0", key, value);
        }
        opts->smooth_value = d;
    } else if (strcmp(key, "lowercase") == 0) {
        st = fs_score__opt_bool(&opts->lowercase, key, value, err);
    } else if (strcmp(key, "effective_order") == 0) {
        st = fs_score__opt_bool(&opts->effective_order, key, value, err);
    } else if (strcmp(key, "max_ngram_order") == 0) {
        if (!fs_parse_i64(value, &order) || order < 1 || order > FS_BLEU_MAX_ORDER) {
            return FS_FAIL(err, FS_ERR_CONFIG, "%s: '%s' is not an integer in 1..%d", key, value,
                           FS_BLEU_MAX_ORDER);
        }
        opts->max_ngram_order = (unsigned)order;
    } else {
        st = fs_score__opt_unknown(key, bleu_keys, sizeof bleu_keys / sizeof bleu_keys[0], err);
    }
    return st;
}

fs_status fs_bleu_opts_check(const fs_bleu_opts *opts, fs_error *err)
{
    if ((unsigned)opts->tokenize > FS_BLEU_TOK_NONE) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "tokenize: unsupported tokenizer (supported: 13a, none)");
    }
    if ((unsigned)opts->smooth_method > FS_BLEU_SMOOTH_NONE) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "smooth_method: unsupported method (supported: exp, floor, add-k, none)");
    }
    if (!isnan(opts->smooth_value) &&
        !(opts->smooth_value >= 0.0 && isfinite(opts->smooth_value))) {
        return FS_FAIL(err, FS_ERR_CONFIG, "smooth_value: must be a finite number >= 0");
    }
    if (opts->max_ngram_order < 1 || opts->max_ngram_order > FS_BLEU_MAX_ORDER) {
        return FS_FAIL(err, FS_ERR_CONFIG, "max_ngram_order: %u is not in 1..%d",
                       opts->max_ngram_order, FS_BLEU_MAX_ORDER);
    }
    return FS_OK;
}

/* ---- preprocessing and the 13a tokenizer --------------------------------------------- */

/* Scratch of the preprocessing pipeline; the case mapper is optional. */
typedef struct bleu_text {
    fs_text_casemapper *cm;
    fs_buf lower, a, b;
} bleu_text;

static void bleu_text_dispose(bleu_text *bt)
{
    fs_text_casemapper_free(bt->cm);
    fs_buf_dispose(&bt->lower);
    fs_buf_dispose(&bt->a);
    fs_buf_dispose(&bt->b);
    bt->cm = NULL;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* The 13a class [\{-\~\[-\` -\&\(-\+\:-\@\/], space included. */
static bool is_13a_punct(unsigned char c)
{
    return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
           (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F;
}

static bool contains(const char *s, size_t n, const char *pat, size_t m)
{
    for (const char *p = s; (size_t)(p - s) + m <= n; p++) {
        p = memchr(p, pat[0], n - (size_t)(p - s) - m + 1);
        if (p == NULL) {
            return false;
        }
        if (memcmp(p, pat, m) == 0) {
            return true;
        }
    }
    return false;
}

/* Python's str.replace: every non-overlapping occurrence, left to right. */
static void replace_all(fs_buf *dst, const char *s, size_t n, const char *pat, size_t m,
                        const char *rep)
{
    size_t run = 0, i = 0;
    while (i + m <= n) {
        if (s[i] == pat[0] && memcmp(s + i, pat, m) == 0) {
            fs_buf_append(dst, s + run, i - run);
            fs_buf_puts(dst, rep);
            i += m;
            run = i;
        } else {
            i++;
        }
    }
    fs_buf_append(dst, s + run, n - run);
}

/* " " + s + " " with every 13a punctuation character surrounded by spaces. */
static void pad_punct(fs_buf *dst, const char *s, size_t n)
{
    size_t run = 0;
    fs_buf_putc(dst, ' ');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_13a_punct(c)) {
            fs_buf_append(dst, s + run, i - run);
            char rep[3] = { ' ', (char)c, ' ' };
            fs_buf_append(dst, rep, 3);
            run = i + 1;
        }
    }
    fs_buf_append(dst, s + run, n - run);
    fs_buf_putc(dst, ' ');
}

/* One of the three two-character regex scans of 13a; which: 0 ([^0-9])([.,]) -> "\1 \2 ",
 * 1 ([.,])([^0-9]) -> " \1 \2", 2 ([0-9])(-) -> "\1 \2 ". */
static void scan_pairs(fs_buf *dst, const char *s, size_t n, int which)
{
    size_t run = 0, i = 0;
    while (i + 1 < n) {
        unsigned char x = (unsigned char)s[i], y = (unsigned char)s[i + 1];
        bool hit = which == 0   ? !is_digit(x) && (y == '.' || y == ',')
                   : which == 1 ? (x == '.' || x == ',') && !is_digit(y)
                                : is_digit(x) && y == '-';
        if (!hit) {
            i++;
            continue;
        }
        fs_buf_append(dst, s + run, i - run);
        char rep[4] = { (char)x, ' ', (char)y, ' ' };
        if (which == 1) {
            rep[0] = ' ';
            rep[1] = (char)x;
            rep[2] = ' ';
            rep[3] = (char)y;
        }
        fs_buf_append(dst, rep, 4);
        i += 2;
        run = i;
    }
    fs_buf_append(dst, s + run, n - run);
}

/* The 13a passes, in order: 0 delete "<skipped>", 1 delete "-\n", 2 "\n" to space,
 * 3..6 the entities (sacreBLEU only tries them when '&' occurs; without '&' none occurs
 * either), 7 punctuation, 8..10 the regex scans. */
#define N_PASSES 11

static const char *const pass_pat[7][2] = {
    { "<skipped>", "" }, { "-\n", "" },   { "\n", " " },   { "&quot;", "\"" },
    { "&amp;", "&" },    { "&lt;", "<" }, { "&gt;", ">" },
};

/* Whether pass p can change s[0..n) (skipping it is then exact and faster). */
static bool pass_needed(int p, const char *s, size_t n)
{
    if (p < 7) {
        return contains(s, n, pass_pat[p][0], strlen(pass_pat[p][0]));
    }
    if (p == 8 || p == 9) {
        return memchr(s, '.', n) != NULL || memchr(s, ',', n) != NULL;
    }
    return p == 7 || memchr(s, '-', n) != NULL;
}

/* The 13a passes over s[0..n); *res, *res_n: the result (in bt->a or bt->b, or s). */
static fs_status tokenize_13a(bleu_text *bt, const char *s, size_t n, const char **res,
                              size_t *res_n, fs_error *err)
{
    fs_buf *bufs[2] = { &bt->a, &bt->b };
    int next = 0;
    for (int p = 0; p < N_PASSES; p++) {
        if (!pass_needed(p, s, n)) {
            continue;
        }
        fs_buf *dst = bufs[next];
        next ^= 1;
        fs_buf_reset(dst);
        if (p < 7) {
            replace_all(dst, s, n, pass_pat[p][0], strlen(pass_pat[p][0]), pass_pat[p][1]);
        } else if (p == 7) {
            pad_punct(dst, s, n);
        } else {
            scan_pairs(dst, s, n, p - 8);
        }
        if (fs_buf_status(dst) != FS_OK) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        s = fs_buf_cstr(dst);
        n = dst->len;
    }
    *res = s;
    *res_n = n;
    return FS_OK;
}

/* Length of s without its trailing Python whitespace. */
static size_t rstrip_len(const char *s, size_t n)
{
    while (n > 0) {
        size_t j = n - 1;
        while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80) {
            j--;
        }
        if (fs_score__space_at(s, n, j) != n - j) {
            break;
        }
        n = j;
    }
    return n;
}

/* Append the whitespace-separated pieces of s[0..n) to out, joined by single spaces. */
static void split_join(fs_buf *out, const char *s, size_t n)
{
    size_t i = 0;
    bool first = true;
    while (i < n) {
        size_t w = fs_score__space_at(s, n, i);
        if (w > 0) {
            i += w;
            continue;
        }
        size_t start = i;
        while (i < n && fs_score__space_at(s, n, i) == 0) {
            i++;
        }
        if (!first) {
            fs_buf_putc(out, ' ');
        }
        fs_buf_append(out, s + start, i - start);
        first = false;
    }
}

/* Lowercase, strip the end, tokenize: append the joined tokens of text to out. */
static fs_status bleu_text_run(bleu_text *bt, const fs_bleu_opts *o, const char *s, size_t n,
                               fs_buf *out, fs_error *err)
{
    fs_status st = FS_OK;
    if (!fs_text_valid_utf8(s, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "text is not valid UTF-8 (or holds a NUL byte)");
    }
    if (o->lowercase) {
        fs_buf_reset(&bt->lower);
        st = bt->cm != NULL ? fs_text_casemapper_map(bt->cm, &bt->lower, s, n, FS_CASE_LOWER, err)
                            : fs_text_case_map(&bt->lower, s, n, FS_CASE_LOWER, err);
        if (st != FS_OK) {
            return st;
        }
        s = fs_buf_cstr(&bt->lower);
        n = bt->lower.len;
    }
    n = rstrip_len(s, n);
    if (o->tokenize == FS_BLEU_TOK_13A) {
        st = tokenize_13a(bt, s, n, &s, &n, err);
        if (st != FS_OK) {
            return st;
        }
    }
    split_join(out, s, n);
    if (fs_buf_status(out) != FS_OK) {
        return FS_FAIL(err, fs_buf_status(out), "cannot hold the tokenized text");
    }
    return FS_OK;
}

fs_status fs_bleu_tokenize(fs_buf *out, const char *text, size_t n, const fs_bleu_opts *opts,
                           fs_error *err)
{
    bleu_text bt;
    memset(&bt, 0, sizeof bt);
    fs_status st = fs_bleu_opts_check(opts, err);
    if (st == FS_OK) {
        st = bleu_text_run(&bt, opts, text == NULL ? "" : text, n, out, err);
    }
    bleu_text_dispose(&bt);
    return st;
}

/* ---- statistics ---------------------------------------------------------------------- */

struct fs_bleu_scorer {
    fs_bleu_opts opts;
    bleu_text text;
    fs_buf hyp, ref; /* tokenized texts, tokens separated by one space */
    uint32_t *hyp_syms, *ref_syms;
    size_t hyp_cap, ref_cap;
    fs_score__lexicon lex; /* hypothesis tokens (borrowed from hyp) */
    fs_score__ngrams grams;
};

fs_status fs_bleu_scorer_new(fs_bleu_scorer **out, const fs_bleu_opts *opts, fs_error *err)
{
    *out = NULL;
    fs_status st = fs_bleu_opts_check(opts, err);
    if (st != FS_OK) {
        return st;
    }
    fs_bleu_scorer *s = fs_calloc(1, sizeof *s);
    if (s == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    s->opts = *opts;
    fs_score__lexicon_init(&s->lex);
    fs_score__ngrams_init(&s->grams);
    if (opts->lowercase) {
        st = fs_text_casemapper_new(&s->text.cm, err);
        if (st != FS_OK) {
            fs_bleu_scorer_free(s);
            return st;
        }
    }
    *out = s;
    return FS_OK;
}

void fs_bleu_scorer_free(fs_bleu_scorer *s)
{
    if (s == NULL) {
        return;
    }
    bleu_text_dispose(&s->text);
    fs_buf_dispose(&s->hyp);
    fs_buf_dispose(&s->ref);
    fs_free(s->hyp_syms);
    fs_free(s->ref_syms);
    fs_score__lexicon_dispose(&s->lex);
    fs_score__ngrams_dispose(&s->grams);
    fs_free(s);
}

/* Tokenize s[0..n) into tok and make room for its symbols in *syms. */
static fs_status tokenize_into(fs_bleu_scorer *sc, fs_buf *tok, uint32_t **syms, size_t *cap,
                               const char *s, size_t n, fs_error *err)
{
    fs_buf_reset(tok);
    fs_status st = bleu_text_run(&sc->text, &sc->opts, s == NULL ? "" : s, n, tok, err);
    if (st != FS_OK) {
        return st;
    }
    /* tokens are separated by single spaces: at most len / 2 + 1 of them */
    if (!fs_score__reserve((void **)syms, cap, tok->len / 2 + 1, sizeof **syms)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    return FS_OK;
}

/* The hypothesis: tokens interned into the lexicon, n-grams counted. */
static fs_status hyp_symbols(fs_bleu_scorer *sc, const char *pred, size_t len, size_t *count,
                             fs_error *err)
{
    fs_status st = tokenize_into(sc, &sc->hyp, &sc->hyp_syms, &sc->hyp_cap, pred, len, err);
    if (st != FS_OK) {
        return st;
    }
    const char *t = fs_buf_cstr(&sc->hyp);
    size_t n = sc->hyp.len, i = 0, k = 0;
    fs_score__lexicon_reset(&sc->lex);
    while (i < n) {
        const char *sp = memchr(t + i, ' ', n - i);
        size_t end = sp == NULL ? n : (size_t)(sp - t);
        st = fs_score__lexicon_add(&sc->lex, t + i, end - i, &sc->hyp_syms[k++], err);
        if (st != FS_OK) {
            return st;
        }
        i = end + 1;
    }
    *count = k;
    return fs_score__ngrams_build(&sc->grams, sc->hyp_syms, k, sc->opts.max_ngram_order, err);
}

/* One reference: its n-grams matched against the hypothesis; *count its length. */
static fs_status ref_symbols(fs_bleu_scorer *sc, const char *ref, size_t len, size_t *count,
                             fs_error *err)
{
    fs_status st = tokenize_into(sc, &sc->ref, &sc->ref_syms, &sc->ref_cap, ref, len, err);
    if (st != FS_OK) {
        return st;
    }
    const char *t = fs_buf_cstr(&sc->ref);
    size_t n = sc->ref.len, i = 0, k = 0;
    while (i < n) {
        const char *sp = memchr(t + i, ' ', n - i);
        size_t end = sp == NULL ? n : (size_t)(sp - t);
        sc->ref_syms[k++] = fs_score__lexicon_find(&sc->lex, t + i, end - i);
        i = end + 1;
    }
    *count = k;
    fs_score__ngrams_match(&sc->grams, sc->ref_syms, k, sc->opts.max_ngram_order, NULL);
    return FS_OK;
}

fs_status fs_bleu_scorer_stats(fs_bleu_scorer *sc, fs_bleu_stats *out, const char *pred,
                               size_t pred_len, const char *const *refs, const size_t *ref_lens,
                               size_t n_refs, fs_error *err)
{
    size_t sys_len = 0, ref_len = 0, best_diff = 0;
    bool have_ref = false;
    memset(out, 0, sizeof *out);
    fs_status st = hyp_symbols(sc, pred, pred_len, &sys_len, err);
    for (size_t r = 0; st == FS_OK && r < n_refs; r++) {
        if (refs[r] == NULL) {
            continue;
        }
        size_t len = 0;
        st = ref_symbols(sc, refs[r], ref_lens[r], &len, err);
        /* the closest reference length, the shorter one on a tie */
        size_t diff = len > sys_len ? len - sys_len : sys_len - len;
        if (!have_ref || diff < best_diff || (diff == best_diff && len < ref_len)) {
            best_diff = diff;
            ref_len = len;
        }
        have_ref = true;
    }
    if (st == FS_OK && !have_ref) {
        st = FS_FAIL(err, FS_ERR_INPUT, "a prediction needs at least one reference");
    }
    if (st != FS_OK) {
        memset(out, 0, sizeof *out);
        return st;
    }
    fs_score__ngrams_clipped(&sc->grams, sc->opts.max_ngram_order, out->counts);
    for (size_t n = 1; n <= sc->opts.max_ngram_order; n++) {
        out->totals[n - 1] = sys_len >= n ? sys_len - n + 1 : 0;
    }
    out->sys_len = sys_len;
    out->ref_len = ref_len;
    return FS_OK;
}

void fs_bleu_stats_add(fs_bleu_stats *sum, const fs_bleu_stats *item)
{
    for (size_t n = 0; n < FS_BLEU_MAX_ORDER; n++) {
        sum->counts[n] += item->counts[n];
        sum->totals[n] += item->totals[n];
    }
    sum->sys_len += item->sys_len;
    sum->ref_len += item->ref_len;
}

/* ---- score --------------------------------------------------------------------------- */

/* sacreBLEU's my_log: a huge negative value instead of log(0). */
static double bleu_log(double p)
{
    return p > 0.0 ? log(p) : -9999999999.0;
}

/* The precision loop of sacreBLEU's compute_bleu; returns the order to average over. */
static size_t bleu_precisions(fs_bleu_result *out, const fs_bleu_opts *o, double k)
{
    double smooth_mteval = 1.0;
    size_t order = o->max_ngram_order;
    for (size_t n = 1; n <= o->max_ngram_order; n++) {
        double *correct = &out->counts[n - 1], *total = &out->totals[n - 1];
        if (o->smooth_method == FS_BLEU_SMOOTH_ADD_K && n > 1) {
            *correct += k;
            *total += k;
        }
        if (*total == 0.0) {
            break;
        }
        if (o->effective_order) {
            order = n;
        }
        if (*correct == 0.0) {
            if (o->smooth_method == FS_BLEU_SMOOTH_EXP) {
                smooth_mteval *= 2.0;
                out->precisions[n - 1] = 100.0 / (smooth_mteval * *total);
            } else if (o->smooth_method == FS_BLEU_SMOOTH_FLOOR) {
                out->precisions[n - 1] = 100.0 * k / *total;
            }
        } else {
            out->precisions[n - 1] = 100.0 * *correct / *total;
        }
    }
    return order;
}

fs_status fs_bleu_score(fs_bleu_result *out, const fs_bleu_stats *sum, const fs_bleu_opts *opts,
                        fs_error *err)
{
    memset(out, 0, sizeof *out);
    fs_status st = fs_bleu_opts_check(opts, err);
    if (st != FS_OK) {
        return st;
    }
    double k = opts->smooth_value;
    if (isnan(k)) {
        k = opts->smooth_method == FS_BLEU_SMOOTH_FLOOR   ? 0.1
            : opts->smooth_method == FS_BLEU_SMOOTH_ADD_K ? 1.0
                                                          : 0.0;
    }
    bool any = false;
    for (size_t n = 0; n < opts->max_ngram_order; n++) {
        out->counts[n] = (double)sum->counts[n];
        out->totals[n] = (double)sum->totals[n];
        any = any || sum->counts[n] != 0;
    }
    out->sys_len = sum->sys_len;
    out->ref_len = sum->ref_len;
    out->bp = 1.0;
    if (sum->sys_len < sum->ref_len) {
        out->bp = sum->sys_len > 0 ? exp(1.0 - (double)sum->ref_len / (double)sum->sys_len) : 0.0;
    }
    if (!any) {
        return FS_OK; /* no match at all: score and precisions 0 (sacreBLEU #141) */
    }
    size_t order = bleu_precisions(out, opts, k);
    double s = 0.0;
    for (size_t n = 0; n < order; n++) {
        s += bleu_log(out->precisions[n]);
    }
    out->score = out->bp * exp(s / (double)order);
    return FS_OK;
}
