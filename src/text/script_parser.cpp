// The .wast script format of the spec suite: module definitions, register, actions and the
// assertions, with their values. Modules under assert_malformed/assert_invalid stay unparsed.
#include "text/literals.hpp"
#include "text/module_parser.hpp"
#include "text/text.hpp"

namespace lunatic::text {
namespace {

bool is_module_field(const Token& t) {
  if (t.kind != TokenKind::Keyword) return false;
  for (const char* kw :
       {"type", "import", "func", "table", "memory", "global", "export", "start", "elem", "data"}) {
    if (t.text == kw) return true;
  }
  return false;
}

class ScriptParser {
 public:
  ScriptParser(std::string_view source, const std::vector<Token>& tokens)
      : source_(source), tokens_(tokens), cur_(tokens) {}

  Result<Script> run() {
    Script script;
    if (is_module_field(cur_.peek(1))) {
      // A script may be a bare module: its fields without `(module ...)`.
      Command cmd;
      cmd.line = cur_.peek().line;
      ModuleParser parser(tokens_, 0, wasm::Features{});
      ScriptModule m;
      m.bytes = TRY(parser.parse(true));
      cmd.module = std::move(m);
      script.commands.push_back(std::move(cmd));
      return script;
    }
    while (!cur_.at(TokenKind::Eof)) {
      if (!cur_.at(TokenKind::LParen)) return cur_.unexpected();
      script.commands.push_back(TRY(parse_command()));
    }
    return script;
  }

 private:
  Result<Command> parse_command() {
    Command cmd;
    cmd.line = cur_.peek().line;
    if (cur_.peek(1).kind != TokenKind::Keyword) return error_at(cur_.peek(1), "unexpected token");
    std::string_view kw = cur_.peek(1).text;
    if (kw == "module") {
      cmd.type = CommandType::Module;
      cmd.module = TRY(parse_module(false));
      return cmd;
    }
    if (kw == "invoke" || kw == "get") {
      cmd.type = CommandType::Action;
      cmd.action = TRY(parse_action());
      return cmd;
    }
    cur_.next();
    cur_.next();
    if (kw == "register") {
      cmd.type = CommandType::Register;
      cmd.as = TRY(cur_.expect_string());
      if (cur_.at(TokenKind::Id)) cmd.name = std::string(cur_.next().text);
    } else if (kw == "assert_return") {
      cmd.type = CommandType::AssertReturn;
      cmd.action = TRY(parse_action());
      while (cur_.at(TokenKind::LParen)) cmd.expected.push_back(TRY(parse_value(true)));
    } else if (kw == "assert_trap") {
      cmd.type = CommandType::AssertTrap;
      if (cur_.at_field("module"))
        cmd.module = TRY(parse_module(false));
      else
        cmd.action = TRY(parse_action());
      cmd.text = TRY(cur_.expect_string());
    } else if (kw == "assert_exhaustion") {
      cmd.type = CommandType::AssertExhaustion;
      cmd.action = TRY(parse_action());
      cmd.text = TRY(cur_.expect_string());
    } else if (kw == "assert_malformed" || kw == "assert_invalid") {
      cmd.type =
          kw == "assert_malformed" ? CommandType::AssertMalformed : CommandType::AssertInvalid;
      cmd.module = TRY(parse_module(true));
      cmd.text = TRY(cur_.expect_string());
    } else if (kw == "assert_unlinkable" || kw == "assert_uninstantiable") {
      cmd.type = kw == "assert_unlinkable" ? CommandType::AssertUnlinkable
                                           : CommandType::AssertUninstantiable;
      cmd.module = TRY(parse_module(false));
      cmd.text = TRY(cur_.expect_string());
    } else {
      return error_at(cur_.peek(), "unknown command " + std::string(kw));
    }
    TRY(cur_.expect(TokenKind::RParen));
    return cmd;
  }

