/* score.classification: every case of the scikit-learn 1.2.1 golden file, parse
 * failures, degenerate inputs and the allocation-free macro-F1. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "fairshake/core.h"
#include "fairshake/score.h"

#define GOLDEN_CASES 59
#define MAX_LABELS   64
#define MAX_ITEMS    256

static bool close_to(double got, double want)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) <= 1e-12 * scale;
}

/* Golden values are strings, or integers in a few lines; never mixed within a line. */
static int value_cmp(const void *pa, const void *pb)
{
    const cJSON *a = *(const cJSON *const *)pa;
    const cJSON *b = *(const cJSON *const *)pb;
    if (cJSON_IsNumber(a)) {
        return (a->valuedouble > b->valuedouble) - (a->valuedouble < b->valuedouble);
    }
    /* byte order of UTF-8 is code point order, as Python sorts str */
    return strcmp(a->valuestring, b->valuestring);
}

static bool value_eq(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber(a) != cJSON_IsNumber(b)) {
        return false;
    }
    return value_cmp(&a, &b) == 0;
}

static int label_index(const cJSON *const *labels, size_t n_labels, const cJSON *v)
{
    for (size_t i = 0; i < n_labels; i++) {
        if (value_eq(labels[i], v)) {
            return (int)i;
        }
    }
    return -1;
}

/* The class list as scikit-learn builds it: the explicit list, else the sorted union of
 * labels and predictions. Returns its length. */
static size_t build_labels(const cJSON **labels, const cJSON *input)
{
    const cJSON *explicit_list = cJSON_GetObjectItemCaseSensitive(input, "labels");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(input, "items");
    size_t n = 0;
    const cJSON *v;
    if (explicit_list != NULL) {
        cJSON_ArrayForEach(v, explicit_list)
        {
            CU_ASSERT_FATAL(n < MAX_LABELS);
            labels[n++] = v;
        }
        return n;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, items)
    {
        const cJSON *pair[2] = { cJSON_GetObjectItemCaseSensitive(item, "label"),
                                 cJSON_GetObjectItemCaseSensitive(item, "prediction") };
        for (int k = 0; k < 2; k++) {
            if (label_index(labels, n, pair[k]) < 0) {
                CU_ASSERT_FATAL(n < MAX_LABELS);
                labels[n++] = pair[k];
            }
        }
    }
    qsort(labels, n, sizeof *labels, value_cmp);
    return n;
}

static double num_at(const cJSON *arr, size_t i)
{
    return cJSON_GetArrayItem(arr, (int)i)->valuedouble;
}

static double num_of(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, a);
    return cJSON_GetObjectItemCaseSensitive(o, b)->valuedouble;
}

/* Compare one zero_division block; returns the number of mismatches. */
static int check_block(const fs_class_report *r, const cJSON *block)
{
    static const char *avgs[] = { "macro", "micro", "weighted" };
    const double got[3][3] = {
        { r->macro_precision, r->macro_recall, r->macro_f1 },
        { r->micro_precision, r->micro_recall, r->micro_f1 },
        { r->weighted_precision, r->weighted_recall, r->weighted_f1 },
    };
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(block, "per_class");
    const cJSON *arrs[3] = { cJSON_GetObjectItemCaseSensitive(pc, "precision"),
                             cJSON_GetObjectItemCaseSensitive(pc, "recall"),
                             cJSON_GetObjectItemCaseSensitive(pc, "f1") };
    const double *vals[3] = { r->precision, r->recall, r->f1 };
    int bad = 0;
    for (int m = 0; m < 3; m++) {
        CU_ASSERT_FATAL(arrs[m] != NULL && (size_t)cJSON_GetArraySize(arrs[m]) == r->n_labels);
        for (size_t c = 0; c < r->n_labels; c++) {
            bad += !close_to(vals[m][c], num_at(arrs[m], c));
        }
        bad += !close_to(got[m][0], num_of(block, avgs[m], "precision"));
        bad += !close_to(got[m][1], num_of(block, avgs[m], "recall"));
        bad += !close_to(got[m][2], num_of(block, avgs[m], "f1"));
    }
    return bad;
}

