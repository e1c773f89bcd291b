/* Unit runner for the reference model server. */
#include "fs_test.h"

extern const fs_test_case fs_refmodel_nb_tests[];
extern const fs_test_case fs_refmodel_request_tests[];
extern const fs_test_case fs_refmodel_opts_tests[];
extern const fs_test_case fs_refmodel_server_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "refmodel.nb", fs_refmodel_nb_tests },
        { "refmodel.request", fs_refmodel_request_tests },
        { "refmodel.opts", fs_refmodel_opts_tests },
        { "refmodel.server", fs_refmodel_server_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
