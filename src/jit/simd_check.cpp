// refuse_simd: the baseline tier's guard against v128 modules, before any compilation.
#include "jit/simd_check.hpp"

#include <algorithm>

namespace lunatic::jit {
namespace {

bool has_v128(const std::vector<wasm::ValType>& types) {
  return std::ranges::find(types, wasm::ValType::V128) != types.end();
}

Error refuse(uint64_t offset) {
  Error e(Phase::Unsupported, "SIMD (v128) is not supported by the baseline tier", offset);
  e.context = "baseline";
  return e;
}

}  // namespace

Result<void> refuse_simd(const wasm::Module& m) {
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

}  // namespace lunatic::jit
