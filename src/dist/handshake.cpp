// The distribution handshake (handshake.hpp). Packets are a 2-byte big-endian length and that
// many bytes; the whole exchange shares one deadline. Erlang/OTP, "Distribution Protocol":
// connecting side A, accepting side B:
//   A -> B  send_name       'N' Flags:8 Creation:4 NLen:2 Name
//   B -> A  status          's' "ok"
//   B -> A  challenge       'N' Flags:8 Challenge:4 Creation:4 NLen:2 Name
//   A -> B  challenge_reply 'r' Challenge:4 Digest:16   (MD5 of cookie ++ B's challenge)
//   B -> A  challenge_ack   'a' Digest:16               (MD5 of cookie ++ A's challenge)
#include "dist/handshake.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "dist/crypto.hpp"

namespace lunatic::dist {
namespace {

using Clock = std::chrono::steady_clock;
using Digest = std::array<uint8_t, 16>;

constexpr uint16_t kDefaultEpmdPort = 4369;
constexpr uint8_t kPortPleaseRequest = 122;   // 'z'
constexpr uint8_t kPortPleaseResponse = 119;  // 'w'
constexpr uint16_t kHandshakeVersion = 6;

/// Milliseconds left before `deadline` (0 when past it).
int left_ms(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ready = poll(&p, 1, left_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0;
  }
}

bool read_exact(int fd, std::span<uint8_t> out, Clock::time_point deadline, std::string& why) {
  size_t done = 0;
  while (done < out.size()) {
    if (!wait_for(fd, POLLIN, deadline)) return why = "the peer stalled", false;
    const ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n == 0) return why = "the peer closed the connection", false;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return why = std::string("read: ") + std::strerror(errno), false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool write_all(int fd, std::span<const uint8_t> bytes, Clock::time_point deadline,
               std::string& why) {
  size_t done = 0;
  while (done < bytes.size()) {
    if (!wait_for(fd, POLLOUT, deadline)) return why = "the peer does not read", false;
    const ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return why = std::string("write: ") + std::strerror(errno), false;
    done += static_cast<size_t>(n);
  }
  return true;
}

/// Big-endian fields, written and read.
void put(std::vector<uint8_t>& out, uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<uint8_t>(value >> shift));
  }
}

uint64_t get(std::span<const uint8_t> in, size_t at, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = value << 8 | in[at + static_cast<size_t>(i)];
  return value;
}

bool send_packet(int fd, const std::vector<uint8_t>& body, Clock::time_point deadline,
                 std::string& why) {
  std::vector<uint8_t> packet;
  packet.reserve(2 + body.size());
  put(packet, body.size(), 2);
  packet.insert(packet.end(), body.begin(), body.end());
  return write_all(fd, packet, deadline, why);
}

/// One packet, its length checked before anything is read into it.
std::optional<std::vector<uint8_t>> read_packet(int fd, Clock::time_point deadline,
                                                std::string& why) {
  uint8_t header[2];
  if (!read_exact(fd, header, deadline, why)) return std::nullopt;
  const size_t length = get(header, 0, 2);
  if (length == 0 || length > kMaxHandshakePacket) {
    why = "a handshake packet of " + std::to_string(length) + " bytes";
    return std::nullopt;
  }
  std::vector<uint8_t> body(length);
  if (!read_exact(fd, body, deadline, why)) return std::nullopt;
  return body;
}

/// A node name as a peer sends it: alive@host, printable ASCII, at most 255 bytes.
bool valid_node_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  const size_t at = name.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == name.size()) return false;
  if (name.find('@', at + 1) != std::string_view::npos) return false;
  for (char c : name) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

