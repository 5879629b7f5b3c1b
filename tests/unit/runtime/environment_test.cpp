// Environments: each limit hit and reported (memory, fuel, namespaces, process count),
// inheritance by children and clamping of environments created inside another.
#include "guests.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

class Environments : public RuntimeTest {
 protected:
  std::shared_ptr<const engine::CompiledModule> guest_ = compile_wat(kGuest);
};

TEST_F(Environments, MemoryLimitFailsInstantiationAndGrowth) {
  start(2);
  EnvironmentConfig config;
  config.max_memory_pages = 1;
  auto env = Environment::create(config);
  auto big = compile_wat(R"((memory 2) (func (export "main")))", false);
  auto r = runtime_->spawn({big, env, "main", {}, nullptr, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Instantiate) << r.error().to_string();
  EXPECT_EQ(env->live_processes(), 0u);

  auto id = runtime_->spawn_root(guest_, env, "grow", {Value::i64(0)});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(runtime_->wait().kind, ExitStatus::Kind::Normal);
  EXPECT_EQ(reports().take(), std::vector<int64_t>{-1});
}

TEST_F(Environments, FuelLimitTrapsOutOfFuel) {
  start(1);
  EnvironmentConfig config;
  config.max_fuel = 100'000;
  auto id = runtime_->spawn_root(guest_, Environment::create(config), "spin", {Value::i64(0)});
  ASSERT_TRUE(id.ok());
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Failed);
  ASSERT_TRUE(s.trap);
  EXPECT_EQ(s.trap->kind, engine::TrapKind::OutOfFuel);
}

TEST_F(Environments, DisallowedImportFailsTheSpawnNamingIt) {
  start(1);
  EnvironmentConfig config;
  config.allowed = binding::AllowList({"test::self"});
  auto r = runtime_->spawn_root(guest_, Environment::create(config), "spin", {Value::i64(0)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Link);
  EXPECT_EQ(r.error().message, "import test::spawn is not allowed in this environment");
}

TEST_F(Environments, MaxProcessesCountsLiveProcesses) {
  start(2);
  EnvironmentConfig config;
  config.max_processes = 3;
  auto env = Environment::create(config);
  ASSERT_TRUE(runtime_->spawn_root(guest_, env, "spawn_many", {Value::i64(5)}).ok());
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  EXPECT_EQ(s.results[0].as_i64(), 2);  // the root plus two children
  auto more = runtime_->spawn({guest_, env, "wait_forever", {Value::i64(0)}, nullptr, 0});
  ASSERT_TRUE(more.ok());  // the root ended: its slot is free again
  auto over = runtime_->spawn({guest_, env, "wait_forever", {Value::i64(0)}, nullptr, 0});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().message,
            "too many processes: the environment allows 3 (counting those of environments "
            "inside it)");
}

TEST_F(Environments, ChildrenInheritTheParentsEnvironment) {
  start(2);
  EnvironmentConfig config;
  config.max_memory_pages = 1;
  auto env = Environment::create(config);
  ASSERT_TRUE(runtime_->spawn_root(guest_, env, "grow_in_child", {Value::i64(0)}).ok());
  runtime_->wait();
  runtime_->wait_all();
  EXPECT_EQ(reports().take(), std::vector<int64_t>{-1});  // the child could not grow either
}

