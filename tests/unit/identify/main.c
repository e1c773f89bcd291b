/* Unit runner for the identify module. */
#include "fs_test.h"

extern const fs_test_case fs_identify_detect_tests[];
extern const fs_test_case fs_identify_score_tests[];
extern const fs_test_case fs_identify_disclose_tests[];
extern const fs_test_case fs_identify_calibration_tests[];
extern const fs_test_case fs_identify_prefilter_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "identify.detect", fs_identify_detect_tests },
        { "identify.score", fs_identify_score_tests },
        { "identify.disclose", fs_identify_disclose_tests },
        { "identify.calibration", fs_identify_calibration_tests },
        { "identify.prefilter", fs_identify_prefilter_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
