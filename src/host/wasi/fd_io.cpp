// fd_* data and lifetime calls: read, write (plain and positional), seek, tell, close, sync,
// advise, allocate, renumber. Data moves between the host fd and guest memory directly
// (readv/writev on the guest's buffers): no host buffer sized by the guest.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <optional>

#include "host/wasi/functions.hpp"

namespace lunatic::host::wasi {
namespace {

bool offset_fits(uint64_t v) {
  return v <= static_cast<uint64_t>(std::numeric_limits<off_t>::max());
}

/// The answer for an fd without FD_SEEK (or FD_TELL) asked to seek: SPIPE for a stream (a
/// terminal, a pipe, a socket: lseek(2)'s answer, and wasmtime's for stdio), NOTCAPABLE for
/// anything else (a directory never has the right; a file opened without it).
Errno seek_denied(const FdEntry& e) {
  switch (e.filetype) {
    case abi::kFiletypeCharacterDevice:
    case abi::kFiletypeSocketStream:
    case abi::kFiletypeSocketDgram:
    case abi::kFiletypeUnknown: return Errno::Spipe;  // FIFOs have no preview1 type
    default: return Errno::Notcapable;
  }
}

/// Looks up `fd` for a transfer: Badf when it is not open or lacks `access` (FD_READ or
/// FD_WRITE: POSIX's answer for reading a write-only fd, or a directory), then, if `seek`
/// (positional I/O), seek_denied's answer when it lacks FD_SEEK.
Errno lookup_for_io(WasiContext& w, uint32_t fd, uint64_t access, bool seek, FdEntry** out) {
  FdEntry* e = w.fds().get(fd);
  if (e == nullptr || !e->has(access)) return Errno::Badf;
  if (seek && !e->has(abi::kRightFdSeek)) return seek_denied(*e);
  *out = e;
  return Errno::Success;
}

/// One transfer on the guest's iovecs: `op` runs readv/writev/preadv/pwritev; EINTR retried.
/// `offset` is the positional offset (checked after the fd: bad fd before bad value), or
/// none for plain I/O.
template <class Op>
WasiResult transfer(CallContext& ctx, uint32_t fd, uint64_t access, std::optional<uint64_t> offset,
                    const GuestSpan<abi::Iovec>& iovs, GuestPtr<uint32_t> count, Op op) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* e = nullptr;
  if (Errno err = lookup_for_io(*w, fd, access, offset.has_value(), &e); err != Errno::Success) {
    return code(err);
  }
  if (offset.has_value() && !offset_fits(*offset)) return code(Errno::Inval);
  std::vector<iovec> host;
  HostResult<Errno> checked = host_iovecs(ctx, iovs, host);
  if (!checked.ok()) return std::move(checked).trap();
  if (checked.value() != Errno::Success) return code(checked.value());
  ssize_t n = 0;
  if (!host.empty()) {
    do {
      n = op(e->host_fd, host.data(), static_cast<int>(host.size()));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return code(errno_from_host(errno));
  }
  // Linux moves at most 0x7ffff000 bytes per call, so the count fits in a u32.
  count.write(static_cast<uint32_t>(n));
  return code(Errno::Success);
}

/// Runs `op(host_fd)` (returning 0 or -1 with errno) on `fd` holding `rights`.
template <class Op> WasiResult simple(CallContext& ctx, uint32_t fd, uint64_t rights, Op op) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* e = nullptr;
  if (Errno err = w->lookup(fd, rights, &e); err != Errno::Success) return code(err);
  if (op(e->host_fd) != 0) return code(errno_from_host(errno));
  return code(Errno::Success);
}

/// The entry of `fd` if it is a socket or a stdio stream holding `access` (fd_read/fd_write
/// go to their path then, which parks instead of blocking or failing with EAGAIN); null
/// otherwise.
FdEntry* parking_entry(CallContext& ctx, uint32_t fd, uint64_t access) {
  WasiContext* w = wasi_of(ctx);
  FdEntry* e = w == nullptr ? nullptr : w->fds().get(fd);
  return e != nullptr && (e->socket || e->stream) && e->has(access) ? e : nullptr;
}

}  // namespace

WasiResult fd_read(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> iovs,
                   GuestPtr<uint32_t> nread) {
  if (FdEntry* p = parking_entry(ctx, fd, abi::kRightFdRead)) {
    return p->socket ? socket_recv(ctx, *p, iovs, 0, nread, nullptr)
                     : stream_read(ctx, *p, iovs, nread);
  }
  return transfer(ctx, fd, abi::kRightFdRead, std::nullopt, iovs, nread,
                  [](int h, const iovec* v, int n) { return readv(h, v, n); });
}

