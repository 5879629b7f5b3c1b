// Shared by the compiled tier's tests: a WAT module compiled twice, with and without native
// code, each instantiated in one Store (so side effects stay apart), and the outcome of a call
// on each (through an engine::Thread, as the runtime runs them), to compare.
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
#include "jit/native_tier.hpp"

namespace lunatic::jit::testing {

/// The result of one call: the result values or the trap's message.
struct Outcome {
  bool trapped = false;
  std::string trap;  ///< the canonical message of the trap's kind
  std::vector<engine::Value> results;
  uint64_t fuel = 0;  ///< fuel units charged (when not trapped)

  std::string to_string() const;
};

class JitHarness {
 public:
  /// Compiles `wat` (failing the test on any error) at `opt_level` and instantiates it twice.
  explicit JitHarness(std::string_view wat, unsigned opt_level = 2,
                      std::vector<engine::Extern> imports = {});
  ~JitHarness();

  bool ok() const { return code_ != nullptr; }
  /// Calls export `name` through its compiled slot entry.
  Outcome run_compiled(std::string_view name, const std::vector<engine::Value>& args,
                       int64_t budget = int64_t{1} << 40);
  /// Calls export `name` of the other instance with the interpreter.
  Outcome run_interpreted(std::string_view name, const std::vector<engine::Value>& args);
  /// Both, expecting the same outcome (and the same fuel when neither trapped).
  void expect_same(std::string_view name, const std::vector<engine::Value>& args);

  engine::Instance* compiled_instance() const { return jit_instance_; }
  engine::Instance* interpreted_instance() const { return interp_instance_; }
  engine::Store& store() { return store_; }
  /// The trap of the last run_compiled that trapped.
  const engine::Trap& last_trap() const { return last_trap_; }

 private:
  Outcome run(engine::Instance* instance, std::string_view name,
              const std::vector<engine::Value>& args, uint64_t fuel);

  engine::MemoryPool pool_;
  engine::Store store_{pool_};
  std::shared_ptr<const engine::CompiledModule> module_;
  std::shared_ptr<const engine::CompiledModule> native_module_;
  const NativeCode* code_ = nullptr;
  engine::Instance* jit_instance_ = nullptr;
  engine::Instance* interp_instance_ = nullptr;
  engine::Trap last_trap_;
};

}  // namespace lunatic::jit::testing
