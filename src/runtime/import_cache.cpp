// ImportCache: lookups validated by weak references, and pruning of entries whose module or
// environment has died.
#include "runtime/import_cache.hpp"

#include <algorithm>

#include "runtime/environment.hpp"

namespace lunatic::runtime {
namespace {

template <class T>
bool same(const std::weak_ptr<const T>& cached, const std::shared_ptr<const T>& current) {
  // Neither owner-before the other: the same control block, so the same object (an expired
  // reference shares no block with a live one).
  return !cached.owner_before(current) && !current.owner_before(cached) && !cached.expired();
}

}  // namespace

ImportCache::Externs ImportCache::find(const std::shared_ptr<const engine::CompiledModule>& module,
                                       const std::shared_ptr<const Environment>& env) const {
  auto it = entries_.find(Key{module.get(), env.get()});
  if (it == entries_.end() || !same(it->second.module, module) || !same(it->second.env, env)) {
    return nullptr;
  }
  return it->second.externs;
}

void ImportCache::insert(const std::shared_ptr<const engine::CompiledModule>& module,
                         const std::shared_ptr<const Environment>& env, Externs externs) {
  if (entries_.size() >= prune_at_) {
    std::erase_if(entries_, [](const auto& e) {
      return e.second.module.expired() || e.second.env.expired();
    });
    // Amortised: the next pruning waits until the live entries have doubled.
    prune_at_ = std::max<size_t>(64, 2 * entries_.size());
  }
  entries_.insert_or_assign(Key{module.get(), env.get()}, Entry{module, env, std::move(externs)});
}

}  // namespace lunatic::runtime
