# Kept for existing command lines: the toolchain file now lives with the SDK.
include(${CMAKE_CURRENT_LIST_DIR}/../sdk/cmake/wasm32-wasi-toolchain.cmake)
