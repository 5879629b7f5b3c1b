// A module ready to instantiate: decoded, validated and lowered once, then shared (read-only)
// by every instance, on any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/result.hpp"
#include "engine/code_tier.hpp"
#include "wasm/module.hpp"

namespace lunatic::engine {

/// The lowered internal code of one function (defined in lowering.hpp; opaque elsewhere).
struct CompiledFunction;

struct CompiledModule {
  wasm::Module wasm;
  /// One per defined function (index = function index - imported functions).
  std::vector<std::unique_ptr<CompiledFunction>> code;

  /// The module's native code (code_tier.hpp), or null while it runs in the interpreter.
  /// Set once, possibly later than the module is shared (a background compile finishing):
  /// calls that begin after that run the native code.
  std::shared_ptr<const CodeTier> native() const { return native_.load(); }
  void set_native(std::shared_ptr<const CodeTier> tier) const {
    native_.store(std::move(tier));
    has_native_.store(true, std::memory_order_release);
  }
  /// native() != nullptr, as a cheap poll.
  bool has_native() const { return has_native_.load(std::memory_order_acquire); }

  CompiledModule();
  ~CompiledModule();

 private:
  mutable std::atomic<std::shared_ptr<const CodeTier>> native_;
  mutable std::atomic<bool> has_native_{false};
};

/// Decode, validate and lower `bytes`. Errors carry Phase::Decode or Phase::Validate with the
/// spec's message and the byte offset.
Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes);

}  // namespace lunatic::engine
