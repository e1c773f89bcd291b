set(FS_TEST_SRC main.c test_prompt.c test_parse.c test_openai.c test_dispatch.c test_ratelimit.c
    test_rest.c test_scale.c stub_server.c)
set(FS_TEST_EXTRA_SRC ${PROJECT_SOURCE_DIR}/tests/support/refmodel_fixture.c)
# exec_echo: the local program behind the exec target tests, built next to the binaries.
add_executable(fs_test_exec_echo ${CMAKE_CURRENT_LIST_DIR}/exec_echo.c)
fs_target_defaults(fs_test_exec_echo)
set_target_properties(fs_test_exec_echo PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
set(FS_TEST_NEEDS fairshake-refmodel fs_test_exec_echo)
