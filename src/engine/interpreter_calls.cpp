// Calls and traps for the dispatch loop: pushing Wasm frames on the Thread's stack within its
// limits, running host functions, and turning a trap into a value with a Wasm backtrace.
#include <algorithm>
#include <array>

#include "engine/compiled_module.hpp"
#include "engine/host_results.hpp"
#include "engine/interpreter.hpp"
#include "engine/interpreter_ops.hpp"

namespace lunatic::engine {
namespace {

// A backtrace names at most this many innermost frames: enough to debug, and a trap at the
// call-depth limit does not build thousands of names.
constexpr size_t kMaxBacktraceFrames = 100;

}  // namespace

void Thread::State::grow_slots(size_t size) {
  Slot* old = slots.data();
  slots.resize(size);
  for (size_t i = 0; i < depth; ++i) frames[i].fp = slots.data() + (frames[i].fp - old);
}

bool Interpreter::lower_callee(const Function& callee, Trap& trap) {
  if (callee.code == nullptr || callee.code->is_lowered()) return true;
  const CompiledModule& module = *callee.instance->module;
  Result<const CompiledFunction*> done =
      module.lowered(callee.code->func_index - module.wasm.imported_functions);
  if (done.ok()) return true;
  trap = Trap::host("cannot lower function " + std::to_string(callee.code->func_index) + ": " +
                    done.error().message);
  return false;
}

bool Interpreter::push_frame(Thread& t, const Function& callee, size_t fp) {
  State& s = *t.state_;
  if (callee.code == nullptr) return false;
  const CompiledFunction& fn = *callee.code;
  const size_t max_depth = t.limits_.max_call_depth;
  if (s.depth >= max_depth) return false;
  const size_t end = fp + fn.frame_size;
  if (end > t.limits_.max_stack_slots) return false;
  // Geometric growth, capped by the limits: amortised O(1) per call, and a deep recursion
  // costs memory in proportion to its depth only.
  if (end > s.slots.size()) {
    s.grow_slots(std::min<size_t>(std::max(end, s.slots.size() * 2), t.limits_.max_stack_slots));
  }
  if (s.depth == s.frames.size()) {
    // 4 frames (128 bytes) first: as kInitialSlots (thread.cpp), what an idle process holds.
    s.frames.resize(std::min(std::max<size_t>(4, s.frames.size() * 2), max_depth));
  }
  ops::init_frame(fn, s.slots.data() + fp);
  s.frames[s.depth++] = Frame{&fn, callee.instance, fn.code.data(), s.slots.data() + fp};
  return true;
}

HostStatus Interpreter::call_host(Thread& t, const Function& fn, size_t base, Instance* caller,
                                  Trap& trap) {
  State& s = *t.state_;
  // Slots, not values: a v128 argument or result takes two consecutive entries (value.hpp).
  if (fn.host == nullptr || fn.host->entry == nullptr) {
    trap = Trap::host("host function has no implementation");
    return HostStatus::Trap;
  }
  const size_t n = fn.host_param_slots();
  const size_t r = fn.host_result_slots();
  if (base + std::max(n, r) > s.slots.size()) s.grow_slots(base + std::max(n, r));
  // Results go to a scratch buffer: the host may still read its arguments while writing them.
  // A few fit on the native stack (no allocation per process for the usual host call), zeroed
  // (host_results.hpp).
  InlineHostResults inline_results{};
  Slot* results = inline_results.data();
  if (r > inline_results.size()) {
    s.host_results.assign(r, 0);
    results = s.host_results.data();
  }
  // A trap goes straight to the caller's `trap`: none is built for a call that returns. Memory
  // 0 given (HostCall::memory()'s answer), as the native tier gives it: the loop read the same
  // lines for its own view of it (memory_view), and an adapter that decodes views then asks no
  // further.
  HostCall call{
      t,    caller, std::span<const Slot>(s.slots.data() + base, n), std::span<Slot>(results, r),
      trap, &fn};
  call.memory0 = call.memory();
  const HostStatus status = (*fn.host)(call);
  if (status == HostStatus::Return || status == HostStatus::Yield) {
    copy_host_results(results, r, s.slots.data() + base);
  }
  return status;
}

size_t Interpreter::resume_lines(const Thread& t, std::span<HotRange> out) {
  // In the order a resume reads them (run()'s RELOAD, the call run again, the code after
  // it): the stack's state, the top frame, its slots (the parked call's arguments among
  // them), the instance (its memory list, whether its calls run native code), the list's
  // first entry and memory 0, and
  // a parked call's callee: its entry in the function index space, its Function and its
  // HostEntry (the store's own, per process). In a ring of 10,000 interpreted processes each
  // is a cache miss a hop, which the waker's prefetch overlaps (Process::prefetch_resume).
  size_t n = 0;
  const auto add = [&](const void* at, size_t bytes) {
    if (at != nullptr && bytes != 0 && n < out.size()) {
      out[n++] = HotRange{at, static_cast<uint32_t>(bytes)};
    }
  };
  const State* s = t.state_.get();
  add(s, sizeof(State));
  if (s == nullptr || s->phase != State::Phase::Ready || s->depth == 0) return n;
  const Frame& top = s->frames[s->depth - 1];
  add(&top, sizeof(Frame));
  // Past a few lines the frame's far slots are likely not what the resume reads first.
  constexpr size_t kMaxSlotBytes = 512;
  add(top.fp, std::min<size_t>(size_t{top.fn->frame_size} * sizeof(Slot), kMaxSlotBytes));
  const Instance* in = top.instance;
  if (in == nullptr) return n;
  add(in, sizeof(Instance));
  if (!in->memories.empty()) {
    add(in->memories.data(), sizeof(Memory*));
    add(in->memories[0], sizeof(Memory));
  }
  if (top.pc != nullptr && static_cast<Op>(*top.pc) == Op::Call &&
      top.pc[1] < in->functions.size()) {
    Function* const* entry = &in->functions[top.pc[1]];
    add(entry, sizeof *entry);
    add(*entry, sizeof(Function));
    if (*entry != nullptr) add((*entry)->host, sizeof(HostEntry));
  }
  return n;
}

// The interpreter's frames go below the frames `trap` already holds: those of a call that ran
// in a native tier (an adopted function, native_tier.cpp's call_native), innermost first. A
// host function's trap holds none.
RunStatus Interpreter::trap(Thread& t, Trap trap, const uint32_t* pc) {
  State& s = *t.state_;
  for (size_t i = s.depth; i-- > 0 && trap.backtrace.size() < kMaxBacktraceFrames;) {
    const Frame& f = s.frames[i];
    const uint32_t* at = i + 1 == s.depth ? (pc != nullptr ? pc : f.pc) : f.pc - 1;
    BacktraceFrame frame;
    frame.function_index = f.fn->func_index;
    if (f.instance != nullptr && f.instance->module != nullptr) {
      frame.function_name = f.instance->module->wasm.function_name(frame.function_index);
    }
    if (at != nullptr)
      frame.offset = f.fn->offset_of(static_cast<uint32_t>(at - f.fn->code.data()));
    trap.backtrace.push_back(std::move(frame));
  }
  s.depth = 0;
  s.phase = State::Phase::Trapped;
  t.set_trap(std::move(trap));
  return RunStatus::Trapped;
}

}  // namespace lunatic::engine
