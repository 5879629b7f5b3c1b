// Compiler: bytes -> a module ready to instantiate, with the tier the user chose. Interp runs
// the interpreter only; Compiled compiles native code before the module is returned; Auto
// returns the module at once (the interpreter runs it) and compiles native code on a
// background thread, which calls begun after it finished then run.
#pragma once

#include <atomic>
#include <chrono>
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
  /// Told, for a debug log, how long each native compile took, and why a module stays in the
  /// interpreter when the code generator failed on it. May be called from the background
  /// thread.
  std::function<void(const std::string&)> note{};
  /// Auto: how long a module must have been running before its background compile starts.
  /// A short run then never pays for a compile it would not live to use (LLVM at -O2 takes
  /// about a second per 30 KB of code on these machines).
  std::chrono::milliseconds background_delay{0};
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
  /// the interpreter (`note` says why): never an error.
  Result<std::shared_ptr<const engine::CompiledModule>> compile(std::span<const uint8_t> bytes);
  /// As compile(), for a module already lowered.
  void add_native_code(const std::shared_ptr<const engine::CompiledModule>& module);

  Tier tier() const { return config_.tier; }
  /// Whether a background compile is running now (it cannot be interrupted: a program that
  /// ends meanwhile may exit without waiting for it, see cli/run_command.cpp).
  bool busy() const { return busy_.load(std::memory_order_acquire); }

 private:
  void compile_now(const engine::CompiledModule& module);
  void background_loop();

  CompilerConfig config_;
  std::mutex mutex_;
  std::condition_variable wake_;
  struct Job {
    std::weak_ptr<const engine::CompiledModule> module;
    std::chrono::steady_clock::time_point not_before;
  };
  std::deque<Job> queue_;
  std::atomic<bool> busy_{false};
  bool stopping_ = false;
  std::thread worker_;  ///< started by the first background job
};

}  // namespace lunatic::tiering
