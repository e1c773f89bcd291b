set(FS_TEST_SRC main.c test_render.c)
set(FS_TEST_LINK core report)
