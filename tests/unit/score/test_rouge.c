/* score.rouge: every case of the rouge-score 0.1.2 golden file (tokenizer, pairs with
 * one and several targets, corpus means, with and without stemming), Unicode tokenizing,
 * the Lsum backtrack, scratch reuse and errors. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "fairshake/core.h"
#include "fairshake/score.h"

#define GOLDEN_LINES    610
#define GOLDEN_TOKENIZE 26
#define GOLDEN_PAIRS    580
#define GOLDEN_CORPUS   4
#define MAX_REFS        16

/* Call fn on every line of tests/data/golden/<name>; returns the number of lines. */
static size_t golden_each(const char *name, void (*fn)(const cJSON *line, void *payload),
                          void *payload)
{
    char path[1024];
    char *text = NULL;
    size_t len = 0, cases = 0;
    snprintf(path, sizeof path, "%s/tests/data/golden/%s", fs_test_source_dir(), name);
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&text, &len, path, 0, NULL), FS_OK);
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t line_len = nl != NULL ? (size_t)(nl - line) : (size_t)(text + len - line);
        cJSON *obj = NULL;
        if (line_len > 0) {
            CU_ASSERT_EQUAL_FATAL(fs_json__parse(&obj, line, line_len, path, NULL), FS_OK);
            fn(obj, payload);
            cJSON_Delete(obj);
            cases++;
        }
        line += line_len + 1;
    }
    fs_free(text);
    return cases;
}

static bool close_to(double got, double want)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) <= 1e-12 * scale;
}

typedef struct rouge_golden {
    fs_rouge_scorer *plain, *stemmed;
    size_t kinds[3]; /* tokenize, pair, corpus_mean */
    size_t mismatches;
} rouge_golden;

static int compare_item(const fs_rouge_item *got, const cJSON *expected)
{
    static const char *const fields[] = { "precision", "recall", "fmeasure" };
    int bad = 0;
    for (int t = 0; t < FS_ROUGE_N_TYPES; t++) {
        const cJSON *obj = cJSON_GetObjectItemCaseSensitive(expected, fs_rouge_type_name(t));
        const double v[3] = { got->type[t].precision, got->type[t].recall, got->type[t].fmeasure };
        CU_ASSERT_FATAL(cJSON_IsObject(obj));
        for (int f = 0; f < 3; f++) {
            const cJSON *want = cJSON_GetObjectItemCaseSensitive(obj, fields[f]);
            CU_ASSERT_FATAL(cJSON_IsNumber(want));
            if (!close_to(v[f], want->valuedouble)) {
                fprintf(stderr, "  %s.%s = %.17g, want %.17g\n", fs_rouge_type_name(t), fields[f],
                        v[f], want->valuedouble);
                bad++;
            }
        }
    }
    return bad;
}

static void score_item(fs_rouge_scorer *r, fs_rouge_item *out, const cJSON *item)
{
    const char *refs[MAX_REFS];
    size_t lens[MAX_REFS], n = 0;
    const cJSON *pred = cJSON_GetObjectItemCaseSensitive(item, "prediction");
    const cJSON *ref;
    cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(item, "references"))
    {
        CU_ASSERT_FATAL(n < MAX_REFS && cJSON_IsString(ref));
        refs[n] = ref->valuestring;
        lens[n++] = strlen(ref->valuestring);
    }
    CU_ASSERT_FATAL(cJSON_IsString(pred));
    CU_ASSERT_EQUAL_FATAL(fs_rouge_scorer_score(r, out, pred->valuestring,
                                                strlen(pred->valuestring), refs, lens, n, NULL),
                          FS_OK);
}

