// Thread: starting a call on the Wasm stack, running it (the loop is in interpreter.cpp) and
// reading its results.
#include "engine/thread.hpp"

#include <algorithm>
#include <array>

#include "engine/compiled_module.hpp"
#include "engine/interpreter.hpp"

namespace lunatic::engine {

namespace {
// 128 bytes: an idle process (a few frames parked in a receive) holds this for as long as it
// waits, a million of them at once; a deeper one grows its stack geometrically on demand
// (Interpreter::push_frame), so it pays a few reallocations, once.
constexpr size_t kInitialSlots = 16;
}  // namespace

Thread::Thread(Store& store, ThreadLimits limits)
    : store_(store), limits_(limits), state_(std::make_unique<State>()) {}

Thread::~Thread() = default;

Result<void> Thread::begin_call(Function* fn, std::span<const Value> args) {
  State& s = *state_;
  if (s.phase == State::Phase::Ready) return Error(Phase::Usage, "a call is already in progress");
  if (fn == nullptr) return Error(Phase::Usage, "no function to call");
  const auto& params = fn->type->params;
  if (args.size() != params.size()) {
    return Error(Phase::Usage, "expected " + std::to_string(params.size()) + " arguments, got " +
                                   std::to_string(args.size()));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type != params[i]) {
      return Error(Phase::Usage, "argument " + std::to_string(i) + ": expected " +
                                     wasm::val_type_name(params[i]) + ", got " +
                                     wasm::val_type_name(args[i].type));
    }
  }
  tier_.reset();
  nested_.reset();
  transferred_.reset();
  s.depth = 0;
  s.bulk_pc = nullptr;  // a stop of a call that was killed does not carry over
  trap_.reset();
  interpreted_fuel_ = 0;
  if (!fn->is_host() && interpret_first_ == 0) {
    if (const CodeTier* native = fn->instance->module->native_tier()) {
      // As slots: a v128 takes two, as in the interpreter's frames.
      const size_t count = slot_count(fn->type->params);
      std::array<Slot, 16> inline_args{};
      std::vector<Slot> many;
      std::span<Slot> bits(inline_args.data(), count);
      if (count > inline_args.size()) {
        many.resize(count);
        bits = many;
      }
      for (size_t i = 0, slot = 0; i < args.size(); ++i) {
        bits[slot++] = args[i].bits;
        if (args[i].type == wasm::ValType::V128) bits[slot++] = args[i].hi;
      }
      tier_ = native->begin(*this, *fn, bits);
      tier_type_ = fn->type;
      s.entry = fn;
      s.entry_instance = fn->instance;
      s.phase = State::Phase::Idle;
      return {};
    }
  }
  // A v128 takes two slots (value.hpp), so slot counts, not value counts, size the frame.
  const size_t need = std::max<size_t>(
      {slot_count(fn->type->params), slot_count(fn->type->results), kInitialSlots});
  if (s.slots.size() < need) s.slots.resize(need);
  for (size_t i = 0, slot = 0; i < args.size(); ++i) {
    s.slots[slot++] = args[i].bits;
    if (args[i].type == wasm::ValType::V128) s.slots[slot++] = args[i].hi;
  }
  s.depth = 0;
  s.entry = fn;
  s.entry_instance = fn->instance;
  s.phase = State::Phase::Ready;
  Trap not_lowered;
  if (!fn->is_host() && !Interpreter::lower_callee(*fn, not_lowered)) {
    Interpreter::trap(*this, std::move(not_lowered), nullptr);
  } else if (!fn->is_host() && !Interpreter::push_frame(*this, *fn, 0)) {
    Interpreter::trap(*this, Trap::of(TrapKind::CallStackExhausted), nullptr);
  }
  return {};
}

// A call that began in the interpreter moves to native code as soon as its module has some
// (a background compile finished): the calls it makes from then on run natively (adopt), and
// at every end of a slice the top frame, stopped at a loop header, continues natively from
// there (on-stack replacement), so a long first call does not stay interpreted.
RunStatus Thread::run(uint64_t slice) {
  if (tier_ != nullptr) return tier_->run(*this, slice);
  slice_ = slice;
  Instance* instance = state_->entry_instance;
  adopt_when_due(instance);
  if (transferred_ != nullptr) {
    const RunStatus status = run_transferred(slice);
    if (status != RunStatus::Done || state_->phase == State::Phase::Done) return status;
  }
  const RunStatus status = Interpreter::run(*this, slice);
  if (status == RunStatus::Done || status == RunStatus::Trapped) nested_.reset();
  // Stopped at the end of its slice: the next run continues the top frame natively if it
  // stopped at a safepoint the native code has an entry for.
  if (status == RunStatus::Yielded && instance != nullptr) {
    adopt_when_due(instance);
    if (instance->adopted_by_native) transfer_top_frame();
  }
  return status;
}

