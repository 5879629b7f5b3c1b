// Traps as the embedding API reports them: why guest code stopped, with the spec's canonical
// message and the Wasm backtrace. Values, never C++ exceptions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lunatic {

/// Why a guest stopped.
enum class TrapKind : uint8_t {
  Unreachable,               ///< "unreachable"
  MemoryOutOfBounds,         ///< "out of bounds memory access"
  TableOutOfBounds,          ///< "out of bounds table access"
  UndefinedElement,          ///< "undefined element"
  UninitializedElement,      ///< "uninitialized element"
  IndirectCallTypeMismatch,  ///< "indirect call type mismatch"
  IntegerDivideByZero,       ///< "integer divide by zero"
  IntegerOverflow,           ///< "integer overflow"
  InvalidConversion,         ///< "invalid conversion to integer"
  CallStackExhausted,        ///< "call stack exhausted"
  OutOfFuel,                 ///< "out of fuel"
  Killed,                    ///< the process was killed
  Exit,                      ///< the guest called proc_exit; `exit_code` holds the status
  Host,                      ///< a host function trapped; the message says why
};

/// The spec's canonical message for a kind ("integer divide by zero", ...).
const char* trap_message(TrapKind kind);

/// One frame of a Wasm backtrace, innermost first.
struct BacktraceFrame {
  uint32_t function_index = 0;  ///< in the instance's function index space
  std::string function_name{};  ///< from the name section or an export; may be empty
  uint32_t offset = 0;          ///< byte offset of the instruction in the module
};

/// A trap: its kind, its message, proc_exit's code, and where it happened.
struct Trap {
  TrapKind kind = TrapKind::Unreachable;
  std::string message{};  ///< trap_message(kind), or the reason of a host trap or a kill
  int32_t exit_code = 0;  ///< TrapKind::Exit only
  std::vector<BacktraceFrame> backtrace{};

  static Trap of(TrapKind kind) { return Trap{kind, trap_message(kind), 0, {}}; }
  /// What a host function returns to stop its caller: "why" is the message.
  static Trap host(std::string why) { return Trap{TrapKind::Host, std::move(why), 0, {}}; }
  /// proc_exit(code).
  static Trap exit(int32_t code) { return Trap{TrapKind::Exit, "exit", code, {}}; }
  /// A kill with a reason ("killed: WHY" in an exit status), for Runtime::kill.
  static Trap killed(std::string why) { return Trap{TrapKind::Killed, std::move(why), 0, {}}; }
};

}  // namespace lunatic
