// Plain (non-block) instructions: the opcode by its text name from opcodes.def, then the
// immediates its Immediate kind calls for (indices, memargs, constants, types).
#include <bit>
#include <unordered_map>

#include "text/literals.hpp"
#include "text/module_parser.hpp"

namespace lunatic::text {

using wasm::Immediate;
using wasm::Opcode;

namespace {

const std::unordered_map<std::string_view, Opcode>& opcode_names() {
  static const auto* names = [] {
    auto* m = new std::unordered_map<std::string_view, Opcode>();
    // emplace keeps the first of two opcodes with one name (select before typed select).
#define WASM_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes) \
  m->emplace(text, Opcode::name);
#include "wasm/opcodes.def"
#undef WASM_OPCODE
    return m;
  }();
  return *names;
}

void write_opcode(Opcode op, BinaryWriter& out) {
  const wasm::OpcodeInfo& info = wasm::opcode_info(op);
  if (info.prefix != 0) {
    out.byte(info.prefix);
    out.u32(info.code);
  } else {
    out.byte(static_cast<uint8_t>(info.code));
  }
}

bool is_index(const Token& t) { return t.kind == TokenKind::Number || t.kind == TokenKind::Id; }

}  // namespace

Result<void> ModuleParser::parse_plain(const Token& op_tok, BinaryWriter& out) {
  auto it = opcode_names().find(op_tok.text);
  if (it == opcode_names().end() || op_tok.text == "block" || op_tok.text == "loop" ||
      op_tok.text == "if" || op_tok.text == "else" || op_tok.text == "end") {
    return error_at(op_tok, "unknown operator " + std::string(op_tok.text));
  }
  Opcode op = it->second;
  TRY(require(wasm::feature_of(op), op_tok));
  const wasm::OpcodeInfo& info = wasm::opcode_info(op);
  switch (info.immediate) {
    case Immediate::None:
      if (op == Opcode::Select && cur_.at_field("result")) {
        TRY(require(wasm::feature_of(Opcode::SelectT), op_tok));
        std::vector<wasm::ValType> types;
        while (cur_.at_field("result")) {
          cur_.next();
          cur_.next();
          TRY(parse_value_types(types, nullptr));
        }
        write_opcode(Opcode::SelectT, out);
        out.u32(static_cast<uint32_t>(types.size()));
        for (wasm::ValType t : types) out.val_type(t);
        return {};
      }
      write_opcode(op, out);
      return {};
    case Immediate::Label:
      write_opcode(op, out);
      out.u32(TRY(resolve_label()));
      return {};
    case Immediate::BrTable: {
      std::vector<uint32_t> labels;
      while (is_index(cur_.peek())) labels.push_back(TRY(resolve_label()));
      if (labels.empty()) return cur_.unexpected();
      write_opcode(op, out);
      out.u32(static_cast<uint32_t>(labels.size() - 1));
      for (uint32_t l : labels) out.u32(l);
      return {};
    }
    case Immediate::Func:
      write_opcode(op, out);
      out.u32(TRY(resolve(funcs_)));
      return {};
    case Immediate::CallIndirect: {
      uint32_t table = 0;
      if (is_index(cur_.peek())) table = TRY(resolve(tables_));
      const Token& at = cur_.peek();
      TypeUse use = TRY(parse_typeuse(false));
      uint32_t type = TRY(type_index(use, at));
      write_opcode(op, out);
      out.u32(type);
      out.u32(table);
      return {};
    }
    case Immediate::Local:
      write_opcode(op, out);
      out.u32(TRY(resolve_local()));
      return {};
    case Immediate::Global:
      write_opcode(op, out);
      out.u32(TRY(resolve(globals_)));
      return {};
    case Immediate::Table: {
      uint32_t table = 0;
      if (is_index(cur_.peek())) table = TRY(resolve(tables_));
      write_opcode(op, out);
      out.u32(table);
      return {};
    }
    case Immediate::MemArg: write_opcode(op, out); return parse_memarg(op, out);
    case Immediate::MemArgLane:
      write_opcode(op, out);
      TRY(parse_memarg(op, out));
      return parse_lane_index(out);
    case Immediate::Lane: write_opcode(op, out); return parse_lane_index(out);
    case Immediate::V128: write_opcode(op, out); return parse_v128_const(out);
    case Immediate::Shuffle: write_opcode(op, out); return parse_shuffle_lanes(out);
    case Immediate::MemIdx:
      write_opcode(op, out);
      out.byte(0x00);
      return {};
    case Immediate::I32:
    case Immediate::I64:
    case Immediate::F32:
    case Immediate::F64: write_opcode(op, out); return parse_const(op, out);
    case Immediate::RefType:
      write_opcode(op, out);
      if (cur_.at_keyword("func"))
        out.val_type(wasm::ValType::FuncRef);
      else if (cur_.at_keyword("extern"))
        out.val_type(wasm::ValType::ExternRef);
      else
        return cur_.unexpected();
      cur_.next();
      return {};
    case Immediate::MemoryInit:
      write_opcode(op, out);
      out.u32(TRY(resolve(datas_)));
      out.byte(0x00);
      uses_data_count_ = true;
      return {};
    case Immediate::Data:
      write_opcode(op, out);
      out.u32(TRY(resolve(datas_)));
      uses_data_count_ = true;
      return {};
    case Immediate::Elem:
      write_opcode(op, out);
      out.u32(TRY(resolve(elems_)));
      return {};
    case Immediate::MemoryCopy:
      write_opcode(op, out);
      out.byte(0x00);
      out.byte(0x00);
      return {};
    case Immediate::TableInit: {
      uint32_t table = 0;
      if (is_index(cur_.peek()) && is_index(cur_.peek(1))) table = TRY(resolve(tables_));
      uint32_t elem = TRY(resolve(elems_));
      write_opcode(op, out);
      out.u32(elem);
      out.u32(table);
      return {};
    }
    case Immediate::TableCopy: {
      uint32_t dst = 0, src = 0;
      if (is_index(cur_.peek())) {
        dst = TRY(resolve(tables_));
        src = TRY(resolve(tables_));
      }
      write_opcode(op, out);
      out.u32(dst);
      out.u32(src);
      return {};
    }
    case Immediate::BlockType:
    case Immediate::SelectT: break;
  }
  return error_at(op_tok, "unknown operator " + std::string(op_tok.text));
}

// `offset=N`? `align=N`?, the alignment a power of two, by default the natural one.
Result<void> ModuleParser::parse_memarg(Opcode op, BinaryWriter& out) {
  uint64_t offset = 0;
  uint64_t align = wasm::opcode_info(op).access_bytes;
  if (cur_.at(TokenKind::Keyword) && cur_.peek().text.starts_with("offset=")) {
    const Token& tok = cur_.next();
    const LiteralStatus st = parse_nat(tok.text.substr(7), UINT32_MAX, offset);
    // Like the reference lexer: `offset=-1` is no token at all, a too large offset no i32.
    if (st == LiteralStatus::Syntax) return error_at(tok, "unknown operator");
    if (st != LiteralStatus::Ok) return error_at(tok, "i32 constant");
  }
  if (cur_.at(TokenKind::Keyword) && cur_.peek().text.starts_with("align=")) {
    const Token& tok = cur_.next();
    const LiteralStatus st = parse_nat(tok.text.substr(6), UINT32_MAX, align);
    if (st == LiteralStatus::Syntax) return error_at(tok, "unknown operator");
    if (st != LiteralStatus::Ok || !std::has_single_bit(align))
      return error_at(tok, "alignment must be a power of two");
  }
  out.u32(static_cast<uint32_t>(std::countr_zero(align)));
  out.u32(static_cast<uint32_t>(offset));
  return {};
}

Result<void> ModuleParser::parse_const(Opcode op, BinaryWriter& out) {
  const Token& tok = cur_.peek();
  // Like the spec interpreter's lexer: a run of characters that is no token at all (`.0`,
  // `_1`, `0x`) is an unknown operator; a keyword in the wrong place is unexpected.
  if (tok.kind == TokenKind::Reserved) return error_at(tok, "unknown operator");
  if (tok.kind != TokenKind::Number && tok.kind != TokenKind::Keyword) return cur_.unexpected();
  LiteralStatus st = LiteralStatus::Syntax;
  if (op == Opcode::I32Const) {
    uint64_t v = 0;
    st = parse_int(tok.text, 32, v);
    if (st == LiteralStatus::Ok) out.sleb(static_cast<int32_t>(static_cast<uint32_t>(v)));
  } else if (op == Opcode::I64Const) {
    uint64_t v = 0;
    st = parse_int(tok.text, 64, v);
    if (st == LiteralStatus::Ok) out.sleb(static_cast<int64_t>(v));
  } else if (op == Opcode::F32Const) {
    uint32_t v = 0;
    st = parse_f32(tok.text, v);
    if (st == LiteralStatus::Ok) out.f32(v);
  } else {
    uint64_t v = 0;
    st = parse_f64(tok.text, v);
    if (st == LiteralStatus::Ok) out.f64(v);
  }
  if (st == LiteralStatus::Range) return error_at(tok, "constant out of range");
  if (st == LiteralStatus::Syntax) {
    // The script-only NaN patterns are tokens; other near-literals (`nan:1`) are not.
    bool script_nan = tok.text == "nan:canonical" || tok.text == "nan:arithmetic";
    return error_at(tok, script_nan ? "unexpected token" : "unknown operator");
  }
  cur_.next();
  return {};
}

}  // namespace lunatic::text
