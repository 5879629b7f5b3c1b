// IoReactor: readiness wakes waiters once, the readiness count closes the lost-wake-up window,
// cancelling (IoWait's destructor) races safely with the reactor thread. Runs under TSan in CI.
#include "runtime/io_reactor.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace lunatic::runtime {
namespace {

/// A connected, non-blocking socket pair, closed (after removal from the reactor) at the end.
struct Pair {
  int fd[2] = {-1, -1};
  Pair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd), 0); }
  ~Pair() {
    ::close(fd[0]);
    ::close(fd[1]);
  }
};

/// Counts wake-ups and lets a test wait for a given count (without timing assertions: the
/// wait is bounded only so that a bug fails instead of hanging).
struct Counter {
  std::mutex mutex;
  std::condition_variable changed;
  int count = 0;
  std::function<void()> callback() {
    return [this] {
      std::lock_guard lock(mutex);
      ++count;
      changed.notify_all();
    };
  }
  bool wait_for(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(20), [&] { return count >= n; });
  }
  int get() {
    std::lock_guard lock(mutex);
    return count;
  }
};

/// A wait armed with the current readiness count (retried while the count moves: the initial
/// writability event may still be arriving).
IoWait arm(IoReactor& reactor, const std::shared_ptr<IoSource>& source, IoInterest interest,
           std::function<void()> wake) {
  for (int i = 0; i < 10000; ++i) {
    IoWait w = reactor.wait(source, interest, source->readiness(interest), wake);
    if (w.armed()) return w;
    std::this_thread::yield();
  }
  return {};
}

TEST(IoReactor, ReadableWakesTheReadWaiterOnce) {
  IoReactor reactor;
  Pair p;
  std::shared_ptr<IoSource> source = reactor.add(p.fd[0]);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(reactor.sources(), 1u);
  char byte = 0;
  ASSERT_LT(::read(p.fd[0], &byte, 1), 0);  // nothing there: EAGAIN
  Counter woken;
  IoWait wait = arm(reactor, source, IoInterest::Read, woken.callback());
  ASSERT_TRUE(wait.armed());
  EXPECT_EQ(source->waiters(), 1u);
  ASSERT_EQ(::write(p.fd[1], "x", 1), 1);
  ASSERT_TRUE(woken.wait_for(1));
  EXPECT_EQ(source->waiters(), 0u);  // a wake-up runs once
  EXPECT_EQ(::read(p.fd[0], &byte, 1), 1);
  EXPECT_EQ(byte, 'x');
  wait.reset();  // after it fired: nothing to cancel, no harm
  EXPECT_EQ(woken.get(), 1);
  reactor.remove(p.fd[0], *source);
  EXPECT_EQ(reactor.sources(), 0u);
}

