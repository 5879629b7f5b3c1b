// Must not compile: bool has no Wasm mapping (the guest ABI passes flags as i32).
#include "binding/namespace.hpp"

void f(bool) {}
void declare(lunatic::binding::Namespace& ns) { ns.define("f", &f); }
