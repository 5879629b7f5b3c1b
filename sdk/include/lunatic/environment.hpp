// lunatic C++ SDK: Environment (limits and allowed host functions for the processes spawned
// in it) and Module (another Wasm module's bytes, compiled once, spawned sandboxed).
#ifndef LUNATIC_ENVIRONMENT_HPP
#define LUNATIC_ENVIRONMENT_HPP

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "lunatic/process.h"
#include "lunatic/process.hpp"
#include "lunatic/result.hpp"

namespace lunatic {

/// A configuration for spawning: max memory, max fuel, max processes, allowed host
/// namespaces. A new one allows no host function at all until allow(). Processes spawned in
/// it never get more than the spawner has (limits are clamped, namespaces intersected).
/// Owns its config id (move-only); processes spawned in it outlive it.
class Environment {
 public:
  Environment() : id_(lunatic_create_config()) {}
  Environment(Environment&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
  Environment& operator=(Environment&& other) noexcept {
    std::swap(id_, other.id_);
    return *this;
  }
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  ~Environment() {
    if (id_ != 0) lunatic_drop_config(id_);
  }

  /// Max bytes of each linear memory (rounded down to 64 KiB pages).
  Environment& max_memory(uint64_t bytes) {
    lunatic_config_set_max_memory(id_, bytes);
    return *this;
  }
  /// Fuel each process may burn (about one unit per instruction); past it, it traps.
  Environment& max_fuel(uint64_t fuel) {
    lunatic_config_set_max_fuel(id_, fuel);
    return *this;
  }
  /// Most processes alive at once in the environment.
  Environment& max_processes(uint64_t count) {
    lunatic_config_set_max_processes(id_, count);
    return *this;
  }
  /// Allows the host functions whose "module::name" starts with `prefix`
  /// ("lunatic::message::", "wasi_snapshot_preview1::fd_write", "" for everything).
  Environment& allow(std::string_view prefix) {
    lunatic_allow_namespace(id_, prefix.data(), prefix.size());
    return *this;
  }

  uint64_t memory_limit() const { return lunatic_config_get_max_memory(id_); }
  uint64_t fuel_limit() const { return lunatic_config_get_max_fuel(id_); }
  uint64_t id() const { return id_; }

  /// Options for Process::spawn_with / Module::spawn in this environment.
  SpawnOptions options(Tag link = Tag::none()) const {
    return SpawnOptions{link, static_cast<int64_t>(id_), LUNATIC_SELF};
  }

  /// Spawns `function(args...)` of this module in the environment (see Process::spawn).
  template <class... Params, class... Args>
  Result<Process> spawn(void (*function)(Params...), Args&&... args) const {
    return Process::spawn_with(options(), function, std::forward<Args>(args)...);
  }
  template <class... Params, class... Args>
  Result<Process> spawn_link(Tag tag, void (*function)(Params...), Args&&... args) const {
    return Process::spawn_with(options(tag), function, std::forward<Args>(args)...);
  }

 private:
  uint64_t id_;
};

/// A compiled Wasm module (decoded, validated and lowered once by the host). Move-only; the
/// handle can also travel in a message (lunatic_push_module, see docs/guest-abi.md).
class Module {
 public:
  /// Compiles `bytes`; malformed or invalid modules are an error (the host's text).
  static Result<Module> compile(const void* bytes, size_t size) {
    uint64_t id = 0;
    if (lunatic_compile_module(bytes, size, &id) != 0) return Error::from_host(id);
    return Module(id);
  }
  static Result<Module> compile(const std::vector<uint8_t>& bytes) {
    return compile(bytes.data(), bytes.size());
  }

  Module(Module&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
  Module& operator=(Module&& other) noexcept {
    std::swap(id_, other.id_);
    return *this;
  }
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  ~Module() {
    if (id_ != 0) lunatic_drop_module(id_);
  }

  /// Spawns export `function` with Wasm arguments in `environment`, linked under `link`
  /// (none: not linked). Errors: an import the environment does not allow (named), the
  /// memory limit, the process limit, no such export.
  Result<Process> spawn(const Environment& environment, std::string_view function,
                        std::initializer_list<Param> args = {}, Tag link = Tag::none()) const {
    SpawnOptions options = environment.options(link);
    options.module = static_cast<int64_t>(id_);
    return Process::spawn_export(function, args, options);
  }

  uint64_t id() const { return id_; }

 private:
  explicit Module(uint64_t id) : id_(id) {}
  uint64_t id_;
};

}  // namespace lunatic

#endif
