// Executing the commands of one spec script and judging each: passed, failed or skipped.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "spec/engine_api.hpp"
#include "spec/skiplist.hpp"
#include "text/text.hpp"
#include "tiering/compiler.hpp"

namespace lunatic::spec {

/// The outcome of one command; the character is what a child process writes to its parent.
/// Pass, Fail, Skip: of assertions. NativeModule / InterpretedModule: a module a native tier
/// compiled, or left to the interpreter (counted apart, only when a native tier is chosen).
enum class Outcome : char {
  Pass = 'P',
  Fail = 'F',
  Skip = 'S',
  NativeModule = 'N',
  InterpretedModule = 'I'
};

/// Whether a command is an assertion (assert_*). Only assertions are counted as passed or
/// skipped; a module, register or action command is a step they depend on, counted only when
/// it fails (or when a skip-list entry names it).
bool is_assertion(text::CommandType type);

/// The number of assertions in a script.
uint64_t count_assertions(const text::Script& script);

/// Counts of outcomes.
struct Tally {
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  uint64_t native_modules = 0;
  uint64_t interpreted_modules = 0;

  void add(Outcome outcome);
  Tally& operator+=(const Tally& other);
  /// "N passed, N failed, N skipped", then ", N modules native, N interpreted" if any
  std::string to_string() const;
};

struct RunnerOptions {
  bool verbose = false;  ///< print each failure (file:line, command, why) and each warning
  std::chrono::milliseconds action_timeout{20'000};
  /// Which tier runs the modules (--tier); Compiled compiles each before it is instantiated.
  tiering::Tier tier = tiering::Tier::Interp;
  /// --cache DIR (compiled tier): each module's code also goes through the code cache in DIR
  /// and runs as codecache's loader (not LLVM's linker) loads it back.
  std::optional<std::filesystem::path> cache_dir{};
};

/// Runs one parsed script against a fresh Store. Commands listed one by one in the skip
/// list still run (later commands may depend on them); they count as skipped, unless they
/// pass, which is a failure ("remove it"): the list may only shrink.
class ScriptRunner {
 public:
  using Recorder = std::function<void(Outcome)>;

  /// `file_name` is the .wast's base name (for the skip list and messages); `record` receives
  /// every counted outcome as it happens.
  ScriptRunner(MemoryPool& pool, const SkipList& skips, std::string file_name,
               const RunnerOptions& options, Recorder record);

  void run(const text::Script& script);

 private:
  const SkipList& skips_;
  std::string file_name_;
  const RunnerOptions& options_;
  MemoryPool& pool_;
  Recorder record_;
};

}  // namespace lunatic::spec
