// Execution: one call of compiled code on a Thread. It runs on a Fiber over a small pooled stack
// segment (a 16 MiB stack once its calls go deeper), so it can park in a host call or end its
// slice at a safepoint and continue on any worker; fuel and slices are metered exactly as the
// interpreter meters them.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "engine/code_tier.hpp"
#include "engine/fuel_meter.hpp"
#include "engine/store.hpp"
#include "engine/thread.hpp"
#include "native/abi.hpp"
#include "native/fiber.hpp"
#include "native/native_code.hpp"

namespace lunatic::native {

class HotFunctions;
class NativeTier;

/// How many times, in this OS process, a call (grow) or an OSR entry (grow_osr) moved from a
/// small stack segment to a big stack.
struct StackMoves {
  uint64_t calls = 0;
  uint64_t osr_entries = 0;
};
StackMoves stack_moves();

class Execution final : public engine::TierExecution {
 public:
  /// What to run: a function of an instance from its entry, or (OSR) from one of its
  /// safepoints with the interpreter's locals.
  struct Start {
    engine::Instance* instance = nullptr;
    uint32_t defined_index = 0;
    std::span<const Slot> args;         ///< the params; for OSR, every local (params first)
    std::optional<uint32_t> safepoint;  ///< OSR: continue at this safepoint (0 = entry)
  };
  /// `tier` is the start instance's module's (or one it replaced): the module keeps it as long
  /// as it lives (CompiledModule::native_tier), the instance its module, and the thread's
  /// Store, which outlives the thread, the instance. So a plain reference: a shared one cost
  /// every spawn two atomic counts on the tier's one line, written from every worker.
  Execution(const NativeTier& tier, engine::Thread& thread, const Start& start);
  ~Execution() override;

  engine::RunStatus run(engine::Thread& thread, uint64_t slice) override;
  std::span<const Slot> results() const override;
  size_t resume_lines(std::span<engine::HotRange> out) const override;

  // ---- For the runtime helpers (runtime_helpers.cpp), on the fiber ----------------------
  static Execution& of(Context* ctx) { return *static_cast<Execution*>(ctx->runtime); }
  Context& context() { return ctx_; }
  engine::Thread& thread() { return thread_; }

  /// The exact path of a safepoint (the interpreter's rules): kill, yield, out of fuel.
  void safepoint(uint32_t cost);
  /// The meter as a bulk instruction charges it (instance_ops.hpp), and back from it. Its
  /// slice ends between pieces by pausing the fiber in place (pause_bulk).
  engine::FuelMeter meter() {
    engine::FuelMeter m{ctx_.budget, granted_, slice_left_, fuel_left_, &thread_, slice_};
    m.pause = &pause_bulk;
    m.pause_context = this;
    return m;
  }
  void set_meter(const engine::FuelMeter& m) {
    ctx_.budget = m.budget;
    granted_ = m.granted;
    slice_left_ = m.slice_left;
    fuel_left_ = m.fuel_left;
    slice_ = m.slice;
  }
  /// A baseline loop header's slow path (lunatic_jit_safepoint_osr): the newer tier's OSR
  /// entry for that point, charging nothing, or null after safepoint(cost).
  NativeCode::OsrEntry safepoint_or_osr(uint32_t cost, uint32_t defined_index, uint32_t point);
  /// Calls `fn` with its arguments in slots[0..n), results to slots[0..r). Traps (and does not
  /// return) as the callee does.
  void call(engine::Function& fn, Slot* slots);
  /// A prologue's native-stack check failed (lunatic_jit_grow_stack): on the small segment,
  /// runs entry(ctx, args_results) on the big stack and returns; on the big stack, traps "call
  /// stack exhausted" (the caller's depth in ctx->depth, as for any trap).
  void grow(SlotEntryFn entry, Slot* args_results);
  /// The same for an OSR entry (lunatic_jit_grow_stack_osr).
  void grow_osr(OsrEntryFn entry, const Slot* locals, uint32_t safepoint, Slot* results);
  /// Runs fn(arg) on the stack of the OS thread that runs the fiber (the worker's), not on the
  /// fiber's: host functions and compiles need more stack than a small segment holds. fn must
  /// not stop the fiber (it is not on it).
  void run_outside(void (*fn)(void*), void* arg);
  /// run_outside for work of the runtime's own that the guest waits for (a baseline compile
  /// on a function's first call): its time counts for no function's sample (HotFunctions
  /// would otherwise charge it to the function at the next slow path, as if its code had run).
  void run_outside_unsampled(void (*fn)(void*), void* arg);
  /// Reloads memory 0 and table 0 of the running instance into the context.
  void refresh();
  /// Ends the call with `trap` (a backtrace from the shadow stack is added). Never returns.
  [[noreturn]] void trap(engine::Trap trap);
  [[noreturn]] void trap(engine::TrapKind kind);

