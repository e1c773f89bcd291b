/* The score-file command's library side: read a JSON Lines file of existing predictions,
 * one item per line, and score it with one task's metrics (`fairshake score`).
 *
 * Invariants: the file is streamed one line at a time (a line at most max_line_bytes);
 * corpus figures come from running sufficient statistics (BLEU and chrF n-gram counts,
 * ROUGE, SQuAD and perplexity sums), so memory does not grow with the file except for
 * classification, which keeps two label indices per item to build scikit-learn's class
 * list at the end, and for the per-item objects when they are asked for. The first bad
 * line stops the scoring with "path:line: field: problem"; nothing is appended to the
 * output unless every line was scored. Every metric keeps its reference implementation's
 * scale: BLEU and chrF 0-100, ROUGE and classification 0-1, the SQuAD corpus figures
 * 0-100 (per item, the script's 0/1 exact match and 0-1 F1). */
#include "fairshake/scorefile.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "fairshake/score.h"
#include "scorefile_int.h"

#define SF_CHUNK    65536
#define SF_MAX_LINE ((size_t)16 << 20)

static const fs_scorefile_metric class_metrics[] = {
    { "accuracy", true, "share of items whose prediction equals the label" },
    { "per_class", true, "precision, recall and F1 of each class" },
    { "macro", true, "unweighted mean of the per-class values" },
    { "micro", true, "precision, recall and F1 of the pooled counts" },
    { "weighted", true, "per-class values weighted by support" },
    { "confusion_matrix", false, "counts by gold label (rows) and prediction (columns)" },
};
static const fs_scorefile_metric qa_metrics[] = {
    { "exact_match", true, "SQuAD v1.1 exact match after answer normalisation (0-100)" },
    { "f1", true, "SQuAD v1.1 token F1, best over the gold answers (0-100)" },
};
static const fs_scorefile_metric summ_metrics[] = {
    { "rouge1", true, "unigram overlap (rouge-score)" },
    { "rouge2", true, "bigram overlap" },
    { "rougeL", true, "longest common subsequence" },
    { "rougeLsum", true, "summary-level LCS over the lines of the texts" },
};
static const fs_scorefile_metric trans_metrics[] = {
    { "bleu", true, "corpus BLEU as sacreBLEU computes it (0-100)" },
    { "chrf", true, "corpus chrF (chrF++ with word_order=2), as sacreBLEU (0-100)" },
};
static const fs_scorefile_metric lm_metrics[] = {
    { "n_tokens", true, "tokens scored" },
    { "sum_logprob", true, "sum of the natural-log token probabilities" },
    { "mean_nll", true, "negative log-likelihood per token" },
    { "perplexity", true, "exp(mean_nll), token-weighted over the corpus" },
    { "mean_perplexity", true, "plain mean of the per-item perplexities" },
    { "word_perplexity", false, "exp(-sum / words of \"text\")" },
    { "byte_perplexity", false, "exp(-sum / UTF-8 bytes of \"text\")" },
    { "bits_per_byte", false, "-sum / (bytes of \"text\" * ln 2)" },
};
enum { LM_N_TOKENS = 0, LM_SUM, LM_NLL, LM_PPL, LM_MEAN_PPL, LM_WORD, LM_BYTE, LM_BPB };

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const class_params[] = { "zero_division", "labels" };
static const char *const rouge_params[] = { "use_stemmer", "split_summaries" };
static const char *const trans_params[] = { "tokenize",   "smooth_method",   "smooth_value",
                                            "lowercase",  "effective_order", "max_ngram_order",
                                            "char_order", "word_order",      "beta",
                                            "whitespace", "eps_smoothing" };
static const char *const lm_params[] = { "log_base" };

static const struct {
    const fs_scorefile_metric *metrics;
    size_t n_metrics;
    const char *const *params;
    size_t n_params;
} tasks[] = {
    { class_metrics, N_OF(class_metrics), class_params, N_OF(class_params) },
    { qa_metrics, N_OF(qa_metrics), NULL, 0 },
    { summ_metrics, N_OF(summ_metrics), rouge_params, N_OF(rouge_params) },
    { trans_metrics, N_OF(trans_metrics), trans_params, N_OF(trans_params) },
    { lm_metrics, N_OF(lm_metrics), lm_params, N_OF(lm_params) },
};
static const char *const task_names[] = { "classification", "qa", "summarization", "translation",
                                          "language-modeling" };

