// WASI sockets against a runtime, with native peers: --tcplisten values, and processes killed
// while parked in sock_accept / sock_recv close their fds (the peer sees EOF, the reactor
// holds no source afterwards).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "host/shared/sockets.hpp"
#include "host/wasi/wasi.hpp"
#include "runtime/process.hpp"
#include "support/socket_fixture.hpp"

namespace lunatic::host::wasi {
namespace {

// accept_forever: sock_accept on fd 3 (parks: nobody connects). recv_forever: accept, then
// sock_recv (parks: the peer never writes). A call that returns is `unreachable`.
constexpr std::string_view kGuest = R"((module
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv"
    (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 32) "\40\00\00\00\10\00\00\00")
  (func (export "accept_forever")
    (drop (call $accept (i32.const 3) (i32.const 0) (i32.const 16)))
    unreachable)
  (func (export "recv_forever")
    (if (call $accept (i32.const 3) (i32.const 0) (i32.const 16)) (then unreachable))
    (drop (call $recv (i32.load (i32.const 16)) (i32.const 32) (i32.const 1) (i32.const 0)
                      (i32.const 20) (i32.const 24)))
    unreachable)
))";

using test::connect_to;
using test::local_port;
using test::reads_eof;

TEST(TcpListenOption, BindsLoopbackAndRejectsBadValues) {
  Result<int> v4 = bind_tcp_listener("127.0.0.1:0");
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_NE(local_port(*v4), 0);
  ::close(*v4);
  Result<int> v6 = bind_tcp_listener("[::1]:0");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  ::close(*v6);
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:65536", "127.0.0.1:-1",
                          "127.0.0.1:8o", "[::1:80", "[]:80", "no.such.host.invalid:80"}) {
    Result<int> r = bind_tcp_listener(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find(std::string("--tcplisten ") + bad), std::string::npos)
        << r.error().message;
  }
  // A port in use is an error too (the message is the OS's).
  Result<int> first = bind_tcp_listener("127.0.0.1:0");
  ASSERT_TRUE(first.ok());
  const std::string taken = "127.0.0.1:" + std::to_string(local_port(*first));
  Result<int> second = bind_tcp_listener(taken);
  EXPECT_FALSE(second.ok());
  if (second.ok()) ::close(*second);
  ::close(*first);
}

class WasiSocketTest : public test::SocketGuestTest {
 protected:
  void SetUp() override { start(define_functions, kGuest); }
  /// Spawns the root running `entry` with a listener on 127.0.0.1 at guest fd 3; its port.
  uint16_t spawn_with_listener(const char* entry) {
    Result<int> fd = bind_tcp_listener("127.0.0.1:0");
    EXPECT_TRUE(fd.ok());
    if (!fd.ok()) return 0;
    const uint16_t port = local_port(*fd);
    runtime::SpawnOptions options;
    options.module = module_;
    options.environment = env_;
    options.entry = entry;
    const int host_fd = *fd;
    options.prepare = [&](runtime::Process& process) {
      auto socket = shared::Socket::adopt(process.runtime().io_reactor(), host_fd);
      uint32_t guest_fd = 0;
      ASSERT_TRUE(socket);
      ASSERT_EQ(process_wasi(process).add_socket(std::move(socket), true, false, &guest_fd),
                Errno::Success);
      EXPECT_EQ(guest_fd, 3u);
    };
    auto id = runtime_->spawn_root(std::move(options));
    EXPECT_TRUE(id.ok());
    root_ = id.ok() ? *id : 0;
    return port;
  }

  runtime::ProcessId root_ = 0;
};

TEST_F(WasiSocketTest, KilledWhileParkedInAcceptClosesTheListener) {
  const uint16_t port = spawn_with_listener("accept_forever");
  ASSERT_TRUE(sources_reach(1));
  // Give it time to reach sock_accept and park (a kill before that must close it too).
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(runtime_->kill(root_));
  runtime_->wait_all();
  EXPECT_EQ(socket_sources(), 0u);
  const int fd = connect_to(port);  // nobody listens there any more
  EXPECT_LT(fd, 0);
  if (fd >= 0) ::close(fd);
}

TEST_F(WasiSocketTest, KilledWhileParkedInRecvClosesTheConnection) {
  const uint16_t port = spawn_with_listener("recv_forever");
  const int peer = connect_to(port);
  ASSERT_GE(peer, 0);
  ASSERT_TRUE(sources_reach(2));  // the listener and the accepted connection
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(runtime_->kill(root_));
  runtime_->wait_all();
  EXPECT_TRUE(reads_eof(peer));
  EXPECT_EQ(socket_sources(), 0u);
  ::close(peer);
}

}  // namespace
}  // namespace lunatic::host::wasi
