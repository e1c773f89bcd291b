/* audit.scorefile: the golden files of tests/data/golden run through fs_scorefile_run as
 * score files (corpus cases one file each, sentence-level cases together with per-item
 * output), metric selection, reference options, and bad lines reported with their file,
 * line and field. */
#include "fs_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "fairshake/core.h"
#include "fairshake/scorefile.h"

#define MAX_PARAMS 16

/* ---- helpers ------------------------------------------------------------------------ */

static char *tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", fs_test_tmp_dir(), name);
    return out;
}

static bool write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return false;
    }
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* Write the items of a JSON array, one per line. */
static bool write_items(const char *path, const cJSON *items)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        char *line = fs_json__print(it, false);
        fs_buf_puts(&b, line != NULL ? line : "");
        fs_buf_putc(&b, '\n');
        fs_json__free(line);
    }
    bool ok = fs_buf_status(&b) == FS_OK && write_text(path, fs_buf_cstr(&b));
    fs_buf_dispose(&b);
    return ok;
}

/* Run a score file; returns the parsed output (NULL on failure, err filled). kv: "k=v"
 * strings, NULL-terminated. */
static cJSON *run(fs_scorefile_task task, const char *path, const char *metrics,
                  const char *const *kv, bool per_item, fs_error *err)
{
    fs_params params;
    fs_params_init(&params);
    for (size_t i = 0; kv != NULL && kv[i] != NULL; i++) {
        const char *eq = strchr(kv[i], '=');
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
        fs_params_set(&params, key, eq + 1, NULL);
    }
    fs_scorefile_opts o = FS_SCOREFILE_OPTS_INIT;
    o.task = task;
    o.metrics = metrics;
    o.params = &params;
    o.per_item = per_item;
    fs_buf out;
    fs_buf_init(&out, 0);
    cJSON *json = NULL;
    fs_error_clear(err);
    if (fs_scorefile_run(&out, path, &o, err) == FS_OK) {
        CU_ASSERT(out.len > 0 && out.data[out.len - 1] == '\n');
        fs_json__parse(&json, fs_buf_cstr(&out), out.len, "output", NULL);
        CU_ASSERT_PTR_NOT_NULL(json);
    } else {
        CU_ASSERT_EQUAL(out.len, 0); /* nothing is appended on failure */
    }
    fs_buf_dispose(&out);
    fs_params_dispose(&params);
    return json;
}

static bool close_to(double got, double want)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) <= 1e-12 * scale;
}

/* Mismatches between want and got: numbers to 1e-12 relative, strings, nulls and booleans
 * exactly, arrays element-wise, objects over want's keys. */
static int compare(const cJSON *want, const cJSON *got, const char *where)
{
    int bad = 0;
    if (cJSON_IsNumber(want)) {
        bad = !cJSON_IsNumber(got) || !close_to(got->valuedouble, want->valuedouble);
    } else if (cJSON_IsString(want)) {
        bad = !cJSON_IsString(got) || strcmp(want->valuestring, got->valuestring) != 0;
    } else if (cJSON_IsNull(want) || cJSON_IsBool(want)) {
        bad = got == NULL || (got->type & 0xFF) != (want->type & 0xFF);
    } else if (cJSON_IsArray(want)) {
        bad = !cJSON_IsArray(got) || cJSON_GetArraySize(got) != cJSON_GetArraySize(want);
        for (int i = 0; !bad && i < cJSON_GetArraySize(want); i++) {
            bad += compare(cJSON_GetArrayItem(want, i), cJSON_GetArrayItem(got, i), where);
        }
    } else {
        const cJSON *m;
        cJSON_ArrayForEach(m, want)
        {
            bad += compare(m, cJSON_GetObjectItemCaseSensitive(got, m->string), m->string);
        }
        return bad;
    }
    if (bad) {
        char *w = fs_json__print(want, false), *g = got ? fs_json__print(got, false) : NULL;
        fprintf(stderr, "\n%s: want %s, got %s\n", where, w, g ? g : "(missing)");
        fs_json__free(w);
        fs_json__free(g);
    }
    return bad;
}

/* "k=v" strings of a golden params object (nulls and the keys in skip left out). */
static void golden_params(const cJSON *params, const char *const *skip, char store[][96],
                          const char **kv)
{
    size_t n = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, params)
    {
        bool skipped = cJSON_IsNull(p);
        for (size_t i = 0; skip != NULL && skip[i] != NULL; i++) {
            skipped = skipped || strcmp(skip[i], p->string) == 0;
        }
        if (skipped || n + 1 >= MAX_PARAMS) {
            continue;
        }
        if (cJSON_IsString(p)) {
            snprintf(store[n], 96, "%s=%s", p->string, p->valuestring);
        } else if (cJSON_IsBool(p)) {
            snprintf(store[n], 96, "%s=%s", p->string, cJSON_IsTrue(p) ? "true" : "false");
        } else {
            snprintf(store[n], 96, "%s=%g", p->string, p->valuedouble);
        }
        kv[n] = store[n];
        n++;
    }
    kv[n] = NULL;
}

