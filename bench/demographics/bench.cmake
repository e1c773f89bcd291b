# bench_demog: counterfactual swaps per second of every axis over generated short
# sentences (never run as a test; see bench/demographics/bench_demog.c).
add_executable(bench_demog ${PROJECT_SOURCE_DIR}/bench/demographics/bench_demog.c
  $<TARGET_OBJECTS:fs_mod_core> $<TARGET_OBJECTS:fs_mod_demographics>)
fs_target_defaults(bench_demog)
target_compile_definitions(bench_demog PRIVATE FS_BENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(bench_demog PRIVATE fs_deps)
