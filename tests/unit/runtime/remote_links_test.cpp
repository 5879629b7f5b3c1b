// Links and monitors with remote ids (runtime/remote_links.cpp): they go to the Router, and
// what the Router reports back (an exit, a monitor's end, noconnection) reaches the process as
// a local death would.
#include <mutex>
#include <thread>
#include <vector>

#include "guests.hpp"
#include "runtime/router.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

constexpr ProcessId kRemote = kRemoteBit | 5;
constexpr ProcessId kOtherRemote = kRemoteBit | 6;

class FakeRouter final : public Router {
 public:
  bool accept = true;
  std::mutex mutex;
  std::vector<std::pair<ProcessId, ProcessId>> links, monitors;
  std::vector<Tag> monitor_tags;
  std::vector<std::pair<ProcessId, ProcessId>> unlinks, demonitors;
  std::vector<Notifications> exits;

  bool send_remote(ProcessId, std::unique_ptr<Message>) override { return accept; }
  bool link(ProcessId local, ProcessId remote) override {
    std::lock_guard lock(mutex);
    links.emplace_back(local, remote);
    return accept;
  }
  void unlink(ProcessId local, ProcessId remote) override {
    std::lock_guard lock(mutex);
    unlinks.emplace_back(local, remote);
  }
  bool monitor(ProcessId watcher, ProcessId target, Tag tag) override {
    std::lock_guard lock(mutex);
    monitors.emplace_back(watcher, target);
    monitor_tags.push_back(tag);
    return accept;
  }
  void demonitor(ProcessId watcher, ProcessId target) override {
    std::lock_guard lock(mutex);
    demonitors.emplace_back(watcher, target);
  }
  void exited(ProcessId, const Notifications& remote, const ExitStatus&) override {
    std::lock_guard lock(mutex);
    exits.push_back(remote);
  }
  size_t link_count() {
    std::lock_guard lock(mutex);
    return links.size();
  }
};

class RemoteLinks : public RuntimeTest {
 protected:
  std::shared_ptr<const engine::CompiledModule> guest_ = compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({});
  std::shared_ptr<FakeRouter> router_ = std::make_shared<FakeRouter>();

  ProcessId spawn(const char* entry, int64_t arg) {
    auto id = runtime_->spawn({guest_, env_, entry, {Value::i64(arg)}, nullptr, 0});
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }
};

TEST_F(RemoteLinks, ALinkGoesToTheRouterAndTheRemoteExitComesBack) {
  start(2);
  runtime_->set_router(router_);
  // link_to_dead: stops dying with links, links under tag 9, returns what it receives.
  const ProcessId id = spawn("link_to_dead", static_cast<int64_t>(kRemote));
  while (router_->link_count() == 0) std::this_thread::yield();
  EXPECT_EQ(router_->links[0], (std::pair<ProcessId, ProcessId>{id, kRemote}));
  std::shared_ptr<Process> p = runtime_->find(id);
  ASSERT_TRUE(p);
  p->remote_link_died(kOtherRemote, ExitStatus::Kind::Failed, "not linked");  // ignored
  p->remote_link_died(kRemote, ExitStatus::Kind::Failed, "boom");
  p.reset();
  runtime_->wait_all();
  EXPECT_EQ(exit_of(id).results[0].as_i64(), 1'000'000 + 9);  // LinkDied with the link's tag
}

TEST_F(RemoteLinks, ARemoteNormalExitOnlyEndsTheLink) {
  start(2);
  runtime_->set_router(router_);
  const ProcessId id = spawn("link_to_dead", static_cast<int64_t>(kRemote));
  while (router_->link_count() == 0) std::this_thread::yield();
  std::shared_ptr<Process> p = runtime_->find(id);
  p->remote_link_died(kRemote, ExitStatus::Kind::Normal, "normal");
  EXPECT_TRUE(p->links().empty());
  p->remote_link_died(kRemote, ExitStatus::Kind::Failed, "late");  // no link: nothing
  runtime_->kill(id);
  p.reset();
  runtime_->wait_all();
  EXPECT_EQ(exit_of(id).kind, ExitStatus::Kind::Killed);
}

