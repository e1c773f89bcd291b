/* score.bleu: every case of the sacreBLEU 2.6.0 golden file (13a preprocessing, sentence
 * and corpus BLEU), the smoothing methods, options, reference handling, and the n-gram
 * tables checked against a naive count on generated text. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "fairshake/core.h"
#include "fairshake/score.h"

#define GOLDEN_PREPROCESS 50
#define GOLDEN_SENTENCE   408
#define GOLDEN_CORPUS     12
#define MAX_REFS          8

static bool close_to(double got, double want)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) <= 1e-12 * scale;
}

static bool json_bool(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static double json_num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    CU_ASSERT_FATAL(cJSON_IsNumber(v));
    return v->valuedouble;
}

static fs_bleu_opts golden_opts(const cJSON *params)
{
    fs_bleu_opts o = FS_BLEU_OPTS_INIT;
    CU_ASSERT_STRING_EQUAL(fs_json__str(params, "tokenize"), "13a");
    o.lowercase = json_bool(params, "lowercase");
    o.effective_order = json_bool(params, "effective_order");
    const char *sm = fs_json__str(params, "smooth_method");
    if (sm != NULL) {
        CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "smooth_method", sm, NULL), FS_OK);
    }
    return o;
}

/* Statistics of one {prediction, references} object. */
static void item_stats(fs_bleu_scorer *sc, fs_bleu_stats *out, const cJSON *item)
{
    const char *refs[MAX_REFS];
    size_t lens[MAX_REFS], n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(item, "references"))
    {
        CU_ASSERT_FATAL(n < MAX_REFS && cJSON_IsString(r));
        refs[n] = r->valuestring;
        lens[n] = strlen(r->valuestring);
        n++;
    }
    const char *pred = fs_json__str(item, "prediction");
    CU_ASSERT_FATAL(pred != NULL);
    CU_ASSERT_EQUAL_FATAL(fs_bleu_scorer_stats(sc, out, pred, strlen(pred), refs, lens, n, NULL),
                          FS_OK);
}

/* Compare a result with a golden "expected" object; returns the number of mismatches. */
static int check_result(const fs_bleu_result *r, const cJSON *want)
{
    static const char *arrays[3] = { "counts", "totals", "precisions" };
    const double *got[3] = { r->counts, r->totals, r->precisions };
    int bad = !close_to(r->score, json_num(want, "score")) + !close_to(r->bp, json_num(want, "bp"));
    bad += (double)r->sys_len != json_num(want, "sys_len");
    bad += (double)r->ref_len != json_num(want, "ref_len");
    for (int a = 0; a < 3; a++) {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(want, arrays[a]);
        CU_ASSERT_FATAL(cJSON_GetArraySize(arr) == FS_BLEU_MAX_ORDER);
        for (int n = 0; n < FS_BLEU_MAX_ORDER; n++) {
            double w = cJSON_GetArrayItem(arr, n)->valuedouble;
            bad += a < 2 ? got[a][n] != w : !close_to(got[a][n], w);
        }
    }
    return bad;
}

/* Check one golden line; counts[kind] += 1. Returns the number of mismatches. */
static int check_line(const cJSON *line, size_t counts[3])
{
    const char *kind = fs_json__str(line, "kind");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(line, "params");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(line, "input");
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(line, "expected");
    fs_bleu_opts o = golden_opts(params);
    int bad = 0;
    CU_ASSERT_FATAL(kind != NULL);
    if (strcmp(kind, "preprocess") == 0) {
        fs_buf out;
        fs_buf_init(&out, 0);
        const char *text = fs_json__str(input, "text");
        CU_ASSERT_EQUAL_FATAL(fs_bleu_tokenize(&out, text, strlen(text), &o, NULL), FS_OK);
        bad = strcmp(fs_buf_cstr(&out), fs_json__str(want, "tokenized")) != 0;
        fs_buf_dispose(&out);
        counts[0]++;
        return bad;
    }
    fs_bleu_scorer *sc = NULL;
    fs_bleu_stats sum, one;
    fs_bleu_result r;
    memset(&sum, 0, sizeof sum);
    CU_ASSERT_EQUAL_FATAL(fs_bleu_scorer_new(&sc, &o, NULL), FS_OK);
    if (strcmp(kind, "sentence") == 0) {
        item_stats(sc, &sum, input);
        counts[1]++;
    } else {
        CU_ASSERT_FATAL(strcmp(kind, "corpus") == 0);
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(input, "items"))
        {
            item_stats(sc, &one, item);
            fs_bleu_stats_add(&sum, &one);
        }
        counts[2]++;
    }
    CU_ASSERT_EQUAL(fs_bleu_score(&r, &sum, &o, NULL), FS_OK);
    bad = check_result(&r, want);
    fs_bleu_scorer_free(sc);
    return bad;
}

