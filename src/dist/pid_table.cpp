// PidTable (pid_table.hpp): local ids are spelled into pids directly, remote pids interned.
#include "dist/pid_table.hpp"

#include <functional>

#include "runtime/router.hpp"

namespace lunatic::dist {

PidTable::PidTable(std::string node, uint32_t creation, size_t capacity)
    : node_(std::move(node)), creation_(creation), capacity_(capacity) {}

size_t PidTable::Hash::operator()(const ErlangPid& pid) const {
  size_t h = std::hash<std::string>{}(pid.node);
  for (uint32_t v : {pid.num, pid.serial, pid.creation}) h = h * 1'000'003 ^ v;
  return h;
}

ErlangPid PidTable::local_pid(runtime::ProcessId id) const {
  return ErlangPid{node_, static_cast<uint32_t>(id), static_cast<uint32_t>(id >> 32), creation_};
}

std::optional<runtime::ProcessId> PidTable::id_of(const ErlangPid& pid) {
  if (pid.node == node_) {
    const runtime::ProcessId id = runtime::ProcessId{pid.serial} << 32 | pid.num;
    if (pid.creation != creation_ || id == 0 || runtime::is_remote(id)) return std::nullopt;
    return id;
  }
  std::lock_guard lock(mutex_);
  if (auto found = index_.find(pid); found != index_.end()) {
    return runtime::kRemoteBit | found->second;
  }
  if (pids_.size() >= capacity_) return std::nullopt;
  const uint64_t index = pids_.size();
  pids_.push_back(pid);
  index_.emplace(pid, index);
  return runtime::kRemoteBit | index;
}

std::optional<ErlangPid> PidTable::remote_pid(runtime::ProcessId id) const {
  if (!runtime::is_remote(id)) return std::nullopt;
  const uint64_t index = id & ~runtime::kRemoteBit;
  std::lock_guard lock(mutex_);
  if (index >= pids_.size()) return std::nullopt;
  return pids_[index];
}

size_t PidTable::size() const {
  std::lock_guard lock(mutex_);
  return pids_.size();
}

}  // namespace lunatic::dist
