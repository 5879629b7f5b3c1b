// Internal: the module parser shared by module_parser.cpp (driver, types, index spaces),
// module_fields.cpp (imports, tables, memories, globals, exports, segments) and
// instr_parser.cpp (instructions and function bodies).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "text/binary_writer.hpp"
#include "text/lexer.hpp"
#include "wasm/features.hpp"
#include "wasm/opcode.hpp"
#include "wasm/types.hpp"

namespace lunatic::text {

/// Deepest nesting of folded instructions and blocks the parser accepts.
constexpr size_t kMaxNesting = 10000;

/// Token navigation shared by the module and script parsers.
class TokenCursor {
 public:
  explicit TokenCursor(const std::vector<Token>& tokens) : tokens_(tokens) {}

  const Token& peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& next() {
    const Token& t = peek();
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool at(TokenKind kind) const { return peek().kind == kind; }
  bool at_keyword(std::string_view kw, size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::Keyword && peek(ahead).text == kw;
  }
  /// Whether the next tokens are `(` kw.
  bool at_field(std::string_view kw) const {
    return peek().kind == TokenKind::LParen && at_keyword(kw, 1);
  }
  /// An error at the next token: "unexpected end of input" at Eof, else `message`.
  Error unexpected(std::string message = "unexpected token") const;
  Result<void> expect(TokenKind kind);
  Result<void> expect_keyword(std::string_view kw);
  Result<std::string> expect_string();
  /// Skips the s-expression that starts at the next token (an atom or a balanced list).
  Result<void> skip_sexpr();

  size_t pos() const { return pos_; }
  void seek(size_t pos) { pos_ = pos; }

 private:
  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
};

/// Parses the value types of `(param ...)`/`(result ...)` and the like.
std::optional<wasm::ValType> val_type_from_keyword(std::string_view kw);

class ModuleParser {
 public:
  /// A parser of the module fields that start at token `pos`; an instruction or type of a
  /// proposal that `features` lacks is an error at its token.
  ModuleParser(const std::vector<Token>& tokens, size_t pos, const wasm::Features& features)
      : cur_(tokens), features_(features) {
    cur_.seek(pos);
  }
  /// Parses module fields until the closing `)` (not consumed) or, when `bare`, until Eof.
  Result<std::vector<uint8_t>> parse(bool bare);
  /// The token position after the fields (the closing `)` or Eof).
  size_t end_pos() const { return cur_.pos(); }

 private:
  /// An index space: names and the number of entries (imports first).
  struct Space {
    Space(const char* w, const char* k) : what(w), keyword(k) {}
    const char* what;     ///< "function", "table", ... for "unknown ..." messages
    const char* keyword;  ///< "func", "table", ... for "duplicate ..." messages
    std::unordered_map<std::string_view, uint32_t> names;
    uint32_t count = 0;
  };
  struct TypeUse {
    std::optional<uint32_t> index;
    wasm::FuncType type;
    bool has_inline = false;
    std::vector<std::string_view> param_names;  ///< per inline param; empty views if unnamed
  };
  struct Label {
    std::string_view name;
    bool plain = false;  ///< opened by a plain `block`/`loop`/`if` (closed by `end`)
    bool is_if = false;
    bool seen_else = false;
  };

  // module_parser.cpp
  Result<void> declare_fields(size_t end_pos);
  Result<void> declare(Space& space, const char* kind, bool is_import);
  Result<void> define_fields();
  Result<void> parse_type_field();
  Result<void> bind_name(Space& space, uint32_t index);
  Result<uint32_t> resolve(Space& space);
  Result<TypeUse> parse_typeuse(bool allow_names);
  Result<uint32_t> type_index(const TypeUse& use, const Token& at);
  static std::string type_key(const wasm::FuncType& type);
  uint32_t add_type(wasm::FuncType type);
  Result<wasm::ValType> parse_val_type();
  /// Ok unless `feature` is set and disabled: then its error at `at` ("SIMD is disabled").
  Result<void> require(std::optional<wasm::Feature> feature, const Token& at) const;
  Error unknown_keyword() const;
  Result<wasm::ValType> parse_ref_type();
  Result<void> parse_value_types(std::vector<wasm::ValType>& out,
                                 std::vector<std::string_view>* names);
  std::vector<uint8_t> assemble();

