// A module ready to instantiate: decoded, validated and lowered once, then shared (read-only)
// by every instance, on any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "common/result.hpp"
#include "engine/code_tier.hpp"
#include "wasm/module.hpp"

namespace lunatic::engine {

/// The lowered internal code of one function (defined in lowering.hpp; opaque elsewhere).
struct CompiledFunction;

/// A module's active element and data segments as instantiation applies them with nothing to
/// evaluate or check: offsets and function indices read from the constant expressions once,
/// bounds checked once against the module's own table and memory. Prepared by compile() when
/// the module imports no table or memory and every active segment fits its initial size (so
/// none can fail); else `ready` is false and Store::instantiate evaluates the segments itself.
struct PreparedSegments {
  static constexpr uint32_t kNull = UINT32_MAX;  ///< a null element (ref.null)
  struct Elements {
    uint32_t table = 0;
    uint32_t offset = 0;
    std::vector<uint32_t> functions;  ///< function indices, or kNull
  };
  struct Data {
    uint32_t offset = 0;
    std::span<const uint8_t> bytes;  ///< the segment's, in CompiledModule::wasm
  };
  bool ready = false;
  std::vector<Elements> elements;  ///< the active ones, in order
  std::vector<Data> data;          ///< the active ones (memory 0), in order, less the empty ones
};

/// Computes `m`'s PreparedSegments (ready, or not). The data spans point into `m`.
PreparedSegments prepare_segments(const wasm::Module& m);

/// A defined function as each instance's Function of it starts, but for the instance: its
/// type and its code. Store::instantiate reads them from one dense array, where the type
/// index sits in each function's wasm::Function (88 bytes apart) and the code in a vector of
/// its own.
struct DefinedFunction {
  const wasm::FuncType* type = nullptr;
  const CompiledFunction* code = nullptr;
};

struct CompiledModule {
  wasm::Module wasm;
  /// One per defined function (index = function index - imported functions). compile()
  /// lowers none of them: each is lowered on its first use, through lowered() (a big module
  /// runs a small share of its functions; lowering them all was about a fifth of SQLite's start).
  /// Read a function's code only once it is_lowered() (code.hpp).
  std::vector<std::unique_ptr<CompiledFunction>> code;
  /// Set by compile() once `wasm` (whose data it points into) is final.
  PreparedSegments segments;
  /// One per defined function, set by compile() with `code` (types and code of `wasm` and
  /// `code`). Empty in a module built by hand: instantiate reads `wasm` and `code` then.
  std::vector<DefinedFunction> defined;

  /// Fuel a process spawned by another runs in the interpreter before it moves to the module's
  /// code tier, when the module has one (Thread::set_interpret_first, applied by the runtime):
  /// a process that spawns, replies and ends, or that mostly waits, is cheaper interpreted:
  /// it takes no native stack, and a parked one holds no stack page. 0: every call begins in
  /// the code tier. Set by compile() (CompileConfig).
  uint64_t interpreted_fuel = 0;

  /// The module's native code (code_tier.hpp), or null while it runs in the interpreter.
  /// Set once, possibly later than the module is shared (a background compile finishing):
  /// calls that begin after that run the native code.
  std::shared_ptr<const CodeTier> native() const { return native_.load(); }
  /// native().get() without taking a reference: loading the atomic shared_ptr takes its spin
  /// lock and a count, on lines of the module that every spawn of it wrote, on any worker (2%
  /// of spawn_sdk_guest, most of Thread::begin_call). Valid as long as the module: a tier it
  /// held is kept until the module goes (set_native). Thread-safe.
  const CodeTier* native_tier() const { return native_tier_.load(std::memory_order_acquire); }
  /// Installs `tier`; the one it replaces is kept alive with the module (native_tier()).
  void set_native(std::shared_ptr<const CodeTier> tier) const {
    std::lock_guard lock(native_mutex_);
    const CodeTier* raw = tier.get();
    if (std::shared_ptr<const CodeTier> replaced = native_.exchange(std::move(tier))) {
      replaced_tiers_.push_back(std::move(replaced));
    }
    native_tier_.store(raw, std::memory_order_release);
  }
  /// native() != nullptr, as a cheap poll.
  bool has_native() const { return native_tier() != nullptr; }

  /// code[defined_index], lowered first if it was not yet. Thread-safe: one thread lowers,
  /// others calling meanwhile wait for it. An error only for a body that validation should
  /// have refused (the function stays unlowered; every later call gets the error again).
  Result<const CompiledFunction*> lowered(uint32_t defined_index) const;
  /// Lowers every function now (tools, fuzzers); the first error, if any.
  Result<void> lower_all() const;

  /// A block left by an instance of this module that went, its functions and index entries
  /// as Store::instantiate wrote them (Store::~Store keeps it, SpareBlock), or null. The next
  /// instantiate of the module takes it and writes none of them again. The most recently kept
  /// first (the one likeliest still in a cache). Thread-safe.
  void* take_spare_block() const;
  /// Keeps `block` (`bytes`, from ::operator new) for take_spare_block(), unless the module
  /// keeps kSpareBlockBytes of them already: then it is freed. The module frees the ones it
  /// holds when it goes. Thread-safe.
  void keep_spare_block(void* block, size_t bytes) const;
  /// How many blocks the module keeps now (tests; a snapshot). Thread-safe.
  size_t spare_blocks() const { return spare_count_.load(std::memory_order_relaxed); }
  /// The most a module keeps of blocks for its next instances: host memory no budget counts,
  /// so little (~240 blocks of an SDK guest's ~4.3 KiB; none of a module of 30,000 functions).
  /// A burst of ends (a worker runs the children a parent spawned in its slice, ~100-200 of
  /// them) leaves enough for the parent's next burst of spawns.
  static constexpr size_t kSpareBlockBytes = size_t{1} << 20;
  /// ...and at most this many bytes per byte of the module's binary: a guest that compiles
  /// modules at run time is charged for each (8 bytes per byte of it, host/process/module.cpp),
  /// so what their kept blocks hold grows with what its budget counts, however many small
  /// modules it loads, spawns and ends.
  static constexpr size_t kSpareBytesPerBinaryByte = 8;
  /// The bytes of the binary compile() made this module from (0 for a module built by hand:
  /// it keeps no blocks).
  size_t binary_bytes = 0;

  CompiledModule();
  ~CompiledModule();

 private:
  // Written at every spawn and end of an instance of the module, on any worker: lines of
  // their own, away from what every spawn only reads (native_tier_).
  alignas(64) mutable std::mutex spare_mutex_;
  mutable std::vector<void*> spare_blocks_;     ///< under spare_mutex_, newest last
  mutable std::atomic<size_t> spare_count_{0};  ///< spare_blocks_.size(), read without the lock
  mutable std::mutex lowering_mutex_;
  mutable std::mutex native_mutex_;  ///< serializes set_native
  mutable std::atomic<std::shared_ptr<const CodeTier>> native_;
  mutable std::atomic<const CodeTier*> native_tier_{nullptr};  ///< native_'s pointer
  /// Tiers native_ held before: kept for native_tier()'s readers (under native_mutex_).
  mutable std::vector<std::shared_ptr<const CodeTier>> replaced_tiers_;
};

/// Decode, validate and lower `bytes`. Errors carry Phase::Decode or Phase::Validate with the
/// spec's message and the byte offset.
Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes);

}  // namespace lunatic::engine
