# find_package(Lunatic) in a host project (no toolchain file) gives:
#  - the embedding API (docs/embedding.md): the targets lunatic::runtime and lunatic::engine;
#  - lunatic guests built from the same project: lunatic_add_guest(NAME SOURCES...) (target
#    guest_NAME, file NAME.wasm), LUNATIC_SDK_INCLUDE_DIR and LUNATIC_EXECUTABLE (the installed
#    `lunatic`).
# Projects configured with wasm32-wasi-toolchain.cmake use `include(LunaticGuest)` instead.
include(${CMAKE_CURRENT_LIST_DIR}/LunaticGuest.cmake)
get_filename_component(LUNATIC_EXECUTABLE ${CMAKE_CURRENT_LIST_DIR}/../../../bin/lunatic ABSOLUTE)
if(NOT CMAKE_SYSTEM_NAME STREQUAL "WASI" AND NOT TARGET lunatic::runtime)
  include(CMakeFindDependencyMacro)
  find_dependency(Threads)
  include(${CMAKE_CURRENT_LIST_DIR}/LunaticTargets.cmake)
endif()
set(Lunatic_FOUND TRUE)
