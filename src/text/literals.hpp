// Numeric literals of the text format (spec 6.3.1): integers with `_` separators and hex,
// floats (decimal and hexadecimal, correctly rounded), inf, nan and nan:0x payloads.
#pragma once

#include <cstdint>
#include <string_view>

namespace lunatic::text {

enum class LiteralStatus : uint8_t { Ok, Syntax, Range };

/// An unsigned literal (`nat`: decimal or 0x hex, `_` between digits) of at most `max`.
LiteralStatus parse_nat(std::string_view text, uint64_t max, uint64_t& out);

/// An integer literal for iN (bits 32 or 64): unsigned up to 2^N-1 or signed from -2^(N-1);
/// `out` holds the two's complement bits.
LiteralStatus parse_int(std::string_view text, unsigned bits, uint64_t& out);

/// An f32 literal; `out` holds the bits. Decimal literals are rounded directly to f32.
LiteralStatus parse_f32(std::string_view text, uint32_t& out);
/// An f64 literal; `out` holds the bits.
LiteralStatus parse_f64(std::string_view text, uint64_t& out);

/// A v128 lane shape of the text format ("i8x16" ... "f64x2"): lane count and width, and
/// whether a lane literal is a float.
struct LaneShape {
  std::string_view name;
  unsigned lanes;
  unsigned lane_bytes;
  bool is_float;
};
/// The shape named `name`, or null.
const LaneShape* find_lane_shape(std::string_view name);
/// One lane literal of `shape` as little-endian bits.
LiteralStatus parse_lane(const LaneShape& shape, std::string_view text, uint64_t& bits);

}  // namespace lunatic::text
