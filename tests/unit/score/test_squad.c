/* score.squad: every case of the evaluate-v1.1.py golden file (answer normalisation,
 * per-example maxima, dataset figures with unanswered questions), Python's \b on
 * non-ASCII neighbours, and errors. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "fairshake/core.h"
#include "fairshake/score.h"

#define GOLDEN_LINES     373
#define GOLDEN_NORMALIZE 23
#define GOLDEN_EXAMPLES  344
#define GOLDEN_DATASETS  6
#define MAX_GOLDS        16

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

typedef struct squad_golden {
    fs_squad_scorer *q;
    size_t kinds[3]; /* normalize, example, dataset */
    size_t mismatches;
} squad_golden;

static int check_normalized(fs_squad_scorer *q, const char *text, const char *want)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    CU_ASSERT_EQUAL_FATAL(fs_squad_normalize(q, &b, text, strlen(text), NULL), FS_OK);
    int bad = strcmp(fs_buf_cstr(&b), want) != 0;
    if (bad) {
        fprintf(stderr, "  normalized [%s], want [%s]\n", fs_buf_cstr(&b), want);
    }
    fs_buf_dispose(&b);
    return bad;
}

static void score_example(fs_squad_scorer *q, fs_squad_item *out, const cJSON *item)
{
    const char *golds[MAX_GOLDS];
    size_t lens[MAX_GOLDS], n = 0;
    const char *pred = fs_json__str(item, "prediction");
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(item, "references"))
    {
        CU_ASSERT_FATAL(n < MAX_GOLDS && cJSON_IsString(g));
        golds[n] = g->valuestring;
        lens[n++] = strlen(g->valuestring);
    }
    CU_ASSERT_FATAL(pred != NULL);
    CU_ASSERT_EQUAL_FATAL(fs_squad_scorer_score(q, out, pred, strlen(pred), golds, lens, n, NULL),
                          FS_OK);
}

static int check_example(fs_squad_scorer *q, const cJSON *input, const cJSON *expected)
{
    fs_squad_item it;
    const cJSON *g;
    int bad = check_normalized(q, fs_json__str(input, "prediction"),
                               fs_json__str(expected, "normalized_prediction"));
    const cJSON *want_g = cJSON_GetObjectItemCaseSensitive(expected, "normalized_ground_truths");
    int k = 0;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(input, "references"))
    {
        bad += check_normalized(q, g->valuestring, cJSON_GetArrayItem(want_g, k++)->valuestring);
    }
    CU_ASSERT_EQUAL(k, cJSON_GetArraySize(want_g));
    score_example(q, &it, input);
    double em = cJSON_GetObjectItemCaseSensitive(expected, "exact_match")->valuedouble;
    double f1 = cJSON_GetObjectItemCaseSensitive(expected, "f1")->valuedouble;
    if (it.exact_match != em || !close_to(it.f1, f1)) {
        fprintf(stderr, "  em %g f1 %.17g, want %g %.17g\n", it.exact_match, it.f1, em, f1);
        bad++;
    }
    return bad;
}

static int check_dataset(fs_squad_scorer *q, const cJSON *input, const cJSON *expected)
{
    fs_squad_sum acc;
    fs_squad_item it;
    const cJSON *item;
    double em, f1;
    fs_squad_sum_init(&acc);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(input, "items"))
    {
        if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(item, "prediction"))) {
            fs_squad_sum_add(&acc, NULL);
            continue;
        }
        score_example(q, &it, item);
        fs_squad_sum_add(&acc, &it);
    }
    fs_squad_sum_result(&acc, &em, &f1);
    double total = cJSON_GetObjectItemCaseSensitive(expected, "total")->valuedouble;
    return (acc.total != (size_t)total) +
           !close_to(em, cJSON_GetObjectItemCaseSensitive(expected, "exact_match")->valuedouble) +
           !close_to(f1, cJSON_GetObjectItemCaseSensitive(expected, "f1")->valuedouble);
}

static void check_squad_line(const cJSON *line, void *payload)
{
    squad_golden *g = payload;
    const char *kind = fs_json__str(line, "kind");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(line, "input");
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(line, "expected");
    int bad;
    CU_ASSERT_FATAL(kind != NULL);
    if (strcmp(kind, "normalize") == 0) {
        g->kinds[0]++;
        bad = check_normalized(g->q, fs_json__str(input, "text"),
                               fs_json__str(expected, "normalized"));
    } else if (strcmp(kind, "example") == 0) {
        g->kinds[1]++;
        bad = check_example(g->q, input, expected);
    } else {
        CU_ASSERT_STRING_EQUAL_FATAL(kind, "dataset");
        g->kinds[2]++;
        bad = check_dataset(g->q, input, expected);
    }
    if (bad != 0) {
        fprintf(stderr, "%s (%s): %d mismatches\n", fs_json__str(line, "id"),
                fs_json__str(line, "desc"), bad);
        g->mismatches++;
    }
}

static fs_squad_scorer *new_scorer(void)
{
    fs_squad_scorer *q = NULL;
    CU_ASSERT_EQUAL_FATAL(fs_squad_scorer_new(&q, NULL), FS_OK);
    return q;
}

static void test_score_squad__golden_official_script(void)
{
    squad_golden g;
    memset(&g, 0, sizeof g);
    g.q = new_scorer();
    CU_ASSERT_EQUAL(golden_each("squad.jsonl", check_squad_line, &g), GOLDEN_LINES);
    CU_ASSERT_EQUAL(g.kinds[0], GOLDEN_NORMALIZE);
    CU_ASSERT_EQUAL(g.kinds[1], GOLDEN_EXAMPLES);
    CU_ASSERT_EQUAL(g.kinds[2], GOLDEN_DATASETS);
    CU_ASSERT_EQUAL(g.mismatches, 0);
    fs_squad_scorer_free(g.q);
}

