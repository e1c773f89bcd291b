/* Unit runner for the reference model server. */
#include "fs_test.h"

extern const fs_test_case fs_refmodel_nb_tests[];
extern const fs_test_case fs_refmodel_request_tests[];
extern const fs_test_case fs_refmodel_opts_tests[];
extern const fs_test_case fs_refmodel_server_tests[];
extern const fs_test_case fs_refmodel_qa_tests[];
extern const fs_test_case fs_refmodel_lead_tests[];
extern const fs_test_case fs_refmodel_lm_tests[];
extern const fs_test_case fs_refmodel_models_tests[];
extern const fs_test_case fs_refmodel_ident_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "refmodel.nb", fs_refmodel_nb_tests },
        { "refmodel.request", fs_refmodel_request_tests },
        { "refmodel.opts", fs_refmodel_opts_tests },
        { "refmodel.server", fs_refmodel_server_tests },
        { "refmodel.qa", fs_refmodel_qa_tests },
        { "refmodel.lead", fs_refmodel_lead_tests },
        { "refmodel.lm", fs_refmodel_lm_tests },
        { "refmodel.models", fs_refmodel_models_tests },
        { "refmodel.ident", fs_refmodel_ident_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
