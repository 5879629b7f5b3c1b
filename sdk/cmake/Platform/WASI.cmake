# The WASI platform for CMake (loaded through wasm32-wasi.cmake): executables are .wasm files,
# static libraries only (wasm-ld has no shared libraries for WASI here).
set(WASI 1)
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_STATIC_LIBRARY_PREFIX "lib")
set(CMAKE_STATIC_LIBRARY_SUFFIX ".a")
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
