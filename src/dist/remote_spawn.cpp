// Remote spawn (remote_spawn.hpp): the Node's two sides of SPAWN_REQUEST / SPAWN_REPLY. A request
// is {'$lunatic', Function, Arity} with the option {lunatic_module, Hash} or, the first time this
// connection carries that module, {lunatic_module, Hash, Bytes}; its argument list is
// [<<Args:64/little each>>].
#include "dist/remote_spawn.hpp"

#include <algorithm>
#include <cstring>

#include "dist/connection.hpp"
#include "dist/node.hpp"
#include "engine/value.hpp"
#include "runtime/process.hpp"

namespace lunatic::dist {

namespace {

constexpr std::string_view kModuleOption = "lunatic_module";

std::vector<uint8_t> atom_term(std::string_view name) {
  EtfWriter w;
  w.atom(name);
  return std::move(w.bytes());
}

/// Reads the request; nullopt with `error` (the atom to answer) if it is not one of ours.
std::optional<SpawnAsked> read_request(const Control& c, std::string& error) {
  SpawnAsked request;
  EtfReader mfa(c.mfa);
  uint32_t arity = 0;
  int64_t function_arity = 0;
  error = "notsup";
  if (!mfa.tuple_header(arity) || arity != 3 || !mfa.atom(request.module)) return std::nullopt;
  error = "badarg";
  if (!mfa.atom(request.function) || !mfa.integer(function_arity)) return std::nullopt;
  if (function_arity < 0 || static_cast<uint64_t>(function_arity) > kMaxSpawnArgs) {
    return std::nullopt;
  }
  EtfReader options(c.options);
  uint32_t count = 0;
  bool nil = false;
  if (!options.list_header(count, nil)) return std::nullopt;
  for (uint32_t i = 0; i < count; ++i) {
    EtfReader option = options;
    uint32_t fields = 0;
    std::string name;
    if (!options.skip()) return std::nullopt;
    if (EtfReader(option).atom(name)) {
      request.link = request.link || name == "link";
      request.monitor = request.monitor || name == "monitor";
      continue;
    }
    if (!option.tuple_header(fields) || fields < 2 || !option.atom(name) || name != kModuleOption) {
      continue;  // Erlang's own options (link, monitor...) are not lunatic's business
    }
    if (!option.binary(request.hash) || request.hash.size() != 32) return std::nullopt;
    if (fields == 3 && !option.binary(request.bytes)) return std::nullopt;
  }
  if (request.module != kSpawnModuleAtom) {  // an Erlang spawn: read once the module is known
    request.arity = static_cast<size_t>(function_arity);
    request.arg_list = c.payload;
    return request;
  }
  if (request.hash.empty()) return std::nullopt;
  EtfReader args(c.payload);
  std::span<const uint8_t> packed;
  if (!args.version() || !args.list_header(count, nil)) return std::nullopt;
  if (!nil) {
    if (count != 1 || !args.binary(packed) || packed.size() % 8 != 0 ||
        packed.size() / 8 > kMaxSpawnArgs ||
        static_cast<size_t>(function_arity) != packed.size() / 8) {
      return std::nullopt;
    }
  } else if (function_arity != 0) {
    return std::nullopt;
  }
  for (size_t at = 0; at < packed.size(); at += 8) {
    uint64_t v = 0;
    for (int b = 7; b >= 0; --b) v = v << 8 | packed[at + static_cast<size_t>(b)];
    request.args.push_back(engine::Value::i64(static_cast<int64_t>(v)));
  }
  return request;
}

}  // namespace

int Node::spawn_remote(runtime::ProcessId caller, RemoteSpawn spawn) {
  if (spawn.node == name_ || !spawn.module || spawn.args.size() > kMaxSpawnArgs) return 1;
  const std::optional<ModuleHash> hashed = sha256(*spawn.module);
  if (!hashed) return 1;  // no libcrypto: but a node does not start without it
  const ModuleHash& hash = *hashed;
  const uint64_t key = next_spawn_key_.fetch_add(1);
  bool carry_bytes = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_spawns_.size() >= kMaxPendingSpawns) return 2;
    pending_spawns_[key] =
        PendingSpawn{caller,     spawn.reply_tag, spawn.node,    hash,
                     spawn.link, spawn.link_tag,  spawn.monitor, spawn.monitor_tag};
    carry_bytes = sent_modules_[spawn.node].insert(hash).second;
  }
  EtfWriter mfa;
  mfa.tuple(3).atom(kSpawnModuleAtom).atom(spawn.function);
  mfa.integer(static_cast<int64_t>(spawn.args.size()));
  EtfWriter options;
  const uint8_t count = static_cast<uint8_t>(1 + (spawn.link ? 1 : 0) + (spawn.monitor ? 1 : 0));
  options.bytes() = {108, 0, 0, 0, count};  // LIST_EXT of the options, then NIL
  options.tuple(carry_bytes ? 3 : 2).atom(kModuleOption).binary(hash);
  if (carry_bytes) options.binary(*spawn.module);
  if (spawn.link) options.atom("link");
  if (spawn.monitor) options.atom("monitor");
  options.nil();
  EtfWriter args;
  args.version();
  if (spawn.args.empty()) {
    args.nil();
  } else {
    std::vector<uint8_t> packed;
    for (int64_t a : spawn.args) {
      for (int b = 0; b < 8; ++b)
        packed.push_back(static_cast<uint8_t>(static_cast<uint64_t>(a) >> (8 * b)));
    }
    args.bytes().insert(args.bytes().end(), {108, 0, 0, 0, 1});
    args.binary(packed).nil();
  }
  // The request's id is also the reference of the monitor it may ask for (Erlang's).
  const ErlangRef id = monitor_ref(key | kSpawnKeyBit);
  if (enqueue_to(spawn.node, spawn_request_frame(id, pids_->local_pid(caller), mfa.bytes(),
                                                 options.bytes(), args.bytes()))) {
    return 0;
  }
  std::lock_guard lock(mutex_);
  pending_spawns_.erase(key);
  if (carry_bytes) sent_modules_[spawn.node].erase(hash);
  return 1;
}

