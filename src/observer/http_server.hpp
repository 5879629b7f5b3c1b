// The observer's HTTP/1.1 server (Boost.Beast on one io_context thread of its own): requests
// in, the observer's answers out, with every bound a hostile client needs (sizes, time,
// connections). No Beast type shows here: the routes and access checks see Request/Response.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "observer/access.hpp"

namespace lunatic::observer {

/// A parsed request, as the observer's checks and routes read it.
struct Request {
  std::string method;  ///< GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE or PATCH
  std::string path;    ///< percent-decoded, without its query
  std::string query;   ///< after the '?', as sent (query_param decodes it)
  std::string host;    ///< the Host header ("" if none)
  std::string authorization;
  std::optional<std::string> origin;  ///< the Origin header, if any
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers{};
  bool close = false;  ///< end the connection after this answer
};

/// Answers one request; called on the server's thread, one request at a time.
using Handler = std::function<Response(const Request&)>;

/// Bounds on what one client can make the server hold or wait for.
struct HttpLimits {
  size_t max_target = 8 * 1024;   ///< request line's target; longer: 414
  size_t max_header = 32 * 1024;  ///< request line and fields together; longer: 431 (414)
  size_t max_body = 64 * 1024;    ///< longer: 413
  unsigned max_connections = 64;  ///< served at once; past that 503 (Retry-After: 1)
  unsigned max_overflow = 64;     ///< connections getting that 503; past that closed at once
  unsigned max_requests = 100;    ///< on one keep-alive connection
  /// A whole request (its headers and body) must arrive within this, counted from the
  /// connection's opening or the previous answer: an idle or trickling client is closed.
  std::chrono::milliseconds request_timeout{2000};
  std::chrono::milliseconds write_timeout{5000};  ///< to send an answer
};

class HttpServer {
 public:
  /// Binds `endpoint` (resolving a name; the first address that binds wins) and starts the
  /// thread. Errors (Phase::Host): "cannot listen: REASON", prefixed with `what`.
  static Result<std::unique_ptr<HttpServer>> start(const Endpoint& endpoint, HttpLimits limits,
                                                   Handler handler, const std::string& what);
  /// Stops accepting, lets answers being written finish (at most a second), closes the rest
  /// and joins the thread.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The first value of `name` in a query string ("a=1&token=x"), percent-decoded ('+' is a
/// space); "" if absent.
std::string query_param(std::string_view query, std::string_view name);

/// %XX decoded (a malformed escape is kept as it is); '+' becomes a space if `plus_is_space`.
std::string percent_decode(std::string_view text, bool plus_is_space);

}  // namespace lunatic::observer
