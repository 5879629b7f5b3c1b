// compile(): bytes -> a module ready to instantiate (decode, validate, lower each function).
// Kept apart from compiled_module.cpp so that code which only builds modules by hand (tests)
// does not pull in the lowering.
#include <algorithm>
#include <string>

#include "decoder/decoder.hpp"
#include "engine/code.hpp"  // CompiledFunction, complete
#include "engine/compiled_module.hpp"
#include "engine/lowering.hpp"
#include "validator/validator.hpp"

namespace lunatic::engine {
namespace {

bool has_v128(const std::vector<wasm::ValType>& types) {
  return std::ranges::find(types, wasm::ValType::V128) != types.end();
}

/// The interpreter does not run SIMD yet (its slots are 64 bits): a module that uses v128
/// anywhere (a type, a global, a local, an instruction) is refused here, after validation,
/// so no v128 value ever reaches a slot or a host call.
Result<void> check_no_simd(const wasm::Module& m) {
  auto refuse = [](uint64_t offset) {
    return Error(Phase::Unsupported, "SIMD (v128) is not supported by the interpreter yet", offset);
  };
  for (const wasm::FuncType& t : m.types) {
    if (has_v128(t.params) || has_v128(t.results)) return refuse(Error::kNoOffset);
  }
  for (const wasm::Import& imp : m.imports) {
    if (imp.kind == wasm::ExternKind::Global && imp.global.type == wasm::ValType::V128)
      return refuse(Error::kNoOffset);
  }
  for (const wasm::Global& g : m.globals) {
    if (g.type.type == wasm::ValType::V128) return refuse(Error::kNoOffset);
  }
  for (const wasm::Function& f : m.functions) {
    for (const wasm::LocalGroup& g : f.locals) {
      if (g.count > 0 && g.type == wasm::ValType::V128) return refuse(f.body_offset);
    }
    for (const wasm::Instr& in : f.body) {
      if (wasm::is_simd(in.op)) return refuse(in.offset);
    }
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes) {
  auto module = std::make_shared<CompiledModule>();
  module->wasm = TRY(decoder::decode(bytes));
  TRY(validator::validate(module->wasm));
  TRY(check_no_simd(module->wasm));
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
  return std::shared_ptr<const CompiledModule>(std::move(module));
}

}  // namespace lunatic::engine