std::shared_ptr<SpawnCompile> Node::spawn_request(const std::string& peer, const Control& c,
                                                  std::shared_ptr<const std::vector<uint8_t>> frame,
                                                  std::function<void()> done) {
  std::string error;
  std::optional<SpawnAsked> request = read_request(c, error);
  std::shared_ptr<const engine::CompiledModule> module;
  if (request && !config_.remote_spawn) {
    error = "notsup";
    request.reset();
  }
  if (request && request->module != kSpawnModuleAtom) {
    module = home_module(request->module);
    std::optional<std::vector<engine::Value>> args;
    if (module)
      args = erlang_arguments(module->wasm, request->function, request->arity, request->arg_list);
    if (!module) {
      error = "notsup";  // a module of Erlang's, or one this node does not offer
    } else if (!args) {
      error = "badarg";
      module.reset();
    } else {
      request->args = std::move(*args);
    }
  } else if (request) {
    ModuleHash hash;
    std::copy(request->hash.begin(), request->hash.end(), hash.begin());
    module = modules_.find(hash);
    if (!module && request->bytes.empty()) {
      error = "unknown_module";
    } else if (!module && request->bytes.size() > kMaxRemoteModule) {
      error = "system_limit";
    } else if (!module) {
      // Checked and compiled on the runtime's HostWork threads; the connection holds back
      // the peer's later frames meanwhile. Each peer is an owner of its own there (the bit
      // keeps it apart from the environments that own guests' compiles), so one peer's
      // modules delay another's by one job at most, and a connection has one job at a time.
      auto job = std::make_shared<SpawnCompile>(runtime_, hash, std::move(frame), request->bytes,
                                                std::move(done));
      const uint64_t owner = uint64_t{1} << 63 | std::hash<std::string>{}(peer) >> 1;
      if (runtime_.host_work().submit(job, request->bytes.size(), owner)) return job;
      log(true, "refused a remote spawn from " + peer + ": too many module compiles in progress");
      error = "system_limit";
    }
  }
  answer_spawn_request(peer, c, request, std::move(module), error);
  return nullptr;
}

void Node::spawn_compiled(const std::string& peer, const Control& c, const SpawnCompile& job) {
  std::string error;
  std::optional<SpawnAsked> request = read_request(c, error);  // as before the compile
  std::shared_ptr<const engine::CompiledModule> module;
  const SpawnCompile::Compiled& compiled = job.result();
  if (compiled) {
    // As a module a process loads at run time: the embedder's tier (the CLI's: baseline
    // code from a background thread, then LLVM's), not the interpreter for good (a worker
    // spawned for a ping-pong spent most of its time there).
    module = *compiled;
    modules_.add(job.hash(), module, job.size());
    log(false, "compiled a module of " + std::to_string(job.size()) + " bytes from " + peer +
                   " for remote spawns");
  } else {
    log(true, "a remote spawn from " + peer +
                  " sent a module that does not compile: " + compiled.error().to_string());
    error = "badarg";
  }
  answer_spawn_request(peer, c, request, std::move(module), error);
}

