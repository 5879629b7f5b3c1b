// RunTimeout: `lunatic run --timeout`, a watchdog thread that kills the root process when the
// wall-clock limit passes before the run ends.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "runtime/runtime.hpp"

namespace lunatic::cli {

/// Kills process `root` of `runtime` with the reason "timeout of T reached (--timeout)" once
/// `limit` has passed, unless finish() (or the destructor) came first. A root that has not
/// ended `grace` after its kill (a host call that blocks its worker, such as a read of a hung
/// file system or of stdio that could not be served through the reactor, does not see the
/// kill) ends the whole program: "error: ..." on stderr and std::_Exit(kExitTimeout), so the
/// limit holds whatever the guest does. Not copyable.
class RunTimeout {
 public:
  static constexpr std::chrono::milliseconds kGrace{1000};

  RunTimeout(runtime::Runtime& runtime, runtime::ProcessId root, std::chrono::milliseconds limit,
             std::chrono::milliseconds grace = kGrace);
  /// Stops the watchdog if it is still waiting.
  ~RunTimeout();
  RunTimeout(const RunTimeout&) = delete;
  RunTimeout& operator=(const RunTimeout&) = delete;

  /// Stops the watchdog (the run ended) and returns whether it had killed the root.
  bool finish();

  /// "timeout of 1500 ms reached (--timeout): the root process was killed": the reason in the
  /// root's exit status and the CLI's error line.
  static std::string reason(std::chrono::milliseconds limit);

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool finished_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

}  // namespace lunatic::cli
