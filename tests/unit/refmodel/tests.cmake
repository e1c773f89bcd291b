set(FS_TEST_SRC main.c test_nb.c test_request.c test_opts.c test_server.c)
set(FS_TEST_LINK core)
set(FS_TEST_EXTRA_SRC
  ${PROJECT_SOURCE_DIR}/src/refmodel/nb.c
  ${PROJECT_SOURCE_DIR}/src/refmodel/opts.c
  ${PROJECT_SOURCE_DIR}/src/refmodel/request.c
  ${PROJECT_SOURCE_DIR}/tests/support/refmodel_fixture.c)
set(FS_TEST_NEEDS fairshake-refmodel)
