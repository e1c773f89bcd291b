# Fuzz harnesses (tests/fuzz/fuzz_<input>.c, seeds in tests/fuzz/corpus/<input>/). Each
# harness builds twice:
#  - fuzz_<input>_replay: the harness with replay.c as main, built like the unit runners;
#    ctest runs it over the seed corpus (fuzz.<input>.replay, label fuzz).
#  - fuzz_<input> (FS_BUILD_FUZZERS, clang only): the harness linked with libFuzzer, over
#    a copy of the modules it needs compiled with coverage instrumentation
#    (-fsanitize=fuzzer-no-link), so that the rest of the build stays uninstrumented.
set(FS_FUZZ_INPUTS dataset config response perturb text)
# The modules each harness links, as FS_TEST_LINK does for the unit runners.
set(FS_FUZZ_LINK_dataset core dataset)
set(FS_FUZZ_LINK_config core dataset perturb demographics identify target store stats score
    report audit)
set(FS_FUZZ_LINK_response core target)
set(FS_FUZZ_LINK_perturb core identify perturb)
set(FS_FUZZ_LINK_text core)

set(FS_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})

if(FS_BUILD_FUZZERS)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "FS_BUILD_FUZZERS needs clang (libFuzzer), not "
      "${CMAKE_C_COMPILER_ID}: configure a separate build directory with CC=clang")
  endif()
  set(FS_FUZZ_NEEDED "")
  foreach(input IN LISTS FS_FUZZ_INPUTS)
    list(APPEND FS_FUZZ_NEEDED ${FS_FUZZ_LINK_${input}})
  endforeach()
  list(REMOVE_DUPLICATES FS_FUZZ_NEEDED)
  foreach(mod IN LISTS FS_FUZZ_NEEDED)
    get_target_property(srcs fs_mod_${mod} SOURCES)
    get_target_property(defs fs_mod_${mod} COMPILE_DEFINITIONS)
    add_library(fs_fuzz_mod_${mod} OBJECT ${srcs})
    fs_target_defaults(fs_fuzz_mod_${mod})
    target_compile_definitions(fs_fuzz_mod_${mod} PRIVATE ${defs})
    target_compile_options(fs_fuzz_mod_${mod} PRIVATE -fsanitize=fuzzer-no-link)
    target_link_libraries(fs_fuzz_mod_${mod} PUBLIC fs_deps)
  endforeach()
endif()

foreach(input IN LISTS FS_FUZZ_INPUTS)
  set(harness ${FS_FUZZ_DIR}/fuzz_${input}.c ${FS_FUZZ_DIR}/fuzz_support.c)

  add_executable(fuzz_${input}_replay ${harness} ${FS_FUZZ_DIR}/replay.c)
  set(fuzz_targets fuzz_${input}_replay)
  foreach(mod IN LISTS FS_FUZZ_LINK_${input})
    target_sources(fuzz_${input}_replay PRIVATE $<TARGET_OBJECTS:fs_mod_${mod}>)
  endforeach()
  add_test(NAME fuzz.${input}.replay
    COMMAND fuzz_${input}_replay ${FS_FUZZ_DIR}/corpus/${input})
  set_tests_properties(fuzz.${input}.replay PROPERTIES LABELS fuzz TIMEOUT 60
    ENVIRONMENT "FS_SOURCE_DIR=${PROJECT_SOURCE_DIR}")

  if(FS_BUILD_FUZZERS)
    add_executable(fuzz_${input} ${harness})
    list(APPEND fuzz_targets fuzz_${input})
    target_compile_options(fuzz_${input} PRIVATE -fsanitize=fuzzer-no-link)
    target_link_options(fuzz_${input} PRIVATE -fsanitize=fuzzer)
    foreach(mod IN LISTS FS_FUZZ_LINK_${input})
      target_sources(fuzz_${input} PRIVATE $<TARGET_OBJECTS:fs_fuzz_mod_${mod}>)
    endforeach()
  endif()

  foreach(tgt IN LISTS fuzz_targets)
    fs_target_defaults(${tgt})
    target_include_directories(${tgt} PRIVATE ${PROJECT_SOURCE_DIR}/src ${FS_FUZZ_DIR})
    target_compile_definitions(${tgt} PRIVATE FS_TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    target_link_libraries(${tgt} PRIVATE fs_deps)
  endforeach()
endforeach()
