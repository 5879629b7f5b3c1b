// Remote spawn between lunatic nodes: a module's bytes travel once per connection, keyed by
// their SHA-256, and the receiving node keeps the compiled module in a bounded cache. The
// request and the answer are Erlang's SPAWN_REQUEST and SPAWN_REPLY (docs/distribution.md
// "Remote spawn"); the process runs in the environment the receiving node set for remote
// spawns.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "engine/compiled_module.hpp"
#include "runtime/ids.hpp"

namespace lunatic::dist {

using ModuleHash = std::array<uint8_t, 32>;

/// SHA-256 of `bytes` (OpenSSL's libcrypto).
ModuleHash sha256(std::span<const uint8_t> bytes);

/// The largest module a remote spawn carries, and a node accepts.
inline constexpr size_t kMaxRemoteModule = 16u << 20;
/// The most i64 arguments of a remotely spawned function.
inline constexpr size_t kMaxSpawnArgs = 16;
/// The most remote spawns waiting for their answer on a node.
inline constexpr size_t kMaxPendingSpawns = 4096;
/// The module name in a SPAWN_REQUEST's {Module, Function, Arity} that asks for a lunatic
/// module (any other is Erlang's: answered `notsup`).
inline constexpr std::string_view kSpawnModuleAtom = "$lunatic";

/// Modules compiled from what peers sent, by hash. Thread-safe. Holds at most `max_bytes` of
/// module bytes (counted as sent); the oldest go first.
class ModuleCache {
 public:
  explicit ModuleCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  std::shared_ptr<const engine::CompiledModule> find(const ModuleHash& hash) const;
  void add(const ModuleHash& hash, std::shared_ptr<const engine::CompiledModule> module,
           size_t bytes);
  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const engine::CompiledModule> module;
    size_t bytes = 0;
  };
  const size_t max_bytes_;
  mutable std::mutex mutex_;
  std::map<ModuleHash, Entry> modules_;  ///< under mutex_
  std::deque<ModuleHash> order_;         ///< under mutex_: oldest first
  size_t total_ = 0;                     ///< under mutex_
};

/// What a peer's SPAWN_REQUEST of lunatic's asks for, read from its parts (spans into the
/// frame).
struct SpawnAsked {
  std::string function;
  std::span<const uint8_t> hash;
  std::span<const uint8_t> bytes;  ///< empty: the receiver should have it cached
  std::vector<int64_t> args;
  bool link = false;     ///< the option `link`: link the new process to the requester
  bool monitor = false;  ///< `monitor`: the requester monitors it, under the request's id
};

/// A remote spawn asked by a local process (Node::spawn_remote).
struct RemoteSpawn {
  std::string node{};                                    ///< where
  std::shared_ptr<const std::vector<uint8_t>> module{};  ///< the module's bytes
  std::string function{};                                ///< an export taking i64s
  std::vector<int64_t> args{};                           ///< at most kMaxSpawnArgs
  runtime::Tag reply_tag = 0;  ///< the tag of the answer: {ok, Pid} or {error, Reason}
  /// Erlang's spawn_opt link / monitor: made by the other node before the new process runs,
  /// and on this side before the answer arrives (its death cannot come first). The caller's
  /// link-died / process-died messages carry these tags.
  bool link = false;
  runtime::Tag link_tag = 0;
  bool monitor = false;
  runtime::Tag monitor_tag = 0;
};

}  // namespace lunatic::dist
