# lunatic_add_guest(NAME SOURCES... [FLAGS flags...]): builds C sources into NAME.wasm (a
# wasm32-wasi command) in the current binary directory with clang, as target guest_NAME.
# Guests are skipped, with one message, when clang cannot build wasm32-wasi programs
# (Debian packages: clang lld wasi-libc libclang-rt-14-dev-wasm32).

set(LUNATIC_WASI_SYSROOT "/usr" CACHE PATH "Sysroot holding wasi-libc (include/wasm32-wasi, lib/wasm32-wasi)")
find_program(LUNATIC_GUEST_CC NAMES clang clang-14 DOC "clang used to build wasm32-wasi guests")

# Probe once per build tree: compile and link a tiny program.
if(LUNATIC_GUEST_CC AND NOT DEFINED CACHE{LUNATIC_GUESTS_WORK})
  set(probe_dir ${CMAKE_BINARY_DIR}/CMakeFiles/lunatic_guest_probe)
  file(WRITE ${probe_dir}/probe.c "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n")
  execute_process(
    COMMAND ${LUNATIC_GUEST_CC} --target=wasm32-wasi --sysroot=${LUNATIC_WASI_SYSROOT}
            -O2 ${probe_dir}/probe.c -o ${probe_dir}/probe.wasm
    RESULT_VARIABLE probe_result OUTPUT_VARIABLE probe_output ERROR_VARIABLE probe_output)
  if(probe_result EQUAL 0)
    set(LUNATIC_GUESTS_WORK ON CACHE INTERNAL "clang builds wasm32-wasi guests")
  else()
    set(LUNATIC_GUESTS_WORK OFF CACHE INTERNAL "clang builds wasm32-wasi guests")
    message(STATUS "lunatic: ${LUNATIC_GUEST_CC} cannot build wasm32-wasi programs; skipping "
                   "guests (install wasi-libc libclang-rt-14-dev-wasm32 lld):\n${probe_output}")
  endif()
elseif(NOT LUNATIC_GUEST_CC)
  set(LUNATIC_GUESTS_WORK OFF)
  message(STATUS "lunatic: clang not found; skipping wasm32-wasi guests (examples, integration tests)")
endif()

function(lunatic_add_guest name)
  cmake_parse_arguments(ARG "" "" "FLAGS" ${ARGN})
  if(NOT LUNATIC_GUESTS_WORK)
    return()
  endif()
  set(target_flags --target=wasm32-wasi --sysroot=${LUNATIC_WASI_SYSROOT})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm)
  set(objects "")
  set(compile_commands "")
  foreach(src IN LISTS ARG_UNPARSED_ARGUMENTS)
    get_filename_component(abs ${src} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    get_filename_component(stem ${src} NAME_WE)
    set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir/${stem}.o)
    list(APPEND objects ${obj})
    list(APPEND sources ${abs})
    list(APPEND compile_commands COMMAND ${LUNATIC_GUEST_CC} ${target_flags} -O2 -Wall -Wextra
         -Werror ${ARG_FLAGS} -c ${abs} -o ${obj})
  endforeach()
  # Compile and link in separate steps: linked with -O, clang runs wasm-opt when it is
  # installed, which drops the "name" section that trap backtraces use. --strip-debug drops
  # the DWARF of wasi-libc (80% of the file) and keeps the names.
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir
    ${compile_commands}
    COMMAND ${LUNATIC_GUEST_CC} ${target_flags} ${objects} -Wl,--strip-debug -o ${out}
    DEPENDS ${sources}
    COMMENT "Building guest ${name}.wasm"
    VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS ${out})
endfunction()
