// sock_accept, sock_recv, sock_send, sock_shutdown, and fd_read/fd_write on socket fds. The host
// sockets are non-blocking and registered with the runtime's reactor: a call that would block
// parks the process on it (host/shared/socket_wait.hpp's until_ready loop) unless the guest fd is
// NONBLOCK.
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "host/shared/socket_wait.hpp"
#include "host/shared/sockets.hpp"
#include "host/wasi/functions.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::wasi {
namespace {

using runtime::IoInterest;

/// The socket entry of `fd` holding `rights`: Badf if not open, Notsock if not a socket,
/// Notcapable without the rights.
Errno lookup_socket(WasiContext& w, uint32_t fd, uint64_t rights, FdEntry** out) {
  FdEntry* e = w.fds().get(fd);
  if (e == nullptr) return Errno::Badf;
  if (!e->socket) return Errno::Notsock;
  if (!e->has(rights)) return Errno::Notcapable;
  *out = e;
  return Errno::Success;
}

/// What sock_recv keeps across Parks: the wait, and (RECV_WAITALL) the bytes already received.
struct RecvPending {
  shared::IoPending wait;
  size_t done = 0;
};

/// One receive into `host` (after `pending.done` bytes): nullopt when it would block.
std::optional<int32_t> recv_attempt(int fd, bool nonblock, const std::vector<iovec>& host,
                                    uint32_t flags, RecvPending& pending,
                                    GuestPtr<uint32_t> datalen, const GuestPtr<uint16_t>* roflags) {
  const bool waitall =
      (flags & abi::kRiflagRecvWaitall) != 0 && (flags & abi::kRiflagRecvPeek) == 0;
  // Overlapping guest buffers can add up past 4 GiB: stop where Linux's single read would, so
  // the count fits ro_datalen (u32).
  const size_t want = std::min(total_length(host), kMaxTransfer);
  auto finish = [&](Errno err, uint16_t ro) -> int32_t {
    if (err == Errno::Success) {
      datalen.write(static_cast<uint32_t>(pending.done));
      if (roflags != nullptr) roflags->write(ro);
    }
    return static_cast<int32_t>(err);
  };
  for (;;) {
    if (want == 0 || pending.done >= want) return finish(Errno::Success, 0);
    std::vector<iovec> rest = iovec_window(host, pending.done, want - pending.done);
    msghdr msg{};
    msg.msg_iov = rest.data();
    msg.msg_iovlen = rest.size();
    const int host_flags = (flags & abi::kRiflagRecvPeek) != 0 ? MSG_PEEK : 0;
    ssize_t n = 0;
    do {
      n = recvmsg(fd, &msg, host_flags);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (shared::would_block(errno)) {
        // A NONBLOCK RECV_WAITALL returns what it has rather than dropping it with AGAIN.
        if (nonblock && pending.done > 0) return finish(Errno::Success, 0);
        return std::nullopt;
      }
      // Bytes already taken by RECV_WAITALL are reported; the error shows on the next call.
      if (pending.done > 0) return finish(Errno::Success, 0);
      return finish(errno_from_host(errno), 0);
    }
    pending.done += static_cast<size_t>(n);
    const uint16_t ro = (msg.msg_flags & MSG_TRUNC) != 0 ? abi::kRoflagRecvDataTruncated : 0;
    if (n == 0 || !waitall || pending.done >= want) return finish(Errno::Success, ro);
  }
}

/// Runs `attempt` once when `nonblock` (or without a scheduler to park on): Again if it would
/// block; else until it is done, parking the process on the reactor in between.
template <class Attempt>
WasiResult run_socket_call(CallContext& ctx, FdEntry& e, bool nonblock, IoInterest interest,
                           shared::IoPending& wait, Attempt&& attempt) {
  runtime::Process* self = dynamic_cast<runtime::Process*>(&ctx.host<binding::HostContext>());
  if (nonblock || self == nullptr) {
    if (std::optional<int32_t> status = attempt()) return *status;
    return code(Errno::Again);
  }
  return shared::until_ready(*self, *e.socket, interest, wait, attempt);
}

}  // namespace

WasiResult socket_recv(CallContext& ctx, FdEntry& e, const GuestSpan<abi::Iovec>& iovs,
                       uint32_t flags, GuestPtr<uint32_t> datalen,
                       const GuestPtr<uint16_t>* roflags) {
  std::vector<iovec> host;
  HostResult<Errno> checked = host_iovecs(ctx, iovs, host);
  if (!checked.ok()) return std::move(checked).trap();
  if (checked.value() != Errno::Success) return code(checked.value());
  RecvPending& pending = ctx.pending<RecvPending>();
  const int fd = e.host_fd;
  // Without a scheduler (a WasiProcess) nothing parks: as NONBLOCK.
  const bool nonblock =
      e.nonblock || dynamic_cast<runtime::Process*>(&ctx.host<binding::HostContext>()) == nullptr;
  return run_socket_call(ctx, e, nonblock, IoInterest::Read, pending.wait, [&] {
    return recv_attempt(fd, nonblock, host, flags, pending, datalen, roflags);
  });
}

