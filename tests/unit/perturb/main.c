/* Unit runner for the perturb module. */
#include "fs_test.h"

extern const fs_test_case fs_perturb_catalogue_tests[];
extern const fs_test_case fs_perturb_noise_tests[];
extern const fs_test_case fs_perturb_layout_tests[];
extern const fs_test_case fs_perturb_chars_tests[];
extern const fs_test_case fs_perturb_words_tests[];
extern const fs_test_case fs_perturb_adversarial_tests[];
extern const fs_test_case fs_perturb_pii_tests[];
extern const fs_test_case fs_perturb_protect_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "perturb.catalogue", fs_perturb_catalogue_tests },
        { "perturb.noise", fs_perturb_noise_tests },
        { "perturb.layout", fs_perturb_layout_tests },
        { "perturb.chars", fs_perturb_chars_tests },
        { "perturb.words", fs_perturb_words_tests },
        { "perturb.adversarial", fs_perturb_adversarial_tests },
        { "perturb.pii", fs_perturb_pii_tests },
        { "perturb.protect", fs_perturb_protect_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
