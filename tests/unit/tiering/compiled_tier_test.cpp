// The compiled tier keeps every guarantee of the interpreter: the same results and traps, the
// same fuel left at the same safepoints (so slices end at the same points), parking in host
// calls and resuming on another OS thread, kills, backtraces, stack exhaustion as a trap.
#include <atomic>
#include <string>
#include <thread>

#include "../support/tier_modules.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

// Loops, calls, memory and a trap in one module.
constexpr std::string_view kWork = lunatic::testing::kWorkWat;  // support/tier_modules.hpp

struct Case {
  const char* fn;
  std::vector<Value> args;
};
const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      {"sum_squares", {Value::i32(100)}},      {"fib", {Value::i64(15)}},
      {"fill", {Value::i32(65536)}},           {"fill", {Value::i32(65537)}},
      {"div", {Value::i32(7), Value::i32(0)}}, {"div", {Value::i32(INT32_MIN), Value::i32(-1)}},
  };
  return kCases;
}

TEST(CompiledTier, SameResultsTrapsAndFuelAsTheInterpreter) {
  BothTiers b(kWork);
  ASSERT_NE(b.compiled.instance, nullptr);
  for (const Case& c : cases()) {
    for (std::optional<uint64_t> fuel :
         {std::optional<uint64_t>{}, std::optional<uint64_t>{1'000'000}}) {
      const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, fuel);
      const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn(c.fn), c.args, fuel);
      EXPECT_EQ(got, want) << c.fn;
    }
  }
}

TEST(CompiledTier, OutOfFuelAtTheSameSafepoint) {
  BothTiers b(kWork);
  ASSERT_NE(b.compiled.instance, nullptr);
  // Every budget from 0 to 400 units: the run ends (or runs out) exactly as interpreted.
  for (uint64_t fuel = 0; fuel <= 400; ++fuel) {
    const Outcome want =
        run_to_end(b.interp.thread, b.interp.fn("sum_squares"), {Value::i32(20)}, fuel);
    const Outcome got =
        run_to_end(b.compiled.thread, b.compiled.fn("sum_squares"), {Value::i32(20)}, fuel);
    ASSERT_EQ(got, want) << "fuel " << fuel;
  }
}

TEST(CompiledTier, SlicesEndAtTheSameSafepoints) {
  BothTiers b(kWork);
  ASSERT_NE(b.compiled.instance, nullptr);
  for (uint64_t slice : {1u, 2u, 3u, 7u, 40u, 1000u}) {
    for (const Case& c : cases()) {
      const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, 50'000, slice);
      const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn(c.fn), c.args, 50'000, slice);
      EXPECT_EQ(got, want) << c.fn << " slice " << slice;
    }
  }
}

// A slice that ends while nothing else waits goes on in place: no stop, the same fuel, and the
// extension is asked at the same safepoints in both tiers.
TEST(CompiledTier, AnExtendedSliceGoesOnInPlaceWithTheSameFuel) {
  BothTiers b(kWork);
  ASSERT_NE(b.compiled.instance, nullptr);
  for (int limit : {0, 3, 1'000'000}) {
    for (const Case& c : cases()) {
      Extension in_interp{0, limit}, in_compiled{0, limit};
      b.interp.thread.set_slice_extension(&Extension::ask, &in_interp);
      b.compiled.thread.set_slice_extension(&Extension::ask, &in_compiled);
      const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, 50'000, 7);
      const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn(c.fn), c.args, 50'000, 7);
      EXPECT_EQ(got, want) << c.fn << " limit " << limit;
      EXPECT_EQ(in_compiled.asked, in_interp.asked) << c.fn << " limit " << limit;
      if (limit == 1'000'000) {
        EXPECT_EQ(got.yields, 0) << c.fn;
      }
    }
  }
  // Without an extension the same runs stop at every slice end.
  b.compiled.thread.set_slice_extension(nullptr, nullptr);
  const Outcome stopped =
      run_to_end(b.compiled.thread, b.compiled.fn("sum_squares"), {Value::i32(100)}, 50'000, 7);
  EXPECT_GT(stopped.yields, 10);
}

TEST(CompiledTier, ASpinningLoopYieldsItsSlice) {
  TierInstance t(kWork, Tier::Compiled);
  ASSERT_NE(t.instance, nullptr);
  t.thread.begin_call(t.fn("spin"), {}).value();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(t.thread.run(10'000), RunStatus::Yielded);
  t.thread.request_kill();
  EXPECT_EQ(t.thread.run(10'000), RunStatus::Trapped);
  EXPECT_EQ(t.thread.trap().kind, TrapKind::Killed);
}

TEST(CompiledTier, KillFromAnotherThreadStopsAnUnslicedRun) {
  TierInstance t(kWork, Tier::Compiled);
  ASSERT_NE(t.instance, nullptr);
  t.thread.begin_call(t.fn("spin"), {}).value();
  expect_killed_from_another_thread(t.thread);
}

TEST(CompiledTier, CallStackExhaustionIsATrap) {
  BothTiers b(kWork);
  ASSERT_NE(b.compiled.instance, nullptr);
  const Outcome want = run_to_end(b.interp.thread, b.interp.fn("deep"), {Value::i32(0)}, {});
  const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn("deep"), {Value::i32(0)}, {});
  EXPECT_EQ(got.trap, "call stack exhausted");
  EXPECT_EQ(got, want);
  // The thread is usable afterwards.
  EXPECT_EQ(
      run_to_end(b.compiled.thread, b.compiled.fn("fib"), {Value::i64(10)}, {}).results[0].as_i64(),
      55);
}

TEST(CompiledTier, TrapsCarryTheBacktraceOfTheInterpreter) {
  constexpr std::string_view kWat = R"((module
    (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
    (func $middle (param i32) (result i32) (call $inner (local.get 0)))
    (func (export "outer") (param i32) (result i32) (call $middle (local.get 0)))))";
  BothTiers b(kWat);
  ASSERT_NE(b.compiled.instance, nullptr);
  run_to_end(b.interp.thread, b.interp.fn("outer"), {Value::i32(0)}, {});
  run_to_end(b.compiled.thread, b.compiled.fn("outer"), {Value::i32(0)}, {});
  const auto& want = b.interp.thread.trap().backtrace;
  const auto& got = b.compiled.thread.trap().backtrace;
  ASSERT_EQ(got.size(), 3u);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].function_index, want[i].function_index) << i;
    EXPECT_EQ(got[i].function_name, want[i].function_name) << i;
    EXPECT_EQ(got[i].offset, want[i].offset) << i;
  }
}

