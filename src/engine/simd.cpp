// i8x16.shuffle, the one v128 helper that depends on the CPU: SSE2 (the x86-64 baseline the
// engine is built for) has no byte shuffle, and GCC's generic one expands to some 200
// instructions there; SSSE3's pshufb does it in two. The CPU is asked once, at the first call.
#include <cstring>

#include "engine/simd.hpp"

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
// GCC's variable shuffle takes indices modulo 32, as the validated lanes are.
__attribute__((target("ssse3"))) V128 shuffle_ssse3(V128 a, V128 b, u8x16 lanes) {
  return from(__builtin_shuffle(as<uint8_t>(a), as<uint8_t>(b), lanes));
}

bool has_ssse3() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("ssse3") != 0;
  }();
  return yes;
}
#endif

}  // namespace

V128 shuffle(V128 a, V128 b, const uint8_t (&lanes)[16]) {
#if defined(__x86_64__) || defined(__i386__)
  if (has_ssse3()) {
    u8x16 mask;
    std::memcpy(&mask, lanes, 16);
    return shuffle_ssse3(a, b, mask);
  }
#endif
  return shuffle_bytes(a, b, lanes);
}

}  // namespace lunatic::engine::simd
