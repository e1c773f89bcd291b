/* Unit runner for the dataset module. */
#include "fs_test.h"

extern const fs_test_case fs_dataset_jsonl_tests[];
extern const fs_test_case fs_dataset_csv_tests[];
extern const fs_test_case fs_dataset_dataset_tests[];
extern const fs_test_case fs_dataset_fields_tests[];
extern const fs_test_case fs_dataset_glue_tests[];
extern const fs_test_case fs_dataset_squad_tests[];
extern const fs_test_case fs_dataset_wmt_tests[];

int main(int argc, char **argv)
{
    static const fs_test_suite suites[] = {
        { "dataset.jsonl", fs_dataset_jsonl_tests },
        { "dataset.csv", fs_dataset_csv_tests },
        { "dataset.dataset", fs_dataset_dataset_tests },
        { "dataset.fields", fs_dataset_fields_tests },
        { "dataset.glue", fs_dataset_glue_tests },
        { "dataset.squad", fs_dataset_squad_tests },
        { "dataset.wmt", fs_dataset_wmt_tests },
    };
    return fs_test_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