WasiResult fd_write(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> iovs,
                    GuestPtr<uint32_t> nwritten) {
  if (FdEntry* p = parking_entry(ctx, fd, abi::kRightFdWrite)) {
    return p->socket ? socket_send(ctx, *p, iovs, nwritten) : stream_write(ctx, *p, iovs, nwritten);
  }
  return transfer(ctx, fd, abi::kRightFdWrite, std::nullopt, iovs, nwritten,
                  [](int h, const iovec* v, int n) { return writev(h, v, n); });
}

WasiResult fd_pread(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> iovs, uint64_t offset,
                    GuestPtr<uint32_t> nread) {
  auto off = static_cast<off_t>(offset);
  return transfer(ctx, fd, abi::kRightFdRead, offset, iovs, nread,
                  [off](int h, const iovec* v, int n) { return preadv(h, v, n, off); });
}

WasiResult fd_pwrite(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> iovs, uint64_t offset,
                     GuestPtr<uint32_t> nwritten) {
  auto off = static_cast<off_t>(offset);
  return transfer(ctx, fd, abi::kRightFdWrite, offset, iovs, nwritten,
                  [off](int h, const iovec* v, int n) { return pwritev(h, v, n, off); });
}

WasiResult fd_seek(CallContext& ctx, uint32_t fd, int64_t offset, uint32_t whence,
                   GuestPtr<uint64_t> newoffset) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  int host_whence = 0;
  switch (whence) {
    case abi::kWhenceSet: host_whence = SEEK_SET; break;
    case abi::kWhenceCur: host_whence = SEEK_CUR; break;
    case abi::kWhenceEnd: host_whence = SEEK_END; break;
    default: return code(Errno::Inval);
  }
  FdEntry* e = nullptr;
  if (Errno err = w->lookup(fd, 0, &e); err != Errno::Success) return code(err);
  // FD_SEEK implies FD_TELL; asking where we are needs only FD_TELL (wasi-libc's ftell is a
  // seek by 0 from CUR).
  bool tell_only = whence == abi::kWhenceCur && offset == 0;
  if (!e->has(abi::kRightFdSeek) && !(tell_only && e->has(abi::kRightFdTell))) {
    return code(seek_denied(*e));
  }
  off_t at = lseek(e->host_fd, static_cast<off_t>(offset), host_whence);
  if (at < 0) return code(errno_from_host(errno));
  newoffset.write(static_cast<uint64_t>(at));
  return code(Errno::Success);
}

WasiResult fd_tell(CallContext& ctx, uint32_t fd, GuestPtr<uint64_t> offset) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* e = nullptr;
  if (Errno err = w->lookup(fd, 0, &e); err != Errno::Success) return code(err);
  if (!e->has(abi::kRightFdTell) && !e->has(abi::kRightFdSeek)) return code(seek_denied(*e));
  off_t at = lseek(e->host_fd, 0, SEEK_CUR);
  if (at < 0) return code(errno_from_host(errno));
  offset.write(static_cast<uint64_t>(at));
  return code(Errno::Success);
}

WasiResult fd_close(CallContext& ctx, uint32_t fd) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  return code(w->fds().close(fd));
}

WasiResult fd_sync(CallContext& ctx, uint32_t fd) {
  return simple(ctx, fd, abi::kRightFdSync, [](int h) { return fsync(h); });
}

WasiResult fd_datasync(CallContext& ctx, uint32_t fd) {
  return simple(ctx, fd, abi::kRightFdDatasync, [](int h) { return fdatasync(h); });
}

WasiResult fd_advise(CallContext& ctx, uint32_t fd, uint64_t offset, uint64_t len,
                     uint32_t advice) {
  static constexpr int kHostAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                                        POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                                        POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  if (advice >= std::size(kHostAdvice)) return code(Errno::Inval);  // decoded before the fd
  return simple(ctx, fd, abi::kRightFdAdvise, [&](int h) {
    if (!offset_fits(offset) || !offset_fits(len)) {
      errno = EINVAL;
      return -1;
    }
    int r =
        posix_fadvise(h, static_cast<off_t>(offset), static_cast<off_t>(len), kHostAdvice[advice]);
    // posix_fadvise returns the error instead of setting errno; advice on a pipe is ESPIPE.
    errno = r;
    return r == 0 ? 0 : -1;
  });
}

WasiResult fd_allocate(CallContext& ctx, uint32_t fd, uint64_t offset, uint64_t len) {
  return simple(ctx, fd, abi::kRightFdAllocate, [&](int h) {
    if (!offset_fits(offset) || !offset_fits(len) || !offset_fits(offset + len)) {
      errno = EFBIG;  // both below 2^63, so the sum cannot wrap a u64
      return -1;
    }
    int r = posix_fallocate(h, static_cast<off_t>(offset), static_cast<off_t>(len));
    errno = r;
    return r == 0 ? 0 : -1;
  });
}

WasiResult fd_renumber(CallContext& ctx, uint32_t from, uint32_t to) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  return code(w->fds().renumber(from, to));
}

}  // namespace lunatic::host::wasi
