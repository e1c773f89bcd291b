/* Request bodies, target identity and response parsing for every target type:
 * "openai-chat" (/v1/chat/completions), "openai-completions" (/v1/completions, with
 * logprobs and echo when asked), "rest" (a body template, the answer by JSON Pointer)
 * and "exec" (one JSON line per request to a local program). Bodies are written by
 * hand, not by cJSON's printer, so that the key order is fixed (model, messages or
 * prompt, logprobs/echo, then the user's params in their given order) and numbers use
 * the locale-free formatter: the same spec and prompt give the same bytes, which the
 * response cache relies on. The identity sorts params keys so that reordering them in a
 * config does not invalidate the cache. */
#include "fairshake/target.h"

#include "core/json.h"
#include "target/internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = { "openai-chat", "openai-completions", "rest", "exec" };

bool fs_target_type_parse(const char *name, fs_target_type *out)
{
    for (size_t i = 0; name != NULL && i < sizeof type_names / sizeof type_names[0]; i++) {
        if (strcmp(name, type_names[i]) == 0) {
            *out = (fs_target_type)i;
            return true;
        }
    }
    return false;
}

const char *fs_target_type_name(fs_target_type t)
{
    if ((int)t < 0 || (size_t)t >= sizeof type_names / sizeof type_names[0]) {
        return "unknown";
    }
    return type_names[t];
}

static void put_value(fs_buf *out, const cJSON *v, bool sorted);

static int cmp_members(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

static void put_object(fs_buf *out, const cJSON *obj, bool sorted)
{
    size_t n = 0;
    for (const cJSON *c = obj->child; c != NULL; c = c->next) {
        n++;
    }
    const cJSON **members = fs_calloc(n, sizeof *members);
    if (members == NULL) {
        out->status = FS_ERR_NOMEM;
        return;
    }
    n = 0;
    for (const cJSON *c = obj->child; c != NULL; c = c->next) {
        members[n++] = c;
    }
    if (sorted) {
        /* Duplicate keys are rejected before identities are built, so ties never occur. */
        qsort(members, n, sizeof *members, cmp_members);
    }
    fs_buf_putc(out, '{');
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            fs_buf_putc(out, ',');
        }
        fs_buf_put_json_string(out, members[i]->string, strlen(members[i]->string));
        fs_buf_putc(out, ':');
        put_value(out, members[i], sorted);
    }
    fs_buf_putc(out, '}');
    fs_free(members);
}

