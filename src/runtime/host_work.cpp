// HostWork: a bounded queue of host jobs, shared fairly between their owners, served by one or
// two threads.
#include "runtime/host_work.hpp"

namespace lunatic::runtime {

// Half the cores, at least one, at most two: host work a guest asked for competes with the
// workers for the CPU, and never takes it all.
HostWork::HostWork()
    : threads_wanted_(std::clamp(std::thread::hardware_concurrency() / 2, 1u, 2u)) {}

HostWork::~HostWork() {
  std::unordered_map<uint64_t, Owner> dropped;  // destroyed outside the lock
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(owners_);
    turns_.clear();
    queued_ = 0;
    queued_bytes_ = 0;
  }
  changed_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool HostWork::submit(std::shared_ptr<HostJob> job, uint64_t bytes, uint64_t owner) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queued_ >= kMaxQueued) return false;
    if (queued_ != 0 && counted(bytes) > kMaxQueuedBytes - queued_bytes_) return false;
    auto found = owners_.find(owner);
    if (found != owners_.end()) {
      const Owner& o = found->second;
      if (o.jobs.size() >= kMaxQueuedPerOwner) return false;
      if (bytes > kMaxQueuedBytesPerOwner - std::min(o.bytes, kMaxQueuedBytesPerOwner)) {
        return false;
      }
    } else {
      found = owners_.try_emplace(owner).first;
      turns_.push_back(owner);
    }
    found->second.jobs.push_back(Queued{std::move(job), bytes});
    found->second.bytes += bytes;
    ++queued_;
    queued_bytes_ += counted(bytes);
    if (threads_.size() < threads_wanted_ && running_ + queued_ > threads_.size()) {
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
    for (auto owner = owners_.begin(); owner != owners_.end(); ++owner) {
      std::deque<Queued>& jobs = owner->second.jobs;
      auto it = std::find_if(jobs.begin(), jobs.end(),
                             [job](const Queued& q) { return q.job.get() == job; });
      if (it == jobs.end()) continue;
      dropped = std::move(it->job);
      owner->second.bytes -= it->bytes;
      --queued_;
      queued_bytes_ -= counted(it->bytes);
      jobs.erase(it);
      if (jobs.empty()) {
        turns_.erase(std::find(turns_.begin(), turns_.end(), owner->first));
        owners_.erase(owner);
      }
      return;
    }
  }
}

size_t HostWork::pending() const {
  std::lock_guard lock(mutex_);
  return queued_ + running_;
}

size_t HostWork::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

void HostWork::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || queued_ != 0; });
    if (stopping_) return;
    // The next owner's oldest job; the owner goes to the back of the turns if it has more.
    const uint64_t owner_id = turns_.front();
    turns_.pop_front();
    auto owner = owners_.find(owner_id);
    Queued next = std::move(owner->second.jobs.front());
    owner->second.jobs.pop_front();
    owner->second.bytes -= next.bytes;
    if (owner->second.jobs.empty()) {
      owners_.erase(owner);
    } else {
      turns_.push_back(owner_id);
    }
    --queued_;
    queued_bytes_ -= counted(next.bytes);
    ++running_;
    lock.unlock();
    next.job->run();
    next.job.reset();  // the last reference may be here: its memory goes outside the lock
    lock.lock();
    --running_;
  }
}

}  // namespace lunatic::runtime
