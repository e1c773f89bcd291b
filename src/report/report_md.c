/* report.md: the audit's findings as a document that reads well as plain text and on a
 * code-hosting site. Rendered from report.json alone. Text that comes from the dataset
 * or the model is escaped so it can never become Markdown or HTML structure. */
#include "fairshake/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "report/report_fmt.h"

static double num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Numbers: the shared formatters (report_fmt.h) with a plain "n/a". */
#define NA "n/a"
static void put_pct(fs_buf *b, double v)
{
    fs_report__pct(b, v, NA);
}
static void put_signed_pts(fs_buf *b, double v)
{
    fs_report__pts(b, v, NA);
}
static void put_ci_pts(fs_buf *b, const cJSON *ci)
{
    fs_report__ci_pts(b, ci, NA);
}
static void put_p(fs_buf *b, double p)
{
    fs_report__p(b, p, NA, "< 0.0001");
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

/* Escape text from the dataset or the model: Markdown punctuation gets a backslash, '<'
 * and '&' become entities, line breaks become spaces. */
static void put_text(fs_buf *b, const char *s)
{
    static const char special[] = "\\`*_[]|~>";
    if (s == NULL) {
        fs_buf_puts(b, "*(none)*");
        return;
    }
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '<') {
            fs_buf_puts(b, "&lt;");
        } else if (*p == '&') {
            fs_buf_puts(b, "&amp;");
        } else if (*p == '\n' || *p == '\r' || *p == '\t') {
            fs_buf_putc(b, ' ');
        } else {
            if (strchr(special, *p) != NULL) {
                fs_buf_putc(b, '\\');
            }
            fs_buf_putc(b, *p);
        }
    }
}

static void put_reason_or(fs_buf *b, const cJSON *obj, const char *key)
{
    char rkey[96];
    snprintf(rkey, sizeof rkey, "%s_reason", key);
    const char *r = fs_json__str(obj, rkey);
    if (r != NULL) {
        fs_buf_puts(b, "n/a (");
        fs_buf_puts(b, r);
        fs_buf_puts(b, ")");
    } else {
        put_pct(b, num(obj, key));
    }
}

static void verdict_md(fs_buf *b, const cJSON *root)
{
    const cJSON *verdict = get(root, "verdict");
    const cJSON *gates = get(root, "gates");
    double n = num(verdict, "gates"), failed = num(verdict, "gates_failed");
    fs_buf_puts(b, "## Verdict\n\n");
    const cJSON *complete = get(root, "complete");
    if (cJSON_IsFalse(complete)) {
        fs_buf_puts(b, "**INCOMPLETE**: the run stopped before every variant was answered (");
        put_text(b, fs_json__str(root, "stopped") ? fs_json__str(root, "stopped")
                                                  : "no reason recorded");
        fs_buf_puts(b, "). The figures below cover only the answers received, and the run "
                       "does not pass whatever its gates say.\n\n");
    }
    if (!(n > 0)) {
        fs_buf_puts(b, "No gates were configured: this report states findings and passes no "
                       "judgement.\n\n");
    } else if (failed == 0) {
        fs_buf_printf(b, "**PASSED**: all %.0f gates passed.\n\n", n);
    } else {
        fs_buf_printf(b, "**FAILED**: %.0f of %.0f gates failed.\n\n", failed, n);
    }
    if (!(n > 0)) {
        return;
    }
    fs_buf_puts(b, "| gate | target | value | threshold | result |\n|---|---|---|---|---|\n");
    for (const cJSON *g = gates ? gates->child : NULL; g != NULL; g = g->next) {
        char thr[48], val[48];
        fs_report__fixed(thr, sizeof thr, num(g, "threshold"), 4);
        fs_buf_printf(b, "| `%s` | ", fs_json__str(g, "name"));
        put_text(b, fs_json__str(g, "target"));
        fs_buf_puts(b, " | ");
        if (isfinite(num(g, "value"))) {
            fs_report__fixed(val, sizeof val, num(g, "value"), 4);
            fs_buf_puts(b, val);
            const char *where = fs_json__str(g, "perturbation") != NULL
                                    ? fs_json__str(g, "perturbation")
                                    : fs_json__str(g, "axis");
            if (where != NULL) {
                fs_buf_puts(b, " (");
                put_text(b, where);
                fs_buf_puts(b, ")");
            }
            const char *bound = fs_json__str(g, "bound");
            if (bound != NULL && strcmp(bound, "ci95") == 0) {
                fs_buf_puts(b, ", the pessimistic end of its 95% CI");
            }
        } else {
            fs_buf_puts(b, "n/a: ");
            put_text(b, fs_json__str(g, "value_reason"));
        }
        fs_buf_printf(b, " | %s %s | %s |\n", fs_json__str(g, "comparison"), thr,
                      cJSON_IsTrue(get(g, "passed")) ? "pass" : "**FAIL**");
    }
    fs_buf_puts(b, "\n");
}

/* The headline metric of a target: accuracy for classification, else the task's. */
static const char *main_metric(const cJSON *t)
{
    const char *m = fs_json__str(get(t, "clean"), "main_metric");
    return m ? m : "accuracy";
}

