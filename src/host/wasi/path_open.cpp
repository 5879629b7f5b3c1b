// path_open: opens a file or directory below a directory fd, with the rights the guest asks
// for narrowed to what the directory may hand on (its inheriting rights).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "host/wasi/functions.hpp"
#include "host/wasi/path.hpp"

namespace lunatic::host::wasi {
namespace {

/// The host open(2) flags for a request; Inval for unknown oflags/fdflags bits.
Errno host_flags(uint32_t oflags, uint64_t rights, uint32_t fdflags, int* out) {
  if ((oflags & ~(abi::kOflagCreat | abi::kOflagDirectory | abi::kOflagExcl | abi::kOflagTrunc)) !=
      0) {
    return Errno::Inval;
  }
  if ((fdflags & ~(abi::kFdflagAppend | abi::kFdflagDsync | abi::kFdflagNonblock |
                   abi::kFdflagRsync | abi::kFdflagSync)) != 0) {
    return Errno::Inval;
  }
  bool read = (rights & abi::kRightsReading) != 0;
  bool write = (rights & abi::kRightsWriting) != 0;
  int flags = O_NOCTTY;
  if ((oflags & abi::kOflagDirectory) != 0) {
    // Directories are only ever read; asking to write one is Isdir, as POSIX says.
    if (write) return Errno::Isdir;
    flags |= O_RDONLY | O_DIRECTORY;
  } else if (read && write) {
    flags |= O_RDWR;
  } else if (write) {
    flags |= O_WRONLY;
  } else if (read) {
    flags |= O_RDONLY;
  } else if ((oflags & (abi::kOflagCreat | abi::kOflagTrunc)) == 0) {
    // No data rights (stat-only, fd_filestat_get, path_* through it): a path fd needs no
    // permission to read the file.
    flags |= O_PATH;
  } else {
    flags |= O_RDONLY;
  }
  if ((oflags & abi::kOflagCreat) != 0) flags |= O_CREAT;
  if ((oflags & abi::kOflagExcl) != 0) flags |= O_EXCL;
  if ((oflags & abi::kOflagTrunc) != 0) flags |= O_TRUNC;
  if ((fdflags & abi::kFdflagAppend) != 0) flags |= O_APPEND;
  if ((fdflags & abi::kFdflagNonblock) != 0) flags |= O_NONBLOCK;
  if ((fdflags & abi::kFdflagDsync) != 0) flags |= O_DSYNC;
  if ((fdflags & (abi::kFdflagSync | abi::kFdflagRsync)) != 0) flags |= O_SYNC;
  *out = flags;
  return Errno::Success;
}

}  // namespace

WasiResult path_open(CallContext& ctx, uint32_t fd, uint32_t dirflags, GuestSpan<uint8_t> path,
                     uint32_t oflags, uint64_t rights_base, uint64_t rights_inheriting,
                     uint32_t fdflags, GuestPtr<uint32_t> opened) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* dir = nullptr;
  if (Errno err = w->lookup(fd, abi::kRightPathOpen, &dir); err != Errno::Success) {
    return code(err);
  }
  if ((oflags & abi::kOflagCreat) != 0 && !dir->has(abi::kRightPathCreateFile)) {
    return code(Errno::Notcapable);
  }
  if ((oflags & abi::kOflagTrunc) != 0 && !dir->has(abi::kRightPathFilestatSetSize)) {
    return code(Errno::Notcapable);
  }
  // What the new fd may do: what was asked, within what the directory hands on. Rights the
  // directory cannot hand on are dropped silently (as wasi-libc asks for "everything").
  uint64_t base = rights_base & dir->rights_inheriting;
  uint64_t inheriting = rights_inheriting & dir->rights_inheriting;
  int flags = 0;
  if (Errno err = host_flags(oflags, base, fdflags, &flags); err != Errno::Success) {
    return code(err);
  }
  Opened file = open_beneath(dir->host_fd, path_view(path), flags, 0666,
                             (dirflags & abi::kLookupSymlinkFollow) != 0);
  if (file.error != Errno::Success) return code(file.error);
  struct stat st {};
  if (fstat(file.fd.get(), &st) != 0) return code(errno_from_host(errno));
  auto entry = std::make_unique<FdEntry>();
  entry->filetype = filetype_of_mode(st.st_mode);
  if (entry->filetype == abi::kFiletypeDirectory) {
    base &= abi::kRightsDirectory;
  } else {
    base &= abi::kRightsFile;
    inheriting = 0;
  }
  // An fd opened without the host access mode must not claim the right to use it.
  int acc = flags & O_ACCMODE;
  if ((flags & O_PATH) != 0 || acc == O_WRONLY) base &= ~(abi::kRightFdRead | abi::kRightFdReaddir);
  if ((flags & O_PATH) != 0 || acc == O_RDONLY) base &= ~abi::kRightsWriting;
  entry->rights_base = base;
  entry->rights_inheriting = inheriting;
  entry->host_fd = file.fd.release();
  entry->owned = true;
  uint32_t guest_fd = 0;
  if (Errno err = w->fds().insert(std::move(entry), &guest_fd); err != Errno::Success) {
    return code(err);
  }
  opened.write(guest_fd);
  return code(Errno::Success);
}

}  // namespace lunatic::host::wasi
