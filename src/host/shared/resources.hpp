// The resources the lunatic::* namespaces keep in a process's HandleTable (error strings,
// compiled modules, environment configurations), and the lookups that trap on a bad id.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "binding/call_context.hpp"
#include "binding/host_result.hpp"
#include "engine/compiled_module.hpp"
#include "runtime/environment.hpp"
#include "runtime/process.hpp"

namespace lunatic::host::shared {

/// lunatic::*'s "timed out" return value (the original runtime's sentinel).
inline constexpr int32_t kTimedOut = 9027;

/// lunatic::* timeouts (ms) from here up mean "no timeout" (u64::MAX is the documented value;
/// anything this large would overflow the clock anyway).
inline constexpr uint64_t kNoTimeoutFrom = uint64_t{1} << 40;

/// The absolute deadline of a lunatic::* timeout in ms, computed once when a waiting call
/// starts; none for "no timeout".
inline std::optional<runtime::Clock::time_point> deadline_after(uint64_t timeout_ms) {
  if (timeout_ms >= kNoTimeoutFrom) return std::nullopt;
  return runtime::Clock::now() + std::chrono::milliseconds(timeout_ms);
}

/// An error a fallible call reported: lunatic::error turns its id into text. `charge` is what
/// it holds of its process's environment's max_memory_total (new_error).
class ErrorResource final : public runtime::Resource {
 public:
  explicit ErrorResource(std::string message, MemoryCharge charge = {})
      : message_(std::move(message)), charge_(std::move(charge)) {}
  const char* kind_name() const override { return "error"; }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
  MemoryCharge charge_;
};

/// Host memory of an error id besides its text: the resource and its handle table entry.
inline constexpr uint64_t kErrorBytes = 96;

/// A compiled module (lunatic::process::compile_module), shared by its handles and processes.
/// Modules can travel in messages (push_module / take_module). `charge` is the host memory
/// the module was charged (to the environment of the process that compiled it) while the
/// handle lives.
class ModuleResource final : public runtime::Resource {
 public:
  explicit ModuleResource(std::shared_ptr<const engine::CompiledModule> module,
                          MemoryCharge charge = {})
      : module_(std::move(module)), charge_(std::move(charge)) {}
  const char* kind_name() const override { return "module"; }
  const std::shared_ptr<const engine::CompiledModule>& module() const { return module_; }

 private:
  std::shared_ptr<const engine::CompiledModule> module_;
  MemoryCharge charge_;
};

/// The configuration of an environment being prepared (create_config and its setters). A spawn
/// with it makes a child environment of the caller's, so every limit is clamped to the caller's.
///
/// The first spawn with a config creates its environment (a child of the spawner's) and later
/// spawns with the same config reuse it, so they share its max_processes; changing the config
/// starts a new environment for the spawns after the change.
class ConfigResource final : public runtime::Resource {
 public:
  ConfigResource() { config_.allowed = binding::AllowList(); }  // a new config allows nothing
  const char* kind_name() const override { return "config"; }

  const runtime::EnvironmentConfig& config() const { return config_; }
  /// The configuration, for a change (the next spawn gets a new environment).
  runtime::EnvironmentConfig& edit() {
    environment_.reset();
    return config_;
  }
  /// The environment spawns with this config go to, inside `parent`.
  std::shared_ptr<const runtime::Environment> environment(const runtime::Environment& parent) {
    if (!environment_ || environment_->parent().get() != &parent) {
      environment_ = parent.create_child(config_);
    }
    return environment_;
  }

 private:
  runtime::EnvironmentConfig config_;
  std::shared_ptr<const runtime::Environment> environment_;
};

/// Adds an error with `message` to the caller's table and returns its id. The error is charged
/// to the caller's environment; past its max_memory_total the caller is killed (it still gets
/// the id: the kill takes effect at its next safepoint, and its table goes with it).
inline uint64_t new_error(runtime::Process& self, std::string message) {
  MemoryCharge charge = self.new_charge();
  if (!charge.resize(kErrorBytes + message.capacity())) self.kill(self.over_budget("an error id"));
  return self.resources().insert(
      std::make_unique<ErrorResource>(std::move(message), std::move(charge)));
}

/// The trap for an id that names no resource of the expected kind:
/// "lunatic::process::drop_module: unknown module id 7".
engine::Trap unknown_id(const binding::CallContext& ctx, std::string_view kind, uint64_t id);

/// The resource `id` of type T in the caller's table, or the unknown-id trap.
template <class T>
binding::HostResult<T*> lookup(binding::CallContext& ctx, std::string_view kind, uint64_t id) {
  T* r = ctx.host<runtime::Process>().resources().get<T>(id);
  if (r == nullptr) return unknown_id(ctx, kind, id);
  return r;
}

/// Removes the resource `id` of type T from the caller's table; the unknown-id trap if none.
template <class T>
binding::HostResult<void> drop(binding::CallContext& ctx, std::string_view kind, uint64_t id) {
  if (!ctx.host<runtime::Process>().resources().take<T>(id)) return unknown_id(ctx, kind, id);
  return {};
}

/// A trap "NAME: what" raised by the host function `ctx` runs.
engine::Trap misuse(const binding::CallContext& ctx, std::string_view what);

}  // namespace lunatic::host::shared