static void headline_md(fs_buf *b, const cJSON *t)
{
    const cJSON *clean = get(t, "clean");
    const cJSON *m = get(clean, "metrics");
    const char *mm = main_metric(t);
    bool cls = strcmp(mm, "accuracy") == 0;
    fs_buf_printf(b, "- Clean %s is ", mm);
    put_metric(b, mm, num(m, mm));
    fs_buf_puts(b, " (95% CI ");
    put_metric_ci(b, mm, get(clean, cls ? "accuracy_ci95" : "main_metric_ci95"));
    fs_buf_printf(b, ", n = %.0f)%s\n", num(clean, "n"),
                  cls ? ": the share of unmodified inputs the model labels correctly." : ".");
    const cJSON *worst = NULL;
    double sign = fs_report__is_fraction(mm) ? 1.0 : -1.0; /* perplexity: higher is worse */
    for (const cJSON *r = get(t, "robustness") ? get(t, "robustness")->child : NULL; r != NULL;
         r = r->next) {
        double d = sign * num(get(r, "delta"), mm);
        if (isfinite(d) && (worst == NULL || d < sign * num(get(worst, "delta"), mm))) {
            worst = r;
        }
    }
    if (worst != NULL) {
        fs_buf_puts(b, "- The largest change under noise is ");
        put_metric_delta(b, mm, num(get(worst, "delta"), mm));
        fs_buf_printf(b, " of %s under `", mm);
        put_text(b, fs_json__str(worst, "perturbation"));
        fs_buf_puts(b, "` (95% CI ");
        put_metric_ci(b, mm, get(get(worst, "ci95"), mm));
        fs_buf_puts(b, ", p ");
        if (!(num(worst, "p_value") < 0.0001)) {
            fs_buf_puts(b, "= ");
        }
        put_p(b, num(worst, "p_value"));
        fs_buf_puts(b, "); its answers changed on ");
        put_pct(b, num(worst, "flip_rate"));
        fs_buf_puts(b, " of records.\n");
    }
    const cJSON *wc = get(t, "worst_case"), *wm = get(wc, "metrics");
    const char *wk = wm && wm->child ? wm->child->string : "accuracy";
    fs_buf_printf(b, "- Worst-case %s is ", wk);
    if (fs_json__str(wm, "accuracy_reason") == NULL && isfinite(num(wm, wk))) {
        put_metric(b, wk, num(wm, wk));
    } else {
        put_reason_or(b, wm, wk);
    }
    fs_buf_printf(b,
                  " (n = %.0f): each record scores its lowest over the clean input and every "
                  "perturbation.\n\n",
                  num(wc, "n"));
}

static void ms_cell(fs_buf *b, const cJSON *lat, const char *key)
{
    char v[48];
    fs_buf_puts(b, " | ");
    if (isfinite(num(lat, key))) {
        fs_report__fixed(v, sizeof v, num(lat, key), 1);
        fs_buf_puts(b, v);
    } else {
        fs_buf_puts(b, "n/a");
    }
}

/* Latency over every answer from the model, then per perturbation, then token totals. */
static void latency_md(fs_buf *b, const cJSON *t)
{
    const cJSON *lat = get(get(t, "clean"), "latency_ms"), *u = get(t, "usage");
    char p50[48], p90[48], p95[48], p99[48];
    fs_report__fixed(p50, sizeof p50, num(lat, "p50"), 1);
    fs_report__fixed(p90, sizeof p90, num(lat, "p90"), 1);
    fs_report__fixed(p95, sizeof p95, num(lat, "p95"), 1);
    fs_report__fixed(p99, sizeof p99, num(lat, "p99"), 1);
    if (!isfinite(num(lat, "p50"))) {
        fs_buf_puts(b, "Latency: n/a (");
        put_text(b, fs_json__str(lat, "p50_reason"));
        fs_buf_puts(b, ").\n\n");
        return;
    }
    fs_buf_printf(b,
                  "Latency over %.0f answers from the model (not from the cache), clean and "
                  "perturbed inputs: p50 %s ms, p90 %s ms, p95 %s ms, p99 %s ms.",
                  num(lat, "n"), p50, p90, p95, p99);
    if (u != NULL) {
        fs_buf_printf(b, " Tokens: %.0f prompt, %.0f completion", num(u, "prompt_tokens"),
                      num(u, "completion_tokens"));
        if (num(u, "usage_unknown") > 0) {
            fs_buf_printf(b, " (%.0f answers reported no usage)", num(u, "usage_unknown"));
        }
        fs_buf_puts(b, ".");
    }
    fs_buf_puts(b, "\n\n");
    const cJSON *rob = get(t, "robustness");
    if (rob == NULL || rob->child == NULL || get(rob->child, "latency_ms") == NULL) {
        return;
    }
    fs_buf_puts(b, "| condition | n | p50 ms | p90 ms | p95 ms | p99 ms | max ms |\n"
                   "|---|---|---|---|---|---|---|\n");
    for (const cJSON *r = rob->child; r != NULL; r = r->next) {
        const cJSON *l = get(r, "latency_ms");
        fs_buf_puts(b, "| `");
        put_text(b, fs_json__str(r, "perturbation"));
        fs_buf_printf(b, "` | %.0f", num(l, "n"));
        ms_cell(b, l, "p50");
        ms_cell(b, l, "p90");
        ms_cell(b, l, "p95");
        ms_cell(b, l, "p99");
        ms_cell(b, l, "max");
        fs_buf_puts(b, " |\n");
    }
    fs_buf_puts(b, "\n");
}

/* Clean metrics of a task answered in free text: one column per metric. */
static void clean_text_md(fs_buf *b, const cJSON *clean)
{
    const cJSON *m = get(clean, "metrics");
    fs_buf_puts(b, "| n | errors | missing |");
    for (const cJSON *x = m ? m->child : NULL; x != NULL; x = x->next) {
        if (strstr(x->string, "_reason") == NULL) {
            fs_buf_printf(b, " %s |", x->string);
        }
    }
    fs_buf_puts(b, "\n|---|---|---|");
    for (const cJSON *x = m ? m->child : NULL; x != NULL; x = x->next) {
        fs_buf_puts(b, strstr(x->string, "_reason") == NULL ? "---|" : "");
    }
    fs_buf_puts(b, "\n| ");
    put_count(b, num(clean, "n"));
    fs_buf_puts(b, " | ");
    put_count(b, num(clean, "errors"));
    fs_buf_puts(b, " | ");
    put_count(b, num(clean, "missing"));
    fs_buf_puts(b, " |");
    for (const cJSON *x = m ? m->child : NULL; x != NULL; x = x->next) {
        if (strstr(x->string, "_reason") == NULL) {
            fs_buf_puts(b, " ");
            put_metric(b, x->string, cJSON_IsNumber(x) ? x->valuedouble : NAN);
            fs_buf_puts(b, " |");
        }
    }
    fs_buf_puts(b, "\n\n");
}

