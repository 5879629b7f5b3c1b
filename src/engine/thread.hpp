// Thread: the execution state of one process, its "Wasm stack". All frames, locals and operands
// live here, never on the native stack, so execution can stop at a safepoint or a host call and
// resume later on any OS thread (DESIGN.md, "Resumable by construction").
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/result.hpp"
#include "engine/code_tier.hpp"
#include "engine/store.hpp"
#include "engine/trap.hpp"
#include "engine/value.hpp"

namespace lunatic::engine {

enum class RunStatus : uint8_t {
  Done,     ///< the call returned; results() holds its results
  Yielded,  ///< the slice budget is used up; run() again to continue
  Parked,   ///< a host function returned Park; run() again to re-execute that call
  Trapped,  ///< trap() says why (including Killed, OutOfFuel and Exit)
};

struct ThreadLimits {
  uint32_t max_call_depth = 10'000;     ///< frames; past it: "call stack exhausted"
  uint32_t max_stack_slots = 1u << 20;  ///< locals + operands (8 MiB); past it: the same trap
};

class Thread {
 public:
  explicit Thread(Store& store, ThreadLimits limits = {});
  ~Thread();
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;

  Store& store() { return store_; }

  /// Prepares a call of `fn` with `args` (checked against its type: count and types).
  /// @pre no call is in progress (the previous run ended Done or Trapped).
  Result<void> begin_call(Function* fn, std::span<const Value> args);

  /// Runs until the call ends or stops. `slice` bounds the work of this run in fuel units
  /// (DESIGN.md "Safepoints"): when it is used up at a safepoint, returns Yielded.
  RunStatus run(uint64_t slice = UINT64_MAX);

  /// Results of the finished call, typed by the function's result types. @pre last run Done.
  std::vector<Value> results() const;
  /// @pre last run Trapped.
  const Trap& trap() const;

  /// Total fuel this thread may still burn; running out traps with OutOfFuel. nullopt = no limit.
  void set_fuel(std::optional<uint64_t> fuel) { fuel_ = fuel; }
  std::optional<uint64_t> fuel() const { return fuel_; }

  /// Asked when a slice ends at a safepoint, with the size of the slice that ended: the size
  /// of a new slice that goes on in place instead of stopping with Yielded, or 0 (stop). The
  /// embedder answers whether anything else waits for the OS thread (a scheduler: its run
  /// queue is empty), so a lone process pays no stop and resume per slice, and how long it may
  /// then run before it is asked again. Fuel is charged the same either way, and every tier
  /// asks at the same safepoints with the same sizes. Null (the default): every slice end
  /// stops.
  using SliceExtension = uint64_t (*)(void* context, uint64_t ended);
  void set_slice_extension(SliceExtension extension, void* context) {
    slice_extension_ = extension;
    slice_extension_context_ = context;
  }
  /// For tiers, at the end of a slice of `ended` units: the next slice's units, 0 to stop
  /// (see set_slice_extension), at most INT64_MAX (the tiers' meters are signed).
  uint64_t extend_slice(uint64_t ended) const {
    if (slice_extension_ == nullptr) return 0;
    return std::min<uint64_t>(slice_extension_(slice_extension_context_, ended), INT64_MAX);
  }

  /// Asks the thread to stop with TrapKind::Killed at its next safepoint. Thread-safe.
  void request_kill() { kill_requested_.store(true, std::memory_order_relaxed); }

