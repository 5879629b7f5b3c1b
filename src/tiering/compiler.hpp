// Compiler: bytes -> a module ready to instantiate, with the tier the user chose. Interp runs
// the interpreter only; Compiled compiles native code before the module is returned; Auto
// returns the module at once (the interpreter runs it) and compiles native code on a
// background thread, which calls begun after it finished then run.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"

namespace lunatic::tiering {

enum class Tier : uint8_t { Interp, Compiled, Auto };

/// "interp", "compiled" or "auto"; nullopt for anything else.
std::optional<Tier> parse_tier(std::string_view name);
const char* tier_name(Tier tier);

struct CompilerConfig {
  Tier tier = Tier::Auto;
  unsigned opt_level = 2;  ///< LLVM's -O level for native code
  /// Told why a module stays in the interpreter (the code generator failed on it): the CLI
  /// logs it at debug level. May be called from the background thread.
  std::function<void(const std::string&)> on_fallback{};
};

/// Thread-safe. Its destructor drops background jobs not yet started and waits for the one
/// running.
class Compiler {
 public:
  explicit Compiler(CompilerConfig config = {});
  ~Compiler();
  Compiler(const Compiler&) = delete;
  Compiler& operator=(const Compiler&) = delete;

  /// Decodes, validates and lowers `bytes` (errors as engine::compile's), then gives the
  /// module native code as the tier says. A module the code generator cannot handle runs in
  /// the interpreter (on_fallback says why): never an error.
  Result<std::shared_ptr<const engine::CompiledModule>> compile(std::span<const uint8_t> bytes);
  /// As compile(), for a module already lowered.
  void add_native_code(const std::shared_ptr<const engine::CompiledModule>& module);

  Tier tier() const { return config_.tier; }

 private:
  void compile_now(const engine::CompiledModule& module);
  void background_loop();

  CompilerConfig config_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::weak_ptr<const engine::CompiledModule>> queue_;
  bool stopping_ = false;
  std::thread worker_;  ///< started by the first background job
};

}  // namespace lunatic::tiering
