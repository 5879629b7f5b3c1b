// SIMD type checking on hand-built modules: v128 operands, lane-index immediates, memarg
// alignment of v128 loads/stores and lane accesses, and v128.bitselect's three operands.
#include <gtest/gtest.h>

#include "module_builder.hpp"
#include "validator/validator.hpp"

namespace lunatic::validator::test {
namespace {

using I = ValType;

wasm::Instr v128_const(uint8_t fill = 0) {
  wasm::Instr in = op(Opcode::V128Const);
  wasm::V128Bytes bytes;
  bytes.fill(fill);
  wasm::set_v128_immediate(in, bytes);
  return in;
}

wasm::Instr shuffle(uint8_t last_lane) {
  wasm::Instr in = op(Opcode::I8x16Shuffle);
  wasm::V128Bytes lanes{};
  for (uint8_t i = 0; i < 16; ++i) lanes[i] = i;
  lanes[15] = last_lane;
  wasm::set_v128_immediate(in, lanes);
  return in;
}

std::string check_body(std::vector<I> results, std::vector<wasm::Instr> body, bool memory = false) {
  ModuleBuilder b;
  if (memory) b.memory(1);
  b.func(b.type({}, std::move(results)), std::move(body));
  return check(b);
}

TEST(SimdValidator, ArithmeticOnV128) {
  EXPECT_EQ(check_body({I::V128}, {v128_const(), v128_const(), op(Opcode::I16x8AddSatU)}), "");
  EXPECT_EQ(check_body({I::I32}, {v128_const(), op(Opcode::I8x16AllTrue)}), "");
  EXPECT_EQ(check_body({I::V128}, {v128_const(), op(Opcode::I32Const), op(Opcode::I32x4Shl)}), "");
  // The shift count is an i32, not a v128; an i32 is no v128 operand.
  EXPECT_EQ(check_body({I::V128}, {v128_const(), v128_const(), op(Opcode::I32x4Shl)}),
            "type mismatch");
  EXPECT_EQ(check_body({I::V128}, {op(Opcode::I32Const), op(Opcode::I8x16Neg)}), "type mismatch");
  EXPECT_EQ(check_body({I::V128}, {op(Opcode::F64Const), op(Opcode::F64x2Splat)}), "");
  EXPECT_EQ(check_body({I::V128}, {op(Opcode::F32Const), op(Opcode::F64x2Splat)}), "type mismatch");
}

TEST(SimdValidator, BitselectTakesThreeVectors) {
  EXPECT_EQ(
      check_body({I::V128}, {v128_const(), v128_const(), v128_const(), op(Opcode::V128Bitselect)}),
      "");
  EXPECT_EQ(check_body({I::V128}, {v128_const(), v128_const(), op(Opcode::V128Bitselect)}),
            "type mismatch");
  EXPECT_EQ(check_body({I::V128}, {v128_const(), v128_const(), op(Opcode::I32Const),
                                   op(Opcode::V128Bitselect)}),
            "type mismatch");
}

TEST(SimdValidator, LaneIndicesAreBelowTheLaneCount) {
  EXPECT_EQ(check_body({I::I32}, {v128_const(), op(Opcode::I8x16ExtractLaneU, 15)}), "");
  EXPECT_EQ(check_body({I::I32}, {v128_const(), op(Opcode::I8x16ExtractLaneU, 16)}),
            "invalid lane index");
  EXPECT_EQ(check_body({I::I64}, {v128_const(), op(Opcode::I64x2ExtractLane, 1)}), "");
  EXPECT_EQ(check_body({I::I64}, {v128_const(), op(Opcode::I64x2ExtractLane, 2)}),
            "invalid lane index");
  EXPECT_EQ(
      check_body({I::V128}, {v128_const(), op(Opcode::F32Const), op(Opcode::F32x4ReplaceLane, 4)}),
      "invalid lane index");
  EXPECT_EQ(check_body({I::V128}, {v128_const(), v128_const(), shuffle(31)}), "");
  EXPECT_EQ(check_body({I::V128}, {v128_const(), v128_const(), shuffle(32)}), "invalid lane index");
  EXPECT_EQ(check_body({I::V128}, {v128_const(), v128_const(), shuffle(255)}),
            "invalid lane index");
}

TEST(SimdValidator, MemoryAccessAlignmentAndLanes) {
  // v128.load: align up to 16 (exponent 4); load64_splat up to 8; load8_lane up to 1.
  EXPECT_EQ(check_body({I::V128}, {op(Opcode::I32Const), op(Opcode::V128Load, 4, 0)}, true), "");
  EXPECT_EQ(check_body({I::V128}, {op(Opcode::I32Const), op(Opcode::V128Load, 5, 0)}, true),
            "alignment must not be larger than natural");
  EXPECT_EQ(check_body({I::V128}, {op(Opcode::I32Const), op(Opcode::V128Load64Splat, 4, 0)}, true),
            "alignment must not be larger than natural");
  EXPECT_EQ(
      check_body({I::V128},
                 {op(Opcode::I32Const), v128_const(), op(Opcode::V128Load8Lane, 0, 0, 15)}, true),
      "");
  EXPECT_EQ(
      check_body({I::V128},
                 {op(Opcode::I32Const), v128_const(), op(Opcode::V128Load8Lane, 1, 0, 0)}, true),
      "alignment must not be larger than natural");
  EXPECT_EQ(
      check_body({I::V128},
                 {op(Opcode::I32Const), v128_const(), op(Opcode::V128Load32Lane, 2, 0, 4)}, true),
      "invalid lane index");
  EXPECT_EQ(
      check_body({}, {op(Opcode::I32Const), v128_const(), op(Opcode::V128Store64Lane, 3, 0, 1)},
                 true),
      "");
  // Without a memory, any access is invalid.
  EXPECT_EQ(check_body({}, {op(Opcode::I32Const), v128_const(), op(Opcode::V128Store, 4, 0)}),
            "unknown memory 0");
}

TEST(SimdValidator, V128LocalsGlobalsAndSelect) {
  ModuleBuilder b;
  b.func(
      b.type({I::V128}, {I::V128}),
      {op(Opcode::LocalGet, 0), op(Opcode::LocalGet, 1), op(Opcode::I32Const), op(Opcode::Select)},
      {{1, I::V128}});
  EXPECT_EQ(check(b), "");
  ModuleBuilder g;
  g.global(I::V128, false, {v128_const(7)});
  g.global(I::V128, false, {op(Opcode::I32Const)});
  EXPECT_EQ(check(g), "type mismatch");  // the second initialiser is no v128
  // Untyped select mixes no vector with a number.
  EXPECT_EQ(check_body({I::V128}, {v128_const(), op(Opcode::I32Const), op(Opcode::I32Const),
                                   op(Opcode::Select)}),
            "type mismatch");
}

}  // namespace
}  // namespace lunatic::validator::test
