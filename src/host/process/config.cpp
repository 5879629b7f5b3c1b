// lunatic::process: environment configurations (create_config and its setters), resources of
// the caller's HandleTable.
#include <algorithm>

#include "host/process/internal.hpp"
#include "host/shared/resources.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::process {

using runtime::Process;
using shared::ConfigResource;

/// Returns the id of a new configuration: no limits of its own (a spawn clamps them to the
/// caller's environment) and no allowed namespaces.
int64_t create_config(CallContext& ctx) {
  return static_cast<int64_t>(
      ctx.host<Process>().resources().insert(std::make_unique<ConfigResource>()));
}

/// Arguments: a config id. Drops it (environments already made from it live on).
/// Traps: unknown config id.
HostResult<void> drop_config(CallContext& ctx, uint64_t config_id) {
  return shared::drop<ConfigResource>(ctx, "config", config_id);
}

/// Arguments: a config id, bytes per linear memory (rounded down to 64 KiB pages).
/// Traps: unknown config id.
HostResult<void> config_set_max_memory(CallContext& ctx, uint64_t config_id, uint64_t bytes) {
  auto config = shared::lookup<ConfigResource>(ctx, "config", config_id);
  if (!config.ok()) return std::move(config).trap();
  config.value()->edit().max_memory_pages =
      static_cast<uint32_t>(std::min<uint64_t>(bytes / wasm::kPageSize, wasm::kMaxPages));
  return {};
}

/// Arguments: a config id. Returns its max memory in bytes. Traps: unknown config id.
HostResult<int64_t> config_get_max_memory(CallContext& ctx, uint64_t config_id) {
  auto config = shared::lookup<ConfigResource>(ctx, "config", config_id);
  if (!config.ok()) return std::move(config).trap();
  return static_cast<int64_t>(uint64_t{config.value()->config().max_memory_pages} *
                              wasm::kPageSize);
}

/// Arguments: a config id, the total fuel of each process (0: unlimited, then clamped to the
/// spawner's). Traps: unknown config id.
HostResult<void> config_set_max_fuel(CallContext& ctx, uint64_t config_id, uint64_t fuel) {
  auto config = shared::lookup<ConfigResource>(ctx, "config", config_id);
  if (!config.ok()) return std::move(config).trap();
  config.value()->edit().max_fuel = fuel == 0 ? std::nullopt : std::optional<uint64_t>(fuel);
  return {};
}

/// Arguments: a config id. Returns its max fuel (0: unlimited). Traps: unknown config id.
HostResult<int64_t> config_get_max_fuel(CallContext& ctx, uint64_t config_id) {
  auto config = shared::lookup<ConfigResource>(ctx, "config", config_id);
  if (!config.ok()) return std::move(config).trap();
  return static_cast<int64_t>(config.value()->config().max_fuel.value_or(0));
}

/// Arguments: a config id, the most live processes its environment may hold (counting those
/// of environments made inside it). Traps: unknown config id.
HostResult<void> config_set_max_processes(CallContext& ctx, uint64_t config_id, uint64_t count) {
  auto config = shared::lookup<ConfigResource>(ctx, "config", config_id);
  if (!config.ok()) return std::move(config).trap();
  config.value()->edit().max_processes = count;
  return {};
}

/// Arguments: a config id, the most names its environment may hold (lunatic::registry::put,
/// counting those of environments made inside it; clamped to the spawner's). Traps: unknown
/// config id.
HostResult<void> config_set_max_names(CallContext& ctx, uint64_t config_id, uint64_t count) {
  auto config = shared::lookup<ConfigResource>(ctx, "config", config_id);
  if (!config.ok()) return std::move(config).trap();
  config.value()->edit().max_names = count;
  return {};
}

/// Arguments: a config id, the most resources (sockets, modules, configs, error ids...) each
/// process of its environment may hold at once; one past it kills the process. Clamped to the
/// spawner's. Traps: unknown config id.
HostResult<void> config_set_max_resources(CallContext& ctx, uint64_t config_id, uint64_t count) {
  auto config = shared::lookup<ConfigResource>(ctx, "config", config_id);
  if (!config.ok()) return std::move(config).trap();
  config.value()->edit().max_resources = count;
  return {};
}

/// Arguments: a config id, the host memory in bytes all processes of its environment may hold
/// together (EnvironmentConfig::max_memory_total; 0: none of its own). Clamped to the
/// spawner's. Traps: unknown config id.
HostResult<void> config_set_max_memory_total(CallContext& ctx, uint64_t config_id, uint64_t bytes) {
  auto config = shared::lookup<ConfigResource>(ctx, "config", config_id);
  if (!config.ok()) return std::move(config).trap();
  config.value()->edit().max_memory_total = bytes == 0 ? UINT64_MAX : bytes;
  return {};
}

/// Arguments: a config id, a UTF-8 prefix of "module::name" ("lunatic::message::",
/// "wasi_snapshot_preview1::fd_write"). Adds it to the allowed host functions.
/// Traps: unknown config id, prefix outside memory or not UTF-8.
HostResult<void> allow_namespace(CallContext& ctx, uint64_t config_id, GuestString prefix) {
  auto config = shared::lookup<ConfigResource>(ctx, "config", config_id);
  if (!config.ok()) return std::move(config).trap();
  runtime::EnvironmentConfig& edit = config.value()->edit();
  std::vector<std::string> prefixes = edit.allowed.prefixes();
  prefixes.emplace_back(prefix.view());
  edit.allowed = binding::AllowList(std::move(prefixes));
  return {};
}

}  // namespace lunatic::host::process