static int check_tokenize(fs_rouge_scorer *r, const cJSON *input, const cJSON *expected)
{
    const char *text = fs_json__str(input, "text");
    const cJSON *tok;
    fs_buf got, want;
    fs_buf_init(&got, 0);
    fs_buf_init(&want, 0);
    CU_ASSERT_FATAL(text != NULL);
    CU_ASSERT_EQUAL_FATAL(fs_rouge_tokenize(r, &got, text, strlen(text), NULL), FS_OK);
    cJSON_ArrayForEach(tok, cJSON_GetObjectItemCaseSensitive(expected, "tokens"))
    {
        if (want.len > 0) {
            fs_buf_putc(&want, ' ');
        }
        fs_buf_puts(&want, tok->valuestring);
    }
    int bad = strcmp(fs_buf_cstr(&got), fs_buf_cstr(&want)) != 0;
    if (bad) {
        fprintf(stderr, "  tokens [%s], want [%s]\n", fs_buf_cstr(&got), fs_buf_cstr(&want));
    }
    fs_buf_dispose(&got);
    fs_buf_dispose(&want);
    return bad;
}

static int check_corpus(fs_rouge_scorer *r, const cJSON *input, const cJSON *expected)
{
    fs_rouge_sum acc;
    fs_rouge_item item, mean;
    const cJSON *it;
    fs_rouge_sum_init(&acc);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(input, "items"))
    {
        score_item(r, &item, it);
        fs_rouge_sum_add(&acc, &item);
    }
    CU_ASSERT_FATAL(acc.n > 0);
    fs_rouge_sum_mean(&acc, &mean);
    return compare_item(&mean, expected);
}

static void check_rouge_line(const cJSON *line, void *payload)
{
    rouge_golden *g = payload;
    const char *kind = fs_json__str(line, "kind");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(line, "params");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(line, "input");
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(line, "expected");
    fs_rouge_scorer *r = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(params, "use_stemmer"))
                             ? g->stemmed
                             : g->plain;
    fs_rouge_item item;
    int bad;
    CU_ASSERT_FATAL(kind != NULL);
    if (strcmp(kind, "tokenize") == 0) {
        g->kinds[0]++;
        bad = check_tokenize(r, input, expected);
    } else if (strcmp(kind, "pair") == 0) {
        g->kinds[1]++;
        score_item(r, &item, input);
        bad = compare_item(&item, expected);
    } else {
        CU_ASSERT_STRING_EQUAL_FATAL(kind, "corpus_mean");
        g->kinds[2]++;
        bad = check_corpus(r, input, expected);
    }
    if (bad != 0) {
        fprintf(stderr, "%s (%s): %d mismatches\n", fs_json__str(line, "id"),
                fs_json__str(line, "desc"), bad);
        g->mismatches++;
    }
}

static fs_rouge_scorer *new_scorer(bool stem)
{
    fs_rouge_opts opts = FS_ROUGE_OPTS_INIT;
    fs_rouge_scorer *r = NULL;
    opts.use_stemmer = stem;
    CU_ASSERT_EQUAL_FATAL(fs_rouge_scorer_new(&r, &opts, NULL), FS_OK);
    return r;
}

static void test_score_rouge__golden_rouge_score(void)
{
    rouge_golden g;
    memset(&g, 0, sizeof g);
    g.plain = new_scorer(false);
    g.stemmed = new_scorer(true);
    CU_ASSERT_EQUAL(golden_each("rouge.jsonl", check_rouge_line, &g), GOLDEN_LINES);
    CU_ASSERT_EQUAL(g.kinds[0], GOLDEN_TOKENIZE);
    CU_ASSERT_EQUAL(g.kinds[1], GOLDEN_PAIRS);
    CU_ASSERT_EQUAL(g.kinds[2], GOLDEN_CORPUS);
    CU_ASSERT_EQUAL(g.mismatches, 0);
    fs_rouge_scorer_free(g.plain);
    fs_rouge_scorer_free(g.stemmed);
}

static void expect_tokens(fs_rouge_scorer *r, const char *text, const char *want)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_rouge_tokenize(r, &b, text, strlen(text), NULL), FS_OK);
    CU_ASSERT_STRING_EQUAL(fs_buf_cstr(&b), want);
    fs_buf_dispose(&b);
}

