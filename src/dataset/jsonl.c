/* JSON Lines reader: each non-blank line is one JSON object; the configured fields are
 * picked out of it by name.
 *
 * Invariants: a line is read whole into ds->buf (bounded by max_record_bytes) and parsed
 * by cJSON through core/json.h; the record's strings point into that parse tree or into
 * JSON text printed for non-string labels, groups and ids, all released on the next call.
 * A \u0000 escape would silently cut a cJSON string short, so the raw line is scanned for
 * one in the fields that are used (references arrays included) and such a record is
 * refused. */
#include "dataset/dataset_int.h"

#include <inttypes.h>
#include <string.h>

#include "core/json.h"

static void release(fs_dataset *ds)
{
    cJSON_Delete(ds->json);
    ds->json = NULL;
    fs_json__free(ds->label_text);
    fs_json__free(ds->group_text);
    fs_json__free(ds->id_json);
    ds->label_text = NULL;
    ds->group_text = NULL;
    ds->id_json = NULL;
}

void fs_dataset__jsonl_dispose(fs_dataset *ds)
{
    release(ds);
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
            return false;
        }
    }
    return true;
}

/* Skip the JSON string starting at s[*i] (a quote); true when it holds a \u0000 escape. */
static bool skip_string(const char *s, size_t n, size_t *i)
{
    bool nul = false;
    size_t j = *i + 1;
    while (j < n && s[j] != '"') {
        if (s[j] == '\\') {
            nul = nul || (j + 5 < n && memcmp(s + j + 1, "u0000", 5) == 0);
            j += 2;
        } else {
            j++;
        }
    }
    *i = j + 1;
    return nul;
}

/* Whether key token s[start..end) (with quotes) decodes to name. */
static bool key_is(const char *s, size_t start, size_t end, const char *name)
{
    cJSON *k = cJSON_ParseWithLength(s + start, end - start);
    bool same = cJSON_IsString(k) && strcmp(k->valuestring, name) == 0;
    cJSON_Delete(k);
    return same;
}

/* The top-level member of the object in s[0..n) whose string value holds an escaped NUL
 * and is one of the used fields; NULL when there is none. */
static const char *nul_field(const fs_dataset *ds, const char *s, size_t n)
{
    const char *used[] = { ds->input_field,  ds->label_field,   ds->group_field, ds->id_field,
                           ds->input2_field, ds->context_field, ds->refs_field };
    size_t depth = 0, key_start = 0, key_end = 0;
    bool expect_key = true;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '"') {
            size_t start = i;
            bool nul = skip_string(s, n, &i);
            if (depth == 1 && expect_key) {
                key_start = start;
                key_end = i;
                expect_key = false;
            } else if (depth >= 1 && nul) { /* in a member's value, nested or not */
                for (size_t u = 0; u < sizeof used / sizeof used[0]; u++) {
                    if (used[u] != NULL && key_end <= n && key_is(s, key_start, key_end, used[u])) {
                        return used[u];
                    }
                }
            }
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ',' && depth == 1) {
            expect_key = true;
        }
        i++;
    }
    return NULL;
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsNull(v)) {
        return "null";
    }
    if (cJSON_IsBool(v)) {
        return "boolean";
    }
    if (cJSON_IsNumber(v)) {
        return "number";
    }
    if (cJSON_IsString(v)) {
        return "string";
    }
    return cJSON_IsArray(v) ? "array" : "object";
}

static fs_status wrong_type(fs_dataset *ds, const char *field, const char *want, const cJSON *v,
                            fs_error *err)
{
    return FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": %s: expected %s, got %s", ds->path, ds->line,
                   field, want, type_name(v));
}

static fs_status missing(fs_dataset *ds, const char *field, fs_error *err)
{
    return FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": %s: missing field", ds->path, ds->line,
                   field);
}

/* A string member as is, or a number or boolean as its JSON text (kept in *printed). */
static fs_status scalar_text(fs_dataset *ds, const cJSON *v, const char *field, char **printed,
                             const char **out, fs_error *err)
{
    if (cJSON_IsString(v)) {
        *out = v->valuestring;
        return fs_dataset__check_text(ds, ds->line, field, *out, strlen(*out), err);
    }
    *printed = fs_json__print(v, false);
    if (*printed == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "%s:%" PRIu64 ": out of memory", ds->path, ds->line);
    }
    *out = *printed;
    return FS_OK;
}

