// Integer literals of the text format: nat and int with `_` separators, decimal and hex.
#include "text/literals.hpp"

namespace lunatic::text {
namespace {

int digit_value(char c, unsigned base) {
  int v = -1;
  if (c >= '0' && c <= '9')
    v = c - '0';
  else if (c >= 'a' && c <= 'f')
    v = c - 'a' + 10;
  else if (c >= 'A' && c <= 'F')
    v = c - 'A' + 10;
  return v >= 0 && static_cast<unsigned>(v) < base ? v : -1;
}

// Digits with single `_` between them; saturates into `overflow` rather than wrapping.
LiteralStatus parse_digits(std::string_view text, uint64_t max, uint64_t& out) {
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    if (text[1] == 'X') return LiteralStatus::Syntax;
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return LiteralStatus::Syntax;
  uint64_t value = 0;
  bool overflow = false;
  bool prev_digit = false;
  for (char c : text) {
    if (c == '_') {
      if (!prev_digit) return LiteralStatus::Syntax;
      prev_digit = false;
      continue;
    }
    int d = digit_value(c, base);
    if (d < 0) return LiteralStatus::Syntax;
    prev_digit = true;
    if (value > (UINT64_MAX - static_cast<uint64_t>(d)) / base) {
      overflow = true;
    } else {
      value = value * base + static_cast<uint64_t>(d);
    }
  }
  if (!prev_digit) return LiteralStatus::Syntax;
  if (overflow || value > max) return LiteralStatus::Range;
  out = value;
  return LiteralStatus::Ok;
}

}  // namespace

LiteralStatus parse_nat(std::string_view text, uint64_t max, uint64_t& out) {
  return parse_digits(text, max, out);
}

LiteralStatus parse_int(std::string_view text, unsigned bits, uint64_t& out) {
  uint64_t umax = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  uint64_t smin = uint64_t{1} << (bits - 1);  // magnitude of the most negative value
  if (text.empty()) return LiteralStatus::Syntax;
  if (text[0] == '+' || text[0] == '-') {
    bool negative = text[0] == '-';
    uint64_t mag = 0;
    LiteralStatus st = parse_digits(text.substr(1), negative ? smin : umax, mag);
    if (st != LiteralStatus::Ok) return st;
    out = negative ? (~mag + 1) & umax : mag;
    return LiteralStatus::Ok;
  }
  return parse_digits(text, umax, out);
}

}  // namespace lunatic::text
