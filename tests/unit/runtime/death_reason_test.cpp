// Why a process died, as the data of the LinkDied / ProcessDied messages its links and
// monitors get: the exit status's one line (a trap, exit(n), a kill and its reason, a linked
// failure, noproc), capped at a UTF-8 boundary; several monitors by one watcher.
#include <string>
#include <vector>

#include "runtime/links.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

// Targets wait for a message tagged 99 from the test, then end their way; the collector
// takes n signals (their reasons go to signal_reasons()) and reports each receive result.
constexpr std::string_view kGuest = R"(
  (func (export "crash_on_99") (param i64)
    (drop (call $receive (i64.const 99) (i64.const -1)))
    unreachable)
  (func (export "exit3_on_99") (param i64)
    (drop (call $receive (i64.const 99) (i64.const -1)))
    (call $exit (i32.const 3)))
  (func (export "exit0_on_99") (param i64)
    (drop (call $receive (i64.const 99) (i64.const -1)))
    (call $exit (i32.const 0)))
  (func (export "return_on_99") (param i64)
    (drop (call $receive (i64.const 99) (i64.const -1))))
  (func (export "collect") (param $n i64)
    (local $i i64)
    (block $done (loop $l
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $report (call $receive (i64.const 0) (i64.const -1)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l))))
)";

enum class Watch { link, monitor };

class DeathReason : public RuntimeTest {
 protected:
  void SetUp() override {
    RuntimeTest::SetUp();
    start(2);
  }

  ProcessId spawn(const char* entry, int64_t arg = 0) {
    auto id = runtime_->spawn({guest_, env_, entry, {Value::i64(arg)}, nullptr, 0});
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    return id.ok() ? *id : 0;
  }

  /// A collector of `n` signals that links to (trapping link failures) or monitors `target`
  /// with tag 5. link() / monitor() are owner-only; the collector's guest code does not
  /// touch its links while the test sets them (it only waits in receive).
  ProcessId watch(ProcessId target, Watch how, int64_t n = 1) {
    const ProcessId collector = spawn("collect", n);
    std::shared_ptr<Process> c = runtime_->find(collector);
    EXPECT_TRUE(c);
    if (!c) return 0;
    if (how == Watch::link) {
      c->set_die_when_link_dies(false);
      c->link(5, target);
    } else {
      c->monitor(5, target);
    }
    return collector;
  }

  void poke(ProcessId target) {
    auto m = std::make_unique<Message>();
    m->tag = 99;
    EXPECT_TRUE(runtime_->send(target, std::move(m)));
  }

  /// The reason a watcher (linked or monitoring) gets when `entry` is poked.
  std::string reason_of_poked(const char* entry, Watch how) {
    const ProcessId target = spawn(entry);
    watch(target, how);
    poke(target);
    runtime_->wait_all();
    return single_reason();
  }

  std::string single_reason() {
    std::vector<std::string> reasons = signal_reasons().take();
    EXPECT_EQ(reasons.size(), 1u);
    return reasons.empty() ? std::string() : reasons[0];
  }

  std::shared_ptr<const engine::CompiledModule> guest_ = compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({});
};

TEST_F(DeathReason, ATrap) {
  EXPECT_EQ(reason_of_poked("crash_on_99", Watch::link), "trap: unreachable");
  EXPECT_EQ(reports().take(), std::vector<int64_t>{1'000'000 + 5});
  EXPECT_EQ(reason_of_poked("crash_on_99", Watch::monitor), "trap: unreachable");
  EXPECT_EQ(reports().take(), std::vector<int64_t>{2'000'000 + 5});
}

TEST_F(DeathReason, AnExitCode) {
  EXPECT_EQ(reason_of_poked("exit3_on_99", Watch::link), "exit(3)");
  EXPECT_EQ(reason_of_poked("exit3_on_99", Watch::monitor), "exit(3)");
}

TEST_F(DeathReason, NormalEndsReachMonitorsOnly) {
  EXPECT_EQ(reason_of_poked("return_on_99", Watch::monitor), "normal");
  EXPECT_EQ(reason_of_poked("exit0_on_99", Watch::monitor), "exit(0)");
}

TEST_F(DeathReason, AKillAndItsReason) {
  const ProcessId plain = spawn("return_on_99");
  watch(plain, Watch::monitor);
  EXPECT_TRUE(runtime_->kill(plain));
  runtime_->wait_all();
  EXPECT_EQ(single_reason(), "killed");

  const ProcessId target = spawn("return_on_99");
  watch(target, Watch::link);
  watch(target, Watch::monitor);
  EXPECT_TRUE(runtime_->kill(target, engine::Trap::killed("shut down by the test")));
  runtime_->wait_all();
  EXPECT_EQ(signal_reasons().take(), (std::vector<std::string>{"killed: shut down by the test",
                                                               "killed: shut down by the test"}));
}

