// The per-process table of guest file descriptors: each open guest fd owns (or, for stdio,
// borrows) one host fd plus its WASI rights; numbers are reused lowest-first, as in POSIX.
#pragma once

#include <dirent.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host/wasi/errno.hpp"

namespace lunatic::host::shared {
class Socket;
}
namespace lunatic::runtime {
class StdioStream;
}

namespace lunatic::host::wasi {

/// An owned host file descriptor, closed on destruction. -1 is "none".
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

/// One open guest fd.
struct FdEntry {
  /// The host fd. Owned entries close it when the entry dies; stdio entries borrow the
  /// runtime's 0, 1, 2 (closing the guest's stdout must not close the host's).
  int host_fd = -1;
  bool owned = false;
  uint8_t filetype = 0;  ///< abi::kFiletype*
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  /// For a preopened directory: the name the guest sees (fd_prestat_dir_name); else empty.
  std::string preopen_name;
  bool is_preopen = false;
  /// fd_readdir's directory stream, opened on first use (on its own open file description).
  DIR* dir_stream = nullptr;
  /// For a socket: the non-blocking OS socket, registered with the runtime's reactor (it owns
  /// host_fd; the entry does not). Null for every other fd.
  std::shared_ptr<shared::Socket> socket;
  /// For stdio (fds 0-2 as installed) that is a pipe, a terminal or a socket, in a runtime
  /// process: the runtime's non-blocking stream of it, registered with the reactor; fd_read,
  /// fd_write and poll_oneoff go through it (host_fd stays the shared fd, for fstat). Null for
  /// every other fd, and for stdio that never blocks (a regular file, /dev/null).
  std::shared_ptr<runtime::StdioStream> stream;
  /// The guest's FDFLAGS_NONBLOCK of a socket or a stream (the host fd itself is always
  /// non-blocking; without this flag a call that would block parks the process).
  bool nonblock = false;

  FdEntry() = default;
  FdEntry(const FdEntry&) = delete;
  FdEntry& operator=(const FdEntry&) = delete;
  ~FdEntry();

  bool has(uint64_t rights) const { return (rights_base & rights) == rights; }
};

/// Guest fd number -> entry. Not thread safe: one process, one table, one host call at a time.
class FdTable {
 public:
  /// At most this many open guest fds per process: past it, opens fail with MFILE, so a guest
  /// cannot grow the table (or hold host fds) without bound.
  static constexpr uint32_t kMaxFds = 1024;

  /// The entry of guest fd `fd`, or null if it is not open.
  FdEntry* get(uint32_t fd) const { return fd < entries_.size() ? entries_[fd].get() : nullptr; }
  /// Installs `entry` at the lowest free number; Mfile when the table is full (the entry, and
  /// its host fd, are then released).
  Errno insert(std::unique_ptr<FdEntry> entry, uint32_t* fd_out);
  /// Installs `entry` at number `fd` (which must be free or is replaced): stdio and preopens.
  void put(uint32_t fd, std::unique_ptr<FdEntry> entry);
  /// Closes guest fd `fd` (its host fd too, if owned). Badf if it is not open.
  Errno close(uint32_t fd);
  /// fd_renumber: `from` replaces `to` (whose entry is closed); `from` is then free.
  /// Badf if either is not open.
  Errno renumber(uint32_t from, uint32_t to);
  /// Number of open fds.
  size_t open_count() const;

 private:
  void trim();
  std::vector<std::unique_ptr<FdEntry>> entries_;
};

}  // namespace lunatic::host::wasi
