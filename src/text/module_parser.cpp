// The module parser's driver: a first pass binds the identifiers of every index space (so
// fields may refer forward) and reads the type definitions, a second pass encodes each field;
// also type uses (with the implicit types the spec appends), value types and the final
// assembly of the sections.
#include "text/module_parser.hpp"

#include "common/utf8.hpp"
#include "text/literals.hpp"
#include "text/text.hpp"

namespace lunatic::text {

Error TokenCursor::unexpected(std::string message) const {
  if (at(TokenKind::Eof)) return error_at(peek(), "unexpected end of input");
  return error_at(peek(), std::move(message));
}

Result<void> TokenCursor::expect(TokenKind kind) {
  if (!at(kind)) return unexpected();
  next();
  return {};
}

Result<void> TokenCursor::expect_keyword(std::string_view kw) {
  if (!at_keyword(kw)) return unexpected();
  next();
  return {};
}

Result<std::string> TokenCursor::expect_string() {
  if (!at(TokenKind::String)) return unexpected();
  return decode_string(next());
}

Result<void> TokenCursor::skip_sexpr() {
  size_t depth = 0;
  do {
    if (at(TokenKind::Eof)) return unexpected();
    if (at(TokenKind::LParen)) ++depth;
    if (at(TokenKind::RParen)) {
      if (depth == 0) return unexpected();
      --depth;
    }
    next();
  } while (depth > 0);
  return {};
}

std::optional<wasm::ValType> val_type_from_keyword(std::string_view kw) {
  if (kw == "i32") return wasm::ValType::I32;
  if (kw == "i64") return wasm::ValType::I64;
  if (kw == "f32") return wasm::ValType::F32;
  if (kw == "f64") return wasm::ValType::F64;
  if (kw == "v128") return wasm::ValType::V128;
  if (kw == "funcref") return wasm::ValType::FuncRef;
  if (kw == "externref") return wasm::ValType::ExternRef;
  return std::nullopt;
}

Result<std::vector<uint8_t>> ModuleParser::parse(bool bare) {
  size_t start = cur_.pos();
  TRY(declare_fields(start));
  size_t end = cur_.pos();
  TRY(define_fields());
  cur_.seek(end);
  if (bare && !cur_.at(TokenKind::Eof)) return cur_.unexpected();
  return assemble();
}

// Pass 1: field positions, identifiers, counts, type definitions, import order.
Result<void> ModuleParser::declare_fields(size_t) {
  while (cur_.at(TokenKind::LParen)) {
    size_t field = cur_.pos();
    field_starts_.push_back(field);
    cur_.next();
    if (!cur_.at(TokenKind::Keyword)) return cur_.unexpected();
    const Token& kw_tok = cur_.next();
    std::string_view kw = kw_tok.text;
    if (kw == "type") {
      TRY(parse_type_field());
    } else if (kw == "import") {
      TRY(cur_.expect_string());
      TRY(cur_.expect_string());
      TRY(cur_.expect(TokenKind::LParen));
      if (!cur_.at(TokenKind::Keyword)) return cur_.unexpected();
      std::string_view kind = cur_.next().text;
      if (kind == "func")
        TRY(declare(funcs_, "function", true));
      else if (kind == "table")
        TRY(declare(tables_, "table", true));
      else if (kind == "memory")
        TRY(declare(memories_, "memory", true));
      else if (kind == "global")
        TRY(declare(globals_, "global", true));
      else
        return error_at(cur_.peek(1), "unexpected token");
    } else if (kw == "func" || kw == "table" || kw == "memory" || kw == "global") {
      Space& space = kw == "func"     ? funcs_
                     : kw == "table"  ? tables_
                     : kw == "memory" ? memories_
                                      : globals_;
      size_t after_kw = cur_.pos();
      if (cur_.at(TokenKind::Id)) cur_.next();
      while (cur_.at_field("export")) TRY(cur_.skip_sexpr());
      bool is_import = cur_.at_field("import");
      if (!is_import && kw == "table") {
        if (cur_.at(TokenKind::Keyword) && cur_.peek(1).kind == TokenKind::LParen &&
            cur_.at_keyword("elem", 2)) {
          ++elems_.count;
        }
      }
      if (!is_import && kw == "memory" && cur_.at_field("data")) ++datas_.count;
      cur_.seek(after_kw);
      TRY(declare(space, space.what, is_import));
    } else if (kw == "elem") {
      TRY(bind_name(elems_, elems_.count++));
    } else if (kw == "data") {
      TRY(bind_name(datas_, datas_.count++));
    } else if (kw != "export" && kw != "start") {
      return error_at(kw_tok, "unexpected token");
    }
    cur_.seek(field);
    TRY(cur_.skip_sexpr());
  }
  if (!cur_.at(TokenKind::RParen) && !cur_.at(TokenKind::Eof)) return cur_.unexpected();
  return {};
}

Result<void> ModuleParser::declare(Space& space, const char* kind, bool is_import) {
  if (is_import && first_definition_) {
    return cur_.unexpected(std::string("import after ") + first_definition_);
  }
  if (!is_import && !first_definition_) first_definition_ = kind;
  return bind_name(space, space.count++);
}

Result<void> ModuleParser::bind_name(Space& space, uint32_t index) {
  if (!cur_.at(TokenKind::Id)) return {};
  const Token& id = cur_.next();
  if (!space.names.emplace(id.text, index).second) {
    return error_at(id, std::string("duplicate ") + space.keyword);
  }
  return {};
}

Result<uint32_t> ModuleParser::resolve(Space& space) {
  const Token& tok = cur_.peek();
  if (tok.kind == TokenKind::Id) {
    auto it = space.names.find(tok.text);
    if (it == space.names.end()) {
      return error_at(tok, std::string("unknown ") + space.what + " " + std::string(tok.text));
    }
    cur_.next();
    return it->second;
  }
  if (tok.kind == TokenKind::Number) {
    uint64_t v = 0;
    LiteralStatus st = parse_nat(tok.text, UINT32_MAX, v);
    if (st == LiteralStatus::Range) return error_at(tok, "constant out of range");
    if (st != LiteralStatus::Ok) return error_at(tok, "unknown operator");
    cur_.next();
    return static_cast<uint32_t>(v);
  }
  return cur_.unexpected();
}

// (type $t? (func (param ...)* (result ...)*)), read in pass 1 so type uses can match it.
Result<void> ModuleParser::parse_type_field() {
  TRY(bind_name(types_, types_.count++));
  TRY(cur_.expect(TokenKind::LParen));
  TRY(cur_.expect_keyword("func"));
  wasm::FuncType type;
  std::vector<std::string_view> names;
  while (cur_.at_field("param")) {
    cur_.next();
    cur_.next();
    TRY(parse_value_types(type.params, &names));
  }
  while (cur_.at_field("result")) {
    cur_.next();
    cur_.next();
    TRY(parse_value_types(type.results, nullptr));
  }
  TRY(cur_.expect(TokenKind::RParen));
  TRY(cur_.expect(TokenKind::RParen));
  add_type(std::move(type));
  return {};
}

// After `(param` or `(result`: `$id t` (params only) or `t*`, then `)`.
Result<void> ModuleParser::parse_value_types(std::vector<wasm::ValType>& out,
                                             std::vector<std::string_view>* names) {
  if (names && cur_.at(TokenKind::Id)) {
    names->push_back(cur_.next().text);
    out.push_back(TRY(parse_val_type()));
    return cur_.expect(TokenKind::RParen);
  }
  while (!cur_.at(TokenKind::RParen)) {
    out.push_back(TRY(parse_val_type()));
    if (names) names->push_back({});
  }
  cur_.next();
  return {};
}

// The spec interpreter's lexer knows every type keyword, so another keyword here is an
// "unknown operator" (e.g. the obsolete `anyfunc`).
Error ModuleParser::unknown_keyword() const {
  if (cur_.at(TokenKind::Keyword)) {
    return error_at(cur_.peek(), "unknown operator " + std::string(cur_.peek().text));
  }
  return cur_.unexpected();
}

Result<wasm::ValType> ModuleParser::parse_val_type() {
  if (cur_.at(TokenKind::Keyword)) {
    if (auto t = val_type_from_keyword(cur_.peek().text)) {
      TRY(require(wasm::feature_of(*t), cur_.peek()));
      cur_.next();
      return *t;
    }
  }
  return unknown_keyword();
}

Result<void> ModuleParser::require(std::optional<wasm::Feature> feature, const Token& at) const {
  if (!feature || features_.has(*feature)) return {};
  return error_at(at, wasm::feature_disabled(*feature, Phase::Decode).message);
}

Result<wasm::ValType> ModuleParser::parse_ref_type() {
  if (cur_.at_keyword("funcref")) {
    cur_.next();
    return wasm::ValType::FuncRef;
  }
  if (cur_.at_keyword("externref")) {
    TRY(require(wasm::Feature::ReferenceTypes, cur_.peek()));
    cur_.next();
    return wasm::ValType::ExternRef;
  }
  if (cur_.at(TokenKind::Keyword) && val_type_from_keyword(cur_.peek().text)) {
    return cur_.unexpected();
  }
  return unknown_keyword();
}

Result<ModuleParser::TypeUse> ModuleParser::parse_typeuse(bool allow_names) {
  TypeUse use;
  if (cur_.at_field("type")) {
    cur_.next();
    cur_.next();
    use.index = TRY(resolve(types_));
    TRY(cur_.expect(TokenKind::RParen));
  }
  while (cur_.at_field("param")) {
    cur_.next();
    cur_.next();
    use.has_inline = true;
    if (!allow_names && cur_.at(TokenKind::Id)) return cur_.unexpected();
    TRY(parse_value_types(use.type.params, &use.param_names));
  }
  while (cur_.at_field("result")) {
    cur_.next();
    cur_.next();
    use.has_inline = true;
    TRY(parse_value_types(use.type.results, nullptr));
  }
  // Out of order: (result) before (param), or (type) after either.
  if (cur_.at_field("param") || cur_.at_field("type") || cur_.at_field("result")) {
    return error_at(cur_.peek(1), "unexpected token");
  }
  return use;
}

Result<uint32_t> ModuleParser::type_index(const TypeUse& use, const Token& at) {
  if (use.index) {
    // An index past the types is the validator's "unknown type", unless inline types make
    // the text itself inconsistent.
    if (*use.index >= type_defs_.size()) {
      if (use.has_inline) return error_at(at, "unknown type");
      return *use.index;
    }
    if (use.has_inline && type_defs_[*use.index] != use.type) {
      return error_at(at, "inline function type");
    }
    return *use.index;
  }
  auto it = type_lookup_.find(type_key(use.type));
  if (it != type_lookup_.end()) return it->second;
  return add_type(use.type);
}

// A function type as bytes (params, a separator no value type uses, results), so matching a
// type use is a hash lookup rather than a scan of every type.
std::string ModuleParser::type_key(const wasm::FuncType& type) {
  std::string key;
  for (wasm::ValType t : type.params) key += static_cast<char>(t);
  key += '\0';
  for (wasm::ValType t : type.results) key += static_cast<char>(t);
  return key;
}

uint32_t ModuleParser::add_type(wasm::FuncType type) {
  uint32_t index = static_cast<uint32_t>(type_defs_.size());
  type_lookup_.emplace(type_key(type), index);  // keeps the first (smallest) index
  type_defs_.push_back(std::move(type));
  return index;
}

// Pass 2: encode each field in source order.
Result<void> ModuleParser::define_fields() {
  for (size_t field : field_starts_) {
    cur_.seek(field + 1);
    std::string_view kw = cur_.next().text;
    if (kw == "type") continue;
    if (kw == "import")
      TRY(parse_import_field());
    else if (kw == "func")
      TRY(parse_func_field());
    else if (kw == "table")
      TRY(parse_table_field());
    else if (kw == "memory")
      TRY(parse_memory_field());
    else if (kw == "global")
      TRY(parse_global_field());
    else if (kw == "export")
      TRY(parse_export_field());
    else if (kw == "start")
      TRY(parse_start_field());
    else if (kw == "elem")
      TRY(parse_elem_field());
    else if (kw == "data")
      TRY(parse_data_field());
  }
  return {};
}

std::vector<uint8_t> ModuleParser::assemble() {
  BinaryWriter out;
  for (uint8_t b : {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00}) out.byte(b);
  BinaryWriter types;
  for (const wasm::FuncType& t : type_defs_) {
    types.byte(0x60);
    types.u32(static_cast<uint32_t>(t.params.size()));
    for (wasm::ValType v : t.params) types.val_type(v);
    types.u32(static_cast<uint32_t>(t.results.size()));
    for (wasm::ValType v : t.results) types.val_type(v);
  }
  write_section(out, 1, static_cast<uint32_t>(type_defs_.size()), types);
  write_section(out, 2, import_count_, import_sec_);
  write_section(out, 3, func_count_, func_sec_);
  write_section(out, 4, table_count_, table_sec_);
  write_section(out, 5, memory_count_, memory_sec_);
  write_section(out, 6, global_count_, global_sec_);
  write_section(out, 7, export_count_, export_sec_);
  if (has_start_) {
    out.byte(8);
    out.sized(start_sec_.bytes());
  }
  write_section(out, 9, elem_count_, elem_sec_);
  if (uses_data_count_) {
    BinaryWriter count;
    count.u32(data_count_);
    out.byte(12);
    out.sized(count.bytes());
  }
  write_section(out, 10, func_count_, code_sec_);
  write_section(out, 11, data_count_, data_sec_);
  return std::move(out.bytes());
}

namespace {

Result<std::string> concat_strings(TokenCursor& cur) {
  std::string all;
  while (cur.at(TokenKind::String)) all += decode_string(cur.next());
  return all;
}

Result<std::vector<uint8_t>> parse_module_tokens(const std::vector<Token>& tokens,
                                                 const wasm::Features& features,
                                                 unsigned quote_depth) {
  TokenCursor cur(tokens);
  if (!cur.at_field("module")) {
    ModuleParser parser(tokens, 0, features);
    return parser.parse(true);
  }
  cur.next();
  cur.next();
  if (cur.at(TokenKind::Id)) cur.next();
  std::vector<uint8_t> bytes;
  if (cur.at_keyword("binary") || cur.at_keyword("quote")) {
    bool quote = cur.next().text == "quote";
    std::string all = TRY(concat_strings(cur));
    TRY(cur.expect(TokenKind::RParen));
    if (!cur.at(TokenKind::Eof)) return cur.unexpected();
    if (!quote) return std::vector<uint8_t>(all.begin(), all.end());
    if (quote_depth >= 8) return cur.unexpected("quoted module nested too deeply");
    std::vector<Token> inner = TRY(tokenize(all));
    // The tokens view `all`, which lives until the inner parse returns.
    return parse_module_tokens(inner, features, quote_depth + 1);
  }
  ModuleParser parser(tokens, cur.pos(), features);
  bytes = TRY(parser.parse(false));
  cur.seek(parser.end_pos());
  TRY(cur.expect(TokenKind::RParen));
  if (!cur.at(TokenKind::Eof)) return cur.unexpected();
  return bytes;
}

}  // namespace

Result<std::vector<uint8_t>> parse_module(std::string_view wat, const wasm::Features& features) {
  std::vector<Token> tokens = TRY(tokenize(wat));
  return parse_module_tokens(tokens, features, 0);
}

}  // namespace lunatic::text
