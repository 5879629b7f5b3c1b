// Who may talk to the observer: the address it binds (HOST:PORT, loopback or not), the token
// a non-loopback bind requires, and the checks each request passes before it is answered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace lunatic::observer {

/// Where the observer listens: --observe HOST:PORT.
struct Endpoint {
  std::string host;   ///< as given, resolved at bind: "127.0.0.1", "::1", "0.0.0.0", "localhost"
  uint16_t port = 0;  ///< 0: any free port
  /// 127.0.0.0/8, ::1 or "localhost": only this machine can connect, no token needed.
  bool loopback = false;
};

/// Parses "HOST:PORT", "[V6]:PORT" or ":PORT" (loopback, 127.0.0.1). Errors (Phase::Usage)
/// name what is wrong: no port, a port out of range, an empty or malformed host.
Result<Endpoint> parse_endpoint(std::string_view text);

/// 32 random hex digits (std::random_device), for a bind that needs a token and got none.
std::string generate_token();

/// Compares a presented token with the expected one in time independent of where they differ.
bool same_token(std::string_view presented, std::string_view expected);

/// The token a request presents: "Authorization: Bearer TOKEN", else the query's `token=`.
std::optional<std::string> presented_token(std::string_view authorization,
                                           std::string_view query_token);

/// DNS rebinding guard of a loopback observer: the Host header must name a loopback host
/// (127.0.0.1, localhost, [::1], with or without a port). An empty Host is refused.
bool loopback_host_header(std::string_view host);

}  // namespace lunatic::observer
