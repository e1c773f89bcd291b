/* SQuAD v1.1 exact match and token F1 exactly as the official evaluate-v1.1.py computes
 * them: normalize_answer (lowercase, drop ASCII punctuation, replace each whole word a,
 * an, the by a space, collapse whitespace), exact match of the normalised strings, F1 of
 * the multiset overlap of their space-separated tokens, each the maximum over the gold
 * answers, and the dataset figures 100 * sum / total.
 *
 * Invariants: lowercasing is ICU's root-locale full mapping (Python's str.lower()), with
 * an ASCII fast path; "whole word" follows Python's re \b on str patterns, where a word
 * character is a letter (general category L), a character with a numeric value
 * (category N) or the underscore; whitespace is Python's str.split() set. A normalised
 * answer is never longer than its lowercased text, and its tokens are separated by
 * exactly one space. Buffers live in the scorer and are reused between answers. */
#include "fairshake/score.h"

#include <math.h>
#include <string.h>

#include "fairshake/core.h"
#include "ngram.h"

typedef struct tokens {
    const char *base; /* borrowed: the normalised text */
    size_t *start;
    size_t *len;
    uint64_t *hash;
    size_t count, cap;
} tokens;

struct fs_squad_scorer {
    fs_text_casemapper *cm;
    fs_text_regex *numeric; /* one code point of general category N */
    fs_text_span *spans;
    size_t n_spans, spans_cap;
    fs_buf low, norm_pred, norm_gold;
    char *ascii; /* an ASCII text lowercased without punctuation */
    char *art;   /* the text without articles */
    size_t ascii_cap, art_cap;
    tokens pred, gold;
    unsigned char *used;
    size_t used_cap;
};

static bool is_ascii_punct(unsigned char c)
{
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

/* Python's \w on str: letters, characters with a numeric value, underscore. */
static fs_status is_word_at(fs_squad_scorer *q, bool *out, const char *s, size_t n, size_t i,
                            fs_error *err)
{
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) {
        *out =
            (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_';
        return FS_OK;
    }
    size_t j = i;
    fs_text_next_cp(s, n, &j);
    fs_text_class k = fs_text_classify(s + i, j - i);
    if (k.is_alpha || k.is_digit) {
        *out = true;
        return FS_OK;
    }
    q->n_spans = 0;
    fs_status st = fs_text_regex_find_all(q->numeric, s + i, j - i, &q->spans, &q->n_spans,
                                          &q->spans_cap, err);
    *out = st == FS_OK && q->n_spans > 0;
    return st;
}

/* Start of the code point before byte i (s is valid UTF-8). */
static size_t prev_cp(const char *s, size_t i)
{
    do {
        i--;
    } while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80);
    return i;
}

/* Length of the article (a, an, the) matched at s[i] by \b(a|an|the)\b, or 0. */
static fs_status article_at(fs_squad_scorer *q, size_t *len_out, const char *s, size_t n, size_t i,
                            fs_error *err)
{
    static const char *const articles[] = { "a", "an", "the" };
    static const size_t lens[] = { 1, 2, 3 };
    bool word = false;
    fs_status st = FS_OK;
    *len_out = 0;
    if (s[i] != 'a' && s[i] != 't') {
        return FS_OK;
    }
    if (i > 0) {
        st = is_word_at(q, &word, s, n, prev_cp(s, i), err);
        if (st != FS_OK || word) {
            return st;
        }
    }
    for (size_t a = 0; a < 3; a++) {
        size_t len = lens[a];
        if (n - i < len || memcmp(s + i, articles[a], len) != 0) {
            continue;
        }
        word = false;
        if (i + len < n) {
            st = is_word_at(q, &word, s, n, i + len, err);
            if (st != FS_OK) {
                return st;
            }
        }
        if (!word) {
            *len_out = len;
            return FS_OK;
        }
    }
    return FS_OK;
}

/* Drop ASCII punctuation from s[0..n) into d (d may equal s), lowercasing ASCII
 * letters; returns the length written. */
static size_t drop_punct(char *d, const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_ascii_punct(c)) {
            d[w++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
    }
    return w;
}

/* Lowercase text and drop its ASCII punctuation: *out points into the scorer's scratch
 * (ASCII text in one pass, other text through ICU first), *len_out is its length. */