/// nullopt without libcrypto: never a digest anyone could guess.
std::optional<Digest> digest(const std::string& cookie, uint32_t challenge) {
  const std::string text = cookie + std::to_string(challenge);
  return md5({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

std::optional<uint32_t> new_challenge() {
  uint8_t bytes[4];
  if (!random_bytes(bytes, sizeof bytes)) return std::nullopt;
  return static_cast<uint32_t>(get(bytes, 0, 4));
}

/// The name, flags and creation of a send_name or challenge packet ('N'); `challenge` is read
/// when the packet is a challenge.
struct Hello {
  uint64_t flags = 0;
  uint32_t challenge = 0;
  std::string name;
};

std::optional<Hello> read_hello(std::span<const uint8_t> packet, bool is_challenge,
                                std::string& why) {
  const size_t fixed = is_challenge ? 19 : 15;  // tag, flags, [challenge], creation, name length
  if (packet.size() < fixed || packet[0] != 'N') {
    why = packet.empty() || packet[0] != 'n' ? "not a distribution handshake"
                                             : "a handshake older than OTP 23 (not supported)";
    return std::nullopt;
  }
  Hello hello;
  hello.flags = get(packet, 1, 8);
  if (is_challenge) hello.challenge = static_cast<uint32_t>(get(packet, 9, 4));
  const size_t name_length = get(packet, fixed - 2, 2);
  if (name_length != packet.size() - fixed) return why = "a malformed handshake", std::nullopt;
  hello.name.assign(packet.begin() + static_cast<ptrdiff_t>(fixed), packet.end());
  if (!valid_node_name(hello.name)) return why = "a malformed node name", std::nullopt;
  if ((hello.flags & kRequiredFlags) != kRequiredFlags) {
    return why = "a peer without the distribution flags this node needs", std::nullopt;
  }
  return hello;
}

bool read_digest(std::span<const uint8_t> packet, size_t at, const std::optional<Digest>& want) {
  return want && packet.size() == at + want->size() &&
         equal_in_constant_time(packet.subspan(at), *want);
}

void set_no_delay(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/// A TCP connection to `address`:`port` within the deadline; -1 with `why`.
int tcp_connect(in_addr address, uint16_t port, Clock::time_point deadline, std::string& why) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return why = std::string("socket: ") + std::strerror(errno), -1;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr = address;
  int error = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      socklen_t size = sizeof error;
      error = wait_for(fd, POLLOUT, deadline) ? 0 : ETIMEDOUT;
      if (error == 0) getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
    }
  }
  if (error != 0) {
    close(fd);
    why = "connect to port " + std::to_string(port) + ": " + std::strerror(error);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  set_no_delay(fd);
  return fd;
}

/// The port `alive` listens on, from epmd at `address` (PORT_PLEASE2_REQ); 0 with `why`.
uint16_t epmd_port(in_addr address, const std::string& alive, Clock::time_point deadline,
                   std::string& why) {
  uint16_t epmd = kDefaultEpmdPort;
  if (const char* env = std::getenv("ERL_EPMD_PORT")) {
    const long value = std::strtol(env, nullptr, 10);
    if (value > 0 && value < 65536) epmd = static_cast<uint16_t>(value);
  }
  const int fd = tcp_connect(address, epmd, deadline, why);
  if (fd < 0) return why = "epmd: " + why, 0;
  std::vector<uint8_t> request{kPortPleaseRequest};
  request.insert(request.end(), alive.begin(), alive.end());
  uint8_t answer[10];
  uint16_t port = 0;
  if (!send_packet(fd, request, deadline, why) || !read_exact(fd, {answer, 2}, deadline, why)) {
    why = "epmd: " + why;
  } else if (answer[0] != kPortPleaseResponse || answer[1] != 0) {
    why = "epmd does not know node " + alive;
  } else if (!read_exact(fd, {answer + 2, 8}, deadline, why)) {
    why = "epmd: " + why;
  } else if (get(answer, 6, 2) < kHandshakeVersion) {
    why = "node " + alive + " predates OTP 23 (handshake version 6)";
  } else {
    port = static_cast<uint16_t>(get(answer, 2, 2));
  }
  close(fd);
  return port;
}

std::optional<in_addr> resolve(const std::string& host, std::string& why) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return why = "cannot resolve host " + host, std::nullopt;
  }
  const in_addr address = reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr;
  freeaddrinfo(found);
  return address;
}

std::vector<uint8_t> hello_packet(const HandshakeSelf& self, std::optional<uint32_t> challenge) {
  std::vector<uint8_t> packet{'N'};
  put(packet, kOurFlags, 8);
  if (challenge) put(packet, *challenge, 4);
  put(packet, self.creation, 4);
  put(packet, self.name.size(), 2);
  packet.insert(packet.end(), self.name.begin(), self.name.end());
  return packet;
}

}  // namespace

