// Bounds-checked reads and LEB128 decoding for the Wasm binary format.
#include "common/byte_reader.hpp"

#include "common/utf8.hpp"

namespace lunatic {

Error ByteReader::error(std::string message) const {
  return Error(Phase::Decode, std::move(message), offset());
}

Result<uint64_t> ByteReader::leb(unsigned bits, bool is_signed) {
  const unsigned max_bytes = (bits + 6) / 7;
  uint64_t result = 0;
  unsigned shift = 0;
  for (unsigned i = 0;; ++i) {
    if (pos_ >= bytes_.size()) return error("unexpected end");
    const uint8_t byte = bytes_[pos_++];
    if (i == max_bytes - 1) {
      // The last permitted byte: no continuation, and the bits past `bits` must be an
      // extension of the value (zero for unsigned, copies of the sign bit for signed).
      if (byte & 0x80) return error("integer representation too long");
      const unsigned used = bits - shift;  // value bits this byte may carry
      const uint8_t rest = static_cast<uint8_t>(byte & 0x7f) >> used;
      if (!is_signed) {
        if (rest != 0) return error("integer too large");
      } else {
        const bool sign = (byte >> (used - 1)) & 1;
        const uint8_t expect = sign ? static_cast<uint8_t>(0x7f >> used) : 0;
        if (rest != expect) return error("integer too large");
      }
    }
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    shift += 7;
    if (!(byte & 0x80)) {
      if (is_signed && shift < 64 && (byte & 0x40)) result |= ~uint64_t{0} << shift;
      return result;
    }
  }
}

Result<uint32_t> ByteReader::fixed_u32() {
  auto raw = TRY(bytes(4));
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | raw[i];
  return v;
}

Result<uint64_t> ByteReader::fixed_u64() {
  auto raw = TRY(bytes(8));
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | raw[i];
  return v;
}

Result<std::span<const uint8_t>> ByteReader::bytes(size_t n) {
  if (n > remaining()) return error("unexpected end");
  auto view = bytes_.subspan(pos_, n);
  pos_ += n;
  return view;
}

Result<std::string> ByteReader::name() {
  const uint32_t len = TRY(u32());
  if (len > remaining()) return error("unexpected end");
  auto raw = TRY(bytes(len));
  if (!is_valid_utf8(raw)) return error("malformed UTF-8 encoding");
  return std::string(raw.begin(), raw.end());
}

Result<ByteReader> ByteReader::sub_reader(size_t n) {
  const uint64_t start = offset();
  auto view = TRY(bytes(n));
  return ByteReader(view, start);
}

}  // namespace lunatic
