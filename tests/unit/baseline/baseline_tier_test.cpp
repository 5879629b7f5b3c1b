// The baseline tier keeps every guarantee of the interpreter, as the LLVM tier does
// (tests/unit/tiering/compiled_tier_test.cpp): the same results, traps and fuel at the same
// safepoints, slices, kills in spinning loops, parking in host calls, backtraces, stack
// exhaustion as a trap; and a module it cannot compile is an Error, never a crash.
#include <thread>

#include "../support/tier_modules.hpp"
#include "../tiering/tier_fixture.hpp"
#include "baseline/baseline.hpp"
#include "engine/code.hpp"

namespace lunatic::tiering::testing {
namespace {

constexpr std::string_view kWork = lunatic::testing::kWorkWat;  // support/tier_modules.hpp

struct Case {
  const char* fn;
  std::vector<Value> args;
};
const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      {"sum_squares", {Value::i32(100)}},
      {"fib", {Value::i64(15)}},
      {"fill", {Value::i32(65536)}},
      {"fill", {Value::i32(65537)}},
      {"switch", {Value::i32(0)}},
      {"switch", {Value::i32(1)}},
      {"switch", {Value::i32(99)}},
      {"div", {Value::i32(7), Value::i32(0)}},
      {"div", {Value::i32(INT32_MIN), Value::i32(-1)}},
  };
  return kCases;
}

/// The interpreter and the baseline, side by side.
struct BaselineAndInterp {
  TierInstance interp;
  TierInstance baseline;
  explicit BaselineAndInterp(std::string_view wat)
      : interp(wat, Tier::Interp), baseline(wat, Tier::Baseline) {
    if (baseline.instance != nullptr) {
      EXPECT_NE(baseline.instance->module->native(), nullptr);
    }
  }
};

TEST(BaselineTier, SameResultsTrapsAndFuelAsTheInterpreter) {
  BaselineAndInterp b(kWork);
  ASSERT_NE(b.baseline.instance, nullptr);
  for (const Case& c : cases()) {
    for (std::optional<uint64_t> fuel :
         {std::optional<uint64_t>{}, std::optional<uint64_t>{1'000'000}}) {
      const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, fuel);
      const Outcome got = run_to_end(b.baseline.thread, b.baseline.fn(c.fn), c.args, fuel);
      EXPECT_EQ(got, want) << c.fn;
    }
  }
}

TEST(BaselineTier, OutOfFuelAtTheSameSafepoint) {
  BaselineAndInterp b(kWork);
  ASSERT_NE(b.baseline.instance, nullptr);
  for (uint64_t fuel = 0; fuel <= 400; ++fuel) {
    for (const char* fn : {"sum_squares", "fib"}) {
      const std::vector<Value> args = {fn[0] == 's' ? Value::i32(20) : Value::i64(8)};
      const Outcome want = run_to_end(b.interp.thread, b.interp.fn(fn), args, fuel);
      const Outcome got = run_to_end(b.baseline.thread, b.baseline.fn(fn), args, fuel);
      ASSERT_EQ(got, want) << fn << " fuel " << fuel;
    }
  }
}

