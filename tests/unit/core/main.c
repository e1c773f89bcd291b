/* Unit runner for the core module. */
#include "fs_test.h"

extern const fs_test_case fs_core_buf_tests[];
extern const fs_test_case fs_core_text_tests[];
extern const fs_test_case fs_core_rng_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "core.buf", fs_core_buf_tests },
        { "core.text", fs_core_text_tests },
        { "core.rng", fs_core_rng_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
