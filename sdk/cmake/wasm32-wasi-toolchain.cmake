# Toolchain file for guests built as their own CMake project:
#   cmake -S my_guest -B build -DCMAKE_TOOLCHAIN_FILE=<prefix>/lib/cmake/lunatic/wasm32-wasi-toolchain.cmake
# produces wasm32-wasi commands (NAME.wasm) with clang and Debian's wasi-libc (packages: clang
# lld wasi-libc libclang-rt-14-dev-wasm32; C++: libc++-14-dev-wasm32 libc++abi-14-dev-wasm32).
# `include(LunaticGuest)` then gives lunatic_add_guest() (this folder is on the module path).
set(CMAKE_SYSTEM_NAME WASI)  # defined in Platform/WASI.cmake next to this file
list(APPEND CMAKE_MODULE_PATH ${CMAKE_CURRENT_LIST_DIR})
set(CMAKE_SYSTEM_PROCESSOR wasm32)

set(LUNATIC_WASI_SYSROOT "/usr" CACHE PATH "Sysroot holding wasi-libc")
find_program(LUNATIC_WASI_CLANG NAMES clang clang-14 REQUIRED)
find_program(LUNATIC_WASI_CLANGXX NAMES clang++ clang++-14)
set(CMAKE_C_COMPILER ${LUNATIC_WASI_CLANG})
if(LUNATIC_WASI_CLANGXX)
  set(CMAKE_CXX_COMPILER ${LUNATIC_WASI_CLANGXX})  # C++ also needs libc++ built for wasm32
endif()
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
set(CMAKE_SYSROOT ${LUNATIC_WASI_SYSROOT})
set(CMAKE_EXECUTABLE_SUFFIX .wasm)
# The engine has no Wasm exception handling, and libc++'s headers call __cxa_throw unless
# exceptions are off: C++ guests link only with -fno-exceptions (throws become aborts).
# -O2 by default: guests run in an interpreter, where unoptimized code costs several times
# more (a build type's flags come after these, so Release's -O3 still wins).
set(CMAKE_C_FLAGS_INIT "-O2")
set(CMAKE_CXX_FLAGS_INIT "-O2 -fno-exceptions")

# Look for headers and libraries in the sysroot only, programs on the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