  // (module $id? binary|quote "..."*) or (module $id? field*); text modules are encoded now
  // unless `keep_text` (their parse is what assert_malformed/invalid test) or they do not encode.
  Result<ScriptModule> parse_module(bool keep_text) {
    ScriptModule m;
    size_t open = cur_.pos();
    if (!cur_.at_field("module")) return cur_.unexpected();
    cur_.next();
    cur_.next();
    if (cur_.at(TokenKind::Id)) m.name = std::string(cur_.next().text);
    if (cur_.at_keyword("binary") || cur_.at_keyword("quote")) {
      bool quote = cur_.next().text == "quote";
      std::string all;
      while (cur_.at(TokenKind::String)) all += decode_string(cur_.next());
      if (quote) {
        m.form = ScriptModule::Form::Quote;
        m.text = std::move(all);
      } else {
        m.bytes.assign(all.begin(), all.end());
      }
      TRY(cur_.expect(TokenKind::RParen));
      return m;
    }
    if (keep_text) return keep_source(open, std::move(m));
    ModuleParser parser(tokens_, cur_.pos(), wasm::Features{});
    if (auto bytes = parser.parse(false)) {
      m.bytes = std::move(*bytes);
      cur_.seek(parser.end_pos());
      TRY(cur_.expect(TokenKind::RParen));
      return m;
    }
    // A module that does not encode is that command's failure, not the script's: keep its
    // source, and module_binary reports the error when the command runs.
    return keep_source(open, std::move(m));
  }

  Result<ScriptModule> keep_source(size_t open, ScriptModule m) {
    cur_.seek(open);
    TRY(cur_.skip_sexpr());
    const Token& first = tokens_[open];
    const Token& last = tokens_[cur_.pos() - 1];
    size_t begin = static_cast<size_t>(first.text.data() - source_.data());
    size_t end = static_cast<size_t>(last.text.data() - source_.data()) + last.text.size();
    m.form = ScriptModule::Form::Text;
    m.text = std::string(source_.substr(begin, end - begin));
    return m;
  }

  Result<Action> parse_action() {
    Action a;
    TRY(cur_.expect(TokenKind::LParen));
    if (cur_.at_keyword("invoke")) {
      a.type = Action::Type::Invoke;
    } else if (cur_.at_keyword("get")) {
      a.type = Action::Type::Get;
    } else {
      return cur_.unexpected();
    }
    cur_.next();
    if (cur_.at(TokenKind::Id)) a.module = std::string(cur_.next().text);
    a.field = TRY(cur_.expect_string());
    if (a.type == Action::Type::Invoke) {
      while (cur_.at(TokenKind::LParen)) a.args.push_back(TRY(parse_value(false)));
    }
    TRY(cur_.expect(TokenKind::RParen));
    return a;
  }

  // (i32.const N) ... (ref.null func) (ref.extern N) (ref.func) and, as results only,
  // nan:canonical / nan:arithmetic.
  Result<ScriptValue> parse_value(bool expected) {
    TRY(cur_.expect(TokenKind::LParen));
    if (!cur_.at(TokenKind::Keyword)) return cur_.unexpected();
    const Token& op = cur_.next();
    ScriptValue v;
    std::string_view kw = op.text;
    if (kw == "v128.const") {
      TRY(parse_v128(expected, v));
    } else if (kw == "ref.null") {
      v.kind = ValueKind::RefNull;
      if (cur_.at_keyword("func"))
        v.type = wasm::ValType::FuncRef;
      else if (cur_.at_keyword("extern"))
        v.type = wasm::ValType::ExternRef;
      else
        return cur_.unexpected();
      cur_.next();
    } else if (kw == "ref.extern") {
      v.type = wasm::ValType::ExternRef;
      v.kind = ValueKind::RefExtern;
      uint64_t n = 0;
      if (!cur_.at(TokenKind::Number) ||
          parse_nat(cur_.peek().text, UINT32_MAX, n) != LiteralStatus::Ok) {
        return cur_.unexpected();
      }
      cur_.next();
      v.bits = n;
    } else if (kw == "ref.func" && expected) {
      v.type = wasm::ValType::FuncRef;
      v.kind = ValueKind::RefFunc;
    } else {
      TRY(parse_number(kw, expected, v));
    }
    TRY(cur_.expect(TokenKind::RParen));
    return v;
  }

