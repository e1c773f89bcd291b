/* Request bodies in, response bodies out, for the OpenAI-compatible endpoints of the
 * reference model server. Parsing keeps only what the model needs (the model name and
 * the prompt text) and turns every malformed body into FS_ERR_INPUT with a message the
 * server sends back with status 400. Bodies are built with fs_buf, whose failure is
 * sticky: callers check fs_buf_status() once. */
#include "refmodel/request.h"

#include <inttypes.h>
#include <string.h>

#include "core/json.h"

#define OWNER "fairshake"

void refmodel_request_init(refmodel_request *r)
{
    r->model = NULL;
    r->prompt = NULL;
    r->prompt_len = 0;
}

void refmodel_request_dispose(refmodel_request *r)
{
    if (r == NULL) {
        return;
    }
    fs_free(r->model);
    fs_free(r->prompt);
    refmodel_request_init(r);
}

/* Append the text of a chat message's content to out. */
static fs_status content_text(fs_buf *out, const cJSON *content, fs_error *err)
{
    if (cJSON_IsString(content)) {
        fs_buf_puts(out, content->valuestring);
        return FS_OK;
    }
    if (!cJSON_IsArray(content)) {
        return FS_FAIL(err, FS_ERR_INPUT, "messages: content must be a string or an array");
    }
    bool first = true;
    const cJSON *part = NULL;
    cJSON_ArrayForEach(part, content)
    {
        const char *type = fs_json__str(part, "type");
        const char *text = fs_json__str(part, "text");
        if (type == NULL || strcmp(type, "text") != 0) {
            continue;
        }
        if (text == NULL) {
            return FS_FAIL(err, FS_ERR_INPUT, "messages: text part without a string \"text\"");
        }
        if (!first) {
            fs_buf_putc(out, '\n');
        }
        fs_buf_puts(out, text);
        first = false;
    }
    return FS_OK;
}

static fs_status chat_prompt(fs_buf *out, const cJSON *body, fs_error *err)
{
    const cJSON *messages = cJSON_GetObjectItemCaseSensitive(body, "messages");
    const cJSON *last_user = NULL, *msg = NULL;
    if (!cJSON_IsArray(messages) || cJSON_GetArraySize(messages) == 0) {
        return FS_FAIL(err, FS_ERR_INPUT, "messages: missing or not a non-empty array");
    }
    cJSON_ArrayForEach(msg, messages)
    {
        const char *role = fs_json__str(msg, "role");
        if (role == NULL) {
            return FS_FAIL(err, FS_ERR_INPUT, "messages: every message needs a string \"role\"");
        }
        if (strcmp(role, "user") == 0) {
            last_user = msg;
        }
    }
    if (last_user == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "messages: no message with role \"user\"");
    }
    return content_text(out, cJSON_GetObjectItemCaseSensitive(last_user, "content"), err);
}

static fs_status completion_prompt(fs_buf *out, const cJSON *body, fs_error *err)
{
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(body, "prompt");
    if (cJSON_IsArray(prompt)) {
        if (cJSON_GetArraySize(prompt) != 1) {
            return FS_FAIL(err, FS_ERR_INPUT, "prompt: exactly one prompt per request is served");
        }
        prompt = cJSON_GetArrayItem(prompt, 0);
    }
    if (!cJSON_IsString(prompt)) {
        return FS_FAIL(err, FS_ERR_INPUT, "prompt: missing or not a string");
    }
    fs_buf_puts(out, prompt->valuestring);
    return FS_OK;
}

static fs_status check_members(const cJSON *body, fs_error *err)
{
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(body, "model");
    if (model != NULL && !cJSON_IsString(model)) {
        return FS_FAIL(err, FS_ERR_INPUT, "model: not a string");
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "stream"))) {
        return FS_FAIL(err, FS_ERR_INPUT, "stream: streaming responses are not supported");
    }
    return FS_OK;
}