static void put_value(fs_buf *out, const cJSON *v, bool sorted)
{
    if (cJSON_IsString(v)) {
        fs_buf_put_json_string(out, v->valuestring, strlen(v->valuestring));
    } else if (cJSON_IsNumber(v)) {
        fs_buf_put_double(out, v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        fs_buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsArray(v)) {
        fs_buf_putc(out, '[');
        for (const cJSON *c = v->child; c != NULL; c = c->next) {
            put_value(out, c, sorted);
            if (c->next != NULL) {
                fs_buf_putc(out, ',');
            }
        }
        fs_buf_putc(out, ']');
    } else if (cJSON_IsObject(v)) {
        put_object(out, v, sorted);
    } else {
        fs_buf_puts(out, "null");
    }
}

/* Parse params_json (NULL: no params) into an object without duplicate keys, whose keys
 * do not collide with the fields the target type sets itself. */
static fs_status parse_params(cJSON **out, const fs_target_spec *spec, fs_error *err)
{
    *out = NULL;
    if (spec->params_json == NULL) {
        return FS_OK;
    }
    cJSON *p = NULL;
    fs_error perr;
    fs_status st =
        fs_json__parse(&p, spec->params_json, strlen(spec->params_json), "params", &perr);
    if (st != FS_OK) {
        return FS_FAIL(err, FS_ERR_CONFIG, "%s", perr.msg);
    }
    const char *own = spec->type == FS_TARGET_OPENAI_CHAT ? "messages"
                      : spec->type == FS_TARGET_EXEC      ? "input"
                                                          : "prompt";
    if (!cJSON_IsObject(p)) {
        st = FS_FAIL(err, FS_ERR_CONFIG, "params: must be a JSON object");
        goto done;
    }
    for (const cJSON *c = p->child; c != NULL; c = c->next) {
        if (strcmp(c->string, "model") == 0 || strcmp(c->string, own) == 0 ||
            (spec->type == FS_TARGET_EXEC && strcmp(c->string, "id") == 0) ||
            (spec->logprobs && strcmp(c->string, "logprobs") == 0) ||
            (spec->echo && strcmp(c->string, "echo") == 0)) {
            st = FS_FAIL(err, FS_ERR_CONFIG, "params: '%s' is set by the %s target itself",
                         c->string, fs_target_type_name(spec->type));
            goto done;
        }
        for (const cJSON *d = c->next; d != NULL; d = d->next) {
            if (strcmp(c->string, d->string) == 0) {
                st = FS_FAIL(err, FS_ERR_CONFIG, "params: duplicate key '%s'", c->string);
                goto done;
            }
        }
    }
done:
    if (st != FS_OK) {
        cJSON_Delete(p);
        return st;
    }
    *out = p;
    return FS_OK;
}

static fs_status check_spec(const fs_target_spec *spec, fs_error *err)
{
    if (spec == NULL || (int)spec->type < 0 || spec->type > FS_TARGET_EXEC) {
        return FS_FAIL(err, FS_ERR_CONFIG, "target: unknown type %d",
                       spec != NULL ? (int)spec->type : -1);
    }
    const char *name = spec->name != NULL ? spec->name : "";
    bool has_url = (spec->url != NULL && spec->url[0] != '\0') || spec->n_urls > 0;
    if (spec->type != FS_TARGET_EXEC && !has_url) {
        return FS_FAIL(err, FS_ERR_CONFIG, "target: url is missing");
    }
    for (size_t i = 0; i < spec->n_urls; i++) {
        if (spec->urls[i] == NULL || spec->urls[i][0] == '\0') {
            return FS_FAIL(err, FS_ERR_CONFIG, "target '%s': urls[%zu] is empty", name, i);
        }
    }
    if (spec->type == FS_TARGET_REST && spec->params_json != NULL) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "target '%s': a rest target takes its fields from body_template, not "
                       "params",
                       name);
    }
    if (spec->type == FS_TARGET_REST && spec->body_template == NULL) {
        return FS_FAIL(err, FS_ERR_CONFIG, "target '%s': a rest target needs a body_template",
                       name);
    }
    if (spec->type == FS_TARGET_EXEC && (spec->argc == 0 || spec->argv == NULL ||
                                         spec->argv[0] == NULL || spec->argv[0][0] == '\0')) {
        return FS_FAIL(err, FS_ERR_CONFIG, "target '%s': an exec target needs a command (argv)",
                       name);
    }
    if (spec->type == FS_TARGET_EXEC && (spec->processes < 0 || spec->processes > 64)) {
        return FS_FAIL(err, FS_ERR_CONFIG, "target '%s': processes must be in 0..64 (got %d)", name,
                       spec->processes);
    }
    const char *ptr = fs_target__answer_pointer(spec);
    if ((spec->type == FS_TARGET_REST || spec->type == FS_TARGET_EXEC) &&
        !fs_target__pointer_valid(ptr)) {
        return FS_FAIL(err, FS_ERR_CONFIG,
                       "target '%s': answer_pointer '%s' is not a JSON Pointer (RFC 6901: "
                       "\"\" or \"/a/0/b\", escapes ~0 and ~1)",
                       name, ptr != NULL ? ptr : "");
    }
    return FS_OK;
}

static fs_status check_headers(const fs_target_spec *spec, fs_error *err)
{
    for (size_t i = 0; i < spec->n_headers; i++) {
        const char *h = spec->headers[i];
        const char *colon = h != NULL ? strchr(h, ':') : NULL;
        if (colon == NULL || colon == h || strpbrk(h, "\r\n") != NULL) {
            return FS_FAIL(err, FS_ERR_CONFIG,
                           "target '%s': headers[%zu] must look like \"Name: value\"",
                           spec->name != NULL ? spec->name : "", i);
        }
    }
    return FS_OK;
}

