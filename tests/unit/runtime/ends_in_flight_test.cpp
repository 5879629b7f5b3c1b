// Runtime::wait_for_ends_in_flight: a root that ends on a child's failure notice returns from
// wait() while the child's end may still be reported (its crash report, on_exit); the wait
// covers that report, and never the root's own end.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "guests.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

class EndsInFlight : public RuntimeTest {
 protected:
  /// A runtime on 2 workers whose crash reports run `report` and then count.
  void start_with_reports(std::function<void()> report) {
    RuntimeConfig config;
    config.workers = 2;
    config.linker = make_test_linker();
    config.on_crash = [this, report = std::move(report)](const CrashInfo&) {
      report();
      reported_.fetch_add(1);
    };
    config.on_exit = [this](ProcessId id, const ExitStatus&) {
      if (id != root_.load()) return;
      std::lock_guard lock(mutex_);
      root_ended_ = true;
      changed_.notify_all();
    };
    runtime_ = std::make_unique<Runtime>(std::move(config));
  }
  void spawn_root(const char* entry) {
    SpawnOptions options{guest_, env_, entry, {Value::i64(0)}, nullptr, 0};
    options.prepare = [this](Process& p) { root_.store(p.id()); };  // before it can run
    auto id = runtime_->spawn_root(std::move(options));
    EXPECT_TRUE(id.ok()) << id.error().to_string();
  }

  std::shared_ptr<const engine::CompiledModule> guest_ = compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({});
  std::atomic<int> reported_{0};
  std::atomic<ProcessId> root_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  bool root_ended_ = false;  ///< under mutex_
  bool in_report_ = false;   ///< under mutex_
  bool end_report_ = false;  ///< under mutex_
};

// While a report runs the end is in flight (a deadline passes: false); once it has run, none is.
TEST_F(EndsInFlight, AnEndIsInFlightUntilItsReportEnds) {
  start_with_reports([this] {
    std::unique_lock lock(mutex_);
    in_report_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return end_report_; });
  });
  spawn_root("trap_as_message");
  {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, std::chrono::seconds(30), [&] { return in_report_; }));
  }
  const auto start = steady_clock::now();
  EXPECT_FALSE(runtime_->wait_for_ends_in_flight(start + milliseconds(50)));
  EXPECT_GE(steady_clock::now() - start, milliseconds(50));
  EXPECT_EQ(reported_.load(), 0);
  {
    std::lock_guard lock(mutex_);
    end_report_ = true;
    changed_.notify_all();
  }
  EXPECT_TRUE(runtime_->wait_for_ends_in_flight(steady_clock::now() + std::chrono::seconds(30)));
  EXPECT_EQ(reported_.load(), 1);
  EXPECT_EQ(runtime_->wait().kind, ExitStatus::Kind::Normal);
}

// The bug this fixes: the linked child's failure reaches the root (as a message) before its
// crash report, and the root ends (wait() returns) while the report still runs (here it goes
// on 200 ms after the root's end). The report first spawns a process, which wakes the other
// worker: the root, woken by this worker, would otherwise wait for this report to end.
TEST_F(EndsInFlight, TheWaitCoversTheReportOfAnEndTheRootHeardOf) {
  bool root_ended_during_report = false;
  start_with_reports([&] {
    EXPECT_TRUE(runtime_->spawn({guest_, env_, "hello", {Value::i64(0)}, nullptr, 0}).ok());
    {
      std::unique_lock lock(mutex_);
      root_ended_during_report =
          changed_.wait_for(lock, std::chrono::seconds(30), [&] { return root_ended_; });
    }
    std::this_thread::sleep_for(milliseconds(200));
  });
  spawn_root("trap_as_message");
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  EXPECT_TRUE(runtime_->wait_for_ends_in_flight(steady_clock::now() + std::chrono::seconds(30)));
  EXPECT_EQ(reported_.load(), 1);
  EXPECT_TRUE(root_ended_during_report);
}

// The root's own end (here a failure, with a slow report) is over once wait() returns.
TEST_F(EndsInFlight, TheRootsOwnEndIsNeverInFlight) {
  start_with_reports([] { std::this_thread::sleep_for(milliseconds(200)); });
  spawn_root("crash");
  EXPECT_EQ(runtime_->wait().kind, ExitStatus::Kind::Failed);
  EXPECT_EQ(reported_.load(), 1);
  EXPECT_TRUE(runtime_->wait_for_ends_in_flight(steady_clock::now()));
}

}  // namespace
}  // namespace lunatic::runtime::test