TEST(EnvironmentClamp, ChildGetsTheSmallerOfEachLimit) {
  EnvironmentConfig parent_config;
  parent_config.max_memory_pages = 10;
  parent_config.max_fuel = 1000;
  parent_config.allowed = binding::AllowList({"test::"});
  parent_config.max_processes = 5;
  auto parent = Environment::create(parent_config);

  EnvironmentConfig wish;
  wish.max_memory_pages = 100;
  wish.allowed = binding::AllowList({"test::self", "other::"});
  wish.max_processes = 50;
  auto child = parent->create_child(wish);
  EXPECT_EQ(child->config().max_memory_pages, 10u);
  EXPECT_EQ(child->config().max_fuel, std::optional<uint64_t>(1000));
  EXPECT_EQ(child->config().allowed.prefixes(), std::vector<std::string>{"test::self"});
  EXPECT_EQ(child->config().max_processes, 5u);

  EnvironmentConfig smaller;
  smaller.max_memory_pages = 2;
  smaller.max_fuel = 10;
  smaller.max_processes = 2;
  auto tight = parent->create_child(smaller);
  EXPECT_EQ(tight->config().max_memory_pages, 2u);
  EXPECT_EQ(tight->config().max_fuel, std::optional<uint64_t>(10));
  EXPECT_EQ(tight->config().max_processes, 2u);
  EXPECT_EQ(tight->config().allowed.prefixes(), std::vector<std::string>{"test::"});
}

TEST(EnvironmentClamp, NestedEnvironmentsCountAgainstTheirAncestors) {
  EnvironmentConfig parent_config;
  parent_config.max_processes = 3;
  auto parent = Environment::create(parent_config);
  auto child = parent->create_child({});
  EXPECT_TRUE(parent->try_enter());
  EXPECT_TRUE(child->try_enter());
  EXPECT_TRUE(child->try_enter());
  EXPECT_FALSE(child->try_enter());  // the parent is full
  EXPECT_FALSE(parent->try_enter());
  EXPECT_EQ(child->live_processes(), 2u);
  EXPECT_EQ(parent->live_processes(), 3u);
  child->leave();
  EXPECT_TRUE(parent->try_enter());
  EXPECT_EQ(child->live_processes(), 1u);
}

TEST_F(Environments, NestingDeeperThanTheLimitIsRefusedAtSpawn) {
  start(1);
  auto trivial = compile_wat(R"((func (export "main")))", false);
  std::vector<std::shared_ptr<Environment>> chain{Environment::create(EnvironmentConfig{})};
  while (chain.back()->depth() < Environment::kMaxDepth + 1) {
    chain.push_back(chain.back()->create_child(EnvironmentConfig{}));
    EXPECT_EQ(chain.back()->depth(), chain.size() - 1);
  }
  // One level too deep: refused before anything is counted anywhere along the chain.
  auto r = runtime_->spawn({trivial, chain.back(), "main", {}, nullptr, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Host);
  EXPECT_EQ(r.error().message,
            "environments nested too deeply: " + std::to_string(Environment::kMaxDepth + 1) +
                " levels, at most " + std::to_string(Environment::kMaxDepth));
  for (const auto& env : chain) EXPECT_EQ(env->live_processes(), 0u);
  // At the limit a process runs, and counts in every ancestor.
  const auto& deepest = chain[Environment::kMaxDepth];
  ASSERT_TRUE(runtime_->spawn_root(trivial, deepest, "main", {}).ok());
  EXPECT_EQ(runtime_->wait().kind, ExitStatus::Kind::Normal);
  for (const auto& env : chain) EXPECT_EQ(env->live_processes(), 0u);
}

TEST_F(Environments, ProcessCountsAlongAChainAtTheDepthLimit) {
  EnvironmentConfig root_config;
  root_config.max_processes = 2;
  std::vector<std::shared_ptr<Environment>> chain{Environment::create(root_config)};
  while (chain.back()->depth() < Environment::kMaxDepth) {
    chain.push_back(chain.back()->create_child(EnvironmentConfig{}));
  }
  // The root's cap holds at the deepest level allowed, and every ancestor counts.
  EXPECT_TRUE(chain.back()->try_enter());
  EXPECT_TRUE(chain[1]->try_enter());
  EXPECT_FALSE(chain.back()->try_enter());
  EXPECT_EQ(chain.front()->live_processes(), 2u);
  EXPECT_EQ(chain[1]->live_processes(), 2u);
  EXPECT_EQ(chain.back()->live_processes(), 1u);
  chain.back()->leave();
  chain[1]->leave();
  for (const auto& env : chain) EXPECT_EQ(env->live_processes(), 0u);
}

}  // namespace
}  // namespace lunatic::runtime::test