WasiResult socket_send(CallContext& ctx, FdEntry& e, const GuestSpan<abi::Iovec>& iovs,
                       GuestPtr<uint32_t> datalen) {
  std::vector<iovec> host;
  HostResult<Errno> checked = host_iovecs(ctx, iovs, host);
  if (!checked.ok()) return std::move(checked).trap();
  if (checked.value() != Errno::Success) return code(checked.value());
  shared::IoPending& pending = ctx.pending<shared::IoPending>();
  const int fd = e.host_fd;
  return run_socket_call(ctx, e, e.nonblock, IoInterest::Write, pending,
                         [&]() -> std::optional<int32_t> {
                           ssize_t n = 0;
                           if (!host.empty()) {
                             msghdr msg{};
                             msg.msg_iov = host.data();
                             msg.msg_iovlen = host.size();
                             do {
                               // No SIGPIPE for a closed peer: the guest gets EPIPE.
                               n = sendmsg(fd, &msg, MSG_NOSIGNAL);
                             } while (n < 0 && errno == EINTR);
                           }
                           if (n < 0) {
                             if (shared::would_block(errno)) return std::nullopt;
                             return static_cast<int32_t>(errno_from_host(errno));
                           }
                           datalen.write(static_cast<uint32_t>(n));
                           return static_cast<int32_t>(Errno::Success);
                         });
}

/// sock_accept: a new guest fd for the next connection on listening socket `fd`.
WasiResult sock_accept(CallContext& ctx, uint32_t fd, uint32_t flags, GuestPtr<uint32_t> out) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  if ((flags & ~abi::kFdflagNonblock) != 0) return code(Errno::Inval);  // decoded before the fd
  FdEntry* e = nullptr;
  if (Errno err = lookup_socket(*w, fd, abi::kRightSockAccept, &e); err != Errno::Success) {
    return code(err);
  }
  // A full table refuses before accepting: the connection stays queued for later.
  if (w->fds().open_count() >= FdTable::kMaxFds) return code(Errno::Mfile);
  runtime::Process* self = dynamic_cast<runtime::Process*>(&ctx.host<binding::HostContext>());
  if (self == nullptr) return code(Errno::Notsup);  // no reactor to register the connection
  shared::IoPending& pending = ctx.pending<shared::IoPending>();
  const int host_fd = e->host_fd;
  // NONBLOCK in `flags` makes the accept itself non-blocking too (EAGAIN with no connection
  // queued), as well as the new fd: what wasi-libc's accept4(SOCK_NONBLOCK) callers expect.
  const bool nonblock = e->nonblock || (flags & abi::kFdflagNonblock) != 0;
  return run_socket_call(
      ctx, *e, nonblock, IoInterest::Read, pending, [&]() -> std::optional<int32_t> {
        int c = -1;
        do {
          c = accept4(host_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        } while (c < 0 && errno == EINTR);
        if (c < 0) {
          if (shared::would_block(errno)) return std::nullopt;
          return static_cast<int32_t>(errno_from_host(errno));
        }
        std::shared_ptr<shared::Socket> s = shared::Socket::adopt(self->runtime().io_reactor(), c);
        if (!s) return static_cast<int32_t>(errno_from_host(errno));
        uint32_t guest_fd = 0;
        const bool nonblock = (flags & abi::kFdflagNonblock) != 0;
        Errno err = w->add_socket(std::move(s), false, nonblock, &guest_fd);
        if (err == Errno::Success) out.write(guest_fd);
        return static_cast<int32_t>(err);
      });
}

/// sock_recv: receive into `ri_data` (RECV_PEEK, RECV_WAITALL); bytes and roflags out.
WasiResult sock_recv(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> ri_data,
                     uint32_t ri_flags, GuestPtr<uint32_t> ro_datalen,
                     GuestPtr<uint16_t> ro_flags) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  if ((ri_flags & ~(abi::kRiflagRecvPeek | abi::kRiflagRecvWaitall)) != 0) {
    return code(Errno::Inval);  // decoded before the fd
  }
  FdEntry* e = nullptr;
  if (Errno err = lookup_socket(*w, fd, abi::kRightFdRead, &e); err != Errno::Success) {
    return code(err);
  }
  return socket_recv(ctx, *e, ri_data, ri_flags, ro_datalen, &ro_flags);
}

/// sock_send: send `si_data` (no siflags are defined: non-zero is Inval).
WasiResult sock_send(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> si_data,
                     uint32_t si_flags, GuestPtr<uint32_t> so_datalen) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  if (si_flags != 0) return code(Errno::Inval);  // decoded before the fd
  FdEntry* e = nullptr;
  if (Errno err = lookup_socket(*w, fd, abi::kRightFdWrite, &e); err != Errno::Success) {
    return code(err);
  }
  return socket_send(ctx, *e, si_data, so_datalen);
}

/// sock_shutdown: shut down the read side (SHUT_RD = 1), the write side (SHUT_WR = 2) or both.
WasiResult sock_shutdown(CallContext& ctx, uint32_t fd, uint32_t how) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  int host_how = 0;
  switch (how) {  // decoded before the fd
    case abi::kSdflagRd: host_how = SHUT_RD; break;
    case abi::kSdflagWr: host_how = SHUT_WR; break;
    case abi::kSdflagRd | abi::kSdflagWr: host_how = SHUT_RDWR; break;
    default: return code(Errno::Inval);
  }
  FdEntry* e = nullptr;
  if (Errno err = lookup_socket(*w, fd, abi::kRightSockShutdown, &e); err != Errno::Success) {
    return code(err);
  }
  if (::shutdown(e->host_fd, host_how) != 0) return code(errno_from_host(errno));
  return code(Errno::Success);
}

}  // namespace lunatic::host::wasi
