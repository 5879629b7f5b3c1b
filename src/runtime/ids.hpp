// The identifiers and the exit status every part of the runtime shares.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/trap.hpp"
#include "engine/value.hpp"

namespace lunatic::runtime {

/// A process id: global to one Runtime, starting at 1, never reused while the Runtime lives.
/// 0 is never a process.
using ProcessId = uint64_t;

/// A message tag (also a link's tag). Receive filters compare tags exactly.
using Tag = int64_t;

/// How a process ended.
struct ExitStatus {
  enum class Kind : uint8_t {
    Normal,  ///< the entry function returned, or the guest called proc_exit(0)
    Failed,  ///< a trap, out of fuel, proc_exit(non-zero), or a failed start
    Killed,  ///< kill(), a linked process's failure, or runtime shutdown
  };
  Kind kind = Kind::Normal;
  /// Why it failed or was killed (TrapKind::Exit for proc_exit, with its code); nullopt if the
  /// entry function returned.
  std::optional<engine::Trap> trap;
  /// Results of the entry function when it returned (Normal without a trap).
  std::vector<engine::Value> results;

  /// A failure propagates over links; a normal exit does not (issue 4: proc_exit(0) is normal).
  bool failed() const { return kind != Kind::Normal; }
  /// The guest's exit code: proc_exit's code, 0 for a normal return, 1 for other failures.
  int32_t exit_code() const;
  /// One line for people: "normal", "exit(3)", "trap: integer divide by zero", "killed: ...".
  std::string to_string() const;
};

}  // namespace lunatic::runtime