std::optional<std::string> accept_handshake(int fd, const HandshakeSelf& self, unsigned timeout_ms,
                                            std::string& why) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  set_no_delay(fd);
  std::optional<std::vector<uint8_t>> name_packet = read_packet(fd, deadline, why);
  if (!name_packet) return std::nullopt;
  std::optional<Hello> peer = read_hello(*name_packet, false, why);
  if (!peer) return std::nullopt;
  const std::optional<uint32_t> challenge = new_challenge();
  if (!challenge) return why = "no random challenge", std::nullopt;
  static const std::vector<uint8_t> kStatusOk{'s', 'o', 'k'};
  if (!send_packet(fd, kStatusOk, deadline, why) ||
      !send_packet(fd, hello_packet(self, challenge), deadline, why)) {
    return std::nullopt;
  }
  std::optional<std::vector<uint8_t>> reply = read_packet(fd, deadline, why);
  if (!reply) return std::nullopt;
  if (reply->size() != 21 || (*reply)[0] != 'r')
    return why = "a malformed challenge reply", std::nullopt;
  if (!read_digest(*reply, 5, digest(self.cookie, *challenge))) {
    return why = "wrong cookie", std::nullopt;
  }
  std::vector<uint8_t> ack{'a'};
  const std::optional<Digest> theirs =
      digest(self.cookie, static_cast<uint32_t>(get(*reply, 1, 4)));
  if (!theirs) return why = "no MD5", std::nullopt;
  ack.insert(ack.end(), theirs->begin(), theirs->end());
  if (!send_packet(fd, ack, deadline, why)) return std::nullopt;
  return peer->name;
}

int connect_handshake(const std::string& peer, const HandshakeSelf& self, unsigned timeout_ms,
                      std::string& why) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  if (!valid_node_name(peer)) return why = "not a node name", -1;
  const size_t at = peer.find('@');
  std::optional<in_addr> address = resolve(peer.substr(at + 1), why);
  if (!address) return -1;
  const uint16_t port = epmd_port(*address, peer.substr(0, at), deadline, why);
  if (port == 0) return -1;
  const int fd = tcp_connect(*address, port, deadline, why);
  if (fd < 0) return -1;
  auto fail = [&] {
    close(fd);
    return -1;
  };
  if (!send_packet(fd, hello_packet(self, std::nullopt), deadline, why)) return fail();
  std::optional<std::vector<uint8_t>> status = read_packet(fd, deadline, why);
  if (!status) return fail();
  std::string text;
  for (uint8_t c : *status) {  // shown in the log: printable bytes only, at most 32
    if (text.size() < 32) text.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  if (text != "sok" && text != "sok_simultaneous") {
    why = "the peer refused the connection (" + text + ")";
    return fail();
  }
  std::optional<std::vector<uint8_t>> challenge_packet = read_packet(fd, deadline, why);
  if (!challenge_packet) return fail();
  std::optional<Hello> hello = read_hello(*challenge_packet, true, why);
  if (!hello) return fail();
  if (hello->name != peer) {
    why = "the peer says it is " + hello->name;
    return fail();
  }
  const std::optional<uint32_t> ours = new_challenge();
  if (!ours) return why = "no random challenge", fail();
  std::vector<uint8_t> reply{'r'};
  put(reply, *ours, 4);
  const std::optional<Digest> answer = digest(self.cookie, hello->challenge);
  if (!answer) return why = "no MD5", fail();
  reply.insert(reply.end(), answer->begin(), answer->end());
  if (!send_packet(fd, reply, deadline, why)) return fail();
  std::optional<std::vector<uint8_t>> ack = read_packet(fd, deadline, why);
  if (!ack) {
    why = "no answer to the challenge reply (wrong cookie?): " + why;
    return fail();
  }
  if (ack->empty() || (*ack)[0] != 'a' || !read_digest(*ack, 1, digest(self.cookie, *ours))) {
    why = "wrong cookie (the peer's answer does not match)";
    return fail();
  }
  return fd;
}

}  // namespace lunatic::dist
