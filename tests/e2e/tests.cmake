# End-to-end tests: the fairshake command against the reference model server, each
# started by the test itself on a free loopback port.
add_executable(e2e_runner
  ${CMAKE_CURRENT_LIST_DIR}/main.c
  ${CMAKE_CURRENT_LIST_DIR}/e2e_util.c
  ${CMAKE_CURRENT_LIST_DIR}/test_audit.c
  ${CMAKE_CURRENT_LIST_DIR}/test_cli.c
  ${CMAKE_CURRENT_LIST_DIR}/test_compare.c
  ${CMAKE_CURRENT_LIST_DIR}/test_html.c
  ${CMAKE_CURRENT_LIST_DIR}/test_resilience.c
  ${CMAKE_CURRENT_LIST_DIR}/test_score.c
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/runner.c
  ${PROJECT_SOURCE_DIR}/tests/support/refmodel_fixture.c
  $<TARGET_OBJECTS:fs_mod_core> $<TARGET_OBJECTS:fs_mod_perturb> $<TARGET_OBJECTS:fs_mod_identify>
  $<TARGET_OBJECTS:fs_mod_store>)
fs_target_defaults(e2e_runner)
target_include_directories(e2e_runner PRIVATE ${PROJECT_SOURCE_DIR}/src
  ${CMAKE_CURRENT_SOURCE_DIR}/unit ${PROJECT_SOURCE_DIR}/tests/support)
target_compile_definitions(e2e_runner PRIVATE FS_TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
  FS_TEST_BIN_DIR="${PROJECT_BINARY_DIR}/bin")
target_link_libraries(e2e_runner PRIVATE fs_deps PkgConfig::CUNIT)
add_dependencies(e2e_runner fairshake_cli fairshake-refmodel)
foreach(suite audit cli compare html resilience score)
  add_test(NAME e2e.${suite} COMMAND e2e_runner -s e2e.${suite})
  set_tests_properties(e2e.${suite} PROPERTIES LABELS e2e TIMEOUT 600
    ENVIRONMENT "FS_SOURCE_DIR=${PROJECT_SOURCE_DIR};FS_BIN_DIR=${PROJECT_BINARY_DIR}/bin")
endforeach()
