// Linker: the namespaces of host functions, and resolution of a module's imports against them
// under an environment's allow-list (DESIGN.md "Environments").
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "binding/namespace.hpp"
#include "common/result.hpp"
#include "engine/store.hpp"
#include "wasm/module.hpp"

namespace lunatic::binding {

/// Host functions an environment may import: a list of plain string prefixes of
/// "module::name" ("lunatic::message" allows every function of that namespace,
/// "wasi_snapshot_preview1::fd_write" one function). Being plain prefixes, "lunatic::message"
/// also matches a namespace "lunatic::messages": name prefixes with a trailing "::" to be exact.
class AllowList {
 public:
  /// Allows nothing.
  AllowList() = default;
  explicit AllowList(std::vector<std::string> prefixes) : prefixes_(std::move(prefixes)) {}
  /// Allows everything (the one prefix "").
  static AllowList all() { return AllowList({std::string()}); }

  bool allows(std::string_view module, std::string_view name) const;
  const std::vector<std::string>& prefixes() const { return prefixes_; }

  /// What both lists allow: a child environment never gets more than its parent. For prefix
  /// lists that is, of each pair of prefixes where one extends the other, the longer one.
  AllowList intersect(const AllowList& other) const;

 private:
  std::vector<std::string> prefixes_;
};

/// The engine::Function of each host function already added to one Store, so that a function
/// imported many times (or by several instances of the store) is added once.
class HostFunctionCache {
 public:
  explicit HostFunctionCache(engine::Store& store) : store_(&store) {}
  engine::Store& store() const { return *store_; }
  /// The store's function for `def`, added on first use.
  engine::Function* get_or_add(const HostDefinition& def);

 private:
  engine::Store* store_;
  std::unordered_map<const FunctionInfo*, engine::Function*> functions_;
  /// Keeps each key's FunctionInfo alive, so that an address is never reused for another.
  std::vector<std::shared_ptr<const FunctionInfo>> infos_;
};

/// All namespaces of host functions the runtime offers. Built once at startup and shared
/// (read-only) by every spawn.
class Linker {
 public:
  /// The namespace `module`, created empty on first use: `linker.ns("lunatic::message")
  /// .define("send", &message::send)`.
  Namespace& ns(std::string_view module);
  /// Adds `ns`, replacing a namespace of the same name.
  void add(Namespace ns);

  /// The host function `module::name`, or null.
  const HostDefinition* find(std::string_view module, std::string_view name) const;

  /// One Extern per import of `module`, in order, ready for engine::Store::instantiate, with
  /// the functions added to `functions.store()` (once per store). Errors (Phase::Link), naming
  /// the import:
  ///   "unknown import: env::foo"
  ///   "import lunatic::process::spawn is not allowed in this environment"
  ///   "incompatible import type: lunatic::message::send expects (i64) -> (i32), module
  ///    declares (i32) -> ()" (or "... is a function, module imports a memory")
  Result<std::vector<engine::Extern>> resolve(HostFunctionCache& functions,
                                              const wasm::Module& module,
                                              const AllowList& allowed) const;
  /// The same with a cache for this call only.
  Result<std::vector<engine::Extern>> resolve(engine::Store& store, const wasm::Module& module,
                                              const AllowList& allowed) const;

 private:
  std::map<std::string, Namespace, std::less<>> namespaces_;
};

}  // namespace lunatic::binding
