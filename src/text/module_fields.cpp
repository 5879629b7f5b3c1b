// Pass 2 of the module parser for every field but types: imports, functions (header),
// tables, memories, globals, exports, start, element and data segments, with the inline
// import/export/elem/data abbreviations of spec 6.6.
#include "common/utf8.hpp"
#include "text/literals.hpp"
#include "text/module_parser.hpp"

namespace lunatic::text {

using wasm::ExternKind;

Result<std::string> ModuleParser::expect_name() {
  const Token& tok = cur_.peek();
  std::string name = TRY(cur_.expect_string());
  if (!is_valid_utf8(name)) return error_at(tok, "malformed UTF-8 encoding");
  return name;
}

Result<void> ModuleParser::parse_import_field() {
  std::string module = TRY(expect_name());
  std::string name = TRY(expect_name());
  TRY(cur_.expect(TokenKind::LParen));
  std::string_view kind = cur_.next().text;
  if (cur_.at(TokenKind::Id)) cur_.next();
  import_sec_.name(module);
  import_sec_.name(name);
  ++import_count_;
  ExternKind k = kind == "func"     ? ExternKind::Func
                 : kind == "table"  ? ExternKind::Table
                 : kind == "memory" ? ExternKind::Memory
                                    : ExternKind::Global;
  TRY(write_import_desc(k, import_sec_));
  TRY(cur_.expect(TokenKind::RParen));
  return cur_.expect(TokenKind::RParen);
}

// The description of an import of `kind`, after any identifier; advances the running index.
Result<void> ModuleParser::write_import_desc(ExternKind kind, BinaryWriter& out) {
  out.byte(static_cast<uint8_t>(kind));
  switch (kind) {
    case ExternKind::Func: {
      const Token& at = cur_.peek();
      TypeUse use = TRY(parse_typeuse(true));
      out.u32(TRY(type_index(use, at)));
      ++next_func_;
      break;
    }
    case ExternKind::Table: {
      wasm::Limits limits = TRY(parse_limits(UINT32_MAX));
      out.val_type(TRY(parse_ref_type()));
      out.limits(limits);
      ++next_table_;
      break;
    }
    case ExternKind::Memory:
      out.limits(TRY(parse_limits(UINT32_MAX)));
      ++next_memory_;
      break;
    case ExternKind::Global: {
      wasm::GlobalType g = TRY(parse_global_type());
      out.val_type(g.type);
      out.byte(g.is_mutable ? 1 : 0);
      ++next_global_;
      break;
    }
  }
  return {};
}

Result<void> ModuleParser::parse_inline_exports(ExternKind kind, uint32_t index) {
  while (cur_.at_field("export")) {
    cur_.next();
    cur_.next();
    export_sec_.name(TRY(expect_name()));
    export_sec_.byte(static_cast<uint8_t>(kind));
    export_sec_.u32(index);
    ++export_count_;
    TRY(cur_.expect(TokenKind::RParen));
  }
  return {};
}

// `(import "m" "n")` inside a func/table/memory/global field: writes the import's names.
Result<bool> ModuleParser::parse_inline_import(ExternKind) {
  if (!cur_.at_field("import")) return false;
  cur_.next();
  cur_.next();
  import_sec_.name(TRY(expect_name()));
  import_sec_.name(TRY(expect_name()));
  ++import_count_;
  TRY(cur_.expect(TokenKind::RParen));
  return true;
}

Result<void> ModuleParser::parse_func_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  TRY(parse_inline_exports(ExternKind::Func, next_func_));
  if (TRY(parse_inline_import(ExternKind::Func))) {
    TRY(write_import_desc(ExternKind::Func, import_sec_));
    return cur_.expect(TokenKind::RParen);
  }
  const Token& at = cur_.peek();
  TypeUse use = TRY(parse_typeuse(true));
  uint32_t type = TRY(type_index(use, at));
  func_sec_.u32(type);
  ++func_count_;
  ++next_func_;
  TRY(parse_func_body(use, type, code_sec_));
  return cur_.expect(TokenKind::RParen);
}

Result<void> ModuleParser::parse_table_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  uint32_t index = next_table_;
  TRY(parse_inline_exports(ExternKind::Table, index));
  if (TRY(parse_inline_import(ExternKind::Table))) {
    TRY(write_import_desc(ExternKind::Table, import_sec_));
    return cur_.expect(TokenKind::RParen);
  }
  ++next_table_;
  ++table_count_;
  if (cur_.at(TokenKind::Keyword) && cur_.peek(1).kind == TokenKind::LParen &&
      cur_.at_keyword("elem", 2)) {
    // (table reftype (elem ...)): a table exactly as large as the inline active segment.
    ElemList list;
    list.type = TRY(parse_ref_type());
    cur_.next();
    cur_.next();
    list.exprs = cur_.at(TokenKind::LParen);
    TRY(parse_elem_items(list));
    TRY(cur_.expect(TokenKind::RParen));
    table_sec_.val_type(list.type);
    table_sec_.limits(wasm::Limits{list.count, list.count});
    BinaryWriter offset;
    offset.byte(0x41);
    offset.byte(0x00);
    offset.byte(0x0B);
    write_elem(0, index, offset, list);
    return cur_.expect(TokenKind::RParen);
  }
  wasm::Limits limits = TRY(parse_limits(UINT32_MAX));
  table_sec_.val_type(TRY(parse_ref_type()));
  table_sec_.limits(limits);
  return cur_.expect(TokenKind::RParen);
}

