/* report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched)
 * rendered from report.json alone. It prints to PDF with a page break per section.
 * Safety: every text that comes from the dataset, the config or the model is escaped
 * (& < > " '), and characters that render as nothing or reorder text (zero-width and
 * bidirectional controls, outside emoji sequences) are shown as visible code-point
 * markers, so neither markup nor a reordering attack can reach the reader. Text blocks
 * carry dir="auto", so right-to-left records display in their own direction. */
#include "fairshake/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "report/html_internal.h"
#include "report/report_fmt.h"

static const char css[] =
    ":root{--fg:#1d2330;--muted:#5b6475;--line:#d8dde6;--bad:#b3261e;--good:#1e7b34;"
    "--accent:#2f5fb3;--bg-soft:#f4f6fa}"
    "*{box-sizing:border-box}"
    "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',"
    "'Noto Sans CJK SC','Noto Sans Arabic','Noto Sans Hebrew',sans-serif,'Noto Color Emoji',"
    "'Apple Color Emoji','Segoe UI Emoji';color:var(--fg);max-width:1100px;margin:0 auto;"
    "padding:24px}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;"
    "border-bottom:2px solid var(--line);padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}"
    ".muted{color:var(--muted)}.sub{color:var(--muted);margin:0 0 16px}"
    "table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px}"
    "th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;"
    "vertical-align:top}th{background:var(--bg-soft);font-weight:600}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".verdict{padding:14px 18px;border-radius:8px;font-size:18px;font-weight:600;margin:8px 0}"
    ".pass{background:#e6f4ea;color:var(--good)}.fail{background:#fce8e6;color:var(--bad)}"
    ".none{background:var(--bg-soft);color:var(--muted)}"
    ".tag-pass{color:var(--good);font-weight:600}.tag-fail{color:var(--bad);font-weight:700}"
    ".headline li{margin:4px 0}"
    ".ex{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:8px 0;"
    "break-inside:avoid}"
    ".ex .pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}"
    ".txt{unicode-bidi:plaintext;white-space:pre-wrap;word-break:break-word;"
    "background:var(--bg-soft);padding:6px 8px;border-radius:4px}"
    "ins{background:#ffe08a;text-decoration:none}del{background:#f6c7c3}"
    ".cp{font:11px monospace;background:#e3e7ff;color:#23307a;border-radius:3px;"
    "padding:0 2px;margin:0 1px}"
    "svg text{font:12px system-ui,sans-serif;fill:var(--fg)}"
    "code{font-family:ui-monospace,monospace;font-size:13px}"
    "section{break-before:page}section:first-of-type{break-before:auto}"
    "@media print{body{max-width:none;padding:0;font-size:11pt}"
    "a{color:inherit;text-decoration:none}.ex{page-break-inside:avoid}}";

static double num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

void fs_report__esc(fs_buf *b, const char *s)
{
    if (s == NULL) {
        fs_buf_puts(b, "<span class=\"muted\">(none)</span>");
        return;
    }
    fs_report__esc_n(b, s, strlen(s));
}

void fs_report__esc_n(fs_buf *b, const char *s, size_t n)
{
    for (const char *p = s; p < s + n; p++) {
        switch (*p) {
        case '&':
            fs_buf_puts(b, "&amp;");
            break;
        case '<':
            fs_buf_puts(b, "&lt;");
            break;
        case '>':
            fs_buf_puts(b, "&gt;");
            break;
        case '"':
            fs_buf_puts(b, "&quot;");
            break;
        case '\'':
            fs_buf_puts(b, "&#39;");
            break;
        default:
            fs_buf_putc(b, *p);
        }
    }
}

/* Escape one grapheme cluster; invisible code points become markers unless the cluster
 * is an emoji sequence (where ZWJ and variation selectors belong). */
void fs_report__esc_grapheme(fs_buf *b, const char *g, size_t n)
{
    bool emoji = false, invisible = false;
    for (size_t i = 0; i < n;) {
        uint32_t cp = fs_text_next_cp(g, n, &i);
        emoji = emoji || fs_text_cp_pictographic(cp);
        invisible = invisible || fs_text_cp_invisible(cp);
    }
    if (!invisible || emoji) {
        fs_report__esc_n(b, g, n);
        return;
    }
    for (size_t i = 0; i < n;) {
        size_t at = i;
        uint32_t cp = fs_text_next_cp(g, n, &i);
        if (fs_text_cp_invisible(cp)) {
            fs_buf_printf(b, "<span class=\"cp\" title=\"invisible character\">U+%04X</span>",
                          (unsigned)cp);
        } else {
            fs_report__esc_n(b, g + at, i - at);
        }
    }
}

/* Escape a whole text cluster by cluster. */
void fs_report__esc_text(fs_buf *b, fs_text_segmenter *seg, const char *s)
{
    const fs_text_span *g = NULL;
    size_t count = 0;
    if (s == NULL) {
        fs_report__esc(b, NULL);
        return;
    }
    if (fs_text_segmenter_run(seg, &g, &count, s, strlen(s), NULL) != FS_OK) {
        fs_report__esc(b, s);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        fs_report__esc_grapheme(b, s + g[i].start, g[i].end - g[i].start);
    }
}

/* Numbers: the shared formatters (report_fmt.h) with a muted "n/a". */
#define NA "<span class=\"muted\">n/a</span>"
static void put_pct(fs_buf *b, double v)
{
    fs_report__pct(b, v, NA);
}
static void put_pts(fs_buf *b, double v)
{
    fs_report__pts(b, v, NA);
}
static void put_ci(fs_buf *b, const cJSON *ci)
{
    fs_report__ci_pts(b, ci, NA);
}
static void put_p(fs_buf *b, double p)
{
    fs_report__p(b, p, NA, "&lt; 0.0001");
}
static void put_count(fs_buf *b, double v)
{
    fs_report__count(b, v, NA);
}
static void put_metric(fs_buf *b, const char *mm, double v)
{
    fs_report__metric(b, mm, v, NA);
}
static void put_metric_delta(fs_buf *b, const char *mm, double v)
{
    fs_report__metric_delta(b, mm, v, NA);
}
static void put_metric_ci(fs_buf *b, const char *mm, const cJSON *ci)
{
    fs_report__metric_ci(b, mm, ci, NA);
}

/* ---- sections ------------------------------------------------------------------------ */

typedef struct page {
    fs_buf *b;
    fs_text_segmenter *seg;
    const cJSON *root;
    const cJSON *labels;
    const char *mm; /* the current target's main metric */
} page;

static void verdict_html(page *pg)
{
    fs_buf *b = pg->b;
    const cJSON *verdict = get(pg->root, "verdict");
    double n = num(verdict, "gates"), failed = num(verdict, "gates_failed");
    fs_buf_puts(b, "<section id=\"verdict\"><h2>Verdict</h2>");
    if (cJSON_IsFalse(get(pg->root, "complete"))) {
        fs_buf_puts(b, "<div class=\"verdict fail\">INCOMPLETE: the run stopped before every "
                       "variant was answered (");
        fs_report__esc_text(b, pg->seg,
                            fs_json__str(pg->root, "stopped") ? fs_json__str(pg->root, "stopped")
                                                              : "no reason recorded");
        fs_buf_puts(b, "). The figures below cover only the answers received, and the run "
                       "does not pass whatever its gates say.</div>");
    }
    if (!(n > 0)) {
        fs_buf_puts(b, "<div class=\"verdict none\">No gates were configured: this report "
                       "states findings and passes no judgement.</div>");
    } else if (failed == 0) {
        fs_buf_printf(b, "<div class=\"verdict pass\">PASSED: all %.0f gates passed.</div>", n);
    } else {
        fs_buf_printf(b, "<div class=\"verdict fail\">FAILED: %.0f of %.0f gates failed.</div>",
                      failed, n);
    }
    if (n > 0) {
        fs_buf_puts(b, "<table><tr><th>gate</th><th>target</th><th class=\"num\">value</th>"
                       "<th class=\"num\">threshold</th><th>result</th></tr>");
        for (const cJSON *g = get(pg->root, "gates")->child; g != NULL; g = g->next) {
            char thr[48], val[48];
            fs_report__fixed(thr, sizeof thr, num(g, "threshold"), 4);
            fs_buf_puts(b, "<tr><td><code>");
            fs_report__esc(b, fs_json__str(g, "name"));
            fs_buf_puts(b, "</code></td><td>");
            fs_report__esc_text(b, pg->seg, fs_json__str(g, "target"));
            fs_buf_puts(b, "</td><td class=\"num\">");
            if (isfinite(num(g, "value"))) {
                fs_report__fixed(val, sizeof val, num(g, "value"), 4);
                fs_buf_puts(b, val);
                const char *where = fs_json__str(g, "perturbation") != NULL
                                        ? fs_json__str(g, "perturbation")
                                        : fs_json__str(g, "axis");
                if (where != NULL) {
                    fs_buf_puts(b, " <span class=\"muted\">(");
                    fs_report__esc_text(b, pg->seg, where);
                    fs_buf_puts(b, ")</span>");
                }
                const char *bound = fs_json__str(g, "bound");
                if (bound != NULL && strcmp(bound, "ci95") == 0) {
                    fs_buf_puts(b, " <span class=\"muted\">95% CI bound</span>");
                }
            } else {
                fs_buf_puts(b, "n/a: ");
                fs_report__esc(b, fs_json__str(g, "value_reason"));
            }
            fs_buf_printf(b, "</td><td class=\"num\">%s %s</td><td>%s</td></tr>",
                          strcmp(fs_json__str(g, "comparison"), ">=") == 0 ? "&ge;" : "&le;", thr,
                          cJSON_IsTrue(get(g, "passed")) ? "<span class=\"tag-pass\">pass</span>"
                                                         : "<span class=\"tag-fail\">FAIL</span>");
        }
        fs_buf_puts(b, "</table>");
    }
    fs_buf_puts(b, "</section>");
}