fs_status fs_target_check(const fs_target_spec *spec, fs_error *err)
{
    fs_status st = check_spec(spec, err);
    if (st == FS_OK) {
        st = check_headers(spec, err);
    }
    cJSON *params = NULL;
    if (st == FS_OK) {
        st = parse_params(&params, spec, err);
        cJSON_Delete(params);
    }
    if (st != FS_OK || spec->type != FS_TARGET_REST) {
        return st;
    }
    fs_buf b = FS_BUF_INIT;
    cJSON *root = NULL;
    st = fs_target__render_template(&b, spec->body_template, "a \"quoted\"\ninput", 16, spec->model,
                                    err);
    if (st == FS_OK && fs_buf_status(&b) != FS_OK) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK &&
        fs_json__parse(&root, fs_buf_cstr(&b), b.len, "body_template", NULL) != FS_OK) {
        st = FS_FAIL(err, FS_ERR_CONFIG,
                     "target '%s': body_template does not give valid JSON once its "
                     "placeholders are filled",
                     spec->name != NULL ? spec->name : "");
    }
    cJSON_Delete(root);
    fs_buf_dispose(&b);
    return st;
}

static fs_status finish_buf(fs_buf *out, size_t start, fs_error *err)
{
    fs_status st = fs_buf_status(out);
    if (st == FS_OK) {
        return FS_OK;
    }
    out->len = start;
    if (out->data != NULL && start < out->cap) {
        out->data[start] = '\0';
    }
    return FS_FAIL(err, st, "request body: %s", fs_status_text(st));
}

static void put_openai_fields(fs_buf *out, const fs_target_spec *spec, const char *prompt, size_t n)
{
    if (spec->type == FS_TARGET_OPENAI_CHAT) {
        fs_buf_puts(out, "\"messages\":[{\"role\":\"user\",\"content\":");
        fs_buf_put_json_string(out, prompt, n);
        fs_buf_puts(out, "}]");
        return;
    }
    fs_buf_puts(out, spec->type == FS_TARGET_EXEC ? "\"input\":" : "\"prompt\":");
    fs_buf_put_json_string(out, prompt, n);
    if (spec->type == FS_TARGET_OPENAI_COMPLETIONS && spec->logprobs) {
        fs_buf_printf(out, ",\"logprobs\":%d", spec->top_logprobs > 0 ? spec->top_logprobs : 0);
    }
    if (spec->type == FS_TARGET_OPENAI_COMPLETIONS && spec->echo) {
        fs_buf_puts(out, ",\"echo\":true");
    }
}

fs_status fs_target_build_body(fs_buf *out, const fs_target_spec *spec, const char *prompt,
                               size_t n, fs_error *err)
{
    cJSON *params = NULL;
    size_t start = out->len;
    fs_status st = check_spec(spec, err);
    if (st != FS_OK) {
        return st;
    }
    if (prompt == NULL) {
        prompt = "";
        n = 0;
    }
    if (!fs_text_valid_utf8(prompt, n)) {
        return FS_FAIL(err, FS_ERR_INPUT, "request body: prompt is not valid UTF-8");
    }
    if (spec->type == FS_TARGET_REST) {
        st = fs_target__render_template(out, spec->body_template, prompt, n, spec->model, err);
        return st != FS_OK ? st : finish_buf(out, start, err);
    }
    st = parse_params(&params, spec, err);
    if (st != FS_OK) {
        return st;
    }
    fs_buf_putc(out, '{');
    if (spec->model != NULL) {
        fs_buf_puts(out, "\"model\":");
        fs_buf_put_json_string(out, spec->model, strlen(spec->model));
        fs_buf_putc(out, ',');
    }
    put_openai_fields(out, spec, prompt, n);
    for (const cJSON *c = params != NULL ? params->child : NULL; c != NULL; c = c->next) {
        fs_buf_putc(out, ',');
        fs_buf_put_json_string(out, c->string, strlen(c->string));
        fs_buf_putc(out, ':');
        put_value(out, c, false);
    }
    fs_buf_putc(out, '}');
    cJSON_Delete(params);
    return finish_buf(out, start, err);
}

