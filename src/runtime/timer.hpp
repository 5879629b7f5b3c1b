// Timer: one thread with an ordered set of deadlines and a condition variable. It wakes parked
// processes at their deadline (receive timeouts, sleep) and runs delayed actions (send_after).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace lunatic::runtime {

using Clock = std::chrono::steady_clock;

/// Identifies a scheduled action; never 0, never reused by one Timer.
using TimerId = uint64_t;

/// Thread-safe. Actions run on the timer thread, one at a time, outside its lock: they must
/// be short (wake a process, deliver a message) and must not block.
class Timer {
 public:
  Timer();
  /// Stops the thread; pending actions are dropped without running.
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  /// Runs `action` at `deadline` (at once, on the timer thread, if it is past). `owner` (a
  /// process id) is who may cancel it with cancel_owned(); 0: nobody (only cancel()). `target`
  /// (a process id, 0 for none) is whom the action is for: cancel_targeting(target) drops it.
  TimerId schedule(Clock::time_point deadline, std::function<void()> action, uint64_t owner = 0,
                   uint64_t target = 0);
  /// Cancels a scheduled action: true if it had not run yet (and now never will).
  bool cancel(TimerId id);
  /// cancel(), only if the action was scheduled by `owner`: false for another owner's timer,
  /// as for one that ran. Nothing is kept once an action has run, so a process that schedules
  /// timers forever costs only the ones still pending.
  bool cancel_owned(TimerId id, uint64_t owner);
  /// Cancels every pending action scheduled for `target` (a process that ended: a message for
  /// it need not wait for its deadline to be dropped). Returns how many.
  size_t cancel_targeting(uint64_t target);
  /// Number of actions not yet run.
  size_t pending() const;

 private:
  void loop();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::pair<Clock::time_point, TimerId>> order_;
  struct Action {
    Clock::time_point deadline;
    uint64_t owner;
    uint64_t target;
    std::function<void()> run;
  };
  /// Removes a pending action; its function moves to `dropped`, for the caller to destroy
  /// outside the lock.
  void erase_locked(std::map<TimerId, Action>::iterator it, std::function<void()>& dropped);

  std::map<TimerId, Action> actions_;
  /// (target, id) of the actions that have a target.
  std::set<std::pair<uint64_t, TimerId>> by_target_;
  /// by_target_.size(), written under the lock, read without it by cancel_targeting.
  std::atomic<size_t> targeted_{0};
  TimerId next_id_ = 1;
  /// When the thread looks at order_ again by itself: the deadline it waits for, max() when
  /// it waits for a change only, min() while it is awake (it reads order_ before it sleeps
  /// again). A new action earlier than this must wake it; a later one need not (a receive
  /// with a timeout schedules one and cancels it per message: no thread wake-up each time).
  Clock::time_point wakes_at_ = Clock::time_point::min();
  bool stopping_ = false;
  std::thread thread_;
};

/// A scheduled wake-up that is cancelled when this object is destroyed: keep it in a host
/// call's pending state (CallContext::pending<T>), so that when the call completes, or the
/// process dies, the wake-up goes away with it. Movable, not copyable.
class WakeTimer {
 public:
  WakeTimer() = default;
  WakeTimer(Timer& timer, TimerId id) : timer_(&timer), id_(id) {}
  WakeTimer(WakeTimer&& other) noexcept
      : timer_(std::exchange(other.timer_, nullptr)), id_(std::exchange(other.id_, 0)) {}
  WakeTimer& operator=(WakeTimer&& other) noexcept {
    if (this != &other) {
      reset();
      timer_ = std::exchange(other.timer_, nullptr);
      id_ = std::exchange(other.id_, 0);
    }
    return *this;
  }
  ~WakeTimer() { reset(); }

  bool armed() const { return timer_ != nullptr; }
  void reset() {
    if (timer_ != nullptr) timer_->cancel(id_);
    timer_ = nullptr;
    id_ = 0;
  }

 private:
  Timer* timer_ = nullptr;
  TimerId id_ = 0;
};

}  // namespace lunatic::runtime
