/* Config loading and validation. The config is JSON; every object is checked against a
 * table of allowed keys and types, so an unknown key or a wrong type is reported with
 * the file, the line, the dotted key path and the nearest valid key. Relative paths in
 * the config are taken relative to the current directory (the examples assume the
 * repository root). String values of target URLs may use ${VAR} or ${VAR:-default}. */
#include "fairshake/audit.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/config_internal.h"
#include "core/json.h"
#include "fairshake/perturb.h"

typedef enum kind { K_STR, K_INT, K_NUM, K_BOOL, K_OBJ, K_STRS, K_OBJS, K_MAP, K_ANY, K_INTS } kind;

typedef struct key_spec {
    const char *name;
    kind k;
    bool required;
} key_spec;

typedef struct ctx {
    const char *path;
    const char *text;
    size_t len;
    fs_error *err;
    const cJSON *protect; /* the top-level protect list, or NULL */
} ctx;

static const char *kind_name(kind k)
{
    static const char *const names[] = { "a string",
                                         "an integer",
                                         "a number",
                                         "true or false",
                                         "an object",
                                         "an array of strings",
                                         "an array of objects",
                                         "an object",
                                         "any value",
                                         "an array of integers" };
    return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "another type";
}

static const char *json_type_name(const cJSON *v)
{
    if (cJSON_IsString(v)) {
        return "string";
    }
    if (cJSON_IsNumber(v)) {
        return "number";
    }
    if (cJSON_IsBool(v)) {
        return "boolean";
    }
    if (cJSON_IsNull(v)) {
        return "null";
    }
    if (cJSON_IsArray(v)) {
        return "array";
    }
    return "object";
}

/* Line of the first `"key" :` at or after *pos; advances *pos past it when found. */
static size_t find_key_line(const ctx *c, const char *key, size_t *pos)
{
    size_t klen = strlen(key);
    for (size_t i = *pos; i + klen + 2 <= c->len; i++) {
        if (c->text[i] != '"' || memcmp(c->text + i + 1, key, klen) != 0 ||
            c->text[i + 1 + klen] != '"') {
            continue;
        }
        size_t j = i + klen + 2;
        while (j < c->len && (c->text[j] == ' ' || c->text[j] == '\t' || c->text[j] == '\n' ||
                              c->text[j] == '\r')) {
            j++;
        }
        if (j < c->len && c->text[j] == ':') {
            size_t line = 1;
            for (size_t k = 0; k < i; k++) {
                line += c->text[k] == '\n';
            }
            *pos = j;
            return line;
        }
    }
    return 0;
}

/* Line of a dotted key path such as "run.concurrency" or "targets[0].url". */
size_t fs_config__line_of(const char *text, size_t len, const char *dotted)
{
    ctx c = { NULL, text, len, NULL, NULL };
    size_t pos = 0, line = 1;
    char part[128];
    const char *p = dotted;
    while (*p != '\0') {
        size_t n = strcspn(p, ".[");
        if (n > 0 && n < sizeof part) {
            memcpy(part, p, n);
            part[n] = '\0';
            size_t l = find_key_line(&c, part, &pos);
            if (l == 0) {
                break;
            }
            line = l;
        }
        p += n;
        if (*p == '[') {
            p += strcspn(p, "]");
            p += *p == ']';
        }
        if (*p == '.') {
            p++;
        }
    }
    return line;
}

static fs_status fail_at(const ctx *c, const char *dotted, const char *fmt, ...) FS_PRINTF(3, 4);

static fs_status fail_at(const ctx *c, const char *dotted, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return FS_FAIL(c->err, FS_ERR_CONFIG, "%s:%zu: %s: %s", c->path,
                   fs_config__line_of(c->text, c->len, dotted), dotted, msg);
}

static bool kind_ok(kind k, const cJSON *v)
{
    switch (k) {
    case K_STR:
        return cJSON_IsString(v);
    case K_INT:
        return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
               fabs(v->valuedouble) < 9.0e15;
    case K_NUM:
        return cJSON_IsNumber(v);
    case K_BOOL:
        return cJSON_IsBool(v);
    case K_OBJ:
    case K_MAP:
        return cJSON_IsObject(v);
    case K_ANY:
        return true;
    case K_STRS:
    case K_OBJS:
    case K_INTS:
        if (!cJSON_IsArray(v)) {
            return false;
        }
        for (const cJSON *e = v->child; e != NULL; e = e->next) {
            bool ok = k == K_STRS   ? cJSON_IsString(e)
                      : k == K_OBJS ? cJSON_IsObject(e)
                                    : kind_ok(K_INT, e);
            if (!ok) {
                return false;
            }
        }
        return true;
    }
    return false;
}

/* Check obj's keys against specs; prefix is the dotted path of obj ("" at top level). */
static fs_status check_object(const ctx *c, const cJSON *obj, const char *prefix,
                              const key_spec *specs, size_t n_specs)
{
    const char *names[32];
    char dotted[256];
    for (size_t i = 0; i < n_specs && i < 32; i++) {
        names[i] = specs[i].name;
    }
    for (const cJSON *v = obj->child; v != NULL; v = v->next) {
        size_t i = 0;
        while (i < n_specs && strcmp(specs[i].name, v->string) != 0) {
            i++;
        }
        snprintf(dotted, sizeof dotted, "%s%s%s", prefix, prefix[0] ? "." : "", v->string);
        if (i == n_specs) {
            const char *near = fs_nearest(v->string, names, n_specs < 32 ? n_specs : 32);
            if (near != NULL) {
                return fail_at(c, dotted, "unknown key (did you mean '%s'?)", near);
            }
            return fail_at(c, dotted, "unknown key");
        }
        if (!kind_ok(specs[i].k, v)) {
            return fail_at(c, dotted, "expected %s, got %s", kind_name(specs[i].k),
                           json_type_name(v));
        }
    }
    for (size_t i = 0; i < n_specs; i++) {
        if (specs[i].required && cJSON_GetObjectItemCaseSensitive(obj, specs[i].name) == NULL) {
            snprintf(dotted, sizeof dotted, "%s%s%s", prefix, prefix[0] ? "." : "", specs[i].name);
            return FS_FAIL(c->err, FS_ERR_CONFIG, "%s:%zu: %s: missing required key", c->path,
                           fs_config__line_of(c->text, c->len, prefix), dotted);
        }
    }
    return FS_OK;
}

static const key_spec top_keys[] = {
    { "name", K_STR, true },          { "seed", K_INT, false },
    { "dataset", K_OBJ, true },       { "task", K_OBJ, true },
    { "targets", K_OBJS, true },      { "perturbations", K_OBJS, false },
    { "run", K_OBJ, false },          { "gates", K_MAP, false },
    { "report", K_OBJ, false },       { "protect", K_STRS, false },
    { "demographics", K_OBJ, false }, { "identification", K_OBJ, false },
};
static const char *const task_names[] = { "classification",    "qa",
                                          "summarization",     "translation",
                                          "language-modeling", "generation",
                                          "identification" };

const char *fs_task_name(fs_task_type t)
{
    return (unsigned)t < sizeof task_names / sizeof task_names[0] ? task_names[t] : "unknown";
}

static const key_spec dataset_keys[] = { { "path", K_STR, true },
                                         { "format", K_STR, false },
                                         { "fields", K_OBJ, false },
                                         { "references", K_STRS, false } };
static const key_spec fields_keys[] = { { "input", K_STR, false },   { "label", K_STR, false },
                                        { "group", K_STR, false },   { "id", K_STR, false },
                                        { "context", K_STR, false }, { "references", K_STR, false },
                                        { "input2", K_STR, false } };