 private:
  enum class HostOutcome : uint8_t { Return, Yield, Park, Preempt, Trap };
  static void body(void* self);
  /// FuelMeter::pause: stops the run with Yielded inside a bulk instruction's helper, which
  /// goes on (the meter that of the new run) when the process runs again.
  static void pause_bulk(void* self, engine::FuelMeter& meter);
  void bind(engine::Instance& instance);
  /// Points the context's entry tables at the newest tier of the bound instance's module
  /// (the code running keeps running; calls made from now on run the newest code). Inline:
  /// every safepoint slow path asks, and the answer is nearly always "no newer tier".
  inline void follow_newest_tier();
  void move_to_newest_tier();
  /// After bound_ changes: its generation, no function known to have nothing newer.
  void watch_generation();
  /// safepoint() after follow_newest_tier(): the meter's exact path, its common case (no kill,
  /// the slice not used up, the fuel pays) inline in both slow-path helpers.
  [[gnu::always_inline]] inline void charge_safepoint(uint32_t cost);
  /// charge_safepoint()'s other cases: a kill, a slice's end (extended in place or a stop),
  /// out of fuel. @pre settled
  [[gnu::noinline]] void charge_safepoint_rare(uint32_t cost);
  /// Whether newer code may hold an OSR entry for the function: the bound tier is LLVM's, or
  /// LLVM's code for this function alone arrived. Inline: safepoint_or_osr's common answer
  /// (the baseline's code, nothing newer) in a few loads.
  inline bool newer_code_for(uint32_t defined_index) const;
  /// The newer tier's OSR entry for this frame's loop (safepoint_or_osr), or null.
  NativeCode::OsrEntry newer_osr_entry(uint32_t defined_index, uint32_t point) const;
  /// A new fast-path budget after a charge: the slice left, at most kKillPollInterval and the
  /// fuel left. @pre settled
  void refill() {
    const uint64_t slice = slice_left_ > 0 ? static_cast<uint64_t>(slice_left_) : 0;
    granted_ = ctx_.budget = static_cast<int64_t>(
        std::min({slice, static_cast<uint64_t>(engine::kKillPollInterval), fuel_left_}));
  }
  /// Inline in invoke_host_off_fiber's callback, with invoke_host_into: one frame between the
  /// stack switch and the host function's entry.
  [[gnu::always_inline]] inline HostOutcome invoke_host(const engine::Function& fn, Slot* slots);
  /// invoke_host for a function with more results than fit the stack buffer.
  [[gnu::noinline]] HostOutcome invoke_host_many(const engine::Function& fn, Slot* slots);
  /// The call itself, its results to `results` (then copied to `slots`).
  [[gnu::always_inline]] inline HostOutcome invoke_host_into(const engine::Function& fn,
                                                             Slot* slots, Slot* results);
  /// invoke_host on the stack of the worker running the fiber (run_outside).
  HostOutcome invoke_host_off_fiber(const engine::Function& fn, Slot* slots);
  void call_host(const engine::Function& fn, Slot* slots);
  void call_wasm(engine::Function& fn, Slot* slots);
  // ---- Hot-function samples (execution_sampling.cpp) ----------------------------------
  /// A safepoint's slow path: one in next_gap()'s reads the clock (read_sample()); the others
  /// only count down, their time left to the next read.
  void sample() {
    if (--sample_countdown_ == 0) read_sample();
  }
  /// Charges the time since the previous read to the running function (HotFunctions), and
  /// draws the next gap; with no interval open, starts one.
  void read_sample();
  /// The guest leaves for the runtime in the running function (running_defined()), or in
  /// defined function `in` of the bound module (the entry function, its callees returned): the
  /// open interval ends here, charged to it (unless `if_worth_a_read` and the guest did less
  /// than kLeaveReadUnits of work in it); the first slow path after the guest runs again starts
  /// the next. Inline: with no interval open (no one watches) a host call pays one compare.
  void leave_guest(bool if_worth_a_read, std::optional<uint32_t> in = std::nullopt) {
    if (sample_mark_ != 0) close_interval(in ? *in : running_defined(), if_worth_a_read);
    sample_countdown_ = 1;
  }
  /// leave_guest()'s work with an interval open: charges it (if watched), closes it.
  void close_interval(uint32_t defined_index, bool if_worth_a_read);
  /// The defined function of the bound module at ctx_.depth; UINT32_MAX for an import or none.
  uint32_t running_defined() const;
  /// The bound module's samples if someone watches them, else null.
  HotFunctions* watched() const;
  void charge(HotFunctions& hot, uint64_t now, uint32_t defined_index);
  /// The fuel left, with what the fast path spent from the last grant taken off.
  uint64_t fuel_now() const { return fuel_left_ - static_cast<uint64_t>(granted_ - ctx_.budget); }
  /// Charges what the fast path used since the last refill (the budget is then empty).
  void settle();
  void save_fuel();
  /// Leaves the fiber with `status`; returns at the next run().
  void stop(engine::RunStatus status);
  [[noreturn]] void finish_trapped();
  /// Runs fn(arg) on the big stack (taken at the first call), or traps "call stack exhausted"
  /// if already there.
  void on_big_stack(void (*fn)(void*), void* arg);
  /// Takes a small segment and lays out the shadow stack and the fiber on it: by the first
  /// run() (a queued process holds no stack). No fiber after it: no segment was free.
  void set_up_stack();
  void release_stack();

