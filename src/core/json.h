#ifndef FS_CORE_JSON_H
#define FS_CORE_JSON_H
/* Internal JSON helpers: the one place cJSON is included. Other modules include this
 * header, never <cJSON.h> directly; no cJSON type reaches include/. */
#include "fairshake/core.h"

#include <cJSON.h>

/** Parse text[0..n) as one JSON value. On failure the message is
 *  "<where>:<line>:<col>: invalid JSON" (where may be NULL). out: returns owned
 *  (cJSON_Delete). */
fs_status fs_json__parse(cJSON **out, const char *text, size_t n, const char *where, fs_error *err);
/** Parse a whole file. */
fs_status fs_json__parse_file(cJSON **out, const char *path, fs_error *err);
/** Print unformatted; returns owned (fs_free via cJSON_free: use fs_json__free). */
char *fs_json__print(const cJSON *v, bool pretty);
void fs_json__free(char *printed);
/** String member or NULL when absent or not a string. */
const char *fs_json__str(const cJSON *obj, const char *key);
/** Add a number, or null when v is not finite. Returns false on OOM. */
bool fs_json__add_num(cJSON *obj, const char *key, double v);
/** Add a string member; s may be NULL (adds null). */
bool fs_json__add_str(cJSON *obj, const char *key, const char *s);

#endif
