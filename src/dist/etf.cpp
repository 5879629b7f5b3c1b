// The bounded reader of the external term format and the pid encoding (etf.hpp). Tags and
// layouts: Erlang/OTP's "External Term Format" (erts/doc, section 1).
#include "dist/etf.hpp"

#include <algorithm>
#include <bit>

namespace lunatic::dist {
namespace {

enum Tag : uint8_t {
  kNewFloat = 70,
  kBitBinary = 77,
  kNewPid = 88,
  kNewPort = 89,
  kNewerReference = 90,
  kSmallInteger = 97,
  kInteger = 98,
  kFloat = 99,
  kAtom = 100,
  kReference = 101,
  kPort = 102,
  kPid = 103,
  kSmallTuple = 104,
  kLargeTuple = 105,
  kNil = 106,
  kString = 107,
  kList = 108,
  kBinary = 109,
  kSmallBig = 110,
  kLargeBig = 111,
  kNewFun = 112,
  kExport = 113,
  kNewReference = 114,
  kSmallAtom = 115,
  kMap = 116,
  kAtomUtf8 = 118,
  kSmallAtomUtf8 = 119,
  kV4Port = 120,
};

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

}  // namespace

bool EtfReader::take(size_t n, std::span<const uint8_t>& out) {
  if (n > bytes_.size() - pos_) return false;
  out = bytes_.subspan(pos_, n);
  pos_ += n;
  return true;
}

bool EtfReader::u8(uint8_t& v) {
  std::span<const uint8_t> b;
  if (!take(1, b)) return false;
  v = b[0];
  return true;
}

bool EtfReader::u16(uint16_t& v) {
  std::span<const uint8_t> b;
  if (!take(2, b)) return false;
  v = static_cast<uint16_t>(b[0] << 8 | b[1]);
  return true;
}

bool EtfReader::u32(uint32_t& v) {
  std::span<const uint8_t> b;
  if (!take(4, b)) return false;
  v = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
  return true;
}

bool EtfReader::version() {
  uint8_t v = 0;
  return u8(v) && v == kEtfVersion;
}

bool EtfReader::tuple_header(uint32_t& arity) {
  uint8_t tag = 0;
  if (!u8(tag)) return false;
  if (tag == kSmallTuple) {
    uint8_t small = 0;
    if (!u8(small)) return false;
    arity = small;
    return true;
  }
  return tag == kLargeTuple && u32(arity);
}

bool EtfReader::integer(int64_t& value) {
  uint8_t tag = 0;
  if (!u8(tag)) return false;
  if (tag == kSmallInteger) {
    uint8_t v = 0;
    if (!u8(v)) return false;
    value = v;
    return true;
  }
  if (tag == kSmallBig) {  // n magnitude bytes, little-endian, after a sign byte
    uint8_t n = 0;
    uint8_t sign = 0;
    std::span<const uint8_t> digits;
    if (!u8(n) || !u8(sign) || n > 8 || !take(n, digits)) return false;
    uint64_t magnitude = 0;
    for (size_t i = n; i-- > 0;) magnitude = magnitude << 8 | digits[i];
    constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;  // -2^63 is the most negative
    if (sign == 0 ? magnitude >= kMaxMagnitude : magnitude > kMaxMagnitude) return false;
    value = static_cast<int64_t>(sign == 0 ? magnitude : 0 - magnitude);
    return true;
  }
  uint32_t v = 0;
  if (tag != kInteger || !u32(v)) return false;
  value = static_cast<int32_t>(v);
  return true;
}

bool EtfReader::float64(double& value) {
  uint8_t tag = 0;
  std::span<const uint8_t> bits;
  if (!u8(tag) || tag != kNewFloat || !take(8, bits)) return false;
  uint64_t v = 0;
  for (uint8_t b : bits) v = v << 8 | b;  // big-endian IEEE 754
  value = std::bit_cast<double>(v);
  return true;
}

bool EtfReader::atom(std::string& name) {
  uint8_t tag = 0;
  if (!u8(tag)) return false;
  size_t length = 0;
  if (tag == kSmallAtom || tag == kSmallAtomUtf8) {
    uint8_t n = 0;
    if (!u8(n)) return false;
    length = n;
  } else if (tag == kAtom || tag == kAtomUtf8) {
    uint16_t n = 0;
    if (!u16(n)) return false;
    length = n;
  } else {
    return false;
  }
  std::span<const uint8_t> text;
  if (!take(length, text)) return false;
  if (tag == kAtomUtf8 || tag == kSmallAtomUtf8) {  // UTF-8 already (what OTP 26 writes)
    name.assign(reinterpret_cast<const char*>(text.data()), text.size());
    return true;
  }
  name.clear();
  name.reserve(text.size());
  for (uint8_t c : text) {
    if (c >= 0x80) {  // Latin-1 to UTF-8: two bytes
      name.push_back(static_cast<char>(0xC0 | c >> 6));
      name.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      name.push_back(static_cast<char>(c));
    }
  }
  return true;
}

bool EtfReader::pid(ErlangPid& pid) {
  uint8_t tag = 0;
  if (!u8(tag) || (tag != kNewPid && tag != kPid)) return false;
  if (!atom(pid.node) || !u32(pid.num) || !u32(pid.serial)) return false;
  if (tag == kNewPid) return u32(pid.creation);
  uint8_t creation = 0;
  if (!u8(creation)) return false;
  pid.creation = creation;
  return true;
}

bool EtfReader::reference(ErlangRef& ref) {
  uint8_t tag = 0;
  uint16_t words = 0;
  if (!u8(tag) || (tag != kNewReference && tag != kNewerReference) || !u16(words)) return false;
  if (words < 1 || words > 5 || !atom(ref.node)) return false;
  if (tag == kNewerReference) {
    if (!u32(ref.creation)) return false;
  } else {
    uint8_t creation = 0;
    if (!u8(creation)) return false;
    ref.creation = creation;
  }
  ref.ids.resize(words);
  for (uint32_t& id : ref.ids) {
    if (!u32(id)) return false;
  }
  return true;
}

bool EtfReader::list_header(uint32_t& count, bool& nil) {
  uint8_t tag = 0;
  if (!u8(tag)) return false;
  nil = tag == kNil;
  if (nil) {
    count = 0;
    return true;
  }
  return tag == kList && u32(count);
}

bool EtfReader::string(std::span<const uint8_t>& bytes) {
  uint8_t tag = 0;
  uint16_t n = 0;
  return u8(tag) && tag == kString && u16(n) && take(n, bytes);
}

bool EtfReader::binary(std::span<const uint8_t>& bytes) {
  uint8_t tag = 0;
  uint32_t n = 0;
  return u8(tag) && tag == kBinary && u32(n) && take(n, bytes);
}

bool EtfReader::raw(std::span<const uint8_t>& term) {
  const size_t start = pos_;
  if (!skip()) return false;
  term = bytes_.subspan(start, pos_ - start);
  return true;
}

bool EtfReader::peek(uint8_t& tag) const {
  if (pos_ >= bytes_.size()) return false;
  tag = bytes_[pos_];
  return true;
}

bool EtfReader::skip() { return skip(0); }

bool EtfReader::skip(uint32_t depth) {
  if (depth > kMaxTermDepth) return false;
  std::span<const uint8_t> ignored;
  std::string name;
  uint8_t tag = 0;
  if (pos_ >= bytes_.size()) return false;
  tag = bytes_[pos_];
  switch (tag) {
    case kAtom:
    case kSmallAtom:
    case kAtomUtf8:
    case kSmallAtomUtf8: return atom(name);
    case kPid:
    case kNewPid: {
      ErlangPid p;
      return pid(p);
    }
    default: break;
  }
  ++pos_;
  uint8_t n8 = 0;
  uint16_t n16 = 0;
  uint32_t n32 = 0;
  switch (tag) {
    case kSmallInteger: return take(1, ignored);
    case kInteger: return take(4, ignored);
    case kNewFloat: return take(8, ignored);
    case kFloat: return take(31, ignored);
    case kNil: return true;
    case kString: return u16(n16) && take(n16, ignored);
    case kBinary: return u32(n32) && take(n32, ignored);
    case kBitBinary: return u32(n32) && take(1, ignored) && take(n32, ignored);
    case kSmallBig: return u8(n8) && take(1 + size_t{n8}, ignored);
    case kLargeBig: return u32(n32) && take(1 + size_t{n32}, ignored);
    case kSmallTuple:
      if (!u8(n8)) return false;
      n32 = n8;
      [[fallthrough]];
    case kLargeTuple:
    case kMap:
    case kList: {
      if (tag != kSmallTuple && !u32(n32)) return false;
      uint64_t count = n32;
      if (tag == kMap) count *= 2;
      if (tag == kList) count += 1;  // the tail
      // Each element takes at least one byte: a count past the bytes left is malformed.
      if (count > bytes_.size() - pos_) return false;
      for (uint64_t i = 0; i < count; ++i) {
        if (!skip(depth + 1)) return false;
      }
      return true;
    }
    case kReference: return skip(depth + 1) && take(5, ignored);
    case kNewReference:
      return u16(n16) && skip(depth + 1) && take(1, ignored) && take(size_t{n16} * 4, ignored);
    case kNewerReference:
      return u16(n16) && skip(depth + 1) && take(4, ignored) && take(size_t{n16} * 4, ignored);
    case kPort: return skip(depth + 1) && take(5, ignored);
    case kNewPort: return skip(depth + 1) && take(8, ignored);
    case kV4Port: return skip(depth + 1) && take(12, ignored);
    case kExport: return skip(depth + 1) && skip(depth + 1) && skip(depth + 1);
    // Size counts itself and everything of the fun (its environment included).
    case kNewFun: return u32(n32) && n32 >= 4 && take(n32 - 4, ignored);
    default: return false;  // compressed terms, atom cache references, unknown tags
  }
}

void EtfWriter::u32(uint32_t v) { put_u32(out_, v); }

EtfWriter& EtfWriter::version() {
  out_.push_back(kEtfVersion);
  return *this;
}

EtfWriter& EtfWriter::tuple(uint32_t arity) {
  if (arity < 256) {
    out_.push_back(kSmallTuple);
    out_.push_back(static_cast<uint8_t>(arity));
  } else {
    out_.push_back(kLargeTuple);
    u32(arity);
  }
  return *this;
}

EtfWriter& EtfWriter::integer(int64_t value) {
  if (value >= 0 && value < 256) {
    out_.push_back(kSmallInteger);
    out_.push_back(static_cast<uint8_t>(value));
  } else if (value >= INT32_MIN && value <= INT32_MAX) {
    out_.push_back(kInteger);
    u32(static_cast<uint32_t>(static_cast<int32_t>(value)));
  } else {  // SMALL_BIG_EXT: a sign byte, then the magnitude's bytes, least significant first
    uint64_t magnitude =
        value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
    const size_t at = out_.size();
    out_.insert(out_.end(), {kSmallBig, 0, static_cast<uint8_t>(value < 0)});
    for (; magnitude != 0; magnitude >>= 8) {
      out_.push_back(static_cast<uint8_t>(magnitude));
      ++out_[at + 1];
    }
  }
  return *this;
}

EtfWriter& EtfWriter::atom(std::string_view name) {
  const size_t length = std::min<size_t>(name.size(), 255);
  out_.push_back(kSmallAtomUtf8);
  out_.push_back(static_cast<uint8_t>(length));
  out_.insert(out_.end(), name.begin(), name.begin() + static_cast<ptrdiff_t>(length));
  return *this;
}

EtfWriter& EtfWriter::pid(const ErlangPid& pid) {
  out_.push_back(kNewPid);
  atom(pid.node);
  u32(pid.num);
  u32(pid.serial);
  u32(pid.creation);
  return *this;
}

EtfWriter& EtfWriter::reference(const ErlangRef& ref) {
  out_.push_back(kNewerReference);
  const size_t words = std::min<size_t>(ref.ids.size(), 5);
  out_.push_back(0);
  out_.push_back(static_cast<uint8_t>(words));
  atom(ref.node);
  u32(ref.creation);
  for (size_t i = 0; i < words; ++i) u32(ref.ids[i]);
  return *this;
}

EtfWriter& EtfWriter::binary(std::span<const uint8_t> bytes) {
  binary_header(static_cast<uint32_t>(bytes.size()));
  out_.insert(out_.end(), bytes.begin(), bytes.end());
  return *this;
}

EtfWriter& EtfWriter::binary_header(uint32_t size) {
  out_.push_back(kBinary);
  u32(size);
  return *this;
}

EtfWriter& EtfWriter::nil() {
  out_.push_back(kNil);
  return *this;
}

EtfWriter& EtfWriter::raw(std::span<const uint8_t> term) {
  out_.insert(out_.end(), term.begin(), term.end());
  return *this;
}

bool is_one_term(std::span<const uint8_t> bytes) {
  EtfReader reader(bytes);
  return reader.version() && reader.skip() && reader.at_end();
}

std::vector<uint8_t> encode_pid(const ErlangPid& pid) {
  // Node names are at most 255 bytes (checked where they come from); atom() cuts longer ones.
  EtfWriter writer;
  writer.version().pid(pid);
  return std::move(writer.bytes());
}

std::optional<ErlangPid> decode_pid(std::span<const uint8_t> bytes) {
  EtfReader reader(bytes);
  ErlangPid pid;
  if (!reader.version() || !reader.pid(pid) || !reader.at_end()) return std::nullopt;
  return pid;
}

}  // namespace lunatic::dist
