// Shared by the compiled tier's tests: a WAT module compiled to native code and instantiated
// twice in one Store (one instance runs compiled, one interpreted, so side effects stay apart),
// and the outcome of a call on each, to compare.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"
#include "engine/trap.hpp"
#include "engine/value.hpp"
#include "jit/abi.hpp"
#include "jit/native_code.hpp"

namespace lunatic::jit::testing {

/// Runs `entry` on `ctx` with `slots`; false if the code trapped, with the kind in `kind`.
/// Implemented next to the runtime helpers (stub_helpers.cpp until the real ones land).
bool run_guarded(Context* ctx, NativeCode::SlotEntry entry, Slot* slots, engine::TrapKind* kind);
/// Re-reads memory 0, the globals, functions and table 0 of ctx->instance into `ctx`.
void refresh_context(Context& ctx);

/// The result of one call: the result values or the trap's message.
struct Outcome {
  bool trapped = false;
  std::string trap;  ///< the canonical message of the trap's kind
  std::vector<engine::Value> results;
  uint64_t fuel = 0;  ///< fuel units charged (when not trapped)

  /// Results as exact bits; with `any_quiet_nan`, every quiet NaN reads the same.
  std::string to_string(bool any_quiet_nan = false) const;
};

/// How expect_same compares NaN results: bit for bit, or (for arithmetic, where the spec lets
/// any input's payload or the canonical NaN through) as "some quiet NaN".
enum class NanRule : uint8_t { Exact, AnyQuiet };

class JitHarness {
 public:
  /// Compiles `wat` (failing the test on any error) at `opt_level` and instantiates it twice.
  explicit JitHarness(std::string_view wat, unsigned opt_level = 2,
                      std::vector<engine::Extern> imports = {});
  /// Compiles `module` and instantiates it twice, without imports; !ok() if that fails.
  JitHarness(std::shared_ptr<const engine::CompiledModule> module, unsigned opt_level);
  ~JitHarness();

  bool ok() const { return code_ != nullptr; }
  /// Calls export `name` through its compiled slot entry.
  Outcome run_compiled(std::string_view name, const std::vector<engine::Value>& args,
                       int64_t budget = int64_t{1} << 40);
  /// Calls export `name` of the other instance with the interpreter.
  Outcome run_interpreted(std::string_view name, const std::vector<engine::Value>& args);
  /// Both, expecting the same outcome (and the same fuel when neither trapped).
  void expect_same(std::string_view name, const std::vector<engine::Value>& args,
                   NanRule nans = NanRule::Exact);

  /// Bytes of this thread's native stack compiled code may use (default 2 MiB).
  void set_stack_room(uintptr_t bytes) { stack_room_ = bytes; }
  Context& context() { return ctx_; }
  engine::Instance* compiled_instance() const { return jit_instance_; }
  engine::Instance* interpreted_instance() const { return interp_instance_; }
  const NativeCode& code() const { return *code_; }
  engine::Store& store() { return store_; }

 private:
  bool init(std::shared_ptr<const engine::CompiledModule> module, unsigned opt_level,
            const std::vector<engine::Extern>& imports);

  engine::MemoryPool pool_;
  engine::Store store_{pool_};
  std::shared_ptr<const engine::CompiledModule> module_;
  std::unique_ptr<NativeCode> code_;
  engine::Instance* jit_instance_ = nullptr;
  engine::Instance* interp_instance_ = nullptr;
  Context ctx_;
  std::vector<ShadowEntry> shadow_;
  uintptr_t stack_room_ = uintptr_t{2} << 20;
};

}  // namespace lunatic::jit::testing
