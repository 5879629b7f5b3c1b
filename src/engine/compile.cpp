// compile(): bytes -> a module ready to instantiate (decode, validate; each function lowered on
// its first use, CompiledModule::lowered).
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
  module->binary_bytes = bytes.size();
  module->interpreted_fuel = config.interpreted_fuel;
  TRY(validator::validate(module->wasm, config.features));
  const uint32_t count = static_cast<uint32_t>(module->wasm.functions.size());
  module->code.reserve(count);  // one per function the decoder already holds: not a raw count
  for (uint32_t i = 0; i < count; ++i) module->code.push_back(unlowered_function(module->wasm, i));
  module->segments = prepare_segments(module->wasm);
  module->defined.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    // Validated: every type index is in range.
    module->defined.push_back(
        {&module->wasm.types[module->wasm.functions[i].type_index], module->code[i].get()});
  }
  return std::shared_ptr<const CompiledModule>(std::move(module));
}

Result<const CompiledFunction*> CompiledModule::lowered(uint32_t defined_index) const {
  if (defined_index >= code.size()) return Error(Phase::Usage, "lowered: no such function");
  CompiledFunction& fn = *code[defined_index];
  if (fn.is_lowered()) return &fn;
  std::lock_guard lock(lowering_mutex_);
  if (fn.is_lowered()) return &fn;  // another thread lowered it meanwhile
  Result<void> done = lower_into(wasm, defined_index, fn);
  if (!done.ok()) {
    Error e = std::move(done).error();
    if (e.context.empty()) e.context = "function " + std::to_string(fn.func_index);
    return e;
  }
  std::atomic_ref<bool>(fn.lowered).store(true, std::memory_order_release);
  return &fn;
}

Result<void> CompiledModule::lower_all() const {
  for (uint32_t i = 0; i < code.size(); ++i) TRY(lowered(i));
  return {};
}

Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes) {
  return compile(bytes, CompileConfig{});
}

}  // namespace lunatic::engine