static void headline_html(page *pg, const cJSON *t)
{
    fs_buf *b = pg->b;
    const char *mm = pg->mm;
    bool cls = strcmp(mm, "accuracy") == 0;
    const cJSON *clean = get(t, "clean"), *worst = NULL;
    fs_buf_printf(b, "<ul class=\"headline\"><li><b>Clean %s ", mm);
    put_metric(b, mm, num(get(clean, "metrics"), mm));
    fs_buf_puts(b, "</b> (95% CI ");
    put_metric_ci(b, mm, get(clean, cls ? "accuracy_ci95" : "main_metric_ci95"));
    fs_buf_printf(b, ", n = %.0f)%s</li>", num(clean, "n"),
                  cls ? ": the share of unmodified inputs the model labels correctly." : ".");
    double sign = fs_report__is_fraction(mm) ? 1.0 : -1.0;
    for (const cJSON *r = get(t, "robustness")->child; r != NULL; r = r->next) {
        double d = sign * num(get(r, "delta"), mm);
        if (isfinite(d) && (worst == NULL || d < sign * num(get(worst, "delta"), mm))) {
            worst = r;
        }
    }
    if (worst != NULL) {
        fs_buf_puts(b, "<li><b>Largest change under noise ");
        put_metric_delta(b, mm, num(get(worst, "delta"), mm));
        fs_buf_puts(b, "</b> under <code>");
        fs_report__esc_text(b, pg->seg, fs_json__str(worst, "perturbation"));
        fs_buf_puts(b, "</code> (95% CI ");
        put_metric_ci(b, mm, get(get(worst, "ci95"), mm));
        fs_buf_puts(b, ", p ");
        if (!(num(worst, "p_value") < 0.0001)) {
            fs_buf_puts(b, "= ");
        }
        put_p(b, num(worst, "p_value"));
        fs_buf_puts(b, "): how much worse the model does when users type like this; its answer "
                       "changed on ");
        put_pct(b, num(worst, "flip_rate"));
        fs_buf_puts(b, " of records.</li>");
    }
    const cJSON *wc = get(t, "worst_case"), *wm = get(wc, "metrics");
    const char *wk = wm && wm->child ? wm->child->string : "accuracy";
    fs_buf_printf(b, "<li><b>Worst-case %s ", wk);
    put_metric(b, wk, num(wm, wk));
    fs_buf_printf(b,
                  "</b> (n = %.0f): each record scores its lowest over the clean input and "
                  "every perturbation.</li></ul>",
                  num(wc, "n"));
}

static void clean_text_html(page *pg, const cJSON *clean)
{
    fs_buf *b = pg->b;
    const cJSON *m = get(clean, "metrics");
    fs_buf_puts(b, "<h3>Clean inputs</h3><table><tr><th class=\"num\">n</th><th class=\"num\">"
                   "errors</th><th class=\"num\">missing</th>");
    for (const cJSON *x = m ? m->child : NULL; x != NULL; x = x->next) {
        if (strstr(x->string, "_reason") == NULL) {
            fs_buf_printf(b, "<th class=\"num\">%s</th>", x->string);
        }
    }
    fs_buf_printf(b,
                  "</tr><tr><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td>"
                  "<td class=\"num\">%.0f</td>",
                  num(clean, "n"), num(clean, "errors"), num(clean, "missing"));
    for (const cJSON *x = m ? m->child : NULL; x != NULL; x = x->next) {
        if (strstr(x->string, "_reason") == NULL) {
            fs_buf_puts(b, "<td class=\"num\">");
            put_metric(b, x->string, cJSON_IsNumber(x) ? x->valuedouble : NAN);
            fs_buf_puts(b, "</td>");
        }
    }
    fs_buf_puts(b, "</tr></table>");
}

