// Spawn speed: spawn + first run + exit of a minimal process, from the embedder and from a
// guest. Disabled by default (a measurement, not a check); run with
// --gtest_also_run_disabled_tests --gtest_filter='*SpawnSpeed*'.
#include <chrono>
#include <cstdio>

#include "guests.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

class SpawnSpeed : public RuntimeTest {};

TEST_F(SpawnSpeed, DISABLED_MinimalProcessesFromTheEmbedder) {
  start(2);
  auto minimal = compile_wat(R"((func (export "main")))", false);
  auto env = Environment::create({});
  constexpr int kCount = 100'000;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(runtime_->spawn({minimal, env, "main", {}, nullptr, 0}).ok());
  }
  runtime_->wait_all();
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
      kCount;
  std::printf("spawn+run+exit of a minimal process (embedder, %d): %.2f us each\n", kCount, us);
}

TEST_F(SpawnSpeed, DISABLED_GuestSpawnsAndJoins) {
  start(2);
  auto guest = compile_wat(kGuest);
  auto env = Environment::create({});
  constexpr int kCount = 100'000;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(runtime_->spawn_root(guest, env, "spawn_join", {engine::Value::i64(kCount)}).ok());
  ASSERT_EQ(runtime_->wait().kind, ExitStatus::Kind::Normal);
  runtime_->wait_all();
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
      kCount;
  std::printf("spawn+run+send+exit, guest spawning (%d): %.2f us each\n", kCount, us);
}

}  // namespace
}  // namespace lunatic::runtime::test
