/* Counterfactual fairness: pairs of answers on a record and on its demographic
 * counterfactual (the same record with only the group mentions swapped).
 *
 * Label answers reuse fs_score_robustness with the original as the "clean" condition and
 * the counterfactual as the "perturbed" one: same flip rule (a parse failure against a
 * label is a flip), Wilson flip interval, paired bootstrap of the accuracy and macro-F1
 * deltas, exact McNemar; this file adds the mid-p test and the flips into and out of the
 * favourable label. Free-text answers are compared word by word: words are ICU word
 * segments holding letters, digits or ideographs, lower-cased with the full Unicode
 * mapping, and ROUGE-L F is computed from their longest common subsequence (two rows of
 * the dynamic programme, so memory is linear). Refusals are found by phrase: phrases and
 * answers get the same normalisation (NFC, case folding, NFC, typographic apostrophes to
 * ASCII, white space collapsed), and a phrase must sit on word edges. The text summary
 * precomputes one value per pair, so its bootstrap metrics only average them and never
 * allocate. */
#include "fairshake/score.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "fairshake/core.h"
#include "fairshake/stats.h"

#define CI_LEVEL          0.95
#define DEFAULT_RESAMPLES 1000
#define MAX_PHRASE_BYTES  4096
#define MAX_REFUSAL_FILE  ((size_t)16 << 20)

static const char *const no_records = "no applicable records";

/* ---- label answers -------------------------------------------------------------------- */

void fs_counterfactual_init(fs_counterfactual *c)
{
    if (c == NULL) {
        return;
    }
    memset(c, 0, sizeof *c);
    fs_class_report_init(&c->original);
    fs_class_report_init(&c->counterfactual);
    c->flip_rate = c->delta_accuracy = c->delta_macro_f1 = c->p_exact = c->p_midp = NAN;
    c->flip_ci95[0] = c->flip_ci95[1] = NAN;
    c->ci95_accuracy[0] = c->ci95_accuracy[1] = NAN;
    c->ci95_macro_f1[0] = c->ci95_macro_f1[1] = NAN;
}

void fs_counterfactual_dispose(fs_counterfactual *c)
{
    if (c == NULL) {
        return;
    }
    fs_class_report_dispose(&c->original);
    fs_class_report_dispose(&c->counterfactual);
    fs_counterfactual_init(c);
}

/* Move the paired comparison into c (r keeps nothing owned afterwards). */
static void take_robustness(fs_counterfactual *c, fs_robustness *r)
{
    c->n = r->n;
    c->original = r->clean;
    c->counterfactual = r->perturbed;
    fs_class_report_init(&r->clean);
    fs_class_report_init(&r->perturbed);
    c->flips = r->flips;
    c->flip_rate = r->flip_rate;
    c->flip_ci95[0] = r->flip_ci95[0];
    c->flip_ci95[1] = r->flip_ci95[1];
    c->orig_correct_cf_wrong = r->clean_only_correct;
    c->orig_wrong_cf_correct = r->pert_only_correct;
    c->delta_accuracy = r->delta_accuracy;
    c->ci95_accuracy[0] = r->ci95_accuracy[0];
    c->ci95_accuracy[1] = r->ci95_accuracy[1];
    c->delta_macro_f1 = r->delta_macro_f1;
    c->ci95_macro_f1[0] = r->ci95_macro_f1[0];
    c->ci95_macro_f1[1] = r->ci95_macro_f1[1];
}

fs_status fs_score_counterfactual(fs_counterfactual *out, const fs_counterfactual_input *in,
                                  fs_error *err)
{
    fs_counterfactual c;
    fs_robustness r;
    fs_counterfactual_init(&c);
    fs_robustness_init(&r);
    if (out == NULL || in == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "counterfactual: NULL output or input");
    }
    fs_counterfactual_init(out);
    if (in->favourable < -1 || (in->favourable >= 0 && (size_t)in->favourable >= in->n_labels)) {
        return FS_FAIL(err, FS_ERR_USAGE, "counterfactual: favourable label %d outside -1..%zu",
                       in->favourable, in->n_labels == 0 ? 0 : in->n_labels - 1);
    }
    fs_robustness_input ri = { in->gold, in->orig_pred,   in->cf_pred, in->n, in->n_labels,
                               in->seed, in->n_resamples, NULL,        0 };
    fs_status st = fs_score_robustness(&r, &ri, err);
    if (st != FS_OK) {
        goto done;
    }
    take_robustness(&c, &r);
    for (size_t i = 0; i < in->n && in->favourable >= 0; i++) {
        bool was = in->orig_pred[i] == in->favourable, is = in->cf_pred[i] == in->favourable;
        c.to_favourable += !was && is;
        c.from_favourable += was && !is;
    }
    if (c.n > 0) {
        c.p_exact = fs_stats_mcnemar_exact(c.orig_correct_cf_wrong, c.orig_wrong_cf_correct);
        c.p_midp = fs_stats_mcnemar_midp(c.orig_correct_cf_wrong, c.orig_wrong_cf_correct);
    } else {
        snprintf(c.reason, sizeof c.reason, "%s", no_records);
    }
    *out = c;
    fs_counterfactual_init(&c);
