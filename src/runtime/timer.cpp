// Timer: the thread sleeps until the earliest deadline (or a change), then runs the due
// actions outside its lock.
#include "runtime/timer.hpp"

namespace lunatic::runtime {

Timer::Timer() : thread_([this] { loop(); }) {}

Timer::~Timer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

TimerId Timer::schedule(Clock::time_point deadline, std::function<void()> action, uint64_t owner,
                        uint64_t target) {
  bool earliest = false;
  TimerId id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    order_.emplace(deadline, id);
    actions_.emplace(id, Action{deadline, owner, target, std::move(action)});
    if (target != 0) {
      by_target_.emplace(target, id);
      targeted_.store(by_target_.size(), std::memory_order_release);
    }
    earliest = deadline < wakes_at_;
  }
  // Only a deadline before the one the thread sleeps until changes how long it must sleep (a
  // cancelled earliest one only makes it wake early once, and look again).
  if (earliest) changed_.notify_one();
  return id;
}

void Timer::erase_locked(std::map<TimerId, Action>::iterator it, std::function<void()>& dropped) {
  order_.erase({it->second.deadline, it->first});
  if (it->second.target != 0) {
    by_target_.erase({it->second.target, it->first});
    targeted_.store(by_target_.size(), std::memory_order_release);
  }
  dropped = std::move(it->second.run);
  actions_.erase(it);
}

bool Timer::cancel(TimerId id) {
  std::function<void()> dropped;  // declared before the lock: destroyed outside it
  std::lock_guard lock(mutex_);
  auto it = actions_.find(id);
  if (it == actions_.end()) return false;
  erase_locked(it, dropped);
  return true;
}

bool Timer::cancel_owned(TimerId id, uint64_t owner) {
  std::function<void()> dropped;  // declared before the lock: destroyed outside it
  std::lock_guard lock(mutex_);
  auto it = actions_.find(id);
  if (owner == 0 || it == actions_.end() || it->second.owner != owner) return false;
  erase_locked(it, dropped);
  return true;
}

size_t Timer::cancel_targeting(uint64_t target) {
  // Every process's end calls this: with no targeted action at all (the common case), it
  // takes no lock (the timer's one mutex, which the workers would otherwise contend for).
  if (targeted_.load(std::memory_order_acquire) == 0) return 0;
  std::vector<std::function<void()>> dropped;  // declared before the lock: destroyed outside it
  std::lock_guard lock(mutex_);
  // erase_locked removes each entry from by_target_: take the first of `target` until none.
  for (auto it = by_target_.lower_bound({target, 0}); it != by_target_.end() && it->first == target;
       it = by_target_.lower_bound({target, 0})) {
    erase_locked(actions_.find(it->second), dropped.emplace_back());
  }
  return dropped.size();
}

size_t Timer::pending() const {
  std::lock_guard lock(mutex_);
  return actions_.size();
}

void Timer::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (order_.empty()) {
      wakes_at_ = Clock::time_point::max();
      changed_.wait(lock);
      wakes_at_ = Clock::time_point::min();
      continue;
    }
    const auto [deadline, id] = *order_.begin();
    if (Clock::now() < deadline) {
      wakes_at_ = deadline;
      changed_.wait_until(lock, deadline);
      wakes_at_ = Clock::time_point::min();
      continue;
    }
    std::function<void()> action;
    erase_locked(actions_.find(id), action);
    lock.unlock();
    action();
    action = nullptr;
    lock.lock();
  }
}

}  // namespace lunatic::runtime
