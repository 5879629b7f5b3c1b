// The accepting side of the distribution handshake (src/dist/handshake.cpp) against a peer
// written here over a socket pair: a good exchange names the peer, and every malformed or
// unauthenticated one is refused with its reason (the connecting side and epmd are covered by
// tests/integration/distributed*.py against real Erlang nodes).
#include "dist/handshake.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace lunatic::dist {
namespace {

constexpr uint64_t kPeerFlags = kRequiredFlags | kFlagDistMonitor | kFlagDistMonitorName;
const HandshakeSelf kSelf{"us@127.0.0.1", "secret", 7};

void put(std::vector<uint8_t>& out, uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(uint8_t(value >> shift));
}

std::vector<uint8_t> packet(const std::vector<uint8_t>& body) {
  std::vector<uint8_t> out;
  put(out, body.size(), 2);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<uint8_t> send_name(uint64_t flags, const std::string& name) {
  std::vector<uint8_t> body{'N'};
  put(body, flags, 8);
  put(body, 1, 4);
  put(body, name.size(), 2);
  body.insert(body.end(), name.begin(), name.end());
  return packet(body);
}

std::vector<uint8_t> read_packet(int fd) {
  uint8_t header[2];
  if (recv(fd, header, 2, MSG_WAITALL) != 2) return {};
  std::vector<uint8_t> body(size_t{header[0]} << 8 | header[1]);
  if (recv(fd, body.data(), body.size(), MSG_WAITALL) != ssize_t(body.size())) return {};
  return body;
}

std::vector<uint8_t> md5(const std::string& text) {
  std::vector<uint8_t> out(16);
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_md5(), nullptr);
  return out;
}

/// Runs accept_handshake on one end while `peer` plays the other; its result and reason.
struct Outcome {
  std::optional<std::string> name;
  std::string why;
};
template <typename Peer> Outcome run(Peer peer) {
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  Outcome outcome;
  std::thread us([&] { outcome.name = accept_handshake(fds[0], kSelf, 800, outcome.why); });
  peer(fds[1]);
  us.join();
  close(fds[0]);
  close(fds[1]);
  return outcome;
}

void write_bytes(int fd, const std::vector<uint8_t>& bytes) {
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()), ssize_t(bytes.size()));
}

/// A peer that answers our challenge with the digest of `cookie`; what it saw is checked.
void honest_peer(int fd, const std::string& cookie, bool expect_ack) {
  write_bytes(fd, send_name(kPeerFlags, "them@127.0.0.1"));
  EXPECT_EQ(read_packet(fd), (std::vector<uint8_t>{'s', 'o', 'k'}));
  const std::vector<uint8_t> challenge = read_packet(fd);
  ASSERT_GE(challenge.size(), 19u);
  ASSERT_EQ(challenge[0], 'N');
  uint64_t flags = 0;
  for (int i = 1; i <= 8; ++i) flags = flags << 8 | challenge[size_t(i)];
  EXPECT_EQ(flags, kOurFlags);
  EXPECT_TRUE(flags & kFlagDistMonitorName);
  uint32_t number = 0;
  for (int i = 9; i <= 12; ++i) number = number << 8 | challenge[size_t(i)];
  EXPECT_EQ(std::string(challenge.begin() + 19, challenge.end()), kSelf.name);
  std::vector<uint8_t> reply{'r', 0, 0, 0, 42};
  const std::vector<uint8_t> digest = md5(cookie + std::to_string(number));
  reply.insert(reply.end(), digest.begin(), digest.end());
  write_bytes(fd, packet(reply));
  const std::vector<uint8_t> ack = read_packet(fd);
  if (!expect_ack) {
    EXPECT_TRUE(ack.empty());
    return;
  }
  std::vector<uint8_t> want{'a'};
  const std::vector<uint8_t> ours = md5(kSelf.cookie + "42");
  want.insert(want.end(), ours.begin(), ours.end());
  EXPECT_EQ(ack, want);
}

TEST(Handshake, NamesAPeerWithTheCookie) {
  Outcome outcome = run([](int fd) { honest_peer(fd, "secret", true); });
  ASSERT_TRUE(outcome.name) << outcome.why;
  EXPECT_EQ(*outcome.name, "them@127.0.0.1");
}

TEST(Handshake, RefusesAnotherCookie) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  Outcome outcome;
  std::thread us([&] {
    outcome.name = accept_handshake(fds[0], kSelf, 800, outcome.why);
    shutdown(fds[0], SHUT_RDWR);  // as the node closes it: the peer sees no ack
  });
  honest_peer(fds[1], "guess", false);
  us.join();
  close(fds[0]);
  close(fds[1]);
  EXPECT_FALSE(outcome.name);
  EXPECT_EQ(outcome.why, "wrong cookie");
}

TEST(Handshake, RefusesMalformedSendNames) {
  struct Case {
    std::vector<uint8_t> bytes;
    std::string why;
  };
  std::vector<uint8_t> wrong_length = send_name(kPeerFlags, "them@127.0.0.1");
  wrong_length[2 + 13 + 1] += 1;  // the name's length, one more than sent
  const std::vector<Case> cases = {
      {send_name(kPeerFlags, "no-at-sign"), "a malformed node name"},
      {send_name(kPeerFlags, "two@at@signs"), "a malformed node name"},
      {send_name(kPeerFlags, "sp ace@host"), "a malformed node name"},
      {send_name(kFlagExtendedReferences, "them@127.0.0.1"),
       "a peer without the distribution flags this node needs"},
      {wrong_length, "a malformed handshake"},
      {packet({'n', 0, 5, 0, 0, 0, 0, 'a', '@', 'b'}),
       "a handshake older than OTP 23 (not supported)"},
      {packet({'N', 1, 2}), "not a distribution handshake"},
      {{0xFF, 0xFF, 'N'}, "a handshake packet of 65535 bytes"},
      {{0x00, 0x00}, "a handshake packet of 0 bytes"},
      {{0x00, 0x40, 'N'}, "the peer stalled"},
  };
  for (const Case& c : cases) {
    Outcome outcome = run([&](int fd) { write_bytes(fd, c.bytes); });
    EXPECT_FALSE(outcome.name);
    EXPECT_EQ(outcome.why, c.why);
  }
}

TEST(Handshake, RefusesAMalformedReply) {
  Outcome outcome = run([](int fd) {
    write_bytes(fd, send_name(kPeerFlags, "them@127.0.0.1"));
    read_packet(fd);
    read_packet(fd);
    write_bytes(fd, packet({'r', 0, 0, 0, 1, 2, 3}));  // too short for a digest
  });
  EXPECT_FALSE(outcome.name);
  EXPECT_EQ(outcome.why, "a malformed challenge reply");
}

}  // namespace
}  // namespace lunatic::dist
