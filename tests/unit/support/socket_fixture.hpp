// Shared pieces of the socket tests (unit_networking, unit_wasi): native loopback peers, and a
// fixture running a WAT guest on a runtime whose linker has one host namespace.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <thread>

#include "binding/linker.hpp"
#include "engine/compiled_module.hpp"
#include "runtime/environment.hpp"
#include "runtime/runtime.hpp"
#include "text/text.hpp"

namespace lunatic::test {

/// 127.0.0.1:`port`.
inline sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

/// The port an IPv4 socket is bound to.
inline uint16_t local_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

/// A blocking client connected to 127.0.0.1:`port`, or -1.
inline int connect_to(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in a = loopback(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Whether `fd` reads EOF within 20 s (its peer closed).
inline bool reads_eof(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 20000) != 1) return false;
  char byte;
  return ::recv(fd, &byte, 1, 0) == 0;
}

/// A runtime of 2 workers whose linker holds the host functions `define` adds, `wat` compiled
/// as module_, and an environment without limits to spawn it in. Call start() from SetUp (a
/// failure there skips the test body).
class SocketGuestTest : public ::testing::Test {
 protected:
  void start(void (*define)(binding::Linker&), std::string_view wat) {
    auto linker = std::make_shared<binding::Linker>();
    define(*linker);
    runtime::RuntimeConfig config;
    config.workers = 2;
    config.linker = linker;
    runtime_ = std::make_unique<runtime::Runtime>(std::move(config));
    auto bytes = text::parse_module(wat);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    auto module = engine::compile(*bytes);
    ASSERT_TRUE(module.ok()) << module.error().to_string();
    module_ = *module;
  }

  /// Waits (bounded) until the reactor holds `n` sockets.
  bool sources_reach(size_t n) {
    for (int i = 0; i < 20000; ++i) {
      if (socket_sources() == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  /// The reactor's sources that are sockets: all but the runtime's stdio streams (registered
  /// once a process uses WASI, for the runtime's life, when the test's stdio are pipes or
  /// terminals).
  size_t socket_sources() {
    size_t stdio = 0;
    for (int fd = 0; fd < 3; ++fd) stdio += runtime_->stdio().stream(fd) != nullptr ? 1 : 0;
    return runtime_->io_reactor().sources() - stdio;
  }

  std::shared_ptr<runtime::Environment> env_ = runtime::Environment::create({});
  std::shared_ptr<const engine::CompiledModule> module_;
  std::unique_ptr<runtime::Runtime> runtime_;  // last: destroyed first
};

}  // namespace lunatic::test