/* Call fn on every line of a golden file. */
static size_t each_golden(const char *file, void (*fn)(const cJSON *line, void *payload),
                          void *payload)
{
    char path[1024];
    char *text = NULL;
    size_t len = 0, n = 0;
    snprintf(path, sizeof path, "%s/tests/data/golden/%s", fs_test_source_dir(), file);
    CU_ASSERT_EQUAL_FATAL(fs_read_file(&text, &len, path, 0, NULL), FS_OK);
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t line_len = nl != NULL ? (size_t)(nl - line) : (size_t)(text + len - line);
        cJSON *obj = NULL;
        if (line_len > 0 && fs_json__parse(&obj, line, line_len, path, NULL) == FS_OK) {
            fn(obj, payload);
            n++;
        }
        cJSON_Delete(obj);
        line += line_len + 1;
    }
    fs_free(text);
    return n;
}

/* ---- golden files ------------------------------------------------------------------- */

#define MAX_GROUPS 8

/* How one golden file maps onto score files. */
typedef struct golden_run {
    const char *file;
    fs_scorefile_task task;
    const char *metrics;
    const char *const *skip;  /* golden params not passed on */
    const char *corpus_kind;  /* lines scored one file each */
    const char *item_kind;    /* lines grouped by params and scored per item */
    const char *key;          /* output member holding the values; NULL: the object itself */
    const char *const *only;  /* expected keys compared; NULL: all */
    size_t n_corpus, n_items; /* lines checked */
    int bad;
    size_t n_groups;
    char *group_params[MAX_GROUPS];
    cJSON *group_items[MAX_GROUPS], *group_want[MAX_GROUPS];
} golden_run;

/* want restricted to the keys in only (a detached copy). */
static cJSON *restrict_to(const cJSON *want, const char *const *only)
{
    cJSON *r = cJSON_CreateObject();
    for (size_t i = 0; only != NULL && only[i] != NULL; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(want, only[i]);
        if (v != NULL) {
            cJSON_AddItemToObject(r, only[i], cJSON_Duplicate(v, true));
        }
    }
    return only != NULL ? r : (cJSON_Delete(r), cJSON_Duplicate(want, true));
}

static int check_value(const golden_run *g, const cJSON *want, const cJSON *out, const char *id)
{
    cJSON *w = restrict_to(want, g->only);
    const cJSON *got = g->key != NULL ? cJSON_GetObjectItemCaseSensitive(out, g->key) : out;
    int bad = compare(w, got, id);
    cJSON_Delete(w);
    return bad;
}

static void golden_corpus(golden_run *g, const cJSON *line)
{
    char path[600], store[MAX_PARAMS][96];
    const char *kv[MAX_PARAMS];
    const char *id = fs_json__str(line, "id");
    fs_error err;
    tmp_path(path, sizeof path, "golden-corpus.jsonl");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(line, "input");
    CU_ASSERT_FATAL(write_items(path, cJSON_GetObjectItemCaseSensitive(input, "items")));
    golden_params(cJSON_GetObjectItemCaseSensitive(line, "params"), g->skip, store, kv);
    cJSON *out = run(g->task, path, g->metrics, kv, false, &err);
    if (out == NULL) {
        fprintf(stderr, "\n%s: %s\n", id, err.msg);
        g->bad++;
        return;
    }
    g->bad += check_value(g, cJSON_GetObjectItemCaseSensitive(line, "expected"), out, id);
    g->n_corpus++;
    cJSON_Delete(out);
}

static void golden_item(golden_run *g, const cJSON *line)
{
    char *params = fs_json__print(cJSON_GetObjectItemCaseSensitive(line, "params"), false);
    size_t k = 0;
    while (k < g->n_groups && strcmp(g->group_params[k], params) != 0) {
        k++;
    }
    CU_ASSERT_FATAL(k < MAX_GROUPS);
    if (k == g->n_groups) {
        g->group_params[k] = fs_strdup(params);
        g->group_items[k] = cJSON_CreateArray();
        g->group_want[k] = cJSON_CreateArray();
        g->n_groups++;
    }
    fs_json__free(params);
    cJSON_AddItemToArray(g->group_items[k],
                         cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(line, "input"), true));
    cJSON_AddItemToArray(g->group_want[k],
                         cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(line, "expected"), true));
}

static void golden_line(const cJSON *line, void *payload)
{
    golden_run *g = payload;
    const char *kind = fs_json__str(line, "kind");
    if (strcmp(kind, g->corpus_kind) == 0) {
        golden_corpus(g, line);
    } else if (g->item_kind != NULL && strcmp(kind, g->item_kind) == 0) {
        golden_item(g, line);
    }
}

