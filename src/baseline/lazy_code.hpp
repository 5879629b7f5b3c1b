// A module's baseline code, compiled one function at a time on its first call (internal to the
// baseline layer). Every slot entry starts as a stub of this module's stub block; the stub
// compiles its function on the calling thread, publishes the code in the slot table
// (NativeCode::replace_entry, over the stub only) and jumps to it, so callers never see the
// difference.
#pragma once

#include <asmjit/x86.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "baseline/baseline.hpp"
#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "native/native_code.hpp"

namespace lunatic::baseline {

/// One process-wide runtime: its allocator is thread-safe and hands out blocks of executable
/// memory; never destroyed (code may live until exit).
asmjit::JitRuntime& code_runtime();

/// One function's code, placed in executable memory.
struct PlacedFunction {
  void* block = nullptr;                ///< what code_runtime().release() takes back
  native::SlotEntryFn entry = nullptr;  ///< the slot entry (void(Context*, Slot*))
  void* direct = nullptr;               ///< the direct entry (function_compiler.hpp)
  /// The OSR entry (emit_osr.cpp), null for a function without a loop the interpreter can
  /// hand over; and the safepoints it may start at.
  native::OsrEntryFn osr = nullptr;
  std::vector<bool> osr_points{};
};

/// The direct entry of one defined function, for the baseline's own calls (emit_calls.cpp):
/// a call reads the slot entry the context's table holds for its callee and calls `direct`
/// only while that entry is `slot`, this code's own slot entry; anything else there (the lazy
/// stub, LLVM's code for a hot function, another tier's table) is called as a slot entry.
/// Set once, when the function is compiled: `direct` first, then `slot` (x86 keeps stores in
/// order and loads in order, so a caller that sees `slot` sees `direct`); never changed after.
/// The layout is read by generated code: slot at 0, direct at 8.
struct DirectCell {
  std::atomic<native::SlotEntryFn> slot{nullptr};
  std::atomic<void*> direct{nullptr};
};
static_assert(sizeof(DirectCell) == 16 && std::atomic<void*>::is_always_lock_free);

/// Compiles defined function `defined_index` of `module` and places it; its direct calls of
/// the module's functions go through `cells` (by defined index). Errors: what the function
/// compiler refuses, an assembler error, no executable memory. Thread-safe.
Result<PlacedFunction> compile_function(const engine::CompiledModule& module,
                                        uint32_t defined_index, const DirectCell* cells);

/// The CodeOwner of a module's baseline code: the stub block and every compiled function's
/// block, freed together with the NativeCode. The module outlives it (the module holds the
/// tier that holds the NativeCode).
class LazyCode final : public native::CodeOwner {
 public:
  explicit LazyCode(const engine::CompiledModule& module);
  ~LazyCode() override;
  LazyCode(const LazyCode&) = delete;
  LazyCode& operator=(const LazyCode&) = delete;

  /// Emits the stubs, one per defined function (the slot entries the NativeCode starts with).
  Result<std::vector<native::SlotEntryFn>> make_stubs();
  /// The NativeCode whose slot table the compiled functions are published to. Once, before
  /// any stub runs.
  void set_code(const native::NativeCode* code) { code_ = code; }

  /// Function `defined_index`'s code: compiled by the first caller, under the module's lock
  /// (a second caller waits for it, then finds it), published to the slot table. Never holds
  /// the lock when it returns.
  Result<native::SlotEntryFn> resolve(uint32_t defined_index);
  /// Function `defined_index`'s OSR entry, once it is compiled (with `compile`: compiled now
  /// if it is not yet; a function that cannot be is not tried again). Thread-safe.
  Osr osr(uint32_t defined_index, bool compile) override;

 private:
  struct OsrCode {
    native::OsrEntryFn entry = nullptr;
    std::vector<bool> points;
  };
  const engine::CompiledModule& module_;
  const native::NativeCode* code_ = nullptr;
  void* stubs_ = nullptr;                          ///< the stub block (code_runtime())
  std::vector<native::SlotEntryFn> stub_entries_;  ///< by defined index, in the stub block
  /// By defined index: the compiled function, null until its first call compiled it.
  std::unique_ptr<std::atomic<native::SlotEntryFn>[]> compiled_;
  /// By defined index: the direct entries (DirectCell), published with compiled_.
  std::unique_ptr<DirectCell[]> cells_;
  /// By defined index: the OSR entries, written (under mutex_) before compiled_ publishes them.
  std::unique_ptr<OsrCode[]> osr_;
  /// By defined index: an OSR's compile failed (the interpreter keeps the call).
  std::unique_ptr<std::atomic<bool>[]> osr_refused_;
  std::mutex mutex_;           ///< one compile at a time per module
  std::vector<void*> blocks_;  ///< the compiled functions' blocks (under mutex_)
};

}  // namespace lunatic::baseline
