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

/// Resolves `path` below guest fd `fd` holding `rights`; on success `out` holds the parent.
Errno parent_of(WasiContext& w, uint32_t fd, uint64_t rights, const GuestSpan<uint8_t>& path,
                ParentAndLeaf& out) {
  FdEntry* dir = nullptr;
  if (Errno err = w.lookup(fd, rights, &dir); err != Errno::Success) return err;
  out = resolve_parent(dir->host_fd, path_view(path));
  return out.error;
}

/// `path` below `fd` as an O_PATH fd of the file itself, following a final symlink inside.
Opened open_followed(WasiContext& w, uint32_t fd, uint64_t rights, const GuestSpan<uint8_t>& path) {
  FdEntry* dir = nullptr;
  if (Errno err = w.lookup(fd, rights, &dir); err != Errno::Success) return Opened{{}, err};
  return open_beneath(dir->host_fd, path_view(path), O_PATH, 0, true);
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
  ParentAndLeaf from;
  ParentAndLeaf to;
  if (Errno err = parent_of(*w, fd, abi::kRightPathRenameSource, old_path, from);
      err != Errno::Success) {
    return code(err);
  }
  if (Errno err = parent_of(*w, new_fd, abi::kRightPathRenameTarget, new_path, to);
      err != Errno::Success) {
    return code(err);
  }
  if (renameat(from.dir.get(), from.leaf.c_str(), to.dir.get(), to.leaf.c_str()) != 0) {
    return code(errno_from_host(errno));
  }
  return code(Errno::Success);
}

WasiResult path_filestat_get(CallContext& ctx, uint32_t fd, uint32_t flags, GuestSpan<uint8_t> path,
                             GuestPtr<abi::Filestat> out) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  struct stat st {};
  if ((flags & abi::kLookupSymlinkFollow) != 0) {
    Opened file = open_followed(*w, fd, abi::kRightPathFilestatGet, path);
    if (file.error != Errno::Success) return code(file.error);
    if (fstat(file.fd.get(), &st) != 0) return code(errno_from_host(errno));
  } else {
    ParentAndLeaf p;
    if (Errno err = parent_of(*w, fd, abi::kRightPathFilestatGet, path, p); err != Errno::Success) {
      return code(err);
    }
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
  timespec times[2];
  if (!to_utimens(atim, mtim, fst_flags, times)) return code(Errno::Inval);
  if ((flags & abi::kLookupSymlinkFollow) != 0) {
    Opened file = open_followed(*w, fd, abi::kRightPathFilestatSetTimes, path);
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
  // The target is stored as given: it is a string, not a path resolved now. Following it
  // later is what resolution checks (an absolute or escaping target is refused then).
  std::string target(path_view(old_path));
  if (Errno err = check_guest_path(target); err != Errno::Success) return code(err);
  return at_leaf(ctx, fd, abi::kRightPathSymlink, new_path,
                 [&](int dir, const char* leaf) { return symlinkat(target.c_str(), dir, leaf); });
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
  ParentAndLeaf to;
  if (Errno err = parent_of(*w, new_fd, abi::kRightPathLinkTarget, new_path, to);
      err != Errno::Success) {
    return code(err);
  }
  int r = 0;
  if ((old_flags & abi::kLookupSymlinkFollow) != 0) {
    // Follow the source inside its directory, then link the file that resolution found.
    Opened file = open_followed(*w, old_fd, abi::kRightPathLinkSource, old_path);
    if (file.error != Errno::Success) return code(file.error);
    r = linkat(AT_FDCWD, proc_path(file.fd.get()).c_str(), to.dir.get(), to.leaf.c_str(),
               AT_SYMLINK_FOLLOW);
  } else {
    ParentAndLeaf from;
    if (Errno err = parent_of(*w, old_fd, abi::kRightPathLinkSource, old_path, from);
        err != Errno::Success) {
      return code(err);
    }
    r = linkat(from.dir.get(), from.leaf.c_str(), to.dir.get(), to.leaf.c_str(), 0);
  }
  if (r != 0) return code(errno_from_host(errno));
  return code(Errno::Success);
}

}  // namespace lunatic::host::wasi