TEST_F(DeathReason, ALinkedFailure) {
  // b dies of c's trap over their link; b's watcher learns why.
  const ProcessId b = spawn("return_on_99");
  const ProcessId c = spawn("crash_on_99");
  runtime_->find(b)->link(1, c);
  watch(b, Watch::monitor);
  poke(c);
  runtime_->wait_all();
  EXPECT_EQ(single_reason(), "killed: linked process " + std::to_string(c) + " failed");
  EXPECT_EQ(exit_of(b).kind, ExitStatus::Kind::Killed);
}

TEST_F(DeathReason, NoProcess) {
  constexpr ProcessId kGone = 123456;
  watch(kGone, Watch::link);
  runtime_->wait_all();
  EXPECT_EQ(single_reason(), "noproc");
  watch(kGone, Watch::monitor);
  runtime_->wait_all();
  EXPECT_EQ(single_reason(), "noproc");
}

TEST_F(DeathReason, ALongReasonIsCutAtACharacterBoundary) {
  // "killed: " and 1015 bytes fill 1023 bytes; the next character (2 bytes) would end past
  // the cap, so it goes whole.
  const std::string why = std::string(1015, 'a') + "\xC3\xA9" + std::string(5000, 'b');
  const ProcessId target = spawn("return_on_99");
  watch(target, Watch::monitor);
  EXPECT_TRUE(runtime_->kill(target, engine::Trap::killed(why)));
  runtime_->wait_all();
  EXPECT_EQ(single_reason(), "killed: " + std::string(1015, 'a'));
}

TEST(DeathReasonText, CapsAtKMaxDeathReasonBytesOnCharacterBoundaries) {
  auto text = [](const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); };
  EXPECT_EQ(text(death_reason("normal")), "normal");
  EXPECT_EQ(text(death_reason("")), "");
  const std::string exact(kMaxDeathReason, 'x');
  EXPECT_EQ(text(death_reason(exact)), exact);
  EXPECT_EQ(text(death_reason(exact + "y")), exact);
  // A 4-byte character across the cap: bytes 1022..1025.
  const std::string four = std::string(kMaxDeathReason - 2, 'x') + "\xF0\x9F\x98\x80" + "z";
  EXPECT_EQ(text(death_reason(four)), std::string(kMaxDeathReason - 2, 'x'));
  // A 3-byte character ending exactly at the cap stays.
  const std::string three = std::string(kMaxDeathReason - 3, 'x') + "\xE2\x82\xAC" + "z";
  EXPECT_EQ(text(death_reason(three)), std::string(kMaxDeathReason - 3, 'x') + "\xE2\x82\xAC");
}

TEST_F(DeathReason, EachOfAWatchersMonitorsOfOneProcessFiresWithItsTag) {
  const ProcessId target = spawn("crash_on_99");
  const ProcessId collector = spawn("collect", 3);
  std::shared_ptr<Process> c = runtime_->find(collector);
  ASSERT_TRUE(c);
  c->monitor(7, target);
  c->monitor(8, target);
  c->monitor(7, target);
  std::shared_ptr<Process> t = runtime_->find(target);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->monitor_count(), 3u);
  EXPECT_EQ(c->watching_count(), 1u);
  poke(target);
  runtime_->wait_all();
  EXPECT_EQ(reports().take(), (std::vector<int64_t>{2'000'000 + 7, 2'000'000 + 8, 2'000'000 + 7}));
  EXPECT_EQ(signal_reasons().take(), std::vector<std::string>(3, "trap: unreachable"));
}

TEST_F(DeathReason, StopMonitoringCancelsEveryMonitorOfThatProcess) {
  const ProcessId target = spawn("return_on_99");
  const ProcessId other = spawn("return_on_99");
  const ProcessId collector = spawn("collect", 1);
  std::shared_ptr<Process> c = runtime_->find(collector);
  std::shared_ptr<Process> t = runtime_->find(target);
  ASSERT_TRUE(c && t);
  c->monitor(7, target);
  c->monitor(8, target);
  c->monitor(9, other);
  EXPECT_EQ(t->monitor_count(), 2u);
  c->stop_monitoring(target);
  EXPECT_EQ(t->monitor_count(), 0u);
  EXPECT_EQ(c->watching_count(), 1u);
  poke(target);  // ends unwatched
  poke(other);   // the one signal the collector gets
  runtime_->wait_all();
  EXPECT_EQ(reports().take(), std::vector<int64_t>{2'000'000 + 9});
  EXPECT_EQ(single_reason(), "normal");
}

}  // namespace
}  // namespace lunatic::runtime::test
