// Execution's native stacks: every call starts on a small segment (many share a page-table
// page, so an idle process holds little), moves to a 16 MiB stack when a prologue's stack check
// fails there, and runs host functions and compiles on the worker's own stack.
#include "native/execution.hpp"
#include "native/native_tier.hpp"

#include <x86intrin.h>

#include <algorithm>
#include <atomic>

namespace lunatic::native {

namespace {

// Stack kept free below compiled code's limit on the 16 MiB stack, for the runtime helpers and
// the frame of an LLVM function whose check failed (its frame is allocated before the check).
constexpr size_t kHostStackBytes = size_t{512} << 10;
// The same on a small segment. Host functions and compiles run outside the fiber
// (run_outside), so only the helpers are below the limit: safepoints, traps with their
// backtrace, bulk memory operations, the switch to the big stack.
constexpr size_t kSegmentHelperBytes = size_t{32} << 10;
// Where the shadow stack starts, below a page's end (see set_up_stack).
constexpr uintptr_t kPage = 4096;
constexpr uintptr_t kShadowHead = 512;

std::atomic<uint64_t> g_calls_moved{0};
std::atomic<uint64_t> g_osr_entries_moved{0};

}  // namespace

StackMoves stack_moves() {
  return {g_calls_moved.load(std::memory_order_relaxed),
          g_osr_entries_moved.load(std::memory_order_relaxed)};
}

namespace {

// The shadow stack's base in [low, high): `entries` entries up to `high` at most, the base
// kShadowHead bytes below a page's end (see set_up_stack), indexed from depth `base_depth` (the
// entry at base_depth is unused: the first compiled frame is one deeper).
ShadowEntry* place_shadow(uint8_t* high, size_t entries, uint32_t base_depth) {
  const uintptr_t highest = reinterpret_cast<uintptr_t>(high) - entries * sizeof(ShadowEntry);
  const uintptr_t base = ((highest + kShadowHead) & ~(kPage - 1)) - kShadowHead;
  return reinterpret_cast<ShadowEntry*>(base) - base_depth;
}

}  // namespace

void Execution::set_up_stack() {
  stack_ = tier_->segments().acquire();
  if (stack_ == nullptr) return;  // run() traps: "cannot reserve a native stack ..."
  // The shadow stack sits at the top of the segment, growing up from where the native stack
  // starts growing down: a shallow call chain touches one page for both (a parked process
  // keeps only the pages it touched, and a resume touches one page of its stack). So that base
  // is kShadowHead bytes below a page's end: the first entries above it, the top 3.5 KiB of
  // frames below (a host call parked in receive reaches ~2 KiB down; with the base anywhere in
  // its page, such a chain crossed into the next page down, one more TLB miss per hop of a
  // ring of 10,000). It holds only the depths the segment can: a frame that calls takes at
  // least 16 bytes of native stack (its return address, aligned), so the native room over 16,
  // and a third of the room above the helpers' goes to it. The big stack gets a copy with room
  // for every depth (on_big_stack).
  const size_t segment = tier_->segments().stack_bytes();
  const size_t room = segment - kSegmentHelperBytes;
  const size_t entries = std::min<size_t>(size_t{ctx_.max_depth} - base_depth_ + 2,
                                          room / 3 / sizeof(ShadowEntry) + 2);
  ctx_.shadow = small_shadow_ = place_shadow(stack_ + segment, entries, base_depth_);
  auto* top = reinterpret_cast<uint8_t*>(small_shadow_ + base_depth_);
  ctx_.stack_limit = reinterpret_cast<uintptr_t>(stack_) + kSegmentHelperBytes;
  fiber_.emplace(stack_, static_cast<size_t>(top - stack_), &Execution::body, this);
}

void Execution::release_stack() {
  // A fiber that did not finish is abandoned: its frames own nothing (see Fiber::exit).
  fiber_.reset();
  if (stack_ != nullptr) tier_->segments().release(stack_);
  if (big_ != nullptr) tier_->stacks().release(big_);
  stack_ = big_ = nullptr;
}

// The big stack stays with the Execution once taken: a call that went deep once tends to again
// (a recursive descent called in a loop), and taking it per call costs the pool's lock. An idle
// process that never went deep holds none.
void Execution::on_big_stack(void (*fn)(void*), void* arg) {
  if (on_big_) trap(engine::TrapKind::CallStackExhausted);
  if (big_ == nullptr) {
    big_ = tier_->stacks().acquire();
    if (big_ == nullptr) {
      trap(engine::Trap::host("cannot reserve a native stack for compiled code"));
    }
    // A shadow stack for every depth: at the big stack's top if it takes at most a quarter
    // of it, else of its own.
    const size_t bytes = tier_->stacks().stack_bytes();
    const size_t entries = size_t{ctx_.max_depth} - base_depth_ + 2;
    if (entries * sizeof(ShadowEntry) <= bytes / 4) {
      big_shadow_at_ = place_shadow(big_ + bytes, entries, base_depth_);
      big_top_ = reinterpret_cast<uint8_t*>(big_shadow_at_ + base_depth_);
    } else {
      big_shadow_.assign(entries, 0);
      big_shadow_at_ = big_shadow_.data() - base_depth_;
      big_top_ = big_ + bytes;
    }
  }
  // The frames below keep their sites: the caller's depth and those under it.
  std::copy(ctx_.shadow + base_depth_ + 1, ctx_.shadow + ctx_.depth + 1,
            big_shadow_at_ + base_depth_ + 1);
  const uintptr_t small_limit = ctx_.stack_limit;
  ctx_.stack_limit = reinterpret_cast<uintptr_t>(big_) + kHostStackBytes;
  ctx_.shadow = big_shadow_at_;
  on_big_ = true;
  fiber_->call_on(big_, static_cast<size_t>(big_top_ - big_), fn, arg);
  on_big_ = false;
  ctx_.shadow = small_shadow_;
  ctx_.stack_limit = small_limit;
}

void Execution::grow(SlotEntryFn entry, Slot* args_results) {
  struct Call {
    SlotEntryFn entry;
    Context* ctx;
    Slot* slots;
  } call{entry, &ctx_, args_results};
  if (!on_big_) g_calls_moved.fetch_add(1, std::memory_order_relaxed);
  on_big_stack(
      [](void* arg) {
        auto& c = *static_cast<Call*>(arg);
        c.entry(c.ctx, c.slots);
      },
      &call);
}

void Execution::grow_osr(OsrEntryFn entry, const Slot* locals, uint32_t safepoint, Slot* results) {
  struct Call {
    OsrEntryFn entry;
    Context* ctx;
    const Slot* locals;
    uint32_t safepoint;
    Slot* results;
  } call{entry, &ctx_, locals, safepoint, results};
  if (!on_big_) g_osr_entries_moved.fetch_add(1, std::memory_order_relaxed);
  on_big_stack(
      [](void* arg) {
        auto& c = *static_cast<Call*>(arg);
        c.entry(c.ctx, c.locals, c.safepoint, c.results);
      },
      &call);
}

void Execution::run_outside(void (*fn)(void*), void* arg) { fiber_->call_on_caller_stack(fn, arg); }

void Execution::run_outside_unsampled(void (*fn)(void*), void* arg) {
  const uint64_t start = __rdtsc();
  run_outside(fn, arg);
  if (sample_mark_ != 0) sample_mark_ += __rdtsc() - start;  // 0: no mark yet (sample())
}

}  // namespace lunatic::native