/* Score one golden line under every zero_division setting; returns mismatches. */
static int check_golden_line(const cJSON *line)
{
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(line, "input");
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(line, "expected");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(input, "items");
    const cJSON *labels[MAX_LABELS];
    static int gold[MAX_ITEMS], pred[MAX_ITEMS];
    size_t n_labels = build_labels(labels, input), n = 0;
    const cJSON *want_labels = cJSON_GetObjectItemCaseSensitive(expected, "labels");
    CU_ASSERT_FATAL((size_t)cJSON_GetArraySize(want_labels) == n_labels);
    for (size_t c = 0; c < n_labels; c++) {
        CU_ASSERT_FATAL(value_eq(labels[c], cJSON_GetArrayItem(want_labels, (int)c)));
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, items)
    {
        CU_ASSERT_FATAL(n < MAX_ITEMS);
        gold[n] = label_index(labels, n_labels, cJSON_GetObjectItemCaseSensitive(item, "label"));
        pred[n] =
            label_index(labels, n_labels, cJSON_GetObjectItemCaseSensitive(item, "prediction"));
        CU_ASSERT_FATAL(gold[n] >= 0);
        n++;
    }
    static const char *blocks[] = { "zero_division_0", "zero_division_1", "zero_division_warn" };
    static const double zds[] = { 0.0, 1.0, 0.0 };
    int bad = 0;
    for (int b = 0; b < 3; b++) {
        fs_class_report r;
        CU_ASSERT_EQUAL_FATAL(fs_score_classification(&r, gold, pred, n, n_labels, zds[b], NULL),
                              FS_OK);
        size_t correct = 0;
        for (size_t c = 0; c < n_labels; c++) {
            correct += r.confusion[c * (n_labels + 1) + c];
            bad += r.support[c] !=
                   (size_t)num_at(cJSON_GetObjectItemCaseSensitive(expected, "support"), c);
        }
        bad += correct != (size_t)cJSON_GetObjectItemCaseSensitive(expected, "n_correct")->valueint;
        bad += !close_to(r.accuracy,
                         cJSON_GetObjectItemCaseSensitive(expected, "accuracy")->valuedouble);
        bad += check_block(&r, cJSON_GetObjectItemCaseSensitive(expected, blocks[b]));
        bad += fabs(fs_score_macro_f1(gold, pred, n, n_labels, zds[b]) - r.macro_f1) > 0.0;
        fs_class_report_dispose(&r);
    }
    return bad;
}

static void test_score_classification__golden_sklearn(void)
{
    char path[1024];
    char *text = NULL;
    size_t len = 0, cases = 0;
    snprintf(path, sizeof path, "%s/tests/data/golden/classification.jsonl", fs_test_source_dir());
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&text, &len, path, 0, NULL), FS_OK);
    char *line = text;
    while (line < text + len) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t line_len = nl != NULL ? (size_t)(nl - line) : (size_t)(text + len - line);
        cJSON *obj = NULL;
        if (line_len > 0) {
            CU_ASSERT_EQUAL_FATAL(fs_json__parse(&obj, line, line_len, path, NULL), FS_OK);
            int bad = check_golden_line(obj);
            if (bad != 0) {
                fprintf(stderr, "%s: %d mismatches\n", fs_json__str(obj, "id"), bad);
            }
            CU_ASSERT_EQUAL(bad, 0);
            cJSON_Delete(obj);
            cases++;
        }
        line += line_len + 1;
    }
    fs_free(text);
    CU_ASSERT_EQUAL(cases, GOLDEN_CASES);
}

