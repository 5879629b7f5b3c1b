// MonitorSet: monitors grouped by watcher, several per watcher with their tags in order,
// removal of one watcher's monitors below and past the size where the index is built.
#include "runtime/monitor_set.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace lunatic::runtime {
namespace {

std::map<ProcessId, std::vector<Tag>> contents(const MonitorSet& set) {
  std::map<ProcessId, std::vector<Tag>> m;
  for (const MonitorEntry& e : set.entries()) {
    std::vector<Tag> tags{e.tag};
    tags.insert(tags.end(), e.more_tags.begin(), e.more_tags.end());
    EXPECT_TRUE(m.emplace(e.watcher, tags).second) << "duplicate watcher " << e.watcher;
  }
  return m;
}

TEST(MonitorSet, SeveralMonitorsByOneWatcherKeepTheirTagsInOrder) {
  MonitorSet set;
  set.add(7, 1);
  set.add(9, 2);
  set.add(7, 3);
  set.add(7, 1);  // the same tag again is one more monitor, as in Erlang
  EXPECT_EQ(set.size(), 4u);
  EXPECT_EQ(contents(set), (std::map<ProcessId, std::vector<Tag>>{{7, {1, 3, 1}}, {9, {2}}}));
  EXPECT_EQ(set.erase(7), 3u);
  EXPECT_EQ(set.erase(7), 0u);
  EXPECT_EQ(set.erase(42), 0u);
  EXPECT_EQ(set.size(), 1u);
  EXPECT_EQ(contents(set), (std::map<ProcessId, std::vector<Tag>>{{9, {2}}}));
}

TEST(MonitorSet, ManyWatchersMatchAReferenceMap) {
  MonitorSet set;
  std::map<ProcessId, std::vector<Tag>> expected;
  size_t count = 0;
  // 100k watchers (past the index threshold); every seventh holds a second monitor; removals
  // from the middle, the end and the start, and watchers that come back after removal.
  constexpr ProcessId kWatchers = 100'000;
  for (ProcessId p = 1; p <= kWatchers; ++p) {
    set.add(p, static_cast<Tag>(p));
    expected[p].push_back(static_cast<Tag>(p));
    ++count;
    if (p % 7 == 0) {
      set.add(p, -static_cast<Tag>(p));
      expected[p].push_back(-static_cast<Tag>(p));
      ++count;
    }
  }
  EXPECT_EQ(set.size(), count);
  for (ProcessId p = 1; p <= kWatchers; p += 3) {
    const size_t held = expected[p].size();
    EXPECT_EQ(set.erase(p), held) << p;
    expected.erase(p);
    count -= held;
  }
  for (ProcessId p = 1; p <= kWatchers; p += 9) {
    set.add(p, 5);
    expected[p] = {5};
    ++count;
  }
  EXPECT_EQ(set.erase(kWatchers + 1), 0u);
  EXPECT_EQ(set.size(), count);
  EXPECT_EQ(contents(set), expected);
  // Removing every watcher, one at a time, empties it.
  for (const auto& [p, tags] : expected) EXPECT_EQ(set.erase(p), tags.size()) << p;
  EXPECT_EQ(set.size(), 0u);
  EXPECT_TRUE(set.entries().empty());
}

TEST(MonitorSet, TakeEmptiesAndTheSetIsReusable) {
  MonitorSet set;
  for (ProcessId p = 1; p <= 100; ++p) set.add(p, 0);
  set.add(5, 1);
  std::vector<MonitorEntry> taken = set.take();
  EXPECT_EQ(taken.size(), 100u);
  EXPECT_EQ(set.size(), 0u);
  EXPECT_TRUE(set.entries().empty());
  EXPECT_EQ(set.erase(5), 0u);
  set.add(5, 2);
  EXPECT_EQ(contents(set), (std::map<ProcessId, std::vector<Tag>>{{5, {2}}}));
}

}  // namespace
}  // namespace lunatic::runtime
