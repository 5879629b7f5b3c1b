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

// Every one-byte LEB128 (the inline path) against the same value in two bytes (the general
// one), for each width; and the end of the buffer at every read.
TEST(ByteReader, OneByteLebsDecodeAsTheirLongForms) {
  for (int byte = 0; byte < 0x80; ++byte) {
    const std::vector<uint8_t> one = {static_cast<uint8_t>(byte)};
    const uint8_t sign_fill = (byte & 0x40) != 0 ? 0x7F : 0x00;
    const std::vector<uint8_t> two = {static_cast<uint8_t>(byte | 0x80), sign_fill};
    const std::vector<uint8_t> two_unsigned = {static_cast<uint8_t>(byte | 0x80), 0x00};
    EXPECT_EQ(reader(one).u32().value(), reader(two_unsigned).u32().value()) << byte;
    EXPECT_EQ(reader(one).u64().value(), reader(two_unsigned).u64().value()) << byte;
    EXPECT_EQ(reader(one).s32().value(), reader(two).s32().value()) << byte;
    EXPECT_EQ(reader(one).s33().value(), reader(two).s33().value()) << byte;
    EXPECT_EQ(reader(one).s64().value(), reader(two).s64().value()) << byte;
    auto r = reader(one);
    EXPECT_EQ(r.u8().value(), byte);
    EXPECT_TRUE(r.at_end());
  }
  EXPECT_EQ(reader({0x40}).s32().value(), -64);
  EXPECT_EQ(reader({0x3F}).s64().value(), 63);
  const std::vector<uint8_t> none;
  EXPECT_EQ(ByteReader(none, 7).u8().error().message, "unexpected end");
  EXPECT_EQ(ByteReader(none, 7).u8().error().offset, 7u);
  EXPECT_EQ(ByteReader(none).s33().error().message, "unexpected end");
}

}  // namespace
}  // namespace lunatic