static void test_score_bleu__golden_sacrebleu(void)
{
    char path[1024];
    char *text = NULL;
    size_t len = 0, counts[3] = { 0, 0, 0 };
    snprintf(path, sizeof path, "%s/tests/data/golden/bleu.jsonl", fs_test_source_dir());
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&text, &len, path, 0, NULL), FS_OK);
    char *line = text;
    while (line < text + len) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t line_len = nl != NULL ? (size_t)(nl - line) : (size_t)(text + len - line);
        if (line_len > 0) {
            cJSON *obj = NULL;
            CU_ASSERT_EQUAL_FATAL(fs_json__parse(&obj, line, line_len, path, NULL), FS_OK);
            int bad = check_line(obj, counts);
            if (bad != 0) {
                fprintf(stderr, "%s: %d mismatches\n", fs_json__str(obj, "id"), bad);
            }
            CU_ASSERT_EQUAL(bad, 0);
            cJSON_Delete(obj);
        }
        line += line_len + 1;
    }
    fs_free(text);
    CU_ASSERT_EQUAL(counts[0], GOLDEN_PREPROCESS);
    CU_ASSERT_EQUAL(counts[1], GOLDEN_SENTENCE);
    CU_ASSERT_EQUAL(counts[2], GOLDEN_CORPUS);
}

/* Tokenize text with opts into a static buffer. */
static const char *tok(const char *text, const fs_bleu_opts *o)
{
    static char out[512];
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_bleu_tokenize(&b, text, strlen(text), o, NULL), FS_OK);
    snprintf(out, sizeof out, "%s", fs_buf_cstr(&b));
    fs_buf_dispose(&b);
    return out;
}

static void test_score_bleu__tokenize_13a_rules(void)
{
    fs_bleu_opts o = FS_BLEU_OPTS_INIT;
    CU_ASSERT_STRING_EQUAL(tok("a.,b", &o), "a . , b");
    CU_ASSERT_STRING_EQUAL(tok("&amp;lt; &amp;quot;", &o), "< & quot ;");
    CU_ASSERT_STRING_EQUAL(tok("co-\nop<skipped> x-<skipped>\ny", &o), "coop xy");
    CU_ASSERT_STRING_EQUAL(tok("2019-2020 a-b x-3 1,000 3.14 5.", &o),
                           "2019 - 2020 a-b x-3 1,000 3.14 5 .");
    /* non-ASCII punctuation and digits are not split; Arabic digits are "not a digit" */
    CU_ASSERT_STRING_EQUAL(tok("«hé»。٣.٤ 東京、", &o), "«hé»。٣ . ٤ 東京、");
    CU_ASSERT_STRING_EQUAL(tok("שלום, עולם! 👍🏽.", &o),
                           "שלום , עולם ! 👍🏽 .");
    CU_ASSERT_STRING_EQUAL(tok("\u3000 a\u00a0b \u200b ", &o), "a b \u200b");
    CU_ASSERT_STRING_EQUAL(tok("", &o), "");
    o.lowercase = true;
    CU_ASSERT_STRING_EQUAL(tok("ΟΔΟΣ İstanbul", &o), "\u03bf\u03b4\u03bf\u03c2 i\u0307stanbul");
    o.tokenize = FS_BLEU_TOK_NONE;
    CU_ASSERT_STRING_EQUAL(tok("  Hello,  World!\n", &o), "hello, world!");
}

