/* compare.md and compare.html: two runs side by side (baseline and candidate), rendered
 * from compare.json alone. Both formats come from one description: each table is built
 * as rows of plain-text cells, then emitted as a Markdown table or an HTML table, so the
 * two documents always say the same thing. Every cell is escaped on output (Markdown:
 * the characters that make emphasis, code, links or table cells are backslash-escaped,
 * < and & become entities, line breaks spaces; every line starts with fixed text, so no
 * value can start a heading or a list; HTML: & < > " '), and the
 * HTML page is self-contained (inline CSS, no script, nothing fetched). */
#include "fairshake/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "report/html_internal.h"

#define MAX_COLS 8

typedef struct doc {
    fs_buf *out;
    bool html;
} doc;

static double num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static void md_esc(fs_buf *b, const char *s)
{
    for (const char *p = s ? s : ""; *p != '\0'; p++) {
        if (*p == '<') {
            fs_buf_puts(b, "&lt;");
        } else if (*p == '&') {
            fs_buf_puts(b, "&amp;");
        } else if (*p == '\n' || *p == '\r') {
            fs_buf_putc(b, ' ');
        } else {
            if (strchr("\\`*_[]|~", *p) != NULL) {
                fs_buf_putc(b, '\\');
            }
            fs_buf_putc(b, *p);
        }
    }
}

static void esc(doc *d, const char *s)
{
    if (d->html) {
        fs_report__esc_n(d->out, s ? s : "", s ? strlen(s) : 0);
    } else {
        md_esc(d->out, s);
    }
}

static void heading(doc *d, int level, const char *prefix, const char *text)
{
    if (d->html) {
        fs_buf_printf(d->out, "<h%d>%s", level, prefix);
        esc(d, text);
        fs_buf_printf(d->out, "</h%d>\n", level);
    } else {
        const fs_buf *o = d->out;
        bool blank = o->len >= 2 && o->data[o->len - 1] == '\n' && o->data[o->len - 2] == '\n';
        fs_buf_printf(d->out, "%s%.*s %s", blank ? "" : "\n", level, "######", prefix);
        esc(d, text);
        fs_buf_puts(d->out, "\n\n");
    }
}

static void para(doc *d, const char *text)
{
    fs_buf_puts(d->out, d->html ? "<p>" : "");
    esc(d, text);
    fs_buf_puts(d->out, d->html ? "</p>\n" : "\n\n");
}

static void row(doc *d, const char *const *cells, size_t n, bool head)
{
    fs_buf_puts(d->out, d->html ? "<tr>" : "|");
    for (size_t i = 0; i < n; i++) {
        if (d->html) {
            fs_buf_printf(d->out, "<%s%s>", head ? "th" : "td", i > 0 ? " class=\"num\"" : "");
        } else {
            fs_buf_putc(d->out, ' ');
        }
        esc(d, cells[i]);
        if (d->html) {
            fs_buf_printf(d->out, "</%s>", head ? "th" : "td");
        } else {
            fs_buf_puts(d->out, " |");
        }
    }
    fs_buf_puts(d->out, "\n");
    if (head && !d->html) {
        fs_buf_puts(d->out, "|");
        for (size_t i = 0; i < n; i++) {
            fs_buf_puts(d->out, i ? " ---: |" : " --- |");
        }
        fs_buf_puts(d->out, "\n");
    }
}

static void fmt_pct(char *t, size_t cap, double v, bool sign)
{
    if (!isfinite(v)) {
        snprintf(t, cap, "n/a");
        return;
    }
    char x[32];
    fs_report__fixed(x, sizeof x, v * 100.0, 1);
    snprintf(t, cap, "%s%s%s", sign && v >= 0 && x[0] != '-' ? "+" : "", x, sign ? " pts" : "%");
}

static void fmt_ci(char *t, size_t cap, const cJSON *ci)
{
    if (cJSON_GetArraySize(ci) != 2) {
        snprintf(t, cap, "n/a");
        return;
    }
    char lo[32], hi[32];
    fs_report__fixed(lo, sizeof lo, cJSON_GetArrayItem(ci, 0)->valuedouble * 100.0, 1);
    fs_report__fixed(hi, sizeof hi, cJSON_GetArrayItem(ci, 1)->valuedouble * 100.0, 1);
    snprintf(t, cap, "[%s, %s] pts", lo, hi);
}

static void fmt_p(char *t, size_t cap, double p)
{
    if (!isfinite(p)) {
        snprintf(t, cap, "n/a");
    } else if (p < 0.0001) {
        snprintf(t, cap, "< 0.0001");
    } else {
        fs_report__fixed(t, cap, p, 4);
    }
}

