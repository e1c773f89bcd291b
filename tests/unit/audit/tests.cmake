set(FS_TEST_SRC main.c test_csv.c test_compare.c test_scorefile.c test_text_fairness.c test_gates.c
    test_config.c)
set(FS_TEST_LINK core dataset perturb demographics identify target store stats score report audit)
