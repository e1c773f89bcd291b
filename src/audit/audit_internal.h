#ifndef FS_AUDIT_INTERNAL_H
#define FS_AUDIT_INTERNAL_H
/* Internal to the audit module: the pieces of one audit run shared between the
 * dispatch phase (run.c) and the scoring and report phase (results.c). */
#include "fairshake/audit.h"
#include "fairshake/perturb.h"
#include "fairshake/store.h"

/** Everything about the run that the report's provenance needs. */
typedef struct fs_audit__prov {
    char dataset_hash[65];
    char started[32]; /* ISO 8601 UTC */
    char finished[32];
    char host[128];
    uint64_t records;
    uint64_t requests_sent;
    uint64_t cache_hits;
    char **lexicon_paths; /* data files the perturbers read */
    char (*lexicon_hashes)[65];
    size_t n_lexicons;
} fs_audit__prov;

void fs_audit__prov_dispose(fs_audit__prov *p);

/** Score every target from the store and build report.json's text.
 *  *json_out: returns owned (fs_free). records_limit: score only records with index
 *  below it (0: all). */
fs_status fs_audit__build_report(char **json_out, const fs_config *cfg, fs_store *store,
                                 const fs_audit__prov *prov, uint64_t records_limit,
                                 bool *gates_passed, size_t *gates_failed, fs_error *err);

/** Provenance to and from the store's meta table (as JSON text). */
fs_status fs_audit__prov_save(fs_store *store, const fs_audit__prov *prov, fs_error *err);
fs_status fs_audit__prov_load(fs_audit__prov *prov, fs_store *store, fs_error *err);

/** Current UTC time as ISO 8601 ("2026-01-02T03:04:05Z"). */
void fs_audit__now_iso(char out[32]);

#endif