/* One scoring pass over a file. */
typedef struct sf {
    const char *path;
    fs_scorefile_task task;
    unsigned want; /* bit i: metric i of the task's table */
    bool per_item;
    fs_error *err;

    FILE *f;
    char *chunk;
    size_t pos, len;
    bool eof;
    fs_buf line;
    uint64_t line_no;
    size_t n; /* items scored */
    cJSON *json;
    fs_buf items; /* per-item objects, ",\n"-separated */

    fs_bleu_opts bleu;
    bool effective_order_set;
    fs_chrf_opts chrf;
    fs_rouge_opts rouge;
    double log_scale; /* natural log per unit of the given log-probabilities */

    fs_bleu_scorer *bleu_sc;
    fs_bleu_stats bleu_sum;
    fs_chrf_scorer *chrf_sc;
    fs_chrf_stats chrf_sum;
    fs_rouge_scorer *rouge_sc;
    fs_rouge_sum rouge_sum;
    fs_squad_scorer *squad_sc;
    fs_squad_sum squad_sum;
    fs_perplexity_sum ppl_sum;
    sf_class cls;

    const char **refs;
    size_t *ref_lens;
    size_t cap_refs;
    double *lp;
    size_t cap_lp;
} sf;

bool fs_scorefile_task_parse(const char *name, fs_scorefile_task *out)
{
    for (size_t i = 0; name != NULL && i < N_OF(task_names); i++) {
        if (strcmp(name, task_names[i]) == 0) {
            *out = (fs_scorefile_task)i;
            return true;
        }
    }
    return false;
}

const char *fs_scorefile_task_name(fs_scorefile_task task)
{
    return (size_t)task < N_OF(task_names) ? task_names[task] : NULL;
}

const char *const *fs_scorefile_task_names(size_t *n_out)
{
    *n_out = N_OF(task_names);
    return task_names;
}

const fs_scorefile_metric *fs_scorefile_metrics(fs_scorefile_task task, size_t *n_out)
{
    *n_out = 0;
    if ((size_t)task >= N_OF(tasks)) {
        return NULL;
    }
    *n_out = tasks[task].n_metrics;
    return tasks[task].metrics;
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsNull(v)) {
        return "null";
    }
    if (cJSON_IsBool(v)) {
        return "boolean";
    }
    if (cJSON_IsNumber(v)) {
        return "number";
    }
    if (cJSON_IsString(v)) {
        return "string";
    }
    return cJSON_IsArray(v) ? "array" : "object";
}

/* "path:line: field: <problem>" as FS_ERR_INPUT. */
static fs_status bad(sf *c, const char *field, const char *fmt, ...) FS_PRINTF(3, 4);
static fs_status bad(sf *c, const char *field, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return FS_FAIL(c->err, FS_ERR_INPUT, "%s:%" PRIu64 ": %s: %s", c->path, c->line_no, field,
                   what);
}

static fs_status nomem(sf *c)
{
    return FS_FAIL(c->err, FS_ERR_NOMEM, "%s:%" PRIu64 ": out of memory", c->path, c->line_no);
}

/* ---- options ------------------------------------------------------------------------ */

/* "unknown metric" naming the nearest metric of the task, or the task that has it. */
static fs_status unknown_metric(sf *c, const char *name, const char *const *names, size_t n)
{
    char list[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used < sizeof list; i++) {
        int k = snprintf(list + used, sizeof list - used, "%s%s", i > 0 ? ", " : "", names[i]);
        used += k > 0 ? (size_t)k : 0;
    }
    for (size_t t = 0; t < N_OF(tasks); t++) {
        for (size_t i = 0; t != (size_t)c->task && i < tasks[t].n_metrics; i++) {
            if (strcmp(tasks[t].metrics[i].name, name) == 0) {
                return FS_FAIL(c->err, FS_ERR_USAGE,
                               "--metrics: '%s' is a metric of task %s, not %s (metrics of %s: "
                               "%s)",
                               name, task_names[t], task_names[c->task], task_names[c->task], list);
            }
        }
    }
    const char *near = fs_nearest(name, names, n);
    return FS_FAIL(c->err, FS_ERR_USAGE, "--metrics: unknown metric '%s' for task %s%s%s%s (%s)",
                   name, task_names[c->task], near ? "; did you mean '" : "", near ? near : "",
                   near ? "'?" : "", list);
}

/* The metric list: every name must be one of the task's (or is named with the nearest). */
static fs_status parse_metrics(sf *c, const char *list)
{
    const fs_scorefile_metric *m = tasks[c->task].metrics;
    size_t n = tasks[c->task].n_metrics;
    const char *names[16];
    c->want = 0;
    for (size_t i = 0; i < n; i++) {
        names[i] = m[i].name;
        c->want |= (list == NULL || list[0] == '\0') && m[i].is_default ? 1u << i : 0u;
    }
    for (const char *p = list; p != NULL && list[0] != '\0';) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char name[64];
        if (len == 0) {
            return FS_FAIL(c->err, FS_ERR_USAGE, "--metrics: empty metric name in '%s'", list);
        }
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        size_t i = 0;
        while (i < n && strcmp(names[i], name) != 0) {
            i++;
        }
        if (i == n) {
            return unknown_metric(c, name, names, n);
        }
        c->want |= 1u << i;
        p = comma != NULL ? comma + 1 : NULL;
    }
    return FS_OK;
}

