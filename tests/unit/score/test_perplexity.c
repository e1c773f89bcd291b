/* score.perplexity: every set of the perplexity golden file (per sequence and corpus,
 * empty sequences, overflow to infinity), the per-word and per-byte variants, the
 * bootstrap path through precomputed sequences, and input checks. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "fairshake/core.h"
#include "fairshake/score.h"

#define GOLDEN_LINES 42
#define MAX_TOKENS   4096

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

/* A golden number: a double, "inf", or null (NaN here). */
static bool matches(double got, const cJSON *want)
{
    if (cJSON_IsNull(want)) {
        return isnan(got);
    }
    if (cJSON_IsString(want)) {
        return strcmp(want->valuestring, "inf") == 0 && isinf(got) && got > 0;
    }
    double w = want->valuedouble, scale = fabs(w) > 1.0 ? fabs(w) : 1.0;
    return cJSON_IsNumber(want) && fabs(got - w) <= 1e-12 * scale;
}

static int check_values(const char *const *names, const double *got, size_t n,
                        const cJSON *expected)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!matches(got[i], cJSON_GetObjectItemCaseSensitive(expected, names[i]))) {
            fprintf(stderr, "  %s = %.17g\n", names[i], got[i]);
            bad++;
        }
    }
    return bad;
}

static double num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    CU_ASSERT_FATAL(cJSON_IsNumber(v));
    return v->valuedouble;
}

static size_t read_logprobs(double *out, const cJSON *item)
{
    const cJSON *v;
    size_t n = 0;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(item, "logprobs"))
    {
        CU_ASSERT_FATAL(n < MAX_TOKENS && cJSON_IsNumber(v));
        out[n++] = v->valuedouble;
    }
    return n;
}

static int check_set(const cJSON *input, const cJSON *expected)
{
    static const char *const seq_names[] = { "sum_logprob", "mean_nll", "perplexity" };
    static const char *const corpus_names[] = { "sum_logprob", "mean_nll", "perplexity",
                                                "mean_perplexity" };
    static double lp[MAX_TOKENS];
    const cJSON *per_seq = cJSON_GetObjectItemCaseSensitive(expected, "per_sequence");
    const cJSON *corpus = cJSON_GetObjectItemCaseSensitive(expected, "corpus");
    const cJSON *item;
    fs_perplexity_sum acc;
    fs_perplexity_corpus c;
    fs_perplexity_seq s;
    int bad = 0, k = 0;
    fs_perplexity_sum_init(&acc);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(input, "items"))
    {
        size_t n = read_logprobs(lp, item);
        const cJSON *want = cJSON_GetArrayItem(per_seq, k++);
        CU_ASSERT_EQUAL_FATAL(fs_score_perplexity(&s, lp, n, NULL, 0, NULL), FS_OK);
        CU_ASSERT_EQUAL_FATAL(fs_perplexity_sum_add(&acc, lp, n, NULL, 0, NULL), FS_OK);
        const double got[] = { s.sum_logprob, s.mean_nll, s.perplexity };
        bad += check_values(seq_names, got, 3, want);
        bad += s.n_tokens != (size_t)num(want, "n_tokens");
    }
    CU_ASSERT_EQUAL(k, cJSON_GetArraySize(per_seq));
    fs_perplexity_sum_result(&acc, &c);
    const double got[] = { c.sum_logprob, c.mean_nll, c.perplexity, c.mean_perplexity };
    bad += check_values(corpus_names, got, 4, corpus);
    return bad + (c.n_tokens != (size_t)num(corpus, "n_tokens"));
}

static void check_perplexity_line(const cJSON *line, void *payload)
{
    size_t *mismatches = payload;
    CU_ASSERT_STRING_EQUAL_FATAL(fs_json__str(line, "kind"), "set");
    int bad = check_set(cJSON_GetObjectItemCaseSensitive(line, "input"),
                        cJSON_GetObjectItemCaseSensitive(line, "expected"));
    if (bad != 0) {
        fprintf(stderr, "%s (%s): %d mismatches\n", fs_json__str(line, "id"),
                fs_json__str(line, "desc"), bad);
        (*mismatches)++;
    }
}

static void test_score_perplexity__golden_definition(void)
{
    size_t mismatches = 0;
    CU_ASSERT_EQUAL(golden_each("perplexity.jsonl", check_perplexity_line, &mismatches),
                    GOLDEN_LINES);
    CU_ASSERT_EQUAL(mismatches, 0);
}