static void clean_md(fs_buf *b, const cJSON *t, const cJSON *labels)
{
    const cJSON *clean = get(t, "clean");
    const cJSON *m = get(clean, "metrics");
    if (strcmp(main_metric(t), "accuracy") != 0) {
        fs_buf_puts(b, "### Clean inputs\n\n");
        clean_text_md(b, clean);
        latency_md(b, t);
        return;
    }
    fs_buf_puts(b, "### Clean inputs\n\n");
    fs_buf_puts(b, "| n | accuracy | macro-F1 | parse failures | errors | missing |\n");
    fs_buf_puts(b, "|---|---|---|---|---|---|\n| ");
    put_count(b, num(clean, "n"));
    fs_buf_puts(b, " | ");
    put_pct(b, num(m, "accuracy"));
    fs_buf_puts(b, " | ");
    put_pct(b, num(m, "macro_f1"));
    fs_buf_puts(b, " | ");
    put_count(b, num(clean, "parse_failures"));
    fs_buf_puts(b, " | ");
    put_count(b, num(clean, "errors"));
    fs_buf_puts(b, " | ");
    put_count(b, num(clean, "missing"));
    fs_buf_puts(b, " |\n\n| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n");
    const cJSON *pc = get(m, "per_class");
    for (const cJSON *l = labels ? labels->child : NULL; l != NULL; l = l->next) {
        const cJSON *c = get(pc, l->valuestring);
        fs_buf_puts(b, "| ");
        put_text(b, l->valuestring);
        fs_buf_puts(b, " | ");
        put_pct(b, num(c, "precision"));
        fs_buf_puts(b, " | ");
        put_pct(b, num(c, "recall"));
        fs_buf_puts(b, " | ");
        put_pct(b, num(c, "f1"));
        fs_buf_puts(b, " | ");
        put_count(b, num(c, "support"));
        fs_buf_puts(b, " |\n");
    }
    fs_buf_puts(b, "\n");
    latency_md(b, t);
}

static void robustness_row(fs_buf *b, const cJSON *r, const char *mm)
{
    fs_buf_puts(b, "| `");
    put_text(b, fs_json__str(r, "perturbation"));
    fs_buf_puts(b, "` | ");
    put_count(b, num(r, "n"));
    fs_buf_puts(b, " | ");
    put_metric(b, mm, num(get(r, "metrics"), mm));
    fs_buf_puts(b, " | ");
    put_metric_delta(b, mm, num(get(r, "delta"), mm));
    fs_buf_puts(b, " | ");
    put_metric_ci(b, mm, get(get(r, "ci95"), mm));
    fs_buf_puts(b, " | ");
    put_pct(b, num(r, "drop_rate"));
    fs_buf_puts(b, " | ");
    put_pct(b, num(r, "flip_rate"));
    fs_buf_puts(b, " | ");
    put_p(b, num(r, "p_value"));
    fs_buf_puts(b, " | ");
    put_count(b, num(r, "unchanged"));
    fs_buf_puts(b, " | ");
    put_count(b, num(r, "parse_failures"));
    fs_buf_puts(b, " | ");
    put_count(b, num(r, "errors"));
    fs_buf_puts(b, " |\n");
}

static void side_md(fs_buf *b, const char *title, const cJSON *side)
{
    fs_buf_printf(b, "  - %s: ", title);
    put_text(b, fs_json__str(side, "input"));
    if (get(side, "answer") != NULL) {
        fs_buf_puts(b, "\n    → answer: ");
        put_text(b, fs_json__str(side, "answer"));
    }
    if (cJSON_IsTrue(get(side, "refused"))) {
        fs_buf_puts(b, " (a refusal)");
    }
    if (get(side, "prediction") != NULL) {
        fs_buf_puts(b, " (label: ");
        put_text(b,
                 fs_json__str(side, "prediction") ? fs_json__str(side, "prediction") : "unparsed");
        fs_buf_puts(b, ")");
    }
    fs_buf_puts(b, "\n");
}

static void examples_md(fs_buf *b, const cJSON *rob)
{
    bool any = false;
    for (const cJSON *r = rob ? rob->child : NULL; r != NULL; r = r->next) {
        const cJSON *ex = get(r, "worst_examples");
        if (cJSON_GetArraySize(ex) == 0) {
            continue;
        }
        if (!any) {
            fs_buf_puts(b, "#### Examples\n\nRecords whose answer the perturbation changed, "
                           "those it broke first.\n\n");
            any = true;
        }
        fs_buf_puts(b, "`");
        put_text(b, fs_json__str(r, "perturbation"));
        fs_buf_puts(b, "`:\n\n");
        for (const cJSON *e = ex->child; e != NULL; e = e->next) {
            fs_buf_puts(b, "- record ");
            put_text(b, fs_json__str(e, "record_id"));
            if (fs_json__str(e, "label") != NULL) {
                fs_buf_puts(b, " (gold: ");
                put_text(b, fs_json__str(e, "label"));
                fs_buf_printf(b, ", %s)", fs_json__str(e, "kind"));
            } else {
                fs_buf_printf(b, " (%s)", fs_json__str(e, "kind"));
            }
            fs_buf_puts(b, "\n");
            side_md(b, "clean", get(e, "clean"));
            side_md(b, "perturbed", get(e, "perturbed"));
        }
        fs_buf_puts(b, "\n");
    }
}