static const key_spec task_keys[] = { { "type", K_STR, true },
                                      { "labels", K_STRS, false },
                                      { "prompt", K_STR, false },
                                      { "parse", K_OBJ, false } };
static const key_spec parse_keys[] = { { "mode", K_STR, false } };
static const key_spec target_keys[] = {
    { "name", K_STR, true },
    { "type", K_STR, true },
    { "url", K_STR, false },
    { "urls", K_STRS, false },
    { "model", K_STR, false },
    { "api_key_env", K_STR, false },
    { "params", K_MAP, false },
    { "logprobs", K_INT, false },
    { "echo", K_BOOL, false },
    { "body_template", K_ANY, false },
    { "headers", K_MAP, false },
    { "ok_statuses", K_INTS, false },
    { "answer_pointer", K_STR, false },
    { "command", K_STRS, false },
    { "processes", K_INT, false },
};
static const key_spec demog_keys[] = {
    { "axes", K_STRS, false },
    { "favorable_label", K_STR, false },
    { "reference", K_MAP, false },
    { "optional_groups", K_BOOL, false },
};
static const key_spec ident_keys[] = { { "categories", K_STRS, false },
                                       { "disclosure", K_STR, false },
                                       { "patterns", K_STR, false } };
static const key_spec run_keys[] = {
    { "concurrency", K_INT, false },    { "rps", K_NUM, false },
    { "timeout_ms", K_INT, false },     { "retries", K_INT, false },
    { "store", K_STR, false },          { "bootstrap", K_INT, false },
    { "examples", K_INT, false },       { "tpm", K_NUM, false },
    { "max_requests", K_INT, false },   { "max_tokens", K_INT, false },
    { "fail_fast", K_OBJ, false },      { "cache", K_STR, false },
    { "grow_after", K_INT, false },     { "backoff_base_ms", K_INT, false },
    { "backoff_max_ms", K_INT, false },
};
static const key_spec fail_fast_keys[] = { { "retry_after_s", K_NUM, false },
                                           { "failures", K_INT, false },
                                           { "unreachable_s", K_NUM, false } };
static const key_spec report_keys[] = { { "dir", K_STR, false },
                                        { "formats", K_STRS, false },
                                        { "redact", K_BOOL, false } };

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *const fs_config__gate_names[] = {
    "clean.min_accuracy",
    "clean.min_macro_f1",
    "clean.max_parse_failure_rate",
    "robustness.max_drop",
    "robustness.max_flip_rate",
    "robustness.max_accuracy_delta",
    "run.max_error_rate",
    "clean.min_score",
    "fairness.max_counterfactual_flip_rate",
    "fairness.min_disparate_impact",
    "fairness.max_parity_difference",
    "identification.min_recall",
    "identification.max_leak_rate",
    "latency.max_p95_ms",
    "clean.max_perplexity",
};
const size_t fs_config__n_gate_names = N_OF(fs_config__gate_names);

static const char *const report_formats[] = { "json", "md", "html", "junit", "csv" };

/* A K_INT value (whole, below 9e15) as an int, clamped to int's range since the cast of a
 * double out of range is undefined: fs_target_check refuses such a process count, and
 * such a status matches no HTTP status. */
static int int_value(const cJSON *v)
{
    if (v->valuedouble >= (double)INT_MAX) {
        return INT_MAX;
    }
    return v->valuedouble <= (double)INT_MIN ? INT_MIN : (int)v->valuedouble;
}

static fs_status dup_str(char **out, const char *s, const ctx *c)
{
    *out = NULL;
    if (s == NULL) {
        return FS_OK;
    }
    *out = fs_strdup(s);
    return *out != NULL ? FS_OK : FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
}

