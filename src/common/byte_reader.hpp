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

  // The one-byte cases inline: most of a code section's opcodes and immediates (a decoder's
  // hottest loop, per instruction).
  Result<uint8_t> u8() {
    if (pos_ < bytes_.size()) [[likely]]
      return bytes_[pos_++];
    return error("unexpected end");
  }
  /// Unsigned/signed LEB128 of at most N bits (spec: "integer representation too long" when
  /// longer than ceil(N/7) bytes, "integer too large" when unused bits of the last byte are
  /// not a sign/zero extension).
  Result<uint32_t> u32() {
    if (const int v = one_byte_leb(); v >= 0) [[likely]]
      return static_cast<uint32_t>(v);
    return static_cast<uint32_t>(TRY(leb(32, false)));
  }
  Result<uint64_t> u64() {
    if (const int v = one_byte_leb(); v >= 0) [[likely]]
      return static_cast<uint64_t>(v);
    return leb(64, false);
  }
  Result<int32_t> s32() {
    if (const int v = one_byte_leb(); v >= 0) [[likely]]
      return sign_extend_7(v);
    return static_cast<int32_t>(TRY(leb(32, true)));
  }
  Result<int64_t> s33() {  ///< block types
    if (const int v = one_byte_leb(); v >= 0) [[likely]]
      return sign_extend_7(v);
    return static_cast<int64_t>(TRY(leb(33, true)));
  }
  Result<int64_t> s64() {
    if (const int v = one_byte_leb(); v >= 0) [[likely]]
      return sign_extend_7(v);
    return static_cast<int64_t>(TRY(leb(64, true)));
  }
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
  /// A LEB128 of one byte (no continuation bit: valid for every width, whose last permitted
  /// byte is at least the second), consumed; else -1, nothing consumed.
  int one_byte_leb() {
    if (pos_ < bytes_.size() && (bytes_[pos_] & 0x80) == 0) [[likely]]
      return bytes_[pos_++];
    return -1;
  }
  /// The 7 bits of a one-byte signed LEB128, sign-extended from bit 6.
  static int32_t sign_extend_7(int v) { return (v & 0x40) != 0 ? v - 0x80 : v; }

  std::span<const uint8_t> bytes_;
  uint64_t base_offset_;
  size_t pos_ = 0;
};

}  // namespace lunatic
