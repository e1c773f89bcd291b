# Bootstrap throughput of the scoring core (prints figures; not a test).
add_executable(bench_score ${CMAKE_CURRENT_LIST_DIR}/bench_score.c
  $<TARGET_OBJECTS:fs_mod_core> $<TARGET_OBJECTS:fs_mod_stats> $<TARGET_OBJECTS:fs_mod_score>)
fs_target_defaults(bench_score)
target_link_libraries(bench_score PRIVATE fs_deps)
