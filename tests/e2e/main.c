/* End-to-end runner: the fairshake command against the reference model server. */
#include "fs_test.h"

extern const fs_test_case fs_e2e_audit_tests[];
extern const fs_test_case fs_e2e_cli_tests[];
extern const fs_test_case fs_e2e_compare_tests[];
extern const fs_test_case fs_e2e_html_tests[];
extern const fs_test_case fs_e2e_resilience_tests[];
extern const fs_test_case fs_e2e_score_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "e2e.audit", fs_e2e_audit_tests },           { "e2e.cli", fs_e2e_cli_tests },
        { "e2e.compare", fs_e2e_compare_tests },       { "e2e.html", fs_e2e_html_tests },
        { "e2e.resilience", fs_e2e_resilience_tests }, { "e2e.score", fs_e2e_score_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