static void test_score_perplexity__word_and_byte_variants(void)
{
    const double lp[3] = { -1.0, -2.0, -3.0 };
    const char *text = " caf\xc3\xa9\xe3\x80\x80ol\xc3\xa9 "; /* 2 words, 14 bytes */
    fs_perplexity_seq s;
    fs_perplexity_sum acc;
    fs_perplexity_corpus c;
    CU_ASSERT_EQUAL_FATAL(fs_score_perplexity(&s, lp, 3, text, strlen(text), NULL), FS_OK);
    CU_ASSERT_EQUAL(s.n_words, 2);
    CU_ASSERT_EQUAL(s.n_bytes, 14);
    CU_ASSERT_DOUBLE_EQUAL(s.perplexity, exp(2.0), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.word_perplexity, exp(3.0), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.byte_perplexity, exp(6.0 / 14.0), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.bits_per_byte, 6.0 / 14.0 / log(2.0), 1e-12);
    fs_perplexity_sum_init(&acc);
    CU_ASSERT_EQUAL_FATAL(fs_perplexity_sum_add(&acc, lp, 3, text, strlen(text), NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_perplexity_sum_add(&acc, lp, 1, "x", 1, NULL), FS_OK);
    fs_perplexity_sum_result(&acc, &c);
    CU_ASSERT_DOUBLE_EQUAL(c.word_perplexity, exp(7.0 / 3.0), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.byte_perplexity, exp(7.0 / 15.0), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.mean_perplexity, (exp(2.0) + exp(1.0)) / 2.0, 1e-12);
    /* without a text the normalised variants cannot be computed */
    CU_ASSERT_EQUAL_FATAL(fs_score_perplexity(&s, lp, 3, NULL, 0, NULL), FS_OK);
    CU_ASSERT(isnan(s.word_perplexity) && isnan(s.byte_perplexity) && isnan(s.bits_per_byte));
}

static void test_score_perplexity__bootstrap_sums_match(void)
{
    const double a[4] = { -0.5, -1.25, -0.125, -2.0 }, b[2] = { -3.0, -0.75 };
    fs_perplexity_seq sa, sb, empty;
    fs_perplexity_sum tokens, seqs;
    fs_perplexity_corpus ct, cs;
    CU_ASSERT_EQUAL_FATAL(fs_score_perplexity(&sa, a, 4, NULL, 0, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_score_perplexity(&sb, b, 2, NULL, 0, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_score_perplexity(&empty, NULL, 0, NULL, 0, NULL), FS_OK);
    CU_ASSERT(isnan(empty.perplexity) && isnan(empty.mean_nll));
    fs_perplexity_sum_init(&tokens);
    fs_perplexity_sum_init(&seqs);
    CU_ASSERT_EQUAL_FATAL(fs_perplexity_sum_add(&tokens, a, 4, NULL, 0, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_perplexity_sum_add(&tokens, NULL, 0, NULL, 0, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_perplexity_sum_add(&tokens, b, 2, NULL, 0, NULL), FS_OK);
    fs_perplexity_sum_add_seq(&seqs, &sa);
    fs_perplexity_sum_add_seq(&seqs, &empty);
    fs_perplexity_sum_add_seq(&seqs, &sb);
    fs_perplexity_sum_result(&tokens, &ct);
    fs_perplexity_sum_result(&seqs, &cs);
    CU_ASSERT_EQUAL(ct.n_tokens, 6);
    CU_ASSERT_EQUAL(tokens.n_sequences, 3);
    CU_ASSERT_EQUAL(tokens.n_nonempty, 2);
    CU_ASSERT_DOUBLE_EQUAL(ct.perplexity, exp(7.625 / 6.0), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cs.perplexity, ct.perplexity, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cs.mean_perplexity, ct.mean_perplexity, 1e-12);
}

static void test_score_perplexity__infinite_and_bad_values(void)
{
    const double zero_prob[2] = { -1.0, -INFINITY };
    const double bad[3] = { -1.0, NAN, -2.0 }, positive[2] = { -1.0, 0.5 };
    fs_perplexity_seq s;
    fs_perplexity_sum acc;
    fs_error err;
    CU_ASSERT_EQUAL_FATAL(fs_score_perplexity(&s, zero_prob, 2, NULL, 0, NULL), FS_OK);
    CU_ASSERT(isinf(s.perplexity) && s.perplexity > 0);
    CU_ASSERT_EQUAL(fs_score_perplexity(&s, bad, 3, NULL, 0, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "logprobs[1]"));
    CU_ASSERT_EQUAL(fs_score_perplexity(&s, positive, 2, NULL, 0, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(fs_score_perplexity(&s, zero_prob, 2, "\xff", 1, &err), FS_ERR_INPUT);
    fs_perplexity_sum_init(&acc);
    CU_ASSERT_EQUAL(fs_perplexity_sum_add(&acc, bad, 3, NULL, 0, &err), FS_ERR_INPUT);
    CU_ASSERT_EQUAL(acc.n_sequences, 0);
    CU_ASSERT_EQUAL(acc.n_tokens, 0);
}

const fs_test_case fs_score_perplexity_tests[] = {
    { "test_score_perplexity__golden_definition", test_score_perplexity__golden_definition },
    { "test_score_perplexity__word_and_byte_variants",
      test_score_perplexity__word_and_byte_variants },
    { "test_score_perplexity__bootstrap_sums_match", test_score_perplexity__bootstrap_sums_match },
    { "test_score_perplexity__infinite_and_bad_values",
      test_score_perplexity__infinite_and_bad_values },
    { NULL, NULL },
};
