// Decoder: the declaration sections (type, import, function, table, memory, global, export,
// start) and their malformed forms.
#include <gtest/gtest.h>

#include "module_builder.hpp"

namespace lunatic::decoder::testing {
namespace {

using wasm::ExternKind;
using wasm::ValType;

TEST(DecodeSections, TypeSection) {
  // (i32 i64) -> (f32), () -> (externref funcref f64)
  auto m = decode_bytes(module({section(
      1, {0x02, 0x60, 0x02, 0x7F, 0x7E, 0x01, 0x7D, 0x60, 0x00, 0x03, 0x6F, 0x70, 0x7C})}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  ASSERT_EQ(m->types.size(), 2u);
  EXPECT_EQ(m->types[0].params, (std::vector<ValType>{ValType::I32, ValType::I64}));
  EXPECT_EQ(m->types[0].results, (std::vector<ValType>{ValType::F32}));
  EXPECT_TRUE(m->types[1].params.empty());
  EXPECT_EQ(m->types[1].results,
            (std::vector<ValType>{ValType::ExternRef, ValType::FuncRef, ValType::F64}));
}

TEST(DecodeSections, MalformedTypes) {
  EXPECT_EQ(error_of(module({section(1, {0x01, 0x5F, 0x00, 0x00})})), "malformed function type");
  EXPECT_EQ(error_of(module({section(1, {0x01, 0xE0, 0x7F, 0x00, 0x00})})),
            "integer representation too long");
  EXPECT_EQ(error_of(module({section(1, {0x01, 0x60, 0x01, 0x40, 0x00})})), "malformed value type");
  // A count far beyond the bytes left is refused before anything is reserved.
  EXPECT_EQ(error_of(module({section(1, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F})})),
            "unexpected end of section or function");
}

TEST(DecodeSections, ImportsOfEveryKind) {
  const Bytes imports = cat({{0x05},
                             str("m"),
                             str("f"),
                             {0x00, 0x00},  // func type 0
                             str("m"),
                             str("t"),
                             {0x01, 0x70, 0x01, 0x01, 0x02},  // table 1..2
                             str("m"),
                             str("mem"),
                             {0x02, 0x00, 0x03},  // memory 3..
                             str("m"),
                             str("g"),
                             {0x03, 0x7E, 0x01},  // mut i64
                             str("m"),
                             str("f2"),
                             {0x00, 0x01}});  // func type 1
  auto m = decode_bytes(
      module({section(1, {0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7F, 0x00}), section(2, imports),
              func_section(1), code_section({body({0x00, 0x0B})})}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  ASSERT_EQ(m->imports.size(), 5u);
  EXPECT_EQ(m->imports[0].module, "m");
  EXPECT_EQ(m->imports[2].name, "mem");
  EXPECT_EQ(m->imports[1].table.element, ValType::FuncRef);
  EXPECT_EQ(m->imports[1].table.limits.min, 1u);
  EXPECT_EQ(m->imports[1].table.limits.max, 2u);
  EXPECT_EQ(m->imports[2].memory.limits.min, 3u);
  EXPECT_FALSE(m->imports[2].memory.limits.max.has_value());
  EXPECT_EQ(m->imports[3].global.type, ValType::I64);
  EXPECT_TRUE(m->imports[3].global.is_mutable);
  EXPECT_EQ(m->imported_functions, 2u);
  EXPECT_EQ(m->imported_tables, 1u);
  EXPECT_EQ(m->imported_memories, 1u);
  EXPECT_EQ(m->imported_globals, 1u);
  EXPECT_EQ(m->imports_by_kind[size_t(ExternKind::Func)], (std::vector<uint32_t>{0, 4}));
  EXPECT_EQ(m->function_type_index(0), 0u);
  EXPECT_EQ(m->function_type_index(1), 1u);
  EXPECT_EQ(m->function_type_index(2), 0u);  // the defined function
  EXPECT_EQ(m->total_functions(), 3u);
  EXPECT_EQ(m->table_type(0).limits.max, 2u);
  EXPECT_TRUE(m->global_type(0).is_mutable);
}

TEST(DecodeSections, MalformedImports) {
  EXPECT_EQ(error_of(module({section(2, {0x01, 0x00, 0x00, 0x04, 0x00})})),
            "malformed import kind");
  EXPECT_EQ(error_of(module({section(2, {0x01, 0x00, 0x00, 0x80, 0x00})})),
            "malformed import kind");
  EXPECT_EQ(error_of(module({section(2, cat({{0x01}, str("\xc0\x80"), str("x"), {0x00, 0x00}}))})),
            "malformed UTF-8 encoding");
  EXPECT_EQ(error_of(module({section(2, {0x01, 0x09, 0x00})})), "length out of bounds");
  EXPECT_EQ(error_of(module({section(2, cat({{0x01}, str("m"), str("g"), {0x03, 0x7F, 0x02}}))})),
            "malformed mutability");
}

TEST(DecodeSections, TablesMemoriesAndLimits) {
  auto m = decode_bytes(module({section(4, {0x02, 0x70, 0x00, 0x05, 0x6F, 0x01, 0x00, 0x80, 0x01}),
                                section(5, {0x01, 0x01, 0x01, 0x10})}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  ASSERT_EQ(m->tables.size(), 2u);
  EXPECT_EQ(m->tables[0].limits.min, 5u);
  EXPECT_EQ(m->tables[1].element, ValType::ExternRef);
  EXPECT_EQ(m->tables[1].limits.max, 128u);
  ASSERT_EQ(m->memories.size(), 1u);
  EXPECT_EQ(m->memories[0].limits.min, 1u);
  EXPECT_EQ(m->memories[0].limits.max, 16u);

  EXPECT_EQ(error_of(module({section(4, {0x01, 0x70, 0x02, 0x00})})), "integer too large");
  EXPECT_EQ(error_of(module({section(5, {0x01, 0x81, 0x00, 0x00, 0x00})})),
            "integer representation too long");
  EXPECT_EQ(error_of(module({section(4, {0x01, 0x7F, 0x00, 0x00})})), "malformed reference type");
  EXPECT_EQ(error_of(module({section(5, {0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10})})),
            "integer too large");
}

TEST(DecodeSections, GlobalsWithInitialisers) {
  auto m = decode_bytes(module(
      {section(6, {0x02, 0x7F, 0x00, 0x41, 0x7F, 0x0B, 0x7E, 0x01, 0x42, 0x80, 0x01, 0x0B})}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  ASSERT_EQ(m->globals.size(), 2u);
  EXPECT_FALSE(m->globals[0].type.is_mutable);
  ASSERT_EQ(m->globals[0].init.instrs.size(), 1u);  // the final end is dropped
  EXPECT_EQ(m->globals[0].init.instrs[0].op, wasm::Opcode::I32Const);
  EXPECT_EQ(m->globals[0].init.instrs[0].c, 0xFFFFFFFFu);  // -1 as i32 bits
  EXPECT_EQ(m->globals[0].init.instrs[0].offset, 13u);
  EXPECT_EQ(m->globals[1].type.type, ValType::I64);
  EXPECT_EQ(m->globals[1].init.instrs[0].c, 128u);
  // An initialiser without its end runs into the next section's id.
  EXPECT_EQ(error_of(module({section(6, {0x01, 0x7F, 0x00, 0x41, 0x00}), section(10, {0x00})})),
            "illegal opcode");
  EXPECT_EQ(error_of(module({section(6, {0x01, 0x7F, 0xFF, 0x41, 0x00, 0x0B})})),
            "malformed mutability");
}

TEST(DecodeSections, ExportsAndStart) {
  const Bytes exports = cat({{0x02}, str("run"), {0x00, 0x00}, str("g"), {0x03, 0x07}});
  auto m = decode_bytes(module({void_type_section(), func_section(1), section(7, exports),
                                section(8, {0x00}), code_section({body({0x00, 0x0B})})}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  ASSERT_EQ(m->exports.size(), 2u);
  EXPECT_EQ(m->exports[1].name, "g");
  EXPECT_EQ(m->exports[1].kind, ExternKind::Global);
  EXPECT_EQ(m->exports[1].index, 7u);
  EXPECT_EQ(m->find_export("run")->kind, ExternKind::Func);
  EXPECT_EQ(m->start, 0u);
  EXPECT_EQ(m->functions[0].type_index, 0u);
  EXPECT_EQ(error_of(module({section(7, cat({{0x01}, str("x"), {0x04, 0x00}}))})),
            "malformed export kind");
}

}  // namespace
}  // namespace lunatic::decoder::testing
