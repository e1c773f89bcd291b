/* results.csv: every stored variant with its outcome, one row each, for people who want
 * to look at the raw answers in a spreadsheet or a notebook.
 * Format: RFC 4180 (comma-separated, CRLF line ends, a header row), UTF-8 without a
 * byte-order mark. Columns: target, record_id, perturbation ("clean" for the original),
 * group, input, answer, prediction, gold, correct ("true", "false", or empty when there is
 * no answer or no gold label), latency_ms, cached, error.
 * Safety: a spreadsheet evaluates a cell starting with = + - or @ (and, in some, a tab or
 * a carriage return) as a formula. Following OWASP's CSV injection advice, such a field
 * is prefixed with a single quote and the whole field is quoted, so it shows as text.
 * Fields with a comma, semicolon, double quote, CR or LF are quoted, quotes doubled.
 * With report.redact the input, answer, error and (for tasks scored against references)
 * gold of a row are masked like the report's examples: every sensitive item found in any
 * of them is masked wherever it occurs in the row.
 * The file is written to a temporary name and renamed, so no reader sees half of it. */
#include "audit/audit_internal.h"
#include "audit/extra_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct csv_ctx {
    FILE *f;
    fs_buf line;
    const char *target;
    const fs_config *cfg;
    fs_identify_detector *redactor; /* report.redact; else NULL */
    fs_buf scratch;
    fs_error *err;
} csv_ctx;

/* The row's texts as they are written: masked with report.redact. *row returns the
 * object whose strings the fields point into (cJSON_Delete it), or NULL. */
static fs_status row_texts(csv_ctx *c, const char *texts[4], cJSON **row)
{
    static const char *const keys[4] = { "input", "answer", "gold", "error" };
    *row = NULL;
    if (c->redactor == NULL) {
        return FS_OK;
    }
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; o != NULL && i < 4; i++) {
        if (texts[i] != NULL && cJSON_AddStringToObject(o, keys[i], texts[i]) == NULL) {
            cJSON_Delete(o);
            o = NULL;
        }
    }
    if (o == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    fs_status st = fs_audit__redact_object(c->redactor, &c->scratch, o, c->err);
    for (int i = 0; st == FS_OK && i < 4; i++) {
        texts[i] = texts[i] != NULL ? fs_json__str(o, keys[i]) : NULL;
    }
    if (st != FS_OK) {
        cJSON_Delete(o);
        return st;
    }
    *row = o;
    return FS_OK;
}

static void put_field(fs_buf *b, const char *s, bool last)
{
    const char *v = s ? s : "";
    bool formula = v[0] != '\0' && strchr("=+-@\t\r", v[0]) != NULL;
    bool quote = formula || strpbrk(v, ",;\"\r\n") != NULL;
    if (quote) {
        fs_buf_putc(b, '"');
    }
    if (formula) {
        fs_buf_putc(b, '\'');
    }
    for (const char *p = v; *p != '\0'; p++) {
        if (*p == '"') {
            fs_buf_putc(b, '"');
        }
        fs_buf_putc(b, *p);
    }
    if (quote) {
        fs_buf_putc(b, '"');
    }
    fs_buf_puts(b, last ? "\r\n" : ",");
}

static bool is_label(const fs_config *cfg, const char *s)
{
    for (size_t i = 0; s != NULL && i < cfg->n_labels; i++) {
        if (strcmp(cfg->labels[i], s) == 0) {
            return true;
        }
    }
    return false;
}

