// SHA-256 against the examples of FIPS 180-4 (NIST's published digests), whole and in pieces.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "codecache/object_cache.hpp"
#include "codecache/sha256.hpp"
#include "codecache/sha256_blocks.hpp"

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

// The SHA-NI block function gives the portable one's state for any state and any blocks: one
// block, and runs of blocks, from FIPS's initial state and from random ones.
TEST(Sha256Blocks, ShaNiMatchesThePortableFunction) {
  std::mt19937_64 random(20261206);
  std::vector<uint8_t> data(64 * 40);
  for (uint8_t& b : data) b = static_cast<uint8_t>(random());
  const sha256_blocks::State initial{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  if (!sha256_blocks::has_sha_ni()) {
    // This CPU hashes with the portable function only: the digests above checked it.
    EXPECT_EQ(to_hex(Sha256::hash(bytes("abc"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    return;
  }
  for (size_t count : {1u, 2u, 3u, 17u, 40u}) {
    for (int trial = 0; trial < 20; ++trial) {
      sha256_blocks::State state = initial;
      if (trial > 0) {
        for (uint32_t& word : state) word = static_cast<uint32_t>(random());
      }
      const size_t at = 64 * (random() % (40 - count + 1));
      sha256_blocks::State want = state;
      sha256_blocks::portable(want, data.data() + at, count);
      sha256_blocks::State got = state;
      sha256_blocks::sha_ni(got, data.data() + at, count);
      EXPECT_EQ(got, want) << count << " blocks, trial " << trial;
    }
  }
  sha256_blocks::State unchanged = initial;
  sha256_blocks::sha_ni(unchanged, data.data(), 0);
  EXPECT_EQ(unchanged, initial);
}

}  // namespace
}  // namespace lunatic::codecache