TEST(BaselineTier, SlicesEndAtTheSameSafepoints) {
  BaselineAndInterp b(kWork);
  ASSERT_NE(b.baseline.instance, nullptr);
  for (uint64_t slice : {1u, 2u, 3u, 7u, 40u, 1000u}) {
    for (const Case& c : cases()) {
      const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, 50'000, slice);
      const Outcome got = run_to_end(b.baseline.thread, b.baseline.fn(c.fn), c.args, 50'000, slice);
      EXPECT_EQ(got, want) << c.fn << " slice " << slice;
    }
  }
}

// The register cache (value_stack.cpp): more live entries than cache registers and than it
// keeps cached at once, a local.get still on the stack when its local changes, constants as
// immediates, compares fused with br_if/if/select, inline division with its traps, narrow
// stores of constants and sign-extending loads: the same results as the interpreter.
TEST(BaselineTier, TheRegisterCacheComputesWhatTheInterpreterDoes) {
  std::string deep = "(func (export \"deep\") (param i32) (result i32)\n";
  for (int i = 0; i < 40; ++i) {
    deep += "(i32.mul (i32.add (local.get 0) (i32.const " + std::to_string(i) + ")) (i32.const " +
            std::to_string(i + 3) + "))\n";
  }
  for (int i = 0; i < 39; ++i) deep += "i32.xor\n";
  deep += ")\n";
  const std::string wat = R"((module (memory 1)
    (func (export "stale") (param i32) (result i32)
      (local.get 0)
      (local.set 0 (i32.const 5))
      (local.get 0)
      (local.tee 0 (i32.const -7))
      (i32.add (local.get 0))
      (i32.sub) (i32.sub))
    (func (export "divs") (param i32 i32) (result i64)
      (i64.extend_i32_u (i32.div_s (local.get 0) (local.get 1)))
      (i64.extend_i32_u (i32.rem_s (local.get 0) (local.get 1)))
      (i64.add)
      (i64.extend_i32_u (i32.div_u (local.get 0) (local.get 1)))
      (i64.add)
      (i64.extend_i32_u (i32.rem_u (local.get 0) (local.get 1)))
      (i64.add)
      (i64.rem_s (i64.extend_i32_s (local.get 0)) (i64.const -1))
      (i64.add)
      (i64.div_s (i64.extend_i32_s (local.get 0)) (i64.const 3))
      (i64.add)
      (i32.rem_s (local.get 0) (i32.const -1))
      (i64.extend_i32_s) (i64.add))
    (func (export "div64") (param i64 i64) (result i64)
      (i64.div_s (local.get 0) (local.get 1)))
    (func (export "branchy") (param i32 i32) (result i32) (local i32)
      (block $out (result i32)
        (loop $top
          (drop (br_if $out (i32.const 99) (i32.gt_u (local.get 2) (i32.const 50))))
          (if (i32.lt_s (local.get 0) (local.get 1))
            (then (local.set 2 (i32.add (local.get 2) (i32.const 3))))
            (else (local.set 2 (i32.add (local.get 2) (i32.const 1)))))
          (local.set 0 (i32.add (local.get 0) (i32.const 1)))
          (br_if $top (i32.eqz (i32.ge_u (local.get 2) (i32.const 40)))))
        (select (local.get 2) (i32.const -1) (i64.ne (i64.const 0x100000000) (i64.extend_i32_u (local.get 0))))))
    (func (export "memory") (param i32) (result i64)
      (i32.store8 offset=3 (local.get 0) (i32.const 0x1ff))
      (i32.store16 offset=5 (local.get 0) (i32.const -2))
      (i64.store offset=8 (local.get 0) (i64.const 0x123456789abcdef0))
      (i64.store32 offset=16 (local.get 0) (i64.const -3))
      (i64.add (i64.load8_s offset=3 (local.get 0)) (i64.load16_s offset=5 (local.get 0)))
      (i64.add (i64.load offset=8 (local.get 0)))
      (i64.add (i64.load32_s offset=16 (local.get 0)))
      (i64.add (i64.extend_i32_u (i32.load8_u offset=3 (local.get 0)))))
    )" + deep + ")";
  BaselineAndInterp b(wat);
  ASSERT_NE(b.baseline.instance, nullptr);
  const std::vector<Case> calls = {
      {"deep", {Value::i32(0)}},
      {"deep", {Value::i32(-123456)}},
      {"stale", {Value::i32(100)}},
      {"divs", {Value::i32(100), Value::i32(7)}},
      {"divs", {Value::i32(-100), Value::i32(-7)}},
      {"divs", {Value::i32(INT32_MIN), Value::i32(3)}},
      {"divs", {Value::i32(INT32_MIN), Value::i32(-1)}},
      {"divs", {Value::i32(5), Value::i32(0)}},
      {"div64", {Value::i64(INT64_MIN), Value::i64(-1)}},
      {"div64", {Value::i64(INT64_MIN), Value::i64(2)}},
      {"div64", {Value::i64(1), Value::i64(0)}},
      {"branchy", {Value::i32(0), Value::i32(10)}},
      {"branchy", {Value::i32(-5), Value::i32(-20)}},
      {"memory", {Value::i32(100)}},
      {"memory", {Value::i32(65520)}},
  };
  for (const Case& c : calls) {
    const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, 1'000'000);
    const Outcome got = run_to_end(b.baseline.thread, b.baseline.fn(c.fn), c.args, 1'000'000);
    EXPECT_EQ(got, want) << c.fn;
  }
  EXPECT_EQ(run_to_end(b.baseline.thread, b.baseline.fn("stale"), {Value::i32(100)}, {})
                .results[0]
                .as_i32(),
            100 - (5 - (-7 + -7)));
  EXPECT_EQ(run_to_end(b.baseline.thread, b.baseline.fn("div64"),
                       {Value::i64(INT64_MIN), Value::i64(-1)}, {})
                .trap,
            "integer overflow");
}

