#ifndef FS_TEST_IDENTIFY_HELPERS_H
#define FS_TEST_IDENTIFY_HELPERS_H
/* Helpers shared by the identify suites: one detector over the source tree's data, and
 * detection of a text as "category:text@start-end" lines for compact assertions. */
#include "fairshake/identify.h"

/** A detector of every bundled category, created on first use and kept for the run
 *  (freed at exit). */
fs_identify_detector *identify_test_detector(void);
/** Detect text with d and describe the items, one "category:text@start-end" per line
 *  (code points). Returns owned (fs_free), or NULL on failure. */
char *identify_test_describe(fs_identify_detector *d, const char *text);
/** true when describe(text) holds the line want ("category:text@start-end"). */
bool identify_test_has(const char *text, const char *want);
/** true when no item of text has the category. */
bool identify_test_none(const char *text, const char *category);

#endif
