/* Run store rows: variants, outcomes, the response cache, the ordered walk and counts.
 *
 * Invariants: (record_id, perturbation) names one variant for the life of a store, and its
 * text never changes (a different text on resume means the dataset or the perturbations
 * changed, which is an error, not an update). An outcome is one row per (variant, target),
 * replaced by a later one. Text goes in and out with explicit lengths, so it round-trips
 * byte for byte. Every write goes through fs_store__write_begin/_end for batching. */
#include "store/store_int.h"

#include <string.h>

#include "fairshake/core.h"

static const char *col_text(sqlite3_stmt *q, int col)
{
    if (sqlite3_column_type(q, col) == SQLITE_NULL) {
        return NULL;
    }
    const char *t = (const char *)sqlite3_column_text(q, col);
    return t != NULL ? t : "";
}

static bool same_text(sqlite3_stmt *q, int col, const char *text)
{
    const char *t = (const char *)sqlite3_column_text(q, col);
    size_t n = (size_t)sqlite3_column_bytes(q, col);
    return t != NULL && n == strlen(text) && memcmp(t, text, n) == 0;
}

/* After a conflict, find the stored variant and check that it is the same one. */
static fs_status find_variant(fs_store *s, const fs_variant *v, int64_t *id_out, fs_error *err)
{
    sqlite3_stmt *q = s->stmt[FS_STMT_VARIANT_FIND];
    int rc = fs_store__bind_str(q, 1, v->record_id) | fs_store__bind_str(q, 2, v->perturbation);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
    }
    fs_status st = FS_OK;
    if (rc == SQLITE_ROW) {
        uint64_t stored_index = (uint64_t)sqlite3_column_int64(q, 2);
        if (stored_index != v->record_index) {
            st = FS_FAIL(err, FS_ERR_INPUT,
                         "record id '%s' is used by records %llu and %llu: record ids must be "
                         "unique",
                         v->record_id, (unsigned long long)stored_index + 1,
                         (unsigned long long)v->record_index + 1);
        } else if (same_text(q, 1, v->text)) {
            *id_out = sqlite3_column_int64(q, 0);
        } else {
            st = FS_FAIL(err, FS_ERR_STORE,
                         "%s: variant for record %s / perturbation %s differs from the stored "
                         "one: the dataset or perturbation changed; use --fresh",
                         s->path, v->record_id, v->perturbation);
        }
    } else {
        st = fs_store__fail(s, "find a variant", err);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return st;
}

fs_status fs_store_put_variant(fs_store *s, const fs_variant *v, int64_t *id_out, fs_error *err)
{
    *id_out = 0;
    if (v->record_id == NULL || v->perturbation == NULL || v->text == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "%s: a variant needs record_id, perturbation and text",
                       s->path);
    }
    fs_status st = fs_store__write_begin(s, err);
    if (st != FS_OK) {
        return st;
    }
    sqlite3_stmt *q = s->stmt[FS_STMT_VARIANT_INSERT];
    int rc = fs_store__bind_str(q, 1, v->record_id);
    rc |= sqlite3_bind_int64(q, 2, (sqlite3_int64)v->record_index);
    rc |= fs_store__bind_str(q, 3, v->perturbation);
    rc |= fs_store__bind_str(q, 4, v->group);
    rc |= fs_store__bind_str(q, 5, v->label);
    rc |= fs_store__bind_str(q, 6, v->text);
    rc |= sqlite3_bind_int(q, 7, v->changed ? 1 : 0);
    st = fs_store__step_bound(s, q, rc, "insert a variant", err);
    if (st != FS_OK) {
        return st;
    }
    if (sqlite3_changes(s->db) == 1) {
        *id_out = sqlite3_last_insert_rowid(s->db);
        return fs_store__write_end(s, err);
    }
    return find_variant(s, v, id_out, err);
}

static int bind_outcome(sqlite3_stmt *q, const fs_outcome *o)
{
    const char *error = (o->error != NULL && o->error[0] != '\0') ? o->error : NULL;
    int rc = sqlite3_bind_int64(q, 1, o->variant_id);
    rc |= fs_store__bind_str(q, 2, o->target);
    rc |= sqlite3_bind_int(q, 3, (int)o->status);
    rc |= sqlite3_bind_int64(q, 4, (sqlite3_int64)o->http_status);
    rc |= fs_store__bind_str(q, 5, o->answer);
    rc |= fs_store__bind_str(q, 6, o->prediction);
    rc |= sqlite3_bind_double(q, 7, o->latency_ms);
    rc |= sqlite3_bind_int(q, 8, o->attempts);
    rc |= fs_store__bind_str(q, 9, error);
    rc |= sqlite3_bind_int(q, 10, o->cached ? 1 : 0);
    if (o->prompt_tokens < 0) {
        rc |= sqlite3_bind_null(q, 11);
    } else {
        rc |= sqlite3_bind_int64(q, 11, o->prompt_tokens);
    }
    if (o->completion_tokens < 0) {
        rc |= sqlite3_bind_null(q, 12);
    } else {
        rc |= sqlite3_bind_int64(q, 12, o->completion_tokens);
    }
    return rc;
}

fs_status fs_store_put_outcome(fs_store *s, const fs_outcome *o, fs_error *err)
{
    if (o->target == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "%s: an outcome needs a target", s->path);
    }
    fs_status st = fs_store__write_begin(s, err);
    if (st != FS_OK) {
        return st;
    }
    sqlite3_stmt *q = s->stmt[FS_STMT_OUTCOME_PUT];
    st = fs_store__step_bound(s, q, bind_outcome(q, o), "write an outcome", err);
    return st == FS_OK ? fs_store__write_end(s, err) : st;
}

