// Unreachable code (after br, br_table, return or unreachable, to the end of its block) is
// dropped by every pass that emits code; only its block structure is followed. One rule, so
// that the interpreter's lowering and the compiled tier see the same loops (their safepoints).
#pragma once

#include <cstdint>

#include "wasm/opcode.hpp"

namespace lunatic::wasm {

/// For an instruction met while the code is unreachable: true if it is to be skipped. `depth`
/// counts the blocks opened inside the unreachable code (start at 0). The `end` or `else`
/// that closes the unreachable part is not skipped: it ends it.
inline bool skip_unreachable(Opcode op, uint32_t& depth) {
  if (op == Opcode::Block || op == Opcode::Loop || op == Opcode::If) {
    ++depth;
    return true;
  }
  if (depth > 0) {
    if (op == Opcode::End) --depth;
    return true;
  }
  return op != Opcode::End && op != Opcode::Else;
}

}  // namespace lunatic::wasm
