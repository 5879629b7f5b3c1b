// Mailbox on its own: selective receive over several tags, the waiting flag (one wake-up per
// wait, only for a matching message), sequence marks, closing, and bytes copied straight into
// a waiting receiver's buffer.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "runtime/mailbox.hpp"

namespace lunatic::runtime {
namespace {

std::unique_ptr<Message> msg(Tag tag) {
  auto m = std::make_unique<Message>();
  m->tag = tag;
  return m;
}

std::vector<Tag> drain(Mailbox& box) {
  std::vector<Tag> out;
  while (auto m = box.receive({})) out.push_back(m->tag);
  return out;
}

TEST(Mailbox, SelectiveReceiveOverSeveralTagsKeepsOrder) {
  Mailbox box;
  for (Tag t : {1, 2, 3, 4, 2, 5}) box.push(msg(t));
  const std::vector<Tag> tags{4, 2};
  EXPECT_EQ(box.receive(tags)->tag, 2);
  EXPECT_EQ(box.receive(tags)->tag, 4);
  EXPECT_EQ(box.receive(tags)->tag, 2);
  EXPECT_EQ(box.receive(tags), nullptr);
  EXPECT_EQ(drain(box), (std::vector<Tag>{1, 3, 5}));
}

TEST(Mailbox, StatsCountMessagesBytesAndTheWait) {
  Mailbox box;
  auto sized = [](Tag tag, size_t bytes) {
    auto m = msg(tag);
    m->data.resize(bytes);
    return m;
  };
  box.push(sized(1, 10));
  box.push(sized(2, 300));
  box.push(sized(3, 0));
  Mailbox::Stats s = box.stats();
  EXPECT_EQ(s.messages, 3u);
  EXPECT_EQ(s.bytes, 310u);
  EXPECT_FALSE(s.waiting);
  const std::vector<Tag> two{2};
  EXPECT_EQ(box.receive(two)->data.size(), 300u);
  EXPECT_EQ(box.stats().bytes, 10u);
  const std::vector<Tag> nine{9};
  EXPECT_EQ(box.receive_or_wait(nine), nullptr);
  EXPECT_TRUE(box.stats().waiting);
  box.close();
  s = box.stats();
  EXPECT_EQ(s.messages, 0u);
  EXPECT_EQ(s.bytes, 0u);
  EXPECT_FALSE(s.waiting);
}

TEST(Mailbox, WaitIsReportedOnceAndOnlyForAMatch) {
  Mailbox box;
  const std::vector<Tag> tags{7};
  EXPECT_EQ(box.receive_or_wait(tags), nullptr);
  EXPECT_FALSE(box.push(msg(1)));  // does not match: no wake-up
  EXPECT_TRUE(box.push(msg(7)));   // matches: wake the owner
  EXPECT_FALSE(box.push(msg(7)));  // the wait was already reported
  EXPECT_EQ(box.receive_or_wait(tags)->tag, 7);
  box.stop_waiting();
  EXPECT_FALSE(box.push(msg(7)));
}

// The wait's filter is kept inline for a few tags and on the heap past that: a long filter,
// then a short one, then a long one again each wake the owner for their own tags only.
TEST(Mailbox, WaitFilterOfAnyLengthMatchesItsOwnTags) {
  Mailbox box;
  const std::vector<Tag> many{11, 12, 13, 14, 15, 16};
  const std::vector<Tag> few{21, 22};
  EXPECT_EQ(box.receive_or_wait(many), nullptr);
  EXPECT_FALSE(box.push(msg(21)));
  EXPECT_TRUE(box.push(msg(16)));  // the sixth tag, past the inline ones
  EXPECT_EQ(box.receive_or_wait(many)->tag, 16);
  EXPECT_EQ(box.receive_or_wait(few)->tag, 21);  // queued before the wait
  EXPECT_EQ(box.receive_or_wait(few), nullptr);
  EXPECT_FALSE(box.push(msg(11)));  // a tag of the earlier, longer filter only
  EXPECT_TRUE(box.push(msg(22)));
  EXPECT_EQ(box.receive_or_wait(few)->tag, 22);
  const std::vector<Tag> other{31, 32, 33, 34, 35};
  EXPECT_EQ(box.receive_or_wait(other), nullptr);
  EXPECT_FALSE(box.push(msg(12)));  // the first long filter's tag, not this one's
  EXPECT_TRUE(box.push(msg(35)));
  EXPECT_EQ(drain(box), (std::vector<Tag>{11, 12, 35}));
}

TEST(Mailbox, SequenceMarkSkipsOlderMessages) {
  Mailbox box;
  box.push(msg(1));
  const uint64_t mark = box.next_sequence();
  box.push(msg(1));
  auto m = box.receive({}, mark);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->sequence, mark);
  EXPECT_EQ(box.receive({}, mark), nullptr);
  EXPECT_EQ(box.size(), 1u);
}

TEST(Mailbox, ClosedMailboxDropsMessages) {
  Mailbox box;
  box.push(msg(1));
  box.close();
  EXPECT_EQ(box.size(), 0u);
  EXPECT_FALSE(box.push(msg(2)));
  EXPECT_EQ(box.receive({}), nullptr);
}

// The destructor takes no lock (nothing else can reach the mailbox then) but still frees what
// an unclosed mailbox holds: the queue and a message handed over to a wait that never took it.
TEST(Mailbox, DestroyedUnclosedFreesQueuedAndHandedOverMessages) {
  auto budget = std::make_shared<MemoryBudget>(UINT64_MAX);
  auto charged = [&](Tag tag) {
    auto m = msg(tag);
    m->charge = MemoryCharge(budget);
    EXPECT_TRUE(m->charge.resize(100));
    return m;
  };
  {
    Mailbox box;
    box.push(charged(1));
    box.push(charged(2));
    const std::vector<Tag> three{3};
    EXPECT_EQ(box.receive_or_wait(three), nullptr);
    EXPECT_TRUE(box.push(charged(3)));  // handed over, never taken
    EXPECT_EQ(budget->used(), 300u);
  }
  EXPECT_EQ(budget->used(), 0u);
}

TEST(Mailbox, BytesGoStraightIntoAWaitingReceiversBuffer) {
  Mailbox box;
  std::vector<uint8_t> buffer(8, 0);
  const std::vector<Tag> tags{7};
  const std::vector<uint8_t> bytes{1, 2, 3, 4, 5};
  EXPECT_EQ(box.receive_or_wait(tags, 0, {buffer.data(), buffer.size()}), nullptr);
  EXPECT_FALSE(box.push_copying(msg(1), bytes));  // another tag: queued with its bytes
  EXPECT_EQ(buffer[0], 0);
  EXPECT_TRUE(box.push_copying(msg(7), bytes));  // the awaited one: copied, wake the owner
  EXPECT_EQ(buffer, (std::vector<uint8_t>{1, 2, 3, 4, 5, 0, 0, 0}));
  auto m = box.receive_or_wait(tags, 0, {buffer.data(), buffer.size()});
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->delivered, 5u);
  EXPECT_TRUE(m->data.empty());
  // The wait ended: the next one is queued with its bytes, untouched buffer.
  buffer.assign(8, 0);
  EXPECT_FALSE(box.push_copying(msg(7), bytes));
  m = box.receive(tags);
  EXPECT_EQ(m->delivered, 0u);
  EXPECT_EQ(m->data, bytes);
  EXPECT_EQ(buffer[0], 0);
  m = box.receive({});
  EXPECT_EQ(m->tag, 1);
  EXPECT_EQ(m->data, bytes);
}