  // module_fields.cpp
  Result<void> parse_import_field();
  Result<void> parse_inline_exports(wasm::ExternKind kind, uint32_t index);
  Result<bool> parse_inline_import(wasm::ExternKind kind);
  Result<void> parse_func_field();
  Result<void> parse_table_field();
  Result<void> parse_memory_field();
  Result<void> parse_global_field();
  Result<void> parse_export_field();
  Result<void> parse_start_field();
  Result<void> parse_elem_field();
  Result<void> parse_data_field();
  Result<wasm::Limits> parse_limits(uint64_t max);
  Result<wasm::GlobalType> parse_global_type();
  Result<void> write_import_desc(wasm::ExternKind kind, BinaryWriter& out);
  /// An element list (`func x*`, `reftype elemexpr*` or a bare `x*`) up to `)`.
  struct ElemList {
    wasm::ValType type = wasm::ValType::FuncRef;
    bool exprs = false;  ///< items are expressions (else function indices)
    uint32_t count = 0;
    BinaryWriter items;
  };
  Result<void> parse_elem_items(ElemList& list);
  Result<void> parse_elem_list(ElemList& list);
  /// Writes an elem segment; `mode` 0 active, 1 passive, 2 declarative.
  void write_elem(int mode, uint32_t table, const BinaryWriter& offset, const ElemList& list);
  Result<std::string> expect_name();
  Result<void> parse_offset(BinaryWriter& out);
  Result<std::string> parse_data_strings();

  // instr_parser.cpp
  Result<void> parse_instrs(BinaryWriter& out, bool single);
  Result<void> parse_plain(const Token& op_tok, BinaryWriter& out);
  /// `$label? blocktype` after block/loop/if: writes the block type, returns the label.
  Result<std::string_view> parse_block_header(BinaryWriter& out);
  Result<uint32_t> resolve_local();
  Result<void> parse_memarg(wasm::Opcode op, BinaryWriter& out);
  Result<void> parse_const(wasm::Opcode op, BinaryWriter& out);
  // simd_immediates.cpp
  /// `SHAPE lane*` of v128.const: the 16 bytes of the constant.
  Result<void> parse_v128_const(BinaryWriter& out);
  /// The 16 lane indices of i8x16.shuffle.
  Result<void> parse_shuffle_lanes(BinaryWriter& out);
  /// The lane index of extract/replace_lane and load/store*_lane.
  Result<void> parse_lane_index(BinaryWriter& out);
  Result<uint32_t> resolve_label();
  Result<void> parse_func_body(const TypeUse& use, uint32_t type_index, BinaryWriter& out);
  /// An expression up to the closing `)` (not consumed), then `end`.
  Result<void> parse_expr(BinaryWriter& out);

  TokenCursor cur_;
  wasm::Features features_;
  Space types_{"type", "type"}, funcs_{"function", "func"}, tables_{"table", "table"},
      memories_{"memory", "memory"}, globals_{"global", "global"}, elems_{"elem segment", "elem"},
      datas_{"data segment", "data"};
  std::vector<wasm::FuncType> type_defs_;  ///< explicit types, then the implicit ones
  std::unordered_map<std::string, uint32_t> type_lookup_;  ///< type_key -> first index
  std::vector<size_t> field_starts_;                       ///< token position of each field's `(`
  const char* first_definition_ = nullptr;  ///< kind of the first non-import definition

  // Sections, in the order of the binary format.
  BinaryWriter type_sec_, import_sec_, func_sec_, table_sec_, memory_sec_, global_sec_, export_sec_,
      start_sec_, elem_sec_, code_sec_, data_sec_;
  uint32_t import_count_ = 0, func_count_ = 0, table_count_ = 0, memory_count_ = 0,
           global_count_ = 0, export_count_ = 0, elem_count_ = 0, data_count_ = 0;
  // Running indices of pass 2 (imports come first in each space, so source order works).
  uint32_t next_func_ = 0, next_table_ = 0, next_memory_ = 0, next_global_ = 0;
  bool has_start_ = false;
  bool uses_data_count_ = false;  ///< memory.init / data.drop need the data count section

  // Per function body.
  std::unordered_map<std::string_view, uint32_t> local_names_;
  std::vector<Label> labels_;
};

}  // namespace lunatic::text
