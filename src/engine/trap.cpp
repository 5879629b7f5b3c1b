// The canonical trap messages: the texts the spec suite's assert_trap expects (declared by the
// embedding API's lunatic/trap.hpp, which the engine's traps are).
#include "engine/trap.hpp"

namespace lunatic {

const char* trap_message(TrapKind kind) {
  switch (kind) {
    case TrapKind::Unreachable: return "unreachable";
    case TrapKind::MemoryOutOfBounds: return "out of bounds memory access";
    case TrapKind::TableOutOfBounds: return "out of bounds table access";
    case TrapKind::UndefinedElement: return "undefined element";
    case TrapKind::UninitializedElement: return "uninitialized element";
    case TrapKind::IndirectCallTypeMismatch: return "indirect call type mismatch";
    case TrapKind::IntegerDivideByZero: return "integer divide by zero";
    case TrapKind::IntegerOverflow: return "integer overflow";
    case TrapKind::InvalidConversion: return "invalid conversion to integer";
    case TrapKind::CallStackExhausted: return "call stack exhausted";
    case TrapKind::OutOfFuel: return "out of fuel";
    case TrapKind::Killed: return "killed";
    case TrapKind::Exit: return "exit";
    case TrapKind::Host: return "host trap";
  }
  return "unknown trap";
}

}  // namespace lunatic