static void put_p_adj(fs_buf *b, const cJSON *obj)
{
    put_p(b, num(obj, "p_value"));
    fs_buf_puts(b, " | ");
    put_p(b, num(obj, "p_adjusted"));
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

static void cf_axes_md(fs_buf *b, const cJSON *fair)
{
    fs_buf_puts(
        b, "Each applicable record is sent again with only its mentions of the axis "
           "moved to another group; the answer should not change.\n\n"
           "| axis | applicable | not applicable | pairs | flip rate | 95% CI | "
           "Δ accuracy | 95% CI | p | p (Holm) |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        if (!is_label_cf(a)) {
            continue;
        }
        fs_buf_puts(b, "| ");
        put_text(b, fs_json__str(a, "axis"));
        fs_buf_puts(b, " | ");
        put_count(b, num(a, "applicable"));
        fs_buf_puts(b, " | ");
        put_count(b, num(a, "not_applicable"));
        fs_buf_puts(b, " | ");
        put_count(b, num(a, "n"));
        fs_buf_puts(b, " | ");
        put_pct(b, num(a, "counterfactual_flip_rate"));
        fs_buf_puts(b, " | ");
        put_ci_pts(b, get(a, "counterfactual_flip_rate_ci95"));
        fs_buf_puts(b, " | ");
        put_signed_pts(b, num(a, "delta_accuracy"));
        fs_buf_puts(b, " | ");
        put_ci_pts(b, get(a, "delta_accuracy_ci95"));
        fs_buf_puts(b, " | ");
        put_p_adj(b, a);
        fs_buf_puts(b, " |\n");
    }
    fs_buf_puts(b, "\n");
}

static void cf_pairs_md(fs_buf *b, const cJSON *fair)
{
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        const cJSON *pairs = get(a, "pairs");
        if (!is_label_cf(a) || cJSON_GetArraySize(pairs) == 0) {
            continue;
        }
        fs_buf_puts(b, "`");
        put_text(b, fs_json__str(a, "axis"));
        fs_buf_puts(b, "` by pair of groups:\n\n| from → to | n | flips | flip rate | Δ accuracy "
                       "| p (exact) | mid-p | p (Holm) |\n|---|---|---|---|---|---|---|---|\n");
        for (const cJSON *p = pairs->child; p != NULL; p = p->next) {
            fs_buf_puts(b, "| ");
            put_text(b, fs_json__str(p, "from"));
            fs_buf_puts(b, " → ");
            put_text(b, fs_json__str(p, "to"));
            fs_buf_puts(b, " | ");
            put_count(b, num(p, "n"));
            fs_buf_puts(b, " | ");
            put_count(b, num(p, "flips"));
            fs_buf_puts(b, " | ");
            put_pct(b, num(p, "flip_rate"));
            fs_buf_puts(b, " | ");
            put_signed_pts(b, num(p, "delta_accuracy"));
            fs_buf_puts(b, " | ");
            put_p(b, num(p, "p_value"));
            fs_buf_puts(b, " | ");
            put_p(b, num(p, "p_midp"));
            fs_buf_puts(b, " | ");
            put_p(b, num(p, "p_adjusted"));
            fs_buf_puts(b, " |\n");
        }
        fs_buf_puts(b, "\n");
    }
}

static void cf_examples_md(fs_buf *b, const cJSON *fair)
{
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        const cJSON *ex = is_label_cf(a) ? get(a, "examples") : NULL;
        for (const cJSON *e = ex ? ex->child : NULL; e != NULL; e = e->next) {
            if (e == ex->child) {
                fs_buf_puts(b, "Flipped `");
                put_text(b, fs_json__str(a, "axis"));
                fs_buf_puts(b, "` counterfactuals:\n\n");
            }
            fs_buf_puts(b, "- record ");
            put_text(b, fs_json__str(e, "record_id"));
            fs_buf_puts(b, " (");
            put_text(b, fs_json__str(e, "from"));
            fs_buf_puts(b, " → ");
            put_text(b, fs_json__str(e, "to"));
            fs_buf_puts(b, ")\n");
            side_md(b, "original", get(e, "original"));
            side_md(b, "counterfactual", get(e, "counterfactual"));
            if (e->next == NULL) {
                fs_buf_puts(b, "\n");
            }
        }
    }
}

/* ---- counterfactuals of tasks answered in free text ---------------------------------- */

static void put_dec(fs_buf *b, double v, int decimals, bool sign)
{
    char t[48];
    if (!isfinite(v)) {
        fs_buf_puts(b, "n/a");
        return;
    }
    fs_report__fixed(t, sizeof t, v, decimals);
    fs_buf_printf(b, "%s%s", sign && v >= 0 && t[0] != '-' ? "+" : "", t);
}

static void put_ci_dec(fs_buf *b, const cJSON *ci, int decimals)
{
    if (!cJSON_IsArray(ci) || cJSON_GetArraySize(ci) != 2) {
        fs_buf_puts(b, "n/a");
        return;
    }
    fs_buf_puts(b, "[");
    put_dec(b, cJSON_GetArrayItem(ci, 0)->valuedouble, decimals, false);
    fs_buf_puts(b, ", ");
    put_dec(b, cJSON_GetArrayItem(ci, 1)->valuedouble, decimals, false);
    fs_buf_puts(b, "]");
}

/* The item score's name, "f1", "rougeL", ...; "item score" when the task has none. */
static const char *item_of(const cJSON *a)
{
    const char *m = fs_json__str(a, "item_metric");
    return m != NULL ? m : "item score";
}

/* The cells of an axis or of a pair of groups; item: the axis's item score. */
static void text_cells_md(fs_buf *b, const cJSON *a, const char *item)
{
    put_count(b, num(a, "n"));
    fs_buf_puts(b, " | ");
    put_pct(b, num(a, "answer_changed_rate"));
    fs_buf_puts(b, " | ");
    put_pct(b, num(a, "divergence"));
    fs_buf_puts(b, " ");
    put_ci_pts(b, get(a, "divergence_ci95"));
    fs_buf_puts(b, " | ");
    put_dec(b, num(a, "length_diff"), 2, true);
    fs_buf_puts(b, " ");
    put_ci_dec(b, get(a, "length_diff_ci95"), 2);
    fs_buf_puts(b, " | ");
    put_signed_pts(b, num(get(a, "refusals"), "rate_diff"));
    fs_buf_puts(b, " | ");
    put_metric_delta(b, item, num(a, "delta_item_metric"));
    fs_buf_puts(b, " ");
    put_metric_ci(b, item, get(a, "delta_item_metric_ci95"));
    fs_buf_puts(b, " | ");
    put_p_adj(b, a);
}

