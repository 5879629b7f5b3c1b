// lunatic::process: dynamically loaded modules (compile_module) and environment configurations
// (create_config and its setters), both resources of the caller's HandleTable.
#include <algorithm>

#include "host/process/internal.hpp"
#include "host/shared/resources.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::process {

using runtime::Process;
using shared::ConfigResource;
using shared::ModuleResource;

/// Fuel charged per byte of a module compiled at run time, before it is compiled: decoding,
/// validating and lowering take ~30-60 ns a byte here, 30-60 interpreted instructions' worth,
/// so a process with a fuel budget cannot burn host CPU by compiling big modules in a loop.
/// (Native code for such a module, with `--tier compiled` or `auto`, comes from the code cache
/// or from the compiler's own low-priority thread, one job at a time, never from the worker
/// that runs the process: the process does not wait for LLVM and is not charged for it.)
constexpr uint64_t kCompileFuelPerByte = 64;

/// Host memory charged per byte of a module compiled at run time, while its handle lives: the
/// decoded module and its lowered code measure 4-8 times the binary's size here.
constexpr uint64_t kModuleBytesPerByte = 8;

/// Arguments: the bytes of a Wasm module, an out-pointer for a u64. Decodes, validates and
/// lowers the module once (and compiles it with the runtime's tier), charging kModuleBytesPerByte
/// per byte to the caller's environment while the handle lives. Returns 0 with the module id
/// written, or 1 with an error id written (malformed or invalid bytes: the error says why). Traps:
/// a range outside memory; "out of fuel" when the process's fuel cannot pay
/// kCompileFuelPerByte per byte; killed past the environment's max_memory_total.
HostResult<int32_t> compile_module(CallContext& ctx, GuestSpan<uint8_t> bytes,
                                   GuestPtr<uint64_t> id_out) {
  Process& self = ctx.host<Process>();
  if (!ctx.host_call()->charge_fuel(uint64_t{bytes.bytes().size()} * kCompileFuelPerByte)) {
    return engine::Trap::of(engine::TrapKind::OutOfFuel);
  }
  // Charged before compiling, so that a module the budget cannot hold costs no host work.
  MemoryCharge charge = self.new_charge();
  if (!charge.resize(uint64_t{bytes.bytes().size()} * kModuleBytesPerByte)) {
    return self.over_budget("a module of " + std::to_string(bytes.bytes().size()) + " bytes");
  }
  Result<std::shared_ptr<const engine::CompiledModule>> module =
      self.runtime().compile(bytes.bytes());
  if (!module.ok()) {
    id_out.write(shared::new_error(self, "compile_module: " + module.error().to_string()));
    return 1;
  }
  id_out.write(self.resources().insert(
      std::make_unique<ModuleResource>(std::move(*module), std::move(charge))));
  return 0;
}

/// Arguments: a module id. Drops the handle (processes spawned from it keep running).
/// Traps: unknown module id.
HostResult<void> drop_module(CallContext& ctx, uint64_t module_id) {
  return shared::drop<ModuleResource>(ctx, "module", module_id);
}

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