// Hot locals in registers (local_registers.cpp): more hot locals than registers, a param and
// locals kept in r12-r15 across calls of a callee that keeps its own there, a stale
// local.get of a register local, a register local as address and br_table index, two
// results (written through the args pointer the prologue moved to the frame): the same
// results, traps and fuel as the interpreter for every budget.
TEST(BaselineTier, HotLocalsInRegistersComputeWhatTheInterpreterDoes) {
  const std::string wat = R"((module (memory 1)
    (func $mix (param i32 i32) (result i32) (local i32 i32 i32)
      (loop $l
        (local.set 2 (i32.add (local.get 2) (i32.mul (local.get 0) (i32.const 3))))
        (local.set 3 (i32.xor (local.get 3) (local.get 2)))
        (local.set 4 (i32.rotl (local.get 4) (local.get 3)))
        (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
        (br_if $l (i32.gt_s (local.get 1) (i32.const 0))))
      (i32.add (local.get 2) (i32.add (local.get 3) (local.get 4))))
    (func (export "hot") (param i32 i64) (result i64 i32) (local i32 i32 i32 i32 i32 i64)
      (local.set 2 (i32.const 7))
      (loop $l
        (local.get 0)
        (local.set 0 (i32.add (local.get 0) (i32.const 11)))
        (local.set 3 (i32.add (local.get 3)))
        (local.set 4 (call $mix (local.get 3) (i32.and (local.get 2) (i32.const 3))))
        (i32.store (i32.and (local.get 3) (i32.const 0xfff0)) (local.get 4))
        (local.set 5 (i32.add (local.get 5) (i32.load (i32.and (local.get 3) (i32.const 0xfff0)))))
        (block $a (block $b (block $c
          (br_table $a $b $c (i32.rem_u (local.get 5) (i32.const 3))))
          (local.set 6 (i32.add (local.get 6) (i32.const 1))) (br $a))
          (local.set 6 (i32.sub (local.get 6) (i32.const 2))))
        (local.set 7 (i64.add (local.get 7) (i64.extend_i32_u (local.tee 4 (i32.mul (local.get 4) (local.get 6))))))
        (local.set 2 (i32.sub (local.get 2) (i32.const 1)))
        (br_if $l (local.get 2)))
      (i64.add (local.get 7) (local.get 1))
      (select (local.get 5) (local.get 6) (i32.lt_u (local.get 0) (i32.const 1000)))
      (if (i32.eq (local.get 6) (i32.const -100)) (then unreachable)))
    (func (export "trap") (param i32) (result i32) (local i32 i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1) (local.get 0)))
        (local.set 2 (i32.div_u (local.get 1) (i32.sub (local.get 0) (local.get 2))))
        (br_if $l (i32.lt_u (local.get 1) (i32.const 100))))
      (local.get 2))
    ))";
  BaselineAndInterp b(wat);
  ASSERT_NE(b.baseline.instance, nullptr);
  const std::vector<Case> calls = {
      {"hot", {Value::i32(5), Value::i64(-9)}},
      {"hot", {Value::i32(-1000), Value::i64(int64_t{1} << 40)}},
      {"trap", {Value::i32(3)}},
      {"trap", {Value::i32(0)}},
  };
  for (const Case& c : calls) {
    for (std::optional<uint64_t> fuel :
         {std::optional<uint64_t>{}, std::optional<uint64_t>{0}, std::optional<uint64_t>{17},
          std::optional<uint64_t>{95}, std::optional<uint64_t>{400}}) {
      const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, fuel);
      const Outcome got = run_to_end(b.baseline.thread, b.baseline.fn(c.fn), c.args, fuel);
      EXPECT_EQ(got, want) << c.fn << " fuel " << (fuel ? std::to_string(*fuel) : "none");
    }
  }
  const Outcome hot =
      run_to_end(b.baseline.thread, b.baseline.fn("hot"), {Value::i32(5), Value::i64(-9)}, {});
  EXPECT_TRUE(hot.trap.empty());
  EXPECT_EQ(hot.results.size(), 2u);
}

