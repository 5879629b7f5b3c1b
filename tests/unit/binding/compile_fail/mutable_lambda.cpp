// Must not compile: a mutable lambda is state shared by every process calling it.
#include "binding/namespace.hpp"

void declare(lunatic::binding::Namespace& ns) {
  ns.define("count", [n = 0]() mutable -> int32_t { return ++n; });
}
