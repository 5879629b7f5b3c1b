// A module ready to instantiate: decoded, validated and lowered once, then shared (read-only)
// by every instance, on any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/result.hpp"
#include "wasm/module.hpp"

namespace lunatic::engine {

/// The lowered internal code of one function (defined in lowering.hpp; opaque elsewhere).
struct CompiledFunction;

struct CompiledModule {
  wasm::Module wasm;
  /// One per defined function (index = function index - imported functions).
  std::vector<std::unique_ptr<CompiledFunction>> code;

  CompiledModule();
  ~CompiledModule();
};

/// Decode, validate and lower `bytes`. Errors carry Phase::Decode or Phase::Validate with the
/// spec's message and the byte offset.
Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes);

}  // namespace lunatic::engine