TEST_F(RemoteLinks, ALinkTheRouterRefusesIsNoconnectionAtOnce) {
  start(2);
  router_->accept = false;
  runtime_->set_router(router_);
  const ProcessId id = spawn("link_to_dead", static_cast<int64_t>(kRemote));
  runtime_->wait_all();
  EXPECT_EQ(exit_of(id).results[0].as_i64(), 1'000'000 + 9);
  // Without a router at all, the same.
  runtime_->set_router(nullptr);
  const ProcessId other = spawn("link_to_dead", static_cast<int64_t>(kRemote));
  runtime_->wait_all();
  EXPECT_EQ(exit_of(other).results[0].as_i64(), 1'000'000 + 9);
}

TEST_F(RemoteLinks, ADeathHandsTheRemoteEntriesToTheRouter) {
  start(2);
  runtime_->set_router(router_);
  const ProcessId id = spawn("wait_forever", 0);
  std::shared_ptr<Process> p = runtime_->find(id);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->add_remote_link(kRemote));
  EXPECT_TRUE(p->add_remote_monitor(kOtherRemote, 41));
  EXPECT_TRUE(p->add_remote_monitor(kOtherRemote, 42));
  EXPECT_TRUE(p->add_remote_monitor(kOtherRemote, 43));
  p->remove_remote_monitor(kOtherRemote, 42);  // a DEMONITOR_P of one of the three
  EXPECT_EQ(p->monitor_count(), 2u);
  runtime_->kill(id);
  runtime_->wait_all();
  EXPECT_FALSE(p->add_remote_link(kRemote));  // dead: refused
  std::lock_guard lock(router_->mutex);
  ASSERT_EQ(router_->exits.size(), 1u);
  const Notifications& n = router_->exits[0];
  ASSERT_EQ(n.links.size(), 1u);
  EXPECT_EQ(n.links[0].process, kRemote);
  ASSERT_EQ(n.monitors.size(), 1u);
  EXPECT_EQ(n.monitors[0].watcher, kOtherRemote);
  std::vector<Tag> tags{n.monitors[0].tag};
  tags.insert(tags.end(), n.monitors[0].more_tags.begin(), n.monitors[0].more_tags.end());
  EXPECT_EQ(tags, (std::vector<Tag>{41, 43}));
}

TEST_F(RemoteLinks, ARemoteMonitorFiresAndIsCancelled) {
  start(2);
  runtime_->set_router(router_);
  // timeout(-1): waits for a message tagged 7 and returns 2'000'000 + 7 for a ProcessDied.
  const ProcessId id = spawn("timeout", -1);
  std::shared_ptr<Process> p = runtime_->find(id);
  ASSERT_TRUE(p);
  p->monitor(8, kOtherRemote);
  p->stop_monitoring(kOtherRemote);
  p->monitor(7, kRemote);
  {
    std::lock_guard lock(router_->mutex);
    ASSERT_EQ(router_->monitors.size(), 2u);
    EXPECT_EQ(router_->monitor_tags, (std::vector<Tag>{8, 7}));
    ASSERT_EQ(router_->demonitors.size(), 1u);
    EXPECT_EQ(router_->demonitors[0].second, kOtherRemote);
  }
  EXPECT_EQ(p->watching_count(), 1u);
  p->remote_monitor_fired(kRemote, 7, ExitStatus::Kind::Failed, "noconnection", true);
  runtime_->wait_all();
  EXPECT_EQ(exit_of(id).results[0].as_i64(), 2'000'000 + 7);
  EXPECT_EQ(p->watching_count(), 0u);
}

}  // namespace
}  // namespace lunatic::runtime::test
