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
 * The file is written to a temporary name and renamed, so no reader sees half of it. */
#include "audit/extra_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct csv_ctx {
    FILE *f;
    fs_buf line;
    const char *target;
    const fs_config *cfg;
    fs_error *err;
} csv_ctx;

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
    fs_buf_reset(&c->line);
    put_field(&c->line, c->target, false);
    put_field(&c->line, v->record_id, false);
    put_field(&c->line, v->perturbation, false);
    put_field(&c->line, v->group, false);
    put_field(&c->line, v->text, false);
    put_field(&c->line, answered ? o->answer : NULL, false);
    put_field(&c->line, answered ? o->prediction : NULL, false);
    put_field(&c->line, v->label, false);
    put_field(&c->line, correct, false);
    put_field(&c->line, latency, false);
    put_field(&c->line, o == NULL ? "" : (o->cached ? "true" : "false"), false);
    put_field(&c->line, o != NULL ? o->error : NULL, true);
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
    csv_ctx c = { NULL, FS_BUF_INIT, NULL, cfg, err };
    c.f = fopen(tmp, "wb");
    if (c.f == NULL) {
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
    return st;
}
