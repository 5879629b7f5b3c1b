// fd_read and fd_write on stdio served by the runtime's reactor (a pipe, a terminal or a socket:
// FdEntry::stream). The stream never blocks: a call that would block parks the process until the
// reactor sees the fd ready, unless the guest set FDFLAGS_NONBLOCK (then AGAIN).
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "host/shared/socket_wait.hpp"
#include "host/wasi/functions.hpp"
#include "runtime/stdio_streams.hpp"

namespace lunatic::host::wasi {
namespace {

using runtime::IoInterest;

/// What a stream call keeps across Parks: the wait, and (fd_write) the bytes already written.
struct StreamPending {
  shared::IoPending wait;
  size_t done = 0;
};

/// A write that finds a pipe full waits this long for room on the worker before it parks, at
/// most kBriefWaits times per attempt (1 ms of the worker in all: about one time slice).
/// Parking at once made `guest | cat` 2-5x slower on a loaded machine (two thread wake-ups
/// per 64 KiB pipe-full instead of the kernel's one); a stalled reader still parks the writer
/// after 1 ms.
constexpr long kBriefWaitNs = 100'000;
constexpr int kBriefWaits = 10;

/// Whether `fd` became writable within kBriefWaitNs.
bool wait_briefly(int fd) {
  pollfd p{fd, POLLOUT, 0};
  const timespec limit{0, kBriefWaitNs};
  return ppoll(&p, 1, &limit, nullptr) == 1 && (p.revents & POLLOUT) != 0;
}

/// Checks the guest's iovecs, then runs `attempt(host_iovecs, pending)` once when the guest's
/// fd is NONBLOCK (or without a scheduler to park on): Again if it would block; else until it
/// is done, parking the process in between.
template <class Attempt>
WasiResult run_stream_call(CallContext& ctx, FdEntry& e, const GuestSpan<abi::Iovec>& iovs,
                           IoInterest interest, Attempt&& attempt) {
  std::vector<iovec> host;
  HostResult<Errno> checked = host_iovecs(ctx, iovs, host);
  if (!checked.ok()) return std::move(checked).trap();
  if (checked.value() != Errno::Success) return code(checked.value());
  StreamPending& pending = ctx.pending<StreamPending>();
  auto once = [&]() -> std::optional<int32_t> { return attempt(host, pending); };
  auto* self = dynamic_cast<runtime::Process*>(&ctx.host<binding::HostContext>());
  if (e.nonblock || self == nullptr) {
    if (std::optional<int32_t> status = once()) return *status;
    return code(Errno::Again);
  }
  return shared::until_ready(*self, e.stream->source(), interest, pending.wait, once);
}

}  // namespace

WasiResult stream_read(CallContext& ctx, FdEntry& e, const GuestSpan<abi::Iovec>& iovs,
                       GuestPtr<uint32_t> nread) {
  const runtime::StdioStream& stream = *e.stream;
  // One read: whatever is there (a short count, as read(2) gives on a pipe); 0 at end of file.
  auto read_once = [&](std::vector<iovec>& host, StreamPending&) -> std::optional<int32_t> {
    ssize_t n = 0;
    if (!host.empty()) {
      do {
        n = stream.read(host.data(), static_cast<int>(host.size()));
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        if (shared::would_block(errno)) return std::nullopt;
        return static_cast<int32_t>(errno_from_host(errno));
      }
    }
    nread.write(static_cast<uint32_t>(n));
    return static_cast<int32_t>(Errno::Success);
  };
  return run_stream_call(ctx, e, iovs, IoInterest::Read, read_once);
}

WasiResult stream_write(CallContext& ctx, FdEntry& e, const GuestSpan<abi::Iovec>& iovs,
                        GuestPtr<uint32_t> nwritten) {
  const runtime::StdioStream& stream = *e.stream;
  const bool nonblock = e.nonblock;
  // As write(2) on a blocking fd: everything is written (in parts, parking while the pipe is
  // full) before the call returns; NONBLOCK writes what fits. Overlapping guest buffers can add
  // up past 4 GiB: stop where the count still fits the guest's u32.
  auto write_some = [&](std::vector<iovec>& host,
                        StreamPending& pending) -> std::optional<int32_t> {
    const size_t want = std::min(total_length(host), kMaxTransfer);
    int brief_waits = 0;
    while (pending.done < want) {
      std::vector<iovec> rest = iovec_window(host, pending.done, want - pending.done);
      ssize_t n = 0;
      do {
        n = stream.write(rest.data(), static_cast<int>(rest.size()));
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        if (shared::would_block(errno)) {
          if (nonblock && pending.done > 0) break;
          // A reader that keeps up makes room within microseconds: wait for it here, briefly
          // (at most kBriefWaits * kBriefWaitNs per attempt), rather than pay a park and a
          // wake-up through the reactor thread for every pipe-full.
          if (!nonblock && brief_waits++ < kBriefWaits && wait_briefly(stream.fd())) continue;
          return std::nullopt;
        }
        // Bytes already written are reported; the error shows on the next call.
        if (pending.done > 0) break;
        return static_cast<int32_t>(errno_from_host(errno));
      }
      if (n == 0) break;  // no progress on a non-empty write: not an error, not a wait
      pending.done += static_cast<size_t>(n);
    }
    nwritten.write(static_cast<uint32_t>(pending.done));
    return static_cast<int32_t>(Errno::Success);
  };
  return run_stream_call(ctx, e, iovs, IoInterest::Write, write_some);
}

}  // namespace lunatic::host::wasi
