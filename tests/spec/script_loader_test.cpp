// Unit tests of loading wast2json command lists, on JSON shaped like wast2json 1.0.32 writes it.
#include "spec/script_loader.hpp"

#include <gtest/gtest.h>

namespace lunatic::spec {
namespace {

constexpr const char* kScript = R"({"source_filename": "x.wast",
 "commands": [
  {"type": "module", "line": 1, "filename": "x.0.wasm"},
  {"type": "module", "line": 5, "name": "$M", "filename": "x.1.wasm"},
  {"type": "register", "line": 6, "name": "$M", "as": "m"},
  {"type": "register", "line": 7, "as": "last"},
  {"type": "assert_return", "line": 9,
   "action": {"type": "invoke", "module": "$M", "field": "add",
              "args": [{"type": "i32", "value": "1"}, {"type": "f64", "value": "0"}]},
   "expected": [{"type": "f32", "value": "nan:arithmetic"}]},
  {"type": "assert_return", "line": 10, "action": {"type": "get", "field": "g"},
   "expected": [{"type": "i64", "value": "666"}]},
  {"type": "action", "line": 11, "action": {"type": "invoke", "field": "run", "args": []},
   "expected": []},
  {"type": "assert_trap", "line": 12, "action": {"type": "invoke", "field": "f", "args": []},
   "text": "unreachable", "expected": [{"type": "i32"}]},
  {"type": "assert_exhaustion", "line": 13,
   "action": {"type": "invoke", "field": "loop", "args": []},
   "text": "call stack exhausted", "expected": []},
  {"type": "assert_malformed", "line": 14, "filename": "x.2.wat", "text": "unknown operator",
   "module_type": "text"},
  {"type": "assert_malformed", "line": 15, "filename": "x.3.wasm", "text": "unexpected end",
   "module_type": "binary"},
  {"type": "assert_invalid", "line": 16, "filename": "x.4.wasm", "text": "type mismatch",
   "module_type": "binary"},
  {"type": "assert_unlinkable", "line": 17, "filename": "x.5.wasm", "text": "unknown import",
   "module_type": "binary"},
  {"type": "assert_uninstantiable", "line": 18, "filename": "x.6.wasm",
   "text": "out of bounds memory access", "module_type": "binary"},
  {"type": "assert_something_new", "line": 19}
 ]})";

TEST(SpecScriptLoader, LoadsEveryCommandKind) {
  Result<Script> r = parse_script(kScript);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Script& s = *r;
  EXPECT_EQ(s.source_filename, "x.wast");
  ASSERT_EQ(s.commands.size(), 15u);

  EXPECT_EQ(s.commands[0].type, CommandType::Module);
  EXPECT_EQ(s.commands[0].filename, "x.0.wasm");
  EXPECT_EQ(s.commands[0].name, "");
  EXPECT_EQ(s.commands[1].name, "$M");
  EXPECT_EQ(s.commands[1].line, 5u);

  EXPECT_EQ(s.commands[2].type, CommandType::Register);
  EXPECT_EQ(s.commands[2].name, "$M");
  EXPECT_EQ(s.commands[2].as, "m");
  EXPECT_EQ(s.commands[3].name, "");

  const Command& ret = s.commands[4];
  EXPECT_EQ(ret.type, CommandType::AssertReturn);
  ASSERT_TRUE(ret.action.has_value());
  EXPECT_EQ(ret.action->type, Action::Type::Invoke);
  EXPECT_EQ(ret.action->module, "$M");
  EXPECT_EQ(ret.action->field, "add");
  ASSERT_EQ(ret.action->args.size(), 2u);
  EXPECT_EQ(ret.action->args[0].type, wasm::ValType::I32);
  EXPECT_EQ(ret.action->args[0].bits, 1u);
  EXPECT_EQ(ret.action->args[1].type, wasm::ValType::F64);
  ASSERT_EQ(ret.expected.size(), 1u);
  EXPECT_EQ(ret.expected[0].kind, ValueKind::NanArithmetic);

  EXPECT_EQ(s.commands[5].action->type, Action::Type::Get);
  EXPECT_TRUE(s.commands[5].action->args.empty());
  EXPECT_EQ(s.commands[6].type, CommandType::Action);
  EXPECT_EQ(s.commands[7].type, CommandType::AssertTrap);
  EXPECT_EQ(s.commands[7].text, "unreachable");
  EXPECT_EQ(s.commands[8].type, CommandType::AssertExhaustion);

  EXPECT_EQ(s.commands[9].type, CommandType::AssertMalformed);
  EXPECT_TRUE(s.commands[9].text_module);
  EXPECT_FALSE(s.commands[10].text_module);
  EXPECT_EQ(s.commands[10].text, "unexpected end");
  EXPECT_EQ(s.commands[11].type, CommandType::AssertInvalid);
  EXPECT_EQ(s.commands[12].type, CommandType::AssertUnlinkable);
  EXPECT_EQ(s.commands[13].type, CommandType::AssertUninstantiable);

  // Unknown kinds load (and fail when run) rather than failing the whole file.
  EXPECT_EQ(s.commands[14].type, CommandType::Unknown);
  EXPECT_EQ(s.commands[14].type_name, "assert_something_new");
}

