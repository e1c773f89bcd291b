# bench_identify: detections/second, MB/s and items/second of the sensitive-data detectors
# on the example medical notes, the calibration set and generated sentences (never run as
# a test; see bench/identify/bench_identify.c).
add_executable(bench_identify ${PROJECT_SOURCE_DIR}/bench/identify/bench_identify.c
  $<TARGET_OBJECTS:fs_mod_core> $<TARGET_OBJECTS:fs_mod_identify> $<TARGET_OBJECTS:fs_mod_dataset>)
fs_target_defaults(bench_identify)
target_compile_definitions(bench_identify PRIVATE FS_BENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(bench_identify PRIVATE fs_deps)
