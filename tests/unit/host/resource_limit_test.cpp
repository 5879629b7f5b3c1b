// EnvironmentConfig::max_resources against a runtime with the standard host functions: a
// process may hold up to the limit, and the one resource more kills it with a reason that
// says so; its links and joiners see the kill.
#include <string_view>

#include "host_fixture.hpp"

namespace lunatic {
namespace {

// hold(n): creates n configs (one resource each) and keeps them; returns n.
constexpr std::string_view kGuest = R"((module
  (import "lunatic::process" "create_config" (func $create_config (result i64)))
  (func (export "hold") (param $n i64) (result i64) (local $i i64)
    (block $done
      (loop $again
        (br_if $done (i64.eq (local.get $i) (local.get $n)))
        (drop (call $create_config))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $again)))
    (local.get $n)))
)";

class ResourceLimit : public ::testing::Test {
 protected:
  ExitStatus hold(int64_t n) {
    return test::run_to_end(runtime_, module_, env_, "hold", {Value::i64(n)});
  }

  std::shared_ptr<const CompiledModule> module_ = test::compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({.max_resources = 10});
  Runtime runtime_{{.workers = 2, .linker = standard_linker()}};
};

TEST_F(ResourceLimit, UpToTheLimitIsFine) {
  ExitStatus status = hold(10);
  ASSERT_EQ(status.kind, ExitStatus::Kind::Normal) << status.to_string();
  EXPECT_EQ(status.results[0].as_i64(), 10);
}

TEST_F(ResourceLimit, OneMoreKillsTheProcess) {
  ExitStatus status = hold(1'000'000);
  EXPECT_EQ(status.kind, ExitStatus::Kind::Killed);
  EXPECT_EQ(status.to_string(),
            "killed: too many resources: more than 10 held at once (the environment's "
            "max_resources)");
}

TEST_F(ResourceLimit, AChildEnvironmentIsClampedToItsParent) {
  EXPECT_EQ(env_->create_child({.max_resources = 1000})->config().max_resources, 10u);
  EXPECT_EQ(env_->create_child({.max_resources = 3})->config().max_resources, 3u);
}

}  // namespace
}  // namespace lunatic
