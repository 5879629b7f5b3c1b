// lunatic::networking, UDP: bind, connect, send (to), receive (from), handles, addresses and
// the TTL / broadcast options.
#include <netinet/in.h>
#include <sys/socket.h>

#include "host/networking/internal.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::networking {
namespace {

HostResult<Socket*> udp_socket(CallContext& ctx, uint64_t socket_id) {
  auto s = shared::lookup<shared::UdpSocketResource>(ctx, "udp socket", socket_id);
  if (!s.ok()) return std::move(s).trap();
  return s.value()->socket().get();
}

/// One sendto() of `data` (to `to`, or the connected peer if null), parked until it is sent.
HostResult<int32_t> send_datagram(CallContext& ctx, Socket& socket, const GuestSpan<uint8_t>& data,
                                  const SocketAddress* to, const GuestPtr<uint64_t>& out) {
  IoPending& pending = ctx.pending<IoPending>();
  return until_ready(ctx.host<Process>(), socket, runtime::IoInterest::Write, pending,
                     [&]() -> std::optional<int32_t> {
                       const ssize_t n =
                           ::sendto(socket.fd(), data.bytes().data(), data.size(), MSG_NOSIGNAL,
                                    to ? reinterpret_cast<const sockaddr*>(&to->storage) : nullptr,
                                    to ? to->length : 0);
                       if (n >= 0) return success(out, static_cast<uint64_t>(n));
                       if (would_block(errno) || errno == EINTR) return std::nullopt;
                       return failure(out, os_error(ctx, "send", errno));
                     });
}

/// One recvfrom() into the guest's buffer, parked until a datagram arrives.
HostResult<int32_t> receive_datagram(CallContext& ctx, uint64_t socket_id,
                                     const GuestMutSpan<uint8_t>& buffer,
                                     const GuestPtr<uint64_t>& out,
                                     const GuestPtr<uint64_t>* peer_out) {
  auto s = udp_socket(ctx, socket_id);
  if (!s.ok()) return std::move(s).trap();
  Socket& socket = *s.value();
  IoPending& pending = ctx.pending<IoPending>();
  Process& self = ctx.host<Process>();
  return until_ready(
      self, socket, runtime::IoInterest::Read, pending, [&]() -> std::optional<int32_t> {
        SocketAddress from;
        from.length = sizeof from.storage;
        const ssize_t n = ::recvfrom(socket.fd(), buffer.mut_bytes().data(), buffer.size(), 0,
                                     reinterpret_cast<sockaddr*>(&from.storage), &from.length);
        if (n >= 0) {
          if (peer_out != nullptr) peer_out->write(address_iterator(self, from));
          return success(out, static_cast<uint64_t>(n));
        }
        if (would_block(errno) || errno == EINTR) return std::nullopt;
        return failure(out, os_error(ctx, "receive", errno));
      });
}

}  // namespace