static fs_status lower_nopunct(fs_squad_scorer *q, const char **out, size_t *len_out,
                               const char *text, size_t n, fs_error *err)
{
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++) {
        ascii = (unsigned char)text[i] < 0x80 && text[i] != '\0';
    }
    *out = "";
    *len_out = 0;
    if (ascii) {
        if (!fs_score__reserve((void **)&q->ascii, &q->ascii_cap, n + 1, 1)) {
            return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        *out = q->ascii;
        *len_out = drop_punct(q->ascii, text, n);
        return FS_OK;
    }
    if (!fs_text_valid_utf8(text, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "squad: text is not valid UTF-8 (or holds NUL)");
    }
    fs_buf_reset(&q->low);
    fs_status st = fs_text_casemapper_map(q->cm, &q->low, text, n, FS_CASE_LOWER, err);
    if (st == FS_OK && q->low.len > 0) {
        *out = q->low.data;
        *len_out = drop_punct(q->low.data, q->low.data, q->low.len);
    }
    return st;
}

/* Length of the whitespace character at s[i] (Python's str.split() set), or 0. */
static size_t space_at(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
        return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    }
    return fs_score__space_at(s, n, i);
}

/* The last two steps in one pass: every whole-word article becomes a space, then runs
 * of whitespace become single spaces (none at the ends). Writes q->art, *len_out. */
static fs_status articles_and_spaces(fs_squad_scorer *q, size_t *len_out, const char *s, size_t n,
                                     fs_error *err)
{
    size_t w = 0, len = 0;
    bool pending = false;
    fs_status st = FS_OK;
    if (!fs_score__reserve((void **)&q->art, &q->art_cap, n + 1, 1)) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && st == FS_OK;) {
        st = article_at(q, &len, s, n, i, err);
        if (len == 0) {
            len = space_at(s, n, i);
        }
        if (len > 0) {
            pending = w > 0;
            i += len;
            continue;
        }
        if (pending) {
            q->art[w++] = ' ';
            pending = false;
        }
        q->art[w++] = s[i++];
    }
    *len_out = w;
    return st;
}

fs_status fs_squad_normalize(fs_squad_scorer *q, fs_buf *out, const char *text, size_t n,
                             fs_error *err)
{
    if (text == NULL && n > 0) {
        return FS_FAIL(err, FS_ERR_USAGE, "squad: NULL text");
    }
    const char *low = NULL;
    size_t len = 0;
    fs_status st = lower_nopunct(q, &low, &len, text, n, err);
    if (st == FS_OK) {
        st = articles_and_spaces(q, &len, low, len, err);
    }
    if (st == FS_OK) {
        fs_buf_append(out, q->art, len);
        if (fs_buf_status(out) != FS_OK) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    return st;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    }
    return h;
}

/* Split a normalised text (single spaces, none at the ends) into t. */
static bool split_tokens(tokens *t, const fs_buf *norm)
{
    const char *s = norm->data;
    size_t n = norm->len, most = n / 2 + 1, c1 = t->cap, c2 = t->cap, c3 = t->cap;
    t->base = s;
    t->count = 0;
    if (!fs_score__reserve((void **)&t->start, &c1, most, sizeof *t->start) ||
        !fs_score__reserve((void **)&t->len, &c2, most, sizeof *t->len) ||
        !fs_score__reserve((void **)&t->hash, &c3, most, sizeof *t->hash)) {
        return false;
    }
    t->cap = c1 < c2 ? (c1 < c3 ? c1 : c3) : (c2 < c3 ? c2 : c3);
    for (size_t i = 0; i < n;) {
        const char *sp = memchr(s + i, ' ', n - i);
        size_t j = sp != NULL ? (size_t)(sp - s) : n;
        t->start[t->count] = i;
        t->len[t->count] = j - i;
        t->hash[t->count++] = hash_bytes(s + i, j - i);
        i = j + 1;
    }
    return true;
}

/* Size of the multiset intersection of the two token lists. */
static bool common_tokens(fs_squad_scorer *q, size_t *out)
{
    const tokens *p = &q->pred, *g = &q->gold;
    size_t common = 0;
    if (!fs_score__reserve((void **)&q->used, &q->used_cap, g->count + 1, 1)) {
        return false;
    }
    memset(q->used, 0, g->count);
    for (size_t i = 0; i < p->count; i++) {
        for (size_t j = 0; j < g->count; j++) {
            if (!q->used[j] && g->hash[j] == p->hash[i] && g->len[j] == p->len[i] &&
                memcmp(g->base + g->start[j], p->base + p->start[i], p->len[i]) == 0) {
                q->used[j] = 1;
                common++;
                break;
            }
        }
    }
    *out = common;
    return true;
}

