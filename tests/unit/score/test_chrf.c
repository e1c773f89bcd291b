/* score.chrf: every case of the sacreBLEU 2.6.0 chrF / chrF++ golden file (statistics
 * exactly, scores to 1e-12), reference choice, word splitting, eps smoothing, options,
 * and the character n-gram counts checked against a naive count on generated text. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "fairshake/core.h"
#include "fairshake/score.h"

#define GOLDEN_SENTENCE 428
#define GOLDEN_CORPUS   22
#define MAX_REFS        8

static bool close_to(double got, double want)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) <= 1e-12 * scale;
}

static fs_chrf_opts golden_opts(const cJSON *params)
{
    fs_chrf_opts o = FS_CHRF_OPTS_INIT;
    static const char *keys[] = { "char_order", "word_order", "beta" };
    unsigned *dst[] = { &o.char_order, &o.word_order, &o.beta };
    for (int i = 0; i < 3; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, keys[i]);
        CU_ASSERT_FATAL(cJSON_IsNumber(v));
        *dst[i] = (unsigned)v->valueint;
    }
    o.lowercase = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(params, "lowercase"));
    o.whitespace = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(params, "whitespace"));
    o.eps_smoothing = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(params, "eps_smoothing"));
    return o;
}

static void item_stats(fs_chrf_scorer *sc, fs_chrf_stats *out, const cJSON *item)
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
    CU_ASSERT_EQUAL_FATAL(fs_chrf_scorer_stats(sc, out, pred, strlen(pred), refs, lens, n, NULL),
                          FS_OK);
}

/* Check one golden line; counts[0] sentences, counts[1] corpora. Returns mismatches. */
static int check_line(const cJSON *line, size_t counts[2])
{
    const char *kind = fs_json__str(line, "kind");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(line, "input");
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(line, "expected");
    fs_chrf_opts o = golden_opts(cJSON_GetObjectItemCaseSensitive(line, "params"));
    fs_chrf_scorer *sc = NULL;
    fs_chrf_stats sum, one;
    memset(&sum, 0, sizeof sum);
    CU_ASSERT_FATAL(kind != NULL);
    CU_ASSERT_EQUAL_FATAL(fs_chrf_scorer_new(&sc, &o, NULL), FS_OK);
    if (strcmp(kind, "sentence") == 0) {
        item_stats(sc, &sum, input);
        counts[0]++;
    } else {
        CU_ASSERT_FATAL(strcmp(kind, "corpus") == 0);
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(input, "items"))
        {
            item_stats(sc, &one, item);
            fs_chrf_stats_add(&sum, &one);
        }
        counts[1]++;
    }
    fs_chrf_scorer_free(sc);
    double score = -1.0;
    CU_ASSERT_EQUAL(fs_chrf_score(&score, &sum, &o, NULL), FS_OK);
    const cJSON *stats = cJSON_GetObjectItemCaseSensitive(want, "stats");
    int n = cJSON_GetArraySize(stats);
    CU_ASSERT_FATAL(n == (int)(3 * (o.char_order + o.word_order)));
    int bad = !close_to(score, cJSON_GetObjectItemCaseSensitive(want, "score")->valuedouble);
    for (int i = 0; i < 3 * FS_CHRF_MAX_ORDERS; i++) {
        uint64_t w = i < n ? (uint64_t)cJSON_GetArrayItem(stats, i)->valuedouble : 0;
        bad += sum.v[i] != w;
    }
    return bad;
}

static void test_score_chrf__golden_sacrebleu(void)
{
    char path[1024];
    char *text = NULL;
    size_t len = 0, counts[2] = { 0, 0 };
    snprintf(path, sizeof path, "%s/tests/data/golden/chrf.jsonl", fs_test_source_dir());
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
    CU_ASSERT_EQUAL(counts[0], GOLDEN_SENTENCE);
    CU_ASSERT_EQUAL(counts[1], GOLDEN_CORPUS);
}

