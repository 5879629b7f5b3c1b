// The numeric helpers against the spec's edge cases: division traps, shifts and rotates modulo
// the width, float min/max/nearest with NaN and signed zeros, truncation bounds.
#include "engine/numeric.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace lunatic::engine::num {
namespace {

TEST(Numeric, DivisionTraps) {
  uint32_t r = 0;
  TrapKind k = TrapKind::Unreachable;
  EXPECT_FALSE(div_u<uint32_t>(1, 0, r, k));
  EXPECT_EQ(k, TrapKind::IntegerDivideByZero);
  EXPECT_FALSE(div_s<uint32_t>(0x80000000u, 0xFFFFFFFFu, r, k));
  EXPECT_EQ(k, TrapKind::IntegerOverflow);
  ASSERT_TRUE(rem_s<uint32_t>(0x80000000u, 0xFFFFFFFFu, r, k));
  EXPECT_EQ(r, 0u);
  uint64_t r64 = 0;
  ASSERT_TRUE(div_s<uint64_t>(static_cast<uint64_t>(-7), 2, r64, k));
  EXPECT_EQ(static_cast<int64_t>(r64), -3);
  EXPECT_FALSE(rem_u<uint64_t>(5, 0, r64, k));
}

TEST(Numeric, ShiftsAndRotatesTakeTheCountModuloTheWidth) {
  EXPECT_EQ(shl<uint32_t>(1, 33), 2u);
  EXPECT_EQ(shr_s<uint32_t>(0x80000000u, 63), 0xFFFFFFFFu);
  EXPECT_EQ(shr_u<uint64_t>(0x8000000000000000ull, 127), 1u);
  EXPECT_EQ(rotl<uint32_t>(0x80000001u, 1), 3u);
  EXPECT_EQ(rotr<uint32_t>(1, 33), 0x80000000u);
  EXPECT_EQ(clz<uint32_t>(0), 32u);
  EXPECT_EQ(ctz<uint64_t>(0), 64u);
  EXPECT_EQ((extend_s<uint32_t, int8_t>(0x80)), 0xFFFFFF80u);
  EXPECT_EQ((extend_s<uint64_t, int32_t>(0x80000000ull)), 0xFFFFFFFF80000000ull);
}

TEST(Numeric, FloatMinMaxAndZeros) {
  EXPECT_TRUE(std::signbit(fmin(0.0f, -0.0f)));
  EXPECT_TRUE(std::signbit(fmin(-0.0, 0.0)));
  EXPECT_FALSE(std::signbit(fmax(-0.0f, 0.0f)));
  EXPECT_TRUE(std::isnan(fmin(1.0, std::nan(""))));
  EXPECT_TRUE(std::isnan(fmax(std::nanf(""), 1.0f)));
  EXPECT_EQ(fmin(-1.0f, 2.0f), -1.0f);
  EXPECT_EQ(fmax(-1.0, 2.0), 2.0);
}

TEST(Numeric, NearestRoundsHalfToEven) {
  EXPECT_EQ(fnearest(2.5), 2.0);
  EXPECT_EQ(fnearest(3.5f), 4.0f);
  EXPECT_EQ(fnearest(-0.5), -0.0);
  EXPECT_TRUE(std::signbit(fnearest(-0.5)));
}

TEST(Numeric, SignOperationsKeepNaNPayloads) {
  const float nan_payload = std::bit_cast<float>(0x7FA00001u);
  EXPECT_EQ(std::bit_cast<uint32_t>(fneg(nan_payload)), 0xFFA00001u);
  EXPECT_EQ(std::bit_cast<uint32_t>(fabs_(fneg(nan_payload))), 0x7FA00001u);
  EXPECT_EQ(std::bit_cast<uint32_t>(fcopysign(nan_payload, -1.0f)), 0xFFA00001u);
}

TEST(Numeric, RoundingQuietsSignallingNaNs) {
  const float snan = std::bit_cast<float>(0x7FA00000u);
  for (float r : {fceil(snan), ffloor(snan), ftrunc(snan), fnearest(snan)}) {
    EXPECT_EQ(std::bit_cast<uint32_t>(r) & 0x7FC00000u, 0x7FC00000u);  // a quiet NaN
  }
  const double dnan = std::bit_cast<double>(0xFFF4000000000000ull);
  EXPECT_TRUE(std::isnan(ffloor(dnan)));
  EXPECT_NE(std::bit_cast<uint64_t>(ffloor(dnan)) & 0x0008000000000000ull, 0u);
}

TEST(Numeric, TruncationBounds) {
  int32_t i = 0;
  uint32_t u = 0;
  TrapKind k = TrapKind::Unreachable;
  EXPECT_TRUE((trunc<int32_t, double>(-2147483648.9, i, k)));
  EXPECT_EQ(i, INT32_MIN);
  EXPECT_FALSE((trunc<int32_t, double>(-2147483649.0, i, k)));
  EXPECT_EQ(k, TrapKind::IntegerOverflow);
  EXPECT_TRUE((trunc<int32_t, double>(2147483647.9, i, k)));
  EXPECT_FALSE((trunc<int32_t, float>(2147483648.0f, i, k)));
  EXPECT_TRUE((trunc<uint32_t, double>(-0.9, u, k)));
  EXPECT_EQ(u, 0u);
  EXPECT_FALSE((trunc<uint32_t, double>(-1.0, u, k)));
  EXPECT_TRUE((trunc<uint32_t, double>(4294967295.9, u, k)));
  EXPECT_FALSE((trunc<uint32_t, float>(4294967296.0f, u, k)));
  EXPECT_FALSE((trunc<uint32_t, float>(std::nanf(""), u, k)));
  EXPECT_EQ(k, TrapKind::InvalidConversion);
  int64_t l = 0;
  uint64_t ul = 0;
  EXPECT_TRUE((trunc<int64_t, double>(-9223372036854775808.0, l, k)));
  EXPECT_FALSE((trunc<int64_t, double>(9223372036854775808.0, l, k)));
  EXPECT_TRUE((trunc<uint64_t, float>(18446742974197923840.0f, ul, k)));
  EXPECT_FALSE((trunc<uint64_t, float>(18446744073709551616.0f, ul, k)));
}

TEST(Numeric, SaturatingTruncation) {
  EXPECT_EQ((trunc_sat<int32_t, float>(std::nanf(""))), 0);
  EXPECT_EQ((trunc_sat<int32_t, double>(1e300)), INT32_MAX);
  EXPECT_EQ((trunc_sat<int32_t, double>(-1e300)), INT32_MIN);
  EXPECT_EQ((trunc_sat<uint32_t, float>(-3.0f)), 0u);
  EXPECT_EQ((trunc_sat<uint64_t, double>(1e300)), UINT64_MAX);
  EXPECT_EQ((trunc_sat<int64_t, float>(-1e30f)), INT64_MIN);
  EXPECT_EQ((trunc_sat<int64_t, double>(-1.9)), -1);
}

TEST(Numeric, Conversions) {
  EXPECT_EQ((convert<float, uint64_t>(UINT64_MAX)), 18446744073709551616.0f);
  EXPECT_EQ((convert<double, int32_t>(-1)), -1.0);
  // u64 -> f32 rounds to nearest even: 2^24 + 1 is exactly halfway.
  EXPECT_EQ((convert<float, uint64_t>(16777217u)), 16777216.0f);
  EXPECT_EQ(extend_i32_s(0xFFFFFFFFu), UINT64_MAX);
  EXPECT_EQ(wrap(0x1'0000'0005ull), 5u);
}

}  // namespace
}  // namespace lunatic::engine::num