/* The parts of the identity beyond type|url|model|params that a type has. */
static void put_identity_extra(fs_buf *out, const fs_target_spec *spec)
{
    if (spec->type == FS_TARGET_OPENAI_COMPLETIONS && spec->logprobs) {
        fs_buf_printf(out, "|logprobs=%d", spec->top_logprobs > 0 ? spec->top_logprobs : 0);
    }
    if (spec->type == FS_TARGET_OPENAI_COMPLETIONS && spec->echo) {
        fs_buf_puts(out, "|echo");
    }
    if (spec->type == FS_TARGET_REST) {
        fs_buf_printf(out, "|%s|", spec->body_template);
        for (size_t i = 0; i < spec->n_headers; i++) {
            fs_buf_printf(out, "%s\x1f", spec->headers[i]); /* unexpanded: no secrets */
        }
        for (size_t i = 0; i < spec->n_ok_statuses; i++) {
            fs_buf_printf(out, "%d,", spec->ok_statuses[i]);
        }
    }
    if (spec->type == FS_TARGET_EXEC) {
        fs_buf_putc(out, '|');
        for (size_t i = 0; i < spec->argc; i++) {
            fs_buf_printf(out, "%s\x1f", spec->argv[i]);
        }
    }
    if (spec->type == FS_TARGET_REST || spec->type == FS_TARGET_EXEC) {
        fs_buf_printf(out, "|%s", fs_target__answer_pointer(spec));
    }
}

fs_status fs_target_identity(fs_buf *out, const fs_target_spec *spec, fs_error *err)
{
    cJSON *params = NULL;
    size_t start = out->len;
    fs_status st = check_spec(spec, err);
    if (st != FS_OK) {
        return st;
    }
    st = parse_params(&params, spec, err);
    if (st != FS_OK) {
        return st;
    }
    const char *url = spec->url != NULL ? spec->url : spec->n_urls > 0 ? spec->urls[0] : "";
    fs_buf_printf(out, "%s|%s|%s|", fs_target_type_name(spec->type), url,
                  spec->model != NULL ? spec->model : "");
    if (params != NULL) {
        put_value(out, params, true);
    } else {
        fs_buf_puts(out, "{}");
    }
    put_identity_extra(out, spec);
    cJSON_Delete(params);
    return finish_buf(out, start, err);
}

static int64_t usage_count(const cJSON *root, const char *key)
{
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(usage, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9.0e15) {
        return -1;
    }
    return (int64_t)v->valuedouble;
}

/* The answer node, or NULL (with *path set) when the path is missing. */
static const cJSON *answer_node(const cJSON *root, const fs_target_spec *spec, const char **path)
{
    if (spec->type == FS_TARGET_REST || spec->type == FS_TARGET_EXEC) {
        *path = fs_target__answer_pointer(spec);
        return fs_target__pointer_get(root, *path);
    }
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    const cJSON *first = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    if (spec->type == FS_TARGET_OPENAI_CHAT) {
        *path = "choices[0].message.content";
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(first, "message");
        return cJSON_GetObjectItemCaseSensitive(msg, "content");
    }
    *path = "choices[0].text";
    return cJSON_GetObjectItemCaseSensitive(first, "text");
}

/* The text of a rest/exec answer node: strings as they are, numbers and booleans as
 * JSON, objects and arrays printed compactly. NULL for null. */
