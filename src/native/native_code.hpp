// Native code of one module as the runtime holds it, whichever code generator made it (LLVM's
// jit::compile_native, the baseline's assembler): the typed, slot and OSR entry points of every
// defined function, and the memory they live in.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "native/abi.hpp"

namespace lunatic::native {

/// Which safepoints of each defined function have an OSR entry (empty: no entry at all).
using OsrPoints = std::vector<std::vector<bool>>;

/// Where the time of one compile_native went, in seconds, and what it produced.
struct CompileStats {
  double translate_seconds = 0;  ///< Wasm -> IR, verification included
  double optimize_seconds = 0;   ///< the IR pass pipeline
  double codegen_seconds = 0;    ///< machine code and linking (the JIT's materialisation)
  double total_seconds = 0;      ///< all of it, LLVM and JIT setup included
  size_t functions = 0;          ///< defined functions compiled
  size_t ir_instructions = 0;    ///< IR instructions after optimisation
  bool from_cache = false;       ///< loaded from the code cache: nothing was translated
  std::string cache_entry;       ///< the cache entry read or written; empty: none
  uint64_t cache_entry_bytes = 0;
  std::string cache_error;  ///< why the code could not be stored, if it was not
};

/// Whatever holds a NativeCode's executable memory (LLVM's JIT, or another code generator's
/// buffer): freed with the NativeCode.
class CodeOwner {
 public:
  virtual ~CodeOwner() = default;
  /// An OSR entry and the safepoints it may start at (null: none).
  struct Osr {
    OsrEntryFn entry = nullptr;
    const std::vector<bool>* points = nullptr;
  };
  /// Code that compiles its functions one at a time (the baseline's, adopt) makes a function's
  /// OSR entry with its code: defined function i's, once i is compiled; with `compile`, i is
  /// compiled first if it is not yet (a call the interpreter ran may be the function's first,
  /// so nothing compiled it). A compile needs a worker's stack, never a fiber's.
  virtual Osr osr(uint32_t defined_index, bool compile) {
    (void)defined_index;
    (void)compile;
    return {};
  }
};

/// Native code of one module: typed and slot entry points of each defined function. Owns the
/// memory the code lives in (freed with it). Immutable and thread-safe to call into once built.
class NativeCode {
 public:
  /// Slot entry: reads the params from args_results[0..n) (i32/f32 in the low 32 bits), calls
  /// the typed function, writes the results to args_results[0..r).
  using SlotEntry = SlotEntryFn;

  ~NativeCode();
  NativeCode(const NativeCode&) = delete;
  NativeCode& operator=(const NativeCode&) = delete;

  /// Typed entry of defined function i (function index - imported functions):
  /// RET (*)(Context*, uint32_t caller_depth, params...), see abi.hpp.
  /// @pre i < function_count()
  void* typed(uint32_t defined_index) const { return typed_[defined_index]; }
  /// Slot entry of defined function i. @pre i < function_count()
  SlotEntry entry(uint32_t defined_index) const {
    return std::atomic_ref<SlotEntry>(entries_[defined_index]).load(std::memory_order_acquire);
  }
  /// The typed entries as one contiguous array (Context::typed_entries).
  void* const* typed_table() const { return typed_.data(); }
  /// The slot entries as one contiguous array (Context::slot_entries). Its address never
  /// changes; adopted code may replace an entry (publish_entry) while others call through it.
  const SlotEntry* slot_table() const { return entries_.data(); }
  /// Replaces slot entry i with one that behaves the same (the baseline's stub that compiles
  /// the function on its first call, by the function's code): one atomic store, so a caller
  /// reading the table (compiled code's 8-byte load, or entry()) sees the old or the new one.
  /// Thread-safe. @pre i < function_count()
  void publish_entry(uint32_t defined_index, SlotEntry entry) const {
    std::atomic_ref<SlotEntry>(entries_[defined_index]).store(entry, std::memory_order_release);
  }
  /// publish_entry only while slot entry i is still `expected` (the baseline's stub): a late
  /// first-call compile must not undo a newer publish (LLVM's code for a hot function).
  /// Whether it was replaced. Thread-safe. @pre i < function_count()
  bool replace_entry(uint32_t defined_index, SlotEntry expected, SlotEntry entry) const {
    return std::atomic_ref<SlotEntry>(entries_[defined_index])
        .compare_exchange_strong(expected, entry, std::memory_order_acq_rel);
  }
  /// Whether LLVM made this code (an optimising tier worth moving running calls to), not
  /// another code generator (adopt).
  bool optimized() const { return optimized_; }
  /// On-stack replacement: continues defined function i from one of its safepoints (0 = the
  /// entry, k = the k-th loop in code order) with the interpreter's locals (params first),
  /// writing its results to `results`. Null when the function has no such entry.
  using OsrEntry = OsrEntryFn;
  OsrEntry osr_entry(uint32_t defined_index) const {
    if (owner_osr_) return owner_->osr(defined_index, false).entry;
    return defined_index < osr_.size() ? osr_[defined_index] : nullptr;
  }
  /// Whether osr_entry(i) may be called with `safepoint`.
  bool osr_point(uint32_t defined_index, uint32_t safepoint) const {
    if (owner_osr_) return has_point(owner_->osr(defined_index, false).points, safepoint);
    return defined_index < osr_points_.size() && has_point(&osr_points_[defined_index], safepoint);
  }
  /// osr_entry(i) if it may be called with `safepoint`, else null; adopted code compiles
  /// function i first if it is not yet (CodeOwner::osr). On a worker's stack, not a fiber's.
  OsrEntry prepare_osr(uint32_t defined_index, uint32_t safepoint) const;
  uint32_t function_count() const { return static_cast<uint32_t>(typed_.size()); }
  const CompileStats& stats() const { return stats_; }
  double compile_seconds() const { return stats_.total_seconds; }

  /// Everything a code generator hands over (LLVM's keeps its JIT in `owner`).
  struct Parts {
    std::unique_ptr<CodeOwner> owner;
    std::vector<void*> typed;
    std::vector<SlotEntry> entries;
    std::vector<OsrEntry> osr;  ///< per defined function, null: none (may be empty)
    OsrPoints osr_points;       ///< per defined function, per safepoint (may be empty)
    CompileStats stats;
    bool optimized = true;
  };
  /// @pre parts.typed.size() == parts.entries.size()
  static std::unique_ptr<NativeCode> assemble(Parts parts);

  /// Native code made by another code generator (the baseline tier): `owner` holds the memory
  /// the entries point into and makes the OSR entries (CodeOwner::osr).
  /// @pre typed.size() == entries.size()
  static std::unique_ptr<NativeCode> adopt(std::unique_ptr<CodeOwner> owner,
                                           std::vector<void*> typed, std::vector<SlotEntry> entries,
                                           CompileStats stats);

 private:
  NativeCode();
  static bool has_point(const std::vector<bool>* points, uint32_t safepoint) {
    return points != nullptr && safepoint < points->size() && (*points)[safepoint];
  }
  std::unique_ptr<CodeOwner> owner_;
  bool owner_osr_ = false;  ///< the OSR entries are the owner's (adopt), not osr_'s
  std::vector<void*> typed_;
  mutable std::vector<SlotEntry> entries_;     ///< never resized once built (publish_entry)
  std::vector<OsrEntry> osr_;                  ///< per defined function, null: none
  std::vector<std::vector<bool>> osr_points_;  ///< per defined function, per safepoint
  CompileStats stats_;
  bool optimized_ = true;
};

}  // namespace lunatic::native
