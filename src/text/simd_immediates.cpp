// The immediates of the SIMD instructions in the text format (SIMD proposal, text): v128.const
// with its lane shape, the 16 lane indices of i8x16.shuffle, and single lane indices.
#include "text/literals.hpp"
#include "text/module_parser.hpp"

namespace lunatic::text {
namespace {

constexpr LaneShape kShapes[] = {
    {"i8x16", 16, 1, false}, {"i16x8", 8, 2, false}, {"i32x4", 4, 4, false},
    {"i64x2", 2, 8, false},  {"f32x4", 4, 4, true},  {"f64x2", 2, 8, true},
};

constexpr uint64_t kMaxLaneIndex = 255;  // a lane index is one byte in the binary

}  // namespace

const LaneShape* find_lane_shape(std::string_view name) {
  for (const LaneShape& s : kShapes) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

LiteralStatus parse_lane(const LaneShape& shape, std::string_view text, uint64_t& bits) {
  if (!shape.is_float) return parse_int(text, shape.lane_bytes * 8, bits);
  if (shape.lane_bytes == 4) {
    uint32_t f = 0;
    const LiteralStatus st = parse_f32(text, f);
    bits = f;
    return st;
  }
  return parse_f64(text, bits);
}

Result<void> ModuleParser::parse_v128_const(BinaryWriter& out) {
  const LaneShape* shape =
      cur_.at(TokenKind::Keyword) ? find_lane_shape(cur_.peek().text) : nullptr;
  if (shape == nullptr) return cur_.unexpected();
  cur_.next();
  // Like the reference parser: the lane count is checked before the literals, a token that is
  // no literal of the shape is an unknown operator, and a literal too big is out of range.
  auto is_literal = [](const Token& t) {
    return t.kind == TokenKind::Number || t.kind == TokenKind::Reserved ||
           (t.kind == TokenKind::Keyword && (t.text.starts_with("nan") || t.text == "inf"));
  };
  unsigned count = 0;
  while (is_literal(cur_.peek(count))) ++count;
  if (count != shape->lanes) return cur_.unexpected("wrong number of lane literals");
  for (unsigned lane = 0; lane < shape->lanes; ++lane) {
    const Token& tok = cur_.next();
    uint64_t bits = 0;
    const LiteralStatus st = tok.kind == TokenKind::Reserved ? LiteralStatus::Syntax
                                                             : parse_lane(*shape, tok.text, bits);
    if (st == LiteralStatus::Range) return error_at(tok, "constant out of range");
    if (st != LiteralStatus::Ok) return error_at(tok, "unknown operator");
    for (unsigned i = 0; i < shape->lane_bytes; ++i)
      out.byte(static_cast<uint8_t>(bits >> (8 * i)));
  }
  return {};
}

Result<void> ModuleParser::parse_shuffle_lanes(BinaryWriter& out) {
  // Like the reference parser: every number token is a lane; a count other than 16 is an
  // "invalid lane length", a number that is no byte a "malformed lane index".
  unsigned count = 0;
  uint8_t lanes[16] = {};
  auto is_literal = [](const Token& t) {
    return t.kind == TokenKind::Number ||
           (t.kind == TokenKind::Keyword && (t.text.starts_with("nan") || t.text == "inf"));
  };
  while (is_literal(cur_.peek())) {
    const Token& tok = cur_.next();
    uint64_t lane = 0;
    if (parse_nat(tok.text, kMaxLaneIndex, lane) != LiteralStatus::Ok)
      return error_at(tok, "malformed lane index");
    if (count < 16) lanes[count] = static_cast<uint8_t>(lane);
    ++count;
  }
  if (count != 16) return cur_.unexpected("invalid lane length");
  for (uint8_t lane : lanes) out.byte(lane);
  return {};
}

Result<void> ModuleParser::parse_lane_index(BinaryWriter& out) {
  const Token& tok = cur_.peek();
  // A sign, a fraction or no number at all is a syntax error; a number past a byte is not.
  if (tok.kind != TokenKind::Number || tok.text[0] == '-' || tok.text[0] == '+')
    return cur_.unexpected();
  uint64_t lane = 0;
  const LiteralStatus st = parse_nat(tok.text, kMaxLaneIndex, lane);
  if (st == LiteralStatus::Range) return error_at(tok, "malformed lane index");
  if (st != LiteralStatus::Ok) return cur_.unexpected();
  cur_.next();
  out.byte(static_cast<uint8_t>(lane));
  return {};
}

}  // namespace lunatic::text
