// ByteReader: LEB128 limits and messages of the binary format.
#include "common/byte_reader.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace lunatic {
namespace {

ByteReader reader(const std::vector<uint8_t>& bytes) { return ByteReader(bytes); }

TEST(ByteReader, DecodesUnsignedLeb) {
  std::vector<uint8_t> b = {0xE5, 0x8E, 0x26};
  auto r = reader(b);
  EXPECT_EQ(r.u32().value(), 624485u);
  EXPECT_TRUE(r.at_end());
}

TEST(ByteReader, DecodesSignedLeb) {
  std::vector<uint8_t> b = {0xC0, 0xBB, 0x78};
  auto r = reader(b);
  EXPECT_EQ(r.s32().value(), -123456);
}

TEST(ByteReader, RejectsOverlongU32) {
  std::vector<uint8_t> b = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  auto r = reader(b);
  auto v = r.u32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "integer representation too long");
}

TEST(ByteReader, RejectsUnusedBitsInLastByte) {
  std::vector<uint8_t> b = {0xFF, 0xFF, 0xFF, 0xFF, 0x1F};
  auto r = reader(b);
  auto v = r.u32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "integer too large");
}

TEST(ByteReader, AcceptsMaximalU32) {
  std::vector<uint8_t> b = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  EXPECT_EQ(reader(b).u32().value(), 0xFFFFFFFFu);
}

TEST(ByteReader, SignedLastByteMustExtendSign) {
  std::vector<uint8_t> ok = {0xFF, 0xFF, 0xFF, 0xFF, 0x7F};
  EXPECT_EQ(reader(ok).s32().value(), -1);
  std::vector<uint8_t> bad = {0xFF, 0xFF, 0xFF, 0xFF, 0x4F};
  auto v = reader(bad).s32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "integer too large");
}

TEST(ByteReader, ReportsUnexpectedEndWithOffset) {
  std::vector<uint8_t> b = {0x80};
  auto r = ByteReader(b, 100);
  auto v = r.u32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "unexpected end");
  EXPECT_EQ(v.error().offset, 101u);
}

TEST(ByteReader, NameRejectsBadUtf8) {
  std::vector<uint8_t> b = {0x02, 0xC0, 0x80};
  auto v = reader(b).name();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message, "malformed UTF-8 encoding");
}

TEST(ByteReader, S64Extremes) {
  std::vector<uint8_t> min = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F};
  EXPECT_EQ(reader(min).s64().value(), INT64_MIN);
}

}  // namespace
}  // namespace lunatic
