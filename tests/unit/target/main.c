/* Unit runner for the target module. */
#include "fs_test.h"

#include "fairshake/target.h"

#include <stdio.h>

extern const fs_test_case fs_target_prompt_tests[];
extern const fs_test_case fs_target_parse_tests[];
extern const fs_test_case fs_target_openai_tests[];
extern const fs_test_case fs_target_dispatch_tests[];
extern const fs_test_case fs_target_ratelimit_tests[];
extern const fs_test_case fs_target_rest_tests[];
extern const fs_test_case fs_target_scale_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "target.prompt", fs_target_prompt_tests },
        { "target.parse", fs_target_parse_tests },
        { "target.openai", fs_target_openai_tests },
        { "target.dispatch", fs_target_dispatch_tests },
        { "target.ratelimit", fs_target_ratelimit_tests },
        { "target.rest", fs_target_rest_tests },
        { "target.scale", fs_target_scale_tests },
    };
    fs_error err;
    if (fs_target_global_init(&err) != FS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    int rc = fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
    fs_target_global_cleanup();
    return rc;
}
