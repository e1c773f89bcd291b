#ifndef FAIRSHAKE_STORE_H
#define FAIRSHAKE_STORE_H
/* The run store: one SQLite file (WAL) per run holding the config, every variant, every
 * request outcome and a response cache keyed by a hash of (target identity, request
 * body). Writes are batched in transactions; a killed run resumes from what is here. */
#include "fairshake/common.h"

FS_BEGIN_DECLS

typedef struct fs_store fs_store;

/** Open or create the store at path (its directory must exist). config_hash identifies
 *  the config that owns it: an existing store made by another config is FS_ERR_CONFIG,
 *  unless fresh is true, in which case its contents are discarded. A NULL config_hash opens
 *  the store whatever config made it (to rebuild reports). out: returns owned
 *  (fs_store_free). */
FS_API fs_status fs_store_open(fs_store **out, const char *path, const char *config_hash,
                               bool fresh, fs_error *err);
/** Commit pending writes and close. */
FS_API fs_status fs_store_close(fs_store *s, fs_error *err);
/** Close without committing pending writes (after an error). NULL is fine. */
FS_API void fs_store_free(fs_store *s);

/** Run metadata (key/value text). */
FS_API fs_status fs_store_meta_set(fs_store *s, const char *key, const char *value, fs_error *err);
/** *out: returns owned (fs_free) or NULL when absent. */
FS_API fs_status fs_store_meta_get(fs_store *s, const char *key, char **out, fs_error *err);

typedef struct fs_variant {
    int64_t id; /* assigned by the store (ignored on insert) */
    const char *record_id;
    uint64_t record_index;
    const char *perturbation; /* "clean" for the original */
    const char *group;        /* may be NULL */
    const char *label;        /* gold label; may be NULL */
    const char *text;
    bool changed; /* false when the perturbation found nothing to change */
} fs_variant;

/** Insert a variant, or find the identical (record_id, perturbation) one already there
 *  (resume): *id_out is its id. */
FS_API fs_status fs_store_put_variant(fs_store *s, const fs_variant *v, int64_t *id_out,
                                      fs_error *err);

typedef struct fs_outcome {
    int64_t variant_id;
    const char *target;
    fs_status status; /* FS_OK when an answer arrived */
    long http_status;
    const char *answer;     /* model answer text; NULL on error */
    const char *prediction; /* parsed label; NULL on parse failure or error */
    double latency_ms;
    int attempts;
    const char *error;                        /* NULL or "" when none */
    bool cached;                              /* served from the response cache */
    int64_t prompt_tokens, completion_tokens; /* -1 unknown */
} fs_outcome;

/** Record an outcome (replacing an earlier one for the same variant and target). */
FS_API fs_status fs_store_put_outcome(fs_store *s, const fs_outcome *o, fs_error *err);
/** true when (variant, target) already has a successful outcome (resume skips it). */
FS_API fs_status fs_store_has_outcome(fs_store *s, int64_t variant_id, const char *target,
                                      bool *out, fs_error *err);

/** Response cache. key: hex hash. *body_out: returns owned (fs_free) or NULL on a miss. */
FS_API fs_status fs_store_cache_get(fs_store *s, const char *key, char **body_out, fs_error *err);
FS_API fs_status fs_store_cache_put(fs_store *s, const char *key, const char *body, size_t n,
                                    fs_error *err);

/** Commit the current batch now. The store also commits on its own, at a write, once a
 *  batch holds 4,096 writes or is 200 ms old. */
FS_API fs_status fs_store_flush(fs_store *s, fs_error *err);

/** Commit the current batch when it is 200 ms old; call this while waiting, so that the
 *  last answers of a quiet spell are committed too. *wait_ms is how long until it should
 *  be called again (-1: nothing is pending). s may be NULL. */
FS_API fs_status fs_store_tick(fs_store *s, long *wait_ms, fs_error *err);

/** Every (variant, outcome) row for target, ordered by record_index then perturbation
 *  then variant id. Variants with no outcome are reported with o == NULL. Pointers are
 *  borrowed for the callback. A non-OK return from fn stops the walk and is returned.
 *  fn must not call fs_store_each on the same store. */
typedef fs_status (*fs_store_row_fn)(const fs_variant *v, const fs_outcome *o, void *payload);
FS_API fs_status fs_store_each(fs_store *s, const char *target, fs_store_row_fn fn, void *payload,
                               fs_error *err);

/** Counts for progress and sanity: variants, outcomes for target (every target when
 *  target is NULL). */
FS_API fs_status fs_store_counts(fs_store *s, const char *target, int64_t *variants_out,
                                 int64_t *outcomes_out, fs_error *err);

FS_END_DECLS
#endif