static void text_axes_md(fs_buf *b, const cJSON *fair, const char *item)
{
    fs_buf_puts(b, "| axis | applicable | not applicable | pairs | answer changed | divergence "
                   "(95% CI) | length Δ in words (95% CI) | refusal Δ | Δ ");
    put_text(b, item);
    fs_buf_puts(b, " (95% CI) | p | p (Holm) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        if (!is_text_cf(a)) {
            continue;
        }
        fs_buf_puts(b, "| ");
        put_text(b, fs_json__str(a, "axis"));
        fs_buf_puts(b, " | ");
        put_count(b, num(a, "applicable"));
        fs_buf_puts(b, " | ");
        put_count(b, num(a, "not_applicable"));
        fs_buf_puts(b, " | ");
        text_cells_md(b, a, item_of(a));
        fs_buf_puts(b, " |\n");
    }
    fs_buf_puts(b, "\n");
}

/* Refusals per axis, when the answers are text. */
static void text_refusals_md(fs_buf *b, const cJSON *fair)
{
    bool any = false;
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        const cJSON *r = get(a, "refusals");
        if (!is_text_cf(a) || !cJSON_IsObject(r)) {
            continue;
        }
        if (!any) {
            fs_buf_puts(b, "Refusals (answers holding a phrase of demographics/refusals.json):\n\n"
                           "| axis | original | counterfactual | Δ rate | 95% CI | p | p (Holm) "
                           "| test |\n|---|---|---|---|---|---|---|---|\n");
            any = true;
        }
        fs_buf_puts(b, "| ");
        put_text(b, fs_json__str(a, "axis"));
        fs_buf_puts(b, " | ");
        put_count(b, num(r, "original"));
        fs_buf_puts(b, " (");
        put_pct(b, num(r, "rate_original"));
        fs_buf_puts(b, ") | ");
        put_count(b, num(r, "counterfactual"));
        fs_buf_puts(b, " (");
        put_pct(b, num(r, "rate_counterfactual"));
        fs_buf_puts(b, ") | ");
        put_signed_pts(b, num(r, "rate_diff"));
        fs_buf_puts(b, " | ");
        put_ci_pts(b, get(r, "rate_diff_ci95"));
        fs_buf_puts(b, " | ");
        put_p_adj(b, r);
        fs_buf_puts(b, " | ");
        put_text(b, fs_json__str(r, "test") ? fs_json__str(r, "test") : "none");
        fs_buf_puts(b, " |\n");
    }
    fs_buf_puts(b, any ? "\n" : "");
}

static void text_pairs_md(fs_buf *b, const cJSON *fair)
{
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        const cJSON *pairs = get(a, "pairs");
        if (!is_text_cf(a) || cJSON_GetArraySize(pairs) == 0) {
            continue;
        }
        fs_buf_puts(b, "`");
        put_text(b, fs_json__str(a, "axis"));
        fs_buf_puts(b, "` by pair of groups:\n\n| from → to | pairs | answer changed | "
                       "divergence (95% CI) | length Δ in words (95% CI) | refusal Δ | Δ ");
        put_text(b, item_of(a));
        fs_buf_puts(b, " (95% CI) | p | p (Holm) |\n|---|---|---|---|---|---|---|---|---|\n");
        for (const cJSON *p = pairs->child; p != NULL; p = p->next) {
            fs_buf_puts(b, "| ");
            put_text(b, fs_json__str(p, "from"));
            fs_buf_puts(b, " → ");
            put_text(b, fs_json__str(p, "to"));
            fs_buf_puts(b, " | ");
            text_cells_md(b, p, item_of(a));
            fs_buf_puts(b, " |\n");
        }
        fs_buf_puts(b, "\n");
    }
}

static void text_examples_md(fs_buf *b, const cJSON *fair)
{
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        const cJSON *ex = is_text_cf(a) ? get(a, "examples") : NULL;
        const char *item = item_of(a);
        for (const cJSON *e = ex ? ex->child : NULL; e != NULL; e = e->next) {
            if (e == ex->child) {
                fs_buf_puts(b, "Changed answers under `");
                put_text(b, fs_json__str(a, "axis"));
                fs_buf_puts(b, "` counterfactuals, the most divergent first:\n\n");
            }
            fs_buf_puts(b, "- record ");
            put_text(b, fs_json__str(e, "record_id"));
            fs_buf_puts(b, " (");
            put_text(b, fs_json__str(e, "from"));
            fs_buf_puts(b, " → ");
            put_text(b, fs_json__str(e, "to"));
            if (get(e, "divergence") != NULL) {
                fs_buf_puts(b, "; divergence ");
                put_pct(b, num(e, "divergence"));
            }
            fs_buf_puts(b, "; Δ ");
            put_text(b, item);
            fs_buf_puts(b, " ");
            put_metric_delta(b, item, num(e, "delta_item_metric"));
            fs_buf_puts(b, ")\n");
            side_md(b, "original", get(e, "original"));
            side_md(b, "counterfactual", get(e, "counterfactual"));
            fs_buf_puts(b, e->next == NULL ? "\n" : "");
        }
    }
}

static void cf_text_md(fs_buf *b, const cJSON *fair)
{
    const char *item = "item score";
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        item = is_text_cf(a) ? item_of(a) : item;
    }
    fs_buf_puts(b, "Each applicable record is sent again with every mention of the axis moved "
                   "to another group (its context and references alike); the answer should not "
                   "change beyond the swapped words. Answer changed: the share of pairs whose "
                   "normalised answers differ. Divergence: 1 − ROUGE-L F between the two "
                   "answers. Length Δ and refusal Δ: counterfactual minus original. Δ ");
    put_text(b, item);
    fs_buf_puts(b, ": counterfactual minus original, scored against the references swapped "
                   "alike; p is the sign-flip test on it. Intervals are 95% bootstrap intervals "
                   "over records. Examples show the input field; a context or second input the "
                   "prompt shows is swapped alike but not stored.\n\n");
    text_axes_md(b, fair, item);
    text_refusals_md(b, fair);
    text_pairs_md(b, fair);
    text_examples_md(b, fair);
}

