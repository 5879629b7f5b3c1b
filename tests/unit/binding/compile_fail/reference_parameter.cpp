// Must not compile: results go back through GuestPtr<T> or the return value, not a reference.
#include "binding/namespace.hpp"

void f(int32_t&) {}
void declare(lunatic::binding::Namespace& ns) { ns.define("f", &f); }