TEST(Mailbox, DirectCopyOnlyWhenItFitsAndTheWaitAskedForIt) {
  Mailbox box;
  std::vector<uint8_t> buffer(4, 0);
  const std::vector<uint8_t> bytes{1, 2, 3, 4, 5};
  // Too big for the buffer: queued whole, the owner still woken.
  EXPECT_EQ(box.receive_or_wait({}, 0, {buffer.data(), buffer.size()}), nullptr);
  EXPECT_TRUE(box.push_copying(msg(1), bytes));
  EXPECT_EQ(buffer[0], 0);
  EXPECT_EQ(box.receive({})->data, bytes);
  // A wait without a buffer (receive), one stopped, one on a closed mailbox: no direct copy.
  EXPECT_EQ(box.receive_or_wait({}), nullptr);
  EXPECT_TRUE(box.push_copying(msg(1), std::span(bytes).first(2)));
  EXPECT_EQ(box.receive({})->delivered, 0u);
  EXPECT_EQ(box.receive_or_wait({}, 0, {buffer.data(), buffer.size()}), nullptr);
  box.stop_waiting();
  EXPECT_FALSE(box.push_copying(msg(1), std::span(bytes).first(2)));
  EXPECT_EQ(box.receive({})->delivered, 0u);
  EXPECT_EQ(box.receive_or_wait({}, 0, {buffer.data(), buffer.size()}), nullptr);
  box.close();
  EXPECT_FALSE(box.push_copying(msg(1), std::span(bytes).first(2)));
  EXPECT_EQ(buffer[0], 0);
}

