// Links, monitors and kill: failure propagates both ways, trap-as-message for processes that
// asked for it, normal exits do not propagate, a killed parked process frees its resources.
#include "guests.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

class Links : public RuntimeTest {
 protected:
  std::shared_ptr<const engine::CompiledModule> guest_ = compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({});

  ProcessId spawn_root(const char* entry, int64_t arg = 0) {
    auto id = runtime_->spawn_root(guest_, env_, entry, {Value::i64(arg)});
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    return id.ok() ? *id : 0;
  }
};

TEST_F(Links, ChildFailureKillsTheLinkedParent) {
  start(2);
  spawn_root("parent_of_crash");
  ExitStatus s = runtime_->wait();
  EXPECT_EQ(s.kind, ExitStatus::Kind::Killed) << s.to_string();
  EXPECT_NE(s.to_string().find("failed"), std::string::npos) << s.to_string();
  runtime_->wait_all();
  EXPECT_EQ(exit_count(ExitStatus::Kind::Failed), 1u);  // the child
}

TEST_F(Links, ParentFailureKillsTheLinkedChild) {
  start(2);
  spawn_root("crash_with_child");
  ExitStatus s = runtime_->wait();
  EXPECT_EQ(s.kind, ExitStatus::Kind::Failed);
  runtime_->wait_all();  // the child waited forever: only the propagated kill ends it
  auto child = reports().take();
  ASSERT_EQ(child.size(), 1u);
  EXPECT_EQ(exit_of(static_cast<ProcessId>(child[0])).kind, ExitStatus::Kind::Killed);
}

TEST_F(Links, FailureArrivesAsATaggedMessageWhenAsked) {
  start(2);
  spawn_root("trap_as_message");
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  EXPECT_EQ(s.results[0].as_i64(), 1'000'000 + 7);
}

TEST_F(Links, NormalExitDoesNotPropagate) {
  start(2);
  spawn_root("normal_exits");
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  EXPECT_EQ(s.results[0].as_i64(), -1);  // nothing but the hello arrived
}

TEST_F(Links, LinkingToAGoneProcessIsLikeItsFailure) {
  start(2);
  spawn_root("link_to_dead", 123456);
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  EXPECT_EQ(s.results[0].as_i64(), 1'000'000 + 9);
}