done:
    fs_robustness_dispose(&r);
    fs_counterfactual_dispose(&c);
    return st;
}

/* ---- words and ROUGE-L ------------------------------------------------------------------ */

/* The lower-cased words of one text: word i is text[start[i] .. start[i] + len[i]). */
typedef struct words {
    fs_buf text;
    size_t *start, *len;
    size_t count;
} words;

typedef struct div_ctx {
    fs_text_segmenter *seg;
    fs_text_casemapper *cm;
    words w[2];
} div_ctx;

static void words_dispose(words *w)
{
    fs_buf_dispose(&w->text);
    fs_free(w->start);
    fs_free(w->len);
    memset(w, 0, sizeof *w);
}

static void div_ctx_dispose(div_ctx *d)
{
    fs_text_segmenter_free(d->seg);
    fs_text_casemapper_free(d->cm);
    words_dispose(&d->w[0]);
    words_dispose(&d->w[1]);
    memset(d, 0, sizeof *d);
}

static fs_status div_ctx_new(div_ctx *d, fs_error *err)
{
    memset(d, 0, sizeof *d);
    fs_buf_init(&d->w[0].text, 0);
    fs_buf_init(&d->w[1].text, 0);
    fs_status st = fs_text_segmenter_new(&d->seg, FS_TEXT_WORD, err);
    if (st == FS_OK) {
        st = fs_text_casemapper_new(&d->cm, err);
    }
    return st;
}

static fs_status tokenize(div_ctx *d, words *w, const char *s, size_t n, fs_error *err)
{
    const fs_text_span *spans = NULL;
    size_t count = 0;
    if (n > 0 && (s == NULL || !fs_text_valid_utf8(s, n))) {
        return FS_FAIL(err, FS_ERR_INPUT, "answer is not valid UTF-8");
    }
    fs_status st = fs_text_segmenter_run(d->seg, &spans, &count, s, n, err);
    if (st != FS_OK) {
        return st;
    }
    words_dispose(w);
    fs_buf_init(&w->text, 0);
    w->start = fs_calloc(count + 1, sizeof *w->start);
    w->len = fs_calloc(count + 1, sizeof *w->len);
    if (w->start == NULL || w->len == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "answer divergence: out of memory");
    }
    for (size_t i = 0; i < count && st == FS_OK; i++) {
        if (spans[i].kind == 0) {
            continue;
        }
        size_t before = w->text.len;
        st = fs_text_casemapper_map(d->cm, &w->text, s + spans[i].start,
                                    spans[i].end - spans[i].start, FS_CASE_LOWER, err);
        w->start[w->count] = before;
        w->len[w->count] = w->text.len - before;
        w->count++;
    }
    if (st == FS_OK && fs_buf_status(&w->text) != FS_OK) {
        st = FS_FAIL(err, fs_buf_status(&w->text), "answer divergence: out of memory");
    }
    return st;
}

static bool same_word(const words *a, size_t i, const words *b, size_t j)
{
    return a->len[i] == b->len[j] &&
           memcmp(a->text.data + a->start[i], b->text.data + b->start[j], a->len[i]) == 0;
}

