# find_package(Lunatic): for a host CMake project (no toolchain file) that builds lunatic
# guests. Gives lunatic_add_guest(NAME SOURCES...) (target guest_NAME, file NAME.wasm),
# LUNATIC_SDK_INCLUDE_DIR and LUNATIC_EXECUTABLE (the installed `lunatic`). Projects
# configured with wasm32-wasi-toolchain.cmake use `include(LunaticGuest)` instead.
include(${CMAKE_CURRENT_LIST_DIR}/LunaticGuest.cmake)
get_filename_component(LUNATIC_EXECUTABLE ${CMAKE_CURRENT_LIST_DIR}/../../../bin/lunatic ABSOLUTE)
set(Lunatic_FOUND TRUE)