// A host function that parks twice, then returns: the compiled caller stops with Parked and
// re-executes the call when run again, here on another OS thread each time.
TEST(CompiledTier, ParksInAHostCallAndResumesOnAnotherThread) {
  constexpr std::string_view kWat = R"((module
    (import "host" "receive" (func $receive (param i32) (result i32)))
    (func (export "f") (param i32) (result i32) (local i32)
      (local.set 1 (i32.const 1000))
      (i32.add (call $receive (local.get 0)) (local.get 1)))))";
  auto module = compile_wat(kWat, Tier::Compiled);
  ASSERT_NE(module, nullptr);
  engine::MemoryPool pool;
  engine::Store store(pool);
  int attempts = 0;
  std::vector<std::thread::id> threads;
  Function* receive =
      store.add_host_function({{wasm::ValType::I32}, {wasm::ValType::I32}}, [&](HostCall& c) {
        threads.push_back(std::this_thread::get_id());
        if (++attempts < 3) return HostStatus::Park;
        c.results[0] = c.args[0] + 5;
        return HostStatus::Return;
      });
  std::vector<Extern> imports = {{wasm::ExternKind::Func, receive}};
  engine::Instance* inst = store.instantiate(module, imports).value();
  Thread thread(store);
  thread.begin_call(inst->find_export("f")->func(), std::vector<Value>{Value::i32(7)}).value();
  EXPECT_EQ(thread.run(), RunStatus::Parked);
  RunStatus second = RunStatus::Done;
  std::thread([&] { second = thread.run(); }).join();
  EXPECT_EQ(second, RunStatus::Parked);
  RunStatus third = RunStatus::Parked;
  std::thread([&] { third = thread.run(); }).join();
  ASSERT_EQ(third, RunStatus::Done);
  EXPECT_EQ(thread.results()[0].as_i32(), 1012);
  ASSERT_EQ(threads.size(), 3u);
  // (The two helper threads may get the same id: the first ended before the second began.)
  EXPECT_NE(threads[0], threads[1]);
  EXPECT_NE(threads[0], threads[2]);
}

TEST(CompiledTier, AKilledParkedCallEndsWithoutRunningAgain) {
  constexpr std::string_view kWat = R"((module
    (import "host" "wait" (func $wait))
    (func (export "f") (call $wait) (unreachable))))";
  auto module = compile_wat(kWat, Tier::Compiled);
  ASSERT_NE(module, nullptr);
  engine::MemoryPool pool;
  engine::Store store(pool);
  int calls = 0;
  Function* wait = store.add_host_function({}, [&](HostCall&) {
    ++calls;
    return HostStatus::Park;
  });
  std::vector<Extern> imports = {{wasm::ExternKind::Func, wait}};
  engine::Instance* inst = store.instantiate(module, imports).value();
  Thread thread(store);
  thread.begin_call(inst->find_export("f")->func(), {}).value();
  EXPECT_EQ(thread.run(), RunStatus::Parked);
  thread.request_kill();
  EXPECT_EQ(thread.run(), RunStatus::Trapped);
  EXPECT_EQ(thread.trap().kind, TrapKind::Killed);
  EXPECT_EQ(calls, 1);
}

