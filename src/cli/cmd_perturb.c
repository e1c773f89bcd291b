/* fairshake perturb: preview perturbations on a text or on a file of records, with the
 * same record ids and RNG streams that 'fairshake run' uses. A suite that names a
 * demographic axis ("gender", "race", ...) previews its counterfactuals instead: one per
 * other group of the axis, or "not applicable" when the record mentions none. --protect
 * applies to both: a protected span is never perturbed, and no mention in one is swapped. */
#include "cli.h"

#include <fairshake/demographics.h>

#include <stdlib.h>
#include <string.h>

#define MAX_SUITES 32

typedef struct preview {
    fs_perturber *perts[MAX_SUITES];
    fs_demog_swapper *swappers[MAX_SUITES]; /* set for the suites that are axes */
    fs_demog_lexicon *lex;                  /* loaded when a suite is not a perturbation */
    fs_perturb_protector *protect;          /* --protect for the axes, NULL when none */
    const char *names[MAX_SUITES];
    size_t n;
    uint64_t seed;
    uint64_t k;
    bool json;
    fs_buf out, line;
} preview;

static int flush_line(preview *p)
{
    fs_buf_putc(&p->line, '\n');
    if (fs_buf_status(&p->line) != FS_OK) {
        return cli_fail(FS_ERR_NOMEM, NULL);
    }
    fwrite(fs_buf_cstr(&p->line), 1, p->line.len, stdout);
    return 0;
}

/* One counterfactual per enabled group of the axis: a JSON object each with --json, else
 * "axis→group: text" for the applicable ones, or one "axis: not applicable" line. */
static int emit_axis(preview *p, size_t s, const char *id, const char *text, size_t len,
                     fs_error *err)
{
    const fs_demog_swapper *sw = p->swappers[s];
    int a = fs_demog_axis_find(p->lex, p->names[s]);
    const char *axis = fs_demog_axis_name(p->lex, (size_t)a);
    size_t shown = 0, n_spans = 0;
    const fs_text_span *spans = NULL;
    if (p->protect != NULL) {
        fs_status st = fs_perturb_protector_find(p->protect, text, len, &spans, &n_spans, err);
        if (st != FS_OK) {
            return cli_fail(st, err);
        }
    }
    for (size_t g = 0; g < fs_demog_group_count(p->lex, (size_t)a); g++) {
        bool applicable = false, changed = false;
        const char *group = fs_demog_group_name(p->lex, (size_t)a, g);
        if (!fs_demog_swapper_group_enabled(sw, g)) {
            continue;
        }
        fs_buf_reset(&p->out);
        fs_status st = fs_demog_swap_protected(p->swappers[s], text, len, spans, n_spans, g,
                                               p->seed, id, &p->out, &applicable, &changed, err);
        if (st != FS_OK) {
            fs_error_prefix(err, "record %s", id);
            return cli_fail(st, err);
        }
        fs_buf_reset(&p->line);
        if (p->json) {
            fs_buf_puts(&p->line, "{\"source\":");
            fs_buf_put_json_string(&p->line, text, len);
            fs_buf_puts(&p->line, ",\"id\":");
            fs_buf_put_json_string(&p->line, id, strlen(id));
            fs_buf_printf(&p->line, ",\"suite\":\"%s\",\"group\":", axis);
            fs_buf_put_json_string(&p->line, group, strlen(group));
            fs_buf_printf(&p->line,
                          ",\"seed\":%llu,\"index\":0,\"text\":", (unsigned long long)p->seed);
            fs_buf_put_json_string(&p->line, applicable ? fs_buf_cstr(&p->out) : text,
                                   applicable ? p->out.len : len);
            fs_buf_printf(&p->line, ",\"applicable\":%s,\"changed\":%s}",
                          applicable ? "true" : "false", changed ? "true" : "false");
        } else if (applicable) {
            fs_buf_printf(&p->line, "%s\xE2\x86\x92%s: ", axis, group);
            fs_buf_append(&p->line, fs_buf_cstr(&p->out), p->out.len);
        } else {
            continue;
        }
        shown++;
        int rc = flush_line(p);
        if (rc != 0) {
            return rc;
        }
    }
    if (shown == 0 && !p->json) {
        fs_buf_reset(&p->line);
        fs_buf_printf(&p->line, "%s: not applicable", axis);
        return flush_line(p);
    }
    return 0;
}