Result<void> ModuleParser::parse_memory_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  uint32_t index = next_memory_;
  TRY(parse_inline_exports(ExternKind::Memory, index));
  if (TRY(parse_inline_import(ExternKind::Memory))) {
    TRY(write_import_desc(ExternKind::Memory, import_sec_));
    return cur_.expect(TokenKind::RParen);
  }
  ++next_memory_;
  ++memory_count_;
  if (cur_.at_field("data")) {
    // (memory (data "...")): a memory just large enough for the inline active segment.
    cur_.next();
    cur_.next();
    std::string bytes = TRY(parse_data_strings());
    TRY(cur_.expect(TokenKind::RParen));
    uint32_t pages = static_cast<uint32_t>((bytes.size() + wasm::kPageSize - 1) / wasm::kPageSize);
    memory_sec_.limits(wasm::Limits{pages, pages});
    if (index == 0) {
      data_sec_.byte(0x00);
    } else {
      data_sec_.byte(0x02);
      data_sec_.u32(index);
    }
    data_sec_.byte(0x41);
    data_sec_.byte(0x00);
    data_sec_.byte(0x0B);
    data_sec_.name(bytes);
    ++data_count_;
    return cur_.expect(TokenKind::RParen);
  }
  memory_sec_.limits(TRY(parse_limits(UINT32_MAX)));
  return cur_.expect(TokenKind::RParen);
}

Result<void> ModuleParser::parse_global_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  TRY(parse_inline_exports(ExternKind::Global, next_global_));
  if (TRY(parse_inline_import(ExternKind::Global))) {
    TRY(write_import_desc(ExternKind::Global, import_sec_));
    return cur_.expect(TokenKind::RParen);
  }
  ++next_global_;
  ++global_count_;
  wasm::GlobalType g = TRY(parse_global_type());
  global_sec_.val_type(g.type);
  global_sec_.byte(g.is_mutable ? 1 : 0);
  TRY(parse_expr(global_sec_));
  return cur_.expect(TokenKind::RParen);
}

Result<wasm::GlobalType> ModuleParser::parse_global_type() {
  wasm::GlobalType g;
  if (cur_.at_field("mut")) {
    cur_.next();
    cur_.next();
    g.is_mutable = true;
    g.type = TRY(parse_val_type());
    TRY(cur_.expect(TokenKind::RParen));
  } else {
    g.type = TRY(parse_val_type());
  }
  return g;
}

Result<wasm::Limits> ModuleParser::parse_limits(uint64_t max) {
  wasm::Limits limits;
  if (!cur_.at(TokenKind::Number)) return cur_.unexpected();
  for (int i = 0; i < 2 && cur_.at(TokenKind::Number); ++i) {
    const Token& tok = cur_.next();
    uint64_t v = 0;
    LiteralStatus st = parse_nat(tok.text, max, v);
    if (st == LiteralStatus::Range) return error_at(tok, "i32 constant out of range");
    if (st != LiteralStatus::Ok) return error_at(tok, "unknown operator");
    if (i == 0)
      limits.min = static_cast<uint32_t>(v);
    else
      limits.max = static_cast<uint32_t>(v);
  }
  return limits;
}

Result<void> ModuleParser::parse_export_field() {
  std::string name = TRY(expect_name());
  TRY(cur_.expect(TokenKind::LParen));
  if (!cur_.at(TokenKind::Keyword)) return cur_.unexpected();
  std::string_view kind = cur_.next().text;
  uint32_t index = 0;
  ExternKind k;
  if (kind == "func") {
    k = ExternKind::Func;
    index = TRY(resolve(funcs_));
  } else if (kind == "table") {
    k = ExternKind::Table;
    index = TRY(resolve(tables_));
  } else if (kind == "memory") {
    k = ExternKind::Memory;
    index = TRY(resolve(memories_));
  } else if (kind == "global") {
    k = ExternKind::Global;
    index = TRY(resolve(globals_));
  } else {
    return error_at(cur_.peek(), "unexpected token");
  }
  export_sec_.name(name);
  export_sec_.byte(static_cast<uint8_t>(k));
  export_sec_.u32(index);
  ++export_count_;
  TRY(cur_.expect(TokenKind::RParen));
  return cur_.expect(TokenKind::RParen);
}

