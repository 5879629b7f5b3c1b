// StdioStreams: fds 0-2 that are pipes, terminals or sockets get a private non-blocking fd
// registered with the reactor, and the inherited fd (shared with the parent shell) keeps its
// flags; files and /dev/null stay plain. Each test puts its own file on fd 0 or 1 and restores
// the original at the end.
#include "runtime/stdio_streams.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "../support/redirect_fd.hpp"

namespace lunatic::runtime {
namespace {

using ::lunatic::testing::Redirect;

bool nonblocking(int fd) { return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

ssize_t read_some(const StdioStream& s, char* buf, size_t n) {
  iovec v{buf, n};
  return s.read(&v, 1);
}

ssize_t write_some(const StdioStream& s, const char* buf, size_t n) {
  iovec v{const_cast<char*>(buf), n};
  return s.write(&v, 1);
}

/// Waits (bounded, so that a bug fails instead of hanging) until `source`'s read count moves.
bool readiness_moves(const std::shared_ptr<IoSource>& source, IoInterest interest, uint64_t seen) {
  for (int i = 0; i < 2000; ++i) {
    if (source->readiness(interest) != seen) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(StdioStreams, StdinPipeIsReopenedNonBlockingAndTheSharedFdIsUntouched) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  {
    Redirect in(0, p[0]);
    ASSERT_FALSE(nonblocking(0));
    IoReactor reactor;
    StdioStreams streams(reactor);
    std::shared_ptr<StdioStream> s = streams.stream(0);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->kind(), StdioStream::Kind::Pipe);
    EXPECT_NE(s->fd(), 0);
    EXPECT_TRUE(nonblocking(s->fd()));
    EXPECT_FALSE(nonblocking(0));     // the shell's view of the pipe is as it was
    EXPECT_EQ(streams.stream(0), s);  // one stream per fd, for every process
    EXPECT_EQ(reactor.sources(), 1u);

    char buf[16];
    errno = 0;
    EXPECT_EQ(read_some(*s, buf, sizeof buf), -1);
    EXPECT_EQ(errno, EAGAIN);
    const uint64_t seen = s->source()->readiness(IoInterest::Read);
    ASSERT_EQ(write(p[1], "hello", 5), 5);
    EXPECT_TRUE(readiness_moves(s->source(), IoInterest::Read, seen));
    ASSERT_EQ(read_some(*s, buf, sizeof buf), 5);
    EXPECT_EQ(std::string(buf, 5), "hello");
    ::close(p[1]);
    EXPECT_EQ(read_some(*s, buf, sizeof buf), 0);  // end of file
    s.reset();
  }
  ::close(p[0]);
}

TEST(StdioStreams, FullStdoutPipeGivesEagainAndPartialWrites) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  {
    Redirect out(1, p[1]);
    IoReactor reactor;
    StdioStreams streams(reactor);
    std::shared_ptr<StdioStream> s = streams.stream(1);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->kind(), StdioStream::Kind::Pipe);
    const int capacity = fcntl(p[1], F_GETPIPE_SZ);
    ASSERT_GT(capacity, 0);
    std::vector<char> big(static_cast<size_t>(capacity) * 2, 'x');
    const ssize_t first = write_some(*s, big.data(), big.size());
    EXPECT_EQ(first, capacity);  // what fits, not the whole buffer, and no block
    errno = 0;
    EXPECT_EQ(write_some(*s, big.data(), big.size()), -1);
    EXPECT_EQ(errno, EAGAIN);
    EXPECT_FALSE(nonblocking(1));
    // Draining the pipe makes the write side ready: the reactor counts it.
    const uint64_t seen = s->source()->readiness(IoInterest::Write);
    std::vector<char> sink(static_cast<size_t>(capacity));
    ASSERT_EQ(read(p[0], sink.data(), sink.size()), capacity);
    EXPECT_TRUE(readiness_moves(s->source(), IoInterest::Write, seen));
    EXPECT_GT(write_some(*s, big.data(), 10), 0);
    s.reset();
  }
  ::close(p[0]);
  ::close(p[1]);
}

TEST(StdioStreams, SocketIsDuplicatedAndUsedWithDontWait) {
  int sp[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
  {
    Redirect in(0, sp[0]);
    IoReactor reactor;
    StdioStreams streams(reactor);
    std::shared_ptr<StdioStream> s = streams.stream(0);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->kind(), StdioStream::Kind::Socket);
    char buf[8];
    errno = 0;
    EXPECT_EQ(read_some(*s, buf, sizeof buf), -1);
    EXPECT_EQ(errno, EAGAIN);
    EXPECT_FALSE(nonblocking(0));
    EXPECT_FALSE(nonblocking(s->fd()));  // the same description: only each call is DONTWAIT
    ASSERT_EQ(write(sp[1], "abc", 3), 3);
    EXPECT_EQ(read_some(*s, buf, sizeof buf), 3);
  }
  ::close(sp[0]);
  ::close(sp[1]);
}

TEST(StdioStreams, TerminalIsReopenedNonBlocking) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) GTEST_SKIP() << "no pseudo-terminals here (posix_openpt failed)";
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  const int terminal = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(terminal, 0);
  {
    Redirect in(0, terminal);
    IoReactor reactor;
    StdioStreams streams(reactor);
    std::shared_ptr<StdioStream> s = streams.stream(0);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->kind(), StdioStream::Kind::Terminal);
    EXPECT_TRUE(nonblocking(s->fd()));
    EXPECT_FALSE(nonblocking(0));
    char buf[16];
    errno = 0;
    EXPECT_EQ(read_some(*s, buf, sizeof buf), -1);
    EXPECT_EQ(errno, EAGAIN);
    const uint64_t seen = s->source()->readiness(IoInterest::Read);
    ASSERT_EQ(write(master, "hi\n", 3), 3);  // a line: canonical mode hands it over
    EXPECT_TRUE(readiness_moves(s->source(), IoInterest::Read, seen));
    EXPECT_EQ(read_some(*s, buf, sizeof buf), 3);
  }
  ::close(terminal);
  ::close(master);
}