static int emit(preview *p, const char *id, const char *text, size_t len, fs_error *err)
{
    char stream[160];
    for (size_t s = 0; s < p->n; s++) {
        if (p->swappers[s] != NULL) {
            int rc = emit_axis(p, s, id, text, len, err);
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        for (uint64_t i = 0; i < p->k; i++) {
            bool changed = false;
            /* the label shown for variant i, and the stream name the engine derives */
            if (i == 0) {
                snprintf(stream, sizeof stream, "%s", p->names[s]);
            } else {
                snprintf(stream, sizeof stream, "%s#%llu", p->names[s], (unsigned long long)i);
            }
            fs_buf_reset(&p->out);
            fs_status st = fs_perturber_apply(p->perts[s], text, len, p->seed, id, p->names[s], i,
                                              &p->out, &changed, err);
            if (st != FS_OK) {
                fs_error_prefix(err, "record %s", id);
                return cli_fail(st, err);
            }
            fs_buf_reset(&p->line);
            if (p->json) {
                fs_buf_puts(&p->line, "{\"source\":");
                fs_buf_put_json_string(&p->line, text, len);
                fs_buf_puts(&p->line, ",\"id\":");
                fs_buf_put_json_string(&p->line, id, strlen(id));
                fs_buf_printf(&p->line, ",\"suite\":\"%s\",\"seed\":%llu,\"index\":%llu,\"text\":",
                              p->names[s], (unsigned long long)p->seed, (unsigned long long)i);
                fs_buf_put_json_string(&p->line, fs_buf_cstr(&p->out), p->out.len);
                fs_buf_printf(&p->line, ",\"changed\":%s}", changed ? "true" : "false");
            } else if (p->n == 1 && p->k == 1) {
                fs_buf_append(&p->line, fs_buf_cstr(&p->out), p->out.len);
            } else {
                fs_buf_puts(&p->line, stream);
                fs_buf_puts(&p->line, ": ");
                fs_buf_append(&p->line, fs_buf_cstr(&p->out), p->out.len);
            }
            fs_buf_putc(&p->line, '\n');
            if (fs_buf_status(&p->line) != FS_OK) {
                return cli_fail(FS_ERR_NOMEM, NULL);
            }
            fwrite(fs_buf_cstr(&p->line), 1, p->line.len, stdout);
        }
    }
    return 0;
}

static int emit_text(void *payload, const char *id, const char *text, size_t len, fs_error *err)
{
    return emit(payload, id, text, len, err);
}

static bool has_param(const fs_perturb_info *info, const char *key)
{
    for (size_t i = 0; i < info->n_params; i++) {
        if (strcmp(info->params[i].name, key) == 0) {
            return true;
        }
    }
    return false;
}

/* Split --param KEY=VALUE values; each key must belong to at least one chosen suite. */
static int collect_params(const cli_cmd *cmd, cli_args *a, preview *p, fs_params *all)
{
    const char *const *vals = NULL;
    size_t n = cli_get_all(cmd, a, "param", &vals);
    for (size_t i = 0; i < n; i++) {
        char key[128];
        const char *eq = strchr(vals[i], '=');
        if (eq == NULL || eq == vals[i] || (size_t)(eq - vals[i]) >= sizeof key) {
            return cli_usage(cmd, "--param: expected KEY=VALUE, got '%s'", vals[i]);
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - vals[i]), vals[i]);
        bool known = false;
        for (size_t s = 0; s < p->n; s++) {
            const fs_perturb_info *info = fs_perturb_find(p->names[s]);
            known = known || (info != NULL && has_param(info, key));
        }
        if (!known) {
            return cli_usage(cmd, "--param: no chosen suite has a parameter '%s'", key);
        }
        if (fs_params_set(all, key, eq + 1, NULL) != FS_OK) {
            return cli_fail(FS_ERR_NOMEM, NULL);
        }
    }
    return 0;
}

/* A suite that is not a perturbation may be a demographic axis (the lexicon is loaded on
 * first need). Returns -1 when it is neither, else 0 or an exit code. */
static int find_axis(preview *p, const char *name, fs_error *err)
{
    if (p->lex == NULL) {
        fs_status st = fs_demog_lexicon_load(&p->lex, fs_audit_data_dir(), err);
        if (st != FS_OK) {
            return cli_fail(st, err);
        }
    }
    return fs_demog_axis_find(p->lex, name) >= 0 ? 0 : -1;
}