static void clean_html(page *pg, const cJSON *t)
{
    fs_buf *b = pg->b;
    const cJSON *clean = get(t, "clean"), *m = get(clean, "metrics");
    if (strcmp(pg->mm, "accuracy") != 0) {
        clean_text_html(pg, clean);
        return;
    }
    fs_buf_puts(b, "<h3>Clean inputs</h3><table><tr><th class=\"num\">n</th><th class=\"num\">"
                   "accuracy</th><th class=\"num\">macro-F1</th><th class=\"num\">parse "
                   "failures</th><th class=\"num\">errors</th><th class=\"num\">missing</th></tr>"
                   "<tr><td class=\"num\">");
    put_count(b, num(clean, "n"));
    fs_buf_puts(b, "</td><td class=\"num\">");
    put_pct(b, num(m, "accuracy"));
    fs_buf_puts(b, "</td><td class=\"num\">");
    put_pct(b, num(m, "macro_f1"));
    fs_buf_puts(b, "</td><td class=\"num\">");
    put_count(b, num(clean, "parse_failures"));
    fs_buf_puts(b, "</td><td class=\"num\">");
    put_count(b, num(clean, "errors"));
    fs_buf_puts(b, "</td><td class=\"num\">");
    put_count(b, num(clean, "missing"));
    fs_buf_puts(b, "</td></tr></table><table><tr><th>class</th><th class=\"num\">precision</th>"
                   "<th class=\"num\">recall</th><th class=\"num\">F1</th><th class=\"num\">"
                   "support</th></tr>");
    for (const cJSON *l = pg->labels ? pg->labels->child : NULL; l != NULL; l = l->next) {
        const cJSON *c = get(get(m, "per_class"), l->valuestring);
        fs_buf_puts(b, "<tr><td>");
        fs_report__esc_text(b, pg->seg, l->valuestring);
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_pct(b, num(c, "precision"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_pct(b, num(c, "recall"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_pct(b, num(c, "f1"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_count(b, num(c, "support"));
        fs_buf_puts(b, "</td></tr>");
    }
    fs_buf_puts(b, "</table>");
}

/* One bar of a chart: a value with an optional interval, as fractions. */
typedef struct bar {
    const char *label;
    double v, lo, hi;
} bar;

/* Horizontal bars from zero with interval whiskers and an optional reference line (e.g.
 * the four-fifths line at 0.8); values are printed as percentages or points. */
static void bars_svg(page *pg, const char *aria, const bar *bars, int rows, int fmt, double ref)
{
    fs_buf *b = pg->b;
    double lo = 0.0, hi = isfinite(ref) ? ref : 0.0;
    for (int i = 0; i < rows; i++) {
        double v[3] = { bars[i].v, bars[i].lo, bars[i].hi };
        for (int k = 0; k < 3; k++) {
            lo = isfinite(v[k]) && v[k] < lo ? v[k] : lo;
            hi = isfinite(v[k]) && v[k] > hi ? v[k] : hi;
        }
    }
    double span = (hi - lo) > 0.01 ? hi - lo : 0.01;
    lo -= span * 0.05;
    hi += span * 0.05;
    const double left = 170, width = 410, row = 26;
#define X_OF(val) (left + ((val)-lo) / (hi - lo) * width)
    fs_buf_printf(b,
                  "<svg role=\"img\" aria-label=\"%s\" width=\"660\" height=\"%.0f\" "
                  "viewBox=\"0 0 660 %.0f\">",
                  aria, row * rows + 30, row * rows + 30);
    double zero = X_OF(0.0);
    fs_buf_printf(b, "<line x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#888\"/>", zero,
                  zero, row * rows + 8);
    if (isfinite(ref)) {
        fs_buf_printf(b,
                      "<line x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#b3261e\" "
                      "stroke-dasharray=\"4 3\"/>",
                      X_OF(ref), X_OF(ref), row * rows + 8);
    }
    for (int i = 0; i < rows; i++) {
        double d = bars[i].v, y = 8 + row * i;
        fs_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", left - 8, y + 14);
        fs_report__esc_text(b, pg->seg, bars[i].label);
        fs_buf_puts(b, "</text>");
        if (isfinite(d)) {
            double x = X_OF(d);
            fs_buf_printf(b,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" "
                          "fill=\"%s\"/>",
                          d < 0 ? x : zero, y + 3, fabs(x - zero),
                          fmt == 0 ? "#2f5fb3" : (d < 0 ? "#d9534f" : "#4caf50"));
        }
        if (isfinite(bars[i].lo) && isfinite(bars[i].hi)) {
            double a = X_OF(bars[i].lo), c = X_OF(bars[i].hi);
            fs_buf_printf(b,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                          "stroke=\"#222\"/><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                          "y2=\"%.1f\" stroke=\"#222\"/><line x1=\"%.1f\" y1=\"%.1f\" "
                          "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\"/>",
                          a, y + 10, c, y + 10, a, y + 5, a, y + 15, c, y + 5, c, y + 15);
        }
        fs_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\">", left + width + 10, y + 14);
        if (fmt == 1) {
            put_pts(b, d);
        } else if (fmt == 2) {
            put_metric_delta(b, "perplexity", d);
        } else {
            put_pct(b, d);
        }
        fs_buf_puts(b, "</text>");
    }
#undef X_OF
    fs_buf_puts(b, "</svg>");
}

static double ci_at(const cJSON *ci, int k)
{
    return cJSON_IsArray(ci) && cJSON_GetArraySize(ci) == 2 ? cJSON_GetArrayItem(ci, k)->valuedouble
                                                            : NAN;
}

/* The accuracy change per perturbation, in points, with its interval. */
static void robustness_chart(page *pg, const cJSON *rob)
{
    bar bars[128];
    int n = 0;
    for (const cJSON *r = rob->child; r != NULL && n < 128; r = r->next, n++) {
        const cJSON *ci = get(get(r, "ci95"), pg->mm);
        bars[n].label = fs_json__str(r, "perturbation");
        bars[n].v = num(get(r, "delta"), pg->mm);
        bars[n].lo = ci_at(ci, 0);
        bars[n].hi = ci_at(ci, 1);
    }
    bars_svg(pg, "Change in the main metric per perturbation", bars, n,
             fs_report__is_fraction(pg->mm) ? 1 : 2, NAN);
}

static void robustness_table(page *pg, const cJSON *rob)
{
    fs_buf *b = pg->b;
    fs_buf_puts(b, "<table><tr><th>perturbation</th><th class=\"num\">clean</th><th class=\"num\">"
                   "perturbed</th><th class=\"num\">&Delta;</th><th class=\"num\">95% "
                   "CI</th><th class=\"num\">drop rate</th><th class=\"num\">flip rate</th>"
                   "<th class=\"num\">p</th><th class=\"num\">n</th><th class=\"num\">unchanged"
                   "</th><th class=\"num\">errors</th></tr>");
    for (const cJSON *r = rob->child; r != NULL; r = r->next) {
        const char *mm = pg->mm;
        double pert = num(get(r, "metrics"), mm), d = num(get(r, "delta"), mm);
        fs_buf_puts(b, "<tr><td><code>");
        fs_report__esc_text(b, pg->seg, fs_json__str(r, "perturbation"));
        fs_buf_puts(b, "</code></td><td class=\"num\">");
        put_metric(b, mm, pert - d);
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_metric(b, mm, pert);
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_metric_delta(b, mm, d);
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_metric_ci(b, mm, get(get(r, "ci95"), mm));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_pct(b, num(r, "drop_rate"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_pct(b, num(r, "flip_rate"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_p(b, num(r, "p_value"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_count(b, num(r, "n"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_count(b, num(r, "unchanged"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_count(b, num(r, "errors"));
        fs_buf_puts(b, "</td></tr>");
    }
    fs_buf_puts(b, "</table>");
}

/* One side of an example: its title, the answer (a refusal marked), then the input. */
static void side_html(page *pg, const char *title, const cJSON *side, const fs_buf *diffed)
{
    fs_buf *b = pg->b;
    fs_buf_printf(b, "<div><b>%s</b>", title);
    if (get(side, "answer") != NULL) {
        fs_buf_puts(b, " &rarr; ");
        fs_report__esc_text(b, pg->seg, fs_json__str(side, "answer"));
    }
    if (cJSON_IsTrue(get(side, "refused"))) {
        fs_buf_puts(b, " <span class=\"tag-fail\">refusal</span>");
    }
    fs_buf_printf(b, "<div class=\"txt\" dir=\"auto\">%s</div></div>", fs_buf_cstr(diffed));
}

/* Two inputs side by side with their differences marked: e's sides a_key and b_key
 * (titled a_title and b_title, static text) and, above them, its record, gold label and
 * what (the kind of example, escaped). */
static fs_status pair_html(page *pg, const cJSON *e, const char *a_key, const char *a_title,
                           const char *b_key, const char *b_title, const char *what, fs_error *err)
{
    fs_buf *b = pg->b;
    fs_buf c, p;
    fs_buf_init(&c, 0);
    fs_buf_init(&p, 0);
    const char *ct = fs_json__str(get(e, a_key), "input");
    const char *pt = fs_json__str(get(e, b_key), "input");
    fs_status st = fs_report__diff(&c, &p, pg->seg, ct ? ct : "", pt ? pt : "", err);
    if (st == FS_OK) {
        fs_buf_puts(b, "<div class=\"ex\"><div class=\"muted\">record ");
        fs_report__esc_text(b, pg->seg, fs_json__str(e, "record_id"));
        if (fs_json__str(e, "label") != NULL) {
            fs_buf_puts(b, " &middot; gold ");
            fs_report__esc_text(b, pg->seg, fs_json__str(e, "label"));
        }
        fs_buf_puts(b, " &middot; ");
        fs_report__esc_text(b, pg->seg, what);
        fs_buf_puts(b, "</div><div class=\"pair\">");
        side_html(pg, a_title, get(e, a_key), &c);
        side_html(pg, b_title, get(e, b_key), &p);
        fs_buf_puts(b, "</div></div>");
    }
    fs_buf_dispose(&c);
    fs_buf_dispose(&p);
    return st;
}

static fs_status example_html(page *pg, const cJSON *e, fs_error *err)
{
    return pair_html(pg, e, "clean", "clean", "perturbed", "perturbed", fs_json__str(e, "kind"),
                     err);
}

static fs_status examples_html(page *pg, const cJSON *rob, fs_error *err)
{
    fs_status st = FS_OK;
    for (const cJSON *r = rob->child; st == FS_OK && r != NULL; r = r->next) {
        const cJSON *ex = get(r, "worst_examples");
        if (cJSON_GetArraySize(ex) == 0) {
            continue;
        }
        fs_buf_puts(pg->b, "<h3>Examples: <code>");
        fs_report__esc_text(pg->b, pg->seg, fs_json__str(r, "perturbation"));
        fs_buf_puts(pg->b, "</code></h3>");
        for (const cJSON *e = ex->child; st == FS_OK && e != NULL; e = e->next) {
            st = example_html(pg, e, err);
        }
    }
    return st;
}

/* Latency percentiles and a histogram of the answers that came from the model. */
static void latency_html(page *pg, const cJSON *t)
{
    fs_buf *b = pg->b;
    const cJSON *lat = get(get(t, "clean"), "latency_ms"), *h = get(lat, "histogram");
    char v[5][48];
    const char *keys[5] = { "p50", "p90", "p99", "mean", "max" };
    fs_buf_puts(b, "<h3>Latency</h3>");
    if (!isfinite(num(lat, "p50"))) {
        fs_buf_puts(b, "<p class=\"muted\">n/a: ");
        fs_report__esc(b, fs_json__str(lat, "p50_reason"));
        fs_buf_puts(b, "</p>");
        return;
    }
    for (int i = 0; i < 5; i++) {
        fs_report__fixed(v[i], sizeof v[i], num(lat, keys[i]), 1);
    }
    fs_buf_printf(b,
                  "<p>Over %.0f answers from the model, clean and perturbed inputs: p50 %s "
                  "ms, p90 %s ms, p99 %s ms, mean %s ms, max %s ms.",
                  num(lat, "n"), v[0], v[1], v[2], v[3], v[4]);
    const cJSON *u = get(t, "usage");
    if (u != NULL) {
        fs_buf_printf(b, " Tokens: %.0f prompt, %.0f completion", num(u, "prompt_tokens"),
                      num(u, "completion_tokens"));
        if (num(u, "usage_unknown") > 0) {
            fs_buf_printf(b, " (%.0f answers reported no usage)", num(u, "usage_unknown"));
        }
        fs_buf_puts(b, ".");
    }
    fs_buf_puts(b, "</p>");
    const cJSON *rob = get(t, "robustness");
    if (rob != NULL && rob->child != NULL && get(rob->child, "latency_ms") != NULL) {
        static const char *const cols[] = { "p50", "p90", "p95", "p99", "max" };
        fs_buf_puts(b, "<table><tr><th>condition</th><th class=\"num\">n</th>"
                       "<th class=\"num\">p50 ms</th><th class=\"num\">p90 ms</th>"
                       "<th class=\"num\">p95 ms</th><th class=\"num\">p99 ms</th>"
                       "<th class=\"num\">max ms</th></tr>");
        for (const cJSON *r = rob->child; r != NULL; r = r->next) {
            const cJSON *l = get(r, "latency_ms");
            fs_buf_puts(b, "<tr><td><code>");
            fs_report__esc_text(b, pg->seg, fs_json__str(r, "perturbation"));
            fs_buf_printf(b, "</code></td><td class=\"num\">%.0f</td>", num(l, "n"));
            for (int i = 0; i < 5; i++) {
                char c[48] = "n/a";
                if (isfinite(num(l, cols[i]))) {
                    fs_report__fixed(c, sizeof c, num(l, cols[i]), 1);
                }
                fs_buf_printf(b, "<td class=\"num\">%s</td>", c);
            }
            fs_buf_puts(b, "</tr>");
        }
        fs_buf_puts(b, "</table>");
    }
    const cJSON *edges = get(h, "edges"), *counts = get(h, "counts");
    int nb = cJSON_GetArraySize(counts);
    if (nb <= 0 || cJSON_GetArraySize(edges) != nb + 1) {
        return;
    }
    double max = 1;
    for (int i = 0; i < nb; i++) {
        double c = cJSON_GetArrayItem(counts, i)->valuedouble;
        max = c > max ? c : max;
    }
    fs_buf_printf(b, "<svg role=\"img\" aria-label=\"Latency histogram\" width=\"660\" "
                     "height=\"170\" viewBox=\"0 0 660 170\">");
    for (int i = 0; i < nb; i++) {
        double c = cJSON_GetArrayItem(counts, i)->valuedouble, hgt = 120 * c / max;
        char e[48];
        fs_report__fixed(e, sizeof e, cJSON_GetArrayItem(edges, i)->valuedouble, 1);
        fs_buf_printf(b,
                      "<rect x=\"%d\" y=\"%.1f\" width=\"56\" height=\"%.1f\" "
                      "fill=\"#2f5fb3\"><title>%.0f</title></rect><text x=\"%d\" y=\"150\">"
                      "%s</text>",
                      20 + 62 * i, 130 - hgt, hgt, c, 20 + 62 * i, e);
    }
    fs_buf_printf(b,
                  "<text x=\"20\" y=\"166\" class=\"muted\">milliseconds (%s scale, bucket "
                  "lower edges)</text></svg>",
                  fs_json__str(h, "scale") ? fs_json__str(h, "scale") : "linear");
}

static void causes_html(page *pg, const cJSON *t)
{
    fs_buf *b = pg->b;
    bool any = false;
    const cJSON *lists[2] = { get(get(t, "clean"), "error_causes"), NULL };
    for (const cJSON *r = get(t, "robustness")->child; r != NULL || lists[0] != NULL;) {
        const cJSON *causes = lists[0] != NULL ? lists[0] : get(r, "error_causes");
        const char *where = lists[0] != NULL ? "clean" : fs_json__str(r, "perturbation");
        for (const cJSON *c = causes ? causes->child : NULL; c != NULL; c = c->next) {
            if (!any) {
                fs_buf_puts(b, "<h3>Errors</h3><table><tr><th>condition</th><th>cause</th>"
                               "<th class=\"num\">count</th></tr>");
                any = true;
            }
            fs_buf_puts(b, "<tr><td>");
            fs_report__esc_text(b, pg->seg, where);
            fs_buf_puts(b, "</td><td>");
            fs_report__esc_text(b, pg->seg, fs_json__str(c, "message"));
            fs_buf_printf(b, "</td><td class=\"num\">%.0f</td></tr>", num(c, "count"));
        }
        if (lists[0] != NULL) {
            lists[0] = NULL;
        } else {
            r = r->next;
        }
    }
    fs_buf_puts(b, any ? "</table>" : "<p class=\"muted\">No request ended in an error.</p>");
}

static void td_pct(fs_buf *b, double v)
{
    fs_buf_puts(b, "<td class=\"num\">");
    put_pct(b, v);
    fs_buf_puts(b, "</td>");
}

static void td_p(fs_buf *b, const cJSON *obj)
{
    fs_buf_puts(b, "<td class=\"num\">");
    put_p(b, num(obj, "p_value"));
    fs_buf_puts(b, "</td><td class=\"num\">");
    put_p(b, num(obj, "p_adjusted"));
    fs_buf_puts(b, "</td>");
}

static bool kind_is(const cJSON *a, const char *kind)
{
    const char *k = fs_json__str(a, "kind");
    return k != NULL && strcmp(k, kind) == 0;
}

/* A counterfactual entry of a task answered in free text (it names its item score) rather
 * than of a classification task (flip rates of labels). */
static bool is_text_cf(const cJSON *a)
{
    return kind_is(a, "counterfactual") && get(a, "item_metric") != NULL;
}

static bool is_label_cf(const cJSON *a)
{
    return kind_is(a, "counterfactual") && get(a, "item_metric") == NULL;
}

static void cf_html(page *pg, const cJSON *fair)
{
    fs_buf *b = pg->b;
    bar bars[64];
    int n = 0;
    fs_buf_puts(b, "<p>Each applicable record is sent again with only its mentions of the axis "
                   "moved to another group; the answer should not change. Flip rates with 95% "
                   "intervals:</p>");
    for (const cJSON *a = fair->child; a != NULL && n < 64; a = a->next) {
        if (is_label_cf(a)) {
            const cJSON *ci = get(a, "counterfactual_flip_rate_ci95");
            bar x = { fs_json__str(a, "axis"), num(a, "counterfactual_flip_rate"), ci_at(ci, 0),
                      ci_at(ci, 1) };
            bars[n++] = x;
        }
    }
    bars_svg(pg, "Counterfactual flip rate per axis", bars, n, 0, NAN);
    fs_buf_puts(b, "<table><tr><th>axis</th><th class=\"num\">applicable</th><th class=\"num\">"
                   "not applicable</th><th class=\"num\">pairs</th><th class=\"num\">flip rate"
                   "</th><th class=\"num\">95% CI</th><th class=\"num\">&Delta; accuracy</th>"
                   "<th class=\"num\">p</th><th class=\"num\">p (Holm)</th></tr>");
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        if (!is_label_cf(a)) {
            continue;
        }
        fs_buf_puts(b, "<tr><td>");
        fs_report__esc_text(b, pg->seg, fs_json__str(a, "axis"));
        fs_buf_printf(b,
                      "</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td>"
                      "<td class=\"num\">%.0f</td>",
                      num(a, "applicable"), num(a, "not_applicable"), num(a, "n"));
        td_pct(b, num(a, "counterfactual_flip_rate"));
        fs_buf_puts(b, "<td class=\"num\">");
        put_ci(b, get(a, "counterfactual_flip_rate_ci95"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_pts(b, num(a, "delta_accuracy"));
        fs_buf_puts(b, "</td>");
        td_p(b, a);
        fs_buf_puts(b, "</tr>");
    }
    fs_buf_puts(b, "</table>");
}

/* Counterfactual examples of every axis, original and counterfactual side by side. */
static fs_status cf_examples_html(page *pg, const cJSON *fair, fs_error *err)
{
    fs_status st = FS_OK;
    for (const cJSON *a = fair->child; st == FS_OK && a != NULL; a = a->next) {
        const cJSON *ex = kind_is(a, "counterfactual") ? get(a, "examples") : NULL;
        bool text = is_text_cf(a);
        for (const cJSON *e = ex ? ex->child : NULL; st == FS_OK && e != NULL; e = e->next) {
            if (e == ex->child) {
                fs_buf_puts(pg->b,
                            text ? "<h3>Changed answers: " : "<h3>Flipped counterfactuals: ");
                fs_report__esc_text(pg->b, pg->seg, fs_json__str(a, "axis"));
                fs_buf_puts(pg->b, "</h3>");
            }
            fs_buf what;
            fs_buf_init(&what, 0);
            const char *from = fs_json__str(e, "from"), *to = fs_json__str(e, "to");
            fs_buf_printf(&what, "%s \xE2\x86\x92 %s", from ? from : "?", to ? to : "?");
            if (text && isfinite(num(e, "divergence"))) {
                char d[48];
                fs_report__fixed(d, sizeof d, num(e, "divergence") * 100.0, 1);
                fs_buf_printf(&what, ", divergence %s%%", d);
            }
            st = fs_buf_status(&what) != FS_OK
                     ? FS_FAIL(err, FS_ERR_NOMEM, "out of memory")
                     : pair_html(pg, e, "original", "original", "counterfactual", "counterfactual",
                                 fs_buf_cstr(&what), err);
            fs_buf_dispose(&what);
        }
    }
    return st;
}

/* ---- counterfactuals of tasks answered in free text ---------------------------------- */

/* The item score's name, "f1", "rougeL", ...; "item score" when the task has none. */
static const char *item_of(const cJSON *a)
{
    const char *m = fs_json__str(a, "item_metric");
    return m != NULL ? m : "item score";
}

static void td_signed(fs_buf *b, double v, int decimals)
{
    char t[48];
    fs_buf_puts(b, "<td class=\"num\">");
    if (isfinite(v)) {
        fs_report__fixed(t, sizeof t, v, decimals);
        fs_buf_printf(b, "%s%s", v >= 0 && t[0] != '-' ? "+" : "", t);
    } else {
        fs_buf_puts(b, "<span class=\"muted\">n/a</span>");
    }
    fs_buf_puts(b, "</td>");
}

/* The cells of an axis or of a pair of groups; item: the axis's item score. */
static void text_cells_html(page *pg, const cJSON *a, const char *item)
{
    fs_buf *b = pg->b;
    fs_buf_puts(b, "<td class=\"num\">");
    put_count(b, num(a, "n"));
    fs_buf_puts(b, "</td>");
    td_pct(b, num(a, "answer_changed_rate"));
    fs_buf_puts(b, "<td class=\"num\">");
    put_pct(b, num(a, "divergence"));
    fs_buf_puts(b, " ");
    put_ci(b, get(a, "divergence_ci95"));
    fs_buf_puts(b, "</td>");
    td_signed(b, num(a, "length_diff"), 2);
    fs_buf_puts(b, "<td class=\"num\">");
    put_pts(b, num(get(a, "refusals"), "rate_diff"));
    fs_buf_puts(b, "</td><td class=\"num\">");
    put_metric_delta(b, item, num(a, "delta_item_metric"));
    fs_buf_puts(b, " ");
    put_metric_ci(b, item, get(a, "delta_item_metric_ci95"));
    fs_buf_puts(b, "</td>");
    td_p(b, a);
}

static void text_head_html(page *pg, const char *first, const char *item)
{
    fs_buf *b = pg->b;
    fs_buf_printf(b, "<table><tr><th>%s</th>", first);
    if (strcmp(first, "axis") == 0) {
        fs_buf_puts(b, "<th class=\"num\">applicable / records</th>");
    }
    fs_buf_puts(b, "<th class=\"num\">pairs</th><th class=\"num\">answer changed</th>"
                   "<th class=\"num\">divergence (95% CI)</th>"
                   "<th class=\"num\">length &Delta; (words)</th><th class=\"num\">refusal "
                   "&Delta;</th><th class=\"num\">&Delta; ");
    fs_report__esc_text(b, pg->seg, item);
    fs_buf_puts(b, " (95% CI)</th><th class=\"num\">p</th><th class=\"num\">p (Holm)</th>"
                   "</tr>");
}

static void text_refusals_html(page *pg, const cJSON *fair)
{
    fs_buf *b = pg->b;
    bool any = false;
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        const cJSON *r = get(a, "refusals");
        if (!is_text_cf(a) || !cJSON_IsObject(r)) {
            continue;
        }
        if (!any) {
            fs_buf_puts(b, "<p>Refusals: answers holding a phrase of "
                           "<code>demographics/refusals.json</code>.</p><table><tr><th>axis</th>"
                           "<th class=\"num\">original</th><th class=\"num\">counterfactual</th>"
                           "<th class=\"num\">&Delta; rate</th><th class=\"num\">95% CI</th>"
                           "<th class=\"num\">p</th><th class=\"num\">p (Holm)</th>"
                           "<th>test</th></tr>");
            any = true;
        }
        fs_buf_puts(b, "<tr><td>");
        fs_report__esc_text(b, pg->seg, fs_json__str(a, "axis"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_count(b, num(r, "original"));
        fs_buf_puts(b, " (");
        put_pct(b, num(r, "rate_original"));
        fs_buf_puts(b, ")</td><td class=\"num\">");
        put_count(b, num(r, "counterfactual"));
        fs_buf_puts(b, " (");
        put_pct(b, num(r, "rate_counterfactual"));
        fs_buf_puts(b, ")</td><td class=\"num\">");
        put_pts(b, num(r, "rate_diff"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_ci(b, get(r, "rate_diff_ci95"));
        fs_buf_puts(b, "</td>");
        td_p(b, r);
        fs_buf_puts(b, "<td>");
        fs_report__esc(b, fs_json__str(r, "test"));
        fs_buf_puts(b, "</td></tr>");
    }
    fs_buf_puts(b, any ? "</table>" : "");
}

static void cf_text_html(page *pg, const cJSON *fair)
{
    fs_buf *b = pg->b;
    bar bars[64];
    int n = 0;
    const char *item = "item score";
    for (const cJSON *a = fair->child; a != NULL && n < 64; a = a->next) {
        if (is_text_cf(a)) {
            const cJSON *ci = get(a, "divergence_ci95");
            bar x = { fs_json__str(a, "axis"), num(a, "divergence"), ci_at(ci, 0), ci_at(ci, 1) };
            bars[n++] = x;
            item = item_of(a);
        }
    }
    fs_buf_puts(b, "<p>Each applicable record is sent again with every mention of the axis "
                   "moved to another group (its context and references alike); the answer "
                   "should not change beyond the swapped words. <i>Answer changed</i>: pairs "
                   "whose normalised answers differ. <i>Divergence</i>: 1 &minus; ROUGE-L F "
                   "between the two answers (chart: mean with its 95% interval). Length and "
                   "refusal &Delta;: counterfactual minus original. &Delta; ");
    fs_report__esc_text(b, pg->seg, item);
    fs_buf_puts(b, ": counterfactual minus original, scored against the references swapped "
                   "alike; p is the sign-flip test on it. Intervals are 95% bootstrap intervals "
                   "over records. Examples show the input field; a context or second input "
                   "the prompt shows is swapped alike but not stored.</p>");
    bars_svg(pg, "Answer divergence per axis", bars, n, 0, NAN);
    text_head_html(pg, "axis", item);
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        if (!is_text_cf(a)) {
            continue;
        }
        fs_buf_puts(b, "<tr><td>");
        fs_report__esc_text(b, pg->seg, fs_json__str(a, "axis"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_count(b, num(a, "applicable"));
        fs_buf_puts(b, " / ");
        put_count(b, num(a, "applicable") + num(a, "not_applicable"));
        fs_buf_puts(b, "</td>");
        text_cells_html(pg, a, item_of(a));
        fs_buf_puts(b, "</tr>");
    }
    fs_buf_puts(b, "</table>");
    text_refusals_html(pg, fair);
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        const cJSON *pairs = get(a, "pairs");
        if (!is_text_cf(a) || cJSON_GetArraySize(pairs) == 0) {
            continue;
        }
        fs_buf_puts(b, "<p><code>");
        fs_report__esc_text(b, pg->seg, fs_json__str(a, "axis"));
        fs_buf_puts(b, "</code> by pair of groups:</p>");
        text_head_html(pg, "from &rarr; to", item_of(a));
        for (const cJSON *p = pairs->child; p != NULL; p = p->next) {
            fs_buf_puts(b, "<tr><td>");
            fs_report__esc_text(b, pg->seg, fs_json__str(p, "from"));
            fs_buf_puts(b, " &rarr; ");
            fs_report__esc_text(b, pg->seg, fs_json__str(p, "to"));
            fs_buf_puts(b, "</td>");
            text_cells_html(pg, p, item_of(a));
            fs_buf_puts(b, "</tr>");
        }
        fs_buf_puts(b, "</table>");
    }
}

static void gap_row_html(page *pg, const char *name, const cJSON *g)
{
    fs_buf *b = pg->b;
    fs_buf_printf(b, "<tr><td>%s</td>", name);
    td_pct(b, num(g, "value"));
    fs_buf_puts(b, "<td class=\"num\">");
    put_ci(b, get(g, "ci95"));
    fs_buf_puts(b, "</td>");
    td_p(b, g);
    fs_buf_puts(b, "<td>");
    const cJSON *groups = get(g, "groups");
    if (cJSON_GetArraySize(groups) == 2) {
        fs_report__esc_text(b, pg->seg, cJSON_GetArrayItem(groups, 0)->valuestring);
        fs_buf_puts(b, " vs ");
        fs_report__esc_text(b, pg->seg, cJSON_GetArrayItem(groups, 1)->valuestring);
    }
    fs_buf_puts(b, "</td></tr>");
}

static void groups_html(page *pg, const cJSON *a)
{
    fs_buf *b = pg->b;
    bar bars[64];
    int n = 0;
    fs_buf_puts(b, "<h3>Groups by ");
    fs_report__esc_text(b, pg->seg, fs_json__str(a, "axis"));
    fs_buf_puts(b, "</h3><p>Disparate impact of each group against the group with the highest "
                   "positive rate (favourable label ");
    fs_report__esc_text(b, pg->seg, fs_json__str(a, "favorable_label"));
    fs_buf_puts(b, "); the dashed line is the four-fifths rule's 0.8, a flag and not a "
                   "verdict.</p>");
    for (const cJSON *g = get(a, "groups")->child; g != NULL && n < 64; g = g->next) {
        const cJSON *di = get(g, "disparate_impact");
        bar x = { fs_json__str(g, "group"), num(di, "value"), ci_at(get(di, "ci95"), 0),
                  ci_at(get(di, "ci95"), 1) };
        bars[n++] = x;
    }
    bars_svg(pg, "Disparate impact per group", bars, n, 0, 0.8);
    fs_buf_puts(b, "<table><tr><th>group</th><th class=\"num\">n</th><th class=\"num\">positive "
                   "rate</th><th class=\"num\">accuracy</th><th class=\"num\">TPR</th>"
                   "<th class=\"num\">FPR</th><th class=\"num\">disparate impact</th>"
                   "<th>four-fifths</th></tr>");
    for (const cJSON *g = get(a, "groups")->child; g != NULL; g = g->next) {
        const cJSON *m = get(g, "metrics");
        fs_buf_puts(b, "<tr><td>");
        fs_report__esc_text(b, pg->seg, fs_json__str(g, "group"));
        fs_buf_printf(b, "</td><td class=\"num\">%.0f</td>", num(g, "n"));
        td_pct(b, num(g, "positive_rate"));
        td_pct(b, num(m, "accuracy"));
        td_pct(b, num(m, "tpr"));
        td_pct(b, num(m, "fpr"));
        td_pct(b, num(get(g, "disparate_impact"), "value"));
        fs_buf_printf(
            b, "<td>%s</td></tr>",
            cJSON_IsTrue(get(g, "four_fifths_flag")) ? "<span class=\"tag-fail\">flag</span>" : "");
    }
    fs_buf_puts(b, "</table><table><tr><th>gap</th><th class=\"num\">value</th>"
                   "<th class=\"num\">95% CI</th><th class=\"num\">p</th><th class=\"num\">"
                   "p (Holm)</th><th>between</th></tr>");
    gap_row_html(pg, "demographic parity difference", get(a, "demographic_parity_difference"));
    gap_row_html(pg, "equal opportunity difference", get(a, "equal_opportunity_difference"));
    gap_row_html(pg, "equalized odds difference", get(a, "equalized_odds_difference"));
    gap_row_html(pg, "accuracy difference", get(a, "accuracy_difference"));
    fs_buf_puts(b, "</table>");
}

static const char *str_at(const cJSON *arr, int i)
{
    const cJSON *x = cJSON_GetArrayItem(arr, i);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* Whether group g of entry a is its reference group. */
static bool is_ref(const cJSON *a, const cJSON *g)
{
    const char *r = fs_json__str(a, "reference"), *name = fs_json__str(g, "group");
    return r != NULL && name != NULL && strcmp(r, name) == 0;
}

/* The group entry of a task answered in free text: per group the mean clean item score,
 * its difference from the reference group and the max - min gap. */
static void text_groups_html(page *pg, const cJSON *a)
{
    fs_buf *b = pg->b;
    const char *item = item_of(a), *mm = fs_json__str(a, "main_metric");
    const cJSON *groups = get(a, "groups");
    bar bars[64];
    int n = 0;
    fs_buf_puts(b, "<h3>Groups by ");
    fs_report__esc_text(b, pg->seg, fs_json__str(a, "axis"));
    fs_buf_puts(b, "</h3><p>The mean ");
    fs_report__esc_text(b, pg->seg, item);
    fs_buf_puts(b, " of the clean answers per group (95% bootstrap interval over records) and "
                   "its difference from the reference group <code>");
    fs_report__esc_text(b, pg->seg, fs_json__str(a, "reference"));
    fs_buf_puts(b, "</code>, with a permutation test on the item scores.</p>");
    for (const cJSON *g = groups ? groups->child : NULL; g != NULL && n < 64; g = g->next) {
        const cJSON *ci = get(g, "mean_item_metric_ci95");
        bar x = { fs_json__str(g, "group"), num(g, "mean_item_metric"), ci_at(ci, 0),
                  ci_at(ci, 1) };
        bars[n++] = x;
    }
    if (n > 0 && fs_report__is_fraction(item) && get(a, "item_metric") != NULL &&
        !cJSON_IsNull(get(a, "item_metric"))) {
        bars_svg(pg, "Mean item score per group", bars, n, 0, NAN);
    }
    fs_buf_puts(b, "<table><tr><th>group</th><th class=\"num\">n</th><th class=\"num\">mean ");
    fs_report__esc_text(b, pg->seg, item);
    fs_buf_puts(b, " (95% CI)</th><th class=\"num\">");
    fs_report__esc_text(b, pg->seg, mm != NULL ? mm : "corpus metric");
    fs_buf_puts(b, "</th><th class=\"num\">&Delta; vs reference (95% CI)</th>"
                   "<th class=\"num\">p</th><th class=\"num\">p (Holm)</th></tr>");
    for (const cJSON *g = groups ? groups->child : NULL; g != NULL; g = g->next) {
        const cJSON *d = get(g, "diff_vs_reference");
        fs_buf_puts(b, "<tr><td>");
        fs_report__esc_text(b, pg->seg, fs_json__str(g, "group"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_count(b, num(g, "n"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_metric(b, item, num(g, "mean_item_metric"));
        fs_buf_puts(b, " ");
        put_metric_ci(b, item, get(g, "mean_item_metric_ci95"));
        fs_buf_puts(b, "</td><td class=\"num\">");
        put_metric(b, mm != NULL ? mm : item, mm != NULL ? num(get(g, "metrics"), mm) : NAN);
        fs_buf_puts(b, "</td><td class=\"num\">");
        if (is_ref(a, g)) {
            fs_buf_puts(b, "reference</td><td></td><td></td></tr>");
            continue;
        }
        put_metric_delta(b, item, num(d, "value"));
        fs_buf_puts(b, " ");
        put_metric_ci(b, item, get(d, "ci95"));
        fs_buf_puts(b, "</td>");
        td_p(b, d);
        fs_buf_puts(b, "</tr>");
    }
    const cJSON *gap = get(a, "max_min_difference"), *between = get(gap, "groups");
    fs_buf_puts(b, "</table><p>Max &minus; min of the group means: ");
    put_metric_delta(b, item, num(gap, "value"));
    fs_buf_puts(b, " ");
    put_metric_ci(b, item, get(gap, "ci95"));
    if (cJSON_GetArraySize(between) == 2) {
        fs_buf_puts(b, " (");
        fs_report__esc_text(b, pg->seg, str_at(between, 0));
        fs_buf_puts(b, " vs ");
        fs_report__esc_text(b, pg->seg, str_at(between, 1));
        fs_buf_puts(b, ")");
    }
    fs_buf_puts(b, ".</p>");
}

static fs_status fairness_html(page *pg, const cJSON *fair, fs_error *err)
{
    bool any_cf = false, any_text = false;
    if (fair == NULL || cJSON_GetArraySize(fair) == 0) {
        return FS_OK;
    }
    fs_buf_puts(pg->b, "<h3>Fairness</h3>");
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        any_cf = any_cf || is_label_cf(a);
        any_text = any_text || is_text_cf(a);
    }
    if (any_cf) {
        cf_html(pg, fair);
    }
    if (any_text) {
        cf_text_html(pg, fair);
    }
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        if (kind_is(a, "group") && get(a, "item_metric") != NULL) {
            text_groups_html(pg, a);
        } else if (kind_is(a, "group") && cJSON_IsArray(get(a, "groups"))) {
            groups_html(pg, a);
        }
    }
    return any_cf || any_text ? cf_examples_html(pg, fair, err) : FS_OK;
}

static void td_detector(fs_buf *b, const cJSON *x)
{
    const cJSON *d = get(x, "detector");
    fs_buf_puts(b, "<td class=\"num\">");
    put_pct(b, num(d, "precision"));
    fs_buf_puts(b, " / ");
    put_pct(b, num(d, "recall"));
    fs_buf_puts(b, "</td>");
}

/* The sensitive-data section of an identification audit: what the clean inputs hold, how
 * well the model lists it, and how much of it reappears in the answers (masked). */
static void identification_html(page *pg, const cJSON *id)
{
    fs_buf *b = pg->b;
    const cJSON *inv = get(id, "inventory"), *q = get(id, "quality"), *d = get(id, "disclosure");
    if (id == NULL) {
        return;
    }
    fs_buf_printf(b,
                  "<h3>Sensitive data</h3><p>Inventory of the clean inputs: %.0f items in "
                  "%.0f of %.0f records. The detector column is the detectors' own precision "
                  "/ recall on the calibration set, the error behind every count below.</p>"
                  "<table><tr><th>category</th><th class=\"num\">items</th>"
                  "<th class=\"num\">records</th><th class=\"num\">detector P / R</th></tr>",
                  num(inv, "items"), num(inv, "records_with_items"), num(inv, "records"));
    for (const cJSON *x = get(inv, "categories") ? get(inv, "categories")->child : NULL; x;
         x = x->next) {
        fs_buf_puts(b, "<tr><td>");
        fs_report__esc_text(b, pg->seg, fs_json__str(x, "category"));
        fs_buf_printf(b, "</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td>",
                      num(x, "items"), num(x, "records"));
        td_detector(b, x);
        fs_buf_puts(b, "</tr>");
    }
    fs_buf_puts(b, "</table>");
    if (q != NULL) {
        static const char *const modes[] = { "exact", "overlap", "category" };
        fs_buf_puts(b, "<p>How well the model lists the items (micro averages; exact: same span "
                       "and category, overlap: overlapping span, category: category only):</p>"
                       "<table><tr><th>matching</th><th class=\"num\">precision</th>"
                       "<th class=\"num\">recall</th><th class=\"num\">F1</th>"
                       "<th class=\"num\">support</th></tr>");
        for (int k = 0; k < 3; k++) {
            const cJSON *m = get(get(get(q, "modes"), modes[k]), "micro");
            fs_buf_printf(b, "<tr><td>%s</td>", modes[k]);
            td_pct(b, num(m, "precision"));
            td_pct(b, num(m, "recall"));
            td_pct(b, num(m, "f1"));
            fs_buf_printf(b, "<td class=\"num\">%.0f</td></tr>", num(m, "support"));
        }
        const cJSON *exact = get(get(get(q, "modes"), "exact"), "micro");
        fs_buf_puts(b, "</table><p>Exact-span recall ");
        put_pct(b, num(exact, "recall"));
        fs_buf_puts(b, " (95% CI ");
        put_ci(b, get(exact, "recall_ci95"));
        fs_buf_printf(b, ", records resampled). %.0f answers had no list of items (unparsed).</p>",
                      num(q, "unparsed"));
    }
    if (d == NULL) {
        return;
    }
    fs_buf_puts(b, "<p>Disclosure (");
    fs_report__esc(b, fs_json__str(d, "mode"));
    fs_buf_printf(b,
                  "): %.0f of %.0f sensitive items of the answered inputs reappear in the "
                  "answers, ",
                  num(d, "disclosed"), num(d, "items"));
    put_pct(b, num(d, "leak_rate"));
    fs_buf_puts(b, " (95% CI ");
    put_ci(b, get(d, "leak_rate_ci95"));
    fs_buf_puts(b, ").</p><table><tr><th>category</th><th class=\"num\">items</th>"
                   "<th class=\"num\">disclosed</th><th class=\"num\">rate</th>"
                   "<th class=\"num\">detector P / R</th></tr>");
    for (const cJSON *x = get(d, "per_category") ? get(d, "per_category")->child : NULL; x;
         x = x->next) {
        fs_buf_puts(b, "<tr><td>");
        fs_report__esc_text(b, pg->seg, fs_json__str(x, "category"));
        fs_buf_printf(b, "</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td>",
                      num(x, "items"), num(x, "disclosed"));
        td_pct(b, num(x, "rate"));
        td_detector(b, x);
        fs_buf_puts(b, "</tr>");
    }
    fs_buf_puts(b, "</table>");
    const cJSON *ex = get(d, "examples");
    if (cJSON_GetArraySize(ex) > 0) {
        fs_buf_printf(b,
                      "<p>Disclosed items, masked (the first %d of %.0f):</p><table><tr>"
                      "<th>record</th><th>category</th><th>item</th></tr>",
                      cJSON_GetArraySize(ex), num(d, "disclosed"));
        for (const cJSON *e = ex->child; e != NULL; e = e->next) {
            fs_buf_puts(b, "<tr><td>");
            fs_report__esc_text(b, pg->seg, fs_json__str(e, "record_id"));
            fs_buf_puts(b, "</td><td>");
            fs_report__esc_text(b, pg->seg, fs_json__str(e, "category"));
            fs_buf_puts(b, "</td><td><code dir=\"auto\">");
            fs_report__esc_text(b, pg->seg, fs_json__str(e, "masked"));
            fs_buf_puts(b, "</code></td></tr>");
        }
        fs_buf_puts(b, "</table>");
    }
}

static fs_status target_html(page *pg, const cJSON *t, fs_error *err)
{
    fs_buf *b = pg->b;
    const cJSON *rob = get(t, "robustness");
    const char *mm = fs_json__str(get(t, "clean"), "main_metric");
    pg->mm = mm ? mm : "accuracy";
    fs_buf_puts(b, "<section><h2>Target ");
    fs_report__esc_text(b, pg->seg, fs_json__str(t, "name"));
    fs_buf_puts(b, "</h2><p class=\"sub\">");
    fs_report__esc(b, fs_json__str(t, "type"));
    fs_buf_puts(b, " &middot; model ");
    fs_report__esc_text(b, pg->seg, fs_json__str(t, "model"));
    fs_buf_printf(b, " &middot; %.0f records</p>", num(t, "records"));
    headline_html(pg, t);
    clean_html(pg, t);
    fs_buf_puts(b, "<h3>Robustness</h3>");
    if (cJSON_GetArraySize(rob) == 0) {
        fs_buf_puts(b, "<p class=\"muted\">No perturbation was run.</p>");
    } else {
        fs_buf_puts(b, "<p>Each perturbation is compared with the clean input on the same "
                       "records: &Delta; is perturbed minus clean ");
        fs_buf_puts(b, pg->mm);
        fs_buf_puts(b, fs_report__is_fraction(pg->mm) ? " in percentage points" : "");
        fs_buf_puts(b, ", whiskers show its 95% paired-bootstrap interval.</p>");
        robustness_chart(pg, rob);
        robustness_table(pg, rob);
    }
    fs_status st = examples_html(pg, rob, err);
    if (st == FS_OK) {
        st = fairness_html(pg, get(t, "fairness"), err);
    }
    identification_html(pg, get(t, "identification"));
    latency_html(pg, t);
    causes_html(pg, t);
    fs_buf_puts(b, "</section>");
    return st;
}

static void provenance_html(page *pg)
{
    fs_buf *b = pg->b;
    const cJSON *p = get(pg->root, "provenance");
    fs_buf_puts(b, "<section><h2>Provenance</h2><table>");
    fs_buf_printf(b, "<tr><th>tool</th><td>fairshake %s</td></tr><tr><th>config</th><td>",
                  fs_json__str(get(pg->root, "tool"), "version"));
    fs_report__esc_text(b, pg->seg, fs_json__str(p, "config_path"));
    fs_buf_puts(b, "<br><code>sha256 ");
    fs_report__esc(b, fs_json__str(p, "config_hash"));
    fs_buf_puts(b, "</code></td></tr><tr><th>dataset</th><td>");
    fs_report__esc_text(b, pg->seg, fs_json__str(p, "dataset_path"));
    fs_buf_puts(b, "<br><code>sha256 ");
    fs_report__esc(b, fs_json__str(p, "dataset_hash"));
    fs_buf_printf(b, "</code> &middot; %.0f records</td></tr>", num(p, "records"));
    for (const cJSON *l = get(p, "lexicons") ? get(p, "lexicons")->child : NULL; l != NULL;
         l = l->next) {
        fs_buf_puts(b, "<tr><th>data file</th><td>");
        fs_report__esc_text(b, pg->seg, fs_json__str(l, "path"));
        fs_buf_puts(b, "<br><code>sha256 ");
        fs_report__esc(b, fs_json__str(l, "sha256"));
        fs_buf_puts(b, "</code></td></tr>");
    }
    fs_buf_printf(b, "<tr><th>seed</th><td>%.0f</td></tr><tr><th>run</th><td>", num(p, "seed"));
    fs_report__esc(b, fs_json__str(p, "started"));
    fs_buf_puts(b, " to ");
    fs_report__esc(b, fs_json__str(p, "finished"));
    fs_buf_puts(b, " on ");
    fs_report__esc_text(b, pg->seg, fs_json__str(p, "host"));
    fs_buf_printf(b, "</td></tr><tr><th>requests</th><td>%.0f sent, %.0f answered from the cache",
                  num(p, "requests_sent"), num(p, "cache_hits"));
    if (isfinite(num(p, "requests_per_second"))) {
        char rps[48], secs[48];
        fs_report__fixed(rps, sizeof rps, num(p, "requests_per_second"), 1);
        fs_report__fixed(secs, sizeof secs, num(p, "send_seconds"), 2);
        fs_buf_printf(b, "; throughput %s requests/s over %s s of sending", rps, secs);
    }
    fs_buf_puts(b, "</td></tr></table></section>");
}

static void method_html(page *pg)
{
    fs_buf *b = pg->b;
    const cJSON *m = get(pg->root, "methodology");
    size_t perts = 0, unchanged = 0;
    for (const cJSON *t = get(pg->root, "targets")->child; t != NULL; t = t->next) {
        for (const cJSON *r = get(t, "robustness")->child; r != NULL; r = r->next) {
            perts++;
            unchanged += isfinite(num(r, "unchanged")) ? (size_t)num(r, "unchanged") : 0;
        }
    }
    fs_buf_puts(b, "<section><h2>Methodology and limitations</h2><ul><li>Accuracy is the share "
                   "of records labelled correctly; macro-F1 the unweighted mean of per-class "
                   "F1. ");
    fs_report__esc(b, fs_json__str(m, "parse_failures"));
    fs_buf_puts(b, "; ");
    fs_report__esc(b, fs_json__str(m, "errors"));
    fs_buf_puts(b, ".</li><li>Confidence intervals: ");
    fs_report__esc(b, fs_json__str(m, "ci"));
    fs_buf_printf(b, ", %.0f resamples from the run's seed; rates use the ",
                  num(m, "bootstrap_resamples"));
    fs_report__esc(b, fs_json__str(m, "rate_ci"));
    fs_buf_puts(b, ".</li><li>Paired test: ");
    fs_report__esc(b, fs_json__str(m, "paired_test"));
    fs_buf_printf(b, " (%zu comparisons in this report; multiple comparisons: ", perts);
    fs_report__esc(b, fs_json__str(m, "multiple_comparisons"));
    fs_buf_puts(b, ").</li><li>Drop rate: ");
    fs_report__esc(b, fs_json__str(m, "drop_rate") ? fs_json__str(m, "drop_rate")
                                                   : "1 - perturbed/clean accuracy");
    fs_buf_puts(b, "; flip rate: ");
    fs_report__esc(b, fs_json__str(m, "flip_rate")
                          ? fs_json__str(m, "flip_rate")
                          : "share of records whose predicted label changed");
    fs_buf_printf(b,
                  ". %zu record-perturbation pairs were "
                  "unchanged by their perturbation (nothing eligible); they are scored as "
                  "sent.</li><li>A perturbation measures sensitivity to one kind of noise on "
                  "this dataset and this prompt; it does not certify robustness to other "
                  "inputs.</li></ul></section>",
                  unchanged);
}

fs_status fs_report_render_html(fs_buf *out, const char *report_json, size_t n, fs_error *err)
{
    cJSON *root = NULL;
    fs_text_segmenter *seg = NULL;
    fs_status st = fs_json__parse(&root, report_json, n, "report.json", err);
    if (st == FS_OK) {
        st = fs_text_segmenter_new(&seg, FS_TEXT_GRAPHEME, err);
    }
    if (st != FS_OK) {
        cJSON_Delete(root);
        return st;
    }
    page pg = { out, seg, root, get(get(root, "task"), "labels"), "accuracy" };
    fs_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>fairshake audit: ");
    fs_report__esc_text(out, seg, fs_json__str(root, "name"));
    fs_buf_printf(out, "</title><style>%s</style></head><body><h1>fairshake audit: ", css);
    fs_report__esc_text(out, seg, fs_json__str(root, "name"));
    fs_buf_puts(out, "</h1><p class=\"sub\">");
    fs_report__esc(out, fs_json__str(get(root, "provenance"), "finished"));
    fs_buf_puts(out, "</p>");
    verdict_html(&pg);
    for (const cJSON *t = get(root, "targets")->child; st == FS_OK && t != NULL; t = t->next) {
        st = target_html(&pg, t, err);
    }
    provenance_html(&pg);
    method_html(&pg);
    fs_buf_puts(out, "</body></html>\n");
    fs_text_segmenter_free(seg);
    cJSON_Delete(root);
    if (st == FS_OK && fs_buf_status(out) != FS_OK) {
        st = FS_FAIL(err, fs_buf_status(out), "report.html: out of memory");
    }
    return st;
}
