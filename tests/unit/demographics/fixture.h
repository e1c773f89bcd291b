#ifndef FS_TEST_DEMOG_FIXTURE_H
#define FS_TEST_DEMOG_FIXTURE_H
/* Shared helpers of the demographics suites: the project's lexicon loaded once, and a
 * one-call swap that returns the counterfactual as a string. */
#include "fairshake/demographics.h"

/** The lexicon of the source tree's demographics/, loaded on first use (freed at exit). */
const fs_demog_lexicon *fx_lexicon(void);
/** Swap text on axis to group (names by string); returns an owned string (fs_free), or
 *  NULL when the swap is not applicable. Fails the current test on an error. */
char *fx_swap(const char *axis, const char *group, const char *text, uint64_t seed,
              const char *record_id);
/** Same with optional groups enabled. */
char *fx_swap_opt(const char *axis, const char *group, const char *text);
/** Mentions of group in text (on axis). */
size_t fx_count(const char *axis, const char *group, const char *text);
/** Write text to <dir>/<name>, creating dir; returns 0 on success. */
int fx_write(const char *dir, const char *name, const char *text);

#endif
