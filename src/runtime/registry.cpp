// Registry: each shard is a mutex and a hash map; a process's id picks its shard.
#include "runtime/registry.hpp"

#include <vector>

#include "runtime/process.hpp"

namespace lunatic::runtime {

void Registry::insert(ProcessId id, std::shared_ptr<Process> process) {
  Shard& s = shard(id);
  std::lock_guard lock(s.mutex);
  s.processes.emplace(id, std::move(process));
}

std::shared_ptr<Process> Registry::find(ProcessId id) const {
  Shard& s = shard(id);
  std::lock_guard lock(s.mutex);
  auto it = s.processes.find(id);
  return it == s.processes.end() ? nullptr : it->second;
}

bool Registry::contains(ProcessId id) const {
  Shard& s = shard(id);
  std::lock_guard lock(s.mutex);
  return s.processes.count(id) != 0;
}

std::shared_ptr<Process> Registry::remove(ProcessId id) {
  Shard& s = shard(id);
  std::lock_guard lock(s.mutex);
  auto it = s.processes.find(id);
  if (it == s.processes.end()) return nullptr;
  std::shared_ptr<Process> out = std::move(it->second);
  s.processes.erase(it);
  return out;
}

size_t Registry::size() const {
  size_t n = 0;
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mutex);
    n += s.processes.size();
  }
  return n;
}

void Registry::for_each(const std::function<void(const std::shared_ptr<Process>&)>& fn) const {
  std::vector<std::shared_ptr<Process>> snapshot;
  for (Shard& s : shards_) {
    {
      std::lock_guard lock(s.mutex);
      snapshot.reserve(s.processes.size());
      for (const auto& [id, p] : s.processes) snapshot.push_back(p);
    }
    for (const auto& p : snapshot) fn(p);
    snapshot.clear();
  }
}

}  // namespace lunatic::runtime
