/* identify.calibration: every detector's precision and recall on the labelled calibration
 * set (tests/data/identify/calibration.jsonl), printed, held to minimum levels, and
 * checked against identify/calibration-results.json, the file reports fold in (rewritten
 * with FS_UPDATE_GOLDEN=1; otherwise a copy goes to the test's scratch directory). */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "helpers.h"

#define SET_REL     "tests/data/identify/calibration.jsonl"
#define RESULTS_REL "identify/calibration-results.json"

/* Categories with a validator are held to higher levels. */
static const char *const validated[] = { "date",       "email", "iban", "icd10",
                                         "ip_address", "phone", "ssn",  "payment_card" };

static bool is_validated(const char *cat)
{
    for (size_t i = 0; i < sizeof validated / sizeof validated[0]; i++) {
        if (strcmp(validated[i], cat) == 0) {
            return true;
        }
    }
    return false;
}

/* Score one JSONL line: detector items against its gold items. */
static fs_status score_line(fs_identify_detector *d, fs_identify_counts *acc, const char *line,
                            size_t len, fs_error *err)
{
    cJSON *rec = NULL;
    fs_identify_item *items = NULL;
    size_t n = 0;
    fs_status st = fs_json__parse(&rec, line, len, SET_REL, err);
    const char *text = st == FS_OK ? fs_json__str(rec, "text") : NULL;
    const cJSON *gold = cJSON_GetObjectItemCaseSensitive(rec, "items");
    if (st == FS_OK && text == NULL) {
        st = FS_FAIL(err, FS_ERR_INPUT, "calibration record without text");
    }
    if (st == FS_OK) {
        st = fs_identify_detect(d, text, strlen(text), &items, &n, err);
    }
    size_t ng = (size_t)cJSON_GetArraySize(gold);
    fs_identify_span *g = fs_calloc(ng + 1, sizeof *g), *p = fs_calloc(n + 1, sizeof *p);
    for (size_t i = 0; st == FS_OK && i < ng; i++) {
        const cJSON *e = cJSON_GetArrayItem(gold, (int)i);
        g[i].category = fs_json__str(e, "category");
        g[i].start = (size_t)cJSON_GetObjectItemCaseSensitive(e, "start")->valuedouble;
        g[i].end = (size_t)cJSON_GetObjectItemCaseSensitive(e, "end")->valuedouble;
    }
    for (size_t i = 0; st == FS_OK && i < n; i++) {
        p[i].category = items[i].category;
        p[i].start = items[i].start;
        p[i].end = items[i].end;
    }
    if (st == FS_OK) {
        st = fs_identify_score_spans(acc, g, ng, p, n, err);
    }
    fs_free(g);
    fs_free(p);
    fs_identify_items_free(items, n);
    cJSON_Delete(rec);
    return st;
}

static void put_prf(fs_buf *b, const fs_identify_class_counts *k, fs_identify_prf r)
{
    fs_buf_printf(b, "{\"tp\": %zu, \"fp\": %zu, \"fn\": %zu, \"support\": %zu, \"precision\": ",
                  k->tp[FS_IDENTIFY_EXACT], k->fp[FS_IDENTIFY_EXACT], k->fn[FS_IDENTIFY_EXACT],
                  r.support);
    fs_buf_put_double(b, r.precision);
    fs_buf_puts(b, ", \"recall\": ");
    fs_buf_put_double(b, r.recall);
    fs_buf_puts(b, ", \"f1\": ");
    fs_buf_put_double(b, r.f1);
    fs_buf_puts(b, "}");
}

