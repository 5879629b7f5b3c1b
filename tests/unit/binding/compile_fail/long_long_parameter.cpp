// Must not compile: long long is not one of the fixed-width types (int64_t is long here).
#include "binding/namespace.hpp"

void f(long long) {}
void declare(lunatic::binding::Namespace& ns) { ns.define("f", &f); }
