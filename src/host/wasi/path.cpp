// open_beneath (openat2, or the walk) and resolve_parent.
#include "host/wasi/path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <deque>
#include <vector>

namespace lunatic::host::wasi {
namespace {

Opened failure(Errno e) { return Opened{UniqueFd(), e}; }
Opened from_host(int fd) {
  if (fd < 0) return failure(errno_from_resolve(errno));
  return Opened{UniqueFd(fd), Errno::Success};
}

/// Splits `path` at '/' into its non-empty components ("a//b/" -> a, b).
void split_into(std::string_view path, std::deque<std::string>& out, bool at_front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (at_front) {
    out.insert(out.begin(), parts.begin(), parts.end());
  } else {
    out.insert(out.end(), parts.begin(), parts.end());
  }
}

/// Reads the target of symlink `name` in `dir`; false (errno set) on failure.
bool read_link(int dir, const std::string& name, std::string& target) {
  std::array<char, kMaxPathBytes> buf;
  ssize_t n = readlinkat(dir, name.c_str(), buf.data(), buf.size());
  if (n < 0) return false;
  if (static_cast<size_t>(n) >= buf.size()) {
    errno = ENAMETOOLONG;
    return false;
  }
  target.assign(buf.data(), static_cast<size_t>(n));
  return true;
}

/// Whether openat2(2) works here: the kernel has it (Linux 5.6+) and no seccomp filter refuses
/// it (container runtimes older than the call answer EPERM, some ENOSYS, for every use, which
/// would otherwise turn every path_open into PERM). Probed once, on a path that always opens.
bool openat2_usable() {
  static const bool usable = [] {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
    if (fd < 0) return false;
    ::close(static_cast<int>(fd));
    return true;
  }();
  return usable;
}

bool is_symlink_at(int dir, const std::string& name) {
  struct stat st {};
  return fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

}  // namespace

Opened open_beneath(int dir_fd, std::string_view path, int flags, mode_t mode, bool follow_final) {
  if (Errno e = check_guest_path(path); e != Errno::Success) return failure(e);
  if (!openat2_usable()) return open_beneath_walk(dir_fd, path, flags, mode, follow_final);
  std::string p(path);
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | (follow_final ? 0 : O_NOFOLLOW));
  how.mode = (flags & O_CREAT) != 0 ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0; attempt < 8; ++attempt) {
    long fd = syscall(SYS_openat2, dir_fd, p.c_str(), &how, sizeof how);
    if (fd >= 0) return Opened{UniqueFd(static_cast<int>(fd)), Errno::Success};
    if (errno == ENOSYS) return open_beneath_walk(dir_fd, path, flags, mode, follow_final);
    // EAGAIN: a concurrent rename raced the resolution; the kernel asks for a retry.
    if (errno != EAGAIN && errno != EINTR) break;
  }
  return failure(errno_from_resolve(errno));
}

Opened open_beneath_walk(int dir_fd, std::string_view path, int flags, mode_t mode,
                         bool follow_final) {
  if (Errno e = check_guest_path(path); e != Errno::Success) return failure(e);
  if (path.empty()) return failure(Errno::Noent);
  if (path.front() == '/') return failure(Errno::Notcapable);
  // stack.back() is the current directory; empty means dir_fd itself. `..` pops, and a `..`
  // with nothing to pop would leave dir_fd: refused.
  std::vector<UniqueFd> stack;
  std::deque<std::string> pending;
  split_into(path, pending, false);
  bool must_be_dir = path.back() == '/';
  int links = 0;
  while (!pending.empty()) {
    std::string name = std::move(pending.front());
    pending.pop_front();
    int cur = stack.empty() ? dir_fd : stack.back().get();
    if (name == ".") continue;
    if (name == "..") {
      if (stack.empty()) return failure(Errno::Notcapable);
      stack.pop_back();
      continue;
    }
    bool last = pending.empty() && !must_be_dir;
    if (last) {
      // O_NOFOLLOW makes the check race-free: a name swapped for a symlink meanwhile gives
      // ELOOP, never a followed link.
      if (!follow_final || !is_symlink_at(cur, name)) {
        return from_host(openat(cur, name.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode));
      }
    } else {
      UniqueFd next(openat(cur, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (!next.valid()) return failure(errno_from_host(errno));
      struct stat st {};
      if (fstat(next.get(), &st) != 0) return failure(errno_from_host(errno));
      if (S_ISDIR(st.st_mode)) {
        stack.push_back(std::move(next));
        continue;
      }
      if (!S_ISLNK(st.st_mode)) return failure(Errno::Notdir);
    }
    // A symlink to expand: its target's components replace it.
    if (++links > kMaxSymlinks) return failure(Errno::Loop);
    std::string target;
    if (!read_link(cur, name, target)) return failure(errno_from_host(errno));
    if (target.empty()) return failure(Errno::Noent);
    if (target.front() == '/') return failure(Errno::Notcapable);
    if (target.back() == '/' && pending.empty()) must_be_dir = true;
    split_into(target, pending, true);
  }
  int cur = stack.empty() ? dir_fd : stack.back().get();
  return from_host(openat(cur, ".", flags | O_CLOEXEC, mode));
}

ParentAndLeaf resolve_parent(int dir_fd, std::string_view path) {
  ParentAndLeaf out;
  if (Errno e = check_guest_path(path); e != Errno::Success) {
    out.error = e;
    return out;
  }
  if (path.empty()) {
    out.error = Errno::Noent;
    return out;
  }
  if (path.front() == '/') {
    out.error = Errno::Notcapable;
    return out;
  }
  size_t end = path.find_last_not_of('/') + 1;  // path is relative, so a non-slash exists
  size_t slash = path.rfind('/', end - 1);
  size_t leaf_start = slash == std::string_view::npos ? 0 : slash + 1;
  std::string_view name = path.substr(leaf_start, end - leaf_start);
  Opened parent;
  if (name == "." || name == "..") {
    // Acting on "x/.." would reach a directory the name does not say: resolve it whole.
    parent = open_beneath(dir_fd, path, O_PATH | O_DIRECTORY, 0, true);
    out.leaf = ".";
  } else if (leaf_start == 0) {
    parent = from_host(fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
    out.leaf = std::string(path);
  } else {
    parent = open_beneath(dir_fd, path.substr(0, leaf_start), O_PATH | O_DIRECTORY, 0, true);
    out.leaf = std::string(path.substr(leaf_start));
  }
  out.dir = std::move(parent.fd);
  out.error = parent.error;
  return out;
}

Errno check_guest_path(std::string_view path) {
  if (path.size() >= kMaxPathBytes) return Errno::Nametoolong;
  if (path.find('\0') != std::string_view::npos) return Errno::Inval;
  return Errno::Success;
}

}  // namespace lunatic::host::wasi
