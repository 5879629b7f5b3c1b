// Must not compile: a generic lambda has no fixed signature to derive a Wasm type from.
#include "binding/namespace.hpp"

void declare(lunatic::binding::Namespace& ns) {
  ns.define("f", [](auto x) { return x; });
}
