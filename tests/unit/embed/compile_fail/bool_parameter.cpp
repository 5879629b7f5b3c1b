// Must not compile: bool has no Wasm mapping, through the public API (built with -I include
// alone: the public headers need nothing of src/).
#include <lunatic/linker.hpp>

void declare(lunatic::Linker& linker) {
  linker.ns("app").define("f", [](bool) {});
}
