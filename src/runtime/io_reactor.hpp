// IoReactor: one thread with an epoll set. Each socket is registered once (edge-triggered, both
// directions); a host call that got EAGAIN asks for a wake-up (IoWait) and parks, and readiness
// runs the wake-ups on the reactor thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lunatic::runtime {

class IoReactor;

/// The direction a waiter needs.
enum class IoInterest : uint8_t { Read = 0, Write = 1 };

/// One registered file descriptor, shared by the socket that owns the fd and by the IoWaits of
/// the processes parked on it (a cloned stream may be read by one process and written by
/// another). It does not own the fd. Thread-safe.
///
/// The lost-wake-up problem of edge-triggered readiness is solved by a count per direction
/// that the reactor increments on every readiness event: a host call reads readiness() before
/// its syscall, and wait() with that count arms nothing (the call just tries again) if an
/// event came in between.
class IoSource {
 public:
  explicit IoSource(uint64_t key) : key_(key) {}
  IoSource(const IoSource&) = delete;
  IoSource& operator=(const IoSource&) = delete;

  /// How many readiness events of `interest` the reactor has seen. Read it before the syscall.
  uint64_t readiness(IoInterest interest) const {
    return counts_[static_cast<size_t>(interest)].load(std::memory_order_acquire);
  }
  /// Number of wake-ups registered and not yet run or cancelled (tests).
  size_t waiters() const;

 private:
  friend class IoReactor;
  friend class IoWait;
  struct Waiter {
    uint64_t id;
    IoInterest interest;
    std::function<void()> wake;
  };
  /// Counts the events of `mask` (epoll bits) and takes out the waiters they wake.
  std::vector<std::function<void()>> fire(uint32_t mask);
  void cancel(uint64_t waiter);

  const uint64_t key_;  ///< epoll_event.data: the reactor's key of this source, never reused
  mutable std::mutex mutex_;
  std::atomic<uint64_t> counts_[2] = {0, 0};
  std::vector<Waiter> waiters_;
  uint64_t next_waiter_ = 1;
};

/// A registered wake-up that is cancelled when this object is destroyed: keep it in a parked
/// host call's pending state, so that when the call completes or the process dies the
/// registration goes with it. A wake-up the reactor already took out may still run once after
/// the cancel: wake-ups must tolerate that (Process::wake through a weak reference does).
/// Movable, not copyable.
class IoWait {
 public:
  IoWait() = default;
  IoWait(std::shared_ptr<IoSource> source, uint64_t id) : source_(std::move(source)), id_(id) {}
  IoWait(IoWait&& other) noexcept
      : source_(std::move(other.source_)), id_(std::exchange(other.id_, 0)) {}
  IoWait& operator=(IoWait&& other) noexcept {
    if (this != &other) {
      reset();
      source_ = std::move(other.source_);
      id_ = std::exchange(other.id_, 0);
    }
    return *this;
  }
  ~IoWait() { reset(); }

  /// False for a wait() that found the readiness count already changed (try again now).
  bool armed() const { return source_ != nullptr; }
  void reset() {
    if (source_) source_->cancel(id_);
    source_.reset();
    id_ = 0;
  }

 private:
  std::shared_ptr<IoSource> source_;
  uint64_t id_ = 0;
};

/// Thread-safe. Wake-ups run on the reactor thread, outside every lock: they must be short and
/// must not block (Process::wake). Must outlive every source added to it.
class IoReactor {
 public:
  /// Starts the thread. If epoll or the eventfd cannot be created, add() fails with that errno.
  IoReactor();
  /// Stops the thread; registered wake-ups are dropped without running.
  ~IoReactor();
  IoReactor(const IoReactor&) = delete;
  IoReactor& operator=(const IoReactor&) = delete;

  /// Adds `fd` (non-blocking; the caller keeps owning it and must remove() it before closing
  /// it) for both directions. Returns the source, or null with errno set.
  std::shared_ptr<IoSource> add(int fd);
  /// Removes `fd`'s registration. Events already read for it are ignored afterwards.
  void remove(int fd, IoSource& source);
  /// Runs `wake` once when `interest` on `source` is ready after the count `seen` (from
  /// source.readiness()). If the count has already moved on, nothing is registered and the
  /// IoWait is not armed: the caller tries its syscall again at once.
  IoWait wait(const std::shared_ptr<IoSource>& source, IoInterest interest, uint64_t seen,
              std::function<void()> wake);
  /// Number of registered sources (tests: a closed socket leaves none behind).
  size_t sources() const;

 private:
  void loop();

  int epoll_ = -1;
  int wakeup_ = -1;  ///< eventfd: tells the thread to stop
  int setup_errno_ = 0;
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, std::shared_ptr<IoSource>> sources_;
  uint64_t next_key_ = 1;  ///< 0 is the eventfd's key
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace lunatic::runtime