static void gap_row_md(fs_buf *b, const char *name, const cJSON *g)
{
    fs_buf_printf(b, "| %s | ", name);
    put_pct(b, num(g, "value"));
    fs_buf_puts(b, " | ");
    put_ci_pts(b, get(g, "ci95"));
    fs_buf_puts(b, " | ");
    put_p_adj(b, g);
    fs_buf_puts(b, " | ");
    const cJSON *groups = get(g, "groups");
    if (cJSON_GetArraySize(groups) == 2) {
        put_text(b, cJSON_GetArrayItem(groups, 0)->valuestring);
        fs_buf_puts(b, " vs ");
        put_text(b, cJSON_GetArrayItem(groups, 1)->valuestring);
    }
    fs_buf_puts(b, " |\n");
}

static void groups_md(fs_buf *b, const cJSON *a)
{
    fs_buf_puts(b, "Group metrics by `");
    put_text(b, fs_json__str(a, "axis"));
    fs_buf_puts(b, "` (favourable label: ");
    put_text(b, fs_json__str(a, "favorable_label"));
    fs_buf_puts(b, "; disparate impact against the group with the highest positive rate, "
                   "flagged below 0.8 by the four-fifths rule, a flag and not a verdict):\n\n"
                   "| group | n | positive rate | accuracy | TPR | FPR | disparate impact | "
                   "four-fifths flag |\n|---|---|---|---|---|---|---|---|\n");
    for (const cJSON *g = get(a, "groups")->child; g != NULL; g = g->next) {
        const cJSON *m = get(g, "metrics");
        fs_buf_puts(b, "| ");
        put_text(b, fs_json__str(g, "group"));
        fs_buf_puts(b, " | ");
        put_count(b, num(g, "n"));
        fs_buf_puts(b, " | ");
        put_pct(b, num(g, "positive_rate"));
        fs_buf_puts(b, " | ");
        put_pct(b, num(m, "accuracy"));
        fs_buf_puts(b, " | ");
        put_pct(b, num(m, "tpr"));
        fs_buf_puts(b, " | ");
        put_pct(b, num(m, "fpr"));
        fs_buf_puts(b, " | ");
        put_pct(b, num(get(g, "disparate_impact"), "value"));
        fs_buf_printf(b, " | %s |\n", cJSON_IsTrue(get(g, "four_fifths_flag")) ? "**flag**" : "");
    }
    fs_buf_puts(b,
                "\n| gap | value | 95% CI | p | p (Holm) | between |\n|---|---|---|---|---|---|\n");
    gap_row_md(b, "demographic parity difference", get(a, "demographic_parity_difference"));
    gap_row_md(b, "equal opportunity difference", get(a, "equal_opportunity_difference"));
    gap_row_md(b, "equalized odds difference", get(a, "equalized_odds_difference"));
    gap_row_md(b, "accuracy difference", get(a, "accuracy_difference"));
    fs_buf_puts(b, "\n");
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
static void text_groups_md(fs_buf *b, const cJSON *a)
{
    const char *item = item_of(a), *mm = fs_json__str(a, "main_metric");
    fs_buf_puts(b, "Group metrics by `");
    put_text(b, fs_json__str(a, "axis"));
    fs_buf_puts(b, "`: the mean ");
    put_text(b, item);
    fs_buf_puts(b, " of the clean answers per group (95% bootstrap interval over records), ");
    if (mm != NULL) {
        fs_buf_puts(b, "the corpus ");
        put_text(b, mm);
        fs_buf_puts(b, " of the group's records, ");
    }
    fs_buf_puts(b, "and the difference from the reference group `");
    put_text(b, fs_json__str(a, "reference"));
    fs_buf_puts(b, "` with a permutation test on the item scores:\n\n| group | n | mean ");
    put_text(b, item);
    fs_buf_puts(b, " (95% CI) | ");
    put_text(b, mm != NULL ? mm : "corpus metric");
    fs_buf_puts(b, " | Δ vs reference (95% CI) | p | p (Holm) |\n|---|---|---|---|---|---|---|\n");
    const cJSON *groups = get(a, "groups");
    for (const cJSON *g = groups ? groups->child : NULL; g != NULL; g = g->next) {
        const cJSON *d = get(g, "diff_vs_reference");
        fs_buf_puts(b, "| ");
        put_text(b, fs_json__str(g, "group"));
        fs_buf_puts(b, " | ");
        put_count(b, num(g, "n"));
        fs_buf_puts(b, " | ");
        put_metric(b, item, num(g, "mean_item_metric"));
        fs_buf_puts(b, " ");
        put_metric_ci(b, item, get(g, "mean_item_metric_ci95"));
        fs_buf_puts(b, " | ");
        put_metric(b, mm != NULL ? mm : item, mm != NULL ? num(get(g, "metrics"), mm) : NAN);
        fs_buf_puts(b, " | ");
        if (is_ref(a, g)) {
            fs_buf_puts(b, "reference | | |\n");
            continue;
        }
        put_metric_delta(b, item, num(d, "value"));
        fs_buf_puts(b, " ");
        put_metric_ci(b, item, get(d, "ci95"));
        fs_buf_puts(b, " | ");
        put_p_adj(b, d);
        fs_buf_puts(b, " |\n");
    }
    const cJSON *gap = get(a, "max_min_difference"), *between = get(gap, "groups");
    fs_buf_puts(b, "\nMax − min of the group means: ");
    put_metric_delta(b, item, num(gap, "value"));
    fs_buf_puts(b, " ");
    put_metric_ci(b, item, get(gap, "ci95"));
    if (cJSON_GetArraySize(between) == 2) {
        fs_buf_puts(b, " (");
        put_text(b, str_at(between, 0));
        fs_buf_puts(b, " vs ");
        put_text(b, str_at(between, 1));
        fs_buf_puts(b, ")");
    }
    fs_buf_puts(b, ".\n\n");
}

static void fairness_md(fs_buf *b, const cJSON *fair)
{
    if (fair == NULL || cJSON_GetArraySize(fair) == 0) {
        return;
    }
    fs_buf_puts(b, "### Fairness\n\n");
    bool any_cf = false, any_text = false;
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        any_cf = any_cf || is_label_cf(a);
        any_text = any_text || is_text_cf(a);
    }
    if (any_cf) {
        cf_axes_md(b, fair);
        cf_pairs_md(b, fair);
        cf_examples_md(b, fair);
    }
    if (any_text) {
        cf_text_md(b, fair);
    }
    for (const cJSON *a = fair->child; a != NULL; a = a->next) {
        if (kind_is(a, "group") && get(a, "item_metric") != NULL) {
            text_groups_md(b, a);
        } else if (kind_is(a, "group") && cJSON_IsArray(get(a, "groups"))) {
            groups_md(b, a);
        }
    }
}

