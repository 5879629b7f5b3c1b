// Resolver: a queue of lookups served by a few threads running getaddrinfo.
#include "runtime/resolver.hpp"

#include <netdb.h>

#include <cstring>

namespace lunatic::runtime {

void resolve_now(const std::string& host, const std::string& service, bool numeric_only,
                 std::vector<SocketAddress>& addresses, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
  hints.ai_flags = AI_NUMERICSERV | (numeric_only ? AI_NUMERICHOST : 0);
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) {
    error = gai_strerror(rc);
    return;
  }
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
        ai->ai_addrlen > sizeof(sockaddr_storage)) {
      continue;
    }
    SocketAddress a;
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.length = ai->ai_addrlen;
    addresses.push_back(a);
  }
  freeaddrinfo(list);
}

Resolver::~Resolver() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool Resolver::submit(std::shared_ptr<ResolveJob> job) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxQueued) return false;
    queue_.push_back(std::move(job));
    if (threads_.empty()) {
      for (unsigned i = 0; i < kThreads; ++i) threads_.emplace_back([this] { loop(); });
    }
  }
  changed_.notify_one();
  return true;
}

void Resolver::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::shared_ptr<ResolveJob> job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    std::vector<SocketAddress> addresses;
    std::string error;
    resolve_now(job->host, job->service, false, addresses, error);
    std::function<void()> wake;
    {
      std::lock_guard job_lock(job->mutex);
      job->addresses = std::move(addresses);
      job->error = std::move(error);
      job->done = true;
      wake = std::move(job->wake);
    }
    if (wake) wake();
    job.reset();
    lock.lock();
  }
}

}  // namespace lunatic::runtime