static int parse_suites(const cli_cmd *cmd, preview *p, char *list, fs_error *err)
{
    for (char *s = list; s != NULL && *s != '\0';) {
        char *comma = strchr(s, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        int axis = fs_perturb_find(s) == NULL ? find_axis(p, s, err) : 0;
        if (axis > 0) {
            return axis;
        }
        if (axis < 0) {
            const char *near = fs_perturb_nearest(s);
            return cli_usage(cmd, "--suite: unknown perturbation or axis '%s'%s%s%s", s,
                             near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
        if (p->n == MAX_SUITES) {
            return cli_usage(cmd, "--suite: too many suites");
        }
        p->names[p->n++] = s;
        s = comma ? comma + 1 : NULL;
    }
    return p->n == 0 ? cli_usage(cmd, "--suite: name at least one perturbation") : 0;
}

static int make_perturbers(preview *p, const fs_params *all, const char *const *protect,
                           size_t n_protect, fs_error *err)
{
    for (size_t s = 0; s < p->n; s++) {
        const fs_perturb_info *info = fs_perturb_find(p->names[s]);
        fs_params mine;
        if (info == NULL) {
            int a = fs_demog_axis_find(p->lex, p->names[s]);
            fs_status st = fs_demog_swapper_new(&p->swappers[s], p->lex, (size_t)a, NULL, err);
            if (st == FS_OK && n_protect > 0 && p->protect == NULL) {
                st = fs_perturb_protector_new(&p->protect, protect, n_protect, fs_audit_data_dir(),
                                              err);
            }
            if (st != FS_OK) {
                return cli_fail(st, err);
            }
            continue;
        }
        fs_params_init(&mine);
        for (size_t i = 0; i < all->count; i++) {
            if (has_param(info, all->keys[i]) &&
                fs_params_set(&mine, all->keys[i], all->values[i], err) != FS_OK) {
                fs_params_dispose(&mine);
                return cli_fail(FS_ERR_NOMEM, err);
            }
        }
        fs_status st = fs_perturber_new(&p->perts[s], p->names[s], &mine, fs_audit_data_dir(), err);
        fs_params_dispose(&mine);
        if (st == FS_OK && n_protect > 0) {
            st =
                fs_perturber_set_protect(p->perts[s], protect, n_protect, fs_audit_data_dir(), err);
        }
        if (st != FS_OK) {
            return cli_fail(st, err);
        }
    }
    return 0;
}

int cli_cmd_perturb(const cli_cmd *cmd, cli_args *a)
{
    static char suites[1024];
    preview p;
    fs_params all;
    fs_error err;
    int64_t v = 0;
    int rc = 0;
    memset(&p, 0, sizeof p);
    fs_params_init(&all);
    fs_error_clear(&err);
    fs_buf_init(&p.out, 0);
    fs_buf_init(&p.line, 0);
    const char *text = cli_get(cmd, a, "text"), *input = cli_get(cmd, a, "input");
    const char *suite = cli_get(cmd, a, "suite");
    if ((text == NULL) == (input == NULL) || a->n_positional != 0) {
        return cli_usage(cmd, "give exactly one of --text and --input");
    }
    if (suite == NULL) {
        return cli_usage(cmd, "--suite is required");
    }
    p.k = 1;
    if (cli_get(cmd, a, "seed") != NULL) {
        if (!fs_parse_i64(cli_get(cmd, a, "seed"), &v) || v < 0) {
            return cli_usage(cmd, "--seed: expected a non-negative integer");
        }
        p.seed = (uint64_t)v;
    }
    if (cli_get(cmd, a, "n") != NULL) {
        if (!fs_parse_i64(cli_get(cmd, a, "n"), &v) || v < 1 || v > 10000) {
            return cli_usage(cmd, "--n: expected an integer from 1 to 10000");
        }
        p.k = (uint64_t)v;
    }
    p.json = cli_flag(cmd, a, "json");
    snprintf(suites, sizeof suites, "%s", suite);
    rc = parse_suites(cmd, &p, suites, &err);
    if (rc == 0) {
        rc = collect_params(cmd, a, &p, &all);
    }
    if (rc == 0) {
        const char *const *protect = NULL;
        size_t n_protect = cli_get_all(cmd, a, "protect", &protect);
        rc = make_perturbers(&p, &all, protect, n_protect, &err);
    }
    if (rc == 0 && text != NULL) {
        if (!fs_text_valid_utf8(text, strlen(text))) {
            rc = cli_usage(cmd, "--text: not valid UTF-8");
        } else {
            rc = emit(&p, "1", text, strlen(text), &err);
        }
    } else if (rc == 0) {
        rc = cli_each_text(input, emit_text, &p, &err);
    }
    for (size_t s = 0; s < p.n; s++) {
        fs_perturber_free(p.perts[s]);
        fs_demog_swapper_free(p.swappers[s]);
    }
    fs_demog_lexicon_free(p.lex);
    fs_perturb_protector_free(p.protect);
    fs_params_dispose(&all);
    fs_buf_dispose(&p.out);
    fs_buf_dispose(&p.line);
    return rc;
}