static fs_status take_label_group(fs_dataset *ds, const cJSON *obj, fs_error *err)
{
    fs_status st = FS_OK;
    if (ds->label_field != NULL) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, ds->label_field);
        if (v == NULL) {
            return missing(ds, ds->label_field, err);
        }
        if (!cJSON_IsString(v) && !cJSON_IsNumber(v) && !cJSON_IsBool(v)) {
            return wrong_type(ds, ds->label_field, "a string, number or boolean", v, err);
        }
        st = scalar_text(ds, v, ds->label_field, &ds->label_text, &ds->rec.label, err);
    }
    if (st == FS_OK && ds->group_field != NULL) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, ds->group_field);
        if (v == NULL || cJSON_IsNull(v)) {
            return FS_OK;
        }
        if (!cJSON_IsString(v) && !cJSON_IsNumber(v) && !cJSON_IsBool(v)) {
            return wrong_type(ds, ds->group_field, "a string or number", v, err);
        }
        st = scalar_text(ds, v, ds->group_field, &ds->group_text, &ds->rec.group, err);
    }
    return st;
}

static fs_status take_id(fs_dataset *ds, const cJSON *obj, fs_error *err)
{
    if (ds->id_field == NULL) {
        snprintf(ds->id_text, sizeof ds->id_text, "%" PRIu64, ds->rec.index + 1);
        ds->rec.id = ds->id_text;
        return FS_OK;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, ds->id_field);
    if (v == NULL) {
        return missing(ds, ds->id_field, err);
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        /* integers beyond 2^53 have lost digits in the double */
        if (d != d || d <= -9007199254740992.0 || d >= 9007199254740992.0 ||
            d != (double)(int64_t)d) {
            return wrong_type(ds, ds->id_field, "a string or integer", v, err);
        }
        return scalar_text(ds, v, ds->id_field, &ds->id_json, &ds->rec.id, err);
    }
    if (!cJSON_IsString(v)) {
        return wrong_type(ds, ds->id_field, "a string or integer", v, err);
    }
    if (v->valuestring[0] == '\0') {
        return FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": %s: empty id", ds->path, ds->line,
                       ds->id_field);
    }
    return scalar_text(ds, v, ds->id_field, &ds->id_json, &ds->rec.id, err);
}

