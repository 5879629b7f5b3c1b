// LinkSet: one process's links (the other process and the link's tag), with adding,
// re-tagging and removing in constant time however many there are: a supervisor or a hub may
// hold a hundred thousand, and each of them links and unlinks one at a time.
#pragma once

#include <vector>

#include "runtime/ids.hpp"
#include "runtime/process_index.hpp"

namespace lunatic::runtime {

/// One side of a bidirectional link: the other process and the link's tag (the same on both
/// sides).
struct LinkEntry {
  ProcessId process = 0;
  Tag tag = 0;
};

/// A set of links keyed by process (see ProcessIndex: the order of entries is not
/// meaningful). Not thread-safe: Links guards it with its lock.
class LinkSet {
 public:
  /// Adds the link with `process`, or gives an existing one the new `tag`.
  void set(ProcessId process, Tag tag) {
    if (LinkEntry* e = set_.find(process)) {
      e->tag = tag;
      return;
    }
    set_.insert(LinkEntry{process, tag});
  }

  /// The link with `process`, or null.
  LinkEntry* find(ProcessId process) { return set_.find(process); }

  /// Removes the link with `process`; false if there was none.
  bool erase(ProcessId process) { return set_.erase(process); }

  /// Hands over every link and leaves the set empty.
  std::vector<LinkEntry> take() { return set_.take(); }

  const std::vector<LinkEntry>& entries() const { return set_.entries(); }

 private:
  ProcessIndex<LinkEntry, &LinkEntry::process> set_;
};

}  // namespace lunatic::runtime
