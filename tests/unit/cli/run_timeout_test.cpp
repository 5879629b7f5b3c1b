// RunTimeout (`lunatic run --timeout`): the root is killed with the timeout's reason once the
// limit passes, and a run that ends first is left alone.
#include "cli/run_timeout.hpp"

#include <gtest/gtest.h>

#include <string_view>

#include "engine/compiled_module.hpp"
#include "text/text.hpp"

namespace lunatic::cli {
namespace {

std::shared_ptr<const engine::CompiledModule> compile_text(std::string_view wat) {
  Result<std::vector<uint8_t>> bytes = text::parse_module(wat);
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  Result<std::shared_ptr<const engine::CompiledModule>> module = engine::compile(*bytes);
  EXPECT_TRUE(module.ok()) << module.error().to_string();
  return *module;
}

runtime::RuntimeConfig one_worker() {
  runtime::RuntimeConfig config;
  config.workers = 1;
  return config;
}

TEST(RunTimeout, KillsARootThatRunsPastTheLimit) {
  runtime::Runtime rt(one_worker());
  auto spin = compile_text(R"((module (func (export "main") (loop (br 0)))))");
  Result<runtime::ProcessId> id = rt.spawn_root(spin, runtime::Environment::create({}), "main", {});
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  RunTimeout timeout(rt, *id, std::chrono::milliseconds(50));
  runtime::ExitStatus status = rt.wait();
  EXPECT_TRUE(timeout.finish());
  EXPECT_EQ(status.kind, runtime::ExitStatus::Kind::Killed);
  EXPECT_EQ(status.to_string(), "killed: " + RunTimeout::reason(std::chrono::milliseconds(50)));
  EXPECT_EQ(RunTimeout::reason(std::chrono::milliseconds(50)),
            "timeout of 50 ms reached (--timeout): the root process was killed");
}

TEST(RunTimeout, ARunThatEndsFirstIsNotKilled) {
  runtime::Runtime rt(one_worker());
  auto quick = compile_text(R"((module (func (export "main"))))");
  Result<runtime::ProcessId> id =
      rt.spawn_root(quick, runtime::Environment::create({}), "main", {});
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  RunTimeout timeout(rt, *id, std::chrono::hours(1));
  EXPECT_EQ(rt.wait().kind, runtime::ExitStatus::Kind::Normal);
  EXPECT_FALSE(timeout.finish());  // returns at once: the watchdog stops waiting
  EXPECT_FALSE(timeout.finish());  // and a second finish is harmless
}

}  // namespace
}  // namespace lunatic::cli
