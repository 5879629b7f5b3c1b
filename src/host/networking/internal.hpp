// Internal to host/networking: guest socket addresses, the deadlines of waiting calls, and the
// declarations of the namespace's functions (one .cpp per group).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "binding/call_context.hpp"
#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "host/shared/resources.hpp"
#include "host/shared/socket_wait.hpp"
#include "host/shared/sockets.hpp"
#include "runtime/process.hpp"
#include "runtime/resolver.hpp"
#include "runtime/timer.hpp"

namespace lunatic::host::networking {

using binding::CallContext;
using binding::GuestMutSpan;
using binding::GuestPtr;
using binding::GuestSpan;
using binding::GuestString;
using binding::HostResult;
using runtime::Process;
using runtime::SocketAddress;
using shared::Socket;

/// A (pointer, length) pair of tcp_write_vectored's array, as WASI's ciovec.
struct Ciovec {
  uint32_t buf;
  uint32_t buf_len;
};
static_assert(sizeof(Ciovec) == 8);

/// tcp_write_vectored takes at most this many buffers (Linux's IOV_MAX, as WASI's fd_write).
inline constexpr uint32_t kMaxIovecs = 1024;

/// The 16 address bytes resolve_next writes (an IPv4 address uses the first 4).
using AddressBytes = std::array<uint8_t, 16>;

/// The address a guest passes as (addr_type, addr_ptr, port, flow_info, scope_id), checked:
/// traps if addr_type is not 4 or 6, the 4 or 16 address bytes are outside memory, or the port
/// is past 65535.
HostResult<SocketAddress> guest_address(CallContext& ctx, uint32_t addr_type, uint32_t addr_ptr,
                                        uint32_t port, uint32_t flow_info, uint32_t scope_id);

/// "NAME: what: strerror(err)" as a new error id of the caller.
uint64_t os_error(CallContext& ctx, std::string_view what, int err);
/// "NAME: what" as a new error id of the caller.
uint64_t plain_error(CallContext& ctx, std::string what);

/// The `status` of a fallible call: 0 writes `value` (an id, a count) through `out`, 1 writes
/// the error id.
inline int32_t success(const GuestPtr<uint64_t>& out, uint64_t value) {
  out.write(value);
  return 0;
}
inline int32_t failure(const GuestPtr<uint64_t>& out, uint64_t error_id) {
  out.write(error_id);
  return 1;
}

/// A new DNS iterator holding `address` alone (peer and local addresses).
uint64_t address_iterator(Process& self, const SocketAddress& address);
/// getsockname / getpeername of `fd` as a DNS iterator: status and id (or error) through out.
int32_t socket_name(CallContext& ctx, int fd, bool peer, const GuestPtr<uint64_t>& out);

/// Timeouts mean what they mean for receive (none from shared::kNoTimeoutFrom up).
using shared::deadline_after;

// The park-until-ready loop is shared with WASI's socket fds (host/shared/socket_wait.hpp).
using shared::IoPending;
using shared::until_ready;
using shared::would_block;

// dns.cpp
HostResult<int32_t> resolve(CallContext& ctx, GuestString name, uint64_t timeout_ms,
                            GuestPtr<uint64_t> id_out);
HostResult<int32_t> resolve_next(CallContext& ctx, uint64_t iterator_id,
                                 GuestPtr<uint32_t> addr_type_out, GuestPtr<AddressBytes> addr_out,
                                 GuestPtr<uint16_t> port_out, GuestPtr<uint32_t> flow_info_out,
                                 GuestPtr<uint32_t> scope_id_out);
HostResult<void> drop_dns_iterator(CallContext& ctx, uint64_t iterator_id);

// tcp.cpp
HostResult<int32_t> tcp_bind(CallContext& ctx, uint32_t addr_type, uint32_t addr_ptr, uint32_t port,
                             uint32_t flow_info, uint32_t scope_id, GuestPtr<uint64_t> id_out);
HostResult<void> drop_tcp_listener(CallContext& ctx, uint64_t listener_id);
HostResult<int32_t> tcp_local_addr(CallContext& ctx, uint64_t listener_id,
                                   GuestPtr<uint64_t> id_out);
HostResult<int32_t> tcp_accept(CallContext& ctx, uint64_t listener_id, GuestPtr<uint64_t> id_out,
                               GuestPtr<uint64_t> peer_out);
HostResult<int32_t> tcp_connect(CallContext& ctx, uint32_t addr_type, uint32_t addr_ptr,
                                uint32_t port, uint32_t flow_info, uint32_t scope_id,
                                uint64_t timeout_ms, GuestPtr<uint64_t> id_out);
HostResult<void> drop_tcp_stream(CallContext& ctx, uint64_t stream_id);
HostResult<int64_t> clone_tcp_stream(CallContext& ctx, uint64_t stream_id);
HostResult<int32_t> tcp_peer_addr(CallContext& ctx, uint64_t stream_id, GuestPtr<uint64_t> id_out);
HostResult<int32_t> tcp_stream_local_addr(CallContext& ctx, uint64_t stream_id,
                                          GuestPtr<uint64_t> id_out);

// tcp_io.cpp
HostResult<int32_t> tcp_read(CallContext& ctx, uint64_t stream_id, GuestMutSpan<uint8_t> buffer,
                             GuestPtr<uint64_t> out);
HostResult<int32_t> tcp_peek(CallContext& ctx, uint64_t stream_id, GuestMutSpan<uint8_t> buffer,
                             GuestPtr<uint64_t> out);
HostResult<int32_t> tcp_write_vectored(CallContext& ctx, uint64_t stream_id,
                                       GuestSpan<Ciovec> ciovecs, GuestPtr<uint64_t> out);
HostResult<int32_t> tcp_flush(CallContext& ctx, uint64_t stream_id, GuestPtr<uint64_t> error_out);
HostResult<void> set_read_timeout(CallContext& ctx, uint64_t stream_id, uint64_t timeout_ms);
HostResult<int64_t> get_read_timeout(CallContext& ctx, uint64_t stream_id);
HostResult<void> set_write_timeout(CallContext& ctx, uint64_t stream_id, uint64_t timeout_ms);
HostResult<int64_t> get_write_timeout(CallContext& ctx, uint64_t stream_id);
HostResult<void> set_peek_timeout(CallContext& ctx, uint64_t stream_id, uint64_t timeout_ms);
HostResult<int64_t> get_peek_timeout(CallContext& ctx, uint64_t stream_id);

// udp.cpp
HostResult<int32_t> udp_bind(CallContext& ctx, uint32_t addr_type, uint32_t addr_ptr, uint32_t port,
                             uint32_t flow_info, uint32_t scope_id, GuestPtr<uint64_t> id_out);
HostResult<int32_t> udp_connect(CallContext& ctx, uint64_t socket_id, uint32_t addr_type,
                                uint32_t addr_ptr, uint32_t port, uint32_t flow_info,
                                uint32_t scope_id, uint64_t timeout_ms,
                                GuestPtr<uint64_t> error_out);
HostResult<void> drop_udp_socket(CallContext& ctx, uint64_t socket_id);
HostResult<int64_t> clone_udp_socket(CallContext& ctx, uint64_t socket_id);
HostResult<int32_t> udp_send(CallContext& ctx, uint64_t socket_id, GuestSpan<uint8_t> data,
                             GuestPtr<uint64_t> out);
HostResult<int32_t> udp_send_to(CallContext& ctx, uint64_t socket_id, GuestSpan<uint8_t> data,
                                uint32_t addr_type, uint32_t addr_ptr, uint32_t port,
                                uint32_t flow_info, uint32_t scope_id, GuestPtr<uint64_t> out);
HostResult<int32_t> udp_receive(CallContext& ctx, uint64_t socket_id, GuestMutSpan<uint8_t> buffer,
                                GuestPtr<uint64_t> out);
HostResult<int32_t> udp_receive_from(CallContext& ctx, uint64_t socket_id,
                                     GuestMutSpan<uint8_t> buffer, GuestPtr<uint64_t> out,
                                     GuestPtr<uint64_t> peer_out);
HostResult<int32_t> udp_local_addr(CallContext& ctx, uint64_t socket_id, GuestPtr<uint64_t> id_out);
HostResult<int32_t> udp_peer_addr(CallContext& ctx, uint64_t socket_id, GuestPtr<uint64_t> id_out);
HostResult<void> set_udp_socket_ttl(CallContext& ctx, uint64_t socket_id, uint32_t ttl);
HostResult<int32_t> get_udp_socket_ttl(CallContext& ctx, uint64_t socket_id);
HostResult<void> set_udp_socket_broadcast(CallContext& ctx, uint64_t socket_id, uint32_t on);
HostResult<int32_t> get_udp_socket_broadcast(CallContext& ctx, uint64_t socket_id);

}  // namespace lunatic::host::networking