/* Expand ${VAR} and ${VAR:-default} in s. */
static fs_status expand_env(char **out, const char *s, const ctx *c, const char *dotted)
{
    fs_buf b;
    fs_buf_init(&b, 0);
    *out = NULL;
    for (const char *p = s; *p != '\0';) {
        if (p[0] != '$' || p[1] != '{') {
            fs_buf_putc(&b, *p++);
            continue;
        }
        const char *close = strchr(p, '}');
        if (close == NULL) {
            fs_buf_dispose(&b);
            return fail_at(c, dotted, "unterminated '${' in '%s'", s);
        }
        char name[128];
        const char *def = NULL;
        size_t n = (size_t)(close - p - 2);
        if (n == 0 || n >= sizeof name) {
            fs_buf_dispose(&b);
            return fail_at(c, dotted, "bad variable reference in '%s'", s);
        }
        memcpy(name, p + 2, n);
        name[n] = '\0';
        char *dash = strstr(name, ":-");
        if (dash != NULL) {
            *dash = '\0';
            def = dash + 2;
        }
        const char *val = getenv(name);
        if (val == NULL || val[0] == '\0') {
            val = def;
        }
        if (val == NULL) {
            fs_buf_dispose(&b);
            return fail_at(c, dotted, "environment variable %s is not set", name);
        }
        fs_buf_puts(&b, val);
        p = close + 1;
    }
    if (fs_buf_status(&b) != FS_OK) {
        fs_buf_dispose(&b);
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    *out = fs_buf_take(&b, NULL);
    return *out != NULL ? FS_OK : FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
}

static fs_status fill_dataset(fs_config *cfg, const cJSON *ds, const ctx *c)
{
    fs_status st = check_object(c, ds, "dataset", dataset_keys, N_OF(dataset_keys));
    if (st != FS_OK) {
        return st;
    }
    const char *fmt = fs_json__str(ds, "format");
    if (fmt != NULL && !fs_dataset_format_parse(fmt, &cfg->dataset_format)) {
        return fail_at(c, "dataset.format",
                       "unknown format '%s' (use jsonl, csv, tsv, glue, squad, wmt or auto)", fmt);
    }
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(ds, "fields");
    if (fields != NULL) {
        st = check_object(c, fields, "dataset.fields", fields_keys, N_OF(fields_keys));
        if (st != FS_OK) {
            return st;
        }
    }
    const char *input = fields ? fs_json__str(fields, "input") : NULL;
    const char *label = fields ? fs_json__str(fields, "label") : NULL;
    st = dup_str(&cfg->dataset_path, fs_json__str(ds, "path"), c);
    if (st == FS_OK) {
        st = dup_str(&cfg->field_input, input ? input : "text", c);
    }
    if (st == FS_OK) {
        st = dup_str(&cfg->field_label, label ? label : "label", c);
    }
    if (st == FS_OK && fields != NULL) {
        st = dup_str(&cfg->field_group, fs_json__str(fields, "group"), c);
    }
    if (st == FS_OK && fields != NULL) {
        st = dup_str(&cfg->field_id, fs_json__str(fields, "id"), c);
    }
    if (st == FS_OK && fields != NULL) {
        st = dup_str(&cfg->field_context, fs_json__str(fields, "context"), c);
    }
    if (st == FS_OK && fields != NULL) {
        st = dup_str(&cfg->field_refs, fs_json__str(fields, "references"), c);
    }
    if (st == FS_OK && fields != NULL) {
        st = dup_str(&cfg->field_input2, fs_json__str(fields, "input2"), c);
    }
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(ds, "references");
    size_t nr = refs ? (size_t)cJSON_GetArraySize(refs) : 0;
    if (st == FS_OK && nr > 0) {
        cfg->ref_paths = fs_calloc(nr, sizeof(char *));
        st = cfg->ref_paths ? FS_OK : FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
        for (const cJSON *e = refs->child; st == FS_OK && e != NULL; e = e->next) {
            st = dup_str(&cfg->ref_paths[cfg->n_ref_paths++], e->valuestring, c);
        }
    }
    return st;
}

/* The placeholders a task's prompt may use. */
static size_t prompt_names(fs_task_type t, const char **names)
{
    size_t n = 0;
    names[n++] = "input";
    if (t != FS_TASK_LANGUAGE_MODELING) {
        names[n++] = "input2";
        names[n++] = "context";
    }
    if (t == FS_TASK_CLASSIFICATION) {
        names[n++] = "label_list";
    }
    if (t == FS_TASK_IDENTIFICATION) {
        names[n++] = "categories";
    }
    return n;
}

static fs_status fill_prompt(fs_config *cfg, const cJSON *task, const ctx *c)
{
    const char *names[8], *prompt = fs_json__str(task, "prompt");
    size_t n = prompt_names(cfg->task, names);
    if (prompt == NULL) {
        if (cfg->task != FS_TASK_LANGUAGE_MODELING) {
            return fail_at(c, "task", "missing required key 'prompt' (a template with {{input}})");
        }
        prompt = "{{input}}";
    }
    fs_error perr;
    if (fs_prompt_check_vars(prompt, names, n, &perr) != FS_OK) {
        return fail_at(c, "task.prompt", "%s", perr.msg);
    }
    return dup_str(&cfg->prompt, prompt, c);
}

/* Tasks scored against references (or none): no labels, and gold answers come from
 * dataset.fields.references (or the dataset format). */
static fs_status fill_text_task(fs_config *cfg, const cJSON *task, const ctx *c)
{
    if (cJSON_GetObjectItemCaseSensitive(task, "labels") != NULL) {
        return fail_at(c, "task.labels", "a %s task has no labels (remove task.labels)",
                       fs_task_name(cfg->task));
    }
    fs_free(cfg->field_label);
    cfg->field_label = NULL;
    return fill_prompt(cfg, task, c);
}

static fs_status fill_task(fs_config *cfg, const cJSON *task, const ctx *c)
{
    fs_status st = check_object(c, task, "task", task_keys, N_OF(task_keys));
    if (st != FS_OK) {
        return st;
    }
    const char *type = fs_json__str(task, "type");
    size_t t = 0;
    while (t < N_OF(task_names) && strcmp(task_names[t], type) != 0) {
        t++;
    }
    if (t == N_OF(task_names)) {
        const char *near = fs_nearest(type, task_names, N_OF(task_names));
        return fail_at(c, "task.type", "unknown task type '%s'%s%s%s", type,
                       near ? " (did you mean '"
                            : " (supported: classification, qa, "
                              "summarization, translation, "
                              "language-modeling, generation, "
                              "identification",
                       near ? near : "", near ? "'?)" : ")");
    }
    cfg->task = (fs_task_type)t;
    const cJSON *parse = cJSON_GetObjectItemCaseSensitive(task, "parse");
    if (parse != NULL) {
        st = check_object(c, parse, "task.parse", parse_keys, N_OF(parse_keys));
        if (st != FS_OK) {
            return st;
        }
        const char *mode = fs_json__str(parse, "mode");
        const char *want = cfg->task == FS_TASK_CLASSIFICATION ? "label" : "text";
        if (mode != NULL && strcmp(mode, want) != 0) {
            return fail_at(c, "task.parse.mode",
                           "parse mode '%s' does not fit a %s task (use "
                           "'%s')",
                           mode, fs_task_name(cfg->task), want);
        }
    }
    if (cfg->task != FS_TASK_CLASSIFICATION) {
        return fill_text_task(cfg, task, c);
    }
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(task, "labels");
    size_t n = labels ? (size_t)cJSON_GetArraySize(labels) : 0;
    if (n < 2) {
        return fail_at(c, labels ? "task.labels" : "task",
                       "a classification task needs at least two labels in task.labels");
    }
    cfg->labels = fs_calloc(n, sizeof(char *));
    if (cfg->labels == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *e = labels->child; e != NULL; e = e->next) {
        for (size_t i = 0; i < cfg->n_labels; i++) {
            if (strcmp(cfg->labels[i], e->valuestring) == 0) {
                return fail_at(c, "task.labels", "label '%s' is listed twice", e->valuestring);
            }
        }
        if (e->valuestring[0] == '\0') {
            return fail_at(c, "task.labels", "labels must not be empty");
        }
        st = dup_str(&cfg->labels[cfg->n_labels], e->valuestring, c);
        if (st != FS_OK) {
            return st;
        }
        cfg->n_labels++;
    }
    return fill_prompt(cfg, task, c);
}

/* An array of strings into an owned vector; expand: ${VAR} expansion (URLs). */
static fs_status strs_of(char ***out, size_t *n_out, const cJSON *arr, bool expand,
                         const char *dotted, const ctx *c)
{
    size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0;
    fs_status st = FS_OK;
    *n_out = 0;
    *out = fs_calloc(n + 1, sizeof(char *));
    if (*out == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *e = arr ? arr->child : NULL; st == FS_OK && e != NULL; e = e->next) {
        st = expand ? expand_env(&(*out)[*n_out], e->valuestring, c, dotted)
                    : dup_str(&(*out)[*n_out], e->valuestring, c);
        *n_out += st == FS_OK;
    }
    return st;
}

static fs_status check_url(const char *url, const char *dotted, const ctx *c)
{
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        return fail_at(c, dotted, "'%s' is not an http:// or https:// URL", url);
    }
    return FS_OK;
}

/* url or urls (replicas) for the HTTP types. */
static fs_status fill_urls(fs_config_target *t, const cJSON *obj, const char *dotted, const ctx *c)
{
    char sub[128];
    const char *url = fs_json__str(obj, "url");
    const cJSON *urls = cJSON_GetObjectItemCaseSensitive(obj, "urls");
    snprintf(sub, sizeof sub, "%s.%s", dotted, urls ? "urls" : "url");
    if (t->type == FS_TARGET_EXEC) {
        return url || urls ? fail_at(c, sub, "an exec target has no URL (it runs \"command\")")
                           : FS_OK;
    }
    if (url == NULL && urls == NULL) {
        return fail_at(c, dotted, "missing required key 'url' (or 'urls' for replicas)");
    }
    fs_status st =
        urls ? strs_of(&t->urls, &t->n_urls, urls, true, sub, c) : expand_env(&t->url, url, c, sub);
    for (size_t i = 0; st == FS_OK && i < t->n_urls; i++) {
        st = check_url(t->urls[i], sub, c);
    }
    if (st == FS_OK && t->url == NULL && t->n_urls > 0) {
        st = dup_str(&t->url, t->urls[0], c);
    }
    return st == FS_OK ? check_url(t->url, sub, c) : st;
}

