// Node: this runtime as an Erlang distribution node. It registers with epmd (started when
// none answers), accepts connections on a thread of its own, keeps one Connection per peer,
// and is the runtime's Router: messages to remote ids leave through it, and terms from peers
// arrive as lunatic messages (docs/distribution.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "dist/control.hpp"
#include "dist/handshake.hpp"
#include "dist/node_config.hpp"
#include "dist/pid_table.hpp"
#include "dist/remote_spawn.hpp"
#include "dist/signal_table.hpp"
#include "engine/compiled_module.hpp"
#include "runtime/environment.hpp"
#include "runtime/router.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::dist {

class Connection;

/// The tag of a message that carries an Erlang term (its data: the term's external format,
/// version byte first). "ERLTERM\0" read as a big-endian number.
inline constexpr runtime::Tag kTermTag = 0x45524C5445524D00;
/// The most peers connected at once; more are refused.
inline constexpr size_t kMaxConnections = 256;
/// The most processes that watch nodes come and go (monitor_nodes) at once.
inline constexpr size_t kMaxNodeWatchers = 4096;

/// Every member has an initializer (designated initializers naming a few compile cleanly).
struct NodeConfig {
  NodeName name{};
  std::string cookie{};
  /// The environment whose registered names peers reach as {Name, Node} (the root's).
  std::shared_ptr<const runtime::Environment> names{};
  /// What happened that a person may want to know (a refused or dropped peer); `warning`
  /// for what went wrong. Called from the node's threads; must not block or throw.
  std::function<void(bool warning, const std::string& text)> log{};
  /// Remote pids the node remembers at most (PidTable).
  size_t max_remote_pids = size_t{1} << 16;
  /// Links and monitors with one peer at most (SignalTable); a peer past it is dropped.
  size_t max_signals_per_peer = size_t{1} << 18;
  /// Where processes that peers spawn here run (docs/distribution.md "Remote spawn"); null:
  /// remote spawns are refused (answered `notsup`).
  std::shared_ptr<const runtime::Environment> remote_spawn{};
  /// Bytes of modules received from peers the node keeps compiled at most. They are compiled
  /// by Runtime::compile, as modules processes load at run time (RuntimeConfig::compile: the
  /// embedder's tier and the proposals modules may use).
  size_t module_cache_bytes = size_t{64} << 20;
  /// Bytes of frames (each counted with kQueuedFrameBytes more) a connection reads ahead
  /// while a spawn request's module compiles; past them it reads nothing more from the
  /// peer until the compile is done (docs/distribution.md "Remote spawn").
  size_t max_paused_bytes = size_t{16} << 20;
};

class Node final : public runtime::Router {
 public:
  /// Starts epmd if none answers, listens (on HOST's address if it is an IPv4 literal, else
  /// on every address), publishes the node and starts accepting. Errors with Phase::Host.
  static Result<std::shared_ptr<Node>> start(runtime::Runtime& runtime, NodeConfig config);
  ~Node() override;

  /// Stops accepting, drops every peer, unpublishes; waits for the node's threads. Idempotent.
  void stop();

  bool send_remote(runtime::ProcessId to, std::unique_ptr<runtime::Message> message) override;
  // Links and monitors across nodes (signals.cpp).
  bool link(runtime::ProcessId local, runtime::ProcessId remote) override;
  void unlink(runtime::ProcessId local, runtime::ProcessId remote) override;
  bool monitor(runtime::ProcessId watcher, runtime::ProcessId target, runtime::Tag tag) override;
  void demonitor(runtime::ProcessId watcher, runtime::ProcessId target) override;
  bool kill(runtime::ProcessId from, runtime::ProcessId to) override;
  void exited(runtime::ProcessId dead, const runtime::Notifications& remote,
              const runtime::ExitStatus& status) override;

