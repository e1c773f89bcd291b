/* SQuAD reader: a SQuAD v1.1 or v2.0 JSON document ({"data": [article]}, each article
 * {"paragraphs": [{"context", "qas": [question]}]}) handed out one record per question.
 *
 * Invariants: the document is one JSON value, so it is read and parsed whole (up to
 * max_record_bytes, 256 MiB by default); iteration over its questions is a cursor of
 * three pointers (next article, next paragraph, next question), each advanced before the
 * item it pointed to is examined, so a malformed item is reported once and skipped. A
 * record borrows its strings from the parse tree: id, question (input), the paragraph's
 * context, every answer text in file order (duplicates kept, as the official evaluation
 * script keeps them), and v2's is_impossible (unanswerable). Errors name the JSON path of
 * the item, since a record has no line of its own (rec.line is 0). */
#include "dataset/dataset_int.h"

#include <string.h>

#include "core/json.h"

void fs_dataset__squad_dispose(fs_dataset *ds)
{
    cJSON_Delete(ds->squad);
    ds->squad = NULL;
    ds->sq_article = ds->sq_paragraph = ds->sq_qa = NULL;
}

static const char *kind(const cJSON *v)
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
    return cJSON_IsArray(v) ? "array" : "object";
}

/* Member key of obj, which must be of the wanted type (cJSON type bit); where names the
 * parent in messages ("data[0].paragraphs[1]"). */
static fs_status member(const fs_dataset *ds, const cJSON *obj, const char *where, const char *key,
                        int type, const cJSON **out, fs_error *err)
{
    const char *want = type == cJSON_String ? "a string" : "an array";
    *out = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (*out == NULL) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s%s%s: missing field", ds->path, where,
                       where[0] != '\0' ? "." : "", key);
    }
    if (((*out)->type & 0xFF) != type) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s%s%s: expected %s, got %s", ds->path, where,
                       where[0] != '\0' ? "." : "", key, want, kind(*out));
    }
    if (type == cJSON_String &&
        !fs_text_valid_utf8((*out)->valuestring, strlen((*out)->valuestring))) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s.%s: invalid UTF-8", ds->path, where, key);
    }
    return FS_OK;
}

static fs_status not_object(const fs_dataset *ds, const char *where, const cJSON *v, fs_error *err)
{
    return FS_FAIL(err, FS_ERR_INPUT, "%s: %s: expected an object, got %s", ds->path, where,
                   kind(v));
}

fs_status fs_dataset__squad_open(fs_dataset *ds, fs_error *err)
{
    char *text = NULL;
    size_t n = 0;
    fs_error local = { 0 };
    fs_status st = fs_read_file(&text, &n, ds->path, ds->max, &local);
    if (st != FS_OK) {
        if (st == FS_ERR_LIMIT) {
            return FS_FAIL(err, FS_ERR_INPUT, "%s: SQuAD document larger than %zu bytes", ds->path,
                           ds->max);
        }
        size_t n_path = strlen(ds->path);
        const char *why = local.msg;
        if (strncmp(why, ds->path, n_path) == 0 && strncmp(why + n_path, ": ", 2) == 0) {
            why += n_path + 2; /* the path is said once */
        }
        return FS_FAIL(err, st == FS_ERR_IO ? FS_ERR_INPUT : st, "%s: cannot read the dataset: %s",
                       ds->path, why);
    }
    size_t skip = n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    st = fs_json__parse(&ds->squad, text + skip, n - skip, ds->path, err);
    fs_free(text);
    if (st != FS_OK) {
        return st;
    }
    if (!cJSON_IsObject(ds->squad)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: expected a SQuAD object {\"data\": [...]}, got %s",
                       ds->path, kind(ds->squad));
    }
    const cJSON *data = NULL;
    st = member(ds, ds->squad, "", "data", cJSON_Array, &data, err);
    ds->sq_article = st == FS_OK ? data->child : NULL;
    ds->sq_ai = 0;
    return st;
}

/* Start article a (number i): its paragraphs become the next ones. */
static fs_status enter_article(fs_dataset *ds, const cJSON *a, size_t i, fs_error *err)
{
    char where[64];
    snprintf(where, sizeof where, "data[%zu]", i);
    if (!cJSON_IsObject(a)) {
        return not_object(ds, where, a, err);
    }
    const cJSON *paras = NULL;
    fs_status st = member(ds, a, where, "paragraphs", cJSON_Array, &paras, err);
    if (st == FS_OK) {
        ds->sq_paragraph = paras->child;
        ds->sq_pi = 0;
    }
    return st;
}

