// Module parser: each field and abbreviation, checked against hand-written bytes or through
// the decoder, and the errors of malformed text.
#include <gtest/gtest.h>

#include "decoder/decoder.hpp"
#include "text/text.hpp"
#include "validator/validator.hpp"

namespace lunatic::text {
namespace {

using wasm::ExternKind;
using wasm::Opcode;
using wasm::ValType;

std::vector<uint8_t> encode(std::string_view wat) {
  auto r = parse_module(wat);
  EXPECT_TRUE(r.ok()) << wat << ": " << (r ? "" : r.error().message + " at " + r.error().context);
  return r ? *r : std::vector<uint8_t>{};
}

wasm::Module decode(std::string_view wat) {
  auto bytes = encode(wat);
  auto m = decoder::decode(bytes);
  EXPECT_TRUE(m.ok()) << wat << ": " << (m ? "" : m.error().message);
  if (!m) return {};
  auto v = validator::validate(*m);
  EXPECT_TRUE(v.ok()) << wat << ": " << (v ? "" : v.error().message);
  return std::move(*m);
}

std::string error_of(std::string_view wat) {
  auto r = parse_module(wat);
  EXPECT_FALSE(r.ok()) << wat;
  return r ? "" : r.error().message;
}

std::vector<Opcode> ops(const wasm::Function& f) {
  std::vector<Opcode> out;
  for (const auto& i : f.body) out.push_back(i.op);
  return out;
}

const std::vector<uint8_t> kHeader = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

TEST(ModuleParser, EmptyModuleForms) {
  EXPECT_EQ(encode("(module)"), kHeader);
  EXPECT_EQ(encode(""), kHeader);
  EXPECT_EQ(encode("(module $m)"), kHeader);
  EXPECT_EQ(encode(R"wat((module binary "\00asm" "\01\00\00\00"))wat"), kHeader);
  EXPECT_EQ(encode(R"wat((module quote "(func)" ""))wat"), encode("(module (func))"));
}

TEST(ModuleParser, FunctionBytes) {
  std::vector<uint8_t> expected = kHeader;
  std::vector<uint8_t> rest = {
      0x01, 0x06, 0x01, 0x60, 0x01, 0x7F, 0x01, 0x7F,  // type (i32) -> (i32)
      0x03, 0x02, 0x01, 0x00,                          // func 0 : type 0
      0x07, 0x05, 0x01, 0x01, 'f',  0x00, 0x00,        // export "f" func 0
      0x0A, 0x0B, 0x01, 0x09, 0x01, 0x01, 0x7E,        // one body, locals: 1 x i64
      0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B,              // local.get 0, i32.const 1, i32.add, end
  };
  expected.insert(expected.end(), rest.begin(), rest.end());
  EXPECT_EQ(encode(R"wat((module (func $f (export "f") (param $x i32) (result i32) (local i64)
                        (i32.add (local.get $x) (i32.const 1)))))wat"),
            expected);
  EXPECT_EQ(encode(R"wat((func (export "f") (param i32) (result i32) (local i64)
                        local.get 0 i32.const 1 i32.add))wat"),
            expected);
}

TEST(ModuleParser, TypesAndImplicitTypes) {
  auto m = decode(R"wat((module
    (func (result f64) (f64.const 0))
    (func (param i32))
    (type $t (func (param i32)))
    (func (type $t) (param i32))
    (func (result f64) (f64.const 1))))wat");
  ASSERT_EQ(m.types.size(), 2u);
  EXPECT_EQ(m.types[0].params, std::vector<ValType>{ValType::I32});
  EXPECT_EQ(m.types[1].results, std::vector<ValType>{ValType::F64});
  ASSERT_EQ(m.functions.size(), 4u);
  EXPECT_EQ(m.functions[0].type_index, 1u);
  EXPECT_EQ(m.functions[1].type_index, 0u);
  EXPECT_EQ(m.functions[2].type_index, 0u);
  EXPECT_EQ(m.functions[3].type_index, 1u);
  EXPECT_EQ(error_of("(type $t (func (param i32))) (func (type $t) (param i64))"),
            "inline function type");
  EXPECT_EQ(error_of("(func (type $nope))"), "unknown type $nope");
}