static fs_status on_row(const fs_variant *v, const fs_outcome *o, void *payload)
{
    csv_ctx *c = payload;
    bool answered = o != NULL && o->status == FS_OK;
    const char *correct = "";
    char latency[64] = "";
    if (answered && is_label(c->cfg, v->label)) {
        correct =
            (o->prediction != NULL && strcmp(o->prediction, v->label) == 0) ? "true" : "false";
    }
    if (o != NULL) {
        fs_fmt_double(latency, sizeof latency, o->latency_ms);
    }
    /* a classification gold is one of the labels, written as the prediction is */
    bool label_gold = c->cfg->task == FS_TASK_CLASSIFICATION;
    const char *texts[4] = { v->text, answered ? o->answer : NULL, label_gold ? NULL : v->label,
                             o != NULL ? o->error : NULL };
    cJSON *row = NULL;
    fs_status st = row_texts(c, texts, &row);
    if (st != FS_OK) {
        return st;
    }
    fs_buf_reset(&c->line);
    put_field(&c->line, c->target, false);
    put_field(&c->line, v->record_id, false);
    put_field(&c->line, v->perturbation, false);
    put_field(&c->line, v->group, false);
    put_field(&c->line, texts[0], false);
    put_field(&c->line, texts[1], false);
    put_field(&c->line, answered ? o->prediction : NULL, false);
    put_field(&c->line, label_gold ? v->label : texts[2], false);
    put_field(&c->line, correct, false);
    put_field(&c->line, latency, false);
    put_field(&c->line, o == NULL ? "" : (o->cached ? "true" : "false"), false);
    put_field(&c->line, texts[3], true);
    cJSON_Delete(row);
    if (fs_buf_status(&c->line) != FS_OK) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    if (fwrite(c->line.data, 1, c->line.len, c->f) != c->line.len) {
        return FS_FAIL(c->err, FS_ERR_IO, "results.csv: write failed: %s", strerror(errno));
    }
    return FS_OK;
}

static fs_status write_rows(csv_ctx *c, fs_store *store)
{
    static const char *const header[] = { "target",  "record_id",  "perturbation", "group",
                                          "input",   "answer",     "prediction",   "gold",
                                          "correct", "latency_ms", "cached",       "error" };
    size_t n_cols = sizeof header / sizeof header[0];
    for (size_t i = 0; i < n_cols; i++) {
        put_field(&c->line, header[i], i + 1 == n_cols);
    }
    if (fs_buf_status(&c->line) != FS_OK) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    if (fwrite(c->line.data, 1, c->line.len, c->f) != c->line.len) {
        return FS_FAIL(c->err, FS_ERR_IO, "results.csv: write failed: %s", strerror(errno));
    }
    fs_status st = FS_OK;
    for (size_t t = 0; st == FS_OK && t < c->cfg->n_targets; t++) {
        c->target = c->cfg->targets[t].name;
        st = fs_store_each(store, c->target, on_row, c, c->err);
    }
    return st;
}

fs_status fs_audit__write_csv(const fs_config *cfg, fs_store *store, const char *dir, fs_error *err)
{
    char path[1200], tmp[1250];
    int len = snprintf(path, sizeof path, "%s/results.csv", dir);
    if (len < 0 || (size_t)len >= sizeof path) {
        return FS_FAIL(err, FS_ERR_IO, "%s: path too long", dir);
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    csv_ctx c = { NULL, FS_BUF_INIT, NULL, cfg, NULL, FS_BUF_INIT, err };
    if (cfg->redact) {
        fs_status st = fs_audit__redactor_new(&c.redactor, cfg, err);
        if (st != FS_OK) {
            return st;
        }
    }
    c.f = fopen(tmp, "wb");
    if (c.f == NULL) {
        fs_identify_detector_free(c.redactor);
        return FS_FAIL(err, FS_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    }
    fs_status st = write_rows(&c, store);
    if (fclose(c.f) != 0 && st == FS_OK) {
        st = FS_FAIL(err, FS_ERR_IO, "%s: write failed: %s", tmp, strerror(errno));
    }
    if (st == FS_OK && rename(tmp, path) != 0) {
        st = FS_FAIL(err, FS_ERR_IO, "%s: cannot rename: %s", path, strerror(errno));
    }
    if (st != FS_OK) {
        remove(tmp);
    }
    fs_buf_dispose(&c.line);
    fs_buf_dispose(&c.scratch);
    fs_identify_detector_free(c.redactor);
    return st;
}
