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
  /// For the top frame when stopped: the instruction to run next. For frames below it: the
  /// call instruction they are waiting on (its offset names the frame in a backtrace).
  const uint32_t* pc = nullptr;
  size_t fp = 0;  ///< index of the frame's slot 0 in State::slots
};

/// The Wasm stack of a Thread: everything needed to continue a stopped call.
struct Thread::State {
  enum class Phase : uint8_t { Idle, Ready, Done, Trapped };
  Phase phase = Phase::Idle;
  Function* entry = nullptr;      ///< the function begin_call was given
  std::vector<Slot> slots;        ///< all frames' locals and operands; args/results at 0
  std::vector<Frame> frames;      ///< empty while a top-level host call is pending
  std::vector<Slot> host_results; ///< scratch for host calls
};

/// The dispatch loop and its out-of-line helpers; a friend of Thread.
class Interpreter {
 public:
  using State = Thread::State;
  static RunStatus run(Thread& thread, uint64_t slice);

  // Helpers shared by the loop's files (interpreter_*.cpp).

  /// Pushes a frame for Wasm function `fn` whose params are at slots[fp..]. Grows the slot
  /// vector if needed; false if a ThreadLimits limit would be passed.
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
