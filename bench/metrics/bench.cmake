# bench_metrics: seconds, pairs/s and peak RSS of the corpus metrics (BLEU, chrF, ...) over
# generated sentence pairs (never run as a test; see bench/metrics/bench_metrics.c).
add_executable(bench_metrics ${PROJECT_SOURCE_DIR}/bench/metrics/bench_metrics.c
  $<TARGET_OBJECTS:fs_mod_core> $<TARGET_OBJECTS:fs_mod_stats> $<TARGET_OBJECTS:fs_mod_score>)
fs_target_defaults(bench_metrics)
target_compile_definitions(bench_metrics PRIVATE FS_BENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(bench_metrics PRIVATE fs_deps)
