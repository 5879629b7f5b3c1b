// LinkSet: adding, re-tagging and removing links, below and past the size where it builds
// its index, checked against a plain map of what it should hold.
#include "runtime/link_set.hpp"

#include <gtest/gtest.h>

#include <map>

namespace lunatic::runtime {
namespace {

std::map<ProcessId, Tag> contents(const LinkSet& set) {
  std::map<ProcessId, Tag> m;
  for (const LinkEntry& e : set.entries()) {
    EXPECT_TRUE(m.emplace(e.process, e.tag).second) << "duplicate entry " << e.process;
  }
  return m;
}

TEST(LinkSet, AddRetagRemoveFew) {
  LinkSet set;
  set.set(7, 1);
  set.set(9, 2);
  set.set(7, 3);  // re-tag, not a second entry
  EXPECT_EQ(contents(set), (std::map<ProcessId, Tag>{{7, 3}, {9, 2}}));
  EXPECT_TRUE(set.erase(7));
  EXPECT_FALSE(set.erase(7));
  EXPECT_FALSE(set.erase(42));
  EXPECT_EQ(contents(set), (std::map<ProcessId, Tag>{{9, 2}}));
}

TEST(LinkSet, ManyLinksMatchAReferenceMap) {
  LinkSet set;
  std::map<ProcessId, Tag> expected;
  // Past the index threshold, with removals from the middle, the end and the start, and
  // re-tags of entries that were moved into holes.
  for (ProcessId p = 1; p <= 1000; ++p) {
    set.set(p, static_cast<Tag>(p));
    expected[p] = static_cast<Tag>(p);
  }
  for (ProcessId p = 1; p <= 1000; p += 3) {
    EXPECT_TRUE(set.erase(p));
    expected.erase(p);
  }
  for (ProcessId p = 2; p <= 1000; p += 5) {
    set.set(p, -static_cast<Tag>(p));
    expected[p] = -static_cast<Tag>(p);  // a removed one comes back with the new tag
  }
  EXPECT_FALSE(set.erase(1));
  EXPECT_EQ(contents(set), expected);
}

TEST(LinkSet, TakeEmptiesAndTheSetIsReusable) {
  LinkSet set;
  for (ProcessId p = 1; p <= 100; ++p) set.set(p, 0);
  EXPECT_EQ(set.take().size(), 100u);
  EXPECT_TRUE(set.entries().empty());
  EXPECT_FALSE(set.erase(5));
  set.set(5, 1);
  EXPECT_EQ(contents(set), (std::map<ProcessId, Tag>{{5, 1}}));
}

}  // namespace
}  // namespace lunatic::runtime
