// Test helper: builds wasm::Module values and instruction lists by hand, so the validator can
// be tested without the decoder.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "validator/validator.hpp"
#include "wasm/module.hpp"

namespace lunatic::validator::test {

using wasm::Opcode;
using wasm::ValType;

/// One instruction; offsets are assigned by Body in order.
inline wasm::Instr op(Opcode code, uint32_t a = 0, uint32_t b = 0, uint64_t c = 0) {
  wasm::Instr i;
  i.op = code;
  i.a = a;
  i.b = b;
  i.c = c;
  return i;
}

/// block/loop/if with a single result type (or none).
inline wasm::Instr block(Opcode code, std::optional<ValType> result = std::nullopt) {
  wasm::Instr i = op(code);
  if (result) {
    i.block.kind = wasm::BlockType::Kind::Value;
    i.block.value = *result;
  }
  return i;
}

/// block/loop/if whose type is the function type `type_index` (multi-value).
inline wasm::Instr block_of_type(Opcode code, uint32_t type_index) {
  wasm::Instr i = op(code);
  i.block.kind = wasm::BlockType::Kind::TypeIndex;
  i.block.type_index = type_index;
  return i;
}

class ModuleBuilder {
 public:
  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    m_.types.push_back({std::move(params), std::move(results)});
    return uint32_t(m_.types.size() - 1);
  }

  /// Adds a function; `body` gets a final `end` and offsets 100, 101, ... (function i at 1000*i).
  uint32_t func(uint32_t type_index, std::vector<wasm::Instr> body,
                std::vector<wasm::LocalGroup> locals = {},
                std::vector<uint32_t> br_table_labels = {}) {
    wasm::Function f;
    f.type_index = type_index;
    f.locals = std::move(locals);
    for (const auto& g : f.locals) f.local_count += g.count;
    body.push_back(op(Opcode::End));
    const uint32_t base = 1000 * uint32_t(m_.functions.size() + 1);
    for (size_t i = 0; i < body.size(); ++i) body[i].offset = base + uint32_t(i);
    f.body = std::move(body);
    f.body_offset = base;
    f.br_table_labels = std::move(br_table_labels);
    m_.functions.push_back(std::move(f));
    return m_.imported_functions + uint32_t(m_.functions.size() - 1);
  }

  void import_func(uint32_t type_index) {
    wasm::Import imp{"m", "f", wasm::ExternKind::Func, type_index, {}, {}, {}};
    m_.imports.push_back(imp);
    ++m_.imported_functions;
  }
  void import_global(ValType t, bool is_mutable) {
    wasm::Import imp{"m", "g", wasm::ExternKind::Global, 0, {}, {}, {t, is_mutable}};
    m_.imports.push_back(imp);
    ++m_.imported_globals;
  }
  void memory(uint32_t min, std::optional<uint32_t> max = std::nullopt) {
    m_.memories.push_back({{min, max}});
  }
  void table(ValType element, uint32_t min, std::optional<uint32_t> max = std::nullopt) {
    m_.tables.push_back({element, {min, max}});
  }
  void global(ValType t, bool is_mutable, std::vector<wasm::Instr> init) {
    m_.globals.push_back({{t, is_mutable}, {std::move(init)}});
  }
  void export_(const char* name, wasm::ExternKind kind, uint32_t index) {
    m_.exports.push_back({name, kind, index});
  }

  wasm::Module& module() { return m_; }

 private:
  wasm::Module m_;
};

/// Validates the built module and returns the error message ("" when valid).
inline std::string check(ModuleBuilder& b) {
  auto r = validate(b.module());
  return r.ok() ? std::string() : r.error().message;
}

}  // namespace lunatic::validator::test
