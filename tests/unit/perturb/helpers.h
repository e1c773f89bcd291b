#ifndef FS_TEST_PERTURB_HELPERS_H
#define FS_TEST_PERTURB_HELPERS_H
/* Helpers shared by the perturb suites: build a perturber from "key=value" strings, apply
 * it, and write layout files into a scratch data directory. */
#include <stdbool.h>
#include <stdint.h>

#include "fairshake/perturb.h"

/** Create perturbation name with params kv (NULL-terminated "key=value" list, may be
 *  NULL) over the source tree's data. Returns the status; *out owned by the caller. */
fs_status perturb_test_new(fs_perturber **out, const char *name, const char *const *kv,
                           const char *data_dir, fs_error *err);
/** Apply name (params kv) to text with seed and record id; returns an owned string
 *  (fs_free) or NULL on failure. */
char *perturb_test_apply(const char *name, const char *const *kv, const char *text, uint64_t seed,
                         const char *record_id, bool *changed);
/** A scratch data directory (under the test tmp dir) holding perturbations/keyboard/. */
const char *perturb_test_data_dir(void);
/** Write contents to <scratch data dir>/perturbations/keyboard/<layout>.json. */
void perturb_test_write_layout(const char *layout, const char *contents);

#endif