  /// Asks `spawn.node` to run `spawn.function` of `spawn.module` for `caller`; the answer
  /// comes to `caller` as a message tagged `spawn.reply_tag` whose data is the term
  /// {ok, Pid} (the message's process: the new process's remote id) or {error, Reason}.
  /// Returns 0 asked, 1 not possible (this node, no such node, bad arguments), 2 too many
  /// spawns waiting already. Thread-safe.
  int spawn_remote(runtime::ProcessId caller, RemoteSpawn spawn);
  /// The bytes `module` was compiled from, for spawns of a process's own module on another
  /// node (the CLI gives the root module's).
  void set_module_source(const engine::CompiledModule* module,
                         std::shared_ptr<const std::vector<uint8_t>> bytes);
  std::shared_ptr<const std::vector<uint8_t>> module_source(
      const engine::CompiledModule* module) const;

  /// Lets Erlang processes spawn exports of `module` here as spawn(Node, Name, Function, Args)
  /// or spawn_request (docs/distribution.md "Spawns from Erlang"), in the remote-spawn
  /// environment; the CLI names the root module by its file's stem. One name at a time.
  void set_home_module(std::string name, std::shared_ptr<const engine::CompiledModule> module);
  /// The module set_home_module named `name`, or null.
  std::shared_ptr<const engine::CompiledModule> home_module(const std::string& name) const;

  /// The peers connected now (handshake done), by name.
  std::vector<std::string> nodes() const;
  /// Process `id` gets {nodeup, Node} / {nodedown, Node} (terms, kTermTag) as peers come and
  /// go (`on`), or stops getting them. False if it is at kMaxNodeWatchers already.
  bool monitor_nodes(runtime::ProcessId id, bool on);

  /// "alive@host".
  const std::string& name() const { return name_; }
  uint16_t port() const { return port_; }
  PidTable& pids() { return *pids_; }

  // ---- for Connection (its thread) ----
  /// What became of a term from a peer (deliver).
  enum class Delivery {
    Delivered,
    NoProcess,  ///< no such process here: dropped, as in Erlang
    OverBudget  ///< the receiver's environment cannot hold it: dropped (the caller logs)
  };
  /// A term for local process `to` (a pid), or for the process registered as `to_name` in
  /// the names environment; `from`, if known, is the sender. While queued, the message is
  /// charged to the receiver's environment (no process of this node sent it): a peer cannot
  /// hold more of this node's memory than the receiver's limits allow.
  Delivery deliver(const std::optional<ErlangPid>& from, const std::optional<ErlangPid>& to,
                   const std::string& to_name, std::span<const uint8_t> term);
  void log(bool warning, const std::string& text) const;
  /// Connects to `peer` and runs the handshake (handshake.hpp); the socket, or -1 with `why`.
  int connect(const std::string& peer, std::string& why);
  /// A link, exit or monitor signal from `peer` (signals.cpp); false: drop the peer (`why`).
  bool signal(const std::string& peer, const Control& control, std::string& why);
  /// A spawn request from `peer` (remote_spawn.cpp): answered now, or, when the module it
  /// carries must be compiled first, the job that does it, submitted to the runtime's
  /// HostWork. The job calls `done` (on its thread) once it has run; the connection then
  /// calls spawn_compiled(), and until then handles none of the peer's later frames.
  /// `frame` holds the bytes `control` points into (the job keeps it while it runs).
  std::shared_ptr<SpawnCompile> spawn_request(const std::string& peer, const Control& control,
                                              std::shared_ptr<const std::vector<uint8_t>> frame,
                                              std::function<void()> done);
  /// Answers the spawn request `control` from `peer` with what `job` (spawn_request's,
  /// done()) made of its module.
  void spawn_compiled(const std::string& peer, const Control& control, const SpawnCompile& job);
  /// Drops `job` if it has not started (its connection ended); a running one runs to its end.
  void cancel_compile(const SpawnCompile& job);
  size_t max_paused_bytes() const { return config_.max_paused_bytes; }
  /// The connection's handshake is done / it ended (its links and monitors end with
  /// noconnection, node watchers get nodedown). Called on its thread.
  void connection_up(const Connection& connection);
  void connection_ended(const Connection& connection);

  struct Ei;  ///< erl_interface's node state, for epmd publication (node.cpp)

