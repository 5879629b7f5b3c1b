// Traps are values: a kind plus the spec's canonical message, never a C++ exception. The
// engine uses the embedding API's own type (lunatic/trap.hpp), so a trap crosses that API as
// it is, and the two can never drift apart.
#pragma once

#include <lunatic/trap.hpp>

namespace lunatic::engine {

using ::lunatic::BacktraceFrame;
using ::lunatic::Trap;
using ::lunatic::trap_message;
using ::lunatic::TrapKind;

}  // namespace lunatic::engine
