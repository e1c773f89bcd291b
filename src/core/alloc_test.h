#ifndef FS_CORE_ALLOC_TEST_H
#define FS_CORE_ALLOC_TEST_H
/* Test-only allocation hook (internal; used by the unit runner's --fail-alloc-each).
 * While armed, every fs_malloc/fs_calloc/fs_realloc/fs_strdup/fs_strndup call is
 * counted, and the call numbered fail_at (1-based) returns NULL. When not armed the
 * wrappers pay a single branch. Not thread-safe: arm it only in single-threaded tests. */
#include <stddef.h>

/** Arm the hook and reset the counter: the fail_at-th allocation from now on fails
 *  (0: count only, fail nothing). */
void fs__alloc_fail_at(size_t fail_at);
/** Disarm the hook (the counter keeps its value). */
void fs__alloc_hook_off(void);
/** Allocations counted since the hook was last armed. */
size_t fs__alloc_count(void);

#endif
