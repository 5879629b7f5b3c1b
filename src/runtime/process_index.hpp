// ProcessIndex: entries keyed by a process id, with finding, adding and removing in constant
// time however many there are (the storage of LinkSet and MonitorSet).
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/ids.hpp"

namespace lunatic::runtime {

/// At most one Entry per process, keyed by the member `kKey`. Few entries (the common case)
/// are a short vector searched in place; past kIndexFrom an index from process to position is
/// built and kept. Removal moves the last entry into the hole, so the order of entries is not
/// meaningful. Not thread-safe: Links guards it with its lock.
template <class Entry, ProcessId Entry::*kKey> class ProcessIndex {
 public:
  /// The entry of `process`, or nullptr.
  Entry* find(ProcessId process) {
    if (index_) {
      auto it = index_->find(process);
      return it == index_->end() ? nullptr : &entries_[it->second];
    }
    for (Entry& e : entries_) {
      if (e.*kKey == process) return &e;
    }
    return nullptr;
  }

  /// Adds `entry`. @pre no entry has its process (find() returned nullptr).
  Entry& insert(Entry entry) {
    entries_.push_back(std::move(entry));
    if (index_) {
      index_->emplace(entries_.back().*kKey, entries_.size() - 1);
    } else if (entries_.size() > kIndexFrom) {
      build_index();
    }
    return entries_.back();
  }

  /// Removes the entry of `process`; false if there was none.
  bool erase(ProcessId process) {
    size_t at = 0;
    if (index_) {
      auto it = index_->find(process);
      if (it == index_->end()) return false;
      at = it->second;
      index_->erase(it);
    } else {
      while (at < entries_.size() && entries_[at].*kKey != process) ++at;
      if (at == entries_.size()) return false;
    }
    if (at + 1 != entries_.size()) {
      entries_[at] = std::move(entries_.back());
      if (index_) (*index_)[entries_[at].*kKey] = at;
    }
    entries_.pop_back();
    return true;
  }

  /// Hands over every entry and leaves the set empty.
  std::vector<Entry> take() {
    index_.reset();
    return std::exchange(entries_, {});
  }

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  /// Up to this many entries a linear search beats hashing and costs no extra memory.
  static constexpr size_t kIndexFrom = 16;

  void build_index() {
    index_ = std::make_unique<std::unordered_map<ProcessId, size_t>>();
    index_->reserve(entries_.size() * 2);
    for (size_t i = 0; i < entries_.size(); ++i) index_->emplace(entries_[i].*kKey, i);
  }

  std::vector<Entry> entries_;
  std::unique_ptr<std::unordered_map<ProcessId, size_t>> index_;
};

}  // namespace lunatic::runtime