static fs_chrf_stats stats_of(const fs_chrf_opts *o, const char *pred, const char *const *refs,
                              size_t n_refs)
{
    fs_chrf_scorer *sc = NULL;
    fs_chrf_stats s;
    size_t lens[MAX_REFS];
    for (size_t i = 0; i < n_refs; i++) {
        lens[i] = refs[i] != NULL ? strlen(refs[i]) : 0;
    }
    CU_ASSERT_EQUAL_FATAL(fs_chrf_scorer_new(&sc, o, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(
        fs_chrf_scorer_stats(sc, &s, pred, strlen(pred), refs, lens, n_refs, NULL), FS_OK);
    fs_chrf_scorer_free(sc);
    return s;
}

static void test_score_chrf__best_reference_and_words(void)
{
    fs_chrf_opts o = FS_CHRF_OPTS_INIT;
    /* the second reference scores higher than the first; the third only ties with it */
    const char *refs[4] = { "xyz", NULL, "the cat", "the cat" };
    fs_chrf_stats s = stats_of(&o, "the cat", refs, 4);
    CU_ASSERT_TRUE(s.v[0] == 6 && s.v[1] == 6 && s.v[2] == 6);
    const char *only_bad[1] = { "xyz" };
    s = stats_of(&o, "the cat", only_bad, 1);
    CU_ASSERT_TRUE(s.v[0] == 6 && s.v[1] == 3 && s.v[2] == 0); /* kept although it scores 0 */
    /* chrF++: one punctuation mark split off the end, else off the start */
    o.word_order = 2;
    const char *paren[1] = { "(hi )" };
    s = stats_of(&o, "(hi)", paren, 1);
    CU_ASSERT_TRUE(s.v[18] == 2 && s.v[19] == 3 && s.v[20] == 1); /* (hi ) vs ( hi ) */
    CU_ASSERT_TRUE(s.v[21] == 1 && s.v[22] == 2 && s.v[23] == 0);
    /* a one-character word is never split, even a non-ASCII one; "é." is split */
    const char *acc[1] = { "é . !" };
    s = stats_of(&o, "é. !", acc, 1);
    CU_ASSERT_TRUE(s.v[18] == 3 && s.v[19] == 3 && s.v[20] == 3);
    /* whitespace kept on request: "a b" has 3 characters, otherwise 2 */
    o.word_order = 0;
    const char *ab[1] = { "a\u3000b" };
    s = stats_of(&o, "a b", ab, 1);
    CU_ASSERT_TRUE(s.v[0] == 2 && s.v[2] == 2);
    o.whitespace = true;
    s = stats_of(&o, "a b", ab, 1);
    CU_ASSERT_TRUE(s.v[0] == 3 && s.v[1] == 3 && s.v[2] == 2);
    /* lowercasing: full mapping, final sigma included */
    o.whitespace = false;
    o.lowercase = true;
    const char *greek[1] = { "\u03bf\u03b4\u03bf\u03c2" };
    s = stats_of(&o, "ΟΔΟΣ", greek, 1);
    CU_ASSERT_TRUE(s.v[0] == 4 && s.v[2] == 4 && s.v[3 * 3 + 2] == 1);
}

static void test_score_chrf__score_rules(void)
{
    fs_chrf_opts o = FS_CHRF_OPTS_INIT;
    fs_chrf_stats s;
    double score = -1.0;
    memset(&s, 0, sizeof s);
    /* order 1: p = 1/2, r = 1/4; order 2: no reference n-gram, left out of the average */
    uint64_t v[6] = { 2, 4, 1, 0, 0, 0 };
    memcpy(s.v, v, sizeof v);
    CU_ASSERT_EQUAL_FATAL(fs_chrf_score(&score, &s, &o, NULL), FS_OK);
    CU_ASSERT_TRUE(close_to(score, 100.0 * (5.0 * 0.5 * 0.25) / (4.0 * 0.5 + 0.25)));
    /* eps smoothing: every order counts, 1e-16 standing in for undefined values */
    o.eps_smoothing = true;
    CU_ASSERT_EQUAL_FATAL(fs_chrf_score(&score, &s, &o, NULL), FS_OK);
    double f1 = 5.0 * 0.5 * 0.25 / (4.0 * 0.5 + 0.25);
    double e = 1e-16, f_eps = 5.0 * e * e / (4.0 * e + e);
    CU_ASSERT_TRUE(close_to(score, 100.0 * (f1 + 5.0 * f_eps) / 6.0));
    CU_ASSERT_TRUE(score > 0.0);
    o.eps_smoothing = false;
    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL_FATAL(fs_chrf_score(&score, &s, &o, NULL), FS_OK);
    CU_ASSERT_EQUAL(score, 0.0);
}

static void test_score_chrf__options(void)
{
    fs_chrf_opts o = FS_CHRF_OPTS_INIT;
    fs_error err;
    fs_chrf_scorer *sc = NULL;
    CU_ASSERT_EQUAL(fs_chrf_opts_set(&o, "word_order", "2", &err), FS_OK);
    CU_ASSERT_EQUAL(fs_chrf_opts_set(&o, "beta", "3", &err), FS_OK);
    CU_ASSERT_EQUAL(fs_chrf_opts_set(&o, "eps_smoothing", "true", &err), FS_OK);
    CU_ASSERT_TRUE(o.word_order == 2 && o.beta == 3 && o.eps_smoothing);
    CU_ASSERT_EQUAL(fs_chrf_opts_set(&o, "char_order", "11", &err), FS_ERR_CONFIG);
    CU_ASSERT_EQUAL(fs_chrf_opts_set(&o, "word_order", "-1", &err), FS_ERR_CONFIG);
    CU_ASSERT_EQUAL(fs_chrf_opts_set(&o, "whitespace", "maybe", &err), FS_ERR_CONFIG);
    CU_ASSERT_EQUAL(fs_chrf_opts_set(&o, "char-order", "6", &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'char_order'"));
    o.char_order = 0;
    o.word_order = 0;
    CU_ASSERT_EQUAL(fs_chrf_scorer_new(&sc, &o, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(sc);
    o = (fs_chrf_opts)FS_CHRF_OPTS_INIT;
    CU_ASSERT_EQUAL_FATAL(fs_chrf_scorer_new(&sc, &o, &err), FS_OK);
    fs_chrf_stats s;
    const char *none[1] = { NULL };
    size_t len[1] = { 0 };
    CU_ASSERT_EQUAL(fs_chrf_scorer_stats(sc, &s, "a", 1, none, len, 1, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(fs_chrf_scorer_stats(sc, &s, "\xFF", 1, none, len, 0, &err), FS_ERR_INPUT);
    fs_chrf_scorer_free(sc);
}

/* Code points of s without ASCII spaces (the only whitespace random_text makes). */
static size_t code_points(uint32_t *out, const char *s, size_t n)
{
    size_t i = 0, k = 0;
    while (i < n) {
        uint32_t cp = fs_text_next_cp(s, n, &i);
        if (cp != ' ') {
            out[k++] = cp;
        }
    }
    return k;
}

static size_t count_seq(const uint32_t *s, size_t n, const uint32_t *g, size_t k)
{
    size_t c = 0;
    for (size_t i = 0; i + k <= n; i++) {
        c += memcmp(s + i, g, k * sizeof *g) == 0;
    }
    return c;
}

static void random_text(fs_buf *b, fs_rng *rng, size_t chars)
{
    static const char *alpha[] = { "a", "b", " ", "é", "e\u0301", "東", "👍", "🏽", "ع" };
    fs_buf_reset(b);
    for (size_t i = 0; i < chars; i++) {
        fs_buf_puts(b, alpha[fs_rng_below(rng, 9)]);
    }
}

static void test_score_chrf__matches_naive_count(void)
{
    fs_chrf_opts o = FS_CHRF_OPTS_INIT;
    fs_chrf_scorer *sc = NULL;
    fs_buf t[2];
    static uint32_t cps[2][2048];
    fs_rng rng;
    fs_rng_seed(&rng, 611);
    CU_ASSERT_EQUAL_FATAL(fs_chrf_scorer_new(&sc, &o, NULL), FS_OK);
    fs_buf_init(&t[0], 0);
    fs_buf_init(&t[1], 0);
    for (int round = 0; round < 40; round++) {
        size_t n[2];
        for (int i = 0; i < 2; i++) {
            random_text(&t[i], &rng, round % 4 == 0 ? 400 : fs_rng_below(&rng, 15));
            n[i] = code_points(cps[i], fs_buf_cstr(&t[i]), t[i].len);
        }
        const char *ref[1] = { fs_buf_cstr(&t[1]) };
        size_t ref_len[1] = { t[1].len };
        fs_chrf_stats s;
        CU_ASSERT_EQUAL_FATAL(
            fs_chrf_scorer_stats(sc, &s, fs_buf_cstr(&t[0]), t[0].len, ref, ref_len, 1, NULL),
            FS_OK);
        for (size_t k = 1; k <= 6; k++) {
            uint64_t match = 0, hyp = n[0] >= k ? n[0] - k + 1 : 0;
            uint64_t refc = n[1] >= k ? n[1] - k + 1 : 0;
            for (size_t i = 0; i + k <= n[0]; i++) {
                if (count_seq(cps[0], i + k - 1, cps[0] + i, k) == 0) {
                    size_t ch = count_seq(cps[0], n[0], cps[0] + i, k);
                    size_t cr = count_seq(cps[1], n[1], cps[0] + i, k);
                    match += ch < cr ? ch : cr;
                }
            }
            CU_ASSERT_EQUAL(s.v[3 * (k - 1)], refc > 0 ? hyp : 0);
            CU_ASSERT_EQUAL(s.v[3 * (k - 1) + 1], refc);
            CU_ASSERT_EQUAL(s.v[3 * (k - 1) + 2], match);
        }
    }
    fs_buf_dispose(&t[0]);
    fs_buf_dispose(&t[1]);
    fs_chrf_scorer_free(sc);
}

const fs_test_case fs_score_chrf_tests[] = {
    { "test_score_chrf__golden_sacrebleu", test_score_chrf__golden_sacrebleu },
    { "test_score_chrf__best_reference_and_words", test_score_chrf__best_reference_and_words },
    { "test_score_chrf__score_rules", test_score_chrf__score_rules },
    { "test_score_chrf__options", test_score_chrf__options },
    { "test_score_chrf__matches_naive_count", test_score_chrf__matches_naive_count },
    { NULL, NULL },
};
