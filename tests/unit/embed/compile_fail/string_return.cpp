// Must not compile: a host function returns void, a scalar or HostResult of one.
#include <lunatic/linker.hpp>

#include <string>

void declare(lunatic::Linker& linker) {
  linker.ns("app").define("f", []() { return std::string("no"); });
}
