set(FS_SRC bootstrap.c tests.c fairness_tests.c)