static fs_status json_text(char **out, const cJSON *v, const ctx *c)
{
    *out = NULL;
    if (v == NULL) {
        return FS_OK;
    }
    char *text = fs_json__print(v, false);
    if (text == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    fs_status st = dup_str(out, text, c);
    fs_json__free(text);
    return st;
}

/* rest and exec: body template, headers, accepted statuses, answer pointer, command. */
static fs_status fill_transport(fs_config_target *t, const cJSON *obj, const char *dotted,
                                const ctx *c)
{
    const cJSON *headers = cJSON_GetObjectItemCaseSensitive(obj, "headers");
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(obj, "ok_statuses");
    const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(obj, "body_template");
    fs_status st = cJSON_IsString(tmpl) ? dup_str(&t->body_template, tmpl->valuestring, c)
                                        : json_text(&t->body_template, tmpl, c);
    size_t nh = headers ? (size_t)cJSON_GetArraySize(headers) : 0;
    t->headers = fs_calloc(nh + 1, sizeof(char *));
    t->ok_statuses = fs_calloc((ok ? (size_t)cJSON_GetArraySize(ok) : 0) + 1, sizeof(int));
    if (st == FS_OK && (t->headers == NULL || t->ok_statuses == NULL)) {
        st = FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *h = headers ? headers->child : NULL; st == FS_OK && h; h = h->next) {
        if (!cJSON_IsString(h)) {
            char sub[160];
            snprintf(sub, sizeof sub, "%s.headers.%s", dotted, h->string);
            return fail_at(c, sub, "expected a string, got %s", json_type_name(h));
        }
        fs_buf b;
        fs_buf_init(&b, 0);
        fs_buf_printf(&b, "%s: %s", h->string, h->valuestring);
        t->headers[t->n_headers] = fs_buf_take(&b, NULL);
        st = t->headers[t->n_headers++] ? FS_OK : FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *e = ok ? ok->child : NULL; st == FS_OK && e; e = e->next) {
        t->ok_statuses[t->n_ok_statuses++] = int_value(e);
    }
    if (st == FS_OK) {
        st = dup_str(&t->answer_pointer, fs_json__str(obj, "answer_pointer"), c);
    }
    if (st == FS_OK) {
        char sub[128];
        snprintf(sub, sizeof sub, "%s.command", dotted);
        st = strs_of(&t->argv, &t->argc, cJSON_GetObjectItemCaseSensitive(obj, "command"), false,
                     sub, c);
    }
    return st;
}

void fs_config__target_spec(fs_target_spec *spec, const fs_config_target *t)
{
    memset(spec, 0, sizeof *spec);
    spec->name = t->name;
    spec->type = t->type;
    spec->url = t->url;
    spec->model = t->model;
    spec->api_key_env = t->api_key_env;
    spec->params_json = t->params_json;
    spec->urls = (const char *const *)t->urls;
    spec->n_urls = t->n_urls;
    spec->logprobs = t->logprobs;
    spec->top_logprobs = t->top_logprobs;
    spec->echo = t->echo;
    spec->body_template = t->body_template;
    spec->headers = (const char *const *)t->headers;
    spec->n_headers = t->n_headers;
    spec->ok_statuses = t->ok_statuses;
    spec->n_ok_statuses = t->n_ok_statuses;
    spec->answer_pointer = t->answer_pointer;
    spec->argv = (const char *const *)t->argv;
    spec->argc = t->argc;
    spec->processes = t->processes;
}

/* The whole target as the dispatcher sees it, checked by the target module. */
static fs_status check_spec(const fs_config_target *t, const char *dotted, const ctx *c)
{
    fs_target_spec spec;
    fs_error e;
    fs_config__target_spec(&spec, t);
    fs_error_clear(&e);
    if (fs_target_check(&spec, &e) != FS_OK) {
        return fail_at(c, dotted, "%s", e.msg);
    }
    return FS_OK;
}

/* A key that only some target types read is refused on the others, rather than ignored. */
static fs_status check_target_keys(fs_target_type type, const cJSON *obj, const char *dotted,
                                   const ctx *c)
{
    static const struct {
        const char *key, *types; /* the type names that read the key, space-separated */
    } only[] = {
        { "logprobs", "openai-completions" },
        { "echo", "openai-completions" },
        { "body_template", "rest" },
        { "ok_statuses", "rest" },
        { "answer_pointer", "rest exec" },
        { "command", "exec" },
        { "processes", "exec" },
        { "headers", "openai-chat openai-completions rest" },
        { "api_key_env", "openai-chat openai-completions rest" },
    };
    const char *name = fs_target_type_name(type);
    for (size_t i = 0; i < N_OF(only); i++) {
        if (cJSON_GetObjectItemCaseSensitive(obj, only[i].key) == NULL) {
            continue;
        }
        const char *hit = strstr(only[i].types, name);
        size_t len = strlen(name);
        if (hit != NULL && (hit[len] == ' ' || hit[len] == '\0')) {
            continue;
        }
        char sub[160];
        snprintf(sub, sizeof sub, "%s.%s", dotted, only[i].key);
        return fail_at(c, sub, "not used by a target of type '%s' (only: %s)", name, only[i].types);
    }
    return FS_OK;
}

static fs_status fill_target(fs_config_target *t, const cJSON *obj, const char *dotted,
                             const ctx *c)
{
    char sub[128];
    fs_status st = check_object(c, obj, dotted, target_keys, N_OF(target_keys));
    if (st != FS_OK) {
        return st;
    }
    const char *type = fs_json__str(obj, "type");
    if (!fs_target_type_parse(type, &t->type)) {
        static const char *const known[] = { "openai-chat", "openai-completions", "rest", "exec" };
        const char *near = fs_nearest(type, known, 4);
        snprintf(sub, sizeof sub, "%s.type", dotted);
        return fail_at(c, sub, "unknown target type '%s' (%s%s%s)", type,
                       near ? "did you mean '"
                            : "supported: openai-chat, openai-completions, "
                              "rest, exec",
                       near ? near : "", near ? "'?" : "");
    }
    st = check_target_keys(t->type, obj, dotted, c);
    if (st == FS_OK) {
        st = dup_str(&t->name, fs_json__str(obj, "name"), c);
    }
    if (st == FS_OK) {
        st = fill_urls(t, obj, dotted, c);
    }
    if (st == FS_OK) {
        st = dup_str(&t->model, fs_json__str(obj, "model"), c);
    }
    if (st == FS_OK) {
        st = dup_str(&t->api_key_env, fs_json__str(obj, "api_key_env"), c);
    }
    if (st == FS_OK) {
        st = json_text(&t->params_json, cJSON_GetObjectItemCaseSensitive(obj, "params"), c);
    }
    const cJSON *lp = cJSON_GetObjectItemCaseSensitive(obj, "logprobs");
    t->logprobs = lp != NULL;
    t->top_logprobs = lp ? int_value(lp) : 0;
    t->echo = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "echo"));
    const cJSON *procs = cJSON_GetObjectItemCaseSensitive(obj, "processes");
    t->processes = procs ? int_value(procs) : 0;
    if (st == FS_OK) {
        st = fill_transport(t, obj, dotted, c);
    }
    return st == FS_OK ? check_spec(t, dotted, c) : st;
}

static fs_status fill_targets(fs_config *cfg, const cJSON *arr, const ctx *c)
{
    size_t n = (size_t)cJSON_GetArraySize(arr);
    char dotted[64];
    if (n == 0) {
        return fail_at(c, "targets", "at least one target is needed");
    }
    cfg->targets = fs_calloc(n, sizeof *cfg->targets);
    if (cfg->targets == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *e = arr->child; e != NULL; e = e->next) {
        snprintf(dotted, sizeof dotted, "targets[%zu]", cfg->n_targets);
        fs_config_target *t = &cfg->targets[cfg->n_targets++];
        fs_status st = fill_target(t, e, dotted, c);
        if (st != FS_OK) {
            return st;
        }
        for (size_t i = 0; i + 1 < cfg->n_targets; i++) {
            if (strcmp(cfg->targets[i].name, t->name) == 0) {
                return fail_at(c, dotted, "target name '%s' is used twice", t->name);
            }
        }
    }
    return FS_OK;
}

