// lunatic C++ SDK: SocketAddr (an IPv4 or IPv6 address and a port; parsed from and formatted
// as "127.0.0.1:80" / "[::1]:80") and resolve(), the runtime's DNS lookup.
#ifndef LUNATIC_SOCKET_ADDR_HPP
#define LUNATIC_SOCKET_ADDR_HPP

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lunatic/networking.h"
#include "lunatic/result.hpp"
#include "lunatic/tag.hpp"

namespace lunatic {

/// An IPv4 or IPv6 socket address. Bytes are in network order; IPv4 uses the first 4.
class SocketAddr {
 public:
  /// 0.0.0.0:0.
  SocketAddr() = default;

  /// a.b.c.d:port.
  static SocketAddr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
    SocketAddr s;
    s.bytes_[0] = a, s.bytes_[1] = b, s.bytes_[2] = c, s.bytes_[3] = d;
    s.port_ = port;
    return s;
  }
  /// An IPv6 address from its 16 bytes.
  static SocketAddr v6(const uint8_t (&bytes)[16], uint16_t port, uint32_t flow_info = 0,
                       uint32_t scope_id = 0) {
    SocketAddr s;
    s.type_ = 6;
    std::memcpy(s.bytes_, bytes, 16);
    s.port_ = port;
    s.flow_info_ = flow_info;
    s.scope_id_ = scope_id;
    return s;
  }
  /// 127.0.0.1:port, the IPv4 loopback.
  static SocketAddr localhost(uint16_t port) { return v4(127, 0, 0, 1, port); }

  /// "1.2.3.4:80" or "[::1]:80" (numeric only: names go through resolve()); nothing if the
  /// text is not one.
  static std::optional<SocketAddr> parse(std::string_view text) {
    SocketAddr s;
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
      size_t close = text.find(']');
      if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
        return std::nullopt;
      host = text.substr(1, close - 1);
      port = text.substr(close + 2);
      s.type_ = 6;
      if (!parse_v6(host, s.bytes_)) return std::nullopt;
    } else {
      size_t colon = text.rfind(':');
      if (colon == std::string_view::npos) return std::nullopt;
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (!parse_v4(host, s.bytes_)) return std::nullopt;
    }
    uint32_t p = 0;
    if (!parse_decimal(port, 65535, p)) return std::nullopt;
    s.port_ = static_cast<uint16_t>(p);
    return s;
  }

  bool is_v4() const { return type_ == 4; }
  bool is_v6() const { return type_ == 6; }
  /// 4 or 6, as the C ABI's addr_type.
  uint32_t type() const { return type_; }
  const uint8_t* bytes() const { return bytes_; }
  uint16_t port() const { return port_; }
  uint32_t flow_info() const { return flow_info_; }
  uint32_t scope_id() const { return scope_id_; }
  SocketAddr with_port(uint16_t port) const {
    SocketAddr s = *this;
    s.port_ = port;
    return s;
  }

  /// "1.2.3.4:80", "[2001:db8::1]:80" (the longest run of zero groups shortened to ::).
  std::string to_string() const {
    char buf[64];
    if (is_v4()) {
      std::snprintf(buf, sizeof buf, "%u.%u.%u.%u:%u", bytes_[0], bytes_[1], bytes_[2], bytes_[3],
                    port_);
      return buf;
    }
    uint16_t groups[8];
    for (int i = 0; i < 8; ++i)
      groups[i] = static_cast<uint16_t>(bytes_[2 * i] << 8 | bytes_[2 * i + 1]);
    int best = -1, best_len = 1;  // only runs of 2+ zero groups are shortened
    for (int i = 0; i < 8;) {
      int j = i;
      while (j < 8 && groups[j] == 0) ++j;
      if (j - i > best_len) best = i, best_len = j - i;
      i = j == i ? i + 1 : j;
    }
    std::string out = "[";
    for (int i = 0; i < 8; ++i) {
      if (i == best) {
        out += "::";
        i += best_len - 1;
        continue;
      }
      if (i != 0 && out.back() != ':') out += ':';
      std::snprintf(buf, sizeof buf, "%x", groups[i]);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, "]:%u", port_);
    return out + buf;
  }

  friend bool operator==(const SocketAddr& a, const SocketAddr& b) {
    return a.type_ == b.type_ && std::memcmp(a.bytes_, b.bytes_, 16) == 0 && a.port_ == b.port_ &&
           a.flow_info_ == b.flow_info_ && a.scope_id_ == b.scope_id_;
  }
  friend bool operator!=(const SocketAddr& a, const SocketAddr& b) { return !(a == b); }

 private:
  static bool parse_decimal(std::string_view text, uint32_t max, uint32_t& out) {
    if (text.empty() || text.size() > 5) return false;
    out = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + static_cast<uint32_t>(c - '0');
    }
    return out <= max;
  }
  static bool parse_v4(std::string_view text, uint8_t* out) {
    for (int i = 0; i < 4; ++i) {
      size_t dot = i < 3 ? text.find('.') : text.size();
      if (dot == std::string_view::npos || dot > 3) return false;
      uint32_t part = 0;
      if (!parse_decimal(text.substr(0, dot), 255, part)) return false;
      out[i] = static_cast<uint8_t>(part);
      text.remove_prefix(i < 3 ? dot + 1 : dot);
    }
    return true;
  }
  static bool parse_hex_group(std::string_view text, uint16_t& out) {
    if (text.empty() || text.size() > 4) return false;
    uint32_t v = 0;
    for (char c : text) {
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return false;
      v = v * 16 + static_cast<uint32_t>(d);
    }
    out = static_cast<uint16_t>(v);
    return true;
  }
  /// Groups separated by ':', at most one "::" (no embedded IPv4, no zone).
  static bool parse_v6(std::string_view text, uint8_t* out) {
    uint16_t head[8], tail[8];
    int heads = 0, tails = 0;
    size_t gap = text.find("::");
    auto split = [](std::string_view part, uint16_t* groups, int& count) {
      if (part.empty()) return true;
      while (true) {
        size_t colon = part.find(':');
        if (count == 8 || !parse_hex_group(part.substr(0, colon), groups[count++])) return false;
        if (colon == std::string_view::npos) return true;
        part.remove_prefix(colon + 1);
      }
    };
    if (gap == std::string_view::npos) {
      if (!split(text, head, heads) || heads != 8) return false;
    } else {
      if (!split(text.substr(0, gap), head, heads) || !split(text.substr(gap + 2), tail, tails) ||
          heads + tails > 7)
        return false;
    }
    uint16_t groups[8] = {};
    for (int i = 0; i < heads; ++i) groups[i] = head[i];
    for (int i = 0; i < tails; ++i) groups[8 - tails + i] = tail[i];
    for (int i = 0; i < 8; ++i) {
      out[2 * i] = static_cast<uint8_t>(groups[i] >> 8);
      out[2 * i + 1] = static_cast<uint8_t>(groups[i]);
    }
    return true;
  }

  uint32_t type_ = 4;
  uint8_t bytes_[16] = {};
  uint16_t port_ = 0;
  uint32_t flow_info_ = 0;
  uint32_t scope_id_ = 0;
};