// A producer thread copies into the owner's buffer while the owner waits, as send_data does
// into a parked receive_data; the owner reads the bytes after the wake-up (TSan checks that
// the mailbox lock orders the copy before the read).
// A thread sending `n` messages of `bytes` bytes, message i filled with i, by push_copying as
// send_data does; `woken` is set when a push ends the owner's wait. Every other message waits
// for the owner to wait, so both the direct copy and the queued path run.
std::thread direct_producer(Mailbox& box, uint64_t n, size_t bytes, std::atomic<bool>& woken) {
  return std::thread([&box, n, bytes, &woken] {
    for (uint64_t i = 0; i < n; ++i) {
      while (i % 2 == 0 && !box.stats().waiting) std::this_thread::yield();
      std::vector<uint8_t> data(bytes, static_cast<uint8_t>(i));
      if (box.push_copying(msg(1), data)) woken.store(true, std::memory_order_release);
    }
  });
}

// Message i of direct_producer arrived whole: in the buffer if it was copied there, else in
// the message.
void expect_message_i(const Message& m, const std::vector<uint8_t>& buffer, uint64_t i) {
  const std::vector<uint8_t> expected(buffer.size(), static_cast<uint8_t>(i));
  EXPECT_EQ(m.delivered != 0 ? buffer : m.data, expected);
}

TEST(Mailbox, DirectCopiesFromAnotherThreadArriveWhole) {
  Mailbox box;
  constexpr uint64_t kMessages = 3000;
  std::atomic<bool> woken{false};
  std::thread producer = direct_producer(box, kMessages, 64, woken);
  std::vector<uint8_t> buffer(64);
  uint64_t direct = 0;
  for (uint64_t i = 0; i < kMessages; ++i) {
    std::unique_ptr<Message> m;
    while (!(m = box.receive_or_wait({}, 0, {buffer.data(), buffer.size()}))) {
      while (!woken.exchange(false, std::memory_order_acquire)) std::this_thread::yield();
    }
    if (m->delivered != 0) ++direct;
    expect_message_i(*m, buffer, i);
  }
  producer.join();
  EXPECT_EQ(box.size(), 0u);
  EXPECT_GT(direct, 0u);
  std::printf("%llu of %llu copied directly\n", static_cast<unsigned long long>(direct),
              static_cast<unsigned long long>(kMessages));
}

