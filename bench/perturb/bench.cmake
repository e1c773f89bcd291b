# bench_perturb: variants/second, MB/s and peak RSS of every perturbation over generated
# sentences (never run as a test; see bench/perturb/bench_perturb.c).
add_executable(bench_perturb ${PROJECT_SOURCE_DIR}/bench/perturb/bench_perturb.c
  $<TARGET_OBJECTS:fs_mod_core> $<TARGET_OBJECTS:fs_mod_perturb> $<TARGET_OBJECTS:fs_mod_identify>
  $<TARGET_OBJECTS:fs_mod_dataset>)
fs_target_defaults(bench_perturb)
target_compile_definitions(bench_perturb PRIVATE FS_BENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(bench_perturb PRIVATE fs_deps)