 private:
  Node(runtime::Runtime& runtime, NodeConfig config);
  Result<void> listen_and_publish();
  HandshakeSelf handshake_self() const;
  void accept_loop();
  void accept_one();
  /// The connection to `peer`, opened (queued) if there is none. Null if at kMaxConnections.
  std::shared_ptr<Connection> connection_to(const std::string& peer);
  /// Joins and forgets the connections that ended.
  void reap();
  /// Queues `frame` on the connection to `peer` (opened if there is none), holding `charge`
  /// while it waits (Connection::enqueue); false if it cannot.
  bool enqueue_to(const std::string& peer, std::vector<uint8_t> frame, MemoryCharge charge = {});
  /// This node's reference for outgoing monitor `key`, and back (nullopt: not one of ours).
  ErlangRef monitor_ref(uint64_t key) const;
  std::optional<uint64_t> monitor_key(std::span<const uint8_t> ref) const;
  /// Tells the local processes of `lost` that their peer's processes are gone (noconnection).
  void connection_lost(const SignalTable::Lost& lost);
  // Remote spawn (remote_spawn.cpp).
  struct PendingSpawn {
    runtime::ProcessId caller = 0;
    runtime::Tag tag = 0;
    std::string peer;
    ModuleHash hash{};
    bool link = false;
    runtime::Tag link_tag = 0;
    bool monitor = false;
    runtime::Tag monitor_tag = 0;
  };
  /// Spawns `module` as `request` (nullopt: unreadable) asks, with its link and monitor, and
  /// answers; without a module (or if the spawn fails first) answers `error`.
  void answer_spawn_request(const std::string& peer, const Control& control,
                            const std::optional<SpawnAsked>& request,
                            std::shared_ptr<const engine::CompiledModule> module,
                            std::string error);
  /// Spawns what `request` asks (with its link and monitor) and answers; false if the spawn
  /// failed before anything was answered.
  bool spawn_requested(const std::string& peer, const Control& control, const SpawnAsked& request,
                       std::shared_ptr<const engine::CompiledModule> module,
                       runtime::ProcessId requester);
  void on_spawn_reply(const std::string& peer, const Control& control);
  void answer_spawn(const PendingSpawn& pending, std::vector<uint8_t> term,
                    runtime::ProcessId spawned);
  /// The caller's side of the link / monitor a spawn asked for, as the answer's `flags` say
  /// the other node made them (a missing one fails at once with noconnection).
  void settle_spawn_signals(const PendingSpawn& pending, uint64_t key, const ErlangPid& pid,
                            runtime::ProcessId spawned, int64_t flags);
  /// Spawns waiting on `peer` get {error, noconnection}; its sent modules are forgotten.
  void fail_spawns(const std::string& peer);
  /// Sends {nodeup|nodedown, peer} to the node watchers.
  void tell_node_watchers(bool up, const std::string& peer);

  runtime::Runtime& runtime_;
  NodeConfig config_;
  std::string name_;
  std::unique_ptr<Ei> ei_;
  std::unique_ptr<PidTable> pids_;
  SignalTable signals_;
  std::atomic<uint64_t> next_unlink_id_{1};
  int listen_fd_ = -1;
  int epmd_fd_ = -1;  ///< open while the node is published
  int stop_fd_ = -1;  ///< eventfd: stop()
  uint16_t port_ = 0;
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Connection>> peers_;  ///< under mutex_
  std::vector<std::shared_ptr<Connection>> connections_;      ///< under mutex_: all, to reap
  bool stopped_ = false;                                      ///< under mutex_
  std::set<runtime::ProcessId> node_watchers_;                ///< under mutex_
  std::map<uint64_t, PendingSpawn> pending_spawns_;           ///< under mutex_
  std::map<std::string, std::set<ModuleHash>> sent_modules_;  ///< under mutex_: per peer
  std::map<const engine::CompiledModule*, std::shared_ptr<const std::vector<uint8_t>>>
      sources_;                                                ///< under mutex_
  std::string home_name_;                                      ///< under mutex_
  std::shared_ptr<const engine::CompiledModule> home_module_;  ///< under mutex_
  ModuleCache modules_;
  std::atomic<uint64_t> next_spawn_key_{1};
};

}  // namespace lunatic::dist
