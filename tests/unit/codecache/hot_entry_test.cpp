// The hot entry's bundle (codecache/hot_entry.hpp): encoded and decoded back, malformed ones
// refused; and its key, apart from the module's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codecache/hot_entry.hpp"

namespace lunatic::codecache {
namespace {

TEST(HotBundle, RoundTripsAndRefusesMalformedOnes) {
  const std::vector<HotPart> parts = {{{1, 4}, "object one"}, {{0}, "two"}};
  const std::string bundle = encode_hot_parts(parts);
  auto back = decode_hot_parts(bundle, 5);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].functions, (std::vector<uint32_t>{1, 4}));
  EXPECT_EQ((*back)[0].object, "object one");
  EXPECT_EQ((*back)[1].object, "two");
  EXPECT_FALSE(decode_hot_parts(bundle, 4));  // function 4 is not the module's
  EXPECT_FALSE(decode_hot_parts(bundle + "x", 5));
  EXPECT_FALSE(decode_hot_parts(bundle.substr(0, bundle.size() - 1), 5));
  EXPECT_FALSE(decode_hot_parts(encode_hot_parts({}), 5));
  EXPECT_FALSE(decode_hot_parts(encode_hot_parts({{{1}, "a"}, {{1}, "b"}}), 5));
  EXPECT_FALSE(decode_hot_parts(encode_hot_parts({{{4, 1}, "a"}}), 5));
  EXPECT_FALSE(decode_hot_parts(encode_hot_parts({{{}, "a"}}), 5));
  EXPECT_FALSE(decode_hot_parts(encode_hot_parts({{{1}, ""}}), 5));
  std::string huge = encode_hot_parts({{{1}, "a"}});
  huge[0] = '\xff';  // a part count no bundle of this size can hold
  EXPECT_FALSE(decode_hot_parts(huge, 5));
}

TEST(HotBundle, KeysOfTheTwoKindsDiffer) {
  const Digest a = digest_of(std::vector<uint8_t>{1, 2, 3});
  EXPECT_NE(ObjectCache::key(a, 2, true), ObjectCache::key(a, 2, true, ObjectCache::Kind::Hot));
  EXPECT_NE(ObjectCache::key(a, 2, true, ObjectCache::Kind::Hot),
            ObjectCache::key(a, 1, true, ObjectCache::Kind::Hot));
}

}  // namespace
}  // namespace lunatic::codecache
