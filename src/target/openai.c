/* OpenAI-compatible targets: request bodies, target identity and response parsing for
 * "openai-chat" (/v1/chat/completions) and "openai-completions" (/v1/completions).
 * Bodies are written by hand, not by cJSON's printer, so that the key order is fixed
 * (model, messages or prompt, then the user's params in their given order) and numbers
 * use the locale-free formatter: the same spec and prompt give the same bytes, which the
 * response cache relies on. The identity sorts params keys so that reordering them in a
 * config does not invalidate the cache. */
#include "fairshake/target.h"

#include "core/json.h"
#include "target/internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = { "openai-chat", "openai-completions" };

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
    const char *own = spec->type == FS_TARGET_OPENAI_CHAT ? "messages" : "prompt";
    if (!cJSON_IsObject(p)) {
        st = FS_FAIL(err, FS_ERR_CONFIG, "params: must be a JSON object");
        goto done;
    }
    for (const cJSON *c = p->child; c != NULL; c = c->next) {
        if (strcmp(c->string, "model") == 0 || strcmp(c->string, own) == 0) {
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
    if (spec == NULL || spec->url == NULL || spec->url[0] == '\0') {
        return FS_FAIL(err, FS_ERR_CONFIG, "target: url is missing");
    }
    if (spec->type != FS_TARGET_OPENAI_CHAT && spec->type != FS_TARGET_OPENAI_COMPLETIONS) {
        return FS_FAIL(err, FS_ERR_CONFIG, "target: unknown type %d", (int)spec->type);
    }
    return FS_OK;
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

fs_status fs_target_build_body(fs_buf *out, const fs_target_spec *spec, const char *prompt,
                               size_t n, fs_error *err)
{
    cJSON *params = NULL;
    size_t start = out->len;
    fs_status st = check_spec(spec, err);
    if (st != FS_OK) {
        return st;
    }
    if (!fs_text_valid_utf8(prompt != NULL ? prompt : "", prompt != NULL ? n : 0)) {
        return FS_FAIL(err, FS_ERR_INPUT, "request body: prompt is not valid UTF-8");
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
    if (spec->type == FS_TARGET_OPENAI_CHAT) {
        fs_buf_puts(out, "\"messages\":[{\"role\":\"user\",\"content\":");
        fs_buf_put_json_string(out, prompt != NULL ? prompt : "", prompt != NULL ? n : 0);
        fs_buf_puts(out, "}]");
    } else {
        fs_buf_puts(out, "\"prompt\":");
        fs_buf_put_json_string(out, prompt != NULL ? prompt : "", prompt != NULL ? n : 0);
    }
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
    fs_buf_printf(out, "%s|%s|%s|", fs_target_type_name(spec->type), spec->url,
                  spec->model != NULL ? spec->model : "");
    if (params != NULL) {
        put_value(out, params, true);
    } else {
        fs_buf_puts(out, "{}");
    }
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

/* The answer node of choices[0], or NULL (with *path set) when the path is missing. */
static const cJSON *answer_node(const cJSON *root, fs_target_type type, const char **path)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    const cJSON *first = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    if (type == FS_TARGET_OPENAI_CHAT) {
        *path = "choices[0].message.content";
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(first, "message");
        return cJSON_GetObjectItemCaseSensitive(msg, "content");
    }
    *path = "choices[0].text";
    return cJSON_GetObjectItemCaseSensitive(first, "text");
}

static fs_status extract_answer(fs_target_answer *out, const cJSON *root, fs_target_type type,
                                fs_error *err)
{
    const char *path = NULL;
    const cJSON *node = answer_node(root, type, &path);
    if (node == NULL) {
        char msg[160];
        if (fs_target__error_message(msg, sizeof msg, root)) {
            return FS_FAIL(err, FS_ERR_TARGET, "response has no %s (error: %s)", path, msg);
        }
        return FS_FAIL(err, FS_ERR_TARGET, "response has no %s", path);
    }
    if (!cJSON_IsString(node)) {
        return FS_FAIL(err, FS_ERR_TARGET, "response %s is not a string", path);
    }
    out->text = fs_strdup(node->valuestring);
    if (out->text == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    out->prompt_tokens = usage_count(root, "prompt_tokens");
    out->completion_tokens = usage_count(root, "completion_tokens");
    return FS_OK;
}

fs_status fs_target_parse_response(fs_target_answer *out, const fs_target_spec *spec,
                                   const char *body, size_t n, fs_error *err)
{
    cJSON *root = NULL;
    out->text = NULL;
    out->prompt_tokens = -1;
    out->completion_tokens = -1;
    if (body == NULL || fs_json__parse(&root, body, n, "response", NULL) != FS_OK) {
        return FS_FAIL(err, FS_ERR_TARGET, "response is not valid JSON");
    }
    fs_status st = FS_OK;
    if (!cJSON_IsObject(root)) {
        st = FS_FAIL(err, FS_ERR_TARGET, "response is not a JSON object");
    } else {
        st = extract_answer(out, root, spec->type, err);
    }
    cJSON_Delete(root);
    return st;
}

void fs_target_answer_dispose(fs_target_answer *a)
{
    if (a == NULL) {
        return;
    }
    fs_free(a->text);
    a->text = NULL;
    a->prompt_tokens = -1;
    a->completion_tokens = -1;
}
