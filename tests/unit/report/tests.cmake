set(FS_TEST_SRC main.c test_render.c test_junit.c test_compare.c)
set(FS_TEST_LINK core report)
