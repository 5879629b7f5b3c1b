// i8x16.shuffle, the one v128 helper that depends on the CPU: SSE2 (the x86-64 baseline the
// engine is built for) has no byte shuffle, and GCC's generic one expands to some 200
// instructions there; SSSE3's pshufb does it in a few instructions. The CPU is asked once, when
// the program starts (shuffle_lanes).
#include <bit>
#include <cstring>

#include "engine/simd.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace lunatic::engine::simd {

V128 shuffle_bytes(V128 a, V128 b, const uint8_t (&lanes)[16]) {
  uint8_t both[32];
  std::memcpy(both, &a, 16);
  std::memcpy(both + 16, &b, 16);
  u8x16 r{};
  for (unsigned i = 0; i < 16; ++i) r[i] = both[lanes[i] & 31];
  return from(r);
}

namespace {

#if defined(__x86_64__) || defined(__i386__)
// Two pshufb: a byte index with bit 7 set gives 0, so each takes the lanes of its own operand
// and zeroes the others; their or is the result. Intrinsics, which GCC and clang both allow in
// a function built for the target (the fuzz build is clang's).
__attribute__((target("ssse3"))) V128 shuffle_ssse3(V128 a, V128 b, u8x16 lanes) {
  const __m128i index = _mm_and_si128(std::bit_cast<__m128i>(lanes), _mm_set1_epi8(31));
  const __m128i in_b = _mm_cmpgt_epi8(index, _mm_set1_epi8(15));  // 0xFF where index >= 16
  const __m128i from_a = _mm_shuffle_epi8(std::bit_cast<__m128i>(a), _mm_or_si128(index, in_b));
  const __m128i from_b = _mm_shuffle_epi8(std::bit_cast<__m128i>(b),
                                          _mm_or_si128(_mm_sub_epi8(index, _mm_set1_epi8(16)),
                                                       _mm_andnot_si128(in_b, _mm_set1_epi8(-1))));
  return std::bit_cast<V128>(_mm_or_si128(from_a, from_b));
}

bool has_ssse3() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("ssse3") != 0;
  }();
  return yes;
}
#endif

V128 shuffle_bytes_of(V128 a, V128 b, u8x16 lanes) {
  uint8_t bytes[16];
  std::memcpy(bytes, &lanes, 16);
  return shuffle_bytes(a, b, bytes);
}

ShuffleFn pick_shuffle() {
#if defined(__x86_64__) || defined(__i386__)
  if (has_ssse3()) return shuffle_ssse3;
#endif
  return shuffle_bytes_of;
}

}  // namespace

const ShuffleFn shuffle_lanes = pick_shuffle();

V128 shuffle(V128 a, V128 b, const uint8_t (&lanes)[16]) {
  u8x16 mask;
  std::memcpy(&mask, lanes, 16);
#if defined(__x86_64__) || defined(__i386__)
  if (has_ssse3()) return shuffle_ssse3(a, b, mask);
#endif
  return shuffle_bytes_of(a, b, mask);
}

}  // namespace lunatic::engine::simd
