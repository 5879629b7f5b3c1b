// StdioStreams: the runtime's stdin, stdout and stderr, when they are pipes, terminals or
// sockets, as private non-blocking fds registered with the I/O reactor, so that a process whose
// stdio read or write would block parks instead of blocking a worker thread.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>

#include "runtime/io_reactor.hpp"

namespace lunatic::runtime {

/// One of fds 0-2 served through the reactor. Pipes, FIFOs and terminals are reopened through
/// /proc/self/fd/N: a new open file description of the same pipe or terminal, made
/// non-blocking without touching the flags of the inherited one, which the runtime shares
/// with its parent shell and the other processes of the pipeline (docs/design.md, "Stdio").
/// A socket cannot be reopened: its fd is duplicated and each call passes MSG_DONTWAIT.
/// Shared by the fd tables of every process that uses it; thread-safe (the kernel orders
/// concurrent reads and writes).
class StdioStream {
 public:
  enum class Kind : uint8_t { Pipe, Terminal, Socket };

  StdioStream(IoReactor& reactor, Kind kind, int fd, std::shared_ptr<IoSource> source)
      : reactor_(reactor), kind_(kind), fd_(fd), source_(std::move(source)) {}
  /// Deregisters, then closes the private fd.
  ~StdioStream();
  StdioStream(const StdioStream&) = delete;
  StdioStream& operator=(const StdioStream&) = delete;

  Kind kind() const { return kind_; }
  /// The private fd (poll it; read and write through read() and write()).
  int fd() const { return fd_; }
  const std::shared_ptr<IoSource>& source() const { return source_; }

  /// readv(2) / writev(2) that never block: -1 with errno EAGAIN when they would. EINTR is
  /// left to the caller. A write to a closed reader is EPIPE (no SIGPIPE from a socket).
  ssize_t read(const iovec* iov, int count) const;
  ssize_t write(const iovec* iov, int count) const;

 private:
  IoReactor& reactor_;
  const Kind kind_;
  const int fd_;
  const std::shared_ptr<IoSource> source_;
};

/// The streams of host fds 0, 1 and 2, and their file types, each looked up on first use and
/// kept until the runtime goes. Thread-safe.
class StdioStreams {
 public:
  explicit StdioStreams(IoReactor& reactor) : reactor_(reactor) {}
  StdioStreams(const StdioStreams&) = delete;
  StdioStreams& operator=(const StdioStreams&) = delete;

  /// The stream of host fd `fd` (0, 1 or 2), or null when I/O on it is plain: a regular file,
  /// /dev/null or another device that is no terminal (they never block), a closed fd, any
  /// other fd number, or a pipe or terminal that could not be reopened (no /proc, a pipe whose
  /// reader is gone, a terminal we may not open): those keep blocking I/O on the shared fd.
  /// The answer is fixed by the first call for each fd.
  std::shared_ptr<StdioStream> stream(int fd) { return lookup(fd).stream; }

  /// What the first use of host fd `fd` found: its file type, and its stream as stream()
  /// says.
  struct Fd {
    mode_t type = 0;  ///< st_mode & S_IFMT, or 0 (a closed fd, or not one of 0-2)
    std::shared_ptr<StdioStream> stream;
  };
  /// Host fd `fd`'s type and stream, fixed by the first call for each fd (one fstat per fd in
  /// the runtime's life, not one per process that uses it).
  Fd lookup(int fd);

 private:
  std::shared_ptr<StdioStream> open(int fd, const struct stat& st);

  IoReactor& reactor_;
  std::mutex mutex_;
  std::array<bool, 3> looked_up_{};  ///< under mutex_
  std::array<Fd, 3> fds_;            ///< under mutex_
};

}  // namespace lunatic::runtime
