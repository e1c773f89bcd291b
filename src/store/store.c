/* The run store: one SQLite file per run, in WAL mode, holding run metadata, every
 * variant, every outcome and the response cache (schema in docs/store.md).
 *
 * Invariants: the schema version lives in PRAGMA user_version; meta('config_hash') names
 * the config that owns the file and is checked on every open. Writes are batched: the
 * first write opens a transaction; FS_STORE_BATCH writes, an age of FS_STORE_BATCH_MS
 * (seen at a write or at fs_store_tick()), flush and close commit it; fs_store_free()
 * rolls back what is pending. in_tx always mirrors SQLite's own
 * autocommit state, even after a failed statement. Every prepared statement is made once
 * at open, reset after each use and finalised on close. */
#include "store/store_int.h"

#include <string.h>
#include <time.h>

#include "fairshake/core.h"

#define SCHEMA_VERSION 1

static const char *const schema_sql =
    "BEGIN IMMEDIATE;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE variants(id INTEGER PRIMARY KEY, record_id TEXT NOT NULL,"
    " record_index INTEGER NOT NULL, perturbation TEXT NOT NULL, grp TEXT, label TEXT,"
    " text TEXT NOT NULL, changed INTEGER NOT NULL, UNIQUE(record_id, perturbation));"
    "CREATE INDEX variants_order ON variants(record_index, perturbation, id);"
    "CREATE TABLE outcomes(variant_id INTEGER NOT NULL, target TEXT NOT NULL,"
    " status INTEGER NOT NULL, http_status INTEGER NOT NULL, answer TEXT, prediction TEXT,"
    " latency_ms REAL NOT NULL, attempts INTEGER NOT NULL, error TEXT,"
    " cached INTEGER NOT NULL, prompt_tokens INTEGER, completion_tokens INTEGER,"
    " PRIMARY KEY(variant_id, target));"
    "CREATE TABLE cache(key TEXT PRIMARY KEY, body BLOB NOT NULL, created INTEGER NOT NULL);"
    "PRAGMA user_version = 1;"
    "COMMIT;";

static const char *const discard_sql = "BEGIN IMMEDIATE; DELETE FROM outcomes;"
                                       " DELETE FROM variants; DELETE FROM cache;"
                                       " DELETE FROM meta; COMMIT;";

