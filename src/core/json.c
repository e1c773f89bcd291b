/* JSON helpers over cJSON: parse with line and column in the message, print, and typed
 * accessors. cJSON is included here and in json.h only. */
#include "core/json.h"

#include <math.h>
#include <string.h>

static void line_col(const char *text, size_t upto, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < upto; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

fs_status fs_json__parse(cJSON **out, const char *text, size_t n, const char *where, fs_error *err)
{
    const char *end = NULL;
    *out = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(text, n, &end, false);
    if (v == NULL) {
        size_t line, col;
        size_t off = (end != NULL && end >= text && end <= text + n) ? (size_t)(end - text) : 0;
        line_col(text, off, &line, &col);
        return FS_FAIL(err, FS_ERR_INPUT, "%s:%zu:%zu: invalid JSON", where ? where : "<json>",
                       line, col);
    }
    /* Only whitespace may follow the value. */
    for (const char *p = end; p != NULL && p < text + n; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            size_t line, col;
            line_col(text, (size_t)(p - text), &line, &col);
            cJSON_Delete(v);
            return FS_FAIL(err, FS_ERR_INPUT, "%s:%zu:%zu: unexpected text after JSON value",
                           where ? where : "<json>", line, col);
        }
    }
    *out = v;
    return FS_OK;
}

fs_status fs_json__parse_file(cJSON **out, const char *path, fs_error *err)
{
    char *text = NULL;
    size_t n = 0;
    *out = NULL;
    fs_status st = fs_read_file(&text, &n, path, (size_t)1 << 30, err);
    if (st != FS_OK) {
        return st;
    }
    st = fs_json__parse(out, text, n, path, err);
    fs_free(text);
    return st;
}

char *fs_json__print(const cJSON *v, bool pretty)
{
    return pretty ? cJSON_Print(v) : cJSON_PrintUnformatted(v);
}

void fs_json__free(char *printed)
{
    cJSON_free(printed);
}

const char *fs_json__str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool fs_json__add_num(cJSON *obj, const char *key, double v)
{
    if (!isfinite(v)) {
        return cJSON_AddNullToObject(obj, key) != NULL;
    }
    return cJSON_AddNumberToObject(obj, key, v) != NULL;
}

bool fs_json__add_str(cJSON *obj, const char *key, const char *s)
{
    if (s == NULL) {
        return cJSON_AddNullToObject(obj, key) != NULL;
    }
    return cJSON_AddStringToObject(obj, key, s) != NULL;
}