TEST(ModuleParser, ImportsAndInlineImports) {
  auto m = decode(R"wat((module
    (import "m" "f" (func $f (param i32)))
    (func $g (import "m" "g") (result i32))
    (table $t (import "m" "t") 1 funcref)
    (memory (import "m" "mem") 1 2)
    (global $gl (import "m" "gl") (mut i64))
    (func (call $g) drop (call $f (i32.const 0)))))wat");
  ASSERT_EQ(m.imports.size(), 5u);
  EXPECT_EQ(m.imports[1].name, "g");
  EXPECT_EQ(m.imports[2].kind, ExternKind::Table);
  EXPECT_EQ(m.imports[3].memory.limits.max, 2u);
  EXPECT_TRUE(m.imports[4].global.is_mutable);
  EXPECT_EQ(m.functions[0].body[0].a, 1u);  // call $g
  EXPECT_EQ(error_of("(func) (import \"\" \"\" (func))"), "import after function");
  EXPECT_EQ(error_of("(memory 0) (func (import \"\" \"\"))"), "import after memory");
  EXPECT_EQ(error_of("(func (export \"\\ff\"))"), "malformed UTF-8 encoding");
}

TEST(ModuleParser, ExportsStartGlobals) {
  auto m = decode(R"wat((module
    (global $a i32 (i32.const 1))
    (global $b (export "b") (mut f32) (f32.const 1.5))
    (func $s)
    (start $s)
    (export "a" (global $a))
    (export "s" (func $s))))wat");
  EXPECT_EQ(m.start, 0u);
  ASSERT_EQ(m.exports.size(), 3u);
  EXPECT_EQ(m.exports[0].name, "b");
  EXPECT_EQ(m.exports[0].index, 1u);
  EXPECT_EQ(m.exports[2].kind, ExternKind::Func);
  EXPECT_EQ(m.globals[1].init.instrs[0].c, 0x3fc00000u);
  EXPECT_EQ(error_of("(func) (start 0) (start 0)"), "multiple start sections");
  EXPECT_EQ(error_of("(global $g i32 (i32.const 0)) (global $g i32 (i32.const 0))"),
            "duplicate global");
}

TEST(ModuleParser, TablesAndElemSegments) {
  auto m = decode(R"wat((module
    (table $t1 funcref (elem $f $g))
    (table $t2 2 externref)
    (func $f) (func $g)
    (elem (table $t1) (i32.const 0) func $g)
    (elem (offset (i32.const 1)) $f)
    (elem $p funcref (ref.func $f) (item ref.null func))
    (elem declare func $g)
    (func (table.init $t1 $p (i32.const 0) (i32.const 0) (i32.const 1)) (elem.drop $p))))wat");
  ASSERT_EQ(m.tables.size(), 2u);
  EXPECT_EQ(m.tables[0].limits.min, 2u);
  EXPECT_EQ(m.tables[0].limits.max, 2u);
  ASSERT_EQ(m.elements.size(), 5u);
  EXPECT_EQ(m.elements[0].items.size(), 2u);
  EXPECT_EQ(m.elements[3].mode, wasm::SegmentMode::Passive);
  EXPECT_EQ(m.elements[3].items[1].instrs[0].op, Opcode::RefNull);
  EXPECT_EQ(m.elements[4].mode, wasm::SegmentMode::Declarative);
  EXPECT_EQ(m.functions[2].body[3].a, 3u);  // table.init: elem $p
}

TEST(ModuleParser, MemoriesAndDataSegments) {
  auto m = decode(R"wat((module
    (memory $m (data "ab" "c"))
    (data (i32.const 1) "x")
    (data $d "\01\02")
    (func (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)) (data.drop $d))))wat");
  ASSERT_EQ(m.memories.size(), 1u);
  EXPECT_EQ(m.memories[0].limits.min, 1u);
  ASSERT_EQ(m.data.size(), 3u);
  EXPECT_EQ(m.data[0].bytes, (std::vector<uint8_t>{'a', 'b', 'c'}));
  EXPECT_EQ(m.data[2].mode, wasm::SegmentMode::Passive);
  EXPECT_EQ(m.data_count, 3u);
  EXPECT_EQ(error_of("(memory 0x1_0000_0000)"), "i32 constant out of range");
}

