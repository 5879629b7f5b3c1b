// The distribution handshake (Erlang/OTP "Distribution Protocol", version 6 with 64-bit flags:
// send_name, status, challenge, challenge reply and ack, MD5 digests of cookie and challenge),
// both sides, written here rather than erl_interface's so that the node can offer the flags it
// needs: erl_interface 5.x offers DFLAG_DIST_MONITOR without DFLAG_DIST_MONITOR_NAME, and an
// OTP 25 node then keeps its monitors of our processes local (they fire only on noconnection)
// and ignores ours. Every field a peer sends is bounded and checked; any fault ends the
// handshake with a reason and the socket closed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lunatic::dist {

// Distribution flags (Erlang/OTP, "Distribution Protocol", Distribution Flags).
inline constexpr uint64_t kFlagExtendedReferences = 0x4;
inline constexpr uint64_t kFlagDistMonitor = 0x8;
inline constexpr uint64_t kFlagDistMonitorName = 0x20;
inline constexpr uint64_t kFlagExtendedPidsPorts = 0x100;
inline constexpr uint64_t kFlagUtf8Atoms = 0x10000;
inline constexpr uint64_t kFlagBigCreation = 0x40000;
inline constexpr uint64_t kFlagHandshake23 = 0x1000000;
inline constexpr uint64_t kFlagSpawn = 0x100000000;

/// What this node offers: erl_interface 5.3's own set (0x407074f9c: extended references and
/// pids, fun and export tags, bit binaries, new floats, small and UTF-8 atoms, maps, big
/// creation, the OTP 23 handshake, UNLINK_ID, the OTP 25 digest, v4 node containers, and
/// DIST_MONITOR), plus DIST_MONITOR_NAME and SPAWN (without it an Erlang node answers its own
/// spawn_request to this node `notsup` and never asks: remote_spawn.hpp). Not PUBLISHED: the node
/// is hidden, as C nodes are (Erlang nodes do not pull it into `global`'s name syncing). No atom
/// cache, no fragments.
inline constexpr uint64_t kOurFlags = 0x407074f9cull | kFlagDistMonitorName | kFlagSpawn;
/// What a peer must offer: the term formats this node reads and writes, and the OTP 23
/// handshake (version 6).
inline constexpr uint64_t kRequiredFlags = kFlagExtendedReferences | kFlagExtendedPidsPorts |
                                           kFlagUtf8Atoms | kFlagBigCreation | kFlagHandshake23;
/// The longest handshake packet a peer may send (a name of 255 bytes and the fixed fields).
inline constexpr size_t kMaxHandshakePacket = 512;

/// This node, as the handshake presents it.
struct HandshakeSelf {
  std::string name;    ///< "alive@host"
  std::string cookie;  ///< the shared secret
  uint32_t creation = 0;
};

/// Runs the accepting side on `fd` (a connected socket) within `timeout_ms`. The peer's node
/// name, or nullopt with `why` (the socket is left open for the caller to close).
std::optional<std::string> accept_handshake(int fd, const HandshakeSelf& self, unsigned timeout_ms,
                                            std::string& why);

/// Asks epmd (ERL_EPMD_PORT, default 4369, on the peer's host) for `peer`'s port, connects
/// and runs the connecting side, all within `timeout_ms`. The socket, or -1 with `why`.
int connect_handshake(const std::string& peer, const HandshakeSelf& self, unsigned timeout_ms,
                      std::string& why);

}  // namespace lunatic::dist
