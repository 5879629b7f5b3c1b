// lunatic::process::compile_module of a big module: the compile runs off the worker while the
// caller parks (an unrelated process on the same, only worker goes on), a kill while it runs
// ends the caller at once and leaks nothing, the runtime's shutdown does not hang on it, and a
// sandbox that floods compiles cannot make another sandbox's fail.
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include "host_fixture.hpp"

namespace lunatic {
namespace {

// compile(len): compile_module of the `len` bytes at address 0; returns the module id, or
// -1 if the compile failed. sleep(ms) sleeps and returns ms.
constexpr std::string_view kGuest = R"((module
  (import "lunatic::process" "compile_module" (func $compile (param i32 i32 i32) (result i32)))
  (import "lunatic::process" "sleep_ms" (func $sleep (param i64)))
  (memory 160)
  (func (export "compile") (param $len i64) (result i64)
    (if (result i64) (call $compile (i32.const 0) (i32.wrap_i64 (local.get $len))
                                    (i32.const 0x9F0000))
      (then (i64.const -1))
      (else (i64.load (i32.const 0x9F0000)))))
  (func (export "sleep") (param $ms i64) (result i64)
    (call $sleep (local.get $ms))
    (local.get $ms)))
)";

void leb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    out.push_back(v != 0 ? byte | 0x80 : byte);
  } while (v != 0);
}

void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& body) {
  out.push_back(id);
  leb(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
}

/// A valid module of about `functions` x 600 bytes of code: `functions` functions () -> ()
/// of 100 (i32.const 1, i32.const 2, i32.add, drop) each, which the decoder, validator and
/// lowering must all walk.
std::vector<uint8_t> big_module(uint32_t functions) {
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {0x01, 0x60, 0x00, 0x00});  // type 0: [] -> []
  std::vector<uint8_t> funcs;
  leb(funcs, functions);
  funcs.insert(funcs.end(), functions, 0x00);
  section(m, 3, funcs);
  std::vector<uint8_t> body = {0x00};  // no locals
  for (int i = 0; i < 100; ++i) body.insert(body.end(), {0x41, 0x01, 0x41, 0x02, 0x6a, 0x1a});
  body.push_back(0x0b);
  std::vector<uint8_t> code;
  leb(code, functions);
  for (uint32_t f = 0; f < functions; ++f) {
    leb(code, body.size());
    code.insert(code.end(), body.begin(), body.end());
  }
  section(m, 10, code);
  return m;
}

class ModuleLoad : public ::testing::Test {
 protected:
  /// Spawns compile(len) of `bytes`, written to the new process's memory before it runs.
  ProcessId spawn_compile(Runtime& runtime, const std::vector<uint8_t>& bytes,
                          std::shared_ptr<Environment> environment = nullptr) {
    SpawnOptions options{.module = module_,
                         .environment = environment ? environment : env_,
                         .entry = "compile",
                         .args = {Value::i64(static_cast<int64_t>(bytes.size()))},
                         .joinable = true};
    options.prepare = [&bytes](Process& process) {
      std::memcpy(process.instance().memories[0]->data(), bytes.data(), bytes.size());
    };
    auto id = runtime.spawn(std::move(options));
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    return id.ok() ? *id : 0;
  }