static void test_score_bleu__options(void)
{
    fs_bleu_opts o = FS_BLEU_OPTS_INIT;
    fs_error err;
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "tokenize", "intl", &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "13a, none"));
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "tokenise", "13a", &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'tokenize'"));
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "smooth_method", "add-one", &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exp, floor, add-k, none"));
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "lowercase", "yes", &err), FS_ERR_CONFIG);
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "max_ngram_order", "5", &err), FS_ERR_CONFIG);
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "smooth_value", "-1", &err), FS_ERR_CONFIG);
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "tokenize", "none", &err), FS_OK);
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "smooth_method", "floor", &err), FS_OK);
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "smooth_value", "0.5", &err), FS_OK);
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "effective_order", "true", &err), FS_OK);
    CU_ASSERT_EQUAL(o.tokenize, FS_BLEU_TOK_NONE);
    CU_ASSERT_EQUAL(o.smooth_method, FS_BLEU_SMOOTH_FLOOR);
    CU_ASSERT_DOUBLE_EQUAL(o.smooth_value, 0.5, 0.0);
    CU_ASSERT_TRUE(o.effective_order);
    CU_ASSERT_EQUAL(fs_bleu_opts_set(&o, "smooth_value", "null", &err), FS_OK);
    CU_ASSERT_TRUE(isnan(o.smooth_value));
    o.max_ngram_order = 0;
    fs_bleu_scorer *sc = NULL;
    CU_ASSERT_EQUAL(fs_bleu_scorer_new(&sc, &o, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(sc);
}

/* Statistics with counts 3,1,0,0 over totals 4,3,2,1 and lengths 4 / 5. */
static fs_bleu_stats sample_stats(void)
{
    fs_bleu_stats s = { { 3, 1, 0, 0 }, { 4, 3, 2, 1 }, 4, 5 };
    return s;
}

static void test_score_bleu__smoothing_methods(void)
{
    fs_bleu_stats s = sample_stats();
    fs_bleu_opts o = FS_BLEU_OPTS_INIT;
    fs_bleu_result r;
    double bp = exp(1.0 - 5.0 / 4.0);
    /* exp: the first zero order gets 100 / (2 total), the second 100 / (4 total) */
    CU_ASSERT_EQUAL_FATAL(fs_bleu_score(&r, &s, &o, NULL), FS_OK);
    double p_exp[4] = { 75.0, 100.0 / 3.0, 100.0 / 4.0, 100.0 / 4.0 };
    double lsum = log(p_exp[0]) + log(p_exp[1]) + log(p_exp[2]) + log(p_exp[3]);
    CU_ASSERT_TRUE(close_to(r.score, bp * exp(lsum / 4.0)));
    CU_ASSERT_TRUE(close_to(r.precisions[3], 25.0) && close_to(r.bp, bp));
    /* floor: zero orders get 100 * 0.1 / total (default value) */
    o.smooth_method = FS_BLEU_SMOOTH_FLOOR;
    CU_ASSERT_EQUAL_FATAL(fs_bleu_score(&r, &s, &o, NULL), FS_OK);
    CU_ASSERT_TRUE(close_to(r.precisions[2], 5.0) && close_to(r.precisions[3], 10.0));
    /* add-k: k = 1 added to counts and totals of orders >= 2, reported as such */
    o.smooth_method = FS_BLEU_SMOOTH_ADD_K;
    CU_ASSERT_EQUAL_FATAL(fs_bleu_score(&r, &s, &o, NULL), FS_OK);
    CU_ASSERT_TRUE(r.counts[0] == 3.0 && r.counts[1] == 2.0 && r.counts[3] == 1.0);
    CU_ASSERT_TRUE(r.totals[0] == 4.0 && r.totals[1] == 4.0 && r.totals[3] == 2.0);
    lsum = log(75.0) + log(50.0) + log(100.0 / 3.0) + log(50.0);
    CU_ASSERT_TRUE(close_to(r.score, bp * exp(lsum / 4.0)));
    /* none: a zero precision makes the score 0 (log replaced by -9999999999) */
    o.smooth_method = FS_BLEU_SMOOTH_NONE;
    CU_ASSERT_EQUAL_FATAL(fs_bleu_score(&r, &s, &o, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.score, 0.0);
    CU_ASSERT_TRUE(close_to(r.precisions[1], 100.0 / 3.0) && r.precisions[2] == 0.0);
    /* no match at all: everything 0 but the brevity penalty */
    memset(s.counts, 0, sizeof s.counts);
    CU_ASSERT_EQUAL_FATAL(fs_bleu_score(&r, &s, &o, NULL), FS_OK);
    CU_ASSERT_TRUE(r.score == 0.0 && r.precisions[0] == 0.0 && close_to(r.bp, bp));
}

static void test_score_bleu__references(void)
{
    fs_bleu_opts o = FS_BLEU_OPTS_INIT;
    fs_bleu_scorer *sc = NULL;
    fs_bleu_stats s;
    fs_error err;
    CU_ASSERT_EQUAL_FATAL(fs_bleu_scorer_new(&sc, &o, NULL), FS_OK);
    const char *pred = "the cat the cat sat";
    /* lengths 3 and 7 (the NULL one is absent): 5 is 2 from both, the shorter wins */
    const char *refs[3] = { "the cat sat", NULL, "the cat sat on the red mat" };
    size_t lens[3] = { strlen(refs[0]), 0, strlen(refs[2]) };
    CU_ASSERT_EQUAL_FATAL(fs_bleu_scorer_stats(sc, &s, pred, strlen(pred), refs, lens, 3, NULL),
                          FS_OK);
    CU_ASSERT_EQUAL(s.sys_len, 5);
    CU_ASSERT_EQUAL(s.ref_len, 3);
    /* the: 2 (twice in the last reference), cat: 1 (at most once per reference), sat: 1 */
    CU_ASSERT_EQUAL(s.counts[0], 4);
    CU_ASSERT_EQUAL(s.counts[1], 2); /* "the cat" clipped to 1, "cat sat" */
    CU_ASSERT_EQUAL(s.totals[3], 2);
    const char *none[1] = { NULL };
    CU_ASSERT_EQUAL(fs_bleu_scorer_stats(sc, &s, pred, strlen(pred), none, lens, 1, &err),
                    FS_ERR_INPUT);
    CU_ASSERT_EQUAL(s.sys_len, 0);
    const char *bad[1] = { "caf\xC3" };
    size_t bad_len[1] = { 4 };
    CU_ASSERT_EQUAL(fs_bleu_scorer_stats(sc, &s, pred, strlen(pred), bad, bad_len, 1, &err),
                    FS_ERR_INPUT);
    fs_bleu_scorer_free(sc);
}

/* Naive clipped counts over the space-separated tokens of two tokenized texts. */
static size_t split_tokens(char *s, const char **toks, size_t max)
{
    size_t n = 0;
    for (char *p = s; *p != '\0' && n < max;) {
        toks[n++] = p;
        char *sp = strchr(p, ' ');
        if (sp == NULL) {
            break;
        }
        *sp = '\0';
        p = sp + 1;
    }
    return n;
}

static size_t count_ngram(const char **toks, size_t n, const char **g, size_t k)
{
    size_t c = 0;
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && strcmp(toks[i + j], g[j]) == 0) {
            j++;
        }
        c += j == k;
    }
    return c;
}

