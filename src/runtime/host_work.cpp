// HostWork: a bounded queue of host jobs served by one or two threads.
#include "runtime/host_work.hpp"

#include <algorithm>

namespace lunatic::runtime {

// Half the cores, at least one, at most two: host work a guest asked for competes with the
// workers for the CPU, and never takes it all.
HostWork::HostWork()
    : threads_wanted_(std::clamp(std::thread::hardware_concurrency() / 2, 1u, 2u)) {}

HostWork::~HostWork() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
    queued_bytes_ = 0;
  }
  changed_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool HostWork::submit(std::shared_ptr<HostJob> job, uint64_t bytes) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= kMaxQueued) return false;
    if (!queue_.empty() && bytes > kMaxQueuedBytes - std::min(queued_bytes_, kMaxQueuedBytes)) {
      return false;
    }
    queue_.push_back(Queued{std::move(job), bytes});
    queued_bytes_ += bytes;
    if (threads_.size() < threads_wanted_ && running_ + queue_.size() > threads_.size()) {
      threads_.emplace_back([this] { loop(); });
    }
  }
  changed_.notify_one();
  return true;
}

void HostWork::cancel(const HostJob* job) {
  std::shared_ptr<HostJob> dropped;  // destroyed outside the lock
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(queue_.begin(), queue_.end(),
                           [job](const Queued& q) { return q.job.get() == job; });
    if (it == queue_.end()) return;
    dropped = std::move(it->job);
    queued_bytes_ -= it->bytes;
    queue_.erase(it);
  }
}

size_t HostWork::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_;
}

size_t HostWork::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

void HostWork::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Queued next = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= next.bytes;
    ++running_;
    lock.unlock();
    next.job->run();
    next.job.reset();  // the last reference may be here: its memory goes outside the lock
    lock.lock();
    --running_;
  }
}

}  // namespace lunatic::runtime
