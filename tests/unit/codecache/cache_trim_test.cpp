// The code cache's bound on disk (codecache/cache_trim.hpp): stores trim the directory back
// under its limit, least recently used first; stale temporary files go; nothing that is not
// the cache's own is touched.
#include "codecache/cache_trim.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "codecache/object_cache.hpp"

namespace lunatic::codecache {
namespace {

namespace fs = std::filesystem;

class CacheTrim : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "lunatic-trim-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static Digest key_of(uint8_t n) { return digest_of(std::vector<uint8_t>{n}); }
  /// An entry of about `bytes` bytes for key n, stored through `cache`.
  static void store(const ObjectCache& cache, uint8_t n, size_t bytes) {
    ASSERT_TRUE(cache.store(key_of(n), std::string(bytes, 'x'), {{true}}).ok());
  }
  /// Sets `path`'s modification time `seconds_ago` seconds in the past.
  static void age(const fs::path& path, time_t seconds_ago) {
    const timespec when[2] = {{std::time(nullptr) - seconds_ago, 0},
                              {std::time(nullptr) - seconds_ago, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), when, 0), 0) << path;
  }
  void write(const std::string& name, size_t bytes) {
    std::ofstream(dir_ / name) << std::string(bytes, 'y');
  }

  fs::path dir_;
};

TEST(CacheTrimNames, OnlyTheCachesOwnFiles) {
  const std::string hex(64, 'a');
  EXPECT_TRUE(is_cache_entry_name(hex + ".obj"));
  EXPECT_TRUE(is_cache_entry_name(hex + ".profile"));
  EXPECT_FALSE(is_cache_entry_name(hex));
  EXPECT_FALSE(is_cache_entry_name(hex + "."));
  EXPECT_FALSE(is_cache_entry_name(hex + ".OBJ"));
  EXPECT_FALSE(is_cache_entry_name(std::string(64, 'A') + ".obj"));
  EXPECT_FALSE(is_cache_entry_name(std::string(63, 'a') + ".obj"));
  EXPECT_FALSE(is_cache_entry_name("notes.txt"));
  EXPECT_TRUE(is_cache_temporary_name(".entry-a1B2c3"));
  EXPECT_TRUE(is_cache_temporary_name(".small-ZZZZZZ"));
  EXPECT_FALSE(is_cache_temporary_name(".entry-a1B2c"));
  EXPECT_FALSE(is_cache_temporary_name(".-a1B2c3"));
  EXPECT_FALSE(is_cache_temporary_name(".bashrc"));
  EXPECT_FALSE(is_cache_temporary_name("entry-a1B2c3"));
  EXPECT_FALSE(is_cache_temporary_name(".entry-a1B2c!"));
}

