# lunatic_add_guest(NAME SOURCES... [FLAGS flags...]): builds C and C++ sources into NAME.wasm,
# a wasm32-wasi command that includes the lunatic SDK headers (C++: C++17, -fno-exceptions:
# the engine has no Wasm exception handling). Works two ways:
#  - in a project configured with wasm32-wasi-toolchain.cmake: NAME is an ordinary executable
#    target (add more with target_* commands);
#  - in a host project (such as lunatic's own build): clang is called directly by a custom
#    command, the target is guest_NAME. Guests are skipped, with one message, when clang cannot
#    build wasm32-wasi programs (Debian: clang lld wasi-libc libclang-rt-14-dev-wasm32; C++ also
#    libc++-14-dev-wasm32 libc++abi-14-dev-wasm32).
include_guard(GLOBAL)

# The SDK headers: next to this file in the source tree (sdk/include), or <prefix>/include
# when installed (this file in <prefix>/lib/cmake/lunatic).
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/../include/lunatic/process.h)
  get_filename_component(LUNATIC_SDK_INCLUDE_DIR ${CMAKE_CURRENT_LIST_DIR}/../include ABSOLUTE)
else()
  get_filename_component(LUNATIC_SDK_INCLUDE_DIR ${CMAKE_CURRENT_LIST_DIR}/../../../include
                         ABSOLUTE)
endif()
set(LUNATIC_GUEST_CXX_FLAGS -std=c++17 -fno-exceptions)

if(CMAKE_SYSTEM_NAME STREQUAL "WASI")
  function(lunatic_add_guest name)
    cmake_parse_arguments(ARG "" "" "FLAGS" ${ARGN})
    add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
    target_include_directories(${name} PRIVATE ${LUNATIC_SDK_INCLUDE_DIR})
    set_target_properties(${name} PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON
                                             CXX_EXTENSIONS OFF)
    target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions> ${ARG_FLAGS})
    target_link_options(${name} PRIVATE -Wl,--strip-debug)
  endfunction()
  return()
endif()

# ---- Host project: clang by hand -------------------------------------------------------------
set(LUNATIC_WASI_SYSROOT "/usr" CACHE PATH "Sysroot holding wasi-libc (include/wasm32-wasi, lib/wasm32-wasi)")
find_program(LUNATIC_GUEST_CC NAMES clang clang-14 DOC "clang used to build wasm32-wasi guests")
find_program(LUNATIC_GUEST_CXX NAMES clang++ clang++-14 DOC "clang++ used to build C++ guests")
option(LUNATIC_REQUIRE_GUESTS
  "Fail the configure instead of skipping guests when clang cannot build wasm32-wasi (C or C++)"
  OFF)

# _lunatic_guest_missing(WHAT SKIPPED): a guest toolchain is missing: SKIPPED is left out
# with one message, or, with LUNATIC_REQUIRE_GUESTS (the project's CI), the configure fails,
# so that a CI machine without the toolchain does not quietly run no guest test.
function(_lunatic_guest_missing what skipped)
  if(LUNATIC_REQUIRE_GUESTS)
    message(FATAL_ERROR "lunatic: ${what}; LUNATIC_REQUIRE_GUESTS is ON, so ${skipped} may "
                        "not be skipped")
  endif()
  message(STATUS "lunatic: ${what}; skipping ${skipped}")
endfunction()