/* Score each group of sentence-level cases as one file with per-item output. */
static void golden_groups(golden_run *g)
{
    for (size_t k = 0; k < g->n_groups; k++) {
        char path[600], store[MAX_PARAMS][96];
        const char *kv[MAX_PARAMS];
        cJSON *params = NULL;
        fs_error err;
        tmp_path(path, sizeof path, "golden-items.jsonl");
        CU_ASSERT_FATAL(write_items(path, g->group_items[k]));
        fs_json__parse(&params, g->group_params[k], strlen(g->group_params[k]), NULL, NULL);
        golden_params(params, g->skip, store, kv);
        cJSON *out = run(g->task, path, g->metrics, kv, true, &err);
        CU_ASSERT_PTR_NOT_NULL(out);
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(out, "per_item");
        int n = cJSON_GetArraySize(g->group_want[k]);
        CU_ASSERT_EQUAL(cJSON_GetArraySize(items), n);
        for (int i = 0; out != NULL && i < n && i < cJSON_GetArraySize(items); i++) {
            const cJSON *item = cJSON_GetArrayItem(items, i);
            CU_ASSERT_EQUAL(cJSON_GetObjectItemCaseSensitive(item, "line")->valuedouble, i + 1);
            g->bad +=
                check_value(g, cJSON_GetArrayItem(g->group_want[k], i), item, g->group_params[k]);
            g->n_items++;
        }
        cJSON_Delete(out);
        cJSON_Delete(params);
        fs_free(g->group_params[k]);
        cJSON_Delete(g->group_items[k]);
        cJSON_Delete(g->group_want[k]);
    }
    g->n_groups = 0;
}

static void run_golden(golden_run *g, size_t want_corpus, size_t want_items)
{
    each_golden(g->file, golden_line, g);
    golden_groups(g);
    CU_ASSERT_EQUAL(g->bad, 0);
    CU_ASSERT_EQUAL(g->n_corpus, want_corpus);
    CU_ASSERT_EQUAL(g->n_items, want_items);
}

static void test_audit_scorefile__golden_bleu(void)
{
    golden_run g = { "bleu.jsonl",
                     FS_SCOREFILE_TRANSLATION,
                     "bleu",
                     NULL,
                     "corpus",
                     "sentence",
                     "bleu",
                     NULL,
                     0,
                     0,
                     0,
                     0,
                     { NULL },
                     { NULL },
                     { NULL } };
    run_golden(&g, 12, 408);
}

static void test_audit_scorefile__golden_chrf(void)
{
    static const char *const only[] = { "score", NULL };
    golden_run g = { "chrf.jsonl",
                     FS_SCOREFILE_TRANSLATION,
                     "chrf",
                     NULL,
                     "corpus",
                     "sentence",
                     "chrf",
                     only,
                     0,
                     0,
                     0,
                     0,
                     { NULL },
                     { NULL },
                     { NULL } };
    run_golden(&g, 22, 428);
}

static void test_audit_scorefile__golden_rouge(void)
{
    static const char *const skip[] = { "aggregate", NULL };
    golden_run g = { "rouge.jsonl",
                     FS_SCOREFILE_SUMMARIZATION,
                     NULL,
                     skip,
                     "corpus_mean",
                     "pair",
                     NULL,
                     NULL,
                     0,
                     0,
                     0,
                     0,
                     { NULL },
                     { NULL },
                     { NULL } };
    run_golden(&g, 4, 580);
}

static void test_audit_scorefile__golden_squad(void)
{
    static const char *const only[] = { "exact_match", "f1", "total", NULL };
    golden_run g = {
        "squad.jsonl", FS_SCOREFILE_QA, NULL,    NULL, "dataset", "example", NULL, only, 0, 0, 0, 0,
        { NULL },      { NULL },        { NULL }
    };
    run_golden(&g, 6, 344);
}

typedef struct tally {
    size_t n;
    int bad;
} tally;

static void classification_line(const cJSON *line, void *payload)
{
    tally *t = payload;
    char path[600], labels[4096];
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(line, "input");
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(line, "expected");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(input, "labels");
    const char *id = fs_json__str(line, "id");
    tmp_path(path, sizeof path, "golden-class.jsonl");
    CU_ASSERT_FATAL(write_items(path, cJSON_GetObjectItemCaseSensitive(input, "items")));
    labels[0] = '\0';
    if (list != NULL) {
        char *text = fs_json__print(list, false);
        snprintf(labels, sizeof labels, "labels=%s", text);
        fs_json__free(text);
    }
    static const char *const blocks[] = { "zero_division_0", "zero_division_1" };
    for (int b = 0; b < 2; b++) {
        const char *kv[] = { b == 0 ? "zero_division=0" : "zero_division=1",
                             labels[0] != '\0' ? labels : NULL, NULL };
        fs_error err;
        cJSON *out = run(FS_SCOREFILE_CLASSIFICATION, path, NULL, kv, false, &err);
        if (out == NULL) {
            fprintf(stderr, "\n%s: %s\n", id, err.msg);
            t->bad++;
            continue;
        }
        cJSON *top =
            restrict_to(want, (const char *const[]){ "accuracy", "labels", "support", NULL });
        t->bad += compare(top, out, id);
        t->bad += compare(cJSON_GetObjectItemCaseSensitive(want, blocks[b]), out, id);
        cJSON_Delete(top);
        cJSON_Delete(out);
    }
    t->n++;
}

