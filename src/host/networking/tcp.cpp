// lunatic::networking, TCP connection setup: bind, accept, connect, dropping and cloning
// handles, local and peer addresses.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/networking/internal.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::networking {
namespace {

/// listen()'s backlog (the kernel caps it at net.core.somaxconn).
constexpr int kBacklog = 4096;

/// A new non-blocking TCP socket of `family`, registered; null and errno on failure.
std::shared_ptr<Socket> new_tcp_socket(Process& self, int family) {
  const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  return Socket::adopt(self.runtime().io_reactor(), fd);
}

/// What survives a Park of tcp_connect: the socket being connected.
struct ConnectPending {
  IoPending io;
  std::shared_ptr<Socket> socket;
};

}  // namespace

/// Arguments: an address (addr_type 4 or 6, a pointer to its 4 or 16 bytes, port, IPv6 flow
/// info and scope id), an out-pointer. Binds a listening socket (SO_REUSEADDR; port 0 picks a
/// free port: see tcp_local_addr). Returns 0 and a listener id, or 1 and an error id (address
/// in use, not available...). Traps: addr_type not 4 or 6, port past 65535, pointers outside
/// memory.
HostResult<int32_t> tcp_bind(CallContext& ctx, uint32_t addr_type, uint32_t addr_ptr, uint32_t port,
                             uint32_t flow_info, uint32_t scope_id, GuestPtr<uint64_t> id_out) {
  auto address = guest_address(ctx, addr_type, addr_ptr, port, flow_info, scope_id);
  if (!address.ok()) return std::move(address).trap();
  const SocketAddress& a = address.value();
  Process& self = ctx.host<Process>();
  std::shared_ptr<Socket> socket = new_tcp_socket(self, a.storage.ss_family);
  if (!socket) return failure(id_out, os_error(ctx, "socket", errno));
  const int on = 1;
  setsockopt(socket->fd(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(socket->fd(), reinterpret_cast<const sockaddr*>(&a.storage), a.length) != 0) {
    return failure(id_out, os_error(ctx, "bind", errno));
  }
  if (::listen(socket->fd(), kBacklog) != 0) return failure(id_out, os_error(ctx, "listen", errno));
  return success(id_out, self.resources().insert(
                             std::make_unique<shared::TcpListenerResource>(std::move(socket))));
}

/// Arguments: a listener id. Drops it (the socket closes). Traps: unknown id.
HostResult<void> drop_tcp_listener(CallContext& ctx, uint64_t listener_id) {
  return shared::drop<shared::TcpListenerResource>(ctx, "tcp listener", listener_id);
}

/// Arguments: a listener id, an out-pointer. Returns 0 and a DNS iterator holding the address
/// the listener is bound to, or 1 and an error id. Traps: unknown id, pointer outside memory.
HostResult<int32_t> tcp_local_addr(CallContext& ctx, uint64_t listener_id,
                                   GuestPtr<uint64_t> id_out) {
  auto l = shared::lookup<shared::TcpListenerResource>(ctx, "tcp listener", listener_id);
  if (!l.ok()) return std::move(l).trap();
  return socket_name(ctx, l.value()->socket()->fd(), false, id_out);
}

/// Arguments: a listener id, out-pointers for the stream id and the peer's address. Waits
/// (parked) for a connection. Returns 0 with a new stream id and a DNS iterator holding the
/// peer's address, or 1 and an error id (written at id_out). Traps: unknown id, pointers
/// outside memory.
HostResult<int32_t> tcp_accept(CallContext& ctx, uint64_t listener_id, GuestPtr<uint64_t> id_out,
                               GuestPtr<uint64_t> peer_out) {
  auto l = shared::lookup<shared::TcpListenerResource>(ctx, "tcp listener", listener_id);
  if (!l.ok()) return std::move(l).trap();
  Process& self = ctx.host<Process>();
  const Socket& listener = *l.value()->socket();
  IoPending& pending = ctx.pending<IoPending>();
  return until_ready(
      self, listener, runtime::IoInterest::Read, pending, [&]() -> std::optional<int32_t> {
        SocketAddress peer;
        peer.length = sizeof peer.storage;
        const int fd = accept4(listener.fd(), reinterpret_cast<sockaddr*>(&peer.storage),
                               &peer.length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          // A connection reset while queued: wait for the next one.
          if (would_block(errno) || errno == ECONNABORTED || errno == EINTR) {
            return std::nullopt;
          }
          return failure(id_out, os_error(ctx, "accept", errno));
        }
        const int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        std::shared_ptr<Socket> s = Socket::adopt(self.runtime().io_reactor(), fd);
        if (!s) return failure(id_out, os_error(ctx, "epoll_ctl", errno));
        const uint64_t stream =
            self.resources().insert(std::make_unique<shared::TcpStreamResource>(std::move(s)));
        peer_out.write(address_iterator(self, peer));
        return success(id_out, stream);
      });
}

/// Arguments: an address (as tcp_bind), a timeout in ms (u64::MAX: none), an out-pointer.
/// Connects (parked while the handshake runs). Returns 0 and a stream id, 1 and an error id
/// (refused, unreachable...), or 9027 (timed out; the attempt is abandoned). Traps: as
/// tcp_bind.
HostResult<int32_t> tcp_connect(CallContext& ctx, uint32_t addr_type, uint32_t addr_ptr,
                                uint32_t port, uint32_t flow_info, uint32_t scope_id,
                                uint64_t timeout_ms, GuestPtr<uint64_t> id_out) {
  auto address = guest_address(ctx, addr_type, addr_ptr, port, flow_info, scope_id);
  if (!address.ok()) return std::move(address).trap();
  const SocketAddress& a = address.value();
  Process& self = ctx.host<Process>();
  ConnectPending& pending = ctx.pending<ConnectPending>(
      ConnectPending{IoPending{deadline_after(timeout_ms), {}, {}}, {}});
  bool started = pending.socket != nullptr;
  if (!started) {
    pending.socket = new_tcp_socket(self, a.storage.ss_family);
    if (!pending.socket) return failure(id_out, os_error(ctx, "socket", errno));
  }
  const Socket& socket = *pending.socket;
  return until_ready(
      self, socket, runtime::IoInterest::Write, pending.io, [&]() -> std::optional<int32_t> {
        if (!started) {
          started = true;
          if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&a.storage), a.length) !=
                  0 &&
              errno != EINPROGRESS) {
            return failure(id_out, os_error(ctx, "connect", errno));
          }
        }
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
          err = errno;
        }
        if (err != 0) return failure(id_out, os_error(ctx, "connect", err));
        sockaddr_storage peer;
        socklen_t peer_len = sizeof peer;
        if (getpeername(socket.fd(), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
          if (errno == ENOTCONN) return std::nullopt;  // handshake still running
          return failure(id_out, os_error(ctx, "connect", errno));
        }
        const int on = 1;
        setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        return success(id_out, self.resources().insert(std::make_unique<shared::TcpStreamResource>(
                                   std::move(pending.socket))));
      });
}

