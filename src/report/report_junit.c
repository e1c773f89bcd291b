/* junit.xml: the run as JUnit XML for CI systems, rendered from report.json alone. One
 * <testsuite> per target; in it one <testcase> per gate (a failure when the gate failed,
 * its message carrying the measured value, the comparison and the threshold), one per
 * perturbation and one per fairness entry (axis and kind). A perturbation case fails when
 * a failed gate names it in its "perturbation" field; a fairness case when a failed
 * fairness gate names its axis (or names none) and is of its kind (counterfactual gates
 * for counterfactual entries, the others for group entries). Otherwise a case passes
 * with its figures in <system-out>, or is skipped when nothing could be measured.
 * Well-formedness: every text is escaped (& < > " '), characters XML 1.0 forbids (C0
 * controls other than tab, newline and carriage return, U+FFFE, U+FFFF) and malformed
 * UTF-8 become U+FFFD, and in attributes tab, newline and carriage return are written
 * as character references so their values survive attribute normalisation. Output is
 * deterministic: no timestamps or durations. */
#include "fairshake/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "report/html_internal.h"

/* Counts of one <testsuite> (or of the whole document). */
typedef struct counts {
    size_t tests, failures, skipped;
} counts;

static void xml_esc(fs_buf *b, const char *s, bool attr)
{
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n;) {
        size_t start = i;
        uint32_t cp = fs_text_next_cp(s, n, &i);
        bool forbidden =
            (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF;
        if (forbidden) {
            fs_text_put_cp(b, 0xFFFD);
        } else if (cp == '&') {
            fs_buf_puts(b, "&amp;");
        } else if (cp == '<') {
            fs_buf_puts(b, "&lt;");
        } else if (cp == '>') {
            fs_buf_puts(b, "&gt;");
        } else if (cp == '"') {
            fs_buf_puts(b, "&quot;");
        } else if (cp == '\'') {
            fs_buf_puts(b, "&apos;");
        } else if (attr && cp < 0x20) {
            fs_buf_printf(b, "&#%u;", (unsigned)cp);
        } else if (cp == 0xFFFD) {
            fs_text_put_cp(b, cp); /* malformed bytes are replaced, never copied */
        } else {
            fs_buf_append(b, s + start, i - start);
        }
    }
}

static double num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* A number as fixed-point text, or "n/a". */
static void put_num(fs_buf *b, double v)
{
    char t[64];
    if (!isfinite(v)) {
        fs_buf_puts(b, "n/a");
        return;
    }
    fs_report__fixed(t, sizeof t, v, 4);
    fs_buf_puts(b, t);
}

static void put_ci(fs_buf *b, const cJSON *ci)
{
    if (cJSON_GetArraySize(ci) != 2) {
        fs_buf_puts(b, "n/a");
        return;
    }
    fs_buf_putc(b, '[');
    put_num(b, cJSON_GetArrayItem(ci, 0)->valuedouble);
    fs_buf_puts(b, ", ");
    put_num(b, cJSON_GetArrayItem(ci, 1)->valuedouble);
    fs_buf_putc(b, ']');
}

static bool gate_of_target(const cJSON *g, const char *target)
{
    const char *t = fs_json__str(g, "target");
    return t == NULL || target == NULL || strcmp(t, target) == 0;
}

static bool gate_failed(const cJSON *g)
{
    return !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "passed"));
}

/* "gate NAME failed: VALUE (must be CMP THRESHOLD)", after "; " unless first. */
static void gate_message(fs_buf *msg, const cJSON *g, bool more)
{
    fs_buf_printf(msg, "%sgate %s failed: ", more ? "; " : "", fs_json__str(g, "name"));
    put_num(msg, num(g, "value"));
    fs_buf_printf(msg, " (must be %s ", fs_json__str(g, "comparison"));
    put_num(msg, num(g, "threshold"));
    fs_buf_putc(msg, ')');
}

/* The failed gates of target that name perturbation label; returns how many. */
static size_t failed_gates_naming(fs_buf *msg, const cJSON *gates, const char *target,
                                  const char *label)
{
    size_t n = 0;
    const cJSON *g;
    cJSON_ArrayForEach(g, gates)
    {
        const char *v = fs_json__str(g, "perturbation");
        if (gate_of_target(g, target) && gate_failed(g) && v != NULL && label != NULL &&
            strcmp(v, label) == 0) {
            gate_message(msg, g, n++ > 0);
        }
    }
    return n;
}