TEST(CompiledTier, HostTrapsAndExceptionsTrapTheGuest) {
  constexpr std::string_view kWat = R"((module
    (import "host" "fail" (func $fail))
    (import "host" "throw" (func $throw))
    (func (export "fail") (call $fail))
    (func (export "throw") (call $throw))))";
  auto module = compile_wat(kWat, Tier::Compiled);
  ASSERT_NE(module, nullptr);
  engine::MemoryPool pool;
  engine::Store store(pool);
  Function* fail = store.add_host_function(
      {}, [](HostCall& c) { return c.fail(engine::Trap::host("no luck")); });
  Function* thrower = store.add_host_function(
      {}, [](HostCall&) -> HostStatus { throw std::runtime_error("boom"); });
  std::vector<Extern> imports = {{wasm::ExternKind::Func, fail}, {wasm::ExternKind::Func, thrower}};
  engine::Instance* inst = store.instantiate(module, imports).value();
  Thread thread(store);
  EXPECT_EQ(run_to_end(thread, inst->find_export("fail")->func(), {}, {}).trap, "no luck");
  EXPECT_EQ(run_to_end(thread, inst->find_export("throw")->func(), {}, {}).trap,
            "host function threw: boom");
}

// The host-call paths of every tier: results the host leaves unwritten read as 0, more
// results than the tiers' stack buffer (8 slots) come back whole, and a trap after calls that
// returned (in the same slice, and in the next after a park) reaches the guest with its own
// message, not an earlier call's (the tiers keep one Trap a slice for host calls).
TEST(CompiledTier, HostCallResultsAndTrapsInEveryTier) {
  constexpr std::string_view kWat = R"((module
    (import "host" "lazy" (func $lazy (result i64 i64)))
    (import "host" "nine" (func $nine (param i64) (result i64 i64 i64 i64 i64 i64 i64 i64 i64)))
    (import "host" "step" (func $step (param i32)))
    (func (export "lazy") (result i64 i64) (call $lazy))
    (func (export "nine") (result i64)
      (call $nine (i64.const 10))
      (i64.add) (i64.add) (i64.add) (i64.add) (i64.add) (i64.add) (i64.add) (i64.add))
    (func (export "steps")
      (call $step (i32.const 0)) (call $step (i32.const 1)) (call $step (i32.const 2))
      (call $step (i32.const 3)) (call $step (i32.const 4)))))";
  for (Tier tier : {Tier::Interp, Tier::Baseline, Tier::Compiled}) {
    auto module = compile_wat(kWat, tier);
    ASSERT_NE(module, nullptr);
    engine::MemoryPool pool;
    engine::Store store(pool);
    const wasm::ValType i64 = wasm::ValType::I64;
    Function* lazy = store.add_host_function({{}, {i64, i64}}, [](HostCall& c) {
      c.results[1] = 7;  // results[0] left as it is
      return HostStatus::Return;
    });
    Function* nine =
        store.add_host_function({{i64}, std::vector<wasm::ValType>(9, i64)}, [](HostCall& c) {
          for (size_t i = 0; i < c.results.size(); ++i) c.results[i] = c.args[0] << i;
          return HostStatus::Return;
        });
    // The first run: step 1 traps in the slice where step 0 returned. The second: step 2
    // parks once, then step 3 traps in the next slice.
    uint32_t trap_at = 1;
    int parks = 0;
    Function* step = store.add_host_function({{wasm::ValType::I32}, {}}, [&](HostCall& c) {
      const auto at = static_cast<uint32_t>(c.args[0]);
      if (at == trap_at) return c.fail(engine::Trap::host("step " + std::to_string(at)));
      if (at == 2 && parks++ == 0) return HostStatus::Park;
      return HostStatus::Return;
    });
    std::vector<Extern> imports = {{wasm::ExternKind::Func, lazy},
                                   {wasm::ExternKind::Func, nine},
                                   {wasm::ExternKind::Func, step}};
    engine::Instance* inst = store.instantiate(module, imports).value();
    const char* name = tier_name(tier);
    Thread thread(store);
    const Outcome got_lazy = run_to_end(thread, inst->find_export("lazy")->func(), {}, {});
    ASSERT_EQ(got_lazy.status, RunStatus::Done) << name;
    ASSERT_EQ(got_lazy.results.size(), 2u) << name;
    EXPECT_EQ(got_lazy.results[0].as_i64(), 0) << name;
    EXPECT_EQ(got_lazy.results[1].as_i64(), 7) << name;
    const Outcome got_nine = run_to_end(thread, inst->find_export("nine")->func(), {}, {});
    ASSERT_EQ(got_nine.status, RunStatus::Done) << name;
    ASSERT_EQ(got_nine.results.size(), 1u) << name;
    EXPECT_EQ(got_nine.results[0].as_i64(), 10 * 511) << name;  // 10 << 0 + ... + 10 << 8
    EXPECT_EQ(run_to_end(thread, inst->find_export("steps")->func(), {}, {}).trap, "step 1")
        << name;
    trap_at = 3;
    Thread second(store);
    second.begin_call(inst->find_export("steps")->func(), {}).value();
    ASSERT_EQ(second.run(), RunStatus::Parked) << name;
    ASSERT_EQ(second.run(), RunStatus::Trapped) << name;
    EXPECT_EQ(second.trap().message, "step 3") << name;
    EXPECT_EQ(second.trap().kind, TrapKind::Host) << name;
  }
}