TEST(StdioStreams, FilesDevNullAndOtherFdsArePlain) {
  char path[] = "/tmp/lunatic-stdio-XXXXXX";
  const int file = mkstemp(path);
  ASSERT_GE(file, 0);
  unlink(path);
  const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  ASSERT_GE(null, 0);
  {
    Redirect in(0, file);
    Redirect out(1, null);
    IoReactor reactor;
    StdioStreams streams(reactor);
    EXPECT_EQ(streams.stream(0), nullptr);  // a regular file never blocks
    EXPECT_EQ(streams.stream(1), nullptr);  // nor does /dev/null
    EXPECT_EQ(streams.stream(3), nullptr);  // only fds 0-2
    EXPECT_EQ(streams.stream(-1), nullptr);
    EXPECT_EQ(reactor.sources(), 0u);
  }
  ::close(file);
  ::close(null);
}

TEST(StdioStreams, TheStreamGoesWithItsLastUser) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  int own = -1;
  {
    Redirect in(0, p[0]);
    IoReactor reactor;
    {
      StdioStreams streams(reactor);
      std::shared_ptr<StdioStream> s = streams.stream(0);
      ASSERT_NE(s, nullptr);
      EXPECT_EQ(reactor.sources(), 1u);
      own = s->fd();
    }
    EXPECT_EQ(reactor.sources(), 0u);  // deregistered...
    errno = 0;
    EXPECT_EQ(fcntl(own, F_GETFD), -1);  // ...and its private fd closed
    EXPECT_EQ(errno, EBADF);
  }
  ::close(p[0]);
  ::close(p[1]);
}

}  // namespace
}  // namespace lunatic::runtime
