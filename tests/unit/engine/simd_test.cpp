// The SIMD lane semantics (engine/simd.hpp) on the edge cases the spec defines: wrapping and
// saturating arithmetic, shift counts, out-of-range swizzle lanes, narrowing, q15mulr and dot
// overflow, NaN and signed-zero rules of min/max/pmin/pmax, rounding, trunc_sat and the loads.
#include "engine/simd.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

namespace lunatic::engine::simd {
namespace {

template <class T, size_t N> V128 v(const std::array<T, N>& lanes) {
  static_assert(N * sizeof(T) == 16);
  return std::bit_cast<V128>(lanes);
}
template <class T> std::array<T, 16 / sizeof(T)> lanes(V128 x) {
  return std::bit_cast<std::array<T, 16 / sizeof(T)>>(x);
}
template <class T> V128 all(T x) { return splat<T>(x); }

uint32_t f32_bits(float f) { return std::bit_cast<uint32_t>(f); }
uint64_t f64_bits(double f) { return std::bit_cast<uint64_t>(f); }

TEST(Simd, LanesAreLittleEndianInTwoSlots) {
  const V128 x = v<uint32_t, 4>({0x03020100, 0x07060504, 0x0B0A0908, 0x0F0E0D0C});
  EXPECT_EQ(x[0], 0x0706050403020100u);
  EXPECT_EQ(x[1], 0x0F0E0D0C0B0A0908u);
  EXPECT_EQ(extract<uint8_t>(x, 9), 9);
  EXPECT_EQ(extract<int8_t>(all<uint8_t>(0xF0), 3), -16);  // extract_lane_s sign-extends
  EXPECT_EQ(extract<uint16_t>(replace<uint16_t>(x, 7, 0xBEEF), 7), 0xBEEF);
  EXPECT_EQ(lanes<uint64_t>(splat<uint64_t>(0x1122334455667788))[1], 0x1122334455667788u);
}

TEST(Simd, IntegerArithmeticWrapsAndSaturates) {
  EXPECT_EQ(lanes<int8_t>(add<uint8_t>(all<uint8_t>(127), all<uint8_t>(1)))[0], -128);
  EXPECT_EQ(lanes<int8_t>(add_sat<int8_t>(all<int8_t>(127), all<int8_t>(1)))[5], 127);
  EXPECT_EQ(lanes<int8_t>(add_sat<int8_t>(all<int8_t>(-128), all<int8_t>(-1)))[5], -128);
  EXPECT_EQ(lanes<uint8_t>(add_sat<uint8_t>(all<uint8_t>(255), all<uint8_t>(1)))[0], 255);
  EXPECT_EQ(lanes<uint8_t>(sub_sat<uint8_t>(all<uint8_t>(0), all<uint8_t>(1)))[0], 0);
  EXPECT_EQ(lanes<int16_t>(sub_sat<int16_t>(all<int16_t>(-32768), all<int16_t>(1)))[2], -32768);
  EXPECT_EQ(lanes<uint16_t>(sub_sat<uint16_t>(all<uint16_t>(5), all<uint16_t>(9)))[2], 0);
  EXPECT_EQ(lanes<int8_t>(abs<uint8_t>(all<uint8_t>(0x80)))[0], -128);  // iabs(-128) wraps
  EXPECT_EQ(lanes<int32_t>(abs<uint32_t>(all<int32_t>(-7)))[3], 7);
  EXPECT_EQ(lanes<int64_t>(neg<uint64_t>(all<int64_t>(INT64_MIN)))[1], INT64_MIN);
  EXPECT_EQ(lanes<uint64_t>(mul<uint64_t>(all<uint64_t>(1ull << 63), all<uint64_t>(2)))[0], 0u);
  EXPECT_EQ(lanes<uint8_t>(avgr_u<uint8_t>(all<uint8_t>(255), all<uint8_t>(255)))[0], 255);
  EXPECT_EQ(lanes<uint16_t>(avgr_u<uint16_t>(all<uint16_t>(0), all<uint16_t>(1)))[0], 1);
  EXPECT_EQ(lanes<uint8_t>(popcnt(all<uint8_t>(0xFF)))[15], 8);
  EXPECT_EQ(lanes<int8_t>(min<int8_t>(all<int8_t>(-1), all<int8_t>(1)))[0], -1);
  EXPECT_EQ(lanes<uint8_t>(min<uint8_t>(all<uint8_t>(0xFF), all<uint8_t>(1)))[0], 1);
  EXPECT_EQ(lanes<uint32_t>(max<uint32_t>(all<uint32_t>(0xFFFFFFFF), all<uint32_t>(1)))[0],
            0xFFFFFFFFu);
}

TEST(Simd, ShiftCountsAreModuloTheLaneWidth) {
  EXPECT_EQ(lanes<uint8_t>(shl<uint8_t>(all<uint8_t>(1), 9))[0], 2);
  EXPECT_EQ(lanes<int16_t>(shr_s<uint16_t>(all<int16_t>(-4), 17))[0], -2);
  EXPECT_EQ(lanes<uint16_t>(shr_u<uint16_t>(all<int16_t>(-4), 17))[0], 0x7FFE);
  EXPECT_EQ(lanes<uint32_t>(shl<uint32_t>(all<uint32_t>(1), 32))[0], 1u);
  EXPECT_EQ(lanes<int64_t>(shr_s<uint64_t>(all<int64_t>(INT64_MIN), 127))[1], -1);
}

TEST(Simd, ComparesGiveAllOnesLanes) {
  const V128 r =
      lt<int8_t>(v<int8_t, 16>({-1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), all<int8_t>(0));
  EXPECT_EQ(lanes<uint8_t>(r)[0], 0xFF);
  EXPECT_EQ(lanes<uint8_t>(r)[1], 0);
  EXPECT_EQ(lanes<uint8_t>(lt<uint8_t>(all<uint8_t>(0xFF), all<uint8_t>(0)))[0], 0);  // lt_u
  const V128 nan = all<float>(std::nanf(""));
  EXPECT_EQ(lanes<uint32_t>(feq<float>(nan, nan))[0], 0u);
  EXPECT_EQ(lanes<uint32_t>(fne<float>(nan, nan))[0], 0xFFFFFFFFu);
  EXPECT_EQ(lanes<uint64_t>(fle<double>(all<double>(-0.0), all<double>(0.0)))[1], ~0ull);
  EXPECT_EQ(lanes<uint64_t>(ge<int64_t>(all<int64_t>(-1), all<int64_t>(0)))[0], 0u);
}

// shuffle picks pshufb where the CPU has SSSE3: it agrees with the byte loop on every lane
// index (0..31), in each of the 16 positions.
TEST(Simd, ShuffleAgreesWithTheByteLoop) {
  const V128 a = v<uint8_t, 16>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  const V128 b = v<uint8_t, 16>({16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}) +
                 splat<uint64_t>(0x8080808080808080u);
  for (uint8_t first = 0; first < 32; ++first) {
    uint8_t pick[16];
    for (unsigned i = 0; i < 16; ++i) pick[i] = static_cast<uint8_t>((first + 7 * i) % 32);
    const auto fast = lanes<uint8_t>(shuffle(a, b, pick));
    EXPECT_EQ(fast, lanes<uint8_t>(shuffle_bytes(a, b, pick)));
    u8x16 pick_vector;
    std::memcpy(&pick_vector, pick, 16);
    EXPECT_EQ(fast, lanes<uint8_t>(shuffle_lanes(a, b, pick_vector)));  // the handler's entry
    for (unsigned i = 0; i < 16; ++i) {
      EXPECT_EQ(fast[i], pick[i] < 16 ? pick[i] : (pick[i] | 0x80)) << int{first} << " " << i;
    }
  }
}

TEST(Simd, SwizzleShuffleAndBitwise) {
  const V128 a = v<uint8_t, 16>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  const V128 b = splat<uint8_t>(0xAA);
  const auto s = lanes<uint8_t>(
      swizzle(a, v<uint8_t, 16>({15, 16, 255, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 128})));
  EXPECT_EQ(s[0], 15);
  EXPECT_EQ(s[1], 0);  // out of range lanes give 0
  EXPECT_EQ(s[2], 0);
  EXPECT_EQ(s[15], 0);
  const uint8_t pick[16] = {31, 0, 16, 15, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const auto sh = lanes<uint8_t>(shuffle(a, b, pick));
  EXPECT_EQ(sh[0], 0xAA);
  EXPECT_EQ(sh[1], 0);
  EXPECT_EQ(sh[2], 0xAA);
  EXPECT_EQ(sh[3], 15);
  const V128 mask = {0xFFFF0000FFFF0000u, 0};
  EXPECT_EQ(bitselect(all<uint8_t>(0x11), all<uint8_t>(0x22), mask)[0], 0x1111222211112222u);
  EXPECT_EQ(bitselect(all<uint8_t>(0x11), all<uint8_t>(0x22), mask)[1], 0x2222222222222222u);
  EXPECT_EQ(vandnot(all<uint8_t>(0xFF), all<uint8_t>(0x0F))[0], 0xF0F0F0F0F0F0F0F0u);
  EXPECT_FALSE(any_true(V128{}));
  EXPECT_TRUE(any_true(V128{0, 1}));
  EXPECT_FALSE(all_true<uint8_t>(V128{~0ull, 0x00FFFFFFFFFFFFFFu}));
  EXPECT_TRUE(all_true<uint16_t>(all<uint16_t>(0x100)));
  EXPECT_FALSE(all_true<uint64_t>(V128{1, 0}));
  EXPECT_EQ(bitmask<uint8_t>(v<int8_t, 16>({-1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128})),
            0x8005u);
  EXPECT_EQ(bitmask<uint64_t>(V128{1ull << 63, 1}), 1u);
}

TEST(Simd, WidthChanges) {
  const V128 w = v<int16_t, 8>({300, -300, 127, -128, 0, 1, -1, 255});
  const auto s = lanes<int8_t>(narrow<int16_t, int8_t>(w, all<int16_t>(-1)));
  EXPECT_EQ(s[0], 127);
  EXPECT_EQ(s[1], -128);
  EXPECT_EQ(s[7], 127);
  EXPECT_EQ(s[8], -1);  // lanes of the second operand follow
  const auto u = lanes<uint8_t>(narrow<int16_t, uint8_t>(w, all<int16_t>(-1)));
  EXPECT_EQ(u[0], 255);
  EXPECT_EQ(u[1], 0);
  EXPECT_EQ(u[6], 0);
  EXPECT_EQ(u[7], 255);
  const V128 bytes = v<int8_t, 16>({-1, 2, 3, 4, 5, 6, 7, 8, -9, 10, 11, 12, 13, 14, 15, 16});
  EXPECT_EQ((lanes<int16_t>(extend<int8_t, int16_t>(bytes, 8))[0]), -9);
  EXPECT_EQ((lanes<uint16_t>(extend<uint8_t, uint16_t>(bytes, 0))[0]), 0xFF);
  EXPECT_EQ((lanes<int16_t>(extadd_pairwise<int8_t, int16_t>(bytes))[0]), 1);
  EXPECT_EQ((lanes<uint16_t>(extadd_pairwise<uint8_t, uint16_t>(bytes))[0]), 257);
  const V128 big = all<int32_t>(INT32_MIN);
  EXPECT_EQ((lanes<int64_t>(extmul<int32_t, int64_t>(big, big, 2))[1]), int64_t{1} << 62);
  EXPECT_EQ((lanes<uint64_t>(extmul<uint32_t, uint64_t>(all<uint32_t>(0xFFFFFFFF),
                                                        all<uint32_t>(0xFFFFFFFF), 0))[0]),
            0xFFFFFFFE00000001u);
  EXPECT_EQ((lanes<int16_t>(extmul<int8_t, int16_t>(all<int8_t>(-128), all<int8_t>(-128), 8))[7]),
            16384);
}

TEST(Simd, Q15MulrAndDotOverflow) {
  EXPECT_EQ(lanes<int16_t>(q15mulr_sat_s(all<int16_t>(-32768), all<int16_t>(-32768)))[0], 32767);
  EXPECT_EQ(lanes<int16_t>(q15mulr_sat_s(all<int16_t>(1), all<int16_t>(16384)))[0], 1);  // 0.5 up
  EXPECT_EQ(lanes<int16_t>(q15mulr_sat_s(all<int16_t>(-1), all<int16_t>(16384)))[0], 0);
  EXPECT_EQ(lanes<int32_t>(dot_i16x8_s(all<int16_t>(-32768), all<int16_t>(-32768)))[0],
            INT32_MIN);  // 2^31 wraps
  EXPECT_EQ(lanes<int32_t>(dot_i16x8_s(v<int16_t, 8>({1, 2, 3, 4, 5, 6, 7, 8}),
                                       v<int16_t, 8>({-1, 1, 1, 1, 2, 2, 0, 0})))[1],
            7);
}

TEST(Simd, FloatMinMaxNaNAndSignedZero) {
  const float nan = std::nanf("");
  const auto mn = lanes<float>(
      fmin<float>(v<float, 4>({nan, -0.0f, 0.0f, 1.0f}), v<float, 4>({1.0f, 0.0f, -0.0f, nan})));
  EXPECT_TRUE(std::isnan(mn[0]));
  EXPECT_EQ(f32_bits(mn[1]), f32_bits(-0.0f));
  EXPECT_EQ(f32_bits(mn[2]), f32_bits(-0.0f));
  EXPECT_TRUE(std::isnan(mn[3]));
  const auto mx = lanes<double>(fmax<double>(v<double, 2>({-0.0, nan}), v<double, 2>({0.0, 1})));
  EXPECT_EQ(f64_bits(mx[0]), f64_bits(0.0));
  EXPECT_TRUE(std::isnan(mx[1]));
  // pmin/pmax are b < a ? b : a and a < b ? b : a: the first operand wins ties and NaNs.
  const auto pm = lanes<float>(
      pmin<float>(v<float, 4>({-0.0f, nan, 1.0f, 2.0f}), v<float, 4>({0.0f, 1.0f, nan, 1.0f})));
  EXPECT_EQ(f32_bits(pm[0]), f32_bits(-0.0f));
  EXPECT_TRUE(std::isnan(pm[1]));
  EXPECT_EQ(pm[2], 1.0f);
  EXPECT_EQ(pm[3], 1.0f);
  const auto px = lanes<double>(pmax<double>(v<double, 2>({0.0, 1.0}), v<double, 2>({-0.0, nan})));
  EXPECT_EQ(f64_bits(px[0]), f64_bits(0.0));
  EXPECT_EQ(px[1], 1.0);
}

TEST(Simd, FloatRoundingSignAndArithmetic) {
  const auto n = lanes<float>(fnearest<float>(v<float, 4>({2.5f, -0.5f, 3.5f, -2.5f})));
  EXPECT_EQ(n[0], 2.0f);
  EXPECT_EQ(f32_bits(n[1]), f32_bits(-0.0f));
  EXPECT_EQ(n[2], 4.0f);
  EXPECT_EQ(n[3], -2.0f);
  EXPECT_EQ(f64_bits(lanes<double>(fceil<double>(all<double>(-0.5)))[0]), f64_bits(-0.0));
  EXPECT_EQ(lanes<double>(ffloor<double>(all<double>(-0.5)))[0], -1.0);
  EXPECT_EQ(lanes<float>(ftrunc<float>(all<float>(-1.9f)))[0], -1.0f);
  // abs and neg change the sign bit only, of NaNs too (payload kept).
  const V128 payload = all<uint32_t>(0x7FA00001);
  EXPECT_EQ(lanes<uint32_t>(fneg<float>(payload))[0], 0xFFA00001u);
  EXPECT_EQ(lanes<uint32_t>(fabs<float>(fneg<float>(payload)))[0], 0x7FA00001u);
  EXPECT_EQ(lanes<uint64_t>(fneg<double>(all<double>(0.0)))[0], 0x8000000000000000u);
  EXPECT_EQ(lanes<double>(fadd<double>(all<double>(1.0), all<double>(0x1p-53)))[0], 1.0);
  EXPECT_EQ(lanes<float>(fsqrt<float>(all<float>(2.25f)))[0], 1.5f);
  EXPECT_TRUE(std::isnan(lanes<float>(fsqrt<float>(all<float>(-1.0f)))[0]));
  EXPECT_EQ(lanes<float>(fdiv<float>(all<float>(1.0f), all<float>(-0.0f)))[0], -INFINITY);
}

TEST(Simd, Conversions) {
  const V128 f = v<float, 4>({std::nanf(""), 3e9f, -3e9f, -1.5f});
  const auto s = lanes<int32_t>(trunc_sat_f32x4<int32_t>(f));
  EXPECT_EQ(s[0], 0);
  EXPECT_EQ(s[1], INT32_MAX);
  EXPECT_EQ(s[2], INT32_MIN);
  EXPECT_EQ(s[3], -1);
  const auto u = lanes<uint32_t>(trunc_sat_f32x4<uint32_t>(v<float, 4>({-1.5f, 5e9f, 4e9f, 0})));
  EXPECT_EQ(u[0], 0u);
  EXPECT_EQ(u[1], 0xFFFFFFFFu);
  EXPECT_EQ(u[2], 4000000000u);
  const auto z = lanes<int32_t>(trunc_sat_f64x2_zero<int32_t>(v<double, 2>({-2147483648.9, 1e10})));
  EXPECT_EQ(z[0], INT32_MIN);
  EXPECT_EQ(z[1], INT32_MAX);
  EXPECT_EQ(z[2], 0);
  EXPECT_EQ(z[3], 0);
  EXPECT_EQ(lanes<float>(convert_i32x4<uint32_t>(all<uint32_t>(0xFFFFFFFF)))[0], 4294967296.0f);
  EXPECT_EQ(lanes<float>(convert_i32x4<int32_t>(all<int32_t>(16777217)))[0], 16777216.0f);
  EXPECT_EQ(lanes<double>(convert_low_i32x4<uint32_t>(all<uint32_t>(0xFFFFFFFF)))[1], 4294967295.0);
  EXPECT_EQ(lanes<double>(convert_low_i32x4<int32_t>(all<int32_t>(-5)))[0], -5.0);
  const auto d = lanes<float>(demote_f64x2_zero(v<double, 2>({1e300, 0x1p-149})));
  EXPECT_EQ(d[0], INFINITY);
  EXPECT_EQ(d[1], 0x1p-149f);
  EXPECT_EQ(d[2], 0.0f);
  EXPECT_EQ(lanes<double>(promote_low_f32x4(v<float, 4>({1.5f, -0.0f, 7, 7})))[1], -0.0);
}

TEST(Simd, MemoryForms) {
  uint8_t mem[32];
  for (int i = 0; i < 32; ++i) mem[i] = static_cast<uint8_t>(0xF0 + i);
  EXPECT_EQ((lanes<int16_t>(load_extend<int8_t, int16_t>(mem))[0]), -16);
  EXPECT_EQ((lanes<uint16_t>(load_extend<uint8_t, uint16_t>(mem))[7]), 0xF7);
  EXPECT_EQ((lanes<int64_t>(load_extend<int32_t, int64_t>(mem))[1]),
            static_cast<int32_t>(0xF7F6F5F4));
  EXPECT_EQ(load_splat<uint16_t>(mem + 1)[1], 0xF2F1F2F1F2F1F2F1u);
  const V128 z = load_zero<uint32_t>(mem);
  EXPECT_EQ(z[0], 0xF3F2F1F0u);
  EXPECT_EQ(z[1], 0u);
  const V128 l = load_lane<uint64_t>(mem, V128{1, 2}, 1);
  EXPECT_EQ(l[0], 1u);
  EXPECT_EQ(l[1], 0xF7F6F5F4F3F2F1F0u);
  store_lane<uint16_t>(mem + 30, all<uint16_t>(0xABCD), 5);
  EXPECT_EQ(mem[30], 0xCD);
  EXPECT_EQ(mem[31], 0xAB);
  store(mem, load(mem + 16));
  EXPECT_EQ(mem[0], 0x00);  // 0xF0 + 16 wraps
  EXPECT_EQ(mem[15], 0xAB);
}

}  // namespace
}  // namespace lunatic::engine::simd
