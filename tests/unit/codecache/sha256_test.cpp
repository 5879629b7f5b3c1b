// SHA-256 against the examples of FIPS 180-4 (NIST's published digests), whole and in pieces.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "codecache/object_cache.hpp"
#include "codecache/sha256.hpp"

namespace lunatic::codecache {
namespace {

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(to_hex(Sha256::hash(bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(Sha256::hash(bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(Sha256::hash(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1000000, 'a');
  EXPECT_EQ(to_hex(Sha256::hash(bytes(million))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PiecesGiveTheSameDigest) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += static_cast<char>('a' + i % 26);
  const Digest whole = Sha256::hash(bytes(text));
  for (size_t piece : {1u, 3u, 55u, 56u, 63u, 64u, 65u, 200u}) {
    Sha256 sha;
    for (size_t at = 0; at < text.size(); at += piece)
      sha.update(bytes(std::string_view(text).substr(at, piece)));
    EXPECT_EQ(sha.final(), whole) << piece;
  }
}

}  // namespace
}  // namespace lunatic::codecache