Result<void> ModuleParser::parse_start_field() {
  const Token& at = cur_.peek();
  uint32_t index = TRY(resolve(funcs_));
  if (has_start_) return error_at(at, "multiple start sections");
  has_start_ = true;
  start_sec_.u32(index);
  return cur_.expect(TokenKind::RParen);
}

Result<void> ModuleParser::parse_elem_items(ElemList& list) {
  while (!cur_.at(TokenKind::RParen)) {
    if (list.exprs) {
      if (cur_.at_field("item")) {
        cur_.next();
        cur_.next();
        TRY(parse_expr(list.items));
        TRY(cur_.expect(TokenKind::RParen));
      } else {
        if (!cur_.at(TokenKind::LParen)) return cur_.unexpected();
        TRY(parse_instrs(list.items, true));
        list.items.byte(0x0B);
      }
    } else {
      list.items.u32(TRY(resolve(funcs_)));
    }
    ++list.count;
  }
  return {};
}

Result<void> ModuleParser::parse_elem_list(ElemList& list) {
  if (cur_.at_keyword("func")) {
    cur_.next();
  } else if (cur_.at_keyword("funcref") || cur_.at_keyword("externref")) {
    list.type = TRY(parse_ref_type());
    list.exprs = true;
  }
  return parse_elem_items(list);
}

void ModuleParser::write_elem(int mode, uint32_t table, const BinaryWriter& offset,
                              const ElemList& list) {
  BinaryWriter& out = elem_sec_;
  bool plain = table == 0 && list.type == wasm::ValType::FuncRef;
  uint8_t flags = list.exprs ? 4 : 0;
  if (mode == 0)
    flags |= plain ? 0 : 2;
  else
    flags |= mode == 1 ? 1 : 3;
  out.byte(flags);
  if (flags & 2 && mode == 0) out.u32(table);
  if (mode == 0) out.append(offset.bytes());
  if (!plain || mode != 0) {
    if (list.exprs)
      out.val_type(list.type);
    else
      out.byte(0x00);
  }
  out.u32(list.count);
  out.append(list.items.bytes());
  ++elem_count_;
}

Result<void> ModuleParser::parse_elem_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  ElemList list;
  if (cur_.at_keyword("declare")) {
    cur_.next();
    TRY(parse_elem_list(list));
    write_elem(2, 0, {}, list);
    return cur_.expect(TokenKind::RParen);
  }
  uint32_t table = 0;
  bool active = false;
  if (cur_.at_field("table")) {
    cur_.next();
    cur_.next();
    table = TRY(resolve(tables_));
    TRY(cur_.expect(TokenKind::RParen));
    active = true;
  } else if (cur_.at(TokenKind::Number) || cur_.at(TokenKind::Id)) {
    table = TRY(resolve(tables_));
    active = true;
  }
  BinaryWriter offset;
  if (active || cur_.at(TokenKind::LParen)) {
    TRY(parse_offset(offset));
    active = true;
  }
  TRY(parse_elem_list(list));
  write_elem(active ? 0 : 1, table, offset, list);
  return cur_.expect(TokenKind::RParen);
}

Result<void> ModuleParser::parse_offset(BinaryWriter& out) {
  if (cur_.at_field("offset")) {
    cur_.next();
    cur_.next();
    TRY(parse_expr(out));
    return cur_.expect(TokenKind::RParen);
  }
  if (!cur_.at(TokenKind::LParen)) return cur_.unexpected();
  TRY(parse_instrs(out, true));
  out.byte(0x0B);
  return {};
}

Result<std::string> ModuleParser::parse_data_strings() {
  std::string all;
  while (cur_.at(TokenKind::String)) all += decode_string(cur_.next());
  return all;
}

Result<void> ModuleParser::parse_data_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  uint32_t memory = 0;
  bool active = false;
  if (cur_.at_field("memory")) {
    cur_.next();
    cur_.next();
    memory = TRY(resolve(memories_));
    TRY(cur_.expect(TokenKind::RParen));
    active = true;
  } else if (cur_.at(TokenKind::Number) || cur_.at(TokenKind::Id)) {
    memory = TRY(resolve(memories_));
    active = true;
  }
  BinaryWriter offset;
  if (active || cur_.at(TokenKind::LParen)) {
    TRY(parse_offset(offset));
    active = true;
  }
  std::string bytes = TRY(parse_data_strings());
  if (!active) {
    data_sec_.byte(0x01);
  } else if (memory == 0) {
    data_sec_.byte(0x00);
  } else {
    data_sec_.byte(0x02);
    data_sec_.u32(memory);
  }
  data_sec_.append(offset.bytes());
  data_sec_.name(bytes);
  ++data_count_;
  return cur_.expect(TokenKind::RParen);
}

}  // namespace lunatic::text
