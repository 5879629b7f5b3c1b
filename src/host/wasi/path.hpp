// Capability-safe path resolution: every guest path is resolved below a directory fd (a
// preopen or a directory opened from one) and can never name anything outside it.
//
// Refused, with Errno::Notcapable: absolute paths, `..` above the starting directory, and
// symlinks (anywhere in the path) whose target is absolute or climbs above it. A symlink
// loop is Errno::Loop. The kernel does the work where it can: openat2(2) with
// RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (Linux 5.6+); where openat2 is missing or refused
// (ENOSYS, or a seccomp filter's EPERM: probed once), a component-by-component walk with
// O_NOFOLLOW and openat gives the same answers.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "host/wasi/errno.hpp"
#include "host/wasi/fd_table.hpp"

namespace lunatic::host::wasi {

/// Longest guest path accepted (Linux's PATH_MAX); longer is Nametoolong.
inline constexpr size_t kMaxPathBytes = 4096;
/// Symlinks expanded in one resolution before it fails with Loop (Linux's limit).
inline constexpr int kMaxSymlinks = 40;

/// An fd, or why there is none.
struct Opened {
  UniqueFd fd;
  Errno error = Errno::Success;
};

/// Opens `path` below directory `dir_fd` with open(2) `flags` (O_CLOEXEC is added) and `mode`
/// (used with O_CREAT). `follow_final`: whether a symlink as the last component is followed
/// (inside the directory); if not, O_NOFOLLOW applies to it (ELOOP, or the link itself with
/// O_PATH). Symlinks before the last component are always followed, inside the directory.
Opened open_beneath(int dir_fd, std::string_view path, int flags, mode_t mode, bool follow_final);

/// The fallback walk of open_beneath, exposed so that tests run it on kernels with openat2.
Opened open_beneath_walk(int dir_fd, std::string_view path, int flags, mode_t mode,
                         bool follow_final);

/// A path split for the *at(2) calls that act on a name in a directory (mkdirat, unlinkat,
/// renameat, symlinkat, readlinkat, linkat, fstatat): `dir` is the resolved parent directory
/// (an O_PATH fd below the starting one) and `leaf` the last component, which is never `..`
/// (a path ending in `..` or `.` resolves whole, and leaf is "."). Trailing slashes stay on
/// `leaf`, so "dir/" still requires a directory. The leaf itself is not followed.
struct ParentAndLeaf {
  UniqueFd dir;
  std::string leaf;
  Errno error = Errno::Success;
};
ParentAndLeaf resolve_parent(int dir_fd, std::string_view path);

/// Checks a guest path's bytes: Inval if it contains NUL, Nametoolong past kMaxPathBytes.
/// Paths are bytes, as on Linux: they need not be UTF-8.
Errno check_guest_path(std::string_view path);

}  // namespace lunatic::host::wasi