/* Start paragraph p (number i of the current article): its questions come next. */
static fs_status enter_paragraph(fs_dataset *ds, const cJSON *p, size_t i, fs_error *err)
{
    char where[96];
    snprintf(where, sizeof where, "data[%zu].paragraphs[%zu]", ds->sq_ai - 1, i);
    if (!cJSON_IsObject(p)) {
        return not_object(ds, where, p, err);
    }
    const cJSON *ctx = NULL, *qas = NULL;
    fs_status st = member(ds, p, where, "context", cJSON_String, &ctx, err);
    if (st == FS_OK) {
        st = member(ds, p, where, "qas", cJSON_Array, &qas, err);
    }
    if (st == FS_OK) {
        ds->rec.context = ctx->valuestring;
        ds->sq_qa = qas->child;
        ds->sq_qi = 0;
    }
    return st;
}

/* The answer texts of question q (at where) into ds->refs. */
static fs_status take_answers(fs_dataset *ds, const cJSON *q, const char *where, fs_error *err)
{
    const cJSON *answers = cJSON_GetObjectItemCaseSensitive(q, "answers");
    if (answers == NULL && ds->rec.unanswerable) {
        return FS_OK;
    }
    fs_status st = member(ds, q, where, "answers", cJSON_Array, &answers, err);
    size_t n = st == FS_OK ? (size_t)cJSON_GetArraySize(answers) : 0, i = 0;
    if (st == FS_OK) {
        st = fs_dataset__reserve_refs(ds, n, 0, err);
    }
    const cJSON *a = st == FS_OK ? answers->child : NULL;
    for (; st == FS_OK && a != NULL && i < n; a = a->next, i++) {
        char at[160];
        const cJSON *text = NULL;
        snprintf(at, sizeof at, "%s.answers[%zu]", where, i);
        if (!cJSON_IsObject(a)) {
            return not_object(ds, at, a, err);
        }
        st = member(ds, a, at, "text", cJSON_String, &text, err);
        ds->refs[i] = st == FS_OK ? text->valuestring : NULL;
    }
    ds->rec.refs = ds->refs;
    ds->rec.n_refs = st == FS_OK ? n : 0;
    return st;
}

/* Fill the record from question q, number i of the current paragraph. */
static fs_status take_question(fs_dataset *ds, const cJSON *q, size_t i, fs_error *err)
{
    char where[128];
    snprintf(where, sizeof where, "data[%zu].paragraphs[%zu].qas[%zu]", ds->sq_ai - 1,
             ds->sq_pi - 1, i);
    if (!cJSON_IsObject(q)) {
        return not_object(ds, where, q, err);
    }
    const cJSON *id = NULL, *question = NULL;
    fs_status st = member(ds, q, where, "id", cJSON_String, &id, err);
    if (st == FS_OK) {
        st = member(ds, q, where, "question", cJSON_String, &question, err);
    }
    if (st != FS_OK) {
        return st;
    }
    const cJSON *imp = cJSON_GetObjectItemCaseSensitive(q, "is_impossible");
    if (imp != NULL && !cJSON_IsBool(imp)) {
        return FS_FAIL(err, FS_ERR_INPUT, "%s: %s.is_impossible: expected a boolean, got %s",
                       ds->path, where, kind(imp));
    }
    ds->rec.id = id->valuestring;
    ds->rec.input = question->valuestring;
    ds->rec.input_len = strlen(question->valuestring);
    ds->rec.unanswerable = cJSON_IsTrue(imp);
    return take_answers(ds, q, where, err);
}

fs_status fs_dataset__squad_next(fs_dataset *ds, const fs_record **out, fs_error *err)
{
    const char *context = ds->rec.context;
    memset(&ds->rec, 0, sizeof ds->rec);
    ds->rec.context = context;
    for (;;) {
        fs_status st = FS_OK;
        if (ds->sq_qa != NULL) {
            const cJSON *q = ds->sq_qa;
            ds->sq_qa = q->next;
            ds->rec.index = ds->index++;
            st = take_question(ds, q, ds->sq_qi++, err);
            if (st != FS_OK) {
                ds->rec.refs = NULL;
                ds->rec.n_refs = 0;
                return st;
            }
            *out = &ds->rec;
            return FS_OK;
        }
        if (ds->sq_paragraph != NULL) {
            const cJSON *p = ds->sq_paragraph;
            ds->sq_paragraph = p->next;
            st = enter_paragraph(ds, p, ds->sq_pi++, err);
        } else if (ds->sq_article != NULL) {
            const cJSON *a = ds->sq_article;
            ds->sq_article = a->next;
            st = enter_article(ds, a, ds->sq_ai++, err);
        } else {
            return FS_OK;
        }
        if (st != FS_OK) {
            return st;
        }
    }
}
