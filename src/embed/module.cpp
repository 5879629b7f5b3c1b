// Module: the public handle of a compiled module (engine::CompiledModule).
#include <lunatic/module.hpp>

#include "embed/access.hpp"
#include "engine/module_file.hpp"

namespace lunatic {
namespace {

engine::CompileConfig compile_config(const WasmFeatures& features) {
  using wasm::Feature;
  wasm::Features set;
  set.set(Feature::Simd, features.simd)
      .set(Feature::BulkMemory, features.bulk_memory)
      .set(Feature::ReferenceTypes, features.reference_types)
      .set(Feature::MultiValue, features.multi_value)
      .set(Feature::SignExtension, features.sign_extension)
      .set(Feature::SaturatingFloatToInt, features.saturating_float_to_int)
      .set(Feature::MutableGlobals, features.mutable_globals);
  return engine::CompileConfig{.features = set};
}

}  // namespace

Result<Module> Module::compile(std::span<const uint8_t> bytes, const WasmFeatures& features) {
  const engine::CompileConfig config = compile_config(features);
  if (Result<void> ok = wasm::check_requirements(config.features); !ok) return ok.error();
  auto compiled = engine::compile(bytes, config);
  if (!compiled) return std::move(compiled).error();
  return detail::Access::module(std::move(*compiled));
}

Result<Module> Module::compile_file(const std::string& path, const WasmFeatures& features) {
  const engine::CompileConfig config = compile_config(features);
  if (Result<void> ok = wasm::check_requirements(config.features); !ok) return ok.error();
  auto compiled = engine::compile_file(path, config);
  if (!compiled) return std::move(compiled).error();
  return detail::Access::module(std::move(*compiled));
}

std::vector<Module::Export> Module::exports() const {
  std::vector<Export> out;
  if (!impl_) return out;
  for (const wasm::Export& e : impl_->compiled->wasm.exports) {
    out.push_back({e.name, static_cast<Export::Kind>(e.kind)});
  }
  return out;
}

bool Module::export_signature(const std::string& name, std::vector<ValType>& params,
                              std::vector<ValType>& results) const {
  if (!impl_) return false;
  const wasm::Module& wasm = impl_->compiled->wasm;
  for (const wasm::Export& e : wasm.exports) {
    if (e.name != name || e.kind != wasm::ExternKind::Func) continue;
    const wasm::FuncType& type = wasm.function_type(e.index);
    params = type.params;
    results = type.results;
    return true;
  }
  return false;
}

}  // namespace lunatic
