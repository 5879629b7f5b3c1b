// prepare_segments: a module's active element and data segments read once at compile time, so
// that each instantiation (each spawn) copies them without evaluating a constant expression or
// checking a bound.
#include <optional>

#include "engine/compiled_module.hpp"

namespace lunatic::engine {
namespace {

// The value of an offset that is one i32.const (what every toolchain emits), else none.
std::optional<uint32_t> constant_offset(const wasm::ConstExpr& expr) {
  if (expr.instrs.size() != 1 || expr.instrs[0].op != wasm::Opcode::I32Const) return std::nullopt;
  return static_cast<uint32_t>(expr.instrs[0].c & 0xFFFF'FFFFu);
}

// An element item that is one ref.func of a function in the index space, or one ref.null.
std::optional<uint32_t> constant_function(const wasm::ConstExpr& item, uint64_t functions) {
  if (item.instrs.size() != 1) return std::nullopt;
  const wasm::Instr& in = item.instrs[0];
  if (in.op == wasm::Opcode::RefNull) return PreparedSegments::kNull;
  if (in.op == wasm::Opcode::RefFunc && in.a < functions) return in.a;
  return std::nullopt;
}

}  // namespace

PreparedSegments prepare_segments(const wasm::Module& m) {
  PreparedSegments prepared;
  // An imported table or memory has contents and a size only known at instantiation.
  for (const wasm::Import& import : m.imports) {
    if (import.kind == wasm::ExternKind::Table || import.kind == wasm::ExternKind::Memory) {
      return prepared;
    }
  }
  const uint64_t functions = m.imported_functions + m.functions.size();
  for (const wasm::ElemSegment& seg : m.elements) {
    if (seg.mode != wasm::SegmentMode::Active) continue;
    const std::optional<uint32_t> offset = constant_offset(seg.offset);
    if (!offset || seg.table_index >= m.tables.size() ||
        *offset + uint64_t{seg.items.size()} > m.tables[seg.table_index].limits.min) {
      return {};
    }
    PreparedSegments::Elements& out = prepared.elements.emplace_back();
    out.table = seg.table_index;
    out.offset = *offset;
    out.functions.reserve(seg.items.size());
    for (const wasm::ConstExpr& item : seg.items) {
      const std::optional<uint32_t> f = constant_function(item, functions);
      if (!f) return {};
      out.functions.push_back(*f);
    }
  }
  for (const wasm::DataSegment& seg : m.data) {
    if (seg.mode != wasm::SegmentMode::Active) continue;
    const std::optional<uint32_t> offset = constant_offset(seg.offset);
    if (!offset || seg.memory_index != 0 || m.memories.empty() ||
        *offset + uint64_t{seg.bytes.size()} >
            uint64_t{m.memories[0].limits.min} * wasm::kPageSize) {
      return {};
    }
    if (!seg.bytes.empty()) prepared.data.push_back({*offset, seg.bytes});
  }
  prepared.ready = true;
  return prepared;
}

}  // namespace lunatic::engine