static void table_open(doc *d)
{
    fs_buf_puts(d->out, d->html ? "<table>\n" : "");
}

static void table_close(doc *d)
{
    fs_buf_puts(d->out, d->html ? "</table>\n" : "\n");
}

/* The accuracy table: one row per condition with the test of the difference. */
static void accuracy_table(doc *d, const cJSON *conds)
{
    static const char *const head[] = { "condition", "baseline", "candidate", "difference",
                                        "95% CI",    "p-value",  "test",      "n" };
    char cells[MAX_COLS][96];
    const char *ptr[MAX_COLS];
    table_open(d);
    row(d, head, 8, true);
    const cJSON *c;
    cJSON_ArrayForEach(c, conds)
    {
        const cJSON *t = get(c, "test");
        snprintf(cells[0], sizeof cells[0], "%s", fs_json__str(c, "condition"));
        fmt_pct(cells[1], sizeof cells[1], num(t, "accuracy_baseline"), false);
        fmt_pct(cells[2], sizeof cells[2], num(t, "accuracy_candidate"), false);
        fmt_pct(cells[3], sizeof cells[3], num(t, "difference"), true);
        fmt_ci(cells[4], sizeof cells[4], get(t, "ci95"));
        fmt_p(cells[5], sizeof cells[5], num(t, "p_value"));
        snprintf(cells[6], sizeof cells[6], "%s%s",
                 cJSON_IsTrue(get(t, "paired")) ? "paired: " : "unpaired: ",
                 fs_json__str(t, "test") ? fs_json__str(t, "test") : "none");
        snprintf(cells[7], sizeof cells[7], "%.0f / %.0f", num(t, "n_baseline"),
                 num(t, "n_candidate"));
        for (size_t i = 0; i < 8; i++) {
            ptr[i] = cells[i];
        }
        row(d, ptr, 8, false);
    }
    table_close(d);
}

/* Robustness figures of each run's own report, side by side. */
static void robustness_table(doc *d, const cJSON *conds)
{
    static const char *const head[] = { "perturbation", "accuracy change (baseline)",
                                        "(candidate)",  "drop rate (baseline)",
                                        "(candidate)",  "flip rate (baseline)",
                                        "(candidate)" };
    static const char *const keys[] = { "delta_accuracy", "drop_rate", "flip_rate" };
    char cells[MAX_COLS][96];
    const char *ptr[MAX_COLS];
    table_open(d);
    row(d, head, 7, true);
    const cJSON *c;
    cJSON_ArrayForEach(c, conds)
    {
        if (strcmp(fs_json__str(c, "condition") ? fs_json__str(c, "condition") : "", "clean") ==
            0) {
            continue;
        }
        snprintf(cells[0], sizeof cells[0], "%s", fs_json__str(c, "condition"));
        for (size_t k = 0; k < 3; k++) {
            fmt_pct(cells[1 + 2 * k], sizeof cells[0], num(get(c, "baseline"), keys[k]), k == 0);
            fmt_pct(cells[2 + 2 * k], sizeof cells[0], num(get(c, "candidate"), keys[k]), k == 0);
        }
        for (size_t i = 0; i < 7; i++) {
            ptr[i] = cells[i];
        }
        row(d, ptr, 7, false);
    }
    table_close(d);
}

static void notes(doc *d, const cJSON *conds)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, conds)
    {
        const char *note = fs_json__str(get(c, "test"), "note");
        if (note != NULL) {
            fs_buf_puts(d->out, d->html ? "<p class=\"muted\"><b>" : "- **");
            esc(d, fs_json__str(c, "condition"));
            fs_buf_puts(d->out, d->html ? ":</b> " : ":** ");
            esc(d, note);
            fs_buf_puts(d->out, d->html ? "</p>\n" : "\n");
        }
    }
}

static void run_line(doc *d, const char *role, const cJSON *r)
{
    fs_buf line;
    fs_buf_init(&line, 0);
    fs_buf_printf(&line, "%s: %s (run %s, seed %.0f, config %.12s, dataset %.12s, finished %s)",
                  role, fs_json__str(r, "dir") ? fs_json__str(r, "dir") : "?",
                  fs_json__str(r, "name") ? fs_json__str(r, "name") : "?", num(r, "seed"),
                  fs_json__str(r, "config_hash") ? fs_json__str(r, "config_hash") : "?",
                  fs_json__str(r, "dataset_hash") ? fs_json__str(r, "dataset_hash") : "?",
                  fs_json__str(r, "finished") ? fs_json__str(r, "finished") : "?");
    para(d, fs_buf_cstr(&line));
    fs_buf_dispose(&line);
}

