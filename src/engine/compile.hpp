// compile() with a configuration: what the engine accepts of a module. (compiled_module.hpp
// declares compile(bytes), the same with the default configuration.)
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "wasm/features.hpp"

namespace lunatic::engine {

/// How compile() treats a module. Every member has an initializer.
struct CompileConfig {
  /// The proposals a module may use (default: Wasm 2.0). The decoder and validator refuse a
  /// module that uses another ("SIMD is disabled (feature simd)"); what a module is compiled
  /// to never depends on it.
  wasm::Features features{};
  /// CompiledModule::interpreted_fuel: fuel a spawned process of the module runs interpreted
  /// before it moves to the module's code tier; 0: calls begin there.
  uint64_t interpreted_fuel = 0;
};

/// Decode (with `config.features`), validate and lower `bytes`; errors as compile(bytes).
Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes,
                                                      const CompileConfig& config);

}  // namespace lunatic::engine
