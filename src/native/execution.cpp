// Execution: the fiber's life (start, stop at a safepoint or in a host call, continue, end),
// the fuel meter, calls out of compiled code, and traps with their backtrace.
#include "native/execution.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <string>
#include <utility>

#include "engine/compiled_module.hpp"
#include "engine/host_results.hpp"
#include "engine/value.hpp"
#include "native/native_tier.hpp"

namespace lunatic::native {

// Every process parked in native code holds one: 512 bytes is a size class of mimalloc's (576
// took a 640-byte one). Keep it there (docs/benchmarks.md, "What an idle process holds, fourth
// pass").
static_assert(sizeof(Execution) <= 512, "Execution left its allocator size class");

using engine::RunStatus;
using engine::Trap;
using engine::TrapKind;

namespace {

// A backtrace names at most this many innermost frames (as the interpreter's).
constexpr size_t kMaxBacktraceFrames = 100;

uint32_t defined_index(const engine::Function& fn) {
  return static_cast<uint32_t>(&fn - fn.instance->defined_functions.data());
}

}  // namespace

Execution::Execution(const NativeTier& tier, engine::Thread& thread, const Start& start)
    : tier_(&tier),
      thread_(thread),
      defined_index_(start.defined_index),
      safepoint_(start.safepoint) {
  const wasm::Module& wasm = start.instance->module->wasm;
  // Counted in slots (a v128 takes two), as the args are.
  const size_t results =
      engine::slot_count(wasm.function_type(wasm.imported_functions + defined_index_).results);
  // An OSR entry reads the locals (const) and writes the results apart from them.
  results_at_ = safepoint_ ? static_cast<uint32_t>(start.args.size()) : 0;
  slots_.assign(safepoint_ ? start.args.size() + results : std::max(start.args.size(), results), 0);
  std::copy(start.args.begin(), start.args.end(), slots_.begin());
  // The interpreter's frames below count against the depth limit (an OSR'd frame replaces
  // the interpreter's top one).
  const uint32_t below = thread.interpreter_depth();
  base_depth_ = safepoint_ && below > 0 ? below - 1 : below;
  ctx_.depth = base_depth_;
  ctx_.runtime = this;
  ctx_.max_depth = thread.limits().max_call_depth;
  // The first frame's slots count from where the interpreter would have put it (abi.hpp).
  ctx_.frame_fp = thread.interpreter_slot_index(start.args.data());
  ctx_.max_slots = thread.limits().max_stack_slots;
  // The stack is taken by the first run(), not here: a burst of spawns queues many processes
  // before any of them runs, and each one holding a segment from its spawn on put most of
  // them past the pool's warm segments (a page fault on each, a madvise and its TLB shootdown
  // at their ends). Taken as it first runs, a short-lived process hands the next one the
  // segment it just left, its pages still mapped.
  bind(*start.instance);
}

Execution::~Execution() { release_stack(); }

void Execution::body(void* arg) {
  auto& self = *static_cast<Execution*>(arg);
  const NativeCode& code = self.tier_->code();
  if (self.safepoint_) {
    code.osr_entry(self.defined_index_)(&self.ctx_, self.slots_.data(), *self.safepoint_,
                                        self.slots_.data() + self.results_at_);
  } else {
    code.entry(self.defined_index_)(&self.ctx_, self.slots_.data());
  }
  // Back in the entry function's frame (its callees have returned): the guest's last stretch.
  self.leave_guest(false, self.defined_index_);  // (a trap skips it: no one runs it again)
  self.save_fuel();
  self.status_ = RunStatus::Done;
  self.over_ = true;
}

RunStatus Execution::run(engine::Thread& thread, uint64_t slice) {
  (void)thread;  // always thread_: an Execution belongs to the Thread that began it
  if (over_) return status_;
  const bool killed = thread_.take_kill_request();
  if (!killed && !fiber_) set_up_stack();
  if (killed || !fiber_) {
    thread_.set_trap(killed ? Trap::of(TrapKind::Killed)
                            : Trap::host("cannot reserve a native stack for compiled code"));
    status_ = RunStatus::Trapped;
    over_ = true;
    release_stack();
    return status_;
  }
  slice_ = slice > uint64_t{INT64_MAX} ? INT64_MAX : static_cast<int64_t>(slice);
  slice_left_ = slice_;
  fuel_left_ = thread_.fuel().value_or(UINT64_MAX);
  ctx_.budget = granted_ = 0;  // the next safepoint takes the exact path
  // Where a trap of this slice goes (trap_): one Trap a slice, on the worker's stack, instead
  // of one built and destroyed in every host call.
  Trap trap;
  trap_ = &trap;
  fiber_->resume();
  trap_ = nullptr;
  if (over_) release_stack();
  return status_;
}

std::span<const Slot> Execution::results() const {
  if (!over_ || status_ != RunStatus::Done) return {};
  return std::span<const Slot>(slots_).subspan(results_at_);
}

size_t Execution::resume_lines(std::span<engine::HotRange> out) const {
  // In the order a resume reads them: this object (its Context), the stopped stack's saved
  // registers and the frames just above them, then what the host call that parked (it runs
  // again) and the code after it reach: the function index space (host calls go through it),
  // memory 0 and table 0 (refresh(), HostCall::memory0), and the instance's memory list
  // (Process::record_slice; the instance itself no hop reads).
  const engine::Instance* in = ctx_.instance;
  // The fiber's frames from its saved registers up to the shadow entries in use: on the small
  // segment they share a page, and a resume returns through all of them (the parked host
  // call's argument slots ~300 bytes up, the compiled frames above). 192 bytes left the
  // arguments' line cold: the first load of the re-executed receive took 6% of a ring's
  // samples (perf annotate).
  const void* saved = fiber_ ? fiber_->saved_context() : nullptr;
  uint32_t stack_bytes = 192;
  if (saved != nullptr && !on_big_ && ctx_.shadow != nullptr) {
    const auto from = reinterpret_cast<uintptr_t>(saved);
    const auto to = reinterpret_cast<uintptr_t>(ctx_.shadow + ctx_.depth + 1);
    if (to > from) stack_bytes = static_cast<uint32_t>(std::min<uintptr_t>(to - from, 1024));
  }
  const engine::HotRange ranges[] = {
      {this, sizeof(Execution)},
      {saved, stack_bytes},
      {ctx_.functions, 64},
      {memory0_, 64},
      {table0_, 64},
      {in != nullptr && !in->memories.empty() ? in->memories.data() : nullptr, 8},
  };
  size_t n = 0;
  for (const engine::HotRange& r : ranges) {
    if (r.at != nullptr && n < out.size()) out[n++] = r;
  }
  return n;
}

void Execution::bind(engine::Instance& instance) {
  const engine::CompiledModule& module = *instance.module;
  ctx_.instance = &instance;
  ctx_.globals = instance.globals.data();
  ctx_.global0 = instance.globals.empty() ? nullptr : &instance.globals[0]->value;
  ctx_.functions = instance.functions.data();
  ctx_.defined_base = instance.defined_functions.data();
  ctx_.defined_count = module.wasm.functions.size();
  const NativeTier* native = native_tier_of(module);
  bound_ = native != nullptr ? native->newest() : nullptr;
  ctx_.typed_entries = bound_ != nullptr ? bound_->code().typed_table() : nullptr;
  ctx_.slot_entries = bound_ != nullptr ? bound_->code().slot_table() : nullptr;
  watch_generation();
  ctx_.types = module.wasm.types.data();
  memory0_ = instance.memories.empty() ? nullptr : instance.memories[0];
  table0_ = instance.tables.empty() ? nullptr : instance.tables[0];
  refresh();
}

void Execution::refresh() {
  // Through the pointers bind() kept (an instance's memories and tables never change, only
  // their sizes and buffers): after every host call, two lines instead of five (the instance,
  // its two lists, the memory, the table), each a cache miss in a ring of 10,000 processes.
  ctx_.memory_base = memory0_ != nullptr ? memory0_->data() : nullptr;
  ctx_.memory_size = memory0_ != nullptr ? memory0_->size_bytes() : 0;
  ctx_.table0_data = table0_ != nullptr ? table0_->data() : nullptr;
  ctx_.table0_size = table0_ != nullptr ? table0_->size() : 0;
}

// ---- The meter: the interpreter's Safepoint handler, step for step ------------------------

void Execution::settle() {
  const int64_t used = granted_ - ctx_.budget;
  slice_left_ -= used;
  fuel_left_ -= static_cast<uint64_t>(used);
  granted_ = ctx_.budget = 0;
}

void Execution::save_fuel() {
  settle();
  if (thread_.fuel()) thread_.set_fuel(fuel_left_);
}

void Execution::follow_newest_tier() {
  if (bound_ != nullptr && bound_->successor() != nullptr) [[unlikely]] {
    move_to_newest_tier();
  }
}

void Execution::move_to_newest_tier() {
  bound_ = bound_->newest();
  ctx_.typed_entries = bound_->code().typed_table();
  ctx_.slot_entries = bound_->code().slot_table();
  watch_generation();
}

void Execution::watch_generation() {
  generation_ =
      bound_ != nullptr && bound_->hot() != nullptr ? &bound_->hot()->generation() : nullptr;
  none_function_ = UINT32_MAX;
}

// Before charge_safepoint's users, so that it is inline in both.
void Execution::charge_safepoint(uint32_t cost) {
  // The guest's time since the previous read of the clock counts for the running function (its
  // site is in the shadow stack at ctx_.depth), which costs nothing on the fast path: a sample
  // weighted by that time, the clock read at one slow path in ~32 and where the guest leaves
  // (execution_sampling.cpp). Time, not fuel: a loop header's cost is its whole body's, taken
  // or not (luaV_execute's switch spends thousands of units per short iteration). Whether or
  // not the fast path spent anything: a loop whose body costs more than the last grant comes
  // straight back here after running that body.
  sample();
  settle();
  // The loop of charge_safepoint_rare, when its first pass neither traps nor ends the slice:
  // the slow path of an interpreter-style loop runs every few iterations (docs/benchmarks.md,
  // "The safepoint slow path").
  if (!thread_.kill_requested() && slice_left_ > 0 && fuel_left_ >= cost) [[likely]] {
    fuel_left_ -= cost;
    slice_left_ -= cost;
    refill();
    return;
  }
  charge_safepoint_rare(cost);
}

bool Execution::newer_code_for(uint32_t defined_index) const {
  if (bound_ == nullptr) return false;
  if (bound_->code().optimized()) return true;
  const HotFunctions* hot = bound_->hot();
  return hot != nullptr && hot->code_of(defined_index) != nullptr;
}

NativeCode::OsrEntry Execution::newer_osr_entry(uint32_t defined_index, uint32_t point) const {
  if (bound_ == nullptr) return nullptr;
  // The newer tier's code, else LLVM's code for this function alone (a hot function); never
  // the baseline's own OSR entries (for the interpreter's frames: this frame is the baseline's).
  const NativeCode* code = bound_->code().optimized() ? &bound_->code() : nullptr;
  if ((code == nullptr || !code->osr_point(defined_index, point)) && bound_->hot() != nullptr) {
    code = bound_->hot()->code_of(defined_index);
  }
  if (code == nullptr || !code->osr_point(defined_index, point)) return nullptr;
  return code->osr_entry(defined_index);
}

NativeCode::OsrEntry Execution::safepoint_or_osr(uint32_t cost, uint32_t defined_index,
                                                 uint32_t point) {
  // Read before the look: a change published after this read moves the generation on, and the
  // next slow path looks again (the bump follows the successor link and the OSR entries).
  const std::atomic<uint32_t>* generation = generation_;
  const uint32_t seen = generation != nullptr ? generation->load(std::memory_order_acquire) : 0;
  if (generation == nullptr || seen != none_generation_ || defined_index != none_function_)
      [[unlikely]] {
    follow_newest_tier();
    if (newer_code_for(defined_index)) [[unlikely]] {
      if (NativeCode::OsrEntry entry = newer_osr_entry(defined_index, point)) {
        thread_.note_transfer();
        return entry;
      }
    }
    // Nothing newer for this function as of `seen` (unless the bound tier changed meanwhile).
    if (generation != nullptr && generation == generation_) {
      none_function_ = defined_index;
      none_generation_ = seen;
    }
  }
  charge_safepoint(cost);
  return nullptr;
}

void Execution::safepoint(uint32_t cost) {
  // A tier that replaced the bound one (LLVM's code after the baseline's) takes the calls
  // made from here on.
  follow_newest_tier();
  charge_safepoint(cost);
}

void Execution::charge_safepoint_rare(uint32_t cost) {
  for (;;) {
    if (thread_.take_kill_request()) trap(TrapKind::Killed);
    if (slice_left_ <= 0) {
      // A slice's end is where the runtime reads the fuel left (introspection): save it.
      if (thread_.fuel()) thread_.set_fuel(fuel_left_);
      if (const uint64_t next = thread_.extend_slice(static_cast<uint64_t>(slice_))) {
        slice_left_ = slice_ = static_cast<int64_t>(next);  // as a resume
      }
    }
    if (slice_left_ <= 0) {
      stop(RunStatus::Yielded);  // resumed with a new slice: this safepoint runs again
      sample();                  // from here: the time it was stopped is no function's
      continue;
    }
    if (fuel_left_ < cost) trap(TrapKind::OutOfFuel);
    fuel_left_ -= cost;
    slice_left_ -= cost;
    refill();
    return;
  }
}

void Execution::pause_bulk(void* self, engine::FuelMeter& meter) {
  auto& e = *static_cast<Execution*>(self);
  e.set_meter(meter);
  e.stop(RunStatus::Yielded);  // a kill meanwhile ends the call in run(): no return here
  meter = e.meter();
}

void Execution::stop(RunStatus status) {
  leave_guest(false);  // the time until the next run() is not the guest's
  save_fuel();
  status_ = status;
  fiber_->suspend();
}

// ---- Calls out of compiled code ---------------------------------------------------------

void Execution::call(engine::Function& fn, Slot* slots) {
  if (fn.is_host()) {
    call_host(fn, slots);
  } else {
    call_wasm(fn, slots);
  }
}

// No object with a destructor is alive here while the fiber is stopped (a parked process that
// is killed abandons its stack): the host call's state lives in invoke_host's frame only.
void Execution::call_host(const engine::Function& fn, Slot* slots) {
  // The host's time is the runtime's, not the calling function's: the caller's interval ends
  // here, and the next starts at the first slow path after the call (the budget is empty).
  leave_guest(true);
  for (;;) {
    switch (invoke_host_off_fiber(fn, slots)) {
      case HostOutcome::Return:
        settle();  // the next safepoint takes the exact path: it sees a kill the host requested
        refresh();
        return;
      case HostOutcome::Yield:
        refresh();
        stop(RunStatus::Yielded);
        return;
      case HostOutcome::Park:
        stop(RunStatus::Parked);  // resumed: the same call runs again
        refresh();
        continue;
      case HostOutcome::Preempt:
        stop(RunStatus::Yielded);  // the same, runnable at once
        refresh();
        continue;
      case HostOutcome::Trap: finish_trapped();
    }
  }
}

// The host function runs on the worker's stack, below the frames of the run() that resumed
// the fiber, not on the fiber's: a small stack segment has no room for it, and a resume touches
// only the fiber's top frames, not the ~2 KiB of host frames (adapter, host function, mailbox) a
// receive or send reaches below them. In a ring of 10,000 processes each of those lines was a cache
// miss per hop (docs/benchmarks.md, "eighth pass"). A call and a return, not a fiber switch: a
// switch's pair cost a ping-pong ~75 ns per message.
Execution::HostOutcome Execution::invoke_host_off_fiber(const engine::Function& fn, Slot* slots) {
  struct Call {
    Execution* self;
    const engine::Function* fn;
    Slot* slots;
    HostOutcome outcome;
  } call{this, &fn, slots, HostOutcome::Trap};
  run_outside(
      [](void* arg) {
        auto& c = *static_cast<Call*>(arg);
        c.outcome = c.self->invoke_host(*c.fn, c.slots);
      },
      &call);
  return call.outcome;
}

Execution::HostOutcome Execution::invoke_host(const engine::Function& fn, Slot* slots) {
  if (fn.host == nullptr || fn.host->entry == nullptr) {
    *trap_ = Trap::host("host function has no implementation");
    return HostOutcome::Trap;
  }
  // Results go to a scratch buffer: the host may still read its arguments while writing them.
  // Zeroed (a host function that leaves one unwritten returns 0 there); more than a few take
  // the out-of-line path with a vector, so this frame has none to build.
  const size_t r = fn.host_result_slots();
  if (r > engine::kInlineHostResults) [[unlikely]] {
    return invoke_host_many(fn, slots);
  }
  engine::InlineHostResults results{};
  return invoke_host_into(fn, slots, results.data());
}

Execution::HostOutcome Execution::invoke_host_many(const engine::Function& fn, Slot* slots) {
  std::vector<Slot> results(fn.host_result_slots(), 0);
  return invoke_host_into(fn, slots, results.data());
}

Execution::HostOutcome Execution::invoke_host_into(const engine::Function& fn, Slot* slots,
                                                   Slot* results) {
  const size_t n = fn.host_param_slots();
  const size_t r = fn.host_result_slots();
  // A trap goes to run()'s trap_: none is built for a call that returns.
  engine::HostCall call{
      thread_, ctx_.instance, std::span<const Slot>(slots, n), std::span<Slot>(results, r), *trap_,
      &fn,     memory0_};
  save_fuel();  // the host may read or charge it (HostCall::charge_fuel)
  engine::HostStatus status;
  try {
    status = (*fn.host)(call);
  } catch (const std::exception& e) {
    // An exception must not unwind through compiled frames (they have no unwind tables).
    *trap_ = Trap::host(std::string("host function threw: ") + e.what());
    return HostOutcome::Trap;
  } catch (...) {
    *trap_ = Trap::host("host function threw");
    return HostOutcome::Trap;
  }
  fuel_left_ = thread_.fuel().value_or(UINT64_MAX);
  switch (status) {
    case engine::HostStatus::Return:
      engine::copy_host_results(results, r, slots);
      return HostOutcome::Return;
    case engine::HostStatus::Yield:
      engine::copy_host_results(results, r, slots);
      return HostOutcome::Yield;
    case engine::HostStatus::Park: return HostOutcome::Park;
    case engine::HostStatus::Preempt: return HostOutcome::Preempt;
    case engine::HostStatus::Trap: return HostOutcome::Trap;  // in *trap_ already
  }
  return HostOutcome::Trap;
}

void Execution::call_wasm(engine::Function& fn, Slot* slots) {
  engine::Instance* callee = fn.instance;
  const NativeTier* native = native_tier_of(*callee->module);
  if (native == nullptr) {
    trap(Trap::host("compiled code cannot call a function of a module that is interpreted"));
  }
  const NativeCode::SlotEntry entry = native->code().entry(defined_index(fn));
  if (callee == ctx_.instance) {
    entry(&ctx_, slots);
    return;
  }
  engine::Instance* caller = ctx_.instance;
  bind(*callee);
  entry(&ctx_, slots);
  bind(*caller);
}

// ---- Traps --------------------------------------------------------------------------------

void Execution::trap(TrapKind kind) { trap(Trap::of(kind)); }

// `trap` is moved from before the stack is abandoned: a moved-from string and vector own no
// memory, so nothing leaks although the caller's copy is never destroyed.
void Execution::trap(Trap t) {
  *trap_ = std::move(t);
  finish_trapped();
}

void Execution::finish_trapped() {
  Trap& t = *trap_;
  t.backtrace.clear();
  const engine::CompiledModule& module = *ctx_.instance->module;
  for (uint32_t d = ctx_.depth; d > base_depth_ && t.backtrace.size() < kMaxBacktraceFrames; --d) {
    engine::BacktraceFrame frame;
    frame.function_index = static_cast<uint32_t>(ctx_.shadow[d] >> 32);
    frame.offset = static_cast<uint32_t>(ctx_.shadow[d]);
    frame.function_name = module.wasm.function_name(frame.function_index);
    t.backtrace.push_back(std::move(frame));
  }
  thread_.set_trap(std::move(t));
  save_fuel();
  status_ = RunStatus::Trapped;
  over_ = true;
  fiber_->exit();
}

}  // namespace lunatic::native
