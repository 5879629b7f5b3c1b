// A spawned process runs its module's interpreted_fuel in the interpreter first (the auto tier
// sets it: a spawned process is usually short-lived or waits), whether another process or the
// embedder spawned it; the root process (a program's main) begins in the module's code tier.
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

constexpr std::string_view kSpawner = R"(
  (memory 1)
  (data (i32.const 0) "child")
  (func (export "child") (param i64) (call $report (call $interpret_first)))
  (func (export "main") (param i64) (result i64)
    (call $report (call $interpret_first))
    (drop (call $spawn (i32.const 0) (i32.const 5) (i64.const 0) (i64.const 0)))
    (i64.const 0))
)";

TEST_F(RuntimeTest, AProcessSpawnedByAnotherRunsItsModulesInterpretedFuelFirst) {
  start(1);
  auto module = compile_wat(kSpawner, true, engine::CompileConfig{.interpreted_fuel = 777});
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(module->interpreted_fuel, 777u);
  auto root =
      runtime_->spawn_root(module, Environment::create({}), "main", {engine::Value::i64(0)});
  ASSERT_TRUE(root.ok()) << root.error().to_string();
  ASSERT_EQ(runtime_->wait().kind, ExitStatus::Kind::Normal);
  runtime_->wait_all();
  EXPECT_EQ(reports().take(), (std::vector<int64_t>{0, 777}));  // the root's, then the child's
}

TEST_F(RuntimeTest, AProcessTheEmbedderSpawnsRunsItsModulesInterpretedFuelFirst) {
  start(1);
  auto module = compile_wat(kSpawner, true, engine::CompileConfig{.interpreted_fuel = 555});
  ASSERT_NE(module, nullptr);
  SpawnOptions options{.module = module, .environment = Environment::create({}), .entry = "child"};
  options.args = {engine::Value::i64(0)};
  options.joinable = true;
  auto id = runtime_->spawn(std::move(options));
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  std::optional<ExitStatus> status = runtime_->join(*id);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->kind, ExitStatus::Kind::Normal);
  EXPECT_EQ(reports().take(), (std::vector<int64_t>{555}));
}

}  // namespace
}  // namespace lunatic::runtime::test