/* Length of the longest common subsequence of the two word sequences. */
static fs_status lcs_length(size_t *out, const words *a, const words *b, fs_error *err)
{
    size_t *prev = fs_calloc(b->count + 1, sizeof *prev);
    size_t *cur = fs_calloc(b->count + 1, sizeof *cur);
    if (prev == NULL || cur == NULL) {
        fs_free(prev);
        fs_free(cur);
        return FS_FAIL(err, FS_ERR_NOMEM, "answer divergence: out of memory");
    }
    for (size_t i = 0; i < a->count; i++) {
        for (size_t j = 0; j < b->count; j++) {
            size_t best = prev[j + 1] > cur[j] ? prev[j + 1] : cur[j];
            cur[j + 1] = same_word(a, i, b, j) ? prev[j] + 1 : best;
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    *out = prev[b->count];
    fs_free(prev);
    fs_free(cur);
    return FS_OK;
}

static fs_status divergence_with(div_ctx *d, fs_answer_divergence *out, const char *a, size_t na,
                                 const char *b, size_t nb, fs_error *err)
{
    memset(out, 0, sizeof *out);
    out->rouge_l_f = out->divergence = NAN;
    fs_status st = tokenize(d, &d->w[0], a, na, err);
    if (st == FS_OK) {
        st = tokenize(d, &d->w[1], b, nb, err);
    }
    if (st == FS_OK) {
        st = lcs_length(&out->lcs, &d->w[0], &d->w[1], err);
    }
    if (st != FS_OK) {
        return st;
    }
    out->words_a = d->w[0].count;
    out->words_b = d->w[1].count;
    out->length_diff = (int64_t)out->words_b - (int64_t)out->words_a;
    if (out->words_a == 0 && out->words_b == 0) {
        return FS_OK;
    }
    out->rouge_l_f = 0.0;
    if (out->lcs > 0) {
        double p = (double)out->lcs / (double)out->words_b;
        double r = (double)out->lcs / (double)out->words_a;
        out->rouge_l_f = 2.0 * p * r / (p + r);
    }
    out->divergence = 1.0 - out->rouge_l_f;
    return FS_OK;
}

fs_status fs_score_answer_divergence(fs_answer_divergence *out, const char *a, size_t na,
                                     const char *b, size_t nb, fs_error *err)
{
    div_ctx d;
    if (out == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "answer divergence: NULL output");
    }
    memset(out, 0, sizeof *out);
    out->rouge_l_f = out->divergence = NAN;
    fs_status st = div_ctx_new(&d, err);
    if (st == FS_OK) {
        st = divergence_with(&d, out, a, na, b, nb, err);
    }
    div_ctx_dispose(&d);
    return st;
}

/* ---- refusals ------------------------------------------------------------------------- */

struct fs_refusals {
    char **phrases; /* normalised, NUL-terminated */
    size_t *lens;
    size_t count;
};

static bool is_apostrophe(uint32_t cp)
{
    return cp == 0x2018 || cp == 0x2019 || cp == 0x02BC;
}

/* Apostrophes to ASCII and white-space runs to one space, trimmed, appended to out. */
static void squeeze(fs_buf *out, const char *s, size_t n)
{
    bool pending = false;
    for (size_t i = 0; i < n;) {
        size_t at = i;
        uint32_t cp = fs_text_next_cp(s, n, &i);
        if (fs_text_classify(s + at, i - at).is_space) {
            pending = out->len > 0;
            continue;
        }
        if (pending) {
            fs_buf_putc(out, ' ');
            pending = false;
        }
        if (is_apostrophe(cp)) {
            fs_buf_putc(out, '\'');
        } else {
            fs_buf_append(out, s + at, i - at);
        }
    }
}

/* NFC, case folding, NFC, then squeeze(): out is reset and filled. */
static fs_status normalise(fs_buf *out, const char *s, size_t n, fs_error *err)
{
    fs_buf a, b;
    fs_buf_init(&a, 0);
    fs_buf_init(&b, 0);
    fs_buf_reset(out);
    fs_status st = fs_text_normalize(&a, s, n, FS_FORM_NFC, err);
    if (st == FS_OK) {
        st = fs_text_case_map(&b, fs_buf_cstr(&a), a.len, FS_CASE_FOLD, err);
    }
    if (st == FS_OK) {
        fs_buf_reset(&a);
        st = fs_text_normalize(&a, fs_buf_cstr(&b), b.len, FS_FORM_NFC, err);
    }
    if (st == FS_OK) {
        squeeze(out, fs_buf_cstr(&a), a.len);
        st = fs_buf_status(&a) != FS_OK ? fs_buf_status(&a) : fs_buf_status(&b);
        st = st != FS_OK ? st : fs_buf_status(out);
        if (st != FS_OK) {
            st = FS_FAIL(err, st, "refusal phrases: out of memory");
        }
    }
    fs_buf_dispose(&a);
    fs_buf_dispose(&b);
    return st;
}

void fs_score_refusal_free(fs_refusals *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->count; i++) {
        fs_free(r->phrases[i]);
    }
    fs_free(r->phrases);
    fs_free(r->lens);
    fs_free(r);
}

