// A growable byte buffer with the encodings of the binary format (LEB128, names, vectors,
// sections) that the text parsers write modules with.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "wasm/types.hpp"

namespace lunatic::text {

class BinaryWriter {
 public:
  void byte(uint8_t b) { bytes_.push_back(b); }
  void u32(uint32_t v) { uleb(v); }
  void uleb(uint64_t v);
  void sleb(int64_t v);
  void f32(uint32_t bits);
  void f64(uint64_t bits);
  void val_type(wasm::ValType t) { byte(static_cast<uint8_t>(t)); }
  void limits(const wasm::Limits& l);
  /// A name or byte string: length, then bytes.
  void name(std::string_view s);
  void append(const std::vector<uint8_t>& other) {
    bytes_.insert(bytes_.end(), other.begin(), other.end());
  }
  /// A length-prefixed copy of `other` (section and function bodies).
  void sized(const std::vector<uint8_t>& other);

  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::vector<uint8_t>& bytes() { return bytes_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

/// Appends section `id` with `count` entries from `content` (nothing if count is 0 and
/// `always` is false).
void write_section(BinaryWriter& out, uint8_t id, uint32_t count, const BinaryWriter& content,
                   bool always = false);

}  // namespace lunatic::text
