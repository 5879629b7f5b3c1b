// Resolver: host name lookups (getaddrinfo, which blocks) on threads of their own, so that a
// process waiting for DNS parks instead of holding a worker.
#pragma once

#include <sys/socket.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lunatic::runtime {

/// One socket address (IPv4 or IPv6) as the kernel takes it.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

/// A lookup of `host` and `service` (a port number). The resolver fills `addresses` or
/// `error` (a gai_strerror text) and sets `done`, all under `mutex`, then runs `wake` once.
struct ResolveJob {
  std::string host;
  std::string service;
  std::function<void()> wake;

  std::mutex mutex;
  bool done = false;
  std::string error;
  std::vector<SocketAddress> addresses;
};

/// Thread-safe. The threads start with the first lookup. A job whose requester has gone (a
/// killed process) still runs to its end; only its result is dropped.
class Resolver {
 public:
  /// Jobs queued beyond this are refused (a guest cannot grow host memory without bound).
  static constexpr size_t kMaxQueued = 1024;
  static constexpr unsigned kThreads = 2;

  Resolver() = default;
  /// Waits for the lookups in progress (getaddrinfo cannot be interrupted); queued ones are
  /// dropped without running.
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  /// Queues `job`; false if kMaxQueued jobs are waiting already.
  bool submit(std::shared_ptr<ResolveJob> job);

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<ResolveJob>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

/// Runs getaddrinfo on the calling thread (it may block unless `numeric_only`) and appends the
/// IPv4/IPv6 addresses found, or sets `error`. Numeric hosts never block: the host functions
/// resolve them on the worker directly.
void resolve_now(const std::string& host, const std::string& service, bool numeric_only,
                 std::vector<SocketAddress>& addresses, std::string& error);

}  // namespace lunatic::runtime
