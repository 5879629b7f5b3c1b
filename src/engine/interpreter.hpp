// The interpreter's side of a Thread: the Wasm stack (frames and slots) and the entry points
// of the dispatch loop. Internal to the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/code.hpp"
#include "engine/store.hpp"
#include "engine/thread.hpp"

namespace lunatic::engine {

/// One activation of a Wasm function.
struct Frame {
  const CompiledFunction* fn = nullptr;
  Instance* instance = nullptr;
  /// For the top frame when stopped: the instruction to run next. For frames below it: where
  /// to continue when the callee returns, just past the call they wait on (so pc - 1 is
  /// inside the call: its offset names the frame in a backtrace).
  const uint32_t* pc = nullptr;
  Slot* fp = nullptr;  ///< the frame's slot 0, in State::slots
};

/// The Wasm stack of a Thread: everything needed to continue a stopped call.
struct Thread::State {
  enum class Phase : uint8_t { Idle, Ready, Done, Trapped };
  Phase phase = Phase::Idle;
  Function* entry = nullptr;  ///< the function begin_call was given
  /// entry's instance (null for a host function), read by every run: here, on a line the
  /// resume reads anyway, not through the Function (a line of the instance's block).
  Instance* entry_instance = nullptr;
  std::vector<Slot> slots;  ///< all frames' locals and operands; args/results at 0
  /// Storage of the frame stack, frames[0, depth) live: the loop pushes and pops frames as
  /// pointer arithmetic and grows the storage (to at most max_call_depth) only when full.
  std::vector<Frame> frames;
  size_t depth = 0;                ///< 0 while a top-level host call is pending
  std::vector<Slot> host_results;  ///< scratch for host calls with many results
  /// A bulk instruction that stopped at its slice's end (FuelMeter::stopped_at): the top
  /// frame's pc, and the items it wrote; the next run goes on from there. Null otherwise.
  const uint32_t* bulk_pc = nullptr;
  uint64_t bulk_done = 0;

  Frame& top() { return frames[depth - 1]; }
  /// Grows `slots` to `size` slots (at least the current size), moving the frames' fp along.
  void grow_slots(size_t size);
};

/// The dispatch loop and its out-of-line helpers; a friend of Thread.
class Interpreter {
 public:
  using State = Thread::State;
  static RunStatus run(Thread& thread, uint64_t slice);

  // Helpers shared by the loop's files (interpreter_*.cpp).

  /// Pushes a frame for Wasm function `fn` whose params are at slots[fp..], with its locals
  /// zeroed and constants in place. Grows the slots and frames if needed (which moves them);
  /// false if a ThreadLimits limit would be passed. @pre fn's code is lowered (lower_callee).
  static bool push_frame(Thread& thread, const Function& fn, size_t fp);
  /// Lowers Wasm function `fn`'s code if it was not yet (its first call); false, with the
  /// reason in `trap`, for a body that validation should have refused.
  static bool lower_callee(const Function& fn, Trap& trap);
  /// Runs host function `fn` on args at slots[base..], writing its results there on Return
  /// and its trap to `trap` on Trap.
  static HostStatus call_host(Thread& thread, const Function& fn, size_t base, Instance* caller,
                              Trap& trap);
  /// Ends the current call with `trap`, adding the backtrace of the live frames (the top one
  /// at `pc`), and resets the stack. Returns RunStatus::Trapped.
  static RunStatus trap(Thread& thread, Trap trap, const uint32_t* pc);

  // Handing the top frame to a code tier (interpreter_transfer.cpp): a call that yielded at a
  // safepoint continues in native code from that safepoint.

  /// Where the top frame stopped, if at a safepoint: its instance, function, which safepoint
  /// (0 = the entry, i = the i-th loop in code order) and its locals (params first).
  struct SafepointStop {
    Instance* instance = nullptr;
    uint32_t defined_index = 0;
    uint32_t safepoint = 0;
    std::span<const Slot> locals;
  };
  static std::optional<SafepointStop> safepoint_stop(Thread& thread);
  /// Ends the top frame with `results` (its function returned them in another tier): the
  /// interpreter continues in its caller, or the call is Done if it was the last frame.
  static void return_from_top(Thread& thread, std::span<const Slot> results);
  /// Ends the call with `trap`, raised in another tier by the top frame's code: the trap's
  /// backtrace (that tier's frames) is followed by the frames below the top one.
  static RunStatus trap_in_top(Thread& thread, Trap raised);
  /// Thread::resume_lines of a call the interpreter runs: what its next run reads first.
  static size_t resume_lines(const Thread& thread, std::span<HotRange> out);
  static State& state(Thread& thread) { return *thread.state_; }
  static const ThreadLimits& limits(Thread& thread) { return thread.limits_; }
};

}  // namespace lunatic::engine
