#ifndef FS_TEST_H
#define FS_TEST_H
/* Shared CUnit runner for the unit suites: each module's runner lists its suites and
 * calls fs_test_main(). Options: -s SUITE, -t TEST, --xml (CUnit automated output),
 * --fail-alloc-each [--fail-alloc-max N] (allocation-failure torture, docs/development.md). */
#include <CUnit/CUnit.h>
#include <stddef.h>

typedef struct fs_test_case {
    const char *name;
    CU_TestFunc fn;
} fs_test_case;

typedef struct fs_test_suite {
    const char *name;
    const fs_test_case *tests; /* terminated by {NULL, NULL} */
} fs_test_suite;

int fs_test_main(int argc, char **argv, const fs_test_suite *suites, size_t n_suites);

/** Directory of the source tree (for data files), from the FS_SOURCE_DIR environment
 *  variable set by ctest, or the compile-time default. */
const char *fs_test_source_dir(void);
/** Directory for scratch files of this test run (created on first use). */
const char *fs_test_tmp_dir(void);

#endif
