// Runtime: the public process runtime over runtime::Runtime. Spawn options, messages, exit
// statuses and snapshots are converted at this boundary; WASI state is set in the spawn's
// prepare step, as the CLI does.
#include <lunatic/runtime.hpp>

#include <filesystem>
#include <system_error>

#include "embed/access.hpp"
#include "host/wasi/wasi.hpp"
#include "runtime/message.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic {
namespace {

runtime::RuntimeConfig to_internal(RuntimeConfig config) {
  runtime::RuntimeConfig out;
  out.workers = config.workers;
  out.slice_fuel = config.slice_fuel;
  out.linker = detail::Access::linker(config.linker);
  if (config.on_exit) {
    out.on_exit = [on_exit = std::move(config.on_exit)](runtime::ProcessId id,
                                                        const runtime::ExitStatus& status) {
      on_exit(id, embed::to_public(status));
    };
  }
  if (config.on_crash) {
    out.on_crash = [on_crash = std::move(config.on_crash)](const runtime::CrashInfo& crash) {
      on_crash(embed::to_public(crash));
    };
  }
  out.crash_history = config.crash_history;
  return out;
}

/// The layers' spawn options, or why `options` cannot be spawned.
Result<runtime::SpawnOptions> to_internal(SpawnOptions options) {
  runtime::SpawnOptions out;
  out.module = detail::Access::compiled(options.module);
  if (!out.module) return Error(Phase::Usage, "spawn: no module");
  out.environment = detail::Access::environment(options.environment);
  if (!out.environment) return Error(Phase::Usage, "spawn: no environment");
  out.entry = std::move(options.entry);
  for (const Value& v : options.args) out.args.push_back(embed::to_internal(v));
  out.joinable = options.joinable;
  out.module_name = std::move(options.module_name);
  WasiConfig& wasi = options.wasi;
  if (wasi.args.empty() && wasi.env.empty() && wasi.preopens.empty()) return out;
  // prepare cannot fail a spawn: a preopen that cannot be opened is refused here instead.
  for (const WasiConfig::Preopen& p : wasi.preopens) {
    std::error_code ec;
    if (!std::filesystem::is_directory(p.host_path, ec)) {
      return Error(Phase::Host, "cannot preopen " + p.host_path + ": not a directory");
    }
  }
  out.prepare = [wasi = std::move(wasi)](runtime::Process& process) {
    host::wasi::WasiContext& context = host::wasi::process_wasi(process);
    context.args = wasi.args;
    context.env = wasi.env;
    // Checked above; a directory removed since then leaves the guest without that preopen.
    for (const WasiConfig::Preopen& p : wasi.preopens)
      (void)context.preopen(p.host_path, p.guest_path);
  };
  return out;
}

template <class Public, class Internal> std::vector<Public> to_public(std::vector<Internal> in) {
  std::vector<Public> out;
  out.reserve(in.size());
  for (const Internal& x : in) out.push_back(embed::to_public(x));
  return out;
}

}  // namespace

struct Runtime::Impl {
  explicit Impl(runtime::RuntimeConfig config) : runtime(std::move(config)) {}
  runtime::Runtime runtime;
};

Runtime::Runtime(RuntimeConfig config)
    : impl_(std::make_unique<Impl>(to_internal(std::move(config)))) {}

Runtime::~Runtime() = default;

Result<ProcessId> Runtime::spawn(SpawnOptions options) {
  auto internal = to_internal(std::move(options));
  if (!internal) return std::move(internal).error();
  return impl_->runtime.spawn(std::move(*internal));
}

Result<ProcessId> Runtime::spawn_root(SpawnOptions options) {
  auto internal = to_internal(std::move(options));
  if (!internal) return std::move(internal).error();
  return impl_->runtime.spawn_root(std::move(*internal));
}

Result<ProcessId> Runtime::spawn_root(Module module, Environment environment, std::string entry,
                                      std::vector<Value> args) {
  return spawn_root({.module = std::move(module),
                     .environment = std::move(environment),
                     .entry = std::move(entry),
                     .args = std::move(args)});
}

ExitStatus Runtime::wait() { return embed::to_public(impl_->runtime.wait()); }

std::optional<ExitStatus> Runtime::join(ProcessId id) {
  std::optional<runtime::ExitStatus> status = impl_->runtime.join(id);
  if (!status) return std::nullopt;
  return embed::to_public(*status);
}

void Runtime::wait_all() { impl_->runtime.wait_all(); }
void Runtime::kill_all() { impl_->runtime.kill_all(); }

bool Runtime::send(ProcessId to, Message message) {
  auto internal = std::make_unique<runtime::Message>();
  internal->tag = message.tag;
  internal->data = std::move(message.data);
  return impl_->runtime.send(to, std::move(internal));
}

bool Runtime::kill(ProcessId id, Trap reason) { return impl_->runtime.kill(id, std::move(reason)); }

bool Runtime::exists(ProcessId id) const { return impl_->runtime.exists(id); }
size_t Runtime::live_processes() const { return impl_->runtime.live_processes(); }
unsigned Runtime::workers() const { return impl_->runtime.workers(); }

std::vector<ProcessInfo> Runtime::processes(size_t limit) const {
  return to_public<ProcessInfo>(impl_->runtime.processes(limit));
}

std::optional<ProcessInfo> Runtime::process_info(ProcessId id) const {
  std::optional<runtime::ProcessInfo> info = impl_->runtime.process_info(id);
  if (!info) return std::nullopt;
  return embed::to_public(*info);
}

std::vector<EnvironmentInfo> Runtime::environments() const {
  return to_public<EnvironmentInfo>(impl_->runtime.environments());
}

NodeInfo Runtime::node_info() const { return embed::to_public(impl_->runtime.node_info()); }

std::vector<CrashInfo> Runtime::crashes() const {
  return to_public<CrashInfo>(impl_->runtime.crashes());
}

}  // namespace lunatic
