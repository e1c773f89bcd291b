#ifndef FS_E2E_H
#define FS_E2E_H
/* Helpers for end-to-end tests: run the fairshake binary and capture what it prints. */
#include <stdbool.h>
#include <stddef.h>

#include "core/json.h"

typedef struct e2e_result {
    int exit_code; /* -1 when it did not exit normally */
    char *out;     /* stdout, NUL-terminated, owned */
    char *err;     /* stderr, owned */
} e2e_result;

/** Run $FS_BIN_DIR/fairshake with argv (NULL-terminated, without the program name), in
 *  the source directory, with extra environment entries ("K=V", NULL-terminated, may be
 *  NULL). */
bool e2e_run(e2e_result *r, const char *const *argv, const char *const *env);
void e2e_result_dispose(e2e_result *r);

/** Write text to path. */
bool e2e_write_file(const char *path, const char *text);
/** Parse a JSON file; NULL on failure. */
cJSON *e2e_read_json(const char *path);
/** A number at a JSON path like "targets.0.clean.n"; NaN when absent. */
double e2e_num(const cJSON *root, const char *path);
const cJSON *e2e_get(const cJSON *root, const char *path);

#endif