namespace detail {

/// Most addresses read from one DNS iterator (a lookup answers with a handful).
inline constexpr size_t kMaxResolvedAddresses = 256;

/// The addresses of DNS iterator `id` (then dropped).
inline std::vector<SocketAddr> drain_iterator(uint64_t id) {
  std::vector<SocketAddr> out;
  uint32_t type = 0, flow = 0, scope = 0;
  uint8_t bytes[16];
  uint16_t port = 0;
  while (out.size() < kMaxResolvedAddresses &&
         lunatic_resolve_next(id, &type, bytes, &port, &flow, &scope) == 0) {
    out.push_back(type == 6 ? SocketAddr::v6(bytes, port, flow, scope)
                            : SocketAddr::v4(bytes[0], bytes[1], bytes[2], bytes[3], port));
  }
  lunatic_drop_dns_iterator(id);
  return out;
}

/// The one address of an iterator a host call returned with `status` (0: `id` is an iterator,
/// 1: an error id).
inline Result<SocketAddr> first_address(int32_t status, uint64_t id) {
  if (status != 0) return Error::from_host(id);
  std::vector<SocketAddr> all = drain_iterator(id);
  if (all.empty()) return Error(ErrorKind::host, "no address");
  return all.front();
}

/// The Error for a networking call's status (1: `id` is an error id; LUNATIC_TIMED_OUT).
inline Error net_error(int32_t status, uint64_t id, const char* what) {
  if (status == LUNATIC_TIMED_OUT)
    return Error(ErrorKind::timed_out, std::string(what) + " timed out");
  return Error::from_host(id);
}

}  // namespace detail

/// Looks up "host:port" ("localhost:80", "[::1]:80") within `timeout`: its addresses (at most
/// 256), or the resolver's error, or a timed_out error.
inline Result<std::vector<SocketAddr>> resolve(std::string_view name,
                                               Timeout timeout = Timeout::forever()) {
  uint64_t id = 0;
  int32_t status = lunatic_resolve(name.data(), name.size(), timeout.milliseconds(), &id);
  if (status != 0) return detail::net_error(status, id, "resolve");
  return detail::drain_iterator(id);
}

}  // namespace lunatic

#endif
