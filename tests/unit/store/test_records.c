/* store.records: variants (idempotent on resume, text mismatch refused), outcomes
 * (round trip with NULLs and Unicode, replace semantics, has_outcome), the response cache
 * and the ordered walk. */
#include "fs_test.h"

#include <string.h>

#include "fairshake/core.h"
#include "fairshake/store.h"
#include "store_fixture.h"

#define ROWS_MAX 16

/* What fs_store_each() reported, copied out of the borrowed pointers. */
typedef struct rows {
    size_t n;
    size_t stop_after;   /* 0: never stop */
    bool copy_failed;    /* a copy ran out of memory: the walk ends with FS_ERR_NOMEM */
    char *key[ROWS_MAX]; /* "record_id/perturbation" */
    char *answer[ROWS_MAX];
    char *prediction[ROWS_MAX];
    char *error[ROWS_MAX];
    char *group[ROWS_MAX];
    bool has_outcome[ROWS_MAX], answer_null[ROWS_MAX], prediction_null[ROWS_MAX];
    bool group_null[ROWS_MAX], label_null[ROWS_MAX], changed[ROWS_MAX];
    fs_outcome o[ROWS_MAX];
} rows;

/* A copy of s, or NULL for NULL; a failed copy sets r->copy_failed. */
static char *dup_or_null(rows *r, const char *s)
{
    char *copy = s != NULL ? fs_strdup(s) : NULL;
    if (s != NULL && copy == NULL) {
        r->copy_failed = true;
    }
    return copy;
}

static fs_status collect(const fs_variant *v, const fs_outcome *o, void *payload)
{
    rows *r = payload;
    if (r->n == ROWS_MAX) {
        return FS_ERR_INTERNAL;
    }
    size_t i = r->n++;
    fs_buf b;
    fs_buf_init(&b, 0);
    fs_buf_printf(&b, "%s/%s", v->record_id, v->perturbation);
    r->key[i] = fs_buf_take(&b, NULL);
    if (r->key[i] == NULL) {
        r->copy_failed = true;
    }
    r->group[i] = dup_or_null(r, v->group);
    r->group_null[i] = v->group == NULL;
    r->label_null[i] = v->label == NULL;
    r->changed[i] = v->changed;
    r->has_outcome[i] = o != NULL;
    if (o != NULL) {
        r->o[i] = *o;
        r->answer[i] = dup_or_null(r, o->answer);
        r->answer_null[i] = o->answer == NULL;
        r->prediction[i] = dup_or_null(r, o->prediction);
        r->prediction_null[i] = o->prediction == NULL;
        r->error[i] = dup_or_null(r, o->error);
    }
    if (r->copy_failed) {
        return FS_ERR_NOMEM;
    }
    return (r->stop_after != 0 && r->n == r->stop_after) ? FS_ERR_CANCELLED : FS_OK;
}

static void rows_dispose(rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        fs_free(r->key[i]);
        fs_free(r->answer[i]);
        fs_free(r->prediction[i]);
        fs_free(r->error[i]);
        fs_free(r->group[i]);
    }
    memset(r, 0, sizeof *r);
}

static void test_store_records__variant_idempotent_on_resume(void)
{
    char path[512];
    fs_store *s = store_fixture_open(path, sizeof path, "idem");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fs_variant v = store_fixture_variant("r1", 0, "clean", "naïve café");
    int64_t a = 0, b = 0, c = 0;
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &a, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &b, NULL), FS_OK);
    CU_ASSERT_TRUE(a > 0);
    CU_ASSERT_EQUAL(a, b);
    v.perturbation = "typo";
    v.text = "naïve cafe";
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &c, NULL), FS_OK);
    CU_ASSERT_NOT_EQUAL(c, a);
    int64_t nv = 0, no = 0;
    CU_ASSERT_EQUAL(fs_store_counts(s, "t", &nv, &no, NULL), FS_OK);
    CU_ASSERT_EQUAL(nv, 2);
    CU_ASSERT_EQUAL(no, 0);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
}