TEST_F(Links, PropagationRunsAlongAChain) {
  start(2);
  // A chain of processes linked one after the other; killing the first ends them all.
  constexpr int kChain = 200;
  std::vector<ProcessId> ids;
  for (int i = 0; i < kChain; ++i) {
    auto id = runtime_->spawn({guest_, env_, "wait_forever", {Value::i64(0)}, nullptr, 0});
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  for (int i = 0; i + 1 < kChain; ++i) {
    auto a = runtime_->find(ids[i]);
    ASSERT_TRUE(a);
    // link() is owner-only; here no guest code of these processes runs concurrently with
    // link bookkeeping (both sides are locked), which is all it needs.
    a->link(1, ids[i + 1]);
  }
  EXPECT_EQ(runtime_->find(ids[1])->links().size(), 2u);
  EXPECT_TRUE(runtime_->kill(ids[0]));
  runtime_->wait_all();
  EXPECT_EQ(exit_count(ExitStatus::Kind::Killed), static_cast<size_t>(kChain));
}

TEST_F(Links, MonitorGetsProcessDiedForAnyExit) {
  start(2);
  auto watcher = runtime_->spawn({guest_, env_, "timeout", {Value::i64(-1)}, nullptr, 0});
  auto target = runtime_->spawn({guest_, env_, "wait_forever", {Value::i64(0)}, nullptr, 0});
  ASSERT_TRUE(watcher.ok() && target.ok());
  runtime_->find(*watcher)->monitor(7, *target);
  EXPECT_TRUE(runtime_->kill(*target));
  runtime_->wait_all();
  ASSERT_EQ(exit_of(*watcher).kind, ExitStatus::Kind::Normal);
  EXPECT_EQ(exit_of(*watcher).results[0].as_i64(), 2'000'000 + 7);
}

TEST_F(Links, MonitorsOfDeadWatchersGoAway) {
  start(2);
  // A long-lived process monitored by many short-lived ones keeps no entry of the dead.
  auto target = runtime_->spawn({guest_, env_, "wait_forever", {Value::i64(0)}, nullptr, 0});
  ASSERT_TRUE(target.ok());
  std::shared_ptr<Process> t = runtime_->find(*target);
  ASSERT_TRUE(t);
  const SpawnOptions watcher_of_target{
      guest_, env_, "monitor_then_exit", {Value::i64(static_cast<int64_t>(*target))}, nullptr, 0};
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(runtime_->spawn(watcher_of_target).ok());
    while (runtime_->live_processes() > 1) std::this_thread::yield();
    EXPECT_EQ(t->monitor_count(), 0u) << "round " << round;
  }
  EXPECT_EQ(exit_count(ExitStatus::Kind::Normal), 1000u);
  // The other way round: a long-lived watcher of many processes that end keeps nothing of
  // them either.
  auto watcher = runtime_->spawn({guest_, env_, "monitor_children", {Value::i64(500)}, nullptr, 0});
  ASSERT_TRUE(watcher.ok());
  while (reports().take().empty()) std::this_thread::yield();
  EXPECT_EQ(runtime_->find(*watcher)->watching_count(), 0u);
  // A live watcher's monitor stays, and fires.
  auto live = runtime_->spawn({guest_, env_, "timeout", {Value::i64(-1)}, nullptr, 0});
  ASSERT_TRUE(live.ok());
  runtime_->find(*live)->monitor(7, *target);
  EXPECT_EQ(t->monitor_count(), 1u);
  EXPECT_EQ(runtime_->find(*live)->watching_count(), 1u);
  t.reset();
  EXPECT_TRUE(runtime_->kill(*target));
  EXPECT_TRUE(runtime_->kill(*watcher));
  runtime_->wait_all();
  EXPECT_EQ(exit_of(*live).results[0].as_i64(), 2'000'000 + 7);
}

TEST_F(Links, KillOfAParkedProcessFreesItsResources) {
  start(2);
  CountedResource::live = 0;
  spawn_root("killer");
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  runtime_->wait_all();
  const auto child = static_cast<ProcessId>(s.results[0].as_i64());
  EXPECT_EQ(exit_of(child).kind, ExitStatus::Kind::Killed);
  EXPECT_EQ(CountedResource::live.load(), 0);
  EXPECT_EQ(runtime_->timer().pending(), 0u);
}

TEST_F(Links, KillFromTheEmbedderOfManyParkedProcesses) {
  start(2);
  CountedResource::live = 0;
  std::vector<ProcessId> ids;
  for (int i = 0; i < 500; ++i) {
    auto id = runtime_->spawn({guest_, env_, "hold_then_wait", {Value::i64(0)}, nullptr, 0});
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  while (CountedResource::live.load() != 500 * 5) std::this_thread::yield();
  for (ProcessId id : ids) runtime_->kill(id);
  runtime_->wait_all();
  EXPECT_EQ(CountedResource::live.load(), 0);
  EXPECT_EQ(exit_count(ExitStatus::Kind::Killed), 500u);
}

TEST_F(Links, DestroyingTheRuntimeKillsWhatIsLeft) {
  start(2);
  CountedResource::live = 0;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(
        runtime_->spawn({guest_, env_, "hold_then_wait", {Value::i64(0)}, nullptr, 0}).ok());
  }
  ASSERT_TRUE(runtime_->spawn({guest_, env_, "spin", {Value::i64(0)}, nullptr, 0}).ok());
  runtime_.reset();
  EXPECT_EQ(CountedResource::live.load(), 0);
  EXPECT_EQ(exit_count(ExitStatus::Kind::Killed), 51u);
}

}  // namespace
}  // namespace lunatic::runtime::test
