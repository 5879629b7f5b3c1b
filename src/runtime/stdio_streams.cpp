// StdioStreams: classifying fds 0-2, reopening pipes and terminals non-blocking, and the I/O
// that never blocks.
#include "runtime/stdio_streams.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace lunatic::runtime {
namespace {

/// A new open file description of the pipe or terminal `fd` (non-blocking, close-on-exec, never
/// our controlling terminal), or -1. Checked to be the same file: /proc/self/fd/N is a magic
/// link to the inode, but a stale or emulated /proc could name another.
int reopen_nonblocking(int fd, const struct stat& st) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return -1;
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  int fresh = -1;
  do {
    fresh = ::open(path.c_str(), (flags & O_ACCMODE) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  } while (fresh < 0 && errno == EINTR);
  if (fresh < 0) return -1;
  struct stat again {};
  if (fstat(fresh, &again) != 0 || again.st_dev != st.st_dev || again.st_ino != st.st_ino) {
    ::close(fresh);
    return -1;
  }
  return fresh;
}

}  // namespace

StdioStream::~StdioStream() {
  reactor_.remove(fd_, *source_);
  ::close(fd_);
}

ssize_t StdioStream::read(const iovec* iov, int count) const {
  if (kind_ != Kind::Socket) return ::readv(fd_, iov, count);
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = static_cast<size_t>(count);
  return ::recvmsg(fd_, &msg, MSG_DONTWAIT);
}

ssize_t StdioStream::write(const iovec* iov, int count) const {
  if (kind_ != Kind::Socket) return ::writev(fd_, iov, count);
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = static_cast<size_t>(count);
  return ::sendmsg(fd_, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

StdioStreams::Fd StdioStreams::lookup(int fd) {
  if (fd < 0 || fd > 2) return {};
  const auto i = static_cast<size_t>(fd);
  std::lock_guard lock(mutex_);
  if (!looked_up_[i]) {
    struct stat st {};
    if (fstat(fd, &st) == 0) {
      fds_[i].type = st.st_mode & S_IFMT;
      fds_[i].stream = open(fd, st);
    }
    looked_up_[i] = true;
  }
  return fds_[i];
}

std::shared_ptr<StdioStream> StdioStreams::open(int fd, const struct stat& st) {
  StdioStream::Kind kind{};
  int own = -1;
  if (S_ISFIFO(st.st_mode) || (S_ISCHR(st.st_mode) && isatty(fd) == 1)) {
    kind = S_ISFIFO(st.st_mode) ? StdioStream::Kind::Pipe : StdioStream::Kind::Terminal;
    own = reopen_nonblocking(fd, st);
  } else if (S_ISSOCK(st.st_mode)) {
    kind = StdioStream::Kind::Socket;
    own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  } else {
    return nullptr;  // regular files, directories, /dev/null and other devices never block
  }
  if (own < 0) return nullptr;
  std::shared_ptr<IoSource> source = reactor_.add(own);
  if (!source) {
    ::close(own);
    return nullptr;
  }
  return std::make_shared<StdioStream>(reactor_, kind, own, std::move(source));
}

}  // namespace lunatic::runtime