static void detector_md(fs_buf *b, const cJSON *x)
{
    const cJSON *d = get(x, "detector");
    fs_buf_puts(b, " | ");
    put_pct(b, num(d, "precision"));
    fs_buf_puts(b, " / ");
    put_pct(b, num(d, "recall"));
}

static void identification_md(fs_buf *b, const cJSON *id)
{
    const cJSON *inv = get(id, "inventory"), *q = get(id, "quality"), *d = get(id, "disclosure");
    if (id == NULL) {
        return;
    }
    fs_buf_printf(b,
                  "### Sensitive data\n\nInventory of the clean inputs: %.0f items in %.0f of "
                  "%.0f records. The detector column is the detectors' own precision / recall "
                  "on the calibration set, the error behind every count below.\n\n"
                  "| category | items | records | detector P / R |\n|---|---|---|---|\n",
                  num(inv, "items"), num(inv, "records_with_items"), num(inv, "records"));
    for (const cJSON *x = get(inv, "categories") ? get(inv, "categories")->child : NULL; x;
         x = x->next) {
        fs_buf_puts(b, "| ");
        put_text(b, fs_json__str(x, "category"));
        fs_buf_printf(b, " | %.0f | %.0f", num(x, "items"), num(x, "records"));
        detector_md(b, x);
        fs_buf_puts(b, " |\n");
    }
    if (q != NULL) {
        static const char *const modes[] = { "exact", "overlap", "category" };
        fs_buf_puts(b, "\nHow well the model lists the items (micro averages; exact: same span and "
                       "category, overlap: overlapping span, category: category only):\n\n"
                       "| matching | precision | recall | F1 | support |\n|---|---|---|---|---|\n");
        for (int k = 0; k < 3; k++) {
            const cJSON *m = get(get(get(q, "modes"), modes[k]), "micro");
            fs_buf_printf(b, "| %s | ", modes[k]);
            put_pct(b, num(m, "precision"));
            fs_buf_puts(b, " | ");
            put_pct(b, num(m, "recall"));
            fs_buf_puts(b, " | ");
            put_pct(b, num(m, "f1"));
            fs_buf_printf(b, " | %.0f |\n", num(m, "support"));
        }
        const cJSON *exact = get(get(get(q, "modes"), "exact"), "micro");
        fs_buf_puts(b, "\nExact-span recall ");
        put_pct(b, num(exact, "recall"));
        fs_buf_puts(b, " (95% CI ");
        put_ci_pts(b, get(exact, "recall_ci95"));
        fs_buf_puts(b, ", records resampled).\n");
        fs_buf_printf(b, "\n%.0f answers had no list of items (unparsed).\n", num(q, "unparsed"));
    }
    fs_buf_printf(b,
                  "\nDisclosure (%s): %.0f of %.0f sensitive items of the answered inputs "
                  "reappear in the answers, ",
                  fs_json__str(d, "mode"), num(d, "disclosed"), num(d, "items"));
    put_pct(b, num(d, "leak_rate"));
    fs_buf_puts(b, " (95% CI ");
    put_ci_pts(b, get(d, "leak_rate_ci95"));
    fs_buf_puts(b, ").\n\n| category | items | disclosed | rate | detector P / R |\n"
                   "|---|---|---|---|---|\n");
    for (const cJSON *x = get(d, "per_category") ? get(d, "per_category")->child : NULL; x;
         x = x->next) {
        fs_buf_puts(b, "| ");
        put_text(b, fs_json__str(x, "category"));
        fs_buf_printf(b, " | %.0f | %.0f | ", num(x, "items"), num(x, "disclosed"));
        put_pct(b, num(x, "rate"));
        detector_md(b, x);
        fs_buf_puts(b, " |\n");
    }
    const cJSON *ex = get(d, "examples");
    for (const cJSON *e = ex ? ex->child : NULL; e != NULL; e = e->next) {
        if (e == ex->child) {
            fs_buf_printf(b, "\nDisclosed items, masked (the first %d of %.0f):\n\n",
                          cJSON_GetArraySize(ex), num(d, "disclosed"));
        }
        fs_buf_puts(b, "- record ");
        put_text(b, fs_json__str(e, "record_id"));
        fs_buf_puts(b, ", ");
        put_text(b, fs_json__str(e, "category"));
        fs_buf_puts(b, ": ");
        put_text(b, fs_json__str(e, "masked"));
        fs_buf_puts(b, "\n");
    }
    fs_buf_puts(b, "\n");
}

static void robustness_md(fs_buf *b, const cJSON *t, const cJSON *rob);

static void target_md(fs_buf *b, const cJSON *t, const cJSON *labels)
{
    fs_buf_puts(b, "## Target ");
    put_text(b, fs_json__str(t, "name"));
    fs_buf_puts(b, "\n\n");
    fs_buf_printf(b, "Type `%s`, model ", fs_json__str(t, "type"));
    put_text(b, fs_json__str(t, "model"));
    fs_buf_printf(b, ", %.0f records.\n\n", num(t, "records"));
    headline_md(b, t);
    clean_md(b, t, labels);
    const cJSON *rob = get(t, "robustness");
    fs_buf_puts(b, "### Robustness\n\n");
    if (cJSON_GetArraySize(rob) == 0) {
        fs_buf_puts(b, "No perturbation was run.\n\n");
    } else {
        robustness_md(b, t, rob);
    }
    fairness_md(b, get(t, "fairness"));
    identification_md(b, get(t, "identification"));
}

