/* Pieces of the rest and exec targets: RFC 6901 JSON Pointers to the answer, the body
 * template of a rest target and the ${VAR} expansion of its headers. A template is JSON
 * with {{input}} and {{model}} placeholders; a placeholder inside a string literal is
 * replaced by the JSON-escaped text without quotes, one outside a string by a whole JSON
 * string, so any input yields valid JSON. Header values are expanded from the
 * environment once per dispatch and never reach a log, an error message or the store. */
#include "target/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX 512

bool fs_target__pointer_valid(const char *pointer)
{
    if (pointer == NULL) {
        return false;
    }
    if (pointer[0] != '\0' && pointer[0] != '/') {
        return false;
    }
    for (const char *p = pointer; *p != '\0'; p++) {
        if (*p == '~' && p[1] != '0' && p[1] != '1') {
            return false;
        }
    }
    return true;
}

/* Decode the reference token at *p (after its '/') into tok[TOKEN_MAX]; advances *p.
 * false when it is too long. */
static bool next_token(const char **p, char *tok)
{
    size_t n = 0;
    const char *s = *p;
    for (; *s != '\0' && *s != '/'; s++) {
        char c = *s;
        if (c == '~') {
            c = s[1] == '0' ? '~' : '/';
            s++;
        }
        if (n + 1 >= TOKEN_MAX) {
            return false;
        }
        tok[n++] = c;
    }
    tok[n] = '\0';
    *p = s;
    return true;
}

static const cJSON *array_item(const cJSON *arr, const char *tok)
{
    size_t n = strlen(tok);
    if (n == 0 || n > 9 || (n > 1 && tok[0] == '0')) {
        return NULL;
    }
    int idx = 0;
    for (size_t i = 0; i < n; i++) {
        if (tok[i] < '0' || tok[i] > '9') {
            return NULL;
        }
        idx = idx * 10 + (tok[i] - '0');
    }
    return cJSON_GetArrayItem(arr, idx);
}

const cJSON *fs_target__pointer_get(const cJSON *root, const char *pointer)
{
    char tok[TOKEN_MAX];
    if (!fs_target__pointer_valid(pointer)) {
        return NULL;
    }
    const cJSON *cur = root;
    const char *p = pointer;
    while (cur != NULL && *p == '/') {
        p++;
        if (!next_token(&p, tok)) {
            return NULL;
        }
        if (cJSON_IsObject(cur)) {
            cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
        } else if (cJSON_IsArray(cur)) {
            cur = array_item(cur, tok);
        } else {
            cur = NULL;
        }
    }
    return cur;
}

const char *fs_target__answer_pointer(const fs_target_spec *spec)
{
    if (spec->answer_pointer != NULL) {
        return spec->answer_pointer;
    }
    return spec->type == FS_TARGET_EXEC ? "/output" : NULL;
}

/* Append s[0..n) JSON-escaped, with quotes only when quoted. */
static void put_escaped(fs_buf *out, const char *s, size_t n, bool quoted)
{
    size_t at = out->len;
    fs_buf_put_json_string(out, s, n);
    if (quoted || fs_buf_status(out) != FS_OK || out->len < at + 2) {
        return;
    }
    memmove(out->data + at, out->data + at + 1, out->len - at - 2);
    out->len -= 2;
    out->data[out->len] = '\0';
}

fs_status fs_target__render_template(fs_buf *out, const char *tmpl, const char *input, size_t n,
                                     const char *model, fs_error *err)
{
    bool in_string = false;
    const char *p = tmpl != NULL ? tmpl : "";
    while (*p != '\0') {
        if (p[0] == '{' && p[1] == '{') {
            const char *close = strstr(p + 2, "}}");
            size_t len = close != NULL ? (size_t)(close - p - 2) : 0;
            if (close != NULL && len == 5 && memcmp(p + 2, "input", 5) == 0) {
                put_escaped(out, input != NULL ? input : "", input != NULL ? n : 0, !in_string);
            } else if (close != NULL && len == 5 && memcmp(p + 2, "model", 5) == 0) {
                const char *m = model != NULL ? model : "";
                put_escaped(out, m, strlen(m), !in_string);
            } else {
                int shown = close != NULL && len < 40 ? (int)len : 10;
                return FS_FAIL(err, FS_ERR_CONFIG,
                               "body_template: unknown placeholder '{{%.*s' (known: {{input}}, "
                               "{{model}})",
                               shown, p + 2);
            }
            p = close + 2;
            continue;
        }
        if (*p == '"') {
            in_string = !in_string;
        } else if (*p == '\\' && in_string && p[1] != '\0') {
            fs_buf_putc(out, *p++);
        }
        fs_buf_putc(out, *p++);
    }
    return FS_OK;
}

bool fs_target__expand_env(fs_buf *out, const char *s, char *missing, size_t cap)
{
    const char *p = s;
    while (*p != '\0') {
        const char *close = p[0] == '$' && p[1] == '{' ? strchr(p + 2, '}') : NULL;
        if (close == NULL) {
            fs_buf_putc(out, *p++);
            continue;
        }
        char name[128];
        size_t len = (size_t)(close - p - 2);
        if (len == 0 || len >= sizeof name) {
            fs_buf_putc(out, *p++);
            continue;
        }
        memcpy(name, p + 2, len);
        name[len] = '\0';
        const char *v = getenv(name);
        if (v == NULL) {
            snprintf(missing, cap, "%s", name);
            return false;
        }
        fs_buf_puts(out, v);
        p = close + 1;
    }
    return true;
}
