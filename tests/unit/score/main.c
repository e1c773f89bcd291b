/* Unit runner for the score module. */
#include "fs_test.h"

extern const fs_test_case fs_score_classification_tests[];
extern const fs_test_case fs_score_robustness_tests[];
extern const fs_test_case fs_score_bleu_tests[];
extern const fs_test_case fs_score_chrf_tests[];
extern const fs_test_case fs_score_fairness_tests[];
extern const fs_test_case fs_score_porter_tests[];
extern const fs_test_case fs_score_rouge_tests[];
extern const fs_test_case fs_score_squad_tests[];
extern const fs_test_case fs_score_perplexity_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "score.classification", fs_score_classification_tests },
        { "score.robustness", fs_score_robustness_tests },
        { "score.bleu", fs_score_bleu_tests },
        { "score.chrf", fs_score_chrf_tests },
        { "score.fairness", fs_score_fairness_tests },
        { "score.porter", fs_score_porter_tests },
        { "score.rouge", fs_score_rouge_tests },
        { "score.squad", fs_score_squad_tests },
        { "score.perplexity", fs_score_perplexity_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
