// Executing the commands of one spec script and judging each: passed, failed or skipped.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "lunatic/engine.hpp"
#include "spec/script_loader.hpp"
#include "spec/skiplist.hpp"

namespace lunatic::spec {

/// The outcome of one command; the character is what a child process writes to its parent.
enum class Outcome : char { Pass = 'P', Fail = 'F', Skip = 'S' };

/// Counts of outcomes.
struct Tally {
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;

  void add(Outcome outcome);
  Tally& operator+=(const Tally& other);
  /// "N passed, N failed, N skipped"
  std::string to_string() const;
};

struct RunnerOptions {
  bool verbose = false;  ///< print each failure (file:line, command, why) and each warning
  std::chrono::milliseconds action_timeout{20'000};
};

/// Runs one converted script against a fresh Store. Commands listed one by one in the skip
/// list still run (later commands may depend on them); they count as skipped, unless they
/// pass, which is a failure ("remove it"): the list may only shrink.
class ScriptRunner {
 public:
  using Recorder = std::function<void(Outcome)>;

  /// `file_name` is the .wast's base name (for the skip list and messages); `module_dir` holds
  /// the module files the script names; `record` receives every outcome as it happens.
  ScriptRunner(MemoryPool& pool, const SkipList& skips, std::string file_name,
               std::filesystem::path module_dir, const RunnerOptions& options, Recorder record);

  void run(const Script& script);

 private:
  const SkipList& skips_;
  std::string file_name_;
  std::filesystem::path module_dir_;
  const RunnerOptions& options_;
  MemoryPool& pool_;
  Recorder record_;
};

}  // namespace lunatic::spec
