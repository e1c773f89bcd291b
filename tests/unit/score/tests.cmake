set(FS_TEST_SRC main.c test_classification.c test_robustness.c)
set(FS_TEST_LINK core stats score)
