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

#define MAX_TOKENS_LIMIT INT32_MAX
#define LEAD_K_LIMIT     100000

void refmodel_request_init(refmodel_request *r)
{
    r->model = NULL;
    r->prompt = NULL;
    r->prompt_len = 0;
    r->max_tokens = -1;
    r->logprobs = -1;
    r->echo = false;
    r->lead_k = -1;
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

/* An optional integer member: *out is -1 when it is absent or null. */
static fs_status int_member(int64_t *out, const cJSON *body, const char *key, int64_t min,
                            int64_t max, fs_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
    *out = -1;
    if (v == NULL || cJSON_IsNull(v)) {
        return FS_OK;
    }
    double d = cJSON_IsNumber(v) ? v->valuedouble : -1.0;
    if (!cJSON_IsNumber(v) || d != (double)(int64_t)d || d < (double)min || d > (double)max) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: must be an integer between %lld and %lld", key,
                       (long long)min, (long long)max);
    }
    *out = (int64_t)d;
    return FS_OK;
}

/* The generation options: max_tokens, lead_k, and on /v1/completions logprobs and echo. */
static fs_status parse_options(refmodel_request *r, refmodel_api api, const cJSON *body,
                               fs_error *err)
{
    fs_status st = int_member(&r->max_tokens, body, "max_tokens", 0, MAX_TOKENS_LIMIT, err);
    if (st == FS_OK && r->max_tokens < 0 && api == REFMODEL_API_CHAT) {
        st = int_member(&r->max_tokens, body, "max_completion_tokens", 0, MAX_TOKENS_LIMIT, err);
    }
    if (st == FS_OK) {
        st = int_member(&r->lead_k, body, "lead_k", 1, LEAD_K_LIMIT, err);
    }
    if (st != FS_OK || api == REFMODEL_API_CHAT) {
        return st;
    }
    st = int_member(&r->logprobs, body, "logprobs", 0, REFMODEL_LOGPROBS_MAX, err);
    const cJSON *echo = cJSON_GetObjectItemCaseSensitive(body, "echo");
    if (st == FS_OK && echo != NULL && !cJSON_IsNull(echo) && !cJSON_IsBool(echo)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "echo: must be true or false");
    }
    r->echo = cJSON_IsTrue(echo);
    return st;
}

fs_status refmodel_request_parse(refmodel_request *out, refmodel_api api, const char *body,
                                 size_t n, fs_error *err)
{
    cJSON *json = NULL;
    fs_buf prompt;
    char *model = NULL;
    refmodel_request opts;
    refmodel_request_init(&opts);
    fs_buf_init(&prompt, 0);
    fs_status st = fs_json__parse(&json, body, n, "request body", err);
    if (st == FS_OK && !cJSON_IsObject(json)) {
        st = FS_FAIL(err, FS_ERR_INPUT, "request body: not a JSON object");
    }
    if (st == FS_OK) {
        st = check_members(json, err);
    }
    if (st == FS_OK) {
        st = parse_options(&opts, api, json, err);
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
        *out = opts;
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

static fs_str trim(const char *s, size_t start, size_t end)
{
    while (start < end && ascii_space(s[start])) {
        start++;
    }
    while (end > start && ascii_space(s[end - 1])) {
        end--;
    }
    fs_str out = { s + start, end - start };
    return out;
}

/* Length of the marker of markers that the line at `at` begins with, or 0. */
static size_t marker_at(const char *s, size_t n, size_t at, const char *const *markers)
{
    for (size_t i = 0; markers[i] != NULL; i++) {
        if (line_starts(s, n, at, markers[i])) {
            return strlen(markers[i]);
        }
    }
    return 0;
}

fs_str refmodel_section(const char *prompt, size_t n, const char *const *starts,
                        const char *const *ends, bool *found)
{
    size_t start = 0, end = n;
    bool in_section = false;
    for (size_t line = 0; line < n;) {
        const char *nl = memchr(prompt + line, '\n', n - line);
        size_t next = nl != NULL ? (size_t)(nl - prompt) + 1 : n;
        size_t k = in_section ? 0 : marker_at(prompt, n, line, starts);
        if (k > 0) {
            in_section = true;
            start = line + k;
        } else if (in_section && marker_at(prompt, n, line, ends) > 0) {
            end = line;
            break;
        }
        line = next;
    }
    if (found != NULL) {
        *found = in_section;
    }
    if (!in_section) {
        fs_str none = { prompt, 0 };
        return none;
    }
    return trim(prompt, start, end);
}

fs_str refmodel_input_text(const char *prompt, size_t n)
{
    static const char *const starts[] = { "Text:", NULL };
    static const char *const ends[] = { "Answer:", NULL };
    bool found = false;
    fs_str out = refmodel_section(prompt, n, starts, ends, &found);
    return found ? out : trim(prompt, 0, n);
}

void refmodel_response_open(fs_buf *out, refmodel_api api, uint64_t seq, int64_t created,
                            const char *model)
{
    bool chat = api == REFMODEL_API_CHAT;
    fs_buf_printf(out, "{\"id\":\"%s-%" PRIu64 "\",\"object\":\"%s\",\"created\":%" PRId64,
                  chat ? "chatcmpl" : "cmpl", seq, chat ? "chat.completion" : "text_completion",
                  created);
    fs_buf_puts(out, ",\"model\":");
    fs_buf_put_json_string(out, model, strlen(model));
    fs_buf_puts(out, ",\"choices\":[{\"index\":0,");
}

void refmodel_response_close(fs_buf *out, const char *finish_reason, size_t prompt_tokens,
                             size_t completion_tokens)
{
    fs_buf_printf(out,
                  "\"finish_reason\":\"%s\"}],\"usage\":{\"prompt_tokens\":%zu,"
                  "\"completion_tokens\":%zu,\"total_tokens\":%zu}}",
                  finish_reason, prompt_tokens, completion_tokens,
                  prompt_tokens + completion_tokens);
}

void refmodel_response_json(fs_buf *out, refmodel_api api, uint64_t seq, int64_t created,
                            const char *model, const char *answer, size_t prompt_tokens,
                            size_t completion_tokens)
{
    refmodel_response_open(out, api, seq, created, model);
    if (api == REFMODEL_API_CHAT) {
        fs_buf_puts(out, "\"message\":{\"role\":\"assistant\",\"content\":");
        fs_buf_put_json_string(out, answer, strlen(answer));
        fs_buf_putc(out, '}');
    } else {
        fs_buf_puts(out, "\"text\":");
        fs_buf_put_json_string(out, answer, strlen(answer));
    }
    fs_buf_puts(out, ",\"logprobs\":null,");
    refmodel_response_close(out, "stop", prompt_tokens, completion_tokens);
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

void refmodel_models_json(fs_buf *out, const char *const *models, size_t n, int64_t created)
{
    fs_buf_puts(out, "{\"object\":\"list\",\"data\":[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            fs_buf_putc(out, ',');
        }
        refmodel_model_json(out, models[i], created);
    }
    fs_buf_puts(out, "]}");
}
