// LinkSet: one process's links (the other process and the link's tag), with adding,
// re-tagging and removing in constant time however many there are: a supervisor or a hub may
// hold a hundred thousand, and each of them links and unlinks one at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/ids.hpp"

namespace lunatic::runtime {

/// One side of a bidirectional link: the other process and the link's tag (the same on both
/// sides).
struct LinkEntry {
  ProcessId process = 0;
  Tag tag = 0;
};

/// A set of links keyed by process. Few links (the common case) are a short vector searched
/// in place; past kIndexFrom an index from process to position is built and kept. Removal
/// moves the last entry into the hole, so the order of entries is not meaningful.
/// Not thread-safe: Links guards it with its lock.
class LinkSet {
 public:
  /// Adds the link with `process`, or gives an existing one the new `tag`.
  void set(ProcessId process, Tag tag) {
    if (LinkEntry* e = find(process)) {
      e->tag = tag;
      return;
    }
    entries_.push_back(LinkEntry{process, tag});
    if (index_) {
      index_->emplace(process, entries_.size() - 1);
    } else if (entries_.size() > kIndexFrom) {
      build_index();
    }
  }

  /// Removes the link with `process`; false if there was none.
  bool erase(ProcessId process) {
    size_t at = 0;
    if (index_) {
      auto it = index_->find(process);
      if (it == index_->end()) return false;
      at = it->second;
      index_->erase(it);
    } else {
      while (at < entries_.size() && entries_[at].process != process) ++at;
      if (at == entries_.size()) return false;
    }
    if (at + 1 != entries_.size()) {
      entries_[at] = entries_.back();
      if (index_) (*index_)[entries_[at].process] = at;
    }
    entries_.pop_back();
    return true;
  }

  /// Hands over every link and leaves the set empty.
  std::vector<LinkEntry> take() {
    index_.reset();
    return std::exchange(entries_, {});
  }

  const std::vector<LinkEntry>& entries() const { return entries_; }

 private:
  /// Up to this many links a linear search beats hashing and costs no extra memory.
  static constexpr size_t kIndexFrom = 16;

  LinkEntry* find(ProcessId process) {
    if (index_) {
      auto it = index_->find(process);
      return it == index_->end() ? nullptr : &entries_[it->second];
    }
    for (LinkEntry& e : entries_) {
      if (e.process == process) return &e;
    }
    return nullptr;
  }

  void build_index() {
    index_ = std::make_unique<std::unordered_map<ProcessId, size_t>>();
    index_->reserve(entries_.size() * 2);
    for (size_t i = 0; i < entries_.size(); ++i) index_->emplace(entries_[i].process, i);
  }

  std::vector<LinkEntry> entries_;
  std::unique_ptr<std::unordered_map<ProcessId, size_t>> index_;
};

}  // namespace lunatic::runtime
