// RunTimeout: the watchdog thread of `lunatic run --timeout`.
#include "cli/run_timeout.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/command_line.hpp"

namespace lunatic::cli {

RunTimeout::RunTimeout(runtime::Runtime& runtime, runtime::ProcessId root,
                       std::chrono::milliseconds limit, std::chrono::milliseconds grace) {
  thread_ = std::thread([this, &runtime, root, limit, grace] {
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, limit, [this] { return finished_; })) return;
    // Runtime::kill is false when the root has just ended by itself: then no timeout is reported.
    if (!runtime.kill(root, engine::Trap::killed(reason(limit)))) return;
    fired_.store(true, std::memory_order_release);
    if (wake_.wait_for(lock, grace, [this] { return finished_; })) return;
    std::fprintf(stderr, "error: %s; it did not end within %lld ms of the kill, exiting\n",
                 reason(limit).c_str(), static_cast<long long>(grace.count()));
    std::fflush(nullptr);
    std::_Exit(kExitTimeout);
  });
}

RunTimeout::~RunTimeout() { finish(); }

bool RunTimeout::finish() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  return fired_.load(std::memory_order_acquire);
}

std::string RunTimeout::reason(std::chrono::milliseconds limit) {
  return "timeout of " + std::to_string(limit.count()) +
         " ms reached (--timeout): the root process was killed";
}

}  // namespace lunatic::cli
