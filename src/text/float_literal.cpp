// Float literals of the text format: the grammar is checked here, then the cleaned digits go to
// strtof/strtod, which round correctly (decimal and hex) in glibc; f32 is rounded directly from
// the literal, never through double, to avoid double rounding.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "text/literals.hpp"

namespace lunatic::text {
namespace {

bool is_digit(char c, bool hex) {
  if (c >= '0' && c <= '9') return true;
  return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

// Copies a run of digits with `_` separators into `out`; false if the run is empty or a `_`
// is not between two digits.
bool take_digits(std::string_view s, size_t& i, bool hex, std::string& out) {
  size_t start = out.size();
  bool prev_digit = false;
  while (i < s.size()) {
    char c = s[i];
    if (c == '_') {
      if (!prev_digit || i + 1 >= s.size() || !is_digit(s[i + 1], hex)) return false;
      prev_digit = false;
    } else if (is_digit(c, hex)) {
      out += c;
      prev_digit = true;
    } else {
      break;
    }
    ++i;
  }
  return out.size() > start;
}

// Checks the grammar of a finite literal (sign already removed) and returns it without `_`,
// in a form strtod accepts. Empty on a syntax error.
std::string clean_finite(std::string_view s) {
  std::string out;
  size_t i = 0;
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  if (hex) {
    out = "0x";
    i = 2;
  }
  if (!take_digits(s, i, hex, out)) return {};
  if (i < s.size() && s[i] == '.') {
    out += '.';
    ++i;
    if (i < s.size() && is_digit(s[i], hex) && !take_digits(s, i, hex, out)) return {};
  }
  if (i < s.size() && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    out += hex ? 'p' : 'e';
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) out += s[i++];
    if (!take_digits(s, i, false, out)) return {};
  }
  if (i != s.size()) return {};
  return out;
}

// Shared by f32 and f64: sign, inf, nan, nan:0x payload, then finite values via `convert`.
template <class Bits, int kSigBits, int kExpBits, class Convert>
LiteralStatus parse_float(std::string_view text, Bits& out, Convert convert) {
  constexpr Bits kSignBit = Bits{1} << (kSigBits + kExpBits);
  constexpr Bits kExpMask = ((Bits{1} << kExpBits) - 1) << kSigBits;
  constexpr Bits kSigMask = (Bits{1} << kSigBits) - 1;
  Bits sign = 0;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    if (text[0] == '-') sign = kSignBit;
    text.remove_prefix(1);
  }
  if (text == "inf") {
    out = sign | kExpMask;
    return LiteralStatus::Ok;
  }
  if (text == "nan") {
    out = sign | kExpMask | (Bits{1} << (kSigBits - 1));
    return LiteralStatus::Ok;
  }
  if (text.starts_with("nan:0x")) {
    uint64_t payload = 0;
    LiteralStatus st = parse_nat(text.substr(4), kSigMask, payload);
    if (st != LiteralStatus::Ok) return st;
    if (payload == 0) return LiteralStatus::Range;
    out = sign | kExpMask | static_cast<Bits>(payload);
    return LiteralStatus::Ok;
  }
  std::string clean = clean_finite(text);
  if (clean.empty()) return LiteralStatus::Syntax;
  Bits bits = 0;
  if (!convert(clean.c_str(), bits)) return LiteralStatus::Range;
  out = sign | bits;
  return LiteralStatus::Ok;
}

}  // namespace

LiteralStatus parse_f32(std::string_view text, uint32_t& out) {
  return parse_float<uint32_t, 23, 8>(text, out, [](const char* s, uint32_t& bits) {
    errno = 0;
    float f = std::strtof(s, nullptr);
    if (std::isinf(f)) return false;
    std::memcpy(&bits, &f, sizeof bits);
    return true;
  });
}

LiteralStatus parse_f64(std::string_view text, uint64_t& out) {
  return parse_float<uint64_t, 52, 11>(text, out, [](const char* s, uint64_t& bits) {
    errno = 0;
    double d = std::strtod(s, nullptr);
    if (std::isinf(d)) return false;
    std::memcpy(&bits, &d, sizeof bits);
    return true;
  });
}

}  // namespace lunatic::text
