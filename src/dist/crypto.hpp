// The hashes and randomness distribution needs (MD5 for the Erlang handshake, SHA-256 for
// modules that travel, random challenges), from OpenSSL's libcrypto loaded on first use: linked,
// its relocations cost every `lunatic` start ~6 ms though only a node uses it
// (docs/benchmarks.md, "Start-up: no HTTP or crypto library at load").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace lunatic::dist {

/// Loads libcrypto once (thread-safe); later calls return the first outcome. Node::start calls
/// it, so that a node without it fails to start rather than later.
Result<void> load_crypto();

/// MD5 of `bytes`, or nullopt if libcrypto is not available.
std::optional<std::array<uint8_t, 16>> md5(std::span<const uint8_t> bytes);

/// SHA-256 of `bytes`, or nullopt if libcrypto is not available.
std::optional<std::array<uint8_t, 32>> sha256(std::span<const uint8_t> bytes);

/// `size` cryptographically random bytes into `out`; false if none could be had.
bool random_bytes(uint8_t* out, size_t size);

/// a == b, in time that depends on the length only (for digests a peer presents).
bool equal_in_constant_time(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace lunatic::dist
