// lunatic C++ SDK: Erlang terms in the external term format, so guests talk to Erlang and
// Elixir processes (docs/distribution.md). Term holds integers (64-bit), floats, atoms,
// binaries, tuples, lists, maps and pids; encode() and decode() convert to and from the bytes
// of a message. Plain C++ with no host imports: it builds for the host too (unit tests).
#ifndef LUNATIC_TERM_HPP
#define LUNATIC_TERM_HPP

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lunatic/operator_new.hpp"

namespace lunatic {

/// An Erlang pid: the node's name and the three numbers that name a process on it.
struct Pid {
  std::string node;
  uint32_t id = 0;
  uint32_t serial = 0;
  uint32_t creation = 0;
  bool operator==(const Pid& o) const {
    return node == o.node && id == o.id && serial == o.serial && creation == o.creation;
  }
  bool operator!=(const Pid& o) const { return !(*this == o); }
};

/// One Erlang term. Strings that Erlang sends as STRING_EXT ("abc" lists of bytes) decode as
/// lists of integers, as they are in Erlang. Improper lists, bignums past 64 bits, references,
/// ports, funs and bit strings do not decode (decode() returns nullopt).
class Term {
 public:
  enum class Kind : uint8_t { integer, floating, atom, binary, tuple, list, map, pid };

  static Term integer(int64_t v) { return Term(Kind::integer).with_int(v); }
  static Term floating(double v) {
    Term t(Kind::floating);
    t.float_ = v;
    return t;
  }
  static Term atom(std::string_view name) { return Term(Kind::atom).with_text(name); }
  static Term binary(std::string_view bytes) { return Term(Kind::binary).with_text(bytes); }
  static Term binary(const uint8_t* data, size_t size) {
    return binary(std::string_view(reinterpret_cast<const char*>(data), size));
  }
  static Term tuple(std::vector<Term> elements) { return Term(Kind::tuple, std::move(elements)); }
  static Term list(std::vector<Term> elements) { return Term(Kind::list, std::move(elements)); }
  /// A map from key, value pairs (in the given order; Erlang does not care).
  static Term map(std::vector<std::pair<Term, Term>> entries) {
    std::vector<Term> flat;
    flat.reserve(entries.size() * 2);
    for (auto& [key, value] : entries) {
      flat.push_back(std::move(key));
      flat.push_back(std::move(value));
    }
    return Term(Kind::map, std::move(flat));
  }
  static Term pid(Pid p) {
    Term t(Kind::pid);
    t.pid_ = std::move(p);
    return t;
  }

  Kind kind() const { return kind_; }
  bool is(Kind k) const { return kind_ == k; }
  /// @pre is(Kind::integer)
  int64_t as_integer() const { return int_; }
  /// @pre is(Kind::floating)
  double as_float() const { return float_; }
  /// An atom's name (UTF-8) or a binary's bytes. @pre is(atom) or is(binary)
  const std::string& text() const { return text_; }
  /// A tuple's or list's elements; a map's keys and values, alternating. @pre one of those
  const std::vector<Term>& elements() const { return elements_; }
  /// A map's entries. @pre is(Kind::map)
  size_t map_size() const { return elements_.size() / 2; }
  /// The value of `key` in a map, or null. @pre is(Kind::map)
  const Term* find(const Term& key) const {
    for (size_t i = 0; i + 1 < elements_.size(); i += 2) {
      if (elements_[i] == key) return &elements_[i + 1];
    }
    return nullptr;
  }
  /// @pre is(Kind::pid)
  const Pid& as_pid() const { return pid_; }
  bool operator==(const Term& other) const {
    if (kind_ != other.kind_) return false;
    switch (kind_) {
      case Kind::integer: return int_ == other.int_;
      case Kind::floating: return float_ == other.float_;
      case Kind::atom:
      case Kind::binary: return text_ == other.text_;
      case Kind::pid: return pid_ == other.pid_;
      default: return elements_ == other.elements_;
    }
  }
  bool operator!=(const Term& other) const { return !(*this == other); }

