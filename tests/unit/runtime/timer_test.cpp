// Timer: actions run at their deadline, cancel only before that, cancel_owned only by the
// owner, cancel_targeting by target, and nothing of an action stays once it ran (send_after
// forever is bounded).
#include "runtime/timer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace lunatic::runtime {
namespace {

using namespace std::chrono_literals;

TEST(Timer, CancelOwnedOnlyByTheOwnerAndOnlyBeforeItRan) {
  Timer timer;
  std::atomic<int> ran{0};
  const auto count = [&] { ++ran; };
  const TimerId later = timer.schedule(Clock::now() + 1h, count, 7);
  EXPECT_FALSE(timer.cancel_owned(later, 8));  // another process's timer
  const TimerId unowned = timer.schedule(Clock::now() + 1h, count);
  EXPECT_FALSE(timer.cancel_owned(unowned, 0));  // owner 0 is nobody
  EXPECT_TRUE(timer.cancel(unowned));
  EXPECT_EQ(timer.pending(), 1u);
  EXPECT_TRUE(timer.cancel_owned(later, 7));
  EXPECT_FALSE(timer.cancel_owned(later, 7));  // already cancelled
  EXPECT_EQ(timer.pending(), 0u);

  const TimerId now = timer.schedule(Clock::now(), count, 7);
  while (ran.load() == 0) std::this_thread::yield();
  EXPECT_FALSE(timer.cancel_owned(now, 7));  // it ran
  EXPECT_FALSE(timer.cancel(now));
  EXPECT_EQ(ran.load(), 1);
}

TEST(Timer, AnEarlierDeadlineWakesTheThreadALaterOneDoesNot) {
  // The thread sleeps until the earliest deadline; a later action is scheduled without waking
  // it, a cancelled earliest one only makes it look again, and an earlier one wakes it. Each
  // action here must run although the thread was asleep for an hour when it was scheduled.
  Timer timer;
  std::atomic<int> ran{0};
  const auto count = [&] { ++ran; };
  const TimerId hour = timer.schedule(Clock::now() + 1h, count);
  timer.schedule(Clock::now() + 2h, count);  // later: the thread sleeps on
  const TimerId soon = timer.schedule(Clock::now() + 5ms, count);
  while (ran.load() == 0) std::this_thread::yield();
  EXPECT_FALSE(timer.cancel(soon));  // it ran
  EXPECT_TRUE(timer.cancel(hour));   // the thread still waits until the hour's deadline
  timer.schedule(Clock::now() + 5ms, count);
  while (ran.load() == 1) std::this_thread::yield();
  EXPECT_EQ(timer.pending(), 1u);  // the 2 h action
}

TEST(Timer, NothingStaysOfActionsThatRan) {
  // A process that schedules timers forever: whatever it made, only pending ones cost memory.
  Timer timer;
  std::atomic<int> ran{0};
  const auto count = [&] { ++ran; };
  constexpr int kRounds = 20, kPerRound = 500;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kPerRound; ++i) timer.schedule(Clock::now(), count, 3);
    while (timer.pending() != 0) std::this_thread::yield();
  }
  while (ran.load() != kRounds * kPerRound) std::this_thread::yield();
  EXPECT_EQ(timer.pending(), 0u);
}

TEST(Timer, CancelTargetingDropsEveryActionForThatProcessOnly) {
  Timer timer;
  std::atomic<int> ran{0};
  const auto count = [&] { ++ran; };
  for (int i = 0; i < 100; ++i) timer.schedule(Clock::now() + 1h, count, /*owner=*/1, 5);
  const TimerId other = timer.schedule(Clock::now() + 1h, count, 1, 6);
  const TimerId untargeted = timer.schedule(Clock::now() + 1h, count, 1);
  EXPECT_EQ(timer.cancel_targeting(5), 100u);
  EXPECT_EQ(timer.cancel_targeting(5), 0u);
  EXPECT_EQ(timer.pending(), 2u);
  EXPECT_TRUE(timer.cancel(other));  // the index forgot neither the others nor the cancelled
  EXPECT_EQ(timer.cancel_targeting(6), 0u);
  EXPECT_TRUE(timer.cancel(untargeted));

  // An action that ran leaves nothing in the index either.
  timer.schedule(Clock::now(), count, 1, 7);
  while (ran.load() == 0) std::this_thread::yield();
  EXPECT_EQ(timer.cancel_targeting(7), 0u);
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace lunatic::runtime
