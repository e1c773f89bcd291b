# bench_dispatch: requests per second through the dispatcher against fairshake-refmodel,
# and the client's CPU time per request (prints figures; never a test).
add_executable(bench_dispatch ${CMAKE_CURRENT_LIST_DIR}/bench_dispatch.c
  $<TARGET_OBJECTS:fs_mod_core> $<TARGET_OBJECTS:fs_mod_target>)
fs_target_defaults(bench_dispatch)
target_link_libraries(bench_dispatch PRIVATE fs_deps)
target_compile_definitions(bench_dispatch PRIVATE FS_BENCH_BIN_DIR="${PROJECT_BINARY_DIR}/bin")
if(TARGET fairshake-refmodel)
  add_dependencies(bench_dispatch fairshake-refmodel)
endif()
# const_server: the constant-answer loopback server the benchmark script runs.
add_executable(bench_const_server ${CMAKE_CURRENT_LIST_DIR}/const_server.c)
target_compile_options(bench_const_server PRIVATE -Wall -Wextra -O2)