/* counts[k-1] by brute force: for each hypothesis position whose n-gram is first seen
 * there, min(count in hyp, max count over refs). */
static void naive_counts(uint64_t counts[4], const char **h, size_t nh, const char **r[2],
                         const size_t nr[2])
{
    for (size_t k = 1; k <= 4; k++) {
        counts[k - 1] = 0;
        for (size_t i = 0; i + k <= nh; i++) {
            if (count_ngram(h, i + k - 1, h + i, k) > 0) {
                continue; /* seen at an earlier position */
            }
            size_t ch = count_ngram(h, nh, h + i, k), best = 0;
            for (int x = 0; x < 2; x++) {
                size_t cr = count_ngram(r[x], nr[x], h + i, k);
                best = cr > best ? cr : best;
            }
            counts[k - 1] += ch < best ? ch : best;
        }
    }
}

/* Words from a small mixed-script vocabulary (many repeats) and from 150 numbered words
 * (enough distinct tokens to make the tables grow). */
static void random_text(fs_buf *b, fs_rng *rng, size_t words)
{
    static const char *vocab[] = { "a", "b", "c", "é", "東", "👍", "d.", ",", "x-1", "1-2" };
    fs_buf_reset(b);
    for (size_t i = 0; i < words; i++) {
        uint64_t k = fs_rng_below(rng, 20);
        if (k < 10) {
            fs_buf_puts(b, vocab[k]);
        } else {
            fs_buf_printf(b, "w%u", (unsigned)fs_rng_below(rng, 150));
        }
        fs_buf_putc(b, ' ');
    }
}

