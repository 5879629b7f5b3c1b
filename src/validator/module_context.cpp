// Building the validation context: flattened index spaces and the set C.refs of function
// indices that `ref.func` in function bodies may name.
#include "validator/module_context.hpp"

namespace lunatic::validator {
namespace {

// Marks the functions named by `ref.func` in a constant expression. Out-of-range indices are
// skipped here: the constant-expression check reports them as "unknown function".
void mark_refs(const wasm::ConstExpr& expr, std::vector<uint8_t>& refs) {
  for (const wasm::Instr& instr : expr.instrs) {
    if (instr.op == wasm::Opcode::RefFunc && instr.a < refs.size()) refs[instr.a] = 1;
  }
}

}  // namespace

ModuleContext make_context(const wasm::Module& module) {
  using wasm::ExternKind;
  ModuleContext ctx;
  ctx.module = &module;
  ctx.func_types.reserve(module.imported_functions + module.functions.size());
  ctx.tables.reserve(module.imported_tables + module.tables.size());
  ctx.memories.reserve(module.imported_memories + module.memories.size());
  ctx.globals.reserve(module.imported_globals + module.globals.size());
  for (const wasm::Import& imp : module.imports) {
    switch (imp.kind) {
      case ExternKind::Func: ctx.func_types.push_back(imp.func_type); break;
      case ExternKind::Table: ctx.tables.push_back(imp.table); break;
      case ExternKind::Memory: ctx.memories.push_back(imp.memory); break;
      case ExternKind::Global: ctx.globals.push_back(imp.global); break;
    }
  }
  ctx.imported_globals = uint32_t(ctx.globals.size());
  for (const wasm::Function& f : module.functions) ctx.func_types.push_back(f.type_index);
  ctx.tables.insert(ctx.tables.end(), module.tables.begin(), module.tables.end());
  ctx.memories.insert(ctx.memories.end(), module.memories.begin(), module.memories.end());
  for (const wasm::Global& g : module.globals) ctx.globals.push_back(g.type);
  ctx.elem_count = uint32_t(module.elements.size());
  ctx.has_data_count = module.data_count.has_value();
  ctx.data_count = module.data_count.value_or(uint32_t(module.data.size()));

  // C.refs: funcidx(globals, elems, exports) (spec 3.4.10); data offsets cannot hold a
  // funcref that type-checks, so scanning them too changes nothing.
  ctx.declared_refs.assign(ctx.func_types.size(), 0);
  for (const wasm::Global& g : module.globals) mark_refs(g.init, ctx.declared_refs);
  for (const wasm::ElemSegment& seg : module.elements) {
    mark_refs(seg.offset, ctx.declared_refs);
    for (const wasm::ConstExpr& item : seg.items) mark_refs(item, ctx.declared_refs);
  }
  for (const wasm::Export& e : module.exports) {
    if (e.kind == ExternKind::Func && e.index < ctx.declared_refs.size())
      ctx.declared_refs[e.index] = 1;
  }
  return ctx;
}

}  // namespace lunatic::validator