static fs_status param_value(char *out, size_t cap, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        snprintf(out, cap, "%s", v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        fs_fmt_double(out, cap, v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        snprintf(out, cap, "%s", cJSON_IsTrue(v) ? "true" : "false");
    } else {
        return FS_ERR_CONFIG;
    }
    return FS_OK;
}

static fs_status fill_perturbation(fs_config_perturbation *p, const cJSON *obj, const char *dotted,
                                   const ctx *c)
{
    char sub[96], val[512];
    const char *name = fs_json__str(obj, "name");
    fs_params_init(&p->params);
    if (name == NULL) {
        return fail_at(c, dotted, "missing required key 'name' (a string)");
    }
    if (fs_perturb_find(name) == NULL) {
        const char *near = fs_perturb_nearest(name);
        snprintf(sub, sizeof sub, "%s.name", dotted);
        return fail_at(c, sub,
                       near ? "unknown perturbation '%s' (did you mean '%s'?)"
                            : "unknown perturbation '%s'%s (see: fairshake list "
                              "perturbations)",
                       name, near ? near : "");
    }
    fs_status st = dup_str(&p->name, name, c);
    const char *label = fs_json__str(obj, "label");
    if (st == FS_OK) {
        st = dup_str(&p->label, label ? label : name, c);
    }
    p->n = 1;
    for (const cJSON *v = obj->child; st == FS_OK && v != NULL; v = v->next) {
        if (strcmp(v->string, "name") == 0 || strcmp(v->string, "label") == 0 ||
            strcmp(v->string, "protect") == 0) {
            continue;
        }
        if (strcmp(v->string, "n") == 0) {
            snprintf(sub, sizeof sub, "%s.n", dotted);
            if (!kind_ok(K_INT, v) || v->valuedouble < 1 || v->valuedouble > 1000) {
                return fail_at(c, sub, "expected an integer from 1 to 1000");
            }
            p->n = (size_t)v->valuedouble;
            continue;
        }
        snprintf(sub, sizeof sub, "%s.%s", dotted, v->string);
        if (param_value(val, sizeof val, v) != FS_OK) {
            return fail_at(c, sub, "expected a string, number or boolean, got %s%s",
                           json_type_name(v), "");
        }
        st = fs_params_set(&p->params, v->string, val, c->err);
    }
    return st;
}

/* The protect list of one perturbation: the top-level list, then its own. */
static fs_status fill_protect(fs_config_perturbation *p, const cJSON *top, const cJSON *own,
                              const char *dotted, const ctx *c)
{
    char sub[128];
    size_t n = (size_t)cJSON_GetArraySize(top) + (size_t)cJSON_GetArraySize(own);
    snprintf(sub, sizeof sub, "%s.protect", dotted);
    if (own != NULL && !kind_ok(K_STRS, own)) {
        return fail_at(c, sub, "expected an array of strings, got %s", json_type_name(own));
    }
    p->protect = fs_calloc(n + 1, sizeof(char *));
    if (p->protect == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    const cJSON *lists[2] = { top, own };
    for (int l = 0; l < 2; l++) {
        for (const cJSON *e = lists[l] ? lists[l]->child : NULL; e != NULL; e = e->next) {
            fs_status st = dup_str(&p->protect[p->n_protect], e->valuestring, c);
            if (st != FS_OK) {
                return st;
            }
            p->n_protect++;
        }
    }
    return FS_OK;
}

static fs_status fill_perturbations(fs_config *cfg, const cJSON *arr, const ctx *c)
{
    size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0;
    char dotted[64];
    if (n == 0) {
        return FS_OK;
    }
    cfg->perturbations = fs_calloc(n, sizeof *cfg->perturbations);
    if (cfg->perturbations == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    size_t pos = 0;
    find_key_line(c, "perturbations", &pos);
    for (const cJSON *e = arr->child; e != NULL; e = e->next) {
        snprintf(dotted, sizeof dotted, "perturbations[%zu]", cfg->n_perturbations);
        fs_config_perturbation *p = &cfg->perturbations[cfg->n_perturbations++];
        /* Entries hold no nested objects, so the k-th "name" key is entry k's. */
        p->line = find_key_line(c, "name", &pos);
        fs_status st = fill_perturbation(p, e, dotted, c);
        if (st == FS_OK) {
            st = fill_protect(p, c->protect, cJSON_GetObjectItemCaseSensitive(e, "protect"), dotted,
                              c);
        }
        if (st != FS_OK) {
            return st;
        }
        if (strchr(p->label, '#') != NULL) {
            return fail_at(c, dotted, "label '%s' must not contain '#'", p->label);
        }
        if (strcmp(p->label, "clean") == 0) {
            return fail_at(c, dotted, "the label 'clean' is reserved for the original input");
        }
        for (size_t i = 0; i + 1 < cfg->n_perturbations; i++) {
            if (strcmp(cfg->perturbations[i].label, p->label) == 0) {
                return fail_at(c, dotted, "'%s' appears twice: give each a distinct \"label\"",
                               p->label);
            }
        }
    }
    return FS_OK;
}

static fs_status int_in(int64_t *out, const cJSON *obj, const char *key, int64_t lo, int64_t hi,
                        const char *dotted, const ctx *c)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL) {
        return FS_OK;
    }
    if (v->valuedouble < (double)lo || v->valuedouble > (double)hi) {
        char range[64];
        snprintf(range, sizeof range, "%lld and %lld", (long long)lo, (long long)hi);
        return fail_at(c, dotted, "must be between %s", range);
    }
    *out = (int64_t)v->valuedouble;
    return FS_OK;
}

/* Rate limits, budgets, fail-fast and backoff (the dispatcher's options). */
static fs_status fill_run_limits(fs_config *cfg, const cJSON *run, const ctx *c)
{
    int64_t maxr = 0, maxt = 0, grow = 10, base = 250, maxb = 30000, fails = 0;
    fs_status st = int_in(&maxr, run, "max_requests", 0, INT64_C(1) << 50, "run.max_requests", c);
    if (st == FS_OK) {
        st = int_in(&maxt, run, "max_tokens", 0, INT64_C(1) << 50, "run.max_tokens", c);
    }
    if (st == FS_OK) {
        st = int_in(&grow, run, "grow_after", 0, 1000000, "run.grow_after", c);
    }
    if (st == FS_OK) {
        st = int_in(&base, run, "backoff_base_ms", 1, 3600000, "run.backoff_base_ms", c);
    }
    if (st == FS_OK) {
        st = int_in(&maxb, run, "backoff_max_ms", 1, 3600000, "run.backoff_max_ms", c);
    }
    const cJSON *ff = cJSON_GetObjectItemCaseSensitive(run, "fail_fast");
    if (st == FS_OK && ff != NULL) {
        st = check_object(c, ff, "run.fail_fast", fail_fast_keys, N_OF(fail_fast_keys));
    }
    if (st == FS_OK && ff != NULL) {
        st = int_in(&fails, ff, "failures", 0, 1000000, "run.fail_fast.failures", c);
    }
    const cJSON *ra = ff ? cJSON_GetObjectItemCaseSensitive(ff, "retry_after_s") : NULL;
    const cJSON *un = ff ? cJSON_GetObjectItemCaseSensitive(ff, "unreachable_s") : NULL;
    if (st == FS_OK && un != NULL && !(un->valuedouble >= 0 && un->valuedouble <= 86400)) {
        st = fail_at(c, "run.fail_fast.unreachable_s", "must be from 0 to 86400");
    }
    const cJSON *tpm = cJSON_GetObjectItemCaseSensitive(run, "tpm");
    if (st == FS_OK && ((ra && ra->valuedouble < 0) || (tpm && tpm->valuedouble < 0))) {
        st = fail_at(c, ra && ra->valuedouble < 0 ? "run.fail_fast.retry_after_s" : "run.tpm",
                     "must be 0 or more");
    }
    cfg->max_requests = (uint64_t)maxr;
    cfg->max_tokens = (uint64_t)maxt;
    cfg->grow_after = (int)grow;
    cfg->backoff_base_ms = (long)base;
    cfg->backoff_max_ms = (long)maxb;
    cfg->fail_fast_failures = (int)fails;
    /* Casting a double out of the range of long is undefined: a wait too long for a long
     * is "never stop" in effect, and a negative one was refused above. */
    double ra_ms = ra ? ra->valuedouble * 1000.0 : 0.0;
    cfg->fail_fast_retry_after_ms = 0;
    if (ra_ms >= (double)LONG_MAX) {
        cfg->fail_fast_retry_after_ms = LONG_MAX;
    } else if (ra_ms > 0.0) {
        cfg->fail_fast_retry_after_ms = (long)ra_ms;
    }
    cfg->fail_fast_unreachable_ms = 10000;
    if (st == FS_OK && un != NULL) { /* in 0..86400: the cast is defined */
        cfg->fail_fast_unreachable_ms = (long)(un->valuedouble * 1000.0);
    }
    cfg->tpm = tpm ? tpm->valuedouble : 0.0;
    return st;
}

static fs_status fill_run(fs_config *cfg, const cJSON *run, const ctx *c)
{
    int64_t conc = 8, timeout = 30000, retries = 5, boot = 1000, examples = 5;
    fs_status st = check_object(c, run, "run", run_keys, N_OF(run_keys));
    if (st == FS_OK) {
        st = int_in(&conc, run, "concurrency", 1, 4096, "run.concurrency", c);
    }
    if (st == FS_OK) {
        st = int_in(&timeout, run, "timeout_ms", 1, 3600000, "run.timeout_ms", c);
    }
    if (st == FS_OK) {
        st = int_in(&retries, run, "retries", 0, 100, "run.retries", c);
    }
    if (st == FS_OK) {
        st = int_in(&boot, run, "bootstrap", 100, 1000000, "run.bootstrap", c);
    }
    if (st == FS_OK) {
        st = int_in(&examples, run, "examples", 0, 1000, "run.examples", c);
    }
    if (st != FS_OK) {
        return st;
    }
    const cJSON *rps = cJSON_GetObjectItemCaseSensitive(run, "rps");
    if (rps != NULL &&
        (rps->valuedouble < 0 || (rps->valuedouble > 0 && rps->valuedouble < 0.001))) {
        return fail_at(c, "run.rps", "must be 0 (unlimited) or at least 0.001");
    }
    const cJSON *tpm = cJSON_GetObjectItemCaseSensitive(run, "tpm");
    if (tpm != NULL && (tpm->valuedouble < 0 || (tpm->valuedouble > 0 && tpm->valuedouble < 1))) {
        return fail_at(c, "run.tpm", "must be 0 (unlimited) or at least 1");
    }
    cfg->rps = rps ? rps->valuedouble : 0.0;
    cfg->concurrency = (int)conc;
    cfg->timeout_ms = (long)timeout;
    cfg->retries = (int)retries;
    cfg->bootstrap = (size_t)boot;
    cfg->examples = (size_t)examples;
    st = fill_run_limits(cfg, run, c);
    if (st == FS_OK) {
        st = dup_str(&cfg->cache, fs_json__str(run, "cache"), c);
    }
    return st == FS_OK ? dup_str(&cfg->store, fs_json__str(run, "store"), c) : st;
}

/* Gate names hold dots, so a gate's line is found by its whole name under "gates". */
static fs_status fail_gate(const ctx *c, const char *gate, const char *dotted, const char *fmt, ...)
    FS_PRINTF(4, 5);

static fs_status fail_gate(const ctx *c, const char *gate, const char *dotted, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    size_t pos = 0;
    ctx k = { NULL, c->text, c->len, NULL, NULL };
    size_t line = find_key_line(&k, "gates", &pos);
    size_t at = line ? find_key_line(&k, gate, &pos) : 0;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return FS_FAIL(c->err, FS_ERR_CONFIG, "%s:%zu: %s: %s", c->path,
                   at     ? at
                   : line ? line
                          : 1,
                   dotted, msg);
}

/* A gate's scope: a perturbation label for the robustness gates, a counterfactual axis
 * for fairness.max_counterfactual_flip_rate; nothing else takes one. */
static fs_status check_gate_scope(const fs_config *cfg, const char *base, const char *scope,
                                  const ctx *c, const char *dotted)
{
    const char *gate = dotted + strlen("gates.");
    if (strncmp(base, "robustness.", 11) == 0) {
        for (size_t i = 0; i < cfg->n_perturbations; i++) {
            if (strcmp(cfg->perturbations[i].label, scope) == 0) {
                return FS_OK;
            }
        }
        return fail_gate(c, gate, dotted, "'%s' is not the label of a perturbation of this config",
                         scope);
    }
    if (strcmp(base, "fairness.max_counterfactual_flip_rate") == 0) {
        for (size_t i = 0; i < cfg->n_axes; i++) {
            if (strcmp(cfg->axes[i], scope) == 0) {
                return FS_OK;
            }
        }
        return fail_gate(c, gate, dotted, "'%s' is not one of demographics.axes", scope);
    }
    return fail_gate(c, gate, dotted,
                     "'%s' takes no '@' scope (only the robustness gates, per perturbation, and "
                     "fairness.max_counterfactual_flip_rate, per axis)",
                     base);
}

/* One gate: "NAME[@SCOPE]": THRESHOLD or {"threshold": T, "bound": "estimate"|"ci95"}. */
static fs_status fill_gate(fs_config_gate *out, const fs_config *cfg, const cJSON *g, const ctx *c)
{
    const char *gate = g->string;
    char dotted[160], base[128];
    snprintf(dotted, sizeof dotted, "gates.%s", g->string);
    const char *at = strchr(g->string, '@');
    size_t bl = at ? (size_t)(at - g->string) : strlen(g->string);
    if (bl >= sizeof base) {
        return fail_gate(c, gate, dotted, "unknown gate%s", "");
    }
    memcpy(base, g->string, bl);
    base[bl] = '\0';
    size_t i = 0;
    while (i < fs_config__n_gate_names && strcmp(fs_config__gate_names[i], base) != 0) {
        i++;
    }
    if (i == fs_config__n_gate_names) {
        const char *near = fs_nearest(base, fs_config__gate_names, fs_config__n_gate_names);
        return fail_gate(c, gate, dotted,
                         near ? "unknown gate (did you mean '%s'?)%s"
                              : "unknown gate%s%s (see docs/gates.md for the gates)",
                         near ? near : "", "");
    }
    bool lm = cfg->task == FS_TASK_LANGUAGE_MODELING;
    if (lm && (strcmp(base, "clean.min_score") == 0 || strcmp(base, "clean.min_accuracy") == 0)) {
        return fail_gate(c, gate, dotted,
                         "the score of language-modeling is perplexity, lower is "
                         "better: use clean.max_perplexity%s",
                         "");
    }
    if (!lm && strcmp(base, "clean.max_perplexity") == 0) {
        return fail_gate(c, gate, dotted, "only a language-modeling task has a perplexity%s", "");
    }
    if (at != NULL) {
        if (at[1] == '\0') {
            return fail_gate(c, gate, dotted, "empty scope after '@'%s", "");
        }
        fs_status st = check_gate_scope(cfg, base, at + 1, c, dotted);
        if (st != FS_OK) {
            return st;
        }
    }
    const cJSON *thr = g;
    if (cJSON_IsObject(g)) {
        for (const cJSON *k = g->child; k != NULL; k = k->next) {
            if (strcmp(k->string, "threshold") != 0 && strcmp(k->string, "bound") != 0) {
                char kd[200];
                snprintf(kd, sizeof kd, "%s.%s", dotted, k->string);
                return fail_gate(c, g->string, kd,
                                 "unknown key (a gate has 'threshold' and 'bound')%s", "");
            }
        }
        thr = cJSON_GetObjectItemCaseSensitive(g, "threshold");
        const cJSON *bound = cJSON_GetObjectItemCaseSensitive(g, "bound");
        if (bound != NULL) {
            const char *b = cJSON_GetStringValue(bound);
            if (b == NULL || (strcmp(b, "estimate") != 0 && strcmp(b, "ci95") != 0)) {
                char kd[200];
                snprintf(kd, sizeof kd, "%s.bound", dotted);
                return fail_gate(c, g->string, kd, "expected \"estimate\" or \"ci95\"%s", "");
            }
            out->ci_bound = strcmp(b, "ci95") == 0;
        }
        if (thr == NULL) {
            return fail_gate(c, gate, dotted, "missing 'threshold'%s", "");
        }
    }
    if (!cJSON_IsNumber(thr) || !isfinite(thr->valuedouble)) {
        return fail_gate(c, gate, dotted,
                         "expected a number or {\"threshold\": N, \"bound\": "
                         "\"ci95\"}, got %s%s",
                         json_type_name(thr), "");
    }
    out->threshold = thr->valuedouble;
    fs_status st = dup_str(&out->name, g->string, c);
    if (st == FS_OK) {
        st = dup_str(&out->base, base, c);
    }
    if (st == FS_OK && at != NULL) {
        st = dup_str(&out->scope, at + 1, c);
    }
    return st;
}

static fs_status fill_gates(fs_config *cfg, const cJSON *gates, const ctx *c)
{
    size_t n = gates ? (size_t)cJSON_GetArraySize(gates) : 0;
    if (n == 0) {
        return FS_OK;
    }
    cfg->gates = fs_calloc(n, sizeof *cfg->gates);
    if (cfg->gates == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *g = gates->child; g != NULL; g = g->next) {
        fs_status st = fill_gate(&cfg->gates[cfg->n_gates], cfg, g, c);
        cfg->n_gates++;
        if (st != FS_OK) {
            return st;
        }
    }
    return FS_OK;
}

static fs_status fill_report(fs_config *cfg, const cJSON *rep, const ctx *c)
{
    fs_status st = FS_OK;
    const cJSON *formats = NULL;
    if (rep != NULL) {
        st = check_object(c, rep, "report", report_keys, N_OF(report_keys));
        formats = cJSON_GetObjectItemCaseSensitive(rep, "formats");
    }
    if (st != FS_OK) {
        return st;
    }
    const cJSON *redact = rep ? cJSON_GetObjectItemCaseSensitive(rep, "redact") : NULL;
    cfg->redact = redact != NULL ? cJSON_IsTrue(redact) : cfg->identify;
    const char *dir = rep ? fs_json__str(rep, "dir") : NULL;
    if (dir != NULL) {
        st = dup_str(&cfg->report_dir, dir, c);
    } else {
        fs_buf b;
        fs_buf_init(&b, 0);
        fs_buf_printf(&b, "reports/%s", cfg->name);
        cfg->report_dir = fs_buf_take(&b, NULL);
        st = cfg->report_dir ? FS_OK : FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    size_t n = formats ? (size_t)cJSON_GetArraySize(formats) : 0;
    cfg->formats = fs_calloc(n ? n : 2, sizeof(char *));
    if (st != FS_OK || cfg->formats == NULL) {
        return st != FS_OK ? st : FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    if (n == 0) {
        /* counted as each is made, so that fs_config_free frees "json" when "md" fails */
        st = dup_str(&cfg->formats[0], "json", c);
        cfg->n_formats = st == FS_OK ? 1 : 0;
        if (st == FS_OK) {
            st = dup_str(&cfg->formats[1], "md", c);
            cfg->n_formats += st == FS_OK ? 1 : 0;
        }
        return st;
    }
    for (const cJSON *e = formats->child; e != NULL; e = e->next) {
        size_t k = 0;
        while (k < N_OF(report_formats) && strcmp(report_formats[k], e->valuestring) != 0) {
            k++;
        }
        if (k == N_OF(report_formats)) {
            return fail_at(c, "report.formats",
                           "format '%s' is not supported by this version (supported: %s)",
                           e->valuestring, "json, md, html, junit, csv");
        }
        st = dup_str(&cfg->formats[cfg->n_formats], e->valuestring, c);
        if (st != FS_OK) {
            return st;
        }
        cfg->n_formats++;
    }
    return FS_OK;
}

static fs_status fill_identification(fs_config *cfg, const cJSON *id, const ctx *c)
{
    fs_status st = check_object(c, id, "identification", ident_keys, N_OF(ident_keys));
    const char *mode = fs_json__str(id, "disclosure");
    cfg->identify = true;
    if (st == FS_OK && mode != NULL && strcmp(mode, "forbidden") != 0 &&
        strcmp(mode, "expected") != 0) {
        return fail_at(c, "identification.disclosure",
                       "must be 'forbidden' (answers must not repeat the input's sensitive "
                       "items) or 'expected' (they may), got '%s'",
                       mode);
    }
    cfg->disclosure = mode != NULL && strcmp(mode, "expected") == 0;
    if (st == FS_OK && cJSON_GetObjectItemCaseSensitive(id, "categories") != NULL) {
        st = strs_of(&cfg->id_categories, &cfg->n_id_categories,
                     cJSON_GetObjectItemCaseSensitive(id, "categories"), false,
                     "identification.categories", c);
    }
    return st == FS_OK ? dup_str(&cfg->id_patterns, fs_json__str(id, "patterns"), c) : st;
}

static fs_status fill_demographics(fs_config *cfg, const cJSON *d, const ctx *c)
{
    fs_status st = check_object(c, d, "demographics", demog_keys, N_OF(demog_keys));
    const cJSON *axes = cJSON_GetObjectItemCaseSensitive(d, "axes");
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(d, "reference");
    size_t n = axes ? (size_t)cJSON_GetArraySize(axes) : 0;
    if (st != FS_OK) {
        return st;
    }
    cfg->axes = fs_calloc(n + 1, sizeof(char *));
    if (cfg->axes == NULL) {
        return FS_FAIL(c->err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *e = axes ? axes->child : NULL; e != NULL; e = e->next) {
        for (size_t i = 0; i < cfg->n_axes; i++) {
            if (strcmp(cfg->axes[i], e->valuestring) == 0) {
                return fail_at(c, "demographics.axes", "axis '%s' is listed twice", e->valuestring);
            }
        }
        st = dup_str(&cfg->axes[cfg->n_axes], e->valuestring, c);
        if (st != FS_OK) {
            return st;
        }
        cfg->n_axes++;
    }
    for (const cJSON *e = ref ? ref->child : NULL; e != NULL; e = e->next) {
        if (!cJSON_IsString(e)) {
            char dotted[160];
            snprintf(dotted, sizeof dotted, "demographics.reference.%s", e->string);
            return fail_at(c, dotted, "expected a group name (a string), got %s",
                           json_type_name(e));
        }
        st = fs_params_set(&cfg->reference, e->string, e->valuestring, c->err);
        if (st != FS_OK) {
            return st;
        }
    }
    const char *fav = fs_json__str(d, "favorable_label");
    if (fav != NULL) {
        size_t i = 0;
        while (i < cfg->n_labels && strcmp(cfg->labels[i], fav) != 0) {
            i++;
        }
        if (i == cfg->n_labels) {
            return fail_at(c, "demographics.favorable_label", "'%s' is not one of task.labels",
                           fav);
        }
    }
    cfg->optional_groups = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "optional_groups"));
    return dup_str(&cfg->favourable, fav, c);
}

static fs_status fill_all(fs_config *cfg, const cJSON *root, const ctx *c)
{
    fs_status st = check_object(c, root, "", top_keys, N_OF(top_keys));
    if (st != FS_OK) {
        return st;
    }

    st = dup_str(&cfg->name, fs_json__str(root, "name"), c);
    if (st == FS_OK && (cfg->name[0] == '\0' || strpbrk(cfg->name, "/\\") != NULL ||
                        strcmp(cfg->name, ".") == 0 || strcmp(cfg->name, "..") == 0)) {
        return fail_at(c, "name", "must be a non-empty name without slashes, got '%s'", cfg->name);
    }
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(root, "seed");
    if (seed != NULL && seed->valuedouble < 0) {
        return fail_at(c, "seed", "must be 0 or more");
    }
    cfg->seed = seed ? (uint64_t)seed->valuedouble : 0;
    if (st == FS_OK) {
        st = fill_dataset(cfg, cJSON_GetObjectItemCaseSensitive(root, "dataset"), c);
    }
    if (st == FS_OK) {
        st = fill_task(cfg, cJSON_GetObjectItemCaseSensitive(root, "task"), c);
    }
    if (st == FS_OK) {
        st = fill_targets(cfg, cJSON_GetObjectItemCaseSensitive(root, "targets"), c);
    }
    if (st == FS_OK) {
        st = fill_perturbations(cfg, cJSON_GetObjectItemCaseSensitive(root, "perturbations"), c);
    }
    if (st == FS_OK) {
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
        cJSON *empty = run ? NULL : cJSON_CreateObject();
        st = fill_run(cfg, run ? run : empty, c);
        cJSON_Delete(empty);
    }
    if (st == FS_OK) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "demographics");
        fs_params_init(&cfg->reference);
        st = d ? fill_demographics(cfg, d, c) : FS_OK;
    }
    if (st == FS_OK && cJSON_GetObjectItemCaseSensitive(root, "identification") != NULL) {
        st = fill_identification(cfg, cJSON_GetObjectItemCaseSensitive(root, "identification"), c);
    }
    if (st == FS_OK && cfg->task == FS_TASK_IDENTIFICATION) {
        cfg->identify = true;
    }
    if (st == FS_OK && c->protect != NULL) {
        st = strs_of(&cfg->protect, &cfg->n_protect, c->protect, false, "protect", c);
    }
    if (st == FS_OK && cfg->favourable == NULL && cfg->n_labels > 0) {
        st = dup_str(&cfg->favourable, cfg->labels[0], c);
    }
    if (st == FS_OK) {
        st = fill_gates(cfg, cJSON_GetObjectItemCaseSensitive(root, "gates"), c);
    }
    if (st == FS_OK) {
        st = fill_report(cfg, cJSON_GetObjectItemCaseSensitive(root, "report"), c);
    }
    return st;
}