/* The results file: schema, the set and its hash, and per-category exact-match figures. */
static void write_results(fs_buf *b, const fs_identify_counts *c, const char *sha, size_t records)
{
    fs_buf_printf(b,
                  "{\n \"schema\": \"fairshake.identify-calibration/1\",\n \"set\": \"%s\",\n"
                  " \"set_sha256\": \"%s\",\n \"records\": %zu,\n \"match\": \"exact\",\n"
                  " \"categories\": {\n",
                  SET_REL, sha, records);
    for (size_t i = 0; i < c->n_classes; i++) {
        fs_buf_printf(b, "  \"%s\": ", c->classes[i].category);
        put_prf(b, &c->classes[i], fs_identify_class_metrics(c, i, FS_IDENTIFY_EXACT));
        fs_buf_puts(b, i + 1 < c->n_classes ? ",\n" : "\n");
    }
    fs_identify_prf mi = fs_identify_micro(c, FS_IDENTIFY_EXACT);
    fs_identify_prf ma = fs_identify_macro(c, FS_IDENTIFY_EXACT);
    fs_buf_puts(b, " },\n \"micro\": {\"precision\": ");
    fs_buf_put_double(b, mi.precision);
    fs_buf_puts(b, ", \"recall\": ");
    fs_buf_put_double(b, mi.recall);
    fs_buf_puts(b, ", \"f1\": ");
    fs_buf_put_double(b, mi.f1);
    fs_buf_puts(b, "},\n \"macro\": {\"precision\": ");
    fs_buf_put_double(b, ma.precision);
    fs_buf_puts(b, ", \"recall\": ");
    fs_buf_put_double(b, ma.recall);
    fs_buf_puts(b, ", \"f1\": ");
    fs_buf_put_double(b, ma.f1);
    fs_buf_puts(b, "}\n}\n");
}

static void write_file(const char *path, const fs_buf *b)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(fs_buf_cstr(b), 1, b->len, f), b->len);
    fclose(f);
}

static void check_levels(const fs_identify_counts *c)
{
    printf("\n  %-14s %9s %9s %7s\n", "category", "precision", "recall", "support");
    for (size_t i = 0; i < c->n_classes; i++) {
        fs_identify_prf r = fs_identify_class_metrics(c, i, FS_IDENTIFY_EXACT);
        bool v = is_validated(c->classes[i].category);
        printf("  %-14s %9.3f %9.3f %7zu\n", c->classes[i].category, r.precision, r.recall,
               r.support);
        CU_ASSERT_TRUE(r.support >= 15);
        CU_ASSERT_TRUE(r.precision >= (v ? 0.95 : 0.9));
        CU_ASSERT_TRUE(r.recall >= (v ? 0.9 : 0.85));
    }
}

static void test_identify_calibration__precision_and_recall(void)
{
    char path[1024], *data = NULL, *committed = NULL, sha[65];
    size_t len = 0, records = 0, clen = 0;
    fs_identify_counts acc;
    fs_buf out;
    fs_identify_detector *d = identify_test_detector();
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    snprintf(path, sizeof path, "%s/%s", fs_test_source_dir(), SET_REL);
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&data, &len, path, 0, NULL), FS_OK);
    CU_ASSERT_EQUAL_FATAL(fs_hash_sha256_hex(sha, data, len, NULL), FS_OK);
    fs_identify_counts_init(&acc);
    for (char *line = data; line < data + len;) {
        char *nl = memchr(line, '\n', (size_t)(data + len - line));
        size_t l = nl != NULL ? (size_t)(nl - line) : (size_t)(data + len - line);
        fs_error err;
        if (l > 0) {
            CU_ASSERT_EQUAL_FATAL(score_line(d, &acc, line, l, &err), FS_OK);
            records++;
        }
        line += l + 1;
    }
    CU_ASSERT_TRUE(records >= 300);
    CU_ASSERT_TRUE(acc.n_classes >= 13);
    check_levels(&acc);
    fs_buf_init(&out, 0);
    write_results(&out, &acc, sha, records);
    CU_ASSERT_EQUAL_FATAL(fs_buf_status(&out), FS_OK);
    const char *update = getenv("FS_UPDATE_GOLDEN");
    if (update != NULL && strcmp(update, "1") == 0) {
        snprintf(path, sizeof path, "%s/%s", fs_test_source_dir(), RESULTS_REL);
    } else {
        snprintf(path, sizeof path, "%s/calibration-results.json", fs_test_tmp_dir());
    }
    write_file(path, &out);
    snprintf(path, sizeof path, "%s/%s", fs_test_source_dir(), RESULTS_REL);
    CU_ASSERT_EQUAL(fs_read_file(&committed, &clen, path, 0, NULL), FS_OK);
    /* the committed figures are the ones this build measures */
    CU_ASSERT_TRUE(committed != NULL && clen == out.len &&
                   memcmp(committed, fs_buf_cstr(&out), clen) == 0);
    fs_free(committed);
    fs_buf_dispose(&out);
    fs_identify_counts_dispose(&acc);
    fs_free(data);
}

const fs_test_case fs_identify_calibration_tests[] = {
    { "test_identify_calibration__precision_and_recall",
      test_identify_calibration__precision_and_recall },
    { NULL, NULL },
};
