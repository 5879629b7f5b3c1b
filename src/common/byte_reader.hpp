// ByteReader: bounds-checked reading of a byte buffer, with the LEB128 integers of the Wasm binary
// format. Every read either succeeds or returns a decode Error carrying the offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "common/result.hpp"

namespace lunatic {

class ByteReader {
 public:
  /// `base_offset` is added to positions in errors, so a reader over a section reports offsets
  /// relative to the whole module.
  explicit ByteReader(std::span<const uint8_t> bytes, uint64_t base_offset = 0)
      : bytes_(bytes), base_offset_(base_offset) {}

  bool at_end() const { return pos_ == bytes_.size(); }
  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  /// Offset of the next byte within the whole module.
  uint64_t offset() const { return base_offset_ + pos_; }

  Result<uint8_t> u8();
  /// Unsigned/signed LEB128 of at most N bits (spec: "integer representation too long" when
  /// longer than ceil(N/7) bytes, "integer too large" when unused bits of the last byte are
  /// not a sign/zero extension).
  Result<uint32_t> u32();
  Result<uint64_t> u64();
  Result<int32_t> s32();
  Result<int64_t> s33();  ///< block types
  Result<int64_t> s64();
  Result<uint32_t> fixed_u32();  ///< little-endian 4 bytes (f32 bits)
  Result<uint64_t> fixed_u64();  ///< little-endian 8 bytes (f64 bits)
  /// `n` bytes, as a view into the buffer. Fails with "unexpected end" if fewer remain.
  Result<std::span<const uint8_t>> bytes(size_t n);
  /// A vector length followed by that many bytes of valid UTF-8 ("malformed UTF-8 encoding").
  Result<std::string> name();

  /// A reader over the next `n` bytes; advances this reader past them.
  Result<ByteReader> sub_reader(size_t n);

  Error error(std::string message) const;

 private:
  Result<uint64_t> leb(unsigned bits, bool is_signed);

  std::span<const uint8_t> bytes_;
  uint64_t base_offset_;
  size_t pos_ = 0;
};

}  // namespace lunatic