// take_delivered_handoff (receive_data's fast path after its wake-up) takes only a handed-over
// message whose bytes went straight into the buffer; anything else stays for receive_or_wait:
// nothing handed over, a signal or a message too big for the buffer (handed over with its
// bytes), a queued non-matching message (never handed over: selective receive skips it).
TEST(Mailbox, OnlyADirectlyDeliveredHandOverIsTakenWithoutAFilter) {
  Mailbox box;
  std::vector<uint8_t> buffer(8, 0);
  const std::vector<Tag> seven{7};
  const std::vector<uint8_t> bytes{1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(box.take_delivered_handoff(), nullptr);  // nothing at all

  EXPECT_EQ(box.receive_or_wait(seven, 0, {buffer.data(), buffer.size()}), nullptr);
  EXPECT_FALSE(box.push_copying(msg(8), bytes));  // another tag: queued, not handed over
  EXPECT_EQ(box.take_delivered_handoff(), nullptr);
  EXPECT_TRUE(box.push_copying(msg(7), bytes));  // straight into the buffer
  auto m = box.take_delivered_handoff();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->tag, 7);
  EXPECT_EQ(m->delivered, 8u);
  EXPECT_EQ(buffer, bytes);
  EXPECT_EQ(box.take_delivered_handoff(), nullptr);  // taken once
  EXPECT_EQ(box.size(), 1u);                         // the tag-8 message, still queued

  // A signal ends the wait too, but is not copied: it stays for the filtered receive.
  EXPECT_EQ(box.receive_or_wait(seven, 0, {buffer.data(), buffer.size()}), nullptr);
  auto signal = msg(7);
  signal->kind = MessageKind::LinkDied;
  EXPECT_TRUE(box.push(std::move(signal)));
  EXPECT_EQ(box.take_delivered_handoff(), nullptr);
  m = box.receive_or_wait(seven, 0, {buffer.data(), buffer.size()});
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->kind, MessageKind::LinkDied);

  // Too big for the buffer: handed over with its bytes, not taken here.
  EXPECT_EQ(box.receive_or_wait(seven, 0, {buffer.data(), 4}), nullptr);
  EXPECT_TRUE(box.push_copying(msg(7), bytes));
  EXPECT_EQ(box.take_delivered_handoff(), nullptr);
  m = box.receive_or_wait(seven);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->data, bytes);
  EXPECT_EQ(box.receive({})->tag, 8);  // the skipped one, last
  EXPECT_EQ(box.size(), 0u);
}

// A producer thread hands messages to a waiting owner, which takes them as receive_data's
// fast path does after its wake-up, and by receive_or_wait when the fast path declines (the
// message was queued with its bytes): every message once, in order (TSan: the hand-over's
// release/acquire orders the copy before the owner reads it).
TEST(Mailbox, DeliveredHandOversFromAnotherThreadArriveOnceAndInOrder) {
  Mailbox box;
  constexpr uint64_t kMessages = 3000;
  std::atomic<bool> woken{false};
  std::thread producer = direct_producer(box, kMessages, 16, woken);
  std::vector<uint8_t> buffer(16);
  uint64_t fast = 0;
  for (uint64_t i = 0; i < kMessages; ++i) {
    std::unique_ptr<Message> m = box.receive_or_wait({}, 0, {buffer.data(), buffer.size()});
    while (!m) {
      while (!woken.exchange(false, std::memory_order_acquire)) std::this_thread::yield();
      m = box.take_delivered_handoff();  // the parked call run again
      if (m) {
        ++fast;
      } else {
        m = box.receive_or_wait({}, 0, {buffer.data(), buffer.size()});
      }
    }
    expect_message_i(*m, buffer, i);
  }
  producer.join();
  EXPECT_EQ(box.size(), 0u);
  EXPECT_EQ(box.take_delivered_handoff(), nullptr);
  EXPECT_GT(fast, 0u);
}

