// UTF-8 validation: the well-formed sequences and the classic ill-formed ones.
#include "common/utf8.hpp"

#include <gtest/gtest.h>

namespace lunatic {
namespace {

TEST(Utf8, AcceptsWellFormed) {
  EXPECT_TRUE(is_valid_utf8(std::string_view("")));
  EXPECT_TRUE(is_valid_utf8(std::string_view("plain ascii")));
  EXPECT_TRUE(is_valid_utf8(std::string_view("\xC3\xA9t\xC3\xA9")));  // été
  EXPECT_TRUE(is_valid_utf8(std::string_view("\xE2\x82\xAC")));       // €
  EXPECT_TRUE(is_valid_utf8(std::string_view("\xF0\x9F\x98\x80")));   // U+1F600
  EXPECT_TRUE(is_valid_utf8(std::string_view("\xF4\x8F\xBF\xBF")));   // U+10FFFF
}

TEST(Utf8, RejectsIllFormed) {
  EXPECT_FALSE(is_valid_utf8(std::string_view("\x80")));              // lone continuation
  EXPECT_FALSE(is_valid_utf8(std::string_view("\xC0\x80")));          // overlong NUL
  EXPECT_FALSE(is_valid_utf8(std::string_view("\xE0\x80\x80")));      // overlong
  EXPECT_FALSE(is_valid_utf8(std::string_view("\xED\xA0\x80")));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8(std::string_view("\xF4\x90\x80\x80")));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8(std::string_view("\xF5\x80\x80\x80")));
  EXPECT_FALSE(is_valid_utf8(std::string_view("\xE2\x82")));  // truncated
  EXPECT_FALSE(is_valid_utf8(std::string_view("\xFF")));
}

}  // namespace
}  // namespace lunatic
