set(FS_TEST_SRC main.c fixture.c test_lexicon.c test_swap.c test_names.c)
set(FS_TEST_LINK core demographics)
