/* Unit runner for the store module. */
#include "fs_test.h"

extern const fs_test_case fs_store_store_tests[];
extern const fs_test_case fs_store_records_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "store.store", fs_store_store_tests },
        { "store.records", fs_store_records_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