# _lunatic_guest_probe(VAR COMPILER FILE SOURCE [FLAGS...]): compiles and links a tiny program;
# VAR says whether it worked. Success is cached (once per build tree); a failure is probed
# again at the next configure, so installing the missing package is enough to fix it.
function(_lunatic_guest_probe var compiler file source)
  if($CACHE{${var}})
    return()
  endif()
  set(probe_dir ${CMAKE_BINARY_DIR}/CMakeFiles/lunatic_guest_probe)
  file(WRITE ${probe_dir}/${file} "${source}")
  execute_process(
    COMMAND ${compiler} --target=wasm32-wasi --sysroot=${LUNATIC_WASI_SYSROOT} -O2 ${ARGN}
            ${probe_dir}/${file} -o ${probe_dir}/${file}.wasm
    RESULT_VARIABLE probe_result OUTPUT_VARIABLE probe_output ERROR_VARIABLE probe_output)
  if(probe_result EQUAL 0)
    set(${var} ON CACHE INTERNAL "${compiler} builds wasm32-wasi guests")
  else()
    set(${var} OFF PARENT_SCOPE)
    _lunatic_guest_missing("${compiler} cannot build wasm32-wasi programs:\n${probe_output}\n"
                           "the guests it builds")
  endif()
endfunction()

if(LUNATIC_GUEST_CC)
  _lunatic_guest_probe(LUNATIC_GUESTS_WORK ${LUNATIC_GUEST_CC} probe.c
    "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n")
else()
  set(LUNATIC_GUESTS_WORK OFF)
  _lunatic_guest_missing("clang not found" "wasm32-wasi guests (examples, integration tests)")
endif()
if(LUNATIC_GUESTS_WORK AND LUNATIC_GUEST_CXX)
  _lunatic_guest_probe(LUNATIC_CXX_GUESTS_WORK ${LUNATIC_GUEST_CXX} probe.cpp
    "#include <string>\n#include <cstdio>\nint main() { std::string s(\"hi\"); std::puts(s.c_str()); }\n"
    ${LUNATIC_GUEST_CXX_FLAGS})
else()
  set(LUNATIC_CXX_GUESTS_WORK OFF)
endif()

function(lunatic_add_guest name)
  cmake_parse_arguments(ARG "" "" "FLAGS" ${ARGN})
  if(NOT LUNATIC_GUESTS_WORK)
    return()
  endif()
  set(target_flags --target=wasm32-wasi --sysroot=${LUNATIC_WASI_SYSROOT})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm)
  set(objects "")
  set(sources "")
  set(compile_commands "")
  set(linker ${LUNATIC_GUEST_CC})
  foreach(src IN LISTS ARG_UNPARSED_ARGUMENTS)
    get_filename_component(abs ${src} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    get_filename_component(stem ${src} NAME_WE)
    get_filename_component(ext ${src} LAST_EXT)
    set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir/${stem}.o)
    if(ext MATCHES "^\\.(cpp|cc|cxx)$")
      if(NOT LUNATIC_CXX_GUESTS_WORK)
        _lunatic_guest_missing("no C++ for wasm32-wasi (libc++-14-dev-wasm32)" "guest ${name}")
        return()
      endif()
      set(compiler ${LUNATIC_GUEST_CXX} ${LUNATIC_GUEST_CXX_FLAGS})
      set(linker ${LUNATIC_GUEST_CXX})
    else()
      set(compiler ${LUNATIC_GUEST_CC})
    endif()
    list(APPEND objects ${obj})
    list(APPEND sources ${abs})
    list(APPEND compile_commands COMMAND ${compiler} ${target_flags} -O2 -Wall -Wextra -Werror
         -I${LUNATIC_SDK_INCLUDE_DIR} ${ARG_FLAGS} -c ${abs} -o ${obj})
  endforeach()
  # Headers the guests include: rebuild when the SDK changes.
  file(GLOB sdk_headers ${LUNATIC_SDK_INCLUDE_DIR}/lunatic/*.h ${LUNATIC_SDK_INCLUDE_DIR}/lunatic/*.hpp)
  # Compile and link in separate steps: linked with -O, clang runs wasm-opt when it is
  # installed, which drops the "name" section that trap backtraces use. --strip-debug drops
  # the DWARF of wasi-libc (80% of the file) and keeps the names.
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir
    ${compile_commands}
    COMMAND ${linker} ${target_flags} ${objects} -Wl,--strip-debug -o ${out}
    DEPENDS ${sources} ${sdk_headers}
    COMMENT "Building guest ${name}.wasm"
    VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS ${out})
endfunction()