fs_status fs_store_has_outcome(fs_store *s, int64_t variant_id, const char *target, bool *out,
                               fs_error *err)
{
    *out = false;
    sqlite3_stmt *q = s->stmt[FS_STMT_OUTCOME_HAS];
    int rc = sqlite3_bind_int64(q, 1, variant_id) | fs_store__bind_str(q, 2, target);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
    }
    fs_status st = FS_OK;
    if (rc == SQLITE_ROW) {
        *out = true;
    } else if (rc != SQLITE_DONE) {
        st = fs_store__fail(s, "look up an outcome", err);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return st;
}

fs_status fs_store_cache_get(fs_store *s, const char *key, char **body_out, fs_error *err)
{
    *body_out = NULL;
    sqlite3_stmt *q = s->stmt[FS_STMT_CACHE_GET];
    int rc = fs_store__bind_str(q, 1, key);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
    }
    fs_status st = FS_OK;
    if (rc == SQLITE_ROW) {
        const char *body = sqlite3_column_blob(q, 0);
        size_t n = (size_t)sqlite3_column_bytes(q, 0);
        *body_out = fs_strndup(body != NULL ? body : "", body != NULL ? n : 0);
        if (*body_out == NULL) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", s->path);
        }
    } else if (rc != SQLITE_DONE) {
        st = fs_store__fail(s, "read the response cache", err);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return st;
}

fs_status fs_store_cache_put(fs_store *s, const char *key, const char *body, size_t n,
                             fs_error *err)
{
    if (key == NULL || (body == NULL && n > 0)) {
        return FS_FAIL(err, FS_ERR_USAGE, "%s: cache: key and body are required", s->path);
    }
    fs_status st = fs_store__write_begin(s, err);
    if (st != FS_OK) {
        return st;
    }
    sqlite3_stmt *q = s->stmt[FS_STMT_CACHE_PUT];
    int rc = fs_store__bind_str(q, 1, key);
    rc |= sqlite3_bind_blob64(q, 2, body != NULL ? body : "", (sqlite3_uint64)n, SQLITE_STATIC);
    st = fs_store__step_bound(s, q, rc, "write the response cache", err);
    return st == FS_OK ? fs_store__write_end(s, err) : st;
}

static void read_row(sqlite3_stmt *q, fs_variant *v, fs_outcome *o, bool *has_outcome)
{
    v->id = sqlite3_column_int64(q, 0);
    v->record_id = col_text(q, 1);
    v->record_index = (uint64_t)sqlite3_column_int64(q, 2);
    v->perturbation = col_text(q, 3);
    v->group = col_text(q, 4);
    v->label = col_text(q, 5);
    v->text = col_text(q, 6);
    v->changed = sqlite3_column_int(q, 7) != 0;
    *has_outcome = sqlite3_column_type(q, 8) != SQLITE_NULL;
    if (!*has_outcome) {
        return;
    }
    o->variant_id = sqlite3_column_int64(q, 8);
    o->status = (fs_status)sqlite3_column_int(q, 9);
    o->http_status = (long)sqlite3_column_int64(q, 10);
    o->answer = col_text(q, 11);
    o->prediction = col_text(q, 12);
    o->latency_ms = sqlite3_column_double(q, 13);
    o->attempts = sqlite3_column_int(q, 14);
    o->error = col_text(q, 15);
    o->cached = sqlite3_column_int(q, 16) != 0;
    o->prompt_tokens = sqlite3_column_type(q, 17) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 17);
    o->completion_tokens =
        sqlite3_column_type(q, 18) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 18);
}

fs_status fs_store_each(fs_store *s, const char *target, fs_store_row_fn fn, void *payload,
                        fs_error *err)
{
    sqlite3_stmt *q = s->stmt[FS_STMT_EACH];
    int rc = fs_store__bind_str(q, 1, target);
    fs_status st = FS_OK;
    while (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
        if (rc != SQLITE_ROW) {
            break;
        }
        fs_variant v;
        fs_outcome o;
        bool has_outcome = false;
        memset(&o, 0, sizeof o);
        read_row(q, &v, &o, &has_outcome);
        o.target = target;
        st = fn(&v, has_outcome ? &o : NULL, payload);
        if (st != FS_OK) {
            break;
        }
        rc = SQLITE_OK;
    }
    if (st == FS_OK && rc != SQLITE_DONE) {
        st = fs_store__fail(s, "read the variants", err);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return st;
}

static fs_status count(fs_store *s, fs_store_stmt which, const char *target, int64_t *out,
                       fs_error *err)
{
    sqlite3_stmt *q = s->stmt[which];
    int rc = which == FS_STMT_COUNT_OUTCOMES ? fs_store__bind_str(q, 1, target) : SQLITE_OK;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
    }
    fs_status st = FS_OK;
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(q, 0);
    } else {
        st = fs_store__fail(s, "count rows", err);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return st;
}

fs_status fs_store_counts(fs_store *s, const char *target, int64_t *variants_out,
                          int64_t *outcomes_out, fs_error *err)
{
    *variants_out = 0;
    *outcomes_out = 0;
    fs_status st = count(s, FS_STMT_COUNT_VARIANTS, NULL, variants_out, err);
    if (st == FS_OK) {
        st = count(s, FS_STMT_COUNT_OUTCOMES, target, outcomes_out, err);
    }
    return st;
}
