// ImportCache: the host functions a module's imports resolved to under an environment, kept
// so that the next spawn of the same module in the same environment skips the linker (name
// lookups, allow-list checks): resolution depends on nothing else, and both are immutable.
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/compiled_module.hpp"
#include "engine/store.hpp"

namespace lunatic::runtime {

class Environment;

/// Not thread-safe: the Runtime uses it under its host-functions mutex. Holds only weak
/// references, so it keeps no module or environment alive; entries of dead ones are dropped
/// as the cache grows.
class ImportCache {
 public:
  using Externs = std::shared_ptr<const std::vector<engine::Extern>>;
  /// The externs cached for (`module`, `env`) if both are the very objects cached, else null.
  /// Shared, so a hit copies nothing.
  Externs find(const std::shared_ptr<const engine::CompiledModule>& module,
               const std::shared_ptr<const Environment>& env) const;
  /// Remembers a successful resolution.
  void insert(const std::shared_ptr<const engine::CompiledModule>& module,
              const std::shared_ptr<const Environment>& env, Externs externs);
  size_t size() const { return entries_.size(); }

 private:
  using Key = std::pair<const void*, const void*>;
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<const void*>()(k.first) * 31 + std::hash<const void*>()(k.second);
    }
  };
  struct Entry {
    // An address alone could be a new object's where an old one died: the weak references
    // tell (they expire with the objects).
    std::weak_ptr<const engine::CompiledModule> module;
    std::weak_ptr<const Environment> env;
    Externs externs;
  };
  std::unordered_map<Key, Entry, KeyHash> entries_;
  size_t prune_at_ = 64;  ///< drop dead entries when the cache reaches this size
};

}  // namespace lunatic::runtime
