// Must not compile: a host function cannot return a guest view or a C++ string.
#include <string>

#include "binding/namespace.hpp"

std::string f(int32_t) { return {}; }
void declare(lunatic::binding::Namespace& ns) { ns.define("f", &f); }