static void test_store_records__variant_text_mismatch_refused(void)
{
    char path[512];
    fs_store *s = store_fixture_open(path, sizeof path, "mismatch");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fs_variant v = store_fixture_variant("r7", 6, "typo", "hello wrold");
    int64_t id = 0;
    fs_error err = { 0 };
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &id, NULL), FS_OK);
    v.text = "hello wolrd";
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &id, &err), FS_ERR_STORE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "variant for record r7 / perturbation typo differs "
                                           "from the stored one: the dataset or perturbation "
                                           "changed; use --fresh"));
    v.text = "hello wrold plus"; /* a longer text sharing the prefix differs too */
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &id, &err), FS_ERR_STORE);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
}

static const char unicode_answer[] =
    "Café naïve — 東京タワー 😀👩🏽‍💻 مرحبا بالعالم שלום "
    "\"quoted\"\ttab\nnewline";

static void test_store_records__outcome_round_trip_with_nulls_and_unicode(void)
{
    char path[512];
    fs_store *s = store_fixture_open(path, sizeof path, "roundtrip");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fs_variant v = store_fixture_variant("é-1", 0, "clean", "¿Qué tal? 你好 🙂 مرحبا");
    v.group = "المرأة";
    v.label = "positivo";
    int64_t a = 0, b = 0;
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &a, NULL), FS_OK);
    v.perturbation = "typo";
    v.group = NULL;
    v.label = NULL;
    v.changed = false;
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &b, NULL), FS_OK);
    fs_outcome ok = { a, "t", FS_OK, 200, unicode_answer, "positivo", 12.25, 2, NULL, true, 17, 3 };
    fs_outcome bad = { b, "t", FS_ERR_TARGET, 503, NULL, NULL, 0.5, 5, "", false, -1, -1 };
    CU_ASSERT_EQUAL(fs_store_put_outcome(s, &ok, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_put_outcome(s, &bad, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_store_open(&s, path, "h1", false, NULL), FS_OK);

    rows r = { 0 };
    CU_ASSERT_EQUAL(fs_store_each(s, "t", collect, &r, NULL), FS_OK);
    if (r.n != 2) {
        CU_FAIL("fs_store_each() did not report two variants");
        goto done;
    }
    CU_ASSERT_TRUE(store_fixture_str_is(r.key[0], "é-1/clean"));
    CU_ASSERT_TRUE(store_fixture_str_is(r.group[0], "المرأة"));
    CU_ASSERT_FALSE(r.label_null[0]);
    CU_ASSERT_TRUE(r.changed[0]);
    if (!r.has_outcome[0] || !r.has_outcome[1]) {
        CU_FAIL("a variant was reported without its outcome");
        goto done;
    }
    CU_ASSERT_EQUAL(r.o[0].variant_id, a);
    CU_ASSERT_TRUE(store_fixture_str_is(r.o[0].target, "t"));
    CU_ASSERT_EQUAL(r.o[0].status, FS_OK);
    CU_ASSERT_EQUAL(r.o[0].http_status, 200);
    if (r.answer[0] == NULL) {
        CU_FAIL("the first outcome lost its answer");
        goto done;
    }
    CU_ASSERT_EQUAL(strlen(r.answer[0]), sizeof unicode_answer - 1);
    CU_ASSERT_EQUAL(memcmp(r.answer[0], unicode_answer, sizeof unicode_answer - 1), 0);
    CU_ASSERT_TRUE(store_fixture_str_is(r.prediction[0], "positivo"));
    CU_ASSERT_DOUBLE_EQUAL(r.o[0].latency_ms, 12.25, 1e-12);
    CU_ASSERT_EQUAL(r.o[0].attempts, 2);
    CU_ASSERT_PTR_NULL(r.error[0]);
    CU_ASSERT_TRUE(r.o[0].cached);
    CU_ASSERT_EQUAL(r.o[0].prompt_tokens, 17);
    CU_ASSERT_EQUAL(r.o[0].completion_tokens, 3);

    CU_ASSERT_TRUE(store_fixture_str_is(r.key[1], "é-1/typo"));
    CU_ASSERT_TRUE(r.group_null[1]);
    CU_ASSERT_TRUE(r.label_null[1]);
    CU_ASSERT_FALSE(r.changed[1]);
    CU_ASSERT_EQUAL(r.o[1].status, FS_ERR_TARGET);
    CU_ASSERT_EQUAL(r.o[1].http_status, 503);
    CU_ASSERT_TRUE(r.answer_null[1]);
    CU_ASSERT_TRUE(r.prediction_null[1]);
    CU_ASSERT_PTR_NULL(r.error[1]); /* "" is stored as no error */
    CU_ASSERT_FALSE(r.o[1].cached);
    CU_ASSERT_EQUAL(r.o[1].attempts, 5);
    CU_ASSERT_EQUAL(r.o[1].prompt_tokens, -1);
    CU_ASSERT_EQUAL(r.o[1].completion_tokens, -1);
done:
    rows_dispose(&r);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
}

static void test_store_records__outcome_replaced_and_has_outcome(void)
{
    char path[512];
    fs_store *s = store_fixture_open(path, sizeof path, "replace");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fs_variant v = store_fixture_variant("r1", 0, "clean", "text");
    int64_t id = 0;
    bool has = true;
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, &id, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_has_outcome(s, id, "t", &has, NULL), FS_OK);
    CU_ASSERT_FALSE(has);
    fs_outcome o = { id, "t", FS_ERR_TARGET, 0, NULL, NULL, 30000, 6, "timed out", false, -1, -1 };
    CU_ASSERT_EQUAL(fs_store_put_outcome(s, &o, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_has_outcome(s, id, "t", &has, NULL), FS_OK);
    CU_ASSERT_FALSE(has); /* a failure is retried on resume */
    o.status = FS_OK;
    o.http_status = 200;
    o.answer = "b";
    o.prediction = "b";
    o.error = NULL;
    CU_ASSERT_EQUAL(fs_store_put_outcome(s, &o, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_has_outcome(s, id, "t", &has, NULL), FS_OK);
    CU_ASSERT_TRUE(has);
    CU_ASSERT_EQUAL(fs_store_has_outcome(s, id, "other", &has, NULL), FS_OK);
    CU_ASSERT_FALSE(has);
    CU_ASSERT_EQUAL(fs_store_has_outcome(s, id + 100, "t", &has, NULL), FS_OK);
    CU_ASSERT_FALSE(has);

    rows r = { 0 };
    CU_ASSERT_EQUAL(fs_store_each(s, "t", collect, &r, NULL), FS_OK);
    if (r.n != 1) {
        CU_FAIL("fs_store_each() did not report one variant");
        rows_dispose(&r);
        fs_store_free(s);
        return;
    }
    CU_ASSERT_EQUAL(r.o[0].status, FS_OK);
    CU_ASSERT_TRUE(store_fixture_str_is(r.answer[0], "b"));
    CU_ASSERT_PTR_NULL(r.error[0]);
    rows_dispose(&r);
    int64_t nv = 0, no = 0;
    CU_ASSERT_EQUAL(fs_store_counts(s, "t", &nv, &no, NULL), FS_OK);
    CU_ASSERT_EQUAL(no, 1);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
}

static void test_store_records__cache_hit_and_miss(void)
{
    char path[512];
    fs_store *s = store_fixture_open(path, sizeof path, "cache");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char *body = (char *)"sentinel";
    CU_ASSERT_EQUAL(fs_store_cache_get(s, "00ff", &body, NULL), FS_OK);
    CU_ASSERT_PTR_NULL(body);
    static const char json[] = "{\"choices\":[{\"text\":\"très 好 🙂\"}]}";
    CU_ASSERT_EQUAL(fs_store_cache_put(s, "00ff", json, sizeof json - 1, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_cache_get(s, "00ff", &body, NULL), FS_OK);
    CU_ASSERT_TRUE(store_fixture_str_is(body, json));
    fs_free(body);
    /* only the first n bytes are stored */
    CU_ASSERT_EQUAL(fs_store_cache_put(s, "00ff", "abcdef", 3, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_cache_get(s, "00ff", &body, NULL), FS_OK);
    CU_ASSERT_TRUE(store_fixture_str_is(body, "abc"));
    fs_free(body);
    CU_ASSERT_EQUAL(fs_store_cache_put(s, "empty", "", 0, NULL), FS_OK);
    CU_ASSERT_EQUAL(fs_store_cache_get(s, "empty", &body, NULL), FS_OK);
    CU_ASSERT_TRUE(store_fixture_str_is(body, ""));
    fs_free(body);
    CU_ASSERT_EQUAL(fs_store_cache_get(s, "00FF", &body, NULL), FS_OK);
    CU_ASSERT_PTR_NULL(body);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
}

static void put(fs_store *s, const char *rid, uint64_t index, const char *pert, int64_t *id)
{
    fs_variant v = store_fixture_variant(rid, index, pert, rid);
    CU_ASSERT_EQUAL(fs_store_put_variant(s, &v, id, NULL), FS_OK);
}

static void test_store_records__each_orders_and_reports_missing_outcomes(void)
{
    char path[512];
    fs_store *s = store_fixture_open(path, sizeof path, "each");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    int64_t id[5];
    put(s, "b", 1, "clean", &id[0]);
    put(s, "a", 0, "typo", &id[1]);
    put(s, "a", 0, "clean", &id[2]);
    put(s, "b", 1, "homoglyph", &id[3]);
    put(s, "a", 0, "case", &id[4]);
    fs_outcome o = { id[2], "A", FS_OK, 200, "x", "x", 1, 1, NULL, false, -1, -1 };
    CU_ASSERT_EQUAL(fs_store_put_outcome(s, &o, NULL), FS_OK);
    o.variant_id = id[3];
    CU_ASSERT_EQUAL(fs_store_put_outcome(s, &o, NULL), FS_OK);
    o.variant_id = id[1];
    o.target = "B";
    CU_ASSERT_EQUAL(fs_store_put_outcome(s, &o, NULL), FS_OK);

    rows r = { 0 };
    CU_ASSERT_EQUAL(fs_store_each(s, "A", collect, &r, NULL), FS_OK);
    if (r.n != 5) {
        CU_FAIL("fs_store_each() did not report five variants");
        goto done;
    }
    static const char *const want[] = { "a/case", "a/clean", "a/typo", "b/clean", "b/homoglyph" };
    static const bool want_outcome[] = { false, true, false, false, true };
    for (size_t i = 0; i < 5; i++) {
        CU_ASSERT_TRUE(store_fixture_str_is(r.key[i], want[i]));
        CU_ASSERT_EQUAL(r.has_outcome[i], want_outcome[i]);
    }
    rows_dispose(&r);

    r.stop_after = 3;
    CU_ASSERT_EQUAL(fs_store_each(s, "B", collect, &r, NULL), FS_ERR_CANCELLED);
    if (r.n != 3) {
        CU_FAIL("fs_store_each() did not stop after three variants");
        goto done;
    }
    CU_ASSERT_FALSE(r.has_outcome[0]);
    CU_ASSERT_FALSE(r.has_outcome[1]); /* a/clean has an A outcome only */
    CU_ASSERT_TRUE(r.has_outcome[2]);
    rows_dispose(&r);
    /* the walk can run again after being stopped */
    CU_ASSERT_EQUAL(fs_store_each(s, "B", collect, &r, NULL), FS_OK);
    CU_ASSERT_EQUAL(r.n, 5);
done:
    rows_dispose(&r);
    CU_ASSERT_EQUAL(fs_store_close(s, NULL), FS_OK);
}

const fs_test_case fs_store_records_tests[] = {
    { "test_store_records__variant_idempotent_on_resume",
      test_store_records__variant_idempotent_on_resume },
    { "test_store_records__variant_text_mismatch_refused",
      test_store_records__variant_text_mismatch_refused },
    { "test_store_records__outcome_round_trip_with_nulls_and_unicode",
      test_store_records__outcome_round_trip_with_nulls_and_unicode },
    { "test_store_records__outcome_replaced_and_has_outcome",
      test_store_records__outcome_replaced_and_has_outcome },
    { "test_store_records__cache_hit_and_miss", test_store_records__cache_hit_and_miss },
    { "test_store_records__each_orders_and_reports_missing_outcomes",
      test_store_records__each_orders_and_reports_missing_outcomes },
    { NULL, NULL },
};
