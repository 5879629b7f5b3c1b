// The lexer of the text format (spec 6.3): source text -> tokens, with comments and white space
// dropped, plus the decoding of string literals and the error helper shared by the parsers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace lunatic::text {

enum class TokenKind : uint8_t {
  LParen,
  RParen,
  Keyword,   ///< starts with a letter a-z (also `inf`, `nan:0x1`, `offset=4`)
  Id,        ///< `$name`
  Number,    ///< starts with a digit or a sign (checked when converted)
  String,    ///< text holds the literal with its quotes, escapes unchecked until decoded
  Reserved,  ///< any other run of identifier characters
  Eof,
};

struct Token {
  TokenKind kind = TokenKind::Eof;
  std::string_view text;
  uint32_t line = 1;
  uint32_t column = 1;
};

/// Splits `source` into tokens ending with an Eof token. Errors for unclosed comments and
/// strings, bad escapes, control characters and malformed UTF-8.
Result<std::vector<Token>> tokenize(std::string_view source);

/// The bytes a string token stands for (escapes resolved). The token came from tokenize, so
/// its escapes are well formed.
std::string decode_string(const Token& token);

/// A Phase::Decode error at the token, with "line:column" as context.
Error error_at(const Token& token, std::string message);

}  // namespace lunatic::text