static fs_status set_log_base(sf *c, const char *value)
{
    if (strcmp(value, "e") == 0) {
        c->log_scale = 1.0;
    } else if (strcmp(value, "2") == 0) {
        c->log_scale = log(2.0);
    } else if (strcmp(value, "10") == 0) {
        c->log_scale = log(10.0);
    } else {
        return FS_FAIL(c->err, FS_ERR_CONFIG, "log_base: unknown value '%s' (supported: e, 2, 10)",
                       value);
    }
    return FS_OK;
}

static fs_status set_zero_division(sf *c, const char *value)
{
    if (strcmp(value, "0") == 0 || strcmp(value, "warn") == 0) {
        c->cls.zero_division = 0.0;
    } else if (strcmp(value, "1") == 0) {
        c->cls.zero_division = 1.0;
    } else {
        return FS_FAIL(c->err, FS_ERR_CONFIG,
                       "zero_division: unknown value '%s' (supported: 0, 1, warn)", value);
    }
    return FS_OK;
}

static bool is_chrf_key(const char *key)
{
    static const char *const keys[] = { "char_order", "word_order", "beta",
                                        "lowercase",  "whitespace", "eps_smoothing" };
    for (size_t i = 0; i < N_OF(keys); i++) {
        if (strcmp(key, keys[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* One --param: checked against the task's option names, then given to the metric. */
static fs_status apply_param(sf *c, const char *key, const char *value)
{
    size_t np = tasks[c->task].n_params, i = 0;
    const char *const *names = tasks[c->task].params;
    while (i < np && strcmp(names[i], key) != 0) {
        i++;
    }
    if (i == np) {
        const char *near = np > 0 ? fs_nearest(key, names, np) : NULL;
        return FS_FAIL(c->err, FS_ERR_USAGE, "--param %s: not an option of task %s%s%s%s%s", key,
                       task_names[c->task], np == 0 ? " (it takes none)" : "",
                       near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
    fs_status st = FS_OK;
    switch (c->task) {
    case FS_SCOREFILE_CLASSIFICATION:
        st = strcmp(key, "labels") == 0 ? fs_scorefile__class_set_labels(&c->cls, value, c->err)
                                        : set_zero_division(c, value);
        break;
    case FS_SCOREFILE_SUMMARIZATION:
        st = fs_rouge_opts_set(&c->rouge, key, value, c->err);
        break;
    case FS_SCOREFILE_TRANSLATION:
        if (!is_chrf_key(key) || strcmp(key, "lowercase") == 0) {
            st = fs_bleu_opts_set(&c->bleu, key, value, c->err);
            c->effective_order_set |= strcmp(key, "effective_order") == 0;
        }
        if (st == FS_OK && is_chrf_key(key)) {
            st = fs_chrf_opts_set(&c->chrf, key, value, c->err);
        }
        break;
    default:
        st = set_log_base(c, value);
        break;
    }
    if (st != FS_OK) {
        fs_error_prefix(c->err, "--param");
    }
    return st;
}

static fs_status apply_params(sf *c, const fs_params *params)
{
    fs_status st = FS_OK;
    for (size_t i = 0; params != NULL && st == FS_OK && i < params->count; i++) {
        st = apply_param(c, params->keys[i], params->values[i]);
    }
    if (st == FS_OK && c->task == FS_SCOREFILE_TRANSLATION) {
        st = fs_bleu_opts_check(&c->bleu, c->err);
        st = st == FS_OK ? fs_chrf_opts_check(&c->chrf, c->err) : st;
        if (st != FS_OK) {
            fs_error_prefix(c->err, "--param");
        }
    }
    return st;
}

/* The scorers the chosen metrics need. */
static fs_status open_scorers(sf *c)
{
    switch (c->task) {
    case FS_SCOREFILE_QA:
        return fs_squad_scorer_new(&c->squad_sc, c->err);
    case FS_SCOREFILE_SUMMARIZATION:
        return fs_rouge_scorer_new(&c->rouge_sc, &c->rouge, c->err);
    case FS_SCOREFILE_TRANSLATION: {
        fs_status st = FS_OK;
        if (c->want & 1u) {
            st = fs_bleu_scorer_new(&c->bleu_sc, &c->bleu, c->err);
        }
        if (st == FS_OK && (c->want & 2u)) {
            st = fs_chrf_scorer_new(&c->chrf_sc, &c->chrf, c->err);
        }
        return st;
    }
    default:
        return FS_OK;
    }
}

/* ---- reading ------------------------------------------------------------------------ */

/* Read the next line (without LF or CRLF) into c->line; false at the end of the file. */
static bool read_line(sf *c)
{
    bool got = false;
    fs_buf_reset(&c->line);
    for (;;) {
        if (c->pos == c->len) {
            c->len = c->eof ? 0 : fread(c->chunk, 1, SF_CHUNK, c->f);
            c->pos = 0;
            c->eof = c->len == 0;
            if (c->eof) {
                break;
            }
        }
        got = true;
        const char *start = c->chunk + c->pos;
        const char *nl = memchr(start, '\n', c->len - c->pos);
        size_t k = nl != NULL ? (size_t)(nl - start) : c->len - c->pos;
        fs_buf_append(&c->line, start, k);
        c->pos += k + (nl != NULL);
        if (nl != NULL) {
            break;
        }
    }
    if (got) {
        c->line_no++;
        if (c->line.len > 0 && c->line.data[c->line.len - 1] == '\r') {
            c->line.data[--c->line.len] = '\0';
        }
    }
    return got;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t') {
            return false;
        }
    }
    return true;
}

/* true when the JSON text s[0..n) holds a \u0000 escape (cJSON would cut the string). */
static bool has_nul_escape(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '\\') {
            if (s[i + 1] == 'u' && i + 5 < n && memcmp(s + i + 2, "0000", 4) == 0) {
                return true;
            }
            i++; /* skip the escaped character */
        }
    }
    return false;
}

/* Parse the current line into c->json, which must be an object. */
static fs_status parse_line(sf *c)
{
    const char *s = fs_buf_cstr(&c->line);
    size_t n = c->line.len;
    if (c->line_no == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        n -= 3;
    }
    if (memchr(s, '\0', n) != NULL || has_nul_escape(s, n)) {
        return FS_FAIL(c->err, FS_ERR_INPUT, "%s:%" PRIu64 ": contains a NUL character", c->path,
                       c->line_no);
    }
    fs_error local = { 0 };
    if (fs_json__parse(&c->json, s, n, NULL, &local) != FS_OK) {
        return FS_FAIL(c->err, FS_ERR_INPUT, "%s:%" PRIu64 ": invalid JSON", c->path, c->line_no);
    }
    if (!cJSON_IsObject(c->json)) {
        return FS_FAIL(c->err, FS_ERR_INPUT, "%s:%" PRIu64 ": expected a JSON object, got %s",
                       c->path, c->line_no, type_name(c->json));
    }
    return FS_OK;
}

/* A string member (NULL for JSON null when nullable). */
static fs_status get_text(sf *c, const char *field, bool nullable, const char **out, size_t *len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->json, field);
    *out = NULL;
    *len = 0;
    if (v == NULL) {
        return bad(c, field, "missing field");
    }
    if (nullable && cJSON_IsNull(v)) {
        return FS_OK;
    }
    if (!cJSON_IsString(v)) {
        return bad(c, field, "expected a string%s, got %s", nullable ? " or null" : "",
                   type_name(v));
    }
    *out = v->valuestring;
    *len = strlen(*out);
    return fs_text_valid_utf8(*out, *len) ? FS_OK : bad(c, field, "invalid UTF-8");
}

/* The "references" array (at least one string) into c->refs / c->ref_lens. */
static fs_status get_refs(sf *c, size_t *n_out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->json, "references");
    *n_out = 0;
    if (v == NULL) {
        return bad(c, "references", "missing field");
    }
    if (!cJSON_IsArray(v)) {
        return bad(c, "references", "expected an array of strings, got %s", type_name(v));
    }
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0, cap = c->cap_refs;
    if (n == 0) {
        return bad(c, "references", "empty array: at least one reference is needed");
    }
    if (!fs_audit__grow((void **)&c->refs, &cap, n, sizeof *c->refs) ||
        !fs_audit__grow((void **)&c->ref_lens, &c->cap_refs, n, sizeof *c->ref_lens)) {
        return nomem(c);
    }
    for (const cJSON *e = v->child; e != NULL && i < n; e = e->next, i++) {
        char field[48];
        snprintf(field, sizeof field, "references[%zu]", i);
        if (!cJSON_IsString(e)) {
            return bad(c, field, "expected a string, got %s", type_name(e));
        }
        c->refs[i] = e->valuestring;
        c->ref_lens[i] = strlen(e->valuestring);
        if (!fs_text_valid_utf8(c->refs[i], c->ref_lens[i])) {
            return bad(c, field, "invalid UTF-8");
        }
    }
    *n_out = n;
    return FS_OK;
}

/* Prefix a metric's own error with the file and line. */
static fs_status at_line(sf *c, fs_status st)
{
    if (st != FS_OK) {
        fs_error_prefix(c->err, "%s:%" PRIu64, c->path, c->line_no);
    }
    return st;
}

/* ---- per line ----------------------------------------------------------------------- */

/* Open the per-item object of the current line: {"line":N[,"id":...] */
static void item_open(sf *c)
{
    fs_buf *b = &c->items;
    fs_buf_puts(b, c->n > 0 ? ",\n" : "");
    fs_buf_printf(b, "{\"line\":%" PRIu64, c->line_no);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(c->json, "id");
    if (cJSON_IsString(id)) {
        fs_buf_puts(b, ",\"id\":");
        fs_buf_put_json_string(b, id->valuestring, strlen(id->valuestring));
    } else if (cJSON_IsNumber(id)) {
        fs_buf_puts(b, ",\"id\":");
        fs_buf_put_double(b, id->valuedouble);
    }
}

static fs_status line_classification(sf *c)
{
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(c->json, "label");
    const cJSON *pred = cJSON_GetObjectItemCaseSensitive(c->json, "prediction");
    fs_status st = fs_scorefile__class_add(&c->cls, label, pred, c->path, c->line_no, c->err);
    if (st == FS_OK && c->per_item) {
        size_t i = c->cls.n_items - 1;
        item_open(c);
        fs_buf_puts(&c->items, ",\"label\":");
        fs_scorefile__class_put_label(&c->cls, &c->items, c->cls.gold[i]);
        fs_buf_puts(&c->items, ",\"prediction\":");
        fs_scorefile__class_put_label(&c->cls, &c->items, c->cls.pred[i]);
        fs_buf_printf(&c->items, ",\"correct\":%s}",
                      c->cls.pred[i] == c->cls.gold[i] ? "true" : "false");
    }
    return st;
}

static fs_status line_qa(sf *c)
{
    const char *pred = NULL;
    size_t len = 0, n = 0;
    fs_squad_item item = { 0, 0 };
    fs_status st = get_text(c, "prediction", true, &pred, &len);
    st = st == FS_OK ? get_refs(c, &n) : st;
    if (st == FS_OK && pred != NULL) {
        st = at_line(c, fs_squad_scorer_score(c->squad_sc, &item, pred, len, c->refs, c->ref_lens,
                                              n, c->err));
    }
    if (st != FS_OK) {
        return st;
    }
    fs_squad_sum_add(&c->squad_sum, pred != NULL ? &item : NULL);
    if (c->per_item) {
        item_open(c);
        if (c->want & 1u) {
            fs_buf_puts(&c->items, ",\"exact_match\":");
            fs_scorefile__put_num(&c->items, item.exact_match);
        }
        if (c->want & 2u) {
            fs_buf_puts(&c->items, ",\"f1\":");
            fs_scorefile__put_num(&c->items, item.f1);
        }
        fs_buf_puts(&c->items, pred == NULL ? ",\"answered\":false}" : "}");
    }
    return FS_OK;
}

static void put_rouge(fs_buf *b, const fs_rouge_item *r, unsigned want)
{
    for (unsigned t = 0; t < FS_ROUGE_N_TYPES; t++) {
        if ((want & (1u << t)) == 0) {
            continue;
        }
        fs_buf_printf(b, ",\"%s\":{\"precision\":", fs_rouge_type_name((fs_rouge_type)t));
        fs_scorefile__put_num(b, r->type[t].precision);
        fs_buf_puts(b, ",\"recall\":");
        fs_scorefile__put_num(b, r->type[t].recall);
        fs_buf_puts(b, ",\"fmeasure\":");
        fs_scorefile__put_num(b, r->type[t].fmeasure);
        fs_buf_puts(b, "}");
    }
}

static fs_status line_summarization(sf *c)
{
    const char *pred = NULL;
    size_t len = 0, n = 0;
    fs_rouge_item item;
    fs_status st = get_text(c, "prediction", false, &pred, &len);
    st = st == FS_OK ? get_refs(c, &n) : st;
    if (st == FS_OK) {
        st = at_line(c, fs_rouge_scorer_score(c->rouge_sc, &item, pred, len, c->refs, c->ref_lens,
                                              n, c->err));
    }
    if (st != FS_OK) {
        return st;
    }
    fs_rouge_sum_add(&c->rouge_sum, &item);
    if (c->per_item) {
        item_open(c);
        put_rouge(&c->items, &item, c->want);
        fs_buf_puts(&c->items, "}");
    }
    return FS_OK;
}

/* ,"bleu":{score, counts, totals, precisions, bp, sys_len, ref_len} */
static void put_bleu(fs_buf *b, const fs_bleu_result *r, unsigned order)
{
    const double *arrays[3] = { r->counts, r->totals, r->precisions };
    static const char *const names[3] = { "counts", "totals", "precisions" };
    fs_buf_puts(b, ",\"bleu\":{\"score\":");
    fs_scorefile__put_num(b, r->score);
    for (int a = 0; a < 3; a++) {
        fs_buf_printf(b, ",\"%s\":[", names[a]);
        for (unsigned i = 0; i < order; i++) {
            fs_buf_puts(b, i > 0 ? "," : "");
            fs_scorefile__put_num(b, arrays[a][i]);
        }
        fs_buf_puts(b, "]");
    }
    fs_buf_puts(b, ",\"bp\":");
    fs_scorefile__put_num(b, r->bp);
    fs_buf_printf(b, ",\"sys_len\":%" PRIu64 ",\"ref_len\":%" PRIu64 "}", r->sys_len, r->ref_len);
}

/* The sentence-level scores of one translation: BLEU with sacreBLEU's sentence_bleu
 * default of effective order unless the option was given. */
static fs_status translation_item(sf *c, const fs_bleu_stats *bs, const fs_chrf_stats *cs)
{
    fs_status st = FS_OK;
    item_open(c);
    if (c->want & 1u) {
        fs_bleu_opts o = c->bleu;
        fs_bleu_result r;
        o.effective_order = c->effective_order_set ? c->bleu.effective_order : true;
        st = fs_bleu_score(&r, bs, &o, c->err);
        if (st == FS_OK) {
            put_bleu(&c->items, &r, o.max_ngram_order);
        }
    }
    if (st == FS_OK && (c->want & 2u)) {
        double score = 0;
        st = fs_chrf_score(&score, cs, &c->chrf, c->err);
        fs_buf_puts(&c->items, ",\"chrf\":{\"score\":");
        fs_scorefile__put_num(&c->items, score);
        fs_buf_puts(&c->items, "}");
    }
    fs_buf_puts(&c->items, "}");
    return st;
}

static fs_status line_translation(sf *c)
{
    const char *pred = NULL;
    size_t len = 0, n = 0;
    fs_bleu_stats bs;
    fs_chrf_stats cs;
    memset(&bs, 0, sizeof bs);
    memset(&cs, 0, sizeof cs);
    fs_status st = get_text(c, "prediction", false, &pred, &len);
    st = st == FS_OK ? get_refs(c, &n) : st;
    if (st == FS_OK && c->bleu_sc != NULL) {
        st = at_line(
            c, fs_bleu_scorer_stats(c->bleu_sc, &bs, pred, len, c->refs, c->ref_lens, n, c->err));
    }
    if (st == FS_OK && c->chrf_sc != NULL) {
        st = at_line(
            c, fs_chrf_scorer_stats(c->chrf_sc, &cs, pred, len, c->refs, c->ref_lens, n, c->err));
    }
    if (st != FS_OK) {
        return st;
    }
    fs_bleu_stats_add(&c->bleu_sum, &bs);
    fs_chrf_stats_add(&c->chrf_sum, &cs);
    return c->per_item ? translation_item(c, &bs, &cs) : FS_OK;
}

/* The "logprobs" array into c->lp, scaled to natural logs. */
static fs_status get_logprobs(sf *c, size_t *n_out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->json, "logprobs");
    *n_out = 0;
    if (v == NULL) {
        return bad(c, "logprobs", "missing field");
    }
    if (!cJSON_IsArray(v)) {
        return bad(c, "logprobs", "expected an array of numbers, got %s", type_name(v));
    }
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    if (!fs_audit__grow((void **)&c->lp, &c->cap_lp, n + 1, sizeof *c->lp)) {
        return nomem(c);
    }
    for (const cJSON *e = v->child; e != NULL && i < n; e = e->next, i++) {
        char field[48];
        snprintf(field, sizeof field, "logprobs[%zu]", i);
        if (cJSON_IsString(e) && strcmp(e->valuestring, "-inf") == 0) {
            c->lp[i] = -INFINITY;
        } else if (cJSON_IsNumber(e)) {
            c->lp[i] = e->valuedouble * c->log_scale;
        } else {
            return bad(c, field, "expected a number (or \"-inf\"), got %s", type_name(e));
        }
        if (c->lp[i] > 0.0) {
            return bad(c, field, "a log-probability must be <= 0, got %g", e->valuedouble);
        }
    }
    *n_out = n;
    return FS_OK;
}