void Node::cancel_compile(const SpawnCompile& job) { runtime_.host_work().cancel(&job); }

void Node::answer_spawn_request(const std::string& peer, const Control& c,
                                const std::optional<SpawnAsked>& request,
                                std::shared_ptr<const engine::CompiledModule> module,
                                std::string error) {
  if (module && request) {
    // The requester is a process of the peer (Connection checked `from`); without an id for
    // it (the pid table is full) no link or monitor can be made: answered system_limit.
    const std::optional<runtime::ProcessId> requester = pids_->id_of(*c.from);
    if ((request->link || request->monitor) && !requester) {
      error = "system_limit";
    } else if (spawn_requested(peer, c, *request, module, requester.value_or(0))) {
      return;
    } else {
      error = "badarg";
    }
  }
  enqueue_to(peer, spawn_reply_frame(c.ref, *c.from, atom_term(error)));
}

bool Node::spawn_requested(const std::string& peer, const Control& c, const SpawnAsked& request,
                           std::shared_ptr<const engine::CompiledModule> module,
                           runtime::ProcessId requester) {
  runtime::SpawnOptions options;
  options.module = std::move(module);
  options.environment = config_.remote_spawn;
  options.entry = request.function;
  options.args = request.args;
  options.module_name = "remote spawn from " + peer;
  // The link and the monitor are made, and the answer written, before the new process first
  // runs; the connection holds its frames meanwhile, and puts the answer first once the
  // process is registered (a message to it from the answer's reader must find it): its exit
  // or monitor signal cannot overtake the answer.
  std::shared_ptr<Connection> connection = connection_to(peer);
  if (connection) connection->hold();
  std::vector<uint8_t> reply;
  std::optional<ErlangPid> replied;
  std::optional<uint64_t> monitor_key;
  bool linked = false;
  runtime::ProcessId spawned = 0;
  options.prepare = [&](runtime::Process& process) {
    spawned = process.id();
    const ErlangPid pid = pids_->local_pid(process.id());
    int64_t flags = 0;
    if (request.link && signals_.add_link(peer, process.id(), requester)) {
      linked = process.add_remote_link(requester);
      if (linked) flags |= kSpawnLinked;
    }
    if (request.monitor) {
      EtfWriter proc;
      proc.pid(pid);
      monitor_key = signals_.add_incoming(
          peer,
          IncomingMonitor{process.id(), requester, proc.bytes(), {c.ref.begin(), c.ref.end()}, 0});
      if (monitor_key && process.add_remote_monitor(requester, *monitor_key)) {
        flags |= kSpawnMonitored;
      }
    }
    EtfWriter result;
    result.pid(pid);
    reply = spawn_reply_frame(c.ref, *c.from, result.bytes(), flags);
    replied = pid;
  };
  Result<runtime::ProcessId> id = runtime_.spawn(std::move(options));
  if (connection) {
    connection->release(std::move(reply));
  } else if (!reply.empty()) {
    enqueue_to(peer, std::move(reply));
  }
  if (id) return true;
  log(true, "a remote spawn from " + peer + " failed: " + id.error().to_string());
  if (!replied) return false;
  // It failed after the answer went (past its preparation): to the peer, the new process
  // ended at once, and its link and monitor say so.
  const std::vector<uint8_t> reason = reason_term("noproc");
  if (linked && signals_.remove_link(peer, spawned, requester))
    enqueue_to(peer, exit_frame(*replied, *c.from, reason));
  if (monitor_key && signals_.take_incoming(peer, *monitor_key)) {
    EtfWriter proc;
    proc.pid(*replied);
    enqueue_to(peer, monitor_exit_frame(proc.bytes(), *c.from, c.ref, reason));
  }
  return true;
}

