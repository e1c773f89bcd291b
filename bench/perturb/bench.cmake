# bench_perturb: throughput of every perturbation in the catalogue on a synthetic
# mixed-script corpus (prints variants/second and MB/s; never run as a test).
add_executable(bench_perturb ${PROJECT_SOURCE_DIR}/bench/perturb/bench_perturb.c
  $<TARGET_OBJECTS:fs_mod_core> $<TARGET_OBJECTS:fs_mod_perturb>)
fs_target_defaults(bench_perturb)
target_compile_definitions(bench_perturb PRIVATE FS_BENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(bench_perturb PRIVATE fs_deps)