/* An optional string field that must be present when configured. */
static fs_status take_string(fs_dataset *ds, const cJSON *obj, const char *field, const char **out,
                             fs_error *err)
{
    if (field == NULL) {
        return FS_OK;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (v == NULL) {
        return missing(ds, field, err);
    }
    if (!cJSON_IsString(v)) {
        return wrong_type(ds, field, "a string", v, err);
    }
    *out = v->valuestring;
    return fs_dataset__check_text(ds, ds->line, field, *out, strlen(*out), err);
}

static fs_status take_pair_context(fs_dataset *ds, const cJSON *obj, fs_error *err)
{
    fs_status st = take_string(ds, obj, ds->input2_field, &ds->rec.input2, err);
    return st == FS_OK ? take_string(ds, obj, ds->context_field, &ds->rec.context, err) : st;
}

/* A reference that is an object (an annotation such as {"category", "start", "end"}):
 * printed as JSON into ds->objs; *off_out is where its text starts. */
static fs_status print_obj(fs_dataset *ds, const cJSON *e, size_t *off_out, fs_error *err)
{
    char *text = fs_json__print(e, false);
    if (text == NULL) {
        return FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
    }
    *off_out = ds->objs.len;
    fs_buf_puts(&ds->objs, text);
    fs_buf_putc(&ds->objs, '\0');
    fs_json__free(text);
    return fs_buf_status(&ds->objs) == FS_OK ? FS_OK : FS_FAIL(err, FS_ERR_NOMEM, "out of memory");
}

/* References: a string (one reference) or an array of strings; array elements that are
 * objects (annotations) are handed out as their JSON text. */
static fs_status take_refs(fs_dataset *ds, const cJSON *obj, fs_error *err)
{
    const char *field = ds->refs_field;
    if (field == NULL) {
        return FS_OK;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (v == NULL) {
        return missing(ds, field, err);
    }
    if (!cJSON_IsString(v) && !cJSON_IsArray(v)) {
        return wrong_type(ds, field, "a string or an array of strings", v, err);
    }
    size_t n = cJSON_IsString(v) ? 1 : (size_t)cJSON_GetArraySize(v), i = 0;
    fs_status st = fs_dataset__reserve_refs(ds, n, ds->line, err);
    const cJSON *e = cJSON_IsString(v) ? v : v->child;
    fs_buf_reset(&ds->objs);
    bool objects = false;
    for (; st == FS_OK && e != NULL && i < n; e = e->next, i++) {
        if (cJSON_IsObject(e)) {
            size_t off = 0;
            st = print_obj(ds, e, &off, err);
            ds->refs[i] = (const char *)(uintptr_t)off; /* an offset until objs stops growing */
            objects = true;
            continue;
        }
        if (!cJSON_IsString(e)) {
            return FS_FAIL(err, FS_ERR_INPUT,
                           "%s:%" PRIu64 ": %s[%zu]: expected a string or an object, got %s",
                           ds->path, ds->line, field, i, type_name(e));
        }
        ds->refs[i] = e->valuestring;
        st = fs_dataset__check_text(ds, ds->line, field, e->valuestring, strlen(e->valuestring),
                                    err);
    }
    for (size_t k = 0; st == FS_OK && objects && k < n; k++) {
        const cJSON *x = cJSON_GetArrayItem(v, (int)k);
        if (cJSON_IsObject(x)) {
            ds->refs[k] = ds->objs.data + (uintptr_t)ds->refs[k];
        }
    }
    ds->rec.refs = ds->refs;
    ds->rec.n_refs = n;
    return st;
}

static fs_status take_fields(fs_dataset *ds, const cJSON *obj, fs_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, ds->input_field);
    if (v == NULL) {
        return missing(ds, ds->input_field, err);
    }
    if (!cJSON_IsString(v)) {
        return wrong_type(ds, ds->input_field, "a string", v, err);
    }
    ds->rec.input = v->valuestring;
    ds->rec.input_len = strlen(v->valuestring);
    fs_status st = fs_dataset__check_text(ds, ds->line, ds->input_field, ds->rec.input,
                                          ds->rec.input_len, err);
    if (st == FS_OK) {
        st = take_label_group(ds, obj, err);
    }
    if (st == FS_OK) {
        st = take_pair_context(ds, obj, err);
    }
    if (st == FS_OK) {
        st = take_refs(ds, obj, err);
    }
    return st == FS_OK ? take_id(ds, obj, err) : st;
}

/* Parse the line in ds->buf into ds->json and fill ds->rec from it. */
static fs_status parse_line(fs_dataset *ds, fs_error *err)
{
    const char *s = fs_buf_cstr(&ds->buf);
    size_t n = ds->buf.len;
    fs_error local = { 0 };
    if (memchr(s, '\0', n) != NULL || fs_json__parse(&ds->json, s, n, "", &local) != FS_OK) {
        if (local.code == FS_ERR_NOMEM) {
            return FS_FAIL(err, FS_ERR_NOMEM, "%s:%" PRIu64 ": out of memory", ds->path, ds->line);
        }
        return FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": invalid JSON", ds->path, ds->line);
    }
    if (!cJSON_IsObject(ds->json)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": expected a JSON object, got %s",
                       ds->path, ds->line, type_name(ds->json));
    }
    const char *nul = nul_field(ds, s, n);
    if (nul != NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s:%" PRIu64 ": %s: contains a NUL character", ds->path,
                       ds->line, nul);
    }
    return take_fields(ds, ds->json, err);
}

fs_status fs_dataset__jsonl_next(fs_dataset *ds, const fs_record **out, fs_error *err)
{
    release(ds);
    memset(&ds->rec, 0, sizeof ds->rec);
    for (;;) {
        bool got = false;
        fs_dataset__read_line(ds, &got);
        if (!got) {
            return fs_dataset__io_status(ds, err);
        }
        if (fs_buf_status(&ds->buf) != FS_OK || !blank(fs_buf_cstr(&ds->buf), ds->buf.len)) {
            break;
        }
    }
    /* A bad record still counts, so the default ids of the others never shift. */
    ds->rec.index = ds->index++;
    ds->rec.line = ds->line;
    fs_status st = fs_buf_status(&ds->buf) != FS_OK ? fs_dataset__buf_error(ds, ds->line, err)
                                                    : parse_line(ds, err);
    if (st != FS_OK) {
        release(ds);
        memset(&ds->rec, 0, sizeof ds->rec);
        return st;
    }
    *out = &ds->rec;
    return FS_OK;
}
