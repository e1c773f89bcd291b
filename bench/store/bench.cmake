# bench_store: outcomes per second written to the run store (prints figures; never a test).
add_executable(bench_store ${CMAKE_CURRENT_LIST_DIR}/bench_store.c
  $<TARGET_OBJECTS:fs_mod_core> $<TARGET_OBJECTS:fs_mod_store>)
fs_target_defaults(bench_store)
target_link_libraries(bench_store PRIVATE fs_deps)