static void open_case(fs_buf *b, const char *suite, const char *kind, const char *name)
{
    fs_buf_puts(b, "    <testcase classname=\"");
    xml_esc(b, suite, true);
    fs_buf_printf(b, ".%s\" name=\"", kind);
    xml_esc(b, name, true);
    fs_buf_puts(b, "\">\n");
}

static void close_case(fs_buf *b, const char *out_text)
{
    if (out_text != NULL && out_text[0] != '\0') {
        fs_buf_puts(b, "      <system-out>");
        xml_esc(b, out_text, false);
        fs_buf_puts(b, "</system-out>\n");
    }
    fs_buf_puts(b, "    </testcase>\n");
}

static void failure(fs_buf *b, const char *type, const char *message, counts *c)
{
    fs_buf_printf(b, "      <failure type=\"%s\" message=\"", type);
    xml_esc(b, message, true);
    fs_buf_puts(b, "\">");
    xml_esc(b, message, false);
    fs_buf_puts(b, "</failure>\n");
    c->failures++;
}

static fs_status gate_case(fs_buf *b, const char *suite, const cJSON *g, counts *c)
{
    fs_buf m;
    fs_buf_init(&m, 0);
    const char *name = fs_json__str(g, "name");
    fs_buf_printf(&m, "%s = ", name ? name : "gate");
    put_num(&m, num(g, "value"));
    const char *worst = fs_json__str(g, "perturbation");
    const char *axis = fs_json__str(g, "axis");
    if (worst != NULL || axis != NULL) {
        fs_buf_printf(&m, " (%s %s)", worst ? "perturbation" : "axis", worst ? worst : axis);
    }
    const char *bound = fs_json__str(g, "bound");
    if (bound != NULL && strcmp(bound, "ci95") == 0) {
        fs_buf_puts(&m, " (the pessimistic end of its 95% CI)");
    }
    fs_buf_printf(&m, ", threshold %s ", fs_json__str(g, "comparison"));
    put_num(&m, num(g, "threshold"));
    const char *reason = fs_json__str(g, "value_reason");
    if (reason != NULL) {
        fs_buf_printf(&m, ": %s", reason);
    }
    open_case(b, suite, "gates", name);
    if (gate_failed(g)) {
        failure(b, "gate", fs_buf_cstr(&m), c);
    }
    close_case(b, fs_buf_cstr(&m));
    c->tests++;
    fs_status st = fs_buf_status(&m);
    fs_buf_dispose(&m);
    return st;
}

static fs_status perturbation_case(fs_buf *b, const char *suite, const cJSON *p, const cJSON *gates,
                                   const char *target, const char *mm, counts *c)
{
    const char *label = fs_json__str(p, "perturbation");
    const cJSON *delta = cJSON_GetObjectItemCaseSensitive(p, "delta");
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(p, "ci95");
    fs_buf out, msg;
    fs_buf_init(&out, 0);
    fs_buf_init(&msg, 0);
    fs_buf_printf(&out, "%s delta ", mm);
    put_num(&out, num(delta, mm));
    fs_buf_puts(&out, ", 95% CI ");
    put_ci(&out, cJSON_GetObjectItemCaseSensitive(ci, mm));
    fs_buf_puts(&out, "; drop rate ");
    put_num(&out, num(p, "drop_rate"));
    fs_buf_puts(&out, "; flip rate ");
    put_num(&out, num(p, "flip_rate"));
    fs_buf_puts(&out, "; p-value ");
    put_num(&out, num(p, "p_value"));
    fs_buf_printf(&out, "; n %.0f", isfinite(num(p, "n")) ? num(p, "n") : 0.0);
    open_case(b, suite, "robustness", label);
    if (failed_gates_naming(&msg, gates, target, label) > 0) {
        failure(b, "robustness", fs_buf_cstr(&msg), c);
    } else if (!(num(p, "n") > 0)) {
        fs_buf_puts(b, "      <skipped message=\"no record has an answer both clean and "
                       "perturbed\"/>\n");
        c->skipped++;
    }
    close_case(b, fs_buf_cstr(&out));
    c->tests++;
    fs_status st = fs_buf_status(&out) != FS_OK ? fs_buf_status(&out) : fs_buf_status(&msg);
    fs_buf_dispose(&out);
    fs_buf_dispose(&msg);
    return st;
}

