# Every public header compiles on its own as C and as C++ with strict warnings.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/headers/.keep "")
set(FS_PUBLIC_HEADERS common core version dataset perturb demographics target store stats score report audit
    fairshake)
set(hdr_srcs "")
foreach(h IN LISTS FS_PUBLIC_HEADERS)
  foreach(ext c cpp)
    set(f ${CMAKE_CURRENT_BINARY_DIR}/headers/${h}_${ext}.${ext})
    file(WRITE ${f} "#include \"fairshake/${h}.h\"\n#include \"fairshake/${h}.h\"\nint fs_header_${h}_${ext}(void);\nint fs_header_${h}_${ext}(void) { return 0; }\n")
    list(APPEND hdr_srcs ${f})
  endforeach()
endforeach()
add_library(fs_header_check OBJECT ${hdr_srcs})
target_include_directories(fs_header_check PRIVATE ${PROJECT_SOURCE_DIR}/include
                           ${PROJECT_BINARY_DIR}/include)
target_compile_options(fs_header_check PRIVATE -Wall -Wextra -pedantic -Werror)
set_target_properties(fs_header_check PROPERTIES CXX_STANDARD 11 CXX_STANDARD_REQUIRED ON)
add_test(NAME lint.banned COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/check-banned.sh)
set_tests_properties(lint.banned PROPERTIES LABELS unit)
