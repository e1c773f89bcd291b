/* Unit runner for the report module. */
#include "fs_test.h"

extern const fs_test_case fs_report_render_tests[];
extern const fs_test_case fs_report_junit_tests[];
extern const fs_test_case fs_report_compare_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "report.render", fs_report_render_tests },
        { "report.junit", fs_report_junit_tests },
        { "report.compare", fs_report_compare_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
