// SHA-256 as FIPS 180-4 specifies it (sections 5.1.1, 5.3.3, 6.2): the padding and the
// buffering of partial blocks; the block function is sha256_blocks.cpp.
#include "codecache/sha256.hpp"

#include "codecache/sha256_blocks.hpp"

#include <algorithm>
#include <cstring>

namespace lunatic::codecache {

// The first 32 bits of the fractional parts of the square roots of the first 8 primes.
Sha256::Sha256()
    : state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {}

void Sha256::compress(const uint8_t* blocks, size_t count) {
  static const bool fast = sha256_blocks::has_sha_ni();
  if (fast) {
    sha256_blocks::sha_ni(state_, blocks, count);
  } else {
    sha256_blocks::portable(state_, blocks, count);
  }
}

void Sha256::update(std::span<const uint8_t> bytes) {
  length_ += bytes.size();
  const uint8_t* p = bytes.data();
  size_t left = bytes.size();
  if (used_ > 0) {
    const size_t take = std::min(left, block_.size() - used_);
    std::memcpy(block_.data() + used_, p, take);
    used_ += take;
    p += take;
    left -= take;
    if (used_ < block_.size()) return;
    compress(block_.data(), 1);
    used_ = 0;
  }
  const size_t whole = left / 64;
  compress(p, whole);
  p += 64 * whole;
  left -= 64 * whole;
  std::memcpy(block_.data(), p, left);
  used_ = left;
}

Digest Sha256::final() {
  // Padding: a 1 bit, zeros up to 56 bytes mod 64, then the length in bits, big-endian.
  const uint64_t bits = length_ * 8;
  uint8_t pad[72] = {0x80};
  const size_t zeros = (used_ < 56 ? 56 - used_ : 120 - used_);
  for (int i = 0; i < 8; ++i) pad[zeros + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  update(std::span<const uint8_t>(pad, zeros + 8));
  Digest out{};
  for (size_t i = 0; i < state_.size(); ++i) {
    for (int b = 0; b < 4; ++b) out[4 * i + b] = static_cast<uint8_t>(state_[i] >> (24 - 8 * b));
  }
  return out;
}

}  // namespace lunatic::codecache
