// The public runtime API (include/lunatic/runtime.hpp) as an embedder uses it: typed host
// functions with checked views, spawn with WASI state, messages, join, kill, introspection.
#include <gtest/gtest.h>

#include <lunatic/runtime.hpp>

#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "embed_test_support.hpp"

namespace lunatic {
namespace {

using ::lunatic::testing::module_of;

// Calls app::log with a string in its memory, app::add(2, 40), then app::log with a range
// past the end of memory (which traps in the binding, before the host function runs).
constexpr std::string_view kGuest = R"((module
  (import "app" "log" (func $log (param i32 i32)))
  (import "app" "add" (func $add (param i32 i64) (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (func (export "greet") (result i64)
    (call $log (i32.const 16) (i32.const 5))
    (call $add (i32.const 2) (i64.const 40)))
  (func (export "overflow") (call $log (i32.const 65530) (i32.const 16)))
  (func (export "wait") (loop $l (br $l))))
)";

struct Seen {
  std::mutex mutex;
  std::vector<std::string> lines;
};

Linker app_linker(Seen& seen) {
  Linker linker;
  linker.ns("app")
      .define("log",
              [&seen](CallContext& ctx, GuestString text) {
                std::lock_guard lock(seen.mutex);
                seen.lines.push_back(std::string(ctx.function_name()) + " from " +
                                     std::to_string(ctx.process_id()) + ": " +
                                     std::string(text.view()));
              })
      .define("add", [](int32_t a, int64_t b) -> HostResult<int64_t> { return a + b; });
  return linker;
}

TEST(RuntimeApi, TypedHostFunctionsSeeTheProcessAndItsMemory) {
  Seen seen;
  Runtime runtime({.workers = 2, .linker = app_linker(seen)});
  Environment env = Environment::create({.max_memory_pages = 1});
  auto id = runtime.spawn(
      {.module = module_of(kGuest), .environment = env, .entry = "greet", .joinable = true});
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  std::optional<ExitStatus> status = runtime.join(*id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->to_string(), "normal");
  ASSERT_EQ(status->results.size(), 1u);
  EXPECT_EQ(status->results[0].as_i64(), 42);
  std::lock_guard lock(seen.mutex);
  EXPECT_EQ(seen.lines,
            std::vector<std::string>{"app::log from " + std::to_string(*id) + ": hello"});
}

TEST(RuntimeApi, AViewOutsideMemoryTrapsBeforeTheHostFunctionRuns) {
  Seen seen;
  std::vector<CrashInfo> crashes;
  Runtime runtime({.workers = 1, .linker = app_linker(seen)});
  auto id = runtime.spawn({.module = module_of(kGuest),
                           .environment = Environment::create(),
                           .entry = "overflow",
                           .joinable = true});
  ASSERT_TRUE(id.ok());
  std::optional<ExitStatus> status = runtime.join(*id);
  ASSERT_TRUE(status && status->trap);
  EXPECT_EQ(status->kind, ExitStatus::Kind::Failed);
  EXPECT_EQ(status->trap->kind, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(status->trap->message,
            "out of bounds memory access in host function app::log: argument 1 (16 bytes at "
            "0xfffa) outside memory of 65536 bytes");
  EXPECT_TRUE(seen.lines.empty());
  ASSERT_EQ(runtime.crashes().size(), 1u);
  EXPECT_EQ(runtime.crashes()[0].id, *id);
  EXPECT_EQ(runtime.crashes()[0].reason, status->to_string());
}

TEST(RuntimeApi, SpawnErrorsNameTheProblem) {
  Seen seen;
  Runtime runtime({.workers = 1, .linker = app_linker(seen)});
  Module module = module_of(kGuest);
  auto no_env = runtime.spawn({.module = module, .entry = "greet"});
  ASSERT_FALSE(no_env.ok());
  EXPECT_EQ(no_env.error().phase, Phase::Usage);
  auto sandbox = Environment::create({.allowed = AllowList({"lunatic::"})});
  auto refused = runtime.spawn({.module = module, .environment = sandbox, .entry = "greet"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().phase, Phase::Link);
  EXPECT_EQ(refused.error().message, "import app::log is not allowed in this environment");
  auto preopen = runtime.spawn({.module = module,
                                .environment = Environment::create(),
                                .entry = "greet",
                                .wasi = {.preopens = {{"/nonexistent/dir", "/data"}}}});
  ASSERT_FALSE(preopen.ok());
  EXPECT_EQ(preopen.error().message, "cannot preopen /nonexistent/dir: not a directory");
  EXPECT_EQ(runtime.live_processes(), 0u);
}

TEST(RuntimeApi, IntrospectionAndKillOfARunningProcess) {
  Seen seen;
  Runtime runtime({.workers = 2, .linker = app_linker(seen)});
  Environment env = Environment::create({.max_processes = 4});
  auto id = runtime.spawn({.module = module_of(kGuest),
                           .environment = env,
                           .entry = "wait",
                           .joinable = true,
                           .module_name = "guest.wat"});
  ASSERT_TRUE(id.ok());
  std::optional<ProcessInfo> info = runtime.process_info(*id);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->module, "guest.wat");
  EXPECT_EQ(info->entry, "wait");
  EXPECT_EQ(info->environment, env.id());
  EXPECT_EQ(info->memory_bytes, 65536u);
  EXPECT_EQ(env.live_processes(), 1u);
  std::vector<EnvironmentInfo> envs = runtime.environments();
  ASSERT_EQ(envs.size(), 1u);
  EXPECT_EQ(envs[0].max_processes, 4u);
  EXPECT_TRUE(runtime.send(*id, {.tag = 7, .data = {1, 2, 3}}));
  EXPECT_EQ(runtime.node_info().processes, 1u);
  EXPECT_EQ(runtime.node_info().workers.size(), 2u);

  EXPECT_TRUE(runtime.kill(*id, Trap::killed("enough")));
  std::optional<ExitStatus> status = runtime.join(*id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, ExitStatus::Kind::Killed);
  EXPECT_EQ(status->to_string(), "killed: enough");
  EXPECT_FALSE(runtime.exists(*id));
  EXPECT_FALSE(runtime.send(*id, {.tag = 7}));
  EXPECT_EQ(runtime.node_info().kills_total, 1u);
}

TEST(RuntimeApi, WasiConfigGivesTheProcessItsArgumentsAndPreopens) {
  // argc from args_sizes_get, plus 100 if fd 3 (the first preopen) is a directory.
  Module module = module_of(R"((module
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "probe") (result i32)
      (drop (call $sizes (i32.const 0) (i32.const 4)))
      (i32.add (i32.load (i32.const 0))
               (select (i32.const 100) (i32.const 0)
                       (i32.eqz (call $prestat (i32.const 3) (i32.const 8)))))))
  )");
  Runtime runtime({.workers = 1, .linker = Linker::standard()});
  auto probe = [&](WasiConfig wasi) {
    auto id = runtime.spawn({.module = module,
                             .environment = Environment::create(),
                             .entry = "probe",
                             .wasi = std::move(wasi),
                             .joinable = true});
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    std::optional<ExitStatus> status = runtime.join(*id);
    return status && status->results.size() == 1 ? status->results[0].as_i32() : -1;
  };
  EXPECT_EQ(probe({}), 0);
  EXPECT_EQ(probe({.args = {"job.wasm", "--verbose", "x"}}), 3);
  EXPECT_EQ(probe({.args = {"job.wasm"}, .preopens = {{"/tmp", "/data"}}}), 101);
}

TEST(RuntimeApi, AnExceptionInAHostFunctionTrapsItsCaller) {
  Linker linker;
  linker.ns("app")
      .define("log", [](GuestString) { throw std::runtime_error("the board is full"); })
      .define("add", [](int32_t, int64_t) -> int64_t { return 0; });
  Runtime runtime({.workers = 1, .linker = linker});
  auto id = runtime.spawn({.module = module_of(kGuest),
                           .environment = Environment::create(),
                           .entry = "greet",
                           .joinable = true});
  ASSERT_TRUE(id.ok());
  std::optional<ExitStatus> status = runtime.join(*id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->to_string(), "trap: host function app::log threw: the board is full");
}

TEST(RuntimeApi, ChildEnvironmentsAreClampedToTheirParent) {
  Environment parent = Environment::create({.max_memory_pages = 8, .max_processes = 2});
  Environment child = parent.create_child({.max_memory_pages = 100, .max_processes = 1});
  EXPECT_EQ(child.config().max_memory_pages, 8u);
  EXPECT_EQ(child.config().max_processes, 1u);
  EXPECT_NE(child.id(), parent.id());
}

}  // namespace
}  // namespace lunatic
