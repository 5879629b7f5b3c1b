// MonitorSet: the monitors set on one process, grouped by watcher, so that removing a
// watcher's monitors (it died, or stopped monitoring) takes constant time however many
// watchers there are: a hundred thousand watchers that all die cost a hundred thousand steps.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "runtime/ids.hpp"
#include "runtime/process_index.hpp"

namespace lunatic::runtime {

/// The monitors one watcher set on a process: one ProcessDied each, with its tag. A watcher
/// may monitor a process several times (each monitor call is one more message).
struct MonitorEntry {
  ProcessId watcher = 0;
  Tag tag = 0;                 ///< the first monitor's tag
  std::vector<Tag> more_tags;  ///< the others', in the order they were set (usually none)
};

/// Monitors keyed by watcher (see ProcessIndex: the order of watchers is not meaningful; one
/// watcher's tags keep their order). Not thread-safe: Links guards it with its lock.
class MonitorSet {
 public:
  /// Adds one monitor by `watcher` with `tag`.
  void add(ProcessId watcher, Tag tag) {
    if (MonitorEntry* e = set_.find(watcher)) {
      e->more_tags.push_back(tag);
    } else {
      set_.insert(MonitorEntry{watcher, tag, {}});
    }
    ++count_;
  }

  /// Removes every monitor by `watcher`; returns how many there were.
  size_t erase(ProcessId watcher) {
    const MonitorEntry* e = set_.find(watcher);
    if (!e) return 0;
    const size_t n = 1 + e->more_tags.size();
    set_.erase(watcher);
    count_ -= n;
    return n;
  }

  /// Removes the one monitor by `watcher` with `tag` (the first such if several); false if
  /// there is none. Linear in that watcher's monitors only.
  bool erase_one(ProcessId watcher, Tag tag) {
    MonitorEntry* e = set_.find(watcher);
    if (!e) return false;
    if (e->tag == tag) {
      if (e->more_tags.empty()) {
        set_.erase(watcher);
      } else {
        e->tag = e->more_tags.front();
        e->more_tags.erase(e->more_tags.begin());
      }
    } else {
      auto it = std::find(e->more_tags.begin(), e->more_tags.end(), tag);
      if (it == e->more_tags.end()) return false;
      e->more_tags.erase(it);
    }
    --count_;
    return true;
  }

  /// Hands over every watcher's monitors and leaves the set empty.
  std::vector<MonitorEntry> take() {
    count_ = 0;
    return set_.take();
  }

  const std::vector<MonitorEntry>& entries() const { return set_.entries(); }
  /// The number of monitors (a watcher's several count several times).
  size_t size() const { return count_; }

 private:
  ProcessIndex<MonitorEntry, &MonitorEntry::watcher> set_;
  size_t count_ = 0;
};

}  // namespace lunatic::runtime
