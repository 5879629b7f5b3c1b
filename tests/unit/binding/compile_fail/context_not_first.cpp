// Must not compile: the CallContext& parameter must come first.
#include "binding/namespace.hpp"

void f(int32_t, lunatic::binding::CallContext&) {}
void declare(lunatic::binding::Namespace& ns) { ns.define("f", &f); }
