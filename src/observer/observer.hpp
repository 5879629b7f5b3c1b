// Observer: the HTTP server of `lunatic run --observe HOST:PORT`. It serves a runtime's
// introspection (the JSON API, /metrics and the live page: api.hpp) from a thread of its own,
// never a scheduler worker's, and checks every request's access first (access.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace lunatic::runtime {
class Runtime;
}

namespace lunatic::observer {

struct ObserverConfig {
  /// HOST:PORT (parse_endpoint); port 0 picks a free one (see Observer::port()).
  std::string address = "127.0.0.1:0";
  /// The token every request must present (Authorization: Bearer, or ?token=). Unset: none
  /// on a loopback address, a generated one (Observer::token()) on any other.
  std::optional<std::string> token{};
  /// Connections served at once (the page makes 4 requests at once, a browser keeps its
  /// connections open); past that a new connection gets 503, and past twice that it is closed.
  unsigned max_connections = 64;
  /// A request must arrive whole within this (from the connection's opening or the previous
  /// answer), or the connection is closed: an idle or trickling client holds no slot for long.
  std::chrono::milliseconds request_timeout{2000};
};

class Observer {
 public:
  /// Binds the address and starts serving. Errors: a malformed address (Phase::Usage), an
  /// address that cannot be bound (Phase::Host, naming it).
  static Result<std::unique_ptr<Observer>> start(runtime::Runtime& runtime, ObserverConfig config);
  /// Stops serving and joins its thread. @pre before the runtime is destroyed.
  ~Observer();
  Observer(const Observer&) = delete;
  Observer& operator=(const Observer&) = delete;

  uint16_t port() const;
  /// The token requests must present; empty when none is required.
  const std::string& token() const;
  /// "http://HOST:PORT/" (with "?token=..." when one is required): the page's address.
  std::string url() const;

  struct Impl;

 private:
  explicit Observer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lunatic::observer
