// lunatic C++ SDK: Environment (limits and allowed host functions for the processes spawned
// in it) and Module (another Wasm module's bytes or file, compiled once, spawned sandboxed).
#ifndef LUNATIC_ENVIRONMENT_HPP
#define LUNATIC_ENVIRONMENT_HPP

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/stat.h>

#include "lunatic/process.h"
#include "lunatic/process.hpp"
#include "lunatic/resource_handle.hpp"
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
  /// Most names registered at once in the environment (Process::register_as).
  Environment& max_names(uint64_t count) {
    lunatic_config_set_max_names(id_, count);
    return *this;
  }
  /// Most resources (sockets, modules, error ids...) each process may hold at once; a process
  /// that takes one more is killed.
  Environment& max_resources(uint64_t count) {
    lunatic_config_set_max_resources(id_, count);
    return *this;
  }
  /// Host memory, in bytes, all processes of the environment may hold together (memories,
  /// tables, queued messages, timers, names, modules); past it a process is refused or killed.
  Environment& max_memory_total(uint64_t bytes) {
    lunatic_config_set_max_memory_total(id_, bytes);
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

/// A compiled Wasm module (decoded, validated and lowered once by the host). Move-only; it can
/// travel in a typed message (Serializer<Module> below; lunatic_push_module underneath).
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

  /// Files larger than this are refused by load() unless it is given another cap.
  static constexpr size_t kMaxLoadBytes = size_t{256} << 20;

  /// Reads the Wasm file at `path` (through WASI: its folder must be preopened, as with
  /// `lunatic run --dir HOST:GUEST`) and compiles it. Errors, each naming the path:
  /// ErrorKind::io for a file that cannot be opened or read, has more than `max_bytes`, or
  /// does not fit in this process's memory; ErrorKind::host for bytes that do not compile.
  static Result<Module> load(const std::string& path, size_t max_bytes = kMaxLoadBytes) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
      int error = errno;
#ifdef ENOTCAPABLE  // WASI's answer for a path outside every preopened folder
      if (error == ENOTCAPABLE) {
        return load_error(path, "not in a preopened folder (lunatic run --dir HOST:GUEST)");
      }
#endif
      return load_error(path, std::strerror(error));
    }
    Result<Module> module = compile_file(file, path, max_bytes);
    std::fclose(file);
    return module;
  }

  /// An empty module (what a moved-from or sent one is; a message decodes into it).
  Module() = default;

  /// Spawns export `function` with Wasm arguments in `environment`, linked under `link`
  /// (none: not linked). Errors: an import the environment does not allow (named), the
  /// memory limit, the process limit, no such export.
  Result<Process> spawn(const Environment& environment, std::string_view function,
                        std::initializer_list<Param> args = {}, Tag link = Tag::none()) const {
    if (!valid()) return empty_module();
    SpawnOptions options = environment.options(link);
    options.module = static_cast<int64_t>(handle_.id());
    return Process::spawn_export(function, args, options);
  }

  bool valid() const { return handle_.id() != 0; }
  uint64_t id() const { return handle_.id(); }

 private:
  template <class O, int32_t K, int64_t (*P)(uint64_t), uint64_t (*T)(uint64_t),
            void (*D)(uint64_t)>
  friend struct detail::ResourceSerializer;
  explicit Module(uint64_t id) : handle_(id) {}
  static Error empty_module() {
    return Error(ErrorKind::usage, "Module is empty (moved from, or sent away)");
  }

  static Error load_error(const std::string& path, const std::string& why,
                          ErrorKind kind = ErrorKind::io) {
    return Error(kind, "Module::load: " + path + ": " + why);
  }

  // Reads all of `file` into a malloc'd buffer (a file too big for our memory is an error,
  // not an abort) that grows by doubling up to max_bytes + 1: one byte more shows the file
  // is too large without reading the rest.
  static Result<Module> compile_file(std::FILE* file, const std::string& path, size_t max_bytes) {
    std::string too_large = "larger than " + std::to_string(max_bytes) + " bytes";
    size_t limit = max_bytes == SIZE_MAX ? max_bytes : max_bytes + 1;
    size_t capacity = 64u << 10;
    struct stat info;
    if (fstat(fileno(file), &info) == 0) {
      // WASI opens a folder but refuses to read it (EBADF): say what it is instead.
      if (S_ISDIR(info.st_mode)) return load_error(path, std::strerror(EISDIR));
      // A regular file tells its size: a huge one is refused unread, others get one buffer
      // (the read still stops at the cap, should the file grow meanwhile).
      if (S_ISREG(info.st_mode)) {
        if (static_cast<uint64_t>(info.st_size) > max_bytes) return load_error(path, too_large);
        capacity = static_cast<size_t>(info.st_size) + 1;
      }
    }
    capacity = capacity < limit ? capacity : limit;
    std::unique_ptr<uint8_t, void (*)(void*)> bytes(nullptr, std::free);
    size_t used = 0;
    for (;;) {
      if (used == capacity || !bytes) {
        if (bytes) capacity = capacity > limit / 2 ? limit : capacity * 2;
        void* grown = std::realloc(bytes.get(), capacity);
        if (grown == nullptr) return load_error(path, "does not fit in memory");
        (void)bytes.release();
        bytes.reset(static_cast<uint8_t*>(grown));
      }
      used += std::fread(bytes.get() + used, 1, capacity - used, file);
      if (std::ferror(file)) return load_error(path, std::strerror(errno));
      if (used > max_bytes) return load_error(path, too_large);
      if (std::feof(file)) break;
    }
    Result<Module> module = compile(bytes.get(), used);
    if (!module.ok()) return load_error(path, module.error().message(), ErrorKind::host);
    return module;
  }

  detail::Handle<&lunatic_drop_module> handle_;
};

/// A Module travels in a typed message (or as a spawn argument) as a socket does: sent as an
/// rvalue, the handle moves to the receiver (see networking.hpp); a message claiming a module
/// it does not carry is a decode error.
template <>
struct Serializer<Module>
    : detail::ResourceSerializer<Module, LUNATIC_RESOURCE_MODULE, &lunatic_push_module,
                                 &lunatic_take_module, &lunatic_drop_module> {};

}  // namespace lunatic

#endif