static void unmatched(doc *d, const cJSON *root)
{
    static const char *const lists[][2] = { { "unmatched_targets", "target" },
                                            { "unmatched_perturbations", "perturbation" } };
    for (size_t k = 0; k < 2; k++) {
        const cJSON *u;
        cJSON_ArrayForEach(u, get(root, lists[k][0]))
        {
            fs_buf line;
            fs_buf_init(&line, 0);
            fs_buf_printf(&line, "Not compared: %s '%s', only in the %s run.", lists[k][1],
                          fs_json__str(u, lists[k][1]) ? fs_json__str(u, lists[k][1]) : "?",
                          fs_json__str(u, "only_in") ? fs_json__str(u, "only_in") : "?");
            para(d, fs_buf_cstr(&line));
            fs_buf_dispose(&line);
        }
    }
}

static void methodology(doc *d, const cJSON *m)
{
    heading(d, 2, "", "Methodology");
    fs_buf_puts(d->out, d->html ? "<ul>\n" : "");
    const cJSON *x;
    cJSON_ArrayForEach(x, m)
    {
        char v[64];
        fs_buf_puts(d->out, d->html ? "<li>" : "- ");
        esc(d, x->string);
        fs_buf_puts(d->out, ": ");
        if (cJSON_IsNumber(x)) {
            snprintf(v, sizeof v, "%.0f", x->valuedouble);
        }
        esc(d, cJSON_IsNumber(x) ? v : cJSON_GetStringValue(x));
        fs_buf_puts(d->out, d->html ? "</li>\n" : "\n");
    }
    fs_buf_puts(d->out, d->html ? "</ul>\n" : "\n");
}

static void body(doc *d, const cJSON *root)
{
    const cJSON *a = get(root, "baseline"), *b = get(root, "candidate");
    run_line(d, "Baseline", a);
    run_line(d, "Candidate", b);
    para(d, "Differences are candidate minus baseline, in percentage points of accuracy.");
    unmatched(d, root);
    const cJSON *t;
    cJSON_ArrayForEach(t, get(root, "targets"))
    {
        fs_buf title;
        fs_buf_init(&title, 0);
        fs_buf_printf(&title, "%s vs %s", fs_json__str(t, "baseline"),
                      fs_json__str(t, "candidate"));
        heading(d, 2, "Target ", fs_buf_cstr(&title));
        fs_buf_dispose(&title);
        heading(d, 3, "", "Accuracy");
        accuracy_table(d, get(t, "conditions"));
        notes(d, get(t, "conditions"));
        heading(d, 3, "", "Robustness");
        robustness_table(d, get(t, "conditions"));
    }
    methodology(d, get(root, "methodology"));
}

static fs_status render(fs_buf *out, const char *json, size_t n, bool html, fs_error *err)
{
    static const char css[] =
        "body{font:15px/1.5 system-ui,sans-serif;color:#1d2330;max-width:1100px;margin:0 auto;"
        "padding:24px}table{border-collapse:collapse;width:100%;margin:8px 0 16px;"
        "font-size:14px}th,td{border-bottom:1px solid #d8dde6;padding:5px 8px;text-align:left}"
        "th{background:#f4f6fa}.num{text-align:right;font-variant-numeric:tabular-nums}"
        ".muted{color:#5b6475}h2{border-bottom:2px solid #d8dde6}"
        "@media print{body{max-width:none;padding:0}h2{break-before:page}}";
    cJSON *root = NULL;
    fs_status st = fs_json__parse(&root, json, n, "compare.json", err);
    if (st != FS_OK) {
        return st;
    }
    doc d = { out, html };
    if (html) {
        fs_buf_printf(out,
                      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<title>fairshake comparison</title><style>%s</style></head>"
                      "<body>\n<h1>fairshake comparison</h1>\n",
                      css);
    } else {
        fs_buf_puts(out, "# fairshake comparison\n\n");
    }
    body(&d, root);
    fs_buf_puts(out, html ? "</body></html>\n" : "");
    cJSON_Delete(root);
    st = fs_buf_status(out);
    return st == FS_OK ? FS_OK : FS_FAIL(err, st, "compare report: out of memory");
}

fs_status fs_report_render_compare_md(fs_buf *out, const char *compare_json, size_t n,
                                      fs_error *err)
{
    return render(out, compare_json, n, false, err);
}

fs_status fs_report_render_compare_html(fs_buf *out, const char *compare_json, size_t n,
                                        fs_error *err)
{
    return render(out, compare_json, n, true, err);
}
