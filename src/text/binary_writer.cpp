// Encodings of the binary format used by the text parsers: LEB128, IEEE bits, limits, names.
#include "text/binary_writer.hpp"

namespace lunatic::text {

void BinaryWriter::uleb(uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v != 0) b |= 0x80;
    bytes_.push_back(b);
  } while (v != 0);
}

void BinaryWriter::sleb(int64_t v) {
  while (true) {
    uint8_t b = v & 0x7F;
    v >>= 7;  // arithmetic shift (C++20)
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    if (!done) b |= 0x80;
    bytes_.push_back(b);
    if (done) return;
  }
}

void BinaryWriter::f32(uint32_t bits) {
  for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
}

void BinaryWriter::f64(uint64_t bits) {
  for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
}

void BinaryWriter::limits(const wasm::Limits& l) {
  byte(l.max ? 0x01 : 0x00);
  u32(l.min);
  if (l.max) u32(*l.max);
}

void BinaryWriter::name(std::string_view s) {
  u32(static_cast<uint32_t>(s.size()));
  bytes_.insert(bytes_.end(), s.begin(), s.end());
}

void BinaryWriter::sized(const std::vector<uint8_t>& other) {
  u32(static_cast<uint32_t>(other.size()));
  append(other);
}

void write_section(BinaryWriter& out, uint8_t id, uint32_t count, const BinaryWriter& content,
                   bool always) {
  if (count == 0 && !always) return;
  BinaryWriter body;
  body.u32(count);
  body.append(content.bytes());
  out.byte(id);
  out.sized(body.bytes());
}

}  // namespace lunatic::text
