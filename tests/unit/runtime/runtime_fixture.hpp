// Shared pieces of the runtime tests: host functions that stand in for the guest ABI (the
// "test" namespace), a WAT -> CompiledModule helper, and a fixture that records exit statuses.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "binding/call_context.hpp"
#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "binding/linker.hpp"
#include "engine/compile.hpp"
#include "engine/compiled_module.hpp"
#include "runtime/environment.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::runtime::test {

/// Imports of the test guests, in WAT (nap(ms) sleeps, parked on the timer). Receive results: the
/// data value for a data message, 1'000'000 + tag for LinkDied, 2'000'000 + tag for ProcessDied
/// (their data goes to signal_reasons()), -1 on timeout.
inline constexpr std::string_view kImports = R"(
  (import "test" "self" (func $self (result i64)))
  (import "test" "spawn" (func $spawn (param i32 i32 i64 i64) (result i64)))
  (import "test" "send" (func $send (param i64 i64 i64) (result i32)))
  (import "test" "receive" (func $receive (param i64 i64) (result i64)))
  (import "test" "die_when_link_dies" (func $die_when_link_dies (param i32)))
  (import "test" "link" (func $link (param i64 i64)))
  (import "test" "kill" (func $kill (param i64)))
  (import "test" "exit" (func $exit (param i32)))
  (import "test" "hold" (func $hold (param i64)))
  (import "test" "report" (func $report (param i64)))
  (import "test" "monitor" (func $monitor (param i64 i64)))
  (import "test" "yield" (func $yield))
  (import "test" "nap" (func $nap (param i64)))
  (import "test" "interpret_first" (func $interpret_first (result i64)))
)";

/// A resource that counts its live instances (to check that dead processes free theirs).
class CountedResource final : public Resource {
 public:
  static inline std::atomic<int64_t> live{0};
  CountedResource() { live.fetch_add(1); }
  ~CountedResource() override { live.fetch_sub(1); }
  const char* kind_name() const override { return "counted"; }
};

/// Values recorded by the test host, in order.
template <class T> struct Recorded {
  std::mutex mutex;
  std::vector<T> values;
  void add(T v) {
    std::lock_guard lock(mutex);
    values.push_back(std::move(v));
  }
  std::vector<T> take() {
    std::lock_guard lock(mutex);
    return std::exchange(values, {});
  }
};
/// Values guests passed to test::report.
inline Recorded<int64_t>& reports() {
  static Recorded<int64_t> r;
  return r;
}
/// The data of each LinkDied / ProcessDied message test::receive took (the reason).
inline Recorded<std::string>& signal_reasons() {
  static Recorded<std::string> r;
  return r;
}

/// Builds the "test" namespace.
std::shared_ptr<const binding::Linker> make_test_linker();

/// Parses and compiles `wat` (module fields, kImports prepended); fails the test on error.
std::shared_ptr<const engine::CompiledModule> compile_wat(std::string_view fields,
                                                          bool with_imports = true,
                                                          const engine::CompileConfig& config = {});

/// Runtime with the test namespace, a recorded exit status per process.
class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reports().take();
    signal_reasons().take();
  }
  void start(unsigned workers, uint64_t slice_fuel = 10'000) {
    RuntimeConfig config;
    config.workers = workers;
    config.slice_fuel = slice_fuel;
    config.linker = make_test_linker();
    config.on_exit = [this](ProcessId id, const ExitStatus& status) {
      std::lock_guard lock(exits_mutex_);
      exits_[id] = status;
    };
    runtime_ = std::make_unique<Runtime>(std::move(config));
  }
  ExitStatus exit_of(ProcessId id) {
    std::lock_guard lock(exits_mutex_);
    auto it = exits_.find(id);
    EXPECT_NE(it, exits_.end()) << "process " << id << " has not exited";
    return it == exits_.end() ? ExitStatus{} : it->second;
  }
  size_t exit_count(ExitStatus::Kind kind) {
    std::lock_guard lock(exits_mutex_);
    size_t n = 0;
    for (const auto& [id, s] : exits_) n += s.kind == kind;
    return n;
  }
  void TearDown() override { runtime_.reset(); }

  std::mutex exits_mutex_;
  std::map<ProcessId, ExitStatus> exits_;
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace lunatic::runtime::test