/* A fairness figure: a number, or an object whose "value" is the number (gaps). */
static double figure(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsObject(v) ? num(v, "value") : num(obj, key);
}

/* Whether a failed gate that names this axis concerns this entry: counterfactual gates
 * concern counterfactual entries, the others group entries. */
static bool gate_fits_kind(const cJSON *g, const char *kind)
{
    const char *name = fs_json__str(g, "name");
    bool cf_gate = name != NULL && strstr(name, "counterfactual") != NULL;
    return kind == NULL || cf_gate == (strcmp(kind, "counterfactual") == 0);
}

static fs_status axis_case(fs_buf *b, const char *suite, const cJSON *a, const cJSON *gates,
                           const char *target, counts *c)
{
    static const char *const keys[] = { "counterfactual_flip_rate", "delta_accuracy",
                                        "answer_changed_rate",      "divergence",
                                        "delta_item_metric",        "demographic_parity_difference",
                                        "disparate_impact",         "equal_opportunity_difference",
                                        "max_min_difference",       "p_value" };
    const char *axis = fs_json__str(a, "axis"), *kind = fs_json__str(a, "kind");
    fs_buf out, msg, name;
    fs_buf_init(&out, 0);
    fs_buf_init(&msg, 0);
    fs_buf_init(&name, 0);
    fs_buf_printf(&name, "%s%s%s%s", axis ? axis : "axis", kind ? " (" : "", kind ? kind : "",
                  kind ? ")" : "");
    bool any = false;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (cJSON_GetObjectItemCaseSensitive(a, keys[i]) == NULL) {
            continue;
        }
        fs_buf_printf(&out, "%s%s ", out.len ? "; " : "", keys[i]);
        put_num(&out, figure(a, keys[i]));
        any = any || isfinite(figure(a, keys[i]));
    }
    fs_buf_printf(&out, "%sn %.0f", out.len ? "; " : "", isfinite(num(a, "n")) ? num(a, "n") : 0.0);
    open_case(b, suite, "fairness", fs_buf_cstr(&name));
    size_t failed = 0;
    const cJSON *g;
    cJSON_ArrayForEach(g, gates)
    {
        /* A fairness gate without an axis (the group axis has one entry) concerns every
         * entry of its kind. */
        const char *v = fs_json__str(g, "axis"), *gname = fs_json__str(g, "name");
        bool names_it = v != NULL ? (axis != NULL && strcmp(v, axis) == 0)
                                  : (gname != NULL && strncmp(gname, "fairness.", 9) == 0);
        if (gate_of_target(g, target) && gate_failed(g) && names_it && gate_fits_kind(g, kind)) {
            gate_message(&msg, g, failed++ > 0);
        }
    }
    if (failed > 0) {
        failure(b, "fairness", fs_buf_cstr(&msg), c);
    } else if (!any) {
        fs_buf_puts(b, "      <skipped message=\"no fairness figure could be computed\"/>\n");
        c->skipped++;
    }
    close_case(b, fs_buf_cstr(&out));
    c->tests++;
    fs_status st = fs_buf_status(&out) != FS_OK ? fs_buf_status(&out) : fs_buf_status(&msg);
    st = st != FS_OK ? st : fs_buf_status(&name);
    fs_buf_dispose(&out);
    fs_buf_dispose(&msg);
    fs_buf_dispose(&name);
    return st;
}