static const char *const stmt_sql[FS_STMT__COUNT] = {
    [FS_STMT_BEGIN] = "BEGIN IMMEDIATE",
    [FS_STMT_COMMIT] = "COMMIT",
    [FS_STMT_ROLLBACK] = "ROLLBACK",
    [FS_STMT_META_SET] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
    [FS_STMT_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [FS_STMT_VARIANT_INSERT] =
        "INSERT INTO variants(record_id, record_index, perturbation, grp, label, text, changed)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(record_id, perturbation) DO NOTHING",
    [FS_STMT_VARIANT_FIND] =
        "SELECT id, text, record_index FROM variants WHERE record_id = ?1 AND perturbation = ?2",
    [FS_STMT_OUTCOME_PUT] =
        "INSERT OR REPLACE INTO outcomes(variant_id, target, status, http_status, answer,"
        " prediction, latency_ms, attempts, error, cached, prompt_tokens, completion_tokens)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [FS_STMT_OUTCOME_HAS] =
        "SELECT 1 FROM outcomes WHERE variant_id = ?1 AND target = ?2 AND status = 0",
    [FS_STMT_CACHE_GET] = "SELECT body FROM cache WHERE key = ?1",
    [FS_STMT_CACHE_PUT] = "INSERT OR REPLACE INTO cache(key, body, created)"
                          " VALUES(?1, ?2, CAST(strftime('%s', 'now') AS INTEGER))",
    [FS_STMT_EACH] =
        "SELECT v.id, v.record_id, v.record_index, v.perturbation, v.grp, v.label, v.text,"
        " v.changed, o.variant_id, o.status, o.http_status, o.answer, o.prediction,"
        " o.latency_ms, o.attempts, o.error, o.cached, o.prompt_tokens, o.completion_tokens"
        " FROM variants v LEFT JOIN outcomes o ON o.variant_id = v.id AND o.target = ?1"
        " ORDER BY v.record_index, v.perturbation, v.id",
    [FS_STMT_COUNT_VARIANTS] = "SELECT count(*) FROM variants",
    [FS_STMT_COUNT_OUTCOMES] = "SELECT count(*) FROM outcomes WHERE ?1 IS NULL OR target = ?1",
};

fs_status fs_store__fail(fs_store *s, const char *what, fs_error *err)
{
    int rc = s->db != NULL ? sqlite3_errcode(s->db) : SQLITE_NOMEM;
    fs_status code = rc == SQLITE_NOMEM ? FS_ERR_NOMEM : FS_ERR_STORE;
    if (s->db != NULL) {
        s->in_tx = sqlite3_get_autocommit(s->db) == 0;
    }
    return FS_FAIL(err, code, "%s: %s: %s", s->path, what,
                   s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
}

int fs_store__bind_str(sqlite3_stmt *st, int idx, const char *s)
{
    if (s == NULL) {
        return sqlite3_bind_null(st, idx);
    }
    return sqlite3_bind_text64(st, idx, s, (sqlite3_uint64)strlen(s), SQLITE_STATIC, SQLITE_UTF8);
}

fs_status fs_store__step_done(fs_store *s, sqlite3_stmt *st, const char *what, fs_error *err)
{
    int rc = sqlite3_step(st);
    fs_status res = FS_OK;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        res = fs_store__fail(s, what, err);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return res;
}

fs_status fs_store__step_bound(fs_store *s, sqlite3_stmt *st, int bind_rc, const char *what,
                               fs_error *err)
{
    if (bind_rc != SQLITE_OK) {
        fs_status res = fs_store__fail(s, what, err);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return res;
    }
    return fs_store__step_done(s, st, what, err);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

fs_status fs_store__write_begin(fs_store *s, fs_error *err)
{
    if (s->in_tx) {
        return FS_OK;
    }
    fs_status st = fs_store__step_done(s, s->stmt[FS_STMT_BEGIN], "begin a transaction", err);
    if (st == FS_OK) {
        s->in_tx = true;
        s->pending = 0;
        s->opened_ms = now_ms();
    }
    return st;
}

fs_status fs_store__write_end(fs_store *s, fs_error *err)
{
    s->pending++;
    if (s->pending < FS_STORE_BATCH && now_ms() - s->opened_ms < FS_STORE_BATCH_MS) {
        return FS_OK;
    }
    return fs_store_flush(s, err);
}

fs_status fs_store_tick(fs_store *s, long *wait_ms, fs_error *err)
{
    *wait_ms = -1;
    if (s == NULL || !s->in_tx) {
        return FS_OK;
    }
    double age = now_ms() - s->opened_ms;
    if (age >= FS_STORE_BATCH_MS) {
        return fs_store_flush(s, err);
    }
    *wait_ms = (long)(FS_STORE_BATCH_MS - age) + 1;
    return FS_OK;
}

fs_status fs_store_flush(fs_store *s, fs_error *err)
{
    if (!s->in_tx) {
        return FS_OK;
    }
    fs_status st = fs_store__step_done(s, s->stmt[FS_STMT_COMMIT], "commit", err);
    if (st == FS_OK) {
        s->in_tx = false;
        s->pending = 0;
    }
    return st;
}

static fs_status exec_sql(fs_store *s, const char *sql, const char *what, fs_error *err)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        fs_status st = fs_store__fail(s, what, err);
        if (sqlite3_get_autocommit(s->db) == 0) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        }
        return st;
    }
    return FS_OK;
}

static fs_status query_int(fs_store *s, const char *sql, int64_t *out, fs_error *err)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return fs_store__fail(s, "read the schema", err);
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
    }
    fs_status res =
        (rc == SQLITE_ROW || rc == SQLITE_DONE) ? FS_OK : fs_store__fail(s, "read the schema", err);
    sqlite3_finalize(st);
    return res;
}

/* Create the schema in a new file, or check the version of an existing one. */
static fs_status ensure_schema(fs_store *s, fs_error *err)
{
    int64_t version = 0, tables = 0;
    fs_status st = query_int(s, "PRAGMA user_version", &version, err);
    if (st != FS_OK) {
        return st;
    }
    if (version == SCHEMA_VERSION) {
        return FS_OK;
    }
    if (version > SCHEMA_VERSION) {
        return FS_FAIL(err, FS_ERR_STORE,
                       "%s: run store schema version %lld is newer than this fairshake reads "
                       "(%d)",
                       s->path, (long long)version, SCHEMA_VERSION);
    }
    /* Check again under the write lock: another process may be creating the same store
     * at this moment, and only one of them must create the schema. */
    st = exec_sql(s, "BEGIN IMMEDIATE", "lock the store", err);
    if (st == FS_OK) {
        st = query_int(s, "PRAGMA user_version", &version, err);
    }
    if (st == FS_OK && version == SCHEMA_VERSION) {
        return exec_sql(s, "COMMIT", "unlock the store", err);
    }
    if (st == FS_OK) {
        st = query_int(s, "SELECT count(*) FROM sqlite_master", &tables, err);
    }
    if (st == FS_OK && tables != 0) {
        st = FS_FAIL(err, FS_ERR_STORE, "%s: not a fairshake run store", s->path);
    }
    if (st != FS_OK) {
        if (sqlite3_get_autocommit(s->db) == 0) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        }
        return st;
    }
    /* The schema script opens its own transaction: skip its BEGIN, we hold one. */
    return exec_sql(s, schema_sql + strlen("BEGIN IMMEDIATE;"), "create the schema", err);
}