// A host call sees its caller's memory 0 in every tier (HostCall::memory, which the tiers
// fill in without reading the instance). In every tier, the resume hints of a thread parked in
// a host call cover the call's argument slots (on the fiber's stack in the native tiers, in the
// interpreter's slots), which the call run again reads first (Process::prefetch_resume
// prefetches these ranges for a woken process); the interpreter's also cover memory 0 and the
// callee's host entry, which its call run again reads through the instance.
TEST(CompiledTier, HostCallsSeeTheMemoryAndParkedArgumentsAreHinted) {
  constexpr std::string_view kWat = R"((module
    (import "host" "wait" (func $wait (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "f") (result i32) (call $wait (i32.const 7) (i32.const 9)))))";
  for (Tier tier : {Tier::Interp, Tier::Baseline, Tier::Compiled}) {
    auto module = compile_wat(kWat, tier);
    ASSERT_NE(module, nullptr);
    engine::MemoryPool pool;
    engine::Store store(pool);
    const engine::Slot* args = nullptr;
    engine::Memory* seen = nullptr;
    const wasm::ValType i32 = wasm::ValType::I32;
    Function* wait = store.add_host_function({{i32, i32}, {i32}}, [&](HostCall& c) {
      seen = c.memory();
      if (args == nullptr) {
        args = c.args.data();
        return HostStatus::Park;
      }
      c.results[0] = c.args[0] + c.args[1];
      return HostStatus::Return;
    });
    std::vector<Extern> imports = {{wasm::ExternKind::Func, wait}};
    engine::Instance* inst = store.instantiate(module, imports).value();
    const char* name = tier_name(tier);
    Thread thread(store);
    thread.begin_call(inst->find_export("f")->func(), {}).value();
    ASSERT_EQ(thread.run(), RunStatus::Parked) << name;
    EXPECT_EQ(seen, inst->memories[0]) << name;
    engine::HotRange ranges[16];
    const size_t n = thread.resume_lines(ranges);
    const auto covered = [&](const void* p, size_t bytes) {
      const auto at = reinterpret_cast<uintptr_t>(p);
      for (size_t i = 0; i < n; ++i) {
        const auto from = reinterpret_cast<uintptr_t>(ranges[i].at);
        if (at >= from && at + bytes <= from + ranges[i].bytes) return true;
      }
      return false;
    };
    EXPECT_TRUE(covered(args, 2 * sizeof(engine::Slot)))
        << name << ": no resume hint covers the parked call's arguments";
    if (tier == Tier::Interp) {
      EXPECT_TRUE(covered(inst->memories[0], 16)) << name << ": memory 0 is not hinted";
      EXPECT_TRUE(covered(wait->host, sizeof(engine::HostEntry)))
          << name << ": the parked call's host entry is not hinted";
    }
    ASSERT_EQ(thread.run(), RunStatus::Done) << name;
    EXPECT_EQ(thread.results()[0].as_i32(), 16) << name;
  }
}

TEST(CompiledTier, MemoryAccessesAreBoundsChecked) {
  constexpr std::string_view kWat = R"((module
    (memory 1 2)
    (func (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
    (func (export "store") (param i32) (i64.store (local.get 0) (i64.const -1)))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))";
  BothTiers b(kWat);
  ASSERT_NE(b.compiled.instance, nullptr);
  const std::vector<Case> probes = {
      {"load", {Value::i32(65528)}},  {"load", {Value::i32(65529)}},  {"load", {Value::i32(-4)}},
      {"store", {Value::i32(65528)}}, {"store", {Value::i32(65529)}}, {"grow", {Value::i32(1)}},
      {"load", {Value::i32(65529)}},  {"load", {Value::i32(131068)}}, {"grow", {Value::i32(1)}},
  };
  for (const Case& c : probes) {
    const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, {});
    const Outcome got = run_to_end(b.compiled.thread, b.compiled.fn(c.fn), c.args, {});
    EXPECT_EQ(got, want) << c.fn << " " << c.args[0].to_string();
  }
}

}  // namespace
}  // namespace lunatic::tiering::testing
