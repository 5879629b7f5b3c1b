// The seam between the tier-neutral engine and a tier that runs a module's functions as
// native code (src/jit): a module may carry a CodeTier; a Thread whose call starts in such a
// module runs it through the tier's Execution instead of the interpreter.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "engine/value.hpp"

namespace lunatic::engine {

class Thread;
struct Function;
enum class RunStatus : uint8_t;

/// One call in progress on a Thread, run by a code tier. Owned by the Thread.
class TierExecution {
 public:
  virtual ~TierExecution() = default;
  /// As Thread::run: runs until the call ends or stops (Yielded, Parked, Trapped: the trap is
  /// set on the Thread). Called again after Yielded or Parked to continue.
  virtual RunStatus run(Thread& thread, uint64_t slice) = 0;
  /// The call's results as slots, once run() returned Done.
  virtual std::span<const Slot> results() const = 0;
};

/// What a module compiled by a code tier offers the engine. Immutable, thread-safe.
class CodeTier {
 public:
  virtual ~CodeTier() = default;
  /// Starts a call of Wasm function `fn` (of an instance of this tier's module) with `args`
  /// (already checked against its type).
  virtual std::unique_ptr<TierExecution> begin(Thread& thread, Function& fn,
                                               std::span<const Slot> args) const = 0;
};

}  // namespace lunatic::engine
