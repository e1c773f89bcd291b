/* The CUnit runner shared by every unit suite. CU_basic_run_tests() returns success even
 * when tests fail, so the exit status comes from CU_get_number_of_tests_failed(). */
#include "fs_test.h"

#include <CUnit/Automated.h>
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FS_TEST_SOURCE_DIR
#define FS_TEST_SOURCE_DIR "."
#endif

const char *fs_test_source_dir(void)
{
    const char *env = getenv("FS_SOURCE_DIR");
    return (env != NULL && env[0] != '\0') ? env : FS_TEST_SOURCE_DIR;
}

const char *fs_test_tmp_dir(void)
{
    static char dir[512];
    if (dir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/fs-unit-%ld", (base && base[0]) ? base : "/tmp",
                 (long)getpid());
        mkdir(dir, 0700);
    }
    return dir;
}

int fs_test_main(int argc, char **argv, const fs_test_suite *suites, size_t n_suites)
{
    const char *only_suite = NULL, *only_test = NULL;
    int xml = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            only_suite = argv[++i];
        } else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            only_test = argv[++i];
        } else if (strcmp(argv[i], "--xml") == 0) {
            xml = 1;
        } else {
            fprintf(stderr, "usage: %s [-s SUITE] [-t TEST] [--xml]\n", argv[0]);
            return 2;
        }
    }
    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    for (size_t s = 0; s < n_suites; s++) {
        if (only_suite != NULL && strcmp(only_suite, suites[s].name) != 0) {
            continue;
        }
        CU_pSuite suite = CU_add_suite(suites[s].name, NULL, NULL);
        if (suite == NULL) {
            CU_cleanup_registry();
            return 1;
        }
        for (const fs_test_case *t = suites[s].tests; t->name != NULL; t++) {
            if (only_test != NULL && strcmp(only_test, t->name) != 0) {
                continue;
            }
            if (CU_add_test(suite, t->name, t->fn) == NULL) {
                CU_cleanup_registry();
                return 1;
            }
        }
    }
    if (xml) {
        CU_automated_run_tests();
    } else {
        CU_basic_set_mode(CU_BRM_VERBOSE);
        CU_basic_run_tests();
    }
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}
