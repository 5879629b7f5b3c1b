// path_open: opens a file or directory below a directory fd, with the rights the guest asks
// for, which the directory must be able to hand on (its inheriting rights).
//
// The rules, from the preview1 witx (`path_open`, `rights`, `oflags`, `fdflags`,
// `lookupflags`) and, where the witx is silent, from what wasmtime answers; checked in this
// order, the first failure is the answer:
//  1. INVAL: a bit outside `oflags`, `fdflags`, `lookupflags` or `rights` (wasmtime decodes
//     the flag arguments before anything else and refuses unknown bits).
//  2. BADF: `fd` is not open. NOTDIR: it is open but not a directory.
//  3. NOTCAPABLE: `fd` lacks PATH_OPEN; CREAT needs PATH_CREATE_FILE and TRUNC
//     PATH_FILESTAT_SET_SIZE on `fd`; every right asked for (base and inheriting) must be in
//     `fd`'s inheriting rights, and so must FD_DATASYNC for DSYNC and FD_SYNC for RSYNC/SYNC
//     ("fd_sync: if path_open is set, includes the right to invoke path_open with
//     fdflags::rsync and fdflags::dsync").
//  4. INVAL: DIRECTORY together with CREAT, EXCL or TRUNC (wasmtime's answer).
//  5. The path (path.hpp): INVAL for a NUL, NAMETOOLONG, NOTCAPABLE for an escape (absolute,
//     `..` above `fd`, a symlink out), LOOP for a loop; without SYMLINK_FOLLOW a final
//     symlink is LOOP (NOTDIR with DIRECTORY, as Linux says); then the host's answer
//     (NOENT, EXIST, NOTDIR, ISDIR for a directory opened for writing, ACCES, ...).
// The new fd gets the rights asked for, less those that do not apply to what was opened (the
// witx allows exactly that): a directory keeps directory rights, a file file rights and no
// inheriting ones. An fd asked for no right that needs an open file (abi.hpp) is an O_PATH
// handle: it opens whatever the guest may name, even a file it may not read. No open waits:
// a FIFO opens at once (for writing with no reader: NXIO), as with NONBLOCK.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "host/wasi/functions.hpp"
#include "host/wasi/path.hpp"