TEST(SpecScriptLoader, CommandTypeNamesRoundTrip) {
  EXPECT_STREQ(command_type_name(CommandType::AssertReturn), "assert_return");
  EXPECT_STREQ(command_type_name(CommandType::AssertUninstantiable), "assert_uninstantiable");
  EXPECT_STREQ(command_type_name(CommandType::Unknown), "unknown");
}

TEST(SpecScriptLoader, RejectsMalformedScripts) {
  EXPECT_FALSE(parse_script("").ok());
  EXPECT_FALSE(parse_script("{").ok());
  EXPECT_FALSE(parse_script("[]").ok());
  EXPECT_FALSE(parse_script(R"({"source_filename": "x.wast"})").ok());
  EXPECT_FALSE(parse_script(R"({"commands": {}})").ok());
  EXPECT_FALSE(parse_script(R"({"commands": [5]})").ok());
  // Each kind's required fields.
  EXPECT_FALSE(parse_script(R"({"commands": [{"type": "assert_return", "line": 1}]})").ok());
  EXPECT_FALSE(parse_script(R"({"commands": [{"type": "module", "line": 1}]})").ok());
  EXPECT_FALSE(parse_script(R"({"commands": [{"type": "register", "line": 1}]})").ok());
  // Mistyped fields and values.
  EXPECT_FALSE(parse_script(R"({"commands": [{"type": 3}]})").ok());
  EXPECT_FALSE(parse_script(R"({"commands": [{"type": "module", "filename": 1}]})").ok());
  EXPECT_FALSE(parse_script(R"({"commands": [{"type": "action",
      "action": {"type": "call", "field": "f"}}]})")
                   .ok());
  EXPECT_FALSE(parse_script(R"({"commands": [{"type": "action",
      "action": {"type": "invoke", "field": "f", "args": [{"type": "i32", "value": "x"}]}}]})")
                   .ok());
  EXPECT_FALSE(parse_script(R"({"commands": [{"type": "action",
      "action": {"type": "invoke", "field": "f", "args": {}}}]})")
                   .ok());
}

TEST(SpecScriptLoader, ErrorsNameTheLine) {
  Result<Script> r = parse_script(R"({"commands": [{"type": "assert_trap", "line": 42}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("line 42"), std::string::npos) << r.error().message;
}

TEST(SpecScriptLoader, ExportNamesWithEscapesDecodeToUtf8) {
  Result<Script> r = parse_script(R"({"commands": [{"type": "action", "line": 1,
      "action": {"type": "invoke", "field": "\u00e9\u0000x", "args": []}}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->commands[0].action->field, std::string("\xc3\xa9\0x", 4));
}

TEST(SpecScriptLoader, MissingFileIsAnError) {
  Result<Script> r = load_script("/nonexistent/spec/x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Host);
}

}  // namespace
}  // namespace lunatic::spec