  // For code tiers (code_tier.hpp): what the interpreter reaches as a friend.
  const ThreadLimits& limits() const { return limits_; }
  /// Takes a pending kill request (true at most once per request). A plain load first: the
  /// exchange is a locked instruction, and compiled code's safepoints poll often.
  bool take_kill_request() {
    return kill_requested_.load(std::memory_order_relaxed) &&
           kill_requested_.exchange(false, std::memory_order_relaxed);
  }
  /// Whether a kill is pending, without taking it (a cheap poll).
  bool kill_requested() const { return kill_requested_.load(std::memory_order_relaxed); }
  void set_trap(Trap trap);
  /// A call into another tier made by the interpreter that has not ended (it parked or its
  /// slice ended): the interpreter re-executes the call, which continues this one.
  std::unique_ptr<TierExecution>& nested() { return nested_; }
  /// The slice of the run in progress (a nested tier's call gets as much).
  uint64_t slice() const { return slice_; }
  /// Frames of the interpreter's call in progress (a call it makes into another tier starts
  /// one deeper: the depth limit counts the frames of every tier).
  uint32_t interpreter_depth() const;
  /// Where `p` lies in the interpreter's slot stack (the fp of a frame that begins there):
  /// the arguments of a call the interpreter makes into another tier, or the locals of the
  /// frame it hands over; 0 for anything else (a call from outside, which starts at 0). A
  /// code tier counts its frames' slots from there, as the interpreter would
  /// (ThreadLimits::max_stack_slots).
  uint32_t interpreter_slot_index(const Slot* p) const;
  /// Writes up to out.size() ranges of memory that the next run() reads first (its code
  /// tier's TierExecution::resume_lines, or the interpreter's: its stack's state, top frame
  /// and slots, the instance, memory 0 and a parked call's callee) and returns how many. Hints
  /// for a prefetch by whoever wakes the thread's process: they may be stale by then.
  size_t resume_lines(std::span<HotRange> out) const;
  /// Frames handed over to a faster tier so far (on-stack replacement: the interpreter's to
  /// a code tier, the baseline's to LLVM's).
  uint64_t transfers() const { return transfers_; }
  /// For code tiers: one more frame handed over.
  void note_transfer() { ++transfers_; }
  /// Fuel the interpreter charged to the call in progress (not what other tiers charged).
  uint64_t interpreted_fuel() const { return interpreted_fuel_; }
  /// Calls begun from now on run their first `fuel` units in the interpreter, then the calls
  /// they make run in their module's code tier (when it has one) and the interpreter's top
  /// frame moves there at its next loop header (CodeTier::adopt, begin_at). 0 (the default):
  /// a call of a module with a code tier begins there.
  void set_interpret_first(uint64_t fuel) { interpret_first_ = fuel; }
  uint64_t interpret_first() const { return interpret_first_; }

  /// Embedder data for host functions (the lunatic process this thread runs).
  void* host_context = nullptr;

  /// Convenience: begin_call, then run until Done or Trapped (a Park is an error here:
  /// there is nobody to wake the thread). Traps come back as Error{Phase::Trap}.
  Result<std::vector<Value>> call(Function* fn, std::span<const Value> args);

 private:
  friend class Interpreter;
  RunStatus run_transferred(uint64_t slice);
  void transfer_top_frame();
  /// Makes `instance` run its module's code tier once the call has run interpret_first_ fuel
  /// in the interpreter (CodeTier::adopt).
  void adopt_when_due(Instance* instance);
  struct State;  ///< frames and slots, defined by the interpreter
  Store& store_;
  ThreadLimits limits_;
  std::unique_ptr<State> state_;
  /// The call in progress when a code tier runs it (null: the interpreter runs it).
  std::unique_ptr<TierExecution> tier_;
  /// The type of tier_'s entry function, for results(): on this line, which every run reads,
  /// not through the Function (its instance's block) or State, which native code never reads:
  /// a short process's results read both cold, 2% of spawn_join's time in the baseline's code.
  const wasm::FuncType* tier_type_ = nullptr;
  std::unique_ptr<TierExecution> nested_;
  /// The interpreter's top frame, continued by a code tier (on-stack replacement).
  std::unique_ptr<TierExecution> transferred_;
  uint64_t slice_ = UINT64_MAX;
  uint64_t transfers_ = 0;
  /// Fuel the interpreter charged to the call in progress (adopt_when_due compares it with
  /// interpret_first_).
  uint64_t interpreted_fuel_ = 0;
  uint64_t interpret_first_ = 0;  ///< set_interpret_first
  /// The last run's trap: out of line, as few threads ever trap (64 bytes less per process).
  std::unique_ptr<Trap> trap_;
  std::optional<uint64_t> fuel_;
  std::atomic<bool> kill_requested_{false};
  SliceExtension slice_extension_ = nullptr;
  void* slice_extension_context_ = nullptr;
};

}  // namespace lunatic::engine
