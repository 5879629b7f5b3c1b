// fd_* metadata calls: fdstat (type, flags, rights), filestat (get, size, times) and the
// preopen queries wasi-libc makes at startup.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "host/wasi/functions.hpp"

namespace lunatic::host::wasi {

WasiResult fd_fdstat_get(CallContext& ctx, uint32_t fd, GuestPtr<abi::Fdstat> out) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* e = nullptr;
  if (Errno err = w->lookup(fd, 0, &e); err != Errno::Success) return code(err);
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl < 0) return code(errno_from_host(errno));
  abi::Fdstat st{};
  st.fs_filetype = e->filetype;
  if ((fl & O_APPEND) != 0) st.fs_flags |= abi::kFdflagAppend;
  // A socket's or a stdio stream's host fd is always non-blocking (for the reactor): the
  // guest's flag is its own.
  const bool own_flag = e->socket || e->stream;
  if (own_flag ? e->nonblock : (fl & O_NONBLOCK) != 0) st.fs_flags |= abi::kFdflagNonblock;
  // O_SYNC includes O_DSYNC's bit on Linux: test the whole mask.
  if ((fl & O_SYNC) == O_SYNC) {
    st.fs_flags |= abi::kFdflagSync | abi::kFdflagRsync;
  } else if ((fl & O_DSYNC) != 0) {
    st.fs_flags |= abi::kFdflagDsync;
  }
  st.fs_rights_base = e->rights_base;
  st.fs_rights_inheriting = e->rights_inheriting;
  out.write(st);
  return code(Errno::Success);
}

WasiResult fd_fdstat_set_flags(CallContext& ctx, uint32_t fd, uint32_t flags) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  if ((flags & ~abi::kFdflagsAll) != 0) return code(Errno::Inval);  // decoded before the fd
  FdEntry* e = nullptr;
  if (Errno err = w->lookup(fd, abi::kRightFdFdstatSetFlags, &e); err != Errno::Success) {
    return code(err);
  }
  // Linux changes only O_APPEND and O_NONBLOCK on an open file: the sync flags cannot be
  // switched after open, so asking for them is Notsup rather than a silent no.
  if ((flags & (abi::kFdflagDsync | abi::kFdflagRsync | abi::kFdflagSync)) != 0) {
    return code(Errno::Notsup);
  }
  if (e->socket || e->stream) {
    // Only the guest's view changes (the host fd stays non-blocking, and a stdio stream's
    // host file is shared with the runtime); APPEND means nothing on a socket or a pipe.
    e->nonblock = (flags & abi::kFdflagNonblock) != 0;
    return code(Errno::Success);
  }
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl < 0) return code(errno_from_host(errno));
  fl &= ~(O_APPEND | O_NONBLOCK);
  if ((flags & abi::kFdflagAppend) != 0) fl |= O_APPEND;
  if ((flags & abi::kFdflagNonblock) != 0) fl |= O_NONBLOCK;
  if (!e->owned) {
    // The stdio host fds are shared with the runtime (its own stdout, other processes'):
    // only the guest's view could change, which preview1 cannot express. Accept a no-op.
    return code(Errno::Success);
  }
  if (fcntl(e->host_fd, F_SETFL, fl) != 0) return code(errno_from_host(errno));
  return code(Errno::Success);
}

WasiResult fd_fdstat_set_rights(CallContext& ctx, uint32_t fd, uint64_t base, uint64_t inheriting) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  if ((base & ~abi::kRightsAll) != 0 || (inheriting & ~abi::kRightsAll) != 0) {
    return code(Errno::Inval);  // bits no right has, decoded before the fd
  }
  FdEntry* e = nullptr;
  if (Errno err = w->lookup(fd, 0, &e); err != Errno::Success) return code(err);
  // Rights only ever narrow.
  if ((base & ~e->rights_base) != 0 || (inheriting & ~e->rights_inheriting) != 0) {
    return code(Errno::Notcapable);
  }
  e->rights_base = base;
  e->rights_inheriting = inheriting;
  return code(Errno::Success);
}

WasiResult fd_filestat_get(CallContext& ctx, uint32_t fd, GuestPtr<abi::Filestat> out) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* e = nullptr;
  if (Errno err = w->lookup(fd, abi::kRightFdFilestatGet, &e); err != Errno::Success) {
    return code(err);
  }
  struct stat st {};
  if (fstat(e->host_fd, &st) != 0) return code(errno_from_host(errno));
  out.write(to_filestat(st));
  return code(Errno::Success);
}

WasiResult fd_filestat_set_size(CallContext& ctx, uint32_t fd, uint64_t size) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* e = nullptr;
  if (Errno err = w->lookup(fd, abi::kRightFdFilestatSetSize, &e); err != Errno::Success) {
    return code(err);
  }
  if (size > static_cast<uint64_t>(INT64_MAX)) return code(Errno::Fbig);
  if (ftruncate(e->host_fd, static_cast<off_t>(size)) != 0) return code(errno_from_host(errno));
  return code(Errno::Success);
}

WasiResult fd_filestat_set_times(CallContext& ctx, uint32_t fd, uint64_t atim, uint64_t mtim,
                                 uint32_t fst_flags) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  // The flags are decoded before the fd is looked at, as in wasmtime.
  timespec times[2];
  if (!to_utimens(atim, mtim, fst_flags, times)) return code(Errno::Inval);
  FdEntry* e = nullptr;
  if (Errno err = w->lookup(fd, abi::kRightFdFilestatSetTimes, &e); err != Errno::Success) {
    return code(err);
  }
  if (futimens(e->host_fd, times) != 0) return code(errno_from_host(errno));
  return code(Errno::Success);
}

WasiResult fd_prestat_get(CallContext& ctx, uint32_t fd, GuestPtr<abi::Prestat> out) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* e = w->fds().get(fd);
  // Badf also for a non-preopen: wasi-libc scans fds from 3 upwards until Badf.
  if (e == nullptr || !e->is_preopen) return code(Errno::Badf);
  abi::Prestat p{};
  p.tag = abi::kPreopenDir;
  p.pr_name_len = static_cast<uint32_t>(e->preopen_name.size());
  out.write(p);
  return code(Errno::Success);
}

WasiResult fd_prestat_dir_name(CallContext& ctx, uint32_t fd, GuestMutSpan<uint8_t> path) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* e = w->fds().get(fd);
  if (e == nullptr || !e->is_preopen) return code(Errno::Badf);
  // The buffer must hold the whole name (no NUL): a short one is Nametoolong, not a silent
  // truncation that would make the guest resolve paths against the wrong prefix.
  if (path.size() < e->preopen_name.size()) return code(Errno::Nametoolong);
  std::memcpy(path.mut_bytes().data(), e->preopen_name.data(), e->preopen_name.size());
  return code(Errno::Success);
}

}  // namespace lunatic::host::wasi
