// Module: the public handle of a compiled module (engine::CompiledModule).
#include <lunatic/module.hpp>

#include "embed/access.hpp"
#include "engine/module_file.hpp"

namespace lunatic {

Result<Module> Module::compile(std::span<const uint8_t> bytes) {
  auto compiled = engine::compile(bytes);
  if (!compiled) return std::move(compiled).error();
  return detail::Access::module(std::move(*compiled));
}

Result<Module> Module::compile_file(const std::string& path) {
  auto compiled = engine::compile_file(path);
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
