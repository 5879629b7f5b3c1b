// compile(): bytes -> a module ready to instantiate (decode, validate, lower each function).
// Kept apart from compiled_module.cpp so that code which only builds modules by hand (tests)
// does not pull in the lowering.
#include "engine/compile.hpp"

#include <string>

#include "decoder/decoder.hpp"
#include "engine/code.hpp"  // CompiledFunction, complete
#include "engine/compiled_module.hpp"
#include "engine/lowering.hpp"
#include "validator/validator.hpp"

namespace lunatic::engine {

Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes,
                                                      const CompileConfig& config) {
  auto module = std::make_shared<CompiledModule>();
  module->wasm = TRY(decoder::decode(bytes, config.features));
  TRY(validator::validate(module->wasm, config.features));
  const uint32_t count = static_cast<uint32_t>(module->wasm.functions.size());
  module->code.reserve(count);  // one per function the decoder already holds: not a raw count
  for (uint32_t i = 0; i < count; ++i) {
    Result<std::unique_ptr<CompiledFunction>> code = lower(module->wasm, i);
    if (!code.ok()) {
      Error e = std::move(code).error();
      if (e.context.empty())
        e.context = "function " + std::to_string(module->wasm.imported_functions + i);
      return e;
    }
    module->code.push_back(std::move(code).value());
  }
  module->segments = prepare_segments(module->wasm);
  return std::shared_ptr<const CompiledModule>(std::move(module));
}

Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes) {
  return compile(bytes, CompileConfig{});
}

}  // namespace lunatic::engine