static void test_audit_scorefile__golden_classification(void)
{
    tally t = { 0, 0 };
    each_golden("classification.jsonl", classification_line, &t);
    CU_ASSERT_EQUAL(t.bad, 0);
    CU_ASSERT_EQUAL(t.n, 59);
}

static void perplexity_line(const cJSON *line, void *payload)
{
    tally *t = payload;
    char path[600];
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(line, "expected");
    const char *id = fs_json__str(line, "id");
    const char *kv[] = { "log_base=e", NULL };
    fs_error err;
    tmp_path(path, sizeof path, "golden-ppl.jsonl");
    CU_ASSERT_FATAL(
        write_items(path, cJSON_GetObjectItemCaseSensitive(
                              cJSON_GetObjectItemCaseSensitive(line, "input"), "items")));
    cJSON *out = run(FS_SCOREFILE_LANGUAGE_MODELING, path, NULL, kv, true, &err);
    if (out == NULL) {
        fprintf(stderr, "\n%s: %s\n", id, err.msg);
        t->bad++;
        return;
    }
    t->bad += compare(cJSON_GetObjectItemCaseSensitive(want, "corpus"), out, id);
    t->bad += compare(cJSON_GetObjectItemCaseSensitive(want, "per_sequence"),
                      cJSON_GetObjectItemCaseSensitive(out, "per_item"), id);
    cJSON_Delete(out);
    t->n++;
}

static void test_audit_scorefile__golden_perplexity(void)
{
    tally t = { 0, 0 };
    each_golden("perplexity.jsonl", perplexity_line, &t);
    CU_ASSERT_EQUAL(t.bad, 0);
    CU_ASSERT_EQUAL(t.n, 42);
}

/* ---- behaviour ---------------------------------------------------------------------- */

static const char translations[] =
    "{\"prediction\": \"The cat sat on the mat.\", \"references\": [\"The cat is sitting on "
    "the mat.\"], \"id\": \"a\"}\n"
    "\n"
    "{\"prediction\": \"東京は大きい都市です。\", \"references\": [\"東京は大都市です。\", "
    "\"東京は大きな町です。\"], \"id\": 7}\n"
    "{\"prediction\": \"Ça va très bien 😀\", \"references\": [\"ça va très bien 😀\"]}\n"
    "{\"prediction\": \"a b c\", \"references\": [\"a b c d\"]}\n";

static void test_audit_scorefile__metric_selection(void)
{
    char path[600];
    fs_error err;
    CU_ASSERT_FATAL(write_text(tmp_path(path, sizeof path, "tr.jsonl"), translations));
    cJSON *all = run(FS_SCOREFILE_TRANSLATION, path, NULL, NULL, false, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(all);
    CU_ASSERT_STRING_EQUAL(fs_json__str(all, "task"), "translation");
    CU_ASSERT_EQUAL(cJSON_GetObjectItemCaseSensitive(all, "n")->valueint, 4); /* blank skipped */
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItemCaseSensitive(all, "bleu"));
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItemCaseSensitive(all, "chrf"));
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(all, "per_item"));
    cJSON *chrf = run(FS_SCOREFILE_TRANSLATION, path, "chrf", NULL, false, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chrf);
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(chrf, "bleu"));
    CU_ASSERT_EQUAL(compare(cJSON_GetObjectItemCaseSensitive(all, "chrf"),
                            cJSON_GetObjectItemCaseSensitive(chrf, "chrf"), "chrf"),
                    0);
    cJSON_Delete(all);
    cJSON_Delete(chrf);

    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_TRANSLATION, path, "bleu,blue", NULL, false, &err));
    CU_ASSERT_EQUAL(err.code, FS_ERR_USAGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "--metrics: unknown metric 'blue' for task translation; did "
                                    "you mean 'bleu'? (bleu, chrf)");
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_TRANSLATION, path, "rougeL", NULL, false, &err));
    CU_ASSERT_STRING_EQUAL(err.msg, "--metrics: 'rougeL' is a metric of task summarization, not "
                                    "translation (metrics of translation: bleu, chrf)");
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_TRANSLATION, path, "bleu,", NULL, false, &err));
    CU_ASSERT_STRING_EQUAL(err.msg, "--metrics: empty metric name in 'bleu,'");
}

