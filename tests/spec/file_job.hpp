// One .wast file from start to end: parsing with the text layer, skip-list check, and the run
// of its commands, by default in a child process so that a crash or hang (of the parser or the
// engine) costs one file.
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

/// Runs one file and returns its counts. A file the skip list names counts all its assertions
/// as skipped (1 if it does not parse). A script that does not parse is one failure. A crash or
/// timeout of the child counts as one failure on top of the outcomes it reported before.
/// Prints failures when verbose, and crashes, timeouts and parse errors always.
Tally run_file(const std::filesystem::path& wast, const SkipList& skips, const JobOptions& options);

}  // namespace lunatic::spec