void Thread::adopt_when_due(Instance* instance) {
  // The fuel first: until it is due, no line of the instance is read.
  if (instance == nullptr || interpreted_fuel_ < interpret_first_ || instance->adopted_by_native) {
    return;
  }
  const CompiledModule& module = *instance->module;
  if (!module.has_native()) return;
  module.native_tier()->adopt(*instance);
}

size_t Thread::resume_lines(std::span<HotRange> out) const {
  // The execution run() continues: the code tier's call, else the one the interpreter
  // handed its top frame to or called into.
  const TierExecution* tier = tier_ != nullptr          ? tier_.get()
                              : transferred_ != nullptr ? transferred_.get()
                                                        : nested_.get();
  return tier != nullptr ? tier->resume_lines(out) : Interpreter::resume_lines(*this, out);
}

void Thread::transfer_top_frame() {
  std::optional<Interpreter::SafepointStop> stop = Interpreter::safepoint_stop(*this);
  if (!stop || !stop->instance->module->has_native()) return;
  transferred_ = stop->instance->module->native()->begin_at(
      *this, *stop->instance, stop->defined_index, stop->safepoint, stop->locals);
  if (transferred_ != nullptr) ++transfers_;
}

const Trap& Thread::trap() const {
  static const Trap kNone{};
  return trap_ ? *trap_ : kNone;
}

void Thread::set_trap(Trap trap) {
  if (trap_) {
    *trap_ = std::move(trap);
  } else {
    trap_ = std::make_unique<Trap>(std::move(trap));
  }
}

// Runs the transferred top frame; Done means the frame returned and the interpreter continues
// below it (or the whole call is Done).
RunStatus Thread::run_transferred(uint64_t slice) {
  const RunStatus status = transferred_->run(*this, slice);
  switch (status) {
    case RunStatus::Done: Interpreter::return_from_top(*this, transferred_->results()); break;
    case RunStatus::Trapped:
      Interpreter::trap_in_top(*this, trap_ ? std::move(*trap_) : Trap{});
      break;
    case RunStatus::Yielded:
    case RunStatus::Parked: return status;
  }
  transferred_.reset();
  return status;
}

uint32_t Thread::interpreter_depth() const { return static_cast<uint32_t>(state_->depth); }

uint32_t Thread::interpreter_slot_index(const Slot* p) const {
  const std::vector<Slot>& slots = state_->slots;
  const auto at = reinterpret_cast<uintptr_t>(p);
  const auto begin = reinterpret_cast<uintptr_t>(slots.data());
  if (slots.empty() || at < begin || at >= begin + slots.size() * sizeof(Slot)) return 0;
  return static_cast<uint32_t>((at - begin) / sizeof(Slot));
}

std::vector<Value> Thread::results() const {
  std::vector<Value> out;
  const State& s = *state_;
  if (tier_ == nullptr && (s.entry == nullptr || s.phase != State::Phase::Done)) return out;
  const auto& types = tier_ != nullptr ? tier_type_->results : s.entry->type->results;
  const std::span<const Slot> slots =
      tier_ != nullptr ? tier_->results() : std::span<const Slot>(s.slots);
  if (slots.size() < slot_count(types)) return out;  // a tier's call that did not finish
  out.reserve(types.size());
  for (size_t i = 0, slot = 0; i < types.size(); ++i) {
    Slot bits = slots[slot++];
    Slot hi = types[i] == wasm::ValType::V128 ? slots[slot++] : 0;
    // i32 and f32 occupy the low half of a slot.
    if (types[i] == wasm::ValType::I32 || types[i] == wasm::ValType::F32) bits &= 0xFFFF'FFFFu;
    out.push_back(Value{types[i], bits, hi});
  }
  return out;
}

Result<std::vector<Value>> Thread::call(Function* fn, std::span<const Value> args) {
  TRY(begin_call(fn, args));
  for (;;) {
    switch (run()) {
      case RunStatus::Done: return results();
      case RunStatus::Yielded: continue;
      case RunStatus::Trapped: return Error(Phase::Trap, trap().message);
      case RunStatus::Parked:
        // Nobody will wake the thread: abandon the call so the thread stays usable.
        tier_.reset();
        nested_.reset();
        transferred_.reset();
        state_->depth = 0;
        state_->phase = State::Phase::Idle;
        return Error(Phase::Usage, "a host function parked outside a scheduler");
    }
  }
}

bool HostCall::charge_fuel(uint64_t units) const {
  const std::optional<uint64_t> left = thread.fuel();
  if (!left) return true;
  if (*left < units) return false;
  thread.set_fuel(*left - units);
  return true;
}

}  // namespace lunatic::engine
