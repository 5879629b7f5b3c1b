// The hot profile (codecache/hot_profile.hpp): encoded and decoded back; every kind of damage
// (truncation, extra bytes, magic, version, key, function count, checksum, each field out of
// bounds) refused; the update a run makes (sums, floor, cap, bounded count, functions installed
// or attempted, when a write is worth it); and the file in a cache directory.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "codecache/hot_profile.hpp"
#include "codecache/sha256.hpp"

namespace lunatic::codecache {
namespace {

Digest key_of(uint8_t seed) {
  return ObjectCache::key(digest_of(std::vector<uint8_t>{seed}), 2, true,
                          ObjectCache::Kind::Profile);
}

// `file` with its checksum made right again after a change: only the field checks can refuse it.
std::string resealed(std::string file) {
  const size_t body = file.size() - sizeof(Digest);
  const Digest sum = Sha256::hash({reinterpret_cast<const uint8_t*>(file.data()), body});
  std::memcpy(file.data() + body, sum.data(), sum.size());
  return file;
}

template <typename T> std::string with(std::string file, size_t at, T value) {
  std::memcpy(file.data() + at, &value, sizeof value);
  return resealed(std::move(file));
}

constexpr uint64_t kMs = 1'000'000;

TEST(HotProfile, RoundTrips) {
  const Digest key = key_of(1);
  const std::vector<HotSample> samples = {{0, 3 * kMs}, {7, kHotProfileMaxNs}, {9, kMs}};
  const std::string file = encode_hot_profile(key, 10, samples);
  EXPECT_EQ(file.size(), 56u + 3 * 16 + 32);
  auto back = decode_hot_profile(file, key, 10);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, samples);
  auto empty = decode_hot_profile(encode_hot_profile(key, 10, {}), key, 10);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(HotProfile, RefusesEveryDamage) {
  const Digest key = key_of(1);
  const std::string file =
      encode_hot_profile(key, 10, std::vector<HotSample>{{2, 5 * kMs}, {4, 6 * kMs}});
  // Every truncation, extra bytes, and every single bit flipped (the checksum covers all).
  for (size_t size = 0; size < file.size(); ++size) {
    EXPECT_FALSE(decode_hot_profile(file.substr(0, size), key, 10)) << size;
  }
  EXPECT_FALSE(decode_hot_profile(file + "x", key, 10));
  for (size_t bit = 0; bit < file.size() * 8; ++bit) {
    std::string flipped = file;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_FALSE(decode_hot_profile(flipped, key, 10)) << bit;
  }
  // Another module's (or build's) key, another function count: not this module's profile.
  EXPECT_FALSE(decode_hot_profile(file, key_of(2), 10));
  EXPECT_FALSE(decode_hot_profile(file, key, 11));
  EXPECT_FALSE(decode_hot_profile(file, key, 4));
  // Fields out of bounds with a valid checksum (a hostile writer computes it too).
  EXPECT_FALSE(decode_hot_profile(with(file, 0, 'X'), key, 10));           // magic
  EXPECT_FALSE(decode_hot_profile(with<uint32_t>(file, 8, 2), key, 10));   // version
  EXPECT_FALSE(decode_hot_profile(with<uint32_t>(file, 48, 3), key, 10));  // count > file
  EXPECT_FALSE(decode_hot_profile(with<uint32_t>(file, 48, 1), key, 10));  // count < file
  EXPECT_FALSE(decode_hot_profile(with<uint32_t>(file, 48, 0xffffffff), key, 10));
  EXPECT_FALSE(decode_hot_profile(with<uint32_t>(file, 52, 1), key, 10));   // reserved
  EXPECT_FALSE(decode_hot_profile(with<uint32_t>(file, 56, 10), key, 10));  // f >= count
  EXPECT_FALSE(decode_hot_profile(with<uint32_t>(file, 56, 4), key, 10));   // not ascending
  EXPECT_FALSE(decode_hot_profile(with<uint32_t>(file, 72, 1), key, 10));   // descending
  EXPECT_FALSE(decode_hot_profile(with<uint32_t>(file, 60, 2), key, 10));   // unknown flag
  auto attempted = decode_hot_profile(with<uint32_t>(file, 60, 1), key, 10);
  ASSERT_TRUE(attempted);
  EXPECT_TRUE((*attempted)[0].attempted);
  EXPECT_FALSE((*attempted)[1].attempted);
  EXPECT_FALSE(decode_hot_profile(with<uint64_t>(file, 64, kMs - 1), key, 10));  // under floor
  EXPECT_FALSE(decode_hot_profile(with<uint64_t>(file, 64, kHotProfileMaxNs + 1), key, 10));
  EXPECT_TRUE(decode_hot_profile(with<uint32_t>(file, 56, 3), key, 10));  // still well formed
  // More functions than a profile may hold, each well formed: refused by its size alone.
  std::vector<HotSample> many;
  for (uint32_t f = 0; f <= kHotProfileMaxFunctions; ++f) many.push_back({f, kMs});
  EXPECT_FALSE(decode_hot_profile(encode_hot_profile(key, 100, many), key, 100));
  many.pop_back();
  EXPECT_TRUE(decode_hot_profile(encode_hot_profile(key, 100, many), key, 100));
  EXPECT_FALSE(decode_hot_profile(std::string(hot_profile_max_bytes(), 'L'), key, 100));
}

TEST(HotProfile, ARunAddsItsTimeAboveTheFloor) {
  const std::vector<HotSample> stored = {{1, 2 * kMs}, {3, 50 * kMs}};
  // Function 0: under the floor alone, not kept; 1: sums; 2: new; 3: in the hot entry now.
  const std::vector<uint64_t> run = {kMs / 2, 3 * kMs, 4 * kMs, 100 * kMs};
  const std::vector<HotFate> fates = {HotFate::Baseline, HotFate::Baseline, HotFate::Baseline,
                                      HotFate::Installed};
  HotProfileUpdate next = next_hot_profile(stored, run, fates);
  EXPECT_EQ(next.samples, (std::vector<HotSample>{{1, 5 * kMs}, {2, 4 * kMs}}));
  EXPECT_TRUE(next.changed);
  // A tiny program's run: nothing reaches the floor, nothing to write.
  next = next_hot_profile({}, std::vector<uint64_t>{kMs / 3, kMs / 5}, {});
  EXPECT_TRUE(next.samples.empty());
  EXPECT_FALSE(next.changed);
  // Less than the floor added to stored functions: kept, but not worth a write.
  next = next_hot_profile(stored, std::vector<uint64_t>{0, kMs / 2, 0, kMs / 2}, {});
  EXPECT_EQ(next.samples,
            (std::vector<HotSample>{{1, 2 * kMs + kMs / 2}, {3, 50 * kMs + kMs / 2}}));
  EXPECT_FALSE(next.changed);
  // Only a drop: worth a write (the function must not be hot at once again).
  next = next_hot_profile(stored, std::vector<uint64_t>{0, 0, 0, 0},
                          {HotFate::Baseline, HotFate::Installed});
  EXPECT_EQ(next.samples, (std::vector<HotSample>{{3, 50 * kMs}}));
  EXPECT_TRUE(next.changed);
  // A stored function outside the module: dropped.
  next = next_hot_profile(std::vector<HotSample>{{9, 5 * kMs}}, std::vector<uint64_t>{0, 0}, {});
  EXPECT_TRUE(next.samples.empty());
  EXPECT_TRUE(next.changed);
}

// A batch took the function and its code never came (refused, or the run ended first): kept,
// marked, whatever its time, so no later run compiles it again; its mark is worth a write once.
TEST(HotProfile, AnAttemptedFunctionIsKeptMarked) {
  std::vector<HotFate> fates = {HotFate::Attempted, HotFate::Baseline};
  HotProfileUpdate next = next_hot_profile({}, std::vector<uint64_t>{kMs / 10, 0}, fates);
  EXPECT_EQ(next.samples, (std::vector<HotSample>{{0, kMs, true}}));
  EXPECT_TRUE(next.changed);
  // The next run refused it at its start (Attempted again): its time stays, nothing to write.
  next = next_hot_profile(next.samples, std::vector<uint64_t>{5 * kMs, 0}, fates);
  EXPECT_EQ(next.samples, (std::vector<HotSample>{{0, kMs, true}}));
  EXPECT_FALSE(next.changed);
  // Still marked when the run's fate says nothing (Baseline); gone once installed.
  next = next_hot_profile(next.samples, std::vector<uint64_t>{0, 0}, {});
  ASSERT_EQ(next.samples.size(), 1u);
  EXPECT_TRUE(next.samples[0].attempted);
  next = next_hot_profile(next.samples, std::vector<uint64_t>{0, 0}, {HotFate::Installed});
  EXPECT_TRUE(next.samples.empty());
  EXPECT_TRUE(next.changed);
  const std::vector<HotSample> marked = {{0, 2 * kMs, true}, {3, kMs, false}};
  auto back = decode_hot_profile(encode_hot_profile(key_of(1), 4, marked), key_of(1), 4);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, marked);
}

TEST(HotProfile, TimeIsCappedAndTheCountBounded) {
  HotProfileUpdate next = next_hot_profile(std::vector<HotSample>{{0, kHotProfileMaxNs}},
                                           std::vector<uint64_t>{UINT64_MAX}, {});
  EXPECT_EQ(next.samples, (std::vector<HotSample>{{0, kHotProfileMaxNs}}));
  EXPECT_FALSE(next.changed);  // nothing to add past the cap
  // 100 functions above the floor: the 64 with the most time stay, in index order.
  std::vector<uint64_t> run(100);
  for (uint32_t f = 0; f < 100; ++f) run[f] = (f % 2 == 0 ? 10 : 2) * kMs + f;
  next = next_hot_profile({}, run, {});
  ASSERT_EQ(next.samples.size(), kHotProfileMaxFunctions);
  uint32_t even = 0;
  for (size_t i = 0; i < next.samples.size(); ++i) {
    if (next.samples[i].function % 2 == 0) ++even;
    if (i > 0) {
      EXPECT_LT(next.samples[i - 1].function, next.samples[i].function);
    }
  }
  EXPECT_EQ(even, 50u);  // every 10 ms function, then the 14 largest of the 2 ms ones
  EXPECT_EQ(next.samples.back().function, 99u);
  EXPECT_TRUE(decode_hot_profile(encode_hot_profile(key_of(1), 100, next.samples), key_of(1), 100));
}

TEST(HotProfile, LivesInTheCacheDirectory) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("lunatic-hot-profile-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const ObjectCache cache(dir);
  const Digest key = key_of(3);
  EXPECT_TRUE(load_hot_profile(cache, key, 5).empty());  // none yet
  const std::vector<HotSample> samples = {{4, 7 * kMs}};
  ASSERT_TRUE(store_hot_profile(cache, key, 5, samples).ok());
  EXPECT_TRUE(std::filesystem::exists(cache.path_of(key, kHotProfileSuffix)));
  EXPECT_EQ(load_hot_profile(cache, key, 5), samples);
  EXPECT_TRUE(load_hot_profile(cache, key, 6).empty());  // not this module's shape
  // Garbage, and a file larger than any profile: ignored.
  std::ofstream(cache.path_of(key, kHotProfileSuffix), std::ios::trunc) << "garbage";
  EXPECT_TRUE(load_hot_profile(cache, key, 5).empty());
  std::ofstream(cache.path_of(key, kHotProfileSuffix), std::ios::trunc)
      << std::string(hot_profile_max_bytes() + 1, 'x');
  EXPECT_TRUE(load_hot_profile(cache, key, 5).empty());
  // No temporary file is left behind by the writes.
  ASSERT_TRUE(store_hot_profile(cache, key, 5, samples).ok());
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);
  EXPECT_NE(
      ObjectCache::key(digest_of(std::vector<uint8_t>{3}), 2, true, ObjectCache::Kind::Profile),
      ObjectCache::key(digest_of(std::vector<uint8_t>{3}), 2, true, ObjectCache::Kind::Hot));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lunatic::codecache
