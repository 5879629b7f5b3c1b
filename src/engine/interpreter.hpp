// The interpreter's side of a Thread: the Wasm stack (frames and slots) and the entry points
// of the dispatch loop. Internal to the engine.
#pragma once

#include <cstdint>
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
  std::vector<Slot> slots;    ///< all frames' locals and operands; args/results at 0
  /// Storage of the frame stack, frames[0, depth) live: the loop pushes and pops frames as
  /// pointer arithmetic and grows the storage (to at most max_call_depth) only when full.
  std::vector<Frame> frames;
  size_t depth = 0;                ///< 0 while a top-level host call is pending
  std::vector<Slot> host_results;  ///< scratch for host calls with many results

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
  /// false if a ThreadLimits limit would be passed.
  static bool push_frame(Thread& thread, const Function& fn, size_t fp);
  /// Runs host function `fn` on args at slots[base..], writing its results there on Return
  /// and its trap to `trap` on Trap.
  static HostStatus call_host(Thread& thread, const Function& fn, size_t base, Instance* caller,
                              Trap& trap);
  /// Ends the current call with `trap`, adding the backtrace of the live frames (the top one
  /// at `pc`), and resets the stack. Returns RunStatus::Trapped.
  static RunStatus trap(Thread& thread, Trap trap, const uint32_t* pc);
  static State& state(Thread& thread) { return *thread.state_; }
  static const ThreadLimits& limits(Thread& thread) { return thread.limits_; }
};

}  // namespace lunatic::engine
