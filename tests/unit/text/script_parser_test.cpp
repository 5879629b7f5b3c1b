// Script parser: every command kind, values, and the modules kept unparsed for the assertions
// whose subject is the parse itself.
#include <gtest/gtest.h>

#include "text/text.hpp"

namespace lunatic::text {
namespace {

using wasm::ValType;

Script parse(std::string_view wast) {
  auto r = parse_script(wast);
  EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message + " at " + r.error().context);
  return r ? *r : Script{};
}

TEST(ScriptParser, ModulesAndRegister) {
  Script s = parse(R"wast(
    (module $M (func (export "f") (result i32) (i32.const 7)))
    (module binary "\00asm" "\01\00\00\00")
    (module $Q quote "(func" ")")
    (register "m" $M)
    (register "last"))wast");
  ASSERT_EQ(s.commands.size(), 5u);
  const Command& m = s.commands[0];
  EXPECT_EQ(m.type, CommandType::Module);
  EXPECT_EQ(m.line, 2u);
  ASSERT_TRUE(m.module);
  EXPECT_EQ(m.module->name, "$M");
  EXPECT_EQ(m.module->form, ScriptModule::Form::Binary);
  EXPECT_GT(m.module->bytes.size(), 8u);
  EXPECT_EQ(s.commands[1].module->bytes.size(), 8u);
  EXPECT_EQ(s.commands[2].module->form, ScriptModule::Form::Quote);
  EXPECT_EQ(s.commands[2].module->text, "(func)");
  auto quoted = module_binary(*s.commands[2].module);
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(*quoted, *parse_module("(module (func))"));
  EXPECT_EQ(s.commands[3].type, CommandType::Register);
  EXPECT_EQ(s.commands[3].as, "m");
  EXPECT_EQ(s.commands[3].name, "$M");
  EXPECT_EQ(s.commands[4].name, "");
}

TEST(ScriptParser, ActionsAndValues) {
  Script s = parse(R"wast(
    (invoke "f" (i32.const -1) (i64.const 0x10) (f32.const 1.5) (f64.const -nan:0x1)
                (ref.null extern) (ref.extern 3))
    (get $M "g")
    (assert_return (invoke $M "f") (f32.const nan:canonical) (f64.const nan:arithmetic)
                   (ref.func) (ref.null func) (i32.const 0xffffffff)))wast");
  ASSERT_EQ(s.commands.size(), 3u);
  const Action& a = *s.commands[0].action;
  EXPECT_EQ(s.commands[0].type, CommandType::Action);
  EXPECT_EQ(a.field, "f");
  ASSERT_EQ(a.args.size(), 6u);
  EXPECT_EQ(a.args[0].bits, 0xffffffffu);
  EXPECT_EQ(a.args[1].type, ValType::I64);
  EXPECT_EQ(a.args[1].bits, 16u);
  EXPECT_EQ(a.args[2].bits, 0x3fc00000u);
  EXPECT_EQ(a.args[3].bits, 0xfff0000000000001u);
  EXPECT_EQ(a.args[4].kind, ValueKind::RefNull);
  EXPECT_EQ(a.args[4].type, ValType::ExternRef);
  EXPECT_EQ(a.args[5].kind, ValueKind::RefExtern);
  EXPECT_EQ(a.args[5].bits, 3u);
  EXPECT_EQ(s.commands[1].action->type, Action::Type::Get);
  EXPECT_EQ(s.commands[1].action->module, "$M");
  const Command& r = s.commands[2];
  EXPECT_EQ(r.type, CommandType::AssertReturn);
  EXPECT_EQ(r.action->module, "$M");
  ASSERT_EQ(r.expected.size(), 5u);
  EXPECT_EQ(r.expected[0].kind, ValueKind::NanCanonical);
  EXPECT_EQ(r.expected[0].type, ValType::F32);
  EXPECT_EQ(r.expected[1].kind, ValueKind::NanArithmetic);
  EXPECT_EQ(r.expected[2].kind, ValueKind::RefFunc);
  EXPECT_EQ(r.expected[3].type, ValType::FuncRef);
  EXPECT_EQ(r.expected[4].bits, 0xffffffffu);
}

TEST(ScriptParser, Assertions) {
  Script s = parse(R"wast(
    (assert_trap (invoke "t") "unreachable")
    (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
    (assert_exhaustion (invoke "r") "call stack exhausted")
    (assert_malformed (module quote "(func (i32.foo))") "unknown operator")
    (assert_malformed (module (func (i32.foo))) "unknown operator")
    (assert_malformed (module binary "\00asm") "unexpected end")
    (assert_invalid (module (func (result i32))) "type mismatch")
    (assert_unlinkable (module (import "x" "y" (func))) "unknown import")
    (assert_uninstantiable (module (memory 0) (data (i32.const 1) "a")) "out of bounds"))wast");
  ASSERT_EQ(s.commands.size(), 9u);
  EXPECT_EQ(s.commands[0].type, CommandType::AssertTrap);
  EXPECT_EQ(s.commands[0].text, "unreachable");
  EXPECT_TRUE(s.commands[1].module);
  EXPECT_EQ(s.commands[1].module->form, ScriptModule::Form::Binary);
  EXPECT_EQ(s.commands[2].type, CommandType::AssertExhaustion);
  EXPECT_EQ(s.commands[3].type, CommandType::AssertMalformed);
  EXPECT_EQ(s.commands[3].module->form, ScriptModule::Form::Quote);
  EXPECT_FALSE(module_binary(*s.commands[3].module).ok());
  // Kept as source text: the parse is what the assertion tests.
  EXPECT_EQ(s.commands[4].module->form, ScriptModule::Form::Text);
  EXPECT_EQ(s.commands[4].module->text, "(module (func (i32.foo)))");
  EXPECT_EQ(module_binary(*s.commands[4].module).error().message, "unknown operator i32.foo");
  EXPECT_EQ(s.commands[5].module->bytes.size(), 4u);
  EXPECT_EQ(s.commands[6].type, CommandType::AssertInvalid);
  EXPECT_EQ(s.commands[6].module->form, ScriptModule::Form::Text);
  EXPECT_TRUE(module_binary(*s.commands[6].module).ok());
  EXPECT_EQ(s.commands[7].type, CommandType::AssertUnlinkable);
  EXPECT_EQ(s.commands[8].type, CommandType::AssertUninstantiable);
  EXPECT_EQ(s.commands[8].line, 10u);
}

TEST(ScriptParser, BareModuleScript) {
  Script s = parse("(func) (memory 0) (func (export \"f\"))");
  ASSERT_EQ(s.commands.size(), 1u);
  EXPECT_EQ(s.commands[0].type, CommandType::Module);
  EXPECT_EQ(*module_binary(*s.commands[0].module),
            *parse_module("(module (func) (memory 0) (func (export \"f\")))"));
}

TEST(ScriptParser, Errors) {
  EXPECT_FALSE(parse_script("(assert_return (invoke \"f\") (i32.const))").ok());
  EXPECT_FALSE(parse_script("(frobnicate)").ok());
  EXPECT_FALSE(parse_script("(module (func (i32.foo)))").ok());
  auto r = parse_script("(module)\n(assert_trap (invoke \"f\"))");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().context, "2:26");
  EXPECT_STREQ(command_type_name(CommandType::AssertUnlinkable), "assert_unlinkable");
}

}  // namespace
}  // namespace lunatic::text
