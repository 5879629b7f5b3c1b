// Names (lunatic::registry's tables): one table's entries, lookups scoped along the chain of
// environments, max_names counted with descendants, and names that go with their process.
#include "runtime/names.hpp"
#include <thread>

#include "guests.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

TEST(NameTable, PutReplacesFindsAndRemovesByNameAndByProcess) {
  NameTable table;
  auto yes = [] { return true; };
  EXPECT_EQ(table.put("a", 1, yes), NameTable::Put::Added);
  EXPECT_EQ(table.put("b", 1, yes), NameTable::Put::Added);
  EXPECT_EQ(table.put("c", 2, yes), NameTable::Put::Added);
  EXPECT_EQ(table.put("c", 1, [] { return false; }), NameTable::Put::Replaced);  // not admitted
  EXPECT_EQ(table.put("d", 2, [] { return false; }), NameTable::Put::Refused);
  EXPECT_EQ(table.find("c"), ProcessId{1});
  EXPECT_EQ(table.find("d"), std::nullopt);
  EXPECT_EQ(table.size(), 3u);

  EXPECT_EQ(table.remove_process(2), 0u);  // "c" was re-pointed to 1
  EXPECT_TRUE(table.remove("b"));
  EXPECT_FALSE(table.remove("b"));
  EXPECT_EQ(table.remove_process(1), 2u);  // "a" and "c"
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.find("a"), std::nullopt);
}

TEST(EnvironmentNames, ChildShadowsForItsSubtreeOnly) {
  auto root = Environment::create({});
  auto sandbox = root->create_child({});
  auto inner = sandbox->create_child({});
  auto sibling = root->create_child({});
  EXPECT_EQ(root->put_name("db", 1), NameTable::Put::Added);
  EXPECT_EQ(inner->find_name("db"), ProcessId{1});  // the root's names are seen below

  EXPECT_EQ(sandbox->put_name("db", 2), NameTable::Put::Added);  // a shadow, not a replacement
  EXPECT_EQ(sandbox->find_name("db"), ProcessId{2});
  EXPECT_EQ(inner->find_name("db"), ProcessId{2});    // nearest wins
  EXPECT_EQ(root->find_name("db"), ProcessId{1});     // nothing leaks up
  EXPECT_EQ(sibling->find_name("db"), ProcessId{1});  // nor sideways
  EXPECT_EQ(sandbox->put_name("own", 3), NameTable::Put::Added);
  EXPECT_EQ(root->find_name("own"), std::nullopt);

  EXPECT_FALSE(inner->remove_name("db"));  // not its table's
  EXPECT_TRUE(sandbox->remove_name("db"));
  EXPECT_FALSE(sandbox->remove_name("db"));  // the root's stays
  EXPECT_EQ(inner->find_name("db"), ProcessId{1});
  EXPECT_EQ(root->find_name("db"), ProcessId{1});
}

TEST(EnvironmentNames, MaxNamesIsClampedAndCountsDescendants) {
  EnvironmentConfig config;
  config.max_names = 3;
  auto root = Environment::create(config);
  EnvironmentConfig wide;
  wide.max_names = 100;
  auto child = root->create_child(wide);
  EXPECT_EQ(child->config().max_names, 3u);

  EXPECT_EQ(child->put_name("a", 1), NameTable::Put::Added);
  EXPECT_EQ(child->put_name("b", 1), NameTable::Put::Added);
  EXPECT_EQ(root->put_name("c", 1), NameTable::Put::Added);
  EXPECT_EQ(root->registered_names(), 3u);
  EXPECT_EQ(child->registered_names(), 2u);
  EXPECT_EQ(root->put_name("d", 1), NameTable::Put::Refused);  // the child's count as its own
  EXPECT_EQ(child->put_name("d", 1), NameTable::Put::Refused);
  EXPECT_EQ(child->put_name("a", 2), NameTable::Put::Replaced);  // replacing needs no slot
  EXPECT_EQ(root->registered_names(), 3u);

  child->remove_names_of(2);  // "a"
  EXPECT_EQ(root->registered_names(), 2u);
  EXPECT_EQ(root->put_name("d", 1), NameTable::Put::Added);
  // A destroyed environment gives its names back.
  child.reset();
  EXPECT_EQ(root->registered_names(), 2u);
  EXPECT_EQ(root->put_name("e", 1), NameTable::Put::Added);
  EXPECT_EQ(root->put_name("f", 1), NameTable::Put::Refused);
}

