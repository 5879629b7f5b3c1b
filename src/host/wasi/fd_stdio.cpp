// fd_*: the guest's file descriptors 0, 1 and 2, backed by the host fds of the WasiContext.
// No other descriptor exists yet (no preopens), so everything else is EBADF.
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "host/wasi/functions.hpp"
#include "host/wasi/guest.hpp"

namespace lunatic::host::wasi {
namespace {

using engine::HostCall;
using engine::HostStatus;

/// Linux's IOV_MAX (and wasi-libc's): more iovecs in one call is EINVAL, so a hostile count
/// never sizes a host allocation.
constexpr uint32_t kMaxIovecs = 1024;

// preview1 `filetype` and `rights` bits used here.
constexpr uint8_t kFiletypeUnknown = 0;
constexpr uint8_t kFiletypeCharacterDevice = 2;
constexpr uint8_t kFiletypeRegularFile = 4;
constexpr uint8_t kFiletypeSocketStream = 6;
constexpr uint64_t kRightFdRead = 1u << 1;
constexpr uint64_t kRightFdWrite = 1u << 6;
constexpr uint64_t kRightPollFdReadwrite = 1u << 27;

bool is_open_stdio(const WasiContext& ctx, uint32_t fd) { return fd < 3 && !ctx.closed[fd]; }

uint8_t filetype_of(int host_fd) {
  struct stat st {};
  if (fstat(host_fd, &st) != 0) return kFiletypeUnknown;
  if (S_ISCHR(st.st_mode)) return kFiletypeCharacterDevice;
  if (S_ISREG(st.st_mode)) return kFiletypeRegularFile;
  if (S_ISSOCK(st.st_mode)) return kFiletypeSocketStream;
  return kFiletypeUnknown;  // pipes have no preview1 file type
}

}  // namespace

/// fd_write(fd, iovs: ciovec*, iovs_len, nwritten_out: u32*) -> errno.
/// Writes to the host's stdout (fd 1) or stderr (fd 2); EBADF for any other fd, EINVAL for
/// more than 1024 iovecs. Traps when the iovec array, a buffer or nwritten_out is outside memory.
HostStatus fd_write(WasiContext& ctx, HostCall& call) {
  Guest g(call);
  uint32_t fd = g.u32(0);
  uint32_t iovs_ptr = g.u32(1);
  uint32_t iovs_len = g.u32(2);
  uint32_t nwritten_ptr = g.u32(3);
  if (fd == 0 || !is_open_stdio(ctx, fd)) return g.ret(Errno::Badf);
  if (iovs_len > kMaxIovecs) return g.ret(Errno::Inval);
  // Check every pointer before the write: a trap must not follow a partial side effect.
  if (g.bytes(nwritten_ptr, 4) == nullptr) return g.out_of_bounds();
  if (g.bytes(iovs_ptr, uint64_t{8} * iovs_len) == nullptr) return g.out_of_bounds();
  std::vector<iovec> host_iovs;
  host_iovs.reserve(iovs_len);
  for (uint32_t i = 0; i < iovs_len; ++i) {
    uint32_t buf = 0;
    uint32_t len = 0;
    (void)g.load_u32(iovs_ptr + 8 * i, &buf);
    (void)g.load_u32(iovs_ptr + 8 * i + 4, &len);
    uint8_t* data = g.bytes(buf, len);
    if (data == nullptr) return g.out_of_bounds();
    if (len != 0) host_iovs.push_back(iovec{data, len});
  }
  ssize_t written = 0;
  if (!host_iovs.empty()) {
    do {
      written = writev(ctx.stdio_fds[fd], host_iovs.data(), static_cast<int>(host_iovs.size()));
    } while (written < 0 && errno == EINTR);
    if (written < 0) return g.ret(errno_from_host(errno));
  }
  (void)g.store_u32(nwritten_ptr, static_cast<uint32_t>(written));
  return g.ret(Errno::Success);
}

/// fd_close(fd) -> errno. Closes the guest's view of fd 0, 1 or 2 (the host fd stays open);
/// EBADF for other or already closed fds.
HostStatus fd_close(WasiContext& ctx, HostCall& call) {
  Guest g(call);
  uint32_t fd = g.u32(0);
  if (!is_open_stdio(ctx, fd)) return g.ret(Errno::Badf);
  ctx.closed[fd] = true;
  return g.ret(Errno::Success);
}

/// fd_seek(fd, offset: i64, whence, newoffset_out: u64*) -> errno. The stdio fds are streams:
/// ESPIPE; EBADF for other fds.
HostStatus fd_seek(WasiContext& ctx, HostCall& call) {
  Guest g(call);
  return g.ret(is_open_stdio(ctx, g.u32(0)) ? Errno::Spipe : Errno::Badf);
}

/// fd_fdstat_get(fd, out: fdstat*) -> errno. Writes the 24-byte fdstat of fd 0, 1 or 2: the
/// host fd's file type (a terminal is a character device, so wasi-libc's isatty works),
/// no flags, read (fd 0) or write (1, 2) rights. Traps when `out` is outside memory.
HostStatus fd_fdstat_get(WasiContext& ctx, HostCall& call) {
  Guest g(call);
  uint32_t fd = g.u32(0);
  if (!is_open_stdio(ctx, fd)) return g.ret(Errno::Badf);
  uint8_t* out = g.bytes(g.u32(1), 24);
  if (out == nullptr) return g.out_of_bounds();
  uint64_t rights = (fd == 0 ? kRightFdRead : kRightFdWrite) | kRightPollFdReadwrite;
  uint64_t inheriting = 0;
  std::memset(out, 0, 24);
  out[0] = filetype_of(ctx.stdio_fds[fd]);  // fs_filetype: u8 at 0; fs_flags: u16 at 2 (none)
  std::memcpy(out + 8, &rights, 8);         // fs_rights_base
  std::memcpy(out + 16, &inheriting, 8);    // fs_rights_inheriting
  return g.ret(Errno::Success);
}

/// fd_prestat_get(fd, out: prestat*) -> errno. No preopened directories yet: always EBADF,
/// which ends wasi-libc's scan of preopens at fd 3.
HostStatus fd_prestat_get(WasiContext&, HostCall& call) { return Guest(call).ret(Errno::Badf); }

/// fd_prestat_dir_name(fd, path: u8*, path_len) -> errno. Always EBADF (no preopens).
HostStatus fd_prestat_dir_name(WasiContext&, HostCall& call) {
  return Guest(call).ret(Errno::Badf);
}

}  // namespace lunatic::host::wasi