  /// Waits (a few seconds at most) until `runtime` runs a compile for a process.
  static bool wait_for_compile(Runtime& runtime) {
    for (int i = 0; i < 5000 && runtime.host_work().running() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return runtime.host_work().running() != 0;
  }

  /// Waits (ten seconds at most) until the environment's budget is back to `bytes`: the
  /// last reference to an ended process may be a wake-up's, a moment after it ended.
  bool wait_for_budget(uint64_t bytes) {
    for (int i = 0; i < 10000 && env_->budget().used() != bytes; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return env_->budget().used() == bytes;
  }

  // 5,000 functions: 3 MB, ~0.1-0.2 s to compile (seconds under the sanitizers).
  const std::vector<uint8_t> big_ = big_module(5'000);
  std::shared_ptr<const CompiledModule> module_ = test::compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({.max_memory_total = 1ull << 30});
};

TEST_F(ModuleLoad, TheBigModuleCompilesOffTheWorker) {
  Runtime runtime({.workers = 1, .linker = standard_linker()});
  ProcessId id = spawn_compile(runtime, big_);
  std::optional<ExitStatus> status = runtime.join(id);
  ASSERT_TRUE(status);
  ASSERT_EQ(status->kind, ExitStatus::Kind::Normal) << status->to_string();
  EXPECT_GT(status->results[0].as_i64(), 0);  // a module id, not the failure
  runtime.wait_all();
  EXPECT_TRUE(wait_for_budget(0)) << env_->budget().used();  // the handle went with the process
}

TEST_F(ModuleLoad, AnotherProcessOnTheOnlyWorkerRunsWhileACompileRuns) {
  Runtime runtime({.workers = 1, .linker = standard_linker()});
  ProcessId compiler = spawn_compile(runtime, big_);
  ASSERT_TRUE(wait_for_compile(runtime));
  // The compile holds no worker: the sleeper's 20 ms sleep ends while it still runs (with the
  // compile on the one worker, the sleeper could not even start before it ended).
  ExitStatus slept = test::run_to_end(runtime, module_, env_, "sleep", {Value::i64(20)});
  ASSERT_EQ(slept.kind, ExitStatus::Kind::Normal) << slept.to_string();
  EXPECT_EQ(runtime.host_work().running(), 1u) << "the compile ended before a 20 ms sleep";
  EXPECT_TRUE(runtime.exists(compiler));
  std::optional<ExitStatus> status = runtime.join(compiler);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, ExitStatus::Kind::Normal) << status->to_string();
}

TEST_F(ModuleLoad, AKillWhileCompilingEndsTheProcessAtOnceAndLeaksNothing) {
  Runtime runtime({.workers = 1, .linker = standard_linker()});
  ProcessId id = spawn_compile(runtime, big_);
  ASSERT_TRUE(wait_for_compile(runtime));
  EXPECT_GT(env_->budget().used(), big_.size() * 9);  // the module and the copy of its bytes
  runtime.kill(id);
  std::optional<ExitStatus> status = runtime.join(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, ExitStatus::Kind::Killed) << status->to_string();
  EXPECT_EQ(runtime.host_work().running(), 1u) << "the kill waited for the compile";
  // The compile runs to its end; its module and charge go with it.
  for (int i = 0; i < 10000 && runtime.host_work().pending() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(runtime.host_work().pending(), 0u);
  EXPECT_TRUE(wait_for_budget(0)) << env_->budget().used();
}

TEST_F(ModuleLoad, AQueuedCompileOfAKilledProcessNeverRuns) {
  Runtime runtime({.workers = 1, .linker = standard_linker()});
  // More compiles than HostWork has threads: the last ones wait in its queue.
  const unsigned n = runtime.host_work().threads() + 2;
  std::vector<ProcessId> ids;
  for (unsigned i = 0; i < n; ++i) ids.push_back(spawn_compile(runtime, big_));
  for (int i = 0; i < 5000 && runtime.host_work().pending() < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(runtime.host_work().pending(), n);
  for (ProcessId id : ids) runtime.kill(id);
  for (ProcessId id : ids) {
    std::optional<ExitStatus> status = runtime.join(id);
    ASSERT_TRUE(status);
    EXPECT_EQ(status->kind, ExitStatus::Kind::Killed) << status->to_string();
  }
  // Only those running remain; the queued ones were dropped with their processes.
  EXPECT_LE(runtime.host_work().pending(), runtime.host_work().threads());
}

TEST_F(ModuleLoad, TheRuntimeShutsDownWhileACompileRuns) {
  const auto start = std::chrono::steady_clock::now();
  {
    Runtime runtime({.workers = 1, .linker = standard_linker()});
    spawn_compile(runtime, big_);
    ASSERT_TRUE(wait_for_compile(runtime));
  }  // kills the process, waits for the compile it started (it cannot be interrupted)
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  EXPECT_EQ(env_->budget().used(), 0u);  // every thread that could hold a reference is gone
}

TEST_F(ModuleLoad, ASandboxFloodingCompilesCannotMakeAnothersFail) {
  Runtime runtime({.workers = 1, .linker = standard_linker()});
  // A sandbox (its compiles and its own child environment's share one part of HostWork's
  // queue) and another sandbox.
  std::shared_ptr<Environment> flooder = env_->create_child({});
  std::shared_ptr<Environment> nested = flooder->create_child({});
  std::shared_ptr<Environment> other = env_->create_child({});
  // 3 MB modules, ~0.1 s each: the flooder's share (32 MiB) holds 11 of them waiting; the rest
  // of its 20 compiles are refused at once, while the ones it holds wait for seconds.
  std::vector<ProcessId> flood;
  for (int i = 0; i < 20; ++i)
    flood.push_back(spawn_compile(runtime, big_, i % 2 ? nested : flooder));
  std::optional<ProcessId> refused;
  std::vector<bool> joined(flood.size());
  for (int i = 0; i < 5000 && !refused; ++i) {
    for (size_t k = 0; k < flood.size() && !refused; ++k) {
      if (joined[k] || runtime.exists(flood[k])) continue;
      std::optional<ExitStatus> status = runtime.join(flood[k]);
      joined[k] = true;
      ASSERT_TRUE(status);
      ASSERT_EQ(status->kind, ExitStatus::Kind::Normal) << status->to_string();
      if (status->results[0].as_i64() == -1) refused = flood[k];
    }
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(refused) << "the flood never filled its share";
  // The flooder's share is full: the other sandbox's compile still gets in (and comes before
  // the flood's queued ones: owners take turns).
  std::optional<ExitStatus> got = runtime.join(spawn_compile(runtime, big_, other));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->kind, ExitStatus::Kind::Normal) << got->to_string();
  EXPECT_GT(got->results[0].as_i64(), 0) << "the other sandbox's compile was refused";
  EXPECT_GT(runtime.host_work().pending(), 2u) << "the flood's compiles ran before it";
  for (size_t k = 0; k < flood.size(); ++k) {
    if (!joined[k]) runtime.join(flood[k]);
  }
}

}  // namespace
}  // namespace lunatic
