#ifndef FS_STORE_STORE_INT_H
#define FS_STORE_STORE_INT_H
/* Internal state of the run store shared by its files. SQLite appears only in src/store/. */
#include "fairshake/store.h"

#include <sqlite3.h>

/* Prepared statements kept for the store's life; finalised on close. */
typedef enum fs_store_stmt {
    FS_STMT_BEGIN = 0,
    FS_STMT_COMMIT,
    FS_STMT_ROLLBACK,
    FS_STMT_META_SET,
    FS_STMT_META_GET,
    FS_STMT_VARIANT_INSERT,
    FS_STMT_VARIANT_FIND,
    FS_STMT_OUTCOME_PUT,
    FS_STMT_OUTCOME_HAS,
    FS_STMT_CACHE_GET,
    FS_STMT_CACHE_PUT,
    FS_STMT_EACH,
    FS_STMT_COUNT_VARIANTS,
    FS_STMT_COUNT_OUTCOMES,
    FS_STMT__COUNT
} fs_store_stmt;

/* A batch transaction commits after this many writes or when its first write is this
 * many milliseconds old, whichever comes first (at a write or at fs_store_tick()): a killed
 * run loses at most that much, which resume sends again. */
#define FS_STORE_BATCH    4096
#define FS_STORE_BATCH_MS 200

struct fs_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[FS_STMT__COUNT];
    bool in_tx;       /* a write transaction is open */
    unsigned pending; /* writes in the open transaction */
    double opened_ms; /* monotonic time the open transaction began */
};

/** FS_ERR_STORE (or FS_ERR_NOMEM) with the path, what failed and SQLite's message. */
fs_status fs_store__fail(fs_store *s, const char *what, fs_error *err);
/** Open the batch transaction if none is open; call before every write. */
fs_status fs_store__write_begin(fs_store *s, fs_error *err);
/** Count one write; commits when the batch is full or old enough. */
fs_status fs_store__write_end(fs_store *s, fs_error *err);
/** Bind s (NULL binds NULL) as UTF-8 text with its explicit length. */
int fs_store__bind_str(sqlite3_stmt *st, int idx, const char *s);
/** Step a statement expected to finish (SQLITE_DONE), then reset it. */
fs_status fs_store__step_done(fs_store *s, sqlite3_stmt *st, const char *what, fs_error *err);
/** fs_store__step_done() unless binding failed (bind_rc: the OR of the bind results). */
fs_status fs_store__step_bound(fs_store *s, sqlite3_stmt *st, int bind_rc, const char *what,
                               fs_error *err);

#endif