size_t fs_score_refusal_count(const fs_refusals *r)
{
    return r == NULL ? 0 : r->count;
}

/* Normalise and keep phrase i of the array. */
static fs_status add_phrase(fs_refusals *r, const cJSON *item, const char *path, size_t i,
                            fs_buf *tmp, fs_error *err)
{
    const char *s = cJSON_IsString(item) ? item->valuestring : NULL;
    size_t n = s != NULL ? strlen(s) : 0;
    if (s == NULL || n == 0 || n > MAX_PHRASE_BYTES || !fs_text_valid_utf8(s, n)) {
        return FS_FAIL(err, FS_ERR_INPUT,
                       "%s: phrases[%zu]: expected a non-empty UTF-8 string of at most %d bytes",
                       path, i, MAX_PHRASE_BYTES);
    }
    fs_status st = normalise(tmp, s, n, err);
    if (st != FS_OK) {
        return st;
    }
    if (tmp->len == 0) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: phrases[%zu]: only white space", path, i);
    }
    r->lens[r->count] = tmp->len;
    r->phrases[r->count] = fs_buf_take(tmp, NULL);
    if (r->phrases[r->count] == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "refusal phrases: out of memory");
    }
    r->count++;
    return FS_OK;
}

static fs_status load_phrases(fs_refusals *r, const cJSON *root, const char *path, fs_error *err)
{
    const cJSON *list =
        cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "phrases") : NULL;
    if (!cJSON_IsArray(list)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: phrases: expected an array of strings", path);
    }
    size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
    r->phrases = fs_calloc(n + 1, sizeof *r->phrases);
    r->lens = fs_calloc(n + 1, sizeof *r->lens);
    if (r->phrases == NULL || r->lens == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "refusal phrases: out of memory");
    }
    fs_buf tmp;
    fs_buf_init(&tmp, 0);
    fs_status st = FS_OK;
    for (const cJSON *item = list->child; item != NULL && st == FS_OK; item = item->next) {
        st = add_phrase(r, item, path, i++, &tmp, err);
    }
    fs_buf_dispose(&tmp);
    return st;
}

fs_status fs_score_refusal_load(fs_refusals **out, const char *path, fs_error *err)
{
    cJSON *root = NULL;
    if (out == NULL || path == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "refusal phrases: NULL output or path");
    }
    *out = NULL;
    fs_refusals *r = fs_calloc(1, sizeof *r);
    if (r == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "refusal phrases: out of memory");
    }
    fs_status st = fs_json__parse_file(&root, path, err);
    if (st == FS_OK) {
        st = load_phrases(r, root, path, err);
    }
    cJSON_Delete(root);
    if (st != FS_OK) {
        fs_score_refusal_free(r);
        return st;
    }
    *out = r;
    return FS_OK;
}

/* true when the code point ending right before s[at] (or starting at s[at]) is a letter
 * or a digit. */
static bool alnum_before(const char *s, size_t at)
{
    size_t i = at;
    while (i > 0 && at - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
        i--;
    }
    if (i == 0) {
        return false;
    }
    fs_text_class k = fs_text_classify(s + i - 1, at - i + 1);
    return k.is_alpha || k.is_digit;
}

static bool alnum_at(const char *s, size_t n, size_t at)
{
    if (at >= n) {
        return false;
    }
    fs_text_class k = fs_text_classify(s + at, n - at);
    return k.is_alpha || k.is_digit;
}

/* Does phrase p (length m) occur in s[0..n) on word edges? */
static bool find_on_edges(const char *s, size_t n, const char *p, size_t m)
{
    size_t tail = m;
    while (tail > 0 && ((unsigned char)p[tail - 1] & 0xC0) == 0x80) {
        tail--;
    }
    bool edge_start = alnum_at(p, m, 0);
    bool edge_end = tail > 0 && alnum_at(p, m, tail - 1);
    for (size_t i = 0; m <= n && i <= n - m; i++) {
        if (memcmp(s + i, p, m) != 0) {
            continue;
        }
        if ((edge_start && alnum_before(s, i)) || (edge_end && alnum_at(s, n, i + m))) {
            continue;
        }
        return true;
    }
    return false;
}