TEST_F(CacheTrim, AStoreTrimsTheLeastRecentlyUsedEntriesFirst) {
  const ObjectCache cache(dir_, 100'000);
  for (uint8_t n = 0; n < 4; ++n) store(cache, n, 20'000);
  for (uint8_t n = 0; n < 4; ++n) age(cache.path_of(key_of(n)), 100 - n);  // 0 oldest
  ASSERT_TRUE(cache.load(key_of(0)));  // used now: 1 is the least recently used
  store(cache, 4, 20'000);             // 5 x ~20 KB > 100 KB: back under 75 KB
  EXPECT_TRUE(fs::exists(cache.path_of(key_of(0))));
  EXPECT_FALSE(fs::exists(cache.path_of(key_of(1))));
  EXPECT_FALSE(fs::exists(cache.path_of(key_of(2))));
  EXPECT_TRUE(fs::exists(cache.path_of(key_of(3))));
  EXPECT_TRUE(fs::exists(cache.path_of(key_of(4))));
  EXPECT_TRUE(cache.load(key_of(4)));
}

TEST_F(CacheTrim, UnderTheLimitNothingGoes) {
  const ObjectCache cache(dir_, 1'000'000);
  for (uint8_t n = 0; n < 4; ++n) store(cache, n, 20'000);
  for (uint8_t n = 0; n < 4; ++n) EXPECT_TRUE(fs::exists(cache.path_of(key_of(n))));
}

TEST_F(CacheTrim, TheEntryJustStoredStaysEvenAloneOverTheLimit) {
  const ObjectCache cache(dir_, 10'000);
  store(cache, 1, 20'000);
  store(cache, 2, 20'000);
  EXPECT_FALSE(fs::exists(cache.path_of(key_of(1))));
  EXPECT_TRUE(cache.load(key_of(2)));
}

TEST_F(CacheTrim, StaleTemporaryFilesGoAndFreshOnesStay) {
  write(".entry-AbC123", 10);
  write(".small-xyz789", 10);
  write(".entry-new000", 10);
  age(dir_ / ".entry-AbC123", 3600);
  age(dir_ / ".small-xyz789", 3600);
  const TrimResult r = trim_cache(dir_, 0);
  EXPECT_EQ(r.temporaries_removed, 2u);
  EXPECT_FALSE(fs::exists(dir_ / ".entry-AbC123"));
  EXPECT_FALSE(fs::exists(dir_ / ".small-xyz789"));
  EXPECT_TRUE(fs::exists(dir_ / ".entry-new000"));  // a store in progress
}

TEST_F(CacheTrim, FilesThatAreNotTheCachesStayWhateverTheirSizeOrAge) {
  const std::string hex(64, 'b');
  for (const std::string& name : std::vector<std::string>{"notes.txt", ".bashrc", "BIG", hex}) {
    write(name, 50'000);
    age(dir_ / name, 100'000);
  }
  fs::create_directory(dir_ / (hex + ".obj"));  // a directory with an entry's name
  write(hex + ".obj.bak", 50'000);
  const TrimResult r = trim_cache(dir_, 1);
  EXPECT_EQ(r.entries_removed, 0u);
  EXPECT_EQ(r.temporaries_removed, 0u);
  EXPECT_EQ(r.bytes_before, 0u);
  for (const std::string& name :
       std::vector<std::string>{"notes.txt", ".bashrc", "BIG", hex, hex + ".obj.bak"}) {
    EXPECT_TRUE(fs::exists(dir_ / name)) << name;
  }
  EXPECT_TRUE(fs::is_directory(dir_ / (hex + ".obj")));
}

TEST_F(CacheTrim, NoLimitKeepsEveryEntryAndAMissingDirectoryIsNothing) {
  const ObjectCache cache(dir_, 0);
  for (uint8_t n = 0; n < 3; ++n) store(cache, n, 50'000);
  const TrimResult r = trim_cache(dir_, 0);
  EXPECT_EQ(r.entries_removed, 0u);
  EXPECT_GE(r.bytes_before, 150'000u);
  const TrimResult none = trim_cache(dir_ / "missing", 1);
  EXPECT_EQ(none.bytes_before, 0u);
}

TEST(CacheTrimLimit, FollowsTheEnvironment) {
  ::setenv("LUNATIC_CACHE_MAX_MB", "3", 1);
  EXPECT_EQ(cache_max_bytes(), uint64_t{3} << 20);
  ::setenv("LUNATIC_CACHE_MAX_MB", "0", 1);
  EXPECT_EQ(cache_max_bytes(), 0u);
  for (const char* bad : {"", "x", "-1", "1.5", "12MB", "9999999999999"}) {
    ::setenv("LUNATIC_CACHE_MAX_MB", bad, 1);
    EXPECT_EQ(cache_max_bytes(), kDefaultCacheMaxBytes) << bad;
  }
  ::unsetenv("LUNATIC_CACHE_MAX_MB");
  EXPECT_EQ(cache_max_bytes(), kDefaultCacheMaxBytes);
}

}  // namespace
}  // namespace lunatic::codecache
