// IoReactor: the epoll thread, and the waiter lists of the sources it serves.
#include "runtime/io_reactor.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace lunatic::runtime {
namespace {

constexpr uint32_t kReadEvents = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
constexpr uint32_t kWriteEvents = EPOLLOUT | EPOLLHUP | EPOLLERR;
constexpr int kBatch = 256;

}  // namespace

size_t IoSource::waiters() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

std::vector<std::function<void()>> IoSource::fire(uint32_t mask) {
  const bool read = (mask & kReadEvents) != 0;
  const bool write = (mask & kWriteEvents) != 0;
  std::vector<std::function<void()>> woken;
  std::lock_guard lock(mutex_);
  if (read) counts_[0].fetch_add(1, std::memory_order_acq_rel);
  if (write) counts_[1].fetch_add(1, std::memory_order_acq_rel);
  auto keep = waiters_.begin();
  for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
    const bool ready = it->interest == IoInterest::Read ? read : write;
    if (ready) {
      woken.push_back(std::move(it->wake));
    } else {
      if (keep != it) *keep = std::move(*it);
      ++keep;
    }
  }
  waiters_.erase(keep, waiters_.end());
  return woken;
}

void IoSource::cancel(uint64_t waiter) {
  std::function<void()> dropped;  // destroyed outside the lock
  std::lock_guard lock(mutex_);
  for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
    if (it->id == waiter) {
      dropped = std::move(it->wake);
      waiters_.erase(it);
      return;
    }
  }
}

IoReactor::IoReactor() {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) {
    setup_errno_ = errno;
    return;
  }
  wakeup_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  if (wakeup_ < 0 || epoll_ctl(epoll_, EPOLL_CTL_ADD, wakeup_, &ev) != 0) {
    setup_errno_ = errno;
    return;
  }
  thread_ = std::thread([this] { loop(); });
}

IoReactor::~IoReactor() {
  if (thread_.joinable()) {
    stopping_.store(true, std::memory_order_release);
    const uint64_t one = 1;
    // The eventfd counter cannot overflow from one write: the write cannot fail.
    [[maybe_unused]] ssize_t n = ::write(wakeup_, &one, sizeof one);
    thread_.join();
  }
  if (wakeup_ >= 0) ::close(wakeup_);
  if (epoll_ >= 0) ::close(epoll_);
}

std::shared_ptr<IoSource> IoReactor::add(int fd) {
  if (setup_errno_ != 0) {
    errno = setup_errno_;
    return nullptr;
  }
  std::lock_guard lock(mutex_);
  const uint64_t key = next_key_++;
  auto source = std::make_shared<IoSource>(key);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = key;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) return nullptr;
  sources_.emplace(key, source);
  return source;
}

void IoReactor::remove(int fd, IoSource& source) {
  std::shared_ptr<IoSource> dropped;  // the last reference may go outside the lock
  std::lock_guard lock(mutex_);
  auto it = sources_.find(source.key_);
  if (it == sources_.end()) return;
  dropped = std::move(it->second);
  sources_.erase(it);
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
}

IoWait IoReactor::wait(const std::shared_ptr<IoSource>& source, IoInterest interest, uint64_t seen,
                       std::function<void()> wake) {
  std::lock_guard lock(source->mutex_);
  if (source->counts_[static_cast<size_t>(interest)].load(std::memory_order_relaxed) != seen) {
    return {};
  }
  const uint64_t id = source->next_waiter_++;
  source->waiters_.push_back(IoSource::Waiter{id, interest, std::move(wake)});
  return IoWait(source, id);
}

size_t IoReactor::sources() const {
  std::lock_guard lock(mutex_);
  return sources_.size();
}

void IoReactor::loop() {
  epoll_event events[kBatch];
  while (!stopping_.load(std::memory_order_acquire)) {
    const int n = epoll_wait(epoll_, events, kBatch, -1);
    if (n < 0) continue;  // EINTR
    for (int i = 0; i < n; ++i) {
      const uint64_t key = events[i].data.u64;
      if (key == 0) continue;  // the stop eventfd: the loop condition sees it
      std::shared_ptr<IoSource> source;
      {
        std::lock_guard lock(mutex_);
        auto it = sources_.find(key);
        if (it != sources_.end()) source = it->second;
      }
      if (!source) continue;  // removed after epoll_wait returned its event
      for (std::function<void()>& wake : source->fire(events[i].events)) wake();
    }
  }
}

}  // namespace lunatic::runtime
