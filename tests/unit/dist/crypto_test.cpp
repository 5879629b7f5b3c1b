// dist/crypto.hpp: libcrypto loaded on first use; the digests against their standards' test
// vectors, random bytes, and the constant-time comparison.
#include "dist/crypto.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace lunatic::dist {
namespace {

std::span<const uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

template <size_t N> std::string hex(const std::optional<std::array<uint8_t, N>>& digest) {
  if (!digest) return "none";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : *digest) out += {kHex[b >> 4], kHex[b & 15]};
  return out;
}

TEST(Crypto, LoadsOnFirstUse) { EXPECT_TRUE(load_crypto().ok()); }

TEST(Crypto, Md5OfRfc1321Examples) {
  EXPECT_EQ(hex(md5(bytes(""))), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex(md5(bytes("abc"))), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(md5(bytes("message digest"))), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(Crypto, Sha256OfFipsExamples) {
  EXPECT_EQ(hex(sha256(bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Crypto, RandomBytesVary) {
  std::set<std::array<uint8_t, 8>> seen;
  for (int i = 0; i < 16; ++i) {
    std::array<uint8_t, 8> value{};
    ASSERT_TRUE(random_bytes(value.data(), value.size()));
    seen.insert(value);
  }
  EXPECT_EQ(seen.size(), 16u);
}

TEST(Crypto, ComparesWholeSpans) {
  const std::array<uint8_t, 4> a{1, 2, 3, 4}, b{1, 2, 3, 5};
  EXPECT_TRUE(equal_in_constant_time(a, a));
  EXPECT_FALSE(equal_in_constant_time(a, b));
  EXPECT_FALSE(equal_in_constant_time(std::span(a).first(3), a));
  EXPECT_TRUE(equal_in_constant_time({}, {}));
}

}  // namespace
}  // namespace lunatic::dist
