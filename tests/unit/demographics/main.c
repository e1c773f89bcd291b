/* Unit runner for the demographics module. */
#include "fs_test.h"

extern const fs_test_case fs_demographics_lexicon_tests[];
extern const fs_test_case fs_demographics_swap_tests[];
extern const fs_test_case fs_demographics_names_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "demographics.lexicon", fs_demographics_lexicon_tests },
        { "demographics.swap", fs_demographics_swap_tests },
        { "demographics.names", fs_demographics_names_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