TEST(IoReactor, AChangedCountArmsNothing) {
  IoReactor reactor;
  Pair p;
  std::shared_ptr<IoSource> source = reactor.add(p.fd[0]);
  ASSERT_NE(source, nullptr);
  const uint64_t before = source->readiness(IoInterest::Read);
  ASSERT_EQ(::write(p.fd[1], "x", 1), 1);
  // The event arrives on the reactor thread: wait until it is counted.
  for (int i = 0; i < 20000 && source->readiness(IoInterest::Read) == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_NE(source->readiness(IoInterest::Read), before);
  Counter woken;
  IoWait wait = reactor.wait(source, IoInterest::Read, before, woken.callback());
  EXPECT_FALSE(wait.armed());
  EXPECT_EQ(source->waiters(), 0u);
  reactor.remove(p.fd[0], *source);
}

TEST(IoReactor, WriteWaiterIsNotWokenByReadability) {
  IoReactor reactor;
  Pair p;
  std::shared_ptr<IoSource> source = reactor.add(p.fd[0]);
  ASSERT_NE(source, nullptr);
  // Fill the send buffer to the last byte, so that the socket does not poll writable (an
  // event reports every ready direction: a writable socket's write waiters wake on any event,
  // which is allowed, as a spurious wake-up, but not what this test is about).
  // The event epoll reports for a new registration (writable) must be counted first, or it
  // would wake the write waiter below (correctly: it came after the count the waiter saw).
  for (int i = 0; i < 20000 && source->readiness(IoInterest::Write) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_NE(source->readiness(IoInterest::Write), 0u);
  std::vector<char> chunk(65536, 'a');
  while (::write(p.fd[0], chunk.data(), chunk.size()) > 0) {
  }
  while (::write(p.fd[0], chunk.data(), 1) > 0) {
  }
  Counter write_woken;
  IoWait wait = arm(reactor, source, IoInterest::Write, write_woken.callback());
  ASSERT_TRUE(wait.armed());
  Counter read_woken;
  IoWait read_wait = arm(reactor, source, IoInterest::Read, read_woken.callback());
  ASSERT_TRUE(read_wait.armed());
  ASSERT_EQ(::write(p.fd[1], "x", 1), 1);
  ASSERT_TRUE(read_woken.wait_for(1));
  EXPECT_EQ(write_woken.get(), 0);
  EXPECT_EQ(source->waiters(), 1u);  // the writer still waits
  // Draining the peer makes room: the writer wakes.
  char sink[65536];
  while (::read(p.fd[1], sink, sizeof sink) > 0) {
  }
  ASSERT_TRUE(write_woken.wait_for(1));
  reactor.remove(p.fd[0], *source);
}

TEST(IoReactor, SeveralWaitersOnOneSourceAllWake) {
  IoReactor reactor;
  Pair p;
  std::shared_ptr<IoSource> source = reactor.add(p.fd[0]);
  ASSERT_NE(source, nullptr);
  Counter woken;
  std::vector<IoWait> waits;
  for (int i = 0; i < 3; ++i) {
    waits.push_back(arm(reactor, source, IoInterest::Read, woken.callback()));
    ASSERT_TRUE(waits.back().armed());
  }
  ASSERT_EQ(::write(p.fd[1], "x", 1), 1);
  ASSERT_TRUE(woken.wait_for(3));
  reactor.remove(p.fd[0], *source);
}

TEST(IoReactor, CancelledWaitNeverRuns) {
  IoReactor reactor;
  Pair p;
  std::shared_ptr<IoSource> source = reactor.add(p.fd[0]);
  ASSERT_NE(source, nullptr);
  Counter cancelled;
  {
    IoWait wait = arm(reactor, source, IoInterest::Read, cancelled.callback());
    ASSERT_TRUE(wait.armed());
  }
  EXPECT_EQ(source->waiters(), 0u);
  // A second, live waiter proves the event was delivered.
  Counter live;
  IoWait wait = arm(reactor, source, IoInterest::Read, live.callback());
  ASSERT_TRUE(wait.armed());
  ASSERT_EQ(::write(p.fd[1], "x", 1), 1);
  ASSERT_TRUE(live.wait_for(1));
  EXPECT_EQ(cancelled.get(), 0);
  reactor.remove(p.fd[0], *source);
}

// Waits registered and cancelled from several threads while the reactor fires: the shape of
// processes killed while parked on a socket that keeps getting data. TSan checks the locking.
TEST(IoReactor, CancelRacesWithReadiness) {
  IoReactor reactor;
  Pair p;
  std::shared_ptr<IoSource> source = reactor.add(p.fd[0]);
  ASSERT_NE(source, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<int> fired{0};
  std::thread writer([&] {
    char sink[256];
    while (!stop.load()) {
      if (::write(p.fd[1], "x", 1) < 0) std::this_thread::yield();
      while (::read(p.fd[0], sink, sizeof sink) > 0) {
      }
    }
  });
  std::vector<std::thread> waiters;
  for (int t = 0; t < 4; ++t) {
    waiters.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        IoWait w = reactor.wait(source, IoInterest::Read, source->readiness(IoInterest::Read),
                                [&fired] { fired.fetch_add(1); });
        if (i % 2 == 0) std::this_thread::yield();
      }  // each IoWait cancelled at once, or after it fired
    });
  }
  for (std::thread& t : waiters) t.join();
  stop.store(true);
  writer.join();
  EXPECT_EQ(source->waiters(), 0u);
  reactor.remove(p.fd[0], *source);
  EXPECT_EQ(reactor.sources(), 0u);
}

TEST(IoReactor, RemovedSourceIgnoresLateEvents) {
  IoReactor reactor;
  for (int round = 0; round < 200; ++round) {
    Pair p;
    std::shared_ptr<IoSource> source = reactor.add(p.fd[0]);
    ASSERT_NE(source, nullptr);
    ASSERT_EQ(::write(p.fd[1], "x", 1), 1);
    reactor.remove(p.fd[0], *source);
  }
  EXPECT_EQ(reactor.sources(), 0u);
}

TEST(IoReactor, AddFailsForABadFd) {
  IoReactor reactor;
  EXPECT_EQ(reactor.add(-1), nullptr);
  EXPECT_EQ(reactor.sources(), 0u);
}

}  // namespace
}  // namespace lunatic::runtime
