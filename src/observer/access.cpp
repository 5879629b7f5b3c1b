// Access to the observer: parsing its address, tokens, and the Host header guard.
#include "observer/access.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <random>

namespace lunatic::observer {
namespace {

bool is_loopback_literal(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    static const in6_addr kLoopback = IN6ADDR_LOOPBACK_INIT;
    return std::equal(std::begin(v6.s6_addr), std::end(v6.s6_addr), std::begin(kLoopback.s6_addr));
  }
  return false;
}

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<Endpoint> parse_endpoint(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Error(Phase::Usage,
                 "--observe " + std::string(text) + ": expected HOST:PORT (e.g. 127.0.0.1:9000)");
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Error(Phase::Usage, "--observe " + std::string(text) +
                                   ": write an IPv6 address in brackets, e.g. [::1]:9000");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return Error(Phase::Usage,
                 "--observe " + std::string(text) + ": the port must be a number 0..65535");
  }
  Endpoint endpoint;
  endpoint.host = host.empty() ? "127.0.0.1" : std::string(host);
  if (!valid_host(endpoint.host)) {
    return Error(Phase::Usage, "--observe " + std::string(text) + ": not a host name or address");
  }
  endpoint.port = static_cast<uint16_t>(port);
  endpoint.loopback = is_loopback_literal(endpoint.host);
  return endpoint;
}

std::string generate_token() {
  std::random_device random;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 32; ++i) token += kHex[random() & 0xf];
  return token;
}

bool same_token(std::string_view presented, std::string_view expected) {
  unsigned char diff = presented.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    const char p = i < presented.size() ? presented[i] : '\0';
    diff |= static_cast<unsigned char>(p ^ expected[i]);
  }
  return diff == 0 && !expected.empty();
}

std::optional<std::string> presented_token(std::string_view authorization,
                                           std::string_view query_token) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.starts_with(kBearer)) return std::string(authorization.substr(kBearer.size()));
  if (!query_token.empty()) return std::string(query_token);
  return std::nullopt;
}

bool loopback_host_header(std::string_view host) {
  if (host.empty()) return false;
  std::string_view name = host;
  if (name.front() == '[') {
    const size_t close = name.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view rest = name.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    name = name.substr(1, close - 1);
  } else if (size_t colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  return is_loopback_literal(std::string(name));
}

}  // namespace lunatic::observer
