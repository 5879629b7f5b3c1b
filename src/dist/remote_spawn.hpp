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
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "dist/crypto.hpp"
#include "engine/compiled_module.hpp"
#include "engine/value.hpp"
#include "runtime/host_work.hpp"
#include "runtime/ids.hpp"

namespace lunatic::runtime {
class Runtime;
}

namespace lunatic::dist {

using ModuleHash = std::array<uint8_t, 32>;

/// The largest module a remote spawn carries, and a node accepts.
inline constexpr size_t kMaxRemoteModule = 16u << 20;
/// The most i64 arguments of a remotely spawned function.
inline constexpr size_t kMaxSpawnArgs = 16;
/// The most remote spawns waiting for their answer on a node.
inline constexpr size_t kMaxPendingSpawns = 4096;
/// The module name in a SPAWN_REQUEST's {Module, Function, Arity} that asks for a lunatic
/// module that travels by hash (lunatic to lunatic). Any other names a module the node lets
/// Erlang processes spawn (Node::set_home_module); else it is Erlang's: answered `notsup`.
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

/// The check and compilation of a module a peer sent with a spawn request: SHA-256, decoding,
/// validation, lowering (Runtime::compile). Run on the runtime's HostWork threads, not on the
/// connection's thread, while the connection holds back the frames the peer sent after the
/// request (Connection, docs/distribution.md "Remote spawn"). Thread-safe.
class SpawnCompile final : public runtime::HostJob {
 public:
  using Compiled = Result<std::shared_ptr<const engine::CompiledModule>>;
  /// `bytes` (the module) lies within `frame`, which the job keeps alive. `done` is called on
  /// the job's thread once it has run (never if it is cancelled first); it must not block.
  SpawnCompile(runtime::Runtime& runtime, ModuleHash hash,
               std::shared_ptr<const std::vector<uint8_t>> frame, std::span<const uint8_t> bytes,
               std::function<void()> done);
  void run() override;
  /// Whether run() has ended (and result() may be read).
  bool done() const;
  /// The module, or why there is none (the bytes do not match the hash, or do not compile).
  /// @pre done()
  const Compiled& result() const;
  const ModuleHash& hash() const { return hash_; }
  size_t size() const { return bytes_.size(); }

 private:
  runtime::Runtime& runtime_;
  const ModuleHash hash_;
  const std::shared_ptr<const std::vector<uint8_t>> frame_;
  const std::span<const uint8_t> bytes_;
  const std::function<void()> done_;
  mutable std::mutex mutex_;
  std::optional<Compiled> result_;  ///< under mutex_: set once, by run()
};

/// What a peer's SPAWN_REQUEST of lunatic's asks for, read from its parts (spans into the
/// frame).
struct SpawnAsked {
  std::string module;  ///< kSpawnModuleAtom, or a home module's name (an Erlang spawn)
  std::string function;
  std::span<const uint8_t> hash;
  std::span<const uint8_t> bytes;  ///< empty: the receiver should have it cached
  std::vector<engine::Value> args;
  /// An Erlang spawn's: its arity and its argument list (a term with its version byte), read
  /// by the export's parameter types (erlang_arguments) once the module is known.
  size_t arity = 0;
  std::span<const uint8_t> arg_list;
  bool link = false;     ///< the option `link`: link the new process to the requester
  bool monitor = false;  ///< `monitor`: the requester monitors it, under the request's id
};

/// The arguments of an Erlang spawn of `function`, an export of `module` taking `arity`
/// parameters, from `arg_list` (the request's list term, version byte first): an integer for
/// an i32 (in -2^31..2^32-1, the upper half read as unsigned) or an i64 (in int64's range),
/// a float or an integer for an f32 or f64. nullopt for anything else: no such export, another
/// arity, another parameter type (v128, references), more than kMaxSpawnArgs.
std::optional<std::vector<engine::Value>> erlang_arguments(const wasm::Module& module,
                                                           const std::string& function,
                                                           size_t arity,
                                                           std::span<const uint8_t> arg_list);

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
