// `--tcplisten HOST:PORT`: parsing the value and binding the listening socket the root process
// gets as a preopened WASI fd.
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include "host/wasi/wasi.hpp"

namespace lunatic::host::wasi {
namespace {

constexpr int kBacklog = 128;

Error listen_error(std::string_view value, const std::string& why) {
  return Error(Phase::Host, "--tcplisten " + std::string(value) + ": " + why);
}

}  // namespace

Result<int> bind_tcp_listener(std::string_view value) {
  const size_t colon = value.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size()) {
    return listen_error(value, "expected HOST:PORT");
  }
  std::string_view host = value.substr(0, colon);
  std::string_view port_text = value.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return listen_error(value, "expected [IPV6]:PORT");
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return listen_error(value, "the port must be a number from 0 to 65535");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string host_str(host);
  const std::string port_str = std::to_string(port);
  if (int rc = getaddrinfo(host_str.c_str(), port_str.c_str(), &hints, &found); rc != 0) {
    return listen_error(value, std::string("cannot resolve the host: ") + gai_strerror(rc));
  }
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int saved = errno;
  if (fd >= 0) {
    const int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, kBacklog) == 0) {
      freeaddrinfo(found);
      return fd;
    }
    saved = errno;
    ::close(fd);
  }
  freeaddrinfo(found);
  return listen_error(value, std::strerror(saved));
}

}  // namespace lunatic::host::wasi
