# Warnings are errors everywhere in our own code.
add_compile_options(-Wall -Wextra -Werror -Werror=vla)
# g++ 12 at -O3 (Release) reports false positives inside std::string's operator+ (GCC bug
# 105329 and its relatives): -Wrestrict (e.g. in wasm::FuncType::to_string), and
# -Wstringop-overflow and -Warray-bounds (`const char* + std::string&&`, "bound between 2^63+2
# and 2^64-1", in src/jit). They stay warnings there but do not stop the build.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-restrict -Wno-error=stringop-overflow -Wno-error=array-bounds)
endif()