static void test_score_bleu__matches_naive_count(void)
{
    fs_bleu_opts o = FS_BLEU_OPTS_INIT;
    fs_bleu_scorer *sc = NULL;
    fs_buf t[3], tk[3];
    fs_rng rng;
    fs_rng_seed(&rng, 20240611);
    CU_ASSERT_EQUAL_FATAL(fs_bleu_scorer_new(&sc, &o, NULL), FS_OK);
    for (int i = 0; i < 3; i++) {
        fs_buf_init(&t[i], 0);
        fs_buf_init(&tk[i], 0);
    }
    static const char *toks[3][1200];
    for (int round = 0; round < 60; round++) {
        size_t words = round % 3 == 0 ? 300 : 1 + fs_rng_below(&rng, 12);
        size_t nt[3];
        for (int i = 0; i < 3; i++) {
            random_text(&t[i], &rng, words + fs_rng_below(&rng, 4));
            fs_buf_reset(&tk[i]);
            CU_ASSERT_EQUAL_FATAL(fs_bleu_tokenize(&tk[i], t[i].data, t[i].len, &o, NULL), FS_OK);
            nt[i] = split_tokens(tk[i].data, toks[i], 1200);
        }
        const char *refs[2] = { t[1].data, t[2].data };
        size_t lens[2] = { t[1].len, t[2].len };
        fs_bleu_stats s;
        CU_ASSERT_EQUAL_FATAL(
            fs_bleu_scorer_stats(sc, &s, t[0].data, t[0].len, refs, lens, 2, NULL), FS_OK);
        uint64_t want[4];
        const char **r[2] = { toks[1], toks[2] };
        naive_counts(want, toks[0], nt[0], r, nt + 1);
        CU_ASSERT_EQUAL(s.sys_len, nt[0]);
        CU_ASSERT_EQUAL(memcmp(want, s.counts, sizeof want), 0);
    }
    for (int i = 0; i < 3; i++) {
        fs_buf_dispose(&t[i]);
        fs_buf_dispose(&tk[i]);
    }
    fs_bleu_scorer_free(sc);
}

const fs_test_case fs_score_bleu_tests[] = {
    { "test_score_bleu__golden_sacrebleu", test_score_bleu__golden_sacrebleu },
    { "test_score_bleu__tokenize_13a_rules", test_score_bleu__tokenize_13a_rules },
    { "test_score_bleu__options", test_score_bleu__options },
    { "test_score_bleu__smoothing_methods", test_score_bleu__smoothing_methods },
    { "test_score_bleu__references", test_score_bleu__references },
    { "test_score_bleu__matches_naive_count", test_score_bleu__matches_naive_count },
    { NULL, NULL },
};