static char *node_text(const cJSON *node)
{
    char num[40];
    if (cJSON_IsString(node)) {
        return fs_strdup(node->valuestring);
    }
    if (cJSON_IsNumber(node)) {
        fs_fmt_double(num, sizeof num, node->valuedouble);
        return fs_strdup(num);
    }
    if (cJSON_IsBool(node)) {
        return fs_strdup(cJSON_IsTrue(node) ? "true" : "false");
    }
    if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
        char *printed = fs_json__print(node, false);
        char *copy = printed != NULL ? fs_strdup(printed) : NULL;
        fs_json__free(printed);
        return copy;
    }
    return NULL;
}

/* choices[0].logprobs.token_logprobs: numbers kept, null entries (the first token of an
 * echoed prompt has no log-probability) skipped. */
static fs_status extract_logprobs(fs_target_answer *out, const cJSON *root, fs_error *err)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    const cJSON *first = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    const cJSON *lp = cJSON_GetObjectItemCaseSensitive(first, "logprobs");
    const cJSON *tl = cJSON_GetObjectItemCaseSensitive(lp, "token_logprobs");
    if (!cJSON_IsArray(tl)) {
        return FS_OK;
    }
    int n = cJSON_GetArraySize(tl);
    out->logprobs = fs_calloc(n > 0 ? (size_t)n : 1, sizeof *out->logprobs);
    if (out->logprobs == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    for (const cJSON *c = tl->child; c != NULL; c = c->next) {
        if (cJSON_IsNumber(c)) {
            out->logprobs[out->n_logprobs++] = c->valuedouble;
        } else if (!cJSON_IsNull(c)) {
            return FS_FAIL(err, FS_ERR_TARGET,
                           "response choices[0].logprobs.token_logprobs holds a non-number");
        }
    }
    return FS_OK;
}

static fs_status extract_answer(fs_target_answer *out, const cJSON *root,
                                const fs_target_spec *spec, fs_error *err)
{
    const char *path = NULL;
    const cJSON *node = answer_node(root, spec, &path);
    bool generic = spec->type == FS_TARGET_REST || spec->type == FS_TARGET_EXEC;
    if (node == NULL || (generic && cJSON_IsNull(node))) {
        char msg[160];
        if (fs_target__error_message(msg, sizeof msg, root)) {
            return FS_FAIL(err, FS_ERR_TARGET, "response has no %s (error: %s)", path, msg);
        }
        return FS_FAIL(err, FS_ERR_TARGET, "response has no %s", path);
    }
    if (!generic && !cJSON_IsString(node)) {
        return FS_FAIL(err, FS_ERR_TARGET, "response %s is not a string", path);
    }
    out->text = generic ? node_text(node) : fs_strdup(node->valuestring);
    if (out->text == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    out->prompt_tokens = usage_count(root, "prompt_tokens");
    out->completion_tokens = usage_count(root, "completion_tokens");
    if (spec->type == FS_TARGET_OPENAI_COMPLETIONS) {
        return extract_logprobs(out, root, err);
    }
    return FS_OK;
}

fs_status fs_target_parse_response(fs_target_answer *out, const fs_target_spec *spec,
                                   const char *body, size_t n, fs_error *err)
{
    cJSON *root = NULL;
    memset(out, 0, sizeof *out);
    out->prompt_tokens = -1;
    out->completion_tokens = -1;
    if (body == NULL || fs_json__parse(&root, body, n, "response", NULL) != FS_OK) {
        return FS_FAIL(err, FS_ERR_TARGET, "response is not valid JSON");
    }
    fs_status st = FS_OK;
    if (!cJSON_IsObject(root)) {
        st = FS_FAIL(err, FS_ERR_TARGET, "response is not a JSON object");
    } else {
        st = extract_answer(out, root, spec, err);
    }
    cJSON_Delete(root);
    if (st != FS_OK) {
        fs_target_answer_dispose(out);
    }
    return st;
}

void fs_target_answer_dispose(fs_target_answer *a)
{
    if (a == NULL) {
        return;
    }
    fs_free(a->text);
    fs_free(a->logprobs);
    a->text = NULL;
    a->logprobs = NULL;
    a->n_logprobs = 0;
    a->prompt_tokens = -1;
    a->completion_tokens = -1;
}