fs_status fs_config_parse(fs_config **out, const char *text, size_t len, const char *path,
                          fs_error *err)
{
    cJSON *root = NULL;
    fs_config *cfg = NULL;
    *out = NULL;
    fs_status st = FS_OK;
    cfg = fs_calloc(1, sizeof *cfg);
    if (cfg == NULL || (cfg->path = fs_strdup(path)) == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        goto done;
    }
    st = fs_hash_sha256_hex(cfg->hash, text, len, err);
    if (st != FS_OK) {
        goto done;
    }
    st = fs_json__parse(&root, text, len, path, err);
    if (st != FS_OK) {
        goto done;
    }
    if (!cJSON_IsObject(root)) {
        st = FS_FAIL(err, FS_ERR_CONFIG, "%s:1: the config must be a JSON object", path);
        goto done;
    }
    {
        ctx c = { path, text, len, err, NULL };
        c.protect = cJSON_GetObjectItemCaseSensitive(root, "protect");
        st = fill_all(cfg, root, &c);
    }
done:
    cJSON_Delete(root);
    if (st != FS_OK) {
        fs_config_free(cfg);
        return st;
    }
    *out = cfg;
    return FS_OK;
}

fs_status fs_config_load(fs_config **out, const char *path, fs_error *err)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    fs_status st = fs_read_file(&text, &len, path, (size_t)16 << 20, err);
    if (st != FS_OK) {
        if (st == FS_ERR_IO && err != NULL) {
            err->code = FS_ERR_CONFIG;
        }
        return st == FS_ERR_IO ? FS_ERR_CONFIG : st;
    }
    st = fs_config_parse(out, text, len, path, err);
    fs_free(text);
    return st;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        fs_free(v[i]);
    }
    fs_free(v);
}

