// Must not compile: a mutable lambda keeps host state in the function, not in the process.
#include <lunatic/linker.hpp>

void declare(lunatic::Linker& linker) {
  linker.ns("app").define("f", [n = 0](int32_t x) mutable { n += x; });
}
