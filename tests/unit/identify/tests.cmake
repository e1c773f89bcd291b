set(FS_TEST_SRC main.c helpers.c test_detect.c test_score.c test_disclose.c test_calibration.c test_prefilter.c)