void Node::on_spawn_reply(const std::string& peer, const Control& c) {
  const std::optional<uint64_t> ref_key = monitor_key(c.ref);
  if (!ref_key || (*ref_key & kSpawnKeyBit) == 0) return;
  const uint64_t key = *ref_key & ~kSpawnKeyBit;
  PendingSpawn pending;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_spawns_.find(key);
    if (it == pending_spawns_.end() || it->second.peer != peer) return;
    pending = it->second;
    pending_spawns_.erase(it);
    // The peer lost the module (its cache is bounded): the next spawn carries it again.
    std::string atom;
    if (EtfReader(c.reason).atom(atom) && atom == "unknown_module") {
      sent_modules_[peer].erase(pending.hash);
    }
  }
  EtfWriter term;
  term.version().tuple(2);
  ErlangPid pid;
  std::optional<runtime::ProcessId> id;
  if (EtfReader(c.reason).pid(pid) && pid.node == peer) {
    id = pids_->id_of(pid);
    term.atom("ok").pid(pid);
  } else {
    term.atom("error").raw(c.reason);
  }
  if (id) settle_spawn_signals(pending, key, pid, *id, c.spawn_flags);
  answer_spawn(pending, std::move(term.bytes()), id.value_or(0));
}

void Node::settle_spawn_signals(const PendingSpawn& pending, uint64_t key, const ErlangPid& pid,
                                runtime::ProcessId spawned, int64_t flags) {
  std::shared_ptr<runtime::Process> caller = runtime_.find(pending.caller);
  const std::string no_connection(runtime::kNoConnectionReason);
  if (pending.link) {
    if (!(flags & kSpawnLinked)) {
      // The other node made no link (its table for this node is full): the link fails at
      // once, as a link to an unreachable node does.
      if (caller && caller->add_remote_link(spawned, pending.link_tag)) {
        caller->remote_link_died(spawned, runtime::ExitStatus::Kind::Failed, no_connection);
      }
    } else if (!caller || !signals_.add_link(pending.peer, pending.caller, spawned)) {
      // The caller ended while it waited (or this node's table is full): the new process
      // gets its linked process's end, and the caller (if alive) the link's.
      enqueue_to(pending.peer,
                 exit_frame(pids_->local_pid(pending.caller), pid, reason_term("noproc")));
      if (caller && caller->add_remote_link(spawned, pending.link_tag)) {
        caller->remote_link_died(spawned, runtime::ExitStatus::Kind::Failed, no_connection);
      }
    } else if (!caller->add_remote_link(spawned, pending.link_tag)) {
      signals_.remove_link(pending.peer, pending.caller, spawned);
      enqueue_to(pending.peer,
                 exit_frame(pids_->local_pid(pending.caller), pid, reason_term("noproc")));
    }
  }
  if (pending.monitor) {
    const uint64_t monitor = key | kSpawnKeyBit;
    const bool made = flags & kSpawnMonitored;
    if (made && caller && caller->add_remote_watching(spawned) &&
        signals_.add_outgoing(pending.peer, {pending.caller, spawned, pending.monitor_tag},
                              monitor)) {
      return;
    }
    if (made) {
      enqueue_to(pending.peer,
                 monitor_frame(true, pids_->local_pid(pending.caller), pid, monitor_ref(monitor)));
    }
    if (caller) {
      caller->remote_monitor_fired(spawned, pending.monitor_tag, runtime::ExitStatus::Kind::Failed,
                                   no_connection, true);
    }
  }
}

void Node::answer_spawn(const PendingSpawn& pending, std::vector<uint8_t> term,
                        runtime::ProcessId spawned) {
  auto message = std::make_unique<runtime::Message>();
  message->tag = pending.tag;
  message->process = spawned;
  message->data = std::move(term);
  runtime_.send(pending.caller, std::move(message));
}

void Node::fail_spawns(const std::string& peer) {
  std::vector<PendingSpawn> failed;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(pending_spawns_, [&](const auto& entry) {
      if (entry.second.peer != peer) return false;
      failed.push_back(entry.second);
      return true;
    });
    sent_modules_.erase(peer);
  }
  EtfWriter term;
  term.version().tuple(2).atom("error").atom("noconnection");
  for (const PendingSpawn& p : failed) answer_spawn(p, term.bytes(), 0);
}

void Node::set_module_source(const engine::CompiledModule* module,
                             std::shared_ptr<const std::vector<uint8_t>> bytes) {
  std::lock_guard lock(mutex_);
  sources_[module] = std::move(bytes);
}

std::shared_ptr<const std::vector<uint8_t>> Node::module_source(
    const engine::CompiledModule* module) const {
  std::lock_guard lock(mutex_);
  auto it = sources_.find(module);
  return it == sources_.end() ? nullptr : it->second;
}

}  // namespace lunatic::dist