static void test_score_classification__parse_failures(void)
{
    /* gold 0 0 1 1 2, predicted 0 (unparsed) 1 (unparsed) 0: two correct of five */
    static const int gold[] = { 0, 0, 1, 1, 2 };
    static const int pred[] = { 0, -1, 1, -1, 0 };
    fs_class_report r;
    CU_ASSERT_EQUAL_FATAL(fs_score_classification(&r, gold, pred, 5, 3, 0.0, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.n, 5);
    CU_ASSERT_EQUAL(r.n_labels, 3);
    CU_ASSERT_EQUAL(r.n_unparsed, 2);
    CU_ASSERT_DOUBLE_EQUAL(r.accuracy, 0.4, 1e-15);
    static const size_t confusion[] = { 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0 };
    for (size_t i = 0; i < 12; i++) {
        CU_ASSERT_EQUAL(r.confusion[i], confusion[i]);
    }
    CU_ASSERT(r.support[0] == 2 && r.support[1] == 2 && r.support[2] == 1);
    CU_ASSERT(r.predicted[0] == 2 && r.predicted[1] == 1 && r.predicted[2] == 0);
    CU_ASSERT_DOUBLE_EQUAL(r.precision[0], 0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.precision[1], 1.0, 1e-15);
    CU_ASSERT_EQUAL(r.precision[2], 0.0); /* 0/0 -> zero_division */
    CU_ASSERT_DOUBLE_EQUAL(r.recall[0], 0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.recall[1], 0.5, 1e-15);
    CU_ASSERT_EQUAL(r.recall[2], 0.0);
    CU_ASSERT_DOUBLE_EQUAL(r.f1[1], 2.0 / 3.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.macro_f1, (0.5 + 2.0 / 3.0) / 3.0, 1e-15);
    /* micro pools predicted counts (3), which exclude parse failures: P = 2/3, not 2/5 */
    CU_ASSERT_DOUBLE_EQUAL(r.micro_precision, 2.0 / 3.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.micro_recall, 0.4, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.micro_f1, 0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.weighted_precision, 0.6, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.weighted_recall, 0.4, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.weighted_f1, (1.0 + 4.0 / 3.0) / 5.0, 1e-15);
    fs_class_report_dispose(&r);
    CU_ASSERT_PTR_NULL(r.precision);
    CU_ASSERT_EQUAL_FATAL(fs_score_classification(&r, gold, pred, 5, 3, 1.0, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.precision[2], 1.0);
    CU_ASSERT_EQUAL(r.f1[2], 0.0); /* p = 1, r = 0 */
    CU_ASSERT_DOUBLE_EQUAL(r.weighted_precision, 0.8, 1e-15);
    fs_class_report_dispose(&r);
}

static void test_score_classification__all_parse_failures(void)
{
    static const int gold[] = { 1, 0, 1 };
    static const int pred[] = { -1, -1, -1 };
    fs_class_report r;
    CU_ASSERT_EQUAL_FATAL(fs_score_classification(&r, gold, pred, 3, 2, 0.0, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.accuracy, 0.0);
    CU_ASSERT_EQUAL(r.n_unparsed, 3);
    CU_ASSERT_EQUAL(r.confusion[0 * 3 + 2], 1);
    CU_ASSERT_EQUAL(r.confusion[1 * 3 + 2], 2);
    CU_ASSERT(r.predicted[0] == 0 && r.predicted[1] == 0);
    CU_ASSERT_EQUAL(r.macro_f1, 0.0);
    CU_ASSERT_EQUAL(r.micro_precision, 0.0);
    CU_ASSERT_EQUAL(r.micro_recall, 0.0);
    fs_class_report_dispose(&r);
    CU_ASSERT_EQUAL_FATAL(fs_score_classification(&r, gold, pred, 3, 2, 1.0, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.precision[0], 1.0);
    CU_ASSERT_EQUAL(r.recall[0], 0.0);
    CU_ASSERT_EQUAL(r.micro_precision, 1.0);
    CU_ASSERT_EQUAL(r.micro_f1, 0.0);
    fs_class_report_dispose(&r);
}

static void test_score_classification__empty_and_bad_input(void)
{
    fs_class_report r;
    fs_error err;
    CU_ASSERT_EQUAL_FATAL(fs_score_classification(&r, NULL, NULL, 0, 2, 0.0, &err), FS_OK);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT(isnan(r.accuracy) && isnan(r.macro_f1) && isnan(r.micro_f1));
    CU_ASSERT(isnan(r.weighted_f1));
    CU_ASSERT_EQUAL(r.support[1], 0);
    fs_class_report_dispose(&r);
    CU_ASSERT(isnan(fs_score_macro_f1(NULL, NULL, 0, 2, 0.0)));

    static const int gold[] = { 0, 2 };
    static const int ok_pred[] = { 0, 1 };
    static const int bad_pred[] = { 0, -2 };
    CU_ASSERT_EQUAL(fs_score_classification(&r, gold, ok_pred, 2, 2, 0.0, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(err.code, FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "item 1"));
    CU_ASSERT_PTR_NULL(r.precision);
    CU_ASSERT_EQUAL(fs_score_classification(&r, ok_pred, bad_pred, 2, 2, 0.0, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(fs_score_classification(&r, ok_pred, ok_pred, 2, 0, 0.0, &err), FS_ERR_USAGE);
    CU_ASSERT_EQUAL(fs_score_classification(&r, ok_pred, ok_pred, 2, 2, 0.5, &err), FS_ERR_USAGE);
    CU_ASSERT_EQUAL(fs_score_classification(&r, NULL, ok_pred, 2, 2, 0.0, &err), FS_ERR_USAGE);
    CU_ASSERT(isnan(fs_score_macro_f1(gold, ok_pred, 2, 2, 0.0)));
    CU_ASSERT(isnan(fs_score_macro_f1(ok_pred, bad_pred, 2, 2, 0.0)));
}

/* fs_score_macro_f1 equals the report's macro_f1 bit for bit, on the stack path (5
 * labels) and the allocating path (100 labels). */
static void test_score_classification__macro_f1_matches_report(void)
{
    enum { N = 3000 };
    static int gold[N], pred[N];
    static const size_t label_counts[] = { 5, 64, 65, 100 };
    fs_rng rng;
    fs_rng_seed(&rng, 11);
    for (size_t t = 0; t < 4; t++) {
        size_t k = label_counts[t];
        for (size_t i = 0; i < N; i++) {
            gold[i] = (int)fs_rng_below(&rng, k);
            uint64_t u = fs_rng_below(&rng, 10);
            pred[i] = u < 6 ? gold[i] : u == 9 ? -1 : (int)fs_rng_below(&rng, k);
        }
        for (int z = 0; z <= 1; z++) {
            fs_class_report r;
            CU_ASSERT_EQUAL_FATAL(fs_score_classification(&r, gold, pred, N, k, z, NULL), FS_OK);
            CU_ASSERT_EQUAL(fs_score_macro_f1(gold, pred, N, k, z), r.macro_f1);
            CU_ASSERT(r.macro_f1 > 0.3 && r.macro_f1 < 0.9);
            fs_class_report_dispose(&r);
        }
    }
}

const fs_test_case fs_score_classification_tests[] = {
    { "test_score_classification__golden_sklearn", test_score_classification__golden_sklearn },
    { "test_score_classification__parse_failures", test_score_classification__parse_failures },
    { "test_score_classification__all_parse_failures",
      test_score_classification__all_parse_failures },
    { "test_score_classification__empty_and_bad_input",
      test_score_classification__empty_and_bad_input },
    { "test_score_classification__macro_f1_matches_report",
      test_score_classification__macro_f1_matches_report },
    { NULL, NULL },
};
