set(FS_TEST_SRC main.c test_bootstrap.c test_tests.c test_fairness_tests.c)
