// The networking resources of a process's HandleTable (TCP listeners and streams, UDP sockets,
// DNS iterators) and Socket, the OS socket they share, registered with the runtime's reactor.
// Streams and UDP sockets can travel in messages (push_tcp_stream / take_tcp_stream ...).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "runtime/handle_table.hpp"
#include "runtime/io_reactor.hpp"
#include "runtime/resolver.hpp"

namespace lunatic::host::shared {

/// A timeout setting meaning "wait forever" (any value from kNoTimeoutFrom, resources.hpp, up reads
/// as this).
inline constexpr uint64_t kNoTimeout = UINT64_MAX;

/// One non-blocking OS socket, registered with the reactor for its whole life; shared by all
/// handles of it (clone_tcp_stream, clone_udp_socket), closed when the last one goes. Its
/// timeouts are shared by the handles too (as the original's per-stream settings).
class Socket {
 public:
  /// Takes `fd` (non-blocking) and registers it; null (fd closed, errno set) if that fails.
  static std::shared_ptr<Socket> adopt(runtime::IoReactor& reactor, int fd);
  Socket(runtime::IoReactor& reactor, int fd, std::shared_ptr<runtime::IoSource> source)
      : reactor_(reactor), fd_(fd), source_(std::move(source)) {}
  /// Deregisters, then closes the fd.
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int fd() const { return fd_; }
  const std::shared_ptr<runtime::IoSource>& source() const { return source_; }

  /// Milliseconds, kNoTimeout = none (set_read_timeout ...). Any thread (handles of one socket
  /// may be in several processes).
  std::atomic<uint64_t> read_timeout{kNoTimeout};
  std::atomic<uint64_t> write_timeout{kNoTimeout};
  std::atomic<uint64_t> peek_timeout{kNoTimeout};

 private:
  runtime::IoReactor& reactor_;
  int fd_;
  std::shared_ptr<runtime::IoSource> source_;
};

/// A handle to a socket; the kind only says which calls accept it.
class SocketResource : public runtime::Resource {
 public:
  explicit SocketResource(std::shared_ptr<Socket> socket) : socket_(std::move(socket)) {}
  const std::shared_ptr<Socket>& socket() const { return socket_; }

 private:
  std::shared_ptr<Socket> socket_;
};

class TcpListenerResource final : public SocketResource {
 public:
  using SocketResource::SocketResource;
  const char* kind_name() const override { return "tcp listener"; }
};

class TcpStreamResource final : public SocketResource {
 public:
  using SocketResource::SocketResource;
  const char* kind_name() const override { return "tcp stream"; }
};

class UdpSocketResource final : public SocketResource {
 public:
  using SocketResource::SocketResource;
  const char* kind_name() const override { return "udp socket"; }
};

/// Socket addresses handed out one at a time (resolve, and the peer of tcp_accept ...).
class DnsIteratorResource final : public runtime::Resource {
 public:
  explicit DnsIteratorResource(std::vector<runtime::SocketAddress> addresses)
      : addresses_(std::move(addresses)) {}
  const char* kind_name() const override { return "dns iterator"; }
  /// The next address, or null once all were handed out.
  const runtime::SocketAddress* next() {
    return next_ < addresses_.size() ? &addresses_[next_++] : nullptr;
  }

 private:
  std::vector<runtime::SocketAddress> addresses_;
  size_t next_ = 0;
};

}  // namespace lunatic::host::shared
