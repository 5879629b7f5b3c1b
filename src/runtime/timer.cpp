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

TimerId Timer::schedule(Clock::time_point deadline, std::function<void()> action) {
  bool earliest = false;
  TimerId id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    order_.emplace(deadline, id);
    actions_.emplace(id, std::make_pair(deadline, std::move(action)));
    earliest = order_.begin()->second == id;
  }
  // Only a new earliest deadline changes how long the thread must sleep.
  if (earliest) changed_.notify_one();
  return id;
}

bool Timer::cancel(TimerId id) {
  std::function<void()> dropped;  // destroyed outside the lock
  std::lock_guard lock(mutex_);
  auto it = actions_.find(id);
  if (it == actions_.end()) return false;
  order_.erase({it->second.first, id});
  dropped = std::move(it->second.second);
  actions_.erase(it);
  return true;
}

size_t Timer::pending() const {
  std::lock_guard lock(mutex_);
  return actions_.size();
}

void Timer::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (order_.empty()) {
      changed_.wait(lock);
      continue;
    }
    const auto [deadline, id] = *order_.begin();
    if (Clock::now() < deadline) {
      changed_.wait_until(lock, deadline);
      continue;
    }
    order_.erase(order_.begin());
    auto it = actions_.find(id);
    std::function<void()> action = std::move(it->second.second);
    actions_.erase(it);
    lock.unlock();
    action();
    action = nullptr;
    lock.lock();
  }
}

}  // namespace lunatic::runtime
