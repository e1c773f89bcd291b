set(FS_TEST_SRC main.c test_nb.c test_request.c test_opts.c test_server.c test_qa.c test_lead.c
  test_lm.c test_models.c test_ident.c refmodel_http.c)
set(FS_TEST_LINK core identify)
set(FS_TEST_EXTRA_SRC
  ${PROJECT_SOURCE_DIR}/src/refmodel/nb.c
  ${PROJECT_SOURCE_DIR}/src/refmodel/opts.c
  ${PROJECT_SOURCE_DIR}/src/refmodel/request.c
  ${PROJECT_SOURCE_DIR}/src/refmodel/qa.c
  ${PROJECT_SOURCE_DIR}/src/refmodel/lead.c
  ${PROJECT_SOURCE_DIR}/src/refmodel/lm.c
  ${PROJECT_SOURCE_DIR}/src/refmodel/lm_serve.c
  ${PROJECT_SOURCE_DIR}/src/refmodel/models.c
  ${PROJECT_SOURCE_DIR}/src/refmodel/ident.c
  ${PROJECT_SOURCE_DIR}/tests/support/refmodel_fixture.c)
set(FS_TEST_NEEDS fairshake-refmodel)