static void test_audit_scorefile__per_item_translation(void)
{
    char path[600];
    fs_error err;
    CU_ASSERT_FATAL(write_text(tmp_path(path, sizeof path, "tr.jsonl"), translations));
    cJSON *out = run(FS_SCOREFILE_TRANSLATION, path, NULL, NULL, true, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(out, "per_item");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(items), 4);
    const cJSON *first = cJSON_GetArrayItem(items, 0), *second = cJSON_GetArrayItem(items, 1);
    CU_ASSERT_EQUAL(cJSON_GetObjectItemCaseSensitive(first, "line")->valueint, 1);
    CU_ASSERT_STRING_EQUAL(fs_json__str(first, "id"), "a");
    CU_ASSERT_EQUAL(cJSON_GetObjectItemCaseSensitive(second, "line")->valueint, 3);
    CU_ASSERT_EQUAL(cJSON_GetObjectItemCaseSensitive(second, "id")->valueint, 7);
    /* 13a tokens "The cat sat on the mat ." against "The cat is sitting on the mat ." */
    cJSON *want = NULL;
    static const char stats[] = "{\"counts\":[6,4,2,1],\"totals\":[7,6,5,4],\"sys_len\":7,"
                                "\"ref_len\":8}";
    CU_ASSERT_EQUAL_FATAL(fs_json__parse(&want, stats, sizeof stats - 1, NULL, NULL), FS_OK);
    CU_ASSERT_EQUAL(compare(want, cJSON_GetObjectItemCaseSensitive(first, "bleu"), "bleu"), 0);
    cJSON_Delete(want);
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItemCaseSensitive(first, "chrf"));
    /* "a b c" has no 4-gram: with sentence BLEU's effective order the score is the
     * brevity penalty exp(1 - 4/3) times 100; without it, (almost) 0 */
    const cJSON *last = cJSON_GetArrayItem(items, 3);
    double eff =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(last, "bleu"), "score")
            ->valuedouble;
    CU_ASSERT(close_to(eff, 100.0 * exp(1.0 - 4.0 / 3.0)));
    cJSON_Delete(out);
    const char *kv[] = { "effective_order=false", NULL };
    out = run(FS_SCOREFILE_TRANSLATION, path, "bleu", kv, true, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    last = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "per_item"), 3);
    double plain =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(last, "bleu"), "score")
            ->valuedouble;
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(last, "chrf"));
    CU_ASSERT(plain < 1e-6);
    cJSON_Delete(out);
}

static void test_audit_scorefile__params(void)
{
    char path[600];
    fs_error err;
    CU_ASSERT_FATAL(write_text(tmp_path(path, sizeof path, "tr.jsonl"), translations));
    const char *lower[] = { "lowercase=true", NULL };
    cJSON *a = run(FS_SCOREFILE_TRANSLATION, path, NULL, NULL, false, &err);
    cJSON *b = run(FS_SCOREFILE_TRANSLATION, path, NULL, lower, false, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    /* lowercasing reaches both BLEU and chrF: "Ça" then matches "ça" */
    const cJSON *ca = cJSON_GetObjectItemCaseSensitive(a, "bleu");
    const cJSON *cb = cJSON_GetObjectItemCaseSensitive(b, "bleu");
    CU_ASSERT_EQUAL(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cb, "counts"), 0)->valueint,
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ca, "counts"), 0)->valueint + 1);
    double chrf_a =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "chrf"), "score")
            ->valuedouble;
    double chrf_b =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "chrf"), "score")
            ->valuedouble;
    CU_ASSERT(chrf_b > chrf_a);
    cJSON_Delete(a);
    cJSON_Delete(b);

    const char *typo[] = { "tokenise=13a", NULL };
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_TRANSLATION, path, NULL, typo, false, &err));
    CU_ASSERT_EQUAL(err.code, FS_ERR_USAGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "--param tokenise: not an option of task translation; did you "
                                    "mean 'tokenize'?");
    const char *value[] = { "smooth_method=laplace", NULL };
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_TRANSLATION, path, NULL, value, false, &err));
    CU_ASSERT_EQUAL(err.code, FS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--param: smooth_method: unknown value 'laplace'"));
    const char *order[] = { "char_order=0", "word_order=0", NULL };
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_TRANSLATION, path, NULL, order, false, &err));
    CU_ASSERT_STRING_EQUAL(err.msg, "--param: char_order and word_order are both 0");
    const char *qa[] = { "use_stemmer=true", NULL };
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_QA, path, NULL, qa, false, &err));
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "--param use_stemmer: not an option of task qa (it takes none)");
    const char *split[] = { "split_summaries=true", NULL };
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_SUMMARIZATION, path, NULL, split, false, &err));
    CU_ASSERT_EQUAL(err.code, FS_ERR_CONFIG);
    const char *base[] = { "log_base=3", NULL };
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_LANGUAGE_MODELING, path, NULL, base, false, &err));
    CU_ASSERT_STRING_EQUAL(err.msg, "--param: log_base: unknown value '3' (supported: e, 2, 10)");
    const char *zd[] = { "zero_division=2", NULL };
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_CLASSIFICATION, path, NULL, zd, false, &err));
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "--param: zero_division: unknown value '2' (supported: 0, 1, warn)");
    const char *labels[] = { "labels=[\"a\",\"a\"]", NULL };
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_CLASSIFICATION, path, NULL, labels, false, &err));
    CU_ASSERT_STRING_EQUAL(err.msg, "--param: labels: 'a' is listed twice");
    const char *mixed[] = { "labels=[\"a\",1]", NULL };
    CU_ASSERT_PTR_NULL(run(FS_SCOREFILE_CLASSIFICATION, path, NULL, mixed, false, &err));
    CU_ASSERT_STRING_EQUAL(err.msg, "--param: labels: expected a string like the labels before "
                                    "it, got number");
}

