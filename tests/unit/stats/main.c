/* Unit runner for the stats module. */
#include "fs_test.h"

extern const fs_test_case fs_stats_bootstrap_tests[];
extern const fs_test_case fs_stats_tests_tests[];
extern const fs_test_case fs_stats_fairness_tests_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "stats.bootstrap", fs_stats_bootstrap_tests },
        { "stats.tests", fs_stats_tests_tests },
        { "stats.fairness_tests", fs_stats_fairness_tests_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