static void put_lm(fs_buf *b, unsigned want, const double *v, size_t n_tokens)
{
    for (unsigned i = 0; i < N_OF(lm_metrics); i++) {
        if ((want & (1u << i)) == 0) {
            continue;
        }
        fs_buf_printf(b, ",\"%s\":", lm_metrics[i].name);
        if (i == LM_N_TOKENS) {
            fs_buf_printf(b, "%zu", n_tokens);
        } else {
            fs_scorefile__put_num(b, v[i]);
        }
    }
}

static fs_status line_lm(sf *c)
{
    size_t n = 0, len = 0;
    const char *text = NULL;
    bool needs_text = (c->want & ((1u << LM_WORD) | (1u << LM_BYTE) | (1u << LM_BPB))) != 0;
    fs_status st = get_logprobs(c, &n);
    if (st == FS_OK && (needs_text || cJSON_GetObjectItemCaseSensitive(c->json, "text") != NULL)) {
        st = get_text(c, "text", false, &text, &len);
    }
    fs_perplexity_seq seq;
    if (st == FS_OK) {
        st = at_line(c, fs_perplexity_sum_add(&c->ppl_sum, c->lp, n, text, len, c->err));
    }
    if (st == FS_OK && c->per_item) {
        st = at_line(c, fs_score_perplexity(&seq, c->lp, n, text, len, c->err));
    }
    if (st != FS_OK || !c->per_item) {
        return st;
    }
    const double v[] = { 0,   seq.sum_logprob,     seq.mean_nll,        seq.perplexity,
                         NAN, seq.word_perplexity, seq.byte_perplexity, seq.bits_per_byte };
    item_open(c);
    put_lm(&c->items, c->want & ~(1u << LM_MEAN_PPL), v, seq.n_tokens);
    fs_buf_puts(&c->items, "}");
    return FS_OK;
}

