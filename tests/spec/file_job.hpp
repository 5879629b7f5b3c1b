// One .wast file from start to end: skip-list check, conversion with wast2json, and the run of
// its commands, by default in a child process so that an engine crash or hang costs one file.
#pragma once

#include <filesystem>

#include "spec/runner.hpp"
#include "spec/skiplist.hpp"

namespace lunatic::spec {

struct JobOptions {
  RunnerOptions runner;
  bool isolate = true;                  ///< run each file's commands in a forked child
  unsigned file_timeout_seconds = 600;  ///< a child still running then is killed (SIGALRM)
};

/// Runs one file and returns its counts. A file the skip list names counts all its commands
/// as skipped (1 if it cannot be converted). A crash or timeout of the child counts as one
/// failure on top of the outcomes it reported before. Prints failures when verbose, and
/// crashes, timeouts and conversion errors always.
Tally run_file(const std::filesystem::path& wast, const SkipList& skips, const JobOptions& options);

}  // namespace lunatic::spec