static fs_status suite_xml(fs_buf *b, const char *run, const cJSON *t, const cJSON *gates,
                           counts *total)
{
    const char *target = fs_json__str(t, "name");
    counts c = { 0, 0, 0 };
    fs_status st = FS_OK;
    fs_buf body, suite;
    fs_buf_init(&body, 0);
    fs_buf_init(&suite, 0);
    fs_buf_printf(&suite, "fairshake.%s.%s", run ? run : "run", target ? target : "target");
    const cJSON *x;
    cJSON_ArrayForEach(x, gates)
    {
        if (st == FS_OK && gate_of_target(x, target)) {
            st = gate_case(&body, fs_buf_cstr(&suite), x, &c);
        }
    }
    const char *mm = fs_json__str(cJSON_GetObjectItemCaseSensitive(t, "clean"), "main_metric");
    mm = mm != NULL ? mm : "accuracy";
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(t, "robustness"))
    {
        st = st == FS_OK ? perturbation_case(&body, fs_buf_cstr(&suite), x, gates, target, mm, &c)
                         : st;
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(t, "fairness"))
    {
        st = st == FS_OK ? axis_case(&body, fs_buf_cstr(&suite), x, gates, target, &c) : st;
    }
    fs_buf_puts(b, "  <testsuite name=\"");
    xml_esc(b, target, true);
    fs_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", c.tests,
                  c.failures, c.skipped);
    fs_buf_puts(b, "    <properties>\n");
    static const char *const props[] = { "type", "url", "model" };
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        fs_buf_printf(b, "      <property name=\"%s\" value=\"", props[i]);
        xml_esc(b, fs_json__str(t, props[i]), true);
        fs_buf_puts(b, "\"/>\n");
    }
    fs_buf_puts(b, "    </properties>\n");
    fs_buf_append(b, body.data ? body.data : "", body.len);
    fs_buf_puts(b, "  </testsuite>\n");
    if (st == FS_OK) {
        st = fs_buf_status(&body) != FS_OK ? fs_buf_status(&body) : fs_buf_status(&suite);
    }
    total->tests += c.tests;
    total->failures += c.failures;
    total->skipped += c.skipped;
    fs_buf_dispose(&body);
    fs_buf_dispose(&suite);
    return st;
}

fs_status fs_report_render_junit(fs_buf *out, const char *report_json, size_t n, fs_error *err)
{
    cJSON *root = NULL;
    fs_status st = fs_json__parse(&root, report_json, n, "report.json", err);
    if (st != FS_OK) {
        return st;
    }
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(root, "targets");
    const cJSON *gates = cJSON_GetObjectItemCaseSensitive(root, "gates");
    if (!cJSON_IsArray(targets)) {
        cJSON_Delete(root);
        return FS_FAIL(err, FS_ERR_INPUT, "report.json: targets: expected an array");
    }
    const char *run = fs_json__str(root, "name");
    counts total = { 0, 0, 0 };
    fs_buf body;
    fs_buf_init(&body, 0);
    const cJSON *t;
    cJSON_ArrayForEach(t, targets)
    {
        if (st == FS_OK) {
            st = suite_xml(&body, run, t, gates, &total);
        }
    }
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(root, "complete"))) {
        /* A run stopped early (budget, fail-fast) fails as a whole, whatever its gates. */
        counts rc = { 1, 0, 0 };
        fs_buf sname;
        fs_buf_init(&sname, 0);
        fs_buf_printf(&sname, "fairshake.%s", run != NULL ? run : "run");
        fs_buf_puts(&body, "  <testsuite name=\"run\" tests=\"1\" failures=\"1\" errors=\"0\" "
                           "skipped=\"0\">\n");
        open_case(&body, fs_buf_cstr(&sname), "run", "complete");
        const char *why = fs_json__str(root, "stopped");
        failure(&body, "incomplete", why != NULL ? why : "the run stopped early", &rc);
        close_case(&body, NULL);
        fs_buf_puts(&body, "  </testsuite>\n");
        fs_buf_dispose(&sname);
        total.tests += rc.tests;
        total.failures += rc.failures;
    }
    fs_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"fairshake");
    if (run != NULL) {
        fs_buf_puts(out, ": ");
        xml_esc(out, run, true);
    }
    fs_buf_printf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
                  total.tests, total.failures, total.skipped);
    fs_buf_append(out, body.data ? body.data : "", body.len);
    fs_buf_puts(out, "</testsuites>\n");
    if (st == FS_OK) {
        st = fs_buf_status(&body) != FS_OK ? fs_buf_status(&body) : fs_buf_status(out);
    }
    fs_buf_dispose(&body);
    cJSON_Delete(root);
    return st == FS_OK ? FS_OK : FS_FAIL(err, st, "junit.xml: out of memory");
}
