// Guest socket addresses to sockaddr and back (as DNS iterators), and the error helpers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "host/networking/internal.hpp"

namespace lunatic::host::networking {

HostResult<SocketAddress> guest_address(CallContext& ctx, uint32_t addr_type, uint32_t addr_ptr,
                                        uint32_t port, uint32_t flow_info, uint32_t scope_id) {
  if (addr_type != 4 && addr_type != 6) {
    return shared::misuse(ctx, "address type " + std::to_string(addr_type) + " is not 4 or 6");
  }
  if (port > 65535) {
    return shared::misuse(ctx, "port " + std::to_string(port) + " is past 65535");
  }
  SocketAddress out;
  if (addr_type == 4) {
    auto bytes = GuestPtr<std::array<uint8_t, 4>>::at(ctx, addr_ptr, "IPv4 address");
    if (!bytes.ok()) return std::move(bytes).trap();
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<uint16_t>(port));
    const std::array<uint8_t, 4> a = bytes.value().read();
    std::memcpy(&v4.sin_addr, a.data(), a.size());
    std::memcpy(&out.storage, &v4, sizeof v4);
    out.length = sizeof v4;
  } else {
    auto bytes = GuestPtr<AddressBytes>::at(ctx, addr_ptr, "IPv6 address");
    if (!bytes.ok()) return std::move(bytes).trap();
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<uint16_t>(port));
    v6.sin6_flowinfo = htonl(flow_info);
    v6.sin6_scope_id = scope_id;
    const AddressBytes a = bytes.value().read();
    std::memcpy(&v6.sin6_addr, a.data(), a.size());
    std::memcpy(&out.storage, &v6, sizeof v6);
    out.length = sizeof v6;
  }
  return out;
}

uint64_t plain_error(CallContext& ctx, std::string what) {
  return shared::new_error(ctx.host<Process>(), std::string(ctx.function_name()) + ": " + what);
}

uint64_t os_error(CallContext& ctx, std::string_view what, int err) {
  return plain_error(ctx, std::string(what) + ": " + std::strerror(err));
}

uint64_t address_iterator(Process& self, const SocketAddress& address) {
  return self.resources().insert(
      std::make_unique<shared::DnsIteratorResource>(std::vector<SocketAddress>{address}));
}

int32_t socket_name(CallContext& ctx, int fd, bool peer, const GuestPtr<uint64_t>& out) {
  SocketAddress a;
  a.length = sizeof a.storage;
  auto* sa = reinterpret_cast<sockaddr*>(&a.storage);
  const int rc = peer ? getpeername(fd, sa, &a.length) : getsockname(fd, sa, &a.length);
  if (rc != 0) return failure(out, os_error(ctx, peer ? "getpeername" : "getsockname", errno));
  return success(out, address_iterator(ctx.host<Process>(), a));
}

}  // namespace lunatic::host::networking