static void test_score_rouge__unicode_tokens(void)
{
    fs_rouge_scorer *plain = new_scorer(false), *stemmed = new_scorer(true);
    expect_tokens(plain, "Caf\xc3\xa9 na\xc3\xafve", "caf na ve");
    expect_tokens(plain, "\xe6\x88\x91\xe5\x96\x9c\xe6\xac\xa2 NLP", "nlp"); /* CJK: no token */
    expect_tokens(plain, "\xc4\xb0stanbul", "i stanbul");                    /* U+0130 */
    expect_tokens(plain,
                  "\xe2\x84\xaa"
                  "elvin",
                  "kelvin");                                                   /* Kelvin sign */
    expect_tokens(plain, "\xce\xa3\xce\x9f\xce\xa3 ok", "ok");                 /* Greek */
    expect_tokens(plain, "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 hi", "hi"); /* Arabic */
    expect_tokens(plain, "go\xf0\x9f\x98\x80team", "go team");                 /* emoji */
    expect_tokens(plain, "\xef\xbc\xa1\xef\xbc\xa2 AB", "ab"); /* fullwidth letters drop */
    expect_tokens(plain, "", "");
    expect_tokens(stemmed, "Runners RUNNING ran cats", "runner run ran cat");
    expect_tokens(stemmed, "skies dying was", "sky die was"); /* 3 letters: not stemmed */
    fs_rouge_scorer_free(plain);
    fs_rouge_scorer_free(stemmed);
}

static void pair(fs_rouge_scorer *r, fs_rouge_item *out, const char *pred, const char *ref)
{
    const char *refs[1] = { ref };
    size_t lens[1] = { strlen(ref) };
    CU_ASSERT_EQUAL_FATAL(fs_rouge_scorer_score(r, out, pred, strlen(pred), refs, lens, 1, NULL),
                          FS_OK);
}

static void test_score_rouge__lcs_and_lsum(void)
{
    fs_rouge_scorer *r = new_scorer(false);
    fs_rouge_item it;
    pair(r, &it, "a b c d e f g", "x a y c z e");
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_L].precision, 3.0 / 7.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_L].recall, 3.0 / 6.0, 1e-15);
    pair(r, &it, "x a y c z e", "a b c d e f g"); /* longer target: swapped row */
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_L].precision, 3.0 / 6.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_1].recall, 3.0 / 7.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_2].fmeasure, 0.0, 0.0);
    /* rouge-score's backtrack takes the later match: all three target tokens hit */
    pair(r, &it, "cat dog\ncat", "cat dog cat");
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_LSUM].recall, 1.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_LSUM].precision, 1.0, 0.0);
    /* sentence order matters to Lsum only through the union of each target sentence */
    pair(r, &it, "b c\na", "a\nb c");
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_LSUM].fmeasure, 1.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_L].fmeasure, 2.0 / 3.0, 1e-15);
    /* a line of spaces is a sentence without tokens; empty lines are dropped */
    pair(r, &it, "\n  \n", "a");
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_LSUM].fmeasure, 0.0, 0.0);
    fs_rouge_scorer_free(r);
}

static void test_score_rouge__multi_reference_per_type(void)
{
    fs_rouge_scorer *r = new_scorer(false);
    fs_rouge_item it;
    const char *refs[3] = { "the cat", "a b c d the cat sat", "the cat sat" };
    size_t lens[3] = { strlen(refs[0]), strlen(refs[1]), strlen(refs[2]) };
    const char *pred = "the cat sat";
    CU_ASSERT_EQUAL_FATAL(fs_rouge_scorer_score(r, &it, pred, strlen(pred), refs, lens, 3, NULL),
                          FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_1].fmeasure, 1.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_2].recall, 1.0, 0.0);
    /* each type picks its own target: ROUGE-L from "the cat sat" too, but a prediction
     * can take ROUGE-1 and ROUGE-2 from different targets */
    const char *mixed[2] = { "p q r s", "q p x y" };
    size_t mixed_lens[2] = { 7, 7 };
    CU_ASSERT_EQUAL_FATAL(fs_rouge_scorer_score(r, &it, "p q x y", 7, mixed, mixed_lens, 2, NULL),
                          FS_OK);
    /* rouge1: the targets share 2 and 4 tokens -> the second; rouge2: one bigram with
     * each ("p q", "x y") -> 1/3 */
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_1].recall, 1.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_2].fmeasure, 1.0 / 3.0, 1e-15);
    /* rougeL: first LCS "p q" = 2, second "q x y" = 3 -> the second */
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_L].recall, 0.75, 0.0);
    fs_rouge_scorer_free(r);
}

