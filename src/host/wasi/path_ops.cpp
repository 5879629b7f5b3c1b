// path_* calls that act on a name in a directory: create and remove directories, unlink,
// rename, stat, set times, symlink, readlink, link. Each resolves the parent below the guest's
// directory fd (path.hpp) and acts on the last component with the *at(2) call, which never
// follows it unless the guest asked to, and then only inside the directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "host/wasi/functions.hpp"
#include "host/wasi/path.hpp"

namespace lunatic::host::wasi {
namespace {

// Every call checks in the order preview1 implementations report (wasmtime decodes its
// arguments first): unknown flag bits (INVAL), then each directory fd (BADF, NOTDIR,
// NOTCAPABLE: WasiContext::lookup_dir), then each path (path.hpp), then the host's answer.

/// Resolves `path` below directory `dir`; on success `out` holds the parent.
Errno resolve_in(const FdEntry& dir, const GuestSpan<uint8_t>& path, ParentAndLeaf& out) {
  out = resolve_parent(dir.host_fd, path_view(path));
  return out.error;
}

/// Resolves `path` below guest directory fd `fd` holding `rights`.
Errno parent_of(WasiContext& w, uint32_t fd, uint64_t rights, const GuestSpan<uint8_t>& path,
                ParentAndLeaf& out) {
  FdEntry* dir = nullptr;
  if (Errno err = w.lookup_dir(fd, rights, &dir); err != Errno::Success) return err;
  return resolve_in(*dir, path, out);
}

/// `path` below `dir` as an O_PATH fd of the file itself, following a final symlink inside.
Opened open_followed(const FdEntry& dir, const GuestSpan<uint8_t>& path) {
  return open_beneath(dir.host_fd, path_view(path), O_PATH, 0, true);
}

/// "/proc/self/fd/N": lets calls without an *at form that follows safely (utimensat, linkat)
/// act on an O_PATH fd the resolution produced.
std::string proc_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

/// Runs `op(parent, leaf)` on `path` below `fd` holding `rights`.
template <class Op>
WasiResult at_leaf(CallContext& ctx, uint32_t fd, uint64_t rights, const GuestSpan<uint8_t>& path,
                   Op op) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  ParentAndLeaf p;
  if (Errno err = parent_of(*w, fd, rights, path, p); err != Errno::Success) return code(err);
  if (op(p.dir.get(), p.leaf.c_str()) != 0) return code(errno_from_host(errno));
  return code(Errno::Success);
}

}  // namespace

WasiResult path_create_directory(CallContext& ctx, uint32_t fd, GuestSpan<uint8_t> path) {
  return at_leaf(ctx, fd, abi::kRightPathCreateDirectory, path,
                 [](int dir, const char* leaf) { return mkdirat(dir, leaf, 0777); });
}

WasiResult path_remove_directory(CallContext& ctx, uint32_t fd, GuestSpan<uint8_t> path) {
  return at_leaf(ctx, fd, abi::kRightPathRemoveDirectory, path,
                 [](int dir, const char* leaf) { return unlinkat(dir, leaf, AT_REMOVEDIR); });
}

WasiResult path_unlink_file(CallContext& ctx, uint32_t fd, GuestSpan<uint8_t> path) {
  return at_leaf(ctx, fd, abi::kRightPathUnlinkFile, path,
                 [](int dir, const char* leaf) { return unlinkat(dir, leaf, 0); });
}

WasiResult path_rename(CallContext& ctx, uint32_t fd, GuestSpan<uint8_t> old_path, uint32_t new_fd,
                       GuestSpan<uint8_t> new_path) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* from_dir = nullptr;
  FdEntry* to_dir = nullptr;
  if (Errno err = w->lookup_dir(fd, abi::kRightPathRenameSource, &from_dir);
      err != Errno::Success) {
    return code(err);
  }
  if (Errno err = w->lookup_dir(new_fd, abi::kRightPathRenameTarget, &to_dir);
      err != Errno::Success) {
    return code(err);
  }
  ParentAndLeaf from;
  ParentAndLeaf to;
  if (Errno err = resolve_in(*from_dir, old_path, from); err != Errno::Success) return code(err);
  if (Errno err = resolve_in(*to_dir, new_path, to); err != Errno::Success) return code(err);
  if (renameat(from.dir.get(), from.leaf.c_str(), to.dir.get(), to.leaf.c_str()) != 0) {
    return code(errno_from_host(errno));
  }
  return code(Errno::Success);
}

WasiResult path_filestat_get(CallContext& ctx, uint32_t fd, uint32_t flags, GuestSpan<uint8_t> path,
                             GuestPtr<abi::Filestat> out) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  if ((flags & ~abi::kLookupflagsAll) != 0) return code(Errno::Inval);
  FdEntry* dir = nullptr;
  if (Errno err = w->lookup_dir(fd, abi::kRightPathFilestatGet, &dir); err != Errno::Success) {
    return code(err);
  }
  struct stat st {};
  if ((flags & abi::kLookupSymlinkFollow) != 0) {
    Opened file = open_followed(*dir, path);
    if (file.error != Errno::Success) return code(file.error);
    if (fstat(file.fd.get(), &st) != 0) return code(errno_from_host(errno));
  } else {
    ParentAndLeaf p;
    if (Errno err = resolve_in(*dir, path, p); err != Errno::Success) return code(err);
    if (fstatat(p.dir.get(), p.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return code(errno_from_host(errno));
    }
  }
  out.write(to_filestat(st));
  return code(Errno::Success);
}

