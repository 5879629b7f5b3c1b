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
#include "jit/native_code.hpp"
#include "jit/native_tier.hpp"
#include "native/abi.hpp"

namespace lunatic::jit::testing {

using native::Context;
using native::ShadowEntry;
using native::Slot;

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
  /// Compiles `wat` (failing the test on any error) twice, once with native code at
  /// `opt_level`, and instantiates each.
  explicit JitHarness(std::string_view wat, unsigned opt_level = 2,
                      std::vector<engine::Extern> imports = {});
  ~JitHarness();

  bool ok() const { return code_ != nullptr; }
  /// Calls export `name` of the compiled instance, through an engine::Thread as the runtime
  /// does (with `fuel`).
  Outcome run_compiled(std::string_view name, const std::vector<engine::Value>& args,
                       uint64_t fuel = uint64_t{1} << 40);
  /// Calls export `name` of the other instance with the interpreter.
  Outcome run_interpreted(std::string_view name, const std::vector<engine::Value>& args);
  /// Both, expecting the same outcome (and the same fuel when neither trapped).
  void expect_same(std::string_view name, const std::vector<engine::Value>& args,
                   NanRule nans = NanRule::Exact);

  /// A context for calling typed entries directly (code without helper calls only).
  Context& context() { return ctx_; }
  /// The trap of the last run_compiled that trapped.
  const engine::Trap& last_trap() const { return last_trap_; }
  engine::Instance* compiled_instance() const { return jit_instance_; }
  engine::Instance* interpreted_instance() const { return interp_instance_; }
  const NativeCode& code() const { return *code_; }
  engine::Store& store() { return store_; }

 private:
  Outcome run(engine::Instance* instance, std::string_view name,
              const std::vector<engine::Value>& args, uint64_t fuel);

  engine::MemoryPool pool_;
  engine::Store store_{pool_};
  std::shared_ptr<const engine::CompiledModule> module_;         ///< interpreted
  std::shared_ptr<const engine::CompiledModule> native_module_;  ///< with native code
  const NativeCode* code_ = nullptr;
  engine::Instance* jit_instance_ = nullptr;
  engine::Instance* interp_instance_ = nullptr;
  Context ctx_;
  std::vector<ShadowEntry> shadow_;
  engine::Trap last_trap_;
};

}  // namespace lunatic::jit::testing
