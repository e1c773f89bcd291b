#ifndef FS_TEST_STORE_FIXTURE_H
#define FS_TEST_STORE_FIXTURE_H
/* Helpers shared by the store suites: scratch paths, a store opened on one and a NULL-safe
 * string check. */
#include <stdbool.h>
#include <stddef.h>

#include "fairshake/store.h"

/** A fresh scratch path "<tmp>/<name>.sqlite" (any old file and its WAL removed). */
const char *store_fixture_path(char *out, size_t cap, const char *name);
/** Open a new store at a scratch path with config hash "h1"; NULL on failure. */
fs_store *store_fixture_open(char *path_out, size_t cap, const char *name);
/** A clean variant of record rid with text. */
fs_variant store_fixture_variant(const char *rid, uint64_t index, const char *pert,
                                 const char *text);
/** True when s is a string equal to want; false when s is NULL (an output that a failed
 *  call left empty), so a check on it fails instead of passing NULL to strcmp. */
bool store_fixture_str_is(const char *s, const char *want);

#endif
