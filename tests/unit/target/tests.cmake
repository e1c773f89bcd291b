set(FS_TEST_SRC main.c test_prompt.c test_parse.c test_openai.c test_dispatch.c stub_server.c)
set(FS_TEST_EXTRA_SRC ${PROJECT_SOURCE_DIR}/tests/support/refmodel_fixture.c)
set(FS_TEST_NEEDS fairshake-refmodel)