WasiResult path_filestat_set_times(CallContext& ctx, uint32_t fd, uint32_t flags,
                                   GuestSpan<uint8_t> path, uint64_t atim, uint64_t mtim,
                                   uint32_t fst_flags) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  if ((flags & ~abi::kLookupflagsAll) != 0) return code(Errno::Inval);
  // Both a time and "now" for one stamp is INVAL before the fd is looked at, as in wasmtime.
  timespec times[2];
  if (!to_utimens(atim, mtim, fst_flags, times)) return code(Errno::Inval);
  if ((flags & abi::kLookupSymlinkFollow) != 0) {
    FdEntry* dir = nullptr;
    if (Errno err = w->lookup_dir(fd, abi::kRightPathFilestatSetTimes, &dir);
        err != Errno::Success) {
      return code(err);
    }
    Opened file = open_followed(*dir, path);
    if (file.error != Errno::Success) return code(file.error);
    if (utimensat(AT_FDCWD, proc_path(file.fd.get()).c_str(), times, 0) != 0) {
      return code(errno_from_host(errno));
    }
    return code(Errno::Success);
  }
  return at_leaf(ctx, fd, abi::kRightPathFilestatSetTimes, path, [&](int dir, const char* leaf) {
    return utimensat(dir, leaf, times, AT_SYMLINK_NOFOLLOW);
  });
}

WasiResult path_symlink(CallContext& ctx, GuestSpan<uint8_t> old_path, uint32_t fd,
                        GuestSpan<uint8_t> new_path) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* dir = nullptr;
  if (Errno err = w->lookup_dir(fd, abi::kRightPathSymlink, &dir); err != Errno::Success) {
    return code(err);
  }
  // The target is stored as given: it is a string, not a path resolved now. Following it
  // later is what resolution checks (an absolute or escaping target is refused then).
  std::string target(path_view(old_path));
  if (Errno err = check_guest_path(target); err != Errno::Success) return code(err);
  ParentAndLeaf p;
  if (Errno err = resolve_in(*dir, new_path, p); err != Errno::Success) return code(err);
  if (symlinkat(target.c_str(), p.dir.get(), p.leaf.c_str()) != 0) {
    return code(errno_from_host(errno));
  }
  return code(Errno::Success);
}

WasiResult path_readlink(CallContext& ctx, uint32_t fd, GuestSpan<uint8_t> path,
                         GuestMutSpan<uint8_t> buf, GuestPtr<uint32_t> bufused) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  ParentAndLeaf p;
  if (Errno err = parent_of(*w, fd, abi::kRightPathReadlink, path, p); err != Errno::Success) {
    return code(err);
  }
  // Straight into guest memory; a short buffer truncates, as readlink(2) does.
  std::span<uint8_t> out = buf.mut_bytes();
  if (out.empty()) {
    // readlink(2) refuses a size of 0 (EINVAL), but the witx result is "the number of bytes
    // placed in the buffer": for a symlink that is 0 (wasmtime's answer too). A one-byte host
    // buffer still tells a symlink from what is not one (EINVAL), or is missing.
    char probe = 0;
    if (readlinkat(p.dir.get(), p.leaf.c_str(), &probe, 1) < 0) {
      return code(errno_from_host(errno));
    }
    bufused.write(0);
    return code(Errno::Success);
  }
  ssize_t n =
      readlinkat(p.dir.get(), p.leaf.c_str(), reinterpret_cast<char*>(out.data()), out.size());
  if (n < 0) return code(errno_from_host(errno));
  bufused.write(static_cast<uint32_t>(n));
  return code(Errno::Success);
}

WasiResult path_link(CallContext& ctx, uint32_t old_fd, uint32_t old_flags,
                     GuestSpan<uint8_t> old_path, uint32_t new_fd, GuestSpan<uint8_t> new_path) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  if ((old_flags & ~abi::kLookupflagsAll) != 0) return code(Errno::Inval);
  FdEntry* from_dir = nullptr;
  FdEntry* to_dir = nullptr;
  if (Errno err = w->lookup_dir(old_fd, abi::kRightPathLinkSource, &from_dir);
      err != Errno::Success) {
    return code(err);
  }
  if (Errno err = w->lookup_dir(new_fd, abi::kRightPathLinkTarget, &to_dir);
      err != Errno::Success) {
    return code(err);
  }
  // The source is resolved first, as the arguments come.
  Opened file;
  ParentAndLeaf from;
  bool follow = (old_flags & abi::kLookupSymlinkFollow) != 0;
  if (follow) {
    // Follow the source inside its directory, then link the file that resolution found.
    file = open_followed(*from_dir, old_path);
    if (file.error != Errno::Success) return code(file.error);
  } else if (Errno err = resolve_in(*from_dir, old_path, from); err != Errno::Success) {
    return code(err);
  }
  ParentAndLeaf to;
  if (Errno err = resolve_in(*to_dir, new_path, to); err != Errno::Success) return code(err);
  int r = 0;
  if (follow) {
    r = linkat(AT_FDCWD, proc_path(file.fd.get()).c_str(), to.dir.get(), to.leaf.c_str(),
               AT_SYMLINK_FOLLOW);
  } else {
    r = linkat(from.dir.get(), from.leaf.c_str(), to.dir.get(), to.leaf.c_str(), 0);
  }
  if (r != 0) return code(errno_from_host(errno));
  return code(Errno::Success);
}

}  // namespace lunatic::host::wasi