void fs_config_free(fs_config *c)
{
    if (c == NULL) {
        return;
    }
    fs_free(c->path);
    fs_free(c->name);
    fs_free(c->dataset_path);
    fs_free(c->field_input);
    fs_free(c->field_label);
    fs_free(c->field_group);
    fs_free(c->field_id);
    fs_free(c->field_context);
    fs_free(c->field_refs);
    fs_free(c->field_input2);
    free_strs(c->ref_paths, c->n_ref_paths);
    free_strs(c->labels, c->n_labels);
    fs_free(c->prompt);
    for (size_t i = 0; c->targets != NULL && i < c->n_targets; i++) {
        fs_free(c->targets[i].name);
        fs_free(c->targets[i].url);
        fs_free(c->targets[i].model);
        fs_free(c->targets[i].api_key_env);
        fs_free(c->targets[i].params_json);
        free_strs(c->targets[i].urls, c->targets[i].n_urls);
        fs_free(c->targets[i].body_template);
        free_strs(c->targets[i].headers, c->targets[i].n_headers);
        fs_free(c->targets[i].ok_statuses);
        fs_free(c->targets[i].answer_pointer);
        free_strs(c->targets[i].argv, c->targets[i].argc);
    }
    fs_free(c->targets);
    for (size_t i = 0; c->perturbations != NULL && i < c->n_perturbations; i++) {
        fs_free(c->perturbations[i].name);
        fs_free(c->perturbations[i].label);
        fs_params_dispose(&c->perturbations[i].params);
        free_strs(c->perturbations[i].protect, c->perturbations[i].n_protect);
    }
    fs_free(c->perturbations);
    fs_free(c->store);
    fs_free(c->cache);
    for (size_t i = 0; c->gates != NULL && i < c->n_gates; i++) {
        fs_free(c->gates[i].name);
        fs_free(c->gates[i].base);
        fs_free(c->gates[i].scope);
    }
    fs_free(c->gates);
    free_strs(c->axes, c->n_axes);
    fs_free(c->favourable);
    free_strs(c->id_categories, c->n_id_categories);
    fs_free(c->id_patterns);
    free_strs(c->protect, c->n_protect);
    fs_params_dispose(&c->reference);
    fs_free(c->report_dir);
    free_strs(c->formats, c->n_formats);
    fs_free(c);
}