fs_status refmodel_request_parse(refmodel_request *out, refmodel_api api, const char *body,
                                 size_t n, fs_error *err)
{
    cJSON *json = NULL;
    fs_buf prompt;
    char *model = NULL;
    fs_buf_init(&prompt, 0);
    fs_status st = fs_json__parse(&json, body, n, "request body", err);
    if (st == FS_OK && !cJSON_IsObject(json)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "request body: not a JSON object");
    }
    if (st == FS_OK) {
        st = check_members(json, err);
    }
    if (st == FS_OK) {
        st = api == REFMODEL_API_CHAT ? chat_prompt(&prompt, json, err)
                                      : completion_prompt(&prompt, json, err);
    }
    if (st == FS_OK && fs_buf_status(&prompt) != FS_OK) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK && !fs_text_valid_utf8(fs_buf_cstr(&prompt), prompt.len)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "prompt: not valid UTF-8");
    }
    const char *name = st == FS_OK ? fs_json__str(json, "model") : NULL;
    if (name != NULL && (model = fs_strdup(name)) == NULL) {
        st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    if (st == FS_OK) {
        out->model = model;
        model = NULL;
        out->prompt = fs_buf_take(&prompt, &out->prompt_len);
        if (out->prompt == NULL) {
            refmodel_request_dispose(out);
            st = FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
        }
    }
    fs_free(model);
    fs_buf_dispose(&prompt);
    cJSON_Delete(json);
    return st;
}

static bool ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool line_starts(const char *s, size_t n, size_t at, const char *prefix)
{
    size_t k = strlen(prefix);
    return n - at >= k && memcmp(s + at, prefix, k) == 0;
}

fs_str refmodel_input_text(const char *prompt, size_t n)
{
    size_t start = 0, end = n;
    bool in_text = false;
    for (size_t line = 0; line < n;) {
        const char *nl = memchr(prompt + line, '\n', n - line);
        size_t next = nl != NULL ? (size_t)(nl - prompt) + 1 : n;
        if (!in_text && line_starts(prompt, n, line, "Text:")) {
            in_text = true;
            start = line + strlen("Text:");
        } else if (in_text && line_starts(prompt, n, line, "Answer:")) {
            end = line;
            break;
        }
        line = next;
    }
    while (start < end && ascii_space(prompt[start])) {
        start++;
    }
    while (end > start && ascii_space(prompt[end - 1])) {
        end--;
    }
    fs_str out = { prompt + start, end - start };
    return out;
}

void refmodel_response_json(fs_buf *out, refmodel_api api, uint64_t seq, int64_t created,
                            const char *model, const char *answer, size_t prompt_tokens,
                            size_t completion_tokens)
{
    bool chat = api == REFMODEL_API_CHAT;
    fs_buf_printf(out, "{\"id\":\"%s-%" PRIu64 "\",\"object\":\"%s\",\"created\":%" PRId64,
                  chat ? "chatcmpl" : "cmpl", seq, chat ? "chat.completion" : "text_completion",
                  created);
    fs_buf_puts(out, ",\"model\":");
    fs_buf_put_json_string(out, model, strlen(model));
    fs_buf_puts(out, ",\"choices\":[{\"index\":0,");
    if (chat) {
        fs_buf_puts(out, "\"message\":{\"role\":\"assistant\",\"content\":");
        fs_buf_put_json_string(out, answer, strlen(answer));
        fs_buf_putc(out, '}');
    } else {
        fs_buf_puts(out, "\"text\":");
        fs_buf_put_json_string(out, answer, strlen(answer));
    }
    fs_buf_printf(
        out,
        ",\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":%zu,"
        "\"completion_tokens\":%zu,\"total_tokens\":%zu}}",
        prompt_tokens, completion_tokens, prompt_tokens + completion_tokens);
}

void refmodel_error_json(fs_buf *out, const char *message, const char *type, const char *code)
{
    fs_buf_puts(out, "{\"error\":{\"message\":");
    fs_buf_put_json_string(out, message, strlen(message));
    fs_buf_puts(out, ",\"type\":");
    fs_buf_put_json_string(out, type, strlen(type));
    fs_buf_puts(out, ",\"param\":null,\"code\":");
    if (code != NULL) {
        fs_buf_put_json_string(out, code, strlen(code));
    } else {
        fs_buf_puts(out, "null");
    }
    fs_buf_puts(out, "}}");
}

void refmodel_model_json(fs_buf *out, const char *model, int64_t created)
{
    fs_buf_puts(out, "{\"id\":");
    fs_buf_put_json_string(out, model, strlen(model));
    fs_buf_printf(out, ",\"object\":\"model\",\"created\":%" PRId64 ",\"owned_by\":\"%s\"}",
                  created, OWNER);
}

void refmodel_models_json(fs_buf *out, const char *model, int64_t created)
{
    fs_buf_puts(out, "{\"object\":\"list\",\"data\":[");
    refmodel_model_json(out, model, created);
    fs_buf_puts(out, "]}");
}