static fs_status score_line(sf *c)
{
    switch (c->task) {
    case FS_SCOREFILE_CLASSIFICATION:
        return line_classification(c);
    case FS_SCOREFILE_QA:
        return line_qa(c);
    case FS_SCOREFILE_SUMMARIZATION:
        return line_summarization(c);
    case FS_SCOREFILE_TRANSLATION:
        return line_translation(c);
    default:
        return line_lm(c);
    }
}

/* ---- corpus ------------------------------------------------------------------------- */

static fs_status put_corpus(sf *c, fs_buf *b)
{
    fs_status st = FS_OK;
    switch (c->task) {
    case FS_SCOREFILE_CLASSIFICATION:
        return fs_scorefile__class_result(&c->cls, b, c->want, c->err);
    case FS_SCOREFILE_QA: {
        double em = NAN, f1 = NAN;
        fs_squad_sum_result(&c->squad_sum, &em, &f1);
        const double v[2] = { em, f1 };
        for (unsigned i = 0; i < 2; i++) {
            if (c->want & (1u << i)) {
                fs_buf_printf(b, ",\"%s\":", qa_metrics[i].name);
                fs_scorefile__put_num(b, v[i]);
            }
        }
        fs_buf_printf(b, ",\"total\":%zu", c->squad_sum.total);
        return FS_OK;
    }
    case FS_SCOREFILE_SUMMARIZATION: {
        fs_rouge_item mean;
        fs_rouge_sum_mean(&c->rouge_sum, &mean);
        put_rouge(b, &mean, c->want);
        return FS_OK;
    }
    case FS_SCOREFILE_TRANSLATION:
        if (c->want & 1u) {
            fs_bleu_result r;
            st = fs_bleu_score(&r, &c->bleu_sum, &c->bleu, c->err);
            if (st == FS_OK) {
                put_bleu(b, &r, c->bleu.max_ngram_order);
            }
        }
        if (st == FS_OK && (c->want & 2u)) {
            double score = 0;
            st = fs_chrf_score(&score, &c->chrf_sum, &c->chrf, c->err);
            fs_buf_puts(b, ",\"chrf\":{\"score\":");
            fs_scorefile__put_num(b, score);
            fs_buf_puts(b, "}");
        }
        return st;
    default: {
        fs_perplexity_corpus r;
        fs_perplexity_sum_result(&c->ppl_sum, &r);
        const double v[] = { 0,
                             r.sum_logprob,
                             r.mean_nll,
                             r.perplexity,
                             r.mean_perplexity,
                             r.word_perplexity,
                             r.byte_perplexity,
                             r.bits_per_byte };
        put_lm(b, c->want, v, r.n_tokens);
        return FS_OK;
    }
    }
}

