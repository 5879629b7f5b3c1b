// Index-space helpers of the module data model.
#include "wasm/module.hpp"

namespace lunatic::wasm {
namespace {

// The n-th import of a kind. @pre it exists.
const Import& nth_import(const Module& m, ExternKind kind, uint32_t n) {
  const std::vector<Import>& imports = m.imports;
  const std::vector<uint32_t>& cached = m.imports_by_kind[static_cast<size_t>(kind)];
  if (n < cached.size()) return imports[cached[n]];
  for (const Import& imp : imports) {
    if (imp.kind != kind) continue;
    if (n == 0) return imp;
    --n;
  }
  return imports.front();  // unreachable under the precondition
}

}  // namespace

uint32_t Module::function_type_index(uint32_t func_index) const {
  if (func_index < imported_functions)
    return nth_import(*this, ExternKind::Func, func_index).func_type;
  return functions[func_index - imported_functions].type_index;
}

TableType Module::table_type(uint32_t index) const {
  if (index < imported_tables) return nth_import(*this, ExternKind::Table, index).table;
  return tables[index - imported_tables];
}

MemoryType Module::memory_type(uint32_t index) const {
  if (index < imported_memories) return nth_import(*this, ExternKind::Memory, index).memory;
  return memories[index - imported_memories];
}

GlobalType Module::global_type(uint32_t index) const {
  if (index < imported_globals) return nth_import(*this, ExternKind::Global, index).global;
  return globals[index - imported_globals].type;
}

const Export* Module::find_export(std::string_view name) const {
  for (const Export& e : exports) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::string Module::function_name(uint32_t func_index) const {
  if (auto it = function_names.find(func_index); it != function_names.end()) return it->second;
  for (const Export& e : exports) {
    if (e.kind == ExternKind::Func && e.index == func_index) return e.name;
  }
  return {};
}

// A v128.const's 16 bytes live in the Instr's c (bytes 0-7), a (8-11) and b (12-15).
V128Bytes v128_immediate(const Instr& in) {
  V128Bytes bytes;
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(in.c >> (8 * i));
  for (int i = 0; i < 4; ++i) bytes[8 + i] = static_cast<uint8_t>(in.a >> (8 * i));
  for (int i = 0; i < 4; ++i) bytes[12 + i] = static_cast<uint8_t>(in.b >> (8 * i));
  return bytes;
}

void set_v128_immediate(Instr& in, const V128Bytes& bytes) {
  in.c = 0;
  in.a = 0;
  in.b = 0;
  for (int i = 0; i < 8; ++i) in.c |= uint64_t{bytes[i]} << (8 * i);
  for (int i = 0; i < 4; ++i) in.a |= uint32_t{bytes[8 + i]} << (8 * i);
  for (int i = 0; i < 4; ++i) in.b |= uint32_t{bytes[12 + i]} << (8 * i);
}

}  // namespace lunatic::wasm