/* EM and F1 of the normalised prediction against one normalised gold answer. */
static bool score_gold(fs_squad_scorer *q, fs_squad_item *out)
{
    size_t common;
    out->exact_match = q->norm_pred.len == q->norm_gold.len &&
                               memcmp(fs_buf_cstr(&q->norm_pred), fs_buf_cstr(&q->norm_gold),
                                      q->norm_pred.len) == 0
                           ? 1.0
                           : 0.0;
    out->f1 = 0.0;
    if (!split_tokens(&q->gold, &q->norm_gold) || !common_tokens(q, &common)) {
        return false;
    }
    if (common > 0) {
        double precision = 1.0 * (double)common / (double)q->pred.count;
        double recall = 1.0 * (double)common / (double)q->gold.count;
        out->f1 = (2 * precision * recall) / (precision + recall);
    }
    return true;
}

fs_status fs_squad_scorer_score(fs_squad_scorer *q, fs_squad_item *out, const char *pred,
                                size_t pred_len, const char *const *golds, const size_t *gold_lens,
                                size_t n_golds, fs_error *err)
{
    fs_squad_item cur;
    fs_status st;
    memset(out, 0, sizeof *out);
    if (n_golds == 0) {
        return FS_FAIL(err, FS_ERR_INPUT, "squad: no gold answer");
    }
    if (golds == NULL || gold_lens == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "squad: NULL gold answers");
    }
    fs_buf_reset(&q->norm_pred);
    st = fs_squad_normalize(q, &q->norm_pred, pred, pred_len, err);
    if (st == FS_OK && !split_tokens(&q->pred, &q->norm_pred)) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (size_t k = 0; k < n_golds && st == FS_OK; k++) {
        fs_buf_reset(&q->norm_gold);
        st = fs_squad_normalize(q, &q->norm_gold, golds[k], gold_lens[k], err);
        if (st == FS_OK && !score_gold(q, &cur)) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
        if (st == FS_OK) {
            out->exact_match =
                k == 0 || cur.exact_match > out->exact_match ? cur.exact_match : out->exact_match;
            out->f1 = k == 0 || cur.f1 > out->f1 ? cur.f1 : out->f1;
        }
    }
    if (st != FS_OK) {
        memset(out, 0, sizeof *out);
    }
    return st;
}

fs_status fs_squad_scorer_new(fs_squad_scorer **out, fs_error *err)
{
    *out = NULL;
    fs_squad_scorer *q = fs_calloc(1, sizeof *q);
    if (q == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    fs_buf_init(&q->low, 0);
    fs_buf_init(&q->norm_pred, 0);
    fs_buf_init(&q->norm_gold, 0);
    fs_status st = fs_text_casemapper_new(&q->cm, err);
    if (st == FS_OK) {
        st = fs_text_regex_new(&q->numeric, "\\p{N}", err);
    }
    if (st != FS_OK) {
        fs_squad_scorer_free(q);
        return st;
    }
    *out = q;
    return FS_OK;
}

static void tokens_dispose(tokens *t)
{
    fs_free(t->start);
    fs_free(t->len);
    fs_free(t->hash);
}

void fs_squad_scorer_free(fs_squad_scorer *q)
{
    if (q == NULL) {
        return;
    }
    fs_text_casemapper_free(q->cm);
    fs_text_regex_free(q->numeric);
    fs_free(q->spans);
    fs_buf_dispose(&q->low);
    fs_free(q->art);
    fs_free(q->ascii);
    fs_buf_dispose(&q->norm_pred);
    fs_buf_dispose(&q->norm_gold);
    tokens_dispose(&q->pred);
    tokens_dispose(&q->gold);
    fs_free(q->used);
    fs_free(q);
}

void fs_squad_sum_init(fs_squad_sum *acc)
{
    memset(acc, 0, sizeof *acc);
}

void fs_squad_sum_add(fs_squad_sum *acc, const fs_squad_item *item)
{
    acc->total++;
    if (item != NULL) {
        acc->exact_match += item->exact_match;
        acc->f1 += item->f1;
    }
}

void fs_squad_sum_result(const fs_squad_sum *acc, double *exact_match, double *f1)
{
    double total = acc->total > 0 ? (double)acc->total : NAN;
    *exact_match = 100.0 * acc->exact_match / total;
    *f1 = 100.0 * acc->f1 / total;
}
