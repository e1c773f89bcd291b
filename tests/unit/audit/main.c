/* Unit runner for the audit module. */
#include "fs_test.h"

extern const fs_test_case fs_audit_csv_tests[];
extern const fs_test_case fs_audit_compare_tests[];
extern const fs_test_case fs_audit_scorefile_tests[];
extern const fs_test_case fs_audit_text_fairness_tests[];
extern const fs_test_case fs_audit_gates_tests[];
extern const fs_test_case fs_audit_config_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "audit.csv", fs_audit_csv_tests },
        { "audit.compare", fs_audit_compare_tests },
        { "audit.scorefile", fs_audit_scorefile_tests },
        { "audit.text_fairness", fs_audit_text_fairness_tests },
        { "audit.gates", fs_audit_gates_tests },
        { "audit.config", fs_audit_config_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
