// Lexer: token kinds, comments, strings and their escapes, positions and errors.
#include <gtest/gtest.h>

#include "text/lexer.hpp"

namespace lunatic::text {
namespace {

std::vector<Token> lex(std::string_view s) {
  auto r = tokenize(s);
  EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
  return r ? *r : std::vector<Token>{};
}

std::string lex_error(std::string_view s) {
  auto r = tokenize(s);
  return r ? "" : r.error().message;
}

TEST(Lexer, KindsAndPositions) {
  auto t = lex("(module $m\n  i32.const -1 0x1p3 \"s\" 1x)");
  ASSERT_EQ(t.size(), 10u);
  EXPECT_EQ(t[0].kind, TokenKind::LParen);
  EXPECT_EQ(t[1].kind, TokenKind::Keyword);
  EXPECT_EQ(t[2].kind, TokenKind::Id);
  EXPECT_EQ(t[2].text, "$m");
  EXPECT_EQ(t[3].kind, TokenKind::Keyword);
  EXPECT_EQ(t[3].line, 2u);
  EXPECT_EQ(t[3].column, 3u);
  EXPECT_EQ(t[4].kind, TokenKind::Number);
  EXPECT_EQ(t[5].kind, TokenKind::Number);
  EXPECT_EQ(t[6].kind, TokenKind::String);
  EXPECT_EQ(t[7].kind, TokenKind::Number);  // "1x" is checked when converted
  EXPECT_EQ(t[8].kind, TokenKind::RParen);
  EXPECT_EQ(t[9].kind, TokenKind::Eof);
}

TEST(Lexer, NestedBlockAndLineComments) {
  auto t = lex("(;a (; b ;) c;) x ;; y )\n(;;) z ;; \r w");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].text, "x");
  EXPECT_EQ(t[1].text, "z");
  EXPECT_EQ(t[2].text, "w");
  EXPECT_EQ(t[2].line, 3u);
}

TEST(Lexer, UnclosedCommentAndString) {
  EXPECT_EQ(lex_error("(; (; ;)"), "unclosed comment");
  EXPECT_EQ(lex_error("\"abc"), "unclosed string");
}

TEST(Lexer, StringEscapes) {
  auto t = lex(R"("a\t\n\r\"\'\\\41\u{48}\u{e9}\u{1F600}")");
  ASSERT_EQ(t[0].kind, TokenKind::String);
  EXPECT_EQ(decode_string(t[0]), "a\t\n\r\"'\\AH\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(decode_string(lex(R"("\00\ff")")[0]), std::string("\x00\xff", 2));
}

TEST(Lexer, BadStrings) {
  EXPECT_EQ(lex_error(R"("\q")"), "illegal escape");
  EXPECT_EQ(lex_error(R"("\u{D800}")"), "illegal escape");
  EXPECT_EQ(lex_error(R"("\u{110000}")"), "illegal escape");
  EXPECT_EQ(lex_error("\"a\x01\""), "illegal control character in string");
  EXPECT_EQ(lex_error("\"\xC3\""), "malformed UTF-8 encoding");
}

TEST(Lexer, TokensMustBeSeparated) {
  EXPECT_EQ(lex_error("\"a\"b"), "unknown operator");
  EXPECT_EQ(lex("(a)(b)").size(), 7u);
}

TEST(Lexer, ErrorCarriesLineAndColumn) {
  auto r = tokenize("\n  \"\\q\"");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Decode);
  EXPECT_EQ(r.error().context, "2:5");
}

}  // namespace
}  // namespace lunatic::text
