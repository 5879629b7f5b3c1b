// lunatic::networking, TCP data: read, peek, vectored write, flush, and the per-stream
// timeouts they wait under.
#include <sys/socket.h>
#include <sys/uio.h>

#include <vector>

#include "host/networking/internal.hpp"

namespace lunatic::host::networking {
namespace {

/// recv() into the guest's buffer (MSG_PEEK for tcp_peek), parked until data or EOF.
HostResult<int32_t> receive_into(CallContext& ctx, uint64_t stream_id,
                                 const GuestMutSpan<uint8_t>& buffer, const GuestPtr<uint64_t>& out,
                                 bool peek) {
  auto s = shared::lookup<shared::TcpStreamResource>(ctx, "tcp stream", stream_id);
  if (!s.ok()) return std::move(s).trap();
  const Socket& socket = *s.value()->socket();
  const uint64_t timeout = (peek ? socket.peek_timeout : socket.read_timeout).load();
  IoPending& pending = ctx.pending<IoPending>(IoPending{deadline_after(timeout), {}, {}});
  return until_ready(ctx.host<Process>(), socket, runtime::IoInterest::Read, pending,
                     [&]() -> std::optional<int32_t> {
                       const ssize_t n = ::recv(socket.fd(), buffer.mut_bytes().data(),
                                                buffer.size(), peek ? MSG_PEEK : 0);
                       if (n >= 0) return success(out, static_cast<uint64_t>(n));
                       if (would_block(errno) || errno == EINTR) return std::nullopt;
                       return failure(out, os_error(ctx, peek ? "peek" : "read", errno));
                     });
}

HostResult<shared::Socket*> stream_socket(CallContext& ctx, uint64_t stream_id) {
  auto s = shared::lookup<shared::TcpStreamResource>(ctx, "tcp stream", stream_id);
  if (!s.ok()) return std::move(s).trap();
  return s.value()->socket().get();
}

HostResult<void> set_timeout(CallContext& ctx, uint64_t stream_id, uint64_t timeout_ms,
                             std::atomic<uint64_t> Socket::*field) {
  auto s = stream_socket(ctx, stream_id);
  if (!s.ok()) return std::move(s).trap();
  (s.value()->*field).store(timeout_ms >= shared::kNoTimeoutFrom ? shared::kNoTimeout : timeout_ms);
  return {};
}

HostResult<int64_t> get_timeout(CallContext& ctx, uint64_t stream_id,
                                std::atomic<uint64_t> Socket::*field) {
  auto s = stream_socket(ctx, stream_id);
  if (!s.ok()) return std::move(s).trap();
  return static_cast<int64_t>((s.value()->*field).load());
}

}  // namespace

/// Arguments: a stream id, a buffer, an out-pointer. Reads what is available (parked until
/// something is, or the stream's read timeout passes). Returns 0 and the byte count (0: the
/// peer closed its side), 1 and an error id (reset...), or 9027 (timed out). Traps: unknown
/// id, buffer or out-pointer outside memory.
HostResult<int32_t> tcp_read(CallContext& ctx, uint64_t stream_id, GuestMutSpan<uint8_t> buffer,
                             GuestPtr<uint64_t> out) {
  return receive_into(ctx, stream_id, buffer, out, false);
}

/// As tcp_read, but the bytes stay queued for the next read; waits under the peek timeout.
HostResult<int32_t> tcp_peek(CallContext& ctx, uint64_t stream_id, GuestMutSpan<uint8_t> buffer,
                             GuestPtr<uint64_t> out) {
  return receive_into(ctx, stream_id, buffer, out, true);
}

/// Arguments: a stream id, an array of ciovecs (u32 pointer, u32 length), an out-pointer.
/// Writes as much of the buffers, in order, as the socket takes at once (parked until it takes
/// something, or the write timeout passes). Returns 0 and the byte count (may be less than
/// the total: write the rest again), 1 and an error id (peer gone: broken pipe / reset; more
/// than 1024 ciovecs), or 9027 (timed out). Traps: unknown id, the array, a buffer or the
/// out-pointer outside memory.
HostResult<int32_t> tcp_write_vectored(CallContext& ctx, uint64_t stream_id,
                                       GuestSpan<Ciovec> ciovecs, GuestPtr<uint64_t> out) {
  auto s = shared::lookup<shared::TcpStreamResource>(ctx, "tcp stream", stream_id);
  if (!s.ok()) return std::move(s).trap();
  const Socket& socket = *s.value()->socket();
  if (ciovecs.size() > kMaxIovecs) {
    return failure(out, plain_error(ctx, std::to_string(ciovecs.size()) + " ciovecs (at most " +
                                             std::to_string(kMaxIovecs) + ")"));
  }
  std::vector<iovec> host;
  host.reserve(ciovecs.size());
  for (uint32_t i = 0; i < ciovecs.size(); ++i) {
    const Ciovec c = ciovecs[i];
    auto buf = GuestSpan<uint8_t>::at(ctx, c.buf, c.buf_len, "ciovec " + std::to_string(i));
    if (!buf.ok()) return std::move(buf).trap();
    if (c.buf_len != 0) {
      // sendmsg does not write through the pointers; iovec just has no const member.
      host.push_back(iovec{const_cast<uint8_t*>(buf.value().bytes().data()), c.buf_len});
    }
  }
  IoPending& pending =
      ctx.pending<IoPending>(IoPending{deadline_after(socket.write_timeout.load()), {}, {}});
  return until_ready(ctx.host<Process>(), socket, runtime::IoInterest::Write, pending,
                     [&]() -> std::optional<int32_t> {
                       if (host.empty()) return success(out, 0);
                       msghdr msg{};
                       msg.msg_iov = host.data();
                       msg.msg_iovlen = host.size();
                       // MSG_NOSIGNAL: a closed peer is an error id, not SIGPIPE for the host.
                       const ssize_t n = ::sendmsg(socket.fd(), &msg, MSG_NOSIGNAL);
                       if (n >= 0) return success(out, static_cast<uint64_t>(n));
                       if (would_block(errno) || errno == EINTR) return std::nullopt;
                       return failure(out, os_error(ctx, "write", errno));
                     });
}

/// Arguments: a stream id, an out-pointer for an error id. Returns 0: writes are not buffered
/// in the host (each tcp_write_vectored hands its bytes to the kernel). Traps: unknown id,
/// pointer outside memory.
HostResult<int32_t> tcp_flush(CallContext& ctx, uint64_t stream_id, GuestPtr<uint64_t> error_out) {
  auto s = stream_socket(ctx, stream_id);
  if (!s.ok()) return std::move(s).trap();
  (void)error_out;
  return 0;
}

/// Arguments: a stream id, a timeout in ms (u64::MAX, or anything from 2^40: none; 0: do not
/// wait). Sets the stream's read timeout, shared by all handles of the stream. Traps: unknown id.
HostResult<void> set_read_timeout(CallContext& ctx, uint64_t stream_id, uint64_t timeout_ms) {
  return set_timeout(ctx, stream_id, timeout_ms, &Socket::read_timeout);
}
/// Returns the stream's read timeout in ms (u64::MAX: none). Traps: unknown id.
HostResult<int64_t> get_read_timeout(CallContext& ctx, uint64_t stream_id) {
  return get_timeout(ctx, stream_id, &Socket::read_timeout);
}
/// As set_read_timeout, for tcp_write_vectored.
HostResult<void> set_write_timeout(CallContext& ctx, uint64_t stream_id, uint64_t timeout_ms) {
  return set_timeout(ctx, stream_id, timeout_ms, &Socket::write_timeout);
}
/// As get_read_timeout, for tcp_write_vectored.
HostResult<int64_t> get_write_timeout(CallContext& ctx, uint64_t stream_id) {
  return get_timeout(ctx, stream_id, &Socket::write_timeout);
}
/// As set_read_timeout, for tcp_peek.
HostResult<void> set_peek_timeout(CallContext& ctx, uint64_t stream_id, uint64_t timeout_ms) {
  return set_timeout(ctx, stream_id, timeout_ms, &Socket::peek_timeout);
}
/// As get_read_timeout, for tcp_peek.
HostResult<int64_t> get_peek_timeout(CallContext& ctx, uint64_t stream_id) {
  return get_timeout(ctx, stream_id, &Socket::peek_timeout);
}

}  // namespace lunatic::host::networking