fs_status fs_score_is_refusal(bool *out, const fs_refusals *r, const char *text, size_t n,
                              fs_error *err)
{
    fs_buf norm;
    if (out == NULL || r == NULL || (text == NULL && n > 0)) {
        return FS_FAIL(err, FS_ERR_USAGE, "refusal: NULL output, phrases or text");
    }
    *out = false;
    if (n > 0 && !fs_text_valid_utf8(text, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "refusal: text is not valid UTF-8");
    }
    fs_buf_init(&norm, 0);
    fs_status st = normalise(&norm, n > 0 ? text : "", n, err);
    for (size_t i = 0; st == FS_OK && i < r->count && !*out; i++) {
        *out = find_on_edges(fs_buf_cstr(&norm), norm.len, r->phrases[i], r->lens[i]);
    }
    fs_buf_dispose(&norm);
    return st;
}

/* ---- free-text pairs ------------------------------------------------------------------ */

void fs_text_counterfactual_init(fs_text_counterfactual *t)
{
    if (t == NULL) {
        return;
    }
    memset(t, 0, sizeof *t);
    t->mean_divergence = t->mean_length_diff = NAN;
    t->refusal_rate_original = t->refusal_rate_counterfactual = t->refusal_rate_diff = NAN;
    t->refusal_p_value = NAN;
    t->ci95_divergence[0] = t->ci95_divergence[1] = NAN;
    t->ci95_length_diff[0] = t->ci95_length_diff[1] = NAN;
    t->ci95_refusal_rate_diff[0] = t->ci95_refusal_rate_diff[1] = NAN;
}

void fs_text_counterfactual_dispose(fs_text_counterfactual *t)
{
    if (t == NULL) {
        return;
    }
    fs_free(t->pairs);
    fs_free(t->refused_original);
    fs_free(t->refused_counterfactual);
    fs_text_counterfactual_init(t);
}

/* Mean of the finite values of the resample (which 1) against 0 (which 0). */
static double mean_metric(const size_t *idx, size_t n, int which, void *payload)
{
    const double *v = payload;
    double sum = 0.0;
    size_t k = 0;
    if (which == 0) {
        return 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        if (isfinite(v[idx[i]])) {
            sum += v[idx[i]];
            k++;
        }
    }
    return k ? sum / (double)k : NAN;
}

static double plain_mean(const double *v, size_t n, size_t *defined)
{
    double sum = 0.0;
    *defined = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(v[i])) {
            sum += v[i];
            (*defined)++;
        }
    }
    return *defined ? sum / (double)*defined : NAN;
}

/* A mean over pairs and its bootstrap interval. */
static fs_status mean_ci(double *mean, double ci[2], size_t *defined, const double *v,
                         const fs_text_pair_input *in, fs_error *err)
{
    size_t resamples = in->n_resamples == 0 ? DEFAULT_RESAMPLES : in->n_resamples, k;
    *mean = plain_mean(v, in->n, &k);
    if (defined != NULL) {
        *defined = k;
    }
    if (k == 0) {
        return FS_OK;
    }
    return fs_stats_paired_bootstrap(&ci[0], &ci[1], in->n, resamples, CI_LEVEL, in->seed,
                                     mean_metric, (void *)v, err);
}

static size_t text_len(const char *s, const size_t *lens, size_t i)
{
    return lens != NULL ? lens[i] : (s != NULL ? strlen(s) : 0);
}

/* Divergence and refusal flags of every pair; v gets the divergences, v + n the length
 * differences and v + 2n the refusal differences (counterfactual - original). */
static fs_status score_pairs(fs_text_counterfactual *t, const fs_text_pair_input *in, double *v,
                             fs_error *err)
{
    div_ctx d;
    fs_status st = div_ctx_new(&d, err);
    for (size_t i = 0; i < in->n && st == FS_OK; i++) {
        const char *a = in->original[i], *b = in->counterfactual[i];
        size_t na = text_len(a, in->original_len, i), nb = text_len(b, in->counterfactual_len, i);
        st = divergence_with(&d, &t->pairs[i], a, na, b, nb, err);
        if (st == FS_OK && in->refusals != NULL) {
            st = fs_score_is_refusal(&t->refused_original[i], in->refusals, a, na, err);
        }
        if (st == FS_OK && in->refusals != NULL) {
            st = fs_score_is_refusal(&t->refused_counterfactual[i], in->refusals, b, nb, err);
        }
        if (st != FS_OK) {
            fs_error_prefix(err, "pair %zu", i);
            break;
        }
        v[i] = t->pairs[i].divergence;
        v[in->n + i] = (double)t->pairs[i].length_diff;
        if (in->refusals != NULL) {
            bool ro = t->refused_original[i], rc = t->refused_counterfactual[i];
            v[2 * in->n + i] = (double)rc - (double)ro;
            t->refusals_original += ro;
            t->refusals_counterfactual += rc;
            t->refused_only_original += ro && !rc;
            t->refused_only_counterfactual += rc && !ro;
        }
    }
    div_ctx_dispose(&d);
    return st;
}