static fs_status prepare_all(fs_store *s, fs_error *err)
{
    for (int i = 0; i < FS_STMT__COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                               NULL) != SQLITE_OK) {
            return fs_store__fail(s, "prepare a statement", err);
        }
    }
    return FS_OK;
}

/* Record config_hash in a new store; refuse a store that another config made. */
static fs_status check_owner(fs_store *s, const char *config_hash, fs_error *err)
{
    char *stored = NULL;
    if (config_hash == NULL) {
        return FS_OK;
    }
    fs_status st = fs_store_meta_get(s, "config_hash", &stored, err);
    if (st != FS_OK) {
        return st;
    }
    if (stored == NULL) {
        st = fs_store_meta_set(s, "config_hash", config_hash, err);
        if (st == FS_OK) {
            st = fs_store_flush(s, err);
        }
    } else if (strcmp(stored, config_hash) != 0) {
        st = FS_FAIL(err, FS_ERR_CONFIG,
                     "%s: this run store belongs to another config (hash %.12s%s); use --fresh "
                     "to discard it",
                     s->path, stored, strlen(stored) > 12 ? "\xE2\x80\xA6" : "");
    }
    fs_free(stored);
    return st;
}

static fs_status connect(fs_store *s, fs_error *err)
{
    int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        return fs_store__fail(s, "cannot open the run store", err);
    }
    sqlite3_busy_timeout(s->db, 10000);
    fs_status st = exec_sql(s, "PRAGMA journal_mode = WAL", "switch to WAL mode", err);
    if (st == FS_OK) {
        st = exec_sql(s, "PRAGMA synchronous = NORMAL", "set synchronous mode", err);
    }
    if (st == FS_OK) {
        st = exec_sql(s, "PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 8192",
                      "size the page cache", err);
    }
    return st;
}

fs_status fs_store_open(fs_store **out, const char *path, const char *config_hash, bool fresh,
                        fs_error *err)
{
    *out = NULL;
    if (path == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "run store: no path given");
    }
    fs_store *s = fs_calloc(1, sizeof *s);
    if (s != NULL) {
        s->path = fs_strdup(path);
    }
    if (s == NULL || s->path == NULL) {
        fs_free(s);
        return FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", path);
    }
    fs_status st = connect(s, err);
    if (st != FS_OK) {
        goto done;
    }
    st = ensure_schema(s, err);
    if (st != FS_OK) {
        goto done;
    }
    if (fresh) {
        st = exec_sql(s, discard_sql, "discard the old contents", err);
        if (st != FS_OK) {
            goto done;
        }
    }
    st = prepare_all(s, err);
    if (st != FS_OK) {
        goto done;
    }
    st = check_owner(s, config_hash, err);
done:
    if (st != FS_OK) {
        fs_store_free(s);
        return st;
    }
    *out = s;
    return FS_OK;
}

void fs_store_free(fs_store *s)
{
    if (s == NULL) {
        return;
    }
    if (s->in_tx && s->stmt[FS_STMT_ROLLBACK] != NULL) {
        sqlite3_step(s->stmt[FS_STMT_ROLLBACK]);
        sqlite3_reset(s->stmt[FS_STMT_ROLLBACK]);
    }
    for (int i = 0; i < FS_STMT__COUNT; i++) {
        sqlite3_finalize(s->stmt[i]);
    }
    sqlite3_close(s->db);
    fs_free(s->path);
    fs_free(s);
}

fs_status fs_store_close(fs_store *s, fs_error *err)
{
    if (s == NULL) {
        return FS_OK;
    }
    fs_status st = fs_store_flush(s, err);
    fs_store_free(s);
    return st;
}

fs_status fs_store_meta_set(fs_store *s, const char *key, const char *value, fs_error *err)
{
    if (key == NULL || value == NULL) {
        return FS_FAIL(err, FS_ERR_USAGE, "%s: meta: key and value are required", s->path);
    }
    fs_status st = fs_store__write_begin(s, err);
    if (st != FS_OK) {
        return st;
    }
    sqlite3_stmt *q = s->stmt[FS_STMT_META_SET];
    int rc = fs_store__bind_str(q, 1, key) | fs_store__bind_str(q, 2, value);
    st = fs_store__step_bound(s, q, rc, "write metadata", err);
    return st == FS_OK ? fs_store__write_end(s, err) : st;
}

fs_status fs_store_meta_get(fs_store *s, const char *key, char **out, fs_error *err)
{
    *out = NULL;
    sqlite3_stmt *q = s->stmt[FS_STMT_META_GET];
    int rc = fs_store__bind_str(q, 1, key);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
    }
    fs_status st = FS_OK;
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(q, 0);
        size_t n = (size_t)sqlite3_column_bytes(q, 0);
        *out = fs_strndup(v != NULL ? v : "", v != NULL ? n : 0);
        if (*out == NULL) {
            st = FS_FAIL(err, FS_ERR_NOMEM, "%s: out of memory", s->path);
        }
    } else if (rc != SQLITE_DONE) {
        st = fs_store__fail(s, "read metadata", err);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return st;
}