  const NativeTier* tier_;             ///< the tier the call began in (its stacks)
  const NativeTier* bound_ = nullptr;  ///< the tier of ctx_'s entry tables
  engine::Thread& thread_;
  uint32_t defined_index_ = 0;
  std::optional<uint32_t> safepoint_;  ///< set for an OSR entry
  uint32_t base_depth_ = 0;            ///< frames of the interpreter below the first compiled one
  uint32_t results_at_ = 0;            ///< where the results begin in slots_
  Context ctx_;
  engine::Memory* memory0_ = nullptr;  ///< ctx_.instance's memory 0 (bind(); refresh(); host calls)
  engine::Table* table0_ = nullptr;    ///< and its table 0
  /// The entry's arguments, then its results; OSR: the locals, the results after them (from
  /// results_at_; one vector, not two: Execution's size class, see execution.cpp).
  std::vector<Slot> slots_;
  // The shadow stacks, indexed by absolute depth (the entries below base_depth_ + 1 are not
  // there): the small segment's holds the depths it has room for; the big stack's, every one.
  ShadowEntry* small_shadow_ = nullptr;
  ShadowEntry* big_shadow_at_ = nullptr;
  uint8_t* big_top_ = nullptr;           ///< where the big stack's native part starts
  std::vector<ShadowEntry> big_shadow_;  ///< when the depth limit outgrows the big stack's share
  uint8_t* stack_ = nullptr;             ///< the small segment (StackPool::kSegmentBytes)
  uint8_t* big_ = nullptr;               ///< the 16 MiB stack, from the first grow() to the end
  bool on_big_ = false;                  ///< compiled code runs on big_ (a grow() is in flight)
  std::optional<Fiber> fiber_;
  engine::RunStatus status_ = engine::RunStatus::Done;
  bool over_ = false;              ///< Done or Trapped: nothing left to run
  uint16_t sample_countdown_ = 1;  ///< slow paths left to the next read of the clock (sample())
  /// fuel_now() at sample_mark_, mod 2^32 (leave_guest() asks whether 4,096 units were spent
  /// since: it errs only past 4 billion units between two reads, by one read more or less).
  uint32_t sample_fuel_ = 0;
  /// Where the trap being raised goes, from where it is known until finish_trapped() hands it
  /// to the thread: a Trap on the worker's stack in run(), for the slice running (null between
  /// slices). Host calls write theirs there too (HostCall::trap), so none builds a Trap of its
  /// own, and a parked process's execution carries no Trap (72 bytes; 512 bytes is a size class
  /// of mimalloc's, see execution.cpp).
  engine::Trap* trap_ = nullptr;
  // The meter: as the interpreter's `slice_left`, `fuel_left` and `granted` (the budget itself
  // is ctx_.budget, which compiled code decrements).
  int64_t slice_ = 0;  ///< the current slice's size (the run's; an extension's once extended)
  int64_t slice_left_ = 0;
  uint64_t fuel_left_ = 0;
  int64_t granted_ = 0;
  /// The time stamp counter where the open interval began (read_sample()); 0: none is open
  /// (since leave_guest(), or no one watches).
  uint64_t sample_mark_ = 0;
  /// bound_'s HotFunctions::generation (null: bound_ has none, LLVM's code): at a loop header of
  /// function none_function_, while it still reads none_generation_, nothing newer exists for
  /// that function (safepoint_or_osr looked), so the slow path reads one line, not the tier's,
  /// its code's and the hot code table's (cold in SQLite's run: half of the helper's samples).
  const std::atomic<uint32_t>* generation_ = nullptr;
  uint32_t none_function_ = UINT32_MAX;
  uint32_t none_generation_ = 0;
};

}  // namespace lunatic::native
