# Warnings are errors everywhere in our own code.
add_compile_options(-Wall -Wextra -Werror -Werror=vla)
# g++ 12 at -O3 (Release) reports -Wrestrict false positives inside std::string's operator+
# (GCC bug 105329), e.g. in wasm::FuncType::to_string, and -Wstringop-overflow ones in the same
# operator+ (`const char* + std::string&&`: "specified bound between 2^63+2 and 2^64-1", e.g. in
# jit/runtime_helpers.cpp); both warnings are unreliable there.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-restrict -Wno-stringop-overflow)
endif()
