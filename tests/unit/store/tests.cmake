set(FS_TEST_SRC main.c store_fixture.c test_store.c test_records.c)
set(FS_TEST_LINK core store)
