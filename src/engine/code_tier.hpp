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
struct Instance;
enum class RunStatus : uint8_t;

/// One call in progress on a Thread, run by a code tier. Owned by the Thread.
/// `bytes` of memory from `at`, read soon: a hint for a prefetch (TierExecution::resume_lines).
struct HotRange {
  const void* at;
  uint32_t bytes;
};

class TierExecution {
 public:
  virtual ~TierExecution() = default;
  /// As Thread::run: runs until the call ends or stops (Yielded, Parked, Trapped: the trap is
  /// set on the Thread). Called again after Yielded or Parked to continue.
  virtual RunStatus run(Thread& thread, uint64_t slice) = 0;
  /// The call's results as slots, once run() returned Done.
  virtual std::span<const Slot> results() const = 0;
  /// Writes up to out.size() ranges of memory that the next run() reads first (the stopped
  /// stack's saved context, the tables its code and host calls reach) and returns how many: a
  /// process that wakes this one prefetches them (Thread::resume_lines). Hints only: by the
  /// time they are read they may be stale or freed, so nothing but a prefetch may use them.
  virtual size_t resume_lines(std::span<HotRange> out) const {
    (void)out;
    return 0;
  }
};

/// What a module compiled by a code tier offers the engine. Immutable, thread-safe.
class CodeTier {
 public:
  virtual ~CodeTier() = default;
  /// Starts a call of Wasm function `fn` (of an instance of this tier's module) with `args`
  /// (already checked against its type).
  virtual std::unique_ptr<TierExecution> begin(Thread& thread, Function& fn,
                                               std::span<const Slot> args) const = 0;
  /// Makes the calls the interpreter makes to `instance`'s functions run this tier's code: an
  /// instance whose module got native code while the interpreter ran one of its calls (a
  /// background compile finishing) runs every call it makes from then on natively. Only the
  /// thread running the instance may call it, between two runs.
  virtual void adopt(Instance& instance) const = 0;
  /// Continues, in this tier, a call of defined function `defined_index` of `instance` that
  /// the interpreter stopped at safepoint `safepoint` (0 = the entry, i = the i-th loop in
  /// code order) with `locals` (params first): on-stack replacement at a loop header. Null
  /// when the tier has no entry at that safepoint. The execution's results are the function's.
  virtual std::unique_ptr<TierExecution> begin_at(Thread& thread, Instance& instance,
                                                  uint32_t defined_index, uint32_t safepoint,
                                                  std::span<const Slot> locals) const = 0;
};

}  // namespace lunatic::engine
