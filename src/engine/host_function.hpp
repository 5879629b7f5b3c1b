// The raw interface of a host function as the interpreter calls it. The typed binding layer
// (src/binding, a later issue) builds on this; the minimal WASI of the CLI uses it directly.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <variant>

#include "engine/trap.hpp"
#include "engine/value.hpp"
#include "wasm/types.hpp"

namespace lunatic::engine {

class Thread;
struct Function;
struct Instance;
class Memory;

/// What a host function tells the interpreter.
enum class HostStatus : uint8_t {
  Return,   ///< results are written; continue after the call
  Trap,     ///< the guest traps with HostCall::trap
  Park,     ///< the process must wait: the interpreter stops with RunStatus::Parked, leaving
            ///< the call's arguments on the stack, and re-executes the same call on resume
  Yield,    ///< results are written and the call is over, but the slice ends here: the
            ///< interpreter stops with RunStatus::Yielded after the call (sched_yield)
  Preempt,  ///< the call is not over but the slice ends: the interpreter stops with
            ///< RunStatus::Yielded and re-executes the same call on resume (a call into native
            ///< code whose slice ended, see CodeTier::adopt)
};

/// Everything a host function may touch during one call.
struct HostCall {
  Thread& thread;
  Instance* caller;  ///< instance whose code made the call (null at top level)
  /// One slot per argument, two consecutive ones (bytes 0..7, 8..15) for a v128.
  std::span<const Slot> args;
  std::span<Slot> results;           ///< sized to the results' slots (two for a v128)
  Trap trap;                         ///< set when returning HostStatus::Trap
  const Function* callee = nullptr;  ///< the function called (its host callable is running)

  /// The caller's memory 0, or null if it has none.
  Memory* memory() const;
  /// Charges `units` of fuel for work the host does for the caller (both tiers keep the
  /// thread's fuel current during a host call). False, and nothing charged, when the thread
  /// has less left: the host function should then fail with TrapKind::OutOfFuel.
  bool charge_fuel(uint64_t units) const;
  HostStatus fail(Trap t) {
    trap = std::move(t);
    return HostStatus::Trap;
  }
};

using HostFunction = std::function<HostStatus(HostCall&)>;

}  // namespace lunatic::engine