static void test_score_rouge__scratch_reuse_is_stable(void)
{
    fs_rouge_scorer *r = new_scorer(true);
    fs_rouge_item first, again, other;
    char big[4096];
    size_t len = 0;
    for (int i = 0; i < 400; i++) {
        len += (size_t)snprintf(big + len, sizeof big - len, "w%d ", i % 37);
    }
    pair(r, &first, "the runners were running to the station", "a runner runs to stations");
    pair(r, &other, big, big + 100);
    pair(r, &again, "the runners were running to the station", "a runner runs to stations");
    CU_ASSERT_EQUAL(memcmp(&first, &again, sizeof first), 0);
    CU_ASSERT(other.type[FS_ROUGE_1].recall > 0.99);
    fs_rouge_scorer_free(r);
}

static void test_score_rouge__errors(void)
{
    fs_rouge_scorer *r = new_scorer(false);
    fs_rouge_opts opts = FS_ROUGE_OPTS_INIT;
    fs_rouge_item it;
    fs_error err;
    const char *refs[1] = { "ok\xff" };
    size_t lens[1] = { 3 };
    CU_ASSERT_EQUAL(fs_rouge_scorer_score(r, &it, "a", 1, refs, lens, 0, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(fs_rouge_scorer_score(r, &it, "a", 1, refs, lens, 1, &err), FS_ERR_INPUT);
    CU_ASSERT_DOUBLE_EQUAL(it.type[FS_ROUGE_1].fmeasure, 0.0, 0.0);
    CU_ASSERT_EQUAL(fs_rouge_opts_set(&opts, "use_stemmer", "true", &err), FS_OK);
    CU_ASSERT(opts.use_stemmer);
    CU_ASSERT_EQUAL(fs_rouge_opts_set(&opts, "use_stemer", "true", &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "use_stemmer"));
    CU_ASSERT_EQUAL(fs_rouge_opts_set(&opts, "use_stemmer", "yes", &err), FS_ERR_CONFIG);
    CU_ASSERT_EQUAL(fs_rouge_opts_set(&opts, "split_summaries", "true", &err), FS_ERR_CONFIG);
    fs_rouge_scorer *bad = NULL;
    CU_ASSERT_EQUAL(fs_rouge_scorer_new(&bad, &opts, &err), FS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(bad);
    fs_rouge_scorer_free(r);
}

static void test_score_rouge__empty_mean_is_nan(void)
{
    fs_rouge_sum acc;
    fs_rouge_item mean;
    fs_rouge_sum_init(&acc);
    fs_rouge_sum_mean(&acc, &mean);
    CU_ASSERT(isnan(mean.type[FS_ROUGE_LSUM].fmeasure));
}

const fs_test_case fs_score_rouge_tests[] = {
    { "test_score_rouge__golden_rouge_score", test_score_rouge__golden_rouge_score },
    { "test_score_rouge__unicode_tokens", test_score_rouge__unicode_tokens },
    { "test_score_rouge__lcs_and_lsum", test_score_rouge__lcs_and_lsum },
    { "test_score_rouge__multi_reference_per_type", test_score_rouge__multi_reference_per_type },
    { "test_score_rouge__scratch_reuse_is_stable", test_score_rouge__scratch_reuse_is_stable },
    { "test_score_rouge__errors", test_score_rouge__errors },
    { "test_score_rouge__empty_mean_is_nan", test_score_rouge__empty_mean_is_nan },
    { NULL, NULL },
};
