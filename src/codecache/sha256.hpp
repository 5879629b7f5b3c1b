// SHA-256 (FIPS 180-4): the code cache's module digests, keys and entry checksums, without
// LLVM (whose SHA256 the cache used before it could be read without loading the LLVM tier).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace lunatic::codecache {

/// A SHA-256 digest.
using Digest = std::array<uint8_t, 32>;

/// Incremental SHA-256: update() any number of times, then final() once.
class Sha256 {
 public:
  Sha256();
  void update(std::span<const uint8_t> bytes);
  /// The digest of everything updated so far. @pre called once, last.
  Digest final();

  static Digest hash(std::span<const uint8_t> bytes) {
    Sha256 sha;
    sha.update(bytes);
    return sha.final();
  }

 private:
  void compress(const uint8_t* blocks, size_t count);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> block_{};
  size_t used_ = 0;      ///< bytes of block_ filled
  uint64_t length_ = 0;  ///< bytes hashed so far
};

}  // namespace lunatic::codecache
