// Module-level validation (spec 3.2 and 3.4): limits, imports, globals, segments, start and
// exports; then every function body through the FunctionValidator.
#include "validator/validator.hpp"

#include <string_view>
#include <unordered_set>

#include "validator/const_expr_check.hpp"
#include "validator/function_validator.hpp"
#include "validator/module_context.hpp"

namespace lunatic::validator {

using wasm::ValType;

namespace {

constexpr uint64_t kMaxTableSize = 0xFFFFFFFFu;  // 2^32 - 1 elements

// Attaches where a module-level error arose ("global 2", "export \"f\"").
Error in(Error error, std::string context) {
  error.context = std::move(context);
  return error;
}

std::string numbered(const char* what, size_t index) {
  return std::string(what) + " " + std::to_string(index);
}

Result<void> check_limits(const wasm::Limits& limits, uint64_t range, const char* range_message) {
  if (limits.min > range) return invalid(range_message);
  if (limits.max) {
    if (*limits.max > range) return invalid(range_message);
    if (limits.min > *limits.max) return invalid("size minimum must not be greater than maximum");
  }
  return {};
}

Result<void> check_table_type(const wasm::TableType& type) {
  if (!wasm::is_reference(type.element)) return invalid("malformed reference type");
  return check_limits(type.limits, kMaxTableSize, "table size must be at most 2^32-1");
}

Result<void> check_memory_type(const wasm::MemoryType& type) {
  return check_limits(type.limits, wasm::kMaxPages,
                      "memory size must be at most 65536 pages (4GiB)");
}

Result<void> check_imports(const wasm::Module& module) {
  for (size_t i = 0; i < module.imports.size(); ++i) {
    const wasm::Import& imp = module.imports[i];
    Result<void> r;
    switch (imp.kind) {
      case wasm::ExternKind::Func:
        if (imp.func_type >= module.types.size()) r = unknown("type", imp.func_type);
        break;
      case wasm::ExternKind::Table: r = check_table_type(imp.table); break;
      case wasm::ExternKind::Memory: r = check_memory_type(imp.memory); break;
      case wasm::ExternKind::Global: break;
    }
    if (!r) return in(std::move(r).error(), "import \"" + imp.module + "\" \"" + imp.name + "\"");
  }
  return {};
}

Result<void> check_definitions(const wasm::Module& module, const ModuleContext& ctx) {
  for (size_t i = 0; i < module.functions.size(); ++i) {
    const uint32_t type = module.functions[i].type_index;
    if (type >= module.types.size()) {
      return in(unknown("type", type), numbered("function", module.imported_functions + i));
    }
  }
  for (size_t i = 0; i < module.tables.size(); ++i) {
    if (auto r = check_table_type(module.tables[i]); !r) {
      return in(std::move(r).error(), numbered("table", module.imported_tables + i));
    }
  }
  for (size_t i = 0; i < module.memories.size(); ++i) {
    if (auto r = check_memory_type(module.memories[i]); !r) {
      return in(std::move(r).error(), numbered("memory", module.imported_memories + i));
    }
  }
  if (ctx.memories.size() > 1) return invalid("multiple memories");
  for (size_t i = 0; i < module.globals.size(); ++i) {
    const wasm::Global& g = module.globals[i];
    if (auto r = check_const_expr(ctx, g.init, g.type.type); !r) {
      return in(std::move(r).error(), numbered("global", module.imported_globals + i));
    }
  }
  return {};
}

Result<void> check_element(const ModuleContext& ctx, const wasm::ElemSegment& seg) {
  if (!wasm::is_reference(seg.type)) return invalid("malformed reference type");
  if (seg.mode == wasm::SegmentMode::Active) {
    if (seg.table_index >= ctx.tables.size()) return unknown("table", seg.table_index);
    if (ctx.tables[seg.table_index].element != seg.type) return type_mismatch();
    TRY(check_const_expr(ctx, seg.offset, ValType::I32));
  }
  for (const wasm::ConstExpr& item : seg.items) TRY(check_const_expr(ctx, item, seg.type));
  return {};
}

Result<void> check_data(const ModuleContext& ctx, const wasm::DataSegment& seg) {
  if (seg.mode != wasm::SegmentMode::Active) return {};
  if (seg.memory_index >= ctx.memories.size()) return unknown("memory", seg.memory_index);
  return check_const_expr(ctx, seg.offset, ValType::I32);
}

Result<void> check_segments(const wasm::Module& module, const ModuleContext& ctx) {
  for (size_t i = 0; i < module.elements.size(); ++i) {
    if (auto r = check_element(ctx, module.elements[i]); !r)
      return in(std::move(r).error(), numbered("elem segment", i));
  }
  for (size_t i = 0; i < module.data.size(); ++i) {
    if (auto r = check_data(ctx, module.data[i]); !r)
      return in(std::move(r).error(), numbered("data segment", i));
  }
  return {};
}

Result<void> check_bodies(const wasm::Module& module, const ModuleContext& ctx) {
  FunctionValidator checker(ctx);
  for (size_t i = 0; i < module.functions.size(); ++i) {
    if (auto r = checker.validate(module.functions[i]); !r) {
      return in(std::move(r).error(), numbered("function", module.imported_functions + i));
    }
  }
  return {};
}

Result<void> check_start(const wasm::Module& module, const ModuleContext& ctx) {
  if (!module.start) return {};
  const uint32_t index = *module.start;
  if (index >= ctx.func_types.size()) return in(unknown("function", index), "start section");
  const wasm::FuncType& type = ctx.func_type(index);
  if (!type.params.empty() || !type.results.empty())
    return in(invalid("start function"), "start section");
  return {};
}

Result<void> check_exports(const wasm::Module& module, const ModuleContext& ctx) {
  std::unordered_set<std::string_view> names;
  names.reserve(module.exports.size());
  for (const wasm::Export& e : module.exports) {
    const char* kind = "function";
    size_t count = ctx.func_types.size();
    switch (e.kind) {
      case wasm::ExternKind::Func: break;
      case wasm::ExternKind::Table:
        kind = "table";
        count = ctx.tables.size();
        break;
      case wasm::ExternKind::Memory:
        kind = "memory";
        count = ctx.memories.size();
        break;
      case wasm::ExternKind::Global:
        kind = "global";
        count = ctx.globals.size();
        break;
    }
    if (e.index >= count) return in(unknown(kind, e.index), "export \"" + e.name + "\"");
    if (!names.insert(e.name).second)
      return in(invalid("duplicate export name"), "export \"" + e.name + "\"");
  }
  return {};
}

/// What the MVP forbade at module level and a proposal allowed: several tables (reference
/// types), importing and exporting mutable globals (mutable globals).
Result<void> check_features(const wasm::Module& module, const ModuleContext& ctx,
                            const wasm::Features& features) {
  using wasm::Feature;
  if (!features.has(Feature::ReferenceTypes) && ctx.tables.size() > 1) {
    return in(wasm::feature_disabled(Feature::ReferenceTypes, Phase::Validate), "table 1");
  }
  if (features.has(Feature::MutableGlobals)) return {};
  for (const wasm::Import& imp : module.imports) {
    if (imp.kind == wasm::ExternKind::Global && imp.global.is_mutable) {
      return in(wasm::feature_disabled(Feature::MutableGlobals, Phase::Validate),
                "import \"" + imp.module + "\" \"" + imp.name + "\"");
    }
  }
  for (const wasm::Export& e : module.exports) {
    if (e.kind == wasm::ExternKind::Global && e.index < ctx.globals.size() &&
        ctx.globals[e.index].is_mutable) {
      return in(wasm::feature_disabled(Feature::MutableGlobals, Phase::Validate),
                "export \"" + e.name + "\"");
    }
  }
  return {};
}

}  // namespace

Result<void> validate(const wasm::Module& module, const wasm::Features& features) {
  // Function types need no check in 2.0: every value type the decoder accepts is valid.
  TRY(check_imports(module));
  const ModuleContext ctx = make_context(module);
  TRY(check_features(module, ctx, features));
  TRY(check_definitions(module, ctx));
  TRY(check_segments(module, ctx));
  TRY(check_bodies(module, ctx));
  TRY(check_start(module, ctx));
  TRY(check_exports(module, ctx));
  return {};
}

}  // namespace lunatic::validator
