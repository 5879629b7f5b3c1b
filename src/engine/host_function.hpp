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
  std::span<Slot> results;  ///< sized to the results' slots (two for a v128)
  /// Set (assigned whole) when returning HostStatus::Trap; otherwise left as it is. The tier's
  /// own, living longer than the call: a Trap is 72 bytes to build and destroy, and a host call
  /// that returns (nearly all of them) never touches it.
  Trap& trap;
  const Function* callee = nullptr;  ///< the function called (its host callable is running)
  /// The caller's memory 0 when the tier has it at hand (compiled code keeps it for its own
  /// accesses; the interpreter reads it with its own view of it): from the instance, every
  /// host call that takes a guest pointer reads two lines of it, cold in a ring of 10,000
  /// processes. Null: memory() reads it from the caller when a host function asks (a call
  /// assembled by hand, a caller without memory).
  Memory* memory0 = nullptr;

  /// The caller's memory 0, or null if it has none (inline in engine/store.hpp).
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

/// A host function as a type-erased callable (the minimal WASI of the CLI, tests). The store
/// calls it through a HostEntry like any other.
using HostFunction = std::function<HostStatus(HostCall&)>;

/// A host function as a plain function pointer and the context it is given: the tiers call
/// `entry` directly, with no type-erased hop between them and the function (the binding
/// layer's adapters, generated per signature, come this way).
struct DirectHostFunction {
  using Entry = HostStatus (*)(const void* context, HostCall& call);
  Entry entry = nullptr;  ///< null: the function has no implementation (calls trap)
  /// What `entry` is given; every store the function is added to keeps it alive.
  std::shared_ptr<const void> context;
};

/// What Function::host points to: the entry, its context and the slots of the function's
/// parameters and results (two for a v128), counted once when the function is added to a
/// store: the tiers read them on every call instead of walking the type's vectors.
struct HostEntry {
  DirectHostFunction::Entry entry = nullptr;
  const void* context = nullptr;
  uint32_t param_slots = 0;
  uint32_t result_slots = 0;

  HostStatus operator()(HostCall& call) const { return entry(context, call); }
};

}  // namespace lunatic::engine
