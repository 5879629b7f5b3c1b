// SignalTable: links and monitors kept by peer, found by key and by reference, all handed
// over when the peer's connection is lost, and bounded per peer.
#include "dist/signal_table.hpp"

#include <gtest/gtest.h>

#include "runtime/router.hpp"

namespace lunatic::dist {
namespace {

constexpr runtime::ProcessId kR1 = runtime::kRemoteBit | 1;
constexpr runtime::ProcessId kR2 = runtime::kRemoteBit | 2;

TEST(SignalTable, LinksAndMonitorsByPeer) {
  SignalTable table(100);
  EXPECT_TRUE(table.add_link("b", 10, kR1));
  EXPECT_TRUE(table.add_link("b", 10, kR1));  // once
  EXPECT_EQ(table.size("b"), 1u);
  EXPECT_TRUE(table.remove_link("b", 10, kR1));
  EXPECT_FALSE(table.remove_link("b", 10, kR1));
  EXPECT_FALSE(table.remove_link("c", 10, kR1));

  const uint64_t k1 = *table.add_outgoing("b", {10, kR1, 7});
  const uint64_t k2 = *table.add_outgoing("b", {10, kR1, 8});
  EXPECT_NE(k1, k2);
  auto first = table.take_outgoing("b", k1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->first.tag, 7u);
  EXPECT_FALSE(first->second);                 // another monitor of kR1 by 10 stands
  EXPECT_FALSE(table.take_outgoing("c", k2));  // another peer's key
  EXPECT_EQ(table.take_outgoing_of("b", 10, kR1), std::vector<uint64_t>{k2});
  EXPECT_FALSE(table.take_outgoing("b", k2));

  // A key the caller chose (a remote spawn's monitor): its own range, taken once.
  const uint64_t spawn_key = kSpawnKeyBit | 5;
  EXPECT_TRUE(table.add_outgoing("b", {10, kR2, 9}, spawn_key));
  EXPECT_FALSE(table.add_outgoing("b", {10, kR2, 9}, spawn_key));
  EXPECT_EQ(table.take_outgoing_of("b", 10, kR2), std::vector<uint64_t>{spawn_key});

  const std::vector<uint8_t> ref{1, 2, 3};
  const uint64_t in = *table.add_incoming("b", {10, kR2, {9}, ref, 0});
  EXPECT_EQ(table.find_incoming("b", kR2, ref), in);
  EXPECT_FALSE(table.find_incoming("b", kR1, ref));
  auto taken = table.take_incoming("b", in);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->key, in);
  EXPECT_FALSE(table.find_incoming("b", kR2, ref));
}

TEST(SignalTable, ALostPeerHandsOverEverything) {
  SignalTable table(100);
  table.add_link("b", 10, kR1);
  table.add_link("c", 11, kR2);
  table.add_outgoing("b", {12, kR1, 5});
  table.add_incoming("b", {13, kR1, {}, {4}, 0});
  SignalTable::Lost lost = table.take_peer("b");
  EXPECT_EQ(lost.links.size(), 1u);
  EXPECT_EQ(lost.outgoing.size(), 1u);
  ASSERT_EQ(lost.incoming.size(), 1u);
  EXPECT_NE(lost.incoming[0].key, 0u);
  EXPECT_EQ(table.size("b"), 0u);
  EXPECT_EQ(table.size("c"), 1u);
  EXPECT_TRUE(table.take_peer("b").links.empty());
}

TEST(SignalTable, APeerHoldsAtMostItsShare) {
  SignalTable table(3);
  EXPECT_TRUE(table.add_link("b", 1, kR1));
  EXPECT_TRUE(table.add_outgoing("b", {2, kR1, 0}));
  EXPECT_TRUE(table.add_incoming("b", {3, kR1, {}, {1}, 0}));
  EXPECT_FALSE(table.add_link("b", 4, kR1));
  EXPECT_FALSE(table.add_outgoing("b", {5, kR1, 0}));
  EXPECT_FALSE(table.add_incoming("b", {6, kR1, {}, {2}, 0}));
  EXPECT_TRUE(table.add_link("c", 4, kR2));  // another peer has its own share
}

}  // namespace
}  // namespace lunatic::dist