TEST(ModuleParser, FoldedAndPlainControl) {
  auto m = decode(R"wat((module (func (param i32) (result i32)
    (block $l (result i32)
      (if (result i32) (local.get 0) (i32.eqz) (i32.eqz)
        (then (br $l (i32.const 2)))
        (else (i32.const 3))))
    i32.const 0 loop $x (param i32) (result i32) i32.const 0 br_if $x end
    if $y (result i32) i32.const 4 else $y i32.const 5 end $y
    i32.add)))wat");
  auto o = ops(m.functions[0]);
  std::vector<Opcode> expected = {
      Opcode::Block,    Opcode::LocalGet, Opcode::I32Eqz,   Opcode::I32Eqz,   Opcode::If,
      Opcode::I32Const, Opcode::Br,       Opcode::Else,     Opcode::I32Const, Opcode::End,
      Opcode::End,      Opcode::I32Const, Opcode::Loop,     Opcode::I32Const, Opcode::BrIf,
      Opcode::End,      Opcode::If,       Opcode::I32Const, Opcode::Else,     Opcode::I32Const,
      Opcode::End,      Opcode::I32Add,   Opcode::End};
  EXPECT_EQ(o, expected);
  EXPECT_EQ(m.functions[0].body[6].a, 1u);  // br $l from inside the if
  EXPECT_EQ(error_of("(func block $a end $b)"), "mismatching label");
  EXPECT_EQ(error_of("(func (br $nope))"), "unknown label");
  EXPECT_EQ(error_of("(func block)"), "unexpected token");
  EXPECT_EQ(error_of("(func (if (i32.const 0)))"), "unexpected token");
}

TEST(ModuleParser, Immediates) {
  auto m = decode(R"wat((module
    (memory 1) (table $t 1 funcref) (table $u 1 funcref)
    (type $v (func))
    (func $f (local $p i32)
      (i32.store8 offset=3 align=1 (i32.const 0) (i32.load16_u offset=0x10 (i32.const 0)))
      (call_indirect $u (type $v) (i32.const 0))
      (call_indirect (param) (i32.const 0))
      (drop (select (result i32) (i32.const 1) (i32.const 2) (local.get $p)))
      (drop (table.size)) (drop (table.size $u))
      (table.copy $t $u (i32.const 0) (i32.const 0) (i32.const 0))
      (br_table 0 0 0 (i32.const 0)))))wat");
  const auto& b = m.functions[0].body;
  EXPECT_EQ(b[2].op, Opcode::I32Load16U);
  EXPECT_EQ(b[2].a, 1u);  // natural alignment 2 = 2^1
  EXPECT_EQ(b[2].b, 16u);
  EXPECT_EQ(b[3].a, 0u);
  EXPECT_EQ(b[3].b, 3u);
  EXPECT_EQ(b[5].b, 1u);  // call_indirect $u
  EXPECT_EQ(b[11].op, Opcode::SelectT);
  EXPECT_EQ(error_of("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))"),
            "alignment must be a power of two");
  EXPECT_EQ(error_of("(func (i32.const 0x1_0000_0000) drop)"), "constant out of range");
  EXPECT_EQ(error_of("(func (f32.const 1e39) drop)"), "constant out of range");
  EXPECT_EQ(error_of("(func (i32.foo))"), "unknown operator i32.foo");
  EXPECT_EQ(error_of("(func (local $a i32) (local $a i32))"), "duplicate local");
  EXPECT_EQ(error_of("(func $f) (func $f)"), "duplicate func");
}

TEST(ModuleParser, NestingIsCapped) {
  std::string deep = "(func ";
  for (int i = 0; i < 100000; ++i) deep += "(block ";
  deep += std::string(100001, ')');
  EXPECT_EQ(error_of(deep), "nesting too deep");
  std::string plain = "(func ";
  for (int i = 0; i < 100000; ++i) plain += "block ";
  for (int i = 0; i < 100000; ++i) plain += "end ";
  EXPECT_EQ(error_of(plain + ")"), "nesting too deep");
  std::string ok = "(func ";
  for (int i = 0; i < 1000; ++i) ok += "(block ";
  EXPECT_TRUE(parse_module(ok + std::string(1001, ')')).ok());
  std::string parens(200000, '(');
  EXPECT_FALSE(parse_module(parens).ok());
  EXPECT_FALSE(parse_module("(module (func (i32.add (i32.const 0) (i32.const 1)").ok());
}

TEST(ModuleParser, ErrorsCarryPosition) {
  auto r = parse_module("(module\n  (func (i32.foo)))");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Decode);
  EXPECT_EQ(r.error().context, "2:10");
  EXPECT_EQ(error_of("(module (func)"), "unexpected end of input");
}

}  // namespace
}  // namespace lunatic::text