/* ---- driver ------------------------------------------------------------------------- */

static void sf_dispose(sf *c)
{
    if (c->f != NULL) {
        fclose(c->f);
    }
    fs_free(c->chunk);
    fs_buf_dispose(&c->line);
    fs_buf_dispose(&c->items);
    cJSON_Delete(c->json);
    fs_bleu_scorer_free(c->bleu_sc);
    fs_chrf_scorer_free(c->chrf_sc);
    fs_rouge_scorer_free(c->rouge_sc);
    fs_squad_scorer_free(c->squad_sc);
    fs_scorefile__class_dispose(&c->cls);
    fs_free(c->refs);
    fs_free(c->ref_lens);
    fs_free(c->lp);
}

static fs_status sf_setup(sf *c, const char *path, const fs_scorefile_opts *o, fs_error *err)
{
    fs_bleu_opts bleu = FS_BLEU_OPTS_INIT;
    fs_chrf_opts chrf = FS_CHRF_OPTS_INIT;
    fs_rouge_opts rouge = FS_ROUGE_OPTS_INIT;
    memset(c, 0, sizeof *c);
    c->path = path;
    c->task = o->task;
    c->per_item = o->per_item;
    c->err = err;
    c->bleu = bleu;
    c->chrf = chrf;
    c->rouge = rouge;
    c->log_scale = 1.0;
    fs_buf_init(&c->line, o->max_line_bytes != 0 ? o->max_line_bytes : SF_MAX_LINE);
    fs_buf_init(&c->items, 0);
    fs_scorefile__class_init(&c->cls);
    fs_rouge_sum_init(&c->rouge_sum);
    fs_squad_sum_init(&c->squad_sum);
    fs_perplexity_sum_init(&c->ppl_sum);
    if ((size_t)o->task >= N_OF(tasks)) {
        return FS_FAIL(err, FS_ERR_USAGE, "score: unknown task %d", (int)o->task);
    }
    fs_status st = parse_metrics(c, o->metrics);
    st = st == FS_OK ? apply_params(c, o->params) : st;
    st = st == FS_OK ? open_scorers(c) : st;
    if (st != FS_OK) {
        return st;
    }
    c->chunk = fs_malloc(SF_CHUNK);
    if (c->chunk == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", path);
    }
    c->f = fopen(path, "rb");
    if (c->f == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    }
    return FS_OK;
}