/* An explicit label list that leaves out a gold label: the left-out class counts for
 * accuracy and as a false positive target, never in the per-class arrays or averages
 * (scikit-learn: precision_recall_fscore_support(y, p, labels=["a", "b"])). */
static void test_audit_scorefile__labels_subset(void)
{
    char path[600];
    fs_error err;
    static const char text[] = "{\"label\": \"a\", \"prediction\": \"a\"}\n"
                               "{\"label\": \"a\", \"prediction\": \"c\"}\n"
                               "{\"label\": \"b\", \"prediction\": \"b\"}\n"
                               "{\"label\": \"c\", \"prediction\": \"b\"}\n"
                               "{\"label\": \"c\", \"prediction\": \"c\"}\n"
                               "{\"label\": \"b\", \"prediction\": null}\n";
    CU_ASSERT_FATAL(write_text(tmp_path(path, sizeof path, "subset.jsonl"), text));
    const char *kv[] = { "labels=[\"b\",\"a\"]", NULL };
    cJSON *out = run(FS_SCOREFILE_CLASSIFICATION, path,
                     "accuracy,per_class,macro,micro,weighted,"
                     "confusion_matrix",
                     kv, true, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    /* b: tp 1, predicted 2, support 2; a: tp 1, predicted 1, support 2 */
    static const char want_text[] =
        "{\"accuracy\":0.5,\"n_unparsed\":1,\"labels\":[\"b\",\"a\"],\"support\":[2,2],"
        "\"per_class\":{\"precision\":[0.5,1],\"recall\":[0.5,0.5],"
        "\"f1\":[0.5,0.6666666666666666]},"
        "\"macro\":{\"precision\":0.75,\"recall\":0.5,\"f1\":0.5833333333333333},"
        "\"micro\":{\"precision\":0.6666666666666666,\"recall\":0.5,"
        "\"f1\":0.5714285714285715},"
        "\"weighted\":{\"precision\":0.75,\"recall\":0.5,\"f1\":0.5833333333333333},"
        "\"confusion_matrix\":[[1,0],[0,1]]}";
    cJSON *want = NULL;
    CU_ASSERT_EQUAL_FATAL(fs_json__parse(&want, want_text, sizeof want_text - 1, NULL, NULL),
                          FS_OK);
    CU_ASSERT_EQUAL(compare(want, out, "subset"), 0);
    const cJSON *last = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "per_item"), 5);
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(last, "prediction")));
    CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(last, "correct")));
    cJSON_Delete(want);
    cJSON_Delete(out);
}