static void test_score_squad__python_word_boundaries(void)
{
    fs_squad_scorer *q = new_scorer();
    /* a superscript two (No) and a Roman numeral (Nl) are word characters for Python */
    CU_ASSERT_EQUAL(
        check_normalized(q, "the\xc2\xb2 a\xe2\x85\xab x", "the\xc2\xb2 a\xe2\x85\xbb x"), 0);
    /* letters of any script are word characters; a combining mark is not */
    CU_ASSERT_EQUAL(check_normalized(q, "the\xc3\xa9 an\xce\xb1 the\xcc\x81",
                                     "the\xc3\xa9 an\xce\xb1 \xcc\x81"),
                    0);
    /* CJK, RTL and emoji neighbours */
    CU_ASSERT_EQUAL(check_normalized(q, "\xe7\x8c\xabthe \xd7\x90 a\xf0\x9f\x98\x80",
                                     "\xe7\x8c\xabthe \xd7\x90 \xf0\x9f\x98\x80"),
                    0);
    /* punctuation (the underscore included) goes first, so the-a-team stays whole */
    CU_ASSERT_EQUAL(check_normalized(q, "The-A-Team the_a", "theateam thea"), 0);
    /* Python whitespace: NBSP and ideographic space split, zero-width space does not */
    CU_ASSERT_EQUAL(
        check_normalized(q, "x\xc2\xa0y\xe3\x80\x80z\xe2\x80\x8bw", "x y z\xe2\x80\x8bw"), 0);
    /* full lowercase mapping, final sigma included */
    CU_ASSERT_EQUAL(
        check_normalized(q, "\xce\x9f\xce\x94\xce\x9f\xce\xa3", "\xce\xbf\xce\xb4\xce\xbf\xcf\x82"),
        0);
    fs_squad_scorer_free(q);
}

static void test_score_squad__max_over_golds_and_quirks(void)
{
    fs_squad_scorer *q = new_scorer();
    fs_squad_item it;
    const char *golds[3] = { "Carolina Panthers", "the Panthers team", "panthers" };
    size_t lens[3] = { strlen(golds[0]), strlen(golds[1]), strlen(golds[2]) };
    CU_ASSERT_EQUAL_FATAL(fs_squad_scorer_score(q, &it, "The Panthers", 12, golds, lens, 3, NULL),
                          FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(it.exact_match, 1.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(it.f1, 1.0, 0.0);
    CU_ASSERT_EQUAL_FATAL(
        fs_squad_scorer_score(q, &it, "panthers panthers", 17, golds, lens, 2, NULL), FS_OK);
    /* multiset overlap: one "panthers" with "panthers team" -> p 1/2, r 1/2 */
    CU_ASSERT_DOUBLE_EQUAL(it.exact_match, 0.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(it.f1, 0.5, 1e-15);
    /* both normalise to "": exact match 1, F1 0 (the official script's quirk) */
    const char *an[1] = { "an" };
    size_t an_len[1] = { 2 };
    CU_ASSERT_EQUAL_FATAL(fs_squad_scorer_score(q, &it, "The", 3, an, an_len, 1, NULL), FS_OK);
    CU_ASSERT_DOUBLE_EQUAL(it.exact_match, 1.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(it.f1, 0.0, 0.0);
    fs_squad_scorer_free(q);
}

static void test_score_squad__dataset_counts_unanswered(void)
{
    fs_squad_sum acc;
    fs_squad_item full = { 1.0, 1.0 }, half = { 0.0, 0.5 };
    double em, f1;
    fs_squad_sum_init(&acc);
    fs_squad_sum_result(&acc, &em, &f1);
    CU_ASSERT(isnan(em) && isnan(f1));
    fs_squad_sum_add(&acc, &full);
    fs_squad_sum_add(&acc, &half);
    fs_squad_sum_add(&acc, NULL);
    fs_squad_sum_add(&acc, NULL);
    fs_squad_sum_result(&acc, &em, &f1);
    CU_ASSERT_EQUAL(acc.total, 4);
    CU_ASSERT_DOUBLE_EQUAL(em, 25.0, 0.0);
    CU_ASSERT_DOUBLE_EQUAL(f1, 37.5, 0.0);
}

static void test_score_squad__errors(void)
{
    fs_squad_scorer *q = new_scorer();
    fs_squad_item it;
    fs_error err;
    const char *golds[1] = { "ok" };
    size_t lens[1] = { 2 };
    CU_ASSERT_EQUAL(fs_squad_scorer_score(q, &it, "ok", 2, golds, lens, 0, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(fs_squad_scorer_score(q, &it, "\xc3", 1, golds, lens, 1, &err), FS_ERR_INPUT);
    CU_ASSERT_DOUBLE_EQUAL(it.f1, 0.0, 0.0);
    fs_squad_scorer_free(q);
}

const fs_test_case fs_score_squad_tests[] = {
    { "test_score_squad__golden_official_script", test_score_squad__golden_official_script },
    { "test_score_squad__python_word_boundaries", test_score_squad__python_word_boundaries },
    { "test_score_squad__max_over_golds_and_quirks", test_score_squad__max_over_golds_and_quirks },
    { "test_score_squad__dataset_counts_unanswered", test_score_squad__dataset_counts_unanswered },
    { "test_score_squad__errors", test_score_squad__errors },
    { NULL, NULL },
};