/// Arguments: a stream id. Drops the handle; the connection closes with its last handle.
/// Traps: unknown id.
HostResult<void> drop_tcp_stream(CallContext& ctx, uint64_t stream_id) {
  return shared::drop<shared::TcpStreamResource>(ctx, "tcp stream", stream_id);
}

/// Arguments: a stream id. Returns a new handle to the same connection (sharing its timeouts).
/// Traps: unknown id.
HostResult<int64_t> clone_tcp_stream(CallContext& ctx, uint64_t stream_id) {
  auto s = shared::lookup<shared::TcpStreamResource>(ctx, "tcp stream", stream_id);
  if (!s.ok()) return std::move(s).trap();
  return static_cast<int64_t>(ctx.host<Process>().resources().insert(
      std::make_unique<shared::TcpStreamResource>(s.value()->socket())));
}

/// Arguments: a stream id, an out-pointer. Returns 0 and a DNS iterator holding the peer's
/// address, or 1 and an error id (not connected any more). Traps: unknown id, bad pointer.
HostResult<int32_t> tcp_peer_addr(CallContext& ctx, uint64_t stream_id, GuestPtr<uint64_t> id_out) {
  auto s = shared::lookup<shared::TcpStreamResource>(ctx, "tcp stream", stream_id);
  if (!s.ok()) return std::move(s).trap();
  return socket_name(ctx, s.value()->socket()->fd(), true, id_out);
}

/// Arguments: a stream id, an out-pointer. Returns 0 and a DNS iterator holding the stream's
/// local address, or 1 and an error id. Traps: unknown id, bad pointer.
HostResult<int32_t> tcp_stream_local_addr(CallContext& ctx, uint64_t stream_id,
                                          GuestPtr<uint64_t> id_out) {
  auto s = shared::lookup<shared::TcpStreamResource>(ctx, "tcp stream", stream_id);
  if (!s.ok()) return std::move(s).trap();
  return socket_name(ctx, s.value()->socket()->fd(), false, id_out);
}

}  // namespace lunatic::host::networking