/* Score every line of the file. */
static fs_status sf_read_all(sf *c)
{
    while (read_line(c)) {
        if (fs_buf_status(&c->line) != FS_OK) {
            return fs_buf_status(&c->line) == FS_ERR_LIMIT
                       ? FS_FAIL(c->err, FS_ERR_INPUT, "%s:%" PRIu64 ": line longer than %zu bytes",
                                 c->path, c->line_no, c->line.max)
                       : nomem(c);
        }
        if (blank(fs_buf_cstr(&c->line), c->line.len)) {
            continue;
        }
        cJSON_Delete(c->json);
        c->json = NULL;
        fs_status st = parse_line(c);
        st = st == FS_OK ? score_line(c) : st;
        if (st == FS_OK && fs_buf_status(&c->items) != FS_OK) {
            st = nomem(c);
        }
        if (st != FS_OK) {
            return st;
        }
        c->n++;
    }
    if (ferror(c->f)) {
        return FS_FAIL(c->err, FS_ERR_IO, "%s: read error", c->path);
    }
    if (c->n == 0) {
        return FS_FAIL(c->err, FS_ERR_INPUT, "%s: no items to score (the file has no JSON line)",
                       c->path);
    }
    return FS_OK;
}

fs_status fs_scorefile_run(fs_buf *out, const char *path, const fs_scorefile_opts *opts,
                           fs_error *err)
{
    if (out == NULL || path == NULL || opts == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "score: NULL output, path or options");
    }
    sf c;
    fs_buf res;
    fs_buf_init(&res, 0);
    fs_status st = sf_setup(&c, path, opts, err);
    st = st == FS_OK ? sf_read_all(&c) : st;
    if (st == FS_OK) {
        fs_buf_printf(&res, "{\"task\":\"%s\",\"n\":%zu", task_names[c.task], c.n);
        st = put_corpus(&c, &res);
    }
    if (st == FS_OK && c.per_item) {
        fs_buf_puts(&res, ",\"per_item\":[\n");
        fs_buf_append(&res, fs_buf_cstr(&c.items), c.items.len);
        fs_buf_puts(&res, "\n]");
    }
    fs_buf_puts(&res, "}\n");
    if (st == FS_OK && fs_buf_status(&res) != FS_OK) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", path);
    }
    if (st == FS_OK) {
        fs_buf_append(out, fs_buf_cstr(&res), res.len);
    }
    fs_buf_dispose(&res);
    sf_dispose(&c);
    return st;
}
