// Names: one environment's table, and registering a process's names so that they go when it
// ends.
#include "runtime/names.hpp"

#include <algorithm>

#include "runtime/environment.hpp"

namespace lunatic::runtime {

std::optional<ProcessId> NameTable::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

bool NameTable::remove(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return false;
  by_process_.erase({it->second, it->first});
  by_name_.erase(it);
  return true;
}

size_t NameTable::remove_process(ProcessId id, uint64_t* bytes) {
  std::lock_guard lock(mutex_);
  size_t removed = 0;
  // Pairs sort by id first; the empty view sorts before every name of `id`.
  auto it = by_process_.lower_bound({id, std::string_view()});
  while (it != by_process_.end() && it->first == id) {
    if (bytes != nullptr) *bytes += it->second.size();
    by_name_.erase(by_name_.find(it->second));
    it = by_process_.erase(it);
    ++removed;
  }
  return removed;
}

std::vector<std::string> NameTable::names_of(ProcessId id) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (auto it = by_process_.lower_bound({id, std::string_view()});
       it != by_process_.end() && it->first == id; ++it) {
    names.emplace_back(it->second);
  }
  return names;
}

size_t NameTable::size() const {
  std::lock_guard lock(mutex_);
  return by_name_.size();
}

ProcessNames::Put ProcessNames::put(const std::shared_ptr<const Environment>& environment,
                                    std::string_view name, ProcessId id) {
  // The table insert happens under this lock, so close() cannot run between the check and
  // the insert and leave a name behind. Lock order: this, then the table's.
  std::lock_guard lock(mutex_);
  if (closed_) return Put::Ended;
  if (environment->put_name(name, id) == NameTable::Put::Refused) return Put::LimitReached;
  remember(environment);
  return Put::Registered;
}

void ProcessNames::close(ProcessId id) {
  std::vector<std::weak_ptr<const Environment>> environments;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    environments.swap(environments_);
  }
  for (const std::weak_ptr<const Environment>& weak : environments) {
    if (std::shared_ptr<const Environment> environment = weak.lock()) {
      environment->remove_names_of(id);
    }
  }
}

std::vector<std::string> ProcessNames::list(ProcessId id) const {
  std::vector<std::shared_ptr<const Environment>> environments;
  {
    std::lock_guard lock(mutex_);
    for (const std::weak_ptr<const Environment>& weak : environments_) {
      if (std::shared_ptr<const Environment> e = weak.lock()) environments.push_back(std::move(e));
    }
  }
  // The tables are read outside this lock (put() takes this one, then a table's).
  std::vector<std::string> names;
  for (const std::shared_ptr<const Environment>& e : environments) {
    std::vector<std::string> here = e->names_of(id);
    names.insert(names.end(), std::make_move_iterator(here.begin()),
                 std::make_move_iterator(here.end()));
  }
  return names;
}

void ProcessNames::remember(const std::shared_ptr<const Environment>& environment) {
  bool known = false;
  std::erase_if(environments_, [&](const std::weak_ptr<const Environment>& weak) {
    std::shared_ptr<const Environment> e = weak.lock();
    if (e == environment) known = true;
    return e == nullptr;
  });
  if (!known) environments_.push_back(environment);
}

}  // namespace lunatic::runtime
