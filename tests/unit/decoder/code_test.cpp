// Decoder: function bodies: locals, instructions with their immediates and offsets, nesting,
// and the malformed forms of code.
#include <gtest/gtest.h>

#include "module_builder.hpp"

namespace lunatic::decoder::testing {
namespace {

using wasm::BlockType;
using wasm::Opcode;
using wasm::ValType;

/// The body of the single function of one_function(code).
wasm::Function decode_body(const Bytes& code) {
  auto m = decode_bytes(one_function(code));
  EXPECT_TRUE(m.ok()) << m.error().to_string();
  if (!m) return {};
  return m->functions.at(0);
}

TEST(DecodeCode, LocalsAreGrouped) {
  auto m = decode_bytes(
      module({void_type_section(), func_section(1),
              code_section({body({0x03, 0x02, 0x7F, 0x00, 0x7E, 0x01, 0x7C, 0x0B})})}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  const auto& f = m->functions[0];
  EXPECT_EQ(f.local_count, 3u);
  ASSERT_EQ(f.locals.size(), 2u);  // the empty group is dropped
  EXPECT_EQ(f.locals[0].count, 2u);
  EXPECT_EQ(f.locals[1].type, ValType::F64);
  EXPECT_EQ(f.body_offset, 22u);  // header 8, type 6, function 4, code id+size+count+size 4
}

TEST(DecodeCode, TooManyLocals) {
  auto with_locals = [](const Bytes& locals) {
    return module(
        {void_type_section(), func_section(1), code_section({body(cat({locals, {0x0B}}))})});
  };
  EXPECT_EQ(error_of(with_locals({0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F})), "too many locals");
  EXPECT_EQ(error_of(with_locals(
                {0x02, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7F, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7E})),
            "too many locals");
  EXPECT_EQ(error_of(with_locals({0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x7F})), "integer too large");
  // Right at the limit is fine.
  EXPECT_EQ(error_of(with_locals(cat({{0x01}, uleb(50000), {0x7F}}))), "ok");
}

// A body whose declared size ends inside its locals: a decode error, not a vector sized from
// the negative remainder (the fuzzers' find: the size was read as 2^64 - 2 and reserve threw).
TEST(DecodeCode, LocalsPastTheBodysSizeAreAnError) {
  const Bytes locals_then_end = {0x01, 0x01, 0x7F, 0x0B};  // one i32 local, end
  const Bytes declared_one = cat({uleb(1), locals_then_end});
  EXPECT_EQ(error_of(module({void_type_section(), func_section(1), code_section({declared_one})})),
            "section size mismatch");
  // The fuzzer's own input: the locals run past the body into what follows.
  const Bytes found = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00,
                       0x00, 0x03, 0x02, 0x01, 0x00, 0x06, 0x09, 0x01, 0x7d, 0x00, 0x43, 0x00, 0x00,
                       0x00, 0x00, 0x0b, 0x0a, 0x0b, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                       0x01, 0x09, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3f, 0x24, 0x00, 0x0b};
  EXPECT_EQ(error_of(found), "illegal opcode");
}

TEST(DecodeCode, InstructionsKeepTheirOffsets) {
  const Bytes code = {0x41, 0x05, 0x1A, 0x0B};  // i32.const 5; drop; end
  auto f = decode_body(code);
  ASSERT_EQ(f.body.size(), 3u);
  EXPECT_EQ(f.body[0].op, Opcode::I32Const);
  EXPECT_EQ(f.body[1].op, Opcode::Drop);
  EXPECT_EQ(f.body[2].op, Opcode::End);
  // header 8, type section 6, function section 4, code id+size+count+body size+locals 5
  EXPECT_EQ(f.body[0].offset, 23u);
  EXPECT_EQ(f.body[1].offset, 25u);
  EXPECT_EQ(f.body[2].offset, 26u);
}

TEST(DecodeCode, ConstantsAreRawBits) {
  auto f = decode_body({0x41, 0x7F,  // i32.const -1
                        0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                        0x80, 0x7F, 0x43, 0x00, 0x00, 0x80, 0x3F,              // f32.const 1.0
                        0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0xBF,  // f64 -1.0
                        0x0B});
  ASSERT_EQ(f.body.size(), 5u);
  EXPECT_EQ(f.body[0].c, 0xFFFFFFFFull);
  EXPECT_EQ(f.body[1].c, 0x8000000000000000ull);  // INT64_MIN
  EXPECT_EQ(f.body[2].c, 0x3F800000ull);
  EXPECT_EQ(f.body[3].c, 0xBFF0000000000000ull);
}

TEST(DecodeCode, BlockTypes) {
  auto f = decode_body({0x02, 0x40, 0x0B,  // block
                        0x03, 0x7E, 0x0B,  // loop (result i64)
                        0x02, 0x05, 0x0B,  // block (type 5)
                        0x0B});
  ASSERT_EQ(f.body.size(), 7u);
  EXPECT_EQ(f.body[0].block.kind, BlockType::Kind::Empty);
  EXPECT_EQ(f.body[2].op, Opcode::Loop);
  EXPECT_EQ(f.body[2].block.kind, BlockType::Kind::Value);
  EXPECT_EQ(f.body[2].block.value, ValType::I64);
  EXPECT_EQ(f.body[4].block.kind, BlockType::Kind::TypeIndex);
  EXPECT_EQ(f.body[4].block.type_index, 5u);
}

TEST(DecodeCode, NegativeBlockTypeIndexNamesNoType) {
  // s33 -2^32 + 5 must not alias type 5; it decodes to an index no module has.
  auto f = decode_body({0x02, 0x85, 0x80, 0x80, 0x80, 0x70, 0x0B, 0x0B});
  ASSERT_EQ(f.body.size(), 3u);
  EXPECT_EQ(f.body[0].block.kind, BlockType::Kind::TypeIndex);
  EXPECT_EQ(f.body[0].block.type_index, UINT32_MAX);
}

TEST(DecodeCode, BranchTables) {
  auto f = decode_body({0x41, 0x00, 0x0E, 0x02, 0x03, 0x04, 0x05,  // br_table 3 4 5
                        0x41, 0x00, 0x0E, 0x00, 0x07,              // br_table 7
                        0x0B});
  ASSERT_EQ(f.body.size(), 5u);
  EXPECT_EQ(f.br_table_labels, (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(f.body[1].a, 0u);
  EXPECT_EQ(f.body[1].b, 2u);
  EXPECT_EQ(f.body[1].c, 5u);
  EXPECT_EQ(f.body[3].a, 2u);
  EXPECT_EQ(f.body[3].b, 0u);
  EXPECT_EQ(f.body[3].c, 7u);
}

TEST(DecodeCode, IndexAndMemoryImmediates) {
  auto f = decode_body({0x11, 0x02, 0x01,        // call_indirect type 2 table 1
                        0x28, 0x02, 0x80, 0x01,  // i32.load align=2 offset=128
                        0x1C, 0x01, 0x7D,        // select (result f32)
                        0xFC, 0x08, 0x03, 0x00,  // memory.init 3
                        0xFC, 0x0A, 0x00, 0x00,  // memory.copy
                        0xFC, 0x0C, 0x04, 0x01,  // table.init elem 4 table 1
                        0xFC, 0x0E, 0x05, 0x06,  // table.copy 5 6
                        0x3F, 0x00,              // memory.size
                        0xFC, 0x11, 0x02,        // table.fill 2
                        0x0B});
  ASSERT_EQ(f.body.size(), 10u);
  EXPECT_EQ(f.body[0].a, 2u);
  EXPECT_EQ(f.body[0].b, 1u);
  EXPECT_EQ(f.body[1].op, Opcode::I32Load);
  EXPECT_EQ(f.body[1].a, 2u);
  EXPECT_EQ(f.body[1].b, 128u);
  EXPECT_EQ(f.body[2].op, Opcode::SelectT);
  EXPECT_EQ(f.body[2].a, 1u);
  EXPECT_EQ(f.body[2].b, 0x7Du);
  EXPECT_EQ(f.body[3].op, Opcode::MemoryInit);
  EXPECT_EQ(f.body[3].a, 3u);
  EXPECT_EQ(f.body[4].op, Opcode::MemoryCopy);
  EXPECT_EQ(f.body[5].op, Opcode::TableInit);
  EXPECT_EQ(f.body[5].a, 4u);
  EXPECT_EQ(f.body[5].b, 1u);
  EXPECT_EQ(f.body[6].a, 5u);
  EXPECT_EQ(f.body[6].b, 6u);
  EXPECT_EQ(f.body[7].op, Opcode::MemorySize);
  EXPECT_EQ(f.body[8].op, Opcode::TableFill);
  EXPECT_EQ(f.body[8].a, 2u);
}

TEST(DecodeCode, ReservedBytesMustBeZero) {
  EXPECT_EQ(error_of(one_function({0x41, 0x00, 0x40, 0x01, 0x1A, 0x0B})), "zero byte expected");
  EXPECT_EQ(error_of(one_function({0x3F, 0x80, 0x00, 0x1A, 0x0B})), "zero byte expected");
  EXPECT_EQ(error_of(one_function({0xFC, 0x0A, 0x00, 0x01, 0x0B})), "zero byte expected");
}

TEST(DecodeCode, MalformedOpcodes) {
  EXPECT_EQ(error_of(one_function({0x06, 0x0B})), "illegal opcode");
  EXPECT_EQ(error_of(one_function({0xFC, 0x12, 0x0B})), "illegal opcode");
  EXPECT_EQ(error_of(one_function({0xFC, 0x87, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0B})),
            "integer representation too long");
  // SIMD: a gap in the 0xFD table, a sub-opcode past it, a v128.const cut short.
  EXPECT_EQ(error_of(one_function({0xFD, 0x9A, 0x01, 0x0B})), "illegal opcode");
  EXPECT_EQ(error_of(one_function({0xFD, 0x80, 0x02, 0x0B})), "illegal opcode");
  EXPECT_EQ(error_of(one_function({0xFD, 0x0C, 0x0B})), "unexpected end of section or function");
  EXPECT_EQ(error_of(one_function({0xD0, 0x7F, 0x1A, 0x0B})), "malformed reference type");
  EXPECT_EQ(error_of(one_function({0x41, 0x00, 0x28, 0x20, 0x00, 0x1A, 0x0B})),
            "malformed memop flags");
  EXPECT_EQ(error_of(one_function({0x1C, 0x01, 0x00, 0x0B})), "malformed value type");
}

TEST(DecodeCode, SimdImmediates) {
  // v128.const (16 bytes), i8x16.shuffle (16 lanes), i32x4.extract_lane 3,
  // v128.load16_lane align=1 offset=300 lane 7, v128.store offset=0x10 align=16 (exponent 4).
  Bytes code = {0xFD, 0x0C};
  for (uint8_t i = 0; i < 16; ++i) code.push_back(static_cast<uint8_t>(0xA0 + i));
  code.insert(code.end(), {0xFD, 0x0D});
  for (uint8_t i = 0; i < 16; ++i) code.push_back(static_cast<uint8_t>(31 - i));
  code.insert(code.end(), {0xFD, 0x1B, 0x03, 0x1A});
  code.insert(code.end(), {0x41, 0x00, 0xFD, 0x0C});
  code.insert(code.end(), 16, 0x00);
  code.insert(code.end(), {0xFD, 0x55, 0x01, 0xAC, 0x02, 0x07, 0x1A});
  code.insert(code.end(), {0x0B});
  const wasm::Function f = decode_body(code);
  ASSERT_GE(f.body.size(), 8u);
  EXPECT_EQ(f.body[0].op, Opcode::V128Const);
  const wasm::V128Bytes c = wasm::v128_immediate(f.body[0]);
  for (uint8_t i = 0; i < 16; ++i) EXPECT_EQ(c[i], 0xA0 + i) << int(i);
  EXPECT_EQ(f.body[1].op, Opcode::I8x16Shuffle);
  EXPECT_EQ(wasm::v128_immediate(f.body[1])[0], 31);
  EXPECT_EQ(wasm::v128_immediate(f.body[1])[15], 16);
  EXPECT_EQ(f.body[2].op, Opcode::I32x4ExtractLane);
  EXPECT_EQ(f.body[2].a, 3u);
  EXPECT_EQ(f.body[6].op, Opcode::V128Load16Lane);
  EXPECT_EQ(f.body[6].a, 1u);
  EXPECT_EQ(f.body[6].b, 300u);
  EXPECT_EQ(f.body[6].c, 7u);
  // Multi-byte sub-opcodes are LEB128 (0xFD 0x80 0x01 is i16x8.abs).
  const wasm::Function g = decode_body(
      {0xFD, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFD, 0x80, 0x01, 0x1A, 0x0B});
  ASSERT_GE(g.body.size(), 2u);
  EXPECT_EQ(g.body[1].op, Opcode::I16x8Abs);
}

TEST(DecodeCode, BodyMustEndWithItsEnd) {
  // Two bodies; the first stops before `end` and the second's bytes follow.
  auto two = [](const Bytes& first) {
    return module({void_type_section(), func_section(2),
                   code_section({body(first), body({0x00, 0x41, 0x01, 0x1A, 0x0B})})});
  };
  EXPECT_EQ(error_of(two({0x00, 0x41, 0x01, 0x1A})), "END opcode expected");
  // `else` outside an `if`, or twice in one.
  EXPECT_EQ(error_of(one_function({0x05, 0x0B})), "END opcode expected");
  EXPECT_EQ(error_of(one_function({0x02, 0x40, 0x05, 0x0B, 0x0B})), "END opcode expected");
  EXPECT_EQ(error_of(one_function({0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0B, 0x0B})),
            "END opcode expected");
  // Bytes after the final end, inside the body.
  EXPECT_EQ(error_of(one_function({0x0B, 0x01})), "section size mismatch");
  // The body runs to the end of the module.
  EXPECT_EQ(error_of(module({void_type_section(), func_section(1),
                             section(10, {0x01, 0x03, 0x00, 0x41, 0x01})})),
            "unexpected end of section or function");
  // Body size beyond the module.
  EXPECT_EQ(
      error_of(module({void_type_section(), func_section(1), section(10, {0x01, 0x09, 0x00})})),
      "length out of bounds");
}

TEST(DecodeCode, IfElseDecodes) {
  auto f = decode_body({0x41, 0x01, 0x04, 0x7F, 0x41, 0x02, 0x05, 0x41, 0x03, 0x0B, 0x1A, 0x0B});
  ASSERT_EQ(f.body.size(), 8u);
  EXPECT_EQ(f.body[1].op, Opcode::If);
  EXPECT_EQ(f.body[3].op, Opcode::Else);
  EXPECT_EQ(f.body[5].op, Opcode::End);
}

TEST(DecodeCode, DeepNestingDoesNotRecurse) {
  constexpr size_t kDepth = 100'000;
  Bytes code;
  code.reserve(kDepth * 3 + 1);
  for (size_t i = 0; i < kDepth; ++i) code.insert(code.end(), {0x02, 0x40});
  code.insert(code.end(), kDepth + 1, 0x0B);
  auto f = decode_body(code);
  EXPECT_EQ(f.body.size(), 2 * kDepth + 1);
}

}  // namespace
}  // namespace lunatic::decoder::testing
