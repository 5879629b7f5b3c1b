# header_check: compiles every header of src/ and include/ on its own (one generated .cpp
# that includes just that header), so that each header includes what it uses. Not part of
# `all`; scripts/test.sh builds it (`cmake --build build --target header_check`).
file(GLOB_RECURSE LUNATIC_HEADERS CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/src/*.hpp ${PROJECT_SOURCE_DIR}/include/*.hpp)

set(header_check_dir ${PROJECT_BINARY_DIR}/header_check)
set(header_check_sources "")
foreach(header ${LUNATIC_HEADERS})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${header})
  string(MAKE_C_IDENTIFIER ${rel} id)
  set(source ${header_check_dir}/${id}.cpp)
  # file(CONFIGURE) rewrites only when the content changes: no needless rebuilds.
  file(CONFIGURE OUTPUT ${source} CONTENT "#include \"${header}\"\n")
  list(APPEND header_check_sources ${source})
endforeach()

add_library(header_check OBJECT EXCLUDE_FROM_ALL ${header_check_sources})
# The include paths of every layer; linking to the top libraries brings them all.
target_link_libraries(header_check PRIVATE lunatic_cli)
# Only whether each header compiles matters, not the code: no optimiser, no debug info.
target_compile_options(header_check PRIVATE -O0 -g0)