static void test_audit_scorefile__qa_and_language_modeling(void)
{
    char path[600];
    fs_error err;
    static const char qa[] = "{\"prediction\": \"the Eiffel Tower\", \"references\": [\"Eiffel "
                             "Tower\", \"tower\"]}\n"
                             "{\"prediction\": null, \"references\": [\"Paris\"]}\n";
    CU_ASSERT_FATAL(write_text(tmp_path(path, sizeof path, "qa.jsonl"), qa));
    cJSON *out = run(FS_SCOREFILE_QA, path, NULL, NULL, true, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    static const char want_qa[] =
        "{\"exact_match\":50,\"f1\":50,\"total\":2,\"per_item\":[{\"line\":1,\"exact_match\":1,"
        "\"f1\":1},{\"line\":2,\"exact_match\":0,\"f1\":0,\"answered\":false}]}";
    cJSON *want = NULL;
    CU_ASSERT_EQUAL_FATAL(fs_json__parse(&want, want_qa, sizeof want_qa - 1, NULL, NULL), FS_OK);
    CU_ASSERT_EQUAL(compare(want, out, "qa"), 0);
    cJSON_Delete(want);
    cJSON_Delete(out);

    /* base-2 log-probabilities; per-word and per-byte figures from the text */
    static const char lm[] = "{\"logprobs\": [-1, -1], \"text\": \"été 東\"}\n"
                             "{\"logprobs\": [], \"text\": \"\"}\n";
    CU_ASSERT_FATAL(write_text(tmp_path(path, sizeof path, "lm.jsonl"), lm));
    const char *kv[] = { "log_base=2", NULL };
    out = run(FS_SCOREFILE_LANGUAGE_MODELING, path,
              "perplexity,word_perplexity,byte_perplexity,bits_per_byte", kv, true, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT(close_to(cJSON_GetObjectItemCaseSensitive(out, "perplexity")->valuedouble, 2.0));
    CU_ASSERT(close_to(cJSON_GetObjectItemCaseSensitive(out, "word_perplexity")->valuedouble, 2.0));
    CU_ASSERT(
        close_to(cJSON_GetObjectItemCaseSensitive(out, "bits_per_byte")->valuedouble, 2.0 / 9.0));
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(out, "n_tokens"));
    const cJSON *empty = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "per_item"), 1);
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(empty, "perplexity")));
    cJSON_Delete(out);
}

typedef struct bad_case {
    fs_scorefile_task task;
    const char *text;
    const char *tail; /* the message after "<path>:" */
} bad_case;

static const bad_case bad_cases[] = {
    { FS_SCOREFILE_TRANSLATION, "{\"prediction\": \"x\", \"references\": [\"x\"]}\n{oops}\n",
      "2: invalid JSON" },
    { FS_SCOREFILE_TRANSLATION, "\n[1, 2]\n", "2: expected a JSON object, got array" },
    { FS_SCOREFILE_TRANSLATION, "{\"references\": [\"x\"]}\n", "1: prediction: missing field" },
    { FS_SCOREFILE_TRANSLATION, "{\"prediction\": null, \"references\": [\"x\"]}\n",
      "1: prediction: expected a string, got null" },
    { FS_SCOREFILE_SUMMARIZATION, "{\"prediction\": \"x\", \"references\": \"x\"}\n",
      "1: references: expected an array of strings, got string" },
    { FS_SCOREFILE_QA, "{\"prediction\": \"x\", \"references\": []}\n",
      "1: references: empty array: at least one reference is needed" },
    { FS_SCOREFILE_QA, "{\"prediction\": 3, \"references\": [\"x\"]}\n",
      "1: prediction: expected a string or null, got number" },
    { FS_SCOREFILE_TRANSLATION, "{\"prediction\": \"x\", \"references\": [\"x\", null]}\n",
      "1: references[1]: expected a string, got null" },
    { FS_SCOREFILE_TRANSLATION, "{\"prediction\": \"\xff\", \"references\": [\"x\"]}\n",
      "1: prediction: invalid UTF-8" },
    { FS_SCOREFILE_TRANSLATION, "{\"prediction\": \"a\\u0000b\", \"references\": [\"x\"]}\n",
      "1: contains a NUL character" },
    { FS_SCOREFILE_CLASSIFICATION, "{\"label\": true, \"prediction\": \"a\"}\n",
      "1: label: expected a string or number, got boolean" },
    { FS_SCOREFILE_CLASSIFICATION,
      "{\"label\": \"a\", \"prediction\": \"a\"}\n{\"label\": 1, \"prediction\": 1}\n",
      "2: label: expected a string like the labels before it, got number" },
    { FS_SCOREFILE_CLASSIFICATION, "{\"label\": \"a\", \"prediction\": [\"a\"]}\n",
      "1: prediction: expected a string or number (or null), got array" },
    { FS_SCOREFILE_CLASSIFICATION, "{\"label\": \"a\"}\n", "1: prediction: missing field" },
    { FS_SCOREFILE_LANGUAGE_MODELING, "{\"logprobs\": [-1, 0.5]}\n",
      "1: logprobs[1]: a log-probability must be <= 0, got 0.5" },
    { FS_SCOREFILE_LANGUAGE_MODELING, "{\"logprobs\": [-1, \"x\"]}\n",
      "1: logprobs[1]: expected a number (or \"-inf\"), got string" },
    { FS_SCOREFILE_LANGUAGE_MODELING, "{\"logprobs\": [-1], \"text\": 5}\n",
      "1: text: expected a string, got number" },
    { FS_SCOREFILE_TRANSLATION, "\n  \n", " no items to score (the file has no JSON line)" },
};

