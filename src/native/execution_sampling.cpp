// Execution's hot-function samples (docs/design.md, "Hot functions first"): the time stamp
// counter read at one safepoint slow path in ~32 and where the guest leaves for the runtime,
// each read charging the guest's time since the previous one to the function running there.
#include <x86intrin.h>

#include <algorithm>

#include "common/cpu_clock.hpp"
#include "native/execution.hpp"
#include "native/hot_functions.hpp"
#include "native/native_tier.hpp"

namespace lunatic::native {

namespace {

// The share of the wall clock the calling (worker) thread has been running, over its last
// window of ~2.8 ms of the time stamp counter (2^23 ticks): what turns a sample's wall-clock
// interval into CPU time. On a loaded machine a thread runs part of the time, and wall-clock
// samples made every function look hotter by the load factor (at load 8 on 2 cores, twice:
// SQLite's cold run compiled what it never paid back). The thread's CPU clock (a system call,
// ~0.3 us) is read only when a sample's counter enters a new window: a few hundred times a
// second per worker. A window longer than kShareWindowMostNs held idle time (the worker waited
// for work) and starts afresh, keeping the previous share.
constexpr int kShareWindowShift = 23;
constexpr uint64_t kShareWindowMostNs = 50'000'000;
uint64_t nanoseconds_of(clockid_t clock) {
  return static_cast<uint64_t>(clock_time(clock).count());
}
double running_share(uint64_t now_ticks) {
  thread_local uint64_t window = 0;
  thread_local uint64_t window_ns = 0;
  thread_local uint64_t window_cpu_ns = 0;
  thread_local double share = 1.0;
  if ((now_ticks >> kShareWindowShift) == window) return share;
  window = now_ticks >> kShareWindowShift;
  const uint64_t now_ns = nanoseconds_of(CLOCK_MONOTONIC);
  const uint64_t cpu_ns = nanoseconds_of(CLOCK_THREAD_CPUTIME_ID);
  if (window_ns != 0 && now_ns > window_ns && now_ns - window_ns <= kShareWindowMostNs &&
      cpu_ns >= window_cpu_ns) {
    share = std::min(
        1.0, static_cast<double>(cpu_ns - window_cpu_ns) / static_cast<double>(now_ns - window_ns));
  }
  window_ns = now_ns;
  window_cpu_ns = cpu_ns;
  return share;
}

// Slow paths from one read to the next: 1 to 16, uniform (a mean of 8.5), from the counter's
// value at the read, mixed by a multiply so that its top bits depend on all of the counter's (the
// low ones move by thousands between reads and jitter with the machine). A fixed gap could beat
// in time with a program's own period (two functions taking turns at the slow paths and an even
// gap: every read in the same one); a gap the program does not choose cannot.
constexpr uint64_t kGapMix = 0x9E3779B97F4A7C15;  // 2^64 over the golden ratio, odd
// 16, not 64 since a lone process's slices grow (runtime::lone_slice): Lua's run now takes
// ~0.22 million slow paths, not 3.4 million, so reading at one in 8.5 costs less than one in
// 32.5 did, and the reads are as many as a fifth of what they were.
constexpr int kGapBits = 4;
uint16_t next_gap(uint64_t now) {
  return static_cast<uint16_t>(1 + ((now * kGapMix) >> (64 - kGapBits)));
}
// While no one watches (`--tier baseline`, or not yet): how often the countdown asks again (a
// watch that begins during a call starts counting within ~0.2 ms of Lua's run; asking every 32
// slow paths was 0.13% of its `--tier baseline` profile, the pointer chase to the flag).
constexpr uint16_t kUnwatchedGap = 1024;
// A host call reads the clock to close the caller's interval only if the guest did this much
// work (fuel units, ~1-4 us) since the interval began: a read costs ~10-20 ns, and a process
// that sends or receives a message every few hundred instructions would pay a second read per
// message (after the one that begins the interval) for next to nothing. What that leaves
// uncounted is short by construction.
constexpr uint32_t kLeaveReadUnits = 4096;

}  // namespace

uint32_t Execution::running_defined() const {
  if (ctx_.depth <= base_depth_) return UINT32_MAX;  // no compiled frame: no function's time
  const auto func_index = static_cast<uint32_t>(ctx_.shadow[ctx_.depth] >> 32);
  const uint32_t imported = ctx_.instance->module->wasm.imported_functions;
  return func_index < imported ? UINT32_MAX : func_index - imported;  // MAX: HotFunctions skips
}

HotFunctions* Execution::watched() const {
  // Null once LLVM's whole-module code replaced the baseline's (follow_newest_tier()), and for
  // `--tier baseline`, whose samples no one watches.
  HotFunctions* hot = bound_ != nullptr ? bound_->hot() : nullptr;
  return hot != nullptr && hot->watching() ? hot : nullptr;
}

void Execution::charge(HotFunctions& hot, uint64_t now, uint32_t defined_index) {
  // CPU time, not wall time: the wall-clock interval times the share this thread ran.
  const auto cpu =
      static_cast<uint64_t>(static_cast<double>(now - sample_mark_) * running_share(now));
  hot.sample(defined_index, cpu);
}

// The guest's time is cut into intervals that each end at a read of the clock and count for the
// function running there. An interval begins at a read at a slow path and ends at the next read,
// or where the guest leaves for the runtime (a slice's end, a bulk instruction's pause, a host
// call, the call's end: leave_guest()); after a leave, the first slow path once the guest runs
// again (at once after a resume; at the next safepoint after a host call, the budget being
// empty) reads the clock to begin the next. So the runtime's time is in no interval, and of the
// guest's only the stretch from a host call's return to that first slow path is in none (a few
// instructions to the next loop header or call), and the tail before a host call when it was
// shorter than kLeaveReadUnits. Reading at one slow path in 8.5 instead of every one is
// unbiased: which slow path reads is a random thinning of them, drawn independently of the
// program (next_gap), so a function holds a read in proportion to its slow paths, and the
// interval a read closes is 8.5 slow paths' worth on average whoever holds it: a function's
// expected charge is the time of the intervals that end at its slow paths, what reading at every
// one of them charged. Where the running function changes within a gap, the time before the
// change goes to the function after it (a few microseconds of Lua's, SQLite's or a C kernel's
// run, at each change). A read costs ~10-20 ns on these VMs (the counter, running_share's
// window, the per-function array): reading at each of Lua's 3.4 million slow paths in 0.7 s
// was 8% of its run (docs/benchmarks.md, "Sampling at one slow path in 32"), when its slices
// did not grow.
void Execution::read_sample() {
  HotFunctions* hot = watched();
  if (hot == nullptr) {  // no clock while no one watches
    sample_countdown_ = kUnwatchedGap;
    return;
  }
  const uint64_t now = __rdtsc();
  // No interval open: the guest runs again after a leave, or the watch began during this call.
  if (sample_mark_ != 0) charge(*hot, now, running_defined());
  sample_mark_ = now;
  sample_fuel_ = static_cast<uint32_t>(fuel_now());
  sample_countdown_ = next_gap(now);
}

void Execution::close_interval(uint32_t defined_index, bool if_worth_a_read) {
  HotFunctions* hot = watched();  // a mark: someone watched (perhaps no longer)
  if (hot != nullptr &&
      (!if_worth_a_read || sample_fuel_ - static_cast<uint32_t>(fuel_now()) >= kLeaveReadUnits)) {
    charge(*hot, __rdtsc(), defined_index);
  }
  sample_mark_ = 0;
}

}  // namespace lunatic::native