class ProcessNamesTest : public RuntimeTest {
 protected:
  std::shared_ptr<const engine::CompiledModule> guest_ = compile_wat(kGuest);
};

TEST_F(ProcessNamesTest, NamesGoWithTheirProcessInEveryEnvironment) {
  start(2);
  auto root = Environment::create({});
  auto sandbox = root->create_child({});
  auto waiter = runtime_->spawn({guest_, root, "wait_forever", {Value::i64(0)}});
  ASSERT_TRUE(waiter.ok());
  std::shared_ptr<Process> p = runtime_->find(*waiter);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->names().put(root, "db", *waiter), ProcessNames::Put::Registered);
  EXPECT_EQ(p->names().put(root, "db2", *waiter), ProcessNames::Put::Registered);
  EXPECT_EQ(p->names().put(sandbox, "parent", *waiter), ProcessNames::Put::Registered);
  EXPECT_EQ(root->put_name("other", *waiter + 1000), NameTable::Put::Added);
  EXPECT_EQ(root->registered_names(), 4u);

  runtime_->kill(*waiter);
  runtime_->wait_all();
  EXPECT_EQ(root->find_name("db"), std::nullopt);
  EXPECT_EQ(sandbox->find_name("parent"), std::nullopt);
  EXPECT_EQ(root->find_name("other"), ProcessId{*waiter + 1000});  // another process's stays
  EXPECT_EQ(root->registered_names(), 1u);
  // Nothing can name it once it has ended (the process object outlives it here).
  EXPECT_EQ(p->names().put(root, "late", *waiter), ProcessNames::Put::Ended);
  EXPECT_EQ(root->find_name("late"), std::nullopt);
}

TEST_F(ProcessNamesTest, LimitReachedLeavesNothingBehind) {
  start(1);
  EnvironmentConfig config;
  config.max_names = 1;
  auto env = Environment::create(config);
  auto waiter = runtime_->spawn({guest_, env, "wait_forever", {Value::i64(0)}});
  ASSERT_TRUE(waiter.ok());
  std::shared_ptr<Process> p = runtime_->find(*waiter);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->names().put(env, "a", *waiter), ProcessNames::Put::Registered);
  EXPECT_EQ(p->names().put(env, "b", *waiter), ProcessNames::Put::LimitReached);
  EXPECT_EQ(env->find_name("b"), std::nullopt);
  runtime_->kill(*waiter);
  runtime_->wait_all();
  EXPECT_EQ(env->registered_names(), 0u);
}

// A put racing with its process's death either lands before the death (and goes with it) or
// is refused: no name is ever left behind (ProcessNames::put inserts under its lock).
TEST_F(ProcessNamesTest, PutsRacingWithDeathsLeaveNothingBehind) {
  start(2);
  auto env = Environment::create({});
  constexpr int kProcesses = 50;
  constexpr int kNamesEach = 40;
  std::vector<std::shared_ptr<Process>> processes;
  for (int i = 0; i < kProcesses; ++i) {
    auto id = runtime_->spawn({guest_, env, "wait_forever", {Value::i64(0)}});
    ASSERT_TRUE(id.ok());
    processes.push_back(runtime_->find(*id));
    ASSERT_TRUE(processes.back());
  }
  std::atomic<int> registered{0}, ended{0};
  std::thread namer([&] {
    for (int j = 0; j < kNamesEach; ++j) {
      for (int i = 0; i < kProcesses; ++i) {
        std::string name = std::to_string(i) + "-" + std::to_string(j);
        switch (processes[i]->names().put(env, name, processes[i]->id())) {
          case ProcessNames::Put::Registered: ++registered; break;
          case ProcessNames::Put::Ended: ++ended; break;
          case ProcessNames::Put::LimitReached: break;
        }
      }
    }
  });
  for (const auto& p : processes) runtime_->kill(p->id());
  namer.join();
  runtime_->wait_all();
  EXPECT_EQ(registered + ended, kProcesses * kNamesEach);
  EXPECT_EQ(env->registered_names(), 0u);
  for (int i = 0; i < kProcesses; ++i) {
    EXPECT_EQ(env->find_name(std::to_string(i) + "-0"), std::nullopt);
  }
}

}  // namespace
}  // namespace lunatic::runtime::test
