// SIMD in the text format: v128.const in each lane shape, i8x16.shuffle, lane indices, memargs
// with lanes, and the malformed forms the spec suite names.
#include <gtest/gtest.h>

#include "decoder/decoder.hpp"
#include "text/text.hpp"
#include "validator/validator.hpp"

namespace lunatic::text {
namespace {

using wasm::Opcode;

/// The decoded body of the only function of `(module (memory 1) (func ... BODY))`.
wasm::Function body_of(std::string_view results, std::string_view body) {
  const std::string wat =
      "(module (memory 1) (func (result " + std::string(results) + ") " + std::string(body) + "))";
  auto bytes = parse_module(wat);
  EXPECT_TRUE(bytes.ok()) << wat << ": " << (bytes ? "" : bytes.error().message);
  if (!bytes) return {};
  auto m = decoder::decode(*bytes);
  EXPECT_TRUE(m.ok()) << wat << ": " << (m ? "" : m.error().message);
  if (!m) return {};
  auto v = validator::validate(*m);
  EXPECT_TRUE(v.ok()) << wat << ": " << (v ? "" : v.error().message);
  return m->functions.at(0);
}

/// The message of the error parsing `body` gives.
std::string error_of(std::string_view body) {
  auto bytes = parse_module("(module (func (param v128) " + std::string(body) + "))");
  return bytes ? std::string("no error") : bytes.error().message;
}

wasm::V128Bytes const_bytes(std::string_view shape_and_lanes) {
  const wasm::Function f = body_of("v128", "(v128.const " + std::string(shape_and_lanes) + ")");
  if (f.body.empty()) return {};
  EXPECT_EQ(f.body[0].op, Opcode::V128Const);
  return wasm::v128_immediate(f.body[0]);
}

TEST(SimdText, ConstShapesAreLittleEndianLanes) {
  wasm::V128Bytes b = const_bytes("i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 -1 0xFF");
  EXPECT_EQ(b[1], 1);
  EXPECT_EQ(b[14], 0xFF);  // -1 as a byte
  EXPECT_EQ(b[15], 0xFF);
  b = const_bytes("i16x8 0x0102 -32768 0 0 0 0 0 65535");
  EXPECT_EQ(b[0], 0x02);
  EXPECT_EQ(b[1], 0x01);
  EXPECT_EQ(b[2], 0x00);
  EXPECT_EQ(b[3], 0x80);
  EXPECT_EQ(b[14], 0xFF);
  b = const_bytes("i32x4 0x01020304 0 0 -2147483648");
  EXPECT_EQ(b[0], 0x04);
  EXPECT_EQ(b[3], 0x01);
  EXPECT_EQ(b[15], 0x80);
  b = const_bytes("i64x2 -1 0x0807060504030201");
  EXPECT_EQ(b[7], 0xFF);
  EXPECT_EQ(b[8], 0x01);
  EXPECT_EQ(b[15], 0x08);
  b = const_bytes("f32x4 1.0 -0 nan:0x200000 inf");  // 1.0f = 0x3F800000
  EXPECT_EQ(b[3], 0x3F);
  EXPECT_EQ(b[2], 0x80);
  EXPECT_EQ(b[7], 0x80);   // -0
  EXPECT_EQ(b[10], 0xA0);  // nan:0x200000 = 0x7FA00000
  EXPECT_EQ(b[11], 0x7F);
  EXPECT_EQ(b[15], 0x7F);                   // inf = 0x7F800000
  b = const_bytes("f64x2 0x1p-1074 -1.5");  // smallest subnormal; -1.5 = 0xBFF8...
  EXPECT_EQ(b[0], 0x01);
  EXPECT_EQ(b[15], 0xBF);
  EXPECT_EQ(b[14], 0xF8);
}

TEST(SimdText, ShuffleLanesAndMemargs) {
  const wasm::Function f = body_of(
      "v128",
      "(i8x16.shuffle 31 0 1 2 3 4 5 6 7 8 9 10 11 12 13 16 (v128.const i64x2 0 0) "
      "(v128.load8_lane offset=3 align=1 15 (i32.const 0) (v128.load64_splat (i32.const 8))))");
  ASSERT_GE(f.body.size(), 6u);  // v128.const, i32.const, i32.const, splat, lane, shuffle
  EXPECT_EQ(f.body[0].op, Opcode::V128Const);
  EXPECT_EQ(f.body[3].op, Opcode::V128Load64Splat);
  EXPECT_EQ(f.body[3].a, 3u);  // natural alignment 8 = 2^3
  EXPECT_EQ(f.body[4].op, Opcode::V128Load8Lane);
  EXPECT_EQ(f.body[4].a, 0u);
  EXPECT_EQ(f.body[4].b, 3u);
  EXPECT_EQ(f.body[4].c, 15u);
  EXPECT_EQ(f.body[5].op, Opcode::I8x16Shuffle);
  const wasm::V128Bytes lanes = wasm::v128_immediate(f.body[5]);
  EXPECT_EQ(lanes[0], 31);
  EXPECT_EQ(lanes[15], 16);
  const wasm::Function g = body_of("i64", "(i64x2.extract_lane 1 (v128.const i64x2 1 2))");
  ASSERT_GE(g.body.size(), 2u);
  EXPECT_EQ(g.body[1].op, Opcode::I64x2ExtractLane);
  EXPECT_EQ(g.body[1].a, 1u);
}

TEST(SimdText, MalformedSimdText) {
  EXPECT_EQ(error_of("(v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 256) drop"),
            "constant out of range");
  EXPECT_EQ(error_of("(v128.const i16x8 -32769 0 0 0 0 0 0 0) drop"), "constant out of range");
  EXPECT_EQ(error_of("(v128.const i32x4 0 0 0) drop"), "wrong number of lane literals");
  EXPECT_EQ(error_of("(v128.const i64x2 0 0 0) drop"), "wrong number of lane literals");
  EXPECT_EQ(error_of("(v128.const i8x16 0x 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0) drop"),
            "unknown operator");
  EXPECT_EQ(error_of("(v128.const 0 0 0 0) drop"), "unexpected token");  // no shape
  EXPECT_EQ(error_of("(v128.const i8x8 0 0 0 0 0 0 0 0) drop"), "unexpected token");
  EXPECT_EQ(error_of("(v128.const f32x4 0 0 0 nan:canonical) drop"), "unknown operator");
  EXPECT_EQ(error_of("(i8x16.extract_lane_s -1 (local.get 0)) drop"), "unexpected token");
  EXPECT_EQ(error_of("(i8x16.extract_lane_s 1.5 (local.get 0)) drop"), "unexpected token");
  EXPECT_EQ(error_of("(i8x16.extract_lane_s 256 (local.get 0)) drop"), "malformed lane index");
  EXPECT_EQ(error_of("(i8x16.extract_lane_s (local.get 0)) drop"), "unexpected token");
  EXPECT_EQ(error_of("(i8x16.shuffle 0 1 2 (local.get 0) (local.get 0)) drop"),
            "invalid lane length");
  EXPECT_EQ(error_of("(i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 (local.get 0) "
                     "(local.get 0)) drop"),
            "invalid lane length");
  EXPECT_EQ(error_of("(i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1 (local.get 0) "
                     "(local.get 0)) drop"),
            "malformed lane index");
  EXPECT_EQ(error_of("(i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 256 (local.get 0) "
                     "(local.get 0)) drop"),
            "malformed lane index");
  // An unknown SIMD-looking name is an unknown operator.
  EXPECT_EQ(error_of("(i8x16.mul (local.get 0) (local.get 0)) drop"), "unknown operator i8x16.mul");
}

}  // namespace
}  // namespace lunatic::text