static void robustness_md(fs_buf *b, const cJSON *t, const cJSON *rob)
{
    const char *mm = main_metric(t);
    fs_buf_printf(b,
                  "Each perturbation is compared with the clean input on the same records. "
                  "Δ is perturbed minus clean %s%s; the 95%% CI is a paired bootstrap over "
                  "records; p is the %s.\n\n",
                  mm, fs_report__is_fraction(mm) ? " in percentage points" : "",
                  strcmp(mm, "accuracy") == 0 ? "exact McNemar test"
                                              : "sign-flip test on per-record score changes");
    fs_buf_printf(b,
                  "| perturbation | n | %s | Δ %s | 95%% CI | drop rate | flip rate "
                  "| p | unchanged | parse failures | errors |\n"
                  "|---|---|---|---|---|---|---|---|---|---|---|\n",
                  mm, mm);
    for (const cJSON *r = rob->child; r != NULL; r = r->next) {
        robustness_row(b, r, main_metric(t));
    }
    fs_buf_puts(b, "\n");
    examples_md(b, rob);
}

static void provenance_md(fs_buf *b, const cJSON *root)
{
    const cJSON *p = get(root, "provenance");
    const cJSON *tool = get(root, "tool");
    fs_buf_puts(b, "## Provenance\n\n");
    fs_buf_printf(b, "- Tool: fairshake %s\n", fs_json__str(tool, "version"));
    fs_buf_puts(b, "- Config: ");
    put_text(b, fs_json__str(p, "config_path"));
    fs_buf_printf(b, " (sha256 `%s`)\n- Dataset: ", fs_json__str(p, "config_hash"));
    put_text(b, fs_json__str(p, "dataset_path"));
    fs_buf_printf(b, " (sha256 `%s`), %.0f records\n", fs_json__str(p, "dataset_hash"),
                  num(p, "records"));
    for (const cJSON *l = get(p, "lexicons") ? get(p, "lexicons")->child : NULL; l != NULL;
         l = l->next) {
        fs_buf_puts(b, "- Data file: ");
        put_text(b, fs_json__str(l, "path"));
        fs_buf_printf(b, " (sha256 `%s`)\n", fs_json__str(l, "sha256"));
    }
    fs_buf_printf(b, "- Seed: %.0f\n- Run: %s to %s on ", num(p, "seed"),
                  fs_json__str(p, "started"), fs_json__str(p, "finished"));
    put_text(b, fs_json__str(p, "host"));
    fs_buf_printf(b, "\n- Requests sent: %.0f; answers from the cache: %.0f",
                  num(p, "requests_sent"), num(p, "cache_hits"));
    if (isfinite(num(p, "requests_per_second"))) {
        char rps[48], secs[48];
        fs_report__fixed(rps, sizeof rps, num(p, "requests_per_second"), 1);
        fs_report__fixed(secs, sizeof secs, num(p, "send_seconds"), 2);
        fs_buf_printf(b, "; throughput %s requests/s over %s s of sending", rps, secs);
    }
    fs_buf_puts(b, "\n\n");
}

static void method_md(fs_buf *b, const cJSON *root)
{
    const cJSON *m = get(root, "methodology");
    fs_buf_puts(b, "## Methodology and limitations\n\n");
    fs_buf_printf(b, "- Confidence intervals: %s (%.0f resamples, seeded).\n",
                  fs_json__str(m, "ci"), num(m, "bootstrap_resamples"));
    fs_buf_printf(b, "- Paired test: %s. Multiple comparisons: %s.\n",
                  fs_json__str(m, "paired_test"), fs_json__str(m, "multiple_comparisons"));
    fs_buf_printf(b, "- Rates: %s.\n", fs_json__str(m, "rate_ci"));
    fs_buf_printf(b, "- Parse failures: %s. Errors: %s.\n", fs_json__str(m, "parse_failures"),
                  fs_json__str(m, "errors"));
    if (fs_json__str(m, "drop_rate") != NULL && fs_json__str(m, "flip_rate") != NULL) {
        fs_buf_printf(b, "- Drop rate: %s. Flip rate: %s.", fs_json__str(m, "drop_rate"),
                      fs_json__str(m, "flip_rate"));
    } else {
        fs_buf_puts(b, "- Drop rate is 1 − perturbed/clean accuracy; flip rate is the share of "
                       "records whose predicted label changed.");
    }
    fs_buf_puts(b, " Unchanged counts the records a perturbation found nothing to change in; "
                   "they are still scored.\n");
}

fs_status fs_report_render_md(fs_buf *out, const char *report_json, size_t n, fs_error *err)
{
    cJSON *root = NULL;
    fs_status st = fs_json__parse(&root, report_json, n, "report.json", err);
    if (st != FS_OK) {
        return st;
    }
    const cJSON *task = get(root, "task");
    fs_buf_puts(out, "# fairshake audit: ");
    put_text(out, fs_json__str(root, "name"));
    fs_buf_puts(out, "\n\n");
    verdict_md(out, root);
    for (const cJSON *t = get(root, "targets") ? get(root, "targets")->child : NULL; t != NULL;
         t = t->next) {
        target_md(out, t, get(task, "labels"));
    }
    const cJSON *fs = get(root, "fairness_summary");
    if (fs != NULL) {
        fs_buf_printf(out,
                      "Fairness p-values: %.0f comparisons, adjusted with the "
                      "Holm-Bonferroni method (column \"p (Holm)\").\n\n",
                      num(fs, "comparisons"));
    }
    provenance_md(out, root);
    method_md(out, root);
    cJSON_Delete(root);
    if (fs_buf_status(out) != FS_OK) {
        return FS_FAIL(err, fs_buf_status(out), "report.md: out of memory");
    }
    return FS_OK;
}