// The message that ends a wait is handed over, not queued: the owner's next receive_or_wait
// takes it when it matches; any other receive finds it where its sequence puts it among the
// queued messages; it counts in the stats until taken; closing frees it.
TEST(Mailbox, TheMessageThatEndsAWaitIsHandedOverInOrder) {
  Mailbox box;
  const std::vector<Tag> seven{7};
  box.push(msg(1));
  EXPECT_EQ(box.receive_or_wait(seven), nullptr);
  EXPECT_TRUE(box.push(msg(7)));   // handed over
  EXPECT_FALSE(box.push(msg(2)));  // after it: queued
  EXPECT_EQ(box.size(), 3u);
  EXPECT_EQ(box.stats().messages, 3u);
  EXPECT_FALSE(box.stats().waiting);
  EXPECT_EQ(drain(box), (std::vector<Tag>{1, 7, 2}));  // a plain receive: in sequence order

  EXPECT_EQ(box.receive_or_wait(seven), nullptr);
  auto sized = msg(7);
  sized->data.resize(40);
  EXPECT_TRUE(box.push(std::move(sized)));
  EXPECT_EQ(box.stats().bytes, 40u);
  auto m = box.receive_or_wait(seven);  // the fast path
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->data.size(), 40u);
  EXPECT_EQ(box.size(), 0u);
  EXPECT_EQ(box.stats().bytes, 0u);

  // Taken by a receive of another filter: it goes back among the queued ones first.
  const std::vector<Tag> any{};
  EXPECT_EQ(box.receive_or_wait(seven), nullptr);
  EXPECT_FALSE(box.push(msg(3)));
  EXPECT_TRUE(box.push(msg(7)));
  const std::vector<Tag> three{3};
  EXPECT_EQ(box.receive_or_wait(three)->tag, 3);
  EXPECT_EQ(box.receive_or_wait(any)->tag, 7);
  EXPECT_EQ(box.receive_or_wait(any), nullptr);  // waits again: a new hand-over
  EXPECT_TRUE(box.push(msg(9)));
  box.close();  // frees the handed-over message (ASan: no leak)
  EXPECT_EQ(box.size(), 0u);
  EXPECT_EQ(box.receive_or_wait(any), nullptr);
}

// A sequence mark applies to the handed-over message as to the queued ones.
TEST(Mailbox, HandOverKeepsTheSequenceMark) {
  Mailbox box;
  box.push(msg(5));
  const uint64_t mark = box.next_sequence();
  const std::vector<Tag> five{5};
  EXPECT_EQ(box.receive_or_wait(five, mark), nullptr);  // the old 5 is skipped
  EXPECT_TRUE(box.push(msg(5)));
  auto m = box.receive_or_wait(five, mark);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->sequence, mark);
  EXPECT_EQ(box.receive(five)->sequence, 1u);  // the old one is still there
}

// Several producers against an owner that waits whenever nothing matches: messages that end
// a wait are handed over (taken without the lock), the others queued; each arrives once.
// Under TSan this checks that the hand-over's release and acquire order the message.
TEST(Mailbox, ManyProducersAgainstAWaitingOwnerNothingLost) {
  Mailbox box;
  constexpr int kThreads = 4, kEach = 3000;
  std::atomic<int> wakeups{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&box, &wakeups, t] {
      for (int i = 0; i < kEach; ++i) {
        auto m = msg(t);
        m->data.assign(16, static_cast<uint8_t>(i));
        if (box.push(std::move(m))) wakeups.fetch_add(1, std::memory_order_release);
      }
    });
  }
  std::vector<int> next(kThreads, 0);  // per producer, the next index expected (FIFO)
  for (int got = 0; got < kThreads * kEach;) {
    std::unique_ptr<Message> m = box.receive_or_wait({});
    if (!m) {
      // As a parked process: wait for the push that reported the wake-up.
      while (wakeups.load(std::memory_order_acquire) == 0) std::this_thread::yield();
      wakeups.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    const auto t = static_cast<size_t>(m->tag);
    ASSERT_EQ(m->data, std::vector<uint8_t>(16, static_cast<uint8_t>(next[t]))) << t;
    ++next[t];
    ++got;
  }
  for (auto& p : producers) p.join();
  EXPECT_EQ(box.size(), 0u);
  EXPECT_EQ(next, std::vector<int>(kThreads, kEach));
}

TEST(Mailbox, ManyProducersNothingLost) {
  Mailbox box;
  constexpr int kThreads = 4, kEach = 5000;
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&box, t] {
      for (int i = 0; i < kEach; ++i) box.push(msg(t));
    });
  }
  size_t got = 0;
  while (got < size_t{kThreads} * kEach) {
    if (box.receive({})) ++got;
  }
  for (auto& p : producers) p.join();
  EXPECT_EQ(box.size(), 0u);
}

}  // namespace
}  // namespace lunatic::runtime