static void refusal_summary(fs_text_counterfactual *t)
{
    double n = (double)t->n;
    t->refusal_rate_original = (double)t->refusals_original / n;
    t->refusal_rate_counterfactual = (double)t->refusals_counterfactual / n;
    t->refusal_rate_diff = t->refusal_rate_counterfactual - t->refusal_rate_original;
    t->refusal_p_value =
        fs_stats_mcnemar_exact(t->refused_only_original, t->refused_only_counterfactual);
}

static fs_status text_alloc(fs_text_counterfactual *t, double **v, const fs_text_pair_input *in,
                            fs_error *err)
{
    size_t cells;
    if (!fs_size_mul(&cells, in->n, 3)) {
        return FS_FAIL(err, FS_ERR_LIMIT, "text counterfactual: %zu pairs", in->n);
    }
    *v = fs_calloc(cells + 1, sizeof **v);
    t->pairs = fs_calloc(in->n + 1, sizeof *t->pairs);
    if (in->refusals != NULL) {
        t->refused_original = fs_calloc(in->n + 1, sizeof *t->refused_original);
        t->refused_counterfactual = fs_calloc(in->n + 1, sizeof *t->refused_counterfactual);
    }
    if (*v == NULL || t->pairs == NULL ||
        (in->refusals != NULL &&
         (t->refused_original == NULL || t->refused_counterfactual == NULL))) {
        return FS_FAIL(err, FS_ERR_NOMEM, "text counterfactual: out of memory");
    }
    return FS_OK;
}

static void text_reason(fs_text_counterfactual *t, const fs_text_pair_input *in)
{
    if (t->n == 0) {
        snprintf(t->reason, sizeof t->reason, "%s", no_records);
    } else if (t->n_divergence == 0) {
        snprintf(t->reason, sizeof t->reason, "no pair has a word in either answer%s",
                 in->refusals == NULL ? "; no refusal phrases were given" : "");
    } else if (in->refusals == NULL) {
        snprintf(t->reason, sizeof t->reason, "no refusal phrases were given");
    }
}

fs_status fs_score_text_counterfactual(fs_text_counterfactual *out, const fs_text_pair_input *in,
                                       fs_error *err)
{
    fs_text_counterfactual t;
    double *v = NULL;
    fs_text_counterfactual_init(&t);
    if (out == NULL || in == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "text counterfactual: NULL output or input");
    }
    fs_text_counterfactual_init(out);
    if (in->n > 0 && (in->original == NULL || in->counterfactual == NULL)) {
        return FS_FAIL(err, FS_ERR_USAGE, "text counterfactual: NULL answers");
    }
    fs_status st = text_alloc(&t, &v, in, err);
    if (st == FS_OK) {
        t.n = in->n;
        st = score_pairs(&t, in, v, err);
    }
    if (st == FS_OK) {
        st = mean_ci(&t.mean_divergence, t.ci95_divergence, &t.n_divergence, v, in, err);
    }
    if (st == FS_OK) {
        st = mean_ci(&t.mean_length_diff, t.ci95_length_diff, NULL, v + in->n, in, err);
    }
    if (st == FS_OK && in->refusals != NULL && in->n > 0) {
        double mean; /* equal to refusal_rate_diff up to rounding */
        refusal_summary(&t);
        st = mean_ci(&mean, t.ci95_refusal_rate_diff, NULL, v + 2 * in->n, in, err);
    }
    if (st != FS_OK) {
        goto done;
    }
    text_reason(&t, in);
    *out = t;
    fs_text_counterfactual_init(&t);
done:
    fs_free(v);
    fs_text_counterfactual_dispose(&t);
    return st;
}
