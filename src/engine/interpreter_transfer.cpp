// Handing the top frame to a code tier: where it stopped (a safepoint, by index), and ending
// it with the results or the trap the tier produced, so the interpreter continues below it.
#include <algorithm>

#include "engine/compiled_module.hpp"
#include "engine/interpreter.hpp"

namespace lunatic::engine {

std::optional<Interpreter::SafepointStop> Interpreter::safepoint_stop(Thread& t) {
  State& s = *t.state_;
  if (s.phase != State::Phase::Ready || s.depth == 0) return std::nullopt;
  const Frame& top = s.top();
  const CompiledFunction& fn = *top.fn;
  if (top.pc == nullptr || static_cast<Op>(*top.pc) != Op::Safepoint) return std::nullopt;
  // Safepoints in code order: the entry's first, then one per loop.
  const uint32_t* pc = fn.code.data();
  uint32_t index = 0;
  while (pc < top.pc) {
    if (static_cast<Op>(*pc) == Op::Safepoint) ++index;
    pc += instruction_words(pc);
  }
  if (pc != top.pc) return std::nullopt;
  SafepointStop stop;
  stop.instance = top.instance;
  stop.defined_index = fn.func_index - top.instance->module->wasm.imported_functions;
  stop.safepoint = index;
  stop.locals = std::span<const Slot>(top.fp, fn.param_count + fn.local_count);
  return stop;
}

void Interpreter::return_from_top(Thread& t, std::span<const Slot> results) {
  State& s = *t.state_;
  Frame& top = s.top();
  std::copy(results.begin(), results.end(), top.fp);  // a frame returns in its slots 0..r-1
  if (--s.depth == 0) s.phase = State::Phase::Done;
}

RunStatus Interpreter::trap_in_top(Thread& t, Trap raised) {
  State& s = *t.state_;
  --s.depth;  // the top frame's part of the backtrace is the tier's, already in `raised`
  return trap(t, std::move(raised), s.depth > 0 ? s.top().pc - 1 : nullptr);
}

}  // namespace lunatic::engine
