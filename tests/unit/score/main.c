/* Unit runner for the score module. */
#include "fs_test.h"

extern const fs_test_case fs_score_classification_tests[];
extern const fs_test_case fs_score_robustness_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "score.classification", fs_score_classification_tests },
        { "score.robustness", fs_score_robustness_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