static void test_audit_scorefile__bad_lines(void)
{
    static const char ok_tr[] = "{\"prediction\": \"x\", \"references\": [\"x\"]}\n";
    char path[600], want[1024];
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        fs_error err;
        tmp_path(path, sizeof path, "bad.jsonl");
        CU_ASSERT_FATAL(write_text(path, bad_cases[i].text));
        CU_ASSERT_PTR_NULL(run(bad_cases[i].task, path, NULL, NULL, true, &err));
        CU_ASSERT_EQUAL(err.code, FS_ERR_INPUT);
        snprintf(want, sizeof want, "%s:%s", path, bad_cases[i].tail);
        if (strcmp(err.msg, want) != 0) {
            fprintf(stderr, "\ncase %zu: want \"%s\", got \"%s\"\n", i, want, err.msg);
        }
        CU_ASSERT_STRING_EQUAL(err.msg, want);
    }
    /* text is required by the text-normalised metrics */
    fs_error err;
    CU_ASSERT_FATAL(write_text(path, "{\"logprobs\": [-1]}\n"));
    CU_ASSERT_PTR_NULL(
        run(FS_SCOREFILE_LANGUAGE_MODELING, path, "bits_per_byte", NULL, false, &err));
    snprintf(want, sizeof want, "%s:1: text: missing field", path);
    CU_ASSERT_STRING_EQUAL(err.msg, want);
    /* a line over the limit, and a file that does not exist */
    CU_ASSERT_FATAL(write_text(path, ok_tr));
    fs_scorefile_opts o = FS_SCOREFILE_OPTS_INIT;
    fs_buf out;
    fs_buf_init(&out, 0);
    o.task = FS_SCOREFILE_TRANSLATION;
    o.max_line_bytes = 10;
    CU_ASSERT_EQUAL(fs_scorefile_run(&out, path, &o, &err), FS_ERR_INPUT);
    snprintf(want, sizeof want, "%s:1: line longer than 10 bytes", path);
    CU_ASSERT_STRING_EQUAL(err.msg, want);
    o.max_line_bytes = 0;
    tmp_path(path, sizeof path, "absent.jsonl");
    CU_ASSERT_EQUAL(fs_scorefile_run(&out, path, &o, &err), FS_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "absent.jsonl: cannot open: "));
    CU_ASSERT_EQUAL(out.len, 0);
    fs_buf_dispose(&out);
}

static void test_audit_scorefile__task_names(void)
{
    fs_scorefile_task t = FS_SCOREFILE_QA;
    CU_ASSERT_TRUE(fs_scorefile_task_parse("language-modeling", &t));
    CU_ASSERT_EQUAL(t, FS_SCOREFILE_LANGUAGE_MODELING);
    CU_ASSERT_FALSE(fs_scorefile_task_parse("generation", &t));
    CU_ASSERT_FALSE(fs_scorefile_task_parse(NULL, &t));
    CU_ASSERT_EQUAL(t, FS_SCOREFILE_LANGUAGE_MODELING);
    CU_ASSERT_STRING_EQUAL(fs_scorefile_task_name(FS_SCOREFILE_SUMMARIZATION), "summarization");
    CU_ASSERT_PTR_NULL(fs_scorefile_task_name((fs_scorefile_task)9));
    size_t n = 0, defaults = 0;
    const fs_scorefile_metric *m = fs_scorefile_metrics(FS_SCOREFILE_LANGUAGE_MODELING, &n);
    CU_ASSERT_EQUAL_FATAL(n, 8);
    for (size_t i = 0; i < n; i++) {
        defaults += m[i].is_default;
    }
    CU_ASSERT_EQUAL(defaults, 5);
    CU_ASSERT_PTR_NULL(fs_scorefile_metrics((fs_scorefile_task)9, &n));
    CU_ASSERT_EQUAL(n, 0);
}

const fs_test_case fs_audit_scorefile_tests[] = {
    { "test_audit_scorefile__golden_bleu", test_audit_scorefile__golden_bleu },
    { "test_audit_scorefile__golden_chrf", test_audit_scorefile__golden_chrf },
    { "test_audit_scorefile__golden_rouge", test_audit_scorefile__golden_rouge },
    { "test_audit_scorefile__golden_squad", test_audit_scorefile__golden_squad },
    { "test_audit_scorefile__golden_classification", test_audit_scorefile__golden_classification },
    { "test_audit_scorefile__golden_perplexity", test_audit_scorefile__golden_perplexity },
    { "test_audit_scorefile__metric_selection", test_audit_scorefile__metric_selection },
    { "test_audit_scorefile__per_item_translation", test_audit_scorefile__per_item_translation },
    { "test_audit_scorefile__params", test_audit_scorefile__params },
    { "test_audit_scorefile__labels_subset", test_audit_scorefile__labels_subset },
    { "test_audit_scorefile__qa_and_language_modeling",
      test_audit_scorefile__qa_and_language_modeling },
    { "test_audit_scorefile__bad_lines", test_audit_scorefile__bad_lines },
    { "test_audit_scorefile__task_names", test_audit_scorefile__task_names },
    { NULL, NULL },
};
