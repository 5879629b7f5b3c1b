// parse_node_name and find_cookie (node_config.hpp).
#include "dist/node_config.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>

namespace lunatic::dist {
namespace {

constexpr size_t kMaxNodeName = 255;
constexpr size_t kMaxCookie = 255;

bool valid_alive(std::string_view alive) {
  if (alive.empty()) return false;
  for (char c : alive) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || c == ':';
    if (!ok) return false;
  }
  return true;
}

bool printable(std::string_view text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace

Result<NodeName> parse_node_name(std::string_view value, bool short_name) {
  const std::string option = short_name ? "--sname" : "--name";
  NodeName name;
  const size_t at = value.find('@');
  name.alive = std::string(value.substr(0, at));
  if (at != std::string_view::npos) {
    name.host = std::string(value.substr(at + 1));
  } else if (short_name) {
    std::array<char, 256> buffer{};
    if (gethostname(buffer.data(), buffer.size() - 1) != 0) {
      return Error(Phase::Usage, option + ": this machine's host name is unknown");
    }
    name.host = buffer.data();
    name.host = name.host.substr(0, name.host.find('.'));
  } else {
    return Error(Phase::Usage, option + " '" + std::string(value) + "': expected NAME@HOST");
  }
  if (!valid_alive(name.alive)) {
    return Error(Phase::Usage, option + " '" + std::string(value) +
                                   "': the name before '@' must be letters, digits, '_' or '-'");
  }
  if (!valid_host(name.host) || (short_name && name.host.find('.') != std::string::npos)) {
    return Error(Phase::Usage, option + " '" + std::string(value) + "': bad host name" +
                                   (short_name ? " (a short name's host has no dots)" : ""));
  }
  if (name.full().size() > kMaxNodeName) {
    return Error(Phase::Usage, option + ": a node name is at most 255 bytes");
  }
  return name;
}

Result<std::string> find_cookie(std::string_view given) {
  std::string cookie(given);
  if (cookie.empty()) {
    const char* home = std::getenv("HOME");
    const std::string path = std::string(home ? home : "") + "/.erlang.cookie";
    std::ifstream file(path);
    if (!home || !file) {
      return Error(Phase::Usage, "no --cookie given and " + path + " cannot be read");
    }
    std::getline(file, cookie);
    while (!cookie.empty() && (cookie.back() == '\r' || cookie.back() == ' ')) cookie.pop_back();
    if (cookie.empty()) return Error(Phase::Usage, path + " is empty");
  }
  if (cookie.size() > kMaxCookie || !printable(cookie)) {
    return Error(Phase::Usage, "the cookie must be 1 to 255 printable ASCII characters");
  }
  return cookie;
}

}  // namespace lunatic::dist
