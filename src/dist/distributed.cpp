// The lunatic::distributed host functions (distributed.hpp). They reach the Node through the
// runtime's Router; without one (no --name / --sname) each answers "not distributed".
#include "dist/distributed.hpp"

#include <algorithm>

#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "dist/node.hpp"
#include "runtime/process.hpp"

namespace lunatic::dist {
namespace {

using binding::CallContext;
using binding::GuestMutSpan;
using binding::GuestPtr;
using binding::GuestSpan;
using binding::GuestString;
using binding::HostResult;
using runtime::Process;

constexpr int32_t kNotDistributed = -1;

/// The node behind the caller's runtime, or null.
std::shared_ptr<Node> node_of(CallContext& ctx) {
  return std::dynamic_pointer_cast<Node>(ctx.host<Process>().runtime().router());
}

/// Copies `bytes` into `out` if they fit; returns their size either way.
int32_t copy_out(std::span<const uint8_t> bytes, const GuestMutSpan<uint8_t>& out) {
  if (bytes.size() <= out.size()) std::copy(bytes.begin(), bytes.end(), out.mut_bytes().begin());
  return static_cast<int32_t>(bytes.size());
}

/// Arguments: an output buffer. Writes this node's name ("alive@host", UTF-8) if it fits.
/// Returns its length in bytes (the buffer was too small if larger than it), or -1 if the
/// runtime is not a distributed node. Traps: the buffer outside memory.
HostResult<int32_t> node_name(CallContext& ctx, GuestMutSpan<uint8_t> out) {
  std::shared_ptr<Node> node = node_of(ctx);
  if (!node) return kNotDistributed;
  const std::string& name = node->name();
  return copy_out({reinterpret_cast<const uint8_t*>(name.data()), name.size()}, out);
}

/// Arguments: a pid as a term (version byte 131 first, NEW_PID_EXT or PID_EXT), an
/// out-pointer for a u64 process id. Writes the process id that stands for that pid: a local
/// process's own id for a pid of this node, else a remote id (bit 63 set) that
/// lunatic::message::send delivers to it. Returns 0 written, 1 not exactly one pid term,
/// 2 no process id for it (a pid of an earlier run of this node, or the node's table of
/// remote pids is full), -1 not a distributed node. Traps: a range outside memory.
HostResult<int32_t> pid_to_id(CallContext& ctx, GuestSpan<uint8_t> pid_term,
                              GuestPtr<uint64_t> id_out) {
  std::shared_ptr<Node> node = node_of(ctx);
  if (!node) return kNotDistributed;
  std::optional<ErlangPid> pid = decode_pid(pid_term.bytes());
  if (!pid) return 1;
  std::optional<runtime::ProcessId> id = node->pids().id_of(*pid);
  if (!id) return 2;
  id_out.write(*id);
  return 0;
}

/// Arguments: a process id (local, or remote from pid_to_id), an output buffer. Writes the
/// process's pid as a term (version byte first) if it fits. Returns its length in bytes, -2
/// for a remote id this node never gave, or -1 if not a distributed node. A local id needs
/// no live process (a pid may name a process that has ended, as in Erlang).
/// Traps: the buffer outside memory.
HostResult<int32_t> id_to_pid(CallContext& ctx, uint64_t process_id, GuestMutSpan<uint8_t> out) {
  std::shared_ptr<Node> node = node_of(ctx);
  if (!node) return kNotDistributed;
  std::optional<ErlangPid> pid = runtime::is_remote(process_id)
                                     ? node->pids().remote_pid(process_id)
                                     : std::optional(node->pids().local_pid(process_id));
  if (!pid) return -2;
  return copy_out(encode_pid(*pid), out);
}

/// Arguments: an output buffer. Writes the names of the nodes connected now (handshake done),
/// each followed by a NUL byte, if they all fit. Returns their length in bytes (the buffer
/// was too small if larger than it; the list may change between two calls), or -1 if not a
/// distributed node. Traps: the buffer outside memory.
HostResult<int32_t> nodes(CallContext& ctx, GuestMutSpan<uint8_t> out) {
  std::shared_ptr<Node> node = node_of(ctx);
  if (!node) return kNotDistributed;
  std::vector<uint8_t> names;
  for (const std::string& name : node->nodes()) {
    names.insert(names.end(), name.begin(), name.end());
    names.push_back(0);
  }
  return copy_out(names, out);
}

/// Arguments: on (non-zero: start, 0: stop). Erlang's net_kernel:monitor_nodes: while on,
/// the caller gets a message tagged LUNATIC_TERM_TAG with the term {nodeup, Node} when a
/// connection to a node is made, and {nodedown, Node} when it is lost. Returns 0, 1 if
/// kMaxNodeWatchers (4096) processes watch already, or -1 if not a distributed node.
/// Traps: none.
HostResult<int32_t> monitor_nodes(CallContext& ctx, int32_t on) {
  std::shared_ptr<Node> node = node_of(ctx);
  if (!node) return kNotDistributed;
  return node->monitor_nodes(ctx.host<Process>().id(), on != 0) ? 0 : 1;
}

/// spawn and spawn_opt: `request` holds the answer's tag and the options.
HostResult<int32_t> spawn_with(CallContext& ctx, GuestString node_name, GuestSpan<uint8_t> module,
                               GuestString function, GuestSpan<int64_t> args, RemoteSpawn request) {
  std::shared_ptr<Node> node = node_of(ctx);
  if (!node) return kNotDistributed;
  Process& self = ctx.host<Process>();
  request.node = std::string(node_name.view());
  request.function = std::string(function.view());
  if (args.size() > kMaxSpawnArgs) return 1;
  for (uint32_t i = 0; i < args.size(); ++i) request.args.push_back(args[i]);
  if (module.size() == 0) {
    request.module = node->module_source(self.module().get());
    if (!request.module) return 3;
  } else if (module.size() > kMaxRemoteModule) {
    return 4;
  } else {
    const std::span<const uint8_t> bytes = module.bytes();
    request.module = std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end());
  }
  return node->spawn_remote(self.id(), std::move(request));
}

/// Arguments: a node name (UTF-8), a module's bytes (length 0: the caller's own module), an
/// exported function's name, its i64 arguments (at most 16), the tag of the answer. Asks the
/// node to run the function in a new process (docs/distribution.md "Remote spawn"); the
/// answer arrives as a message tagged `reply_tag` whose data is the term {ok, Pid} (its
/// get_process_id: the new process's remote id) or {error, Reason} (notsup: that node refuses
/// remote spawns or is not a lunatic node; badarg, unknown_module, system_limit,
/// noconnection). Returns 0 asked, 1 not possible (this node's own name, too many arguments,
/// the node cannot be reached), 2 too many spawns waiting, 3 the caller's own module's bytes
/// are unknown (only the root module's are kept), 4 the module is larger than 16 MiB, -1 not
/// a distributed node. Traps: a range outside memory, a name that is not UTF-8.
HostResult<int32_t> spawn(CallContext& ctx, GuestString node_name, GuestSpan<uint8_t> module,
                          GuestString function, GuestSpan<int64_t> args, int64_t reply_tag) {
  return spawn_with(ctx, node_name, module, function, args,
                    RemoteSpawn{.reply_tag = static_cast<runtime::Tag>(reply_tag)});
}

/// spawn with Erlang's spawn_opt options. Arguments: those of spawn, then `options` (bit 0:
/// link the new process to the caller, with `link_tag` on the caller's side; bit 1: the caller
/// monitors it, its process-died message tagged `monitor_tag`). Both are made before the new
/// process first runs and before the answer arrives (spawn_link / spawn_monitor). Returns as
/// spawn, and 1 for options past bits 0 and 1. Traps: as spawn.
HostResult<int32_t> spawn_opt(CallContext& ctx, GuestString node_name, GuestSpan<uint8_t> module,
                              GuestString function, GuestSpan<int64_t> args, int64_t reply_tag,
                              int32_t options, int64_t link_tag, int64_t monitor_tag) {
  if ((options & ~3) != 0) return 1;
  return spawn_with(ctx, node_name, module, function, args,
                    RemoteSpawn{.reply_tag = static_cast<runtime::Tag>(reply_tag),
                                .link = (options & 1) != 0,
                                .link_tag = static_cast<runtime::Tag>(link_tag),
                                .monitor = (options & 2) != 0,
                                .monitor_tag = static_cast<runtime::Tag>(monitor_tag)});
}

}  // namespace

void define_functions(binding::Linker& linker) {
  linker.ns(kModuleName)
      .define("node_name", &node_name)
      .define("pid_to_id", &pid_to_id)
      .define("id_to_pid", &id_to_pid)
      .define("nodes", &nodes)
      .define("monitor_nodes", &monitor_nodes)
      .define("spawn", &spawn)
      .define("spawn_opt", &spawn_opt);
}

}  // namespace lunatic::dist
