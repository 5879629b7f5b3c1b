// The "bench" host namespace of the process benchmarks: self, spawn, send, receive, link, monitor,
// and mark
// (a timestamp and the resident memory, read by the embedder after the run).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "binding/linker.hpp"

namespace lunatic::bench {

/// What mark(i) recorded, i in [0, kMarks).
struct Mark {
  std::chrono::steady_clock::time_point time;
  int64_t rss_bytes = 0;
};
inline constexpr int kMarks = 2;
/// The marks of the last run (mark() is called by one root process at a time).
Mark& mark_slot(int i);

/// Resident set size of this process, from /proc/self/statm.
int64_t resident_bytes();

std::shared_ptr<const binding::Linker> make_bench_linker();

}  // namespace lunatic::bench