/// Arguments: an address (as tcp_bind), an out-pointer. Binds a UDP socket. Returns 0 and a
/// UDP socket id, or 1 and an error id. Traps: as tcp_bind.
HostResult<int32_t> udp_bind(CallContext& ctx, uint32_t addr_type, uint32_t addr_ptr, uint32_t port,
                             uint32_t flow_info, uint32_t scope_id, GuestPtr<uint64_t> id_out) {
  auto address = guest_address(ctx, addr_type, addr_ptr, port, flow_info, scope_id);
  if (!address.ok()) return std::move(address).trap();
  const SocketAddress& a = address.value();
  Process& self = ctx.host<Process>();
  const int fd = ::socket(a.storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return failure(id_out, os_error(ctx, "socket", errno));
  std::shared_ptr<Socket> socket = Socket::adopt(self.runtime().io_reactor(), fd);
  if (!socket) return failure(id_out, os_error(ctx, "epoll_ctl", errno));
  if (::bind(socket->fd(), reinterpret_cast<const sockaddr*>(&a.storage), a.length) != 0) {
    return failure(id_out, os_error(ctx, "bind", errno));
  }
  return success(id_out, self.resources().insert(
                             std::make_unique<shared::UdpSocketResource>(std::move(socket))));
}

/// Arguments: a UDP socket id, an address (as tcp_bind), a timeout in ms (accepted for the
/// original's shape; a UDP connect never waits), an out-pointer for an error id. Sets the
/// default peer of udp_send (and filters udp_receive to it). Returns 0, or 1 and an error id.
/// Traps: unknown id, as tcp_bind.
HostResult<int32_t> udp_connect(CallContext& ctx, uint64_t socket_id, uint32_t addr_type,
                                uint32_t addr_ptr, uint32_t port, uint32_t flow_info,
                                uint32_t scope_id, uint64_t timeout_ms,
                                GuestPtr<uint64_t> error_out) {
  (void)timeout_ms;
  auto s = udp_socket(ctx, socket_id);
  if (!s.ok()) return std::move(s).trap();
  auto address = guest_address(ctx, addr_type, addr_ptr, port, flow_info, scope_id);
  if (!address.ok()) return std::move(address).trap();
  const SocketAddress& a = address.value();
  if (::connect(s.value()->fd(), reinterpret_cast<const sockaddr*>(&a.storage), a.length) != 0) {
    return failure(error_out, os_error(ctx, "connect", errno));
  }
  return 0;
}

/// Arguments: a UDP socket id. Drops the handle (the socket closes with its last). Traps:
/// unknown id.
HostResult<void> drop_udp_socket(CallContext& ctx, uint64_t socket_id) {
  return shared::drop<shared::UdpSocketResource>(ctx, "udp socket", socket_id);
}

/// Arguments: a UDP socket id. Returns a new handle to the same socket. Traps: unknown id.
HostResult<int64_t> clone_udp_socket(CallContext& ctx, uint64_t socket_id) {
  auto s = shared::lookup<shared::UdpSocketResource>(ctx, "udp socket", socket_id);
  if (!s.ok()) return std::move(s).trap();
  return static_cast<int64_t>(ctx.host<Process>().resources().insert(
      std::make_unique<shared::UdpSocketResource>(s.value()->socket())));
}

/// Arguments: a UDP socket id, bytes, an out-pointer. Sends one datagram to the connected
/// peer (parked while the socket cannot take it). Returns 0 and the bytes sent, or 1 and an
/// error id (not connected, too large...). Traps: unknown id, pointers outside memory.
HostResult<int32_t> udp_send(CallContext& ctx, uint64_t socket_id, GuestSpan<uint8_t> data,
                             GuestPtr<uint64_t> out) {
  auto s = udp_socket(ctx, socket_id);
  if (!s.ok()) return std::move(s).trap();
  return send_datagram(ctx, *s.value(), data, nullptr, out);
}

/// Arguments: a UDP socket id, bytes, an address (as tcp_bind), an out-pointer. Sends one
/// datagram to the address. Returns as udp_send. Traps: as udp_send and tcp_bind.
HostResult<int32_t> udp_send_to(CallContext& ctx, uint64_t socket_id, GuestSpan<uint8_t> data,
                                uint32_t addr_type, uint32_t addr_ptr, uint32_t port,
                                uint32_t flow_info, uint32_t scope_id, GuestPtr<uint64_t> out) {
  auto s = udp_socket(ctx, socket_id);
  if (!s.ok()) return std::move(s).trap();
  auto address = guest_address(ctx, addr_type, addr_ptr, port, flow_info, scope_id);
  if (!address.ok()) return std::move(address).trap();
  return send_datagram(ctx, *s.value(), data, &address.value(), out);
}

/// Arguments: a UDP socket id, a buffer, an out-pointer. Waits (parked) for one datagram and
/// copies it (a longer datagram is cut to the buffer). Returns 0 and the byte count, or 1 and
/// an error id. Traps: unknown id, pointers outside memory.
HostResult<int32_t> udp_receive(CallContext& ctx, uint64_t socket_id, GuestMutSpan<uint8_t> buffer,
                                GuestPtr<uint64_t> out) {
  return receive_datagram(ctx, socket_id, buffer, out, nullptr);
}

/// As udp_receive, and writes a DNS iterator holding the sender's address at peer_out.
HostResult<int32_t> udp_receive_from(CallContext& ctx, uint64_t socket_id,
                                     GuestMutSpan<uint8_t> buffer, GuestPtr<uint64_t> out,
                                     GuestPtr<uint64_t> peer_out) {
  return receive_datagram(ctx, socket_id, buffer, out, &peer_out);
}

/// Arguments: a UDP socket id, an out-pointer. Returns 0 and a DNS iterator holding the local
/// address, or 1 and an error id. Traps: unknown id, bad pointer.
HostResult<int32_t> udp_local_addr(CallContext& ctx, uint64_t socket_id,
                                   GuestPtr<uint64_t> id_out) {
  auto s = udp_socket(ctx, socket_id);
  if (!s.ok()) return std::move(s).trap();
  return socket_name(ctx, s.value()->fd(), false, id_out);
}

/// Arguments: a UDP socket id, an out-pointer. Returns 0 and a DNS iterator holding the
/// connected peer, or 1 and an error id (not connected). Traps: unknown id, bad pointer.
HostResult<int32_t> udp_peer_addr(CallContext& ctx, uint64_t socket_id, GuestPtr<uint64_t> id_out) {
  auto s = udp_socket(ctx, socket_id);
  if (!s.ok()) return std::move(s).trap();
  return socket_name(ctx, s.value()->fd(), true, id_out);
}

/// Arguments: a UDP socket id, a TTL (1..255; other values are ignored by the kernel's check
/// and leave it unchanged). Sets IP_TTL (IPv4) or IPV6_UNICAST_HOPS (IPv6). Traps: unknown id.
HostResult<void> set_udp_socket_ttl(CallContext& ctx, uint64_t socket_id, uint32_t ttl) {
  auto s = udp_socket(ctx, socket_id);
  if (!s.ok()) return std::move(s).trap();
  const int value = static_cast<int>(ttl & 0xffff);
  if (setsockopt(s.value()->fd(), IPPROTO_IP, IP_TTL, &value, sizeof value) != 0) {
    setsockopt(s.value()->fd(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &value, sizeof value);
  }
  return {};
}

/// Arguments: a UDP socket id. Returns its TTL (hop limit for IPv6). Traps: unknown id.
HostResult<int32_t> get_udp_socket_ttl(CallContext& ctx, uint64_t socket_id) {
  auto s = udp_socket(ctx, socket_id);
  if (!s.ok()) return std::move(s).trap();
  int value = 0;
  socklen_t len = sizeof value;
  if (getsockopt(s.value()->fd(), IPPROTO_IP, IP_TTL, &value, &len) != 0) {
    len = sizeof value;
    getsockopt(s.value()->fd(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &value, &len);
  }
  return value;
}

/// Arguments: a UDP socket id, 0 or not. Sets SO_BROADCAST. Traps: unknown id.
HostResult<void> set_udp_socket_broadcast(CallContext& ctx, uint64_t socket_id, uint32_t on) {
  auto s = udp_socket(ctx, socket_id);
  if (!s.ok()) return std::move(s).trap();
  const int value = on != 0 ? 1 : 0;
  setsockopt(s.value()->fd(), SOL_SOCKET, SO_BROADCAST, &value, sizeof value);
  return {};
}

/// Arguments: a UDP socket id. Returns 1 if SO_BROADCAST is set, else 0. Traps: unknown id.
HostResult<int32_t> get_udp_socket_broadcast(CallContext& ctx, uint64_t socket_id) {
  auto s = udp_socket(ctx, socket_id);
  if (!s.ok()) return std::move(s).trap();
  int value = 0;
  socklen_t len = sizeof value;
  getsockopt(s.value()->fd(), SOL_SOCKET, SO_BROADCAST, &value, &len);
  return value != 0 ? 1 : 0;
}

}  // namespace lunatic::host::networking
