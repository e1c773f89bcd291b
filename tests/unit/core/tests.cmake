set(FS_TEST_SRC main.c test_buf.c test_text.c test_rng.c)
