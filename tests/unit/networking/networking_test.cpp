// lunatic::networking against the runtime, with a native peer: processes killed while parked
// in tcp_read / tcp_accept close their sockets (the peer sees EOF, the reactor holds no source
// afterwards). Runs under ASan and TSan in CI.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "host/networking/networking.hpp"
#include "support/socket_fixture.hpp"

namespace lunatic::host::networking {
namespace {

using runtime::ProcessId;
using test::connect_to;
using test::local_port;
using test::loopback;
using test::reads_eof;

// Guest roles: connect to 127.0.0.1:port and read (parks: the peer never writes); bind
// 127.0.0.1:port and accept (parks: nobody connects). A failed call is `unreachable`.
constexpr std::string_view kGuest = R"((module
  (import "lunatic::networking" "tcp_connect"
    (func $connect (param i32 i32 i32 i32 i32 i64 i32) (result i32)))
  (import "lunatic::networking" "tcp_read" (func $read (param i64 i32 i32 i32) (result i32)))
  (import "lunatic::networking" "tcp_bind"
    (func $bind (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "lunatic::networking" "tcp_accept" (func $accept (param i64 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "\7f\00\00\01")
  (func (export "read_forever") (param $port i32)
    (if (call $connect (i32.const 4) (i32.const 0) (local.get $port) (i32.const 0)
                       (i32.const 0) (i64.const -1) (i32.const 16))
      (then unreachable))
    (drop (call $read (i64.load (i32.const 16)) (i32.const 64) (i32.const 1024) (i32.const 24)))
    unreachable)
  ;; Connects with a 100 ms timeout; returns the status (9027: timed out).
  (func (export "connect_status") (param $port i32) (result i32)
    (call $connect (i32.const 4) (i32.const 0) (local.get $port) (i32.const 0) (i32.const 0)
                   (i64.const 100) (i32.const 16)))
  (func (export "accept_forever") (param $port i32)
    (if (call $bind (i32.const 4) (i32.const 0) (local.get $port) (i32.const 0) (i32.const 0)
                    (i32.const 16))
      (then unreachable))
    (drop (call $accept (i64.load (i32.const 16)) (i32.const 24) (i32.const 32)))
    unreachable)
))";

/// A native listener on 127.0.0.1, port chosen by the kernel.
struct NativeListener {
  int fd = -1;
  uint16_t port = 0;
  explicit NativeListener(int backlog = 1024) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in a = loopback(0);
    EXPECT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd, backlog), 0);
    port = local_port(fd);
  }
  ~NativeListener() { ::close(fd); }
  /// The next connection, or -1 after 20 s (a bug fails instead of hanging).
  int accept_one() const {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20000) != 1) return -1;
    return ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
  }
};

class NetworkingTest : public test::SocketGuestTest {
 protected:
  void SetUp() override { start(define_functions, kGuest); }
  ProcessId spawn(const char* entry, uint16_t port) {
    auto id = runtime_->spawn({module_, env_, entry, {engine::Value::i32(port)}, nullptr, 0});
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    return id.ok() ? *id : 0;
  }
};

TEST_F(NetworkingTest, KilledWhileParkedInReadClosesItsSocket) {
  NativeListener listener;
  ProcessId reader = spawn("read_forever", listener.port);
  const int peer = listener.accept_one();
  ASSERT_GE(peer, 0);
  ASSERT_TRUE(sources_reach(1));
  // Give it time to reach tcp_read and park (a kill before that must close the socket too).
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(runtime_->kill(reader));
  runtime_->wait_all();
  EXPECT_TRUE(reads_eof(peer));
  EXPECT_EQ(socket_sources(), 0u);
  ::close(peer);
}

TEST_F(NetworkingTest, KilledWhileParkedInAcceptClosesTheListener) {
  uint16_t port = 0;
  {
    NativeListener probe;  // a port that was free a moment ago
    port = probe.port;
  }
  ProcessId acceptor = spawn("accept_forever", port);
  ASSERT_TRUE(sources_reach(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(runtime_->kill(acceptor));
  runtime_->wait_all();
  EXPECT_EQ(socket_sources(), 0u);
  const int fd = connect_to(port);  // nobody listens there any more
  EXPECT_LT(fd, 0);
  if (fd >= 0) ::close(fd);
}

// A listener whose accept queue is full drops SYNs, so a connect stays pending: the timeout
// ends it with 9027 and its socket is closed.
TEST_F(NetworkingTest, ConnectTimesOutWhenTheHandshakeStalls) {
  NativeListener listener(0);
  const sockaddr_in a = loopback(listener.port);
  std::vector<int> fillers;  // fill the accept queue (nobody accepts)
  for (int i = 0; i < 4; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);
    fillers.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let their handshakes land
  runtime::SpawnOptions options{
      module_, env_, "connect_status", {engine::Value::i32(listener.port)}, nullptr, 0};
  ASSERT_TRUE(runtime_->spawn_root(std::move(options)).ok());
  runtime::ExitStatus exit = runtime_->wait();
  runtime_->wait_all();
  ASSERT_EQ(exit.kind, runtime::ExitStatus::Kind::Normal);
  ASSERT_EQ(exit.results.size(), 1u);
  EXPECT_EQ(exit.results[0].as_i32(), 9027);
  EXPECT_EQ(socket_sources(), 0u);
  for (int fd : fillers) ::close(fd);
}

// Many readers parked at once, then all killed while the peers keep the connections open.
TEST_F(NetworkingTest, ManyParkedReadersKilledLeaveNothing) {
  NativeListener listener;
  constexpr int kReaders = 200;
  std::vector<ProcessId> readers;
  for (int i = 0; i < kReaders; ++i) readers.push_back(spawn("read_forever", listener.port));
  std::vector<int> peers;
  for (int i = 0; i < kReaders; ++i) {
    const int peer = listener.accept_one();
    ASSERT_GE(peer, 0);
    peers.push_back(peer);
  }
  ASSERT_TRUE(sources_reach(kReaders));
  runtime_->kill_all();
  for (int peer : peers) {
    EXPECT_TRUE(reads_eof(peer));
    ::close(peer);
  }
  EXPECT_EQ(socket_sources(), 0u);
}

}  // namespace
}  // namespace lunatic::host::networking