namespace lunatic::host::wasi {
namespace {

/// The rights `fd` must hold in its base rights for this open.
uint64_t needed_base(uint32_t oflags) {
  uint64_t r = abi::kRightPathOpen;
  if ((oflags & abi::kOflagCreat) != 0) r |= abi::kRightPathCreateFile;
  if ((oflags & abi::kOflagTrunc) != 0) r |= abi::kRightPathFilestatSetSize;
  return r;
}

/// The rights `fd` must be able to hand on (its inheriting rights) for this open.
uint64_t needed_inheriting(uint64_t base, uint64_t inheriting, uint32_t fdflags) {
  uint64_t r = base | inheriting;
  if ((fdflags & abi::kFdflagDsync) != 0) r |= abi::kRightFdDatasync;
  if ((fdflags & (abi::kFdflagRsync | abi::kFdflagSync)) != 0) r |= abi::kRightFdSync;
  return r;
}

/// The host open(2) flags for a checked request.
int host_flags(uint32_t oflags, uint64_t rights, uint32_t fdflags) {
  bool creates = (oflags & (abi::kOflagCreat | abi::kOflagTrunc)) != 0;
  int dir = (oflags & abi::kOflagDirectory) != 0 ? O_DIRECTORY : 0;
  if ((rights & abi::kRightsNeedingOpenFile) == 0 && !creates) {
    // openat2 refuses any flag beside O_PATH but O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC
    // (EINVAL): the fdflags mean nothing on a handle that moves no data.
    return O_PATH | dir;
  }
  bool read = (rights & abi::kRightsReading) != 0;
  bool write = (rights & abi::kRightsWriting) != 0;
  // Neither read nor write rights (only seek, sync, ...): a read-only open, as wasmtime does.
  int flags = O_NOCTTY | dir | (read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY);
  if ((oflags & abi::kOflagCreat) != 0) flags |= O_CREAT;
  if ((oflags & abi::kOflagExcl) != 0) flags |= O_EXCL;
  if ((oflags & abi::kOflagTrunc) != 0) flags |= O_TRUNC;
  if ((fdflags & abi::kFdflagAppend) != 0) flags |= O_APPEND;
  // Always without waiting: open(2) of a FIFO waits for its other end, which would hold the
  // worker thread (path_open restores the guest's blocking mode right after).
  flags |= O_NONBLOCK;
  if ((fdflags & abi::kFdflagDsync) != 0) flags |= O_DSYNC;
  if ((fdflags & (abi::kFdflagSync | abi::kFdflagRsync)) != 0) flags |= O_SYNC;
  return flags;
}

}  // namespace

WasiResult path_open(CallContext& ctx, uint32_t fd, uint32_t dirflags, GuestSpan<uint8_t> path,
                     uint32_t oflags, uint64_t rights_base, uint64_t rights_inheriting,
                     uint32_t fdflags, GuestPtr<uint32_t> opened) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  if ((oflags & ~abi::kOflagsAll) != 0 || (fdflags & ~abi::kFdflagsAll) != 0 ||
      (dirflags & ~abi::kLookupflagsAll) != 0 || (rights_base & ~abi::kRightsAll) != 0 ||
      (rights_inheriting & ~abi::kRightsAll) != 0) {
    return code(Errno::Inval);
  }
  FdEntry* dir = nullptr;
  if (Errno err = w->lookup_dir(fd, needed_base(oflags), &dir); err != Errno::Success) {
    return code(err);
  }
  if ((needed_inheriting(rights_base, rights_inheriting, fdflags) & ~dir->rights_inheriting) != 0) {
    return code(Errno::Notcapable);
  }
  if ((oflags & abi::kOflagDirectory) != 0 &&
      (oflags & (abi::kOflagCreat | abi::kOflagExcl | abi::kOflagTrunc)) != 0) {
    return code(Errno::Inval);
  }
  int flags = host_flags(oflags, rights_base, fdflags);
  bool follow = (dirflags & abi::kLookupSymlinkFollow) != 0;
  Opened file = open_beneath(dir->host_fd, path_view(path), flags, 0666, follow);
  if (file.error != Errno::Success) return code(file.error);
  struct stat st {};
  if (fstat(file.fd.get(), &st) != 0) return code(errno_from_host(errno));
  // O_PATH | O_NOFOLLOW opens a final symlink itself; preview1 says LOOP, as open(2) does
  // for O_NOFOLLOW without O_PATH.
  if (S_ISLNK(st.st_mode)) return code(Errno::Loop);
  if ((flags & O_PATH) == 0 && (fdflags & abi::kFdflagNonblock) == 0) {
    int fl = fcntl(file.fd.get(), F_GETFL);
    if (fl < 0 || fcntl(file.fd.get(), F_SETFL, fl & ~O_NONBLOCK) != 0) {
      return code(errno_from_host(errno));
    }
  }
  auto entry = std::make_unique<FdEntry>();
  entry->filetype = filetype_of_mode(st.st_mode);
  uint64_t base = rights_base;
  uint64_t inheriting = rights_inheriting;
  if (entry->filetype == abi::kFiletypeDirectory) {
    base &= abi::kRightsDirectory;
  } else {
    base &= abi::kRightsFile;
    inheriting = 0;
  }
  // Only rights the host access mode supports (host_flags chose it from the rights, so this
  // drops nothing asked for; it keeps the invariant in one place).
  int acc = flags & O_ACCMODE;
  if ((flags & O_PATH) != 0) base &= ~abi::kRightsNeedingOpenFile;
  if (acc == O_WRONLY) base &= ~abi::kRightsReading;
  if (acc == O_RDONLY) base &= ~abi::kRightsWriting;
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