// Bounds checks a path already made (emit_memory.cpp, bounds_known): a wider check covers a
// narrower access of the same local, never a wider one; a write of the local, an else arm, a
// block's end reached by a branch past the check, a loop's back edge after the local moved all
// check again; a local the loop never writes keeps its check across the header, a call and a
// memory.grow; more locals than the facts kept. Traps and results as the interpreter's, for
// arguments that trap at every one of those accesses.
TEST(BaselineTier, BoundsChecksAPathMadeComputeWhatTheInterpreterDoes) {
  const std::string wat = R"((module (memory 1 2)
    (func $id (param i32) (result i32) (local.get 0))
    (func (export "wider") (param i32) (result i32)
      (i32.add (i32.load offset=4 (local.get 0))
               (i32.add (i32.load (local.get 0)) (i32.load offset=8 (local.get 0)))))
    (func (export "rewritten") (param i32 i32) (result i32)
      (drop (i32.load offset=8 (local.get 0)))
      (local.set 0 (local.get 1))
      (i32.load (local.get 0)))
    (func (export "arms") (param i32 i32) (result i32)
      (if (local.get 1)
        (then (drop (i32.load offset=16 (local.get 0))))
        (else (drop (i32.load8_u (local.get 0)))))
      (i32.load offset=12 (local.get 0)))
    (func (export "skipped") (param i32 i32) (result i32)
      (block $b (br_if $b (local.get 1)) (drop (i32.load offset=100 (local.get 0))))
      (i32.load offset=96 (local.get 0)))
    (func (export "walk") (param i32 i32) (result i32) (local i32)
      (local.set 2 (i32.load offset=4 (local.get 0)))
      (loop $l
        (local.set 2 (i32.add (local.get 2) (i32.load (local.get 0))))
        (local.set 0 (i32.add (local.get 0) (i32.const 4096)))
        (br_if $l (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
      (local.get 2))
    (func (export "kept") (param i32 i32) (result i32) (local i32)
      (drop (i32.load offset=8 (local.get 0)))
      (loop $l
        (local.set 2 (i32.add (local.get 2) (i32.load offset=4 (local.get 0))))
        (drop (call $id (memory.grow (i32.const 0))))
        (i32.store offset=2 (local.get 0) (local.get 2))
        (br_if $l (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
      (i32.add (local.get 2) (i32.load offset=12 (local.get 0))))
    (func (export "many") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
      (i32.load offset=4 (local.get 0)) (i32.load offset=4 (local.get 1)) i32.add
      (i32.load offset=4 (local.get 2)) i32.add (i32.load offset=4 (local.get 3)) i32.add
      (i32.load offset=4 (local.get 4)) i32.add (i32.load offset=4 (local.get 5)) i32.add
      (i32.load offset=4 (local.get 6)) i32.add (i32.load offset=4 (local.get 7)) i32.add
      (i32.load offset=4 (local.get 8)) i32.add (i32.load offset=4 (local.get 9)) i32.add
      (i32.load (local.get 0)) i32.add (i32.load offset=8 (local.get 0)) i32.add
      (i32.load offset=8 (local.get 9)) i32.add)
    ))";
  BaselineAndInterp b(wat);
  ASSERT_NE(b.baseline.instance, nullptr);
  auto i32s = [](std::initializer_list<int32_t> v) {
    std::vector<Value> out;
    for (int32_t x : v) out.push_back(Value::i32(x));
    return out;
  };
  const std::vector<Case> calls = {
      {"wider", i32s({0})},
      {"wider", i32s({65524})},
      {"wider", i32s({65525})},
      {"rewritten", i32s({0, 100})},
      {"rewritten", i32s({0, 65533})},
      {"rewritten", i32s({65528, 0})},
      {"arms", i32s({65520, 1})},
      {"arms", i32s({65520, 0})},
      {"arms", i32s({65522, 0})},
      {"skipped", i32s({65500, 1})},
      {"skipped", i32s({65430, 0})},
      {"walk", i32s({0, 16})},
      {"walk", i32s({0, 17})},
      {"kept", i32s({65520, 3})},
      {"kept", i32s({65521, 3})},
      {"many", i32s({0, 8, 16, 24, 32, 40, 48, 56, 64, 72})},
      {"many", i32s({65528, 8, 16, 24, 32, 40, 48, 56, 64, 72})},
      {"many", i32s({0, 8, 16, 24, 32, 40, 48, 56, 64, 65528})},
  };
  for (const Case& c : calls) {
    for (std::optional<uint64_t> fuel :
         {std::optional<uint64_t>{}, std::optional<uint64_t>{3}, std::optional<uint64_t>{40}}) {
      const Outcome want = run_to_end(b.interp.thread, b.interp.fn(c.fn), c.args, fuel);
      const Outcome got = run_to_end(b.baseline.thread, b.baseline.fn(c.fn), c.args, fuel);
      EXPECT_EQ(got, want) << c.fn << " " << c.args[0].as_i32() << " fuel "
                           << (fuel ? std::to_string(*fuel) : "none");
    }
  }
  // Each shape traps where the interpreter does, and only there.
  for (const char* fn : {"wider", "arms", "skipped", "kept"}) {
    const std::vector<Value> args = std::string_view(fn) == "wider"  ? i32s({65525})
                                    : std::string_view(fn) == "kept" ? i32s({65521, 3})
                                    : std::string_view(fn) == "arms" ? i32s({65522, 0})
                                                                     : i32s({65500, 1});
    EXPECT_FALSE(run_to_end(b.baseline.thread, b.baseline.fn(fn), args, {}).trap.empty()) << fn;
  }
  EXPECT_FALSE(
      run_to_end(b.baseline.thread, b.baseline.fn("walk"), i32s({0, 17}), {}).trap.empty());
  EXPECT_TRUE(run_to_end(b.baseline.thread, b.baseline.fn("walk"), i32s({0, 16}), {}).trap.empty());
}

TEST(BaselineTier, ASpinningLoopYieldsAndIsKilled) {
  TierInstance t(kWork, Tier::Baseline);
  ASSERT_NE(t.instance, nullptr);
  t.thread.begin_call(t.fn("spin"), {}).value();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(t.thread.run(10'000), RunStatus::Yielded);
  t.thread.request_kill();
  EXPECT_EQ(t.thread.run(10'000), RunStatus::Trapped);
  EXPECT_EQ(t.thread.trap().kind, TrapKind::Killed);
  // Killed from another thread during an unsliced run.
  t.thread.begin_call(t.fn("spin"), {}).value();
  expect_killed_from_another_thread(t.thread);
}

TEST(BaselineTier, CallStackExhaustionIsATrap) {
  BaselineAndInterp b(kWork);
  ASSERT_NE(b.baseline.instance, nullptr);
  const Outcome want = run_to_end(b.interp.thread, b.interp.fn("deep"), {Value::i32(0)}, {});
  const Outcome got = run_to_end(b.baseline.thread, b.baseline.fn("deep"), {Value::i32(0)}, {});
  EXPECT_EQ(got.trap, "call stack exhausted");
  EXPECT_EQ(got, want);
  EXPECT_EQ(
      run_to_end(b.baseline.thread, b.baseline.fn("fib"), {Value::i64(10)}, {}).results[0].as_i64(),
      55);
}

TEST(BaselineTier, TrapsCarryTheBacktraceOfTheInterpreter) {
  constexpr std::string_view kWat = R"((module
    (memory 1)
    (func $inner (param i32) (result i32) (i32.load (local.get 0)))
    (func $middle (param i32) (result i32) (call $inner (local.get 0)))
    (func (export "outer") (param i32) (result i32) (call $middle (local.get 0)))))";
  BaselineAndInterp b(kWat);
  ASSERT_NE(b.baseline.instance, nullptr);
  run_to_end(b.interp.thread, b.interp.fn("outer"), {Value::i32(65534)}, {});
  const Outcome got =
      run_to_end(b.baseline.thread, b.baseline.fn("outer"), {Value::i32(65534)}, {});
  EXPECT_EQ(got.trap, "out of bounds memory access");
  const auto& want = b.interp.thread.trap().backtrace;
  const auto& trace = b.baseline.thread.trap().backtrace;
  ASSERT_EQ(trace.size(), 3u);
  ASSERT_EQ(trace.size(), want.size());
  for (size_t i = 0; i < trace.size(); ++i) {
    EXPECT_EQ(trace[i].function_index, want[i].function_index) << i;
    EXPECT_EQ(trace[i].offset, want[i].offset) << i;
  }
}

TEST(BaselineTier, ParksInAHostCallAndResumesOnAnotherThread) {
  constexpr std::string_view kWat = R"((module
    (import "host" "receive" (func $receive (param i32) (result i32)))
    (func (export "f") (param i32) (result i32) (local i32)
      (local.set 1 (i32.const 1000))
      (i32.add (call $receive (local.get 0)) (local.get 1)))))";
  auto module = compile_wat(kWat, Tier::Baseline);
  ASSERT_NE(module, nullptr);
  ASSERT_NE(module->native(), nullptr);
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
  EXPECT_NE(threads[0], threads[1]);
}

// Code the baseline cannot compile (here: lowered code whose safepoints do not match the
// body, when every function is compiled at once, or no lowered code at all) is an Error of
// Phase::Unsupported; the module stays in the interpreter and runs there. (Compiled on first
// call, such a function traps its call instead: lazy_compile_test.cpp.)
TEST(BaselineTier, FallsBackToTheInterpreterOnCodeItCannotCompile) {
  auto module = compile_wat(kWork, Tier::Interp);
  ASSERT_NE(module, nullptr);
  engine::CompiledModule copy;
  copy.wasm = module->wasm;
  for (uint32_t i = 0; i < module->code.size(); ++i) {  // lowered, then copied
    copy.code.push_back(std::make_unique<engine::CompiledFunction>(*module->lowered(i).value()));
  }
  std::vector<uint32_t>& code = copy.code[1]->code;  // sum_squares: entry and one loop
  uint32_t seen = 0;
  for (size_t pc = 0; pc < code.size(); pc += engine::instruction_words(code.data() + pc)) {
    if (static_cast<engine::Op>(code[pc]) == engine::Op::Safepoint && seen++ == 1) {
      code[pc] = static_cast<uint32_t>(engine::Op::DataDrop);
    }
  }
  Result<void> attached = baseline::attach_baseline(copy, baseline::Compile::Now);
  ASSERT_FALSE(attached.ok());
  EXPECT_EQ(attached.error().phase, Phase::Unsupported);
  EXPECT_NE(attached.error().message.find("safepoints"), std::string::npos);
  EXPECT_EQ(copy.native(), nullptr);

  engine::CompiledModule unlowered;
  unlowered.wasm = module->wasm;
  EXPECT_FALSE(baseline::compile_baseline(unlowered).ok());
  EXPECT_FALSE(baseline::compile_baseline(unlowered, baseline::Compile::Now).ok());

  // A module with no functions at all compiles (to nothing).
  auto empty = compile_wat("(module (memory 1))", Tier::Baseline);
  ASSERT_NE(empty, nullptr);
  EXPECT_NE(empty->native(), nullptr);
}

}  // namespace
}  // namespace lunatic::tiering::testing
