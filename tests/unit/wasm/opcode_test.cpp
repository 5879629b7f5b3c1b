// The opcode table: encodings round-trip and the facts the validator relies on hold.
#include "wasm/opcode.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace lunatic::wasm {
namespace {

TEST(Opcode, EveryOneByteEncodingRoundTrips) {
  int found = 0;
  for (int byte = 0; byte < 256; ++byte) {
    auto op = opcode_from_byte(static_cast<uint8_t>(byte));
    if (!op) continue;
    ++found;
    EXPECT_EQ(opcode_info(*op).prefix, 0);
    EXPECT_EQ(opcode_info(*op).code, static_cast<uint32_t>(byte));
  }
  EXPECT_EQ(found, 183);  // MVP + sign extension + reference types, single-byte
}

TEST(Opcode, MiscPrefixCoversSaturatingTruncationAndBulkOps) {
  for (uint32_t code = 0; code <= 17; ++code) {
    auto op = opcode_from_misc(code);
    ASSERT_TRUE(op.has_value()) << code;
    EXPECT_EQ(opcode_info(*op).prefix, 0xFC);
  }
  EXPECT_FALSE(opcode_from_misc(18).has_value());
  EXPECT_FALSE(opcode_from_misc(0xFFFFFFFF).has_value());
}

TEST(Opcode, SimdPrefixHas236Instructions) {
  int found = 0;
  for (uint32_t code = 0; code < 0x200; ++code) {
    auto op = opcode_from_simd(code);
    if (!op) continue;
    ++found;
    EXPECT_EQ(opcode_info(*op).prefix, 0xFD);
    EXPECT_EQ(opcode_info(*op).code, code);
    EXPECT_TRUE(is_simd(*op));
  }
  EXPECT_EQ(found, 236);
  for (uint32_t gap : {0x9Au, 0xA2u, 0xA5u, 0xA6u, 0xAFu, 0xB0u, 0xB2u, 0xBBu, 0xC2u, 0xEEu})
    EXPECT_FALSE(opcode_from_simd(gap).has_value()) << gap;
  EXPECT_FALSE(opcode_from_simd(0xFFFFFFFF).has_value());
  EXPECT_FALSE(is_simd(Opcode::I32Add));
  EXPECT_STREQ(opcode_name(Opcode::I32x4TruncSatF64x2UZero), "i32x4.trunc_sat_f64x2_u_zero");
}

TEST(Opcode, SimdSignaturesAndLanes) {
  const OpcodeInfo& shl = opcode_info(Opcode::I64x2Shl);
  EXPECT_EQ(shl.in1, Operand::v128);
  EXPECT_EQ(shl.in2, Operand::i32);
  EXPECT_EQ(shl.out, Operand::v128);
  EXPECT_EQ(opcode_info(Opcode::V128Load).access_bytes, 16);
  EXPECT_EQ(opcode_info(Opcode::V128Load32Zero).access_bytes, 4);
  EXPECT_EQ(opcode_info(Opcode::V128Load8x8S).access_bytes, 8);
  EXPECT_EQ(opcode_info(Opcode::I8x16AllTrue).out, Operand::i32);
  EXPECT_EQ(opcode_info(Opcode::V128Bitselect).in1, Operand::special);
  EXPECT_EQ(lane_count(Opcode::I8x16ExtractLaneS), 16u);
  EXPECT_EQ(lane_count(Opcode::I16x8ReplaceLane), 8u);
  EXPECT_EQ(lane_count(Opcode::F32x4ExtractLane), 4u);
  EXPECT_EQ(lane_count(Opcode::F64x2ReplaceLane), 2u);
  EXPECT_EQ(lane_count(Opcode::V128Load8Lane), 16u);
  EXPECT_EQ(lane_count(Opcode::V128Store64Lane), 2u);
  EXPECT_EQ(lane_count(Opcode::V128Load), 0u);
  EXPECT_EQ(lane_count(Opcode::I8x16Shuffle), 0u);
}

TEST(Opcode, PrefixesAndGapsAreNotOpcodes) {
  EXPECT_FALSE(opcode_from_byte(0xFC).has_value());
  EXPECT_FALSE(opcode_from_byte(0xFD).has_value());
  EXPECT_FALSE(opcode_from_byte(0x06).has_value());
  EXPECT_FALSE(opcode_from_byte(0xC5).has_value());
}

TEST(Opcode, FixedSignaturesAndAccessSizes) {
  const OpcodeInfo& add = opcode_info(Opcode::I64Add);
  EXPECT_EQ(add.in1, Operand::i64);
  EXPECT_EQ(add.in2, Operand::i64);
  EXPECT_EQ(add.out, Operand::i64);
  const OpcodeInfo& load = opcode_info(Opcode::I64Load32U);
  EXPECT_EQ(load.access_bytes, 4);
  EXPECT_EQ(load.out, Operand::i64);
  EXPECT_EQ(opcode_info(Opcode::F32Store).in2, Operand::f32);
  EXPECT_STREQ(opcode_name(Opcode::I32TruncSatF64U), "i32.trunc_sat_f64_u");
}

TEST(Opcode, TextNamesAreUniqueExceptSelect) {
  std::set<std::string> names;
  for (uint16_t i = 0; i < kOpcodeCount; ++i) {
    const std::string text = opcode_info(static_cast<Opcode>(i)).text;
    if (text == "select") continue;  // select and select t share their text
    EXPECT_TRUE(names.insert(text).second) << text;
  }
}

}  // namespace
}  // namespace lunatic::wasm