 private:
  explicit Term(Kind kind, std::vector<Term> elements = {})
      : kind_(kind), elements_(std::move(elements)) {}
  Term with_int(int64_t v) && {
    int_ = v;
    return std::move(*this);
  }
  Term with_text(std::string_view text) && {
    text_.assign(text.data(), text.size());
    return std::move(*this);
  }

  Kind kind_;
  int64_t int_ = 0;
  double float_ = 0;
  std::string text_;
  std::vector<Term> elements_;
  Pid pid_;
};

namespace term_detail {

enum Tag : uint8_t {
  kVersion = 131,
  kNewFloat = 70,
  kNewPid = 88,
  kSmallInteger = 97,
  kInteger = 98,
  kAtom = 100,
  kPid = 103,
  kSmallTuple = 104,
  kLargeTuple = 105,
  kNil = 106,
  kString = 107,
  kList = 108,
  kBinary = 109,
  kSmallBig = 110,
  kLargeBig = 111,
  kSmallAtom = 115,
  kMap = 116,
  kAtomUtf8 = 118,
  kSmallAtomUtf8 = 119,
};

/// Nesting past this does not decode (it keeps the guest's stack bounded).
inline constexpr unsigned kMaxDepth = 128;

inline void put_u16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
inline void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

inline void encode_atom(std::vector<uint8_t>& out, std::string_view name) {
  // An atom has at most 255 characters; longer names are cut (an Erlang node refuses them).
  const size_t length = name.size() > 65535 ? 65535 : name.size();
  if (length < 256) {
    out.push_back(kSmallAtomUtf8);
    out.push_back(static_cast<uint8_t>(length));
  } else {
    out.push_back(kAtomUtf8);
    put_u16(out, static_cast<uint16_t>(length));
  }
  out.insert(out.end(), name.begin(), name.begin() + static_cast<ptrdiff_t>(length));
}

inline void encode(std::vector<uint8_t>& out, const Term& t) {
  switch (t.kind()) {
    case Term::Kind::integer: {
      const int64_t v = t.as_integer();
      if (v >= 0 && v <= 255) {
        out.push_back(kSmallInteger);
        out.push_back(static_cast<uint8_t>(v));
      } else if (v >= INT32_MIN && v <= INT32_MAX) {
        out.push_back(kInteger);
        put_u32(out, static_cast<uint32_t>(static_cast<int32_t>(v)));
      } else {  // SMALL_BIG_EXT: sign, then the magnitude little-endian
        uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        std::vector<uint8_t> digits;
        while (magnitude != 0) {
          digits.push_back(static_cast<uint8_t>(magnitude));
          magnitude >>= 8;
        }
        out.push_back(kSmallBig);
        out.push_back(static_cast<uint8_t>(digits.size()));
        out.push_back(v < 0 ? 1 : 0);
        out.insert(out.end(), digits.begin(), digits.end());
      }
      return;
    }
    case Term::Kind::floating: {
      uint64_t bits = 0;
      const double v = t.as_float();
      std::memcpy(&bits, &v, sizeof bits);
      out.push_back(kNewFloat);
      put_u32(out, static_cast<uint32_t>(bits >> 32));
      put_u32(out, static_cast<uint32_t>(bits));
      return;
    }
    case Term::Kind::atom: encode_atom(out, t.text()); return;
    case Term::Kind::binary:
      out.push_back(kBinary);
      put_u32(out, static_cast<uint32_t>(t.text().size()));
      out.insert(out.end(), t.text().begin(), t.text().end());
      return;
    case Term::Kind::tuple:
      if (t.elements().size() < 256) {
        out.push_back(kSmallTuple);
        out.push_back(static_cast<uint8_t>(t.elements().size()));
      } else {
        out.push_back(kLargeTuple);
        put_u32(out, static_cast<uint32_t>(t.elements().size()));
      }
      for (const Term& e : t.elements()) encode(out, e);
      return;
    case Term::Kind::list:
      if (!t.elements().empty()) {
        out.push_back(kList);
        put_u32(out, static_cast<uint32_t>(t.elements().size()));
        for (const Term& e : t.elements()) encode(out, e);
      }
      out.push_back(kNil);  // the empty list, or a proper list's tail
      return;
    case Term::Kind::map:
      out.push_back(kMap);
      put_u32(out, static_cast<uint32_t>(t.map_size()));
      for (const Term& e : t.elements()) encode(out, e);
      return;
    case Term::Kind::pid:
      out.push_back(kNewPid);
      encode_atom(out, t.as_pid().node);
      put_u32(out, t.as_pid().id);
      put_u32(out, t.as_pid().serial);
      put_u32(out, t.as_pid().creation);
      return;
  }
}

/// Reads terms from bytes; every read checks the bytes left.
class Decoder {
 public:
  Decoder(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool at_end() const { return pos_ == size_; }
  bool u8(uint8_t& v) {
    if (pos_ >= size_) return false;
    v = data_[pos_++];
    return true;
  }
  bool u16(uint16_t& v) {
    uint8_t a = 0, b = 0;
    if (!u8(a) || !u8(b)) return false;
    v = static_cast<uint16_t>(a << 8 | b);
    return true;
  }
  bool u32(uint32_t& v) {
    uint16_t a = 0, b = 0;
    if (!u16(a) || !u16(b)) return false;
    v = uint32_t{a} << 16 | b;
    return true;
  }
  bool bytes(size_t n, std::string_view& out) {
    if (n > size_ - pos_) return false;
    out = std::string_view(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return true;
  }
  /// Elements that each take at least one byte cannot outnumber the bytes left.
  bool plausible(uint64_t count) const { return count <= size_ - pos_; }

  std::optional<Term> atom_body(uint8_t tag) {
    size_t length = 0;
    if (tag == kSmallAtom || tag == kSmallAtomUtf8) {
      uint8_t n = 0;
      if (!u8(n)) return std::nullopt;
      length = n;
    } else {
      uint16_t n = 0;
      if (!u16(n)) return std::nullopt;
      length = n;
    }
    std::string_view text;
    if (!bytes(length, text)) return std::nullopt;
    if (tag == kSmallAtomUtf8 || tag == kAtomUtf8) return Term::atom(text);
    std::string utf8;  // Latin-1 atoms
    for (char c : text) {
      const auto byte = static_cast<uint8_t>(c);
      if (byte < 0x80) {
        utf8.push_back(c);
      } else {
        utf8.push_back(static_cast<char>(0xC0 | byte >> 6));
        utf8.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
      }
    }
    return Term::atom(utf8);
  }

  std::optional<Term> term(unsigned depth) {
    if (depth > kMaxDepth) return std::nullopt;
    uint8_t tag = 0;
    if (!u8(tag)) return std::nullopt;
    switch (tag) {
      case kSmallInteger: {
        uint8_t v = 0;
        if (!u8(v)) return std::nullopt;
        return Term::integer(v);
      }
      case kInteger: {
        uint32_t v = 0;
        if (!u32(v)) return std::nullopt;
        return Term::integer(static_cast<int32_t>(v));
      }
      case kSmallBig:
      case kLargeBig: {
        uint32_t n = 0;
        uint8_t small = 0, sign = 0;
        if (tag == kSmallBig ? !u8(small) : !u32(n)) return std::nullopt;
        if (tag == kSmallBig) n = small;
        std::string_view digits;
        if (!u8(sign) || !bytes(n, digits)) return std::nullopt;
        uint64_t magnitude = 0;
        for (size_t i = digits.size(); i-- > 0;) {
          if (magnitude >> 56 != 0) return std::nullopt;  // past 64 bits
          magnitude = magnitude << 8 | static_cast<uint8_t>(digits[i]);
        }
        if (sign == 0 && magnitude > uint64_t{INT64_MAX}) return std::nullopt;
        if (sign != 0 && magnitude > uint64_t{INT64_MAX} + 1) return std::nullopt;
        return Term::integer(sign != 0 ? static_cast<int64_t>(0 - magnitude)
                                       : static_cast<int64_t>(magnitude));
      }
      case kNewFloat: {
        uint32_t high = 0, low = 0;
        if (!u32(high) || !u32(low)) return std::nullopt;
        const uint64_t bits = uint64_t{high} << 32 | low;
        double v = 0;
        std::memcpy(&v, &bits, sizeof v);
        return Term::floating(v);
      }
      case kAtom:
      case kSmallAtom:
      case kAtomUtf8:
      case kSmallAtomUtf8: return atom_body(tag);
      case kBinary: {
        uint32_t n = 0;
        std::string_view data;
        if (!u32(n) || !bytes(n, data)) return std::nullopt;
        return Term::binary(data);
      }
      case kNil: return Term::list({});
      case kString: {
        uint16_t n = 0;
        std::string_view data;
        if (!u16(n) || !bytes(n, data)) return std::nullopt;
        std::vector<Term> chars;
        chars.reserve(n);
        for (char c : data) chars.push_back(Term::integer(static_cast<uint8_t>(c)));
        return Term::list(std::move(chars));
      }
      case kSmallTuple:
      case kLargeTuple:
      case kList:
      case kMap: {
        uint32_t n = 0;
        uint8_t small = 0;
        if (tag == kSmallTuple ? !u8(small) : !u32(n)) return std::nullopt;
        if (tag == kSmallTuple) n = small;
        const uint64_t count = tag == kMap ? uint64_t{n} * 2 : n;
        if (!plausible(count)) return std::nullopt;
        std::vector<Term> elements;
        elements.reserve(count);
        for (uint64_t i = 0; i < count; ++i) {
          std::optional<Term> e = term(depth + 1);
          if (!e) return std::nullopt;
          elements.push_back(std::move(*e));
        }
        if (tag == kList) {
          uint8_t tail = 0;
          if (!u8(tail) || tail != kNil) return std::nullopt;  // improper lists: unsupported
          return Term::list(std::move(elements));
        }
        if (tag == kMap) {
          std::vector<std::pair<Term, Term>> entries;
          for (size_t i = 0; i + 1 < elements.size(); i += 2) {
            entries.emplace_back(std::move(elements[i]), std::move(elements[i + 1]));
          }
          return Term::map(std::move(entries));
        }
        return Term::tuple(std::move(elements));
      }
      case kNewPid:
      case kPid: {
        uint8_t atom_tag = 0;
        if (!u8(atom_tag)) return std::nullopt;
        if (atom_tag != kAtom && atom_tag != kSmallAtom && atom_tag != kAtomUtf8 &&
            atom_tag != kSmallAtomUtf8) {
          return std::nullopt;
        }
        std::optional<Term> node = atom_body(atom_tag);
        Pid pid;
        if (!node || !u32(pid.id) || !u32(pid.serial)) return std::nullopt;
        if (tag == kNewPid) {
          if (!u32(pid.creation)) return std::nullopt;
        } else {
          uint8_t creation = 0;
          if (!u8(creation)) return std::nullopt;
          pid.creation = creation;
        }
        pid.node = node->text();
        return Term::pid(std::move(pid));
      }
      default: return std::nullopt;  // references, ports, funs, bit strings, compressed
    }
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace term_detail

/// The term's external format, version byte (131) first: what a message to an Erlang process
/// carries.
inline std::vector<uint8_t> encode(const Term& term) {
  std::vector<uint8_t> out{term_detail::kVersion};
  term_detail::encode(out, term);
  return out;
}

/// The term of `bytes` (version byte first, exactly one term), or nullopt if they are not
/// one, or hold what Term cannot represent.
inline std::optional<Term> decode(const uint8_t* data, size_t size) {
  term_detail::Decoder decoder(data, size);
  uint8_t version = 0;
  if (!decoder.u8(version) || version != term_detail::kVersion) return std::nullopt;
  std::optional<Term> term = decoder.term(0);
  if (!term || !decoder.at_end()) return std::nullopt;
  return term;
}

/// decode() of a whole buffer.
inline std::optional<Term> decode(const std::vector<uint8_t>& bytes) {
  return decode(bytes.data(), bytes.size());
}

}  // namespace lunatic

#endif