  // v128.const SHAPE lane*: the lanes little-endian in bits (bytes 0..7) and hi (8..15); as
  // an expected result, f32x4/f64x2 lanes may be nan:canonical or nan:arithmetic.
  Result<void> parse_v128(bool expected, ScriptValue& v) {
    v.type = wasm::ValType::V128;
    const LaneShape* shape =
        cur_.at(TokenKind::Keyword) ? find_lane_shape(cur_.peek().text) : nullptr;
    if (shape == nullptr) return cur_.unexpected();
    cur_.next();
    uint8_t bytes[16] = {};
    bool patterned = false;
    for (unsigned lane = 0; lane < shape->lanes; ++lane) {
      const Token& tok = cur_.peek();
      if (tok.kind != TokenKind::Number && tok.kind != TokenKind::Keyword) {
        return cur_.unexpected("wrong number of lane literals");
      }
      uint64_t bits = 0;
      ValueKind kind = ValueKind::Exact;
      if (expected && shape->is_float &&
          (tok.text == "nan:canonical" || tok.text == "nan:arithmetic")) {
        kind = tok.text == "nan:canonical" ? ValueKind::NanCanonical : ValueKind::NanArithmetic;
        patterned = true;
      } else {
        const LiteralStatus st = parse_lane(*shape, tok.text, bits);
        if (st == LiteralStatus::Range) return error_at(tok, "constant out of range");
        if (st != LiteralStatus::Ok) return error_at(tok, "unexpected token");
      }
      if (shape->is_float) v.lane_kinds[lane] = kind;
      for (unsigned i = 0; i < shape->lane_bytes; ++i)
        bytes[lane * shape->lane_bytes + i] = static_cast<uint8_t>(bits >> (8 * i));
      cur_.next();
    }
    for (unsigned i = 0; i < 8; ++i) {
      v.bits |= uint64_t{bytes[i]} << (8 * i);
      v.hi |= uint64_t{bytes[8 + i]} << (8 * i);
    }
    if (patterned) v.pattern_lanes = static_cast<uint8_t>(shape->lanes);
    return {};
  }

  Result<void> parse_number(std::string_view kw, bool expected, ScriptValue& v) {
    const Token& tok = cur_.peek();
    LiteralStatus st = LiteralStatus::Syntax;
    if (kw == "i32.const" || kw == "i64.const") {
      v.type = kw == "i32.const" ? wasm::ValType::I32 : wasm::ValType::I64;
      st = parse_int(tok.text, kw == "i32.const" ? 32 : 64, v.bits);
    } else if (kw == "f32.const" || kw == "f64.const") {
      v.type = kw == "f32.const" ? wasm::ValType::F32 : wasm::ValType::F64;
      if (expected && (tok.text == "nan:canonical" || tok.text == "nan:arithmetic")) {
        v.kind = tok.text == "nan:canonical" ? ValueKind::NanCanonical : ValueKind::NanArithmetic;
        st = LiteralStatus::Ok;
      } else if (kw == "f32.const") {
        uint32_t bits = 0;
        st = parse_f32(tok.text, bits);
        v.bits = bits;
      } else {
        st = parse_f64(tok.text, v.bits);
      }
    } else {
      return error_at(tok, "unknown operator " + std::string(kw));
    }
    if (tok.kind != TokenKind::Number && tok.kind != TokenKind::Keyword) {
      return cur_.unexpected();
    }
    if (st == LiteralStatus::Range) return error_at(tok, "constant out of range");
    if (st != LiteralStatus::Ok) return error_at(tok, "unexpected token");
    cur_.next();
    return {};
  }

  std::string_view source_;
  const std::vector<Token>& tokens_;
  TokenCursor cur_;
};

}  // namespace

const char* command_type_name(CommandType type) {
  switch (type) {
    case CommandType::Module: return "module";
    case CommandType::Register: return "register";
    case CommandType::Action: return "action";
    case CommandType::AssertReturn: return "assert_return";
    case CommandType::AssertTrap: return "assert_trap";
    case CommandType::AssertExhaustion: return "assert_exhaustion";
    case CommandType::AssertMalformed: return "assert_malformed";
    case CommandType::AssertInvalid: return "assert_invalid";
    case CommandType::AssertUnlinkable: return "assert_unlinkable";
    case CommandType::AssertUninstantiable: return "assert_uninstantiable";
  }
  return "unknown";
}

Result<std::vector<uint8_t>> module_binary(const ScriptModule& module) {
  if (module.form == ScriptModule::Form::Binary) return module.bytes;
  return parse_module(module.text);
}

Result<Script> parse_script(std::string_view wast) {
  std::vector<Token> tokens = TRY(tokenize(wast));
  return ScriptParser(wast, tokens).run();
}

}  // namespace lunatic::text
