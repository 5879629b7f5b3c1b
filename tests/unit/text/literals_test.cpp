// Numeric literals: integer ranges and separators, float rounding, inf and NaN payloads.
#include <gtest/gtest.h>

#include "text/literals.hpp"

namespace lunatic::text {
namespace {

uint32_t f32(std::string_view s) {
  uint32_t bits = 0;
  EXPECT_EQ(parse_f32(s, bits), LiteralStatus::Ok) << s;
  return bits;
}

uint64_t f64(std::string_view s) {
  uint64_t bits = 0;
  EXPECT_EQ(parse_f64(s, bits), LiteralStatus::Ok) << s;
  return bits;
}

LiteralStatus f32_status(std::string_view s) {
  uint32_t bits = 0;
  return parse_f32(s, bits);
}

uint64_t int_bits(std::string_view s, unsigned bits) {
  uint64_t v = 0;
  EXPECT_EQ(parse_int(s, bits, v), LiteralStatus::Ok) << s;
  return v;
}

TEST(IntLiteral, RangesAndSigns) {
  EXPECT_EQ(int_bits("0xffffffff", 32), 0xffffffffu);
  EXPECT_EQ(int_bits("-0x80000000", 32), 0x80000000u);
  EXPECT_EQ(int_bits("-1", 32), 0xffffffffu);
  EXPECT_EQ(int_bits("1_000_000", 32), 1000000u);
  EXPECT_EQ(int_bits("0x7fff_ffff_ffff_ffff", 64), 0x7fffffffffffffffu);
  EXPECT_EQ(int_bits("-9223372036854775808", 64), 0x8000000000000000u);
  EXPECT_EQ(int_bits("18446744073709551615", 64), UINT64_MAX);
  uint64_t v = 0;
  EXPECT_EQ(parse_int("0x100000000", 32, v), LiteralStatus::Range);
  EXPECT_EQ(parse_int("-0x80000001", 32, v), LiteralStatus::Range);
  EXPECT_EQ(parse_int("18446744073709551616", 64, v), LiteralStatus::Range);
  EXPECT_EQ(parse_int("1__0", 32, v), LiteralStatus::Syntax);
  EXPECT_EQ(parse_int("_1", 32, v), LiteralStatus::Syntax);
  EXPECT_EQ(parse_int("1_", 32, v), LiteralStatus::Syntax);
  EXPECT_EQ(parse_int("0x", 32, v), LiteralStatus::Syntax);
  EXPECT_EQ(parse_int("1x", 32, v), LiteralStatus::Syntax);
}

TEST(FloatLiteral, F32Rounding) {
  EXPECT_EQ(f32("0x1.fffffep127"), 0x7f7fffffu);
  EXPECT_EQ(f32("1"), 0x3f800000u);
  EXPECT_EQ(f32("-0.0"), 0x80000000u);
  EXPECT_EQ(f32("0.1"), 0x3dcccccdu);
  EXPECT_EQ(f32("1e-45"), 0x00000001u);  // smallest subnormal
  // Ties to even in hex: 1 + 2^-24 lies halfway between 1 and 1 + 2^-23.
  EXPECT_EQ(f32("0x1.000001p0"), 0x3f800000u);
  EXPECT_EQ(f32("0x1.000003p0"), 0x3f800002u);
  // Just above the halfway point must round up (rounding via double would lose it).
  EXPECT_EQ(f32("0x1.00000100000000001p0"), 0x3f800001u);
  // A decimal just above the f32 halfway point between 1 and 1+2^-23 whose double rounding
  // would land exactly on the tie: 1 + 2^-24 + 2^-60 in decimal.
  EXPECT_EQ(f32("1.000000059604644776407248188268"), 0x3f800001u);
  EXPECT_EQ(f32("1_000.5"), f32("1000.5"));
  EXPECT_EQ(f32("3.4028235677973366e38"), 0x7f7fffffu);
}

TEST(FloatLiteral, OutOfRange) {
  EXPECT_EQ(f32_status("1e39"), LiteralStatus::Range);
  EXPECT_EQ(f32_status("0x1p128"), LiteralStatus::Range);
  EXPECT_EQ(f32_status("3.4028236e38"), LiteralStatus::Range);
  uint64_t bits = 0;
  EXPECT_EQ(parse_f64("1e309", bits), LiteralStatus::Range);
  EXPECT_EQ(parse_f64("0x1p1024", bits), LiteralStatus::Range);
}

TEST(FloatLiteral, InfAndNan) {
  EXPECT_EQ(f32("inf"), 0x7f800000u);
  EXPECT_EQ(f32("-inf"), 0xff800000u);
  EXPECT_EQ(f32("nan"), 0x7fc00000u);
  EXPECT_EQ(f32("-nan"), 0xffc00000u);
  EXPECT_EQ(f32("nan:0x1"), 0x7f800001u);
  EXPECT_EQ(f32("nan:0x7f_ffff"), 0x7fffffffu);
  EXPECT_EQ(f32_status("nan:0x800000"), LiteralStatus::Range);
  EXPECT_EQ(f32_status("nan:0x0"), LiteralStatus::Range);
  EXPECT_EQ(f64("nan"), 0x7ff8000000000000u);
  EXPECT_EQ(f64("-nan:0xf_ffff_ffff_ffff"), 0xffffffffffffffffu);
}

TEST(FloatLiteral, F64) {
  EXPECT_EQ(f64("0x1.fffffffffffffp1023"), 0x7fefffffffffffffu);
  EXPECT_EQ(f64("0.1"), 0x3fb999999999999au);
  EXPECT_EQ(f64("1.e1"), f64("10"));
  EXPECT_EQ(f64("0x1P-1"), f64("0.5"));
  EXPECT_EQ(f64("4.9e-324"), 1u);
}

TEST(FloatLiteral, Syntax) {
  for (const char* s : {".5", "1e", "0x1p", "1._5", "_1.0", "1.0_", "0x.8", "1e_5", "in", "nan:1",
                        "nan:canonical", "1.5x", "--1"}) {
    EXPECT_EQ(f32_status(s), LiteralStatus::Syntax) << s;
  }
}

}  // namespace
}  // namespace lunatic::text
